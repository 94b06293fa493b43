"""Address labels on A4 sheets: built-in formats (Avery L71xx…), the user's own, calibration.

A sheet is described by its grid (columns × rows), the label size, the
margins to the first label and the pitch from one label to the next
(``resources/templates/labels.toml``; the user's formats live in
``<user_dir>/etiquettes.toml`` in the same form and may add or replace
formats). Printing can start at any position of a partly used sheet (1 = top
left, then left to right, top to bottom) and every position is shifted by the
printer offset measured with :func:`render_calibration`.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from microcrm.errors import ValidationError
from microcrm.mailing.errors import RunCancelledError, TemplateError
from microcrm.mailing.fonts import register_fonts
from microcrm.mailing.recipients import Recipient
from microcrm.mailing.resources import resource_path

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

USER_FILE = "etiquettes.toml"
MIN_PT, MAX_PT = 5.5, 10.0
PADDING_MM = 4.0


@dataclass(frozen=True, slots=True)
class LabelFormat:
    """A sheet of labels (millimetres; the page defaults to A4 portrait)."""

    name: str
    title: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    h_pitch: float
    v_pitch: float
    page_width: float = 210.0
    page_height: float = 297.0

    @property
    def per_sheet(self) -> int:
        """Labels on a full sheet."""
        return self.columns * self.rows

    def origin(
        self, position: int, offset_mm: tuple[float, float] = (0.0, 0.0)
    ) -> tuple[float, float]:
        """Top-left corner (mm from the page's top-left) of the 1-based ``position``."""
        index = position - 1
        col, row = index % self.columns, index // self.columns
        return (
            self.left + col * self.h_pitch + offset_mm[0],
            self.top + row * self.v_pitch + offset_mm[1],
        )

    def validate(self) -> LabelFormat:
        """Raise :class:`ValidationError` when the grid does not fit on the page."""
        if self.columns < 1 or self.rows < 1:
            raise ValidationError("columns", "Il faut au moins une colonne et une rangée.")
        if min(self.width, self.height) <= 0:
            raise ValidationError("width", "La taille des étiquettes doit être positive.")
        if self.h_pitch < self.width or self.v_pitch < self.height:
            raise ValidationError("h_pitch", "Le pas doit être au moins la taille de l'étiquette.")
        right = self.left + (self.columns - 1) * self.h_pitch + self.width
        bottom = self.top + (self.rows - 1) * self.v_pitch + self.height
        if (
            right > self.page_width + 0.5
            or bottom > self.page_height + 0.5
            or min(self.left, self.top) < 0
        ):
            raise ValidationError(
                "left",
                f"Les étiquettes « {self.name} » dépassent de la page "
                f"({right:.1f} × {bottom:.1f} mm pour {self.page_width:g} × {self.page_height:g}).",
            )
        return self


@dataclass(frozen=True, slots=True)
class LabelResult:
    """Labels printed: the file, counts, and each label's (page, column, row), 1-based."""

    path: Path
    labels: int
    pages: int
    positions: list[tuple[int, int, int]] = field(default_factory=list)


def _read(path: Path) -> dict[str, LabelFormat]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"Formats d'étiquettes illisibles « {path} » : {exc}") from exc
    formats = {}
    for name, spec in data.items():
        try:
            formats[name] = LabelFormat(
                name=name,
                title=str(spec.get("title", name)),
                columns=int(spec["columns"]),
                rows=int(spec["rows"]),
                width=float(spec["width"]),
                height=float(spec["height"]),
                left=float(spec["left"]),
                top=float(spec["top"]),
                h_pitch=float(spec.get("h_pitch", spec["width"])),
                v_pitch=float(spec.get("v_pitch", spec["height"])),
                page_width=float(spec.get("page_width", 210.0)),
                page_height=float(spec.get("page_height", 297.0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TemplateError(f"Format d'étiquettes « {name} » incomplet ({exc}).") from exc
    return formats


def label_formats(user_dir: Path | None = None) -> dict[str, LabelFormat]:
    """Built-in formats, then the user's (which may replace a built-in one by name)."""
    formats = _read(resource_path("templates", "labels.toml"))
    if user_dir is not None and (user_dir / USER_FILE).is_file():
        formats.update(_read(user_dir / USER_FILE))
    return formats


def get_label_format(name: str, user_dir: Path | None = None) -> LabelFormat:
    """One format by name (case-insensitive).

    Raises:
        TemplateError: unknown format (the message lists the known ones).
    """
    formats = label_formats(user_dir)
    for key, fmt in formats.items():
        if key.lower() == name.strip().lower():
            return fmt
    raise TemplateError(f"Format d'étiquettes inconnu « {name} » (formats : {', '.join(formats)}).")


def save_label_format(fmt: LabelFormat, user_dir: Path) -> None:
    """Add or replace a user-defined format in ``<user_dir>/etiquettes.toml``.

    Raises:
        ValidationError: the grid does not fit on the page, or the name is empty.
    """
    if not fmt.name.strip():
        raise ValidationError("name", "Le nom du format est obligatoire.")
    fmt.validate()
    path = user_dir / USER_FILE
    existing: dict[str, Any] = {}
    if path.is_file():
        existing = tomllib.loads(path.read_text(encoding="utf-8"))
    spec = asdict(fmt)
    del spec["name"]
    existing[fmt.name.strip()] = spec
    user_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(existing), encoding="utf-8")
    tmp.replace(path)


def fit_size(lines: Sequence[str], font: str, width_pt: float, height_pt: float) -> float:
    """Largest type size (5.5-10 pt) at which ``lines`` fit in the box."""
    widest = max((stringWidth(line, font, MAX_PT) for line in lines), default=0.0)
    size = MAX_PT if widest <= width_pt else MAX_PT * width_pt / widest
    if lines:
        size = min(size, height_pt / (len(lines) * 1.2))
    return max(MIN_PT, size)


def _page(fmt: LabelFormat, target: Path) -> Canvas:
    canvas = Canvas(
        str(target), pagesize=(fmt.page_width * mm, fmt.page_height * mm), pageCompression=1
    )
    canvas.setTitle(f"Étiquettes {fmt.name}")
    canvas.setCreator("MicroCRM")
    return canvas


def render_labels(
    recipients: Sequence[Recipient],
    output: Path,
    fmt: LabelFormat,
    *,
    start: int = 1,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> LabelResult:
    """Print one label per recipient, from position ``start`` of the first sheet.

    Raises:
        ValidationError: ``start`` is outside the sheet.
        RunCancelledError: cancelled (no file is left).
    """
    if not 1 <= start <= fmt.per_sheet:
        raise ValidationError(
            "start", f"La position de départ doit être entre 1 et {fmt.per_sheet}."
        )
    fonts = register_fonts()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".etiquettes-", suffix=".pdf.part", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    positions: list[tuple[int, int, int]] = []
    box_w = (fmt.width - 2 * PADDING_MM) * mm
    box_h = (fmt.height - 2 * PADDING_MM * 0.5) * mm
    try:
        canvas = _page(fmt, tmp)
        page, slot, total = 1, start, len(recipients)
        for index, recipient in enumerate(recipients):
            if index % 200 == 0:
                if cancel is not None and cancel():
                    raise RunCancelledError()
                if progress is not None:
                    progress(index, total, "Étiquettes")
            if slot > fmt.per_sheet:
                canvas.showPage()
                page, slot = page + 1, 1
            x, y = fmt.origin(slot, offset_mm)
            lines = recipient.lines
            size = fit_size(lines, fonts.regular, box_w, box_h)
            leading = size * 1.2
            block_h = leading * len(lines)
            top = fmt.page_height * mm - y * mm - (fmt.height * mm - block_h) / 2
            text = canvas.beginText(x * mm + PADDING_MM * mm, top - size)
            text.setFont(fonts.regular, size, leading)
            for line in lines:
                text.textLine(line)
            canvas.drawText(text)
            positions.append((page, (slot - 1) % fmt.columns + 1, (slot - 1) // fmt.columns + 1))
            slot += 1
        canvas.showPage()
        canvas.save()
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(len(recipients), len(recipients), "Étiquettes")
    return LabelResult(output, len(recipients), positions[-1][0] if positions else 1, positions)


def render_calibration(
    output: Path, fmt: LabelFormat, *, offset_mm: tuple[float, float] = (0.0, 0.0)
) -> Path:
    """A page showing every label's outline and centre, shifted by ``offset_mm``.

    Printed on plain paper and held against a sheet of labels in front of a
    light, it shows how far the printer shifts the page: measure the gap
    between a printed cross and the centre of the real label, and enter it as
    the offset (right and down are positive).
    """
    fonts = register_fonts()
    canvas = _page(fmt, output)
    page_h = fmt.page_height * mm
    canvas.setLineWidth(0.3)
    for position in range(1, fmt.per_sheet + 1):
        x, y = fmt.origin(position, offset_mm)
        canvas.setStrokeColor(Color(0.55, 0.55, 0.55))
        canvas.rect(x * mm, page_h - (y + fmt.height) * mm, fmt.width * mm, fmt.height * mm)
        cx, cy = (x + fmt.width / 2) * mm, page_h - (y + fmt.height / 2) * mm
        canvas.setStrokeColor(Color(0.8, 0, 0))
        canvas.line(cx - 4 * mm, cy, cx + 4 * mm, cy)
        canvas.line(cx, cy - 4 * mm, cx, cy + 4 * mm)
        canvas.setFont(fonts.regular, 6)
        canvas.setFillColor(Color(0.4, 0.4, 0.4))
        canvas.drawString(x * mm + 1.5 * mm, page_h - y * mm - 3 * mm, str(position))
    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont(fonts.bold, 9)
    lines = [
        f"Page d'étalonnage — {fmt.title}",
        f"Décalage appliqué : horizontal {offset_mm[0]:+.1f} mm, vertical {offset_mm[1]:+.1f} mm",
        "Imprimez sur papier blanc, superposez à une planche vierge à contre-jour et mesurez",
        "l'écart entre chaque croix rouge et le centre de l'étiquette (droite et bas : positif).",
    ]
    y = page_h / 2 + 14
    for number, line in enumerate(lines):
        canvas.setFont(fonts.bold if number == 0 else fonts.regular, 9 if number == 0 else 8)
        width = stringWidth(line, fonts.regular, 8)
        canvas.setFillColor(Color(1, 1, 1))
        canvas.rect((fmt.page_width * mm - width) / 2 - 4, y - 3, width + 8, 12, stroke=0, fill=1)
        canvas.setFillColor(Color(0, 0, 0))
        canvas.drawCentredString(fmt.page_width * mm / 2, y, line)
        y -= 12
    canvas.showPage()
    canvas.save()
    return output
