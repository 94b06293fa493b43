"""Printing set-up of the « Modèle » page: label formats, calibration page, envelope window.

* :class:`LabelFormatDialog` — « Nouveau format… »: a user-defined label
  sheet, checked (it must fit on A4) and saved in ``etiquettes.toml`` by
  :func:`~microcrm.mailing.labels.save_label_format`;
* :class:`CalibrationDialog` — « Page d'étalonnage… »: the calibration page of
  a sheet with the printer offset applied, shown, printed or saved;
* :class:`WindowPositionBox` — « Position de la fenêtre »: where the window
  of the envelopes in use falls on the letter (mm), standard values by default.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from microcrm.errors import ValidationError
from microcrm.mailing.labels import (
    LabelFormat,
    label_formats,
    render_calibration,
    save_label_format,
)
from microcrm.mailing.letters import WINDOWS, WindowSpec
from microcrm.ui.mailing.pdf_view import PageStrip, PdfError, PdfPrinting, ask_save_copy
from microcrm.ui.widgets import named

ERROR_STYLE = "color: #c62828; font-weight: bold;"


def mm_spin(name: str, low: float, high: float, value: float, step: float = 0.5) -> QDoubleSpinBox:
    """A millimetre field: one decimal, « mm » suffix."""
    spin = named(QDoubleSpinBox(), name)
    spin.setRange(low, high)
    spin.setDecimals(1)
    spin.setSingleStep(step)
    spin.setSuffix(" mm")
    spin.setValue(value)
    return spin


def format_label(fmt: LabelFormat) -> str:
    """How a sheet is listed: its title, prefixed by its name unless the title starts with it."""
    if fmt.title.startswith(fmt.name):
        return fmt.title
    return f"{fmt.name} — {fmt.title}" if fmt.title and fmt.title != fmt.name else fmt.name


class LabelFormatDialog(QDialog):
    """« Nouveau format… »: a user-defined label sheet (millimetres, A4 portrait).

    The fields start from the sheet selected in the wizard, so a close
    variant takes a few changes. Built-in names are refused: a user format of
    the same name would silently replace the built-in one.

    Signals:
        saved(str): the format was saved under this name.
    """

    saved = Signal(str)

    def __init__(
        self, user_dir: Path, start: LabelFormat | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("label-format-dialog")
        self.setWindowTitle("Nouveau format d'étiquettes")
        self.setMinimumWidth(520)
        self.user_dir = user_dir
        base = start or LabelFormat("", "", 3, 7, 63.5, 38.1, 7.2, 15.1, 66.0, 38.1)
        self.name = named(QLineEdit(), "format-name")
        self.name.setPlaceholderText("ex. Maison 2 × 4")
        self.title_edit = named(QLineEdit(), "format-title")
        self.title_edit.setPlaceholderText("description (facultative)")
        self.columns = named(QSpinBox(), "format-columns")
        self.columns.setRange(1, 10)
        self.columns.setValue(base.columns)
        self.rows = named(QSpinBox(), "format-rows")
        self.rows.setRange(1, 30)
        self.rows.setValue(base.rows)
        self.label_width = mm_spin("format-width", 5, 210, base.width, 0.1)
        self.label_height = mm_spin("format-height", 5, 297, base.height, 0.1)
        self.left = mm_spin("format-left", 0, 200, base.left, 0.1)
        self.top = mm_spin("format-top", 0, 290, base.top, 0.1)
        self.h_pitch = mm_spin("format-h-pitch", 5, 210, base.h_pitch, 0.1)
        self.v_pitch = mm_spin("format-v-pitch", 5, 297, base.v_pitch, 0.1)
        self.error = named(QLabel(), "format-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.save_button = named(QPushButton("Enregistrer le format"), "format-save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Annuler")
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("Nom :", self.name)
        form.addRow("Description :", self.title_edit)
        form.addRow("Colonnes :", self.columns)
        form.addRow("Rangées :", self.rows)
        form.addRow("Largeur d'une étiquette :", self.label_width)
        form.addRow("Hauteur d'une étiquette :", self.label_height)
        form.addRow("Marge gauche (bord → 1re étiquette) :", self.left)
        form.addRow("Marge haute (bord → 1re étiquette) :", self.top)
        form.addRow("Pas horizontal (étiquette → suivante) :", self.h_pitch)
        form.addRow("Pas vertical (rangée → suivante) :", self.v_pitch)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._fields: dict[str, QWidget] = {
            "name": self.name,
            "columns": self.columns,
            "width": self.label_width,
            "h_pitch": self.h_pitch,
            "left": self.left,
            "start": self.columns,
        }

    def label_format(self) -> LabelFormat:
        """The sheet as entered (A4 portrait)."""
        name = self.name.text().strip()
        return LabelFormat(
            name=name,
            title=self.title_edit.text().strip() or name,
            columns=self.columns.value(),
            rows=self.rows.value(),
            width=self.label_width.value(),
            height=self.label_height.value(),
            left=self.left.value(),
            top=self.top.value(),
            h_pitch=self.h_pitch.value(),
            v_pitch=self.v_pitch.value(),
        )

    def save(self) -> LabelFormat | None:
        """Check and save the format; on an error, say why in French and stay open."""
        fmt = self.label_format()
        try:
            if fmt.name.lower() in {n.lower() for n in label_formats()}:
                raise ValidationError(
                    "name", f"« {fmt.name} » est un format fourni : choisissez un autre nom."
                )
            save_label_format(fmt, self.user_dir)
        except ValidationError as exc:
            self.error.setText(f"Format non enregistré : {exc.message}")
            self._fields.get(exc.field, self.name).setFocus()
            return None
        self.error.clear()
        self.saved.emit(fmt.name)
        self.accept()
        return fmt


class CalibrationDialog(QDialog):
    """« Page d'étalonnage… »: a sheet's calibration page, shown, then printed or saved.

    The page is rendered into a private temporary folder removed when the
    dialog closes.
    """

    def __init__(
        self, fmt: LabelFormat, offset_mm: tuple[float, float], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("calibration-dialog")
        self.setWindowTitle(f"Page d'étalonnage — {fmt.name}")
        self.resize(560, 760)
        self._folder = Path(tempfile.mkdtemp(prefix="microcrm-etalonnage-"))
        self.path = render_calibration(
            self._folder / f"etalonnage-{fmt.name}.pdf".replace(" ", "-"), fmt, offset_mm=offset_mm
        )
        explanation = QLabel(
            "Imprimez cette page sur papier blanc, superposez-la à une planche vierge à "
            "contre-jour et mesurez l'écart entre chaque croix rouge et le centre de "
            "l'étiquette ; ajoutez-le au «\u00a0Décalage imprimante\u00a0» "
            "(droite et bas : positif)."
        )
        explanation.setWordWrap(True)
        self.strip = named(PageStrip(440), "calibration-preview")
        try:
            self.strip.show_pdf(self.path)
        except PdfError as exc:
            self.strip.show_message(exc.message)
        self.status = named(QLabel(), "calibration-status")
        self.status.setWordWrap(True)
        self.printing = PdfPrinting(self)
        self.printing.ended.connect(self._printed)
        self.print_button = named(QPushButton("Imprimer…"), "calibration-print")
        self.save_button = named(QPushButton("Enregistrer sous…"), "calibration-save")
        close = QPushButton("Fermer")
        self.print_button.clicked.connect(lambda: self.printing.ask(self.path, 1))
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.strip, 1)
        layout.addLayout(buttons)

    def _printed(self, text: str, _pages: int) -> None:
        self.status.setText(text)

    def save(self) -> None:
        """« Enregistrer sous… » the calibration page."""
        target = ask_save_copy(self, self.path)
        if target is not None:
            self.status.setText(f"Enregistré : {target}")

    def done(self, result: int) -> None:
        if self.printing.busy:
            self.status.setText("Impression en cours : patientez…")
            return
        shutil.rmtree(self._folder, ignore_errors=True)
        super().done(result)


class WindowPositionBox(QWidget):
    """« Position de la fenêtre »: left, top, width, height (mm on the A4 letter).

    Signals:
        changed(object): the user changed the position (the new :class:`WindowSpec`).
    """

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = "DL"
        self._loading = False
        standard = WINDOWS["DL"]
        self.left = mm_spin("window-left", 0, 190, standard.left_mm)
        self.top = mm_spin("window-top", 0, 270, standard.top_mm)
        self.win_width = mm_spin("window-width", 40, 180, standard.width_mm)
        self.win_height = mm_spin("window-height", 20, 120, standard.height_mm)
        self.reset_button = named(QPushButton("Standard"), "window-reset")
        self.reset_button.setToolTip("Revenir à la position normalisée de l'enveloppe")
        self.reset_button.clicked.connect(self.reset)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, col, text, spin in (
            (0, 0, "gauche", self.left),
            (0, 2, "haut", self.top),
            (1, 0, "largeur", self.win_width),
            (1, 2, "hauteur", self.win_height),
        ):
            grid.addWidget(QLabel(text), row, col)
            grid.addWidget(spin, row, col + 1)
            spin.valueChanged.connect(self._edited)
        grid.addWidget(self.reset_button, 1, 4)
        grid.setColumnStretch(5, 1)

    def set_window(self, window: WindowSpec) -> None:
        """Show ``window`` (no :attr:`changed`)."""
        self._loading = True
        try:
            self._name = window.name
            self.left.setValue(window.left_mm)
            self.top.setValue(window.top_mm)
            self.win_width.setValue(window.width_mm)
            self.win_height.setValue(window.height_mm)
        finally:
            self._loading = False

    def spec(self) -> WindowSpec:
        """The position shown."""
        return WindowSpec(
            self._name,
            self.left.value(),
            self.top.value(),
            self.win_width.value(),
            self.win_height.value(),
        )

    def reset(self) -> None:
        """Back to the envelope's standard position."""
        self.set_window(WINDOWS.get(self._name, WINDOWS["DL"]))
        self.changed.emit(self.spec())

    def check(self) -> str:
        """The French message when the window leaves the A4 page, else ``""``."""
        window = self.spec()
        right = window.left_mm + window.width_mm
        bottom = window.top_mm + window.height_mm
        if right > 210 or bottom > 297:
            return (
                f"La fenêtre dépasse de la page ({right:g} × {bottom:g} mm pour 210 × 297) : "
                "réduisez sa position ou sa taille."
            )
        return ""

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit(self.spec())
