"""The directory import as one service bound to a database, for the wizard and the CLI.

:mod:`microcrm.directory.importer` holds the pipeline as functions over a
:class:`~microcrm.db.Database`; :class:`Importer` binds them to the open
database and to the user's saved column mappings, so that a face takes one
object from the composition root (``AppContext.importer``) instead of passing
the database around.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from microcrm.db import Database
from microcrm.directory.importer import (
    BatchSummary,
    ImportPlan,
    ImportReport,
    ImportSource,
    Preview,
    UndoPlan,
    UndoResult,
    commit_import,
    export_organisations,
    import_files,
    import_history,
    plan_import,
    plan_undo,
    read_preview,
    undo_import,
)
from microcrm.directory.importer.plan import CancelFn, ProgressFn
from microcrm.directory.profiles import ProfileStore


class Importer:
    """Preview, plan, commit, list, undo and export imports of one database."""

    def __init__(self, db: Database, config_folder: Path) -> None:
        self.db = db
        self.profiles = ProfileStore(config_folder)
        """The user's named column mappings."""

    @staticmethod
    def preview(paths: Sequence[Path | str], rows: int = 20) -> Preview:
        """The first rows of one source, its preset and guessed mapping (no database)."""
        return read_preview(paths, rows=rows)

    def plan(
        self,
        sources: Sequence[ImportSource],
        *,
        base: str = "suspect",
        update: bool = False,
        salesperson_id: int | None = None,
        tags: Sequence[str] = (),
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> ImportPlan:
        """Read, clean and match every row; nothing is written (the dry run)."""
        return plan_import(
            self.db,
            sources,
            base=base,
            update=update,
            salesperson_id=salesperson_id,
            tags=tags,
            progress=progress,
            cancelled=cancelled,
        )

    def commit(
        self,
        plan: ImportPlan,
        *,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> ImportReport:
        """Write a plan as one undoable batch."""
        return commit_import(self.db, plan, progress=progress, cancelled=cancelled)

    def import_files(
        self,
        paths: Sequence[Path | str],
        *,
        preset: str | None = None,
        base: str = "suspect",
        update: bool = False,
        dry_run: bool = False,
        salesperson_id: int | None = None,
        tags: Sequence[str] = (),
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> ImportReport:
        """Plan and commit in one call (the command line)."""
        return import_files(
            self.db,
            paths,
            preset=preset,
            base=base,
            update=update,
            dry_run=dry_run,
            salesperson_id=salesperson_id,
            tags=tags,
            progress=progress,
            cancelled=cancelled,
        )

    def history(self) -> list[BatchSummary]:
        """Past imports, newest first."""
        return import_history(self.db)

    def plan_undo(self, batch_id: int) -> UndoPlan:
        """What undoing one import would delete, put back and keep (nothing written)."""
        return plan_undo(self.db, batch_id)

    def undo(self, batch_id: int) -> UndoResult:
        """Undo one import (what was changed since is kept and listed)."""
        return undo_import(self.db, batch_id)

    def export_organisations(self) -> Iterator[dict[str, Any]]:
        """Every organisation with its persons and normalised address."""
        return export_organisations(self.db)
