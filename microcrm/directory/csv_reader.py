"""Reader of CSV/TXT directory files: broker lists, Outlook and Google exports.

Follows docs/import-formats.md §4. The file is read as bytes, line by line:

- **Encoding**: a UTF-8 BOM gives ``utf-8-sig`` (a UTF-16 BOM, Excel's
  "Texte Unicode", gives ``utf-16``, and so does UTF-16 without a BOM,
  recognised by the NUL bytes on one side of its code units in the first
  :data:`SAMPLE_BYTES`); otherwise every line is decoded as
  strict UTF-8, else as Windows-1252 — never latin-1. A file that mixes both
  is repaired line by line: the lines in the minority encoding are reported as
  ``encoding_repaired`` warnings. A line that neither decodes rejects its
  record (``encoding_error``); U+FFFD is never stored.
- **Binary files** (a workbook or an archive renamed ``.csv``, a damaged
  file): NUL bytes, or more than :data:`BINARY_CONTROL_SHARE` of control
  characters, in the first :data:`SAMPLE_BYTES` (decoded) refuse the file
  with a :class:`~microcrm.errors.ValidationError`.
- **Delimiter**: ``sep=;`` on the first line is honoured; otherwise the one of
  ``; , TAB |`` under which the records after a header candidate best keep
  its width (quotes honoured) wins.
- **Header**: title lines above the header are skipped
  (:func:`~microcrm.directory.records.find_header_index`).
- **Rows**: quoted fields may hold line breaks (the locator names the line
  where the record starts); short rows are padded, rows with extra non-empty
  fields are rejected (``too_many_fields``), blank rows are counted and skipped.

Records are streamed (:meth:`CsvSource.__iter__`): memory stays bounded by the
largest record, whatever the file size.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Final

from microcrm.directory.records import (
    ENCODING_ERROR,
    ENCODING_REPAIRED,
    MALFORMED_ROW,
    RawRecord,
    ReadIssue,
    ReadResult,
    find_header_index,
    is_header_row,
    shape_row,
    unique_headers,
)
from microcrm.errors import ValidationError
from microcrm.text import printable

DELIMITERS: Final = (";", ",", "\t", "|")
"""Candidate delimiters, in order of preference on a tie."""

FIELD_SIZE_LIMIT: Final = 16 * 1024 * 1024
"""Largest field accepted (characters); larger means a runaway quote."""

SAMPLE_LINES: Final = 50
"""Lines examined to choose the delimiter and the header."""

SAMPLE_BYTES: Final = 4096
"""Bytes examined for UTF-16 without BOM and for binary content."""

BINARY_CONTROL_SHARE: Final = 0.05
"""Share of control characters (tab, line ends, form feed and DOS end-of-file
excepted) above which a file is binary, not text."""

HEADER_CANDIDATES: Final = 10
FOLLOWING_ROWS: Final = 20

_CHUNK: Final = 1024 * 1024
_UTF8: Final = "utf-8"
_CP1252: Final = "cp1252"
_ENCODING_NAMES: Final = {_UTF8: "UTF-8", _CP1252: "Windows-1252"}


_UTF16_NUL_SHARE: Final = 0.5
"""Least share of code units with a NUL high byte for BOM-less UTF-16 (Latin
text has one in nearly all); the other byte of each unit must have almost none."""
_TEXT_CONTROLS: Final = frozenset("\t\n\r\f\x1a")


def _utf16_without_bom(head: bytes) -> str:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``head`` reads as BOM-less UTF-16, else ``""``."""
    size = len(head) - len(head) % 2
    units = size // 2
    if units == 0:
        return ""
    even, odd = head[0:size:2].count(0), head[1:size:2].count(0)
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high >= units * _UTF16_NUL_SHARE and low <= units * 0.02:
            try:
                codecs.getincrementaldecoder(codec)("strict").decode(head[:size])
            except UnicodeDecodeError:
                continue
            return codec
    return ""


