"""Letters rendered by the app (reportlab): one PDF for a whole run, page ranges per recipient.

Page layout (A4, millimetres from the top-left corner):

* letterhead top left (logo, raison sociale, address, contact line), drawn once
  as a PDF form and reused on every first page; the legal footer (forme,
  capital, RCS, SIRET, TVA, free mentions) on every page;
* the recipient's NF Z10-011 block inside the envelope window. French window
  envelopes put a 100 × 45 mm window 20 mm from the right edge; on a DL
  envelope (110 × 220) it starts 15 mm above the bottom edge, i.e. 50 mm below
  the top, and an A4 folded in three (99 mm panels) slides about 5 mm in it, so
  the window seen on the letter is x 90–190, y 45–90 (:data:`WINDOWS` ``DL``).
  A C5 envelope (162 × 229) takes the A4 folded in two and its window sits
  about 5 mm lower on the letter (``C5``: y 50–95). The block starts 5 mm
  inside the window and its font shrinks (10 → 8 pt) only if a 38-character
  line would not fit. Both positions can be overridden (``LetterLayout``);
* date (« Rennes, le 24 novembre 2026 ») on the right, subject in bold, body,
  signature; « Page n/N » at the bottom right of letters of several pages;
  fold marks in the left margin.

Each letter starts on a new page; a zero-size flowable at its start draws
the first-page items at absolute positions and tells the numbering canvas
which letter its pages belong to (see :class:`_RunCanvas`).
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from microcrm.mailing import richtext
from microcrm.mailing.errors import RunCancelledError
from microcrm.mailing.fields import (
    MergeContext,
    example_values,
    french_date,
    merge_values,
    substitute,
)
from microcrm.mailing.fonts import FontSet, register_fonts
from microcrm.mailing.pdfsplit import split_pdf
from microcrm.mailing.recipients import Recipient
from microcrm.mailing.templates import LetterTemplate

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

PAGE_W, PAGE_H = A4
GREY = Color(0.35, 0.35, 0.35)
_SHARED_MAX = 2000
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """Where an envelope's window falls on the letter (mm from the page's top-left corner)."""

    name: str
    left_mm: float
    top_mm: float
    width_mm: float = 100.0
    height_mm: float = 45.0


#: Window positions on the A4 letter; see the module docstring for the figures.
WINDOWS: dict[str, WindowSpec] = {
    "DL": WindowSpec("DL", 90.0, 45.0),
    "C5": WindowSpec("C5", 90.0, 50.0),
}
#: Fold lines (mm from the top) for each envelope: A4 in three for DL, in two for C5.
FOLDS: dict[str, tuple[float, ...]] = {"DL": (99.0, 198.0), "C5": (148.5,)}


@dataclass(frozen=True, slots=True)
class LetterLayout:
    """Page geometry and type sizes (mm and points); defaults fit French window envelopes.

    Attributes:
        window: ``DL`` or ``C5``; empty means the template's choice.
        window_override: A measured window position that replaces the preset.
        inset_mm: Distance from the window's top-left corner to the block.
        address_pt: Type size of the address block (shrinks to 8 pt when needed).
        body_pt: Type size of the body.
        margin_mm: Left and right margins.
        fold_marks: Draw fold marks in the left margin.
    """

    window: str = ""
    window_override: WindowSpec | None = None
    inset_mm: float = 5.0
    address_pt: float = 10.0
    body_pt: float = 10.5
    margin_mm: float = 20.0
    fold_marks: bool = True

    def window_for(self, template: LetterTemplate) -> WindowSpec:
        """The window used for ``template``."""
        if self.window_override is not None:
            return self.window_override
        return WINDOWS.get(self.window or template.window, WINDOWS["DL"])

    def address_origin(self, template: LetterTemplate) -> tuple[float, float]:
        """(x, y) in mm from the top-left corner where the block's first line starts."""
        win = self.window_for(template)
        return win.left_mm + self.inset_mm, win.top_mm + self.inset_mm


@dataclass(frozen=True, slots=True)
class PageRange:
    """The pages of one recipient's letter in the run PDF (``first_page`` 0-based)."""

    key: str
    first_page: int
    page_count: int


