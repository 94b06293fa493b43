"""R16-R22: postcode, libellé d'acheminement, reference cleaning, SAINT, PLM, CEDEX, department."""

from __future__ import annotations

import pytest

from microcrm.postal.locality import (
    clean_commune_name,
    clean_postcode,
    clean_reference_libelle,
    parse_city,
    plm_city,
)
from microcrm.postal.reference import PostalReference
from tests.postal.helpers import norm


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("75008", ("75008", "")),
        ("75 008", ("75008", "")),  # rule sheet example
        ("F-86000", ("86000", "")),  # rule sheet example
        ("FR 75008", ("75008", "")),
        ("fr-75008", ("75008", "")),
        ("75.008", ("75008", "")),
        ("8000", ("08000", "postcode_padded")),
        ("1000", ("01000", "postcode_padded")),
        ("", ("", "postcode_missing")),
        ("  - ", ("", "postcode_missing")),
        ("750080", ("750080", "postcode_malformed")),
        ("750", ("750", "postcode_malformed")),
        ("75OO8", ("75OO8", "postcode_malformed")),
        ("FOO", ("FOO", "postcode_malformed")),
    ],
)
def test_r16_postcode_cleanup(raw: str, expected: tuple[str, str]) -> None:
    assert clean_postcode(raw) == expected


def test_r16_postcode_first_on_l6_then_one_space() -> None:
    result = norm(name="A", postcode="F-86000", city="Poitiers")
    assert result.lines[-1] == "86000 POITIERS"
    assert result.status == "valid"  # separators and prefix are form only (R25)


def test_r16_padded_postcode_is_a_correction() -> None:
    result = norm(name="A", postcode="8000", city="Charleville-Mézières")
    assert result.lines[-1] == "08000 CHARLEVILLE MEZIERES"
    assert (result.status, result.errors) == ("corrected", ("postcode_padded",))


@pytest.mark.parametrize(
    ("postcode", "city", "line6"),
    [
        ("13290", "Les Milles", "13290 LES MILLES"),
        ("83370", "Saint-Aygulf", "83370 ST AYGULF"),
        ("68410", "Trois-Épis", "68410 TROIS EPIS"),
        ("95230", "Soisy-sous-Montmorency", "95230 SOISY SS MONTMORENCY"),
    ],
)
def test_r17_locality_is_the_libelle_not_the_commune(postcode: str, city: str, line6: str) -> None:
    result = norm(name="A", postcode=postcode, city=city)
    assert result.lines[-1] == line6


def test_r17_commune_name_replaced_by_libelle() -> None:
    result = norm(name="A", postcode="13290", city="Aix-en-Provence")
    assert result.lines[-1] == "13290 LES MILLES"
    assert result.errors == ("locality_replaced",)
    assert norm(name="A", postcode="83370", city="Fréjus").lines[-1] == "83370 ST AYGULF"
    assert norm(name="A", postcode="68410", city="Turckheim").lines[-1] == "68410 TROIS EPIS"


@pytest.mark.parametrize(
    ("raw", "postcode", "expected"),
    [
        ("BAUX-DE-PROVENCE (LES)", "13520", "LES BAUX DE PROVENCE"),  # rule sheet example
        ("ROCHE SUR YON (LA)", "85000", "LA ROCHE SUR YON"),  # rule sheet example
        ("EPINE (L')", "85740", "L EPINE"),  # rule sheet example
        ("EPINE (L )", "85740", "L EPINE"),
        ("PARADOU (LE)", "13520", "LE PARADOU"),
        ("PARIS 16", "75016", "PARIS"),  # R20 overrides the quirk
        ("PARIS 16", "75116", "PARIS"),
        ("MARSEILLE 6EME", "13007", "MARSEILLE"),
        ("SAINT-ETIENNE", "42000", "ST ETIENNE"),
        ("SAINT CHAFFREY 05330", "05330", "ST CHAFFREY"),  # [choice] own postcode dropped
        ("CASTILLON (CANTON ARTHEZ BEARN", "64370", "CASTILLON CANTON ARTHEZ BEARN"),
    ],
)
def test_r18_reference_libelle_cleaning(raw: str, postcode: str, expected: str) -> None:
    assert clean_reference_libelle(raw, postcode) == expected


