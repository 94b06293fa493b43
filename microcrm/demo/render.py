"""Render a :class:`~microcrm.demo.texts.DocContent` as PDF, DOCX, TXT or EML bytes.

(ODT, XLSX, RTF, HTML and CSV are in :mod:`microcrm.demo.render_office`.)

Built for volume (the GED benchmark files 100,000 documents): the PDF is
one page drawn straight on a reportlab canvas with the bundled Vera font,
registered once and embedded (accents, œ, €); bold is simulated with the
fill-and-stroke text mode so only one font subset is embedded. The DOCX
reuses a python-docx package whose constant parts are compressed once;
each document only adds its ``document.xml`` and ``core.xml``. Output is
deterministic (reportlab ``invariant``, fixed zip timestamps).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import io
import re
import zipfile
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from microcrm.demo.texts import DocContent

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.pdfgen.textobject import PDFTextObject

MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
    "eml": "message/rfc822",
}
_FONT = "MicroCRMVera"
_QP_UTF8 = Charset("utf-8")
_QP_UTF8.body_encoding = QP
_PAGE_W, _PAGE_H = 595.27, 841.89  # A4 in points
_LEFT, _RIGHT, _BOTTOM = 56.0, 539.0, 70.0
_WRAP, _LEADING, _GAP = 96, 13.0, 4.0  # body text: characters per line, line and paragraph gap


@cache
def _pdf_font() -> str:
    """Register reportlab's bundled Vera once per process (cached glyph metrics)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(path)))
    return _FONT


def render(content: DocContent) -> tuple[bytes, str]:
    """The file's bytes and MIME type, in the format ``content.fmt``."""
    from microcrm.demo import render_office as office

    renderer = {"pdf": render_pdf, "docx": render_docx, "txt": render_txt, "eml": render_eml,
                "odt": office.render_odt, "xlsx": office.render_xlsx, "rtf": office.render_rtf,
                "html": office.render_html, "csv": office.render_csv}
    mime = MIME_TYPES.get(content.fmt) or office.MIME_TYPES[content.fmt]
    return renderer[content.fmt](content), mime


def _recipient_block(c: DocContent) -> list[str]:
    rec = c.recipient
    block = [rec.name]
    if rec.contact:
        block.append(f"À l'attention de {rec.contact}")
    return block + list(rec.lines)


def _sender_block(c: DocContent) -> list[str]:
    s = c.sender
    return [s.name, *s.lines, f"Tél. {s.phone}", f"SIRET {s.siret}"]


def render_txt(c: DocContent) -> bytes:
    """Plain UTF-8 text: a note or meeting minutes as typed in a text editor."""
    out = [c.title, "=" * min(len(c.title), 70), ""]
    if c.kind != "note":
        out += [*_sender_block(c), "", *_recipient_block(c), "", c.place_date, ""]
    out += ["\n".join(wrap(p, 78)) for p in c.paragraphs]
    out += _table_text(c)
    if c.closing:
        out += ["", c.closing]
    out += ["", c.signature, ""]
    return "\n".join(out).encode("utf-8")


def _table_text(c: DocContent) -> list[str]:
    if not c.table:
        return []
    out = ["", f"{'Désignation':<52} {'Qté':>4} {'P.U. HT':>12} {'Total HT':>12}"]
    out += [f"{d[:52]:<52} {q:>4} {u:>12} {t:>12}" for d, q, u, t in c.table]
    out += [f"{label:>69} {value:>12}" for label, value in c.totals]
    return out


