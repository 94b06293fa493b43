"""The person sheet (particuliers, personnel) on a real SQLite file, alone and from the main window."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.addresses import AddressRecord, load_person_address, save_person_address
from microcrm.crm.bases import PERSON_TRASH
from microcrm.crm.lists import ListQuery
from microcrm.crm.parties import (
    OrganisationRecord,
    save_organisation,
)
from microcrm.crm.persons import (
    PersonRecord,
    change_person_stage,
    load_person,
    save_person,
    trash_persons,
)
from microcrm.crm.tags import person_tags, set_person_tags
from microcrm.db import Database
from microcrm.ui.conflict_dialog import ConflictDialog
from microcrm.ui.main_window import MainWindow
from microcrm.ui.record import links
from microcrm.ui.record.person_sheet import PersonSheet, open_person_sheet
from microcrm.ui.record.sheet import OrganisationSheet
from tests.ui.record.helpers import conflict_exec


def _id(record: PersonRecord) -> int:
    assert record.id is not None
    return record.id


@pytest.fixture
def org(sqlite_db: Database) -> OrganisationRecord:
    """An organisation whose id is also the particulier's: opening the wrong table shows it."""
    return save_organisation(sqlite_db, OrganisationRecord(name="Boulangerie Martin")).record


@pytest.fixture
def elise(sqlite_db: Database, org: OrganisationRecord) -> PersonRecord:
    rec = save_person(sqlite_db, PersonRecord(
        civility="Mme", last_name="Durand", first_name="Élise", phone="02 99 12 34 56",
        mobile="06 12 34 56 78", email="elise.durand@exemple.fr", notes="Préfère le matin",
    )).record
    assert rec.id == org.id
    save_person_address(sqlite_db, _id(rec), AddressRecord(
        line1="3 rue de Siam", postcode="29200", city="Brest"))
    set_person_tags(sqlite_db, _id(rec), ["Newsletter"])
    return load_person(sqlite_db, _id(rec))


@pytest.fixture
def marc(sqlite_db: Database) -> PersonRecord:
    return save_person(sqlite_db, replace(
        PersonRecord.new(staff=True), civility="M.", last_name="Leroy", first_name="Marc",
        role="Comptable", email="marc.leroy@microcrm.fr",
    )).record


@pytest.fixture
def open_person(qtbot: QtBot, ctx: AppContext) -> Callable[..., PersonSheet]:
    def make(person_id: int | None, *, staff: bool = False) -> PersonSheet:
        sheet = PersonSheet(ctx, person_id, staff=staff)
        qtbot.addWidget(sheet)
        sheet.resize(1100, 720)
        with qtbot.waitExposed(sheet):
            sheet.show()
        with qtbot.waitActive(sheet):
            sheet.activateWindow()
        return sheet

    return make


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return win


def _show_base(window: MainWindow, key: str) -> None:
    window._show_query(ListQuery(key))


def _names(window: MainWindow) -> list[str]:
    model = window.list_panel.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_opening_from_the_particuliers_base_shows_that_person(
    window: MainWindow, elise: PersonRecord, qtbot: QtBot
) -> None:
    window.navigation.select_base("particulier")
    assert _names(window) == ["Durand"]
    assert window.act_delete.isEnabled() and not window.act_restore.isEnabled()
    table = window.list_panel.table
    table.selectRow(0)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    sheet = window.tabs.currentWidget()
    assert isinstance(sheet, PersonSheet) and sheet.person_id == elise.id
    assert sheet.identity.last_name.text() == "Durand"
    assert window.tabs.tabText(1) == "Mme Élise Durand"
    window.open_record(_id(elise))  # brought forward, not opened twice
    assert window.tabs.count() == 2
    window.navigation.select_base("suspect")  # same id, other table: its own sheet
    window.open_record(_id(elise))
    assert window.tabs.count() == 3
    org_sheet = window.tabs.currentWidget()
    assert isinstance(org_sheet, OrganisationSheet)
    assert org_sheet.identity.name.text() == "Boulangerie Martin"


