"""The files of an import: which reader, which preset, which mapping, and a preview.

A source is one file or one SIRENE pair (StockEtablissement, StockUniteLegale).
:func:`open_source` streams CSV/TXT files and SIRENE pairs record by record
(a 100,000-row file is never held twice in memory); XLSX workbooks and
vCard files are small and read whole. A mapping the user gave is checked
against the file's headers before anything is read further.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from microcrm.directory.csv_reader import CsvSource, open_csv
from microcrm.directory.presets import PRESET_LABELS, TARGETS, detect_preset, guess_mapping
from microcrm.directory.records import RawRecord, ReadIssue, ReadResult
from microcrm.directory.sirene_reader import SIRENE_FIELDS, iter_sirene
from microcrm.directory.vcard_reader import read_vcard_file
from microcrm.directory.xlsx_reader import read_xlsx
from microcrm.errors import ValidationError

_ENCODING_LABELS: Final = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 avec BOM",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
}
_DELIMITER_LABELS: Final = {";": "« ; »", ",": "« , »", "\t": "tabulation", "|": "« | »"}


@dataclass(slots=True)
class ImportSource:
    """One file to import, or a SIRENE pair, with the preset and mapping chosen.

    Attributes:
        paths: One file, or a SIRENE pair (StockEtablissement, StockUniteLegale).
        preset: A key of ``presets.PRESET_LABELS``; detected from the headers if None.
        mapping: Target (``"org.name"``…) → header, as ``guess_mapping`` returns;
            guessed from the preset if None. A header absent from the file is an
            error, not a silent gap.
    """

    paths: list[Path]
    preset: str | None = None
    mapping: dict[str, str] | None = None
    notes_columns: list[str] | None = None
    """Unmapped columns kept in the notes « En-tête : valeur »; None means every unmapped
    column but the preset's technical ones (``presets.note_columns``)."""


PREVIEW_EXACT_LIMIT: Final = 20_000
"""Above this many lines the preview counts lines instead of parsing every record."""


@dataclass(slots=True)
class Preview:
    """What the wizard shows once a file is chosen: format, first rows, guesses.

    Attributes:
        headers: Column names, unique, in file order.
        rows: The first records, one value per header.
        preset: Preset detected from the headers.
        mapping: Mapping guessed for that preset.
        issues_count: Rows the reader refused (closed SIRENE establishments,
            too many fields, unreadable lines…).
        records: Records read (refused and blank rows excluded); for a file of
            more than :data:`PREVIEW_EXACT_LIMIT` lines, its data lines.
        records_estimated: ``records`` counts lines, and ``issues_count``
            covers the rows shown only: the dry run gives the exact figures.
        encoding: Encoding used (``"utf-8"``, ``"cp1252"``…), empty for XLSX.
        delimiter: Field delimiter of a CSV/TXT file, empty otherwise.
        format_label: French description for display
            (``"CSV, UTF-8, séparateur « ; »"``).
    """

    headers: list[str]
    rows: list[list[str]]
    preset: str
    mapping: dict[str, str]
    issues_count: int
    records: int
    records_estimated: bool = False
    encoding: str = ""
    delimiter: str = ""
    format_label: str = ""


@dataclass(slots=True)
class OpenedSource:
    """A source being read: its headers now, its records as they stream.

    ``issues`` and ``blank_records_ignored`` are complete once ``records`` is
    exhausted. ``estimated_records`` (line count) only sizes the progress bar.
    """

    paths: list[Path]
    headers: list[str]
    records: Iterator[RawRecord]
    estimated_records: int
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    kind: str = "csv"
    _issues: list[ReadIssue] = field(default_factory=list)
    _blank: list[int] = field(default_factory=lambda: [0])
    _csv: CsvSource | None = None

    @property
    def issues(self) -> list[ReadIssue]:
        """Refused rows and repair warnings of the reader."""
        if self._csv is not None:
            return self._csv.issues
        return self._issues

    @property
    def blank_records_ignored(self) -> int:
        """Fully blank rows the reader skipped."""
        if self._csv is not None:
            return self._csv.blank_records_ignored
        return self._blank[0]

    @property
    def format_label(self) -> str:
        """The format in French, for the wizard."""
        if self.kind == "sirene":
            return "SIRENE (établissements et unités légales), UTF-8"
        if self.kind == "xlsx":
            return f"Classeur Excel, feuille « {self.sheet} »" if self.sheet else "Classeur Excel"
        if self.kind == "vcard":
            return "Cartes de visite vCard"
        encoding = _ENCODING_LABELS.get(self.encoding, self.encoding)
        delimiter = _DELIMITER_LABELS.get(self.delimiter, f"« {self.delimiter} »")
        return f"CSV, {encoding}, séparateur {delimiter}"


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _split_sirene(
    items: Iterator[RawRecord | ReadIssue], issues: list[ReadIssue]
) -> Iterator[RawRecord]:
    for item in items:
        if isinstance(item, RawRecord):
            yield item
        else:
            issues.append(item)


def _from_result(paths: list[Path], result: ReadResult, kind: str) -> OpenedSource:
    opened = OpenedSource(
        paths,
        result.headers,
        iter(result.records),
        len(result.records),
        encoding=result.encoding,
        delimiter=result.delimiter,
        sheet=result.sheet,
        kind=kind,
    )
    opened._issues = list(result.issues)
    opened._blank[0] = result.blank_records_ignored
    return opened


