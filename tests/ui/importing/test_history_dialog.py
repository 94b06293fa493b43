"""Fichier › Historique des imports: the batches listed, one undone with its confirmation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from microcrm.app import AppContext
from microcrm.crm.parties import load_organisation, save_organisation
from microcrm.directory.importer import (
    ImportSource,
    commit_import,
    export_organisations,
    import_history,
    plan_import,
)
from microcrm.models import ImportChange
from microcrm.ui.importing.history_dialog import ImportHistoryDialog, ImportHistoryModel
from microcrm.ui.main_window import MainWindow
from tests.directory.helpers import write_broker
from tests.ui.importing.helpers import HEADER, ROWS, seed

TIMEOUT = 15_000


def run_import(ctx: AppContext, path: Path) -> int:
    plan = plan_import(ctx.db, [ImportSource([path])])
    report = commit_import(ctx.db, plan)
    assert report.batch_id is not None
    return report.batch_id


@pytest.fixture
def two_imports(app_ctx: AppContext, tmp_path: Path) -> tuple[int, int]:
    seed(app_ctx.db)
    first = run_import(app_ctx, write_broker(tmp_path / "cci-haute-garonne.csv", ROWS[:2], HEADER))
    second = run_import(app_ctx, write_broker(tmp_path / "salon.csv", ROWS[2:], HEADER))
    return first, second


def message(dialog: ImportHistoryDialog) -> QMessageBox:
    box = dialog.findChild(QMessageBox, "import-message")
    assert isinstance(box, QMessageBox)
    return box


def test_history_lists_batches_newest_first(
    qtbot: QtBot, app_ctx: AppContext, two_imports: tuple[int, int], qtmodeltester: ModelTester
) -> None:
    _first, second = two_imports
    dialog = ImportHistoryDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.model
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "N°", "Date", "Utilisateur", "Fichiers", "Type de fichier", "État",
    ]  # fmt: skip
    assert [model.index(0, c).data() for c in (0, 2, 3, 4, 5)] == [
        str(second), app_ctx.db.user_login, "salon.csv",
        "Fichier de prospection (loueur de fichiers)", "Importé",
    ]  # fmt: skip
    assert model.index(1, 3).data() == "cci-haute-garonne.csv"
    assert str(model.index(1, 3).data(Qt.ItemDataRole.ToolTipRole)).endswith(
        "cci-haute-garonne.csv"
    )
    assert len(str(model.index(0, 1).data())) == len("24/11/2026 08:30")
    assert dialog.undo_button.isEnabled()
    assert not dialog.empty.isVisible()
    qtmodeltester.check(ImportHistoryModel([]))


def test_undo_from_history_asks_then_reports_what_was_kept(
    qtbot: QtBot, app_ctx: AppContext, two_imports: tuple[int, int]
) -> None:
    _first, second = two_imports
    db = app_ctx.db
    before_second = {o["name"]: o for o in export_organisations(db)}
    moderne = next(o for o in before_second.values() if o["name"] == "Imprimerie Moderne")
    assert moderne["phone"] == "+33478000001"  # filled by the second import
    record = load_organisation(db, moderne["id"])
    save_organisation(db, replace(record, phone="+33478999999"), record)  # changed since
    dialog = ImportHistoryDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    undone: list[object] = []
    dialog.undone.connect(undone.append)

    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.question is not None
    assert f"Annuler l'import n°\u00a0{second} du " in dialog.question.text()
    dialog.question.button(QMessageBox.StandardButton.No).click()
    assert undone == [] and import_history(db)[0].status == "done"

    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.undone, timeout=TIMEOUT):
        dialog.question.button(QMessageBox.StandardButton.Yes).click()
    text = message(dialog).text()
    assert text.startswith(f"L'import n°\u00a0{second} a été annulé.")
    assert "Laissé tel quel car modifié ou utilisé depuis l'import (1)" in text
    after = {o["name"]: o for o in export_organisations(db)}
    assert set(after) == {"Boulangerie Dupont", "Imprimerie Moderne", "Garage Vertbois"}
    assert after["Imprimerie Moderne"]["phone"] == "+33478999999"  # the user's change kept
    assert dialog.model.index(0, 5).data().startswith("Annulé le ")
    assert not dialog.undo_button.isEnabled()
    dialog.table.selectRow(1)
    assert dialog.undo_button.isEnabled()
    assert [b.status for b in import_history(db)] == ["undone", "done"]


def test_empty_history_and_main_window_entry(qtbot: QtBot, app_ctx: AppContext) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    window.act_import_history.trigger()
    dialog = window.findChild(ImportHistoryDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == 0
    assert dialog.empty.isVisible()
    assert not dialog.undo_button.isEnabled()
    dialog.accept()


def test_undo_question_shows_the_plan_and_the_kept_records(
    qtbot: QtBot, app_ctx: AppContext, two_imports: tuple[int, int]
) -> None:
    """The undo question counts what goes and names what stays; the edited record stays."""
    _first, second = two_imports
    db = app_ctx.db
    with db.read() as session:
        created = sorted(
            session.scalars(
                select(ImportChange.entity_id).where(
                    ImportChange.batch_id == second,
                    ImportChange.entity == "organisation",
                    ImportChange.op == "create",
                )
            )
        )
    assert created
    record = load_organisation(db, created[0])
    save_organisation(db, replace(record, notes="NE PAS PERDRE"), record)
    dialog = ImportHistoryDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    undone: list[object] = []
    dialog.undone.connect(undone.append)

    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.question is not None
    question = dialog.question.text()
    assert f"{len(created) - 1}\u00a0organisation" in question
    assert "seront supprimées" in question
    assert "Conservé tel quel car modifié ou utilisé depuis l'import (1)" in question
    assert f"Organisation n° {created[0]} « {record.name} » : modifiée depuis l'import" in question
    with qtbot.waitSignal(dialog.undone, timeout=TIMEOUT):
        dialog.question.button(QMessageBox.StandardButton.Yes).click()
    assert f"Organisation n° {created[0]} " in message(dialog).text()
    kept = {o["id"]: o for o in export_organisations(db)}
    assert created[0] in kept
    assert not set(created[1:]) & set(kept)
