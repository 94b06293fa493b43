"""The sheet (fiche) of a private customer or a staff member, opened from the list as a tab.

Same behaviour and API as the organisation's sheet (both are
:class:`~microcrm.ui.record.sheet_base.RecordSheet`): the person, their address
and their tags are saved in that order, each with its own concurrency check,
merging what another workstation saved meanwhile. A private customer moves
along the lifecycle with the buttons of the identity tab; each move goes into
the history. Contacts of an organisation keep their dialog in its sheet.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from microcrm.app import AppContext
from microcrm.crm.addresses import AddressRecord, save_person_address
from microcrm.crm.persons import (
    EDITABLE,
    PERSON_LABELS,
    PersonRecord,
    PersonSaveResult,
    PersonSheetData,
    change_person_stage,
    load_person_history,
    load_person_sheet,
    recreate_person,
    save_person,
)
from microcrm.crm.sheet import stage_label
from microcrm.crm.tags import set_person_tags
from microcrm.errors import ConflictError, MicroCRMError, NotFoundError
from microcrm.text import escape_html
from microcrm.ui.record.person_identity_tab import PersonIdentityTab
from microcrm.ui.record.sheet_base import STATUS_ERROR, RecordSheet, attach_to_window

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow

PERSON_FIELDS = tuple(n for n in EDITABLE if n not in ("stage", "is_staff"))
"""Person fields edited in the form (the lifecycle goes through its own buttons)."""
NAME_FIELDS = ("civility", "first_name", "last_name")


class PersonSheet(RecordSheet):
    """The fiche of one private customer or staff member (``person_id=None``: a new one).

    ``staff`` only matters for a new sheet: an existing person is shown as
    what they are.

    Signals:
        saved(int): the person was saved (their id).
        title_changed(str): the tab title (name, ``*`` when modified).
        close_requested(): the user asked to close the sheet (Escape) and agreed.

    Raises:
        NotFoundError: from the constructor, when the person does not exist
            or is in the trash.
    """

    def __init__(
        self,
        ctx: AppContext,
        person_id: int | None,
        parent: QWidget | None = None,
        *,
        staff: bool = False,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("person-sheet")
        self.person_id = person_id
        data = load_person_sheet(self.db, person_id, staff=staff)
        self._base = data.record
        self._base_address = data.address
        self._base_tags = data.tags

        self.identity = PersonIdentityTab(self.binder, staff=data.record.is_staff)
        self._register_address()
        self.tabs.addTab(self.identity, "Identité")
        self.tabs.addTab(self.address_editor, "Adresse")
        self.tabs.addTab(self.history, "Historique")
        self._build_layout()

        self.identity.stage_requested.connect(self._move_to)
        self.binder.edited.connect(
            lambda name: self._show_recipient() if name in NAME_FIELDS else None
        )
        self._show(data)

    @property
    def is_staff(self) -> bool:
        """Whether the sheet shows a staff member (else a private customer)."""
        return self._base.is_staff

    # -- showing data --------------------------------------------------------------------
    def _person_values(self, record: PersonRecord) -> dict[str, object]:
        return {name: getattr(record, name) for name in PERSON_FIELDS}

    def _show(self, data: PersonSheetData) -> None:
        self._salespeople = dict(data.salespeople)
        self.identity.set_choices(list(data.salespeople), list(data.all_tags))
        values = self._person_values(data.record)
        values.update(self._address_values(data.address))
        values["tags"] = ", ".join(data.tags)
        self.binder.load(values)
        self._show_recipient()
        self._show_stage()
        self._show_history(data.history, data.history_total)
        self._update_state()

    def _show_recipient(self) -> None:
        self.address_editor.set_recipient(self.current_record().display_name)

    def _show_stage(self) -> None:
        self.identity.set_stage(stage_label(self._base.stage), self._base.stage)

    def _placeholder_name(self) -> str:
        if self.person_id is not None:
            return "Sans nom"
        return "Nouveau membre du personnel" if self.is_staff else "Nouveau particulier"

    def _update_state(self) -> None:
        self.undo_button.setEnabled(self.binder.can_undo())
        name = self.current_record().display_name or self._placeholder_name()
        if self.is_staff:
            role = str(self.binder.value("role")).strip()
            badge = "Personnel" + (f" — {role}" if role else "")
        else:
            badge = f"Particulier — {stage_label(self._base.stage)}"
        self.heading.setText(
            f"<span style='font-size:15pt; font-weight:600'>{escape_html(name)}</span>"
            f"&nbsp;&nbsp;<span style='color:#1565c0'>[{escape_html(badge)}]</span>"
        )
        self._set_title(name)

    # -- state ----------------------------------------------------------------------------
    def current_record(self) -> PersonRecord:
        """The person as edited (base id, version, stage and kind)."""
        values = self.binder.values()
        return replace(self._base, **{n: values[n] for n in PERSON_FIELDS})  # type: ignore[arg-type]

    def discard(self) -> None:
        """Forget every edit: show the values last loaded or saved."""
        values = self._person_values(self._base)
        values.update(self._address_values(self._base_address))
        values["tags"] = ", ".join(self._base_tags)
        self.binder.load(values)
        self.binder.clear_errors()
        self._show_recipient()
        self._update_state()

    # -- saving (RecordSheet.save calls these) ------------------------------------------
    MAIN_FIELDS = tuple(PERSON_FIELDS)

    @property
    def record_id(self) -> int | None:
        """Id of the record shown (None for a new one)."""
        return self.person_id

    def _save_main(self, merged: list[str]) -> Any:
        return self._save_person(self.current_record(), merged)

    def _saved_main(self, record: Any) -> None:
        self._saved_person(record)

    def _save_address_of(self, owner_id: int, mine: AddressRecord, base: AddressRecord) -> Any:
        return save_person_address(self.db, owner_id, mine, base)

    def _set_tags_of(self, owner_id: int, tags: list[str], base: tuple[str, ...]) -> list[str]:
        return set_person_tags(self.db, owner_id, tags, base)

    def _save_person(self, mine: PersonRecord, merged: list[str]) -> PersonSaveResult | None:
        # Phones read in the region of the postcode on screen (0590… in Guadeloupe).
        postcode = self.current_address().postcode.strip()
        return self._save_merging(
            mine,
            self._base if mine.id is not None else None,
            save=lambda m, b: save_person(self.db, m, b, postcode=postcode),
            recreate=lambda m: recreate_person(self.db, m, postcode=postcode),
            name=mine.display_name,
            labels=PERSON_LABELS,
            merged=merged,
        )

    def _saved_person(self, record: PersonRecord) -> None:
        created = record.id != self.person_id
        self._base = record
        self.person_id = record.id
        self.binder.load(self._person_values(record))
        self._show_stage()
        if created:
            # A new row (new person, or "Recréer" of one gone for good): its address and
            # tags are saved anew.
            self._base_address = AddressRecord()
            self._base_tags = ()

    def display_value(self, name: str, value: object) -> str:
        """A field's value as the user reads it (conflict dialog)."""
        if name == "stage" and isinstance(value, str) and value:
            return stage_label(value)
        return super().display_value(name, value)

    # -- lifecycle -------------------------------------------------------------------------
    def _move_to(self, stage: str) -> None:
        """A lifecycle button: save pending identity edits first, then move and log it."""
        if (self.person_id is None or set(self.binder.modified()) & set(PERSON_FIELDS)) and (
            not self.save()
        ):
            return
        assert self.person_id is not None
        try:
            try:
                record = change_person_stage(self.db, self.person_id, self._base.version_id, stage)
            except ConflictError as err:
                if err.deleted:
                    raise
                # Saved elsewhere meanwhile; the form holds no identity edit: reload, retry.
                fresh = load_person_sheet(self.db, self.person_id)
                self._saved_person(fresh.record)
                record = change_person_stage(self.db, self.person_id, self._base.version_id, stage)
        except MicroCRMError as exc:
            self.set_status(exc.message, STATUS_ERROR)
            return
        self._saved_person(record)
        self._show_history(*load_person_history(self.db, self.person_id))
        self._update_state()
        self.set_status(f"La fiche passe en {stage_label(stage).lower()}.")
        self.saved.emit(self.person_id)

    # -- changes from other workstations ------------------------------------------------------
    def reload(self) -> None:
        """Show the database's current values, after a change made on another workstation.

        A sheet being edited keeps its edits (they merge on save) and says so; a
        person deleted meanwhile stays on screen with a warning ("Recréer" on save).
        """
        if self.person_id is None or self._keeps_edits_on_reload():
            return
        try:
            data = load_person_sheet(self.db, self.person_id)
        except NotFoundError:
            self.set_status("Cette fiche a été supprimée sur un autre poste.", STATUS_ERROR)
            return
        self._base, self._base_address, self._base_tags = data.record, data.address, data.tags
        self._show(data)


def open_person_sheet(
    window: MainWindow, person_id: int | None, *, staff: bool = False
) -> PersonSheet | None:
    """Build a person's sheet for the main window and wire it to its tabs (None if not found).

    ``staff`` makes a new sheet (``person_id=None``) a staff member rather
    than a private customer.
    """
    try:
        sheet = PersonSheet(window.ctx, person_id, staff=staff)
    except NotFoundError as exc:
        QMessageBox.warning(window, "Fiche", exc.message)
        return None
    attach_to_window(window, sheet)
    return sheet
