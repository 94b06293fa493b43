"""The document list of the Documents tab: model and view, with drops and drags.

A client holds dozens to a few thousand documents: the rows are held in
memory (Python-side sort, no proxy model). Files dropped on the list are
filed in the dossier shown; rows dragged onto a dossier of the tree move
there. Suppr trashes, Ctrl+Z undoes: the view takes both keys while it has
the focus (``ShortcutOverride``) so the window's actions do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QTableView,
    QWidget,
)

from microcrm.ged.records import DocumentInfo
from microcrm.text import escape_html, file_size, short_date, short_datetime
from microcrm.ui.ged.common import (
    DOCUMENT_IDS_MIME,
    document_ids_mime,
    dropped_paths,
    type_label,
)
from microcrm.ui.models.columns import RIGHT, Column, Index
from microcrm.ui.models.rows import RowsTableModel

TITLE, TYPE, DATE, VERSION, SIZE, FILED_BY, DOSSIER = range(7)
ID_ROLE = Qt.ItemDataRole.UserRole


def _sort_key(doc: DocumentInfo, column: int) -> tuple[object, ...]:
    keys: dict[int, object] = {
        TITLE: doc.title.casefold(),
        TYPE: doc.doc_type.casefold(),
        DATE: _date_key(doc),
        VERSION: doc.current_version,
        SIZE: doc.size or 0,
        FILED_BY: str(doc.filed_by or "").casefold(),
        DOSSIER: doc.dossier_path.casefold(),
    }
    return (keys[column], doc.title.casefold(), doc.id)


def _date_key(doc: DocumentInfo) -> str:
    if doc.doc_date is not None:
        return doc.doc_date.isoformat()[:10]
    return doc.filed_at.isoformat()[:10] if doc.filed_at is not None else ""


class DocumentTableModel(RowsTableModel[DocumentInfo]):
    """The documents shown (a dossier, the whole client, its trash or search hits)."""

    COLUMNS = (
        Column("Titre"),
        Column("Type"),
        Column("Date"),
        Column("Version", RIGHT),
        Column("Taille", RIGHT),
        Column("Classé par"),
        Column("Dossier"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self._snippets: dict[int, str] = {}
        self._warning_icon: QIcon | None = None
        self._sort = (DATE, Qt.SortOrder.DescendingOrder)

    def set_documents(
        self,
        documents: Sequence[DocumentInfo],
        snippets: dict[int, str] | None = None,
        *,
        keep_order: bool = False,
    ) -> None:
        """Replace the rows (sorted as the header says, unless ``keep_order``: search rank)."""
        self.beginResetModel()
        self._rows = list(documents)
        self._snippets = dict(snippets or {})
        if not keep_order:
            self._apply_sort()
        self.endResetModel()

    def document(self, row: int) -> DocumentInfo:
        """The document of a row."""
        return self.row(row)

    def documents(self) -> list[DocumentInfo]:
        """Every document shown, in display order."""
        return self.rows()

    def row_of(self, document_id: int) -> int | None:
        """The row of a document, if shown."""
        for row, doc in enumerate(self._rows):
            if doc.id == document_id:
                return row
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        doc = self._rows[index.row()]
        column = index.column()
        value: object = None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._display(doc, column)
        elif role == ID_ROLE:
            value = doc.id
        elif role == Qt.ItemDataRole.DecorationRole and column == TITLE and doc.extraction_note:
            value = self._icon()
        elif role == Qt.ItemDataRole.ToolTipRole:
            value = self._tooltip(doc, column)
        elif role == Qt.ItemDataRole.TextAlignmentRole:
            value = self.alignment(column)
        return value

    def _icon(self) -> QIcon:
        if self._warning_icon is None:
            self._warning_icon = QApplication.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning
            )
        return self._warning_icon

    @staticmethod
    def _display(doc: DocumentInfo, column: int) -> str:
        values = (
            doc.title,
            type_label(doc.doc_type),
            short_date(doc.doc_date or doc.filed_at, local=True),
            f"v{doc.current_version}",
            file_size(doc.size),
            str(doc.filed_by or ""),
            doc.dossier_path,
        )
        return values[column]

    def _tooltip(self, doc: DocumentInfo, column: int) -> str | None:
        if column == TITLE:
            lines = [f"<b>{escape_html(doc.title)}</b>", escape_html(doc.filename)]
            if doc.extraction_note:
                lines.append(
                    f"<span style='color:#e65100'>Texte non indexé : "
                    f"{escape_html(doc.extraction_note)}</span><br>Le document reste retrouvable "
                    "par son nom et ses informations."
                )
            snippet = self._snippets.get(doc.id)
            if snippet:
                lines.append(f"<i>{snippet}</i>")
            if doc.tags:
                lines.append(f"Étiquettes : {escape_html(_tags_text(doc.tags))}")
            return "<br>".join(lines)
        if column == DATE and doc.filed_at:
            return f"Classé le {short_datetime(doc.filed_at, local=True, at=True)}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return  # the indicator was cleared (search hits keep their rank)
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._apply_sort()
        self.layoutChanged.emit()

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        """The column and order rows are sorted by."""
        return self._sort

    def _apply_sort(self) -> None:
        column, order = self._sort
        self._rows.sort(
            key=lambda d: _sort_key(d, column), reverse=order == Qt.SortOrder.DescendingOrder
        )

    # -- drag out --------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [DOCUMENT_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return document_ids_mime(self._rows[r].id for r in rows)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction


def _tags_text(tags: object) -> str:
    if isinstance(tags, str):
        return tags
    if isinstance(tags, (list, tuple, set, frozenset)):
        return ", ".join(str(t) for t in tags)
    return str(tags)


class DocumentTable(QTableView):
    """The list; Enter opens, Suppr trashes, Ctrl+Z undoes, dropped files are filed.

    Signals:
        open_requested(int): open a document (double-click, Enter).
        trash_requested(): trash the selection (Suppr).
        undo_requested(): Ctrl+Z while the list has the focus.
        files_dropped(object): a list of Path dropped on the list.
    """

    open_requested = Signal(int)
    trash_requested = Signal()
    undo_requested = Signal()
    files_dropped = Signal(object)

    def __init__(self, model: DocumentTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-documents")
        self.setModel(model)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(DATE, Qt.SortOrder.DescendingOrder)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDropIndicatorShown(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(24)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (TYPE, 110),
            (DATE, 90),
            (VERSION, 64),
            (SIZE, 76),
            (FILED_BY, 120),
            (DOSSIER, 150),
        ):
            self.setColumnWidth(column, width)
        self.doubleClicked.connect(self._double_clicked)

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(int(index.data(ID_ROLE)))

    def event(self, event: QEvent) -> bool:
        # Suppr and Ctrl+Z belong to the list while it has the focus, not to the window.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (event.key() == Qt.Key.Key_Delete or event.matches(QKeySequence.StandardKey.Undo))
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(int(index.siblingAtColumn(0).data(ID_ROLE)))
            return
        if event.key() == Qt.Key.Key_Delete:
            self.trash_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
            return
        super().keyPressEvent(event)

    # -- drops from outside ----------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.source() is not self and event.mimeData().hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.source() is not self and event.mimeData().hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths: list[Path] = dropped_paths(event.mimeData()) if event.source() is not self else []
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.files_dropped.emit(paths)

    def show_sort_indicator(self, shown: bool) -> None:
        """Show the sort arrow of the model's order, or none (search hits in rank order)."""
        header = self.horizontalHeader()
        header.blockSignals(True)
        model = self.model()
        if shown and isinstance(model, DocumentTableModel):
            header.setSortIndicator(*model.sort_state())
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def selected_rows(self) -> list[int]:
        """Rows with a selected cell (``selectedRows`` misses them when a column is hidden)."""
        return sorted({i.row() for i in self.selectionModel().selectedIndexes()})

    def selected_ids(self) -> list[int]:
        """Ids of the selected documents, in display order."""
        rows = self.selected_rows()
        model = self.model()
        return [int(model.index(r, 0).data(ID_ROLE)) for r in rows]

    def select_document(self, document_id: int, *, add: bool = False) -> bool:
        """Select and show a document's row (``add``: keep the rows selected); False if absent.

        Goes through the selection model: ``selectRow`` toggles a row already selected.
        """
        model = self.model()
        if not isinstance(model, DocumentTableModel):
            return False
        row = model.row_of(document_id)
        if row is None:
            return False
        flag = QItemSelectionModel.SelectionFlag
        command = (flag.Select if add else flag.ClearAndSelect) | flag.Rows
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(index, command)
        self.scrollTo(index)
        return True
