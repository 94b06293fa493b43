"""Word templates built the way Word writes them, and merged documents read back.

Word writes a field as runs: ``w:fldChar`` begin, the instruction in
``w:instrText`` split over any number of runs (spell checking, formatting,
editing), nested fields whose results it keeps as ``w:instrText``, ``separate``,
the last shown result, ``end``. :func:`field` writes exactly that; the
templates are python-docx documents with such raw WordprocessingML in their
body, headers and footers, footnotes and endnotes parts, and text boxes
(a DrawingML shape with its VML fallback, as Word 2010 and later save it).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from lxml import etree  # type: ignore[import-untyped]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
NAMESPACES = {
    "w": W_NS,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_DECLARE = " ".join(f'xmlns:{k}="{v}"' for k, v in NAMESPACES.items())
BOLD = "<w:rPr><w:b/></w:rPr>"


@dataclass(frozen=True)
class Xml:
    """A piece of WordprocessingML (runs or paragraphs) to put in a template."""

    text: str

    def __add__(self, other: Xml) -> Xml:
        return Xml(self.text + other.text)


def run(text: str, rpr: str = "") -> Xml:
    """A run of text."""
    return Xml(f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def field(*instruction: str | Xml, result: str = "«champ»", nested: bool = False) -> Xml:
    """A complex field: each ``str`` of the instruction in its own run, ``Xml`` nested fields.

    ``nested``: the field sits inside another's instruction, so Word keeps its
    result as ``w:instrText``.
    """
    out = '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    for piece in instruction:
        if isinstance(piece, Xml):
            out += piece.text
        else:
            out += f'<w:r><w:instrText xml:space="preserve">{escape(piece)}</w:instrText></w:r>'
    out += '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    tag = "w:instrText" if nested else "w:t"
    out += f"<w:r>{BOLD}<{tag}>{escape(result)}</{tag}></w:r>"
    out += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    return Xml(out)


def begin() -> Xml:
    """A field's first run (``begin``), for fields written by hand across paragraphs."""
    return Xml('<w:r><w:fldChar w:fldCharType="begin"/></w:r>')


def instr(text: str) -> Xml:
    """One run of a field's instruction."""
    return Xml(f'<w:r><w:instrText xml:space="preserve">{escape(text)}</w:instrText></w:r>')


