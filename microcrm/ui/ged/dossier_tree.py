"""The dossier tree of a client's Documents tab: default dossiers and the client's own, nested.

Above the dossiers, « Tous les documents »; below them, « Corbeille ». A
dossier is renamed in place (F2), created and trashed from the context menu
(Suppr trashes), and moved by dragging it onto another dossier (or onto
« Tous les documents » to bring it back to the top level). Files dropped on
a dossier are filed there; documents dragged from the list onto a dossier
move there. The tree only reports what the user did, through signals: the
tab calls the service and reloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from microcrm.ged.records import DossierNode
from microcrm.ui.ged.common import dragged_document_ids, dropped_paths

ID_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ALL, DOSSIER, TRASH = "all", "dossier", "trash"


class DossierTree(QTreeWidget):
    """Dossiers of one client, with their document counts.

    Signals:
        dossier_chosen(object): the selection changed: a dossier id, or None for
            « Tous les documents »; :meth:`in_trash` tells whether « Corbeille » is chosen.
        create_requested(object): new dossier under a parent id (None: top level).
        rename_requested(int, str): a dossier was renamed in place.
        trash_requested(int): a dossier should go to the trash.
        move_requested(int, object): move a dossier under a parent id (None: top level).
        files_dropped(object, object): files (list of Path) dropped on a dossier id or None.
        documents_dropped(object, object): document ids dragged onto a dossier id.
    """

    dossier_chosen = Signal(object)
    create_requested = Signal(object)
    rename_requested = Signal(int, str)
    trash_requested = Signal(int)
    move_requested = Signal(int, object)
    files_dropped = Signal(object, object)
    documents_dropped = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-dossiers")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setIndentation(14)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAcceptDrops(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self._loading = False
        self._items: dict[int, QTreeWidgetItem] = {}
        self._names: dict[int, str] = {}
        folder = self.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self._folder_icon = folder
        self.all_item = self._fixed_item("Tous les documents", ALL)
        self.trash_item = self._fixed_item("Corbeille", TRASH)
        self.trash_item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.all_item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon))
        self.currentItemChanged.connect(self._current_changed)
        self.itemChanged.connect(self._item_changed)

    def _fixed_item(self, label: str, kind: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label, ""])
        item.setData(0, KIND_ROLE, kind)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if kind == ALL:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        item.setFlags(flags)
        return item

    # -- content ---------------------------------------------------------------------------
    def set_tree(self, nodes: Sequence[DossierNode], total: int, trashed: int) -> None:
        """Show the dossiers (keeps the selection and what was expanded)."""
        current = self.current_dossier_id()
        kind = self.current_kind()
        expanded = {i for i, item in self._items.items() if item.isExpanded()}
        first_load = not self._items
        self._loading = True
        self.blockSignals(True)
        self.clear()
        self._items = {}
        self._names = {}
        self.all_item = self._fixed_item("Tous les documents", ALL)
        self.all_item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon))
        self.all_item.setText(1, str(total) if total else "")
        self.addTopLevelItem(self.all_item)
        for node in nodes:
            self.all_item.addChild(self._node_item(node))
        self.trash_item = self._fixed_item("Corbeille", TRASH)
        self.trash_item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.trash_item.setText(1, str(trashed) if trashed else "")
        self.addTopLevelItem(self.trash_item)
        self.all_item.setExpanded(True)
        for dossier_id, item in self._items.items():
            item.setExpanded(first_load or dossier_id in expanded)
        target = (
            self.trash_item
            if kind == TRASH
            else self._items.get(current)
            if current is not None
            else None
        )
        self.setCurrentItem(target or self.all_item)
        self.blockSignals(False)
        self._loading = False

    def _node_item(self, node: DossierNode) -> QTreeWidgetItem:
        item = QTreeWidgetItem([node.name, str(node.document_count) if node.document_count else ""])
        item.setData(0, ID_ROLE, node.id)
        item.setData(0, KIND_ROLE, DOSSIER)
        item.setIcon(0, self._folder_icon)
        item.setToolTip(0, node.name)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsDropEnabled
        )
        self._items[node.id] = item
        self._names[node.id] = node.name
        for child in node.children:
            item.addChild(self._node_item(child))
        return item

    # -- selection -------------------------------------------------------------------------
    def current_kind(self) -> str:
        """``"all"``, ``"dossier"`` or ``"trash"``."""
        item = self.currentItem()
        return str(item.data(0, KIND_ROLE)) if item is not None else ALL

    def current_dossier_id(self) -> int | None:
        """The dossier chosen (None for « Tous les documents » and « Corbeille »)."""
        item = self.currentItem()
        if item is None or item.data(0, KIND_ROLE) != DOSSIER:
            return None
        return int(item.data(0, ID_ROLE))

    def in_trash(self) -> bool:
        """Whether « Corbeille » is chosen."""
        return self.current_kind() == TRASH

    def item_for(self, dossier_id: int) -> QTreeWidgetItem | None:
        """The item of a dossier shown."""
        return self._items.get(dossier_id)

    def dossier_name(self, dossier_id: int) -> str:
        """The name of a dossier shown ("" if unknown)."""
        item = self._items.get(dossier_id)
        return item.text(0) if item is not None else ""

    def loaded_name(self, dossier_id: int) -> str:
        """A dossier's name as last loaded (before an in-place edit)."""
        return self._names.get(dossier_id, "")

    def dossier_ids(self) -> list[int]:
        """Every dossier shown."""
        return list(self._items)

    def select_dossier(self, dossier_id: int | None) -> None:
        """Choose a dossier (None: « Tous les documents »)."""
        item = self._items.get(dossier_id) if dossier_id is not None else None
        target = item or self.all_item
        parent = target.parent()
        while parent is not None:
            parent.setExpanded(True)
            parent = parent.parent()
        self.setCurrentItem(target)

    def select_trash(self) -> None:
        """Choose « Corbeille »."""
        self.setCurrentItem(self.trash_item)

    def start_rename(self, dossier_id: int | None = None) -> None:
        """Edit a dossier's name in place (the current one by default)."""
        target = dossier_id if dossier_id is not None else self.current_dossier_id()
        item = self._items.get(target) if target is not None else None
        if item is not None:
            self.setCurrentItem(item)
            self.editItem(item, 0)

    def _current_changed(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if self._loading or current is None:
            return
        self.dossier_chosen.emit(self.current_dossier_id())

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._loading or column != 0 or item.data(0, KIND_ROLE) != DOSSIER:
            return
        self.rename_requested.emit(int(item.data(0, ID_ROLE)), item.text(0))

    # -- keys and menu ---------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        # Suppr and F2 are the tree's while it has the focus, not the window's « Supprimer ».
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_F2)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        dossier_id = self.current_dossier_id()
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            if dossier_id is not None:
                self.trash_requested.emit(dossier_id)
            return
        if event.key() == Qt.Key.Key_F2:
            self.start_rename()
            return
        super().keyPressEvent(event)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        kind = str(item.data(0, KIND_ROLE)) if item is not None else ALL
        if kind == TRASH:
            return
        dossier_id = int(item.data(0, ID_ROLE)) if item is not None and kind == DOSSIER else None
        menu = QMenu(self)
        if dossier_id is None:
            menu.addAction("Nouveau dossier…", lambda: self.create_requested.emit(None))
        else:
            menu.addAction("Nouveau sous-dossier…", lambda: self.create_requested.emit(dossier_id))
            menu.addAction(
                "Nouveau dossier au premier niveau…", lambda: self.create_requested.emit(None)
            )
            menu.addSeparator()
            menu.addAction("Renommer\tF2", lambda: self.start_rename(dossier_id))
            menu.addAction(
                "Mettre à la corbeille\tSuppr", lambda: self.trash_requested.emit(dossier_id)
            )
        menu.exec(self.viewport().mapToGlobal(pos))

    # -- drag and drop ---------------------------------------------------------------------
    def _target(self, pos: QPoint) -> tuple[bool, int | None]:
        """Whether ``pos`` is a drop target, and the dossier there (None: top level)."""
        item = self.itemAt(pos)
        if item is None:
            return True, None
        kind = item.data(0, KIND_ROLE)
        if kind == TRASH:
            return False, None
        return True, int(item.data(0, ID_ROLE)) if kind == DOSSIER else None

    def _accepts(self, event: QDragMoveEvent | QDropEvent) -> bool:
        mime = event.mimeData()
        ok, target = self._target(event.position().toPoint())
        if not ok:
            return False
        if event.source() is self:
            moved = self.current_dossier_id()
            return moved is not None and moved != target and not self._inside(target, moved)
        return mime.hasUrls() or bool(dragged_document_ids(mime))

    def _inside(self, target: int | None, moved: int) -> bool:
        """Whether dossier ``target`` is ``moved`` or one of its descendants."""
        item = self._items.get(target) if target is not None else None
        while item is not None:
            if item.data(0, ID_ROLE) == moved:
                return True
            item = item.parent()
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if event.source() is self or mime.hasUrls() or dragged_document_ids(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event):
            if event.source() is not self and event.mimeData().hasUrls():
                event.setDropAction(Qt.DropAction.CopyAction)
            else:
                event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Handled here, never by QTreeWidget: the service moves, the tree reloads."""
        if not self._accepts(event):
            event.ignore()
            return
        _ok, target = self._target(event.position().toPoint())
        mime = event.mimeData()
        if event.source() is self:
            moved = self.current_dossier_id()
            if moved is not None:
                self.move_requested.emit(moved, target)
            event.setDropAction(Qt.DropAction.IgnoreAction)  # keep the items where they are
            event.accept()
            return
        ids = dragged_document_ids(mime)
        if ids:
            if target is not None:
                self.documents_dropped.emit(ids, target)
            event.setDropAction(Qt.DropAction.IgnoreAction)
            event.accept()
            return
        paths: list[Path] = dropped_paths(mime)
        if paths:
            self.files_dropped.emit(paths, target)
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()
