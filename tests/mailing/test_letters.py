"""Letters rendered by the app, read back with pypdf: pages, texts, block in the window."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from microcrm.crm.lists import ListQuery
from microcrm.mailing.campaigns import produce_run
from microcrm.mailing.errors import RunCancelledError, UnknownFieldError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.letters import (
    WINDOWS,
    LetterLayout,
    WindowSpec,
    render_letters,
    render_preview,
    split_pages,
)
from microcrm.mailing.recipients import Recipient, RecipientSource, select_recipients
from microcrm.mailing.templates import LetterTemplate, load_template
from tests.mailing.helpers import Base, page_lines, page_texts, where


def _recipients(base: Base) -> list[Recipient]:
    return select_recipients(base.db, RecipientSource(query=ListQuery(base="prospect"))).recipients


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _assert_in_window(pdf: Path, page: int, lines: tuple[str, ...], window: WindowSpec) -> None:
    drawn = page_lines(pdf, page)
    for line in lines:
        x, y = where(drawn, line)
        assert window.left_mm <= x <= window.left_mm + window.width_mm - 10, (line, x)
        # the baseline, and the cap height above it (≈ 3 mm at 10 pt), inside the window
        assert window.top_mm + 3 <= y <= window.top_mm + window.height_mm, (line, y)


def test_run_pdf_one_page_per_letter_block_in_dl_window(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    recipients = _recipients(mail_base)
    template = load_template("prospection")
    assert isinstance(template, LetterTemplate)
    out = tmp_path / "lettres.pdf"
    result = render_letters(template, recipients, out, context=context)
    assert result.pages == len(recipients) == 4 == len(PdfReader(out).pages)
    assert [(r.key, r.first_page, r.page_count) for r in result.ranges] == [
        (r.key, i, 1) for i, r in enumerate(recipients)
    ]
    texts = [_flat(t) for t in page_texts(out)]
    for page, recipient in enumerate(recipients):
        text = texts[page]
        for line in recipient.lines:
            assert line in text
        assert recipient.organisation_name in text  # in the body, accents kept (Œ)
        others = [r for r in recipients if r.key != recipient.key]
        assert all(o.lines[0] not in text for o in others)
        _assert_in_window(out, page, recipient.lines, WINDOWS["DL"])
    first = texts[0]
    assert "Rennes, le 24 novembre 2026" in first
    assert "Madame," in first and "Objet : présentation de Atelier Œuvre & Cie" in first
    assert "SIRET 732 829 320 00074" in first and "RCS Rennes 732 829 320" in first
    assert "TVA FR 44 732 829 320" in first
    assert "Julien Dupont" in first and "02 99 11 22 33" in first
    assert "Madame, Monsieur," in texts[1]  # Beta Bâtiment: nobody named
    assert "Gamma Œnologie" in texts[2]
    assert "Page " not in texts[0]  # one-page letters carry no page number


def test_c5_and_measured_window(mail_base: Base, context: MergeContext, tmp_path: Path) -> None:
    recipients = _recipients(mail_base)[:1]
    template = load_template("relance")
    assert isinstance(template, LetterTemplate)
    out = tmp_path / "c5.pdf"
    render_letters(template, recipients, out, context=context, layout=LetterLayout(window="C5"))
    _assert_in_window(out, 0, recipients[0].lines, WINDOWS["C5"])
    measured = WindowSpec("mesurée", 25.0, 60.0, 95.0, 40.0)
    render_letters(
        template, recipients, out, context=context, layout=LetterLayout(window_override=measured)
    )
    _assert_in_window(out, 0, recipients[0].lines, measured)


def test_long_letters_are_numbered_per_letter(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    recipients = _recipients(mail_base)[:2]
    body = "".join(f"<p>Paragraphe {i} : {'texte de la lettre ' * 12}</p>" for i in range(30))
    template = LetterTemplate(name="longue", subject="Objet : long", body_html=body)
    out = tmp_path / "longues.pdf"
    result = render_letters(template, recipients, out, context=context)
    first, second = result.ranges
    assert first.page_count >= 2 and first.first_page == 0
    assert second.first_page == first.page_count and second.page_count == first.page_count
    texts = page_texts(out)
    n = first.page_count
    for k in range(n):
        assert f"Page {k + 1}/{n}" in texts[k]
        assert f"Page {k + 1}/{n}" in texts[n + k]
    assert recipients[1].lines[0] in texts[n] and recipients[1].lines[0] not in texts[n - 1]
    copies = list(split_pages(out, result.ranges))
    assert len(copies) == 2
    for copy, recipient in zip(copies, recipients, strict=True):
        reader = PdfReader(io.BytesIO(copy))
        assert len(reader.pages) == n
        assert recipient.lines[1] in (reader.pages[0].extract_text() or "")


def test_unknown_field_fails_before_any_output(mail_base: Base, tmp_path: Path) -> None:
    selection = select_recipients(mail_base.db, RecipientSource(query=ListQuery(base="prospect")))
    template = LetterTemplate(name="erreur", body_html="<p>Bonjour {{ surnom }}</p>")
    out = tmp_path / "jamais.pdf"
    with pytest.raises(UnknownFieldError) as caught:
        produce_run(mail_base.db, template, selection, out)
    assert "« surnom »" in caught.value.message
    assert "le corps du modèle « erreur »" in caught.value.message
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if ".pdf" in p.name]


def test_cancel_leaves_no_file(mail_base: Base, context: MergeContext, tmp_path: Path) -> None:
    recipients = _recipients(mail_base) * 30
    template = load_template("prospection")
    assert isinstance(template, LetterTemplate)
    calls = iter(range(1000))
    out = tmp_path / "annule" / "lettres.pdf"
    with pytest.raises(RunCancelledError):
        render_letters(template, recipients, out, context=context, cancel=lambda: next(calls) > 3)
    assert list(out.parent.iterdir()) == []


def test_preview_with_catalogue_examples(context: MergeContext) -> None:
    template = load_template("relance")
    assert isinstance(template, LetterTemplate)
    data = render_preview(template, None, context=context)
    assert data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text() or ""
    assert "MME CLAIRE MARTIN" in text and "Boulangerie Martin SARL" in text


def test_custom_fields_defaults_and_run_values(context: MergeContext) -> None:
    template = LetterTemplate(
        name="offre",
        subject="Objet : {{ offre }}",
        body_html="<p>Code : <b>{{ code_promo }}</b></p>",
        custom={"offre": "Remise de 10 %", "code_promo": "AUTOMNE"},
        place="Saint-Malo",
    )
    text = PdfReader(io.BytesIO(render_preview(template, None, context=context))).pages[0]
    content = _flat(text.extract_text() or "")
    assert "Objet : Remise de 10 %" in content and "Code : AUTOMNE" in content
    assert "Saint-Malo, le 24 novembre 2026" in content
    run = context.with_custom(code_promo="HIVER")
    text = PdfReader(io.BytesIO(render_preview(template, None, context=run))).pages[0]
    assert "Code : HIVER" in _flat(text.extract_text() or "")


def test_split_copies_are_valid_pdfs(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    import shutil
    import subprocess

    from pypdf import PdfWriter

    from microcrm.mailing.letters import PageRange
    from microcrm.mailing.pdfsplit import split_pdf

    recipients = _recipients(mail_base)
    template = load_template("relance")
    assert isinstance(template, LetterTemplate)
    out = tmp_path / "run.pdf"
    render_letters(template, recipients, out, context=context)
    # A file written by pypdf (another structure) splits the same way.
    rewritten = tmp_path / "rewritten.pdf"
    writer = PdfWriter(clone_from=str(out))
    with rewritten.open("wb") as handle:
        writer.write(handle)
    for source in (out, rewritten):
        copies = list(split_pdf(source, [PageRange("a", 1, 2), PageRange("b", 3, 1)]))
        first = PdfReader(io.BytesIO(copies[0]), strict=True)
        assert len(first.pages) == 2
        assert recipients[1].lines[0] in (first.pages[0].extract_text() or "")
        assert recipients[2].lines[0] in (first.pages[1].extract_text() or "")
        assert recipients[3].lines[0] in (
            PdfReader(io.BytesIO(copies[1])).pages[0].extract_text() or ""
        )
        if shutil.which("pdftoppm"):
            copy = tmp_path / "copie.pdf"
            copy.write_bytes(copies[0])
            done = subprocess.run(
                ["pdftoppm", "-r", "20", "-png", str(copy), str(tmp_path / "c")],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0 and not done.stderr, done.stderr
