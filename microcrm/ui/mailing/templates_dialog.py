"""Outils › Modèles de courrier…: the letter and Word templates, created, edited, removed.

Letter templates open in :class:`~microcrm.ui.mailing.template_editor.TemplateEditor`;
Word templates are edited in Word or LibreOffice, and « Ajouter un modèle Word… »
copies one into the user's template folder, where the wizard and
``microcrm mailmerge --template NAME`` find it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.errors import MicroCRMError
from microcrm.mailing.campaigns import default_context
from microcrm.mailing.templates import (
    LetterTemplate,
    TemplateInfo,
    delete_template,
    list_templates,
    load_template,
    user_templates_dir,
)
from microcrm.ui.mailing.template_editor import TemplateEditor
from microcrm.ui.widgets import named

INFO_ROLE = Qt.ItemDataRole.UserRole


class TemplatesDialog(QDialog):
    """The templates, built-in and the user's own."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templates-dialog")
        self.setWindowTitle("Modèles de courrier")
        self.resize(640, 460)
        self.ctx = ctx
        self.user_dir = user_templates_dir(ctx.paths.config)
        self.list = named(QListWidget(), "templates-list")
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.list.itemDoubleClicked.connect(lambda _i: self.edit())
        self.new_button = named(QPushButton("Nouveau…"), "templates-new")
        self.edit_button = named(QPushButton("Modifier…"), "templates-edit")
        self.docx_button = named(QPushButton("Ajouter un modèle Word…"), "templates-docx")
        self.delete_button = named(QPushButton("Supprimer"), "templates-delete")
        self.new_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button.clicked.connect(self.edit)
        self.docx_button.clicked.connect(self.add_docx)
        self.delete_button.clicked.connect(self.delete)
        self.note = QLabel(
            f"Vos modèles sont enregistrés dans {self.user_dir}. Un modèle Word se modifie dans "
            "Word ou LibreOffice : champs de fusion (MERGEFIELD) ou balises {{ champ }}."
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #616161;")
        buttons = QVBoxLayout()
        for button in (self.new_button, self.edit_button, self.docx_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Fermer")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.note)
        self.reload()

    def reload(self, select: str = "") -> None:
        """List the templates again."""
        self.list.clear()
        for info in list_templates(self.user_dir):
            kind = "Word" if info.kind == "docx" else "lettre"
            origin = "fourni avec MicroCRM" if info.builtin else "personnel"
            item = QListWidgetItem(f"{info.title}  ({kind}, {origin} — {info.name})")
            item.setData(INFO_ROLE, info)
            self.list.addItem(item)
            if info.name == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._update_buttons()

    def current(self) -> TemplateInfo | None:
        """The template selected."""
        item: QListWidgetItem | None = self.list.currentItem()
        if item is None:
            return None
        data = item.data(INFO_ROLE)
        return data if isinstance(data, TemplateInfo) else None

    def _update_buttons(self) -> None:
        info = self.current()
        self.edit_button.setEnabled(info is not None and info.kind == "lettre")
        self.delete_button.setEnabled(info is not None and not info.builtin)

    def open_editor(self, template: LetterTemplate | None) -> TemplateEditor:
        """The editor on a template (None: a new one); the list follows its saves."""
        editor = TemplateEditor(self.user_dir, default_context(self.ctx.db), template, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self.reload)
        editor.open()
        return editor

    def edit(self) -> None:
        """Edit the selected letter template."""
        info = self.current()
        if info is None or info.kind != "lettre":
            return
        try:
            template = load_template(info.name, user_dir=self.user_dir)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Modèles de courrier", exc.message)
            return
        if isinstance(template, LetterTemplate):
            self.open_editor(template)

    def add_docx(self) -> None:
        """Copy a Word document into the user's templates."""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Ajouter un modèle Word", "", "Document Word (*.docx)"
        )
        if path:
            self.import_docx(Path(path))

    def import_docx(self, path: Path) -> Path:
        """Copy ``path`` as a user template (same name); returns the copy."""
        self.user_dir.mkdir(parents=True, exist_ok=True)
        target = self.user_dir / path.name
        shutil.copyfile(path, target)
        self.reload(target.stem)
        return target

    def delete(self) -> None:
        """Remove the selected user template, after confirmation."""
        info = self.current()
        if info is None or info.builtin:
            return
        answer = QMessageBox.question(
            self, "Modèles de courrier", f"Supprimer le modèle « {info.title} » ?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete_template(info.name, self.user_dir)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Modèles de courrier", exc.message)
        self.reload()