def test_r18_reference_data_is_cleaned(reference: PostalReference) -> None:
    assert {row.libelle for row in reference.rows("13520")} >= {"LES BAUX DE PROVENCE"}
    assert {row.libelle for row in reference.rows("85000")} >= {"LA ROCHE SUR YON"}
    assert {row.libelle for row in reference.rows("75016")} == {"PARIS"}
    assert {row.libelle for row in reference.rows("13007")} == {"MARSEILLE"}


def test_r18_user_city_cleaned_identically() -> None:
    result = norm(name="A", postcode="13520", city="Baux-de-Provence (Les)")
    assert (result.lines[-1], result.status) == ("13520 LES BAUX DE PROVENCE", "valid")
    assert norm(name="A", postcode="85000", city="Roche-sur-Yon (La)").status == "valid"
    assert norm(name="A", postcode="85740", city="Épine (L')").lines[-1] == "85740 L EPINE"


@pytest.mark.parametrize(
    ("postcode", "city", "line6"),
    [
        ("42000", "Saint-Étienne", "42000 ST ETIENNE"),
        ("42000", "St Etienne", "42000 ST ETIENNE"),
        ("42000", "ST-ETIENNE", "42000 ST ETIENNE"),
        ("91700", "Sainte-Geneviève-des-Bois", "91700 STE GENEVIEVE DES BOIS"),
        ("13460", "Les Saintes-Maries-de-la-Mer", "13460 LES STES MARIES DE LA MER"),
        ("17100", "Saintes", "17100 SAINTES"),  # one-word name stays
    ],
)
def test_r19_saint_in_the_locality(postcode: str, city: str, line6: str) -> None:
    result = norm(name="A", postcode=postcode, city=city)
    assert (result.lines[-1], result.status) == (line6, "valid")


def test_r19_commune_names_cleaned_like_cities() -> None:
    assert clean_commune_name("Saint-Étienne") == "ST ETIENNE"
    assert clean_commune_name("Saintes") == "SAINTES"


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("75001", "PARIS"),
        ("75020", "PARIS"),
        ("75116", "PARIS"),
        ("75021", ""),
        ("69001", "LYON"),
        ("69009", "LYON"),
        ("69010", ""),
        ("13001", "MARSEILLE"),
        ("13016", "MARSEILLE"),
        ("13017", ""),
        ("7500", ""),
    ],
)
def test_r20_plm_postcodes(postcode: str, expected: str) -> None:
    assert plm_city(postcode) == expected


@pytest.mark.parametrize(
    ("postcode", "city", "line6"),
    [
        ("75016", "Paris 16e", "75016 PARIS"),  # rule sheet example
        ("75011", "PARIS 11", "75011 PARIS"),  # rule sheet example
        ("69003", "Lyon 3ème", "69003 LYON"),  # rule sheet example
        ("13008", "Marseille 8eme arrondissement", "13008 MARSEILLE"),  # rule sheet example
        ("75001", "Paris 1er", "75001 PARIS"),
        ("75008", "Paris 8e Arrondissement", "75008 PARIS"),
        ("13007", "Marseille 6EME", "13007 MARSEILLE"),
        ("69002", "Lyon 2 arrdt", "69002 LYON"),
    ],
)
def test_r20_arrondissement_replaced(postcode: str, city: str, line6: str) -> None:
    result = norm(name="A", postcode=postcode, city=city)
    assert result.lines[-1] == line6
    assert (result.status, result.errors) == ("corrected", ("locality_replaced",))


def test_r20_never_arrondissement_on_l6() -> None:
    assert norm(name="A", postcode="75016", city="Paris").lines[-1] == "75016 PARIS"
    assert norm(name="A", postcode="75116", city="").lines[-1] == "75116 PARIS"


