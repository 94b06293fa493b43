"""Text readers of each document format the GED understands (used by :mod:`.extract`).

Each reader takes the file's bytes source (a path or the bytes themselves,
e.g. an e-mail attachment) and returns plain text, or raises
:class:`Unreadable` with the French reason shown to the user. Heavy
libraries are imported inside the readers so that a worker process only
loads what the files it meets need.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Final
from xml.etree import ElementTree as ET

from microcrm.text import short_date, short_datetime

Source = Path | bytes
MAX_TEXT: Final = 2_000_000
"""Characters kept per document: beyond, the text is cut (a 1,000-page report indexes its start)."""
MAX_PDF_PAGES: Final = 2000
MAX_CELLS: Final = 400_000
"""Spreadsheet cells read at most."""


class Unreadable(Exception):  # noqa: N818 - a reason, not a programming error
    """The text of a file cannot be read; ``args[0]`` is the French reason."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


def open_source(src: Source) -> IO[bytes]:
    """A binary stream over ``src``."""
    return src.open("rb") if isinstance(src, Path) else io.BytesIO(src)


def read_bytes(src: Source, limit: int | None = None) -> bytes:
    """The bytes of ``src`` (at most ``limit``)."""
    if isinstance(src, bytes):
        return src if limit is None else src[:limit]
    with src.open("rb") as fh:
        return fh.read() if limit is None else fh.read(limit)


# -- plain text ------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """Bytes of a text file as str: BOM, then strict UTF-8, then Windows-1252 (French Excel)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_plain(src: Source) -> str:
    """TXT, CSV and other plain text (encoding detected)."""
    data = read_bytes(src, MAX_TEXT * 2)
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable("fichier binaire : pas de texte lisible")
    return decode_text(data)


# -- HTML ------------------------------------------------------------------------------------

_BLOCKS: Final = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table td th tr ul title".split()
)
_SKIPPED: Final = frozenset(("script", "style", "noscript", "template", "svg", "head"))


class _TextParser(HTMLParser):
    """Visible text of an HTML page: skips scripts and styles, breaks lines at blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIPPED:
            self._skip += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED and self._skip:
            self._skip -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title or not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML document or fragment."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return parser.text()


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def read_html(src: Source) -> str:
    """An HTML file, decoded with its declared charset (else UTF-8, else Windows-1252)."""
    data = read_bytes(src, MAX_TEXT * 4)
    declared = _META_CHARSET.search(data[:4096])
    text: str | None = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            text = None
    return html_to_text(text if text is not None else decode_text(data))


# -- RTF -------------------------------------------------------------------------------------

_ANSICPG = re.compile(rb"\\ansicpg(\d+)")


def read_rtf(src: Source) -> str:
    """RTF through ``striprtf``, with the code page the file declares (default 1252)."""
    from striprtf.striprtf import rtf_to_text

    data = read_bytes(src)
    page = _ANSICPG.search(data[:2048])
    encoding = f"cp{page.group(1).decode()}" if page else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        text: str = rtf_to_text(  # type: ignore[no-untyped-call]
            data.decode("latin-1"), encoding=encoding, errors="replace"
        )
    except (ValueError, IndexError) as exc:
        raise Unreadable("fichier RTF endommagé") from exc
    return text


# -- PDF -------------------------------------------------------------------------------------

#: Fewer visible characters than this per page means no text layer (a scan).
_MIN_CHARS_PER_PAGE = 8


def read_pdf(src: Source) -> str:
    """The text layer of a PDF; a scan or a locked file is :class:`Unreadable`."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files log warnings per object
    try:
        reader = PdfReader(open_source(src))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise Unreadable("fichier protégé par mot de passe")
            except (DependencyError, NotImplementedError) as exc:
                raise Unreadable("PDF chiffré : texte non lisible sans mot de passe") from exc
        pages = []
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES:
                break
            pages.append(page.extract_text() or "")
    except FileNotDecryptedError as exc:
        raise Unreadable("fichier protégé par mot de passe") from exc
    except Unreadable:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        zipfile.BadZipFile,
        OSError,
    ) as exc:
        raise Unreadable("PDF illisible ou endommagé") from exc
    text = "\n\n".join(p.strip() for p in pages)
    visible = sum(1 for ch in text if not ch.isspace())
    if visible < _MIN_CHARS_PER_PAGE * max(1, min(len(pages), 3)):
        raise Unreadable("PDF sans couche texte (image scannée)")
    return text


