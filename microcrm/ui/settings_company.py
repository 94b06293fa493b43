"""Settings, "Entreprise" tab: the business's identity, legal footer and logo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.company import (
    LEGAL_FORMS,
    NBSP,
    CompanyInfo,
    format_amount,
    format_siren,
    format_vat,
    parse_amount,
    vat_number_from_siren,
)
from microcrm.crm.validation import digits_only, format_phone
from microcrm.errors import ValidationError
from microcrm.ui.settings_fields import FormErrors, hint

LOGO_MAX_WIDTH = 600
LOGO_PREVIEW = (260, 90)


def scaled_logo_png(path: Path, max_width: int = LOGO_MAX_WIDTH) -> bytes:
    """The image at ``path`` as PNG bytes, scaled down to ``max_width`` pixels at most.

    Raises:
        ValidationError: the file is not an image Qt can read.
    """
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise ValidationError(
            "logo_png", f"Impossible de lire l'image {path.name} : {reader.errorString()}."
        )
    if image.width() > max_width:
        image = image.scaledToWidth(max_width, Qt.TransformationMode.SmoothTransformation)
    return png_bytes(image)


def png_bytes(image: QImage) -> bytes:
    """Encode an image as PNG."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes, runtime wants str
    buffer.close()
    return bytes(data.data())


def _plain(text: str) -> str:
    """Formatted identifiers use non-breaking spaces; fields show ordinary ones."""
    return text.replace(NBSP, " ").replace("\u202f", " ")


