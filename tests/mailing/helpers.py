"""Reading generated PDFs back: text per page, and where each line was drawn (mm)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

MM = 72 / 25.4


def page_lines(pdf: Path | str, page: int) -> list[tuple[str, float, float]]:
    """(text, x mm from the left, y mm from the top of the baseline) of every text chunk."""
    reader = PdfReader(pdf)
    target = reader.pages[page]
    height = float(target.mediabox.height)
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            x = cm[4] + tm[4] * cm[0]
            y = cm[5] + tm[5] * cm[3]
            found.append((text.strip(), x / MM, (height - y) / MM))

    target.extract_text(visitor_text=visit)
    return found


def page_texts(pdf: Path | str) -> list[str]:
    """The text of each page."""
    return [p.extract_text() or "" for p in PdfReader(pdf).pages]


def where(lines: list[tuple[str, float, float]], text: str) -> tuple[float, float]:
    """Position of the first chunk equal to ``text``."""
    for chunk, x, y in lines:
        if chunk == text:
            return x, y
    raise AssertionError(f"{text!r} not drawn; drawn: {[c for c, _, _ in lines]}")
