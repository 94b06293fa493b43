"""App start to first window painted, on a demo database (budget ≤ 1.5 s, docs/architecture.md §6).

    python benchmarks/bench_startup.py [--organisations 100000] [--persons 150000] [--runs 5]

Builds (once, cached under benchmarks/out/) a database with the app's own demo
generator, then launches a fresh Python process per run that starts the GUI
offscreen exactly as ``microcrm`` does and reports when the list's viewport
has painted for the first time. The figure is wall time from ``Popen`` to that
paint: interpreter start, imports, database open and schema check, counts,
first list query and first paint. Also prints the child's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from demo_data import demo_database

OUT = Path(__file__).resolve().parent / "out"

CHILD = r"""
import os, resource, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from microcrm.app import build_context
from microcrm.ui.application import make_application
from microcrm.ui.main_window import MainWindow

app = make_application([])
ctx = build_context(sys.argv[1])
window = MainWindow(ctx)

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and window.list_panel.model.rowCount():
            print("PAINTED", time.time(), flush=True)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print("RSS_KB", rss, flush=True)
            QTimer.singleShot(0, app.quit)
            self.deleteLater()
        return False

spy = FirstPaint()
window.list_panel.table.viewport().installEventFilter(spy)
window.show()
app.exec()
"""


def build_database(path: Path, organisations: int, persons: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "microcrm",
            "--db",
            str(path),
            "demo",
            "--organisations",
            str(organisations),
            "--persons",
            str(persons),
            "--seed",
            "1",
        ],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--persons", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = demo_database(args.organisations, args.persons)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MICROCRM_HOME": str(OUT / "home")}
    times, rss = [], []
    for _ in range(args.runs):
        start = time.time()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(db)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        fields = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
        times.append(float(fields["PAINTED"]) - start)
        rss.append(int(fields["RSS_KB"]) / 1024)
    print(f"database: {db.name} ({db.stat().st_size / 1e6:.0f} MB)")
    print(
        f"start to first paint, {args.runs} runs: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s (target ≤ 1.5 s)"
    )
    print(f"peak RSS at first paint: {max(rss):.0f} MB")


if __name__ == "__main__":
    main()
