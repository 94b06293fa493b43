"""« Courrier revenu NPAI » on a record sheet: a returned letter marked in one click.

The sheet's saved primary address is flagged
(:func:`~microcrm.mailing.campaigns.mark_address_npai`): its history says so
and the next publipostage runs exclude the address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton

from microcrm.errors import MicroCRMError
from microcrm.mailing.campaigns import mark_address_npai

if TYPE_CHECKING:
    from microcrm.ui.record.sheet_base import RecordSheet

WARN, ERROR = "#e65100", "#c62828"
"""Status colours of the sheets (``sheet_base.STATUS_WARN`` / ``STATUS_ERROR``)."""


class NpaiButton(QPushButton):
    """Marks the sheet's saved primary address NPAI.

    Signals:
        marked(int): the address was marked (its id).
    """

    marked = Signal(int)

    def __init__(self, sheet: RecordSheet) -> None:
        super().__init__("Courrier revenu NPAI", sheet)
        self.setObjectName("sheet-npai")
        self.setToolTip(
            "Un courrier est revenu « n'habite pas à l'adresse indiquée » : l'adresse est "
            "signalée et écartée des prochains publipostages."
        )
        self.sheet = sheet
        self.clicked.connect(self.mark)

    def mark(self) -> None:
        """Flag the saved address, then show the sheet's new history."""
        sheet = self.sheet
        address = sheet._base_address
        if address.id is None:
            sheet.set_status("Aucune adresse enregistrée à marquer NPAI.", WARN)
            return
        if address.npai:
            sheet.set_status("Cette adresse est déjà marquée NPAI.", WARN)
            return
        try:
            mark_address_npai(sheet.db, address.id)
        except MicroCRMError as exc:
            sheet.set_status(exc.message, ERROR)
            return
        sheet.reload()
        sheet.set_status("Adresse marquée NPAI : elle sera écartée des prochains publipostages.")
        self.marked.emit(address.id)
