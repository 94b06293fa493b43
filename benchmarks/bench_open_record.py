"""Time to open an organisation's record sheet on a 100,000-organisation base.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_open_record.py [N] [db_path]

Fills a SQLite file (bulk inserts: N organisations, each with an address,
one or two contacts, three actions, and tags), then times ``load_sheet``
(the one read transaction) and the construction of ``OrganisationSheet``
(read + widgets) for 50 random organisations. Budget: 150 ms per open.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert
from sqlalchemy.orm import Session

from microcrm.app import AppContext, Paths, Settings
from microcrm.crm.sheet import load_sheet
from microcrm.db import Database, open_database
from microcrm.models import (
    Action,
    ActionStatus,
    ActionType,
    Address,
    Organisation,
    Person,
    Stage,
    Tag,
    User,
    fold,
    organisation_tag,
    utcnow,
)

BLOCK = 5000
SAMPLES = 50


def fill(db: Database, count: int) -> None:
    """Bulk-insert ``count`` organisations with their children."""
    rng = random.Random(0)
    now = utcnow()
    stages = [Stage.SUSPECT, Stage.PROSPECT, Stage.CLIENT, Stage.ANCIEN_CLIENT]

    def basics(session: Session) -> None:
        session.add_all([User(login=f"u{i}", full_name=f"Commercial {i}") for i in range(8)])
        session.add_all([Tag(name=f"Étiquette {i}") for i in range(40)])
        session.add_all([ActionType(name=n) for n in ("Appel", "Courrier", "Rendez-vous")])

    db.run_write(basics)
    for start in range(1, count + 1, BLOCK):
        ids = range(start, min(start + BLOCK, count + 1))

        def block(session: Session, ids: range = ids) -> None:
            session.execute(
                insert(Organisation),
                [
                    {
                        "id": i,
                        "name": f"Entreprise {i}",
                        "name_key": fold(f"Entreprise {i}"),
                        "stage": rng.choice(stages),
                        "salesperson_id": rng.randint(1, 8),
                        "phone": f"+3329{i:07d}",
                        "naf_code": "62.01Z",
                        "version_id": 1,
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(Address),
                [
                    {
                        "organisation_id": i,
                        "line1": f"{i % 200 + 1} rue de la Paix",
                        "postcode": "35000",
                        "city": "Rennes",
                        "city_key": "rennes",
                        "norm_lines": f"{i % 200 + 1} RUE DE LA PAIX\n35000 RENNES",
                        "norm_status": "valid",
                        "version_id": 1,
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(Person),
                [
                    {
                        "organisation_id": i,
                        "last_name": f"Nom{i}-{k}",
                        "last_name_key": f"nom{i}-{k}",
                        "first_name": "Claire",
                        "first_name_key": "claire",
                        "version_id": 1,
                    }
                    for i in ids
                    for k in range(1 + i % 2)
                ],
            )
            session.execute(
                insert(Action),
                [
                    {
                        "organisation_id": i,
                        "action_type_id": 1 + k,
                        "user_id": 1,
                        "subject": f"Action {k}",
                        "status": ActionStatus.DONE,
                        "due_at": now,
                        "done_at": now,
                        "version_id": 1,
                    }
                    for i in ids
                    for k in range(3)
                ],
            )
            session.execute(
                insert(organisation_tag),
                [{"organisation_id": i, "tag_id": 1 + (i + k) % 40} for i in ids for k in range(2)],
            )

        db.run_write(block)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    path = (
        Path(sys.argv[2])
        if len(sys.argv) > 2
        else (Path(tempfile.mkdtemp(prefix="microcrm-bench-")) / "crm.sqlite")
    )
    os.environ.setdefault("MICROCRM_HOME", str(path.parent / "home"))
    fresh = not path.exists()
    db = open_database(path, workstation_id="bench", user_login="u1")
    if fresh:
        start = time.perf_counter()
        fill(db, count)
        print(f"filled {count} organisations in {time.perf_counter() - start:.1f} s")

    from microcrm.ui.application import make_application
    from microcrm.ui.record.sheet import OrganisationSheet

    app = make_application([])
    ctx = AppContext(Paths.for_user(), Settings(user_login="u1"), db)
    start = time.perf_counter()
    OrganisationSheet(ctx, 1).deleteLater()  # first open: postal reference, NAF table, fonts
    print(f"first open in the process {(time.perf_counter() - start) * 1000:6.1f} ms")
    rng = random.Random(1)
    ids = [rng.randint(1, count) for _ in range(SAMPLES)]
    loads, opens = [], []
    for org_id in ids:
        start = time.perf_counter()
        load_sheet(db, org_id)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        sheet = OrganisationSheet(ctx, org_id)
        opens.append(time.perf_counter() - start)
        sheet.deleteLater()
        app.processEvents()
    for label, values in (("load_sheet", loads), ("OrganisationSheet()", opens)):
        ms = sorted(v * 1000 for v in values)
        print(
            f"{label:20} median {statistics.median(ms):6.1f} ms   "
            f"p95 {ms[int(len(ms) * 0.95) - 1]:6.1f} ms   max {ms[-1]:6.1f} ms"
        )
    db.dispose()


if __name__ == "__main__":
    main()