@dataclass(frozen=True, slots=True)
class RenderResult:
    """A rendered run: the PDF, its page count and each letter's pages."""

    path: Path | None
    pages: int
    ranges: list[PageRange] = field(default_factory=list)


@dataclass(slots=True)
class _Prepared:
    """Everything drawn at absolute positions on a letter's first page."""

    key: str
    lines: tuple[str, ...]
    date_line: str
    subject: str


class _RunCanvas(Canvas):  # type: ignore[misc]
    """Defers pages until the end so each can say « Page n/N » of its own letter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self.letter_index = -1
        self.page_letters: list[int] = []
        self.fonts: FontSet | None = None
        self.forms: set[str] = set()

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self.page_letters.append(self.letter_index)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        counts: dict[int, int] = {}
        for idx in self.page_letters:
            counts[idx] = counts.get(idx, 0) + 1
        seen: dict[int, int] = {}
        for state, idx in zip(self._pages, self.page_letters, strict=True):
            self.__dict__.update(state)
            seen[idx] = seen.get(idx, 0) + 1
            if counts[idx] > 1 and self.fonts is not None:
                self.setFont(self.fonts.regular, 8)
                self.setFillColor(GREY)
                self.drawRightString(PAGE_W - 20 * mm, 17 * mm, f"Page {seen[idx]}/{counts[idx]}")
            Canvas.showPage(self)
        self._pages = []
        Canvas.save(self)


class _LetterStart(Flowable):  # type: ignore[misc]
    """Zero-size marker at the start of a letter: first-page items, numbering, progress."""

    def __init__(self, index: int, prepared: _Prepared, renderer: _Renderer) -> None:
        super().__init__()
        self.index = index
        self.prepared = prepared
        self.renderer = renderer
        self.width = self.height = 0

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return 0, 0

    def drawOn(self, canvas: Canvas, x: float, y: float, **_kw: Any) -> None:  # noqa: N802
        assert isinstance(canvas, _RunCanvas)
        canvas.letter_index = self.index
        self.renderer.first_page(canvas, self.prepared)
        self.renderer.tick(self.index)

    def draw(self) -> None:  # pragma: no cover - drawOn does the work
        return


class _SharedParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph reused by every letter where its merged text is the same.

    Most paragraphs of a run come out identical for many recipients (no field,
    or the same salesperson, the same salutation): line breaking, the costly
    part, is done once per width instead of once per letter, and a paragraph
    used more than once is drawn once into a PDF form that every page reuses.
    """

    form_name = ""
    uses = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if getattr(self, "_wrapped_for", None) != avail_width:
            super().wrap(avail_width, avail_height)
            self._wrapped_for = avail_width
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, **kw: Any) -> None:  # noqa: N802
        if self.uses < 2 or not isinstance(canvas, _RunCanvas):
            super().drawOn(canvas, x, y, **kw)
            return
        if self.form_name not in canvas.forms:
            pad = self.style.fontSize
            canvas.beginForm(self.form_name, -pad, -pad, self.width + pad, self.height + pad)
            super().drawOn(canvas, 0, 0, **kw)
            canvas.endForm()
            canvas.forms.add(self.form_name)
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(self.form_name)
        canvas.restoreState()

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        # Splitting rewrites the paragraph's state: split a private copy instead.
        private = Paragraph(self.text, self.style)
        private.wrap(avail_width, avail_height)
        parts: list[Flowable] = private.split(avail_width, avail_height)
        return parts


