"""SIRENE establishments at a CEDEX, a BP, a TSA or a CS: the address mail goes to.

An establishment with ``codeCedexEtablissement`` must be stored with its CEDEX
line, not its geographic postcode: mail to a BP under the geographic postcode is
not delivered (docs/import-formats.md §1). Each case of
:data:`~tests.directory.sirene_fixtures.CEDEX_CASES` is imported into a real SQLite
base and its stored address is checked line by line after normalisation
(docs/address-standard.md R4, R5, R15, R21), with the geographic postcode and
commune kept in the organisation's notes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from microcrm.db import Database
from microcrm.directory.company_search import write_records_csv
from microcrm.directory.importer import import_files
from microcrm.directory.records import RawRecord
from microcrm.directory.sirene_api import convert_result
from microcrm.directory.sirene_reader import (
    SIRENE_FIELDS,
    MailingAddress,
    mailing_address,
    read_sirene,
    second_address_note,
)
from microcrm.models import Organisation
from tests.directory.helpers import api_establishment, make_result
from tests.directory.sirene_fixtures import (
    CEDEX_CASES,
    ET_HEADER,
    UL_HEADER,
    establishment,
    legal_unit,
    make_siret,
    write_cedex_pair,
    write_csv,
)

GEO = "Adresse géographique : "

# Case → (normalised lines 2-6, status, organisation notes, typed postcode and city).
EXPECTED: dict[str, tuple[list[str], str, str | None, tuple[str, str]]] = {
    "bp_cedex_marseille": (
        ["45 BOULEVARD DE LA VALBARELLE", "BP 25", "13779 MARSEILLE CEDEX 11"],
        "valid",
        GEO + "13011 MARSEILLE 11 (code commune 13211)",
        ("13779", "MARSEILLE CEDEX 11"),
    ),
    "bp_cedex_other_office": (
        ["1203 ROUTE DE MENDE", "BP 90432 MONTFERRIER SUR LEZ", "34092 MONTPELLIER CEDEX 5"],
        "valid",
        GEO + "34980 MONTFERRIER-SUR-LEZ (code commune 34169)",
        ("34092", "MONTPELLIER CEDEX 5"),
    ),
    "tsa_cedex_lyon": (
        ["12 RUE FRANCIS DE PRESSENSE", "TSA 30010", "69441 LYON CEDEX 03"],
        "valid",
        GEO + "69100 VILLEURBANNE (code commune 69266)",
        ("69441", "LYON CEDEX 03"),
    ),
    "cs_cedex_paris": (
        ["BATIMENT C", "9 AVENUE DE SEGUR", "CS 70001", "75341 PARIS CEDEX 07"],
        "valid",
        GEO + "75007 PARIS 7 (code commune 75107)",
        ("75341", "PARIS CEDEX 07"),
    ),
    "cs_cedex_zone": (
        ["ZI DES PALUDS", "180 AVENUE DE LA FOUGERE", "CS 30001", "13685 AUBAGNE CEDEX"],
        "valid",
        GEO + "13400 AUBAGNE (code commune 13005)",
        ("13685", "AUBAGNE CEDEX"),
    ),
    "cedex_only": (
        ["8 RUE DE LA DECOUVERTE", "31673 LABEGE CEDEX"],
        "valid",
        GEO + "31670 LABEGE (code commune 31254)",
        ("31673", "LABEGE CEDEX"),
    ),
    "cedex_only_lyon": (
        ["20 RUE GARIBALDI", "69421 LYON CEDEX 03"],
        "valid",
        GEO + "69003 LYON 3EME (code commune 69383)",
        ("69421", "LYON CEDEX 03"),
    ),
    "bp_no_cedex_lyon": (
        ["7 PLACE GUICHARD", "BP 3021", "69003 LYON"],
        "corrected",  # LYON 3EME → LYON (R20)
        None,
        ("69003", "LYON 3EME"),
    ),
    "bp_no_cedex_2a": (
        ["2 COURS NAPOLEON", "BP 12", "20000 AJACCIO"],
        "valid",
        None,
        ("20000", "AJACCIO"),
    ),
    "cedex_2a": (
        ["5 AVENUE NOEL FRANCHINI", "20186 AJACCIO CEDEX 2"],
        "valid",
        GEO + "20090 AJACCIO (code commune 2A004)",
        ("20186", "AJACCIO CEDEX 2"),
    ),
    "bp_cedex_2b": (
        ["3 BOULEVARD PAOLI", "BP 345", "20297 BASTIA CEDEX"],
        "valid",
        GEO + "20200 BASTIA (code commune 2B033)",
        ("20297", "BASTIA CEDEX"),
    ),
    "cedex_without_label": (
        ["45 BOULEVARD DE LA VALBARELLE", "BP 26", "13779 MARSEILLE CEDEX"],
        "valid",
        GEO + "13011 MARSEILLE 11 (code commune 13211)",
        ("13779", "MARSEILLE CEDEX"),
    ),
    "label_without_code": (
        ["47 BOULEVARD DE LA VALBARELLE", "BP 27", "13011 MARSEILLE"],
        "corrected",  # MARSEILLE 11 → MARSEILLE (R20)
        "Libellé CEDEX sans code : MARSEILLE CEDEX 11",
        ("13011", "MARSEILLE 11"),
    ),
    "second_address": (
        ["14 RUE DE LA PAIX", "75002 PARIS"],
        "corrected",
        "Adresse secondaire : ENTREPOT NORD, 3 B RUE DES ENTREPRENEURS, BP 14, "
        "93200 SAINT-DENIS, 93201 ST DENIS CEDEX (code commune 93066)",
        ("75002", "PARIS 2"),
    ),
}


def _stored(db: Database) -> dict[str, dict[str, Any]]:
    """Each organisation's stored primary address and notes, by SIRET."""
    with db.read() as session:
        return {
            org.siret: {
                "name": org.name,
                "notes": org.notes,
                "lines": org.addresses[0].lines,
                "status": org.addresses[0].norm_status,
                "typed": (
                    org.addresses[0].line1,
                    org.addresses[0].line2,
                    org.addresses[0].line3,
                    org.addresses[0].postcode,
                    org.addresses[0].city,
                ),
            }
            for org in session.scalars(select(Organisation))
            if org.siret
        }


