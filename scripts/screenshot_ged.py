"""Offscreen screenshots of the GED screens on a demo base with documents (docs/screenshots/).

    python scripts/screenshot_ged.py [out_dir]

Creates a throw-away base with ``microcrm demo`` (documents of every kind in
the content store), opens the main window as the app does and saves:
``ged-documents.png`` (a client's Documents tab: dossier tree, list, PDF
preview), ``ged-client-search.png`` (the same tab searching inside the
client), ``ged-versions.png`` (« Versions… » of a document filed twice),
``ged-search.png`` (« Recherche GED » with highlighted passages),
``ged-inbox.png`` (« À classer » with proposals) and ``ged-settings.png``
(the GED page of the settings). It also prints, for a mix of queries, the
time from the engine's answer to the result list painted (budget ≤ 100 ms, docs/architecture.md §6).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication

from microcrm.app import AppContext, build_context
from microcrm.crm.parties import load_organisation
from microcrm.demo import generate
from microcrm.ged.records import DocumentInfo
from microcrm.ui.application import make_application
from microcrm.ui.ged.common import make_ged
from microcrm.ui.main_window import MainWindow
from microcrm.ui.record.sheet import OrganisationSheet
from microcrm.ui.settings_dialog import SettingsDialog

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
QUERIES = (
    "facture",
    "maintenance copieur",
    "contrat*",
    '"frais de recouvrement"',
    "type:devis date:2026",
    "pénalités -facture",
    "client:rolland",
    "copieur",
)


def wait(app: QApplication, condition: Callable[[], object], timeout: float = 120.0) -> None:
    """Process events until ``condition()`` is true (or the timeout)."""
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication) -> None:
    for _ in range(10):
        app.processEvents()


def build_base(ctx: AppContext, tmp: Path) -> tuple[int, DocumentInfo]:
    """Demo data; the client with most documents, and one of its PDFs filed a second time."""
    generate(ctx.db, organisations=600, persons=900, documents=2500, seed=7, ged_root=ctx.ged_root)
    ged = make_ged(ctx)
    try:
        docs = ged.documents()
        counts = Counter(d.organisation_id for d in docs if d.organisation_id is not None)
        org_id = counts.most_common(1)[0][0]
        assert org_id is not None
        pdf = next(d for d in docs if d.organisation_id == org_id and d.filename.endswith(".pdf"))
        copy = ged.export_copy(pdf.id, tmp / "v2")
        copy.write_bytes(copy.read_bytes() + b"\n% annotated copy\n")  # same name, new content
        ged.add_files([copy], organisation_id=org_id, dossier_id=pdf.dossier_id)
    finally:
        ged.close()
    return org_id, pdf


def fill_inbox(ctx: AppContext, folder: Path, org_id: int) -> None:
    """Three files waiting « À classer »: two recognisable, one not."""
    from reportlab.pdfgen import canvas

    org = load_organisation(ctx.db, org_id)
    pdf = canvas.Canvas(str(folder / "scan_0425.pdf"))
    pdf.drawString(60, 780, org.name)
    pdf.drawString(60, 760, f"SIRET {org.siret}")
    pdf.drawString(60, 740, "Bon de livraison n° 118")
    pdf.save()
    (folder / "Re_ commande.eml").write_text(
        "From: Service achats <achats@gmail.com>\nTo: contact@exemple.fr\n"
        "Subject: Re: commande\n\nBonjour, merci de nous faire parvenir la facture.\n"
        f"Cordialement,\n{org.name}\n",
        encoding="utf-8",
    )
    (folder / "photo_chantier.txt").write_text("Notes prises sur le chantier.", encoding="utf-8")


def shoot_documents(
    app: QApplication, window: MainWindow, out: Path, org_id: int, pdf: DocumentInfo
) -> OrganisationSheet:
    window._open_sheet(org_id)
    sheet = window.tabs.currentWidget()
    assert isinstance(sheet, OrganisationSheet)
    sheet.tabs.setCurrentWidget(sheet.documents)
    tab = sheet.documents
    tab.tree.select_dossier(pdf.dossier_id)
    tab.table.select_document(pdf.id)
    tab.set_preview_visible(True)
    tab.splitter.setSizes([230, 760, 500])
    settle(app)
    window.grab().save(str(out / "ged-documents.png"))
    dialog = tab.show_versions()
    assert dialog is not None
    settle(app)
    dialog.grab().save(str(out / "ged-versions.png"))
    dialog.close()
    tab.set_preview_visible(False)
    answers: list[object] = []
    tab.live.answered.connect(answers.append)
    tab.search.setText("maintenance")
    wait(app, lambda: bool(answers))
    settle(app)
    window.grab().save(str(out / "ged-client-search.png"))
    tab.search.clear()
    return sheet


def shoot_search(app: QApplication, window: MainWindow, out: Path) -> list[float]:
    window.ged.show_search()
    window.resizeDocks([window.ged.search_dock], [600], Qt.Orientation.Horizontal)
    panel = window.ged.search_panel
    for query in QUERIES:
        count = len(panel.latencies_ms)
        panel.search.setText(query)
        wait(app, lambda: len(panel.latencies_ms) > count)  # noqa: B023 - used at once
        print(f"  {query!r}: {panel.status_text()}")
    panel.search.setText("maintenance copieur")
    wait(app, lambda: panel.model.rowCount() > 0 and panel.search.text() == panel._shown_query)
    settle(app)
    window.grab().save(str(out / "ged-search.png"))
    return list(panel.latencies_ms)


def shoot_inbox(app: QApplication, window: MainWindow, out: Path) -> None:
    window.ged.search_dock.hide()
    window.ged.show_inbox()
    wait(app, lambda: len(window.ged.inbox_panel.proposals) == 3)
    window.resizeDocks([window.ged.inbox_dock], [260], Qt.Orientation.Vertical)
    settle(app)
    window.grab().save(str(out / "ged-inbox.png"))


def shoot_settings(app: QApplication, window: MainWindow, ctx: AppContext, out: Path) -> None:
    settings = SettingsDialog(ctx, window)
    settings.tabs.setCurrentWidget(settings.ged_tab)
    settings.show()
    settle(app)
    settings.grab().save(str(out / "ged-settings.png"))
    settings.reject()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as name:
        tmp = Path(name)
        os.environ["MICROCRM_HOME"] = str(tmp / "home")
        # The window layout (QSettings) of a fresh install, not this machine user's.
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
        app = make_application([])
        ctx = build_context(str(tmp / "demo.sqlite"))
        org_id, pdf = build_base(ctx, tmp)
        inbox = tmp / "A classer"
        inbox.mkdir()
        fill_inbox(ctx, inbox, org_id)
        ctx.settings.inbox_folder = str(inbox)

        window = MainWindow(ctx)
        window.resize(1600, 940)
        window.show()
        wait(app, window.ged.index.is_ready)
        print(
            f"index opened in the background in {window.ged.index.open_ms:.0f} ms "
            "(built on this first open)"
        )
        shoot_documents(app, window, out, org_id, pdf)
        latencies = shoot_search(app, window, out)
        print(
            "GUI, engine answer → list painted (ms):",
            ", ".join(f"{v:.1f}" for v in latencies),
            f"| median {statistics.median(latencies):.1f}, max {max(latencies):.1f}",
        )
        shoot_inbox(app, window, out)
        shoot_settings(app, window, ctx, out)
        window.close()
        QThreadPool.globalInstance().waitForDone(30000)
        ctx.db.dispose()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
