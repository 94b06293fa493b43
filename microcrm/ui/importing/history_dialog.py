"""Fichier › « Historique des imports »: every import batch, and the undo of one of them."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from microcrm.app import AppContext
from microcrm.directory.importer import BatchSummary
from microcrm.directory.presets import PRESET_LABELS
from microcrm.errors import MicroCRMError
from microcrm.text import short_datetime
from microcrm.ui.history_dialog import HistoryLabels, UndoDone, UndoHistoryDialog
from microcrm.ui.importing.common import NBSP, run_undo, undo_plan_text
from microcrm.ui.importing.gc_pause import release_frozen
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel

OTHER_PRESETS: Final = {"multiple": "Plusieurs types", "demo": "Données de démonstration"}


def when(moment: dt.datetime | None) -> str:
    """A stored UTC time as local « jj/mm/aaaa hh:mm » (SQLite hands it back naive)."""
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return short_datetime(moment, local=True)


def source_names(sources: str) -> str:
    """The file names of a batch's sources (one path per line), without their folders."""
    return ", ".join(PurePath(line).name for line in sources.splitlines() if line.strip())


class ImportHistoryModel(RowsTableModel[BatchSummary]):
    """The import batches, newest first (a few hundred rows at most)."""

    COLUMNS = text_columns("N°", "Date", "Utilisateur", "Fichiers", "Type de fichier", "État")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        b = self.row_at(index)
        if b is None:
            return None
        undone = b.status == "undone"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#757575") if undone else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return b.sources
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        state = f"Annulé le {when(b.undone_at)}" if undone else "Importé"
        preset = {**PRESET_LABELS, **OTHER_PRESETS}.get(b.preset, b.preset)
        values = (str(b.id), when(b.created_at), b.created_by or "", source_names(b.sources),
                  preset, state)  # fmt: skip
        return values[index.column()]


class ImportHistoryDialog(UndoHistoryDialog[BatchSummary]):
    """« Historique des imports »: past imports; « Annuler l'import » undoes one, once confirmed.

    Signals:
        undone(object): an import was undone from here (refresh the views).
    """

    LABELS = HistoryLabels(
        title="Historique des imports",
        undo="&Annuler l'import",
        empty="Aucun import n'a encore été fait.",
        name="import-history",
        undo_name="undo-import",
    )
    SIZE = (920, 420)
    STRETCH_COLUMN = 3

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx = ctx
        super().__init__(ImportHistoryModel(), parent)
        self.destroyed.connect(release_frozen)  # what the undo left frozen (gc_pause)

    def entries(self) -> list[BatchSummary]:
        return self.ctx.importer.history()

    def is_undone(self, entry: BatchSummary) -> bool:
        return entry.status == "undone"

    def confirmation(self, entry: BatchSummary) -> str:
        question = (
            f"Annuler l'import n°{NBSP}{entry.id} du {when(entry.created_at)} "
            f"({source_names(entry.sources)}){NBSP}?"
        )
        try:
            plan = self.ctx.importer.plan_undo(entry.id)
        except MicroCRMError:  # gone or undone elsewhere: the undo itself will say so
            return (
                f"{question} Les fiches créées seront supprimées et les champs complétés "
                "remis comme avant ; ce qui a été modifié ou utilisé depuis est conservé."
            )
        return f"{question}\n\n{undo_plan_text(plan)}"

    def start_undo(self, entry: BatchSummary, done: UndoDone) -> None:
        run_undo(self, self.ctx, entry.id, done)
