"""Entry points of the child processes (``spawn``): each reports back, never raises.

Children report every exception as text on a queue so the parent can assert
"zero unhandled errors" instead of guessing from an exit code.
"""

from __future__ import annotations

import logging
import random
import time
import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session


class _RetryCounter(logging.Handler):
    """Counts run_write's "database busy, retrying" log records."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "busy" in record.getMessage():
            self.count += 1


def increment_worker(
    *,
    path: str,
    worker: int,
    counters: list[int],
    commits: int,
    barrier: Barrier,
    out: Queue[Any],
    hold: float = 0.001,
) -> None:
    """``commits`` read-modify-write increments of random counter rows, one transaction each.

    ``hold`` seconds pass between the read and the write, as on a slow share,
    so that the other processes pile up behind the lock.
    """
    report: dict[str, Any] = {"worker": worker, "done": {}, "errors": [], "retries": 0}
    try:
        from microcrm.models import Campaign
        from microcrm.storage.opening import open_database

        retries = _RetryCounter()
        db_log = logging.getLogger("microcrm.db")
        db_log.addHandler(retries)
        db_log.setLevel(logging.INFO)
        db = open_database(path, workstation_id=f"ws-{worker}", user_login=f"poste{worker}")
        rng = random.Random(worker)
        barrier.wait(timeout=120)
        report["started"] = time.time()
        for _ in range(commits):
            counter = rng.choice(counters)

            def increment(session: Session, counter: int = counter) -> None:
                row = session.get_one(Campaign, counter)
                time.sleep(hold)
                row.letters = row.letters + 1  # read, then write: the unsafe pattern made safe

            try:
                db.run_write(increment)
            except Exception:
                report["errors"].append(traceback.format_exc(limit=3))
            else:
                report["done"][counter] = report["done"].get(counter, 0) + 1
        report["finished"] = time.time()
        report["retries"] = retries.count
        db.dispose()
    except Exception:
        report["errors"].append(traceback.format_exc())
    out.put(report)


def open_with_revision_worker(
    *, target: str, script_dir: str, barrier: Barrier, out: Queue[Any]
) -> None:
    """Open ``target`` with an app whose head is the test revision in ``script_dir``."""
    try:
        from microcrm.storage import migrate
        from microcrm.storage.opening import open_database
        from tests.storage.helpers import alembic_config_for

        migrate.alembic_config = lambda: alembic_config_for(Path(script_dir))
        barrier.wait(timeout=120)
        open_database(target).dispose()
        out.put("ok")
    except Exception:
        out.put(traceback.format_exc())
