"""Reader of XLSX directory files (broker lists saved from Excel).

The workbook is opened with openpyxl in read-only mode and streamed row by
row. The sheet read is the one named, else the first visible worksheet with a
non-empty cell (then the first hidden one). Title rows above the header are
skipped (:func:`~microcrm.directory.records.find_header_index`).

Cell values become text faithfully, without repairing Excel damage
(docs/import-formats.md §4; the mapping step does that): a whole number is written
without ``.0`` (``1000``, ``44123456789012``), another number with a decimal
comma and at most 15 significant digits as Excel shows it (``1234,5``,
``4,41235E+13`` for a tiny or huge one), a date as ``dd/mm/yyyy`` (a datetime
with a time as ``dd/mm/yyyy HH:MM:SS``), a boolean as ``VRAI``/``FAUX``, text
as stored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import openpyxl

from microcrm.directory.records import (
    RawRecord,
    ReadIssue,
    ReadResult,
    find_header_index,
    is_header_row,
    shape_row,
    unique_headers,
)
from microcrm.errors import ValidationError

SAMPLE_ROWS: Final = 50
"""Rows examined to find the header."""


def cell_text(value: object) -> str:
    """Return the text of a cell value as a French Excel would show it.

    Args:
        value: A value from openpyxl (None, str, int, float, bool, date…).

    Returns:
        The text; empty for an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.date | dt.time):
        return _temporal_text(value)
    return str(value)


def _temporal_text(value: dt.date | dt.time) -> str:
    """Write a date ``dd/mm/yyyy``, adding the time only when there is one."""
    if isinstance(value, dt.datetime) and value.time() != dt.time(0, 0):
        pattern = "%d/%m/%Y %H:%M:%S"
    elif isinstance(value, dt.time):
        pattern = "%H:%M:%S"
    else:
        pattern = "%d/%m/%Y"
    return value.strftime(pattern)


def _number_text(value: float) -> str:
    """Write a float as Excel does: integral without decimals, else 15 digits."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = f"{value:.15g}"
    mantissa, _, exponent = text.partition("e")
    mantissa = mantissa.replace(".", ",")
    if exponent:
        return f"{mantissa}E{exponent}"
    return mantissa


def _row_texts(row: Sequence[Any]) -> list[str]:
    cells = [cell_text(value) for value in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


class XlsxSource:
    """An XLSX sheet opened for streaming: sheet and header found, rows on demand.

    Attributes:
        path: The workbook.
        sheet: Name of the sheet read (empty if the workbook has no data).
        headers: Unique column names.
        header_row: 1-based row number of the header (of the first record
            when the sheet has no header; 0 when it holds no data).
        has_header: False when the first row holds data (an e-mail, a number
            of five digits or more): columns are then ``Colonne 1``…
        issues: Rejected rows seen so far.
        blank_records_ignored: Blank rows skipped so far.
    """

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        """Choose the sheet and its header row.

        Args:
            path: The workbook.
            sheet: The sheet to read; None for the first non-empty one.

        Raises:
            ValidationError: The named sheet does not exist.
            OSError: The file cannot be read.
        """
        self.path = path
        self.sheet = ""
        self.headers: list[str] = []
        self.header_row = 0
        self.has_header = True
        self.issues: list[ReadIssue] = []
        self.blank_records_ignored = 0
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            names = [ws.title for ws in workbook.worksheets]
            if sheet is not None:
                if sheet not in names:
                    raise ValidationError(
                        "feuille",
                        f"Feuille « {sheet} » introuvable (feuilles : {', '.join(names)})",
                    )
                candidates = [sheet]
            else:
                visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
                candidates = visible + [name for name in names if name not in visible]
            for name in candidates:
                sample = self._sample(workbook[name])
                index = find_header_index([_filled(cells) for cells in sample])
                if index >= 0 or sheet is not None:
                    self.sheet = name
                    if index >= 0:
                        self._set_header(sample, index)
                    break
        finally:
            workbook.close()

    def _set_header(self, sample: list[list[str]], index: int) -> None:
        """Take row ``index`` of the sample as the header, or as data if it looks so."""
        self.header_row = index + 1
        self.has_header = is_header_row(sample[index])
        if self.has_header:
            self.headers = unique_headers(sample[index])
        else:
            width = max(len(cells) for cells in sample[index:])
            self.headers = unique_headers([""] * width)

    @staticmethod
    def _sample(worksheet: Any) -> list[list[str]]:
        """Return the texts of a sheet's first rows."""
        worksheet.reset_dimensions()
        rows: list[list[str]] = []
        for row in worksheet.iter_rows(values_only=True):
            rows.append(_row_texts(row))
            if len(rows) >= SAMPLE_ROWS:
                break
        return rows

    def _locator(self, row: int) -> str:
        return f"feuille {self.sheet}, ligne {row}"

    def __iter__(self) -> Iterator[RawRecord]:
        """Yield the records below the header, in sheet order.

        Rejected rows go to :attr:`issues`; iterating again starts afresh.
        """
        self.issues = []
        self.blank_records_ignored = 0
        if self.header_row == 0:
            return
        workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            worksheet = workbook[self.sheet]
            worksheet.reset_dimensions()
            first = self.header_row + 1 if self.has_header else self.header_row
            rows = worksheet.iter_rows(min_row=first, values_only=True)
            for number, row in enumerate(rows, start=first):
                outcome = shape_row(self.headers, _row_texts(row), self._locator(number))
                if outcome is None:
                    self.blank_records_ignored += 1
                elif isinstance(outcome, ReadIssue):
                    self.issues.append(outcome)
                else:
                    yield outcome
        finally:
            workbook.close()


def open_xlsx(path: Path, sheet: str | None = None) -> XlsxSource:
    """Open a sheet of an XLSX workbook for streaming.

    Args:
        path: The workbook.
        sheet: The sheet to read; None for the first non-empty one.

    Returns:
        The source; iterate it for the records.

    Raises:
        ValidationError: The named sheet does not exist.
        OSError: The file cannot be read.
    """
    return XlsxSource(path, sheet)


def read_xlsx(path: Path, sheet: str | None = None) -> ReadResult:
    """Read a whole sheet of an XLSX workbook into memory.

    Args:
        path: The workbook.
        sheet: The sheet to read; None for the first non-empty one.

    Returns:
        Headers, records, issues and the sheet name.

    Raises:
        ValidationError: The named sheet does not exist.
        OSError: The file cannot be read.
    """
    source = XlsxSource(path, sheet)
    records = list(source)
    return ReadResult(
        headers=source.headers,
        records=records,
        issues=source.issues,
        blank_records_ignored=source.blank_records_ignored,
        sheet=source.sheet,
    )


__all__ = ["XlsxSource", "cell_text", "open_xlsx", "read_xlsx"]
