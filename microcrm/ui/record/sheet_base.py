"""What every record sheet shares: form binder, address tab, history tab, save loop, closing.

The organisation sheet and the person sheet differ by their identity tab and
the services they call; everything else lives here once. Saving follows
docs/storage.md §4.1: the sheet keeps the snapshot it was loaded with (the
*base*) and saves through the services, which merge changes made meanwhile
on another workstation. Fields merged by themselves are announced in the
status line; fields changed on both sides open the conflict dialog, and
"Annuler" there keeps every edit on screen. A record deleted elsewhere
offers "Recréer".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.crm.addresses import (
    ADDRESS_LABELS,
    TYPED_FIELDS,
    AddressConflictError,
    AddressRecord,
    AddressSaveResult,
    merge_choices,
)
from microcrm.crm.merge import RecordConflictError
from microcrm.crm.sheet import HistoryEntry
from microcrm.crm.validation import format_phone
from microcrm.errors import ConflictError, MicroCRMError, ValidationError
from microcrm.text import escape_html
from microcrm.ui.address_editor import AddressEditor
from microcrm.ui.conflict_dialog import ConflictDialog, ConflictField, ask_recreate
from microcrm.ui.mailing.npai_button import NpaiButton
from microcrm.ui.record.binder import FormBinder
from microcrm.ui.record.history_tab import HistoryTab
from microcrm.ui.record.identity_tab import split_tags
from microcrm.ui.widgets import named

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow

ADDRESS_PREFIX = "address."
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
STATUS_OK, STATUS_WARN, STATUS_ERROR = "#2e7d32", "#e65100", "#c62828"
PHONE_FIELDS = frozenset({"phone", "mobile"})


class Saved(Protocol):
    """What a service's save returns: the fields taken from the other workstation."""

    @property
    def merged_from_others(self) -> tuple[str, ...]: ...


R = TypeVar("R")
S = TypeVar("S", bound=Saved)