class CompanyTab(QWidget):
    """Identity, contact details, legal mentions and logo of the business."""

    def __init__(self, info: CompanyInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors = FormErrors()
        self._logo = b""
        self._auto_vat = ""
        self.name = QLineEdit()
        self.legal_form = QComboBox()
        self.legal_form.setEditable(True)
        self.legal_form.addItems(["", *LEGAL_FORMS])
        self.capital = QLineEdit()
        self.capital.setPlaceholderText("10 000")
        self.siret = QLineEdit()
        self.siret.setPlaceholderText("732 829 320 00074")
        self.siren_hint = hint()
        self.rcs_city = QLineEdit()
        self.rcs_city.setPlaceholderText("Rennes")
        self.vat_number = QLineEdit()
        self.vat_number.setPlaceholderText("calculé depuis le SIRET")
        self.address_line1 = QLineEdit()
        self.address_line1.setPlaceholderText("12 rue de la République")
        self.address_line2 = QLineEdit()
        self.address_line2.setPlaceholderText("Bâtiment, BP, ZI…")
        self.postcode = QLineEdit()
        self.postcode.setMaxLength(5)
        self.postcode.setFixedWidth(70)
        self.city = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.website = QLineEdit()
        self.legal_mentions = QPlainTextEdit()
        self.legal_mentions.setPlaceholderText(
            "Ex. : Dispensé d'immatriculation au RCS ; TVA non applicable, art. 293 B du CGI."
        )
        self.legal_mentions.setFixedHeight(56)
        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("logo-preview")
        self.logo_preview.setFixedSize(*LOGO_PREVIEW)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setStyleSheet("border: 1px dashed #9aa0a6; background: white;")
        self.choose_logo_button = QPushButton("Choisir…")
        self.remove_logo_button = QPushButton("Retirer")
        self.footer_preview = QLabel()
        self.footer_preview.setObjectName("footer-preview")
        self.footer_preview.setWordWrap(True)
        self.footer_preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build()
        self.choose_logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button.clicked.connect(lambda: self.set_logo(b""))
        self.siret.textChanged.connect(self._siret_changed)
        for edit in (self.capital, self.rcs_city, self.vat_number):
            edit.textChanged.connect(self._update_footer)
        self.legal_form.currentTextChanged.connect(self._update_footer)
        self.show_info(info)

    def _build(self) -> None:
        columns = QHBoxLayout()
        columns.addWidget(self._identity_box(), 1)
        columns.addWidget(self._contact_box(), 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self._documents_box())
        layout.addStretch(1)

    def _identity_box(self) -> QGroupBox:
        e = self.errors
        identity = QGroupBox("Identité")
        form = QFormLayout(identity)
        form.addRow("Raison sociale :", e.row("name", self.name))
        form.addRow("Forme juridique :", e.row("legal_form", self.legal_form))
        form.addRow("Capital (€) :", e.row("capital_cents", self.capital))
        siret_box = QWidget()
        siret_layout = QVBoxLayout(siret_box)
        siret_layout.setContentsMargins(0, 0, 0, 0)
        siret_layout.setSpacing(2)
        siret_layout.addWidget(e.row("siret", self.siret))
        siret_layout.addWidget(self.siren_hint)
        form.addRow("SIRET :", siret_box)
        form.addRow("Ville du RCS :", e.row("rcs_city", self.rcs_city))
        form.addRow("N° TVA intracom. :", e.row("vat_number", self.vat_number))
        return identity

    def _contact_box(self) -> QGroupBox:
        e = self.errors
        contact = QGroupBox("Coordonnées")
        cform = QFormLayout(contact)
        cform.addRow("Adresse :", e.row("address_line1", self.address_line1))
        cform.addRow("Complément :", e.row("address_line2", self.address_line2))
        town = QWidget()
        town_layout = QHBoxLayout(town)
        town_layout.setContentsMargins(0, 0, 0, 0)
        town_layout.addWidget(e.row("postcode", self.postcode), 0, Qt.AlignmentFlag.AlignTop)
        town_layout.addWidget(e.row("city", self.city), 1, Qt.AlignmentFlag.AlignTop)
        cform.addRow("Code postal, ville :", town)
        cform.addRow("Téléphone :", e.row("phone", self.phone))
        cform.addRow("E-mail :", e.row("email", self.email))
        cform.addRow("Site web :", e.row("website", self.website))
        return contact

    def _documents_box(self) -> QGroupBox:
        e = self.errors
        documents = QGroupBox("Sur les courriers")
        grid = QGridLayout(documents)
        logo_buttons = QVBoxLayout()
        logo_buttons.addWidget(self.choose_logo_button)
        logo_buttons.addWidget(self.remove_logo_button)
        logo_buttons.addStretch(1)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(QLabel("Logo :"), 0, 0, top)
        logo_row = QHBoxLayout()
        logo_row.addWidget(e.row("logo_png", self.logo_preview))
        logo_row.addLayout(logo_buttons)
        logo_row.addWidget(
            hint("PNG, JPEG… ramené à 600 pixels de large au plus, imprimé en tête des courriers."),
            1,
            top,
        )
        grid.addLayout(logo_row, 0, 1)
        grid.addWidget(QLabel("Mentions légales :"), 1, 0, top)
        grid.addWidget(e.row("legal_mentions", self.legal_mentions), 1, 1)
        grid.addWidget(QLabel("Pied de page :"), 2, 0, top)
        grid.addWidget(self.footer_preview, 2, 1)
        grid.setColumnStretch(1, 1)
        return documents

    # -- values ------------------------------------------------------------------------------------
    def show_info(self, info: CompanyInfo) -> None:
        """Fill the form with ``info`` (formatted for reading) and remember it as unchanged."""
        self.name.setText(info.name)
        self.legal_form.setCurrentText(info.legal_form)
        self.capital.setText(_plain(format_amount(info.capital_cents)))
        self.siret.setText(_plain(f"{format_siren(info.siren)} {info.siret[9:]}".strip()))
        self.rcs_city.setText(info.rcs_city)
        self.vat_number.setText(_plain(format_vat(info.vat_number)))
        self._auto_vat = self.vat_number.text()
        self.address_line1.setText(info.address_line1)
        self.address_line2.setText(info.address_line2)
        self.postcode.setText(info.postcode)
        self.city.setText(info.city)
        self.phone.setText(format_phone(info.phone))
        self.email.setText(info.email)
        self.website.setText(info.website)
        self.legal_mentions.setPlainText(info.legal_mentions)
        self.set_logo(info.logo_png)
        self._initial = self._raw()
        self._update_footer()

    def _raw(self) -> tuple[object, ...]:
        """Everything typed, as is: compared to tell whether the user changed something."""
        edits = (
            self.name,
            self.capital,
            self.siret,
            self.rcs_city,
            self.vat_number,
            self.address_line1,
            self.address_line2,
            self.postcode,
            self.city,
            self.phone,
            self.email,
            self.website,
        )
        texts = tuple(e.text().strip() for e in edits)
        return (
            *texts,
            self.legal_form.currentText().strip(),
            self.legal_mentions.toPlainText().strip(),
            self._logo,
        )

    def is_modified(self) -> bool:
        """Whether the form differs from what was loaded or last saved."""
        return self._raw() != self._initial

    def form_info(self) -> CompanyInfo:
        """The typed identity (not yet cleaned: :func:`save_company` validates it).

        Raises:
            ValidationError: the capital is not an amount.
        """
        return CompanyInfo(
            name=self.name.text(),
            legal_form=self.legal_form.currentText(),
            capital_cents=parse_amount(self.capital.text()),
            siret=self.siret.text(),
            rcs_city=self.rcs_city.text(),
            vat_number=self.vat_number.text(),
            address_line1=self.address_line1.text(),
            address_line2=self.address_line2.text(),
            postcode=self.postcode.text(),
            city=self.city.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            website=self.website.text(),
            legal_mentions=self.legal_mentions.toPlainText(),
            logo_png=self._logo,
        )

    # -- logo --------------------------------------------------------------------------------------
    def set_logo(self, png: bytes) -> None:
        """Show (and keep) a logo; empty bytes remove it."""
        self._logo = png
        self.errors.rows["logo_png"].clear_error()
        pixmap = QPixmap()
        if png and pixmap.loadFromData(png, "PNG"):
            width, height = LOGO_PREVIEW
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    width - 8,
                    height - 8,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_preview.clear()
            self.logo_preview.setText("Aucun logo")
        self.remove_logo_button.setEnabled(bool(png))

    def load_logo_file(self, path: Path) -> bool:
        """Import an image file as the logo (scaled to 600 px wide at most)."""
        try:
            self.set_logo(scaled_logo_png(path))
        except ValidationError as exc:
            self.errors.show(exc.field, exc.message)
            return False
        return True

    def choose_logo(self) -> None:
        """Ask for an image file and import it."""
        name, _ = QFileDialog.getOpenFileName(
            self, "Choisir le logo", "", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.svg *.webp)"
        )
        if name:
            self.load_logo_file(Path(name))

    # -- live help ---------------------------------------------------------------------------------
    def _siret_changed(self, text: str) -> None:
        """Show the SIREN and fill the VAT number unless the user typed another one."""
        digits = digits_only(text)
        try:
            vat = _plain(format_vat(vat_number_from_siren(digits[:9]))) if len(digits) == 14 else ""
        except ValidationError:
            vat = ""
        if vat:
            self.siren_hint.setText(f"SIREN : {_plain(format_siren(digits[:9]))}")
            if self.vat_number.text().strip() in ("", self._auto_vat):
                self.vat_number.setText(vat)
                self._auto_vat = vat
        else:
            self.siren_hint.setText("SIREN : les 9 premiers chiffres du SIRET")
        self._update_footer()

    def _update_footer(self) -> None:
        try:
            capital = parse_amount(self.capital.text())
        except ValidationError:
            capital = None
        siret = digits_only(self.siret.text())
        draft = CompanyInfo(
            legal_form=self.legal_form.currentText().strip(),
            capital_cents=capital,
            siret=siret if len(siret) == 14 else "",
            rcs_city=self.rcs_city.text().strip(),
            vat_number=digits_only(self.vat_number.text()).upper(),
        )
        line = draft.legal_line()
        self.footer_preview.setText(line or "(renseignez la forme, le capital et le SIRET)")
