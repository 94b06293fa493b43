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
import logging
import posixpath
import re
import time
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Final, cast
from xml.etree import ElementTree as ET

from microcrm.text import short_date, short_datetime

if TYPE_CHECKING:
    from lxml import etree  # type: ignore[import-untyped]
    from pypdf import PageObject

Source = Path | bytes
MAX_TEXT: Final = 2_000_000
"""Characters kept per document: beyond, the text is cut (a 1,000-page report indexes its start)."""
MAX_PDF_PAGES: Final = 2000
MAX_CELLS: Final = 400_000
"""Spreadsheet cells read at most."""
MAX_XML_PART: Final = 20_000_000
"""Bytes of one XML part of a presentation read at most (a bigger slide is skipped)."""
NOTE_PASSWORD: Final = "fichier protégé par mot de passe"
"""A file that opens only with a password the GED does not know (PDF, Office)."""

#: Loggers of the reader libraries: they log each oddity of a malformed file (pypdf one line
#: per broken object). A file they cannot read becomes a note; their logs would only reach
#: the user's console.
_LIBRARY_LOGGERS: Final = ("pypdf", "pdfminer", "extract_msg", "olefile", "RTFDE")
_quiet = False


def quiet_libraries() -> None:
    """Silence the reader libraries' logging and warnings (idempotent, cheap)."""
    global _quiet  # noqa: PLW0603 - once per process
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if not _quiet:
        _quiet = True
        pattern = "|".join(_LIBRARY_LOGGERS)
        warnings.filterwarnings("ignore", module=rf"({pattern})(\.|$)")


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
NOTE_SCAN: Final = "PDF sans couche texte (image scannée)"
NOTE_PDF_DAMAGED: Final = "PDF illisible ou endommagé"
NOTE_PDF_CIPHER: Final = "PDF chiffré : texte non lisible sans mot de passe"
"""An encryption neither reader supports (a certificate, a DRM): no password would help us."""
PDF_FALLBACK_SECONDS: Final = 20.0
"""Time the second PDF reader may spend: it stops at the next page and keeps what it read."""


@dataclass(frozen=True)
class _PdfPass:
    """What one PDF reader found: the text of the pages it read."""

    text: str
    pages: int
    scan: bool = False
    """Every page read draws an image and has no text: a scan, not worth a second reader."""


class _PdfFailure(Exception):  # noqa: N818 - carries a note, like Unreadable
    """One reader could not read the PDF; the other may still."""

    @property
    def note(self) -> str:
        return str(self.args[0])


def _enough_text(found: _PdfPass) -> bool:
    visible = sum(1 for ch in found.text if not ch.isspace())
    return visible >= _MIN_CHARS_PER_PAGE * max(1, min(found.pages, 3))


def read_pdf(src: Source) -> str:
    """The text layer of a PDF; a scan or a locked file is :class:`Unreadable`.

    pypdf reads it first. When pypdf fails on a damaged file, or finds no text
    in pages that are not scans, pdfminer.six reads it again: the two parse
    damaged files differently (pdfminer finds pages whose tree is broken).
    Encrypted files that open without a password (an owner password only,
    AES included) are decrypted with the empty password.
    """
    quiet_libraries()
    failure = NOTE_PDF_DAMAGED
    first: _PdfPass | None = None
    try:
        first = _pdf_with_pypdf(src)
    except _PdfFailure as exc:
        failure = exc.note
    else:
        if _enough_text(first):
            return first.text
        if first.scan:
            raise Unreadable(NOTE_SCAN)
    try:
        second = _pdf_with_pdfminer(src)
    except _PdfFailure as exc:
        raise Unreadable(NOTE_SCAN if first is not None else failure) from exc
    if _enough_text(second):
        return second.text
    raise Unreadable(NOTE_SCAN if first is not None or second.pages else failure)


def _pdf_with_pypdf(src: Source) -> _PdfPass:
    """The text of the pages, by pypdf (stops at :data:`MAX_PDF_PAGES` or :data:`MAX_TEXT`)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    pages: list[str] = []
    size = 0
    images = True
    encrypted = False
    try:
        with open_source(src) as fh:
            reader = PdfReader(fh)
            encrypted = reader.is_encrypted
            if encrypted and not reader.decrypt(""):
                raise Unreadable(NOTE_PASSWORD)
            for number, page in enumerate(reader.pages):
                if number >= MAX_PDF_PAGES or size > MAX_TEXT:
                    break
                text = (page.extract_text() or "").strip()
                pages.append(text)
                size += len(text)
                images = images and _draws_image(page)
    except FileNotDecryptedError as exc:
        raise Unreadable(NOTE_PASSWORD) from exc
    except Unreadable:
        raise
    except DependencyError as exc:  # pypdf's own AES code needs the cryptography package
        raise _PdfFailure(NOTE_PDF_CIPHER) from exc
    except NotImplementedError as exc:  # an encryption handler pypdf does not know
        raise _PdfFailure(NOTE_PDF_CIPHER if encrypted else NOTE_PDF_DAMAGED) from exc
    except Exception as exc:  # a damaged file makes pypdf raise about anything
        raise _PdfFailure(NOTE_PDF_DAMAGED) from exc
    return _PdfPass("\n\n".join(pages), len(pages), scan=images and bool(pages))


def _draws_image(page: PageObject) -> bool:
    """Whether the page's resources hold an image XObject (what a scanner produces)."""
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        table = xobjects.get_object()
        return any(table[key].get_object().get("/Subtype") == "/Image" for key in table)
    except Exception:  # a broken resource is no image
        return False


