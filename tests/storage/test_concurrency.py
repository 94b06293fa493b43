"""Optimistic concurrency and the write path: ConflictError, BEGIN IMMEDIATE, retry on busy."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from microcrm import db as db_module
from microcrm.db import Database
from microcrm.errors import BusyError, ConflictError
from microcrm.models import ChangeLog, Organisation
from microcrm.storage.opening import open_database
from tests.helpers import add_organisation
from tests.storage.services import load_for_edit, save_edit


def _row(db: Database, org_id: int) -> tuple[str | None, str | None, int] | None:
    with db.read() as s:
        org = s.get(Organisation, org_id)
        return None if org is None else (org.notes, org.phone, org.version_id)


def _journal_ops(db: Database, org_id: int) -> list[tuple[str, int | None]]:
    with db.read() as s:
        rows = s.execute(
            select(ChangeLog.op, ChangeLog.new_version)
            .where(ChangeLog.entity == "organisation", ChangeLog.entity_id == org_id)
            .order_by(ChangeLog.seq)
        )
        return [(r[0], r[1]) for r in rows]


# --- the service path: two forms, load-then-check ------------------------------------------


def test_second_save_gets_conflict_and_first_save_is_intact(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    marie = load_for_edit(any_db, Organisation, org_id)
    paul = load_for_edit(any_db, Organisation, org_id)

    assert save_edit(any_db, marie, {"notes": "Rappeler lundi"}) == 2
    with pytest.raises(ConflictError) as caught:
        save_edit(any_db, paul, {"phone": "01 23 45 67 89"})

    assert (caught.value.entity, caught.value.entity_id, caught.value.deleted) == (
        "organisation",
        org_id,
        False,
    )
    assert "modifié sur un autre poste" in caught.value.message
    assert _row(any_db, org_id) == ("Rappeler lundi", None, 2)
    assert _journal_ops(any_db, org_id) == [("insert", 1), ("update", 2)]


def test_save_of_a_row_deleted_elsewhere_reports_deleted(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    paul = load_for_edit(any_db, Organisation, org_id)
    any_db.run_write(lambda s: s.delete(s.get_one(Organisation, org_id)))

    with pytest.raises(ConflictError) as caught:
        save_edit(any_db, paul, {"notes": "trop tard"})

    assert (caught.value.entity_id, caught.value.deleted) == (org_id, True)
    assert "supprimé" in caught.value.message
    assert _row(any_db, org_id) is None


def test_write_window_between_load_and_update_is_closed(any_db: Database) -> None:
    """Two saves from the same base overlap inside their write transactions.

    B loads the row (version matches its base) and pauses; A saves meanwhile.
    A waits for B (SQLite: BEGIN IMMEDIATE; PostgreSQL: run_write's journal
    lock), then sees B's version and conflicts: exactly one save wins.
    """
    org_id = add_organisation(any_db)
    base = load_for_edit(any_db, Organisation, org_id)
    b_loaded, go = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def b_write(session: Session) -> int:
        row = session.get_one(Organisation, org_id, populate_existing=True)
        assert row.version_id == base.version_id
        b_loaded.set()
        go.wait(timeout=10)
        row.notes = "B"
        session.flush()
        return row.version_id

    def run(name: str, fn: Callable[[], object]) -> None:
        try:
            outcome[name] = fn()
        except ConflictError as exc:
            outcome[name] = exc

    b = threading.Thread(target=run, args=("B", lambda: any_db.run_write(b_write)))
    a = threading.Thread(target=run, args=("A", lambda: save_edit(any_db, base, {"notes": "A"})))
    b.start()
    assert b_loaded.wait(timeout=10)
    a.start()
    a.join(timeout=0.3)  # PostgreSQL: A is done; SQLite: A waits on B's write lock
    go.set()
    a.join(timeout=20)
    b.join(timeout=20)

    winners = [name for name, result in outcome.items() if result == 2]
    losers = [r for r in outcome.values() if isinstance(r, ConflictError)]
    assert len(winners) == 1, outcome
    assert len(losers) == 1, outcome
    assert (losers[0].entity, losers[0].entity_id, losers[0].deleted) == (
        "organisation",
        org_id,
        False,
    )
    assert winners == ["B"]
    assert _row(any_db, org_id) == ("B", None, 2)


@pytest.mark.postgres
def test_postgres_version_check_catches_a_writer_outside_run_write(pg_url: str) -> None:
    """READ COMMITTED leaves a window between SELECT and UPDATE; a writer that does not
    queue on the journal lock (psql, an admin script's Core UPDATE) commits inside it.
    The save's ``UPDATE … WHERE version_id = 1`` then matches nothing: ConflictError."""
    db = open_database(pg_url, workstation_id="ws-test")
    org_id = add_organisation(db)
    loaded, go = threading.Event(), threading.Event()

    def save(session: Session) -> None:
        row = session.get_one(Organisation, org_id)
        loaded.set()
        go.wait(timeout=10)
        row.notes = "formulaire"

    result: list[BaseException] = []

    def run() -> None:
        try:
            db.run_write(save)
        except BaseException as exc:
            result.append(exc)

    saver = threading.Thread(target=run)
    saver.start()
    assert loaded.wait(timeout=10)
    with db.engine.begin() as conn:
        conn.execute(
            update(Organisation)
            .where(Organisation.id == org_id)
            .values(notes="script", version_id=Organisation.version_id + 1)
        )
    go.set()
    saver.join(timeout=20)

    assert len(result) == 1
    assert isinstance(result[0], ConflictError)
    assert (result[0].entity, result[0].entity_id, result[0].deleted) == (
        "organisation",
        org_id,
        False,
    )
    assert _row(db, org_id) == ("script", None, 2)
    db.dispose()


# --- the raw ORM path: run_write translates StaleDataError ---------------------------------


def _detached(db: Database, org_id: int) -> Organisation:
    with db.read() as s:
        return s.get_one(Organisation, org_id)  # expire_on_commit=False: usable detached


def test_stale_detached_object_added_back_raises_conflict(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    marie, paul = _detached(any_db, org_id), _detached(any_db, org_id)
    marie.notes = "Marie"
    any_db.run_write(lambda s: s.add(marie))
    paul.notes = "Paul"

    with pytest.raises(ConflictError) as caught:
        any_db.run_write(lambda s: s.add(paul))  # UPDATE … WHERE version_id = 1

    assert (caught.value.entity, caught.value.entity_id, caught.value.deleted) == (
        "organisation",
        org_id,
        False,
    )
    assert _row(any_db, org_id) == ("Marie", None, 2)


def test_stale_detached_object_merged_raises_conflict(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    marie, paul = _detached(any_db, org_id), _detached(any_db, org_id)
    marie.notes = "Marie"
    any_db.run_write(lambda s: s.merge(marie))
    paul.notes = "Paul"

    with pytest.raises(ConflictError) as caught:
        any_db.run_write(lambda s: s.merge(paul))

    assert (caught.value.entity, caught.value.entity_id, caught.value.deleted) == (
        "organisation",
        org_id,
        False,
    )
    assert _row(any_db, org_id) == ("Marie", None, 2)


def test_stale_detached_object_of_a_deleted_row_reports_deleted(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    paul = _detached(any_db, org_id)
    any_db.run_write(lambda s: s.delete(s.get_one(Organisation, org_id)))
    paul.notes = "Paul"

    with pytest.raises(ConflictError) as caught:
        any_db.run_write(lambda s: s.add(paul))

    assert (caught.value.entity_id, caught.value.deleted) == (org_id, True)
    assert _row(any_db, org_id) is None


def test_conflict_rolls_back_the_whole_transaction(any_db: Database) -> None:
    """Other writes of the failed transaction (and their journal rows) vanish too."""
    org_id = add_organisation(any_db)
    paul = _detached(any_db, org_id)
    any_db.run_write(lambda s: setattr(s.get_one(Organisation, org_id), "notes", "Marie"))
    paul.notes = "Paul"

    def write(session: Session) -> None:
        session.add(Organisation(name="Créée dans la transaction perdue"))
        session.add(paul)

    with pytest.raises(ConflictError):
        any_db.run_write(write)
    with any_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == 1
        assert s.scalar(select(func.count()).select_from(ChangeLog)) == 2


# --- SQLite write path: BEGIN IMMEDIATE and retry on busy -----------------------------------


def _try_write_lock(path: Path) -> str:
    """Whether another connection could take the write lock right now."""
    con = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return "free"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        con.close()


def test_run_write_holds_the_write_lock_from_the_start(sqlite_db: Database) -> None:
    """BEGIN IMMEDIATE (F6): the lock is taken before fn reads, not at its first write."""
    assert sqlite_db.path is not None
    seen: list[str] = []

    def write(session: Session) -> None:
        session.scalar(select(func.count()).select_from(Organisation))  # a read only
        seen.append(_try_write_lock(sqlite_db.path))  # type: ignore[arg-type]

    sqlite_db.run_write(write)
    with sqlite_db.read() as s:
        s.scalar(select(func.count()).select_from(Organisation))
        seen.append(_try_write_lock(sqlite_db.path))
    assert seen == ["database is locked", "free"]


@pytest.fixture
def short_busy_db(sqlite_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A database whose busy_timeout is 50 ms, so that run_write's own retry is exercised."""
    monkeypatch.setitem(db_module.BUSY_TIMEOUT_MS, "local", 50)
    return open_database(sqlite_path)


def _hold_exclusive_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    locked.set()
    threading.Event().wait(seconds)
    con.execute("COMMIT")
    con.close()


def test_run_write_retries_while_another_connection_holds_the_lock(
    short_busy_db: Database, sqlite_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    locked = threading.Event()
    holder = threading.Thread(target=_hold_exclusive_lock, args=(sqlite_path, 0.6, locked))
    holder.start()
    assert locked.wait(timeout=5)
    with caplog.at_level("INFO", logger="microcrm.db"):
        org_id = add_organisation(short_busy_db, "Patient")
    holder.join()
    assert any("busy, retrying" in r.getMessage() for r in caplog.records)
    assert _row(short_busy_db, org_id) == (None, None, 1)
    short_busy_db.dispose()


def test_run_write_gives_up_with_busy_error_after_the_deadline(
    short_busy_db: Database, sqlite_path: Path
) -> None:
    locked = threading.Event()
    holder = threading.Thread(target=_hold_exclusive_lock, args=(sqlite_path, 1.5, locked))
    holder.start()
    assert locked.wait(timeout=5)
    with pytest.raises(BusyError, match="Base occupée"):
        short_busy_db.run_write(lambda s: s.add(Organisation(name="Impatient")), deadline=0.3)
    holder.join()
    with short_busy_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == 0
    short_busy_db.dispose()