class RecordSheet(QWidget):
    """Base of the record sheets (fiches) opened as tabs of the main window.

    Subclasses add their identity tab and the address and history tabs
    (:attr:`address_editor`, :attr:`history`) to :attr:`tabs`, then
    implement :meth:`save`, :meth:`discard`, :meth:`reload` and
    :meth:`_update_state`.

    Signals:
        saved(int): the record was saved (its id).
        title_changed(str): the tab title (name, ``*`` when modified).
        close_requested(): the user asked to close the sheet (Escape) and agreed.
    """

    saved = Signal(int)
    title_changed = Signal(str)
    close_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db = ctx.db
        self._title = ""
        self._salespeople: dict[int, str] = {}
        self._base_address = AddressRecord()
        self._base_tags: tuple[str, ...] = ()
        self.binder = FormBinder(self)
        self.address_editor = AddressEditor()
        self.history = HistoryTab()

        self.heading = named(QLabel(), "sheet-heading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.status_line = named(QLabel(), "sheet-status")
        self.status_line.setWordWrap(True)
        self.save_button = named(QPushButton("Enregistrer"), "sheet-save")
        self.save_button.setToolTip("Enregistrer la fiche (Ctrl+S)")
        self.undo_button = named(QPushButton("Annuler la dernière modification"), "sheet-undo")
        self.undo_button.setToolTip("Remet le dernier champ modifié à sa valeur précédente")
        self.npai_button = NpaiButton(self)  # a returned letter: NPAI in one click
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self.undo)
        self.tabs = named(QTabWidget(), "sheet-tabs")
        self.binder.edited.connect(lambda _name: self._update_state())

        # Widget-with-children context: several sheets live in the main window's tabs,
        # only the one holding the focus answers.
        for keys, slot in (
            (QKeySequence(QKeySequence.StandardKey.Save), self.save),
            (QKeySequence(Qt.Key.Key_Escape), self.request_close),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- what each kind of record provides -------------------------------------------------
    #: Fields of the main record (the rest of the form is the address and the tags).
    MAIN_FIELDS: tuple[str, ...] = ()

    @property
    def record_id(self) -> int | None:
        """Id of the record shown (None for a new one)."""
        raise NotImplementedError  # abstract: each sheet names its own id

    def _save_main(self, merged: list[str]) -> Any:
        """Save the main record with merge; its result (``.record``), or None if cancelled."""
        raise NotImplementedError  # abstract

    def _saved_main(self, record: Any) -> None:
        """Show the saved main record (and reset what a new row starts without)."""
        raise NotImplementedError  # abstract

    def _save_address_of(self, owner_id: int, mine: AddressRecord, base: AddressRecord) -> Any:
        """Save the owner's primary address (service call)."""
        raise NotImplementedError  # abstract

    def _set_tags_of(self, owner_id: int, tags: list[str], base: tuple[str, ...]) -> list[str]:
        """Save the owner's tags (service call); the tags as stored."""
        raise NotImplementedError  # abstract

    def discard(self) -> None:
        """Forget every edit: show the values last loaded or saved."""
        raise NotImplementedError  # abstract

    def reload(self) -> None:
        """Show the database's current values after a change on another workstation."""
        raise NotImplementedError  # abstract

    def _update_state(self) -> None:
        """Refresh the heading, the title and the undo button after an edit."""
        raise NotImplementedError  # abstract

    # -- saving -----------------------------------------------------------------------------
    def current_tags(self) -> list[str]:
        """The tag names typed."""
        return split_tags(str(self.binder.value("tags")))

    def save(self) -> bool:
        """Save the record, then its address and tags; True when all of it was saved."""
        self.binder.clear_errors()
        modified = set(self.binder.modified())
        merged: list[str] = []
        created = False
        try:
            if self.record_id is None or modified & set(self.MAIN_FIELDS):
                previous_id = self.record_id
                result = self._save_main(merged)
                if result is None:
                    return self._cancelled()
                self._saved_main(result.record)
                created = result.record.id != previous_id
            owner_id = self.record_id
            if owner_id is not None and (
                self._address_edited(modified)
                or (created and not self.current_address().is_empty())
            ):
                done = self._save_address(
                    lambda mine, base: self._save_address_of(owner_id, mine, base), merged
                )
                if not done:
                    return self._cancelled()
            tags_edited = "tags" in modified or (created and bool(self.current_tags()))
            if owner_id is not None and tags_edited:
                tags = self._set_tags_of(owner_id, self.current_tags(), self._base_tags)
                self._base_tags = tuple(tags)
                self.binder.load({"tags": ", ".join(tags)})
        except ValidationError as exc:
            self._show_validation(exc)
            return False
        except MicroCRMError as exc:
            self.set_status(exc.message, STATUS_ERROR)
            return False
        return self._saved_all(self.record_id, merged)

    # -- construction -------------------------------------------------------------------
    def _register_address(self) -> None:
        editor = self.address_editor
        country = editor.country.lineEdit()
        edits = {
            "line1": editor.line1,
            "line2": editor.line2,
            "line3": editor.line3,
            "postcode": editor.postcode,
            "city": editor.city,
        }
        for name, edit in edits.items():
            self.binder.add_line(ADDRESS_PREFIX + name, ADDRESS_LABELS[name], edit)
        if country is not None:
            self.binder.add_line(ADDRESS_PREFIX + "country", ADDRESS_LABELS["country"], country)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.npai_button)
        top.addWidget(self.undo_button)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_line)

    # -- showing ----------------------------------------------------------------------------
    @staticmethod
    def _address_values(address: AddressRecord) -> dict[str, object]:
        return {ADDRESS_PREFIX + name: getattr(address, name) for name in TYPED_FIELDS}

    def _show_history(self, entries: Sequence[HistoryEntry], total: int) -> None:
        self.history.set_history(entries, total)
        index = self.tabs.indexOf(self.history)
        if index >= 0:
            self.tabs.setTabText(index, f"Historique ({total})" if total else "Historique")

    def _set_title(self, name: str) -> None:
        title = f"{name} *" if self.is_modified() else name
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)

    def title(self) -> str:
        """The tab title (name, `` *`` when modified)."""
        return self._title

    def set_status(self, text: str, color: str = STATUS_OK) -> None:
        """The status line under the tabs."""
        self.status_line.setText(f"<span style='color:{color}'>{escape_html(text)}</span>")
        self.status_line.setProperty("plain", text)

    def status_text(self) -> str:
        """The status line as plain text."""
        return str(self.status_line.property("plain") or "")

    # -- state ----------------------------------------------------------------------------
    def is_modified(self) -> bool:
        """Whether anything on screen differs from what was loaded or last saved."""
        return bool(self.binder.modified())

    def current_address(self) -> AddressRecord:
        """The address as typed (base id and version)."""
        values = self.binder.values()
        typed = {n: str(values[ADDRESS_PREFIX + n]) for n in TYPED_FIELDS}
        return replace(self._base_address, **typed)  # type: ignore[arg-type]

    def _address_edited(self, modified: set[str]) -> bool:
        return any(n.startswith(ADDRESS_PREFIX) for n in modified)

    def undo(self) -> None:
        """Put back the value of the last field edited (sheet-wide Ctrl+Z)."""
        name = self.binder.undo()
        if name is None:
            self.set_status("Rien à annuler.", STATUS_WARN)
            return
        self._focus_field(name)
        self.set_status(f"Modification annulée : {self.binder.label(name)}.")

    # -- saving ---------------------------------------------------------------------------
    def _cancelled(self) -> bool:
        self._update_state()
        self.set_status("Enregistrement annulé : vos modifications restent à l'écran.", STATUS_WARN)
        return False

    def _saved_all(self, record_id: int | None, merged: list[str]) -> bool:
        """Announce a complete save (and what merged in) and emit :attr:`saved`."""
        self._update_state()
        if merged:
            fields = ", ".join(dict.fromkeys(merged))
            self.set_status(f"Modifié sur un autre poste, fusionné : {fields}.", STATUS_WARN)
        else:
            self.set_status("Fiche enregistrée.")
        if record_id is not None:
            self.saved.emit(record_id)
        return True

    def _save_merging(
        self,
        mine: R,
        base: R | None,
        *,
        save: Callable[[R, R | None], S],
        recreate: Callable[[R], S],
        name: str,
        labels: Mapping[str, str],
        merged: list[str],
    ) -> S | None:
        """Save with merge; loops while the record keeps changing elsewhere.

        ``name`` names the record in the "Recréer" question; ``merged``
        receives the labels of the fields taken from the other workstation.
        None when the user cancelled (conflict dialog or "Recréer").
        """
        while True:
            try:
                result = save(mine, base)
                merged += [labels.get(n, n) for n in result.merged_from_others]
                return result
            except RecordConflictError as err:
                merged += [labels.get(n, n) for n in err.merged_from_others]
                keep = self.resolve_conflict(
                    [
                        self._conflict_field(n, labels.get(n, n), err.base, err.theirs, err.mine)
                        for n in err.conflicting
                    ]
                )
                if keep is None:
                    return None
                mine, base = err.resolve(keep), err.theirs
            except ConflictError as err:
                if not err.deleted:
                    raise
                if not self.ask_recreate(name):
                    return None
                return recreate(mine)

    def _save_address(
        self,
        save: Callable[[AddressRecord, AddressRecord], AddressSaveResult],
        merged: list[str],
    ) -> bool:
        """Save the typed address with merge; False when the user cancelled a conflict."""
        mine, base = self.current_address(), self._base_address
        while True:
            try:
                result = save(mine, base)
                break
            except AddressConflictError as err:
                merged += [
                    ADDRESS_LABELS.get(n, n)
                    for n in TYPED_FIELDS
                    if getattr(err.base, n) != getattr(err.theirs, n)
                    and getattr(err.base, n) == getattr(err.mine, n)
                ]
                keep = self.resolve_conflict(
                    [
                        self._conflict_field(
                            n, ADDRESS_LABELS.get(n, n), err.base, err.theirs, err.mine
                        )
                        for n in err.conflicting
                    ]
                )
                if keep is None:
                    return False
                mine, base = merge_choices(err, keep), err.theirs
        self._base_address = result.record
        self.binder.load(self._address_values(result.record))
        merged += [ADDRESS_LABELS.get(n, n) for n in result.merged_from_others]
        return True

    def _show_validation(self, exc: ValidationError) -> None:
        name = exc.field if exc.field in self.binder.names() else ""
        if name:
            self.binder.show_error(name, exc.message)
            self._focus_field(name)
        self.set_status(f"Enregistrement impossible : {exc.message}", STATUS_ERROR)

    def _focus_field(self, name: str) -> None:
        widget = self.binder.widget(name)
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and (page is widget or page.isAncestorOf(widget)):
                self.tabs.setCurrentIndex(index)
                break
        widget.setFocus()

    # -- conflicts -----------------------------------------------------------------------
    def _conflict_field(
        self, name: str, label: str, base: object, theirs: object, mine: object
    ) -> ConflictField:
        return ConflictField(
            name=name,
            label=label,
            base=self.display_value(name, getattr(base, name)),
            theirs=self.display_value(name, getattr(theirs, name)),
            mine=self.display_value(name, getattr(mine, name)),
        )

    def display_value(self, name: str, value: object) -> str:
        """A field's value as the user reads it (conflict dialog)."""
        if isinstance(value, bool):
            return "Oui" if value else "Non"
        if value is None or value == "":
            return ""
        text = str(value)
        if name == "salesperson_id":
            return self._salespeople.get(int(text), f"n° {text}")
        if name in PHONE_FIELDS:
            return format_phone(text)
        return text

    def resolve_conflict(self, conflict_fields: list[ConflictField]) -> set[str] | None:
        """Run the conflict dialog: the fields whose mine is kept, or None when cancelled."""
        dialog = ConflictDialog(conflict_fields, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.keep_mine()
        finally:
            dialog.deleteLater()

    def ask_recreate(self, name: str) -> bool:
        """The record was deleted elsewhere: recreate it?"""
        return ask_recreate(self, name)

    # -- closing -----------------------------------------------------------------------------
    def ask_unsaved(self) -> str:
        """Ask what to do with unsaved edits: ``"save"``, ``"discard"`` or ``"cancel"``."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Fiche modifiée")
        box.setText(f"Enregistrer les modifications de « {self._title.rstrip(' *')} » ?")
        save = box.addButton("Enregistrer", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Ne pas enregistrer", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        return SAVE if clicked is save else DISCARD if clicked is discard else CANCEL

    def maybe_close(self) -> bool:
        """True when the sheet may close (saved, discarded or unmodified)."""
        if not self.is_modified():
            return True
        choice = self.ask_unsaved()
        if choice == SAVE:
            return self.save()
        if choice == DISCARD:
            self.discard()
            return True
        return False

    def request_close(self) -> None:
        """Escape: close when the user agrees."""
        if self.maybe_close():
            self.close_requested.emit()

    def _keeps_edits_on_reload(self) -> bool:
        """A sheet being edited keeps its edits on reload (they merge on save) and says so."""
        if not self.is_modified():
            return False
        self.set_status(
            "Fiche modifiée sur un autre poste : vos modifications seront fusionnées "
            "à l'enregistrement.",
            STATUS_WARN,
        )
        return True


def attach_to_window(window: MainWindow, sheet: RecordSheet) -> RecordSheet:
    """Wire a sheet to the main window's tabs: title, Escape closes, saves refresh the list."""
    tabs = window.tabs

    def retitle(title: str) -> None:
        index = tabs.indexOf(sheet)
        if index >= 0:
            tabs.setTabText(index, title)

    def close() -> None:
        index = tabs.indexOf(sheet)
        if index >= 0:
            window.close_tab(index)

    sheet.title_changed.connect(retitle)
    sheet.close_requested.connect(close)
    sheet.saved.connect(lambda _id: window.refresh())
    return sheet
