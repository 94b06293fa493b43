"""Offscreen screenshots of the main window on demo data (README, docs/screenshots/).

    python scripts/screenshot_main_window.py [out_dir]

Creates a throw-away base with ``microcrm demo`` (5,000 organisations), opens
the main window as the app does, and saves ``main-window.png`` (Suspects
list), ``main-window-search.png`` (a quick search with a département filter)
and ``main-window-sheet.png`` (a client's record sheet open in a tab).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from microcrm.app import build_context
from microcrm.crm.lists import ListQuery
from microcrm.demo import generate
from microcrm.ui.application import make_application
from microcrm.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MICROCRM_HOME"] = str(Path(tmp) / "home")
        app = make_application([])
        ctx = build_context(str(Path(tmp) / "demo.sqlite"))
        generate(ctx.db, organisations=5000, persons=7500, seed=7, ged_root=Path(tmp) / "ged")
        window = MainWindow(ctx)
        window.resize(1400, 800)
        window.show()
        for _ in range(5):
            app.processEvents()
        window.list_panel.table.resizeColumnsToContents()
        window.list_panel.table.selectRow(3)
        app.processEvents()
        window.grab().save(str(out / "main-window.png"))

        window.navigation.select_base("client")
        window.list_panel.show_query(ListQuery("client", "boulangerie", departement=""))
        window.list_panel.table.resizeColumnsToContents()
        app.processEvents()
        window.grab().save(str(out / "main-window-search.png"))

        window.list_panel.show_query(ListQuery("client"))
        window.open_record(window.list_panel.model.id_at(0))
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out / "main-window-sheet.png"))
        window.close()
        ctx.db.dispose()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
