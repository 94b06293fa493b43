"""The change journal (docs/storage.md §4.2): same transaction, commit order, every row once."""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.models import AppMeta, ChangeLog, Organisation, Tag
from microcrm.storage import journal
from microcrm.storage.opening import open_database
from tests.helpers import add_organisation


def _journal(db: Database) -> list[tuple[str, int, str, int | None, str, str | None]]:
    with db.read() as s:
        return [
            (c.entity, c.entity_id, c.op, c.new_version, c.workstation_id, c.user_login)
            for c in journal.changes_since(s, 0)
        ]


def test_insert_update_delete_each_write_one_journal_row(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    any_db.run_write(lambda s: setattr(s.get_one(Organisation, org_id), "notes", "Relance"))
    any_db.run_write(lambda s: s.delete(s.get_one(Organisation, org_id)))

    assert _journal(any_db) == [
        ("organisation", org_id, "insert", 1, "ws-test", "test"),
        ("organisation", org_id, "update", 2, "ws-test", "test"),
        ("organisation", org_id, "delete", None, "ws-test", "test"),
    ]


def test_unversioned_and_unchanged_rows_write_no_journal(any_db: Database) -> None:
    org_id = add_organisation(any_db)
    before = _journal(any_db)

    def touch(session: Session) -> None:
        org = session.get_one(Organisation, org_id)
        org.name = org.name  # same value: not a change
        session.add(AppMeta(key="test_key", value="x"))  # not a versioned table

    any_db.run_write(touch)
    assert _journal(any_db) == before


def test_journal_row_is_written_in_the_changes_transaction(any_db: Database) -> None:
    """Visible inside the transaction right after the flush, gone with its rollback."""
    inside: list[int] = []

    class AbortError(Exception):
        pass

    def write_then_fail(session: Session) -> None:
        session.add(Tag(name="Salon 2026"))
        session.flush()
        inside.append(journal.last_seq(session))
        raise AbortError

    with pytest.raises(AbortError):
        any_db.run_write(write_then_fail)

    assert inside == [1]
    with any_db.read() as s:
        assert journal.last_seq(s) == 0
        assert s.scalar(select(func.count()).select_from(Tag)) == 0


def test_core_bulk_changes_are_journalled_with_record(any_db: Database) -> None:
    ids = [add_organisation(any_db, f"Client {i}") for i in range(3)]
    with any_db.read() as s:
        start = journal.last_seq(s)

    def bulk(session: Session) -> int:
        return journal.record(session, "organisation", ids, "update", [2, 2, 2])

    assert any_db.run_write(bulk) == 3
    with any_db.read() as s:
        rows = journal.changes_since(s, start)
        assert [(r.entity_id, r.op, r.new_version) for r in rows] == [(i, "update", 2) for i in ids]


@pytest.mark.postgres
def test_postgres_concurrent_writers_commit_in_seq_order(pg_url: str) -> None:
    """F17: with sequences alone, a row with a smaller seq can commit after a larger one,
    and a ``seq > last`` poller skips it forever. Four writers commit while a poller
    follows the journal; the poller must see every row exactly once, in seq order."""
    dbs = [open_database(pg_url, workstation_id=f"ws-{n}") for n in range(4)]

    def add_tags(session: Session) -> list[int]:
        tags = [Tag(name=f"t{n}") for n in range(4)]
        session.add_all(tags)
        session.flush()
        return [t.id for t in tags]

    tag_ids = dbs[0].run_write(add_tags)
    commits = 40
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        rng = random.Random(n)

        def bump(session: Session) -> None:
            tag = session.get_one(Tag, tag_ids[n])
            tag.color = f"#{rng.randrange(16**6):06x}"
            session.flush()  # the journal row (and its seq) exists from here…
            time.sleep(rng.uniform(0, 0.003))  # …until the commit, a while later

        try:
            for _ in range(commits):
                dbs[n].run_write(bump)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    def poller() -> None:
        poll_db = open_database(pg_url, migrate=False)
        last = 0
        while True:
            done = stop.is_set()  # read before polling: one last full poll after the stop
            with poll_db.read() as s:
                rows = journal.changes_since(s, last)
            for row in rows:
                seen.append(row.seq)
                last = row.seq
            if done:
                break
            time.sleep(0.001)
        poll_db.dispose()

    watcher = threading.Thread(target=poller)
    watcher.start()
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=60)
    stop.set()
    watcher.join(timeout=30)

    assert errors == []
    with dbs[0].read() as s:
        all_seqs = list(s.scalars(select(ChangeLog.seq).order_by(ChangeLog.seq)))
        assert len(all_seqs) == 4 + 4 * commits
    assert seen == all_seqs  # every row once, in order: nothing committed behind the cursor
    for db in dbs:
        db.dispose()


@pytest.mark.postgres
def test_postgres_journal_lock_does_not_deadlock_writers(pg_url: str) -> None:
    """A transaction that flushes twice must not deadlock with one touching its second row.

    A flushes org 1 (taking the journal lock), then org 2; B updates org 2 first.
    If B could hold org 2's row lock while queueing for the journal lock that A
    holds, A would wait for B and B for A: PostgreSQL kills one of them.
    """
    db_a = open_database(pg_url, workstation_id="ws-a")
    db_b = open_database(pg_url, workstation_id="ws-b")
    first, second = add_organisation(db_a, "Un"), add_organisation(db_a, "Deux")
    a_flushed, b_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a_write(session: Session) -> None:
        session.get_one(Organisation, first).notes = "A"
        session.flush()
        a_flushed.set()
        b_started.wait(timeout=5)
        time.sleep(0.3)  # B is now blocked somewhere
        session.get_one(Organisation, second).notes = "A"
        session.flush()

    def b_write(session: Session) -> None:
        b_started.set()
        session.get_one(Organisation, second).phone = "01 02 03 04 05"
        session.flush()

    def run(db: Database, fn: object, wait: threading.Event | None) -> None:
        if wait is not None:
            wait.wait(timeout=5)
        try:
            db.run_write(fn)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(db_a, a_write, None)),
        threading.Thread(target=run, args=(db_b, b_write, a_flushed)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    with db_a.read() as s:
        org = s.get_one(Organisation, second)
        assert (org.notes, org.phone, org.version_id) == ("A", "01 02 03 04 05", 3)
    db_a.dispose()
    db_b.dispose()