def render_pdf(c: DocContent) -> bytes:
    """A one-page A4 PDF with an embedded TrueType font (text extractable by pypdf)."""
    from reportlab import rl_config
    from reportlab.pdfgen import canvas

    font = _pdf_font()
    buf = io.BytesIO()
    # Binary (not ASCII85) streams: smaller and faster; reportlab reads this global at save.
    rl_config.useA85 = 0
    pdf = canvas.Canvas(buf, pagesize=(_PAGE_W, _PAGE_H), invariant=1, pageCompression=1)
    pdf.setTitle(c.title)
    pdf.setAuthor(c.signature or c.sender.name)
    pdf.setSubject(c.subject)
    pdf.setCreator("MicroCRM (données de démonstration)")
    pdf.setLineWidth(0.35)
    head = pdf.beginText(_LEFT, _PAGE_H - 60)
    _bold_line(head, font, 12, c.sender.name)
    head.setFont(font, 8.5, 11)
    for line in _sender_block(c)[1:]:
        head.textLine(line)
    pdf.drawText(head)
    block = pdf.beginText(320, _PAGE_H - 150)
    block.setFont(font, 10, 13)
    for line in _recipient_block(c):
        block.textLine(line)
    pdf.drawText(block)
    pdf.setFont(font, 9.5)
    pdf.drawRightString(_RIGHT, _PAGE_H - 250, c.place_date)
    body = pdf.beginText(_LEFT, _PAGE_H - 285)
    _bold_line(body, font, 13, c.title, leading=18)
    if c.subject != c.title:
        _bold_line(body, font, 9.5, f"Objet : {c.subject}")
    body.setFont(font, 9.5, _LEADING)
    body.setTextOrigin(_LEFT, body.getY() - 6)
    _wrap_into(body, c.paragraphs[:1])
    pdf.drawText(body)
    y = _draw_table(pdf, c, body.getY() - 8) if c.table else body.getY()
    rest = pdf.beginText(_LEFT, y - 10)
    rest.setFont(font, 9.5, _LEADING)
    _wrap_into(rest, _fit(c.paragraphs[1:], [c.closing, c.signature], y - 10 - _BOTTOM))
    pdf.drawText(rest)
    pdf.setFont(font, 7)
    pdf.drawCentredString(_PAGE_W / 2, 30, f"{c.sender.name} – SIRET {c.sender.siret} – "
                                           f"{c.sender.phone} – www.{c.sender.domain}")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _bold_line(text: PDFTextObject, font: str, size: float, line: str,
               leading: float | None = None) -> None:
    """One line in simulated bold (fill + stroke), so no bold font is embedded."""
    text.setFont(font, size, leading or size * 1.35)
    text.setTextRenderMode(2)
    text.textLine(line)
    text.setTextRenderMode(0)


@lru_cache(maxsize=4096)
def wrap(text: str, width: int) -> tuple[str, ...]:
    """Greedy word wrap (several times faster than :mod:`textwrap`, which showed in profiles)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return tuple(lines)


def _fit(body: list[str], tail: list[str], height: float) -> list[str]:
    """``body`` + ``tail``, dropping body paragraphs from the end until it fits ``height``.

    Keeps the document on one page without cutting the closing and signature.
    """
    def lines(paragraph: str) -> int:
        return len(wrap(paragraph, _WRAP)) or 1

    kept = list(body)
    need = sum(lines(p) * _LEADING + _GAP for p in kept + tail)
    while kept and need > height:
        need -= lines(kept.pop()) * _LEADING + _GAP
    return kept + tail


def _wrap_into(text: PDFTextObject, paragraphs: list[str]) -> None:
    """Wrap paragraphs into ``text`` while the page has room; the rest is left out."""
    for paragraph in paragraphs:
        for line in wrap(paragraph, _WRAP) or ("",):
            if text.getY() < _BOTTOM:
                return
            text.textLine(line)
        text.setTextOrigin(_LEFT, text.getY() - _GAP)  # moveCursor would desync getY()


def _draw_table(pdf: Canvas, c: DocContent, y: float) -> float:
    """The priced lines and totals of a devis, facture or bon de commande."""
    draw, right = pdf.drawString, pdf.drawRightString
    pdf.setFont(_pdf_font(), 8.5)
    pdf.line(_LEFT, y + 10, _RIGHT, y + 10)
    draw(_LEFT, y, "Désignation")
    for x, label in ((390, "Qté"), (465, "P.U. HT"), (_RIGHT, "Total HT")):
        right(x, y, label)
    y -= 14
    for designation, qty, unit, total in c.table:
        for i, part in enumerate(wrap(designation, 62)):
            draw(_LEFT, y, part)
            if i == 0:
                right(390, y, qty)
                right(465, y, unit)
                right(_RIGHT, y, total)
            y -= 11
        y -= 2
    pdf.line(_LEFT, y + 8, _RIGHT, y + 8)
    y -= 6
    for label, value in c.totals:
        right(465, y, label)
        right(_RIGHT, y, value)
        y -= 12
    return y


# --- DOCX -----------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SECT = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" '
         'w:bottom="1134" w:left="1418" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>')


@cache
def _docx_template() -> bytes:
    """python-docx's default package without its body, core properties and thumbnail."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename
            if name in ("word/document.xml", "docProps/core.xml", "docProps/thumbnail.jpeg"):
                continue
            data = src.read(name)
            if name == "_rels/.rels":
                text = re.sub(r"<Relationship [^>]*thumbnail[^>]*/>", "", data.decode("utf-8"))
                data = text.encode("utf-8")
            dst.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _para(text: str, *, style: str = "", bold: bool = False, align: str = "",
          indent: int = 0) -> str:
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if align:
        props += f'<w:jc w:val="{align}"/>'
    if indent:
        props += f'<w:ind w:left="{indent}"/>'
    run_props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return (f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}<w:r>{run_props}"
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')


