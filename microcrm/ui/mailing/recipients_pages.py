"""Pages 1 and 2 of the publipostage wizard: who gets a letter, and who is left out and why."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from microcrm.crm.segments import list_segments
from microcrm.errors import MicroCRMError
from microcrm.mailing.recipients import (
    REASON_LABELS,
    Exclusion,
    RecipientSource,
    Selection,
    select_recipients,
)
from microcrm.text import counted, thousands
from microcrm.ui.mailing.address_fix import FIXABLE, AddressFixDialog
from microcrm.ui.mailing.state import WizardState
from microcrm.ui.widgets import named

SHORT_REASONS = {
    "npai": "NPAI",
    "adresse_invalide": "adresse invalide",
    "refus_courrier": "refus de courrier",
    "doublon_adresse": "doublon d'adresse",
    "sans_adresse": "sans adresse",
}
"""Reasons as counted in the summary line (the table shows :data:`REASON_LABELS`)."""
WRAP_LIMIT = 300
"""Up to this many exclusions, their details wrap (row heights are measured one by one)."""


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = named(QTableWidget(0, len(columns)), name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(r, c, item)


class SourcePage(QWizardPage):
    """1 — Destinataires: the current list or a saved segment; per organisation or contact."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Destinataires")
        self.setSubTitle("À qui écrire : la liste affichée ou un segment enregistré.")
        count = len(state.organisation_ids) + len(state.person_ids)
        self.current_list = named(
            QRadioButton(f"{state.list_label} ({counted(count, 'fiche', 'fiches')})"),
            "source-list",
        )
        self.current_list.setEnabled(count > 0)
        self.segment_radio = named(QRadioButton("Segment enregistré :"), "source-segment")
        self.segments = named(QComboBox(), "segment-combo")
        for segment in list_segments(state.ctx.db):
            self.segments.addItem(segment.name, segment.name)
        self.segment_radio.setEnabled(self.segments.count() > 0)
        self.segments.setEnabled(False)
        self.segment_radio.toggled.connect(self.segments.setEnabled)
        sources = QButtonGroup(self)
        sources.addButton(self.current_list)
        sources.addButton(self.segment_radio)
        (self.current_list if count else self.segment_radio).setChecked(True)

        self.per_organisation = named(
            QRadioButton("une lettre par organisation (à son contact principal)"), "per-org"
        )
        self.per_contact = named(
            QRadioButton("une lettre par contact de chaque organisation"), "per-contact"
        )
        self.per_organisation.setChecked(True)
        per = QButtonGroup(self)
        per.addButton(self.per_organisation)
        per.addButton(self.per_contact)

        source_box = QGroupBox("Source")
        source_layout = QVBoxLayout(source_box)
        source_layout.addWidget(self.current_list)
        row = QHBoxLayout()
        row.addWidget(self.segment_radio)
        row.addWidget(self.segments, 1)
        source_layout.addLayout(row)
        per_box = QGroupBox("Organisations")
        per_layout = QVBoxLayout(per_box)
        per_layout.addWidget(self.per_organisation)
        per_layout.addWidget(self.per_contact)
        note = QLabel(
            "Sont écartés automatiquement : adresses NPAI, adresses non distribuables, "
            "refus du courrier postal, doublons d'adresse et fiches sans adresse. "
            "La page suivante les montre et permet de corriger les adresses."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #616161;")
        layout = QVBoxLayout(self)
        layout.addWidget(source_box)
        layout.addWidget(per_box)
        layout.addWidget(note)
        layout.addStretch(1)

    def source(self) -> RecipientSource:
        """The source chosen."""
        per_contact = self.per_contact.isChecked()
        if self.segment_radio.isChecked():
            return RecipientSource(segment=self.segments.currentData(), per_contact=per_contact)
        return RecipientSource(
            organisation_ids=tuple(self.state.organisation_ids),
            person_ids=tuple(self.state.person_ids),
            per_contact=per_contact,
        )

    def validatePage(self) -> bool:
        source = self.source()
        try:
            selection = run_selection(self.state, source)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Destinataires", exc.message)
            return False
        self.state.source, self.state.selection = source, selection
        return True


def run_selection(state: WizardState, source: RecipientSource) -> Selection:
    """Select the recipients (reads only), with a busy cursor."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return select_recipients(state.ctx.db, source)
    finally:
        QGuiApplication.restoreOverrideCursor()


class CheckPage(QWizardPage):
    """2 — Contrôle: recipients counted, exclusions listed with their reason, fixable in place.

    Signals:
        record_requested(object, object): (organisation id, person id) of a record to open.
    """

    record_requested = Signal(object, object)

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Contrôle des destinataires")
        self.setSubTitle("Vérifiez qui recevra un courrier et qui en est écarté.")
        self.summary = named(QLabel(), "check-summary")
        self.summary.setWordWrap(True)
        self.excluded_table = _table(("Destinataire", "Motif", "Détail"), "excluded-table")
        self.recipients_table = _table(("Destinataire", "Adresse"), "recipients-table")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._excluded_panel(), "Exclus")
        self.tabs.addTab(self.recipients_table, "Destinataires")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

    def _excluded_panel(self) -> QWidget:
        self.fix_button = named(QPushButton("Corriger l'adresse…"), "fix-address")
        self.open_button = named(QPushButton("Ouvrir la fiche"), "open-record")
        self.recheck_button = named(QPushButton("Vérifier à nouveau"), "recheck")
        self.fix_button.clicked.connect(self.fix_address)
        self.open_button.clicked.connect(self.open_record)
        self.recheck_button.clicked.connect(self.recheck)
        self.excluded_table.itemSelectionChanged.connect(self._update_buttons)
        self.excluded_table.cellDoubleClicked.connect(lambda _r, _c: self.fix_address())
        buttons = QHBoxLayout()
        for button in (self.fix_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.recheck_button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.excluded_table, 1)
        layout.addLayout(buttons)
        return panel

    def initializePage(self) -> None:
        self.show_selection()

    def isComplete(self) -> bool:
        selection = self.state.selection
        return selection is not None and bool(selection.recipients)

    def show_selection(self) -> None:
        """Show the state's selection: counts, exclusions by reason, both tables."""
        selection = self.state.selection
        if selection is None:
            return
        n, excluded = len(selection.recipients), len(selection.excluded)
        text = (
            f"<b>{counted(n, 'destinataire', 'destinataires')}</b> — "
            f"{selection.description or 'Liste courante'}<br>"
        )
        if excluded:
            reasons = ", ".join(
                f"{SHORT_REASONS.get(code, code)} : {thousands(count)}"
                for code, count in selection.excluded_by_reason().items()
            )
            text += f"{counted(excluded, 'exclu', 'exclus')} ({reasons})."
        else:
            text += "Personne n'est exclu."
        if not n:
            text += "<br><span style='color:#c62828'>Aucun destinataire : rien à produire.</span>"
        self.summary.setText(text)
        _fill(
            self.excluded_table,
            [(e.name, REASON_LABELS.get(e.reason, e.reason), e.detail) for e in selection.excluded],
        )
        # Whole details on a few lines; beyond the limit, one line each and tooltips.
        wrap = excluded <= WRAP_LIMIT
        self.excluded_table.setWordWrap(wrap)
        self.excluded_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Interactive
        )
        if excluded:
            self.excluded_table.selectRow(0)
        _fill(
            self.recipients_table,
            [(r.display_name, " / ".join(r.lines)) for r in selection.recipients],
        )
        self.tabs.setTabText(0, f"Exclus ({thousands(excluded)})")
        self.tabs.setTabText(1, f"Destinataires ({thousands(n)})")
        self.tabs.setCurrentIndex(0 if excluded else 1)
        self._update_buttons()
        self.completeChanged.emit()

    def current_exclusion(self) -> Exclusion | None:
        """The exclusion selected in the table."""
        selection = self.state.selection
        row = self.excluded_table.currentRow()
        if selection is None or not 0 <= row < len(selection.excluded):
            return None
        return selection.excluded[row]

    def _update_buttons(self) -> None:
        exclusion = self.current_exclusion()
        self.fix_button.setEnabled(exclusion is not None and exclusion.reason in FIXABLE)
        self.open_button.setEnabled(exclusion is not None)

    def fix_address(self) -> None:
        """Edit the selected exclusion's address; saved, the recipients are checked again."""
        exclusion = self.current_exclusion()
        if exclusion is None or exclusion.reason not in FIXABLE:
            return
        dialog = AddressFixDialog(self.state.ctx, exclusion, self)
        if dialog.exec() == AddressFixDialog.DialogCode.Accepted:
            self.recheck()

    def open_record(self) -> None:
        """Ask the main window to open the selected exclusion's record sheet."""
        exclusion = self.current_exclusion()
        if exclusion is not None:
            self.record_requested.emit(exclusion.organisation_id, exclusion.person_id)

    def recheck(self) -> None:
        """Select the recipients again (after addresses were fixed here or in a sheet)."""
        if self.state.source is None:
            return
        try:
            self.state.selection = run_selection(self.state, self.state.source)
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Destinataires", exc.message)
            return
        self.show_selection()
