"""Import directory files into the database (docs/import-formats.md §5–6): plan, review, commit.

Two phases, so that the wizard can show a dry run before anything is written:

1. :func:`plan_import` reads every source, maps and cleans its rows and
   matches them against the database and the rows already accepted. It
   returns an :class:`ImportPlan`: the dry-run report and one
   :class:`DuplicateCandidate` per file row matched to an existing record.
2. The user may set each duplicate's ``decision`` (merge, skip, create), then
   :func:`commit_import` writes the plan in ONE transaction with one
   :class:`ImportBatch` and one :class:`ImportChange` per row created,
   field filled or tag link added, so that :func:`undo_import` can put
   everything back. A merge fills empty fields only (``update=True`` lets
   the file win) and never downgrades the lifecycle stage.

:func:`import_files` (the CLI's) is plan then commit with every duplicate merged.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microcrm.crm.tags import clean_tag_names
from microcrm.db import Database
from microcrm.directory.dedupe import PersonIndex, load_organisation_index
from microcrm.directory.importer.duplicates import (
    DECISIONS,
    DUPLICATE_FIELD_LABELS,
    DuplicateCandidate,
    fill_existing_values,
)
from microcrm.directory.importer.history import (
    NORMALISATION_PRESET,
    BatchSummary,
    KeptRecord,
    UndoPlan,
    UndoResult,
    export_organisations,
    import_history,
    plan_undo,
    undo_import,
)
from microcrm.directory.importer.plan import (
    SIRET_IN_TRASH,
    SIRET_KEPT_BY_EXISTING,
    TAG_TOO_LONG,
    CancelFn,
    ImportCancelledError,
    Plan,
    Planner,
    ProgressFn,
    load_person_index,
    load_trashed_sirets,
)
from microcrm.directory.importer.report import (
    FileReport,
    ImportReport,
    IssueSummary,
    write_rejected_csv,
)
from microcrm.directory.importer.sources import (
    ImportSource,
    Preview,
    group_paths,
    open_source,
    read_preview,
    resolve_mapping,
    resolve_preset,
)
from microcrm.directory.importer.write import WriteOptions, write_plan
from microcrm.directory.presets import note_columns
from microcrm.errors import ValidationError

BASES: Final = ("suspect", "prospect", "client", "fournisseur", "organisme")
"""Values of ``base``: a lifecycle stage, or the supplier / body base."""


@dataclass
class ImportPlan:
    """A dry run the wizard reviews, then hands to :func:`commit_import`.

    Attributes:
        sources: The sources, in import order (``DuplicateCandidate.source`` indexes them).
        base: ``suspect``, ``prospect``, ``client``, ``fournisseur`` or ``organisme``.
        update: Whether the file's values overwrite filled fields.
        salesperson_id: Salesperson given to created organisations (and to
            merged ones that have none).
        tags: Tags added to every record created or merged.
        report: The dry-run report (``dry_run=True``, no batch id).
        duplicates: One per file row matched to an existing database record
            (rows matched within the file are not listed); set their
            ``decision`` before committing.
    """

    sources: list[ImportSource]
    base: str
    update: bool
    salesperson_id: int | None
    tags: list[str]
    report: ImportReport
    duplicates: list[DuplicateCandidate]
    _plan: Plan | None = field(default=None, repr=False)
    _stamps: list[tuple[str, int, int]] = field(default_factory=list, repr=False)
    _committed: bool = field(default=False, repr=False)


def _stamps(sources: Sequence[ImportSource]) -> list[tuple[str, int, int]]:
    out = []
    for source in sources:
        for path in source.paths:
            stat = path.stat()
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
    return out


def _check_options(base: str, tags: Sequence[str]) -> list[str]:
    if base not in BASES:
        raise ValidationError("base", f"Base inconnue : « {base} ».")
    return list(clean_tag_names(tags))


def _run_planner(
    db: Database,
    sources: Sequence[ImportSource],
    *,
    update: bool,
    progress: ProgressFn | None,
    cancelled: CancelFn | None,
    decisions: dict[tuple[str, int, str], str] | None = None,
) -> tuple[Planner, list[FileReport]]:
    planner = Planner(
        load_organisation_index(db),
        PersonIndex(),
        update=update,
        cancelled=cancelled,
        trashed_sirets=load_trashed_sirets(db),
        decisions=decisions,
    )
    reports: list[FileReport] = []
    persons_loaded = False
    for index, source in enumerate(sources):
        opened = open_source(source.paths)
        preset = resolve_preset(opened.headers, source.preset)
        mapping = resolve_mapping(opened.headers, preset, source.mapping, source.paths[0].name)
        if not persons_loaded and any(target.startswith("person.") for target in mapping):
            # The database's persons, indexed before the first person of the files; a
            # SIRENE extract names nobody, so it never pays for 150,000 persons.
            planner.persons = load_person_index(db)
            persons_loaded = True
        report = FileReport([str(p) for p in source.paths], preset)
        notes_columns = (
            source.notes_columns
            if source.notes_columns is not None
            else note_columns(opened.headers, preset, mapping)
        )
        planner.add_source(
            opened, mapping, index, report, progress, note_columns=notes_columns
        )
        reports.append(report)
    return planner, reports


def plan_import(
    db: Database,
    sources: Sequence[ImportSource],
    *,
    base: str = "suspect",
    update: bool = False,
    salesperson_id: int | None = None,
    tags: Sequence[str] = (),
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> ImportPlan:
    """Read, clean and match every source without writing anything (the dry run).

    Args:
        db: The open database.
        sources: Files (or SIRENE pairs) in import order, each with its preset
            and mapping (detected and guessed when None).
        base: ``suspect``, ``prospect``, ``client``, ``fournisseur`` or ``organisme``.
        update: Let the file's values overwrite filled fields.
        salesperson_id: Salesperson of created organisations (and of merged
            ones that have none).
        tags: Tags for every record created or merged (created if new).
        progress: Called with (done, total, message).
        cancelled: Polled regularly; True stops with :class:`ImportCancelledError`.

    Returns:
        The plan: dry-run report and duplicates to review.

    Raises:
        ValidationError: unknown base, preset, mapping target or column; a tag
            name too long; a file of unknown type.
        ImportCancelledError: ``cancelled`` returned True.
    """
    started = time.monotonic()
    tag_names = _check_options(base, tags)
    sources = [
        ImportSource([Path(p) for p in s.paths], s.preset, s.mapping, s.notes_columns)
        for s in sources
    ]
    stamps = _stamps(sources)
    planner, reports = _run_planner(
        db, sources, update=update, progress=progress, cancelled=cancelled
    )
    fill_existing_values(db, planner.duplicates)
    planner.orgs.release()  # here, in the worker, rather than all at once on return
    return ImportPlan(
        sources=sources,
        base=base,
        update=update,
        salesperson_id=salesperson_id,
        tags=tag_names,
        report=ImportReport(reports, None, True, time.monotonic() - started),
        duplicates=planner.duplicates,
        _plan=planner.plan,
        _stamps=stamps,
    )


def commit_import(
    db: Database,
    plan: ImportPlan,
    *,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> ImportReport:
    """Write a reviewed plan as one transaction and one undoable batch.

    With every duplicate left on ``"merge"``, the plan computed by
    :func:`plan_import` is written as is. Otherwise the sources are planned
    again with the decisions applied, in file order (a row created anyway or
    skipped changes what later rows match), after checking that the files
    did not change since the dry run.

    Returns:
        The report of what was written, with the batch id.

    Raises:
        ValidationError: a bad decision, a file changed since the dry run, a
            record the plan creates already saved elsewhere since (same SIRET),
            or a plan already committed.
        ImportCancelledError: ``cancelled`` returned True; nothing was written.
    """
    started = time.monotonic()
    if plan._committed:
        raise ValidationError("plan", "Cet import a déjà été enregistré.")
    for duplicate in plan.duplicates:
        if duplicate.decision not in DECISIONS:
            raise ValidationError(
                "decision",
                f"Décision inconnue pour {duplicate.locator} : « {duplicate.decision} ».",
            )
    decisions = {
        (d.kind, d.source, d.locator): d.decision for d in plan.duplicates if d.decision != "merge"
    }
    if decisions or plan._plan is None:
        if _stamps(plan.sources) != plan._stamps:
            raise ValidationError(
                "fichier", "Un fichier a changé depuis la simulation : relancez l'analyse."
            )
        planner, reports = _run_planner(
            db,
            plan.sources,
            update=plan.update,
            progress=progress,
            cancelled=cancelled,
            decisions=decisions,
        )
        written_plan = planner.plan
    else:
        written_plan = plan._plan
        reports = [_copy_report(r) for r in plan.report.files]
    presets = sorted({r.preset for r in reports})
    options = WriteOptions(
        plan.base, plan.update, plan.salesperson_id, tuple(plan.tags), db.user_login
    )

    def write(session: Session) -> int:
        return write_plan(
            session,
            written_plan,
            options=options,
            sources="\n".join(s for r in reports for s in r.sources),
            preset=presets[0] if len(presets) == 1 else "multiple",
            reports=reports,
            cancelled=cancelled,
            progress=progress,
        )

    try:
        batch_id = db.run_write(write)
    except IntegrityError as exc:  # e.g. a SIRET saved on another workstation since the dry run
        raise ValidationError(
            "plan",
            "La base a changé depuis la simulation (un SIRET importé existe déjà) : "
            "relancez l'analyse. Rien n'a été importé.",
        ) from exc
    plan._committed = True
    plan._plan = None  # the written plan is no longer needed: free it
    return ImportReport(reports, batch_id, False, plan.report.seconds + time.monotonic() - started)


def _copy_report(report: FileReport) -> FileReport:
    """The dry run's report of a file, for the committed run (the dry run stays as it was)."""
    copy = FileReport(
        list(report.sources),
        report.preset,
        report.records,
        report.blank_records_ignored,
        report.organisations_created,
        report.persons_created,
        report.organisation_rows_matched_within_file,
        report.organisation_rows_matched_previous_files,
        report.person_rows_matched_within_file,
        report.person_rows_matched_previous_files,
        IssueSummary(list(report.rejected.rows)),
        IssueSummary(list(report.warnings.rows)),
        None,
        report.headers,
        report.rejected_records,
        list(report.notes_columns),
        list(report.ignored_columns),
    )
    return copy


