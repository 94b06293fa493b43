r"""GUI responsiveness of the import wizard: a SIRENE extract into a 100,000-organisation base.

Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_import_wizard.py \\
        [--rows 100000] [--organisations 100000]

Budget (docs/architecture.md §6): « the GUI stays responsive throughout ». The wizard is
driven offscreen through its pages (Aperçu, Correspondance, Destination,
Simulation, Import, Rapport) on a copy of the cached demo base and the seeded
SIRENE pair of ``bench_import.py``. For each phase the script prints the wall
time and the longest gap between two ticks of a 10 ms timer on the GUI
thread: a frozen window shows as a long gap (a gap under ~100 ms is not
perceived). The figures are printed as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import peak_rss_mb, sirene_files
from demo_data import demo_database
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QWizard

TICK_MS = 10


class StallMeter:
    """Longest gap between two ticks of a GUI-thread timer, since the last reset."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.worst = 0
        self.worst_at = 0
        self.started = 0
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        if now - self.last > self.worst:
            self.worst, self.worst_at = now - self.last, now - self.started
        self.last = now

    def reset(self) -> None:
        """Start a new phase."""
        self.last = self.started = self.clock.elapsed()
        self.worst = self.worst_at = 0


def run_until(done: Callable[[], bool], timeout_s: float = 900) -> None:
    """Run the Qt event loop until ``done`` is true (checked every 20 ms)."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(20)
    deadline = time.monotonic() + timeout_s

    def poll() -> None:
        if done() or time.monotonic() > deadline:
            loop.quit()

    check.timeout.connect(poll)
    check.start()
    loop.exec()
    check.stop()
    if not done():
        raise TimeoutError


def main() -> None:
    """Copy the base, drive the wizard and time each phase."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    base = demo_database(args.organisations, args.organisations * 3 // 2)
    et, ul, _duplicates = sirene_files(base, args.rows, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="bench-wizard-"))
    os.environ["MICROCRM_HOME"] = str(folder / "home")
    db_path = folder / "crm.sqlite"
    shutil.copyfile(base, db_path)

    from microcrm.app import build_context
    from microcrm.ui.application import make_application
    from microcrm.ui.importing.wizard import PAGE_REPORT, ImportWizard

    app = make_application([])
    ctx = build_context(str(db_path))
    wizard = ImportWizard(ctx)
    wizard.show()
    meter = StallMeter()
    out: dict[str, Any] = {"rows": args.rows, "organisations": args.organisations}

    def phase(name: str, action: Callable[[], None], done: Callable[[], bool]) -> None:
        meter.reset()
        start = time.perf_counter()
        action()
        run_until(done)
        out[name] = {
            "seconds": round(time.perf_counter() - start, 2),
            "longest_gui_gap_ms": meter.worst,
            "gap_ended_at_s": round(meter.worst_at / 1000, 2),
        }

    wizard.source_page.add_files([et, ul])
    phase("apercu", wizard.next, wizard.preview_page.isComplete)
    phase("correspondance_destination", lambda: (wizard.next(), wizard.next()), lambda: True)
    phase("simulation", wizard.next, wizard.simulation_page.isComplete)
    plan = wizard.state.plan
    assert plan is not None
    out["duplicates"] = len(plan.duplicates)
    out["rejected"] = sum(len(f.rejected.rows) for f in plan.report.files)
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    phase("import_et_rapport", commit.click, lambda: wizard.currentId() == PAGE_REPORT)
    report = wizard.state.report
    assert report is not None
    out["organisations_created"] = sum(f.organisations_created for f in report.files)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    wizard.close()
    ctx.db.dispose()
    app.processEvents()
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
