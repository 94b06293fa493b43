"""The settings dialog ("Paramètres"): company identity, users, database location.

Nothing is written until *OK*: the company identity and the users go to the
database (shared by every workstation), the user of this workstation and the
database location to ``settings.toml``. A validation error keeps the dialog
open on the tab and field concerned, with everything typed kept. A new
location is tested first (in a worker) and applies at the next start.

After ``exec()`` returns accepted, :attr:`SettingsDialog.changed` says what
changed, so the main window reloads only what it must.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.crm.company import load_company, save_company, validate_company
from microcrm.crm.users import UserValidationError, list_users, save_users
from microcrm.errors import ConflictError, MicroCRMError, ValidationError
from microcrm.storage.connection import ConnectionReport
from microcrm.ui.ged.settings_tab import GedSettingsTab
from microcrm.ui.settings_company import CompanyTab
from microcrm.ui.settings_database import DatabaseTab
from microcrm.ui.settings_users import UsersTab

#: Values of :attr:`SettingsDialog.changed`.
COMPANY, USERS, CURRENT_USER, DATABASE = "company", "users", "current_user", "database"
GED = "ged"


class SettingsDialog(QDialog):
    """Tabs "Entreprise", "Utilisateurs", "Base de données"; OK saves, Annuler forgets.

    Attributes:
        changed: after acceptance, what was saved among ``"company"``, ``"users"``,
            ``"current_user"`` (this workstation's user) and ``"database"`` (the
            location for the next start).
        restart_requested: the user asked to restart now to use the new location;
            the main window closes (it may ask to save sheets) and calls
            :func:`restart_application`.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Paramètres")
        self.ctx = ctx
        self.changed: set[str] = set()
        self.restart_requested = False
        self._accept_after_test = False
        self.company_tab = CompanyTab(load_company(ctx.db))
        self.users_tab = UsersTab(list_users(ctx.db), ctx.settings.user_login)
        self.database_tab = DatabaseTab(ctx)
        self.ged_tab = GedSettingsTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.company_tab, "Entreprise")
        self.tabs.addTab(self.users_tab, "Utilisateurs")
        self.tabs.addTab(self.database_tab, "Base de données")
        self.tabs.addTab(self.ged_tab, "GED")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("OK")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.database_tab.tested.connect(self._tested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self.resize(940, 600)

    # -- OK ----------------------------------------------------------------------------------------
    def accept(self) -> None:
        """Check everything, test a new location if needed, save, then close."""
        if self.database_tab.is_testing():
            self._wait_for_test()
            return
        if not self._check_forms():
            return
        if self.database_tab.is_modified() and not self._location_confirmed():
            return
        if not self._save():
            return
        if DATABASE in self.changed:
            self.restart_requested = self._ask_restart()
        super().accept()

    def _check_forms(self) -> bool:
        """Validation without writing anything; the first error is shown at its field."""
        company = self.company_tab
        company.errors.clear()
        if company.is_modified():
            try:
                validate_company(company.form_info())
            except ValidationError as exc:
                return self._show_error(company, exc)
        self.users_tab.errors.clear()
        self.users_tab.show_message("")
        problem = self.users_tab.check()
        if problem is not None:
            self.tabs.setCurrentWidget(self.users_tab)
            self.users_tab.show_error(*problem)
            return False
        self.database_tab.errors.clear()
        try:
            self.database_tab.setting_value()
        except ValidationError as exc:
            return self._show_error(self.database_tab, exc)
        self.ged_tab.errors.clear()
        try:
            self.ged_tab.check()
        except ValidationError as exc:
            return self._show_error(self.ged_tab, exc)
        return True

    def _show_error(
        self, tab: CompanyTab | DatabaseTab | GedSettingsTab, exc: ValidationError
    ) -> bool:
        self.tabs.setCurrentWidget(tab)
        if not tab.errors.show(exc.field, exc.message):
            QMessageBox.warning(self, "Paramètres", exc.message)
        return False

    def _location_confirmed(self) -> bool:
        """A new location must have been tested; a failed test needs the user's word."""
        tab = self.database_tab
        report = tab.last_report
        if report is None or tab.tested_target != tab.test_target():
            self.tabs.setCurrentWidget(tab)
            if tab.start_test():
                self._wait_for_test()
            return False
        if report.ok:
            return True
        self.tabs.setCurrentWidget(tab)
        return self._confirm_failed_location(report)

    def _wait_for_test(self) -> None:
        self._accept_after_test = True
        self.ok_button.setEnabled(False)

    def _tested(self, report: object) -> None:
        if not self._accept_after_test:
            return
        self._accept_after_test = False
        self.ok_button.setEnabled(True)
        if isinstance(report, ConnectionReport):
            self.accept()

    def _confirm_failed_location(self, report: ConnectionReport) -> bool:
        answer = QMessageBox.question(
            self,
            "Emplacement de la base",
            "Le test de connexion a échoué :\n\n"
            + "\n".join(report.lines())
            + "\n\nSi vous l'enregistrez, MicroCRM ne pourra pas démarrer tant que cette base "
            "restera inaccessible. Enregistrer quand même ?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask_restart(self) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Emplacement de la base")
        box.setText(
            "Le nouvel emplacement de la base sera utilisé au prochain démarrage de MicroCRM."
        )
        now = box.addButton("Redémarrer maintenant", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Plus tard", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is now

    # -- saving ------------------------------------------------------------------------------------
    def _save(self) -> bool:
        """Write the company, the users, then the workstation settings; False keeps the dialog."""
        db = self.ctx.db
        try:
            if self.company_tab.is_modified():
                saved = save_company(db, self.company_tab.form_info())
                self.company_tab.show_info(saved)
                self.changed.add(COMPANY)
            if not self._save_users():
                return False
        except ValidationError as exc:
            return self._show_error(self.company_tab, exc)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Paramètres", exc.message)
            return False
        return self._save_settings()

    def _save_users(self) -> bool:
        pending = self.users_tab.pending()
        if not pending:
            return True
        try:
            saved = save_users(self.ctx.db, [record for _, record in pending])
        except UserValidationError as exc:
            self.tabs.setCurrentWidget(self.users_tab)
            self.users_tab.show_error(pending[exc.index][0], exc)
            return False
        except ConflictError as exc:
            self.tabs.setCurrentWidget(self.users_tab)
            self.users_tab.show_message(
                f"{exc.message} Annulez puis rouvrez les paramètres pour voir ses changements."
            )
            return False
        self.users_tab.mark_saved([(i, rec) for (i, _), rec in zip(pending, saved, strict=True)])
        self.changed.add(USERS)
        return True

    def _save_settings(self) -> bool:
        settings = self.ctx.settings
        login = self.users_tab.chosen_login()
        location = self.database_tab.setting_value()
        dirty = False
        if login != settings.user_login:
            settings.user_login = login
            self.changed.add(CURRENT_USER)
            dirty = True
        if self.database_tab.is_modified():
            settings.database = location
            self.changed.add(DATABASE)
            dirty = True
        if self.ged_tab.is_modified():
            try:
                dirty = self.ged_tab.save() or dirty
            except ValidationError as exc:
                return self._show_error(self.ged_tab, exc)
            self.changed.add(GED)
        if dirty:
            try:
                settings.save(self.ctx.paths.settings_file)
            except OSError as exc:
                QMessageBox.warning(
                    self,
                    "Paramètres",
                    f"Impossible d'enregistrer {self.ctx.paths.settings_file} : {exc.strerror}.",
                )
                return False
        return True

    def reject(self) -> None:
        """Annuler: nothing more is written (a running test is left to finish on its own)."""
        self._accept_after_test = False
        super().reject()


def restart_application() -> bool:
    """Start a new MicroCRM process with the same command line, minus ``--db``.

    Call it once the main window has closed; ``--db`` is dropped so that the
    newly saved location is the one opened.
    """
    frozen = bool(getattr(sys, "frozen", False))
    args = list(sys.argv[1:] if frozen else sys.orig_argv[1:])
    cleaned: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("--db="):
            cleaned.append(arg)
    started, _pid = QProcess.startDetached(sys.executable, cleaned)
    return bool(started)