def test_sheet_shows_a_private_customer(
    open_person: Callable[..., PersonSheet], elise: PersonRecord
) -> None:
    sheet = open_person(_id(elise))
    ident = sheet.identity
    assert ident.civility.currentText() == "Mme"
    assert (ident.first_name.text(), ident.last_name.text()) == ("Élise", "Durand")
    assert (ident.phone.text(), ident.mobile.text()) == ("02 99 12 34 56", "06 12 34 56 78")
    assert ident.tags.text() == "Newsletter"
    assert ident.notes.toPlainText() == "Préfère le matin"
    assert ident.stage_label.text() == "<b>Suspect</b>"
    assert ident.to_prospect.isEnabled() and not ident.to_former.isEnabled()
    assert ident.salesperson.isVisibleTo(sheet) and not ident.role.isVisibleTo(sheet)
    assert sheet.address_editor.block.lines() == ("MME ELISE DURAND", "3 RUE DE SIAM",
                                                  "29200 BREST")
    assert [sheet.tabs.tabText(i) for i in range(sheet.tabs.count())] == [
        "Identité", "Adresse", "Historique",
    ]
    assert not sheet.history.empty.isHidden()
    assert "Particulier — Suspect" in sheet.heading.text()
    assert sheet.title() == "Mme Élise Durand" and not sheet.is_modified()


