"""Contacts tab of the sheet: the organisation's persons, with add, edit, remove and links."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.contacts import CIVILITIES, ContactRecord, display_phone
from microcrm.crm.validation import show_emails
from microcrm.errors import ConflictError, MicroCRMError, NotFoundError, ValidationError
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.record import links
from microcrm.ui.record.binder import error_label
from microcrm.ui.widgets import named

SaveFn = Callable[[ContactRecord], ContactRecord]


class ContactTableModel(RowsTableModel[ContactRecord]):
    """The contacts of one organisation (a few dozen at most: held in memory)."""

    COLUMNS = text_columns("Civilité", "Nom", "Fonction", "Téléphone", "Mobile", "E-mail")
    ROW_NUMBERS = True

    def set_contacts(self, contacts: Sequence[ContactRecord]) -> None:
        """Replace the rows."""
        self.set_rows(contacts)

    def contact(self, row: int) -> ContactRecord:
        """The contact of a row."""
        return self.row(row)

    def contacts(self) -> list[ContactRecord]:
        """Every contact shown."""
        return self.rows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        c = self._rows[index.row()]
        name = " ".join(p for p in (c.first_name, c.last_name) if p)
        values = (c.civility, name, c.role, display_phone(c.phone), display_phone(c.mobile),
                  c.email)
        return values[index.column()]


class ContactDialog(QDialog):
    """Add or edit one contact; a refused field shows its message and the dialog stays."""

    def __init__(self, record: ContactRecord, save: SaveFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contact-dialog")
        self.setWindowTitle("Nouveau contact" if record.id is None else "Modifier le contact")
        self.record = record
        self.saved: ContactRecord | None = None
        self._save = save

        self.civility = named(QComboBox(), "contact-civility")
        self.civility.addItem("", "")
        for value in CIVILITIES:
            self.civility.addItem(value, value)
        self.civility.setCurrentIndex(max(self.civility.findData(record.civility), 0))
        self.last_name = named(QLineEdit(record.last_name), "contact-last_name")
        self.first_name = named(QLineEdit(record.first_name), "contact-first_name")
        self.role = named(QLineEdit(record.role), "contact-role")
        self.phone = named(QLineEdit(display_phone(record.phone)), "contact-phone")
        self.mobile = named(QLineEdit(display_phone(record.mobile)), "contact-mobile")
        self.email = named(QLineEdit(record.email), "contact-email")
        self.phone_home = named(QLineEdit(display_phone(record.phone_home)), "contact-phone_home")
        self.fax = named(QLineEdit(display_phone(record.fax)), "contact-fax")
        self.emails_other = named(
            QLineEdit(show_emails(record.emails_other)), "contact-emails_other"
        )
        self.website = named(QLineEdit(record.website), "contact-website")
        self.notes = named(QPlainTextEdit(record.notes), "contact-notes")
        self.notes.setFixedHeight(70)
        self.message = named(QLabel(), "contact-message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        self.message.hide()

        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {
            "civility": self.civility, "last_name": self.last_name,
            "first_name": self.first_name, "role": self.role, "phone": self.phone,
            "mobile": self.mobile, "email": self.email, "phone_home": self.phone_home,
            "fax": self.fax, "emails_other": self.emails_other, "website": self.website,
            "notes": self.notes,
        }
        labels = {
            "civility": "Civilité :", "last_name": "Nom* :", "first_name": "Prénom :",
            "role": "Fonction :", "phone": "Téléphone :", "mobile": "Mobile :",
            "email": "E-mail :", "phone_home": "Tél. domicile :", "fax": "Télécopie :",
            "emails_other": "Autres e-mails :", "website": "Site ou profil :", "notes": "Notes :",
        }
        form = self._form(labels, record.home_address)

        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Enregistrer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _form(self, labels: dict[str, str], home_address: str) -> QFormLayout:
        """One row per input with its error line, then the home address (shown, not edited)."""
        form = QFormLayout()
        for name, widget in self.inputs.items():
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            self.errors[name] = error_label()
            box.addWidget(self.errors[name])
            form.addRow(labels[name], box)
        self.home = named(QLabel(home_address), "contact-home_address")
        self.home.setWordWrap(True)
        self.home.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if home_address:
            form.addRow("Adresse personnelle :", self.home)
        return form

    def edited(self) -> ContactRecord:
        """The record with the values on screen (not yet validated)."""

        def kept(edit: QLineEdit, stored: str) -> str:
            return stored if edit.text() == display_phone(stored) else edit.text()

        return replace(
            self.record,
            civility=str(self.civility.currentData() or ""),
            last_name=self.last_name.text(),
            first_name=self.first_name.text(),
            role=self.role.text(),
            phone=kept(self.phone, self.record.phone),
            mobile=kept(self.mobile, self.record.mobile),
            email=self.email.text(),
            phone_home=kept(self.phone_home, self.record.phone_home),
            fax=kept(self.fax, self.record.fax),
            emails_other=(
                self.record.emails_other
                if self.emails_other.text() == show_emails(self.record.emails_other)
                else self.emails_other.text()
            ),
            website=self.website.text(),
            notes=self.notes.toPlainText(),
        )

    def _clear_errors(self) -> None:
        self.message.hide()
        for name, label in self.errors.items():
            label.hide()
            label.setText("")
            self.inputs[name].setStyleSheet("")

    def try_accept(self) -> None:
        """Save through the service; close only when it was saved."""
        self._clear_errors()
        try:
            self.saved = self._save(self.edited())
        except ValidationError as exc:
            label = self.errors.get(exc.field)
            if label is None:
                self.message.setText(exc.message)
                self.message.show()
                return
            label.setText(exc.message)
            label.show()
            self.inputs[exc.field].setStyleSheet("border: 1px solid #c62828;")
            self.inputs[exc.field].setFocus()
            return
        except (ConflictError, NotFoundError) as exc:
            self.message.setText(exc.message + " Fermez et rouvrez le contact.")
            self.message.show()
            return
        self.accept()


class ContactsTab(QWidget):
    """The persons of an organisation; edits are saved at once (each is its own row).

    Signals:
        contacts_changed(int): the number of contacts after an add or a removal.
        status(str): a message for the sheet's status line.
    """

    contacts_changed = Signal(int)
    status = Signal(str)

    def __init__(
        self, save: SaveFn, remove: Callable[[int], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._remove = remove
        self.organisation_id: int | None = None
        self.model = ContactTableModel(parent=self)
        self.table = named(QTableView(), "contacts-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())

        self.add_button = named(QPushButton("Ajouter…"), "contact-add")
        self.edit_button = named(QPushButton("Modifier…"), "contact-edit")
        self.remove_button = named(QPushButton("Supprimer"), "contact-remove")
        self.call_button = named(QPushButton("Appeler"), "contact-call")
        self.mail_button = named(QPushButton("Écrire"), "contact-mail")
        self.add_button.clicked.connect(self.add_contact)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.call_button.clicked.connect(self.call_selected)
        self.mail_button.clicked.connect(self.mail_selected)
        self.hint = QLabel("Enregistrez la fiche pour lui ajouter des contacts.")
        self.hint.setStyleSheet("color: #757575;")

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.call_button)
        buttons.addWidget(self.mail_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def set_organisation(
        self, organisation_id: int | None, contacts: Sequence[ContactRecord]
    ) -> None:
        """Show an organisation's contacts (``None``: a record not saved yet)."""
        self.organisation_id = organisation_id
        self.model.set_contacts(contacts)
        self._update_buttons()

    def selected(self) -> ContactRecord | None:
        """The selected contact, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.contact(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        saved = self.organisation_id is not None
        current = self.selected()
        self.hint.setVisible(not saved)
        self.add_button.setEnabled(saved)
        self.edit_button.setEnabled(current is not None)
        self.remove_button.setEnabled(current is not None)
        self.call_button.setEnabled(current is not None and bool(current.phone or current.mobile))
        self.mail_button.setEnabled(current is not None and bool(current.email))

    def open_dialog(self, record: ContactRecord) -> ContactRecord | None:
        """Run the contact dialog; the saved record, or None when cancelled."""
        dialog = ContactDialog(record, self._save, self)
        dialog.exec()
        saved = dialog.saved
        dialog.deleteLater()
        return saved

    def _replace(self, saved: ContactRecord) -> None:
        contacts = [c for c in self.model.contacts() if c.id != saved.id] + [saved]
        contacts.sort(key=lambda c: (c.last_name.casefold(), c.first_name.casefold(), c.id or 0))
        self.model.set_contacts(contacts)
        row = next(i for i, c in enumerate(contacts) if c.id == saved.id)
        self.table.selectRow(row)
        self.contacts_changed.emit(len(contacts))

    def add_contact(self) -> None:
        """Ask for a new contact and add it."""
        if self.organisation_id is None:
            return
        saved = self.open_dialog(ContactRecord(organisation_id=self.organisation_id))
        if saved is not None:
            self._replace(saved)
            self.status.emit(f"Contact « {saved.display_name} » ajouté.")

    def edit_selected(self) -> None:
        """Edit the selected contact."""
        current = self.selected()
        if current is None:
            return
        saved = self.open_dialog(current)
        if saved is not None:
            self._replace(saved)
            self.status.emit(f"Contact « {saved.display_name} » enregistré.")

    def confirm_remove(self, contact: ContactRecord) -> bool:
        """Ask before moving a contact to the trash."""
        answer = QMessageBox.question(
            self,
            "Supprimer le contact",
            f"Mettre « {contact.display_name} » à la corbeille ?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def remove_selected(self) -> None:
        """Move the selected contact to the trash."""
        current = self.selected()
        if current is None or current.id is None or not self.confirm_remove(current):
            return
        try:
            self._remove(current.id)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Contact", exc.message)
            return
        contacts = [c for c in self.model.contacts() if c.id != current.id]
        self.model.set_contacts(contacts)
        self._update_buttons()
        self.contacts_changed.emit(len(contacts))
        self.status.emit(f"Contact « {current.display_name} » mis à la corbeille.")

    def call_selected(self) -> None:
        """Call the selected contact (mobile when there is no landline)."""
        current = self.selected()
        if current is not None:
            links.open_link(links.tel_url(current.phone or current.mobile))

    def mail_selected(self) -> None:
        """Write to the selected contact."""
        current = self.selected()
        if current is not None:
            links.open_link(links.mailto_url(current.email))
