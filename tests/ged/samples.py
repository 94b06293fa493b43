"""Real documents of every format the GED reads, written with the libraries users' tools use."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

ACCENTS = "Société Générale à Épinal : reçu 1 250,00 € pour l'œuvre élevée"


def make_pdf(path: Path, lines: list[str], *, title: str = "") -> Path:
    """A PDF with a text layer (reportlab, embedded TrueType font for accents and €)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    if "TestVera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestVera", str(font)))
    pdf = canvas.Canvas(str(path))
    if title:
        pdf.setTitle(title)
    text = pdf.beginText(50, 800)
    text.setFont("TestVera", 11)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return path


def pdf_bytes(lines: list[str]) -> bytes:
    buf = io.BytesIO()
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    if "TestVera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("TestVera", str(font)))
    pdf = canvas.Canvas(buf)
    text = pdf.beginText(50, 800)
    text.setFont("TestVera", 11)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only a picture (a scan): no text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    # A tiny grey PNG drawn as an image: what a scanner produces, without any text operator.
    png = _grey_png(40, 20)
    pdf = canvas.Canvas(str(path))
    pdf.drawImage(ImageReader(io.BytesIO(png)), 50, 500, width=400, height=200)
    pdf.showPage()
    pdf.save()
    return path


def _grey_png(width: int, height: int) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_encrypted_pdf(path: Path, lines: list[str]) -> Path:
    """A PDF locked with a user password (RC4, pypdf's pure-Python cipher)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf_bytes(lines)))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_docx(
    path: Path, *, body: list[str], table: list[list[str]], header: str, footer: str
) -> Path:
    """A Word document with paragraphs, a table, a page header and a footer (python-docx)."""
    import docx

    document = docx.Document()
    document.add_heading(body[0], level=1)
    for line in body[1:]:
        document.add_paragraph(line)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    section.footer.paragraphs[0].text = footer
    document.save(str(path))
    return path


def make_odt(path: Path, paragraphs: list[str], *, footer: str = "") -> Path:
    """An OpenDocument text, as LibreOffice lays it out (mimetype first, stored)."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    style_ns = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        f'xmlns:office="{office}" xmlns:text="{text_ns}" office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles '
        f'xmlns:office="{office}" xmlns:text="{text_ns}" xmlns:style="{style_ns}" '
        'office:version="1.3"><office:master-styles><style:master-page style:name="S">'
        f"<style:footer><text:p>{escape(footer)}</text:p></style:footer>"
        "</style:master-page></office:master-styles></office:document-styles>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as pkg:
        pkg.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        pkg.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        pkg.writestr("styles.xml", styles, compress_type=zipfile.ZIP_DEFLATED)
        pkg.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def make_xlsx(path: Path, rows: list[list[object]], *, sheet: str = "Relevé") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(str(path))
    return path


def make_rtf(path: Path, text: str) -> Path:
    """RTF as WordPad writes it: cp1252 escapes for accents, \\u for the rest."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\par\n")
        elif ch in "\\{}":
            out.append("\\" + ch)
        elif ord(ch) < 128:
            out.append(ch)
        else:
            try:
                out.append(f"\\'{ch.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                out.append(f"\\u{ord(ch)}?")
    doc = (
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
        "{\\colortbl;\\red0\\green0\\blue0;}\\viewkind4\\uc1\\pard\\f0\\fs20 "
        + "".join(out)
        + "\\par\n}"
    )
    path.write_bytes(doc.encode("ascii"))
    return path


def make_html(path: Path, title: str, paragraphs: list[str]) -> Path:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    path.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        "<style>p { color: red; } .secret {}</style>"
        "<script>var cache = 'ne pas indexer';</script></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>",
        encoding="utf-8",
    )
    return path


def make_csv_cp1252(path: Path, rows: list[list[str]]) -> Path:
    """A CSV as French Excel saves it: semicolons, Windows-1252, CRLF."""
    path.write_bytes("\r\n".join(";".join(r) for r in rows).encode("cp1252"))
    return path


def make_eml(
    path: Path,
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    attachment: tuple[str, bytes, str] | None = None,
    html: bool = False,
) -> Path:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Mar 2025 10:30:00 +0100"
    if html:
        msg.set_content(f"<html><body><p>{escape(body)}</p></body></html>", subtype="html")
    else:
        msg.set_content(body)
    if attachment:
        name, data, mime = attachment
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.write_bytes(bytes(msg))
    return path