def import_files(
    db: Database,
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
    """Import files (in the given order) as one transaction and one undoable batch.

    Plan then commit, every duplicate merged.

    Args:
        db: The open database.
        paths: Files to read; with ``preset="sirene"``, pairs
            (StockEtablissement, StockUniteLegale), each pair one report entry.
        preset: Preset for every file; detected from each file's headers if None.
        base: ``suspect``, ``prospect``, ``client``, ``fournisseur`` or ``organisme``.
        update: Let the file's values overwrite filled fields.
        dry_run: Compute the report without writing anything.
        salesperson_id: Salesperson of created organisations (and of merged
            ones that have none).
        tags: Tags for every record created or merged.
        progress: Called with (done, total, message).
        cancelled: Polled regularly; True stops the import with nothing written.

    Returns:
        The report, one entry per file (or SIRENE pair).

    Raises:
        ValidationError: unknown base, format or preset.
        ImportCancelledError: ``cancelled`` returned True.
    """
    _check_options(base, tags)
    groups = group_paths([Path(p) for p in paths], preset)
    plan = plan_import(
        db,
        [ImportSource(group, preset) for group in groups],
        base=base,
        update=update,
        salesperson_id=salesperson_id,
        tags=tags,
        progress=progress,
        cancelled=cancelled,
    )
    if dry_run:
        return plan.report
    return commit_import(db, plan, progress=progress, cancelled=cancelled)


__all__ = [
    "BASES",
    "DECISIONS",
    "DUPLICATE_FIELD_LABELS",
    "NORMALISATION_PRESET",
    "SIRET_IN_TRASH",
    "SIRET_KEPT_BY_EXISTING",
    "TAG_TOO_LONG",
    "BatchSummary",
    "DuplicateCandidate",
    "FileReport",
    "ImportCancelledError",
    "ImportPlan",
    "ImportReport",
    "ImportSource",
    "IssueSummary",
    "KeptRecord",
    "Preview",
    "UndoPlan",
    "UndoResult",
    "commit_import",
    "export_organisations",
    "import_files",
    "import_history",
    "plan_import",
    "plan_undo",
    "read_preview",
    "undo_import",
    "write_rejected_csv",
]
