"""Letter template editor: formatting kept in the stored subset, merge-field menu, unknown
field named in French before saving, live preview rendered (PDF read back)."""

from __future__ import annotations

import io
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from microcrm.mailing.fields import MergeContext
from microcrm.mailing.templates import LetterTemplate, load_template
from microcrm.ui.mailing.template_editor import TemplateEditor
from tests.mailing.helpers import COMPANY, RUN_DATE

TIMEOUT = 20_000


@pytest.fixture
def editor(qtbot: QtBot, tmp_path: Path) -> Iterator[TemplateEditor]:
    from microcrm.ui.application import make_application

    make_application([])
    dialog = TemplateEditor(tmp_path / "modeles", MergeContext(COMPANY, RUN_DATE))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.last_pdf), timeout=TIMEOUT)
    yield dialog
    dialog.close()


def _select_word(editor: TemplateEditor, word: str) -> None:
    text = editor.body.toPlainText()
    start = text.index(word)
    cursor = editor.body.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(word), QTextCursor.MoveMode.KeepAnchor)
    editor.body.setTextCursor(cursor)


def test_formatting_and_fields_saved_in_the_stored_subset(
    qtbot: QtBot, editor: TemplateEditor, tmp_path: Path
) -> None:
    editor.name.setText("salon")
    editor.title_edit.setText("Invitation au salon")
    editor.subject.setText("Objet : invitation de {{ entreprise }}")
    editor.body.setPlainText("Venez nous voir au salon, entrée gratuite.")
    editor.body.setFocus()
    _select_word(editor, "gratuite")
    editor.act_bold.trigger()
    assert editor.act_bold.isChecked()
    _select_word(editor, "salon")
    qtbot.keyClick(editor.body, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    editor.align_actions["center"].trigger()
    cursor = editor.body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.body.setTextCursor(cursor)
    [field] = [a for a in editor.fields_menu.actions() if a.data() == "raison_sociale"]
    field.trigger()
    assert editor.body.toPlainText().endswith("{{ raison_sociale }}")

    path = editor.save()
    assert path == tmp_path / "modeles" / "salon.toml"
    assert editor.last_error == ""
    stored = tomllib.loads(path.read_text(encoding="utf-8"))
    assert stored["body"] == (
        '<p align="center">Venez nous voir au <i>salon</i>, entrée <b>gratuite</b>.'
        "{{ raison_sociale }}</p>"
    )
    assert "span" not in stored["body"] and "style" not in stored["body"]
    template = load_template("salon", user_dir=tmp_path / "modeles")
    assert isinstance(template, LetterTemplate)
    assert (template.title, template.subject) == (
        "Invitation au salon",
        "Objet : invitation de {{ entreprise }}",
    )


def test_unknown_field_named_before_saving(editor: TemplateEditor, tmp_path: Path) -> None:
    editor.name.setText("fautif")
    editor.subject.setText("Objet : votre dossier {{ numero_dossier }}")
    assert editor.save() is None
    assert editor.error.isVisibleTo(editor)
    assert editor.error.text().startswith(
        "Modèle non enregistré. Champ de fusion inconnu « numero_dossier » dans l'objet du "
        "modèle « fautif »."
    )
    assert not (tmp_path / "modeles" / "fautif.toml").exists()
    editor.subject.setText("Objet : votre dossier {{ reference }}")
    assert editor.save() == tmp_path / "modeles" / "fautif.toml"
    assert not editor.error.isVisibleTo(editor)


def test_live_preview_renders_the_letter(qtbot: QtBot, editor: TemplateEditor) -> None:
    first = editor.last_pdf
    assert len(editor.preview.images) == 1
    editor.subject.setText("Objet : nouveautés de {{ entreprise }}")
    editor.body.setPlainText("Texte unique de l'aperçu pour {{ raison_sociale }}.")
    with qtbot.waitSignal(editor.preview_ready, timeout=TIMEOUT):
        pass
    qtbot.waitUntil(lambda: "unique" in _text(editor.last_pdf), timeout=TIMEOUT)
    text = _text(editor.last_pdf)
    assert editor.last_pdf != first
    assert "Texte unique de l'aperçu pour Boulangerie Martin SARL." in text
    assert "Objet : nouveautés de Atelier Œuvre & Cie" in text
    assert editor.preview.images and editor.preview.images[0].width() == 480
    # An unknown field stops the preview and says why.
    editor.body.setPlainText("{{ inconnu }}")
    editor.render_now()
    assert "Champ de fusion inconnu « inconnu »" in editor.error.text()


def _text(pdf: bytes) -> str:
    if not pdf:
        return ""
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
