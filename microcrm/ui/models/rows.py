"""A read-only table model over a Python list held in memory (histories, contacts, results).

For lists of up to some thousands of rows; the base lists page through the
database instead (:mod:`microcrm.ui.models.party_table`). Subclasses declare
``COLUMNS`` (:mod:`microcrm.ui.models.columns`) and implement :meth:`data`;
a model that changes more than its rows in one go (a sort, a side table)
assigns ``_rows`` itself between ``beginResetModel`` and ``endResetModel``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QModelIndex, QObject

from microcrm.ui.models.columns import ColumnsTableModel, Index

RowT = TypeVar("RowT")


class RowsTableModel(ColumnsTableModel, Generic[RowT]):
    """Rows of one type, one per line; the columns are ``COLUMNS``."""

    def __init__(self, rows: Sequence[RowT] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = list(rows)

    def set_rows(self, rows: Sequence[RowT]) -> None:
        """Show another list."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, row: int) -> RowT:
        """The object shown on a row (IndexError outside the list)."""
        return self._rows[row]

    def rows(self) -> list[RowT]:
        """Every object shown, in order (a copy)."""
        return list(self._rows)

    def row_at(self, index: Index) -> RowT | None:
        """The object under ``index``, or None outside the list."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)
