"""Start the GUI: QApplication in French, the database opened, the main window shown."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from microcrm.app import AppContext, build_context
from microcrm.errors import MicroCRMError
from microcrm.postal.reference import load_reference
from microcrm.ui.main_window import MainWindow
from microcrm.ui.workers import run_task

DEMO_ORGANISATIONS, DEMO_PERSONS, DEMO_DOCUMENTS = 2000, 3000, 200


GUI_SWITCH_INTERVAL: Final = 0.001
"""Seconds a worker thread may hold the GIL before the GUI thread gets it (CPython: 0.005)."""


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, with French locale and Qt's own French strings."""
    # Long work runs in worker threads; with CPython's default 5 ms switch
    # interval the GUI thread waited up to 0.45-0.74 s for the GIL during an
    # import's dry run (benchmarks/bench_import_wizard.py), 0.06-0.12 s at 1 ms.
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setOrganizationName("MicroCRM")
    QCoreApplication.setApplicationName("MicroCRM")
    app = QApplication(argv if argv is not None else sys.argv)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)
    translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(), "qtbase", "_", translations):
        app.installTranslator(translator)
    return app


def offer_demo(window: MainWindow, ctx: AppContext, on_done: Callable[[], None]) -> None:
    """On an empty base, offer to fill it with demo data (in the background, cancellable)."""
    if any(window.service.counts().values()):
        return
    answer = QMessageBox.question(
        window,
        "Base vide",
        "La base est vide. Voulez-vous la remplir avec des données de démonstration "
        f"({DEMO_ORGANISATIONS} entreprises, {DEMO_PERSONS} contacts, {DEMO_DOCUMENTS} "
        "documents) pour découvrir MicroCRM ?",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return
    from microcrm.demo import generate

    dialog = QProgressDialog("Création des données de démonstration…", "Annuler", 0, 100, window)
    dialog.setWindowTitle("Démonstration")
    dialog.setMinimumDuration(300)

    def job(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> object:
        return generate(
            ctx.db,
            organisations=DEMO_ORGANISATIONS,
            persons=DEMO_PERSONS,
            documents=DEMO_DOCUMENTS,
            seed=0,
            ged_root=ctx.ged_root,
            progress=progress,
            cancel=cancelled,
        )

    def progressed(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        dialog.setLabelText(message)

    def ended(*_args: object) -> None:
        dialog.reset()
        on_done()

    def failed(exc: object, _tb: str) -> None:
        dialog.reset()
        QMessageBox.warning(window, "Démonstration", f"La création a échoué : {exc}")
        on_done()

    task = run_task(
        job, on_progress=progressed, on_finished=ended, on_cancelled=ended, on_failed=failed
    )
    dialog.canceled.connect(task.cancel)


def run_gui(db_override: str | None = None) -> int:
    """Open the database and run the main window until it closes."""
    app = make_application()
    try:
        ctx = build_context(db_override)
    except MicroCRMError as exc:
        QMessageBox.critical(None, "MicroCRM", exc.message)
        return 1
    window = MainWindow(ctx)
    window.show()
    # Warm the postal reference (~80 ms) off the GUI thread: the first record sheet
    # and every address editor then find it loaded.
    run_task(lambda _progress, _cancelled: load_reference())
    # After the first paint: the window is on screen before the question is asked.
    QTimer.singleShot(0, lambda: offer_demo(window, ctx, window.refresh))
    code = app.exec()
    ctx.db.dispose()
    return code
