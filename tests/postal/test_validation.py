"""R25-R27: matching against the reference, status and error codes, invalid addresses."""

from __future__ import annotations

import pytest

from tests.postal.helpers import norm


def test_r25_form_only_changes_keep_status_valid() -> None:
    result = norm(
        name="m. jean-pierre dupont",
        line1="Appt 3",
        line2="5 bis, av. du Gal Leclerc",
        postcode="F-75 008",
        city="paris (75)",
        country="France",
    )
    assert result.lines == (
        "M JEAN PIERRE DUPONT",
        "APPARTEMENT 3",
        "5 B AVENUE DU GENERAL LECLERC",
        "75008 PARIS",
    )
    assert (result.status, result.errors) == ("valid", ())


@pytest.mark.parametrize("postcode", ["13000", "69000", "75000"])
def test_r25_step1_postcode_unknown(postcode: str) -> None:
    result = norm(name="A", postcode=postcode, city="Paris")
    assert (result.status, result.errors) == ("invalid", ("postcode_unknown",))


def test_r25_step2_city_missing_single_libelle_filled() -> None:
    result = norm(name="A", line1="1 rue X", postcode="75008")
    assert result.lines[-1] == "75008 PARIS"
    assert (result.status, result.errors) == ("corrected", ("city_missing",))


def test_r25_step2_city_missing_several_libelles() -> None:
    result = norm(name="A", line1="1 rue X", postcode="17100")
    assert (result.status, result.errors) == ("invalid", ("city_missing", "ambiguous_locality"))
    assert result.lines[-1] == "17100"


def test_r25_step3_city_equals_a_libelle() -> None:
    result = norm(name="A", postcode="17100", city="Bussac-sur-Charente")
    assert (result.lines[-1], result.status) == ("17100 BUSSAC SUR CHARENTE", "valid")


def test_r25_step4_commune_name_with_one_libelle() -> None:
    result = norm(name="A", postcode="75016", city="Boulogne-Billancourt")
    assert (result.lines[-1], result.errors) == ("75016 PARIS", ("locality_replaced",))


def test_r25_step5_arrondissement_form() -> None:
    result = norm(name="A", postcode="69003", city="LYON 3E")
    assert (result.lines[-1], result.errors) == ("69003 LYON", ("locality_replaced",))


@pytest.mark.parametrize(
    ("postcode", "city", "line6"),
    [
        ("42000", "St Etiene", "42000 ST ETIENNE"),  # distance 1
        ("42000", "Saint Ettiene", "42000 ST ETIENNE"),  # distance 2 on a long name
        ("59000", "Lile", "59000 LILLE"),  # distance 1 on a short name
        ("13290", "Aix en Provance", "13290 LES MILLES"),  # misspelt commune name
    ],
)
def test_r25_step6_spelling_tolerance(postcode: str, city: str, line6: str) -> None:
    result = norm(name="A", postcode=postcode, city=city)
    assert (result.lines[-1], result.errors) == (line6, ("locality_spelling",))


def test_r25_step6_short_names_tolerate_one_edit_only() -> None:
    result = norm(name="A", postcode="59000", city="Lilo")  # LILLE: 2 edits, 5 letters
    assert result.errors == ("postcode_city_mismatch",)
    result = norm(name="A", postcode="33380", city="Miso")  # MIOS: 2 edits, short
    assert result.errors == ("postcode_city_mismatch",)


def test_r25_step6_ambiguous() -> None:
    # 14100 serves MAROLLES and NOROLLES: MOROLLES is one edit from both.
    result = norm(name="A", postcode="14100", city="Morolles")
    assert (result.status, result.errors) == ("invalid", ("ambiguous_locality",))
    assert result.lines[-1] == "14100 MOROLLES"


def test_r25_step6_mismatch() -> None:
    result = norm(name="A", line1="1 rue X", postcode="13290", city="Marseille")
    assert (result.status, result.errors) == ("invalid", ("postcode_city_mismatch",))


def test_r25_postcode_never_changed_to_fit_city() -> None:
    result = norm(name="A", postcode="75009", city="Lyon")
    assert result.postcode == "75009"
    assert result.errors == ("postcode_city_mismatch",)


def test_r25_missing_city_added_to_other_blocking_errors() -> None:
    assert norm(name="A", postcode="13000").errors == ("postcode_unknown", "city_missing")
    assert norm(name="A", postcode="ABC").errors == ("postcode_malformed", "city_missing")
    assert norm(name="A").errors == ("postcode_missing", "city_missing")
    long_name = "A" * 39
    result = norm(name=long_name, postcode="75008")
    assert result.errors == ("city_missing", "line_too_long")
    assert result.lines == (long_name, "75008")  # R26: not filled in


def test_r25_corrections_listed_together() -> None:
    result = norm(name="A", postcode="8000", city="Charleville Mezieres")
    assert result.errors == ("postcode_padded",)
    result = norm(name="A", postcode="1000")
    assert result.lines[-1] == "01000"
    assert result.errors == ("city_missing", "ambiguous_locality")
    result = norm(name="A", postcode="5330")
    assert (result.lines[-1], result.errors) == (
        "05330 ST CHAFFREY",
        ("postcode_padded", "city_missing"),
    )


def test_r26_invalid_addresses_formatted_without_data_correction() -> None:
    result = norm(
        name="mme durand",
        line1="12 bd Voltaire",
        postcode="750",
        city="Saint-Denis cedex 3",
    )
    assert result.status == "invalid"
    assert result.errors == ("postcode_malformed",)
    assert result.lines == ("MME DURAND", "12 BOULEVARD VOLTAIRE", "750 ST DENIS CEDEX 3")


def test_r26_invalid_keeps_typed_city_not_replaced() -> None:
    result = norm(name="A" * 39, postcode="75016", city="Paris 16e")
    assert result.lines[-1] == "75016 PARIS 16E"
    assert result.errors == ("line_too_long",)


def test_r26_either_part_may_be_absent() -> None:
    assert norm(name="A", city="Lille").lines == ("A", "LILLE")
    assert norm(name="A", postcode="59000 ").lines == ("A", "59000")  # LILLE or RONCHIN


def test_r27_street_is_never_validated() -> None:
    result = norm(name="A", line1="999 rue qui n'existe pas", postcode="59000", city="Lille")
    assert (result.status, result.errors) == ("valid", ())
