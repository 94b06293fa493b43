"""Settings, "Base de données" tab: where the database lives, tested before it is chosen.

The choice is saved in ``settings.toml`` and used at the next start; the
open database is not switched under the user's feet. "Tester la connexion"
runs :func:`~microcrm.storage.connection.check_connection` in a worker
(:class:`~microcrm.ui.workers.Task` on the global thread pool: a PostgreSQL
server may take seconds to time out) and never writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import DB_FILENAME, AppContext
from microcrm.errors import MicroCRMError, ValidationError
from microcrm.storage.connection import (
    ConnectionReport,
    OpenDatabase,
    PostgresParams,
    check_connection,
    describe_database,
    display_target,
    parse_postgres_url,
    postgres_url,
    share_database,
)
from microcrm.ui.settings_fields import FormErrors, hint
from microcrm.ui.workers import Task, run_task

LOCAL, SHARED, POSTGRES = "local", "shared", "postgres"
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
OK_STYLE = "color: #1b5e20;"
FAILED_STYLE = "color: #b71c1c;"


def shared_file(text: str) -> Path:
    """The database file for what was typed: a folder (→ ``microcrm.sqlite`` in it) or a file."""
    path = Path(text.strip()).expanduser()
    return path if path.suffix.lower() in SQLITE_SUFFIXES else path / DB_FILENAME


def same_location(a: str, b: str) -> bool:
    """Whether two settings name the same database (URL spellings and paths normalised)."""
    if a == b:
        return True
    pa, pb = parse_postgres_url(a), parse_postgres_url(b)
    if pa is not None or pb is not None:
        return pa == pb
    if not a or not b:
        return False
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False


class DatabaseTab(QWidget):
    """The open database, and the location to use from the next start.

    Signals:
        tested: a connection test ended (the :class:`ConnectionReport`).
    """

    tested = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.errors = FormErrors()
        self.last_report: ConnectionReport | None = None
        self.tested_target = ""
        self._task: Task | None = None
        self.current_location = QLabel()
        self.current_location.setWordWrap(True)
        self.current_mode = QLabel()
        self.share_button = QPushButton("Partager cette base")
        self.share_hint = hint()
        self.radio_local = QRadioButton("Locale : sur ce poste uniquement")
        self.radio_shared = QRadioButton("Dossier partagé : sur un lecteur réseau (2 à 10 postes)")
        self.radio_pg = QRadioButton("Serveur PostgreSQL")
        self.choices = QButtonGroup(self)
        for button in (self.radio_local, self.radio_shared, self.radio_pg):
            self.choices.addButton(button)
        self.local_path = hint(str(ctx.paths.default_database))
        self.shared_folder = QLineEdit()
        self.shared_folder.setPlaceholderText(r"\\serveur\partage\MicroCRM  ou  Z:\MicroCRM")
        self.browse_button = QPushButton("Parcourir…")
        self.shared_hint = hint()
        self.pg_host = QLineEdit()
        self.pg_port = QSpinBox()
        self.pg_port.setRange(1, 65535)
        self.pg_port.setFixedWidth(90)
        self.pg_port.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.pg_database = QLineEdit()
        self.pg_user = QLineEdit()
        self.pg_password = QLineEdit()
        self.pg_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = QPushButton("Tester la connexion")
        self.report = QLabel()
        self.report.setObjectName("connection-report")
        self.report.setWordWrap(True)
        self.restart_note = hint(
            "Le nouvel emplacement sera utilisé au prochain démarrage de MicroCRM."
        )
        self._build()
        self._show_open_database(describe_database(ctx.db))
        self._show_setting(ctx.settings.database)
        self._connect()
        self._changed()

    def _build(self) -> None:
        current = QGroupBox("Base ouverte")
        cform = QFormLayout(current)
        cform.addRow("Emplacement :", self.current_location)
        cform.addRow("Mode :", self.current_mode)
        share_row = QHBoxLayout()
        share_row.addWidget(self.share_button)
        share_row.addWidget(self.share_hint, 1)
        cform.addRow("", share_row)
        if os.environ.get("MICROCRM_DB"):
            cform.addRow("", hint("La variable MICROCRM_DB impose la base à ouvrir sur ce poste."))

        choice = QGroupBox("Emplacement à utiliser")
        grid = QGridLayout(choice)
        grid.setColumnMinimumWidth(0, 24)
        grid.addWidget(self.radio_local, 0, 0, 1, 3)
        grid.addWidget(self.local_path, 1, 1, 1, 2)
        grid.addWidget(self.radio_shared, 2, 0, 1, 3)
        grid.addWidget(self.errors.row("shared_folder", self.shared_folder), 3, 1)
        grid.addWidget(self.browse_button, 3, 2)
        grid.addWidget(self.shared_hint, 4, 1, 1, 2)
        grid.addWidget(self.radio_pg, 5, 0, 1, 3)
        self.pg_box = QWidget()
        self.pg_box.setMaximumWidth(640)
        pgrid = QGridLayout(self.pg_box)
        pgrid.setContentsMargins(0, 0, 0, 0)
        e = self.errors
        top = Qt.AlignmentFlag.AlignTop
        pg_rows = (
            (("Serveur :", "pg_host", self.pg_host), ("Port :", "pg_port", self.pg_port)),
            (("Base :", "pg_database", self.pg_database), None),
            (
                ("Utilisateur :", "pg_user", self.pg_user),
                ("Mot de passe :", "pg_password", self.pg_password),
            ),
        )
        for r, pair in enumerate(pg_rows):
            for c, cell in enumerate(pair):
                if cell is None:
                    continue
                label, field, editor = cell
                caption = QLabel(label)
                caption.setMinimumHeight(editor.sizeHint().height())  # level with the field
                pgrid.addWidget(caption, r, 2 * c, top)
                pgrid.addWidget(e.row(field, editor), r, 2 * c + 1, top)
        pgrid.setColumnStretch(1, 1)
        pgrid.setColumnStretch(3, 1)
        grid.addWidget(self.pg_box, 6, 1, 1, 2)
        grid.setColumnStretch(1, 1)

        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(current)
        layout.addWidget(choice)
        layout.addLayout(test_row)
        layout.addWidget(self.report)
        layout.addWidget(self.restart_note)
        layout.addStretch(1)

    def _connect(self) -> None:
        self.choices.buttonToggled.connect(lambda *_: self._changed())
        for edit in (self.shared_folder, self.pg_host, self.pg_database, self.pg_user):
            edit.textChanged.connect(self._changed)
        self.pg_password.textChanged.connect(self._changed)
        self.pg_port.valueChanged.connect(self._changed)
        self.browse_button.clicked.connect(self.browse)
        self.test_button.clicked.connect(self.start_test)
        self.share_button.clicked.connect(self.share)

    # -- the open database -------------------------------------------------------------------------
    def _show_open_database(self, info: OpenDatabase) -> None:
        self.current_location.setText(info.location)
        shared = " — marquée partagée" if info.is_sqlite and info.marked_shared else ""
        self.current_mode.setText(f"{info.mode_label}{shared}")
        self.share_button.setVisible(info.is_sqlite)
        self.share_button.setEnabled(info.can_share)
        self.share_hint.setVisible(info.is_sqlite)
        self.share_hint.setText(
            "Sur le poste qui héberge la base, pour que d'autres postes l'ouvrent sans risque "
            "par le réseau."
            if info.can_share
            else "Les autres postes peuvent l'ouvrir par le réseau."
        )

    def share(self) -> None:
        """Mark the open SQLite base shared (docs/storage.md §2)."""
        try:
            info = share_database(self.ctx.db)
        except MicroCRMError as exc:
            self.share_hint.setText(exc.message)
            return
        self._show_open_database(info)
        self.share_hint.setText("Base marquée partagée : ouvrez-la depuis les autres postes.")

    # -- the chosen location -----------------------------------------------------------------------
    def _show_setting(self, value: str) -> None:
        params = parse_postgres_url(value)
        self._fill_pg(params or PostgresParams())
        if params is not None:
            self.radio_pg.setChecked(True)
        elif not value or self._is_default(value):
            self.radio_local.setChecked(True)
        else:
            path = Path(value)
            self.shared_folder.setText(str(path.parent if path.name == DB_FILENAME else path))
            self.radio_shared.setChecked(True)

    def _is_default(self, value: str) -> bool:
        try:
            return Path(value).expanduser().resolve() == self.ctx.paths.default_database.resolve()
        except OSError:
            return False

    def _fill_pg(self, params: PostgresParams) -> None:
        self.pg_host.setText(params.host)
        self.pg_port.setValue(params.port)
        self.pg_database.setText(params.database)
        self.pg_user.setText(params.user)
        self.pg_password.setText(params.password)

    def choice(self) -> str:
        """``local``, ``shared`` or ``postgres``."""
        if self.radio_pg.isChecked():
            return POSTGRES
        return SHARED if self.radio_shared.isChecked() else LOCAL

    def setting_value(self) -> str:
        """What goes into ``Settings.database`` ("" for the local default).

        Raises:
            ValidationError: a PostgreSQL field or the shared folder is missing.
        """
        choice = self.choice()
        if choice == LOCAL:
            return ""
        if choice == SHARED:
            if not self.shared_folder.text().strip():
                raise ValidationError("shared_folder", "Choisissez le dossier partagé.")
            return str(shared_file(self.shared_folder.text()))
        return postgres_url(
            PostgresParams(
                host=self.pg_host.text(),
                port=self.pg_port.value(),
                database=self.pg_database.text(),
                user=self.pg_user.text(),
                password=self.pg_password.text(),
            )
        )

    def test_target(self) -> str:
        """The path or URL a test (and the next start) opens."""
        return self.setting_value() or str(self.ctx.paths.default_database)

    def is_modified(self) -> bool:
        """Whether the chosen location differs from the saved setting."""
        try:
            default = str(self.ctx.paths.default_database)  # "" means the local default
            chosen, saved = self.setting_value() or default, self.ctx.settings.database or default
            return not same_location(chosen, saved)
        except MicroCRMError:
            return True

    def _changed(self) -> None:
        choice = self.choice()
        self.shared_folder.setEnabled(choice == SHARED)
        self.browse_button.setEnabled(choice == SHARED)
        self.pg_box.setEnabled(choice == POSTGRES)
        text = self.shared_folder.text().strip()
        self.shared_hint.setText(
            f"Fichier : {shared_file(text)}" if text else "Le fichier microcrm.sqlite y sera créé."
        )
        self.restart_note.setVisible(self.is_modified())
        if self._task is None and self.last_report is not None:
            try:
                same = self.test_target() == self.tested_target
            except MicroCRMError:
                same = False
            if not same:
                self._show_report(None)

    def browse(self) -> None:
        """Pick the shared folder."""
        folder = QFileDialog.getExistingDirectory(
            self, "Dossier partagé de la base", self.shared_folder.text()
        )
        if folder:
            self.shared_folder.setText(folder)

    # -- connection test ---------------------------------------------------------------------------
    def is_testing(self) -> bool:
        """A test is running."""
        return self._task is not None

    def start_test(self) -> bool:
        """Test the chosen location in a worker; False when a field is missing."""
        if self._task is not None:
            return True
        self.errors.clear()
        try:
            target = self.test_target()
        except MicroCRMError as exc:
            field = getattr(exc, "field", "")
            if not self.errors.show(field, exc.message):
                self._show_failure(exc.message)
            return False
        expect_shared = self.choice() == SHARED
        self.tested_target = target
        self.test_button.setEnabled(False)
        self.report.setStyleSheet("")
        self.report.setText(f"Test de {display_target(target)} en cours…")
        self._task = run_task(
            lambda _progress, _cancelled: check_connection(target, expect_shared=expect_shared),
            on_finished=self._test_finished,
            on_failed=self._test_failed,
        )
        return True

    def _test_finished(self, report: object) -> None:
        self._task = None
        self.test_button.setEnabled(True)
        assert isinstance(report, ConnectionReport)
        self._show_report(report)
        self._changed()  # fields edited during the test: that report is no longer theirs
        self.tested.emit(report)

    def _test_failed(self, exc: object, _traceback: str) -> None:
        self._task = None
        self.test_button.setEnabled(True)
        self._show_failure(f"Le test a échoué : {exc}")
        self.tested.emit(None)

    def _show_failure(self, message: str) -> None:
        self.last_report = None
        self.report.setStyleSheet(FAILED_STYLE)
        self.report.setText(f"✖ {message}")

    def _show_report(self, report: ConnectionReport | None) -> None:
        self.last_report = report
        if report is None:
            self.report.setText("")
            return
        self.report.setStyleSheet(OK_STYLE if report.ok else FAILED_STYLE)
        self.report.setText(("✔ " if report.ok else "✖ ") + "\n".join(report.lines()))
