"""Pages 3 and 4 of the publipostage wizard: template and outputs, then each letter's preview."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from microcrm.errors import MicroCRMError
from microcrm.mailing.docx_merge import docx_letters, docx_to_pdf, find_soffice
from microcrm.mailing.envelopes import ENVELOPES
from microcrm.mailing.labels import LabelFormat, label_formats
from microcrm.mailing.letters import LetterLayout, WindowSpec, render_preview
from microcrm.mailing.print_settings import (
    OFFSET_LIMIT_MM,
    window_override,
)
from microcrm.mailing.production import RunOptions, template_context
from microcrm.mailing.recipients import Recipient
from microcrm.mailing.templates import (
    DocxTemplateFile,
    LetterTemplate,
    Template,
    TemplateInfo,
    check_template,
    list_templates,
    load_template,
)
from microcrm.text import thousands
from microcrm.ui.mailing.pdf_view import PageStrip, PdfError
from microcrm.ui.mailing.print_options import (
    CalibrationDialog,
    LabelFormatDialog,
    WindowPositionBox,
    format_label,
    mm_spin,
)
from microcrm.ui.mailing.state import WizardState
from microcrm.ui.mailing.template_editor import TemplateEditor
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, run_task

WINDOWS = (("DL", "DL (110 × 220, A4 plié en trois)"), ("C5", "C5 (162 × 229, A4 plié en deux)"))
INFO_ROLE = Qt.ItemDataRole.UserRole


class TemplatePage(QWizardPage):
    """3 — Modèle: a built-in or user template, PDF and/or DOCX, envelope window, labels.

    The template's merge fields are listed with where they are as soon as it is
    selected; a template that cannot be merged is named in the error line.
    """

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Modèle et documents")
        self.setSubTitle("Choisissez la lettre et ce qu'il faut produire.")
        self.templates = named(QListWidget(), "template-list")
        self.templates.currentItemChanged.connect(lambda *_: self._template_changed())
        self.fields = named(QListWidget(), "template-fields")
        self.fields.setMaximumHeight(140)
        self.fields.setToolTip("Chaque champ de fusion du modèle et l'endroit où il se trouve")
        self.new_button = named(QPushButton("Nouveau modèle…"), "template-new")
        self.edit_button = named(QPushButton("Modifier…"), "template-edit")
        self.new_button.clicked.connect(lambda: self.edit_template(new=True))
        self.edit_button.clicked.connect(lambda: self.edit_template(new=False))
        self.want_pdf = named(QCheckBox("PDF prêt à imprimer"), "want-pdf")
        self.want_docx = named(QCheckBox("Document Word (.docx)"), "want-docx")
        self.want_pdf.toggled.connect(lambda _on: self.completeChanged.emit())
        self.want_docx.toggled.connect(lambda _on: self.completeChanged.emit())
        self.window_combo = named(QComboBox(), "window-combo")
        for key, label in WINDOWS:
            self.window_combo.addItem(label, key)
        self.window_box = named(WindowPositionBox(), "window-position")
        self.window_combo.currentIndexChanged.connect(self._window_changed)
        self.window_box.changed.connect(self._window_edited)
        self.want_envelopes = named(QCheckBox("Enveloppes"), "want-envelopes")
        self.envelope_combo = named(QComboBox(), "envelope-format")
        for key, envelope in ENVELOPES.items():
            self.envelope_combo.addItem(envelope.title, key)
        self.envelope_combo.setEnabled(False)
        self.want_envelopes.toggled.connect(self.envelope_combo.setEnabled)
        self.labels_box = named(QGroupBox("Imprimer aussi les étiquettes"), "labels-box")
        self.labels_box.setCheckable(True)
        self.labels_box.setChecked(False)
        self.label_combo = named(QComboBox(), "label-format")
        self.label_formats: dict[str, LabelFormat] = {}
        self.label_start = named(QSpinBox(), "label-start")
        self.label_start.setMinimum(1)
        self.label_combo.currentIndexChanged.connect(self._label_format_changed)
        self.new_format_button = named(QPushButton("Nouveau format…"), "label-format-new")
        self.new_format_button.clicked.connect(self.new_label_format)
        self.offset_dx = self._offset_spin("label-offset-dx")
        self.offset_dy = self._offset_spin("label-offset-dy")
        self.calibration_button = named(QPushButton("Page d'étalonnage…"), "label-calibration")
        self.calibration_button.clicked.connect(self.open_calibration)
        self._loading_offset = False
        self.error = named(QLabel(), "template-page-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #616161;")
        self._build_layout()
        self._template: Template | None = None

    def _build_layout(self) -> None:
        left = QVBoxLayout()
        left.addWidget(QLabel("Modèles :"))
        left.addWidget(self.templates, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        left.addLayout(row)
        left.addWidget(QLabel("Champs de fusion du modèle :"))
        left.addWidget(self.fields)
        outputs = QGroupBox("Documents à produire")
        out_layout = QFormLayout(outputs)
        out_layout.addRow(self.want_pdf)
        out_layout.addRow(self.want_docx)
        out_layout.addRow("Enveloppe à fenêtre :", self.window_combo)
        out_layout.addRow("Position de la fenêtre :", self.window_box)
        envelopes = QHBoxLayout()
        envelopes.addWidget(self.want_envelopes)
        envelopes.addWidget(self.envelope_combo, 1)
        out_layout.addRow(envelopes)
        labels = QFormLayout(self.labels_box)
        labels.addRow("Planche :", self.label_combo)
        labels.addRow("Commencer à l'étiquette n° :", self.label_start)
        offset = QHBoxLayout()
        offset.addWidget(QLabel("horizontal"))
        offset.addWidget(self.offset_dx)
        offset.addWidget(QLabel("vertical"))
        offset.addWidget(self.offset_dy)
        offset.addStretch(1)
        labels.addRow("Décalage imprimante :", offset)
        calibration = QHBoxLayout()
        calibration.addStretch(1)
        calibration.addWidget(self.new_format_button)
        calibration.addWidget(self.calibration_button)
        labels.addRow(calibration)
        right = QVBoxLayout()
        right.addWidget(outputs)
        right.addWidget(self.labels_box)
        right.addWidget(self.note)
        right.addWidget(self.error)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

    def initializePage(self) -> None:
        if not self.templates.count():
            self.reload_templates("prospection")
        if not self.label_combo.count():
            self.reload_label_formats()
        self._window_changed()

    def reload_templates(self, select: str = "") -> None:
        """List the templates again (after one was saved) and select ``select``."""
        current = select or self.template_name()
        self.templates.clear()
        for info in list_templates(self.state.templates_dir):
            kind = "Word" if info.kind == "docx" else "lettre"
            origin = "fourni" if info.builtin else "personnel"
            item = QListWidgetItem(f"{info.title}  ({kind}, {origin} — {info.name})")
            item.setData(INFO_ROLE, info)
            self.templates.addItem(item)
            if info.name == current:
                self.templates.setCurrentItem(item)
        if self.templates.currentItem() is None and self.templates.count():
            self.templates.setCurrentRow(0)

    def template_name(self) -> str:
        """Name of the selected template (``""`` when none)."""
        info = self._info()
        return info.name if info else ""

    def _info(self) -> TemplateInfo | None:
        item: QListWidgetItem | None = self.templates.currentItem()
        if item is None:
            return None
        data = item.data(INFO_ROLE)
        return data if isinstance(data, TemplateInfo) else None

    def select_template(self, name: str) -> None:
        """Select a template by name."""
        for row in range(self.templates.count()):
            data = self.templates.item(row).data(INFO_ROLE)
            if isinstance(data, TemplateInfo) and data.name == name:
                self.templates.setCurrentRow(row)
                return
        raise KeyError(name)

    def _template_changed(self) -> None:
        info = self._info()
        self._template = None
        self.error.clear()
        if info is None:
            self.completeChanged.emit()
            return
        try:
            self._template = load_template(info.name, user_dir=self.state.templates_dir)
        except MicroCRMError as exc:
            self.error.setText(exc.message)
        self._show_fields()
        letter = isinstance(self._template, LetterTemplate)
        soffice = find_soffice() is not None
        self.edit_button.setEnabled(letter)
        self.window_combo.setEnabled(letter)
        self.window_box.setEnabled(letter)
        if isinstance(self._template, LetterTemplate):
            self.window_combo.setCurrentIndex(
                max(0, self.window_combo.findData(self._template.window))
            )
            self.want_pdf.setChecked(True)
            self.want_pdf.setEnabled(False)
            self.want_docx.setChecked(False)
            self.want_docx.setEnabled(False)
            self.note.setText("Lettre mise en page par MicroCRM : un PDF prêt à imprimer.")
        else:
            self.want_docx.setEnabled(True)
            self.want_docx.setChecked(True)
            self.want_pdf.setEnabled(soffice)
            self.want_pdf.setChecked(soffice)
            self.note.setText(
                "Modèle Word : un seul document pour tous les destinataires."
                + ("" if soffice else " LibreOffice n'est pas installé : pas de PDF ni d'aperçu.")
            )
        self.completeChanged.emit()

    def _show_fields(self) -> None:
        """List the template's merge fields and where they are; name what cannot be merged."""
        self.fields.clear()
        if self._template is None:
            return
        try:
            found = check_template(self._template, list(self.state.context().custom))
        except MicroCRMError as exc:
            self.error.setText(exc.message)
            return
        for name, where in found:
            self.fields.addItem(f"« {name} » — {where}")
        if not found:
            self.fields.addItem("Aucun champ de fusion")

    # -- printing set-up ---------------------------------------------------------------------
    def _offset_spin(self, name: str) -> QDoubleSpinBox:
        spin = mm_spin(name, -OFFSET_LIMIT_MM, OFFSET_LIMIT_MM, 0.0)
        spin.setToolTip("Mesuré avec la page d'étalonnage ; droite et bas : positif")
        spin.valueChanged.connect(self._offset_edited)
        return spin

    def reload_label_formats(self, select: str = "") -> None:
        """List the label sheets again (built-in and the user's) and select ``select``."""
        current = select or str(self.label_combo.currentData() or "")
        self.label_formats = label_formats(self.state.labels_dir)
        self.label_combo.blockSignals(True)
        self.label_combo.clear()
        for name, fmt in self.label_formats.items():
            self.label_combo.addItem(format_label(fmt), name)
        self.label_combo.setCurrentIndex(max(0, self.label_combo.findData(current)))
        self.label_combo.blockSignals(False)
        self._label_format_changed()

    def current_label_format(self) -> LabelFormat | None:
        """The label sheet selected (whether or not labels are asked for)."""
        return self.label_formats.get(str(self.label_combo.currentData()))

    def label_offset(self) -> tuple[float, float]:
        """The printer offset shown (dx, dy) in mm."""
        return self.offset_dx.value(), self.offset_dy.value()

    def _label_format_changed(self) -> None:
        fmt = self.current_label_format()
        if fmt is None:
            return
        self.label_start.setMaximum(fmt.per_sheet)
        dx, dy = self.state.ctx.mailmerge.print_settings().label_offset(fmt.name)
        self._loading_offset = True
        try:
            self.offset_dx.setValue(dx)
            self.offset_dy.setValue(dy)
        finally:
            self._loading_offset = False

    def _offset_edited(self) -> None:
        fmt = self.current_label_format()
        if not self._loading_offset and fmt is not None:
            self.state.ctx.mailmerge.save_label_offset(fmt.name, self.label_offset())

    def new_label_format(self) -> LabelFormatDialog:
        """« Nouveau format… »: the dialog, starting from the selected sheet."""
        dialog = LabelFormatDialog(self.state.labels_dir, self.current_label_format(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.reload_label_formats)
        dialog.open()
        return dialog

    def open_calibration(self) -> CalibrationDialog | None:
        """« Page d'étalonnage… » of the selected sheet, with the offset shown."""
        fmt = self.current_label_format()
        if fmt is None:
            return None
        dialog = CalibrationDialog(fmt, self.label_offset(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def letter_layout(self, window: str) -> LetterLayout:
        """Layout of letters for envelope ``window``, with its remembered position."""
        return self.state.ctx.mailmerge.letter_layout(window)

    def _window_changed(self) -> None:
        name = str(self.window_combo.currentData())
        self.window_box.set_window(self.state.ctx.mailmerge.print_settings().window(name))

    def _window_edited(self, window: WindowSpec) -> None:
        self.state.ctx.mailmerge.save_window(window)

    def edit_template(self, *, new: bool) -> TemplateEditor:
        """Open the template editor on the selected letter template (or a blank one)."""
        template = None if new else self._template
        editor = TemplateEditor(
            self.state.templates_dir,
            self.state.context(),
            template if isinstance(template, LetterTemplate) else None,
            self,
            layout_for=self.letter_layout,
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self.reload_templates)
        editor.open()
        return editor

    def isComplete(self) -> bool:
        return self._template is not None and (
            self.want_pdf.isChecked() or self.want_docx.isChecked()
        )

    def options(self) -> RunOptions | None:
        """The choices made, or None when no template is usable."""
        if self._template is None:
            return None
        fmt = None
        if self.labels_box.isChecked():
            fmt = self.label_formats.get(str(self.label_combo.currentData()))
        letter = isinstance(self._template, LetterTemplate)
        return RunOptions(
            template=self._template,
            want_pdf=self.want_pdf.isChecked(),
            want_docx=self.want_docx.isChecked(),
            window=str(self.window_combo.currentData()),
            window_override=window_override(self.window_box.spec()) if letter else None,
            label_format=fmt,
            label_start=self.label_start.value(),
            label_offset=self.label_offset() if fmt is not None else (0.0, 0.0),
            envelope=(
                str(self.envelope_combo.currentData()) if self.want_envelopes.isChecked() else None
            ),
        )

    def validatePage(self) -> bool:
        options = self.options()
        if options is None:
            return False
        try:
            check_template(options.template, list(self.state.context().custom))
        except MicroCRMError as exc:
            self.error.setText(exc.message)
            return False
        window_error = self.window_box.check() if self.window_box.isEnabled() else ""
        if window_error:
            self.error.setText(window_error)
            return False
        self.error.clear()
        self.state.options = options
        return True


def preview_pdf(state: WizardState, options: RunOptions, recipient: Recipient) -> bytes | None:
    """One recipient's letter as PDF bytes; None for a Word template without LibreOffice."""
    template = options.template
    context = template_context(template, state.context())
    if isinstance(template, LetterTemplate):
        return render_preview(template, recipient, context=context, layout=options.layout())
    assert isinstance(template, DocxTemplateFile)
    if find_soffice() is None:
        return None
    with tempfile.TemporaryDirectory(prefix="microcrm-apercu-") as folder:
        docx = Path(folder) / "apercu.docx"
        docx.write_bytes(next(docx_letters(template.path, [recipient], context=context)))
        return docx_to_pdf(docx, Path(folder)).read_bytes()


class PreviewPage(QWizardPage):
    """4 — Aperçu: each recipient's letter as it will print; previous and next recipient.

    Signals:
        preview_ready(): the current letter is shown (or its message).
    """

    preview_ready = Signal()

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Aperçu")
        self.setSubTitle("Chaque lettre telle qu'elle sera imprimée.")
        self.index = 0
        self._busy = False
        self._again = False
        self.strip = named(PageStrip(560), "letter-preview")
        self.previous_button = named(QPushButton("◀ Précédent"), "preview-previous")
        self.next_button = named(QPushButton("Suivant ▶"), "preview-next")
        self.position = named(QLabel(), "preview-position")
        self.position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous_button.clicked.connect(lambda: self.show_letter(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_letter(self.index + 1))
        nav = QHBoxLayout()
        nav.addWidget(self.previous_button)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(nav)
        layout.addWidget(self.strip, 1)

    def recipients(self) -> list[Recipient]:
        """The run's recipients, in order."""
        return self.state.selection.recipients if self.state.selection else []

    def initializePage(self) -> None:
        self.show_letter(0)

    def show_letter(self, index: int) -> None:
        """Show the letter of recipient ``index``, rendered in a worker.

        One render at a time: a click during a render renders the letter asked
        for last once the current one is done.
        """
        recipients = self.recipients()
        if not recipients or self.state.options is None:
            return
        self.index = max(0, min(index, len(recipients) - 1))
        total = len(recipients)
        self.position.setText(
            f"Lettre {self.index + 1} sur {thousands(total)} — "
            f"{recipients[self.index].display_name}"
        )
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < total - 1)
        self.strip.show_message("Aperçu en cours…")
        if self._busy:
            self._again = True
            return
        self._start()

    def _start(self) -> None:
        state, options = self.state, self.state.options
        recipients = self.recipients()
        if options is None or not recipients:
            return
        recipient = recipients[min(self.index, len(recipients) - 1)]
        self._busy, self._again = True, False

        def job(_progress: ProgressFn, _cancelled: object) -> bytes | None:
            return preview_pdf(state, options, recipient)

        # Bound methods: Qt drops them if the wizard is closed during the render.
        run_task(job, on_finished=self._rendered, on_failed=self._failed)

    def _stale(self) -> bool:
        """End of a render; True when another letter was asked for meanwhile (started)."""
        self._busy = False
        if self._again:
            self._start()
            return True
        return False

    def _rendered(self, data: object) -> None:
        if self._stale():
            return
        if isinstance(data, bytes):
            try:
                self.strip.show_pdf(data)
            except PdfError as exc:
                self.strip.show_message(exc.message)
        else:
            self.strip.show_message(
                "Aperçu indisponible : LibreOffice n'est pas installé.\n"
                "Le document Word sera produit avec les champs remplacés."
            )
        self.preview_ready.emit()

    def _failed(self, exc: object, _trace: str) -> None:
        if self._stale():
            return
        text = exc.message if isinstance(exc, MicroCRMError) else str(exc)
        self.strip.show_message(f"Aperçu impossible : {text}")
        self.preview_ready.emit()
