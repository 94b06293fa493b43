"""Directory import end to end on a real database: plan, merge policy, batch, undo, cancel."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from microcrm.db import Database
from microcrm.directory.importer import (
    ImportCancelledError,
    export_organisations,
    import_files,
    import_history,
    undo_import,
)
from microcrm.errors import ValidationError
from microcrm.models import ImportBatch, ImportChange, Organisation, Person, Stage
from tests.directory.helpers import broker_rows, dump, seed_db, siret, write_broker
from tests.directory.sirene_fixtures import (
    ET_HEADER,
    UL_HEADER,
    establishment,
    legal_unit,
    write_csv,
)


def test_broker_csv_dedupes_and_merges(sqlite_db: Database, tmp_path: Path) -> None:
    known_id, old_id = seed_db(sqlite_db)
    path = write_broker(tmp_path / "fichier.csv", broker_rows())

    report = import_files(sqlite_db, [path])

    (entry,) = report.to_dict()["files"]
    assert entry["preset"] == "broker"
    assert entry["records"] == 6
    assert entry["blank_records_ignored"] == 1
    assert entry["organisations_created"] == 2
    assert entry["persons_created"] == 2
    assert entry["organisation_rows_matched_within_file"] == 1
    assert entry["organisation_rows_matched_previous_files"] == 2
    assert entry["person_rows_matched_within_file"] == 0
    assert entry["person_rows_matched_previous_files"] == 1
    assert entry["rejected"]["total"] == 1
    assert entry["rejected"]["rows"][0]["locator"] == "ligne 7"
    assert entry["warnings"]["by_reason"]
    assert entry["batch_id"] == report.batch_id

    with sqlite_db.read() as session:
        known = session.get(Organisation, known_id)
        old = session.get(Organisation, old_id)
        assert known is not None and old is not None
        assert known.name == "Boulangerie Dupont"  # never overwritten
        assert known.phone == "+33142685300"  # filled
        assert known.email == "dupont@example.fr"
        assert known.stage == Stage.CLIENT  # never downgraded to suspect
        assert old.email == "contact@lavoie.fr"
        assert old.phone == "+33478000001"
        assert old.stage == Stage.ANCIEN_CLIENT
        (paul,) = old.persons
        assert paul.role == "Gérant"
        garage = session.scalars(select(Organisation).where(Organisation.siret == siret(2))).one()
        assert garage.name == "Garage Vertbois"
        assert garage.email == "garage@vertbois.fr"
        assert garage.stage == Stage.SUSPECT
        assert garage.import_batch_id == report.batch_id
        assert garage.addresses[0].lines[-1] == "33000 BORDEAUX"
        assert sorted(p.first_name or "" for p in garage.persons) == ["Anne", "Luc"]
        assert garage.search_key  # filled by the ORM hook
        batch = session.get(ImportBatch, report.batch_id)
        assert batch is not None and batch.status == "done"
        assert json.loads(batch.report)["files"][0]["organisations_created"] == 2
        ops = session.execute(
            select(ImportChange.entity, ImportChange.op).where(
                ImportChange.batch_id == report.batch_id
            )
        ).all()
        assert ops.count(("organisation", "merge")) == 2
        assert ops.count(("organisation", "create")) == 2
        assert ops.count(("person", "create")) == 2
    assert [b.id for b in import_history(sqlite_db)] == [report.batch_id]


def test_update_lets_the_file_win(sqlite_db: Database, tmp_path: Path) -> None:
    _known_id, old_id = seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows()[3:4])

    import_files(sqlite_db, [path], update=True, base="client")

    with sqlite_db.read() as session:
        old = session.get(Organisation, old_id)
        assert old is not None
        assert old.email == "autre@lavoie.fr"
        assert old.persons[0].role == "Président"
        assert old.stage == Stage.ANCIEN_CLIENT  # ancien client stays


def test_stage_is_raised_never_lowered(sqlite_db: Database, tmp_path: Path) -> None:
    known_id, _ = seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows()[2:3])
    sqlite_db.run_write(lambda s: setattr(s.get(Organisation, known_id), "stage", Stage.SUSPECT))

    import_files(sqlite_db, [path], base="prospect")

    with sqlite_db.read() as session:
        known = session.get(Organisation, known_id)
        assert known is not None and known.stage == Stage.PROSPECT


def test_dry_run_writes_nothing_and_undo_restores(sqlite_db: Database, tmp_path: Path) -> None:
    seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    before = dump(sqlite_db)

    dry = import_files(sqlite_db, [path], dry_run=True)
    assert dry.batch_id is None
    assert dry.files[0].organisations_created == 2
    assert dump(sqlite_db) == before

    report = import_files(sqlite_db, [path], update=True)
    assert report.batch_id is not None
    assert dump(sqlite_db) != before
    undo_import(sqlite_db, report.batch_id)

    after = dump(sqlite_db)
    assert {t: after[t] for t in ("organisation", "person", "address")} == {
        t: before[t] for t in ("organisation", "person", "address")
    }
    assert [b.status for b in import_history(sqlite_db)] == ["undone"]
    with pytest.raises(ValidationError, match="déjà été annulé"):
        undo_import(sqlite_db, report.batch_id)


def test_second_run_matches_the_first(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_broker(tmp_path / "f.csv", broker_rows())
    again = write_broker(tmp_path / "g.csv", broker_rows()[:2])

    report = import_files(sqlite_db, [path, again])

    first, second = report.files
    assert first.organisations_created == 4
    assert second.organisations_created == 0
    assert second.organisation_rows_matched_previous_files == 2
    assert second.person_rows_matched_previous_files == 2
    assert report.batch_id == first.batch_id == second.batch_id


@pytest.mark.parametrize("phase", ["plan", "write"])
def test_cancel_leaves_nothing(sqlite_db: Database, tmp_path: Path, phase: str) -> None:
    seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    before = dump(sqlite_db)
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        # planning polls once per 200 rows: the first poll is the plan's, then the writer's
        return phase == "plan" or calls[0] > 1

    with pytest.raises(ImportCancelledError):
        import_files(sqlite_db, [path], cancelled=cancelled)
    assert dump(sqlite_db) == before


def test_vcard_file(sqlite_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_text(
        "\r\n".join(
            [
                "BEGIN:VCARD",
                "VERSION:3.0",
                "N:Martin;Claire;;Mme;",
                "FN:Claire Martin",
                "ORG:Cabinet Martin",
                "TITLE:Avocate",
                "EMAIL;TYPE=WORK:claire@cabinet-martin.fr",
                "TEL;TYPE=CELL:06 12 34 56 78",
                "ADR;TYPE=WORK:;;5 rue de Rivoli;Paris;;75004;France",
                "END:VCARD",
                "BEGIN:VCARD",
                "VERSION:3.0",
                "N:Martin;Claire;;;",
                "FN:Claire Martin",
                "EMAIL:CLAIRE@cabinet-martin.fr",
                "NOTE:rencontrée au salon",
                "END:VCARD",
                "",
            ]
        ),
        encoding="utf-8",
    )

    report = import_files(sqlite_db, [path], base="prospect")

    (entry,) = report.files
    assert entry.preset == "vcard"
    assert entry.records == 2
    assert entry.persons_created == 1
    assert entry.person_rows_matched_within_file == 1
    with sqlite_db.read() as session:
        (claire,) = session.scalars(select(Person)).all()
        assert claire.email == "claire@cabinet-martin.fr"
        assert claire.mobile == "+33612345678"
        assert claire.role == "Avocate"
        assert claire.organisation is not None
        assert claire.organisation.name == "Cabinet Martin"
        assert claire.organisation.stage == Stage.PROSPECT


def test_sirene_pair_is_one_entry(any_db: Database, tmp_path: Path) -> None:
    units = [
        legal_unit("732829320", denominationUniteLegale="ACME SOLUTIONS"),
        legal_unit("552100554", statutDiffusionUniteLegale="P", denominationUniteLegale="[ND]"),
    ]
    rows = [
        establishment("732829320", "00074", enseigne1Etablissement="ACME PARIS"),
        establishment("732829320", "00082", etatAdministratifEtablissement="F"),
        establishment("732829320", "00090", statutDiffusionEtablissement="P"),
        establishment("552100554", "00017"),
    ]
    et_path = tmp_path / "StockEtablissement_utf8.csv"
    ul_path = tmp_path / "StockUniteLegale_utf8.csv"
    write_csv(et_path, list(ET_HEADER), rows, seed=7)
    write_csv(ul_path, list(UL_HEADER), units, seed=8)
    before = dump(any_db)

    report = import_files(any_db, [et_path, ul_path], preset="sirene")

    (entry,) = report.to_dict()["files"]
    assert entry["sources"] == [str(et_path), str(ul_path)]
    assert entry["organisations_created"] == 1
    assert entry["rejected"]["total"] == 3
    assert sum(entry["rejected"]["by_reason"].values()) == 3
    (org,) = list(export_organisations(any_db))
    assert org["name"] == "ACME SOLUTIONS"
    assert org["siret"] == "73282932000074"
    assert org["stage"] == "suspect"
    assert org["addresses"][0]["lines"][-1] == "75002 PARIS"
    assert report.batch_id is not None
    undo_import(any_db, report.batch_id)
    after = dump(any_db)
    assert after["organisation"] == before["organisation"]
    assert after["address"] == before["address"]


def test_unknown_base_and_odd_sirene_files(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_broker(tmp_path / "f.csv", broker_rows())
    with pytest.raises(ValidationError, match="Base inconnue"):
        import_files(sqlite_db, [path], base="ami")
    with pytest.raises(ValidationError, match="paires"):
        import_files(sqlite_db, [path], preset="sirene")


def test_siret_of_trash_and_siret_filled_by_a_merge(sqlite_db: Database, tmp_path: Path) -> None:
    _known_id, old_id = seed_db(sqlite_db)

    def trash(session: Any) -> None:
        session.add(
            Organisation(
                name="Ancienne Scierie", siret=siret(7), deleted_at=dt.datetime.now(dt.UTC)
            )
        )

    sqlite_db.run_write(trash)
    rows = [
        {
            "Raison sociale": "Scierie Nouvelle",
            "SIRET": siret(7),
            "CP": "31000",
            "Ville": "Toulouse",
        },
        {  # Lavoie by name + postcode: its empty SIRET is filled
            "Raison sociale": "Menuiserie Quentin Lavoie",
            "SIRET": siret(8),
            "CP": "69001",
            "Ville": "Lyon",
        },
        {"Raison sociale": "Lavoie Bois", "SIRET": siret(8), "CP": "69002", "Ville": "Lyon"},
    ]
    path = write_broker(tmp_path / "f.csv", rows)

    report = import_files(sqlite_db, [path])

    (entry,) = report.files
    assert entry.organisations_created == 1
    assert entry.organisation_rows_matched_previous_files == 2
    assert "siret_in_trash" in entry.warnings.to_dict()["by_reason"]
    with sqlite_db.read() as session:
        old = session.get(Organisation, old_id)
        assert old is not None and old.siret == siret(8)
        scierie = session.scalars(
            select(Organisation).where(Organisation.name == "Scierie Nouvelle")
        ).one()
        assert scierie.siret is None
