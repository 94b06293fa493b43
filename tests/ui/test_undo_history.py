"""The shared undo-history dialog on plain rows: select, ask or not, undo, reload."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from microcrm.ui.history_dialog import HistoryLabels, UndoDone, UndoHistoryDialog
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel


@dataclass(frozen=True)
class Run:
    id: int
    undone: bool = False


class RunModel(RowsTableModel[Run]):
    COLUMNS = text_columns("N°", "État")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        run = self.row_at(index)
        if run is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (str(run.id), "Annulé" if run.undone else "Fait")[index.column()]


class RunHistory(UndoHistoryDialog[Run]):
    LABELS = HistoryLabels(
        title="Historique des essais",
        undo="&Annuler l'essai",
        empty="Aucun essai.",
        name="run-history",
        undo_name="undo-run",
    )
    STRETCH_COLUMN = 1

    def __init__(self, runs: list[Run], ask: bool) -> None:
        self.runs = runs
        self.ask = ask
        self.pending: list[tuple[Run, UndoDone]] = []
        super().__init__(RunModel())

    def entries(self) -> list[Run]:
        return list(self.runs)

    def is_undone(self, entry: Run) -> bool:
        return entry.undone

    def confirmation(self, entry: Run) -> str | None:
        return f"Annuler l'essai {entry.id} ?" if self.ask else None

    def start_undo(self, entry: Run, done: UndoDone) -> None:
        self.pending.append((entry, done))


def finish(dialog: RunHistory) -> None:
    entry, done = dialog.pending.pop()
    dialog.runs = [replace(r, undone=True) if r.id == entry.id else r for r in dialog.runs]
    done(f"essai {entry.id} annulé")


def test_undo_at_once_then_reload(qtbot: QtBot) -> None:
    dialog = RunHistory([Run(2), Run(1, undone=True)], ask=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.objectName() == "run-history"
    assert dialog.windowTitle() == "Historique des essais"
    assert dialog.undo_button.text() == "&Annuler l'essai"
    assert not dialog.empty.isVisible()
    assert dialog.selected() == Run(2) and dialog.undo_button.isEnabled()

    undone: list[object] = []
    dialog.undone.connect(undone.append)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert dialog.question is None
    # Compared, not asserted one by one: mypy would hold ``busy`` True for the rest of the test.
    assert (dialog.busy, dialog.undo_button.isEnabled()) == (True, False)
    dialog.undo_selected()  # busy: a second click starts nothing
    assert len(dialog.pending) == 1
    finish(dialog)
    assert undone == ["essai 2 annulé"]
    assert not dialog.busy
    assert dialog.model.index(0, 1).data() == "Annulé"
    assert not dialog.undo_button.isEnabled()  # both runs are undone now


def test_question_first_and_empty_list(qtbot: QtBot) -> None:
    dialog = RunHistory([Run(7)], ask=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.undo_selected()
    assert dialog.question is not None
    assert dialog.question.windowTitle() == "Annuler l'essai"
    assert dialog.question.text() == "Annuler l'essai 7 ?"
    dialog.question.button(QMessageBox.StandardButton.No).click()
    assert dialog.pending == []
    dialog.undo_selected()
    dialog.question.button(QMessageBox.StandardButton.Yes).click()
    assert [entry for entry, _done in dialog.pending] == [Run(7)]

    empty = RunHistory([], ask=True)
    qtbot.addWidget(empty)
    empty.show()
    assert empty.empty.isVisible() and empty.empty.text() == "Aucun essai."
    assert not empty.undo_button.isEnabled()
