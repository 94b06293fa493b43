"""Campaigns sent by publipostage and their recipients; a returned letter marked NPAI in one click.

« Marquer NPAI » flags the recipient's address (:func:`~microcrm.mailing.campaigns.mark_npai`):
the history of the record says so and the next runs exclude the address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.errors import MicroCRMError
from microcrm.mailing.campaigns import (
    CampaignRecipientRow,
    CampaignSummary,
    campaign_recipients,
    list_campaigns,
    mark_npai,
)
from microcrm.mailing.recipients import REASON_LABELS
from microcrm.text import short_date, thousands
from microcrm.ui.mailing.window_links import open_party
from microcrm.ui.widgets import named

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow

CAMPAIGN_COLUMNS = ("Date", "Campagne", "Modèle", "Segment", "Lettres", "Pages", "Exclus")
RECIPIENT_COLUMNS = ("Destinataire", "Statut", "Motif")
STATUS_LABELS = {"sent": "Envoyé", "excluded": "Exclu", "npai": "Revenu NPAI"}


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


def _item(text: str, *, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class CampaignsView(QWidget):
    """Campaigns, newest first, over the recipients of the one selected.

    Signals:
        record_requested(object, object): (organisation id, person id) to open.
        npai_marked(int): an address was marked NPAI (its id).
    """

    record_requested = Signal(object, object)
    npai_marked = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.campaigns: list[CampaignSummary] = []
        self.recipients: list[CampaignRecipientRow] = []
        self.campaign_table = _table(CAMPAIGN_COLUMNS, "campaign-table")
        self.campaign_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self.campaign_table.horizontalHeader().setStretchLastSection(False)
        self.recipient_table = _table(RECIPIENT_COLUMNS, "campaign-recipient-table")
        self.campaign_table.itemSelectionChanged.connect(self._campaign_changed)
        self.recipient_table.itemSelectionChanged.connect(self._update_buttons)
        self.recipient_table.cellDoubleClicked.connect(lambda _r, _c: self.open_record())
        self.npai_button = named(QPushButton("Marquer NPAI"), "mark-npai")
        self.npai_button.setToolTip(
            "Le courrier est revenu « n'habite pas à l'adresse indiquée » : l'adresse est "
            "signalée et écartée des prochains publipostages."
        )
        self.open_button = named(QPushButton("Ouvrir la fiche"), "campaign-open-record")
        self.npai_button.clicked.connect(self.mark_selected_npai)
        self.open_button.clicked.connect(self.open_record)
        self.status = named(QLabel(), "campaign-status")
        self.empty = named(
            QLabel("Aucune campagne : confirmez l'envoi d'un publipostage pour la retrouver ici."),
            "campaign-empty",
        )
        self.empty.setStyleSheet("color: #757575;")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.recipient_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.npai_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.status, 1)
        lower_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.campaign_table)
        splitter.addWidget(lower)
        splitter.setSizes([200, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        self.reload()

    def reload(self) -> None:
        """Read the campaigns again (keeps the selected one)."""
        current = self.current_campaign()
        self.campaigns = list_campaigns(self.ctx.db)
        table = self.campaign_table
        table.setRowCount(len(self.campaigns))
        for row, c in enumerate(self.campaigns):
            values = (
                _item(short_date(c.sent_at, local=True)),
                _item(c.name),
                _item(c.template),
                _item(c.segment_name or "Liste courante"),
                _item(thousands(c.letters), number=True),
                _item(thousands(c.pages), number=True),
                _item(thousands(c.excluded), number=True),
            )
            for column, item in enumerate(values):
                table.setItem(row, column, item)
        self.empty.setVisible(not self.campaigns)
        ids = [c.id for c in self.campaigns]
        if current is not None and current.id in ids:
            table.selectRow(ids.index(current.id))
        elif self.campaigns:
            table.selectRow(0)
        else:
            self._show_recipients()

    def current_campaign(self) -> CampaignSummary | None:
        """The campaign selected."""
        row = self.campaign_table.currentRow()
        return self.campaigns[row] if 0 <= row < len(self.campaigns) else None

    def select_campaign(self, campaign_id: int) -> None:
        """Select a campaign by id."""
        ids = [c.id for c in self.campaigns]
        self.campaign_table.selectRow(ids.index(campaign_id))

    def _campaign_changed(self) -> None:
        self._show_recipients()

    def _show_recipients(self) -> None:
        campaign = self.current_campaign()
        self.recipients = campaign_recipients(self.ctx.db, campaign.id) if campaign else []
        table = self.recipient_table
        table.setRowCount(len(self.recipients))
        for row, r in enumerate(self.recipients):
            table.setItem(row, 0, _item(r.name))
            table.setItem(row, 1, _item(STATUS_LABELS.get(r.status, r.status)))
            table.setItem(row, 2, _item(REASON_LABELS.get(r.reason, r.reason)))
        self._update_buttons()

    def current_recipient(self) -> CampaignRecipientRow | None:
        """The recipient selected."""
        row = self.recipient_table.currentRow()
        return self.recipients[row] if 0 <= row < len(self.recipients) else None

    def select_recipient(self, name: str) -> None:
        """Select a recipient row by its name."""
        names = [r.name for r in self.recipients]
        self.recipient_table.selectRow(names.index(name))

    def _update_buttons(self) -> None:
        recipient = self.current_recipient()
        self.npai_button.setEnabled(
            recipient is not None
            and recipient.status == "sent"
            and recipient.address_id is not None
        )
        self.open_button.setEnabled(recipient is not None)

    def mark_selected_npai(self) -> None:
        """Mark the selected recipient's letter as returned NPAI (one click, no question)."""
        recipient = self.current_recipient()
        if recipient is None or recipient.address_id is None:
            return
        try:
            mark_npai(self.ctx.db, recipient.id)
        except MicroCRMError as exc:
            self.status.setText(f"<span style='color:#c62828'>{exc.message}</span>")
            return
        row = self.recipient_table.currentRow()
        self._show_recipients()
        self.recipient_table.selectRow(row)
        self.status.setText(
            f"Adresse de « {recipient.name} » marquée NPAI : elle sera écartée des prochains "
            "publipostages."
        )
        self.npai_marked.emit(recipient.address_id)

    def open_record(self) -> None:
        """Ask the main window to open the selected recipient's sheet."""
        recipient = self.current_recipient()
        if recipient is not None:
            self.record_requested.emit(recipient.organisation_id, recipient.person_id)


class CampaignsDialog(QDialog):
    """Outils › Campagnes…: the campaigns view in a window."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaigns-dialog")
        self.setWindowTitle("Campagnes de publipostage")
        self.resize(980, 640)
        self.view = CampaignsView(ctx, self)
        close = QPushButton("Fermer")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)


def open_campaigns(window: MainWindow) -> CampaignsDialog:
    """Outils › Campagnes…: the campaigns window, wired to the main window's sheets."""
    dialog = CampaignsDialog(window.ctx, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.view.record_requested.connect(lambda org, person: open_party(window, org, person))
    dialog.view.npai_marked.connect(lambda _address: window.poll_changes())
    dialog.show()
    return dialog