def _pdf_with_pdfminer(src: Source) -> _PdfPass:
    """The text of the pages, by pdfminer.six: the second reader, bounded like the first.

    At most :data:`MAX_PDF_PAGES` pages and :data:`MAX_TEXT` characters, and it
    stops after :data:`PDF_FALLBACK_SECONDS` (the worker's time limit still
    covers one page that never ends).
    """
    try:
        from pdfminer.converter import TextConverter
        from pdfminer.layout import LAParams
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
    except ImportError as exc:  # a broken installation: the first reader's verdict stands
        raise _PdfFailure(NOTE_PDF_DAMAGED) from exc

    out = io.StringIO()
    pages = 0
    deadline = time.monotonic() + PDF_FALLBACK_SECONDS
    try:
        with open_source(src) as fh:
            manager = PDFResourceManager(caching=True)
            device = TextConverter(manager, out, laparams=LAParams())
            interpreter = PDFPageInterpreter(manager, device)
            pages_of = PDFPage.get_pages(cast(BinaryIO, fh), maxpages=MAX_PDF_PAGES, password="")
            for page in pages_of:
                interpreter.process_page(page)
                pages += 1
                if out.tell() > MAX_TEXT or time.monotonic() > deadline:
                    break
            device.close()
    except PDFPasswordIncorrect as exc:
        raise Unreadable(NOTE_PASSWORD) from exc
    except PDFEncryptionError as exc:
        raise _PdfFailure(NOTE_PDF_CIPHER) from exc
    except Exception as exc:  # pdfminer too raises about anything on a damaged file
        raise _PdfFailure(NOTE_PDF_DAMAGED) from exc
    text = "\n\n".join(part.strip() for part in out.getvalue().split("\f"))
    return _PdfPass(text.strip(), pages)


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


# -- PowerPoint ------------------------------------------------------------------------------

_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_A_P = f"{{{_A_NS}}}p"
_A_TR = f"{{{_A_NS}}}tr"
_A_TC = f"{{{_A_NS}}}tc"
_A_T = f"{{{_A_NS}}}t"
_A_BR = f"{{{_A_NS}}}br"
_SLIDE_NAME = re.compile(r"ppt/slides/slide(\d+)\.xml")
NOTE_PPTX_DAMAGED: Final = "présentation PowerPoint illisible ou endommagée"


def _package_xml(pkg: zipfile.ZipFile, name: str) -> etree._Element | None:
    """One XML part of a package (None: absent or over :data:`MAX_XML_PART`).

    Parsed like defusedxml would: no DTD (refused), no entity expansion, no
    network, libxml2's default size and depth limits (``huge_tree`` off).
    """
    from lxml import etree

    try:
        info = pkg.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_PART:
        return None
    with pkg.open(info) as fh:
        data = fh.read(MAX_XML_PART + 1)  # the size in the ZIP header may lie
    if len(data) > MAX_XML_PART:
        return None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = etree.fromstring(data, parser)
    if root.getroottree().docinfo.doctype:
        raise Unreadable(NOTE_PPTX_DAMAGED)  # Office never writes a DTD: a hostile file
    return root


