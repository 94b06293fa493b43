"""Settings, « GED » tab: the inbox folder, auto-filing confidence, the default dossier set.

The inbox folder and the confidence belong to this workstation
(``settings.toml``: each PC may watch its own folder); the default dossiers
are the base's (``app_meta``), so every workstation creates the same ones.
Nothing is written until the dialog's OK.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.errors import ValidationError
from microcrm.ged.dossiers import (
    get_default_dossiers,
    set_default_dossiers,
    validate_default_dossiers,
)
from microcrm.ged.inbox import DEFAULT_AUTO_THRESHOLD
from microcrm.ui.ged.inbox_panel import auto_threshold
from microcrm.ui.settings_fields import FormErrors, hint
from microcrm.ui.widgets import named

DEFAULT_CONFIDENCE = round(DEFAULT_AUTO_THRESHOLD * 100)
"""Percent proposed when auto-filing is first switched on."""


class GedSettingsTab(QWidget):
    """Inbox folder, auto-filing threshold, default dossiers of new clients."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.errors = FormErrors()
        self.inbox = named(QLineEdit(ctx.settings.inbox_folder), "ged-inbox-folder-edit")
        self.inbox.setPlaceholderText("Aucun : pas de dossier « À classer »")
        browse = QPushButton("Parcourir…")
        browse.clicked.connect(self._browse)
        self.auto = named(QCheckBox("Classer automatiquement à partir de"), "ged-auto")
        self.confidence = named(QSpinBox(), "ged-confidence")
        self.confidence.setRange(50, 100)
        self.confidence.setSuffix(" % de confiance")
        threshold = auto_threshold(ctx)
        self.auto.setChecked(threshold is not None)
        self.confidence.setValue(round(threshold * 100) if threshold else DEFAULT_CONFIDENCE)
        self.confidence.setEnabled(threshold is not None)
        self.auto.toggled.connect(self.confidence.setEnabled)
        self._base_dossiers = get_default_dossiers(ctx.db)
        self.dossiers = named(QPlainTextEdit("\n".join(self._base_dossiers)), "ged-dossiers-edit")
        self.dossiers.setFixedHeight(150)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.inbox, 1)
        folder_row.addWidget(browse)
        folder = QWidget()
        folder.setLayout(folder_row)
        folder_row.setContentsMargins(0, 0, 0, 0)
        auto_row = QHBoxLayout()
        auto_row.setContentsMargins(0, 0, 0, 0)
        auto_row.addWidget(self.auto)
        auto_row.addWidget(self.confidence)
        auto_row.addStretch(1)
        auto = QWidget()
        auto.setLayout(auto_row)
        form = QFormLayout()
        form.addRow("Dossier « À classer »", self.errors.row("inbox_folder", folder))
        form.addRow(
            "",
            hint(
                "Les fichiers déposés dans ce dossier (sur ce poste ou sur le partage) sont "
                "rapprochés d'un client par SIRET, e-mail, nom ou référence, puis proposés au "
                "classement."
            ),
        )
        form.addRow("Classement automatique", auto)
        form.addRow(
            "", hint("Sans cette option, chaque document attend votre clic dans « À classer ».")
        )
        form.addRow("Dossiers par défaut", self.errors.row("ged_dossiers", self.dossiers))
        form.addRow(
            "",
            hint(
                "Un dossier par ligne. Chaque client les reçoit à son premier document ; les "
                "dossiers déjà créés ne changent pas."
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Dossier « À classer »", self.inbox.text() or str(Path.home())
        )
        if chosen:
            self.inbox.setText(chosen)

    # -- values -----------------------------------------------------------------------------
    def dossier_names(self) -> list[str]:
        """The default dossiers typed, one per line."""
        return [line for line in self.dossiers.toPlainText().splitlines() if line.strip()]

    def threshold_setting(self) -> str:
        """The confidence as saved (``""``: never file automatically)."""
        return f"{self.confidence.value() / 100:.2f}" if self.auto.isChecked() else ""

    def check(self) -> None:
        """Validate without writing.

        Raises:
            ValidationError: an unusable folder or dossier set (field named).
        """
        folder = self.inbox.text().strip()
        if folder and not Path(folder).expanduser().is_dir():
            raise ValidationError("inbox_folder", f"Le dossier {folder} n'existe pas.")
        validate_default_dossiers(self.dossier_names())

    def is_modified(self) -> bool:
        """Whether anything differs from what is saved."""
        settings = self.ctx.settings
        return (
            self.inbox.text().strip() != settings.inbox_folder
            or self.threshold_setting() != settings.inbox_auto_threshold
            or tuple(n.strip() for n in self.dossier_names()) != self._base_dossiers
        )

    def save(self) -> bool:
        """Write the dossier set (base) and the inbox settings; True if the latter changed.

        The workstation settings are changed in memory; the dialog saves ``settings.toml``.

        Raises:
            ValidationError: see :meth:`check`.
        """
        self.check()
        names = tuple(n.strip() for n in self.dossier_names())
        if names != self._base_dossiers:
            self._base_dossiers = set_default_dossiers(self.ctx.db, names)
        settings = self.ctx.settings
        folder = self.inbox.text().strip()
        threshold = self.threshold_setting()
        changed = folder != settings.inbox_folder or threshold != settings.inbox_auto_threshold
        settings.inbox_folder = folder
        settings.inbox_auto_threshold = threshold
        return changed