def test_every_case_is_expected() -> None:
    assert set(EXPECTED) == set(CEDEX_CASES)


def test_import_stores_the_mailing_address_and_keeps_the_geographic_one(
    sqlite_db: Database, tmp_path: Path
) -> None:
    et, ul = tmp_path / "StockEtablissement_utf8.csv", tmp_path / "StockUniteLegale_utf8.csv"
    sirets = write_cedex_pair(et, ul)

    report = import_files(sqlite_db, [et, ul], preset="sirene")

    (entry,) = report.to_dict()["files"]
    assert entry["organisations_created"] == len(CEDEX_CASES)
    assert entry["rejected"]["total"] == 0
    stored = _stored(sqlite_db)
    for case, (lines, status, notes, typed) in EXPECTED.items():
        org = stored[sirets[case]]
        assert org["name"] == case.upper()
        assert (org["lines"], org["status"]) == (lines, status), case
        assert org["notes"] == notes, case
        assert org["typed"][3:] == typed, case
    # Typed fields: complement, street, then line 5 as the standard wants it.
    assert stored[sirets["cs_cedex_zone"]]["typed"][:3] == (
        "ZI DES PALUDS",
        "180 AVENUE DE LA FOUGERE",
        "CS 30001",
    )
    assert stored[sirets["bp_cedex_other_office"]]["typed"][2] == "BP 90432 MONTFERRIER SUR LEZ"


