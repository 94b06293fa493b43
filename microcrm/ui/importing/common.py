"""What the import wizard's pages share: the choices made so far, messages, undo in a worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from microcrm.app import AppContext
from microcrm.directory.importer import (
    ImportCancelledError,
    ImportPlan,
    ImportReport,
    ImportSource,
    Preview,
    UndoPlan,
)
from microcrm.directory.presets import ADDRESS_BOOKS, note_columns
from microcrm.errors import MicroCRMError
from microcrm.text import counted, thousands
from microcrm.ui.importing.gc_pause import full_collections_paused
from microcrm.ui.workers import ProgressFn, run_task

TITLE: Final = "Importer des fichiers"
NBSP: Final = "\u00a0"

BASE_LABELS: Final[dict[str, str]] = {
    "suspect": "Suspects",
    "prospect": "Prospects",
    "client": "Clients",
    "fournisseur": "Fournisseurs",
    "organisme": "Organismes",
}
"""Bases an import can fill, in the order offered (Suspects first: the default)."""

CONTACT_PRESETS: Final = ADDRESS_BOOKS
"""Contact exports enter as prospects (docs/import-formats.md §5), other files as suspects."""


@dataclass(slots=True)
class SourceChoice:
    """One source of the import (a file, or a SIRENE pair) and what the user chose for it.

    Attributes:
        paths: The file, or StockEtablissement then StockUniteLegale.
        preview: What the reader found (None until read).
        preset: The preset chosen (detected at first).
        mapping: Target (``"org.name"``…) → header, guessed then edited.
        error: Why the file could not be read (French), empty when read.
    """

    paths: list[Path]
    preview: Preview | None = None
    preset: str = "generic"
    mapping: dict[str, str] = field(default_factory=dict)
    error: str = ""
    kept_in_notes: dict[str, bool] = field(default_factory=dict)
    """Unmapped columns the user chose to keep in the notes (True) or to ignore (False);
    the others follow the preset (``presets.note_columns``)."""

    @property
    def name(self) -> str:
        """The file names, for display."""
        return " + ".join(p.name for p in self.paths)

    def notes_columns(self) -> list[str]:
        """Unmapped columns whose values go to the notes « En-tête : valeur »."""
        if self.preview is None:
            return []
        headers = self.preview.headers
        default = set(note_columns(headers, self.preset, self.mapping))
        used = set(self.mapping.values())
        return [h for h in headers if h not in used and self.kept_in_notes.get(h, h in default)]

    def ignored_columns(self) -> list[str]:
        """Unmapped columns neither imported nor kept in the notes."""
        if self.preview is None:
            return []
        kept = set(self.notes_columns()) | set(self.mapping.values())
        return [h for h in self.preview.headers if h not in kept]

    def to_source(self) -> ImportSource:
        """The importer's source for this choice."""
        return ImportSource(list(self.paths), self.preset, dict(self.mapping), self.notes_columns())


@dataclass(slots=True)
class ImportState:
    """Everything the wizard gathered, page after page."""

    sources: list[SourceChoice] = field(default_factory=list)
    base: str = "suspect"
    update: bool = False
    salesperson_id: int | None = None
    tags: tuple[str, ...] = ()
    plan: ImportPlan | None = None
    report: ImportReport | None = None


def error_text(exc: object) -> str:
    """The French message of a failure shown to the user."""
    if isinstance(exc, MicroCRMError):
        return exc.message
    if isinstance(exc, OSError):
        return f"Fichier illisible{NBSP}: {exc.strerror or exc}"
    return f"Erreur inattendue{NBSP}: {exc}"


def is_cancel(exc: object) -> bool:
    """Whether a worker failed because the user cancelled."""
    return isinstance(exc, ImportCancelledError)


def show_message(
    parent: QWidget | None, icon: QMessageBox.Icon, text: str, title: str = TITLE
) -> QMessageBox:
    """A window-modal message box that does not block (tests and workers carry on)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("import-message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def undo_text(batch_id: int, result: object) -> str:
    """What an undo did, in French, from whatever :meth:`Importer.undo` returned."""
    text = f"L'import n°{NBSP}{batch_id} a été annulé."
    undone = getattr(result, "undone", result)
    if isinstance(undone, int):
        text += f" {counted(undone, 'modification défaite', 'modifications défaites', nbsp=True)}."
    skipped = getattr(result, "skipped", None)
    if skipped:
        lines = [str(line) for line in skipped]
        shown = "\n".join(f"• {line}" for line in lines[:15])
        more = f"\n… et {thousands(len(lines) - 15)} autre(s)." if len(lines) > 15 else ""
        text += (
            "\n\nLaissé tel quel car modifié ou utilisé depuis l'import "
            f"({thousands(len(lines))})"
            f"{NBSP}:\n{shown}{more}"
        )
    return text


def undo_plan_text(plan: UndoPlan, shown: int = 15) -> str:
    """The counts of an undo plan and the records it keeps, in French (the confirmation)."""
    orgs, persons, addresses = (len(plan.delete[k]) for k in ("organisation", "person", "address"))
    text = (
        f"{counted(orgs, 'organisation créée', 'organisations créées', nbsp=True)}, "
        f"{counted(persons, 'personne créée', 'personnes créées', nbsp=True)} et "
        f"{counted(addresses, 'adresse créée', 'adresses créées', nbsp=True)} "
        "seront supprimées ; "
        f"{counted(plan.restored, 'fiche complétée', 'fiches complétées', nbsp=True)} remise(s) "
        "comme avant, sauf les champs modifiés depuis."
    )
    if plan.kept:
        lines = "\n".join(f"• {k.text()}" for k in plan.kept[:shown])
        more = (
            f"\n… et {thousands(len(plan.kept) - shown)} autre(s)."
            if len(plan.kept) > shown
            else ""
        )
        text += (
            f"\n\nConservé tel quel car modifié ou utilisé depuis l'import "
            f"({thousands(len(plan.kept))}){NBSP}:\n{lines}{more}"
        )
    return text


def run_undo(
    parent: QWidget,
    ctx: AppContext,
    batch_id: int,
    on_done: Callable[[object | None], object] | None = None,
) -> None:
    """Undo an import in a worker behind a progress dialog; tell the user the outcome.

    ``on_done`` gets the undo's result, or None when it failed (the reason is shown).
    """
    importer = ctx.importer
    dialog = QProgressDialog(f"Annulation de l'import n°{NBSP}{batch_id}…", "", 0, 0, parent)
    dialog.setObjectName("import-undo-progress")
    dialog.setCancelButton(None)
    dialog.setWindowTitle("Annuler l'import")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)

    def job(_progress: ProgressFn, _cancelled: Callable[[], bool]) -> object:
        with full_collections_paused():
            return importer.undo(batch_id)

    def finished(result: object) -> None:
        dialog.reset()
        dialog.deleteLater()
        show_message(parent, QMessageBox.Icon.Information, undo_text(batch_id, result),
                     "Annuler l'import")  # fmt: skip
        if on_done is not None:
            on_done(result)

    def failed(exc: object, _traceback: str) -> None:
        dialog.reset()
        dialog.deleteLater()
        show_message(parent, QMessageBox.Icon.Warning, error_text(exc), "Annuler l'import")
        if on_done is not None:
            on_done(None)

    run_task(job, on_finished=finished, on_failed=failed)
