"""The conflict dialog on its own: what it shows, the choice per field, save and cancel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from microcrm.ui.conflict_dialog import MINE, THEIRS, ConflictDialog, ConflictField, ask_recreate

FIELDS = [
    ConflictField("name", "Raison sociale", "Boulangerie Martin", "Boulangerie Martin & Fils",
                  "Boulangerie Martin SARL"),
    ConflictField("phone", "Téléphone", "", "02 99 00 11 22", "01 42 68 53 00"),
]


@pytest.fixture
def dialog(qtbot: QtBot) -> ConflictDialog:
    dlg = ConflictDialog(FIELDS)
    qtbot.addWidget(dlg)
    return dlg


def test_shows_each_field_with_three_versions(dialog: ConflictDialog) -> None:
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    for header in ("Version d'origine", "Leur version (autre poste)", "Votre version"):
        assert f"<b>{header}</b>" in texts
    assert "<b>Raison sociale</b>" in texts and "<b>Téléphone</b>" in texts
    for value in ("Boulangerie Martin", "Boulangerie Martin & Fils", "Boulangerie Martin SARL",
                  "02 99 00 11 22", "01 42 68 53 00", "(vide)"):
        assert value in texts
    assert dialog.windowTitle() == "Conflit de modification"
    assert (dialog.save_button.text(), dialog.cancel_button.text()) == ("Enregistrer", "Annuler")
    assert dialog.radios["name", MINE].text() == "Garder la mienne"
    assert dialog.radios["name", THEIRS].text() == "Prendre la leur"


def test_mine_by_default_and_a_choice_per_field(dialog: ConflictDialog, qtbot: QtBot) -> None:
    assert dialog.choices() == {"name": MINE, "phone": MINE}
    radio = dialog.radios["phone", THEIRS]
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(6, radio.height() // 2))
    assert dialog.choices() == {"name": MINE, "phone": THEIRS}
    assert dialog.keep_mine() == {"name"}
    dialog.choose_all(THEIRS)
    assert dialog.keep_mine() == set()
    dialog.choose_all(MINE)
    assert dialog.keep_mine() == {"name", "phone"}


def test_save_accepts_and_cancel_rejects(dialog: ConflictDialog, qtbot: QtBot) -> None:
    QTimer.singleShot(0, dialog.save_button.click)
    assert dialog.exec() == QDialog.DialogCode.Accepted
    QTimer.singleShot(0, dialog.cancel_button.click)
    assert dialog.exec() == QDialog.DialogCode.Rejected


@pytest.mark.parametrize(("button", "expected"), [("Recréer", True), ("Annuler", False)])
def test_deleted_elsewhere_question(qtbot: QtBot, button: str, expected: bool) -> None:
    seen: list[str] = []

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)
    assert ask_recreate(None, "Boulangerie Martin") is expected
    assert seen == [
        "La fiche « Boulangerie Martin » a été supprimée sur un autre poste pendant que vous "
        "la modifiiez."
    ]

