"""Address editor: typed fields, postcode/locality completion, live NF Z10-011 block.

The block is recomputed on every keystroke by the pure normaliser
(:mod:`microcrm.postal.normalize`, about 0.2 ms): no database call, the
postal reference is loaded once per process. What the user typed is never
changed behind their back; "Appliquer la correction" copies the corrected
postcode and locality into the fields in one click.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QModelIndex, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPen,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.addresses import AddressRecord
from microcrm.postal import NormalizedAddress, PostalReference, explain, load_reference
from microcrm.postal.clean import clean
from microcrm.postal.normalize import AddressInput, normalize_address
from microcrm.ui.widgets import named

MAX_COLUMNS = 38
"""NF Z10-011: at most 38 characters per line, spaces included."""
MAX_LINES = 7
COMPLETION_LIMIT = 30
VALUE_ROLE = Qt.ItemDataRole.UserRole
OTHER_ROLE = Qt.ItemDataRole.UserRole + 1
"""Completion items: VALUE_ROLE goes into the field typed in, OTHER_ROLE into its partner."""

COUNTRIES = ("", "Belgique", "Suisse", "Allemagne", "Italie", "Espagne", "Pays-Bas")
"""Destinations the normaliser supports (empty: France)."""

STATUS_TEXT = {
    "valid": ("Adresse valide", "#2e7d32"),
    "corrected": ("Adresse corrigée", "#e65100"),
    "invalid": ("Adresse invalide", "#c62828"),
}


class AddressBlockView(QWidget):
    """The address block as printed: monospace, a guide after column 38, overflow in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("address-block")
        self._lines: tuple[str, ...] = ()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def lines(self) -> tuple[str, ...]:
        """The lines shown."""
        return self._lines

    def set_lines(self, lines: tuple[str, ...]) -> None:
        """Show these lines."""
        if lines != self._lines:
            self._lines = lines
            self.update()

    def _metrics(self) -> QFontMetricsF:
        # Fractional advances: 38 rounded glyph widths would put the guide off by pixels.
        return QFontMetricsF(self.font())

    def _gutter(self) -> float:
        return self._metrics().horizontalAdvance("0") * 3

    def sizeHint(self) -> QSize:
        metrics = self._metrics()
        width = self._gutter() + metrics.horizontalAdvance("M") * (MAX_COLUMNS + 3) + 12
        return QSize(int(width), int(metrics.lineSpacing() * MAX_LINES + 16))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QColor("#bdbdbd"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        metrics = self._metrics()
        left = self._gutter() + 6
        guide = left + metrics.horizontalAdvance("M" * MAX_COLUMNS) + 1
        painter.setPen(QPen(QColor("#90caf9"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(guide, 4), QPointF(guide, self.height() - 4))
        y = 8 + metrics.ascent()
        for number, line in enumerate(self._lines, start=1):
            painter.setPen(QColor("#9e9e9e"))
            painter.drawText(QPointF(4, y), str(number))
            painter.setPen(QColor("#212121"))
            painter.drawText(QPointF(left, y), line[:MAX_COLUMNS])
            if len(line) > MAX_COLUMNS:
                painter.setPen(QColor("#c62828"))
                painter.drawText(QPointF(guide, y), line[MAX_COLUMNS:])
            y += metrics.lineSpacing()
        if not self._lines:
            painter.setPen(QColor("#9e9e9e"))
            painter.drawText(QPointF(left, y), "(adresse vide)")
        painter.end()


def _item(text: str, value: str, other: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setData(value, VALUE_ROLE)
    item.setData(other, OTHER_ROLE)
    item.setEditable(False)
    return item


class AddressEditor(QWidget):
    """Typed address fields beside the live NF Z10-011 block and its diagnosis.

    Signals:
        changed(): a field changed (typed, completed or corrected).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, recipient: str = "") -> None:
        super().__init__(parent)
        self._recipient = recipient
        self._reference: PostalReference | None = None
        self._result: NormalizedAddress | None = None

        self.line1 = named(QLineEdit(placeholderText="12 rue de la Paix"), "address-line1")
        self.line2 = named(
            QLineEdit(placeholderText="Bâtiment B, 2e étage, service…"), "address-line2"
        )
        self.line3 = named(QLineEdit(placeholderText="BP 123, lieu-dit…"), "address-line3")
        self.postcode = named(QLineEdit(placeholderText="35000"), "address-postcode")
        self.postcode.setMaxLength(10)
        self.postcode.setFixedWidth(self.fontMetrics().horizontalAdvance("0") * 10 + 16)
        self.city = named(QLineEdit(placeholderText="Rennes"), "address-city")
        self.country = named(QComboBox(), "address-country")
        self.country.setEditable(True)
        self.country.addItems(list(COUNTRIES))
        self.country.setItemText(0, "")
        line = self.country.lineEdit()
        if line is not None:
            line.setPlaceholderText("France")

        self._postcode_model = QStandardItemModel(self)
        self._city_model = QStandardItemModel(self)
        self.postcode_completer = self._completer(self._postcode_model, self.postcode)
        self.city_completer = self._completer(self._city_model, self.city)
        self.postcode_completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._postcode_chosen
        )
        self.city_completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._city_chosen
        )
        self.postcode.textEdited.connect(self._complete_postcode)
        self.city.textEdited.connect(self._complete_city)

        self.block = AddressBlockView()
        self.status = named(QLabel(), "address-status")
        self.explanations = named(QLabel(), "address-explanations")
        self.explanations.setWordWrap(True)
        self.explanations.setTextFormat(Qt.TextFormat.RichText)
        self.explanations.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.apply_button = named(QPushButton("Appliquer la correction"), "address-apply")
        self.apply_button.clicked.connect(self.apply_correction)
        self.copy_button = named(QPushButton("Copier le bloc adresse"), "address-copy")
        self.copy_button.clicked.connect(self.copy_block)

        self._build_layout()
        for edit in (self.line1, self.line2, self.line3, self.postcode, self.city):
            edit.textChanged.connect(self._on_changed)
        self.country.currentTextChanged.connect(self._on_changed)
        self.refresh()

    # -- layout ----------------------------------------------------------------------------
    def _build_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Adresse :", self.line1)
        form.addRow("Complément :", self.line2)
        form.addRow("Complément 2 :", self.line3)
        city_row = QHBoxLayout()
        city_row.addWidget(self.postcode)
        city_row.addWidget(self.city, 1)
        form.addRow("Code postal, localité :", city_row)
        form.addRow("Pays :", self.country)

        block_box = QGroupBox("Bloc adresse (norme NF Z10-011)")
        block_layout = QVBoxLayout(block_box)
        block_layout.addWidget(self.block)
        block_layout.addWidget(self.status)
        block_layout.addWidget(self.explanations)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        block_layout.addLayout(buttons)
        block_layout.addStretch(1)

        typed_box = QGroupBox("Adresse saisie")
        typed_layout = QVBoxLayout(typed_box)
        typed_layout.addLayout(form)
        typed_layout.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(typed_box, 1)
        layout.addWidget(block_box)

    def _completer(self, model: QStandardItemModel, edit: QLineEdit) -> QCompleter:
        completer = QCompleter(model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCompletionRole(VALUE_ROLE)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        edit.setCompleter(completer)
        return completer

    # -- values ----------------------------------------------------------------------------
    def reference(self) -> PostalReference:
        """The postal reference, loaded on first use (once per process)."""
        if self._reference is None:
            self._reference = load_reference()
        return self._reference

    def set_recipient(self, company: str) -> None:
        """Line 1 of the block (the raison sociale)."""
        if company != self._recipient:
            self._recipient = company
            self.refresh()

    def set_address(self, record: AddressRecord) -> None:
        """Show an address's typed fields."""
        for edit, value in (
            (self.line1, record.line1),
            (self.line2, record.line2),
            (self.line3, record.line3),
            (self.postcode, record.postcode),
            (self.city, record.city),
        ):
            edit.setText(value)
        self.country.setCurrentText(record.country)

    def address(self) -> AddressRecord:
        """The typed fields (the normalised form is computed by the service on save)."""
        return AddressRecord(
            line1=self.line1.text(),
            line2=self.line2.text(),
            line3=self.line3.text(),
            postcode=self.postcode.text(),
            city=self.city.text(),
            country=self.country.currentText(),
        )

    def result(self) -> NormalizedAddress | None:
        """The normalised address shown (None while every field is empty)."""
        return self._result

    # -- live block ------------------------------------------------------------------------
    def _on_changed(self) -> None:
        self.refresh()
        self.changed.emit()

    def refresh(self) -> None:
        """Recompute the block and its diagnosis from the fields."""
        typed = self.address()
        if typed.is_empty():
            self._result = None
            self.block.set_lines((self._recipient,) if self._recipient else ())
            self.status.setText("")
            self.explanations.setText("Saisissez l'adresse : le bloc se met en forme ici.")
            self.apply_button.setEnabled(False)
            self.copy_button.setEnabled(False)
            return
        result = normalize_address(
            AddressInput(
                company=self._recipient.strip(),
                line1=typed.line1,
                line2=typed.line2,
                line3=typed.line3,
                postcode=typed.postcode,
                city=typed.city,
                country=typed.country,
            ),
            self.reference(),
        )
        self._result = result
        self.block.set_lines(result.lines)
        text, color = STATUS_TEXT.get(result.status, (result.status, "#212121"))
        self.status.setText(f"<b style='color:{color}'>{text}</b>")
        if result.errors:
            items = "".join(f"<li>{explain(code, result)}</li>" for code in result.errors)
            self.explanations.setText(f"<ul style='margin-left:-20px'>{items}</ul>")
        else:
            self.explanations.setText("Conforme à la norme NF Z10-011 de La Poste.")
        self.apply_button.setEnabled(self.correction() is not None)
        self.copy_button.setEnabled(bool(result.lines))

    def correction(self) -> tuple[str, str] | None:
        """(postcode, locality) to put into the fields, when the block corrected them."""
        result = self._result
        if result is None or result.status != "corrected" or not result.postcode:
            return None
        prefix = f"{result.postcode} "
        line = next((ln for ln in result.lines if ln.startswith(prefix)), "")
        locality = line[len(prefix):] if line else result.locality
        if (result.postcode, locality) == (self.postcode.text().strip(), self.city.text().strip()):
            return None
        return result.postcode, locality

    def apply_correction(self) -> None:
        """Put the corrected postcode and locality into the fields (one undoable step each)."""
        fix = self.correction()
        if fix is None:
            return
        self.postcode.setText(fix[0])
        self.city.setText(fix[1])

    def block_text(self) -> str:
        """The block as plain text, one line per line."""
        return "\n".join(self.block.lines())

    def copy_block(self) -> None:
        """Copy the block to the clipboard."""
        QGuiApplication.clipboard().setText(self.block_text())

    # -- completion ------------------------------------------------------------------------
    def _complete_postcode(self, text: str) -> None:
        """Postcode prefix → « 35000  RENNES » suggestions."""
        digits = "".join(ch for ch in text if ch.isdigit())
        self._postcode_model.clear()
        if len(digits) < 2:
            return
        reference = self.reference()
        codes = reference.postcodes()
        start = bisect.bisect_left(codes, digits)
        for code in codes[start : start + COMPLETION_LIMIT]:
            if not code.startswith(digits):
                break
            entry = reference.entry(code)
            for libelle in entry.libelles if entry else ():
                self._postcode_model.appendRow(_item(f"{code}  {libelle}", code, libelle))
        if self._postcode_model.rowCount():
            self.postcode_completer.complete()

    def _complete_city(self, text: str) -> None:
        """Localities of the typed postcode, else « RENNES (35000) » by locality prefix."""
        self._city_model.clear()
        if not text.strip():
            return
        reference = self.reference()
        postcode = self.postcode.text().strip()
        key = clean(text)
        if len(postcode) == 5 and reference.entry(postcode) is not None:
            for libelle in reference.localities_for_postcode(postcode):
                if libelle.startswith(key) or key in libelle:
                    self._city_model.appendRow(_item(libelle, libelle, postcode))
        if not self._city_model.rowCount():
            for code, libelle in reference.postcodes_for_locality(text, COMPLETION_LIMIT):
                self._city_model.appendRow(_item(f"{libelle} ({code})", libelle, code))
        if self._city_model.rowCount():
            self.city_completer.complete()

    def _postcode_chosen(self, index: QModelIndex) -> None:
        libelle = index.data(OTHER_ROLE)
        if isinstance(libelle, str) and libelle:
            self.city.setText(libelle)

    def _city_chosen(self, index: QModelIndex) -> None:
        postcode = index.data(OTHER_ROLE)
        if isinstance(postcode, str) and postcode and postcode != self.postcode.text().strip():
            self.postcode.setText(postcode)