def _is_binary(text: str) -> bool:
    """NUL characters, or too many control characters, in a decoded sample."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if (ch < " " or ch == "\x7f") and ch not in _TEXT_CONTROLS)
    return controls > len(text) * BINARY_CONTROL_SHARE


def _locator(line: int) -> str:
    return f"ligne {line}"


def _filled(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


def _parse_sample(lines: list[str], delimiter: str) -> list[tuple[int, list[str]]]:
    """Parse sample lines into records, each with its 1-based start line."""
    reader = csv.reader(lines, delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            records.append((start, row))
            start = reader.line_num + 1
    except csv.Error:
        pass  # a runaway field: the records before it are enough to sniff
    return records


def _scan_encodings(path: Path) -> tuple[int, int]:
    """Count lines that need UTF-8 and lines that need Windows-1252.

    Args:
        path: The file (without a UTF-16 BOM).

    Returns:
        ``(utf8_lines, cp1252_lines)``: non-ASCII lines valid as UTF-8, and
        lines that are not valid UTF-8.
    """
    utf8_lines = 0
    cp1252_lines = 0
    tail = b""
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = tail + chunk
            if not chunk:
                tail = b""
            else:
                cut = data.rfind(b"\n") + 1
                data, tail = data[:cut], data[cut:]
            if data:
                try:
                    data.decode(_UTF8)
                except UnicodeDecodeError:
                    for line in data.splitlines():
                        try:
                            line.decode(_UTF8)
                        except UnicodeDecodeError:
                            cp1252_lines += 1
                        else:
                            utf8_lines += not line.isascii()
                else:
                    if not data.isascii():
                        utf8_lines += sum(not line.isascii() for line in data.splitlines())
            if not chunk:
                break
    return utf8_lines, cp1252_lines


class CsvSource:
    """A CSV/TXT file opened for streaming: format sniffed, records on demand.

    Construction reads the file's encoding, delimiter and header; iterating
    yields the records one by one while :attr:`issues`,
    :attr:`blank_records_ignored` and :attr:`repaired_lines` fill up.

    Attributes:
        path: The file.
        encoding: ``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"`` or ``"utf-16"``
            (the majority encoding of a mixed file; ``"utf-16"`` with or without
            a BOM, either byte order).
        delimiter: The field delimiter.
        headers: Unique column names.
        header_line: 1-based line number of the header (of the first record
            when the file has no header; 0 when the file holds no data).
        has_header: False when the first row holds data (an e-mail, a
            number of five digits or more): columns are then named
            ``Colonne 1``, ``Colonne 2``…
        issues: Rejected rows and repair warnings seen so far.
        blank_records_ignored: Blank rows skipped so far.
        repaired_lines: Lines decoded with the minority encoding so far.
    """

    def __init__(self, path: Path) -> None:
        """Sniff the file's format.

        Args:
            path: The CSV/TXT file.

        Raises:
            OSError: The file cannot be read.
            ValidationError: The file is binary, not text (French message).
        """
        if csv.field_size_limit() < FIELD_SIZE_LIMIT:
            csv.field_size_limit(FIELD_SIZE_LIMIT)
        self.path = path
        self.issues: list[ReadIssue] = []
        self.blank_records_ignored = 0
        self.repaired_lines: list[int] = []
        self._bad_lines: set[int] = set()
        self._repairs: list[int] = []
        self._lines_read = 0
        self._primary = _UTF8
        with path.open("rb") as stream:
            start = stream.read(SAMPLE_BYTES)
        self._utf16 = _utf16_without_bom(start)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._utf16 = "utf-16"
        sample = start.decode(self._utf16 or "latin-1", errors="replace")
        if _is_binary(sample):
            raise ValidationError(
                "fichier",
                "Ce fichier n'est pas un fichier texte (CSV) lisible : "
                f"« {printable(path.name)} ». Enregistrez-le au format CSV depuis le "
                "logiciel d'origine.",
            )
        if self._utf16:
            self.encoding = "utf-16"
        else:
            utf8_lines, cp1252_lines = _scan_encodings(path)
            if cp1252_lines > utf8_lines:
                self._primary = _CP1252
            has_bom = start.startswith(codecs.BOM_UTF8)
            self.encoding = "utf-8-sig" if has_bom and self._primary == _UTF8 else self._primary
        self.delimiter = ","
        self.header_line = 0
        self.has_header = True
        self.headers: list[str] = []
        self._sniff()

    # -- decoding ---------------------------------------------------------------

    def _decode(self, raw: bytes, number: int) -> str:
        """Decode one physical line, noting repairs and failures."""
        for encoding in (_UTF8, _CP1252):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if encoding != self._primary and not raw.isascii():
                self._repairs.append(number)
            return text
        self._bad_lines.add(number)
        return raw.decode(self._primary, errors="replace")

    def _lines(self, *, track: bool) -> Generator[str, None, None]:
        """Yield the decoded physical lines, counting them when ``track``."""
        self._repairs = []
        if self._utf16:
            with self.path.open(encoding=self._utf16, errors="replace", newline="") as text:
                for number, line in enumerate(text, start=1):
                    if track:
                        self._lines_read = number
                    if "\ufffd" in line:
                        self._bad_lines.add(number)
                    yield line
            return
        with self.path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                if track:
                    self._lines_read = number
                line = self._decode(
                    raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw, number
                )
                yield line

    # -- sniffing ---------------------------------------------------------------

    def _sniff(self) -> None:
        """Choose the delimiter and the header line from the first lines."""
        sample: list[str] = []
        lines = self._lines(track=False)
        try:
            for line in lines:
                sample.append(line)
                if len(sample) >= SAMPLE_LINES:
                    break
        finally:
            lines.close()
        offset = 0
        first = sample[0].rstrip("\r\n") if sample else ""
        if first.lower().startswith("sep=") and len(first) == 5:
            self.delimiter = first[4]
            offset = 1
        else:
            self.delimiter = self._guess_delimiter(sample)
        records = _parse_sample(sample[offset:], self.delimiter)
        index = find_header_index([_filled(row) for _, row in records])
        if index < 0:
            self.header_line = 0
            return
        start, row = records[index]
        self.header_line = offset + start
        self.has_header = is_header_row(row)
        if self.has_header:
            self.headers = unique_headers(row)
        else:
            width = max(len(cells) for _, cells in records[index:])
            self.headers = unique_headers([""] * width)

    @staticmethod
    def _guess_delimiter(sample: list[str]) -> str:
        """Return the delimiter under which the rows best match a header's width.

        Each of the first non-blank records is tried as the header; the score
        is the share of the records after it that have its width (extra blank
        cells allowed). Delimiters inside quoted fields, even multi-line ones,
        do not count.
        """
        best = DELIMITERS[0]
        best_score = 0.0
        for delimiter in DELIMITERS:
            rows = [row for _, row in _parse_sample(sample, delimiter) if _filled(row)]
            for index, header in enumerate(rows[:HEADER_CANDIDATES]):
                width = len(header)
                if width < 2:
                    continue
                following = rows[index + 1 : index + 1 + FOLLOWING_ROWS]
                fitting = sum(
                    1
                    for row in following
                    if len(row) == width or (len(row) > width and not _filled(row[width:]))
                )
                score = (fitting + 1) / (len(following) + 2)
                if score > best_score:
                    best, best_score = delimiter, score
        return best

    # -- reading ----------------------------------------------------------------

    def __iter__(self) -> Iterator[RawRecord]:
        """Yield the records after the header, in file order.

        Rejected rows go to :attr:`issues` instead. Iterating again rereads
        the file and starts the counters afresh.
        """
        self.issues = []
        self.blank_records_ignored = 0
        self.repaired_lines = []
        self._bad_lines = set()
        self._lines_read = 0
        if self.header_line == 0:
            return
        for first, cells in self._rows():
            if self._bad_lines and self._bad_lines.intersection(range(first, self._lines_read + 1)):
                self.issues.append(
                    ReadIssue(
                        _locator(first),
                        ENCODING_ERROR,
                        "Caractères illisibles ni en UTF-8 ni en Windows-1252",
                    )
                )
                continue
            if first == self.header_line and self.has_header:
                continue
            outcome = shape_row(self.headers, cells, _locator(first))
            if outcome is None:
                self.blank_records_ignored += 1
            elif isinstance(outcome, ReadIssue):
                self.issues.append(outcome)
            else:
                yield outcome

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield each parsed row from the header on, with its start line.

        Repair warnings and unparsable rows go to :attr:`issues` on the way.
        """
        lines = self._lines(track=True)
        try:
            for _ in zip(range(self.header_line - 1), lines, strict=False):
                pass
            reader = csv.reader(lines, delimiter=self.delimiter)
            reported = 0
            while True:
                first = self._lines_read + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    reported = self._report_repairs(reported)
                    self.issues.append(
                        ReadIssue(_locator(first), MALFORMED_ROW, f"Ligne illisible : {error}")
                    )
                    continue
                reported = self._report_repairs(reported)
                yield first, cells
        finally:
            lines.close()

    def _report_repairs(self, reported: int) -> int:
        """Turn the repairs noted since the last call into warnings."""
        secondary = _CP1252 if self._primary == _UTF8 else _UTF8
        for number in self._repairs[reported:]:
            self.repaired_lines.append(number)
            self.issues.append(
                ReadIssue(
                    _locator(number),
                    ENCODING_REPAIRED,
                    f"Ligne décodée en {_ENCODING_NAMES[secondary]} "
                    f"(le reste du fichier est en {_ENCODING_NAMES[self._primary]})",
                    "warning",
                )
            )
        return len(self._repairs)


def open_csv(path: Path) -> CsvSource:
    """Open a CSV/TXT file for streaming.

    Args:
        path: The file.

    Returns:
        The sniffed source; iterate it for the records.

    Raises:
        OSError: The file cannot be read.
        ValidationError: The file is binary, not text.
    """
    return CsvSource(path)


def read_csv(path: Path) -> ReadResult:
    """Read a whole CSV/TXT file into memory.

    Args:
        path: The file.

    Returns:
        Headers, records, issues and the sniffed format.

    Raises:
        OSError: The file cannot be read.
        ValidationError: The file is binary, not text.
    """
    source = CsvSource(path)
    records = list(source)
    return ReadResult(
        headers=source.headers,
        records=records,
        issues=source.issues,
        blank_records_ignored=source.blank_records_ignored,
        encoding=source.encoding,
        delimiter=source.delimiter,
        repaired_lines=source.repaired_lines,
    )


__all__ = ["DELIMITERS", "CsvSource", "open_csv", "read_csv"]
