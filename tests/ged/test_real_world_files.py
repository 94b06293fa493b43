"""Files met in real life: encrypted and damaged PDFs, presentations, Outlook messages.

Every readable one is indexed (exact text, then found by the real Whoosh
search); the others get a short French note; none prints a traceback. The
samples in ``real_files/`` come from other projects' test suites, with their
licences beside them (``real_files/README.md``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.ged import readers
from microcrm.ged.extract import (
    NOTE_BROKEN,
    NOTE_MSG_DAMAGED,
    Extraction,
    ExtractorPool,
    extract_text,
)
from microcrm.ged.readers import NOTE_PASSWORD, NOTE_PPTX_DAMAGED, NOTE_SCAN
from microcrm.ged.search import SearchEngine
from microcrm.ged.service import Ged
from microcrm.text import short_date
from tests.ged import samples
from tests.ged.samples import ACCENTS
from tests.helpers import add_organisation

REAL = Path(__file__).parent / "real_files"
ROOT = Path(__file__).resolve().parents[2]


# -- PDF fixtures ----------------------------------------------------------------------------


def _pdf_pages(pages: list[list[str]]) -> bytes:
    """A PDF of several pages with a text layer (reportlab, as in :mod:`tests.ged.samples`)."""
    from reportlab.pdfgen import canvas

    samples.pdf_bytes([""])  # registers the TestVera font
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for lines in pages:
        text = pdf.beginText(50, 800)
        text.setFont("TestVera", 11)
        for line in lines:
            text.textLine(line)
        pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _encrypted(data: bytes, *, user: str, algorithm: str) -> bytes:
    """``data`` encrypted by pypdf, with owner password "x" and the given user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password="x", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pages_tree_missing(data: bytes) -> bytes:
    """The catalog's page tree is missing: pypdf raises « Invalid object in /Pages »,
    as on py-pdf's « unreadable metadata » sample (2.8 MB, not committed); pdfminer
    finds the pages by scanning the objects."""
    assert b"\n999 0 obj" not in data
    broken, count = re.subn(rb"/Pages \d+ 0 R", b"/Pages 999 0 R", data, count=1)
    assert count == 1
    return broken


def _page_missing(data: bytes) -> bytes:
    """The page tree lists one page that does not exist: pypdf reads no page, no text."""
    assert b"\n999 0 obj" not in data
    broken, count = re.subn(rb"/Kids \[[^\]]*\]", b"/Kids [ 999 0 R ]", data, count=1)
    assert count == 1
    return broken


# -- PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_aes_pdf_readable_without_a_password_is_read(tmp_path: Path, algorithm: str) -> None:
    # An owner password only (the user's is empty): readers open it without asking.
    path = tmp_path / "devis.pdf"
    plain = samples.pdf_bytes(["Devis D2025-00017", ACCENTS])
    path.write_bytes(_encrypted(plain, user="", algorithm=algorithm))
    assert extract_text(path) == Extraction(f"Devis D2025-00017\n{ACCENTS}", None)


def test_pdf_that_needs_a_password_gets_the_note(tmp_path: Path) -> None:
    path = tmp_path / "confidentiel.pdf"
    plain = samples.pdf_bytes(["Contrat confidentiel"])
    path.write_bytes(_encrypted(plain, user="secret", algorithm="AES-256"))
    assert extract_text(path) == Extraction("", NOTE_PASSWORD)
    assert NOTE_PASSWORD == "fichier protégé par mot de passe"
    # py-pdf's sample written by LibreOffice Writer with an open password (RC4-128).
    real = REAL / "libreoffice-writer-password.pdf"
    assert extract_text(real) == Extraction("", NOTE_PASSWORD)


@pytest.mark.parametrize("damage", [_pages_tree_missing, _page_missing])
def test_damaged_pdf_is_read_by_the_second_reader(tmp_path: Path, damage: object) -> None:
    assert callable(damage)
    path = tmp_path / "facture.pdf"
    pages = [["Facture F2025-00042", ACCENTS], ["Page deux : total 1 250,00 €"]]
    path.write_bytes(damage(_pdf_pages(pages)))
    assert extract_text(path) == Extraction(
        f"Facture F2025-00042\n{ACCENTS}\n\nPage deux : total 1 250,00 €", None
    )


