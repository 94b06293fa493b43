"""Build the example DOCX template shipped in resources/templates/docx/exemple.docx.

    .venv/bin/python scripts/build_templates.py

The document shows both ways of writing merge fields that MicroCRM merges:
Word merge fields (a complex ``MERGEFIELD`` whose instruction is split over
several runs, as Word writes it, and a simple ``w:fldSimple`` one) and
``{{ champ }}`` tags (one of them split across runs by a formatting change,
as happens when a user edits it in Word). The footer numbers the pages of each
letter with a ``PAGE`` field. The output is deterministic (fixed zip dates),
so rebuilding it does not change the file.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

OUT = Path(__file__).resolve().parents[1] / "resources" / "templates" / "docx" / "exemple.docx"


def complex_field(paragraph: Paragraph, instruction_parts: list[str], shown: str) -> None:
    """A Word complex field: begin, instruction split over runs, separate, result, end."""

    def run_with(child: OxmlElement) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    for part in instruction_parts:
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = part
        run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def simple_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word simple field (``w:fldSimple``)."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def build() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10.5)

    header = section.header.paragraphs[0]
    header.text = "{{ entreprise }} — {{ entreprise_telephone }}"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    complex_field(footer, [" PAGE "], "1")

    block = doc.add_paragraph()
    block.paragraph_format.left_indent = Mm(75)
    block.add_run("{{ bloc_adresse }}")

    date = doc.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date.add_run("{{ lieu }}, {{ date }}")

    subject = doc.add_paragraph()
    subject.add_run("Objet : votre dossier ").bold = True
    # A tag split by a formatting change, as Word does when part of it is edited.
    subject.add_run("{{ ref").bold = True
    subject.add_run("erence }}").bold = True

    salutation = doc.add_paragraph()
    complex_field(
        salutation, [" MERGEFIELD ", "formule_appel", " \\* MERGEFORMAT "], "«formule_appel»"
    )

    body = doc.add_paragraph()
    body.add_run("Nous vous remercions de la confiance que ")
    simple_field(body, " MERGEFIELD raison_sociale ", "«raison_sociale»")
    body.add_run(
        " accorde à {{ entreprise }} et restons à votre disposition : votre "
        "interlocuteur, {{ commercial }}, vous répondra au {{ commercial_telephone }}."
    )
    closing = doc.add_paragraph()
    closing.add_run(
        "Veuillez agréer, {{ formule_appel }} l'expression de nos salutations distinguées."
    )
    sign = doc.add_paragraph()
    sign.paragraph_format.left_indent = Mm(95)
    sign.add_run("{{ commercial }}").bold = True

    raw = io.BytesIO()
    doc.save(raw)
    # Rewrite with fixed timestamps so the file is reproducible.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 24, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    print(f"{OUT} ({OUT.stat().st_size} octets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
