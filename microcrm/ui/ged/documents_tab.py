"""The « Documents » tab of an organisation's sheet: Client > Dossier > Documents.

Left, the client's dossiers (:class:`DossierTree`); right, the documents of
the dossier chosen (:class:`DocumentTable`), a search box scoped to this
client, and an optional preview pane. Files dropped on the tab, a dossier or
the list are filed in a worker (a file with the name of a document already
there becomes its new version); the index catches up right after, so the
document is searchable within a couple of seconds. Trash and moves are
undone with Ctrl+Z.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.errors import MicroCRMError
from microcrm.ged.records import AddResult, DocumentInfo, DossierNode
from microcrm.ged.search import SearchResults
from microcrm.ged.service import Ged
from microcrm.text import counted, escape_html, plural, thousands
from microcrm.ui.ged.common import dropped_paths, open_document
from microcrm.ui.ged.document_table import DocumentTable, DocumentTableModel
from microcrm.ui.ged.documents_editing import (
    STATUS_ERROR,
    STATUS_OK,
    STATUS_WARN,
    DocumentEditing,
    GedUndo,
)
from microcrm.ui.ged.dossier_tree import DossierTree
from microcrm.ui.ged.filing import FilingQueue, filing_summary
from microcrm.ui.ged.index_service import IndexService, LiveSearch, SearchReply
from microcrm.ui.ged.preview import PreviewWidget
from microcrm.ui.ged.versions_dialog import VersionsDialog
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task

SEARCH_LIMIT = 100


def _count_nodes(nodes: Sequence[DossierNode]) -> int:
    return sum(n.document_count + _count_nodes(n.children) for n in nodes)


class DocumentsTab(DocumentEditing, QWidget):
    """A client's GED: dossier tree, documents, search, filing by drag and drop.

    Signals:
        status(str, str): a message for the sheet's status line, and its colour.
        filed(object): a filing ended (the list of :class:`AddResult`).
        documents_changed(): documents were filed, moved, trashed or restored.
    """

    status = Signal(str, str)
    filed = Signal(object)
    documents_changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        organisation_id: int | None,
        parent: QWidget | None = None,
        *,
        index: IndexService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ged-documents-tab")
        self.ctx = ctx
        self.organisation_id = organisation_id
        self.ged: Ged = ctx.open_ged()
        self.index = index or IndexService.for_context(ctx)
        self.filing = FilingQueue.for_context(ctx)
        self._loaded = False
        self._undo: list[GedUndo] = []
        self._filing: Task | None = None
        self._search_mode = False

        self.tree = DossierTree()
        self.model = DocumentTableModel(self)
        self.table = DocumentTable(self.model)
        self.preview = PreviewWidget()
        self.preview.hide()
        self.search = named(QLineEdit(), "ged-client-search")
        self.search.setPlaceholderText(
            'Rechercher dans les documents de ce client : mots, "phrase", préfixe*, date:2025'
        )
        self.search.setClearButtonEnabled(True)
        self.search.setAcceptDrops(False)  # files dropped here are filed, not typed
        self.caption = named(QLabel(), "ged-caption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.live = LiveSearch(
            self.index, limit=SEARCH_LIMIT, enrich=self._documents_of, parent=self
        )
        self._build_buttons()
        self._build_layout()
        self.setAcceptDrops(True)
        self._connect()
        self.setEnabled(organisation_id is not None)

    # -- construction ------------------------------------------------------------------------
    def _build_buttons(self) -> None:
        self.add_button = named(QPushButton("Ajouter des fichiers…"), "ged-add")
        self.add_button.setToolTip("Ou glissez des fichiers / e-mails (.eml, .msg) sur l'onglet")
        self.open_button = named(QPushButton("Ouvrir"), "ged-open")
        self.preview_button = named(QPushButton("Afficher l'aperçu"), "ged-preview-toggle")
        self.preview_button.setCheckable(True)
        self.versions_button = named(QPushButton("Versions…"), "ged-versions-button")
        self.trash_button = named(QPushButton("Mettre à la corbeille"), "ged-trash")
        self.restore_button = named(QPushButton("Restaurer"), "ged-restore")

    def _build_layout(self) -> None:
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.caption)
        right_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.preview_button, self.versions_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.trash_button)
        buttons.addWidget(self.restore_button)
        right_layout.addLayout(buttons)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([220, 640, 420])
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        tree, table = self.tree, self.table
        tree.dossier_chosen.connect(lambda _id: self._dossier_chosen())
        tree.create_requested.connect(self.create_dossier)
        tree.rename_requested.connect(self.rename_dossier)
        tree.trash_requested.connect(self.trash_dossier)
        tree.move_requested.connect(self.move_dossier)
        tree.files_dropped.connect(self.file_paths)
        tree.documents_dropped.connect(self.move_documents)
        table.files_dropped.connect(lambda paths: self.file_paths(paths, self._drop_dossier()))
        table.open_requested.connect(self.open_document)
        table.trash_requested.connect(self._delete_key)
        table.undo_requested.connect(self.undo)
        table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.add_button.clicked.connect(self.add_files_dialog)
        self.open_button.clicked.connect(self._open_selected)
        self.preview_button.toggled.connect(self.set_preview_visible)
        self.versions_button.clicked.connect(self.show_versions)
        self.trash_button.clicked.connect(self.trash_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self.live.run_now)
        self.live.answered.connect(self._search_answered)
        self.live.failed.connect(self._search_failed)
        self.live.cleared.connect(self._search_cleared)
        self.live.waiting.connect(self.caption.setText)
        self.index.index_changed.connect(lambda _n: self.live.refresh())

    # -- loading -----------------------------------------------------------------------------
    def set_organisation(self, organisation_id: int) -> None:
        """The sheet was saved as a new organisation: its GED becomes available."""
        self.organisation_id = organisation_id
        self.setEnabled(True)
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and self.organisation_id is not None:
            self.reload()
            self.filing.warm_up()  # a drop is likely: start the extraction workers

    def ensure_loaded(self) -> None:
        """Load the tree and the list if not done yet (the tab loads when first shown)."""
        if not self._loaded and self.organisation_id is not None:
            self.reload()

    def reload(self) -> None:
        """Read the tree and the documents shown again (selection kept)."""
        org = self.organisation_id
        if org is None:
            return
        try:
            nodes = self.ged.tree(organisation_id=org)
            trashed = len(self.ged.documents(organisation_id=org, trashed=True))
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            return
        self._loaded = True
        self.tree.set_tree(nodes, self._total(nodes), trashed)
        self._show_current()

    def _total(self, nodes: Sequence[DossierNode]) -> int:
        return _count_nodes(nodes)

    def _show_current(self) -> None:
        """Fill the list for the dossier chosen (unless a search is shown)."""
        if self._search_mode or self.organisation_id is None:
            return
        selected = self.table.selected_ids()
        org = self.organisation_id
        kind = self.tree.current_kind()
        dossier_id = self.tree.current_dossier_id()
        try:
            if kind == "trash":
                docs = self.ged.documents(organisation_id=org, trashed=True)
                caption = "Corbeille : documents restaurables"
            elif dossier_id is None:
                docs = self.ged.documents(organisation_id=org)
                caption = "Tous les documents"
            else:
                docs = self.ged.documents(dossier_id=dossier_id, include_subdossiers=True)
                caption = self._dossier_caption(dossier_id)
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            return
        self.model.set_documents(docs)
        self.table.setColumnHidden(6, kind == "dossier" and not self._has_children(dossier_id))
        self.caption.setText(
            f"<b>{escape_html(caption)}</b> — {counted(len(docs), 'document')}"
        )
        for n, doc_id in enumerate(selected):
            self.table.select_document(doc_id, add=n > 0)
        self._selection_changed()

    def _dossier_caption(self, dossier_id: int) -> str:
        item = self.tree.item_for(dossier_id)
        names: list[str] = []
        while item is not None and item.data(0, Qt.ItemDataRole.UserRole + 1) == "dossier":
            names.append(item.text(0))
            item = item.parent()
        return " / ".join(reversed(names))

    def _has_children(self, dossier_id: int | None) -> bool:
        item = self.tree.item_for(dossier_id) if dossier_id is not None else None
        return item is not None and item.childCount() > 0

    def _drop_dossier(self) -> int | None:
        """Where files dropped on the list or the tab go: the dossier shown, if any."""
        return None if self._search_mode else self.tree.current_dossier_id()

    # -- selection and buttons ---------------------------------------------------------------
    def selected_documents(self) -> list[DocumentInfo]:
        """The documents selected, in display order."""
        rows = self.table.selected_rows()
        return [self.model.document(r) for r in rows]

    def _selection_changed(self) -> None:
        docs = self.selected_documents()
        in_trash = self.tree.in_trash() and not self._search_mode
        one = len(docs) == 1
        self.open_button.setEnabled(one)
        self.versions_button.setEnabled(one and not in_trash)
        self.trash_button.setVisible(not in_trash)
        self.restore_button.setVisible(in_trash)
        self.trash_button.setEnabled(bool(docs))
        self.restore_button.setEnabled(bool(docs))
        if self.preview.isVisible():
            self._update_preview()

    def set_preview_visible(self, visible: bool) -> None:
        """Show or hide the preview pane (« Afficher l'aperçu »)."""
        self.preview_button.blockSignals(True)
        self.preview_button.setChecked(visible)
        self.preview_button.blockSignals(False)
        self.preview_button.setText("Masquer l'aperçu" if visible else "Afficher l'aperçu")
        self.preview.setVisible(visible)
        if visible:
            self._update_preview()

    def _update_preview(self) -> None:
        docs = self.selected_documents()
        if len(docs) != 1:
            self.preview.show_message("Sélectionnez un document pour en voir l'aperçu.")
            return
        doc = docs[0]
        store = self.ged.store
        self.preview.show_file(
            store.object_path(doc.sha256), doc.mime_type, store.read_text(doc.sha256)
        )

    # -- opening -----------------------------------------------------------------------------
    def open_document(self, document_id: int) -> None:
        """Open a document with the system application (a read-only copy)."""
        try:
            path = open_document(self.ged, document_id)
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            return
        except OSError as exc:
            self._say(f"Impossible de préparer le fichier : {exc.strerror or exc}", STATUS_ERROR)
            return
        self._say(f"« {path.name} » ouvert (copie en lecture seule).")

    def _open_selected(self) -> None:
        docs = self.selected_documents()
        if len(docs) == 1:
            self.open_document(docs[0].id)

    def show_versions(self) -> VersionsDialog | None:
        """« Versions… » of the selected document (modal)."""
        docs = self.selected_documents()
        if len(docs) != 1:
            return None
        dialog = VersionsDialog(self.ged, docs[0].id, self)
        dialog.restored.connect(lambda old, new: self._version_restored(docs[0], old, new))
        dialog.open()
        return dialog

    def _version_restored(self, doc: DocumentInfo, old: int, new: int) -> None:
        self._refresh_after_change()
        self._say(f"« {doc.title} » : contenu de la version {old} rétabli (version {new}).")

    def show_document(self, document_id: int) -> bool:
        """Show a document in its dossier, selected (« Afficher dans le dossier »)."""
        self.ensure_loaded()
        try:
            doc = self.ged.document(document_id)
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            return False
        if self.search.text():
            self.search.clear()
        if doc.deleted_at is not None:
            self.tree.select_trash()
        else:
            self.tree.select_dossier(doc.dossier_id)
        self._show_current()
        found = self.table.select_document(document_id)
        if found:
            self.table.setFocus()
        return found

    # -- filing ------------------------------------------------------------------------------
    def add_files_dialog(self) -> None:
        """« Ajouter des fichiers… »: choose files to file in the dossier shown."""
        names, _filter = QFileDialog.getOpenFileNames(
            self,
            "Ajouter des documents",
            str(Path.home()),
            "Tous les fichiers (*);;"
            "Documents (*.pdf *.docx *.odt *.xlsx *.txt *.csv *.html *.rtf);;"
            "E-mails (*.eml *.msg);;Images (*.png *.jpg *.jpeg *.tif *.tiff)",
        )
        if names:
            self.file_paths([Path(n) for n in names], self._drop_dossier())

    def file_paths(self, paths: Sequence[Path], dossier_id: int | None) -> Task | None:
        """File ``paths`` for this client in ``dossier_id`` (None: chosen by type), in a worker."""
        org = self.organisation_id
        files = [p for p in paths if p.is_file()]
        if org is None or not files:
            return None
        dialog = QProgressDialog("Classement des documents…", "Annuler", 0, len(files), self)
        dialog.setWindowTitle("Documents")
        dialog.setMinimumDuration(500)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)

        def job(ged: Ged, progress: ProgressFn, cancelled: Callable[[], bool]) -> list[AddResult]:
            return ged.add_files(
                files,
                organisation_id=org,
                dossier_id=dossier_id,
                progress=progress,
                cancelled=cancelled,
            )

        def progressed(done: int, total: int, message: str) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, max(total, 1)))
            if message:
                dialog.setLabelText(message)

        def finished(result: object) -> None:
            dialog.reset()
            self._filed(list(result) if isinstance(result, list) else [])

        def failed(exc: object, _tb: str) -> None:
            dialog.reset()
            message = exc.message if isinstance(exc, MicroCRMError) else str(exc)
            self._say(f"Classement interrompu : {message}", STATUS_ERROR)
            self._refresh_after_change()
            self.filed.emit([])

        def cancelled() -> None:
            dialog.reset()
            self._say("Classement annulé : les fichiers déjà classés le restent.", STATUS_WARN)
            self._refresh_after_change()
            self.filed.emit([])

        self._say(f"Classement de {counted(len(files), 'fichier')}…")
        task = self.filing.submit(
            job,
            on_progress=progressed,
            on_finished=finished,
            on_failed=failed,
            on_cancelled=cancelled,
        )
        dialog.canceled.connect(task.cancel)
        self._filing = task
        return task

    def _filed(self, results: list[AddResult]) -> None:
        self._filing = None
        self._refresh_after_change()
        text, warn = filing_summary(results)
        self._say(text, STATUS_WARN if warn else STATUS_OK)
        for n, result in enumerate(results):
            self.table.select_document(result.document_id, add=n > 0)
        self.filed.emit(results)

    def _refresh_after_change(self) -> None:
        self.reload()
        if self._search_mode:
            self.live.refresh()
        self.index.catch_up()
        self.documents_changed.emit()

    def refresh(self) -> None:
        """Documents changed on another workstation: reload what is shown."""
        if self._loaded:
            self.reload()

    # -- search ------------------------------------------------------------------------------
    def _documents_of(self, results: SearchResults) -> list[DocumentInfo]:
        """The documents of the hits (engine thread: the list shows full rows)."""
        ged = self.ged  # reads only: one short session per call, safe from this thread
        docs = []
        for hit in results.hits:
            try:
                docs.append(ged.document(hit.document_id))
            except MicroCRMError:
                continue  # trashed or gone since the index last caught up
        return docs

    def _search_changed(self, text: str) -> None:
        self.live.organisation_id = self.organisation_id
        self.live.request(text)

    def _search_answered(self, reply: object) -> None:
        assert isinstance(reply, SearchReply)
        results = reply.results
        docs: list[DocumentInfo] = list(reply.extra or [])
        if not self._search_mode:
            self._search_mode = True
            # The hits come from every dossier of the client, in rank order.
            self.tree.blockSignals(True)
            self.tree.select_dossier(None)
            self.tree.blockSignals(False)
            self.table.show_sort_indicator(False)
        snippets = {h.document_id: h.snippet for h in results.hits}
        self.model.set_documents(docs, snippets, keep_order=True)
        self.table.setColumnHidden(6, False)
        total = (
            "plus de 1 000"
            if results.total_is_estimate and results.total > 1000
            else thousands(results.total)
        )
        self.caption.setText(
            f"<b>Recherche « {escape_html(results.query)} »</b> — {total} "
            f"{plural(results.total, 'document trouvé', 'documents trouvés')}"
        )
        self._selection_changed()

    def _search_failed(self, message: str) -> None:
        self.caption.setText(f"<span style='color:{STATUS_ERROR}'>{escape_html(message)}</span>")

    def _search_cleared(self) -> None:
        if self._search_mode:
            self._search_mode = False
            self.table.show_sort_indicator(True)
            self._show_current()

    def _dossier_chosen(self) -> None:
        """A dossier chosen while a search is shown ends the search."""
        if self.search.text():
            self.search.clear()  # → cleared → the dossier chosen is shown
        else:
            self._show_current()

    # -- drops on the tab itself -------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.organisation_id is not None and event.mimeData().hasUrls():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event.mimeData())
        if self.organisation_id is None or not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.file_paths(paths, self._drop_dossier())

    # -- status ------------------------------------------------------------------------------
    def _say(self, text: str, color: str = STATUS_OK) -> None:
        self.status.emit(text, color)
