"""Settings, "Utilisateurs" tab: users and salespeople, and the user of this workstation.

Edits are staged in memory and written together when the dialog is
accepted (one transaction, :func:`~microcrm.crm.users.save_users`), so
*Annuler* really cancels. Users are deactivated, never deleted.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.users import UserRecord, suggest_initials, suggest_login, validate_user
from microcrm.crm.validation import format_phone
from microcrm.errors import ValidationError
from microcrm.ui.settings_fields import FormErrors, hint

COLUMNS = ("Nom", "Identifiant", "Initiales", "Commercial", "État")
SESSION = -1
INACTIVE_COLOR = QColor("#80868b")


@dataclass
class StagedUser:
    """A user as edited in the tab, and as it was loaded (``None`` for a new one)."""

    record: UserRecord
    original: UserRecord | None
    login_touched: bool = True

    @property
    def dirty(self) -> bool:
        """New (and not left blank), or changed since loaded."""
        if self.original is None:
            return self.record != UserRecord()
        return self.record != self.original


def _for_display(record: UserRecord) -> UserRecord:
    """Phones are typed and shown in French form, stored in E.164."""
    return replace(record, phone=format_phone(record.phone))


def _session_login() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "utilisateur"


class UsersTab(QWidget):
    """The list of users with an edit form, and the choice of this workstation's user."""

    def __init__(
        self, users: list[UserRecord], current_login: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rows = [StagedUser(_for_display(u), _for_display(u)) for u in users]
        self.errors = FormErrors()
        self._loading = False
        self._extra_login = ""
        """A login set on this workstation that matches no user (kept as a choice)."""
        self.current_user = QComboBox()
        self.current_user.setObjectName("current-user")
        self.current_user.setMinimumWidth(320)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("Ajouter un utilisateur")
        self.toggle_button = QPushButton("Désactiver")
        self.full_name = QLineEdit()
        self.login = QLineEdit()
        self.login.setPlaceholderText("prenom.nom")
        self.initials = QLineEdit()
        self.initials.setMaxLength(8)
        self.initials.setFixedWidth(80)
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.is_salesperson = QCheckBox("Commercial : peut suivre des fiches")
        self.state = hint()
        self.message = QLabel()
        self.message.setObjectName("users-message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b71c1c;")
        self.message.hide()
        self._build()
        self._connect()
        self._fill_table()
        self._fill_current(current_login)
        if self.rows:
            self.table.selectRow(0)
        else:
            self._show_form(None)

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Utilisateur de ce poste :"))
        top.addWidget(self.current_user)
        top.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.toggle_button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(buttons)

        self.form_box = QGroupBox("Fiche de l'utilisateur")
        e = self.errors
        form = QFormLayout(self.form_box)
        form.addRow("Nom complet :", e.row("full_name", self.full_name))
        form.addRow("Identifiant :", e.row("login", self.login))
        form.addRow("Initiales :", e.row("initials", self.initials))
        form.addRow("E-mail :", e.row("email", self.email))
        form.addRow("Téléphone :", e.row("phone", self.phone))
        form.addRow("", self.is_salesperson)
        form.addRow("", self.state)
        self.form_box.setMinimumWidth(320)

        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(self.form_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(
            hint(
                "L'utilisateur de ce poste signe les actions et modifications faites ici. "
                "Un utilisateur qui part est désactivé : son historique est conservé."
            )
        )
        layout.addLayout(body, 1)
        layout.addWidget(self.message)

    def _connect(self) -> None:
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button.clicked.connect(self.toggle_active)
        # textChanged (not textEdited) so that setText from tests and scripts counts as typing;
        # loading a record into the form is guarded by ``_loading``.
        self.full_name.textChanged.connect(self._name_edited)
        self.login.textChanged.connect(lambda text: self._edit(login=text, touched=True))
        self.initials.textChanged.connect(lambda text: self._edit(initials=text))
        self.email.textChanged.connect(lambda text: self._edit(email=text))
        self.phone.textChanged.connect(lambda text: self._edit(phone=text))
        self.is_salesperson.toggled.connect(lambda on: self._edit(is_salesperson=on))

    # -- table -------------------------------------------------------------------------------------
    def _cells(self, staged: StagedUser) -> tuple[str, ...]:
        r = staged.record
        return (
            r.full_name or "(nouvel utilisateur)",
            r.login,
            r.initials or suggest_initials(r.full_name),
            "Oui" if r.is_salesperson else "Non",
            "Actif" if r.active else "Désactivé",
        )

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.rows))
        for index in range(len(self.rows)):
            self._update_row(index)

    def _update_row(self, index: int) -> None:
        staged = self.rows[index]
        font = QFont()
        font.setItalic(staged.dirty)
        for column, text in enumerate(self._cells(staged)):
            item = self.table.item(index, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(index, column, item)
            item.setText(text)
            item.setFont(font)
            item.setForeground(
                QBrush(INACTIVE_COLOR) if not staged.record.active else self.palette().text()
            )

    def selected_index(self) -> int | None:
        """Row of the selected user, or None."""
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _selection_changed(self) -> None:
        self._show_form(self.selected_index())

    def _show_form(self, index: int | None) -> None:
        self._loading = True
        try:
            self.errors.clear()
            record = self.rows[index].record if index is not None else UserRecord()
            self.form_box.setEnabled(index is not None)
            self.toggle_button.setEnabled(index is not None)
            self.full_name.setText(record.full_name)
            self.login.setText(record.login)
            self.initials.setText(record.initials)
            self.initials.setPlaceholderText(suggest_initials(record.full_name))
            self.email.setText(record.email)
            self.phone.setText(record.phone)
            self.is_salesperson.setChecked(record.is_salesperson)
            self._show_state(index)
        finally:
            self._loading = False

    def _show_state(self, index: int | None) -> None:
        if index is None:
            self.state.setText("")
            return
        staged = self.rows[index]
        active = staged.record.active
        self.toggle_button.setText("Désactiver" if active else "Réactiver")
        if staged.original is None:
            self.toggle_button.setText("Retirer")
            text = "Nouvel utilisateur : enregistré à la validation (OK)."
        elif not active:
            text = "Désactivé : n'apparaît plus dans les choix ; son historique reste."
        else:
            text = "Actif."
        self.state.setText(text)

    # -- edits -------------------------------------------------------------------------------------
    def _edit(self, *, touched: bool = False, **values: object) -> None:
        index = self.selected_index()
        if self._loading or index is None:
            return
        staged = self.rows[index]
        staged.record = replace(staged.record, **values)  # type: ignore[arg-type]
        staged.login_touched = staged.login_touched or touched
        self._update_row(index)
        self._refresh_current()

    def _name_edited(self, text: str) -> None:
        index = self.selected_index()
        if self._loading or index is None:
            return
        self.initials.setPlaceholderText(suggest_initials(text))
        staged = self.rows[index]
        if staged.login_touched:
            self._edit(full_name=text)
            return
        login = suggest_login(text)
        self._loading = True
        try:
            self.login.setText(login)
        finally:
            self._loading = False
        self._edit(full_name=text, login=login)

    def add_user(self) -> None:
        """Stage a new user and put the cursor on its name."""
        self.rows.append(StagedUser(UserRecord(), None, login_touched=False))
        index = len(self.rows) - 1
        self.table.setRowCount(len(self.rows))
        self._update_row(index)
        self.table.selectRow(index)
        self.full_name.setFocus()

    def toggle_active(self) -> None:
        """Deactivate the selected user (or reactivate them); a new one is dropped ("Retirer")."""
        index = self.selected_index()
        if index is None:
            return
        staged = self.rows[index]
        if staged.original is None:
            key = self.current_user.currentData()
            if isinstance(key, int) and key >= index:  # combo keys are row numbers
                key = SESSION if key == index else key - 1
            self.table.blockSignals(True)  # rows and table must agree before the form reloads
            self.table.removeRow(index)
            self.table.blockSignals(False)
            del self.rows[index]
            self._selection_changed()
            self._refresh_current(key)
            return
        staged.record = replace(staged.record, active=not staged.record.active)
        self._update_row(index)
        self._show_state(index)
        self._refresh_current()

    # -- this workstation's user -------------------------------------------------------------------
    def _fill_current(self, login: str) -> None:
        self._extra_login = ""
        key: object = SESSION
        if login:
            found = [i for i, s in enumerate(self.rows) if s.record.login.lower() == login.lower()]
            key = found[0] if found else login
            self._extra_login = "" if found else login
        self._refresh_current(key)

    def _refresh_current(self, key: object = None) -> None:
        if key is None:
            key = self.current_user.currentData()
        self.current_user.blockSignals(True)
        self.current_user.clear()
        self.current_user.addItem(f"Aucun : la session « {_session_login()} »", SESSION)
        for i, staged in enumerate(self.rows):
            r = staged.record
            if (r.active or i == key) and r.full_name.strip():
                off = "" if r.active else ", désactivé"
                self.current_user.addItem(f"{r.full_name} ({r.login}{off})", i)
        if self._extra_login:
            self.current_user.addItem(f"{self._extra_login} (inconnu)", self._extra_login)
        position = self.current_user.findData(key)
        self.current_user.setCurrentIndex(max(position, 0))
        self.current_user.blockSignals(False)

    def choose_current(self, login: str) -> bool:
        """Select the user of this workstation by login (tests, scripts)."""
        for i, staged in enumerate(self.rows):
            if staged.record.login.lower() == login.lower():
                self._refresh_current(i)
                return True
        return False

    def chosen_login(self) -> str:
        """Login chosen for this workstation ("" means the session login)."""
        key = self.current_user.currentData()
        if isinstance(key, int) and key >= 0:
            return _stored_login(self.rows[key].record)
        return key if isinstance(key, str) else ""

    # -- saving ------------------------------------------------------------------------------------
    def pending(self) -> list[tuple[int, UserRecord]]:
        """(row, record) of the users to save."""
        return [(i, s.record) for i, s in enumerate(self.rows) if s.dirty]

    def check(self) -> tuple[int, ValidationError] | None:
        """First invalid staged user (row, error), without touching the database."""
        seen: dict[str, int] = {}
        for i, staged in enumerate(self.rows):
            if staged.original is None and not staged.dirty:
                continue  # "Ajouter" clicked, nothing typed: ignored
            if staged.dirty:
                try:
                    validate_user(staged.record)
                except ValidationError as exc:
                    return i, exc
            login = staged.record.login.strip().lower()
            if login in seen:
                return i, ValidationError(
                    "login", f"L'identifiant « {login} » est déjà donné à un autre utilisateur."
                )
            seen[login] = i
        return None

    def show_error(self, index: int, error: ValidationError) -> None:
        """Select the user in error and show the message next to the field."""
        if 0 <= index < len(self.rows):
            self.table.selectRow(index)
        if not self.errors.show(error.field, error.message):
            self.show_message(error.message)

    def show_message(self, text: str) -> None:
        """An error that concerns no single field (conflict with another workstation)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def mark_saved(self, saved: list[tuple[int, UserRecord]]) -> None:
        """Take the stored records back (cleaned values, new ids and versions)."""
        for index, record in saved:
            shown = _for_display(record)
            self.rows[index] = StagedUser(shown, shown)
            self._update_row(index)
        self._refresh_current()
        current = self.selected_index()
        if current is not None:
            self._show_form(current)


def _stored_login(record: UserRecord) -> str:
    """The login as it will be stored (lower-case, trimmed), even before saving."""
    return record.login.strip().lower()
