"""History tab of the sheet: the organisation's actions, newest first, read-only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.sheet import HistoryEntry
from microcrm.ui.widgets import named

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Date", "Type", "Objet", "Utilisateur", "Statut")


def french_date(entry: HistoryEntry) -> str:
    """dd/mm/yyyy in the workstation's time zone ("" when undated)."""
    return entry.when.astimezone().strftime("%d/%m/%Y") if entry.when else ""


class HistoryTableModel(QAbstractTableModel):
    """The newest actions of one organisation (bounded by the loader)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[HistoryEntry, ...] = ()

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._rows = tuple(entries)
        self.endResetModel()

    def entry(self, row: int) -> HistoryEntry:
        """The action of a row."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = (french_date(entry), entry.type_name, entry.subject, entry.user,
                      entry.status_label)
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and entry.when:
            return entry.when.astimezone().strftime("%d/%m/%Y à %H:%M")
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None


class HistoryTab(QWidget):
    """The history table and, past the loader's limit, how many older actions exist."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryTableModel(self)
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