def test_reader_keeps_the_file_values_beside_the_mailing_ones(tmp_path: Path) -> None:
    et, ul = tmp_path / "et.csv", tmp_path / "ul.csv"
    sirets = write_cedex_pair(et, ul)
    by_siret = {r.fields["siret"]: r.fields for r in read_sirene(et, ul).records}

    marseille = by_siret[sirets["bp_cedex_marseille"]]
    assert (marseille["postcode"], marseille["city"], marseille["city_code"]) == (
        "13011",
        "MARSEILLE 11",
        "13211",
    )
    assert (
        marseille["special_distribution"],
        marseille["cedex_code"],
        marseille["cedex_label"],
    ) == ("BP 25", "13779", "MARSEILLE CEDEX 11")
    assert (
        marseille["mailing_service"],
        marseille["mailing_postcode"],
        marseille["mailing_city"],
    ) == ("BP 25", "13779", "MARSEILLE CEDEX 11")

    plain = by_siret[sirets["bp_no_cedex_2a"]]
    assert (plain["mailing_service"], plain["mailing_postcode"], plain["mailing_city"]) == (
        "BP 12",
        "20000",
        "AJACCIO",
    )
    assert plain["notes"] == ""


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param(
            ("BP 25", "13011", "MARSEILLE 11", "13211", "13779", "MARSEILLE CEDEX 11"),
            ("BP 25", "13779", "MARSEILLE CEDEX 11"),
            id="plm-arrondissement-is-the-cedex-city",
        ),
        pytest.param(
            ("BP 12", "75015", "PARIS 15E ARRONDISSEMENT", "", "75741", "PARIS CEDEX 15"),
            ("BP 12", "75741", "PARIS CEDEX 15"),
            id="paris-arrondissement-spelled-out",
        ),
        pytest.param(
            ("Boîte postale 7", "34980", "Montferrier-sur-Lez", "", "34092", "Montpellier Cedex 5"),
            ("Boîte postale 7 MONTFERRIER SUR LEZ", "34092", "Montpellier Cedex 5"),
            id="bp-spelled-out-then-the-office-commune",
        ),
        pytest.param(
            ("BP 90432 MONTFERRIER", "34980", "MONTFERRIER-SUR-LEZ", "", "34092", "MONTPELLIER"),
            ("BP 90432 MONTFERRIER", "34092", "MONTPELLIER CEDEX"),
            id="bp-already-naming-its-office-and-label-without-cedex",
        ),
        pytest.param(
            (
                "BP 12345",
                "38000",
                "SAINT-MARTIN-D'URIAGE-ET-SAINT-PIERRE",
                "",
                "38041",
                "GRENOBLE CEDEX 9",
            ),
            ("BP 12345", "38041", "GRENOBLE CEDEX 9"),
            id="office-commune-that-would-not-fit-38-characters",
        ),
        pytest.param(
            ("CS 70001", "34970", "LATTES", "", "34961", "MONTPELLIER CEDEX 2"),
            ("CS 70001", "34961", "MONTPELLIER CEDEX 2"),
            id="cs-never-followed-by-a-commune",
        ),
        pytest.param(
            ("", "34970", "LATTES", "", "34961", "MONTPELLIER CEDEX 2"),
            ("", "34961", "MONTPELLIER CEDEX 2"),
            id="cedex-without-distribution",
        ),
        pytest.param(
            ("BP 3", "42000", "SAINT-ETIENNE", "", "42007", "ST ETIENNE CEDEX 1"),
            ("BP 3", "42007", "ST ETIENNE CEDEX 1"),
            id="saint-and-st-are-the-same-place",
        ),
        pytest.param(
            ("BP 3", "", "", "", "42007", ""),
            ("BP 3", "42007", "CEDEX"),
            id="cedex-code-alone",
        ),
    ],
)
def test_mailing_address_rules(
    arguments: tuple[str, str, str, str, str, str], expected: tuple[str, str, str]
) -> None:
    distribution, postcode, city, city_code, cedex_code, cedex_label = arguments
    mailing = mailing_address(
        distribution=distribution,
        postcode=postcode,
        city=city,
        city_code=city_code,
        cedex_code=cedex_code,
        cedex_label=cedex_label,
    )
    assert (mailing.service, mailing.postcode, mailing.city) == expected


def test_mailing_address_without_cedex_returns_the_file_values() -> None:
    mailing = mailing_address(
        distribution="BP 12",
        postcode="75015",
        city="PARIS 15",
        city_code="75115",
        cedex_code="",
        cedex_label="",
    )
    assert mailing == MailingAddress("BP 12", "75015", "PARIS 15", "")


def test_second_address_note() -> None:
    abroad = [
        "",
        "1",
        "",
        "",
        "RUE ROYALE",
        "",
        "",
        "BRUXELLES",
        "",
        "",
        "",
        "",
        "99131",
        "BELGIQUE",
    ]
    assert second_address_note(abroad) == (
        "Adresse secondaire : 1 RUE ROYALE, BRUXELLES, BELGIQUE (code pays 99131)"
    )
    assert second_address_note([""] * 14) == ""