def test_edit_and_save_with_ctrl_s(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database,
    qtbot: QtBot,
) -> None:
    sheet = open_person(_id(elise))
    titles: list[str] = []
    sheet.title_changed.connect(titles.append)
    ident = sheet.identity
    ident.first_name.setText("Éliane")
    assert sheet.address_editor.block.lines()[0] == "MME ELIANE DURAND"  # recipient follows
    ident.mobile.clear()
    qtbot.keyClicks(ident.mobile, "07 81 22 33 44")
    ident.no_mail.setChecked(True)
    ident.tags.setText("Newsletter, Fidèle")
    sheet.address_editor.line2.setText("Appartement 12")
    assert sheet.is_modified() and titles[-1] == "Mme Éliane Durand *"
    ident.mobile.setFocus()
    with qtbot.waitSignal(sheet.saved, timeout=2000) as saved:
        qtbot.keyClick(ident.mobile, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [elise.id]
    stored = load_person(sqlite_db, _id(elise))
    assert (stored.first_name, stored.mobile, stored.no_mail) == ("Éliane", "+33781223344", True)
    assert stored.phone == "+33299123456"  # shown « 02 99 12 34 56 », stored untouched
    assert person_tags(sqlite_db, _id(elise)) == ["Fidèle", "Newsletter"]
    address = load_person_address(sqlite_db, _id(elise))
    assert address.line2 == "Appartement 12" and address.norm_status == "valid"
    assert not sheet.is_modified() and titles[-1] == "Mme Éliane Durand"
    assert ident.mobile.text() == "07 81 22 33 44"
    assert sheet.status_text() == "Fiche enregistrée."


def test_invalid_email_is_refused_next_to_the_field_and_edits_kept(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database
) -> None:
    sheet = open_person(_id(elise))
    sheet.tabs.setCurrentIndex(2)
    sheet.identity.email.setText("elise@")
    sheet.identity.notes.setPlainText("Rappeler en mars")
    assert not sheet.save()
    assert sheet.binder.error_text("email") == "L'adresse e-mail « elise@ » n'est pas valide."
    assert sheet.identity.errors["email"].isVisible()
    assert "border" in sheet.identity.email.styleSheet()
    assert sheet.tabs.currentIndex() == 0  # brought back to the field
    assert sheet.identity.email.text() == "elise@"
    assert sheet.identity.notes.toPlainText() == "Rappeler en mars"
    assert sheet.is_modified()
    assert sheet.status_text() == (
        "Enregistrement impossible : L'adresse e-mail « elise@ » n'est pas valide."
    )
    assert load_person(sqlite_db, _id(elise)) == elise
    sheet.identity.email.setText("elise@durand.fr")
    assert sheet.save()
    assert sheet.binder.error_text("email") == ""
    assert load_person(sqlite_db, _id(elise)).notes == "Rappeler en mars"


def test_required_last_name_on_a_new_sheet(open_person: Callable[..., PersonSheet]) -> None:
    sheet = open_person(None)
    sheet.identity.first_name.setText("Élise")
    assert not sheet.save()
    assert sheet.binder.error_text("last_name") == "Le nom est obligatoire."
    assert sheet.person_id is None and sheet.identity.first_name.text() == "Élise"


def test_new_particulier_from_the_main_window(
    window: MainWindow, sqlite_db: Database, qtbot: QtBot
) -> None:
    window.navigation.select_base("particulier")
    window.new_record()
    sheet = window.tabs.currentWidget()
    assert isinstance(sheet, PersonSheet) and sheet.person_id is None and not sheet.is_staff
    assert sheet.title() == "Nouveau particulier"
    sheet.identity.civility.setCurrentIndex(sheet.identity.civility.findData("M."))
    sheet.identity.last_name.setText("Kervella")
    sheet.identity.first_name.setText("Yann")
    sheet.identity.tags.setText("Salon 2026")
    sheet.address_editor.line1.setText("8 quai de la Douane")
    sheet.address_editor.postcode.setText("29200")
    sheet.address_editor.city.setText("Brest")
    with qtbot.waitSignal(sheet.saved, timeout=2000) as saved:
        assert sheet.save()
    new_id = saved.args[0]
    stored = load_person(sqlite_db, new_id)
    assert (stored.stage, stored.is_staff, stored.organisation_id) == ("suspect", False, None)
    assert load_person_address(sqlite_db, new_id).norm_lines == (
        "8 QUAI DE LA DOUANE", "29200 BREST",
    )
    assert person_tags(sqlite_db, new_id) == ["Salon 2026"]
    assert window.tabs.tabText(1) == "M. Yann Kervella"
    assert _names(window) == ["Kervella"]  # the list refreshed on save


def test_new_staff_member_from_the_main_window(
    window: MainWindow, sqlite_db: Database
) -> None:
    window.navigation.select_base("personnel")
    window.new_record()
    sheet = window.tabs.currentWidget()
    assert isinstance(sheet, PersonSheet) and sheet.is_staff
    assert sheet.title() == "Nouveau membre du personnel"
    ident = sheet.identity
    assert ident.role.isVisibleTo(sheet)
    assert not ident.salesperson.isVisibleTo(sheet) and not ident.to_client.isVisibleTo(sheet)
    ident.last_name.setText("Le Gall")
    ident.first_name.setText("Anne")
    ident.role.setText("Assistante commerciale")
    assert sheet.save()
    stored = load_person(sqlite_db, sheet.person_id or 0)
    assert stored.is_staff and stored.stage is None and stored.role == "Assistante commerciale"
    assert "Personnel — Assistante commerciale" in sheet.heading.text()
    assert _names(window) == ["Le Gall"]


def test_lifecycle_buttons_record_the_history(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database
) -> None:
    sheet = open_person(_id(elise))
    ident = sheet.identity
    ident.notes.setPlainText("Devis envoyé")  # pending edit: saved first
    ident.to_prospect.click()
    stored = load_person(sqlite_db, _id(elise))
    assert (stored.stage, stored.notes) == ("prospect", "Devis envoyé")
    assert sheet.status_text() == "La fiche passe en prospect."
    assert not ident.to_prospect.isEnabled() and ident.to_client.isEnabled()
    ident.to_client.click()
    assert ident.to_former.isEnabled() and not ident.to_client.isEnabled()
    ident.to_former.click()
    assert load_person(sqlite_db, _id(elise)).stage == "ancien_client"
    assert ident.stage_label.text() == "<b>Ancien client</b>"
    model = sheet.history.model
    subjects = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert subjects == ["Client → Ancien client", "Prospect → Client", "Suspect → Prospect"]
    assert model.index(0, 1).data() == "Changement d'étape"
    assert sheet.tabs.tabText(2) == "Historique (3)"
    assert not sheet.is_modified()


def test_lifecycle_after_a_save_elsewhere_retries(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database
) -> None:
    sheet = open_person(_id(elise))
    save_person(sqlite_db, replace(elise, role="Retraitée"), elise)
    sheet.identity.to_client.click()
    stored = load_person(sqlite_db, _id(elise))
    assert (stored.stage, stored.role) == ("client", "Retraitée")


def test_phone_and_mail_links(
    open_person: Callable[..., PersonSheet], elise: PersonRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []

    def open_link(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(links, "open_link", open_link)
    sheet = open_person(_id(elise))
    ident = sheet.identity
    for button in (ident.call_button, ident.call_mobile_button, ident.mail_button):
        button.click()
    assert opened == ["tel:+33299123456", "tel:+33612345678", "mailto:elise.durand@exemple.fr"]
    ident.phone.clear()
    assert not ident.call_button.isEnabled()


def test_two_sheets_on_one_person_merge_then_conflict(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = open_person(_id(elise))
    other = open_person(_id(elise))
    other.identity.phone.setText("02 98 00 11 22")
    assert other.save()
    mine.identity.notes.setPlainText("Client depuis 2019")
    assert mine.save()
    assert mine.status_text() == "Modifié sur un autre poste, fusionné : Téléphone."
    assert mine.identity.phone.text() == "02 98 00 11 22"

    other.identity.last_name.setText("Durand-Roy")
    other.identity.mobile.setText("07 68 10 20 30")
    other.identity.no_email.setChecked(True)
    assert other.save()
    mine.identity.last_name.setText("Roy")
    mine.identity.mobile.setText("07 68 10 20 31")
    seen: list[dict[str, tuple[str, str, str]]] = []
    monkeypatch.setattr(ConflictDialog, "exec", conflict_exec({"last_name": "theirs"}, seen))
    assert mine.save()
    assert seen == [{
        "last_name": ("Durand", "Durand-Roy", "Roy"),
        "mobile": ("06 12 34 56 78", "07 68 10 20 30", "07 68 10 20 31"),
    }]
    stored = load_person(sqlite_db, _id(elise))
    assert stored.last_name == "Durand-Roy"  # theirs, as chosen
    assert stored.mobile == "+33768102031"  # mine, the default
    assert stored.no_email  # theirs only: merged
    assert mine.status_text() == "Modifié sur un autre poste, fusionné : Pas d'e-mail."
    assert mine.title() == "Mme Élise Durand-Roy" and not mine.is_modified()


def test_conflict_cancel_keeps_edits_and_writes_nothing(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = open_person(_id(elise))
    theirs = save_person(sqlite_db, replace(elise, email="e@durand.fr"), elise).record
    sheet.identity.email.setText("elise@roy.fr")
    monkeypatch.setattr(ConflictDialog, "exec", lambda self: self.reject() or self.result())
    assert not sheet.save()
    assert sheet.identity.email.text() == "elise@roy.fr" and sheet.is_modified()
    assert "vos modifications restent à l'écran" in sheet.status_text()
    assert load_person(sqlite_db, _id(elise)) == theirs


def test_deleted_elsewhere_offers_recreate(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = open_person(_id(elise))
    trash_persons(sqlite_db, [_id(elise)])
    sheet.reload()
    assert sheet.status_text() == "Cette fiche a été supprimée sur un autre poste."
    sheet.identity.notes.setPlainText("À recréer")
    asked: list[str] = []

    def refuse(name: str) -> bool:
        asked.append(name)
        return False

    monkeypatch.setattr(sheet, "ask_recreate", refuse)
    assert not sheet.save()
    assert asked == ["Mme Élise Durand"] and sheet.is_modified()
    monkeypatch.setattr(sheet, "ask_recreate", lambda _name: True)
    assert sheet.save()
    restored = load_person(sqlite_db, _id(elise))
    assert restored.notes == "À recréer" and restored.email == "elise.durand@exemple.fr"
    assert sheet.person_id == elise.id


def test_reload_after_a_change_elsewhere(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database
) -> None:
    sheet = open_person(_id(elise))
    moved = change_person_stage(sqlite_db, _id(elise), elise.version_id, "client")
    sheet.reload()
    assert sheet.identity.stage_label.text() == "<b>Client</b>"
    assert sheet.tabs.tabText(2) == "Historique (1)"
    sheet.identity.first_name.setText("Eli")
    save_person(sqlite_db, replace(moved, role="Retraitée"), moved)
    sheet.reload()  # edits on screen are kept: they merge on save
    assert sheet.identity.first_name.text() == "Eli"
    assert "seront fusionnées" in sheet.status_text()
    assert sheet.save()
    assert load_person(sqlite_db, _id(elise)).role == "Retraitée"


def test_undo_and_closing(
    open_person: Callable[..., PersonSheet], elise: PersonRecord, sqlite_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = open_person(_id(elise))
    sheet.identity.no_email.setChecked(True)
    sheet.identity.email.setText("x@y.fr")
    sheet.undo()
    assert sheet.identity.email.text() == "elise.durand@exemple.fr"
    sheet.undo()
    assert not sheet.identity.no_email.isChecked() and not sheet.is_modified()
    sheet.identity.notes.setPlainText("Brouillon")
    monkeypatch.setattr(sheet, "ask_unsaved", lambda: "discard")
    assert sheet.maybe_close()
    assert sheet.identity.notes.toPlainText() == "Préfère le matin"
    sheet.identity.notes.setPlainText("Gardée")
    monkeypatch.setattr(sheet, "ask_unsaved", lambda: "save")
    assert sheet.maybe_close()
    assert load_person(sqlite_db, _id(elise)).notes == "Gardée"


def test_trash_undo_and_restore_from_the_main_window(
    window: MainWindow, elise: PersonRecord, marc: PersonRecord, sqlite_db: Database
) -> None:
    window.navigation.select_base("personnel")
    assert _names(window) == ["Leroy"]
    window.list_panel.table.selectRow(0)
    window.trash_selected()
    assert _names(window) == []
    window.undo()
    assert _names(window) == ["Leroy"]
    window.navigation.select_base("particulier")
    window.list_panel.table.selectRow(0)
    window.trash_selected()
    assert _names(window) == []
    with pytest.raises(Exception, match="introuvable"):
        load_person(sqlite_db, _id(elise))
    assert load_person(sqlite_db, _id(marc)).last_name == "Leroy"
    assert window.service.counts()[PERSON_TRASH.key] == 1
    _show_base(window, PERSON_TRASH.key)
    assert _names(window) == ["Durand"]
    assert window.act_restore.isEnabled() and not window.act_delete.isEnabled()
    window.list_panel.table.selectRow(0)
    window.restore_selected()
    assert _names(window) == []
    _show_base(window, "particulier")
    assert _names(window) == ["Durand"]
    window.navigation.select_base("suspect")  # organisations: unchanged behaviour
    assert _names(window) == ["Boulangerie Martin"]
    window.list_panel.table.selectRow(0)
    window.trash_selected()
    window.navigation.select_base("corbeille")
    assert _names(window) == ["Boulangerie Martin"]


def test_person_not_found_warns(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, _t, text: warned.append(text))
    assert open_person_sheet(window, 4242) is None
    assert warned == ["Personne introuvable : 4242"]


def test_open_person_is_fast(ctx: AppContext, elise: PersonRecord, qtbot: QtBot) -> None:
    PersonSheet(ctx, _id(elise)).deleteLater()  # warm: postal reference, fonts
    start = time.perf_counter()
    sheet = PersonSheet(ctx, _id(elise))
    elapsed = time.perf_counter() - start
    qtbot.addWidget(sheet)
    assert elapsed < 0.150, f"{elapsed * 1000:.0f} ms"
