"""Whole runs: determinism, a second run on the same base, cancel, PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select
from stdnum.fr import siret as siret_check

from microcrm.db import Database
from microcrm.demo import generate
from microcrm.demo.documents import CHUNK
from microcrm.errors import ValidationError
from microcrm.models import (
    Action,
    ActionType,
    Address,
    ChangeLog,
    Document,
    DocumentVersion,
    ImportBatch,
    Organisation,
    Person,
    Sector,
    Tag,
    User,
)
from microcrm.storage.opening import open_database
from tests.demo.helpers import TODAY

SMALL: dict[str, Any] = {"organisations": 60, "persons": 90, "today": TODAY}
_TIMESTAMPS = {"created_at", "updated_at", "filed_at"}


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every generated row, timestamps left out, in id order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for model in (Organisation, Person, Address, Action, User, Document, DocumentVersion):
            table = model.__table__
            assert isinstance(table, Table)
            columns = [c for c in table.columns if c.name not in _TIMESTAMPS]
            out[table.name] = [tuple(r) for r in s.execute(select(*columns).order_by(table.c.id))]
    return out


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_same_seed_same_data(tmp_path: Path) -> None:
    dbs = []
    for name in ("a", "b"):
        db = open_database(tmp_path / name / "crm.sqlite", user_login="demo")
        generate(db, documents=12, seed=42, **SMALL)
        dbs.append(db)
    first, second = (_dump(db) for db in dbs)
    assert first == second
    assert first["document_version"]
    files = [sorted(p.name for p in (tmp_path / n / "ged" / "objects").rglob("*") if p.is_file())
             for n in ("a", "b")]
    assert files[0] == files[1] and len(files[0]) == 12
    other = open_database(tmp_path / "c" / "crm.sqlite")
    generate(other, seed=43, **SMALL)
    assert _dump(other)["organisation"] != first["organisation"]


def test_second_run_adds_without_duplicates(sqlite_db: Database) -> None:
    first = generate(sqlite_db, seed=1, **SMALL)
    second = generate(sqlite_db, seed=1, **SMALL)
    assert first.users == 6 and second.users == 0
    assert _count(sqlite_db, Organisation) == 120 and _count(sqlite_db, Person) == 180
    assert _count(sqlite_db, User) == 6 and _count(sqlite_db, ActionType) == 6
    assert _count(sqlite_db, Tag) == 10 and _count(sqlite_db, Sector) == 5
    with sqlite_db.read() as s:
        sirets = [x for x in s.scalars(select(Organisation.siret)) if x]
        sirens = [x for x in s.scalars(select(Organisation.siren)) if x]
        journal = s.scalar(select(func.count()).select_from(ChangeLog)
                           .where(ChangeLog.entity == "organisation"))
    assert len(sirets) == len(set(sirets)) and len(sirens) == len(set(sirens))
    assert all(siret_check.is_valid(x) for x in sirets)
    assert journal == 120


def test_documents_for_an_existing_base(tmp_path: Path) -> None:
    db = open_database(tmp_path / "crm.sqlite", user_login="demo")
    generate(db, seed=3, **SMALL)
    report = generate(db, organisations=0, persons=0, documents=10, seed=4, today=TODAY)
    assert (report.organisations, report.documents) == (0, 10)
    assert _count(db, Document) == 10
    assert (tmp_path / "ged" / "objects").is_dir()


def test_cancel_rolls_the_parties_back(sqlite_db: Database) -> None:
    report = generate(sqlite_db, seed=1, cancel=lambda: True, **SMALL)
    assert report.cancelled and report.organisations == 0
    assert _count(sqlite_db, Organisation) == 0 and _count(sqlite_db, User) == 0
    assert _count(sqlite_db, ChangeLog) == 0


def test_cancel_during_documents_keeps_committed_ones(tmp_path: Path) -> None:
    db = open_database(tmp_path / "crm.sqlite", user_login="demo")
    polls = iter(range(10_000))
    # The parties phase polls a few times; stop a few documents into the second batch.
    stop_after = CHUNK + 20
    report = generate(db, seed=1, documents=CHUNK + 100, cancel=lambda: next(polls) > stop_after,
                      **SMALL)
    assert report.cancelled and report.organisations == 60
    assert report.documents == _count(db, Document) == CHUNK


def test_rejects_bad_arguments(sqlite_db: Database) -> None:
    with pytest.raises(ValidationError):
        generate(sqlite_db, organisations=-1, persons=0)


def test_persons_without_organisations(sqlite_db: Database) -> None:
    report = generate(sqlite_db, organisations=0, persons=30, seed=2, today=TODAY)
    assert report.persons == 30 and report.addresses > 0
    with sqlite_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Person)
                        .where(Person.organisation_id.is_not(None))) == 0


@pytest.mark.postgres
def test_postgres(pg_url: str, tmp_path: Path) -> None:
    db = open_database(pg_url, workstation_id="ws-pg", user_login="demo")
    try:
        with pytest.raises(ValidationError):
            generate(db, documents=5, **SMALL)
        report = generate(db, documents=5, ged_root=tmp_path / "ged", seed=9, **SMALL)
        assert (report.organisations, report.documents) == (60, 5)
        generate(db, seed=9, **SMALL)
        with db.read() as s:
            sirets = [x for x in s.scalars(select(Organisation.siret)) if x]
        assert len(sirets) == len(set(sirets))
        # The sequences moved past the bulk ids: an ORM insert still works.
        db.run_write(lambda s: s.add(Organisation(name="Après la démo")))
        assert _count(db, Organisation) == 121
    finally:
        db.dispose()


def test_today_defaults_to_the_current_date(sqlite_db: Database) -> None:
    generate(sqlite_db, organisations=5, persons=5, seed=1)
    with sqlite_db.read() as s:
        latest = s.scalar(select(func.max(Action.due_at)))
    today = dt.datetime.now(dt.UTC).date()
    assert latest is None or latest.date() <= today + dt.timedelta(days=92)


def test_demo_rows_are_marked_by_their_batch(sqlite_db: Database) -> None:
    generate(sqlite_db, seed=3, **SMALL)
    generate(sqlite_db, seed=4, **SMALL)
    with sqlite_db.read() as s:
        batches = s.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
        assert [b.preset for b in batches] == ["demo", "demo"]
        assert "--seed 3" in batches[0].sources
        per_batch = dict(
            s.execute(select(Organisation.import_batch_id, func.count()).group_by(Organisation.import_batch_id)).tuples().all()
        )
        assert per_batch == {batches[0].id: 60, batches[1].id: 60}
        assert s.scalar(select(func.count()).select_from(Person).where(Person.import_batch_id.is_(None))) == 0