@pytest.mark.parametrize(
    ("postcode", "city", "line6"),
    [
        ("33506", "Libourne Cedex", "33506 LIBOURNE CEDEX"),  # rule sheet example
        ("34092", "Montpellier Cedex 5", "34092 MONTPELLIER CEDEX 5"),  # rule sheet example
        ("34092", "Montpellier Cédex 05", "34092 MONTPELLIER CEDEX 5"),
        ("34092", "montpellier cdx 5", "34092 MONTPELLIER CEDEX 5"),
        ("75341", "Paris Cedex 7", "75341 PARIS CEDEX 07"),
        ("69258", "Lyon Cedex 9", "69258 LYON CEDEX 09"),
        ("13262", "Marseille cedex 07", "13262 MARSEILLE CEDEX 07"),
        ("31062", "Toulouse Cedex 09", "31062 TOULOUSE CEDEX 9"),
        ("31062", "Toulouse Cedex9", "31062 TOULOUSE CEDEX 9"),
        ("83998", "Canjuers Cedex", "83998 CANJUERS CEDEX"),
    ],
)
def test_r21_cedex_format_and_validation(postcode: str, city: str, line6: str) -> None:
    result = norm(company="ACME", line1="BP 12", postcode=postcode, city=city)
    assert result.lines[-1] == line6
    assert (result.status, result.errors, result.cedex) == ("valid", (), True)


def test_r21_cedex_unknown_locality() -> None:
    result = norm(company="ACME", postcode="92044", city="Paris La Défense Cedex")
    assert (result.status, result.errors) == ("invalid", ("cedex_unknown_locality",))
    assert result.lines[-1] == "92044 PARIS LA DEFENSE CEDEX"  # CEDEX is never dropped
    wrong_department = norm(company="ACME", postcode="33506", city="Montpellier Cedex")
    assert wrong_department.errors == ("cedex_unknown_locality",)


def test_r21_cedex_code_needs_five_digits() -> None:
    padded = norm(company="A", postcode="1059", city="Bourg-en-Bresse Cedex")
    assert (padded.lines[-1], padded.errors) == (
        "01059 BOURG EN BRESSE CEDEX",
        ("postcode_padded",),
    )
    # Padding puts 3350 in department 03, where LIBOURNE is no libellé.
    assert norm(company="A", postcode="3350", city="Libourne Cedex").errors == (
        "cedex_unknown_locality",
    )
    assert norm(company="A", postcode="335", city="Libourne Cedex").errors == (
        "postcode_malformed",
    )


def test_r21_cedex_with_arrondissement_form() -> None:
    result = norm(company="A", postcode="75341", city="Paris 7e Cedex 07")
    assert result.lines[-1] == "75341 PARIS CEDEX 07"
    assert result.errors == ("locality_replaced",)


@pytest.mark.parametrize(
    ("postcode", "city", "line6"),
    [
        ("35400", "Saint-Malo (35)", "35400 ST MALO"),  # rule sheet example
        ("20090", "Ajaccio (2A)", "20090 AJACCIO"),  # rule sheet example
        ("20090", "Ajaccio (20)", "20090 AJACCIO"),
        ("20090", "Ajaccio 2A", "20090 AJACCIO"),
        ("97100", "Basse-Terre (971)", "97100 BASSE TERRE"),
        ("75008", "Paris (75)", "75008 PARIS"),
    ],
)
def test_r22_department_suffix_dropped(postcode: str, city: str, line6: str) -> None:
    result = norm(name="A", postcode=postcode, city=city)
    assert (result.lines[-1], result.status) == (line6, "valid")


def test_r22_other_department_kept() -> None:
    result = norm(name="A", postcode="35400", city="Saint-Malo (22)")
    assert result.status == "invalid"
    assert result.lines[-1] == "35400 ST MALO 22"


def test_parse_city_parts() -> None:
    parts = parse_city("Montpellier (34) Cedex 5", "34092")
    assert (parts.name, parts.cedex, parts.office) == ("MONTPELLIER", True, "5")
    parts = parse_city("Libourne", "33500")
    assert (parts.name, parts.cedex, parts.office) == ("LIBOURNE", False, "")
    parts = parse_city("Montpellier 34 Cedex 5", "34092")
    assert (parts.name, parts.cedex, parts.office) == ("MONTPELLIER", True, "5")
