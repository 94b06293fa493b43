"""The record sheet (fiche) of an organisation, opened from the list as a tab.

Saving follows storage-design §4.1: the sheet keeps the snapshot it was
loaded with (the *base*) and saves through the services, which merge
changes made meanwhile on another workstation. Fields merged by themselves
are announced in the status line; fields changed on both sides open the
conflict dialog, and "Annuler" there keeps every edit on screen. The
organisation, its address and its tags are saved in that order, each with
its own concurrency check; contacts are saved as soon as their dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

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
    merge_choices,
    save_primary_address,
)
from microcrm.crm.codes import headcount_label, legal_form_label
from microcrm.crm.contacts import ContactRecord, remove_contact, save_contact
from microcrm.crm.parties import (
    EDITABLE,
    FIELD_LABELS,
    MergeConflictError,
    OrganisationRecord,
    SaveResult,
    set_traite,
)
from microcrm.crm.sheet import (
    SheetData,
    load_history,
    load_sheet,
    move_to_stage,
    recreate_organisation,
    resolve_conflict,
    save_record,
    stage_label,
)
from microcrm.crm.tags import set_organisation_tags
from microcrm.crm.validation import format_phone
from microcrm.errors import ConflictError, MicroCRMError, NotFoundError, ValidationError
from microcrm.ui.address_editor import AddressEditor
from microcrm.ui.conflict_dialog import ConflictDialog, ConflictField, ask_recreate
from microcrm.ui.record.binder import FormBinder
from microcrm.ui.record.contacts_tab import ContactsTab
from microcrm.ui.record.history_tab import HistoryTab
from microcrm.ui.record.identity_tab import IdentityTab, show_siren, show_siret, split_tags
from microcrm.ui.widgets import named

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow

ORG_FIELDS = tuple(n for n in EDITABLE if n not in ("stage", "traite"))
"""Organisation fields edited in the form (the lifecycle goes through its own buttons)."""
ADDRESS_PREFIX = "address."
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
STATUS_OK, STATUS_WARN, STATUS_ERROR = "#2e7d32", "#e65100", "#c62828"


class OrganisationSheet(QWidget):
    """The fiche of one organisation (``org_id=None``: a new one).

    Signals:
        saved(int): the organisation was saved (its id).
        title_changed(str): the tab title (name, ``*`` when modified).
        close_requested(): the user asked to close the sheet (Escape) and agreed.

    Raises:
        NotFoundError: from the constructor, when the organisation does not
            exist or is in the trash.
    """

    saved = Signal(int)
    title_changed = Signal(str)
    close_requested = Signal()

    def __init__(
        self, ctx: AppContext, org_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("organisation-sheet")
        self.ctx = ctx
        self.db = ctx.db
        self.org_id = org_id
        self._title = ""
        data = load_sheet(self.db, org_id)
        self._data = data
        self._base = data.record
        self._base_address = data.address
        self._base_tags = data.tags

        self.binder = FormBinder(self)
        self.identity = IdentityTab(self.binder)
        self.address_editor = AddressEditor()
        self._register_address()
        self.contacts = ContactsTab(self._save_contact, self._remove_contact)
        self.history = HistoryTab()

        self.heading = named(QLabel(), "sheet-heading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.status_line = named(QLabel(), "sheet-status")
        self.status_line.setWordWrap(True)
        self.save_button = named(QPushButton("Enregistrer"), "sheet-save")
        self.save_button.setToolTip("Enregistrer la fiche (Ctrl+S)")
        self.undo_button = named(QPushButton("Annuler la dernière modification"), "sheet-undo")
        self.undo_button.setToolTip("Remet le dernier champ modifié à sa valeur précédente")
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self.undo)

        self.tabs = named(QTabWidget(), "sheet-tabs")
        self.tabs.addTab(self.identity, "Identité")
        self.tabs.addTab(self.address_editor, "Adresse")
        self.tabs.addTab(self.contacts, "Contacts")
        self.tabs.addTab(self.history, "Historique")
        self._build_layout()

        self.identity.traite_clicked.connect(self._traite_clicked)
        self.identity.to_client_clicked.connect(lambda: self._move_to("client"))
        self.identity.to_former_clicked.connect(lambda: self._move_to("ancien_client"))
        self.identity.name.textChanged.connect(self.address_editor.set_recipient)
        self.contacts.contacts_changed.connect(self._contacts_counted)
        self.contacts.status.connect(self.set_status)
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

        self._show(data)

    # -- construction -------------------------------------------------------------------
    def _register_address(self) -> None:
        editor = self.address_editor
        country = editor.country.lineEdit()
        edits = {
            "line1": editor.line1, "line2": editor.line2, "line3": editor.line3,
            "postcode": editor.postcode, "city": editor.city,
        }
        for name, edit in edits.items():
            self.binder.add_line(ADDRESS_PREFIX + name, ADDRESS_LABELS[name], edit)
        if country is not None:
            self.binder.add_line(ADDRESS_PREFIX + "country", ADDRESS_LABELS["country"], country)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.undo_button)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_line)

    # -- showing data --------------------------------------------------------------------
    def _org_values(self, record: OrganisationRecord) -> dict[str, object]:
        return {name: getattr(record, name) for name in ORG_FIELDS}

    @staticmethod
    def _address_values(address: AddressRecord) -> dict[str, object]:
        return {ADDRESS_PREFIX + name: getattr(address, name) for name in TYPED_FIELDS}

    def _show(self, data: SheetData) -> None:
        self.identity.set_choices(list(data.salespeople), list(data.all_tags))
        values = self._org_values(data.record)
        values.update(self._address_values(data.address))
        values["tags"] = ", ".join(data.tags)
        self.binder.load(values)
        self.address_editor.set_recipient(data.record.name)
        self._show_stage()
        self.contacts.set_organisation(data.record.id, data.contacts)
        self._contacts_counted(len(data.contacts))
        self.history.set_history(data.history, data.history_total)
        self._history_counted(data.history_total)
        self._update_state()

    def _show_stage(self) -> None:
        base = self._base
        self.identity.set_stage(stage_label(base.stage), base.stage, base.traite)

    def _contacts_counted(self, count: int) -> None:
        self.tabs.setTabText(2, f"Contacts ({count})" if count else "Contacts")

    def _history_counted(self, count: int) -> None:
        self.tabs.setTabText(3, f"Historique ({count})" if count else "Historique")

    def _update_state(self) -> None:
        modified = self.is_modified()
        self.undo_button.setEnabled(self.binder.can_undo())
        name = str(self.binder.value("name")).strip() or (
            "Nouvelle fiche" if self.org_id is None else "Sans nom"
        )
        enseigne = str(self.binder.value("enseigne")).strip()
        stage = stage_label(self._base.stage)
        self.heading.setText(
            f"<span style='font-size:15pt; font-weight:600'>{_html(name)}</span>"
            + (f"&nbsp;&nbsp;<span style='color:#607d8b'>{_html(enseigne)}</span>"
               if enseigne else "")
            + f"&nbsp;&nbsp;<span style='color:#1565c0'>[{stage}]</span>"
        )
        title = f"{name} *" if modified else name
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)

    def title(self) -> str:
        """The tab title (name, `` *`` when modified)."""
        return self._title

    def set_status(self, text: str, color: str = STATUS_OK) -> None:
        """The status line under the tabs."""
        self.status_line.setText(f"<span style='color:{color}'>{_html(text)}</span>")
        self.status_line.setProperty("plain", text)

    def status_text(self) -> str:
        """The status line as plain text."""
        return str(self.status_line.property("plain") or "")

    # -- state ----------------------------------------------------------------------------
    def is_modified(self) -> bool:
        """Whether anything on screen differs from what was loaded or last saved."""
        return bool(self.binder.modified())

    def current_record(self) -> OrganisationRecord:
        """The organisation as edited (base id, version, stage and *Traité*)."""
        values = self.binder.values()
        return replace(self._base, **{n: values[n] for n in ORG_FIELDS})  # type: ignore[arg-type]

    def current_address(self) -> AddressRecord:
        """The address as typed (base id and version)."""
        values = self.binder.values()
        typed = {n: str(values[ADDRESS_PREFIX + n]) for n in TYPED_FIELDS}
        return replace(self._base_address, **typed)  # type: ignore[arg-type]

    def current_tags(self) -> list[str]:
        """The tag names typed."""
        return split_tags(str(self.binder.value("tags")))

    def undo(self) -> None:
        """Put back the value of the last field edited (sheet-wide Ctrl+Z)."""
        name = self.binder.undo()
        if name is None:
            self.set_status("Rien à annuler.", STATUS_WARN)
            return
        self._focus_field(name)
        self.set_status(f"Modification annulée : {self.binder.label(name)}.")

    def discard(self) -> None:
        """Forget every edit: show the values last loaded or saved."""
        values = self._org_values(self._base)
        values.update(self._address_values(self._base_address))
        values["tags"] = ", ".join(self._base_tags)
        self.binder.load(values)
        self.binder.clear_errors()
        self._update_state()

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the organisation, then its address and tags; True when all of it was saved."""
        self.binder.clear_errors()
        modified = set(self.binder.modified())
        merged: list[str] = []
        created = False
        try:
            if self.org_id is None or modified & set(ORG_FIELDS):
                previous_id = self.org_id
                result = self._save_organisation(self.current_record(), merged)
                if result is None:
                    return self._cancelled()
                self._saved_organisation(result.record)
                created = result.record.id != previous_id
            address_edited = any(n.startswith(ADDRESS_PREFIX) for n in modified)
            if self.org_id is not None and (
                address_edited or (created and not self.current_address().is_empty())
            ):
                done = self._save_address(merged)
                if not done:
                    return self._cancelled()
            tags_edited = "tags" in modified or (created and bool(self.current_tags()))
            if self.org_id is not None and tags_edited:
                tags = set_organisation_tags(
                    self.db, self.org_id, self.current_tags(), self._base_tags
                )
                self._base_tags = tuple(tags)
                self.binder.load({"tags": ", ".join(tags)})
        except ValidationError as exc:
            self._show_validation(exc)
            return False
        except MicroCRMError as exc:
            self.set_status(exc.message, STATUS_ERROR)
            return False
        self._update_state()
        if merged:
            fields = ", ".join(dict.fromkeys(merged))
            self.set_status(f"Modifié sur un autre poste, fusionné : {fields}.", STATUS_WARN)
        else:
            self.set_status("Fiche enregistrée.")
        if self.org_id is not None:
            self.saved.emit(self.org_id)
        return True

    def _cancelled(self) -> bool:
        self._update_state()
        self.set_status(
            "Enregistrement annulé : vos modifications restent à l'écran.", STATUS_WARN
        )
        return False

    def _save_organisation(
        self, mine: OrganisationRecord, merged: list[str]
    ) -> SaveResult | None:
        """Save with merge; loops while the record keeps changing elsewhere.

        ``merged`` receives the labels of the fields taken from the other workstation.
        """
        base: OrganisationRecord | None = self._base if mine.id is not None else None
        while True:
            try:
                result = save_record(self.db, mine, base)
                merged += [FIELD_LABELS.get(n, n) for n in result.merged_from_others]
                return result
            except MergeConflictError as err:
                merged += [
                    FIELD_LABELS.get(n, n) for n in EDITABLE
                    if getattr(err.base, n) != getattr(err.theirs, n)
                    and getattr(err.base, n) == getattr(err.mine, n)
                ]
                keep = self.resolve_conflict(
                    [self._conflict_field(n, err.base, err.theirs, err.mine)
                     for n in err.conflicting]
                )
                if keep is None:
                    return None
                mine, base = resolve_conflict(err, keep), err.theirs
            except ConflictError as err:
                if not err.deleted:
                    raise
                if not self.ask_recreate(mine.name):
                    return None
                return recreate_organisation(self.db, mine)

    def _saved_organisation(self, record: OrganisationRecord) -> None:
        created = record.id != self.org_id
        self._base = record
        self.org_id = record.id
        self.binder.load(self._org_values(record))
        self._show_stage()
        if created:
            # A new row (new record, or "Recréer" of one gone for good): no contacts yet,
            # and its address and tags are saved anew.
            self.contacts.set_organisation(record.id, [])
            self._contacts_counted(0)
            self._base_address = AddressRecord()
            self._base_tags = ()

    def _save_address(self, merged: list[str]) -> bool:
        assert self.org_id is not None
        mine, base = self.current_address(), self._base_address
        while True:
            try:
                result = save_primary_address(self.db, self.org_id, mine, base)
                break
            except AddressConflictError as err:
                merged += [
                    ADDRESS_LABELS.get(n, n) for n in TYPED_FIELDS
                    if getattr(err.base, n) != getattr(err.theirs, n)
                    and getattr(err.base, n) == getattr(err.mine, n)
                ]
                keep = self.resolve_conflict(
                    [self._conflict_field(n, err.base, err.theirs, err.mine, address=True)
                     for n in err.conflicting]
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
        self, name: str, base: object, theirs: object, mine: object, *, address: bool = False
    ) -> ConflictField:
        label = ADDRESS_LABELS.get(name, name) if address else FIELD_LABELS.get(name, name)
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
            return dict(self._data.salespeople).get(int(text), f"n° {text}")
        shown: dict[str, Callable[[str], str]] = {
            "phone": format_phone,
            "siret": show_siret,
            "siren": show_siren,
            "headcount_band": lambda c: f"{c} — {headcount_label(c)}".rstrip(" —"),
            "legal_form": lambda c: f"{c} — {legal_form_label(c)}".rstrip(" —"),
            "stage": stage_label,
        }
        show = shown.get(name)
        return show(text) if show else text

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

    # -- lifecycle -------------------------------------------------------------------------
    def _traite_clicked(self, checked: bool) -> None:
        was_suspect = self._base.stage == "suspect"
        done = self._lifecycle(lambda i, v: set_traite(self.db, i, v, checked))
        if done and checked and was_suspect:
            self.set_status("Traité : la fiche passe de Suspect à Prospect.")
        elif done:
            self.set_status("Traité coché." if checked else "Traité décoché.")

    def _move_to(self, stage: str) -> None:
        if self._lifecycle(lambda i, v: move_to_stage(self.db, i, v, stage)):
            self.set_status(f"La fiche passe en {stage_label(stage).lower()}.")

    def _lifecycle(self, change: Callable[[int, int], OrganisationRecord]) -> bool:
        """Run a lifecycle change (saving pending identity edits first)."""
        if (self.org_id is None or set(self.binder.modified()) & set(ORG_FIELDS)) and (
            not self.save()
        ):
            self._show_stage()
            return False
        assert self.org_id is not None
        try:
            try:
                record = change(self.org_id, self._base.version_id)
            except ConflictError as err:
                if err.deleted:
                    raise
                # Saved elsewhere meanwhile; the form holds no identity edit: reload, retry.
                fresh = load_sheet(self.db, self.org_id)
                self._saved_organisation(fresh.record)
                record = change(self.org_id, self._base.version_id)
        except MicroCRMError as exc:
            self._show_stage()
            self.set_status(exc.message, STATUS_ERROR)
            return False
        self._saved_organisation(record)
        entries, total = load_history(self.db, self.org_id)
        self.history.set_history(entries, total)
        self._history_counted(total)
        self._update_state()
        self.saved.emit(self.org_id)
        return True

    # -- contacts ----------------------------------------------------------------------------
    def _save_contact(self, record: ContactRecord) -> ContactRecord:
        return save_contact(self.db, record)

    def _remove_contact(self, person_id: int) -> None:
        remove_contact(self.db, person_id)

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

    # -- changes from other workstations ------------------------------------------------------
    def reload(self) -> None:
        """Show the database's current values, after a change made on another workstation.

        A sheet being edited keeps its edits (they merge on save) and says so; a
        record deleted meanwhile stays on screen with a warning ("Recréer" on save).
        """
        if self.org_id is None:
            return
        if self.is_modified():
            self.set_status(
                "Fiche modifiée sur un autre poste : vos modifications seront fusionnées "
                "à l'enregistrement.", STATUS_WARN,
            )
            return
        try:
            data = load_sheet(self.db, self.org_id)
        except NotFoundError:
            self.set_status("Cette fiche a été supprimée sur un autre poste.", STATUS_ERROR)
            return
        self._data = data
        self._base, self._base_address, self._base_tags = data.record, data.address, data.tags
        self._show(data)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_sheet(window: MainWindow, record_id: int | None) -> OrganisationSheet | None:
    """Build a sheet for the main window and wire it to its tabs (None if not found)."""
    try:
        sheet = OrganisationSheet(window.ctx, record_id)
    except NotFoundError as exc:
        QMessageBox.warning(window, "Fiche", exc.message)
        return None
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

