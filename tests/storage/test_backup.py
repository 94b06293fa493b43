"""Backups and integrity checks (docs/storage.md §4.4, §4.5, §5 checks 9, 17)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import StorageError
from microcrm.models import Campaign, Organisation
from microcrm.storage.backup import backup_name, backup_sqlite, check_sqlite, prune_backups
from microcrm.storage.opening import open_database
from tests.storage.helpers import add_campaigns, flip_one_byte_of_a_page

# --- online backup while another connection writes ------------------------------------------


def _check_copy(path: Path, counters: list[int]) -> None:
    """Integrity, plus two invariants a torn copy would break."""
    con = sqlite3.connect(path)
    try:
        assert check_sqlite(con).ok
        letters = con.execute("SELECT sum(letters) FROM campaign").fetchone()[0]
        assert letters == 1000  # every transfer moves one letter between the two rows
        for counter in counters:
            version = con.execute(
                "SELECT version_id FROM campaign WHERE id = ?", (counter,)
            ).fetchone()[0]
            journalled = con.execute(
                "SELECT count(*) FROM change_log WHERE entity = 'campaign' AND entity_id = ? "
                "AND op = 'update'",
                (counter,),
            ).fetchone()[0]
            assert version == journalled + 1  # row and journal come from the same instant
    finally:
        con.close()


def test_backups_taken_during_concurrent_writes_are_consistent(
    sqlite_db: Database, tmp_path: Path
) -> None:
    assert sqlite_db.path is not None
    counters = add_campaigns(sqlite_db, 2, letters=500)
    writer_db = open_database(sqlite_db.path, workstation_id="ws-writer")
    stop, transfers, errors = threading.Event(), [0], []

    def transfer(session: Session) -> None:
        first, second = (session.get_one(Campaign, c) for c in counters)
        source, dest = (first, second) if transfers[0] % 2 else (second, first)
        source.letters -= 1
        dest.letters += 1

    def writer() -> None:
        try:
            while not stop.is_set():
                writer_db.run_write(transfer)
                transfers[0] += 1
        except BaseException as exc:
            errors.append(exc)

    def wait_for_transfers(count: int) -> None:
        for _ in range(2000):
            if transfers[0] >= count or errors:
                return
            threading.Event().wait(0.005)

    thread = threading.Thread(target=writer)
    thread.start()
    copies = []
    try:
        for i in range(6):
            wait_for_transfers(transfers[0] + 10)  # some commits between two backups
            dest = tmp_path / "copies" / f"copy-{i}.sqlite"
            assert backup_sqlite(sqlite_db.path, dest).ok
            copies.append(dest)
    finally:
        stop.set()
        thread.join(timeout=30)
        writer_db.dispose()

    assert errors == []
    assert transfers[0] >= 60
    for copy in copies:
        _check_copy(copy, counters)
    assert sorted(p.name for p in (tmp_path / "copies").iterdir()) == [
        f"copy-{i}.sqlite" for i in range(6)
    ]  # no staging file left behind


# --- corruption -----------------------------------------------------------------------------


@pytest.fixture
def filled_db(sqlite_db: Database) -> Database:
    """A base whose organisation table spans many pages."""

    def fill(session: Session) -> None:
        session.add_all(
            Organisation(name=f"Entreprise {i}", notes="Relance trimestrielle. " * 10)
            for i in range(300)
        )

    sqlite_db.run_write(fill)
    return sqlite_db


@pytest.mark.parametrize("where", ["root-type", "leaf-freeblock"])
def test_a_copy_with_one_flipped_page_byte_is_detected(
    filled_db: Database, tmp_path: Path, where: str
) -> None:
    assert filled_db.path is not None
    copy = tmp_path / "copy.sqlite"
    backup_sqlite(filled_db.path, copy)
    flip_one_byte_of_a_page(copy, "organisation", where)

    con = sqlite3.connect(copy)
    try:
        result = check_sqlite(con)
    finally:
        con.close()
    assert not result.ok
    assert result.problems
    con = sqlite3.connect(filled_db.path)  # the original is untouched and fine
    try:
        assert check_sqlite(con).ok
    finally:
        con.close()


def test_backup_of_a_corrupted_base_is_refused_and_not_written(
    filled_db: Database, tmp_path: Path
) -> None:
    assert filled_db.path is not None
    broken = tmp_path / "broken.sqlite"
    backup_sqlite(filled_db.path, broken)
    flip_one_byte_of_a_page(broken, "organisation")
    dest = tmp_path / "backups" / "crm.sqlite"

    with pytest.raises(StorageError, match="copie de sauvegarde est corrompue"):
        backup_sqlite(broken, dest)
    assert list(dest.parent.iterdir()) == []


# --- retention ------------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)  # a Tuesday, ISO week 48


def _name(stamp: str, reason: str) -> str:
    return backup_name(reason, "0001", dt.datetime.fromisoformat(stamp))


def _synthetic_backups(folder: Path) -> None:
    """A daily backup at 02:00 for 14 months, plus a manual one and pre-migration ones."""
    folder.mkdir()
    day = dt.datetime(2025, 10, 1, 2, 0, tzinfo=dt.UTC)
    while day <= NOW:
        (folder / backup_name("daily", "0001", day)).write_bytes(b"")
        day += dt.timedelta(days=1)
    for stamp, reason in [
        ("2026-11-24T10:00:00", "manual"),  # newer than today's daily: takes its slot
        ("2026-10-10T09:00:00", "migration"),  # 45 days old
        ("2025-12-01T09:00:00", "migration"),  # 358 days old
        ("2025-11-20T09:00:00", "migration"),  # 369 days old: past the year
    ]:
        (folder / _name(stamp, reason)).write_bytes(b"")
    for other in (
        "notes.txt",
        "crm-pas-une-sauvegarde.sqlite",
        _name("2026-01-01T00:00:00", "daily") + ".part",
    ):
        (folder / other).write_bytes(b"")


EXPECTED_KEPT = {
    # 7 daily: the newest of each of the last 7 days with a backup.
    _name("2026-11-24T10:00:00", "manual"),
    *(_name(f"2026-11-{d}T02:00:00", "daily") for d in (23, 22, 21, 20, 19, 18)),
    # 4 weekly (ISO weeks 48, 47, 46, 45): 48 and 47 are already kept above.
    _name("2026-11-15T02:00:00", "daily"),
    _name("2026-11-08T02:00:00", "daily"),
    # 12 monthly (Nov 2026 … Dec 2025): the last backup of each month.
    *(
        _name(f"{stamp}T02:00:00", "daily")
        for stamp in (
            "2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30", "2026-05-31",
            "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31", "2025-12-31",
        )
    ),
    # Pre-migration backups younger than a year.
    _name("2026-10-10T09:00:00", "migration"),
    _name("2025-12-01T09:00:00", "migration"),
    # Not ours: never touched.
    "notes.txt",
    "crm-pas-une-sauvegarde.sqlite",
    _name("2026-01-01T00:00:00", "daily") + ".part",
}  # fmt: skip


def test_prune_keeps_7_daily_4_weekly_12_monthly_and_a_year_of_migrations(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backups"
    _synthetic_backups(folder)
    before = {p.name for p in folder.iterdir()}

    removed = prune_backups(folder, now=NOW)

    kept = {p.name for p in folder.iterdir()}
    assert kept == EXPECTED_KEPT
    assert {p.name for p in removed} == before - EXPECTED_KEPT
    assert prune_backups(folder, now=NOW) == []  # idempotent
