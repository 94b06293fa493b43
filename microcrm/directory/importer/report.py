"""Reports of directory imports, and the CSV of rejected rows to fix and re-import.

The JSON shape of :meth:`ImportReport.to_dict` is an interface, not a detail
(``records``, ``blank_records_ignored``, ``organisations_created``…,
``rejected`` / ``warnings`` as ``{total, by_reason, rows}``, ``batch_id``);
keep it stable, the CLI's ``--report`` and the import history store it.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from microcrm.directory.records import ReadIssue

REJECTED_REASON_COLUMN: Final = "motif"
"""Column of the rejected-rows CSV holding the reason code (``no_identity``…)."""
REJECTED_DETAIL_COLUMN: Final = "détail"
"""Column of the rejected-rows CSV holding the French explanation."""
REJECTED_ORIGIN_COLUMN: Final = "origine"
"""Column of the rejected-rows CSV naming the file and the line the row came from."""

# docs/import-formats.md §4: on export, prefix = + - @ TAB CR with ' (CSV injection).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(slots=True)
class IssueSummary:
    """Rejected rows or warnings of one source: total, count by reason, and the rows."""

    rows: list[ReadIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the report (``total``, ``by_reason``, ``rows``)."""
        return {
            "total": len(self.rows),
            "by_reason": dict(Counter(issue.reason for issue in self.rows)),
            "rows": [
                {"locator": i.locator, "reason": i.reason, "detail": i.detail} for i in self.rows
            ],
        }


@dataclass(slots=True)
class FileReport:
    """What one file (or one SIRENE pair) gave.

    ``headers`` and ``rejected_records`` are not part of the JSON report: they
    keep the original cells of the rows refused after reading (rows a reader
    refuses, such as a closed SIRENE establishment, have no usable cells), so
    that :func:`write_rejected_csv` can give them back to the user.
    """

    sources: list[str]
    preset: str
    records: int = 0
    blank_records_ignored: int = 0
    organisations_created: int = 0
    persons_created: int = 0
    organisation_rows_matched_within_file: int = 0
    organisation_rows_matched_previous_files: int = 0
    person_rows_matched_within_file: int = 0
    person_rows_matched_previous_files: int = 0
    rejected: IssueSummary = field(default_factory=IssueSummary)
    warnings: IssueSummary = field(default_factory=IssueSummary)
    batch_id: int | None = None
    headers: list[str] = field(default_factory=list)
    rejected_records: dict[str, dict[str, str]] = field(default_factory=dict)
    notes_columns: list[str] = field(default_factory=list)
    """Unmapped columns whose values were kept in the notes, « En-tête : valeur »."""
    ignored_columns: list[str] = field(default_factory=list)
    """Unmapped columns not kept (technical columns of the preset, or the user's choice)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of this file."""
        return {
            "sources": self.sources,
            "preset": self.preset,
            "records": self.records,
            "blank_records_ignored": self.blank_records_ignored,
            "organisations_created": self.organisations_created,
            "persons_created": self.persons_created,
            "organisation_rows_matched_within_file": self.organisation_rows_matched_within_file,
            "organisation_rows_matched_previous_files": (
                self.organisation_rows_matched_previous_files
            ),
            "person_rows_matched_within_file": self.person_rows_matched_within_file,
            "person_rows_matched_previous_files": self.person_rows_matched_previous_files,
            "rejected": self.rejected.to_dict(),
            "warnings": self.warnings.to_dict(),
            "notes_columns": self.notes_columns,
            "ignored_columns": self.ignored_columns,
            "batch_id": self.batch_id,
        }


@dataclass(slots=True)
class ImportReport:
    """The whole run: one entry per file or SIRENE pair, and the batch written."""

    files: list[FileReport]
    batch_id: int | None
    dry_run: bool
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of the run."""
        return {
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "files": [f.to_dict() for f in self.files],
        }


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_rejected_csv(report: ImportReport | FileReport, path: Path) -> int:
    """Write the rejected rows so that the user can fix them and import them again.

    Each row keeps its original columns (the union of the files' headers, in
    order), followed by ``motif`` (reason code), ``détail`` (French) and
    ``origine`` (file and line). Rows a reader refused before mapping (a
    closed or non-diffusible SIRENE establishment, an unreadable line) have
    no original cells: only the last three columns are filled. The file is
    ``;``-separated UTF-8 with a BOM, which French Excel opens as is; a cell
    starting with ``= + - @`` (or a tab, a carriage return) gets a leading
    ``'`` so that a spreadsheet never runs it as a formula (docs/import-formats.md §4).

    Args:
        report: A whole import report, or one file's.
        path: The CSV file to write (replaced if it exists).

    Returns:
        The number of rows written (header excluded).
    """
    files = report.files if isinstance(report, ImportReport) else [report]
    headers: list[str] = []
    for entry in files:
        headers.extend(h for h in entry.headers if h not in headers)
    columns = [*headers, REJECTED_REASON_COLUMN, REJECTED_DETAIL_COLUMN, REJECTED_ORIGIN_COLUMN]
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for entry in files:
            origin = ", ".join(Path(s).name for s in entry.sources)
            for issue in entry.rejected.rows:
                cells = entry.rejected_records.get(issue.locator, {})
                writer.writerow(
                    [
                        *(_safe_cell(cells.get(h, "")) for h in headers),
                        issue.reason,
                        _safe_cell(issue.detail),
                        f"{origin}, {issue.locator}",
                    ]
                )
                written += 1
    return written
