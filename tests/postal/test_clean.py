"""R1-R3 (output form, line length, characters) and the consistency of Tables A-E."""

from __future__ import annotations

import pytest

from microcrm.postal.clean import MAX_LINE_LENGTH, clean
from microcrm.postal.tables import (
    COUNTRIES,
    DOMESTIC_COUNTRIES,
    FIRST_NAMES,
    OTHER_WORD_ABBREVIATIONS,
    STREET_TYPE_ABBREVIATIONS,
    STREET_TYPE_VARIANTS,
    TITLE_ABBREVIATIONS,
    TITLE_EXPANSIONS,
)
from tests.postal.helpers import lines, norm


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("L'Haÿ-les-Roses", "L HAY LES ROSES"),  # rule sheet example
        ("M.", "M"),  # rule sheet example
        ("Élodie", "ELODIE"),
        ("Çà", "CA"),
        ("Ÿ", "Y"),
        ("Œuvre cœur", "OEUVRE COEUR"),
        ("Æsir æ", "AESIR AE"),
        ("Straße", "STRASSE"),
        ("Ø ø", "O O"),
        ("Łódź", "LODZ"),
        ("Đakovo đ", "DAKOVO D"),
        ("Dupont & Fils", "DUPONT ET FILS"),
        ("Dupont&Fils", "DUPONT ET FILS"),
        ("a-b'c,d.e/f(g)h\"i°jºk\tl", "A B C D E F G H I J K L"),
        ("  trop   d'espaces  ", "TROP D ESPACES"),
        ("n° 12", "N 12"),
        ("\u00a012\u00a0rue", "12 RUE"),
        ("", ""),
        ("---", ""),
        ("日本", ""),
        ("ǰ", "J"),
    ],
)
def test_r3_cleaning(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_r3_applies_to_every_line() -> None:
    result = norm(
        name="Mme Hélène L'Hôte",
        line1="Bât. B, Résidence « Les Érables »",
        line2="12, rue de l'Église",
        postcode="94240",
        city="L'Haÿ-les-Roses",
    )
    assert result.lines == (
        "MME HELENE L HOTE",
        "BATIMENT B RESIDENCE LES ERABLES",
        "12 RUE DE L EGLISE",
        "94240 L HAY LES ROSES",
    )
    assert result.status == "valid"


def test_r1_no_blank_lines_and_most_specific_first() -> None:
    result = norm(name="Jean Martin", line2="8 rue des Lilas", postcode="59000", city="Lille")
    assert result.lines == ("JEAN MARTIN", "8 RUE DES LILAS", "59000 LILLE")


def test_r1_at_most_six_lines_in_france() -> None:
    result = norm(
        company="Société Dupont",
        name="M. Paul Durand",
        line1="Escalier 3",
        line2="Bâtiment C",
        line3="BP 12",
        postcode="59000",
        city="Lille",
    )
    assert len(result.lines) == 5
    full = norm(
        company="Société Dupont",
        name="M. Paul Durand",
        line1="Bâtiment C",
        line2="3 rue Nationale",
        line3="BP 12",
        postcode="59000",
        city="Lille",
    )
    assert full.lines == (
        "SOCIETE DUPONT",
        "M PAUL DURAND",
        "BATIMENT C",
        "3 RUE NATIONALE",
        "BP 12",
        "59000 LILLE",
    )


def test_r1_at_most_seven_lines_abroad() -> None:
    result = norm(
        company="Dupont SA",
        name="Paul Durand",
        line1="Etage 3",
        line2="Rue Haute 12",
        line3="Boite 4",
        postcode="4000",
        city="Liège",
        country="Belgique",
    )
    assert len(result.lines) == 7
    assert result.lines[-1] == "BELGIQUE"


def test_r1_empty_address_has_no_lines() -> None:
    result = norm()
    assert result.lines == ()
    assert result.status == "invalid"


def test_r2_one_space_trimmed_and_at_most_38() -> None:
    result = norm(
        name="  Jean    Martin ", line1=" 8   rue  des Lilas  ", postcode="59000", city="Lille"
    )
    assert result.lines[0] == "JEAN MARTIN"
    assert result.lines[1] == "8 RUE DES LILAS"
    assert MAX_LINE_LENGTH == 38
    assert all(len(line) <= 38 for line in result.lines)


def test_r2_line_too_long_when_reduction_cannot_fit() -> None:
    result = norm(
        name="Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft",
        line1="1 rue de la Paix",
        postcode="75002",
        city="Paris",
    )
    assert result.status == "invalid"
    assert result.errors == ("line_too_long",)


def test_table_a_variants_are_unambiguous() -> None:
    assert STREET_TYPE_VARIANTS["R"] == "RUE"
    assert STREET_TYPE_VARIANTS["GDE RUE"] == "GRANDE RUE"
    assert STREET_TYPE_VARIANTS["ROND PT"] == "ROND POINT"
    assert STREET_TYPE_VARIANTS["QU"] == "QUAI"
    assert STREET_TYPE_VARIANTS["SEN"] == "SENTIER"
    assert STREET_TYPE_VARIANTS["SENTE"] == "SENTE"
    for full, abbreviation in STREET_TYPE_ABBREVIATIONS.items():
        assert STREET_TYPE_VARIANTS[full] == full
        assert STREET_TYPE_VARIANTS[abbreviation] in (full, "SENTIER")
    assert {STREET_TYPE_ABBREVIATIONS[k] for k in ("RUE", "QUAI", "CITE", "VOIE")} == {
        "RUE",
        "QUAI",
        "CITE",
        "VOIE",
    }


def test_table_b_round_trip() -> None:
    for full, abbreviation in TITLE_ABBREVIATIONS.items():
        assert TITLE_EXPANSIONS[abbreviation] == full
    assert TITLE_EXPANSIONS["ST"] == "SAINT"
    assert TITLE_EXPANSIONS["STE"] == "SAINTE"
    assert TITLE_EXPANSIONS["CAPT"] == "CAPITAINE"


def test_table_c_and_d() -> None:
    assert OTHER_WORD_ABBREVIATIONS["VIEILLE"] == "VIEL"
    assert OTHER_WORD_ABBREVIATIONS["ETABLISSEMENTS"] == "ETS"
    assert len(FIRST_NAMES) == 93
    assert {"JEAN", "MARIE", "YVES"} <= FIRST_NAMES


def test_table_e() -> None:
    assert COUNTRIES[clean("España")].name == "ESPAGNE"
    assert COUNTRIES["HOLLANDE"].name == "PAYS BAS"
    assert "REPUBLIQUE FRANCAISE" in DOMESTIC_COUNTRIES
    assert clean("München") == "MUNCHEN"


def test_table_e_diacritics_removed_abroad() -> None:
    assert lines(line1="Marienplatz 1", postcode="80331", city="München", country="Deutschland")[
        -2:
    ] == ("80331 MUNCHEN", "ALLEMAGNE")