# -- Office Open XML -------------------------------------------------------------------------


def read_docx(src: Source) -> str:
    """A Word document: body paragraphs and tables in order, then headers and footers."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def walk(items: Iterator[Paragraph | Table]) -> Iterator[str]:
        for item in items:
            if isinstance(item, Paragraph):
                yield item.text
                continue
            for row in item.rows:
                seen: set[int] = set()
                cells = []
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(walk(cell.iter_inner_content())).strip())
                yield "\t".join(cells)

    try:
        document = docx.Document(open_source(src))
        lines = list(walk(document.iter_inner_content()))
        done: set[int] = set()
        for section in document.sections:
            for part in (
                section.header,
                section.first_page_header,
                section.even_page_header,
                section.footer,
                section.first_page_footer,
                section.even_page_footer,
            ):
                if part.is_linked_to_previous or id(part._element) in done:
                    continue
                done.add(id(part._element))
                lines.extend(walk(part.iter_inner_content()))
    except Exception as exc:  # python-docx raises its own PackageNotFoundError, lxml errors…
        raise Unreadable("document Word illisible ou endommagé") from exc
    return "\n".join(line for line in lines if line.strip())


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime) and value.time() != dt.time():
        return short_datetime(value)
    if isinstance(value, dt.date):  # a datetime at midnight too: its date only
        return short_date(value)
    if isinstance(value, float):
        return (f"{value:.2f}" if value != int(value) else str(int(value))).replace(".", ",")
    return str(value)


def read_xlsx(src: Source) -> str:
    """Every sheet of a workbook (values, not formulas), one line per row."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(open_source(src), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, InvalidFileException, zip errors…
        raise Unreadable("classeur Excel illisible ou endommagé") from exc
    lines: list[str] = []
    cells = 0
    try:
        for sheet in book.worksheets:
            lines.append(f"Feuille : {sheet.title}")
            for row in sheet.iter_rows(values_only=True):
                values = [_cell_text(v) for v in row if v is not None and str(v).strip()]
                cells += len(row)
                if values:
                    lines.append("\t".join(values))
                if cells > MAX_CELLS:
                    break
    except Exception as exc:
        raise Unreadable("classeur Excel illisible ou endommagé") from exc
    finally:
        book.close()
    return "\n".join(lines)


# -- OpenDocument ----------------------------------------------------------------------------

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_PARAS = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}


def _odf_inline(elem: ET.Element) -> str:
    """The text of one paragraph, with ``text:s`` spaces, tabs and line breaks."""
    out = [elem.text or ""]
    for child in elem:
        tag = child.tag
        if tag == f"{{{_TEXT_NS}}}s":
            out.append(" " * int(child.get(f"{{{_TEXT_NS}}}c", "1")))
        elif tag == f"{{{_TEXT_NS}}}tab":
            out.append("\t")
        elif tag == f"{{{_TEXT_NS}}}line-break":
            out.append("\n")
        elif tag == f"{{{_TEXT_NS}}}note":
            out.append(" " + " ".join(_odf_blocks(child)) + " ")
        else:
            out.append(_odf_inline(child))
        out.append(child.tail or "")
    return "".join(out)


def _odf_blocks(elem: ET.Element) -> Iterator[str]:
    """Paragraphs and table rows under ``elem``, in document order."""
    for child in elem:
        if child.tag in _PARAS:
            yield _odf_inline(child)
        elif child.tag == f"{{{_TABLE_NS}}}table-row":
            cells = [
                " ".join(_odf_blocks(cell))
                for cell in child
                if cell.tag == f"{{{_TABLE_NS}}}table-cell"
            ]
            row = "\t".join(c for c in cells if c.strip())
            if row:
                yield row
        else:
            yield from _odf_blocks(child)


def read_odf(src: Source) -> str:
    """An OpenDocument text (or spreadsheet): ``content.xml``, then page headers and footers."""
    try:
        with zipfile.ZipFile(open_source(src)) as pkg:
            content = ET.fromstring(pkg.read("content.xml"))
            styles = (
                ET.fromstring(pkg.read("styles.xml")) if "styles.xml" in pkg.namelist() else None
            )
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError) as exc:
        raise Unreadable("document OpenDocument illisible ou endommagé") from exc
    lines = list(_odf_blocks(content))
    if styles is not None:
        for tag in ("header", "footer"):
            for part in styles.iter(f"{{{_STYLE_NS}}}{tag}"):
                lines.extend(_odf_blocks(part))
    return "\n".join(line for line in lines if line.strip())
