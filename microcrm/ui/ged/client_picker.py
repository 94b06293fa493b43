"""« Autre client… »: find an organisation by name, city, SIRET… and choose it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.bases import BASES, BaseKind
from microcrm.crm.lists import ListQuery, PartyListService
from microcrm.ui.widgets import named

PER_BASE = 15
"""Matches listed per base (the user types more to narrow down)."""


class ClientPicker(QDialog):
    """Search the organisations of every base; OK returns the one chosen (:attr:`chosen`)."""

    def __init__(
        self, service: PartyListService, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ged-client-picker")
        self.setWindowTitle(title)
        self.service = service
        self.chosen: int | None = None
        self.chosen_name = ""
        self.search = named(QLineEdit(), "picker-search")
        self.search.setPlaceholderText("Nom, ville, code postal, SIRET…")
        self.results = named(QListWidget(), "picker-results")
        self.note = QLabel()
        self.note.setStyleSheet("color: #757575;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choisir")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.results.itemDoubleClicked.connect(lambda _i: self.accept())
        self.results.currentItemChanged.connect(lambda *_: self._update_ok())
        self.resize(520, 460)
        self._update_ok()

    def refresh(self) -> None:
        """List the organisations matching the text typed."""
        self._timer.stop()
        text = self.search.text().strip()
        self.results.clear()
        if len(text) < 2:
            self.note.setText("Tapez au moins deux caractères.")
            self._update_ok()
            return
        shown = 0
        for base in BASES:
            if base.kind is not BaseKind.ORGANISATION:
                continue
            ids = self.service.ids(ListQuery(base.key, text))[:PER_BASE]
            rows = self.service.rows(base.key, ids)
            for org_id in ids:
                row = rows.get(org_id)
                if row is None:
                    continue
                name = str(row[0] or "")
                place = " ".join(str(v) for v in (row[2], row[3]) if v)
                item = QListWidgetItem(
                    f"{name} — {place} ({base.label})" if place else f"{name} ({base.label})"
                )
                item.setData(Qt.ItemDataRole.UserRole, org_id)
                item.setData(Qt.ItemDataRole.UserRole + 1, name)
                self.results.addItem(item)
                shown += 1
        self.note.setText("Aucune fiche trouvée." if not shown else "")
        if shown:
            self.results.setCurrentRow(0)
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.results.currentRow() >= 0
        )

    def accept(self) -> None:
        """Keep the organisation chosen."""
        if self.results.currentRow() < 0:
            return
        item = self.results.currentItem()
        self.chosen = int(item.data(Qt.ItemDataRole.UserRole))
        self.chosen_name = str(item.data(Qt.ItemDataRole.UserRole + 1))
        super().accept()
