"""Envelopes printed directly: DL, C5, C4 with the sender (our company) and the recipient.

Positions come from ``resources/templates/envelopes.toml``: the recipient
block is a 100 × 45 mm box whose bottom-right corner sits 15 mm above the
bottom edge and 20 mm from the right edge (La Poste's address zone of a
mechanisable letter, the same rectangle as a window envelope's window); the
sender block is in the top-left corner. One page per envelope, page size =
envelope size, landscape, as printers feed envelopes.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from microcrm.crm.company import CompanyInfo
from microcrm.mailing.errors import RunCancelledError, TemplateError
from microcrm.mailing.fonts import register_fonts
from microcrm.mailing.labels import fit_size
from microcrm.mailing.recipients import Recipient
from microcrm.mailing.resources import resource_path

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

ADDRESS_W_MM, ADDRESS_H_MM = 100.0, 45.0


@dataclass(frozen=True, slots=True)
class EnvelopeFormat:
    """An envelope size and its blocks (mm from the top-left corner, landscape)."""

    name: str
    title: str
    width: float
    height: float
    address_left: float
    address_top: float
    sender_left: float = 10.0
    sender_top: float = 10.0


def envelope_formats() -> dict[str, EnvelopeFormat]:
    """The built-in envelopes (DL, C5, C4)."""
    path = resource_path("templates", "envelopes.toml")
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        name: EnvelopeFormat(
            name=name,
            title=str(spec["title"]),
            width=float(spec["width"]),
            height=float(spec["height"]),
            address_left=float(spec["address_left"]),
            address_top=float(spec["address_top"]),
            sender_left=float(spec.get("sender_left", 10.0)),
            sender_top=float(spec.get("sender_top", 10.0)),
        )
        for name, spec in data.items()
    }


ENVELOPES: dict[str, EnvelopeFormat] = envelope_formats()


def get_envelope_format(name: str) -> EnvelopeFormat:
    """One envelope by name (``DL``, ``C5``, ``C4``; case-insensitive).

    Raises:
        TemplateError: unknown envelope.
    """
    found = ENVELOPES.get(name.strip().upper())
    if found is None:
        raise TemplateError(f"Enveloppe inconnue « {name} » (enveloppes : {', '.join(ENVELOPES)}).")
    return found


def render_envelopes(
    recipients: Sequence[Recipient],
    output: Path,
    fmt: EnvelopeFormat,
    *,
    company: CompanyInfo,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> int:
    """One envelope page per recipient; returns the number of pages.

    Raises:
        RunCancelledError: cancelled (no file is left).
    """
    fonts = register_fonts()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".enveloppes-", suffix=".pdf.part", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    page_h = fmt.height * mm
    dx, dy = offset_mm
    sender = company.address_lines()
    try:
        canvas = Canvas(str(tmp), pagesize=(fmt.width * mm, page_h), pageCompression=1)
        canvas.setTitle(f"Enveloppes {fmt.name}")
        canvas.setCreator("MicroCRM")
        canvas.beginForm("expediteur")
        text = canvas.beginText(
            (fmt.sender_left + dx) * mm, page_h - (fmt.sender_top + dy) * mm - 8
        )
        for number, line in enumerate(sender):
            text.setFont(fonts.bold if number == 0 else fonts.regular, 8, 10)
            text.setFillColor(Color(0.2, 0.2, 0.2))
            text.textLine(line)
        canvas.drawText(text)
        canvas.endForm()
        total = len(recipients)
        for index, recipient in enumerate(recipients):
            if index % 100 == 0:
                if cancel is not None and cancel():
                    raise RunCancelledError()
                if progress is not None:
                    progress(index, total, "Enveloppes")
            canvas.doForm("expediteur")
            lines = recipient.lines
            size = fit_size(lines, fonts.regular, (ADDRESS_W_MM - 4) * mm, ADDRESS_H_MM * mm)
            block = canvas.beginText(
                (fmt.address_left + dx) * mm, page_h - (fmt.address_top + dy) * mm - size
            )
            block.setFont(fonts.regular, size, size * 1.2)
            for line in lines:
                block.textLine(line)
            canvas.drawText(block)
            canvas.showPage()
        canvas.save()
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return len(recipients)
