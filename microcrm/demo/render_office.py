"""Render demo documents as ODT, XLSX, RTF, HTML and CSV (the formats besides PDF/DOCX/TXT/EML).

Same approach as :mod:`microcrm.demo.render`: constant package parts are
built once, each document only writes its own XML, so the 100,000-document
demo stays fast. The files are real: LibreOffice, Excel and openpyxl open
them, and :mod:`microcrm.ged.extract` reads them back (tested).
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from microcrm.demo.texts import DocContent

MIME_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rtf": "application/rtf",
    "html": "text/html",
    "csv": "text/csv",
}
_STAMP = (2024, 1, 1, 0, 0, 0)


def _letterhead(c: DocContent) -> list[str]:
    """Sender, recipient and place/date blocks (a note has none, as in the TXT rendering)."""
    if c.kind == "note":
        return []
    s, rec = c.sender, c.recipient
    lines = [s.name, *s.lines, f"Tél. {s.phone}", f"SIRET {s.siret}", "", rec.name]
    if rec.contact:
        lines.append(f"À l'attention de {rec.contact}")
    return [*lines, *rec.lines, "", c.place_date]


def _body(c: DocContent) -> tuple[list[str], list[str]]:
    """Paragraphs before and after the priced table."""
    head = [f"Objet : {c.subject}"] if c.subject != c.title else []
    tail = [*c.paragraphs[1:], *(p for p in (c.closing, c.signature) if p)]
    return [*head, *c.paragraphs[:1]], tail


def _table_rows(c: DocContent) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("Désignation", "Qté", "P.U. HT", "Total HT")]
    rows += list(c.table)
    rows += [(label, "", "", value) for label, value in c.totals]
    return rows


# -- ODT -------------------------------------------------------------------------------------

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)
_ODF_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
    'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    + "".join(
        f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>'
        for n in ("content.xml", "styles.xml", "meta.xml")
    )
    + "</manifest:manifest>"
)


def _odf_p(text: str, style: str = "") -> str:
    attr = f" text:style-name={quoteattr(style)}" if style else ""
    return f"<text:p{attr}>{escape(text)}</text:p>"


def render_odt(c: DocContent) -> bytes:
    """An OpenDocument text: letterhead, title, body, priced table, footer with the SIRET."""
    before, after = _body(c)
    parts = [_odf_p(line) for line in _letterhead(c)]
    parts.append(f'<text:h text:outline-level="1">{escape(c.title)}</text:h>')
    parts += [_odf_p(p) for p in before]
    if c.table:
        rows = "".join(
            "<table:table-row>"
            + "".join(
                f'<table:table-cell office:value-type="string">{_odf_p(cell)}</table:table-cell>'
                for cell in row
            )
            + "</table:table-row>"
            for row in _table_rows(c)
        )
        parts.append(
            '<table:table table:name="Lignes"><table:table-column '
            f'table:number-columns-repeated="4"/>{rows}</table:table>'
        )
    parts += [_odf_p(p) for p in after]
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODF_NS} '
        f'office:version="1.3"><office:body><office:text>{"".join(parts)}'
        "</office:text></office:body></office:document-content>"
    )
    footer = f"{c.sender.name} – SIRET {c.sender.siret} – www.{c.sender.domain}"
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_ODF_NS} '
        'office:version="1.3"><office:master-styles><style:master-page '
        'style:name="Standard"><style:footer>'
        f"{_odf_p(footer)}</style:footer></style:master-page></office:master-styles>"
        "</office:document-styles>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_ODF_NS} '
        f'office:version="1.3"><office:meta><dc:title>{escape(c.title)}</dc:title>'
        f"<dc:subject>{escape(c.subject)}</dc:subject>"
        f"<meta:creation-date>{c.doc_date.isoformat()}T09:00:00</meta:creation-date>"
        "</office:meta></office:document-meta>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as pkg:
        # The ODF rule: "mimetype" first and stored, so tools can sniff the type.
        pkg.writestr(
            zipfile.ZipInfo("mimetype", _STAMP), MIME_TYPES["odt"], compress_type=zipfile.ZIP_STORED
        )
        for name, data in (
            ("content.xml", content),
            ("styles.xml", styles),
            ("meta.xml", meta),
            ("META-INF/manifest.xml", _ODF_MANIFEST),
        ):
            pkg.writestr(
                zipfile.ZipInfo(name, _STAMP),
                data.encode("utf-8"),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buf.getvalue()


# -- XLSX ------------------------------------------------------------------------------------


@cache
def _xlsx_template() -> bytes:
    """The empty workbook package of openpyxl, without its sheet and core properties."""
    import openpyxl

    src_buf = io.BytesIO()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Document"
    book.save(src_buf)
    out = io.BytesIO()
    with zipfile.ZipFile(src_buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in ("xl/worksheets/sheet1.xml", "docProps/core.xml"):
                continue
            dst.writestr(
                zipfile.ZipInfo(info.filename, _STAMP),
                src.read(info.filename),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def _column(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def xlsx_rows(c: DocContent) -> list[tuple[str, ...]]:
    """The rows of the spreadsheet version of a document (also its sidecar text)."""
    rows: list[tuple[str, ...]] = [
        (c.title,),
        (c.recipient.name, c.recipient.city),
        (c.place_date,),
        (),
    ]
    rows += _table_rows(c) if c.table else [(p,) for p in c.paragraphs]
    rows += [(), (c.sender.name, f"SIRET {c.sender.siret}")]
    return rows


def render_xlsx(c: DocContent) -> bytes:
    """An Excel workbook: the document's header, its priced lines and totals (inline strings)."""
    xml_rows = []
    for r, row in enumerate(xlsx_rows(c), start=1):
        cells = "".join(
            f'<c r="{_column(i)}{r}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}'
            "</t></is></c>"
            for i, v in enumerate(row)
            if v
        )
        xml_rows.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{''.join(xml_rows)}</sheetData></worksheet>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(c.title)}</dc:title><dc:creator>{escape(c.signature)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{c.doc_date.isoformat()}T09:00:00Z'
        "</dcterms:created></cp:coreProperties>"
    )
    buf = io.BytesIO(_xlsx_template())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as pkg:
        pkg.writestr(
            zipfile.ZipInfo("xl/worksheets/sheet1.xml", _STAMP),
            sheet.encode("utf-8"),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        pkg.writestr(
            zipfile.ZipInfo("docProps/core.xml", _STAMP),
            core.encode("utf-8"),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buf.getvalue()


# -- RTF, HTML, CSV --------------------------------------------------------------------------


def _rtf_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        else:
            try:
                out.append(f"\\'{ch.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                out.append(f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?")
    return "".join(out)


def render_rtf(c: DocContent) -> bytes:
    """A WordPad-style RTF (code page 1252, accents escaped)."""
    before, after = _body(c)
    lines = [*_letterhead(c), ""]
    body = [f"\\pard {_rtf_escape(line)}\\par" for line in lines]
    body.append(f"\\pard\\b\\fs28 {_rtf_escape(c.title)}\\b0\\fs20\\par")
    body += [f"\\pard {_rtf_escape(p)}\\par" for p in before]
    body += [
        f"\\pard {_rtf_escape(' ; '.join(row))}\\par" for row in (_table_rows(c) if c.table else [])
    ]
    body += [f"\\pard {_rtf_escape(p)}\\par" for p in after]
    doc = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
        "\\viewkind4\\uc1\\f0\\fs20\n" + "\n".join(body) + "\n}"
    )
    return doc.encode("ascii")


def render_html(c: DocContent) -> bytes:
    """A saved web page (UTF-8), as a meeting report or note exported from a webmail or wiki."""
    before, after = _body(c)
    head = "".join(f"<div>{escape(line)}</div>" for line in _letterhead(c) if line)
    table = ""
    if c.table:
        table = (
            "<table>"
            + "".join(
                "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
                for row in _table_rows(c)
            )
            + "</table>"
        )
    body = (
        "".join(f"<p>{escape(p)}</p>" for p in before)
        + table
        + "".join(f"<p>{escape(p)}</p>" for p in after)
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(c.title)}</title><style>body{{font-family:sans-serif}}</style>"
        f"</head><body><header>{head}</header><h1>{escape(c.title)}</h1>{body}</body></html>"
    )
    return page.encode("utf-8")


def csv_text(c: DocContent) -> str:
    """The CSV export of a document's lines (also its sidecar text)."""
    rows = [(c.title, c.recipient.name, c.place_date), *_table_rows(c)]
    if not c.table:
        rows += [(p,) for p in c.paragraphs]
    return "\r\n".join(";".join(cell.replace(";", ",") for cell in row) for row in rows) + "\r\n"


def render_csv(c: DocContent) -> bytes:
    """A semicolon CSV in Windows-1252, as French Excel exports it."""
    return csv_text(c).encode("cp1252", errors="replace")