def test_api_results_are_mailed_at_their_cedex(sqlite_db: Database, tmp_path: Path) -> None:
    head_siret, branch_siret = make_siret(31_600_000, 1), make_siret(31_600_000, 2)
    result = make_result(1) | {"siren": head_siret[:9]}
    head = api_establishment(
        head_siret[:9],
        head_siret[9:],
        numero_voie="45",
        type_voie="BD",
        libelle_voie="DE LA VALBARELLE",
        distribution_speciale="BP 25",
        cedex="13779",
        libelle_cedex="MARSEILLE CEDEX 11",
        code_postal="13011",
        commune="13211",
        libelle_commune="MARSEILLE 11",
    )
    other_office = api_establishment(
        branch_siret[:9],
        branch_siret[9:],
        est_siege=False,
        numero_voie="1203",
        type_voie="RTE",
        libelle_voie="DE MENDE",
        distribution_speciale="BP 90432",
        cedex="34092",
        libelle_cedex="MONTPELLIER CEDEX 5",
        code_postal="34980",
        commune="34169",
        libelle_commune="MONTFERRIER-SUR-LEZ",
    )
    result.update(siege=head, matching_etablissements=[head, other_office])
    records = [r for r in convert_result(result, 1) if isinstance(r, RawRecord)]
    path = write_records_csv(records, tmp_path / "recherche.csv")

    report = import_files(sqlite_db, [path])

    (entry,) = report.to_dict()["files"]
    assert entry["preset"] == "sirene"
    stored = _stored(sqlite_db)
    marseille = stored[head["siret"]]
    assert marseille["lines"] == [
        "45 BOULEVARD DE LA VALBARELLE",
        "BP 25",
        "13779 MARSEILLE CEDEX 11",
    ]
    assert marseille["notes"] == GEO + "13011 MARSEILLE 11 (code commune 13211)"
    montferrier = stored[other_office["siret"]]
    assert montferrier["lines"] == [
        "1203 ROUTE DE MENDE",
        "BP 90432 MONTFERRIER SUR LEZ",
        "34092 MONTPELLIER CEDEX 5",
    ]
    assert montferrier["notes"] == GEO + "34980 MONTFERRIER-SUR-LEZ (code commune 34169)"


def test_file_written_before_the_mailing_columns_still_imports(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """A search saved by an older version has no mailing_* columns: geographic address."""
    path = tmp_path / "ancienne-recherche.csv"
    old_fields = [name for name in SIRENE_FIELDS if not name.startswith("mailing_")]
    old_fields.remove("notes")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, old_fields)
        writer.writeheader()
        writer.writerow(
            dict.fromkeys(old_fields, "")
            | {
                "name": "ACME",
                "siren": "732829320",
                "siret": "73282932000074",
                "street": "14 RUE DE LA PAIX",
                "special_distribution": "BP 4",
                "postcode": "75002",
                "city": "PARIS 2",
            }
        )

    report = import_files(sqlite_db, [path])

    assert report.to_dict()["files"][0]["preset"] == "sirene"
    org = _stored(sqlite_db)["73282932000074"]
    assert org["lines"] == ["14 RUE DE LA PAIX", "BP 4", "75002 PARIS"]


def test_second_address_masked_cells_short_rows_and_older_layouts(tmp_path: Path) -> None:
    """[ND] cells are never kept; a short row or a file without the columns reads as empty."""
    et, ul = tmp_path / "et.csv", tmp_path / "ul.csv"
    write_csv(ul, UL_HEADER, [legal_unit("732829320")], seed=1)
    masked = establishment(
        "732829320",
        "00074",
        libelleVoie2Etablissement="[ND]",
        codePostal2Etablissement="31000",
        libelleCommune2Etablissement="TOULOUSE",
        codeCedexEtablissement="[ND]",
        libelleCedexEtablissement="[ND]",
    )
    write_csv(et, ET_HEADER, [masked], seed=2)
    (record,) = read_sirene(et, ul).records
    assert record.fields["notes"] == "Adresse secondaire : 31000 TOULOUSE"
    assert (record.fields["mailing_postcode"], record.fields["mailing_city"]) == (
        "75002",
        "PARIS",
    )

    # No second-address columns (an older layout), and a row cut short after its siret.
    header = [name for name in ET_HEADER if "2Etablissement" not in name]
    full = establishment("732829320", "00082", codeCedexEtablissement="75341")
    with et.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([full.get(name, "") for name in header])
        writer.writerow(["732829320", "00090", "73282932000090"])
    by_nic = {r.fields["nic"]: r.fields for r in read_sirene(et, ul).records}
    cut_short, with_cedex = by_nic["00090"], by_nic["00082"]
    assert (cut_short["siret"], cut_short["postcode"], cut_short["notes"]) == (
        "73282932000090",
        "",
        "",
    )
    assert (with_cedex["mailing_postcode"], with_cedex["mailing_city"]) == ("75341", "PARIS CEDEX")
    assert with_cedex["notes"] == "Adresse géographique : 75002 PARIS (code commune 75102)"