def result(text: str) -> Xml:
    """``separate``, the shown result, ``end``: the last runs of a field written by hand."""
    return Xml(
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{escape(text)}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def simple(instruction: str, result: str = "«champ»") -> Xml:
    """A simple field (``w:fldSimple``)."""
    return Xml(
        f'<w:fldSimple w:instr="{escape(instruction, {chr(34): "&quot;"})}">'
        f"<w:r><w:t>{escape(result)}</w:t></w:r></w:fldSimple>"
    )


def mergefield(name: str, *, nested: bool = False, switches: str = "") -> Xml:
    """``MERGEFIELD name`` with its instruction split over three runs, as Word often saves it."""
    return field(
        " MERGE",
        f"FIELD {name}",
        f" {switches} \\* MERGEFORMAT ",
        result=f"«{name}»",
        nested=nested,
    )


def para(*content: Xml, ppr: str = "") -> Xml:
    """A paragraph."""
    return Xml(f"<w:p>{ppr}{''.join(c.text for c in content)}</w:p>")


def text_box(*paragraphs: Xml, number: int = 1) -> Xml:
    """A run holding a text box: the DrawingML shape and its VML fallback, same paragraphs."""
    inside = "".join(p.text for p in paragraphs)
    return Xml(
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="page"><wp:posOffset>4140000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="page"><wp:posOffset>1620000</wp:posOffset></wp:positionV>'
        '<wp:extent cx="3060000" cy="1260000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapNone/><wp:docPr id="{number}" name="Zone de texte {number}"/>'
        "<wp:cNvGraphicFramePr/>"
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        'wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
        '<a:xfrm><a:off x="0" y="0"/><a:ext cx="3060000" cy="1260000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx><w:txbxContent>{inside}</w:txbxContent></wps:txbx>"
        "<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
        "</mc:Choice><mc:Fallback><w:pict>"
        f'<v:shape id="zone{number}" style="position:absolute;margin-left:326pt;'
        "margin-top:128pt;width:241pt;height:99pt;z-index:1;"
        'mso-position-horizontal-relative:page;mso-position-vertical-relative:page" '
        'type="#_x0000_t202">'
        f"<v:textbox><w:txbxContent>{inside}</w:txbxContent></v:textbox>"
        "</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def _elements(xml: Xml) -> list[etree._Element]:
    holder = etree.fromstring(f"<w:body {_DECLARE}>{xml.text}</w:body>")
    return list(holder)


def _fill(container: etree._Element, xml: Xml) -> None:
    for child in list(container):
        if child.tag != f"{W}sectPr":
            container.remove(child)
    anchor = container.find(f"{W}sectPr")
    for element in _elements(xml):
        if anchor is not None:
            anchor.addprevious(element)
        else:
            container.append(element)


@dataclass(frozen=True)
class Notes:
    """Footnotes or endnotes of a template: id → paragraphs."""

    footnotes: dict[int, Xml]
    endnotes: dict[int, Xml]


def template(
    path: Path,
    body: Xml,
    *,
    header: Xml | None = None,
    footer: Xml | None = None,
    first_header: Xml | None = None,
    first_footer: Xml | None = None,
    even_header: Xml | None = None,
    notes: Notes | None = None,
    mail_merge_settings: bool = False,
) -> Path:
    """A DOCX template at ``path``: python-docx's document with this raw WordprocessingML."""
    doc = Document()
    section = doc.sections[0]
    _fill(doc.element.body, body)
    if first_header is not None or first_footer is not None:
        section.different_first_page_header_footer = True
    if even_header is not None:
        doc.settings.odd_and_even_pages_header_footer = True
    for part, xml in (
        (section.header, header),
        (section.footer, footer),
        (section.first_page_header, first_header),
        (section.first_page_footer, first_footer),
        (section.even_page_header, even_header),
    ):
        if xml is not None:
            _fill(part._element, xml)
    doc.save(str(path))
    if notes is not None:
        _add_notes(path, notes)
    if mail_merge_settings:
        _add_mail_merge(path)
    return path


_NOTE = (
    '<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
    '<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:{kind}>"
)


def _notes_part(kind: str, notes: dict[int, Xml]) -> str:
    body = _NOTE.format(kind=kind)
    for note_id, xml in notes.items():
        body += f'<w:{kind} w:id="{note_id}">{xml.text}</w:{kind}>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind}s {_DECLARE}>{body}</w:{kind}s>'


def _rewrite(path: Path, changes: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts.update(changes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _add_notes(path: Path, notes: Notes) -> None:
    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
    changes: dict[str, bytes] = {}
    for kind, found in (("footnote", notes.footnotes), ("endnote", notes.endnotes)):
        if not found:
            continue
        changes[f"word/{kind}s.xml"] = _notes_part(kind, found).encode()
        types = types.replace(
            "</Types>",
            f'<Override PartName="/word/{kind}s.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"/></Types>',
        )
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdNotes{kind}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/{kind}s" Target="{kind}s.xml"/></Relationships>',
        )
    changes["[Content_Types].xml"] = types.encode()
    changes["word/_rels/document.xml.rels"] = rels.encode()
    _rewrite(path, changes)


def _add_mail_merge(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        settings = archive.read("word/settings.xml").decode()
    link = (
        '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:linkToQuery/>'
        '<w:dataType w:val="native"/><w:query w:val="SELECT * FROM clients.xlsx"/>'
        "</w:mailMerge>"
    )
    settings = re.sub(r"(<w:settings\b[^>]*>)", r"\1" + link, settings, count=1)
    _rewrite(path, {"word/settings.xml": settings.encode()})


def footnote_ref(note_id: int) -> Xml:
    """The body's reference to a footnote."""
    return Xml(
        '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        f'<w:footnoteReference w:id="{note_id}"/></w:r>'
    )


def endnote_ref(note_id: int) -> Xml:
    """The body's reference to an endnote."""
    return Xml(f'<w:r><w:endnoteReference w:id="{note_id}"/></w:r>')


# -- merged documents read back --------------------------------------------------------------


def parts(path: Path) -> dict[str, etree._Element]:
    """Every XML part of a DOCX, parsed."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: etree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".xml") or name.endswith(".rels")
        }


def paragraph_text(paragraph: etree._Element) -> str:
    """What a paragraph prints (its text boxes apart); ``\\n`` for a line break."""
    out = []
    for element in paragraph.iter(f"{W}t", f"{W}br", f"{W}txbxContent"):
        if element.tag == f"{W}t" and not _in_box(element, paragraph):
            out.append(element.text or "")
        elif element.tag == f"{W}br" and not _in_box(element, paragraph):
            out.append("\n")
    return "".join(out)


def _in_box(element: etree._Element, paragraph: etree._Element) -> bool:
    node = element.getparent()
    while node is not None and node is not paragraph:
        if node.tag == f"{W}txbxContent":
            return True
        node = node.getparent()
    return False


def texts(root: etree._Element) -> list[str]:
    """The non-empty paragraphs of a part (or of a text box), in order, text boxes apart."""
    found = []
    for paragraph in root.iter(f"{W}p"):
        if _in_box(paragraph, root) and root.tag != f"{W}txbxContent":
            continue
        text = paragraph_text(paragraph)
        if text:
            found.append(text)
    return found


def field_codes(root: etree._Element) -> list[str]:
    """Every field instruction left in a part (complex and simple fields)."""
    codes = ["".join(t.text or "" for t in root.iter(f"{W}instrText"))]
    codes += [f.get(f"{W}instr") or "" for f in root.iter(f"{W}fldSimple")]
    return [c for c in codes if c.strip()]


def notes_by_id(root: etree._Element, kind: str) -> dict[str, list[str]]:
    """Note id → its paragraphs' text (separators left out)."""
    return {
        note.get(f"{W}id") or "": texts(note)
        for note in root.findall(f"{W}{kind}")
        if note.get(f"{W}type") is None
    }
