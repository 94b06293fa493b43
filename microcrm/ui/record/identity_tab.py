"""Identity tab of the sheet: who the organisation is, how to reach it, its bases."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.codes import HEADCOUNT_BANDS, LEGAL_FORMS, naf_label
from microcrm.crm.validation import format_phone, show_emails
from microcrm.ui.record import links
from microcrm.ui.record.binder import FormBinder
from microcrm.ui.widgets import named

TAG_SEPARATOR = ","


def group_digits(value: str, sizes: tuple[int, ...]) -> str:
    """``73282932000074`` → ``732 829 320 00074`` (only for the exact length expected)."""
    if not value.isdigit() or len(value) != sum(sizes):
        return value
    parts, start = [], 0
    for size in sizes:
        parts.append(value[start : start + size])
        start += size
    return " ".join(parts)


def show_siret(value: str) -> str:
    """SIRET as people read it: SIREN in three groups, then the NIC."""
    return group_digits(value, (3, 3, 3, 5))


def show_siren(value: str) -> str:
    """SIREN in three groups of three digits."""
    return group_digits(value, (3, 3, 3))


def split_tags(text: str) -> list[str]:
    """Names typed in the tag field, separated by commas."""
    return [part.strip() for part in text.split(TAG_SEPARATOR) if part.strip()]


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the ones before it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(TAG_SEPARATOR, 1)[-1].strip()]

    def pathFromIndex(self, index: object) -> str:
        chosen = str(super().pathFromIndex(index))  # type: ignore[arg-type]
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        if TAG_SEPARATOR not in text:
            return chosen
        return f"{text.rsplit(TAG_SEPARATOR, 1)[0]}{TAG_SEPARATOR} {chosen}"


def field_box(widget: QWidget | QLayout, error: QLabel) -> QVBoxLayout:
    """A field with its error message under it (hidden until a save refuses the value)."""
    box = QVBoxLayout()
    box.setSpacing(2)
    box.setContentsMargins(0, 0, 0, 0)
    if isinstance(widget, QLayout):
        box.addLayout(widget)
    else:
        box.addWidget(widget)
    box.addWidget(error)
    return box


def with_button(edit: QLineEdit, button: QToolButton) -> QHBoxLayout:
    """A line edit with its action button on the right (Appeler, Écrire, Ouvrir)."""
    row = QHBoxLayout()
    row.setSpacing(4)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def link_button(text: str, name: str, slot: Callable[[], object]) -> QToolButton:
    """A one-click action beside a field (``link-<name>`` for tests and style sheets)."""
    button = named(QToolButton(), f"link-{name}")
    button.setText(text)
    button.clicked.connect(slot)
    return button


def tag_edit(parent: QWidget) -> tuple[QLineEdit, QStringListModel]:
    """The tag field, completing existing tags after each comma, and its choices' model."""
    edit = named(QLineEdit(placeholderText="Fidèle, Salon 2026…"), "tags")
    model = QStringListModel(parent)
    completer = TagCompleter(model, parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    edit.setCompleter(completer)
    return edit, model


def fill_salespeople(combo: QComboBox, salespeople: list[tuple[int, str]]) -> None:
    """Salesperson choices after the first item (« — aucun — »), without change signals."""
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for user_id, name in salespeople:
        combo.addItem(name, user_id)
    combo.blockSignals(False)


class IdentityTab(QWidget):
    """Identification, contact details, follow-up and bases of the organisation.

    Signals:
        traite_clicked(bool): the user ticked or unticked *Traité*.
        to_client_clicked(): "Passer en client".
        to_former_clicked(): "Marquer ancien client".
    """

    traite_clicked = Signal(bool)
    to_client_clicked = Signal()
    to_former_clicked = Signal()

    def __init__(self, binder: FormBinder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.binder = binder
        self.name = named(QLineEdit(), "name")
        self.enseigne = named(QLineEdit(), "enseigne")
        self.reference = named(QLineEdit(), "reference")
        self.siret = named(QLineEdit(placeholderText="14 chiffres"), "siret")
        self.siren = named(QLineEdit(placeholderText="9 chiffres (déduit du SIRET)"), "siren")
        self.naf_code = named(QLineEdit(placeholderText="62.01Z"), "naf_code")
        self.naf_code.setMaximumWidth(self.fontMetrics().horizontalAdvance("00.00Z") * 2 + 20)
        self.naf_text = named(QLabel(), "naf-label")
        self.naf_text.setWordWrap(True)
        self.naf_text.setStyleSheet("color: #455a64;")
        self.legal_form = named(QComboBox(), "legal_form")
        self.legal_form.addItem("", "")
        for code, label in LEGAL_FORMS:
            self.legal_form.addItem(f"{code} — {label}", code)
        self.headcount_band = named(QComboBox(), "headcount_band")
        self.headcount_band.addItem("", "")
        for code, label in HEADCOUNT_BANDS:
            self.headcount_band.addItem(f"{code} — {label}", code)

        self.phone = named(QLineEdit(), "phone")
        self.email = named(QLineEdit(), "email")
        self.website = named(QLineEdit(), "website")
        self.fax = named(QLineEdit(), "fax")
        self.emails_other = named(QLineEdit(), "emails_other")
        self.emails_other.setPlaceholderText("adresse@exemple.fr, autre@exemple.fr")
        self.call_button = link_button("Appeler", "call", self._call)
        self.mail_button = link_button("Écrire", "mail", self._mail)
        self.web_button = link_button("Ouvrir", "web", self._browse)
        self.salesperson = named(QComboBox(), "salesperson_id")
        self.salesperson.addItem("— aucun —", None)
        self.tags, self._tag_model = tag_edit(self)
        self.notes = named(QPlainTextEdit(), "notes")
        self.notes.setPlaceholderText("Notes libres sur l'organisation…")

        self.stage_label = named(QLabel(), "stage-label")
        self.traite = named(QCheckBox("Traité (contacts identifiés)"), "traite")
        self.traite.clicked.connect(self.traite_clicked)
        self.is_supplier = named(QCheckBox("Fournisseur"), "is_supplier")
        self.is_organisme = named(QCheckBox("Organisme"), "is_organisme")
        self.no_mail = named(QCheckBox("Pas de courrier"), "no_mail")
        self.to_client = named(QPushButton("Passer en client"), "to-client")
        self.to_former = named(QPushButton("Marquer ancien client"), "to-former")
        self.to_client.clicked.connect(self.to_client_clicked)
        self.to_former.clicked.connect(self.to_former_clicked)

        self._register()
        self._build_layout()
        self.naf_code.textChanged.connect(self._show_naf)
        for edit in (self.phone, self.email, self.website):
            edit.textChanged.connect(self._update_links)
        self._update_links()

    def _register(self) -> None:
        b = self.binder
        self.errors = {
            "name": b.add_line("name", "Raison sociale", self.name),
            "enseigne": b.add_line("enseigne", "Enseigne", self.enseigne),
            "reference": b.add_line("reference", "Référence", self.reference),
            "siret": b.add_line("siret", "SIRET", self.siret, show_siret),
            "siren": b.add_line("siren", "SIREN", self.siren, show_siren),
            "naf_code": b.add_line("naf_code", "Code NAF", self.naf_code),
            "legal_form": b.add_combo("legal_form", "Forme juridique", self.legal_form),
            "headcount_band": b.add_combo("headcount_band", "Effectif", self.headcount_band),
            "phone": b.add_line("phone", "Téléphone", self.phone, format_phone),
            "email": b.add_line("email", "E-mail", self.email),
            "website": b.add_line("website", "Site web", self.website),
            "fax": b.add_line("fax", "Télécopie", self.fax, format_phone),
            "emails_other": b.add_line(
                "emails_other", "Autres e-mails", self.emails_other, show_emails
            ),
            "salesperson_id": b.add_combo("salesperson_id", "Commercial", self.salesperson),
            "tags": b.add_line("tags", "Étiquettes", self.tags),
            "is_supplier": b.add_check("is_supplier", "Fournisseur", self.is_supplier),
            "is_organisme": b.add_check("is_organisme", "Organisme", self.is_organisme),
            "no_mail": b.add_check("no_mail", "Pas de courrier", self.no_mail),
            "notes": b.add_text("notes", "Notes", self.notes),
        }

    def _build_layout(self) -> None:
        columns = QHBoxLayout()
        columns.addWidget(self._identification_box(), 1)
        right = QVBoxLayout()
        right.addWidget(self._reach_box())
        right.addWidget(self._bases_box())
        right.addStretch(1)
        columns.addLayout(right, 1)
        notes = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes)
        notes_layout.addLayout(field_box(self.notes, self.errors["notes"]))
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(notes, 1)

    def _identification_box(self) -> QGroupBox:
        e = self.errors
        ident = QGroupBox("Identification")
        form = QFormLayout(ident)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Raison sociale* :", field_box(self.name, e["name"]))
        form.addRow("Enseigne :", field_box(self.enseigne, e["enseigne"]))
        form.addRow("Référence :", field_box(self.reference, e["reference"]))
        form.addRow("SIRET :", field_box(self.siret, e["siret"]))
        form.addRow("SIREN :", field_box(self.siren, e["siren"]))
        naf = QHBoxLayout()
        naf.setSpacing(8)
        naf.addWidget(self.naf_code, 0, Qt.AlignmentFlag.AlignTop)
        naf.addWidget(self.naf_text, 1)
        form.addRow("Code NAF :", field_box(naf, e["naf_code"]))
        form.addRow("Forme juridique :", field_box(self.legal_form, e["legal_form"]))
        form.addRow("Effectif :", field_box(self.headcount_band, e["headcount_band"]))
        return ident

    def _reach_box(self) -> QGroupBox:
        e = self.errors
        reach = QGroupBox("Coordonnées et suivi")
        form2 = QFormLayout(reach)
        form2.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        phone = with_button(self.phone, self.call_button)
        email = with_button(self.email, self.mail_button)
        website = with_button(self.website, self.web_button)
        form2.addRow("Téléphone :", field_box(phone, e["phone"]))
        form2.addRow("E-mail :", field_box(email, e["email"]))
        form2.addRow("Site web :", field_box(website, e["website"]))
        form2.addRow("Télécopie :", field_box(self.fax, e["fax"]))
        form2.addRow("Autres e-mails :", field_box(self.emails_other, e["emails_other"]))
        form2.addRow("Commercial :", field_box(self.salesperson, e["salesperson_id"]))
        form2.addRow("Étiquettes :", field_box(self.tags, e["tags"]))
        return reach

    def _bases_box(self) -> QGroupBox:
        bases = QGroupBox("Bases")
        grid = QGridLayout(bases)
        grid.addWidget(QLabel("Étape :"), 0, 0)
        grid.addWidget(self.stage_label, 0, 1)
        grid.addWidget(self.traite, 1, 0, 1, 2)
        stage_buttons = QHBoxLayout()
        stage_buttons.addWidget(self.to_client)
        stage_buttons.addWidget(self.to_former)
        stage_buttons.addStretch(1)
        grid.addLayout(stage_buttons, 2, 0, 1, 2)
        others = QHBoxLayout()
        others.addWidget(self.is_supplier)
        others.addWidget(self.is_organisme)
        others.addWidget(self.no_mail)
        others.addStretch(1)
        grid.addLayout(others, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        return bases

    # -- choices and derived display ------------------------------------------------------
    def set_choices(self, salespeople: list[tuple[int, str]], tags: list[str]) -> None:
        """Fill the salesperson combo and the tag completion."""
        fill_salespeople(self.salesperson, salespeople)
        self._tag_model.setStringList(tags)

    def set_stage(self, stage_label: str, stage: str | None, traite: bool) -> None:
        """Show where the organisation stands in the lifecycle, and what it can move to."""
        self.stage_label.setText(f"<b>{stage_label}</b>")
        self.traite.setChecked(traite)
        self.to_client.setEnabled(stage != "client")
        self.to_former.setEnabled(stage == "client")

    def _show_naf(self, code: str) -> None:
        label = naf_label(code) if code.strip() else ""
        if code.strip() and not label:
            label = "Code inconnu de la nomenclature NAF rév. 2"
        self.naf_text.setText(label)

    def _update_links(self) -> None:
        self.call_button.setEnabled(bool(self.phone.text().strip()))
        self.mail_button.setEnabled(bool(self.email.text().strip()))
        self.web_button.setEnabled(bool(self.website.text().strip()))

    def _call(self) -> None:
        links.open_link(links.tel_url(str(self.binder.value("phone"))))

    def _mail(self) -> None:
        links.open_link(links.mailto_url(self.email.text()))

    def _browse(self) -> None:
        links.open_link(links.web_url(self.website.text()))
