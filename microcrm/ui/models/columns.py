"""The column half of every table model: titles and alignment declared once.

A model lists its columns as :class:`Column` values; :class:`ColumnsTableModel`
answers ``columnCount`` and ``headerData`` from them, so no model writes the
header plumbing again. Models over a list in memory go on to
:class:`~microcrm.ui.models.rows.RowsTableModel`; a model that counts its rows
another way (the paged base list) subclasses this one and keeps its ``rowCount``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
"""Alignment of number-like cells (sizes, versions)."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its French title, and how its cells line up.

    Attributes:
        header: The title in the horizontal header.
        align: The cells' ``TextAlignmentRole`` (None: the view's default, left).
    """

    header: str
    align: Qt.AlignmentFlag | None = None


def text_columns(*headers: str) -> tuple[Column, ...]:
    """Columns that are only a title each, in order."""
    return tuple(Column(header) for header in headers)


class ColumnsTableModel(QAbstractTableModel):
    """``columnCount`` and ``headerData`` from the ``COLUMNS`` declaration.

    Subclasses set ``COLUMNS`` (or override :meth:`columns` when they change
    with what is shown) and implement ``rowCount`` and ``data``. The vertical
    header shows nothing unless ``ROW_NUMBERS`` is set (1, 2, 3…).
    """

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    ROW_NUMBERS: ClassVar[bool] = False

    def columns(self) -> Sequence[Column]:
        """The columns shown now."""
        return self.COLUMNS

    def alignment(self, column: int) -> int | None:
        """The declared alignment of a column's cells, for ``data(TextAlignmentRole)``."""
        columns = self.columns()
        align = columns[column].align if 0 <= column < len(columns) else None
        return None if align is None else int(align)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.columns())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            columns = self.columns()
            return columns[section].header if 0 <= section < len(columns) else None
        if self.ROW_NUMBERS and 0 <= section < self.rowCount():
            return section + 1
        return None