def open_source(paths: Sequence[Path]) -> OpenedSource:
    """Open one file or a SIRENE pair for reading.

    Raises:
        ValidationError: unknown file type, or a pair whose files are not SIRENE.
        OSError: a file cannot be read.
    """
    paths = list(paths)
    for path in paths:
        if not path.is_file():
            raise ValidationError("fichier", f"Fichier introuvable : {path}")
    if len(paths) == 2:
        opened = OpenedSource(
            paths,
            list(SIRENE_FIELDS),
            iter(()),
            max(0, _count_lines(paths[0]) - 1),
            encoding="utf-8",
            delimiter=",",
            kind="sirene",
        )
        opened.records = _split_sirene(iter_sirene(paths[0], paths[1]), opened._issues)
        return opened
    if len(paths) != 1:
        raise ValidationError("fichier", "Une source est un fichier ou une paire SIRENE.")
    path = paths[0]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        source = open_csv(path)
        opened = OpenedSource(
            paths,
            source.headers,
            iter(source),
            max(0, _count_lines(path) - source.header_line),
            encoding=source.encoding,
            delimiter=source.delimiter,
        )
        opened._csv = source
        return opened
    if suffix == ".xlsx":
        return _from_result(paths, read_xlsx(path), "xlsx")
    if suffix in (".vcf", ".vcard"):
        return _from_result(paths, read_vcard_file(path), "vcard")
    raise ValidationError("fichier", f"Format de fichier non reconnu : {path.name}")


def resolve_preset(headers: Sequence[str], preset: str | None) -> str:
    """The preset given (checked), or the one detected from the headers.

    Raises:
        ValidationError: unknown preset.
    """
    if preset is None:
        return detect_preset(headers)
    if preset not in PRESET_LABELS:
        raise ValidationError("preset", f"Préréglage inconnu : {preset}")
    return preset


def resolve_mapping(
    headers: Sequence[str], preset: str, mapping: dict[str, str] | None, name: str
) -> dict[str, str]:
    """The user's mapping, checked against the file, or the preset's guess.

    Args:
        headers: The file's column names.
        preset: The preset in use.
        mapping: Target → header given by the user, or None to guess.
        name: The file's name, for messages.

    Raises:
        ValidationError: an unknown target, or a header absent from the file.
    """
    if mapping is None:
        try:
            return guess_mapping(headers, preset)
        except ValueError as exc:
            raise ValidationError("preset", str(exc)) from exc
    known = set(headers)
    for target, header in mapping.items():
        if target not in TARGETS:
            raise ValidationError("mapping", f"Champ cible inconnu : « {target} ».")
        if header not in known:
            raise ValidationError(
                "mapping",
                f"La colonne « {header} » (pour « {target} ») n'existe pas dans {name}.",
            )
    return {target: mapping[target] for target in TARGETS if target in mapping}


def group_paths(paths: Sequence[Path], preset: str | None) -> list[list[Path]]:
    """Files in the given order, paired two by two for the ``sirene`` preset.

    Raises:
        ValidationError: an odd number of files with the ``sirene`` preset.
    """
    if preset != "sirene":
        return [[p] for p in paths]
    if len(paths) % 2:
        raise ValidationError(
            "fichier",
            "Le préréglage SIRENE attend des paires de fichiers : "
            "StockEtablissement puis StockUniteLegale.",
        )
    return [[paths[i], paths[i + 1]] for i in range(0, len(paths), 2)]


def read_preview(paths: Sequence[Path | str], rows: int = 20) -> Preview:
    """Read a file (or a SIRENE pair) for the wizard's format and preview step.

    The whole file is read to count its records and refused rows, but only
    the first ``rows`` records are kept.

    Args:
        paths: One file, or a SIRENE pair (StockEtablissement, StockUniteLegale).
        rows: Records to keep for display.

    Returns:
        Headers, first rows, detected preset, guessed mapping and counts.

    Raises:
        ValidationError: unknown file type, or not a SIRENE pair.
        OSError: a file cannot be read.
    """
    opened = open_source([Path(p) for p in paths])
    preset = resolve_preset(opened.headers, None)
    mapping = guess_mapping(opened.headers, preset)
    kept = [
        [record.fields.get(h, "") for h in opened.headers]
        for record in itertools.islice(opened.records, rows)
    ]
    count = len(kept)
    estimated = opened.estimated_records > PREVIEW_EXACT_LIMIT
    if estimated:
        # A large file: its lines are counted, not parsed (the dry run gives the
        # exact figures). Parsing 100,000 SIRENE rows here took ~1 s of worker
        # time and stalled the window for up to 0.8 s.
        count = max(count, opened.estimated_records)
    else:
        for _record in opened.records:  # a Python loop: sum() over a generator starved the GUI
            count += 1
    return Preview(
        headers=list(opened.headers),
        rows=kept,
        preset=preset,
        mapping=mapping,
        issues_count=sum(1 for issue in opened.issues if issue.severity == "error"),
        records=count,
        records_estimated=estimated,
        encoding=opened.encoding,
        delimiter=opened.delimiter,
        format_label=opened.format_label,
    )
