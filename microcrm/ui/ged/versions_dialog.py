"""« Versions… »: a document's versions, newest first; view one, open it, restore it.

Restoring never rewrites anything: the service makes the chosen version the
current one (docs/storage.md §4.3, objects are immutable), so the version
that was current stays in the list and can be restored in turn.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.errors import MicroCRMError
from microcrm.ged.records import VersionInfo
from microcrm.ged.service import Ged
from microcrm.text import escape_html, file_size, short_datetime
from microcrm.ui.ged.common import open_document
from microcrm.ui.ged.preview import PreviewWidget
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.widgets import named


class VersionTableModel(RowsTableModel[VersionInfo]):
    """The versions of one document (a handful: held in memory), newest first."""

    COLUMNS = text_columns("Version", "Fichier", "Taille", "Déposée le", "Par", "Texte")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self.current = 0

    def set_versions(self, versions: Sequence[VersionInfo], current: int) -> None:
        """Replace the rows; ``current`` is the number of the current version."""
        self.beginResetModel()
        self._rows = sorted(versions, key=lambda v: v.number, reverse=True)
        self.current = current
        self.endResetModel()

    def version(self, row: int) -> VersionInfo:
        """The version of a row."""
        return self.row(row)

    def row_of(self, number: int) -> int | None:
        """The row of version ``number``."""
        return next((r for r, v in enumerate(self._rows) if v.number == number), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        v = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            number = f"v{v.number}" + (" (actuelle)" if v.number == self.current else "")
            values = (
                number,
                v.filename,
                file_size(v.size),
                short_datetime(v.created_at, local=True, at=True),
                str(v.created_by or ""),
                "non lu" if v.extraction_note else "indexé",
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5 and v.extraction_note:
            return v.extraction_note
        if role == Qt.ItemDataRole.FontRole and v.number == self.current:
            font = QLabel().font()
            font.setBold(True)
            return font
        return None


class VersionsDialog(QDialog):
    """Versions of one document, with a preview of the version selected.

    Signals:
        restored(int, int): the content of a version (its number) was made current again,
            as a new version (its number).
    """

    restored = Signal(int, int)

    def __init__(self, ged: Ged, document_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-versions")
        self.ged = ged
        self.document_id = document_id
        self.model = VersionTableModel(self)
        self.table = named(QTableView(), "ged-versions-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.heading = named(QLabel(), "ged-versions-heading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.preview = PreviewWidget()
        self.open_button = named(QPushButton("Ouvrir cette version"), "ged-version-open")
        self.restore_button = named(QPushButton("Restaurer cette version"), "ged-version-restore")
        self.restore_button.setToolTip(
            "Cette version redevient la version actuelle ; les autres restent dans la liste."
        )
        close = QPushButton("Fermer")
        close.clicked.connect(self.accept)
        self.open_button.clicked.connect(self.open_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.heading)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(1100, 560)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.reload()

    def reload(self) -> None:
        """Read the document and its versions again."""
        doc = self.ged.document(self.document_id)
        self.setWindowTitle(f"Versions — {doc.title}")
        self.heading.setText(
            f"<b>{escape_html(doc.title)}</b> — version actuelle : v{doc.current_version}"
        )
        self.model.set_versions(self.ged.versions(self.document_id), doc.current_version)
        if self.model.rowCount():
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> VersionInfo | None:
        """The version selected."""
        index = self.table.currentIndex()
        return self.model.version(index.row()) if index.isValid() else None

    def select_version(self, number: int) -> None:
        """Select version ``number``."""
        row = self.model.row_of(number)
        if row is not None:
            self.table.selectRow(row)

    def _selection_changed(self) -> None:
        version = self.selected()
        self.open_button.setEnabled(version is not None)
        self.restore_button.setEnabled(version is not None and version.number != self.model.current)
        if version is None:
            self.preview.show_message("Aucune version.")
            return
        store = self.ged.store
        self.preview.show_file(
            store.object_path(version.sha256), _mime_of(version), store.read_text(version.sha256)
        )

    def open_selected(self) -> None:
        """Open the selected version with the system application."""
        version = self.selected()
        if version is None:
            return
        try:
            open_document(self.ged, self.document_id, version=version.number)
        except (MicroCRMError, OSError) as exc:
            QMessageBox.warning(self, "Versions", _error_text(exc))

    def restore_selected(self) -> None:
        """Make the selected version the current one."""
        version = self.selected()
        if version is None or version.number == self.model.current:
            return
        try:
            new = self.ged.restore_version(self.document_id, version.number)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Versions", exc.message)
            return
        self.reload()
        self.restored.emit(version.number, new)


def _mime_of(version: VersionInfo) -> str:
    name = version.filename.lower()
    if name.endswith(".pdf"):
        return "application/pdf"
    return ""


def _error_text(exc: Exception) -> str:
    if isinstance(exc, MicroCRMError):
        return exc.message
    if isinstance(exc, OSError):
        return f"Impossible d'écrire la copie : {exc.strerror or exc}"
    return str(exc)
