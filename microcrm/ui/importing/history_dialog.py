"""Fichier › « Historique des imports »: every import batch, and the undo of one of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Final

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.directory.importer import BatchSummary, import_history
from microcrm.directory.presets import PRESET_LABELS
from microcrm.ui.importing.common import NBSP, Question, run_undo
from microcrm.ui.importing.gc_pause import release_frozen
from microcrm.ui.models.columns import text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.widgets import named

Index = QModelIndex | QPersistentModelIndex
OTHER_PRESETS: Final = {"multiple": "Plusieurs types", "demo": "Données de démonstration"}


def when(moment: dt.datetime | None) -> str:
    """A stored UTC time as local « jj/mm/aaaa hh:mm »."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def source_names(sources: str) -> str:
    """The file names of a batch's sources (one path per line), without their folders."""
    return ", ".join(PurePath(line).name for line in sources.splitlines() if line.strip())


class ImportHistoryModel(RowsTableModel[BatchSummary]):
    """The import batches, newest first (a few hundred rows at most)."""

    COLUMNS = text_columns("N°", "Date", "Utilisateur", "Fichiers", "Type de fichier", "État")

    def set_batches(self, batches: Sequence[BatchSummary]) -> None:
        """Show another list of batches."""
        self.set_rows(batches)

    def batch(self, row: int) -> BatchSummary:
        """The batch on a row."""
        return self.row(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        b = self.row_at(index)
        if b is None:
            return None
        undone = b.status == "undone"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#757575") if undone else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return b.sources
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        state = f"Annulé le {when(b.undone_at)}" if undone else "Importé"
        preset = {**PRESET_LABELS, **OTHER_PRESETS}.get(b.preset, b.preset)
        values = (str(b.id), when(b.created_at), b.created_by or "", source_names(b.sources),
                  preset, state)  # fmt: skip
        return values[index.column()]


class ImportHistoryDialog(QDialog):
    """« Historique des imports »: past imports; « Annuler l'import » undoes one.

    Signals:
        undone(object): an import was undone from here (refresh the views).
    """

    undone = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import-history")
        self.setWindowTitle("Historique des imports")
        self.resize(920, 420)
        self.ctx = ctx
        self.question: QMessageBox | None = None
        self._asked: int | None = None
        self.model = ImportHistoryModel(import_history(ctx.db), self)
        self.table = named(QTableView(), "history-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        self.undo_button = named(QPushButton("&Annuler l'import"), "undo-import")
        self.undo_button.clicked.connect(self.confirm_undo)
        close = named(QPushButton("Fermer"), "close")
        close.clicked.connect(self.accept)
        self.empty = named(QLabel("Aucun import n'a encore été fait."), "history-empty")
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.busy = False
        self.destroyed.connect(release_frozen)  # what the undo left frozen (gc_pause)
        if self.model.rowCount():
            self.table.selectRow(0)
        self._update()

    def selected(self) -> BatchSummary | None:
        """The batch selected."""
        index = self.table.currentIndex()
        return self.model.batch(index.row()) if index.isValid() else None

    def _update(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(
            batch is not None and batch.status != "undone" and not self.busy
        )
        self.empty.setVisible(self.model.rowCount() == 0)

    def confirm_undo(self) -> None:
        """« Annuler l'import »: ask, then undo in a worker."""
        batch = self.selected()
        if batch is None or batch.status == "undone" or self.busy:
            return
        self._asked = batch.id
        self.question = Question(
            self,
            "Annuler l'import",
            f"Annuler l'import n°{NBSP}{batch.id} du {when(batch.created_at)} "
            f"({source_names(batch.sources)}){NBSP}? Les fiches créées seront supprimées et "
            "les champs complétés remis comme avant ; ce qui a été modifié depuis est conservé.",
        )
        self.question.confirmed.connect(self._confirmed)
        self.question.open()

    def _confirmed(self) -> None:
        if self._asked is not None:
            self.undo(self._asked)

    def undo(self, batch_id: int) -> None:
        """Undo an import in a worker (no question asked), then reload the list."""
        if self.busy:
            return

        def done(result: object | None) -> None:
            self.busy = False
            row = self.table.currentIndex().row()
            self.model.set_batches(import_history(self.ctx.db))
            if self.model.rowCount():
                self.table.selectRow(min(max(row, 0), self.model.rowCount() - 1))
            self._update()
            if result is not None:
                self.undone.emit(result)

        self.busy = True
        self._update()
        run_undo(self, self.ctx, batch_id, done)
