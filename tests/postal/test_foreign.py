"""R23-R24 and Table E: destination country and foreign addresses."""

from __future__ import annotations

import pytest

from microcrm.postal.foreign import foreign_postcode, is_domestic
from microcrm.postal.tables import COUNTRIES
from tests.postal.helpers import norm


@pytest.mark.parametrize(
    "country",
    [
        "",
        "France",
        "FR",
        "FRA",
        "F",
        "République française",
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "Réunion",
        "La Réunion",
        "Mayotte",
        "GP",
        "MQ",
        "GF",
        "RE",
        "YT",
    ],
)
def test_r23_domestic_countries_have_no_country_line(country: str) -> None:
    assert is_domestic(country)
    result = norm(name="A", postcode="97100", city="Basse-Terre", country=country)
    assert result.lines == ("A", "97100 BASSE TERRE")
    assert (result.status, result.country) == ("valid", "")


@pytest.mark.parametrize(
    ("country", "line"),
    [
        ("Belgium", "BELGIQUE"),
        ("BE", "BELGIQUE"),
        ("België", "BELGIQUE"),
        ("Schweiz", "SUISSE"),
        ("CH", "SUISSE"),
        ("Deutschland", "ALLEMAGNE"),
        ("Italia", "ITALIE"),
        ("España", "ESPAGNE"),
        ("Nederland", "PAYS BAS"),
        ("Pays-Bas", "PAYS BAS"),
    ],
)
def test_r23_country_line_in_french_capitals(country: str, line: str) -> None:
    assert not is_domestic(country)
    result = norm(name="A", postcode="1234", city="X", country=country)
    assert (result.country, result.lines[-1]) == (line, line)


@pytest.mark.parametrize(
    ("country", "raw", "expected"),
    [
        ("BELGIQUE", "B-4000", ("4000", "")),  # rule sheet example
        ("BELGIQUE", "BE 4000", ("4000", "")),
        ("SUISSE", "CH-1201", ("1201", "")),  # rule sheet example
        ("ALLEMAGNE", "D-80331", ("80331", "")),  # rule sheet example
        ("ALLEMAGNE", "DE80331", ("80331", "")),
        ("ITALIE", "I-00184", ("00184", "")),
        ("ESPAGNE", "E-28001", ("28001", "")),
        ("PAYS BAS", "1012 LG", ("1012 LG", "")),  # rule sheet example
        ("PAYS BAS", "1012lg", ("1012 LG", "")),
        ("PAYS BAS", "1012-LG", ("1012 LG", "")),
        ("BELGIQUE", "40000", ("40000", "postcode_malformed")),
        ("SUISSE", "D-1201", ("D 1201", "postcode_malformed")),
        ("ALLEMAGNE", "", ("", "postcode_missing")),
    ],
)
def test_r24_postcode_patterns(country: str, raw: str, expected: tuple[str, str]) -> None:
    assert foreign_postcode(raw, COUNTRIES[country]) == expected


def test_r24_foreign_lines_not_restructured_nor_reduced() -> None:
    result = norm(
        company="Brasserie Cantillon",
        name="M. Jean Van Roy",
        line1="Rue Gheude 56",
        line2="Bte 3",
        postcode="B-1070",
        city="Anderlecht",
        country="Belgique",
    )
    assert result.lines == (
        "BRASSERIE CANTILLON",
        "M JEAN VAN ROY",
        "RUE GHEUDE 56",
        "BTE 3",
        "1070 ANDERLECHT",
        "BELGIQUE",
    )
    assert (result.status, result.errors, result.country) == ("valid", (), "BELGIQUE")


def test_r24_free_lines_in_input_order_r3_only() -> None:
    result = norm(
        name="Hans Müller",
        line1="Marienplatz 8",
        line2="c/o Schmidt",
        postcode="D-80331",
        city="München",
        country="DE",
    )
    assert result.lines == (
        "HANS MULLER",
        "MARIENPLATZ 8",
        "C O SCHMIDT",
        "80331 MUNCHEN",
        "ALLEMAGNE",
    )


def test_r24_invalid_foreign_postcode_or_city() -> None:
    assert norm(name="A", postcode="12345", city="Genève", country="Suisse").errors == (
        "postcode_malformed",
    )
    assert norm(name="A", postcode="1201", country="Suisse").errors == ("city_missing",)
    assert norm(name="A", city="Genève", country="Suisse").errors == ("postcode_missing",)


def test_r24_foreign_long_line_is_not_reduced() -> None:
    long_line = "Avenida de la Constitucion de los Reyes Catolicos 12"
    result = norm(name="A", line1=long_line, postcode="28001", city="Madrid", country="Spain")
    assert result.lines[1] == "AVENIDA DE LA CONSTITUCION DE LOS REYES CATOLICOS 12"
    assert result.errors == ("line_too_long",)


def test_r24_country_unsupported() -> None:
    result = norm(
        name="Yamada Taro",
        line1="1-1 Chiyoda",
        postcode="100-0001",
        city="Tōkyō",
        country="Japon",
    )
    assert result.lines == ("YAMADA TARO", "1 1 CHIYODA", "100 0001 TOKYO", "JAPON")
    assert (result.status, result.errors) == ("invalid", ("country_unsupported",))
    assert norm(name="A", country="Japon").errors == ("city_missing", "country_unsupported")


def test_r24_foreign_addresses_not_validated_against_french_data() -> None:
    result = norm(name="A", postcode="75000", city="Paris", country="Belgique")
    assert result.errors == ("postcode_malformed",)  # 5 digits: not Belgian; no French lookup
