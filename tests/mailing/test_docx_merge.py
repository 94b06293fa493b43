"""DOCX merge read back with python-docx: fields replaced, one section per letter, no leftovers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from microcrm.crm.lists import ListQuery
from microcrm.mailing.docx_merge import (
    docx_fields,
    docx_letters,
    docx_to_pdf,
    find_soffice,
    merge_docx,
)
from microcrm.mailing.errors import TemplateError, UnknownFieldError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.recipients import Recipient, RecipientSource, select_recipients
from microcrm.mailing.resources import resource_path
from tests.mailing.helpers import Base

EXAMPLE = resource_path("templates", "docx", "exemple.docx")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _recipients(base: Base) -> list[Recipient]:
    return select_recipients(base.db, RecipientSource(query=ListQuery(base="prospect"))).recipients


def _xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


def test_example_template_has_both_kinds_of_fields() -> None:
    xml = _xml(EXAMPLE)
    assert "MERGEFIELD" in xml and "fldSimple" in xml and "{{ ref" in xml
    names = [name for name, _ in docx_fields(EXAMPLE)]
    assert {"formule_appel", "raison_sociale", "reference", "bloc_adresse", "entreprise"} <= set(
        names
    )


def test_merge_replaces_every_field(mail_base: Base, context: MergeContext, tmp_path: Path) -> None:
    recipients = _recipients(mail_base)
    out = tmp_path / "fusion.docx"
    result = merge_docx(EXAMPLE, recipients, out, context=context)
    assert result.letters == 4 and result.pdf_path is None
    xml = _xml(out)
    assert "{{" not in xml and "}}" not in xml
    assert "MERGEFIELD" not in xml and "fldSimple" not in xml
    doc = Document(str(out))
    assert len(doc.sections) == len(recipients)  # a section (next page) per letter
    texts = [p.text for p in doc.paragraphs]
    blocks = [t for t in texts if t.startswith(tuple(r.lines[0] for r in recipients))]
    assert blocks == ["\n".join(r.lines) for r in recipients]
    assert texts.count("Madame,") == 2 and texts.count("Madame, Monsieur,") == 2
    assert texts.count("Monsieur,") == 0
    assert "Objet : votre dossier C001" in texts  # the tag split across runs
    assert any("confiance que Gamma Œnologie accorde à Atelier Œuvre & Cie" in t for t in texts)
    assert texts.count("Rennes, le 24 novembre 2026") == 4
    assert doc.sections[0].header.paragraphs[0].text == "Atelier Œuvre & Cie — 02 99 00 00 00"
    for section in doc.sections:  # each letter numbers its own pages
        numbering = section._sectPr.find(qn("w:pgNumType"))
        assert numbering is not None and numbering.get(qn("w:start")) == "1"
    assert "PAGE" in _xml(out, "word/footer1.xml")  # page fields are kept


def test_single_letters_for_the_ged(mail_base: Base, context: MergeContext) -> None:
    recipients = _recipients(mail_base)
    copies = list(docx_letters(EXAMPLE, recipients, context=context))
    assert len(copies) == 4
    doc = Document(io.BytesIO(copies[2]))
    assert len(doc.sections) == 1
    assert any("Gamma Œnologie" in p.text for p in doc.paragraphs)


def _template_with(tmp_path: Path, instruction: str, *, header: str = "") -> Path:
    doc = Document()
    para = doc.add_paragraph("Bonjour ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "«x»"
    run.append(text)
    fld.append(run)
    para._p.append(fld)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    path = tmp_path / "modele.docx"
    doc.save(str(path))
    return path


def test_unknown_mergefield_before_output(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    template = _template_with(tmp_path, ' MERGEFIELD "Numéro client" \\* MERGEFORMAT ')
    out = tmp_path / "jamais.docx"
    with pytest.raises(UnknownFieldError) as caught:
        merge_docx(template, _recipients(mail_base), out, context=context)
    assert caught.value.field == "Numéro client"
    assert "le corps du document « modele.docx », paragraphe 1" in caught.value.message
    assert not out.exists()
    custom = MergeContext(context.company, context.run_date, {"numero_client": "42"})
    merge_docx(template, _recipients(mail_base)[:1], out, context=custom)
    assert Document(str(out)).paragraphs[0].text == "Bonjour 42"


def test_recipient_field_in_header_is_refused(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    template = _template_with(tmp_path, " MERGEFIELD nom ", header="À l'attention de {{ nom }}")
    with pytest.raises(TemplateError) as caught:
        merge_docx(template, _recipients(mail_base), tmp_path / "x.docx", context=context)
    assert "« nom »" in caught.value.message and "l'en-tête" in caught.value.message


def test_jinja_blocks_are_refused(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{% if nom %}Bonjour{% endif %}")
    path = tmp_path / "jinja.docx"
    doc.save(str(path))
    with pytest.raises(TemplateError):
        docx_fields(path)


@pytest.mark.slow
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_merge(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    recipients = _recipients(mail_base)
    out = tmp_path / "fusion.docx"
    result = merge_docx(EXAMPLE, recipients, out, context=context, to_pdf=True)
    assert result.pdf_path is not None and result.pdf_pages == len(recipients)
    reader = PdfReader(result.pdf_path)
    for page, recipient in zip(reader.pages, recipients, strict=True):
        assert recipient.lines[0] in (page.extract_text() or "")
    assert docx_to_pdf(out, tmp_path / "autre").is_file()


def test_pictures_and_bookmarks_get_unique_ids(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    import re

    from tests.mailing.helpers import logo_png

    doc = Document()
    logo = tmp_path / "logo.png"
    logo.write_bytes(logo_png())
    doc.add_picture(str(logo))
    para = doc.add_paragraph("{{ raison_sociale }}")
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "0")
    start.set(qn("w:name"), "client")
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "0")
    para._p.insert(0, start)
    para._p.append(end)
    template = tmp_path / "image.docx"
    doc.save(str(template))
    out = tmp_path / "fusion.docx"
    merge_docx(template, _recipients(mail_base), out, context=context)
    xml = _xml(out)
    drawings = re.findall(r'<wp:docPr [^>]*?\bid="(\d+)"', xml)
    starts = re.findall(r'<w:bookmarkStart [^>]*?w:id="(\d+)"', xml)
    assert len(drawings) == len(set(drawings)) == 4
    assert len(starts) == len(set(starts)) == 4
    merged = Document(str(out))
    assert len(merged.inline_shapes) == 4
