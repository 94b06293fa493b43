"""Export a list to CSV or XLSX that French Excel opens as intended.

CSV: ``;`` separator, UTF-8 with BOM (Excel otherwise reads cp1252), dates
``dd/mm/yyyy``. Both formats neutralise formula injection: a text cell that
starts with ``= + - @``, a tab or a carriage return is written so that no
spreadsheet evaluates it (CSV: prefixed with an apostrophe; XLSX: stored as
a string cell, never a formula). Numbers-as-text (SIRET, postcodes, phones)
stay text so leading zeros survive.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from microcrm.text import short_date, short_datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ProgressFn = Callable[[int, int, str], None]


def cell_text(value: object) -> str:
    """The text of a value as a French user expects it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, dt.datetime):
        return short_datetime(value)
    if isinstance(value, dt.date):
        return short_date(value)
    return str(value)


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    total: int = 0,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write rows to ``path``; returns the number written (stops early on cancel)."""
    count = 0
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in headers])
        for row in rows:
            writer.writerow([neutralise(cell_text(v)) for v in row])
            count += 1
            if count % 2000 == 0:
                if progress:
                    progress(count, total, "Export CSV")
                if cancelled and cancelled():
                    break
    if cancelled and cancelled():
        tmp.unlink(missing_ok=True)
        return count
    tmp.replace(path)
    return count


def write_xlsx(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    total: int = 0,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    title: str = "Export",
) -> int:
    """Write rows to an XLSX workbook (streaming, constant memory); returns the count."""
    # openpyxl costs ~90 ms to import: only when an export is asked for, not at start.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    ws.freeze_panes = "A2"
    count = 0
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(WriteOnlyCell(ws, value=value))
                continue
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
                continue
            cell = WriteOnlyCell(ws, value=cell_text(value))
            cell.data_type = "s"  # never a formula, whatever it starts with
            cells.append(cell)
        ws.append(cells)
        count += 1
        if count % 2000 == 0:
            if progress:
                progress(count, total, "Export Excel")
            if cancelled and cancelled():
                return count
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return count
