"""Fix, from the publipostage wizard, the address that kept a recipient out of the run.

The dialog embeds the sheet's :class:`~microcrm.ui.address_editor.AddressEditor`
(live NF Z10-011 block and diagnosis) and saves through the same services as
the record sheet, so the address is normalised and journalled as usual; the
wizard then checks the recipients again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from microcrm.app import AppContext
from microcrm.crm.addresses import (
    AddressRecord,
    load_person_address,
    load_primary_address,
    save_person_address,
    save_primary_address,
)
from microcrm.errors import MicroCRMError
from microcrm.mailing.recipients import Exclusion
from microcrm.ui.address_editor import AddressEditor
from microcrm.ui.widgets import named

FIXABLE = frozenset({"adresse_invalide", "sans_adresse"})
"""Exclusion reasons an address edit can lift."""


def address_owner(ctx: AppContext, exclusion: Exclusion) -> tuple[str, int, AddressRecord]:
    """(``"person"`` or ``"organisation"``, owner id, current address) of an exclusion.

    A person's own address wins when it is the one the run used; a contact
    written to at its organisation has the organisation's address fixed.

    Raises:
        ValueError: the exclusion names neither an organisation nor a person.
    """
    if exclusion.person_id is not None:
        own = load_person_address(ctx.db, exclusion.person_id)
        if exclusion.organisation_id is None or (
            own.id is not None and own.id == exclusion.address_id
        ):
            return "person", exclusion.person_id, own
    if exclusion.organisation_id is not None:
        org_id = exclusion.organisation_id
        return "organisation", org_id, load_primary_address(ctx.db, org_id)
    raise ValueError("exclusion without owner")


class AddressFixDialog(QDialog):
    """The excluded recipient's address in the address editor; « Enregistrer » saves it."""

    def __init__(self, ctx: AppContext, exclusion: Exclusion, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Corriger l'adresse — {exclusion.name}")
        self.resize(940, 400)
        self.ctx = ctx
        self.kind, self.owner_id, self.base = address_owner(ctx, exclusion)
        company = exclusion.name if self.kind == "organisation" else ""
        self.editor = named(AddressEditor(self, recipient=company), "mailing-address-editor")
        self.editor.set_address(self.base)
        reason = named(QLabel(f"<b>Exclu :</b> {exclusion.label} — {exclusion.detail}"), "reason")
        reason.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("Enregistrer l'adresse")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Annuler")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(reason)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)

    def save(self) -> None:
        """Save the typed address (normalised by the service) and close."""
        mine = self.editor.address()
        try:
            if self.kind == "person":
                save_person_address(self.ctx.db, self.owner_id, mine, self.base)
            else:
                save_primary_address(self.ctx.db, self.owner_id, mine, self.base)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Adresse", exc.message)
            return
        self.accept()
