"""The postcode reference: loading, contents, lookups and completion."""

from __future__ import annotations

import gzip

import pytest

from microcrm.postal.locality import clean_commune_name, clean_reference_libelle
from microcrm.postal.reference import (
    COLUMNS,
    DATA_FILE,
    PostalReference,
    PostalRow,
    _data_bytes,
    load_reference,
    parse_data,
)


def test_loaded_once(reference: PostalReference) -> None:
    assert load_reference() is reference


def test_row_count_and_postcodes(reference: PostalReference) -> None:
    rows = reference.all_rows()
    assert len(rows) == 35_684
    assert len(reference.postcodes()) == 6_201
    assert list(reference.postcodes()) == sorted(reference.postcodes())
    assert [row.postcode for row in rows] == sorted(row.postcode for row in rows)
    assert all(len(code) == 5 and code.isdigit() for code in reference.postcodes())


def test_rows_of_a_postcode(reference: PostalReference) -> None:
    assert reference.rows("75008") == (
        PostalRow("75008", "75108", "Paris 8e Arrondissement", "PARIS"),
    )
    assert reference.rows("13290") == (
        PostalRow("13290", "13001", "Aix-en-Provence", "LES MILLES"),
    )
    assert reference.rows("13000") == ()
    assert reference.rows("") == ()


def test_localities_for_postcode(reference: PostalReference) -> None:
    assert reference.localities_for_postcode("75008") == ["PARIS"]
    assert reference.localities_for_postcode("13290") == ["LES MILLES"]
    assert "LES MILLES" in reference.localities_for_postcode("132")
    assert reference.localities_for_postcode("750") == ["PARIS"]
    assert reference.localities_for_postcode("75 0") == ["PARIS"]
    assert reference.localities_for_postcode("") == []
    assert reference.localities_for_postcode("999") == []
    assert reference.localities_for_postcode("17100")[0] == "BUSSAC SUR CHARENTE"


@pytest.mark.parametrize("typed", ["Saint-Ét", "st et", "ST ET", "saint etienne"])
def test_postcodes_for_locality_any_case_and_accents(
    reference: PostalReference, typed: str
) -> None:
    results = reference.postcodes_for_locality(typed, limit=5)
    assert results[:2] == [("42000", "ST ETIENNE"), ("42100", "ST ETIENNE")]
    assert len(results) <= 5


def test_postcodes_for_locality_sorted_and_limited(reference: PostalReference) -> None:
    results = reference.postcodes_for_locality("paris")
    assert len(results) == 20
    assert results[0] == ("75001", "PARIS")
    assert reference.postcodes_for_locality("les mil") == [("13290", "LES MILLES")]
    assert reference.postcodes_for_locality("") == []
    assert reference.postcodes_for_locality("paris", limit=0) == []
    assert reference.postcodes_for_locality("zzzz") == []


def test_department_libelles(reference: PostalReference) -> None:
    assert "LIBOURNE" in reference.department_libelles("33")
    assert "CANJUERS" in reference.department_libelles("83")  # CEDEX suffix removed
    assert "BASSE TERRE" in reference.department_libelles("971")
    assert reference.department_libelles("98") == frozenset()


def test_entry_for_matching(reference: PostalReference) -> None:
    entry = reference.entry("75016")
    assert entry is not None
    assert entry.libelles == ("PARIS",)
    assert entry.commune_libelles["BOULOGNE BILLANCOURT"] == ("PARIS",)
    assert reference.entry("75000") is None


def test_data_file_matches_cleaning_rules() -> None:
    """Catch a stale data file: rebuild it when the R18-R20 cleaning changes."""
    text = gzip.decompress(_data_bytes()).decode("utf-8")
    header, *records = text.splitlines()
    assert header.split("\t") == list(COLUMNS)
    for record in records:
        postcode, _insee, commune, raw, libelle, commune_key = record.split("\t")
        assert (libelle or raw) == clean_reference_libelle(raw, postcode), record
        assert (commune_key or libelle or raw) == clean_commune_name(commune), record


def test_parse_data_rejects_unknown_header() -> None:
    with pytest.raises(ValueError, match="unexpected postal data header"):
        parse_data(gzip.compress(b"a\tb\n"))


def test_data_file_is_small() -> None:
    assert DATA_FILE.endswith(".tsv.gz")
    assert len(_data_bytes()) < 1_000_000
