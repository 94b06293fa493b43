"""What an address book holds is seen and edited in the sheets: fax, other e-mails, home phone,
own site, and a contact's home address (imported, then shown in the contact dialog)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.contacts import list_contacts
from microcrm.crm.parties import load_organisation
from microcrm.crm.persons import PersonRecord, load_person, save_person
from microcrm.db import Database
from microcrm.directory.importer import import_files
from microcrm.ui.record.contacts_tab import ContactDialog
from microcrm.ui.record.person_sheet import PersonSheet
from microcrm.ui.record.sheet import OrganisationSheet

CARD = """BEGIN:VCARD
VERSION:3.0
N:Dupont;Luc;;;
FN:Luc Dupont
ORG:Garage Dupont
TITLE:Gérant
TEL;TYPE=WORK,VOICE:02 99 00 00 02
TEL;TYPE=HOME:02 99 83 00 00
TEL;TYPE=WORK,FAX:02 99 00 00 01
EMAIL;TYPE=INTERNET,WORK:luc@garage-dupont.fr
EMAIL;TYPE=INTERNET,HOME:luc.dupont@example.fr
ADR;TYPE=WORK:;;1 avenue Foch;Rennes;;35000;France
ADR;TYPE=HOME:;;8 impasse des Roses;Cesson-Sévigné;;35510;France
NOTE:Rappeler lundi, avant 10h, pour le devis
END:VCARD
"""


def test_an_imported_card_shows_its_fax_other_e_mails_and_home_address(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    card = tmp_path / "luc.vcf"
    card.write_text(CARD, encoding="utf-8")
    report = import_files(sqlite_db, [card])
    assert report.files[0].rejected.rows == []
    [contact] = [c for org_id in (1,) for c in list_contacts(sqlite_db, org_id)]
    assert contact.home_address == "8 IMPASSE DES ROSES, 35510 CESSON SEVIGNE"
    assert (contact.phone_home, contact.emails_other) == ("+33299830000", "luc.dupont@example.fr")
    assert contact.notes == "Rappeler lundi, avant 10h, pour le devis"
    org = load_organisation(sqlite_db, 1)
    assert org.fax == "+33299000001" and org.name == "Garage Dupont"

    sheet = OrganisationSheet(ctx, 1)
    qtbot.addWidget(sheet)
    identity = sheet.findChild(QLineEdit, "fax")
    assert identity is not None and identity.text() == "02 99 00 00 01"

    seen: dict[str, str] = {}

    def look(dialog: ContactDialog) -> int:
        seen["home"] = dialog.home.text()
        seen["phone_home"] = dialog.phone_home.text()
        seen["emails_other"] = dialog.emails_other.text()
        dialog.emails_other.setText("luc.dupont@example.fr, luc@perso.example")
        dialog.try_accept()
        return dialog.result()

    monkeypatch.setattr(ContactDialog, "exec", look)
    sheet.contacts.table.selectRow(0)
    sheet.contacts.edit_button.click()
    assert seen == {
        "home": "8 IMPASSE DES ROSES, 35510 CESSON SEVIGNE",
        "phone_home": "02 99 83 00 00",
        "emails_other": "luc.dupont@example.fr",
    }
    [saved] = list_contacts(sqlite_db, 1)
    assert saved.emails_other == "luc.dupont@example.fr\nluc@perso.example"


def test_person_sheet_edits_home_phone_fax_other_e_mails_and_site(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database
) -> None:
    saved = save_person(sqlite_db, PersonRecord(last_name="Morel", first_name="Anne")).record
    assert saved.id is not None
    sheet = PersonSheet(ctx, saved.id)
    qtbot.addWidget(sheet)
    for name, value in (
        ("phone_home", "02 99 11 22 33"),
        ("fax", "02 99 11 22 34"),
        ("emails_other", "anne@example.fr; anne.morel@example.org"),
        ("website", "linkedin.com/in/anne-morel"),
    ):
        edit = sheet.findChild(QLineEdit, name)
        assert edit is not None, name
        edit.setText(value)
    assert sheet.save(), sheet.status_text()
    person = load_person(sqlite_db, saved.id)
    assert (person.phone_home, person.fax, person.emails_other, person.website) == (
        "+33299112233",
        "+33299112234",
        "anne@example.fr\nanne.morel@example.org",
        "https://linkedin.com/in/anne-morel",
    )
