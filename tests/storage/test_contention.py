"""Several processes writing one SQLite file in rollback-journal mode (docs/storage.md §5, checks 1, 13).

One run of 4 spawned processes × 250 read-modify-write increments (each one
``run_write`` transaction on a versioned row) feeds two tests: no lost
update or unhandled "database is locked", and a contiguous journal.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from microcrm.storage.backup import check_sqlite
from microcrm.storage.opening import open_database
from tests.storage.helpers import add_campaigns
from tests.storage.workers import increment_worker

PROCESSES, COMMITS, COUNTERS = 4, 250, 3


@dataclass
class Run:
    """The file the processes wrote and what each one reported."""

    path: Path
    counters: list[int]
    reports: list[dict[str, Any]]


@pytest.fixture(scope="module")
def contention_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    path = tmp_path_factory.mktemp("contention") / "crm.sqlite"
    db = open_database(path, workstation_id="ws-parent")
    counters = add_campaigns(db, COUNTERS)
    db.dispose()

    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [
        ctx.Process(
            target=increment_worker,
            kwargs={
                "path": str(path),
                "worker": n,
                "counters": counters,
                "commits": COMMITS,
                "barrier": barrier,
                "out": out,
            },
        )
        for n in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    reports = [out.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    return Run(path, counters, sorted(reports, key=lambda r: r["worker"]))


@pytest.mark.slow
def test_no_lost_update_and_no_unhandled_busy(contention_run: Run) -> None:
    run = contention_run
    assert [r["errors"] for r in run.reports] == [[]] * PROCESSES
    # They really ran at the same time: every process started before any had finished.
    assert max(r["started"] for r in run.reports) < min(r["finished"] for r in run.reports)
    done: Counter[int] = Counter()
    for report in run.reports:
        done.update(report["done"])
    assert sum(done.values()) == PROCESSES * COMMITS

    con = sqlite3.connect(run.path)
    try:
        rows = {
            r[0]: (r[1], r[2]) for r in con.execute("SELECT id, letters, version_id FROM campaign")
        }
        # Every increment landed: the counters add up, row by row, and so do the versions.
        assert {cid: rows[cid][0] for cid in run.counters} == {c: done[c] for c in run.counters}
        assert all(rows[c][1] == rows[c][0] + 1 for c in run.counters)
        assert check_sqlite(con).ok
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        con.close()
    assert not run.path.with_name(run.path.name + "-journal").exists()  # no hot journal left


@pytest.mark.slow
def test_journal_is_contiguous_and_versions_increase(contention_run: Run) -> None:
    con = sqlite3.connect(contention_run.path)
    try:
        journal = con.execute(
            "SELECT seq, entity, entity_id, op, new_version, workstation_id "
            "FROM change_log ORDER BY seq"
        ).fetchall()
    finally:
        con.close()
    seqs = [row[0] for row in journal]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no duplicate

    versions: dict[int, list[int]] = defaultdict(list)
    per_workstation: Counter[str] = Counter()
    for _, entity, entity_id, op, new_version, workstation in journal:
        if entity == "campaign" and op == "update":
            versions[entity_id].append(new_version)
            per_workstation[workstation] += 1
    # Each counter's journal replays its history: 2, 3, 4, … with nothing skipped or repeated.
    for counter in contention_run.counters:
        assert versions[counter] == list(range(2, 2 + len(versions[counter])))
    assert per_workstation == {f"ws-{n}": COMMITS for n in range(PROCESSES)}