def test_damaged_encrypted_pdf_still_opens_with_the_empty_password(tmp_path: Path) -> None:
    path = tmp_path / "releve.pdf"
    aes = _encrypted(samples.pdf_bytes(["Relevé de compte"]), user="", algorithm="AES-256")
    path.write_bytes(_pages_tree_missing(aes))
    assert extract_text(path) == Extraction("Relevé de compte", None)


def test_the_second_reader_is_bounded_like_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(_pages_tree_missing(_pdf_pages([[f"Chapitre {n}"] for n in range(1, 6)])))
    monkeypatch.setattr(readers, "MAX_PDF_PAGES", 3)
    assert extract_text(path).text == "Chapitre 1\n\nChapitre 2\n\nChapitre 3"
    monkeypatch.setattr(readers, "PDF_FALLBACK_SECONDS", 0.0)  # stops after the page it read
    assert extract_text(path) == Extraction("Chapitre 1", None)


def test_a_scan_is_not_read_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def second_reader(_src: object) -> object:
        raise AssertionError("pdfminer must not read a scan")

    monkeypatch.setattr(readers, "_pdf_with_pdfminer", second_reader)
    scan = samples.make_scanned_pdf(tmp_path / "scan.pdf")
    assert extract_text(scan) == Extraction("", NOTE_SCAN)


def test_garbage_after_a_pdf_header_is_a_note(tmp_path: Path) -> None:
    path = tmp_path / "tronque.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    assert extract_text(path) == Extraction("", "PDF illisible ou endommagé")


# -- PowerPoint ------------------------------------------------------------------------------


def _make_pptx(path: Path) -> Path:
    """A presentation written by python-pptx: title with a line break, bullets, a table,
    a group, speaker notes; an empty slide; the second slide moved first."""
    from pptx import Presentation
    from pptx.util import Cm

    prs = Presentation()
    offer = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
    assert offer.shapes.title is not None
    offer.shapes.title.text = "Proposition commerciale\vD2025-00017"
    body = offer.placeholders[1].text_frame
    body.text = "Copieur multifonction élevé"
    bullet = body.add_paragraph()
    bullet.text = ACCENTS
    bullet.level = 1
    table = offer.shapes.add_table(2, 2, Cm(2), Cm(11), Cm(12), Cm(2)).table
    for row, values in enumerate((("Désignation", "Qté"), ("Copieur", "2"))):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    group = offer.shapes.add_group_shape()
    group.shapes.add_textbox(Cm(2), Cm(15), Cm(8), Cm(2)).text_frame.text = "Remise : 5 %"
    offer.notes_slide.notes_text_frame.text = "Relancer Mme Baron avant le 15 mars"
    terms = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    assert terms.shapes.title is not None
    terms.shapes.title.text = "Conditions de règlement"
    prs.slides.add_slide(prs.slide_layouts[6])  # blank: no text, no heading line
    order = prs.slides._sldIdLst
    moved = order[1]
    order.remove(moved)
    order.insert(0, moved)
    prs.save(str(path))
    return path


PPTX_TEXT = "\n".join(
    [
        "Diapositive 1",
        "Conditions de règlement",
        "Diapositive 2",
        "Proposition commerciale\nD2025-00017",
        "Copieur multifonction élevé",
        ACCENTS,
        "Désignation\tQté",
        "Copieur\t2",
        "Remise : 5 %",
        "Relancer Mme Baron avant le 15 mars",
    ]
)


def test_pptx_slides_in_order_with_tables_groups_and_notes(tmp_path: Path) -> None:
    path = _make_pptx(tmp_path / "proposition.pptx")
    assert extract_text(path) == Extraction(PPTX_TEXT, None)
    with zipfile.ZipFile(path) as pkg:  # the order comes from presentation.xml, not names
        assert "Conditions" in pkg.read("ppt/slides/slide2.xml").decode()


