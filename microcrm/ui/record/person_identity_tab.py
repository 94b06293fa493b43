"""Identity tab of a person's sheet: who they are, how to reach them, where they stand.

One tab for both kinds of person with a sheet of their own: a private
customer (particulier) shows the commercial and the lifecycle buttons; a
staff member shows their role (fonction) instead. Every field is registered
in the binder either way, so a value the tab hides is kept as loaded.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from microcrm.crm.contacts import CIVILITIES
from microcrm.crm.validation import format_phone, show_emails
from microcrm.ui.record import links
from microcrm.ui.record.binder import FormBinder
from microcrm.ui.record.identity_tab import (
    field_box,
    fill_salespeople,
    link_button,
    tag_edit,
    with_button,
)
from microcrm.ui.widgets import named

PROSPECT, CLIENT, FORMER = "prospect", "client", "ancien_client"


class PersonIdentityTab(QWidget):
    """Civility and names, phones and e-mail, follow-up and lifecycle of one person.

    Signals:
        stage_requested(str): a lifecycle button was clicked (``"prospect"``,
            ``"client"`` or ``"ancien_client"``).
    """

    stage_requested = Signal(str)

    def __init__(self, binder: FormBinder, *, staff: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.binder = binder
        self.staff = staff
        self.civility = named(QComboBox(), "civility")
        self.civility.addItem("", "")
        for value in CIVILITIES:
            self.civility.addItem(value, value)
        self.last_name = named(QLineEdit(), "last_name")
        self.first_name = named(QLineEdit(), "first_name")
        self.role = named(QLineEdit(placeholderText="Commercial, comptable…"), "role")

        self.phone = named(QLineEdit(), "phone")
        self.mobile = named(QLineEdit(), "mobile")
        self.email = named(QLineEdit(), "email")
        self.phone_home = named(QLineEdit(), "phone_home")
        self.fax = named(QLineEdit(), "fax")
        self.emails_other = named(QLineEdit(), "emails_other")
        self.emails_other.setPlaceholderText("adresse@exemple.fr, autre@exemple.fr")
        self.website = named(QLineEdit(), "website")
        self.call_button = link_button("Appeler", "call", lambda: self._call("phone"))
        self.call_mobile_button = link_button("Appeler", "call-mobile",
                                              lambda: self._call("mobile"))
        self.mail_button = link_button("Écrire", "mail", self._mail)
        self.salesperson = named(QComboBox(), "salesperson_id")
        self.salesperson.addItem("— aucun —", None)
        self.tags, self._tag_model = tag_edit(self)
        self.notes = named(QPlainTextEdit(), "notes")
        self.notes.setPlaceholderText(
            "Notes libres sur ce membre du personnel…" if staff else "Notes libres sur ce client…"
        )

        self.stage_label = named(QLabel(), "stage-label")
        self.to_prospect = named(QPushButton("Passer en prospect"), "to-prospect")
        self.to_client = named(QPushButton("Passer en client"), "to-client")
        self.to_former = named(QPushButton("Marquer ancien client"), "to-former")
        for button, stage in (
            (self.to_prospect, PROSPECT), (self.to_client, CLIENT), (self.to_former, FORMER),
        ):
            button.clicked.connect(lambda _checked=False, s=stage: self.stage_requested.emit(s))
        self.no_mail = named(QCheckBox("Pas de courrier"), "no_mail")
        self.no_email = named(QCheckBox("Pas d'e-mail"), "no_email")

        self._register()
        self._build_layout()
        for edit in (self.phone, self.mobile, self.email):
            edit.textChanged.connect(self._update_links)
        self._update_links()

    def _register(self) -> None:
        b = self.binder
        self.errors = {
            "civility": b.add_combo("civility", "Civilité", self.civility),
            "last_name": b.add_line("last_name", "Nom", self.last_name),
            "first_name": b.add_line("first_name", "Prénom", self.first_name),
            "role": b.add_line("role", "Fonction", self.role),
            "phone": b.add_line("phone", "Téléphone", self.phone, format_phone),
            "mobile": b.add_line("mobile", "Mobile", self.mobile, format_phone),
            "email": b.add_line("email", "E-mail", self.email),
            "phone_home": b.add_line(
                "phone_home", "Téléphone du domicile", self.phone_home, format_phone
            ),
            "fax": b.add_line("fax", "Télécopie", self.fax, format_phone),
            "emails_other": b.add_line(
                "emails_other", "Autres e-mails", self.emails_other, show_emails
            ),
            "website": b.add_line("website", "Site ou profil", self.website),
            "salesperson_id": b.add_combo("salesperson_id", "Commercial", self.salesperson),
            "tags": b.add_line("tags", "Étiquettes", self.tags),
            "no_mail": b.add_check("no_mail", "Pas de courrier", self.no_mail),
            "no_email": b.add_check("no_email", "Pas d'e-mail", self.no_email),
            "notes": b.add_text("notes", "Notes", self.notes),
        }

    def _build_layout(self) -> None:
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._identity_box())
        left.addWidget(self._base_box())
        left.addStretch(1)
        columns.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(self._reach_box())
        right.addStretch(1)
        columns.addLayout(right, 1)
        notes = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes)
        notes_layout.addLayout(field_box(self.notes, self.errors["notes"]))
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(notes, 1)

    def _identity_box(self) -> QGroupBox:
        e = self.errors
        box = QGroupBox("Identité")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.civility.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        civility = QHBoxLayout()
        civility.addWidget(self.civility)
        civility.addStretch(1)
        form.addRow("Civilité :", field_box(civility, e["civility"]))
        form.addRow("Nom* :", field_box(self.last_name, e["last_name"]))
        form.addRow("Prénom :", field_box(self.first_name, e["first_name"]))
        if self.staff:
            form.addRow("Fonction :", field_box(self.role, e["role"]))
        else:
            self.role.hide()
        return box

    def _reach_box(self) -> QGroupBox:
        e = self.errors
        box = QGroupBox("Coordonnées et suivi")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        phone = with_button(self.phone, self.call_button)
        mobile = with_button(self.mobile, self.call_mobile_button)
        email = with_button(self.email, self.mail_button)
        form.addRow("Téléphone :", field_box(phone, e["phone"]))
        form.addRow("Mobile :", field_box(mobile, e["mobile"]))
        form.addRow("E-mail :", field_box(email, e["email"]))
        form.addRow("Tél. domicile :", field_box(self.phone_home, e["phone_home"]))
        form.addRow("Télécopie :", field_box(self.fax, e["fax"]))
        form.addRow("Autres e-mails :", field_box(self.emails_other, e["emails_other"]))
        form.addRow("Site ou profil :", field_box(self.website, e["website"]))
        if self.staff:
            self.salesperson.hide()
        else:
            form.addRow("Commercial :", field_box(self.salesperson, e["salesperson_id"]))
        form.addRow("Étiquettes :", field_box(self.tags, e["tags"]))
        return box

    def _base_box(self) -> QGroupBox:
        box = QGroupBox("Base")
        grid = QGridLayout(box)
        if self.staff:
            grid.addWidget(QLabel("<b>Personnel</b> de l'entreprise"), 0, 0, 1, 2)
            for button in (self.to_prospect, self.to_client, self.to_former):
                button.hide()
            self.stage_label.hide()
        else:
            grid.addWidget(QLabel("Étape :"), 0, 0)
            grid.addWidget(self.stage_label, 0, 1)
            stage_buttons = QHBoxLayout()
            for button in (self.to_prospect, self.to_client, self.to_former):
                stage_buttons.addWidget(button)
            stage_buttons.addStretch(1)
            grid.addLayout(stage_buttons, 1, 0, 1, 2)
        mailing = QHBoxLayout()
        mailing.addWidget(self.no_mail)
        mailing.addWidget(self.no_email)
        mailing.addStretch(1)
        grid.addLayout(mailing, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        return box

    # -- choices and derived display ------------------------------------------------------
    def set_choices(self, salespeople: list[tuple[int, str]], tags: list[str]) -> None:
        """Fill the salesperson combo and the tag completion."""
        fill_salespeople(self.salesperson, salespeople)
        self._tag_model.setStringList(tags)

    def set_stage(self, stage_label: str, stage: str | None) -> None:
        """Show where the private customer stands in the lifecycle, and what it can move to."""
        self.stage_label.setText(f"<b>{stage_label}</b>")
        self.to_prospect.setEnabled(stage in (None, "suspect"))
        self.to_client.setEnabled(stage != CLIENT)
        self.to_former.setEnabled(stage == CLIENT)

    def _update_links(self) -> None:
        self.call_button.setEnabled(bool(self.phone.text().strip()))
        self.call_mobile_button.setEnabled(bool(self.mobile.text().strip()))
        self.mail_button.setEnabled(bool(self.email.text().strip()))

    def _call(self, name: str) -> None:
        links.open_link(links.tel_url(str(self.binder.value(name))))

    def _mail(self) -> None:
        links.open_link(links.mailto_url(self.email.text()))