def _docx_table(c: DocContent) -> str:
    def row(cells: tuple[str, ...], bold: bool = False) -> str:
        return "<w:tr>" + "".join(
            f"<w:tc>{_para(cell, bold=bold, align='' if i == 0 else 'right')}</w:tc>"
            for i, cell in enumerate(cells)) + "</w:tr>"

    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in (5200, 800, 1600, 1700))
    rows = [row(("Désignation", "Qté", "P.U. HT", "Total HT"), bold=True)]
    rows += [row(line) for line in c.table]
    rows += [row((label, "", "", value), bold=label == "Total TTC") for label, value in c.totals]
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def render_docx(c: DocContent) -> bytes:
    """A Word document (python-docx's package and styles) with the content as body."""
    parts = [_para(c.sender.name, bold=True)]
    parts += [_para(line) for line in _sender_block(c)[1:]]
    parts += [_para(line, indent=5000) for line in _recipient_block(c)]
    parts += [_para(c.place_date, align="right"), _para(c.title, style="Heading1")]
    if c.subject != c.title:
        parts.append(_para(f"Objet : {c.subject}", bold=True))
    parts += [_para(p) for p in c.paragraphs[:1]]
    if c.table:
        parts.append(_docx_table(c))
    parts += [_para(p) for p in c.paragraphs[1:]]
    parts += [_para(p) for p in (c.closing, c.signature) if p]
    body = "".join(parts)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<w:document xmlns:w="{_W}"><w:body>{body}{_SECT}</w:body></w:document>')
    stamp = f"{c.doc_date.isoformat()}T09:00:00Z"
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(c.title)}</dc:title><dc:subject>{escape(c.subject)}</dc:subject>"
        f"<dc:creator>{escape(c.signature or c.sender.name)}</dc:creator><cp:revision>1"
        f'</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    when = (c.doc_date.year, c.doc_date.month, c.doc_date.day, 9, 0, 0)
    buf = io.BytesIO(_docx_template())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as pkg:
        pkg.writestr(zipfile.ZipInfo("word/document.xml", when), document.encode("utf-8"),
                     compress_type=zipfile.ZIP_DEFLATED)
        pkg.writestr(zipfile.ZipInfo("docProps/core.xml", when), core.encode("utf-8"),
                     compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def render_eml(c: DocContent) -> bytes:
    """An RFC 5322 message with a text body and a small CSV attachment.

    Built with the ``compat32`` MIME classes: several times faster than
    ``EmailMessage`` with the modern header policy, same bytes on the wire.
    """
    domain = c.email_from.rsplit("@", 1)[-1].rstrip(">")
    token = hashlib.sha1(f"{c.recipient.organisation_id}|{c.title}|{c.paragraphs}".encode())
    body = _text_part("\n\n".join([*c.paragraphs, c.signature, c.quote]).strip() + "\n",
                      "plain")
    msg: Message = body
    if c.attachment:
        name, data = c.attachment
        msg = MIMEMultipart(boundary=f"=_{token.hexdigest()[16:40]}")  # deterministic bytes
        msg.attach(body)
        part = _text_part(data, "csv")
        part.add_header("Content-Disposition", "attachment", filename=name)
        msg.attach(part)
    msg["From"] = _address_header(c.email_from)
    msg["To"] = _address_header(c.email_to)
    msg["Subject"] = Header(c.subject, "utf-8").encode()
    when = dt.datetime.combine(c.doc_date, dt.time(10, 30), dt.timezone(dt.timedelta(hours=1)))
    msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = f"<{c.doc_date:%Y%m%d}.{token.hexdigest()[:16]}@{domain}>"
    return msg.as_bytes()


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    """A UTF-8 text part in quoted-printable, readable in the raw file as mail clients write it."""
    part = MIMENonMultipart("text", subtype)
    part.set_payload(text, _QP_UTF8)
    return part


def _address_header(value: str) -> str:
    """``Zoé Baron <z.baron@x.fr>`` with the display name RFC 2047-encoded if needed."""
    name, address = email.utils.parseaddr(value)
    return email.utils.formataddr((name, address), charset="utf-8")
