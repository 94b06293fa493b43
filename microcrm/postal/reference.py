"""Postcode reference data (npm `codes-postaux` 4.1.2): loading, lookups and completion.

The data file is built by `scripts/build_postal_data.py`: a gzip'd TSV sorted by postcode with
the raw source values and the libellé and commune name already cleaned per R18-R20, so that
loading is a decompress and a split (budget: 100 ms). Row objects and per-postcode indexes are
built on first use, which keeps the cold start cheap for the live editor.
"""

from __future__ import annotations

import bisect
import gzip
import importlib.resources
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, TypeVar

from microcrm.postal.clean import clean

DATA_FILE: Final = "codes-postaux-4.1.2.tsv.gz"
"""Name of the reference file in the `microcrm.resources` package, folder `postal`."""

COLUMNS: Final = (
    "postcode",
    "insee_code",
    "commune",
    "libelle_raw",
    "libelle",
    "commune_key",
)
"""Columns of the data file (header line).

`libelle` is the libellé cleaned per R18-R20, empty when equal to `libelle_raw`;
`commune_key` is the commune name cleaned like a user's city, empty when equal to `libelle`.
"""

_T = TypeVar("_T")
_SAINT_EXPANSIONS: Final = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}
_CEDEX_SUFFIX: Final = " CEDEX"


@dataclass(frozen=True, slots=True)
class PostalRow:
    """One row of the reference: a (postcode, commune) pair and its distribution locality.

    Attributes:
        postcode: Five-digit postcode, e.g. `75008`.
        insee_code: INSEE commune code (`codeCommune`), e.g. `75108`.
        commune: Commune name as in the source, e.g. `Paris 8e Arrondissement`.
        libelle: Libellé d'acheminement cleaned per R18-R20, e.g. `PARIS`.
    """

    postcode: str
    insee_code: str
    commune: str
    libelle: str


@dataclass(frozen=True, slots=True)
class PostcodeEntry:
    """What R25 compares a user's city with, for one postcode.

    Attributes:
        libelles: Distinct cleaned libellés, in reference order.
        commune_libelles: Cleaned commune name -> distinct libellés of its rows (R25 step 4).
        names: (name, libellé) pairs, each row's libellé and commune name, for spelling
            tolerance (R25 step 6).
    """

    libelles: tuple[str, ...]
    commune_libelles: Mapping[str, tuple[str, ...]]
    names: tuple[tuple[str, str], ...]


def _distinct(values: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(values))


def _expand_saints(libelle: str) -> str:
    """Write ST/STE/STS/STES in full, so that `saint et` completes to `ST ETIENNE` (R19)."""
    words = libelle.split()
    return " ".join(_SAINT_EXPANSIONS.get(word, word) for word in words)


