"""QtPdf helpers of the publipostage: pages on white, printing with a page range, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from reportlab.pdfgen.canvas import Canvas

from microcrm.ui.application import make_application
from microcrm.ui.mailing.pdf_view import (
    PdfError,
    PrintCancelledError,
    page_count,
    print_pdf,
    render_pages,
)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """Five A4 pages with nothing but a number: the rest of each page is transparent."""
    make_application([])
    path = tmp_path / "pages.pdf"
    canvas = Canvas(str(path))
    for number in range(1, 6):
        canvas.setFont("Helvetica", 40)
        canvas.drawString(100, 700, f"Page {number}")
        canvas.showPage()
    canvas.save()
    return path


def _printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def test_pages_are_rendered_on_white_paper(pdf: Path) -> None:
    assert page_count(pdf) == 5
    [image] = render_pages(pdf.read_bytes(), 300, [2])
    assert (image.width(), image.height()) == (300, 424)
    assert image.pixelColor(5, 5) == QColor("white")  # not transparent, not black
    dark = [
        image.pixelColor(x, y).lightness() < 100
        for x in range(0, 300, 2)
        for y in range(60, 160, 2)
    ]
    assert any(dark)


def test_print_honours_the_page_range_and_reports_progress(pdf: Path, tmp_path: Path) -> None:
    printer = _printer(tmp_path / "out.pdf")
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 4)
    seen: list[tuple[int, int]] = []
    assert print_pdf(pdf, printer, progress=lambda d, t, _m: seen.append((d, t))) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert len(PdfReader(tmp_path / "out.pdf").pages) == 3


def test_print_cancel_aborts(pdf: Path, tmp_path: Path) -> None:
    calls = iter([False, False, True])
    with pytest.raises(PrintCancelledError, match="Impression annulée"):
        print_pdf(pdf, _printer(tmp_path / "out.pdf"), cancel=lambda: next(calls))


def test_unreadable_pdf_is_named(tmp_path: Path) -> None:
    make_application([])
    broken = tmp_path / "abime.pdf"
    broken.write_bytes(b"%PDF-1.4 pas un vrai PDF")
    with pytest.raises(PdfError, match=r"« abime\.pdf » est illisible"):
        page_count(broken)
