"""Cutting a run PDF into one small PDF per letter, for the copies filed in the GED.

pypdf's writer clones every object a page needs into each new file, number
by number (a 1,000-letter run: ~2 s of CPU, 10 s on a loaded machine). The run
PDF is ours (reportlab: a classic cross-reference table, no object streams),
so a letter is copied as raw bytes instead: the objects its pages reach
(contents, fonts, forms, images) keep their numbers and bytes, only its page
dictionaries are rewritten to point at a new page tree, and the
cross-reference table lists just those objects in sub-sections. A file that
does not have that shape goes through pypdf's writer.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
)

_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


class _Range(Protocol):
    @property
    def first_page(self) -> int: ...

    @property
    def page_count(self) -> int: ...


def _pypdf_split(reader: PdfReader, ranges: Sequence[_Range]) -> Iterator[bytes]:
    for page_range in ranges:
        writer = PdfWriter()
        for number in range(page_range.first_page, page_range.first_page + page_range.page_count):
            writer.add_page(reader.pages[number])
        buffer = io.BytesIO()
        writer.write(buffer)
        yield buffer.getvalue()


class _Splitter:
    """The raw objects of a classic PDF and which objects each one reaches."""

    def __init__(self, data: bytes, reader: PdfReader, offsets: dict[int, int]) -> None:
        self.data = data
        self.reader = reader
        self.offsets = offsets
        self.starts = sorted(offsets.values())
        xref = data.rfind(b"xref")
        self.starts.append(xref if xref > self.starts[-1] else len(data))
        self.reach: dict[int, frozenset[int]] = {}
        self.last = max(offsets)

    def raw(self, idnum: int) -> bytes:
        start = self.offsets[idnum]
        end = self.starts[bisect.bisect_right(self.starts, start)]
        chunk = self.data[start:end].rstrip()
        return chunk + b"\n"

    def refs(self, obj: PdfObject, found: set[int]) -> None:
        """Object numbers referenced by ``obj`` (recursively), pages' /Parent excepted."""
        if isinstance(obj, IndirectObject):
            found |= self.closure(obj.idnum)
        elif isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key != "/Parent":
                    self.refs(value, found)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                self.refs(value, found)

    def closure(self, idnum: int) -> frozenset[int]:
        if idnum not in self.reach:
            self.reach[idnum] = frozenset({idnum})  # cycles stop here
            found: set[int] = {idnum}
            target = self.reader.get_object(idnum)
            if target is not None:
                self.refs(target, found)
            self.reach[idnum] = frozenset(found)
        return self.reach[idnum]

    def letter(self, first: int, count: int) -> bytes:
        pages = [self.reader.pages[n] for n in range(first, first + count)]
        page_ids = [p.indirect_reference.idnum for p in pages if p.indirect_reference]
        if len(page_ids) != len(pages):  # pragma: no cover - reportlab pages are indirect
            raise ValueError("page without object number")
        needed: set[int] = set()
        for page in pages:
            self.refs(page, needed)
        needed -= set(page_ids)
        tree, catalog = self.last + 1, self.last + 2
        out = io.BytesIO()
        out.write(_HEADER)
        where: dict[int, int] = {}
        for idnum in sorted(needed):
            where[idnum] = out.tell()
            out.write(self.raw(idnum))
        for idnum, page in zip(page_ids, pages, strict=True):
            copy = DictionaryObject(page)
            copy[NameObject("/Parent")] = IndirectObject(tree, 0, self.reader)
            where[idnum] = out.tell()
            out.write(f"{idnum} 0 obj\n".encode())
            copy.write_to_stream(out)
            out.write(b"\nendobj\n")
        kids = " ".join(f"{i} 0 R" for i in page_ids)
        where[tree] = out.tell()
        out.write(
            f"{tree} 0 obj\n<< /Type /Pages /Count {count} /Kids [ {kids} ] >>\nendobj\n".encode()
        )
        where[catalog] = out.tell()
        out.write(f"{catalog} 0 obj\n<< /Type /Catalog /Pages {tree} 0 R >>\nendobj\n".encode())
        start = out.tell()
        out.write(_xref(where))
        out.write(f"trailer\n<< /Size {catalog + 1} /Root {catalog} 0 R >>\n".encode())
        out.write(f"startxref\n{start}\n%%EOF\n".encode())
        return out.getvalue()


def _xref(where: dict[int, int]) -> bytes:
    """A cross-reference table with one sub-section per run of consecutive numbers."""
    ids = sorted(where)
    lines = [b"xref\n0 1\n0000000000 65535 f \n"]
    run: list[int] = []
    for idnum in ids:
        if run and idnum != run[-1] + 1:
            lines.append(_section(run, where))
            run = []
        run.append(idnum)
    if run:
        lines.append(_section(run, where))
    return b"".join(lines)


def _section(run: list[int], where: dict[int, int]) -> bytes:
    body = "".join(f"{where[i]:010d} 00000 n \n" for i in run)
    return f"{run[0]} {len(run)}\n{body}".encode()


def split_pdf(pdf_path: Path, ranges: Sequence[_Range]) -> Iterator[bytes]:
    """One PDF per range of pages (``first_page`` 0-based, ``page_count``), in order."""
    data = pdf_path.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    offsets = reader.xref.get(0, {})
    classic = bool(offsets) and not reader.xref_objStm and set(reader.xref) <= {0, 65535}
    if not classic:
        yield from _pypdf_split(reader, ranges)
        return
    splitter = _Splitter(data, reader, offsets)
    for page_range in ranges:
        yield splitter.letter(page_range.first_page, page_range.page_count)
