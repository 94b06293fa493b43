"""The record sheet (fiche) of an organisation, opened from the list as a tab.

The save loop, merge and conflict handling, address and history tabs and
closing are :class:`~microcrm.ui.record.sheet_base.RecordSheet`'s. The
organisation, its address and its tags are saved in that order, each with
its own concurrency check; contacts are saved as soon as their dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from microcrm.app import AppContext
from microcrm.crm.addresses import AddressRecord, save_primary_address
from microcrm.crm.codes import headcount_label, legal_form_label
from microcrm.crm.contacts import ContactRecord, remove_contact, save_contact
from microcrm.crm.parties import (
    EDITABLE,
    FIELD_LABELS,
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
    save_record,
    stage_label,
)
from microcrm.crm.tags import set_organisation_tags
from microcrm.errors import ConflictError, MicroCRMError, NotFoundError
from microcrm.text import escape_html
from microcrm.ui.ged.documents_tab import DocumentsTab
from microcrm.ui.record.contacts_tab import ContactsTab
from microcrm.ui.record.identity_tab import IdentityTab, show_siren, show_siret
from microcrm.ui.record.sheet_base import (
    ADDRESS_PREFIX,
    CANCEL,
    DISCARD,
    SAVE,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_WARN,
    RecordSheet,
    attach_to_window,
)

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow

ORG_FIELDS = tuple(n for n in EDITABLE if n not in ("stage", "traite"))
"""Organisation fields edited in the form (the lifecycle goes through its own buttons)."""
__all__ = [
    "ADDRESS_PREFIX",
    "CANCEL",
    "DISCARD",
    "SAVE",
    "STATUS_ERROR",
    "STATUS_OK",
    "STATUS_WARN",
    "OrganisationSheet",
    "open_sheet",
]


class OrganisationSheet(RecordSheet):
    """The fiche of one organisation (``org_id=None``: a new one).

    Signals:
        saved(int): the organisation was saved (its id).
        title_changed(str): the tab title (name, ``*`` when modified).
        close_requested(): the user asked to close the sheet (Escape) and agreed.

    Raises:
        NotFoundError: from the constructor, when the organisation does not
            exist or is in the trash.
    """

    def __init__(self, ctx: AppContext, org_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("organisation-sheet")
        self.org_id = org_id
        data = load_sheet(self.db, org_id)
        self._data = data
        self._base = data.record
        self._base_address = data.address
        self._base_tags = data.tags

        self.identity = IdentityTab(self.binder)
        self._register_address()
        self.contacts = ContactsTab(self._save_contact, self._remove_contact)
        self.tabs.addTab(self.identity, "Identité")
        self.tabs.addTab(self.address_editor, "Adresse")
        self.tabs.addTab(self.contacts, "Contacts")
        self.tabs.addTab(self.history, "Historique")
        self.documents = DocumentsTab(ctx, org_id)  # loads when first shown
        self.tabs.addTab(self.documents, "Documents")
        self._build_layout()

        self.identity.traite_clicked.connect(self._traite_clicked)
        self.identity.to_client_clicked.connect(lambda: self._move_to("client"))
        self.identity.to_former_clicked.connect(lambda: self._move_to("ancien_client"))
        self.identity.name.textChanged.connect(self.address_editor.set_recipient)
        self.contacts.contacts_changed.connect(self._contacts_counted)
        self.contacts.status.connect(self.set_status)
        self.documents.status.connect(self.set_status)
        self._show(data)

    # -- showing data --------------------------------------------------------------------
    def _org_values(self, record: OrganisationRecord) -> dict[str, object]:
        return {name: getattr(record, name) for name in ORG_FIELDS}

    def _show(self, data: SheetData) -> None:
        self._salespeople = dict(data.salespeople)
        self.identity.set_choices(list(data.salespeople), list(data.all_tags))
        values = self._org_values(data.record)
        values.update(self._address_values(data.address))
        values["tags"] = ", ".join(data.tags)
        self.binder.load(values)
        self.address_editor.set_recipient(data.record.name)
        self._show_stage()
        self.contacts.set_organisation(data.record.id, data.contacts)
        self._contacts_counted(len(data.contacts))
        self._show_history(data.history, data.history_total)
        self._update_state()

    def _show_stage(self) -> None:
        base = self._base
        self.identity.set_stage(stage_label(base.stage), base.stage, base.traite)

    def _contacts_counted(self, count: int) -> None:
        self.tabs.setTabText(2, f"Contacts ({count})" if count else "Contacts")

    def _update_state(self) -> None:
        self.undo_button.setEnabled(self.binder.can_undo())
        name = str(self.binder.value("name")).strip() or (
            "Nouvelle fiche" if self.org_id is None else "Sans nom"
        )
        enseigne = str(self.binder.value("enseigne")).strip()
        stage = stage_label(self._base.stage)
        self.heading.setText(
            f"<span style='font-size:15pt; font-weight:600'>{escape_html(name)}</span>"
            + (
                f"&nbsp;&nbsp;<span style='color:#607d8b'>{escape_html(enseigne)}</span>"
                if enseigne
                else ""
            )
            + f"&nbsp;&nbsp;<span style='color:#1565c0'>[{stage}]</span>"
        )
        self._set_title(name)

    # -- state ----------------------------------------------------------------------------
    def current_record(self) -> OrganisationRecord:
        """The organisation as edited (base id, version, stage and *Traité*)."""
        values = self.binder.values()
        return replace(self._base, **{n: values[n] for n in ORG_FIELDS})  # type: ignore[arg-type]

    def discard(self) -> None:
        """Forget every edit: show the values last loaded or saved."""
        values = self._org_values(self._base)
        values.update(self._address_values(self._base_address))
        values["tags"] = ", ".join(self._base_tags)
        self.binder.load(values)
        self.binder.clear_errors()
        self._update_state()

    # -- saving (RecordSheet.save calls these) ------------------------------------------
    MAIN_FIELDS = tuple(ORG_FIELDS)

    @property
    def record_id(self) -> int | None:
        """Id of the record shown (None for a new one)."""
        return self.org_id

    def _save_main(self, merged: list[str]) -> Any:
        return self._save_organisation(self.current_record(), merged)

    def _saved_main(self, record: Any) -> None:
        self._saved_organisation(record)

    def _save_address_of(self, owner_id: int, mine: AddressRecord, base: AddressRecord) -> Any:
        return save_primary_address(self.db, owner_id, mine, base)

    def _set_tags_of(self, owner_id: int, tags: list[str], base: tuple[str, ...]) -> list[str]:
        return set_organisation_tags(self.db, owner_id, tags, base)

    def _save_organisation(self, mine: OrganisationRecord, merged: list[str]) -> SaveResult | None:
        """Save with merge (``merged`` receives the labels of the fields merged in)."""
        return self._save_merging(
            mine,
            self._base if mine.id is not None else None,
            save=lambda m, b: save_record(self.db, m, b),
            recreate=lambda m: recreate_organisation(self.db, m),
            name=mine.name,
            labels=FIELD_LABELS,
            merged=merged,
        )

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
            if record.id is not None:
                self.documents.set_organisation(record.id)
            self._base_address = AddressRecord()
            self._base_tags = ()

    # -- conflicts -----------------------------------------------------------------------
    def display_value(self, name: str, value: object) -> str:
        """A field's value as the user reads it (conflict dialog)."""
        shown: dict[str, Callable[[str], str]] = {
            "siret": show_siret,
            "siren": show_siren,
            "headcount_band": lambda c: f"{c} — {headcount_label(c)}".rstrip(" —"),
            "legal_form": lambda c: f"{c} — {legal_form_label(c)}".rstrip(" —"),
            "stage": stage_label,
        }
        show = shown.get(name)
        if show is None or isinstance(value, bool) or value is None or value == "":
            return super().display_value(name, value)
        return show(str(value))

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
        self._show_history(*load_history(self.db, self.org_id))
        self._update_state()
        self.saved.emit(self.org_id)
        return True

    # -- documents (GED) ---------------------------------------------------------------------
    def undo(self) -> None:
        """Ctrl+Z: on the Documents tab, its last change (trash, move); else the last field."""
        if self.tabs.currentWidget() is self.documents:
            self.documents.undo()
        else:
            super().undo()

    def show_document(self, document_id: int) -> bool:
        """The Documents tab, with a document selected in its dossier."""
        self.tabs.setCurrentWidget(self.documents)
        return self.documents.show_document(document_id)

    # -- contacts ----------------------------------------------------------------------------
    def _save_contact(self, record: ContactRecord) -> ContactRecord:
        return save_contact(self.db, record)

    def _remove_contact(self, person_id: int) -> None:
        remove_contact(self.db, person_id)

    # -- changes from other workstations ------------------------------------------------------
    def reload(self) -> None:
        """Show the database's current values, after a change made on another workstation.

        A sheet being edited keeps its edits (they merge on save) and says so; a
        record deleted meanwhile stays on screen with a warning ("Recréer" on save).
        """
        if self.org_id is None or self._keeps_edits_on_reload():
            return
        try:
            data = load_sheet(self.db, self.org_id)
        except NotFoundError:
            self.set_status("Cette fiche a été supprimée sur un autre poste.", STATUS_ERROR)
            return
        self._data = data
        self._base, self._base_address, self._base_tags = data.record, data.address, data.tags
        self._show(data)


def open_sheet(window: MainWindow, record_id: int | None) -> OrganisationSheet | None:
    """Build a sheet for the main window and wire it to its tabs (None if not found)."""
    try:
        sheet = OrganisationSheet(window.ctx, record_id)
    except NotFoundError as exc:
        QMessageBox.warning(window, "Fiche", exc.message)
        return None
    attach_to_window(window, sheet)
    return sheet