class _Renderer:
    """Builds the story of a run and draws the fixed parts of its pages."""

    def __init__(
        self,
        template: LetterTemplate,
        context: MergeContext,
        layout: LetterLayout,
        *,
        progress: Progress | None,
        cancel: Cancel | None,
        total: int,
    ) -> None:
        self.template = template
        # The template's custom fields give defaults; the run's values win.
        self.context = MergeContext(
            context.company,
            context.run_date,
            {**template.custom, **context.custom},
            context.place or template.place,
        )
        self.layout = layout
        self.fonts = register_fonts()
        self.progress = progress
        self.cancel = cancel
        self.total = total
        self.company = context.company
        self.paragraphs = richtext.to_reportlab(template.body_html)
        self.shared: dict[tuple[str, str], _SharedParagraph] = {}
        self.form_numbers = itertools.count(1)
        self.logo = (
            ImageReader(io.BytesIO(self.company.logo_png)) if (self.company.logo_png) else None
        )
        f = self.fonts
        self.body_style = ParagraphStyle(
            "corps",
            fontName=f.regular,
            fontSize=layout.body_pt,
            leading=layout.body_pt * 1.35,
            spaceAfter=layout.body_pt * 0.7,
        )
        self.styles = {
            a: ParagraphStyle(f"corps-{a}", parent=self.body_style, alignment=v)
            for a, v in _ALIGN.items()
        }
        self.subject_style = ParagraphStyle(
            "objet", parent=self.body_style, fontName=f.bold, spaceAfter=0
        )
        self.sign_style = ParagraphStyle(
            "signature", parent=self.body_style, leftIndent=95 * mm, spaceAfter=0
        )
        self.footer_style = ParagraphStyle(
            "pied",
            fontName=f.regular,
            fontSize=7,
            leading=8.5,
            alignment=TA_CENTER,
            textColor=GREY,
        )

    # -- progress --------------------------------------------------------------------------

    def tick(self, index: int) -> None:
        """Called as each letter is drawn."""
        if self.cancel is not None and self.cancel():
            raise RunCancelledError()
        if self.progress is not None and (index % 25 == 0 or index + 1 == self.total):
            self.progress(index + 1, self.total, "Lettres")

    # -- story -----------------------------------------------------------------------------

    def paragraph(
        self, markup: str, align: str, style: ParagraphStyle | None = None
    ) -> _SharedParagraph:
        """The paragraph for ``markup``, shared between letters when identical."""
        key = (markup, align if style is None else style.name)
        found = self.shared.get(key)
        if found is None:
            if len(self.shared) >= _SHARED_MAX:
                self.shared.clear()
            found = _SharedParagraph(markup, style or self.styles[align])
            found.form_name = f"para{next(self.form_numbers)}"
            self.shared[key] = found
        found.uses += 1
        return found

    def date_line(self) -> str:
        place = self.context.place or self.template.place or self.company.city
        date = french_date(self.context.run_date)
        return f"{place}, {date}" if place else date[0].upper() + date[1:]

    def story(self, recipients: Sequence[Recipient | None]) -> list[Flowable]:
        flow: list[Flowable] = []
        date_line = self.date_line()
        base = example_values(self.context)
        for index, recipient in enumerate(recipients):
            if self.cancel is not None and index % 50 == 0 and self.cancel():
                raise RunCancelledError()
            values = merge_values(recipient, self.context) if recipient else base
            lines = recipient.lines if recipient else tuple(base["bloc_adresse"].split("\n"))
            key = recipient.key if recipient else "apercu"
            subject = substitute(self.template.subject, values, html_escape=True)
            if index:
                flow += [NextPageTemplate("premiere"), PageBreak()]
            flow.append(_LetterStart(index, _Prepared(key, lines, date_line, subject), self))
            flow.append(NextPageTemplate("suite"))
            for para in self.paragraphs:
                if para.is_empty:
                    flow.append(Spacer(1, self.body_style.leading))
                    continue
                markup = substitute(para.markup, values, html_escape=True)
                flow.append(self.paragraph(markup, para.align))
            name = substitute(self.template.signature_name, values, html_escape=True)
            title = substitute(self.template.signature_title, values, html_escape=True)
            signature: list[Flowable] = [Spacer(1, 8 * mm)]
            if name.strip():
                signature.append(Paragraph(f"<b>{name}</b>", self.sign_style))
            if title.strip():
                signature.append(Paragraph(title, self.sign_style))
            flow.append(KeepTogether(signature))
        return flow

    # -- fixed parts -----------------------------------------------------------------------

    def _forms(self, canvas: _RunCanvas) -> None:
        """Define the letterhead and footer forms once per document."""
        if canvas.forms:
            return
        canvas.fonts = self.fonts
        canvas.beginForm("entete")
        self._draw_letterhead(canvas)
        canvas.endForm()
        canvas.beginForm("pied")
        self._draw_footer(canvas)
        canvas.endForm()
        canvas.forms.update({"entete", "pied"})

    def _draw_letterhead(self, canvas: Canvas) -> None:
        """Logo and identity, kept left of the window (x < window left - 2 mm)."""
        c, f = self.company, self.fonts
        x, top = self.layout.margin_mm * mm, PAGE_H - 12 * mm
        room = (self.layout.window_for(self.template).left_mm - 2) * mm - x
        if self.logo is not None:
            iw, ih = self.logo.getSize()
            scale = min(min(50 * mm, room) / iw, 15 * mm / ih)
            w, h = iw * scale, ih * scale
            canvas.drawImage(self.logo, x, top - h, w, h, mask="auto")
            top -= h + 3 * mm
        lines: list[tuple[str, str, float, Color]] = []
        dark, grey = Color(0.1, 0.1, 0.1), GREY
        if c.name:
            lines.append((c.name, f.bold, 11.0, dark))
        lines += [(line, f.regular, 8.5, dark) for line in c.address_lines()[1:]]
        contact = c.contact_line()
        if contact and stringWidth(contact, f.regular, 8.5) > room:
            lines += [(part, f.regular, 8.5, grey) for part in contact.split(" — ")]
        elif contact:
            lines.append((contact, f.regular, 8.5, grey))
        for text, font, size, color in lines:
            width = stringWidth(text, font, size)
            fitted = size * room / width if width > room else size
            canvas.setFont(font, fitted)
            canvas.setFillColor(color)
            canvas.drawString(x, top - size, text)
            top -= size * 1.25

    def _draw_footer(self, canvas: Canvas) -> None:
        c = self.company
        text = " — ".join(p for p in (c.legal_line(), c.legal_mentions.replace("\n", " ")) if p)
        if not text:
            return
        para = Paragraph(text, self.footer_style)
        width = PAGE_W - 2 * self.layout.margin_mm * mm
        _w, h = para.wrap(width, 30 * mm)
        canvas.setStrokeColor(Color(0.75, 0.75, 0.75))
        canvas.setLineWidth(0.4)
        top = 8 * mm + h + 2 * mm
        canvas.line(self.layout.margin_mm * mm, top, PAGE_W - self.layout.margin_mm * mm, top)
        para.drawOn(canvas, self.layout.margin_mm * mm, 8 * mm)

    def on_first(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        assert isinstance(canvas, _RunCanvas)
        self._forms(canvas)
        canvas.saveState()
        canvas.doForm("entete")
        canvas.doForm("pied")
        if self.layout.fold_marks:
            canvas.setStrokeColor(Color(0.6, 0.6, 0.6))
            canvas.setLineWidth(0.3)
            window = self.layout.window or self.template.window
            for fold in FOLDS.get(window, FOLDS["DL"]):
                y = PAGE_H - fold * mm
                canvas.line(4 * mm, y, 8 * mm, y)
        canvas.restoreState()

    def on_next(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        assert isinstance(canvas, _RunCanvas)
        self._forms(canvas)
        canvas.saveState()
        canvas.doForm("pied")
        canvas.restoreState()

    def first_page(self, canvas: Canvas, prepared: _Prepared) -> None:
        """Address block, date and subject of a letter's first page."""
        f, layout = self.fonts, self.layout
        canvas.saveState()
        x_mm, y_mm = layout.address_origin(self.template)
        window = layout.window_for(self.template)
        room = (window.left_mm + window.width_mm - x_mm - 2) * mm
        size = layout.address_pt
        widest = max((stringWidth(line, f.regular, size) for line in prepared.lines), default=0)
        if widest > room:
            size = max(8.0, size * room / widest)
        leading = size * 1.2
        text = canvas.beginText(x_mm * mm, PAGE_H - y_mm * mm - size)
        text.setFont(f.regular, size, leading)
        text.setFillColor(Color(0, 0, 0))
        for line in prepared.lines:
            text.textLine(line)
        canvas.drawText(text)
        canvas.setFont(f.regular, layout.body_pt)
        date_y = PAGE_H - (window.top_mm + window.height_mm + 8) * mm
        canvas.drawRightString(PAGE_W - layout.margin_mm * mm, date_y, prepared.date_line)
        canvas.restoreState()
        if prepared.subject.strip():
            para = self.paragraph(prepared.subject, "left", self.subject_style)
            width = PAGE_W - 2 * layout.margin_mm * mm
            _w, h = para.wrap(width, 30 * mm)
            para.drawOn(canvas, layout.margin_mm * mm, date_y - 9 * mm - h + layout.body_pt)

    def body_top_mm(self) -> float:
        """Where the body starts on a first page (below the subject)."""
        window = self.layout.window_for(self.template)
        return window.top_mm + window.height_mm + 8 + 9 + 10

    def doc(self, target: str | IO[bytes]) -> BaseDocTemplate:
        margin = self.layout.margin_mm * mm
        bottom = 28 * mm
        width = PAGE_W - 2 * margin
        first_top = self.body_top_mm() * mm
        first = Frame(
            margin,
            bottom,
            width,
            PAGE_H - first_top - bottom,
            id="corps1",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        later = Frame(
            margin,
            bottom,
            width,
            PAGE_H - 20 * mm - bottom,
            id="corps2",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc = BaseDocTemplate(
            target,
            pagesize=A4,
            title=self.template.title or self.template.name,
            author=self.company.name,
            creator="MicroCRM",
            pageCompression=1,
        )
        doc.addPageTemplates(
            [
                PageTemplate("premiere", [first], onPage=self.on_first),
                PageTemplate("suite", [later], onPage=self.on_next),
            ]
        )
        return doc


def _build(
    renderer: _Renderer, recipients: Sequence[Recipient | None], target: str | IO[bytes]
) -> _RunCanvas:
    made: list[_RunCanvas] = []

    def maker(*args: Any, **kwargs: Any) -> _RunCanvas:
        canvas = _RunCanvas(*args, **kwargs)
        made.append(canvas)
        return canvas

    renderer.doc(target).build(renderer.story(recipients), canvasmaker=maker)
    return made[-1]


def _ranges(canvas: _RunCanvas, keys: Sequence[str]) -> list[PageRange]:
    first: dict[int, int] = {}
    count: dict[int, int] = {}
    for page, idx in enumerate(canvas.page_letters):
        first.setdefault(idx, page)
        count[idx] = count.get(idx, 0) + 1
    return [PageRange(key, first[i], count[i]) for i, key in enumerate(keys) if i in first]


def render_letters(
    template: LetterTemplate,
    recipients: Sequence[Recipient],
    output: Path,
    *,
    context: MergeContext,
    layout: LetterLayout | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> RenderResult:
    """Render every recipient's letter into one PDF at ``output``.

    The file appears only when complete (written beside it, then renamed).
    Check the template first (:func:`~microcrm.mailing.templates.check_template`).

    Raises:
        RunCancelledError: ``cancel()`` returned True (no file is left).
    """
    renderer = _Renderer(
        template,
        context,
        layout or LetterLayout(),
        progress=progress,
        cancel=cancel,
        total=len(recipients),
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".lettres-", suffix=".pdf.part", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        canvas = _build(renderer, list(recipients), str(tmp))
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    ranges = _ranges(canvas, [r.key for r in recipients])
    return RenderResult(output, len(canvas.page_letters), ranges)


def render_preview(
    template: LetterTemplate,
    recipient: Recipient | None,
    *,
    context: MergeContext,
    layout: LetterLayout | None = None,
) -> bytes:
    """One letter as PDF bytes, for the live preview (``None``: the catalogue's examples)."""
    renderer = _Renderer(
        template, context, layout or LetterLayout(), progress=None, cancel=None, total=1
    )
    buffer = io.BytesIO()
    _build(renderer, [recipient], buffer)
    return buffer.getvalue()


def split_pages(pdf_path: Path, ranges: Sequence[PageRange]) -> Iterator[bytes]:
    """One small PDF per range (a recipient's own letter, for the GED copy), in order."""
    return split_pdf(pdf_path, ranges)