def _relations(pkg: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of the internal relationships of ``part``."""
    folder, base = posixpath.split(part)
    rels = _package_xml(pkg, posixpath.join(folder, "_rels", f"{base}.rels"))
    if rels is None:
        return []
    found = []
    for rel in rels.iter(f"{{{_RELS_NS}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        name = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        found.append((rel.get("Id") or "", rel.get("Type") or "", posixpath.normpath(name)))
    return found


def _slide_parts(pkg: zipfile.ZipFile) -> list[str]:
    """The slides in the presentation's order (by their number if that order is lost)."""
    presentation = _package_xml(pkg, "ppt/presentation.xml")
    targets = {rid: name for rid, _kind, name in _relations(pkg, "ppt/presentation.xml")}
    names: list[str] = []
    if presentation is not None:
        for slide in presentation.iter(f"{{{_P_NS}}}sldId"):
            name = targets.get(slide.get(f"{{{_R_NS}}}id") or "")
            if name and name not in names:
                names.append(name)
    if not names:
        numbered = (m for m in map(_SLIDE_NAME.fullmatch, pkg.namelist()) if m)
        names = [m.group(0) for m in sorted(numbered, key=lambda m: int(m.group(1)))]
    return names


def _drawing_blocks(elem: etree._Element) -> Iterator[str]:
    """DrawingML paragraphs and table rows (cells joined by tabs) under ``elem``, in order."""
    for child in elem:
        if child.tag == _A_P:
            runs = child.iter(_A_T, _A_BR)
            yield "".join("\n" if run.tag == _A_BR else (run.text or "") for run in runs)
        elif child.tag == _A_TR:
            cells = (" ".join(_drawing_blocks(cell)) for cell in child if cell.tag == _A_TC)
            row = "\t".join(c.strip() for c in cells if c.strip())
            if row:
                yield row
        else:
            yield from _drawing_blocks(child)


def _notes_blocks(notes: etree._Element) -> Iterator[str]:
    """The speaker notes: the body placeholder of a notes page (not its slide number)."""
    for shape in notes.iter(f"{{{_P_NS}}}sp"):
        placeholder = shape.find(f"{{{_P_NS}}}nvSpPr/{{{_P_NS}}}nvPr/{{{_P_NS}}}ph")
        if placeholder is not None and placeholder.get("type") == "body":
            yield from _drawing_blocks(shape)


def read_pptx(src: Source) -> str:
    """A PowerPoint presentation: each slide's text (shapes, groups, tables, SmartArt), notes.

    Read from the slide XML itself (no layout or master placeholders such as
    « Cliquez pour modifier le style du titre »); each slide with text starts
    with a ``Diapositive N`` line.
    """
    lines: list[str] = []
    size = 0
    try:
        with zipfile.ZipFile(open_source(src)) as pkg:
            for number, name in enumerate(_slide_parts(pkg), start=1):
                slide = _package_xml(pkg, name)
                if slide is None:
                    continue
                found = list(_drawing_blocks(slide))
                for _rid, kind, part in _relations(pkg, name):
                    extra = (
                        _package_xml(pkg, part)
                        if kind.endswith(("/notesSlide", "/diagramData"))
                        else None
                    )
                    if extra is not None:
                        notes = kind.endswith("/notesSlide")
                        found.extend(_notes_blocks(extra) if notes else _drawing_blocks(extra))
                found = [line for line in found if line.strip()]
                if found:
                    lines.append(f"Diapositive {number}")
                    lines.extend(found)
                    size += sum(len(line) for line in found)
                if size > MAX_TEXT:
                    break
    except Unreadable:
        raise
    except Exception as exc:  # zip, zlib and lxml errors of a damaged package
        raise Unreadable(NOTE_PPTX_DAMAGED) from exc
    return "\n".join(lines)


# -- OpenDocument ----------------------------------------------------------------------------

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_PRESENTATION_NS = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_PARAS = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}
#: A presentation's footer, header and date texts, declared once and shown on the slides.
_DECLS = {f"{{{_PRESENTATION_NS}}}{k}-decl" for k in ("footer", "header", "date-time")}
#: Fields of page styles and slide masters. There they hold placeholders ("<number>",
#: "???"): their values are computed on each page.
_STYLE_FIELDS = frozenset(
    [
        f"{{{_TEXT_NS}}}{k}"
        for k in ("page-number", "page-count", "date", "time", "sheet-name", "title", "file-name")
    ]
    + [f"{{{_PRESENTATION_NS}}}{k}" for k in ("date-time", "footer", "header")]
)
#: Page headers and footers of a page style (left: even pages; first: the first page).
_HEADERS_FOOTERS = tuple(
    f"{{{_STYLE_NS}}}{part}{side}"
    for part in ("header", "footer")
    for side in ("", "-left", "-first")
)


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
        elif child.tag in _DECLS:
            yield child.text or ""
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


def _style_blocks(part: ET.Element) -> Iterator[str]:
    """The text of a page header, footer or master frame, without its placeholder fields."""
    for field in [e for e in part.iter() if e.tag in _STYLE_FIELDS]:
        field.text = ""
        del field[:]
    for line in _odf_blocks(part):
        if any(ch.isalnum() for ch in line):  # not what is left of "??? (???)"
            yield line.strip()


def _styles_text(styles: ET.Element) -> Iterator[str]:
    """Page headers and footers, then what slide masters draw (a company name, a footer).

    Of the masters, only frames drawn on them: not the placeholders of the
    slides' titles and outlines.
    """
    for part in styles.iter():
        if part.tag in _HEADERS_FOOTERS:
            yield from _style_blocks(part)
    placeholder = f"{{{_PRESENTATION_NS}}}placeholder"
    for master in styles.iter(f"{{{_STYLE_NS}}}master-page"):
        for frame in master.findall(f"{{{_DRAW_NS}}}frame"):
            if frame.get(placeholder) != "true":
                yield from _style_blocks(frame)


def read_odf(src: Source) -> str:
    """An OpenDocument text, spreadsheet or presentation (``content.xml``).

    Then page headers and footers, and the text drawn on slide masters.
    """
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
        lines.extend(_styles_text(styles))
    return "\n".join(line for line in lines if line.strip())
