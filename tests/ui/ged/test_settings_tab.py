"""The « GED » page of the settings: inbox folder, auto-filing confidence, default dossiers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext, Settings
from microcrm.ged.dossiers import DEFAULT_DOSSIERS, get_default_dossiers
from microcrm.ui.settings_dialog import SettingsDialog


def test_ged_settings_are_saved_on_ok(qtbot: QtBot, app_ctx: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "A classer"
    inbox.mkdir()
    dialog = SettingsDialog(app_ctx)
    qtbot.addWidget(dialog)
    tab = dialog.ged_tab
    assert tab.dossier_names() == list(DEFAULT_DOSSIERS)
    assert not tab.auto.isChecked() and not tab.confidence.isEnabled()
    tab.inbox.setText(str(inbox))
    tab.auto.setChecked(True)
    tab.confidence.setValue(85)
    tab.dossiers.setPlainText("Devis\nFactures\n\nContrats\n")
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.changed == {"ged"}
    saved = Settings.load(app_ctx.paths.settings_file)
    assert (saved.inbox_folder, saved.inbox_auto_threshold) == (str(inbox), "0.85")
    assert get_default_dossiers(app_ctx.db) == ("Devis", "Factures", "Contrats")


def test_errors_are_shown_at_their_field(qtbot: QtBot, app_ctx: AppContext, tmp_path: Path) -> None:
    dialog = SettingsDialog(app_ctx)
    qtbot.addWidget(dialog)
    tab = dialog.ged_tab
    tab.inbox.setText(str(tmp_path / "absent"))
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.tabs.currentWidget() is tab
    assert tab.errors.shown() == {"inbox_folder": f"Le dossier {tmp_path / 'absent'} n'existe pas."}
    tab.inbox.setText("")
    tab.dossiers.setPlainText("Devis\ndevis")
    dialog.ok_button.click()
    assert "figure deux fois" in tab.errors.shown()["ged_dossiers"]
    assert get_default_dossiers(app_ctx.db) == DEFAULT_DOSSIERS  # nothing written
