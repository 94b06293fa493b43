"""The changes made in a client's Documents tab, each undone by Ctrl+Z.

Dossiers are created, renamed, moved and trashed; documents are moved
between dossiers, trashed and restored. Each change goes through the GED
service, then pushes how to undo it (the service's inverse call) on the
tab's own stack: the window's Ctrl+Z reaches it through the sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer

from microcrm.errors import MicroCRMError
from microcrm.ged.records import DocumentInfo
from microcrm.ged.service import Ged
from microcrm.text import counted
from microcrm.ui.ged.document_table import DocumentTable, DocumentTableModel
from microcrm.ui.ged.dossier_tree import DossierTree
from microcrm.ui.ged.index_service import IndexService

STATUS_OK, STATUS_WARN, STATUS_ERROR = "#2e7d32", "#e65100", "#c62828"
UNDO_DEPTH = 50


@dataclass
class GedUndo:
    """One undoable change of the tab: what the status line says, and how to undo it."""

    label: str
    undo: Callable[[], None]


class DocumentEditing:
    """Dossier and document changes of :class:`~microcrm.ui.ged.documents_tab.DocumentsTab`.

    A mixin: the tab provides the widgets and services declared here, and
    :meth:`reload`, :meth:`_refresh_after_change`, :meth:`selected_documents`
    and :meth:`_say`.
    """

    ged: Ged
    index: IndexService
    tree: DossierTree
    model: DocumentTableModel
    table: DocumentTable
    organisation_id: int | None
    _undo: list[GedUndo]
    _search_mode: bool

    def reload(self) -> None:
        """Read the tree and the documents shown again (the tab's)."""
        raise NotImplementedError

    def _refresh_after_change(self) -> None:
        raise NotImplementedError

    def selected_documents(self) -> list[DocumentInfo]:
        """The documents selected (the tab's)."""
        raise NotImplementedError

    def _say(self, text: str, color: str = STATUS_OK) -> None:
        raise NotImplementedError

    # -- dossiers ----------------------------------------------------------------------------
    def create_dossier(self, parent_id: int | None) -> int | None:
        """A new dossier (under ``parent_id``), then its name is edited in place."""
        org = self.organisation_id
        if org is None:
            return None
        taken = {self.tree.dossier_name(i).casefold() for i in self.tree.dossier_ids()}
        name, n = "Nouveau dossier", 2
        while name.casefold() in taken:
            name, n = f"Nouveau dossier {n}", n + 1
        try:
            dossier_id = self.ged.create_dossier(name, organisation_id=org, parent_id=parent_id)
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            return None
        self.reload()
        self.tree.select_dossier(dossier_id)
        self.tree.start_rename(dossier_id)
        return dossier_id

    def rename_dossier(self, dossier_id: int, name: str) -> None:
        """Rename a dossier (in-place edit of the tree); Ctrl+Z gives its name back."""
        old = self.tree.loaded_name(dossier_id)
        try:
            self.ged.rename_dossier(dossier_id, name)
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
        else:
            new = " ".join(name.split())
            self._push_undo(
                f"Renommage du dossier « {old} »",
                lambda: self.ged.rename_dossier(dossier_id, old),
            )
            self._say(f"Dossier « {old} » renommé « {new} » — Ctrl+Z pour annuler.")
            self.index.catch_up()
        # After the in-place editor has closed: the tree's items are rebuilt.
        QTimer.singleShot(0, self.reload)

    def move_dossier(self, dossier_id: int, parent_id: int | None) -> None:
        """Move a dossier under another (None: top level); Ctrl+Z moves it back."""
        item = self.tree.item_for(dossier_id)
        parent = item.parent() if item is not None else None
        old_parent = (
            int(parent.data(0, Qt.ItemDataRole.UserRole))
            if parent is not None and parent.data(0, Qt.ItemDataRole.UserRole + 1) == "dossier"
            else None
        )
        name = self.tree.dossier_name(dossier_id)
        if not self._run(lambda: self.ged.move_dossier(dossier_id, parent_id)):
            return
        self._push_undo(
            f"Déplacement du dossier « {name} »",
            lambda: self.ged.move_dossier(dossier_id, old_parent),
        )
        self._refresh_after_change()
        where = self.tree.dossier_name(parent_id) if parent_id is not None else "premier niveau"
        self._say(f"Dossier « {name} » déplacé dans « {where} » — Ctrl+Z pour annuler.")

    def trash_dossier(self, dossier_id: int) -> None:
        """Put a dossier, its sub-dossiers and their documents in the trash (Ctrl+Z undoes)."""
        name = self.tree.dossier_name(dossier_id)
        try:
            count = len(self.ged.documents(dossier_id=dossier_id, include_subdossiers=True))
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            return
        if not self._run(lambda: self.ged.trash_dossier(dossier_id)):
            return
        label = f"Dossier « {name} » mis à la corbeille"
        if count:
            label += f" avec {counted(count, 'document')}"
        self._push_undo(label, lambda: self.ged.restore_dossier(dossier_id))
        self._refresh_after_change()
        self._say(f"{label} — Ctrl+Z pour annuler.")

    def move_documents(self, ids: Sequence[int], dossier_id: int) -> None:
        """Move documents into a dossier (dragged from the list); Ctrl+Z moves them back."""
        docs = {d.id: d for d in self.model.documents()}
        before = [(i, docs[i].dossier_id) for i in ids if i in docs]
        moved = [i for i, old in before if old != dossier_id]
        if not moved:
            return

        def move() -> None:
            for doc_id in moved:
                self.ged.update_document(doc_id, dossier_id=dossier_id)

        def back() -> None:
            for doc_id, old in before:
                if old is not None and old != dossier_id:
                    self.ged.update_document(doc_id, dossier_id=old)

        if not self._run(move):
            return
        name = self.tree.dossier_name(dossier_id)
        label = f"{counted(len(moved), 'document déplacé', 'documents déplacés')} dans « {name} »"
        self._push_undo(label, back)
        self._refresh_after_change()
        self._say(f"{label} — Ctrl+Z pour annuler.")

    # -- trash and undo ----------------------------------------------------------------------
    def _delete_key(self) -> None:
        if self.tree.in_trash() and not self._search_mode:
            return
        self.trash_selected()

    def trash_selected(self) -> None:
        """Put the selected documents in the trash (Ctrl+Z brings them back)."""
        ids = [d.id for d in self.selected_documents()]
        if not ids or not self._run(lambda: self.ged.trash(ids)):
            return
        label = counted(len(ids), "document mis à la corbeille", "documents mis à la corbeille")
        self._push_undo(label, lambda: self.ged.restore(ids))
        self._refresh_after_change()
        self._say(f"{label} — Ctrl+Z pour annuler.")

    def restore_selected(self) -> None:
        """Take the selected documents out of the trash."""
        ids = [d.id for d in self.selected_documents()]
        if not ids or not self._run(lambda: self.ged.restore(ids)):
            return
        label = counted(len(ids), "document restauré", "documents restaurés")
        self._push_undo(label, lambda: self.ged.trash(ids))
        self._refresh_after_change()
        self._say(f"{label}.")

    def can_undo(self) -> bool:
        """Whether the tab has a change to undo."""
        return bool(self._undo)

    def undo(self) -> None:
        """Undo the tab's last change (trash, restore, move)."""
        if not self._undo:
            self._say("Rien à annuler.", STATUS_WARN)
            return
        step = self._undo.pop()
        if self._run(step.undo):
            self._refresh_after_change()
            self._say(f"Annulé : {step.label}.")

    def _push_undo(self, label: str, undo: Callable[[], None]) -> None:
        self._undo.append(GedUndo(label, undo))
        del self._undo[:-UNDO_DEPTH]

    def _run(self, action: Callable[[], Any]) -> bool:
        """Call the service; a refused change is said in the status line."""
        try:
            action()
        except MicroCRMError as exc:
            self._say(exc.message, STATUS_ERROR)
            self.reload()
            return False
        return True
