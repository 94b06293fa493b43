"""The record sheet on a real SQLite file: show, edit, save, validate, lifecycle, conflicts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.addresses import AddressRecord, load_primary_address, save_primary_address
from microcrm.crm.contacts import ContactRecord, list_contacts, save_contact
from microcrm.crm.parties import (
    OrganisationRecord,
    load_organisation,
    save_organisation,
    trash_organisation,
)
from microcrm.crm.tags import organisation_tags, set_organisation_tags
from microcrm.db import Database
from microcrm.ui.conflict_dialog import ConflictDialog
from microcrm.ui.record import links
from microcrm.ui.record.contacts_tab import ContactDialog, ContactTableModel
from microcrm.ui.record.history_tab import HistoryTableModel
from microcrm.ui.record.sheet import CANCEL, DISCARD, SAVE, OrganisationSheet
from tests.ui.record.helpers import conflict_exec

VALID_SIRET = "73282932000074"


@pytest.fixture
def org(sqlite_db: Database) -> OrganisationRecord:
    record = save_organisation(
        sqlite_db,
        OrganisationRecord(
            name="Boulangerie Martin", enseigne="Au Bon Pain", siret=VALID_SIRET,
            phone="01 42 68 53 00", email="contact@boulangerie-martin.fr", naf_code="10.71C",
            headcount_band="02", legal_form="5499", website="www.boulangerie-martin.fr",
        ),
    ).record
    assert record.id is not None
    save_primary_address(
        sqlite_db, record.id,
        AddressRecord(line1="12 rue de la Paix", postcode="35000", city="Rennes"),
    )
    save_contact(sqlite_db, ContactRecord(organisation_id=record.id, civility="Mme",
                                          last_name="Martin", first_name="Claire",
                                          role="Gérante", phone="0299123456"))
    set_organisation_tags(sqlite_db, record.id, ["Fidèle", "Salon 2026"])
    return load_organisation(sqlite_db, record.id)


@pytest.fixture
def open_sheet(qtbot: QtBot, ctx: AppContext) -> Callable[[int | None], OrganisationSheet]:
    def make(org_id: int | None) -> OrganisationSheet:
        sheet = OrganisationSheet(ctx, org_id)
        qtbot.addWidget(sheet)
        sheet.resize(1100, 720)
        with qtbot.waitExposed(sheet):
            sheet.show()
        with qtbot.waitActive(sheet):
            sheet.activateWindow()
        return sheet

    return make


def _org_id(org: OrganisationRecord) -> int:
    assert org.id is not None
    return org.id


def test_opening_shows_every_part_of_the_record(
    open_sheet: Callable[[int | None], OrganisationSheet], org: OrganisationRecord
) -> None:
    sheet = open_sheet(_org_id(org))
    ident = sheet.identity
    assert ident.name.text() == "Boulangerie Martin"
    assert ident.enseigne.text() == "Au Bon Pain"
    assert ident.siret.text() == "732 829 320 00074"
    assert ident.siren.text() == "732 829 320"
    assert ident.phone.text() == "01 42 68 53 00"
    assert ident.naf_text.text() == "Boulangerie et boulangerie-pâtisserie"
    assert ident.headcount_band.currentText() == "02 — 3 à 5 salariés"
    assert ident.legal_form.currentText() == "5499 — Société à responsabilité limitée (SARL)"
    assert ident.website.text() == "https://www.boulangerie-martin.fr"
    assert ident.tags.text() == "Fidèle, Salon 2026"
    assert ident.stage_label.text() == "<b>Suspect</b>"
    assert not ident.traite.isChecked()
    assert sheet.address_editor.city.text() == "Rennes"
    assert sheet.address_editor.block.lines() == (
        "BOULANGERIE MARTIN", "12 RUE DE LA PAIX", "35000 RENNES",
    )
    assert sheet.tabs.tabText(2) == "Contacts (1)"
    assert sheet.contacts.model.rowCount() == 1
    assert sheet.title() == "Boulangerie Martin"
    assert not sheet.is_modified()


def test_edit_and_save_with_ctrl_s(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    qtbot: QtBot,
) -> None:
    sheet = open_sheet(_org_id(org))
    titles: list[str] = []
    sheet.title_changed.connect(titles.append)
    sheet.identity.enseigne.clear()
    qtbot.keyClicks(sheet.identity.enseigne, "Le Fournil")
    sheet.identity.notes.setPlainText("Livraison le mardi, clé chez la voisine")
    sheet.identity.headcount_band.setCurrentIndex(sheet.identity.headcount_band.findData("11"))
    sheet.identity.tags.setText("Fidèle, Export")
    sheet.address_editor.line2.setText("Bâtiment B")
    assert sheet.is_modified() and titles[-1] == "Boulangerie Martin *"
    sheet.identity.enseigne.setFocus()
    with qtbot.waitSignal(sheet.saved, timeout=2000) as saved:
        qtbot.keyClick(sheet.identity.enseigne, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [org.id]
    stored = load_organisation(sqlite_db, _org_id(org))
    assert stored.enseigne == "Le Fournil"
    assert stored.notes == "Livraison le mardi, clé chez la voisine"
    assert stored.headcount_band == "11"
    assert stored.phone == "+33142685300"  # shown « 01 42 68 53 00 », stored untouched
    assert organisation_tags(sqlite_db, _org_id(org)) == ["Export", "Fidèle"]
    address = load_primary_address(sqlite_db, _org_id(org))
    assert address.line2 == "Bâtiment B" and address.norm_status == "valid"
    assert not sheet.is_modified() and titles[-1] == "Boulangerie Martin"
    assert sheet.status_text() == "Fiche enregistrée."


def test_invalid_siret_is_refused_next_to_the_field_and_edits_kept(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
) -> None:
    sheet = open_sheet(_org_id(org))
    sheet.tabs.setCurrentIndex(3)
    sheet.identity.siret.setText("732 829 320 00075")
    sheet.identity.enseigne.setText("Le Fournil")
    assert not sheet.save()
    error = sheet.binder.error_text("siret")
    assert "clé de contrôle incorrecte" in error
    assert sheet.identity.errors["siret"].isVisible()
    assert "border" in sheet.identity.siret.styleSheet()
    assert sheet.tabs.currentIndex() == 0  # brought back to the field
    assert sheet.identity.siret.text() == "732 829 320 00075"
    assert sheet.identity.enseigne.text() == "Le Fournil"
    assert sheet.is_modified()
    assert "Enregistrement impossible" in sheet.status_text()
    assert load_organisation(sqlite_db, _org_id(org)) == org
    # Fixed: the message goes away and the record saves.
    sheet.identity.siret.setText(VALID_SIRET)
    assert sheet.save()
    assert sheet.binder.error_text("siret") == ""
    assert sheet.identity.siret.styleSheet() == ""
    assert load_organisation(sqlite_db, _org_id(org)).enseigne == "Le Fournil"


def test_lifecycle_suspect_prospect_client_ancien_client_in_history(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    qtbot: QtBot,
) -> None:
    sheet = open_sheet(_org_id(org))
    ident = sheet.identity
    assert ident.to_client.isEnabled() and not ident.to_former.isEnabled()
    ident.traite.click()
    assert load_organisation(sqlite_db, _org_id(org)).stage == "prospect"
    assert ident.stage_label.text() == "<b>Prospect</b>" and ident.traite.isChecked()
    assert sheet.status_text() == "Traité : la fiche passe de Suspect à Prospect."
    ident.to_client.click()
    assert load_organisation(sqlite_db, _org_id(org)).stage == "client"
    assert ident.to_former.isEnabled() and not ident.to_client.isEnabled()
    ident.to_former.click()
    assert load_organisation(sqlite_db, _org_id(org)).stage == "ancien_client"
    model = sheet.history.model
    subjects = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert subjects == ["Client → Ancien client", "Prospect → Client", "Suspect → Prospect"]
    assert model.index(0, 1).data() == "Changement d'étape"
    assert model.index(0, 4).data() == "Faite"
    assert len(str(model.index(0, 0).data())) == 10  # dd/mm/yyyy
    assert sheet.tabs.tabText(3) == "Historique (3)"
    assert not sheet.is_modified()


def test_lifecycle_saves_pending_edits_first(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
) -> None:
    sheet = open_sheet(_org_id(org))
    sheet.identity.reference.setText("C-0042")
    sheet.identity.to_client.click()
    stored = load_organisation(sqlite_db, _org_id(org))
    assert (stored.stage, stored.reference) == ("client", "C-0042")


def _recorder(opened: list[str]) -> Callable[[str], bool]:
    def open_link(url: str) -> bool:
        opened.append(url)
        return True

    return open_link


def _fill_contact(**values: str) -> Callable[[ContactDialog], int]:
    def run(dialog: ContactDialog) -> int:
        for name, value in values.items():
            widget = dialog.inputs[name]
            if name == "civility":
                dialog.civility.setCurrentIndex(dialog.civility.findData(value))
            elif name == "notes":
                dialog.notes.setPlainText(value)
            else:
                widget.setText(value)  # type: ignore[attr-defined]
        dialog.try_accept()
        return dialog.result()

    return run


def test_contacts_add_edit_remove(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: object,
) -> None:
    sheet = open_sheet(_org_id(org))
    tab = sheet.contacts
    seen: list[str] = []

    def refused_then_fixed(dialog: ContactDialog) -> int:
        _fill_contact(last_name="Durand", first_name="Élise", email="elise@")(dialog)
        seen.append(dialog.errors["email"].text())
        assert dialog.isVisible() or dialog.result() != QDialog.DialogCode.Accepted
        return _fill_contact(email="elise.durand@exemple.fr", mobile="06 12 34 56 78",
                             civility="Mme")(dialog)

    monkeypatch.setattr(ContactDialog, "exec", refused_then_fixed)
    tab.add_button.click()
    assert seen == ["L'adresse e-mail « elise@ » n'est pas valide."]
    names = [c.display_name for c in list_contacts(sqlite_db, _org_id(org))]
    assert names == ["Mme Élise Durand", "Mme Claire Martin"]
    assert sheet.tabs.tabText(2) == "Contacts (2)"
    assert tab.model.index(0, 4).data() == "06 12 34 56 78"
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]

    tab.table.selectRow(1)
    monkeypatch.setattr(ContactDialog, "exec", _fill_contact(role="Co-gérante"))
    tab.edit_button.click()
    claire = next(c for c in list_contacts(sqlite_db, _org_id(org)) if c.last_name == "Martin")
    assert claire.role == "Co-gérante" and claire.phone == "+33299123456"

    opened: list[str] = []
    monkeypatch.setattr(links, "open_link", _recorder(opened))
    tab.table.selectRow(1)
    tab.call_button.click()
    tab.table.selectRow(0)
    tab.mail_button.click()
    assert opened == ["tel:+33299123456", "mailto:elise.durand@exemple.fr"]

    monkeypatch.setattr(tab, "confirm_remove", lambda _c: True)
    tab.table.selectRow(0)
    tab.remove_button.click()
    assert [c.last_name for c in list_contacts(sqlite_db, _org_id(org))] == ["Martin"]
    assert sheet.tabs.tabText(2) == "Contacts (1)"
    assert "mis à la corbeille" in sheet.status_text()


def test_identity_links(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(links, "open_link", _recorder(opened))
    sheet = open_sheet(_org_id(org))
    for button in (sheet.identity.call_button, sheet.identity.mail_button,
                   sheet.identity.web_button):
        button.click()
    assert opened == [
        "tel:+33142685300",
        "mailto:contact@boulangerie-martin.fr",
        "https://www.boulangerie-martin.fr",
    ]


POPUP_WARNINGS = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)  # the offscreen platform cannot raise the completer's popup; a real screen can


@POPUP_WARNINGS
def test_address_editor_live_block_status_and_one_click_correction(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    qtbot: QtBot,
) -> None:
    sheet = open_sheet(_org_id(org))
    editor = sheet.address_editor
    editor.postcode.setText("29200")
    editor.city.clear()
    qtbot.keyClicks(editor.city, "Brst")
    assert editor.block.lines()[-1] == "29200 BREST"
    assert "Adresse corrigée" in editor.status.text()
    assert "orthographe de la localité a été corrigée" in editor.explanations.text()
    assert editor.apply_button.isEnabled()
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    assert (editor.postcode.text(), editor.city.text()) == ("29200", "BREST")
    assert "Adresse valide" in editor.status.text()
    assert not editor.apply_button.isEnabled()
    editor.city.setText("Rennes")
    assert "Adresse invalide" in editor.status.text()
    assert "n'est pas desservie par le code postal 29200" in editor.explanations.text()
    editor.city.setText("BREST")
    editor.copy_button.click()
    assert QApplication.clipboard().text() == (
        "BOULANGERIE MARTIN\n12 RUE DE LA PAIX\n29200 BREST"
    )
    assert sheet.save()
    stored = load_primary_address(sqlite_db, _org_id(org))
    assert (stored.postcode, stored.city, stored.norm_status) == ("29200", "BREST", "valid")
    # The correction is two field edits: the sheet's undo takes them back one by one.
    sheet.undo()
    assert editor.city.text() == "Rennes"


@POPUP_WARNINGS
def test_address_completion_from_the_postal_reference(
    open_sheet: Callable[[int | None], OrganisationSheet], org: OrganisationRecord, qtbot: QtBot
) -> None:
    editor = open_sheet(_org_id(org)).address_editor
    editor.postcode.clear()
    editor.city.clear()
    qtbot.keyClicks(editor.postcode, "2920")
    model = editor.postcode_completer.model()
    rows = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "29200  BREST" in rows
    editor.postcode.clear()
    qtbot.keyClicks(editor.city, "renn")
    model = editor.city_completer.model()
    rows = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "RENNES (35000)" in rows
    chosen = model.index(rows.index("RENNES (35000)"), 0)
    editor.city_completer.activated[QModelIndex].emit(chosen)  # type: ignore[index]
    assert editor.postcode.text() == "35000"
    editor.city.clear()
    qtbot.keyClicks(editor.city, "r")  # a postcode is set: its own localities are offered
    model = editor.city_completer.model()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["RENNES"]
    for completer in (editor.postcode_completer, editor.city_completer):
        popup = completer.popup()
        if popup is not None:
            popup.hide()


def test_live_block_costs_under_10_ms_per_keystroke(
    open_sheet: Callable[[int | None], OrganisationSheet], org: OrganisationRecord
) -> None:
    editor = open_sheet(_org_id(org)).address_editor
    text = "12 avenue du Général de Gaulle, bâtiment C"
    start = time.perf_counter()
    for end in range(1, len(text) + 1):
        editor.line1.setText(text[:end])
    per_key = (time.perf_counter() - start) / len(text)
    assert per_key < 0.010, f"{per_key * 1000:.2f} ms per keystroke"


def test_two_sheets_on_one_record_merge_then_conflict(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = open_sheet(_org_id(org))
    other = open_sheet(_org_id(org))
    # The other workstation changes the phone; I change the notes: merged, announced.
    other.identity.phone.setText("02 99 00 11 22")
    assert other.save()
    mine.identity.notes.setPlainText("Rappeler en mars")
    assert mine.save()
    assert mine.status_text() == "Modifié sur un autre poste, fusionné : Téléphone."
    assert mine.identity.phone.text() == "02 99 00 11 22"
    stored = load_organisation(sqlite_db, _org_id(org))
    assert (stored.phone, stored.notes) == ("+33299001122", "Rappeler en mars")

    # Both change the name and the e-mail: the dialog shows base, theirs, mine per field.
    other.identity.name.setText("Boulangerie Martin & Fils")
    other.identity.email.setText("fils@boulangerie-martin.fr")
    other.identity.website.setText("www.martin-et-fils.fr")
    assert other.save()
    mine.identity.name.setText("Boulangerie Martin SARL")
    mine.identity.email.setText("compta@boulangerie-martin.fr")
    seen: list[dict[str, tuple[str, str, str]]] = []
    monkeypatch.setattr(ConflictDialog, "exec", conflict_exec({"name": "theirs"}, seen))
    assert mine.save()
    assert seen == [{
        "email": ("contact@boulangerie-martin.fr", "fils@boulangerie-martin.fr",
                  "compta@boulangerie-martin.fr"),
        "name": ("Boulangerie Martin", "Boulangerie Martin & Fils", "Boulangerie Martin SARL"),
    }]
    stored = load_organisation(sqlite_db, _org_id(org))
    assert stored.name == "Boulangerie Martin & Fils"  # theirs, as chosen
    assert stored.email == "compta@boulangerie-martin.fr"  # mine, the default
    assert stored.website == "https://www.martin-et-fils.fr"  # theirs only: merged
    assert mine.identity.name.text() == "Boulangerie Martin & Fils"
    assert mine.status_text() == "Modifié sur un autre poste, fusionné : Site web."
    assert not mine.is_modified()


def test_conflict_cancel_keeps_edits_and_writes_nothing(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = open_sheet(_org_id(org))
    theirs = save_organisation(sqlite_db, replace(org, name="Martin Frères"), org).record
    sheet.identity.name.setText("Martin & Cie")
    monkeypatch.setattr(ConflictDialog, "exec", lambda self: self.reject() or self.result())
    assert not sheet.save()
    assert sheet.identity.name.text() == "Martin & Cie" and sheet.is_modified()
    assert "vos modifications restent à l'écran" in sheet.status_text()
    assert load_organisation(sqlite_db, _org_id(org)) == theirs


def test_conflict_loops_when_the_record_changes_again(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = open_sheet(_org_id(org))
    save_organisation(sqlite_db, replace(org, name="Martin Frères"), org)
    sheet.identity.name.setText("Martin & Cie")

    def meanwhile() -> None:
        if len(seen) == 1:
            current = load_organisation(sqlite_db, _org_id(org))
            save_organisation(sqlite_db, replace(current, name="Martin Père & Fils"), current)

    seen: list[dict[str, tuple[str, str, str]]] = []
    monkeypatch.setattr(ConflictDialog, "exec", conflict_exec({}, seen, meanwhile))
    assert sheet.save()
    assert [s["name"][1] for s in seen] == ["Martin Frères", "Martin Père & Fils"]
    assert load_organisation(sqlite_db, _org_id(org)).name == "Martin & Cie"


def test_deleted_elsewhere_offers_recreate(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = open_sheet(_org_id(org))
    trash_organisation(sqlite_db, _org_id(org))
    sheet.identity.notes.setPlainText("À recréer")
    monkeypatch.setattr(sheet, "ask_recreate", lambda _name: False)
    assert not sheet.save()
    assert sheet.is_modified() and sheet.identity.notes.toPlainText() == "À recréer"
    monkeypatch.setattr(sheet, "ask_recreate", lambda _name: True)
    assert sheet.save()
    restored = load_organisation(sqlite_db, _org_id(org))
    assert restored.notes == "À recréer" and restored.siret == VALID_SIRET
    assert sheet.org_id == org.id


def test_new_record_saves_with_address_and_tags(
    open_sheet: Callable[[int | None], OrganisationSheet],
    sqlite_db: Database,
    qtbot: QtBot,
) -> None:
    sheet = open_sheet(None)
    assert sheet.title() == "Nouvelle fiche"
    assert not sheet.contacts.add_button.isEnabled()
    sheet.identity.name.setText("Garage du Centre")
    sheet.identity.tags.setText("Salon 2026")
    sheet.address_editor.line1.setText("3 place de la Liberté")
    sheet.address_editor.postcode.setText("29200")
    sheet.address_editor.city.setText("Brest")
    with qtbot.waitSignal(sheet.saved, timeout=2000) as saved:
        assert sheet.save()
    new_id = saved.args[0]
    assert sheet.org_id == new_id and sheet.contacts.add_button.isEnabled()
    assert load_organisation(sqlite_db, new_id).stage == "suspect"
    assert load_primary_address(sqlite_db, new_id).norm_lines == (
        "3 PLACE DE LA LIBERTE", "29200 BREST",
    )
    assert organisation_tags(sqlite_db, new_id) == ["Salon 2026"]
    assert sheet.title() == "Garage du Centre"


def test_required_name_on_a_new_record(
    open_sheet: Callable[[int | None], OrganisationSheet],
) -> None:
    sheet = open_sheet(None)
    sheet.identity.email.setText("contact@garage.fr")
    assert not sheet.save()
    assert sheet.binder.error_text("name") == "La raison sociale est obligatoire."
    assert sheet.org_id is None and sheet.identity.email.text() == "contact@garage.fr"


def test_undo_restores_previous_field_values(
    open_sheet: Callable[[int | None], OrganisationSheet], org: OrganisationRecord, qtbot: QtBot
) -> None:
    sheet = open_sheet(_org_id(org))
    qtbot.keyClicks(sheet.identity.reference, "C-42")  # one run of edits: one step
    sheet.identity.is_supplier.setChecked(True)
    sheet.identity.phone.setText("06 00 00 00 00")
    sheet.undo()
    assert sheet.identity.phone.text() == "01 42 68 53 00"
    sheet.undo()
    assert not sheet.identity.is_supplier.isChecked()
    sheet.undo()
    assert sheet.identity.reference.text() == ""
    assert not sheet.is_modified()
    sheet.undo()
    assert sheet.status_text() == "Rien à annuler."


def test_escape_asks_before_closing_a_modified_sheet(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    sheet = open_sheet(_org_id(org))
    sheet.identity.name.setFocus()
    with qtbot.waitSignal(sheet.close_requested, timeout=1000):
        qtbot.keyClick(sheet.identity.name, Qt.Key.Key_Escape)  # unmodified: closes at once
    sheet.identity.reference.setText("C-7")
    answers = iter([CANCEL, DISCARD])
    monkeypatch.setattr(sheet, "ask_unsaved", lambda: next(answers))
    with qtbot.assertNotEmitted(sheet.close_requested):
        qtbot.keyClick(sheet.identity.name, Qt.Key.Key_Escape)
    assert sheet.identity.reference.text() == "C-7"
    assert sheet.maybe_close()  # « Ne pas enregistrer »
    assert sheet.identity.reference.text() == "" and not sheet.is_modified()
    sheet.identity.reference.setText("C-8")
    monkeypatch.setattr(sheet, "ask_unsaved", lambda: SAVE)
    assert sheet.maybe_close()
    assert load_organisation(sqlite_db, _org_id(org)).reference == "C-8"


def test_item_models(qtmodeltester: object, sqlite_db: Database, org: OrganisationRecord) -> None:
    from microcrm.crm.sheet import load_sheet

    data = load_sheet(sqlite_db, _org_id(org))
    contacts = ContactTableModel()
    contacts.set_contacts(data.contacts)
    qtmodeltester.check(contacts)  # type: ignore[attr-defined]
    history = HistoryTableModel()
    history.set_entries(data.history)
    qtmodeltester.check(history)  # type: ignore[attr-defined]


def test_open_record_is_fast(ctx: AppContext, org: OrganisationRecord, qtbot: QtBot) -> None:
    OrganisationSheet(ctx, _org_id(org)).deleteLater()  # warm: postal reference, fonts
    start = time.perf_counter()
    sheet = OrganisationSheet(ctx, _org_id(org))
    elapsed = time.perf_counter() - start
    qtbot.addWidget(sheet)
    assert elapsed < 0.150, f"{elapsed * 1000:.0f} ms"


def test_reload_after_a_change_elsewhere(
    open_sheet: Callable[[int | None], OrganisationSheet],
    org: OrganisationRecord,
    sqlite_db: Database,
) -> None:
    sheet = open_sheet(_org_id(org))
    save_organisation(sqlite_db, replace(org, reference="C-99"), org)
    sheet.reload()
    assert sheet.identity.reference.text() == "C-99" and not sheet.is_modified()
    sheet.identity.notes.setPlainText("En cours")
    current = load_organisation(sqlite_db, _org_id(org))
    save_organisation(sqlite_db, replace(current, enseigne="Le Fournil"), current)
    sheet.reload()  # edits on screen are kept: they merge on save
    assert sheet.identity.notes.toPlainText() == "En cours"
    assert "seront fusionnées" in sheet.status_text()
    assert sheet.save()
    assert load_organisation(sqlite_db, _org_id(org)).enseigne == "Le Fournil"
    assert sheet.identity.enseigne.text() == "Le Fournil"
    trash_organisation(sqlite_db, _org_id(org))
    sheet.reload()
    assert sheet.status_text() == "Cette fiche a été supprimée sur un autre poste."


def test_opened_from_the_main_window_as_a_tab(
    ctx: AppContext, org: OrganisationRecord, qtbot: QtBot
) -> None:
    from microcrm.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.open_record(_org_id(org))
    sheet = window.tabs.currentWidget()
    assert isinstance(sheet, OrganisationSheet) and sheet.org_id == org.id
    qtbot.waitUntil(lambda: window.tabs.tabText(1) == "Boulangerie Martin", timeout=1000)
    sheet.identity.reference.setText("C-1")
    assert window.tabs.tabText(1) == "Boulangerie Martin *"
    window.open_record(_org_id(org))  # brought forward, not opened twice
    assert window.tabs.count() == 2
    assert sheet.save()
    assert window.tabs.tabText(1) == "Boulangerie Martin"
    sheet.request_close()  # Escape
    assert window.tabs.count() == 1