def test_pptx_made_by_powerpoint(tmp_path: Path) -> None:
    found = extract_text(REAL / "SampleShow.pptx")  # Apache POI's sample
    assert found.note is None
    assert found.text.splitlines()[:5] == [
        "Diapositive 1",
        "Title of the first slide",
        "Subtitle of the first slide",
        "This bit is in italic green",
        "I am the notes of the first slide",
    ]
    assert "They’re fun, aren’t they?" in found.text
    # A .pptx renamed, and a slide show (.ppsx): found by the package's content.
    renamed = tmp_path / "diaporama.ppsx"
    renamed.write_bytes((REAL / "SampleShow.pptx").read_bytes())
    assert extract_text(renamed) == found


def _with_slide(path: Path, slide_xml: bytes) -> None:
    """Replace ``ppt/slides/slide1.xml`` of the package at ``path``."""
    with zipfile.ZipFile(path) as pkg:
        parts = {info.filename: pkg.read(info) for info in pkg.infolist()}
    parts["ppt/slides/slide1.xml"] = slide_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as pkg:
        for name, data in parts.items():
            pkg.writestr(name, data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE p:sld [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>
<p:sp><p:txBody><a:p><a:r><a:t>&f;&secret;</a:t></a:r></a:p></p:txBody></p:sp>
</p:spTree></p:cSld></p:sld>"""


def test_hostile_pptx_is_refused_quickly(tmp_path: Path) -> None:
    path = _make_pptx(tmp_path / "piege.pptx")
    _with_slide(path, BILLION_LAUGHS)
    started = time.monotonic()
    assert extract_text(path) == Extraction("", NOTE_PPTX_DAMAGED)
    assert time.monotonic() - started < 5


def test_oversized_slide_is_skipped_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _make_pptx(tmp_path / "lourd.pptx")
    with zipfile.ZipFile(path) as pkg:
        big = pkg.read("ppt/slides/slide1.xml").replace(b"</p:sld>", b" " * 50_000 + b"</p:sld>")
    _with_slide(path, big)
    monkeypatch.setattr(readers, "MAX_XML_PART", 40_000)
    assert extract_text(path) == Extraction("Diapositive 1\nConditions de règlement", None)


def test_damaged_pptx(tmp_path: Path) -> None:
    path = _make_pptx(tmp_path / "abime.pptx")
    _with_slide(path, b"<p:sld><unclosed")
    assert extract_text(path) == Extraction("", NOTE_PPTX_DAMAGED)
    cut = tmp_path / "coupe.pptx"
    cut.write_bytes(path.read_bytes()[:2000])
    assert extract_text(cut).note == "fichier endommagé (archive illisible)"


# -- OpenDocument presentations and spreadsheets ---------------------------------------------

_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
)


def _odf(path: Path, mimetype: str, content: str, styles: str) -> Path:
    """An OpenDocument package as LibreOffice lays it out (mimetype first, stored)."""
    with zipfile.ZipFile(path, "w") as pkg:
        pkg.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        pkg.writestr(
            "content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}>'
            f"<office:body>{content}</office:body></office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        pkg.writestr(
            "styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODF_NS}>'
            f"<office:master-styles>{styles}</office:master-styles></office:document-styles>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return path


def _frame(body: str, attrs: str = "") -> str:
    return f"<draw:frame {attrs}><draw:text-box>{body}</draw:text-box></draw:frame>"


def test_odp_slides_notes_footer_and_master(tmp_path: Path) -> None:
    content = (
        "<office:presentation>"
        "<presentation:footer-decl presentation:name='ftr1'>Office Plus SARL – confidentiel"
        "</presentation:footer-decl>"
        "<draw:page draw:name='page1'>"
        + _frame("<text:p>Bilan de l'année 2025</text:p>", "presentation:class='title'")
        + _frame(
            "<text:list><text:list-item><text:p>Chiffre d'affaires : +12 %</text:p>"
            "</text:list-item><text:list-item><text:p>Trois clients à Épinal</text:p>"
            "</text:list-item></text:list>",
            "presentation:class='outline'",
        )
        + "<presentation:notes>"
        + _frame("<text:p>Penser à la remise de fin d'année</text:p>")
        + "</presentation:notes></draw:page></office:presentation>"
    )
    styles = (
        "<style:master-page style:name='Default'>"
        + _frame(
            "<text:p>Cliquez pour ajouter un titre</text:p>",
            "presentation:class='title' presentation:placeholder='true'",
        )
        + _frame("<text:p>Présentation interne</text:p>")
        + _frame("<text:p><text:page-number>&lt;number&gt;</text:page-number></text:p>")
        + "</style:master-page>"
    )
    path = _odf(
        tmp_path / "bilan.odp", "application/vnd.oasis.opendocument.presentation", content, styles
    )
    assert extract_text(path) == Extraction(
        "Office Plus SARL – confidentiel\n"
        "Bilan de l'année 2025\n"
        "Chiffre d'affaires : +12 %\n"
        "Trois clients à Épinal\n"
        "Penser à la remise de fin d'année\n"
        "Présentation interne",
        None,
    )


def test_odp_made_by_libreoffice() -> None:
    # Apache Tika's samples: a LibreOffice 7 presentation, and a footer drawn on the master.
    assert extract_text(REAL / "LibreOfficeImpress_odp_1.3.odp") == Extraction(
        "This is\nAn example Impress file", None
    )
    assert extract_text(REAL / "testMasterFooter.odp") == Extraction("Master footer is here", None)


def test_ods_cells_and_footer_without_placeholder_fields(tmp_path: Path) -> None:
    content = (
        "<office:spreadsheet><table:table table:name='Relevé'>"
        "<table:table-row><table:table-cell><text:p>Désignation</text:p></table:table-cell>"
        "<table:table-cell><text:p>Montant</text:p></table:table-cell></table:table-row>"
        "<table:table-row><table:table-cell><text:p>Maintenance élevée</text:p>"
        "</table:table-cell><table:table-cell><text:p>1 250,50</text:p></table:table-cell>"
        "</table:table-row></table:table></office:spreadsheet>"
    )
    styles = (
        "<style:master-page style:name='Default'><style:header>"
        "<text:p><text:sheet-name>???</text:sheet-name> (<text:title>???</text:title>)</text:p>"
        "</style:header><style:footer><text:p>Office Plus SARL – page "
        "<text:page-number>1</text:page-number></text:p></style:footer></style:master-page>"
    )
    path = _odf(
        tmp_path / "releve.ods", "application/vnd.oasis.opendocument.spreadsheet", content, styles
    )
    assert extract_text(path) == Extraction(
        "Désignation\tMontant\nMaintenance élevée\t1 250,50\nOffice Plus SARL – page", None
    )


# -- Outlook .msg ----------------------------------------------------------------------------


def test_msg_headers_body_and_attachments() -> None:
    # Apache POI's sample: a French message with a Word 97 and a text attachment.
    assert extract_text(REAL / "attachment_test_msg.msg") == Extraction(
        "De : Nicolas1 23456\n"
        "À : 'nicolas1.23456@free.fr' <nicolas1.23456@free.fr>\n"
        "Objet : test pièce jointe 1\n"
        "Date : 22/04/2009\n"
        "\n"
        "contenu\n"
        "\n"
        "--- Pièce jointe : test-unicode.doc ---\n"
        "(ancien format Office (.doc, .xls, .ppt) : enregistrez-le en .docx, .xlsx ou .pptx)\n"
        "\n"
        "--- Pièce jointe : pj1.txt ---\n"
        # The text attachment as it is, Windows line ends included.
        "école (00E9)\r\n \r\neuro : € (20AC)\r\nchinois : 줥 (C925)\r\ncopyright : © (00A9)",
        None,
    )


def test_msg_with_an_attached_message_and_pdf() -> None:
    found = extract_text(REAL / "attachment_msg_pdf.msg")
    assert found.note is None
    sent = dt.datetime(2010, 6, 17, 23, 54, 19, tzinfo=dt.UTC).astimezone()  # shown local
    head, attached_msg, attached_pdf = found.text.split("\n\n--- Pièce jointe : ")
    assert head == (
        "De : Nick Booth <nick.booth@pof.com.au>\n"
        "À : Nick Booth <nick.booth@pof.com.au>\n"
        "Objet : test email\n"
        f"Date : {short_date(sent)}\n"
        "\n"
        "Test email with 1 msg attachment, 1 pdf"
    )
    assert attached_msg.startswith("Test Attachment.msg ---\nDe : Nick Booth")
    assert "Objet : Test Attachment" in attached_msg and attached_msg.endswith("Blah blah blah")
    assert attached_pdf.startswith("smbprn.00009008.KdcPjl.pdf ---\n")
    assert "Subject: Test Attachment" in attached_pdf


def test_damaged_msg_gets_a_note(tmp_path: Path) -> None:
    # A fuzzed file from Apache POI's tests: olefile refuses its directory.
    assert extract_text(REAL / "fuzzed-broken.msg") == Extraction("", NOTE_MSG_DAMAGED)
    empty = tmp_path / "vide.msg"
    empty.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert extract_text(empty) == Extraction("", NOTE_MSG_DAMAGED)


def test_msg_attached_to_an_eml(tmp_path: Path) -> None:
    path = samples.make_eml(
        tmp_path / "transfert.eml",
        sender="a@b.fr",
        to="c@d.fr",
        subject="Tr: message Outlook",
        body="Voir le message joint",
        attachment=(
            "origine.msg",
            (REAL / "attachment_test_msg.msg").read_bytes(),
            "application/vnd.ms-outlook",
        ),
    )
    text = extract_text(path).text
    assert "--- Pièce jointe : origine.msg ---\nDe : Nicolas1 23456" in text
    assert "euro : € (20AC)" in text  # the attachment of the attachment


# -- end to end: filed through the service, found by the search ------------------------------


def test_real_world_files_are_filed_and_found(
    ged: Ged, sqlite_db: Database, tmp_path: Path
) -> None:
    org = add_organisation(sqlite_db, "Crèmerie d'Épinal")
    folder = tmp_path / "depot"
    folder.mkdir()
    aes = folder / "Devis chiffré.pdf"
    aes.write_bytes(
        _encrypted(
            samples.pdf_bytes(["Devis D2025-00017", "Pétrin spirale"]), user="", algorithm="AES-256"
        )
    )
    damaged = folder / "Facture abîmée.pdf"
    damaged.write_bytes(
        _pages_tree_missing(_pdf_pages([["Facture F2025-00042", "Batteur mélangeur"]]))
    )
    locked = folder / "Contrat verrouillé.pdf"
    locked.write_bytes(
        _encrypted(samples.pdf_bytes(["Laminoir"]), user="secret", algorithm="AES-256")
    )
    pptx = _make_pptx(folder / "Proposition.pptx")
    odp = folder / "Bilan.odp"
    odp.write_bytes((REAL / "testMasterFooter.odp").read_bytes())
    msg = folder / "Pièce jointe.msg"
    msg.write_bytes((REAL / "attachment_test_msg.msg").read_bytes())
    results = {
        r.path.name: r
        for r in ged.add_files([aes, damaged, locked, pptx, odp, msg], organisation_id=org)
    }
    assert {name: r.extraction_note for name, r in results.items()} == {
        "Devis chiffré.pdf": None,
        "Facture abîmée.pdf": None,
        "Contrat verrouillé.pdf": NOTE_PASSWORD,
        "Proposition.pptx": None,
        "Bilan.odp": None,
        "Pièce jointe.msg": None,
    }
    mail = ged.document(results["Pièce jointe.msg"].document_id)
    assert (mail.doc_type, mail.dossier_path) == ("e-mail", "E-mails")
    engine = SearchEngine.open(tmp_path / "index", sqlite_db, ged.store)
    try:

        def found(query: str) -> set[str]:
            ids = {h.document_id for h in engine.search(query).hits}
            return {name for name, r in results.items() if r.document_id in ids}

        assert found("petrin spirale") == {"Devis chiffré.pdf"}
        assert found("batteur melangeur") == {"Facture abîmée.pdf"}
        assert found('"Relancer Mme Baron"') == {"Proposition.pptx"}  # a speaker note
        assert found("reglement") == {"Proposition.pptx"}
        assert found("master footer") == {"Bilan.odp"}
        assert found("ecole 20AC") == {"Pièce jointe.msg"}  # text of the attachment
        assert found("laminoir") == set()  # locked: findable by its name only
        assert found("verrouille") == {"Contrat verrouillé.pdf"}
    finally:
        engine.close()


# -- no traceback on the console -------------------------------------------------------------

_EXTRACT_IN_A_CHILD = """
import json, sys
from pathlib import Path
from microcrm.ged.extract import ExtractorPool, extract_text

paths = [Path(p) for p in sys.argv[1:]]
inline = [extract_text(p).note for p in paths]  # in this process, as the filing thread does
with ExtractorPool(workers=2, timeout=60) as pool:
    pooled = [e.note for e in pool.map(paths)]
print(json.dumps({"inline": inline, "pooled": pooled}))
"""


def test_bad_files_never_print_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    files: dict[str, str | None] = {}

    def put(name: str, data: bytes, note: str | None) -> None:
        (bad / name).write_bytes(data)
        files[name] = note

    good = samples.pdf_bytes(["Texte complet de la facture"])
    put("tronque.pdf", good[: len(good) // 3], "PDF illisible ou endommagé")
    put("bruit.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40, "PDF illisible ou endommagé")
    put("aes.pdf", _encrypted(good, user="", algorithm="AES-256"), None)
    put("aes-abime.pdf", _pages_tree_missing(_encrypted(good, user="", algorithm="AES-128")), None)
    put("verrou.pdf", _encrypted(good, user="secret", algorithm="AES-256"), NOTE_PASSWORD)
    put("pages.pdf", _page_missing(good), None)
    put("fuzz.msg", (REAL / "fuzzed-broken.msg").read_bytes(), NOTE_MSG_DAMAGED)
    put("zeros.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, NOTE_MSG_DAMAGED)
    pptx = _make_pptx(tmp_path / "p.pptx")
    _with_slide(pptx, BILLION_LAUGHS)
    put("piege.pptx", pptx.read_bytes(), NOTE_PPTX_DAMAGED)
    put("coupe.pptx", pptx.read_bytes()[:1500], "fichier endommagé (archive illisible)")
    put("faux.odp", b"PK\x03\x04" + b"\x00" * 200, "fichier endommagé (archive illisible)")
    names = sorted(files)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(_EXTRACT_IN_A_CHILD),
            *(str(bad / n) for n in names),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr == ""  # not even a library's warning
    notes = json.loads(done.stdout)
    expected = [files[n] for n in names]
    assert notes == {"inline": expected, "pooled": expected}


def test_no_traceback_even_when_the_aes_dependency_is_missing(tmp_path: Path) -> None:
    # What users saw before cryptography was a dependency: pypdf raising DependencyError
    # inside a reader, a traceback on stderr and « fichier illisible ou endommagé ».
    path = tmp_path / "aes.pdf"
    path.write_bytes(_encrypted(samples.pdf_bytes(["Devis"]), user="", algorithm="AES-256"))
    script = """
        import json, sys
        sys.modules["cryptography"] = None  # as on a machine where the package is missing
        from pathlib import Path
        from microcrm.ged.extract import extract_text
        print(json.dumps(extract_text(Path(sys.argv[1])).note))
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout) == "PDF chiffré : texte non lisible sans mot de passe"


def test_an_unforeseen_error_in_a_worker_is_a_note(tmp_path: Path) -> None:
    # The format sniffing itself fails (a ZIP member that needs a password): still a note.
    path = tmp_path / "chiffre.odt"
    with zipfile.ZipFile(path, "w") as pkg:
        pkg.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        pkg.writestr("content.xml", "<x/>")
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")  # the first member's entry in the central directory
    data[central + 8] |= 0x01  # its "encrypted" flag: zipfile raises RuntimeError on reading
    path.write_bytes(bytes(data))
    with ExtractorPool(workers=1, timeout=60) as pool:
        (found,) = list(pool.map([path]))
    assert found == Extraction("", NOTE_BROKEN)  # before: the RuntimeError reached the caller
