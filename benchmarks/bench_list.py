"""The base list on 100,000 organisations: quick search, scrolling, memory (docs/architecture.md §6).

    python benchmarks/bench_list.py [--organisations 100000] [--persons 150000]

Runs the real main window offscreen on a database made by ``microcrm demo``
and measures, on the GUI thread:

* quick search: for realistic words typed one key at a time (names, cities,
  postcodes, phone digits), the time from the keystroke's query to the list
  updated and its first screen of rows loaded (target p95 ≤ 100 ms);
* scrolling: the whole Suspects list page by page, then by random jumps,
  each step's repaint time — the longest block of the GUI thread (target
  ≤ 50 ms);
* memory: peak RSS of the process after all of that (target ≤ 400 MB).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "MICROCRM_HOME", str(__import__("pathlib").Path(__file__).parent / "out" / "home")
)

from demo_data import demo_database

from microcrm.app import build_context
from microcrm.crm.lists import ListQuery
from microcrm.ui.application import make_application
from microcrm.ui.main_window import MainWindow

WORDS = [
    "boulangerie",
    "garage",
    "martin",
    "renne",
    "paris",
    "lyon",
    "35000",
    "750",
    "0299",
    "transports",
    "dupont",
    "sarl",
    "conseil",
    "bordeaux",
    "13008",
    "immo",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--persons", type=int, default=150_000)
    args = parser.parse_args()
    path = demo_database(args.organisations, args.persons)
    app = make_application([])
    ctx = build_context(str(path))
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    panel = window.list_panel
    table = panel.table

    def paint() -> None:
        table.viewport().repaint()

    # Quick search, one keystroke at a time, on each base of organisations.
    keystrokes = []
    for base in ("suspect", "prospect", "client"):
        window.navigation.select_base(base)
        for word in WORDS:
            for n in range(1, len(word) + 1):
                start = time.perf_counter()
                panel.model.set_query(ListQuery(base, word[:n]))
                paint()
                keystrokes.append((time.perf_counter() - start) * 1000)
        panel.model.set_query(ListQuery(base))
    print(
        f"quick search: {len(keystrokes)} keystrokes, p50 {statistics.median(keystrokes):.1f} ms, "
        f"p95 {percentile(keystrokes, 0.95):.1f} ms, max {max(keystrokes):.1f} ms (target p95 ≤ 100 ms)"
    )

    # Scrolling the whole largest list.
    window.navigation.select_base("suspect")
    app.processEvents()
    bar = table.verticalScrollBar()
    rows = panel.model.rowCount()
    page = max(1, bar.pageStep())
    steps = []
    for value in range(0, bar.maximum() + 1, page):
        start = time.perf_counter()
        bar.setValue(value)
        paint()
        steps.append((time.perf_counter() - start) * 1000)
    rng = random.Random(1)
    jumps = []
    for _ in range(300):
        start = time.perf_counter()
        bar.setValue(rng.randint(0, bar.maximum()))
        paint()
        jumps.append((time.perf_counter() - start) * 1000)
    print(
        f"scroll {rows} rows page by page ({len(steps)} pages): p50 {statistics.median(steps):.1f} ms, "
        f"max {max(steps):.1f} ms; 300 random jumps: p50 {statistics.median(jumps):.1f} ms, "
        f"max {max(jumps):.1f} ms (target: never > 50 ms)"
    )
    sorts = []
    for column in range(panel.model.columnCount()):
        start = time.perf_counter()
        panel.model.sort(column)
        paint()
        sorts.append((time.perf_counter() - start) * 1000)
    print(f"sort by each column: max {max(sorts):.0f} ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB (target ≤ 400 MB)")
    window.close()
    ctx.db.dispose()


if __name__ == "__main__":
    main()