class PostalReference:
    """The reference rows, indexed by postcode, plus lazily built lookup indexes.

    Instances are immutable from the outside and safe to share between threads: the lazy
    caches only ever grow with values computed from the same rows.
    """

    def __init__(self, lines: list[str]) -> None:
        """Index `lines`, TSV records sorted by postcode (see COLUMNS), without a header."""
        self._lines = lines
        spans: dict[str, tuple[int, int]] = {}
        start = 0
        previous = lines[0][:5] if lines else ""
        for position, line in enumerate(lines):
            postcode = line[:5]
            if postcode != previous:
                spans[previous] = (start, position)
                start, previous = position, postcode
        if lines:
            spans[previous] = (start, len(lines))
        self._spans = spans
        self._postcodes = tuple(spans)
        self._rows: dict[str, tuple[PostalRow, ...]] = {}
        self._entries: dict[str, PostcodeEntry] = {}
        self._departments: dict[str, frozenset[str]] = {}
        self._locality_index: list[tuple[str, str, str]] | None = None

    def _fields(self, postcode: str) -> list[list[str]]:
        span = self._spans.get(postcode)
        if span is None:
            return []
        return [line.split("\t") for line in self._lines[span[0] : span[1]]]

    def rows(self, postcode: str) -> tuple[PostalRow, ...]:
        """Return the rows of `postcode` (empty for an unknown postcode)."""
        rows = self._rows.get(postcode)
        if rows is None:
            rows = tuple(
                PostalRow(fields[0], fields[1], fields[2], fields[4] or fields[3])
                for fields in self._fields(postcode)
            )
            self._rows[postcode] = rows
        return rows

    def all_rows(self) -> tuple[PostalRow, ...]:
        """Return every row, sorted by postcode, INSEE code and commune."""
        return tuple(row for postcode in self._postcodes for row in self.rows(postcode))

    def postcodes(self) -> tuple[str, ...]:
        """Return the distinct postcodes, sorted."""
        return self._postcodes

    def entry(self, postcode: str) -> PostcodeEntry | None:
        """Return the R25 matching data of `postcode`, or None if it is not in the reference."""
        entry = self._entries.get(postcode)
        if entry is None:
            fields = self._fields(postcode)
            if not fields:
                return None
            commune_libelles: dict[str, list[str]] = {}
            names: list[tuple[str, str]] = []
            libelles: list[str] = []
            for record in fields:
                libelle = record[4] or record[3]
                commune_key = record[5] or libelle
                libelles.append(libelle)
                commune_libelles.setdefault(commune_key, []).append(libelle)
                names.extend(((libelle, libelle), (commune_key, libelle)))
            entry = PostcodeEntry(
                libelles=_distinct(libelles),
                commune_libelles={
                    key: _distinct(values) for key, values in commune_libelles.items()
                },
                names=_distinct(names),
            )
            self._entries[postcode] = entry
        return entry

    def _known_entry(self, postcode: str) -> PostcodeEntry:
        entry = self.entry(postcode)
        if entry is None:
            msg = f"postcode {postcode!r} is not in the reference"
            raise KeyError(msg)
        return entry

    def _postcode_range(self, prefix: str) -> tuple[str, ...]:
        low = bisect.bisect_left(self._postcodes, prefix)
        high = bisect.bisect_left(self._postcodes, prefix + "\x7f")
        return self._postcodes[low:high]

    def department_libelles(self, department: str) -> frozenset[str]:
        """Return the libellés of a department's postcodes, CEDEX suffix removed (R21).

        Args:
            department: First 2 digits of a postcode, 3 for 97x/98x.
        """
        libelles = self._departments.get(department)
        if libelles is None:
            found: set[str] = set()
            for postcode in self._postcode_range(department):
                for libelle in self._known_entry(postcode).libelles:
                    head, separator, _office = libelle.partition(_CEDEX_SUFFIX)
                    found.add(head if separator else libelle)
            libelles = frozenset(found)
            self._departments[department] = libelles
        return libelles

    def localities_for_postcode(self, postcode: str) -> list[str]:
        """Complete a postcode or postcode prefix into the distinct libellés it serves.

        Args:
            postcode: A postcode or its first digits; spaces and separators are ignored.

        Returns:
            Distinct libellés in postcode order; empty when nothing matches or no digit given.
        """
        prefix = "".join(char for char in postcode if "0" <= char <= "9")[:5]
        if not prefix:
            return []
        libelles: dict[str, None] = {}
        for code in self._postcode_range(prefix):
            libelles.update(dict.fromkeys(self._known_entry(code).libelles))
        return list(libelles)

    def _locality_keys(self) -> list[tuple[str, str, str]]:
        index = self._locality_index
        if index is None:
            keys: set[tuple[str, str, str]] = set()
            for line in self._lines:
                fields = line.split("\t", 5)
                postcode, libelle = fields[0], fields[4] or fields[3]
                keys.add((libelle, postcode, libelle))
                keys.add((_expand_saints(libelle), postcode, libelle))
            index = sorted(keys)
            self._locality_index = index
        return index

    def postcodes_for_locality(self, prefix: str, limit: int = 20) -> list[tuple[str, str]]:
        """Complete a locality prefix, typed in any case and with or without accents.

        `Saint-Ét`, `st et` and `ST ET` all find `42000 ST ETIENNE` (R3, R19).

        Args:
            prefix: Beginning of a libellé d'acheminement.
            limit: Maximum number of results.

        Returns:
            Distinct (postcode, libellé) pairs sorted by libellé then postcode.
        """
        key = clean(prefix)
        if not key or limit <= 0:
            return []
        index = self._locality_keys()
        results: dict[tuple[str, str], None] = {}
        position = bisect.bisect_left(index, (key,))
        while position < len(index) and len(results) < limit:
            name, postcode, libelle = index[position]
            if not name.startswith(key):
                break
            results[(postcode, libelle)] = None
            position += 1
        return sorted(results, key=lambda pair: (pair[1], pair[0]))


def _data_bytes() -> bytes:
    """Read the data file through importlib.resources so frozen builds find it.

    Falls back to the source tree's `resources/` folder when the `microcrm.resources`
    package mapping is not installed (running from a plain checkout).
    """
    try:
        resource = importlib.resources.files("microcrm.resources") / "postal" / DATA_FILE
        return resource.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        checkout = Path(__file__).resolve().parents[2] / "resources" / "postal" / DATA_FILE
        return checkout.read_bytes()


def parse_data(data: bytes) -> PostalReference:
    """Build a reference from the gzip'd TSV bytes of the data file (header line first)."""
    text = gzip.decompress(data).decode("utf-8")
    lines = text.split("\n")
    if lines[0].split("\t") != list(COLUMNS):
        msg = f"unexpected postal data header: {lines[0]!r}"
        raise ValueError(msg)
    return PostalReference([line for line in lines[1:] if line])


def read_reference() -> PostalReference:
    """Read a new reference from the data file (uncached: `load_reference` shares one)."""
    return parse_data(_data_bytes())


@cache
def load_reference() -> PostalReference:
    """Return the shared reference, loaded once per process."""
    return read_reference()
