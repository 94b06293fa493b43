"""The settings dialog driven like a user: company, users, database location; OK and Annuler."""

from __future__ import annotations

import os
import socket
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QDialog, QLineEdit, QRadioButton
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext, Settings
from microcrm.crm.company import CompanyInfo, load_company, save_company
from microcrm.crm.users import UserRecord, list_users, save_users
from microcrm.storage.connection import describe_database
from microcrm.ui.settings_dialog import SettingsDialog
from microcrm.ui.settings_users import UsersTab

NBSP = "\u00a0"


@pytest.fixture
def dialog(qtbot: QtBot, app_ctx: AppContext) -> SettingsDialog:
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


@pytest.fixture(autouse=True)
def _no_restart_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """The "restart now?" box is modal; answer "Plus tard"."""
    monkeypatch.setattr(SettingsDialog, "_ask_restart", lambda self: False)


def _click_ok(qtbot: QtBot, dlg: SettingsDialog) -> None:
    qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)


def _click_radio(qtbot: QtBot, button: QRadioButton) -> None:
    """A radio button reacts on its circle and label only, not at the centre of its row."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))


def _cell(tab: UsersTab, row: int, column: int) -> str:
    item = tab.table.item(row, column)
    assert item is not None
    return item.text()


def _saved_settings(ctx: AppContext) -> dict[str, object]:
    return tomllib.loads(ctx.paths.settings_file.read_text(encoding="utf-8"))


def _logo_file(folder: Path, width: int = 1200, height: int = 400) -> Path:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#b5651d"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(20, height // 8, height * 3 // 4, height * 3 // 4)
    painter.setPen(QColor("#5d3a1a"))
    painter.setFont(QFont("DejaVu Sans", height // 5, QFont.Weight.Bold))
    painter.drawText(
        QRectF(height, 0, width - height, height), Qt.AlignmentFlag.AlignVCenter, "Martin"
    )
    painter.end()
    path = folder / "logo.png"
    assert image.save(str(path))
    return path


# -- Entreprise ---------------------------------------------------------------------------------


def test_fill_company_and_accept(qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext) -> None:
    tab = dialog.company_tab
    tab.name.setText("Boulangerie Martin")
    tab.legal_form.setCurrentText("SARL")
    qtbot.keyClicks(tab.capital, "10000")
    qtbot.keyClicks(tab.siret, "732 829 320 00074")
    assert tab.vat_number.text() == "FR 44 732 829 320"  # computed from the SIREN
    assert tab.siren_hint.text() == "SIREN : 732 829 320"
    qtbot.keyClicks(tab.rcs_city, "Rennes")
    tab.address_line1.setText("12 rue de la Monnaie")
    qtbot.keyClicks(tab.postcode, "35000")
    qtbot.keyClicks(tab.city, "Rennes")
    qtbot.keyClicks(tab.phone, "02 99 00 11 22")
    qtbot.keyClicks(tab.email, "contact@boulangerie-martin.fr")
    assert tab.footer_preview.text().replace(NBSP, " ").replace("\u202f", " ") == (
        "SARL au capital de 10 000 € — RCS Rennes 732 829 320 — SIRET 732 829 320 00074 — "
        "TVA FR 44 732 829 320"
    )

    _click_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.changed == {"company"}
    info = load_company(app_ctx.db)
    assert info.name == "Boulangerie Martin" and info.capital_cents == 1_000_000
    assert info.siret == "73282932000074" and info.vat_number == "FR44732829320"
    assert info.phone == "+33299001122" and info.city == "Rennes"


def test_company_errors_are_shown_at_their_field_and_nothing_is_lost(
    qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext
) -> None:
    tab = dialog.company_tab
    dialog.tabs.setCurrentWidget(dialog.users_tab)
    tab.name.setText("Boulangerie Martin")
    qtbot.keyClicks(tab.siret, "73282932000075")
    qtbot.keyClicks(tab.email, "contact@")

    _click_ok(qtbot, dialog)

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.tabs.currentWidget() is tab
    shown = tab.errors.shown()
    assert shown == {
        "siret": "Le SIRET 73282932000075 n'est pas valide : clé de contrôle incorrecte."
    }
    assert "border" in tab.siret.styleSheet()
    assert tab.siret.text() == "73282932000075" and tab.email.text() == "contact@"
    assert load_company(app_ctx.db).is_empty

    qtbot.keyClick(tab.siret, Qt.Key.Key_Backspace)
    qtbot.keyClicks(tab.siret, "4")
    assert tab.errors.shown() == {}  # typing clears the error
    _click_ok(qtbot, dialog)
    assert tab.errors.shown() == {"email": "L'adresse e-mail « contact@ » n'est pas valide."}
    tab.email.setText("contact@boulangerie-martin.fr")
    _click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_company(app_ctx.db).siret == "73282932000074"


def test_bad_capital_is_shown_under_it(qtbot: QtBot, dialog: SettingsDialog) -> None:
    tab = dialog.company_tab
    tab.name.setText("Boulangerie Martin")
    qtbot.keyClicks(tab.capital, "dix mille")
    _click_ok(qtbot, dialog)
    assert tab.errors.shown() == {"capital_cents": "Le montant « dix mille » n'est pas valide."}


def test_logo_is_scaled_previewed_and_saved(
    qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext, tmp_path: Path
) -> None:
    tab = dialog.company_tab
    tab.name.setText("Boulangerie Martin")
    assert tab.load_logo_file(_logo_file(tmp_path))
    assert not tab.logo_preview.pixmap().isNull()
    assert tab.remove_logo_button.isEnabled()
    _click_ok(qtbot, dialog)

    logo = load_company(app_ctx.db).logo_png
    image = QImage.fromData(logo)
    assert (image.width(), image.height()) == (600, 200)


def test_unreadable_logo_is_an_error_at_the_logo(dialog: SettingsDialog, tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"pas une image")
    assert not dialog.company_tab.load_logo_file(bad)
    assert "Impossible de lire l'image logo.png" in dialog.company_tab.errors.shown()["logo_png"]


def test_saved_company_is_shown_formatted(qtbot: QtBot, app_ctx: AppContext) -> None:
    save_company(
        app_ctx.db,
        CompanyInfo(name="Boulangerie Martin", siret="73282932000074", phone="+33299001122"),
    )
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    assert dlg.company_tab.siret.text() == "732 829 320 00074"
    assert dlg.company_tab.phone.text() == "02 99 00 11 22"
    assert not dlg.company_tab.is_modified()
    _click_ok(qtbot, dlg)
    assert dlg.changed == set()  # nothing touched, nothing written


# -- Utilisateurs -------------------------------------------------------------------------------


def _seed_users(ctx: AppContext) -> None:
    save_users(
        ctx.db,
        [
            UserRecord(login="alice", full_name="Alice Bernard"),
            UserRecord(login="marc", full_name="Marc Leroy"),
        ],
    )


def test_add_a_user_and_make_them_this_workstations_user(qtbot: QtBot, app_ctx: AppContext) -> None:
    _seed_users(app_ctx)
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    tab = dlg.users_tab
    dlg.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    tab.full_name.setText("Élise Le Goff")
    assert tab.login.text() == "elise.legoff"  # suggested while untouched
    assert tab.initials.placeholderText() == "ÉLG"
    qtbot.keyClicks(tab.email, "elise@exemple.fr")
    assert _cell(tab, 2, 0) == "Élise Le Goff"
    assert tab.choose_current("elise.legoff")

    _click_ok(qtbot, dlg)

    assert dlg.result() == QDialog.DialogCode.Accepted
    assert dlg.changed == {"users", "current_user"}
    elise = [u for u in list_users(app_ctx.db) if u.login == "elise.legoff"]
    assert elise and elise[0].initials == "ÉLG" and elise[0].email == "elise@exemple.fr"
    assert app_ctx.settings.user_login == "elise.legoff"
    assert _saved_settings(app_ctx)["user_login"] == "elise.legoff"
    assert Settings.load(app_ctx.paths.settings_file).user_login == "elise.legoff"


def test_edit_a_user(qtbot: QtBot, app_ctx: AppContext) -> None:
    _seed_users(app_ctx)
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    tab = dlg.users_tab
    tab.table.selectRow(1)
    assert tab.full_name.text() == "Marc Leroy"
    qtbot.keyClicks(tab.phone, "06 12 34 56 78")
    tab.is_salesperson.setChecked(False)
    assert _cell(tab, 1, 3) == "Non"
    _click_ok(qtbot, dlg)
    marc = next(u for u in list_users(app_ctx.db) if u.login == "marc")
    assert marc.phone == "+33612345678" and not marc.is_salesperson and marc.version_id == 2
    assert dlg.changed == {"users"}


def test_duplicate_login_is_shown_next_to_the_login(qtbot: QtBot, app_ctx: AppContext) -> None:
    _seed_users(app_ctx)
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    tab = dlg.users_tab
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    tab.full_name.setText("Alice Dupont")
    tab.login.setText("alice")
    tab.table.selectRow(0)  # the user looks elsewhere before pressing OK

    _click_ok(qtbot, dlg)

    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.tabs.currentWidget() is tab
    assert tab.selected_index() == 2
    assert tab.errors.shown() == {
        "login": "L'identifiant « alice » est déjà donné à un autre utilisateur."
    }
    assert tab.full_name.text() == "Alice Dupont"  # nothing lost
    assert len(list_users(app_ctx.db)) == 2


def test_login_taken_in_the_database_meanwhile(qtbot: QtBot, app_ctx: AppContext) -> None:
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    tab = dlg.users_tab
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    tab.full_name.setText("Alice Dupont")
    tab.login.setText("alice")
    _seed_users(app_ctx)  # another workstation creates "alice" meanwhile
    _click_ok(qtbot, dlg)
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert tab.errors.shown() == {
        "login": "L'identifiant « alice » est déjà utilisé par Alice Bernard."
    }


def test_deactivate_a_user(qtbot: QtBot, app_ctx: AppContext) -> None:
    _seed_users(app_ctx)
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    tab = dlg.users_tab
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    assert _cell(tab, 0, 4) == "Désactivé"
    assert tab.toggle_button.text() == "Réactiver"
    _click_ok(qtbot, dlg)
    users = {u.login: u for u in list_users(app_ctx.db)}
    assert not users["alice"].active and users["marc"].active
    assert len(users) == 2  # never deleted


def test_new_user_can_be_dropped_and_a_blank_one_is_ignored(
    qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext
) -> None:
    tab = dialog.users_tab
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    tab.full_name.setText("Marc Leroy")
    assert tab.toggle_button.text() == "Retirer"
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)
    assert tab.table.rowCount() == 0
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    tab.full_name.setText("Zoé Faure")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    tab.full_name.setText("Paul Morvan")
    assert tab.choose_current("paul.morvan")
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)  # Zoé goes, Paul stays chosen
    assert tab.chosen_login() == "paul.morvan"
    qtbot.mouseClick(tab.toggle_button, Qt.MouseButton.LeftButton)  # now Paul goes
    assert tab.chosen_login() == ""
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)  # then nothing typed
    _click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert list_users(app_ctx.db) == [] and dialog.changed == set()


def test_cancel_writes_nothing(qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext) -> None:
    before = app_ctx.paths.settings_file.read_text(encoding="utf-8")
    dialog.company_tab.name.setText("Boulangerie Martin")
    qtbot.mouseClick(dialog.users_tab.add_button, Qt.MouseButton.LeftButton)
    dialog.users_tab.full_name.setText("Marc Leroy")
    dialog.database_tab.radio_shared.setChecked(True)
    dialog.database_tab.shared_folder.setText("/tmp")
    dialog.reject()
    assert load_company(app_ctx.db).is_empty
    assert list_users(app_ctx.db) == []
    assert app_ctx.paths.settings_file.read_text(encoding="utf-8") == before


# -- Base de données ----------------------------------------------------------------------------


def test_choose_shared_folder_test_and_accept(
    qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext, tmp_path: Path
) -> None:
    tab = dialog.database_tab
    share = tmp_path / "partage"
    share.mkdir()
    dialog.tabs.setCurrentWidget(tab)
    assert tab.radio_local.isChecked() and not tab.shared_folder.isEnabled()
    _click_radio(qtbot, tab.radio_shared)
    assert tab.shared_folder.isEnabled()
    tab.shared_folder.setText(str(share))
    assert tab.shared_hint.text() == f"Fichier : {share / 'microcrm.sqlite'}"
    assert tab.restart_note.isVisibleTo(dialog)

    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    assert not tab.test_button.isEnabled()  # the dialog stays responsive; the test runs aside
    qtbot.waitUntil(lambda: tab.last_report is not None, timeout=10000)
    text = tab.report.text()
    assert text.startswith("✔ Emplacement utilisable")
    assert "Base vide : elle sera créée au prochain démarrage." in text
    assert "Partager cette base" in text  # a folder on this PC's own disk
    assert not (share / "microcrm.sqlite").exists()

    _click_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.changed == {"database"}
    assert _saved_settings(app_ctx)["database"] == str(share / "microcrm.sqlite")
    assert Settings.load(app_ctx.paths.settings_file).database == str(share / "microcrm.sqlite")


def test_ok_tests_an_untested_location_first(
    qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext, sqlite_db_copy: str
) -> None:
    tab = dialog.database_tab
    tab.radio_shared.setChecked(True)
    tab.shared_folder.setText(sqlite_db_copy)
    _click_ok(qtbot, dialog)
    assert not dialog.ok_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    assert "Connexion réussie" in tab.report.text()
    assert "Contenu : " in tab.report.text()
    assert app_ctx.settings.database == sqlite_db_copy


@pytest.fixture
def sqlite_db_copy(tmp_path: Path) -> str:
    """An existing, migrated MicroCRM base in another folder."""
    from microcrm.storage.opening import open_database

    path = tmp_path / "autre" / "crm.sqlite"
    db = open_database(path)
    db.dispose()
    return str(path)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_failed_location_needs_confirmation(
    qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[bool] = [False, True]
    asked: list[str] = []

    def confirm(self: SettingsDialog, report: object) -> bool:
        asked.append(str(getattr(report, "message", "")))
        return answers.pop(0)

    monkeypatch.setattr(SettingsDialog, "_confirm_failed_location", confirm)
    tab = dialog.database_tab
    port = _closed_port()
    dialog.tabs.setCurrentWidget(tab)
    _click_radio(qtbot, tab.radio_pg)
    tab.pg_host.setText("127.0.0.1")
    tab.pg_port.setValue(port)
    tab.pg_user.setText("marie")
    tab.pg_password.setText("secret")
    assert tab.pg_password.echoMode() == QLineEdit.EchoMode.Password

    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_report is not None, timeout=10000)
    assert tab.report.text() == (
        f"✖ Le serveur 127.0.0.1:{port} refuse la connexion : PostgreSQL n'y est pas démarré, "
        "ou l'adresse ou le port est faux."
    )
    _click_ok(qtbot, dialog)  # "Enregistrer quand même ?" → Non
    assert asked and "refuse la connexion" in asked[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "database" not in _saved_settings(app_ctx) or not _saved_settings(app_ctx)["database"]

    _click_ok(qtbot, dialog)  # → Oui
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert app_ctx.settings.database == f"postgresql://marie:secret@127.0.0.1:{port}/microcrm"


def test_missing_postgres_host_is_shown_at_the_field(qtbot: QtBot, dialog: SettingsDialog) -> None:
    tab = dialog.database_tab
    tab.radio_pg.setChecked(True)
    tab.pg_host.setText("")
    _click_ok(qtbot, dialog)
    assert dialog.tabs.currentWidget() is tab
    assert tab.errors.shown() == {"pg_host": "Le nom ou l'adresse du serveur est obligatoire."}


@pytest.mark.postgres
def test_postgres_test_connection(qtbot: QtBot, dialog: SettingsDialog, pg_url: str) -> None:
    from microcrm.storage.connection import parse_postgres_url

    params = parse_postgres_url(pg_url)
    assert params is not None
    tab = dialog.database_tab
    tab.radio_pg.setChecked(True)
    tab.pg_host.setText(params.host)
    tab.pg_port.setValue(params.port)
    tab.pg_database.setText(params.database)
    tab.pg_user.setText(params.user)
    qtbot.mouseClick(tab.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_report is not None, timeout=10000)
    assert tab.report.text() == (
        "✔ Emplacement utilisable : serveur PostgreSQL.\n"
        "Base vide : elle sera créée au prochain démarrage."
    )


def test_existing_setting_is_shown(qtbot: QtBot, app_ctx: AppContext, tmp_path: Path) -> None:
    app_ctx.settings.database = "postgresql://marie:secret@srv-crm:5433/crm"
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    tab = dlg.database_tab
    assert tab.radio_pg.isChecked()
    assert (tab.pg_host.text(), tab.pg_port.value(), tab.pg_database.text()) == (
        "srv-crm",
        5433,
        "crm",
    )
    assert tab.pg_password.text() == "secret" and not tab.is_modified()

    app_ctx.settings.database = str(tmp_path / "microcrm.sqlite")
    dlg2 = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg2)
    assert dlg2.database_tab.radio_shared.isChecked()
    assert dlg2.database_tab.shared_folder.text() == str(tmp_path)
    assert not dlg2.database_tab.is_modified()


def test_share_this_database(qtbot: QtBot, dialog: SettingsDialog, app_ctx: AppContext) -> None:
    tab = dialog.database_tab
    assert tab.share_button.isEnabled()
    qtbot.mouseClick(tab.share_button, Qt.MouseButton.LeftButton)
    assert describe_database(app_ctx.db).marked_shared
    assert not tab.share_button.isEnabled()
    assert "marquée partagée" in tab.current_mode.text()


# -- Screenshots (docs/screenshots when MICROCRM_SCREENSHOTS names the folder) --------------------


def test_screenshots_of_each_tab(qtbot: QtBot, app_ctx: AppContext, tmp_path: Path) -> None:
    save_company(
        app_ctx.db,
        CompanyInfo(
            name="Boulangerie Martin",
            legal_form="SARL",
            capital_cents=1_000_000,
            siret="73282932000074",
            rcs_city="Rennes",
            vat_number="FR44732829320",
            address_line1="12 rue de la Monnaie",
            address_line2="ZA de la Janais",
            postcode="35000",
            city="Rennes",
            phone="+33299001122",
            email="contact@boulangerie-martin.fr",
            website="https://www.boulangerie-martin.fr",
            legal_mentions="Membre d'une association agréée : le règlement par chèque est accepté.",
        ),
    )
    save_users(
        app_ctx.db,
        [
            UserRecord(
                login="alice.bernard",
                full_name="Alice Bernard",
                email="alice@boulangerie-martin.fr",
                phone="06 12 34 56 78",
            ),
            UserRecord(login="marc.leroy", full_name="Marc Leroy", phone="06 98 76 54 32"),
            UserRecord(login="elise.durand", full_name="Élise Durand", is_salesperson=False),
            UserRecord(login="paul.morvan", full_name="Paul Morvan", active=False),
        ],
    )
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.company_tab.load_logo_file(_logo_file(tmp_path, 900, 300))
    dlg.users_tab.choose_current("alice.bernard")
    share = tmp_path / "partage"
    share.mkdir()
    dlg.database_tab.radio_shared.setChecked(True)
    dlg.database_tab.shared_folder.setText(str(share))
    dlg.show()
    dlg.database_tab.start_test()
    qtbot.waitUntil(lambda: dlg.database_tab.last_report is not None, timeout=10000)

    out = Path(os.environ.get("MICROCRM_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(("entreprise", "utilisateurs", "base")):
        dlg.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        image = dlg.grab().toImage()
        assert image.width() >= 900 and image.height() >= 560
        assert image.save(str(out / f"settings-{name}.png"))


@pytest.mark.parametrize(
    "saved",
    [
        "postgresql+psycopg://marie:secret@srv-crm:5433/crm",
        "{default}",
        "{share}/./microcrm.sqlite",
    ],
)
def test_same_location_spelled_differently_is_not_a_change(
    qtbot: QtBot, app_ctx: AppContext, tmp_path: Path, saved: str
) -> None:
    app_ctx.settings.database = saved.format(default=app_ctx.paths.default_database, share=tmp_path)
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    assert not dlg.database_tab.is_modified()
    _click_ok(qtbot, dlg)
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.changed == set()


def test_cancel_during_a_test_is_safe(qtbot: QtBot, app_ctx: AppContext) -> None:
    from microcrm.ui import workers

    dlg = SettingsDialog(app_ctx)
    tab = dlg.database_tab
    tab.radio_pg.setChecked(True)
    tab.pg_host.setText("127.0.0.1")
    tab.pg_port.setValue(_closed_port())
    assert tab.start_test()
    dlg.reject()
    dlg.deleteLater()
    qtbot.waitUntil(lambda: not workers._running, timeout=10000)
    assert app_ctx.settings.database == ""
