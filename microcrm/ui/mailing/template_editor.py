"""Letter template editor: formatted text, merge-field menu, live preview of the letter.

The body is edited in a ``QTextEdit`` and stored in the small rich-text subset
of :mod:`microcrm.mailing.richtext` (paragraphs and their alignment, bold,
italic, underline), the only formatting the toolbar offers, so what is shown
is what gets printed. Every change restarts a short debounce; then the letter
is rendered to PDF by :func:`~microcrm.mailing.letters.render_preview` in a
worker (one at a time: a change during a render renders again afterwards)
and its page shown with QtPdf. An unknown ``{{ champ }}`` is named, in
French, before any render and before saving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence, QTextCharFormat
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTextEdit,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from microcrm.errors import MicroCRMError
from microcrm.mailing import richtext
from microcrm.mailing.errors import UnknownFieldError
from microcrm.mailing.fields import MergeContext, field_catalogue
from microcrm.mailing.letters import LetterLayout, render_preview
from microcrm.mailing.production import template_context
from microcrm.mailing.templates import LetterTemplate, check_template, save_letter_template
from microcrm.ui.mailing.pdf_view import PageStrip, PdfError
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, run_task

DEBOUNCE_MS = 350
WINDOWS = (("DL", "Enveloppe DL (110 × 220)"), ("C5", "Enveloppe C5 (162 × 229)"))
ALIGNMENTS = (
    ("left", "À gauche", Qt.AlignmentFlag.AlignLeft),
    ("center", "Centré", Qt.AlignmentFlag.AlignHCenter),
    ("right", "À droite", Qt.AlignmentFlag.AlignRight),
    ("justify", "Justifié", Qt.AlignmentFlag.AlignJustify),
)
NEW_BODY = "<p>{{ formule_appel }}</p><p></p>"


class TemplateEditor(QDialog):
    """Edit a letter template and see the letter as it will print.

    ``layout_for(window)`` gives the letter layout of an envelope window (the
    wizard passes the window position measured on this workstation); by
    default the standard positions are used.

    Signals:
        saved(str): the template was saved under this name.
        preview_ready(): a preview was rendered and shown.
    """

    saved = Signal(str)
    preview_ready = Signal()

    def __init__(
        self,
        user_dir: Path,
        context: MergeContext,
        template: LetterTemplate | None = None,
        parent: QWidget | None = None,
        *,
        layout_for: Callable[[str], LetterLayout] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("template-editor")
        self.user_dir = user_dir
        self.layout_for = layout_for
        self.context = context
        self.original = template or LetterTemplate(name="", title="", body_html=NEW_BODY)
        self.setWindowTitle(
            f"Modèle de courrier — {self.original.title or self.original.name}"
            if template
            else "Nouveau modèle de courrier"
        )
        self.resize(1180, 760)
        self.last_error = ""
        self.last_pdf = b""
        self._rendering = False
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.render_now)

        self._build_fields()
        self.toolbar = self._build_toolbar()
        self.preview = named(PageStrip(480), "template-preview")
        self.preview.show_message("Aperçu en cours…")
        self.error = named(QLabel(), "template-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        self._build_layout()
        self._load(self.original)
        self._target: QLineEdit | QTextEdit = self.body
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        for edit in (self.subject, self.signature_name, self.signature_title, self.place):
            edit.textChanged.connect(self.schedule_preview)
        self.body.textChanged.connect(self.schedule_preview)
        self.window_combo.currentIndexChanged.connect(self.schedule_preview)
        self.render_now()

    # -- building ----------------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.name = named(QLineEdit(), "template-name")
        self.name.setPlaceholderText("prospection-salon")
        self.title_edit = named(QLineEdit(), "template-title")
        self.title_edit.setPlaceholderText("Lettre de prospection du salon")
        self.window_combo = named(QComboBox(), "template-window")
        for key, label in WINDOWS:
            self.window_combo.addItem(label, key)
        self.subject = named(QLineEdit(), "template-subject")
        self.subject.setPlaceholderText("Objet : …")
        self.body = named(QTextEdit(), "template-body")
        self.body.setAcceptRichText(True)
        self.body.setTabChangesFocus(True)
        self.signature_name = named(QLineEdit(), "template-signature")
        self.signature_title = named(QLineEdit(), "template-signature-title")
        self.place = named(QLineEdit(), "template-place")
        self.place.setPlaceholderText("ville de l'entreprise")

    def _action(self, text: str, shortcut: str | None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setToolTip(tip or text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString()})")
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def _build_toolbar(self) -> QToolBar:
        toolbar = named(QToolBar("Mise en forme"), "template-toolbar")
        self.act_bold = self._action("G", "Ctrl+B", "Gras")
        self.act_italic = self._action("I", "Ctrl+I", "Italique")
        self.act_underline = self._action("S", "Ctrl+U", "Souligné")
        for action, style in (
            (self.act_bold, "font-weight: bold"),
            (self.act_italic, "font-style: italic"),
            (self.act_underline, "text-decoration: underline"),
        ):
            toolbar.addAction(action)
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setStyleSheet(f"QToolButton {{ {style}; padding: 2px 6px; }}")
        self.act_bold.triggered.connect(self.set_bold)
        self.act_italic.triggered.connect(self.set_italic)
        self.act_underline.triggered.connect(self.set_underline)
        toolbar.addSeparator()
        group = QActionGroup(self)
        self.align_actions: dict[str, QAction] = {}
        for key, text, flag in ALIGNMENTS:
            action = self._action(text, None, f"Paragraphe {text.lower()}")
            group.addAction(action)
            action.triggered.connect(lambda _c=False, f=flag: self.set_alignment(f))
            toolbar.addAction(action)
            self.align_actions[key] = action
        self.fields_button = named(QToolButton(), "insert-field")
        self.fields_button.setText("Insérer un champ")
        self.fields_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.fields_menu = QMenu(self.fields_button)
        self.fields_button.setMenu(self.fields_menu)
        self.body.currentCharFormatChanged.connect(self._show_format)
        self.body.cursorPositionChanged.connect(self._show_alignment)
        return toolbar

    def _fill_fields_menu(self, custom: list[str]) -> None:
        self.fields_menu.clear()
        for definition in field_catalogue(custom):
            action = self.fields_menu.addAction(
                f"{definition.label}  —  {{{{ {definition.name} }}}}"
            )
            action.setToolTip(definition.description)
            action.setData(definition.name)
            action.triggered.connect(lambda _c=False, n=definition.name: self.insert_field(n))
        self.fields_menu.setToolTipsVisible(True)

    def _build_layout(self) -> None:
        head = QFormLayout()
        head.addRow("Nom du fichier :", self.name)
        head.addRow("Titre :", self.title_edit)
        head.addRow("Enveloppe :", self.window_combo)
        head.addRow("Objet :", self.subject)
        tail = QFormLayout()
        tail.addRow("Signataire :", self.signature_name)
        tail.addRow("Fonction :", self.signature_title)
        tail.addRow("Fait à :", self.place)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(head)
        bar = QHBoxLayout()
        bar.addWidget(self.toolbar)
        bar.addStretch(1)
        bar.addWidget(self.fields_button)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.body, 1)
        left_layout.addLayout(tail)
        left_layout.addWidget(self.error)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Aperçu (valeurs d'exemple)")
        caption.setStyleSheet("color: #616161;")
        right_layout.addWidget(caption)
        right_layout.addWidget(self.preview, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([640, 540])
        self.save_button = named(QPushButton("Enregistrer le modèle"), "template-save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Fermer")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        self.builtin_note = QLabel()
        self.builtin_note.setStyleSheet("color: #616161;")
        buttons.addWidget(self.builtin_note, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def _load(self, template: LetterTemplate) -> None:
        self.name.setText(template.name)
        self.title_edit.setText(template.title)
        index = self.window_combo.findData(template.window)
        self.window_combo.setCurrentIndex(max(0, index))
        self.subject.setText(template.subject)
        self.body.setHtml(template.body_html)
        self.signature_name.setText(template.signature_name)
        self.signature_title.setText(template.signature_title)
        self.place.setText(template.place)
        self._fill_fields_menu([*self.context.custom, *template.custom])
        if template.builtin:
            self.builtin_note.setText(
                "Modèle fourni avec MicroCRM : l'enregistrer crée votre propre version."
            )

    # -- formatting --------------------------------------------------------------------------
    def _merge_format(self, fmt: QTextCharFormat) -> None:
        cursor = self.body.textCursor()
        if not cursor.hasSelection():
            cursor.select(cursor.SelectionType.WordUnderCursor)
        cursor.mergeCharFormat(fmt)
        self.body.mergeCurrentCharFormat(fmt)

    def set_bold(self, on: bool) -> None:
        """Bold on or off for the selection (or the word under the cursor)."""
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)
        self._merge_format(fmt)

    def set_italic(self, on: bool) -> None:
        """Italic on or off."""
        fmt = QTextCharFormat()
        fmt.setFontItalic(on)
        self._merge_format(fmt)

    def set_underline(self, on: bool) -> None:
        """Underline on or off."""
        fmt = QTextCharFormat()
        fmt.setFontUnderline(on)
        self._merge_format(fmt)

    def set_alignment(self, flag: Qt.AlignmentFlag) -> None:
        """Align the current paragraph(s)."""
        self.body.setAlignment(flag)
        self.schedule_preview()

    def _show_format(self, fmt: QTextCharFormat) -> None:
        self.act_bold.setChecked(fmt.fontWeight() >= QFont.Weight.DemiBold)
        self.act_italic.setChecked(fmt.fontItalic())
        self.act_underline.setChecked(fmt.fontUnderline())

    def _show_alignment(self) -> None:
        align = self.body.alignment()
        for key, _text, flag in ALIGNMENTS:
            if align & flag:
                self.align_actions[key].setChecked(True)
                return
        self.align_actions["left"].setChecked(True)

    # -- merge fields ------------------------------------------------------------------------
    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new in (self.subject, self.body, self.signature_name, self.signature_title):
            assert isinstance(new, QLineEdit | QTextEdit)
            self._target = new

    def insert_field(self, name: str) -> None:
        """Insert ``{{ name }}`` where the user last typed (body, subject or signature)."""
        tag = f"{{{{ {name} }}}}"
        target = self._target
        if isinstance(target, QTextEdit):
            target.textCursor().insertText(tag)
        else:
            target.insert(tag)
        target.setFocus()

    # -- the template ------------------------------------------------------------------------
    def current_template(self) -> LetterTemplate:
        """The template as edited (body in the stored rich-text subset)."""
        return replace(
            self.original,
            name=self.name.text().strip(),
            title=self.title_edit.text().strip(),
            subject=self.subject.text(),
            body_html=richtext.from_qt_html(self.body.toHtml()),
            signature_name=self.signature_name.text(),
            signature_title=self.signature_title.text(),
            window=str(self.window_combo.currentData()),
            place=self.place.text().strip(),
        )

    def check(self, template: LetterTemplate) -> str:
        """The French message of the first unknown field, or ``""``."""
        try:
            check_template(template, list(self.context.custom))
        except UnknownFieldError as exc:
            return exc.message
        return ""

    def _show_error(self, message: str) -> None:
        self.last_error = message
        self.error.setText(message)
        self.error.setVisible(bool(message))

    # -- live preview ------------------------------------------------------------------------
    def schedule_preview(self) -> None:
        """Render again shortly (debounced: typing does not render every keystroke)."""
        self._timer.start()

    def render_now(self) -> None:
        """Render the letter with the catalogue's example values, in a worker."""
        self._timer.stop()
        template = self.current_template()
        message = self.check(template)
        self._show_error(message)
        if message:
            return
        if self._rendering:
            self._pending = True
            return
        self._rendering = True
        context = template_context(template, self.context)
        layout = self.layout_for(template.window) if self.layout_for is not None else None

        def job(_progress: ProgressFn, _cancelled: object) -> bytes:
            return render_preview(template, None, context=context, layout=layout)

        run_task(job, on_finished=self._rendered, on_failed=self._render_failed)

    def _render_done(self) -> None:
        self._rendering = False
        if self._pending:
            self._pending = False
            self.render_now()

    def _rendered(self, data: object) -> None:
        if isinstance(data, bytes):
            self.last_pdf = data
            try:
                self.preview.show_pdf(data)
            except PdfError as exc:
                self.preview.show_message(exc.message)
        self._render_done()
        self.preview_ready.emit()

    def _render_failed(self, exc: object, _trace: str) -> None:
        text = exc.message if isinstance(exc, MicroCRMError) else str(exc)
        self.preview.show_message(f"Aperçu impossible : {text}")
        self._render_done()

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> Path | None:
        """Check the fields, then write the template (TOML) in the user's folder."""
        template = self.current_template()
        message = self.check(template)
        self._show_error(message)
        if message:
            self.error.setText(f"Modèle non enregistré. {message}")
            return None
        try:
            path = save_letter_template(template, self.user_dir)
        except MicroCRMError as exc:
            self._show_error(f"Modèle non enregistré. {exc.message}")
            return None
        self.original = replace(template, path=path, builtin=False)
        self.builtin_note.setText(f"Enregistré : {path.name}")
        self.saved.emit(template.name)
        return path

    def done(self, result: int) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        self._timer.stop()
        super().done(result)
