"""The base list model: ordered ids held in memory, display rows fetched by block.

Following docs/style.md §2 (Anki's browser): ``rowCount`` is the number of ids the
service returned for the current filter and sort; ``data()`` loads the block
of ids around the row on a miss and keeps a few blocks in an LRU, so memory
stays constant whatever the size of the base.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from microcrm.crm.lists import ListQuery, PartyListService, columns_for
from microcrm.ui.models.columns import Column, ColumnsTableModel, Index, text_columns


@cache
def _header_columns(base: str) -> tuple[Column, ...]:
    return text_columns(*(c.header for c in columns_for(base)))


class PartyTableModel(ColumnsTableModel):
    """Rows of one base; never the whole base in memory.

    Only the header part is shared (:class:`ColumnsTableModel`): the rows are
    ids, counted by ``rowCount`` here and fetched by block in ``data``.
    """

    BLOCK = 100
    MAX_BLOCKS = 20
    ROW_NUMBERS = True

    def __init__(self, service: PartyListService, base: str = "suspect") -> None:
        super().__init__()
        self._service = service
        self._query = ListQuery(base)
        self._columns = columns_for(base)
        self._ids: list[int] = []
        self._blocks: OrderedDict[int, dict[int, tuple[object, ...]]] = OrderedDict()

    # -- what to show -------------------------------------------------------
    @property
    def query(self) -> ListQuery:
        """The current base, search and sort."""
        return self._query

    def set_query(self, query: ListQuery) -> None:
        """Show another base, search or sort (one ids query; blocks load lazily)."""
        self.beginResetModel()
        self._query = query
        self._columns = columns_for(query.base)
        self._ids = self._service.ids(query)
        self._blocks.clear()
        self.endResetModel()

    def refresh(self) -> None:
        """Reload after a change elsewhere, keeping base, search and sort."""
        self.set_query(self._query)

    def id_at(self, row: int) -> int:
        """Database id of the row."""
        return self._ids[row]

    def ids(self) -> list[int]:
        """Every id shown, in order (a copy)."""
        return list(self._ids)

    def row_of(self, record_id: int) -> int | None:
        """Row showing ``record_id``, or None."""
        try:
            return self._ids.index(record_id)
        except ValueError:
            return None

    # -- QAbstractTableModel ------------------------------------------------
    def columns(self) -> Sequence[Column]:
        return _header_columns(self._query.base)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        row = self._row(index.row())
        value = row[index.column()] if row is not None else None
        return "" if value is None else str(value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        q = self._query
        self.set_query(ListQuery(q.base, q.search, self._columns[column].key, descending))

    # -- block cache ----------------------------------------------------------
    def _row(self, row: int) -> tuple[object, ...] | None:
        if not 0 <= row < len(self._ids):
            return None
        block_no = row // self.BLOCK
        block = self._blocks.get(block_no)
        if block is None:
            ids = self._ids[block_no * self.BLOCK : (block_no + 1) * self.BLOCK]
            block = self._service.rows(self._query.base, ids)
            self._blocks[block_no] = block
            if len(self._blocks) > self.MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block.get(self._ids[row])
