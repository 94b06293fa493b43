"""Time to open an organisation's record sheet on a 100,000-organisation base.

    python benchmarks/bench_open_record.py [N]

Uses a base made by ``microcrm demo`` (N organisations, 1.5 N persons,
cached under benchmarks/out/), then times ``load_sheet``
(the one read transaction) and the construction of ``OrganisationSheet``
(read + widgets) for 50 random organisations. Budget: 150 ms per open.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from demo_data import demo_database

from microcrm.app import AppContext, Paths, Settings
from microcrm.crm.sheet import load_sheet
from microcrm.storage.opening import open_database

BLOCK = 5000
SAMPLES = 50


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    path = demo_database(count, count * 3 // 2)
    os.environ.setdefault("MICROCRM_HOME", str(path.parent / "home"))
    db = open_database(path, workstation_id="bench", user_login="u1")

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
