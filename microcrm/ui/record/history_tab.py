"""History tab of the sheet: the organisation's actions, newest first, read-only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.sheet import HistoryEntry
from microcrm.text import short_date, short_datetime
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.widgets import named


class HistoryTableModel(RowsTableModel[HistoryEntry]):
    """The newest actions of one organisation (bounded by the loader)."""

    COLUMNS = text_columns("Date", "Type", "Objet", "Utilisateur", "Statut")
    ROW_NUMBERS = True

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        """Replace the rows."""
        self.set_rows(entries)

    def entry(self, row: int) -> HistoryEntry:
        """The action of a row."""
        return self.row(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = short_date(entry.when, local=True)
            values = (when, entry.type_name, entry.subject, entry.user, entry.status_label)
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and entry.when:
            return short_datetime(entry.when, local=True, at=True)
        return None


class HistoryTab(QWidget):
    """The history table and, past the loader's limit, how many older actions exist."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryTableModel(parent=self)
        self.table = named(QTableView(), "history-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.note = named(QLabel(), "history-note")
        self.note.setStyleSheet("color: #757575;")
        self.empty = named(QLabel("Aucune action pour le moment."), "history-empty")
        self.empty.setStyleSheet("color: #757575;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def set_history(self, entries: Sequence[HistoryEntry], total: int) -> None:
        """Show the newest actions; ``total`` counts them all."""
        self.model.set_entries(entries)
        self.empty.setVisible(not entries)
        hidden = total - len(entries)
        self.note.setVisible(hidden > 0)
        if hidden > 0:
            self.note.setText(f"{len(entries)} actions les plus récentes sur {total}.")
