"""The import's bulk write path stores what the ORM would: keys, versions, audit, journal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.directory import importer
from microcrm.directory.importer import ImportSource, commit_import, import_files, plan_import
from microcrm.directory.importer import write as importer_write
from microcrm.directory.importer.bulk import BulkInserter
from microcrm.directory.importer.plan import load_person_index as load_persons
from microcrm.models import (
    Address,
    ChangeLog,
    Organisation,
    Person,
    Stage,
    Tag,
    fold,
)
from microcrm.models.search import organisation_search_key, person_search_key
from microcrm.storage.bulk import table_of
from tests.directory.helpers import broker_rows, seed_db, stable_dump, write_broker
from tests.directory.sirene_fixtures import KnownOrganisation, write_sirene_pair


def _primary(addresses: list[Address]) -> Address | None:
    return next((a for a in sorted(addresses, key=lambda a: a.id) if a.is_primary), None)


def test_bulk_rows_carry_what_the_orm_hooks_would(any_db: Database, tmp_path: Path) -> None:
    known_id, old_id = seed_db(any_db)
    with any_db.read() as session:
        versions = dict(
            session.execute(select(Organisation.id, Organisation.version_id)).tuples().all()
        )
    path = write_broker(tmp_path / "f.csv", broker_rows())

    report = import_files(any_db, [path], tags=["Salon"])

    with any_db.read() as session:
        orgs = session.scalars(select(Organisation).order_by(Organisation.id)).all()
        for org in orgs:
            addr = _primary(org.addresses)
            assert org.search_key == organisation_search_key(
                name=org.name,
                enseigne=org.enseigne,
                siret=org.siret,
                phone=org.phone,
                email=org.email,
                postcode=addr.postcode if addr else None,
                city=addr.city if addr else None,
            )
            assert org.name_key == fold(org.name)
            for address in org.addresses:
                assert address.city_key == fold(address.city)
        for person in session.scalars(select(Person)):
            addr = _primary(person.addresses)
            assert person.search_key == person_search_key(
                last_name=person.last_name,
                first_name=person.first_name,
                email=person.email,
                phone=person.phone,
                mobile=person.mobile,
                postcode=addr.postcode if addr else None,
                city=addr.city if addr else None,
            )
            assert person.last_name_key == fold(person.last_name)
            assert person.first_name_key == fold(person.first_name)
        created = [o for o in orgs if o.import_batch_id == report.batch_id]
        assert len(created) == 2
        for org in created:
            assert org.version_id == 1
            assert org.updated_by == "test"
            assert org.created_at <= org.updated_at
            assert org.traite is False and org.no_mail is False
            assert org.stage == Stage.SUSPECT
        merged = {o.id: o for o in orgs if o.id in (known_id, old_id)}
        for org_id, org in merged.items():
            assert org.version_id == versions[org_id] + 1  # the version trigger's rule
            assert org.updated_by == "test"
        journal = session.execute(
            select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.op, ChangeLog.new_version)
        ).all()
        inserted = {(e, i) for e, i, op, v in journal if op == "insert" and v == 1}
        for org in created:
            assert ("organisation", org.id) in inserted
            assert all(("address", a.id) in inserted for a in org.addresses)
            assert all(("person", p.id) in inserted for p in org.persons)
        (tag_id,) = session.scalars(select(Tag.id)).all()
        assert ("tag", tag_id) in inserted
        updates = {(e, i, v) for e, i, op, v in journal if op == "update"}
        for org_id, org in merged.items():
            assert ("organisation", org_id, org.version_id) in updates


def test_bulk_insert_stores_what_core_stores(any_db: Database) -> None:
    now = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)
    base: dict[str, Any] = {
        "name": "Société Générale",
        "name_key": "societe generale",
        "search_key": "x",
        "enseigne": None,
        "reference": None,
        "siren": None,
        "siret": None,
        "naf_code": None,
        "headcount_band": None,
        "legal_form": None,
        "website": None,
        "email": None,
        "phone": None,
        "notes": "é" * 10_000,
        "stage": Stage.PROSPECT,
        "traite": True,
        "is_supplier": False,
        "is_organisme": True,
        "no_mail": False,
        "salesperson_id": None,
        "import_batch_id": None,
        "version_id": 1,
        "created_at": now,
        "updated_at": now,
        "updated_by": "moi",
        "deleted_at": None,
    }
    table = table_of(Organisation)

    def write(session: Session) -> None:
        BulkInserter(session).insert(table, [{**base, "id": 1}, {**base, "id": 2}], "organisation")
        session.execute(insert(table), [{**base, "id": 3}])

    any_db.run_write(write)

    with any_db.engine.connect() as conn:
        rows = [tuple(r)[1:] for r in conn.execute(text("select * from organisation order by id"))]
    assert rows[0] == rows[1] == rows[2]
    with any_db.read() as session:
        org = session.get(Organisation, 1)
        assert org is not None
        assert org.stage == Stage.PROSPECT and org.traite and org.is_organisme
        assert org.created_at.replace(tzinfo=None) == now.replace(tzinfo=None)  # SQLite: naive
        assert len(org.notes or "") == 10_000
        ops = session.execute(select(ChangeLog.entity_id, ChangeLog.op)).all()
    assert sorted(ops) == [(1, "insert"), (2, "insert")]


def test_small_chunks_write_the_same_as_large_ones(
    sqlite_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcrm.storage.opening import open_database

    path = write_broker(tmp_path / "f.csv", broker_rows())
    dumps = []
    for chunk in (2000, 1):
        monkeypatch.setattr(importer_write, "CHUNK", chunk)
        db = open_database(tmp_path / f"c{chunk}.sqlite", workstation_id="ws", user_login="u")
        try:
            seed_db(db)
            import_files(db, [path], tags=["A", "B"])
            dump = stable_dump(db)
            # seq follows the chunks (a merge's new address comes after its chunk)
            dump["import_change"] = sorted(row[3:] for row in dump["import_change"])
            dumps.append(dump)
        finally:
            db.dispose()
    assert dumps[0] == dumps[1]


def test_sirene_extract_never_loads_the_persons(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    et, ul = tmp_path / "et.csv", tmp_path / "ul.csv"
    write_sirene_pair(et, ul, 300, seed=3)
    loads: list[int] = []

    def counting(db: Database) -> Any:
        loads.append(1)
        return load_persons(db)

    monkeypatch.setattr(importer, "load_person_index", counting)

    report = import_files(sqlite_db, [et, ul], preset="sirene")
    assert loads == []
    assert report.files[0].organisations_created > 200
    import_files(sqlite_db, [write_broker(tmp_path / "b.csv", broker_rows())])
    assert loads == [1]


def test_seeded_extract_against_a_base(sqlite_db: Database, tmp_path: Path) -> None:
    first_et, first_ul = tmp_path / "et1.csv", tmp_path / "ul1.csv"
    write_sirene_pair(first_et, first_ul, 400, seed=5)
    import_files(sqlite_db, [first_et, first_ul], preset="sirene")
    with sqlite_db.read() as session:
        rows = session.execute(
            select(Organisation.siret, Organisation.name, Address.postcode, Address.city).join(
                Address, Address.organisation_id == Organisation.id
            )
        ).all()
    known = [KnownOrganisation(*row) for row in rows]
    et, ul = tmp_path / "et2.csv", tmp_path / "ul2.csv"
    duplicates = write_sirene_pair(et, ul, 600, seed=6, known=known, same_siret=0.2)

    plan = plan_import(sqlite_db, [ImportSource([et, ul], "sirene")])

    (entry,) = plan.report.files
    assert entry.records + len(entry.rejected.rows) - 0 >= 600 - entry.blank_records_ignored
    assert duplicates > 60
    matched = entry.organisation_rows_matched_previous_files
    assert 0.7 * duplicates <= matched <= duplicates  # closed and P rows are rejected
    assert len(plan.duplicates) == matched
    assert all(d.reason == "même SIRET" for d in plan.duplicates)
    report = commit_import(sqlite_db, plan)
    with sqlite_db.read() as session:
        total = session.scalar(select(Organisation.id).order_by(Organisation.id.desc()).limit(1))
    assert report.files[0].organisations_created > 300
    assert total is not None
