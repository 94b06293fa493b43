"""The navigation tree: bases with their counts, saved segments, the trash."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from microcrm.crm.bases import BASES, TRASHES
from microcrm.crm.lists import ListQuery
from microcrm.crm.segments import SegmentInfo
from microcrm.text import thousands

KEY_ROLE = Qt.ItemDataRole.UserRole
SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1


class Navigation(QTreeWidget):
    """Bases, segments and the trash; emits the query to show when one is chosen."""

    query_chosen = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("navigation")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(12)
        self.setMaximumWidth(260)
        bold = QFont()
        bold.setBold(True)
        self._bases = QTreeWidgetItem(["Bases"])
        self._segments = QTreeWidgetItem(["Segments"])
        for group in (self._bases, self._segments):
            group.setFont(0, bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addTopLevelItem(group)
        self._items: dict[str, QTreeWidgetItem] = {}
        for base in (*BASES, *TRASHES):
            item = QTreeWidgetItem([base.label])
            item.setData(0, KEY_ROLE, base.key)
            self._bases.addChild(item)
            self._items[base.key] = item
        self.expandAll()
        self.currentItemChanged.connect(self._changed)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show the number of records beside each base."""
        for base in (*BASES, *TRASHES):
            self._items[base.key].setText(
                0, f"{base.label}  ({thousands(counts.get(base.key, 0))})"
            )

    def set_segments(self, segments: list[SegmentInfo]) -> None:
        """Replace the segment entries."""
        self._segments.takeChildren()
        for segment in segments:
            item = QTreeWidgetItem([segment.name])
            item.setData(0, SEGMENT_ROLE, segment)
            item.setToolTip(0, f"Segment sur la base « {segment.query.base} »")
            self._segments.addChild(item)
        self._segments.setHidden(not segments)
        self.expandAll()

    def select_base(self, key: str) -> None:
        """Make a base current (emits :attr:`query_chosen`)."""
        self.setCurrentItem(self._items[key])

    def base_label(self, key: str) -> str:
        """French label of a base key."""
        for base in (*BASES, *TRASHES):
            if base.key == key:
                return base.label
        return key

    def _changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        segment = current.data(0, SEGMENT_ROLE)
        if isinstance(segment, SegmentInfo):
            self.query_chosen.emit(segment.query)
            return
        key = current.data(0, KEY_ROLE)
        if key:
            self.query_chosen.emit(ListQuery(str(key)))
