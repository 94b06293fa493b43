"""Shared result types of the directory-file readers (CSV/TXT, XLSX, vCard, SIRENE).

A reader turns a file into :class:`RawRecord` objects — one per data row or
card, every value kept as the text found in the file — plus :class:`ReadIssue`
objects for what it had to reject or repair. Mapping, validation and
de-duplication (docs/import-formats.md §5–6) happen later, on these records.

Locators are French and name where a record starts, for the review step:
``"ligne 12"``, ``"feuille Clients, ligne 4"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

# Reason codes of ReadIssue: stable identifiers, the UI translates them.
TOO_MANY_FIELDS: Final = "too_many_fields"
"""The row has non-empty cells beyond the last header column (rejected)."""
ENCODING_ERROR: Final = "encoding_error"
"""A line decodes neither as UTF-8 nor as Windows-1252 (rejected)."""
ENCODING_REPAIRED: Final = "encoding_repaired"
"""A line was decoded with the file's minority encoding (warning, kept)."""
MALFORMED_ROW: Final = "malformed_row"
"""The CSV parser could not read the row (oversized field, stray quote…)."""

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One row or card as read, before any mapping or validation.

    Attributes:
        locator: Where the record starts, in French (``"ligne 12"``).
        fields: Column (or property) name → text value, in file order. Names
            are unique: a repeated header gets a suffix (``"Titre (2)"``).
    """

    locator: str
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """A row rejected (or a line repaired) while reading the file.

    Attributes:
        locator: Where the problem is, in French (``"ligne 7"``).
        reason: A reason code, e.g. :data:`TOO_MANY_FIELDS`.
        detail: A short French explanation for the user.
        severity: ``"error"`` when the row was dropped, ``"warning"`` when it
            was kept (e.g. :data:`ENCODING_REPAIRED`).
    """

    locator: str
    reason: str
    detail: str
    severity: Severity = "error"


@dataclass(slots=True)
class ReadResult:
    """Everything a reader produced from one file.

    Attributes:
        headers: Unique column names, in file order.
        records: The records kept, in file order.
        issues: Rejected rows and repair warnings, in file order.
        blank_records_ignored: Fully blank rows skipped (not rejections).
        encoding: Encoding used (``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"``…);
            empty for formats without one (XLSX).
        delimiter: Field delimiter of a CSV/TXT file; empty otherwise.
        repaired_lines: Physical line numbers (1-based) decoded with the
            file's minority encoding.
        sheet: Worksheet read (XLSX only; empty otherwise).
    """

    headers: list[str]
    records: list[RawRecord] = field(default_factory=list)
    issues: list[ReadIssue] = field(default_factory=list)
    blank_records_ignored: int = 0
    encoding: str = ""
    delimiter: str = ""
    repaired_lines: list[int] = field(default_factory=list)
    sheet: str = ""

    @property
    def rejected(self) -> list[ReadIssue]:
        """The issues that dropped a row (severity ``"error"``)."""
        return [issue for issue in self.issues if issue.severity == "error"]


def unique_headers(cells: Sequence[str]) -> list[str]:
    """Return usable, unique column names for a header row.

    Names are stripped; an empty one becomes ``"Colonne N"`` (N is the 1-based
    position); a repeated one gets ``" (2)"``, ``" (3)"``… so that both of
    Outlook's ``Titre`` columns (civility, then job title) survive, mapped by
    position.

    Args:
        cells: The header cells as read.

    Returns:
        One name per cell, all distinct.
    """
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        base = cell.strip() or f"Colonne {position}"
        name = base
        copy = 1
        while name in seen:
            copy += 1
            name = f"{base} ({copy})"
        seen.add(name)
        names.append(name)
    return names


def find_header_index(filled_counts: Sequence[int]) -> int:
    """Pick the header among the first rows of a file, skipping title lines.

    Broker files often start with a title (``Extraction du 12/03/2024``) or a
    blank row. The header is the first row with at least two non-empty cells
    and at least half as many as the fullest row of the sample; a one-column
    file uses its first non-empty row.

    Args:
        filled_counts: Number of non-empty cells of each sampled row.

    Returns:
        Index of the header row in ``filled_counts``, or -1 if every row is empty.
    """
    widest = max(filled_counts, default=0)
    if widest == 0:
        return -1
    threshold = 1 if widest == 1 else max(2, (widest + 1) // 2)
    for index, count in enumerate(filled_counts):
        if count >= threshold:
            return index
    return -1  # pragma: no cover - the widest row always qualifies


_DATA_LIKE: Final = re.compile(r"[\d\s.+()/-]*")


def is_header_row(cells: Sequence[str]) -> bool:
    """Tell a header row from a first data row (headerless files).

    A cell holding an e-mail address or a number of five digits or more
    (postcode, phone, SIRET) is data; a header has no such cell.

    Args:
        cells: The candidate row.

    Returns:
        True if the row can be a header.
    """
    for cell in cells:
        text = cell.strip()
        if "@" in text:
            return False
        if _DATA_LIKE.fullmatch(text) and sum(char.isdigit() for char in text) >= 5:
            return False
    return True


def shape_row(
    headers: Sequence[str], cells: Sequence[str], locator: str
) -> RawRecord | ReadIssue | None:
    """Fit a row's cells to the header, as docs/import-formats.md §4 asks.

    Short rows are padded with empty values; extra cells that are all blank
    (trailing delimiters written by Excel) are dropped; other extra cells
    reject the row with :data:`TOO_MANY_FIELDS`.

    Args:
        headers: Unique column names (see :func:`unique_headers`).
        cells: The row's values as text.
        locator: Where the row starts, in French.

    Returns:
        The record, an issue for a rejected row, or None for a blank row.
    """
    if not any(cell.strip() for cell in cells):
        return None
    width = len(headers)
    extra = cells[width:]
    if any(cell.strip() for cell in extra):
        return ReadIssue(
            locator,
            TOO_MANY_FIELDS,
            f"{len(cells)} champs pour {width} colonnes d'en-tête",
        )
    values = list(cells[:width]) + [""] * (width - min(len(cells), width))
    return RawRecord(locator, dict(zip(headers, values, strict=True)))
