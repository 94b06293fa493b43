"""PDF pages on screen and on paper with QtPdf: the previews and « Imprimer… » of the publipostage.

Pages are rendered by ``QPdfDocument`` into ARGB images whose background is
transparent where the PDF paints nothing, so every page is composited onto
white before it is shown or printed (a letter is white paper, not a
checkerboard or a black sheet on some printers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from microcrm.errors import MicroCRMError

PRINT_DPI = 300
"""Resolution pages are rendered at for printing (sharp text, bounded memory)."""


class PdfError(MicroCRMError):
    """A PDF could not be read by QtPdf (damaged or missing file), or not printed."""


class PrintCancelledError(PdfError):
    """The user cancelled a print job (aborted on the printer)."""


def _on_white(image: QImage) -> QImage:
    """``image`` painted over an opaque white page."""
    page = QImage(image.size(), QImage.Format.Format_RGB32)
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(0, 0, image)
    painter.end()
    return page


def _open(source: bytes | Path) -> tuple[QPdfDocument, QBuffer | None]:
    """A loaded document; for bytes, the buffer it reads from (keep it alive while in use)."""
    document = QPdfDocument()
    buffer: QBuffer | None = None
    if isinstance(source, Path):
        status = document.load(str(source))
        failed = status != QPdfDocument.Error.None_
    else:
        buffer = QBuffer()
        buffer.setData(QByteArray(source))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document.load(buffer)
        failed = document.status() != QPdfDocument.Status.Ready
    if failed or document.pageCount() == 0:
        name = source.name if isinstance(source, Path) else "aperçu"
        raise PdfError(f"Le PDF « {name} » est illisible.")
    return document, buffer


def page_count(source: bytes | Path) -> int:
    """Number of pages of a PDF.

    Raises:
        PdfError: unreadable PDF.
    """
    document, _buffer = _open(source)
    count = document.pageCount()
    document.close()
    return count


def render_pages(
    source: bytes | Path, width_px: int, pages: Sequence[int] | None = None
) -> list[QImage]:
    """Images of the PDF's pages (all, or the 0-based ``pages``), ``width_px`` wide, on white.

    Raises:
        PdfError: unreadable PDF.
    """
    document, _buffer = _open(source)
    try:
        wanted = range(document.pageCount()) if pages is None else pages
        images = []
        for number in wanted:
            size = document.pagePointSize(number)
            height = round(width_px * size.height() / size.width()) if size.width() else width_px
            images.append(_on_white(document.render(number, QSize(width_px, height))))
        return images
    finally:
        document.close()


def print_pdf(
    path: Path,
    printer: QPrinter,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Print the PDF's pages on ``printer`` (its page range honoured); returns pages printed.

    Each page is rendered at up to :data:`PRINT_DPI`, fitted to the printable
    area, centred, keeping the page's proportions. Safe in a worker thread
    (Qt paints on a ``QPrinter`` outside the GUI thread); ``cancel`` is
    checked before each page and aborts the print job.

    Raises:
        PdfError: unreadable PDF, or the printer could not be started.
        PrintCancelledError: cancelled (the job was aborted).
    """
    document, _buffer = _open(path)
    try:
        count = document.pageCount()
        first, last = 1, count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = max(1, printer.fromPage()), min(count, printer.toPage() or count)
        total = last - first + 1
        # Rendered at most at PRINT_DPI, then scaled by the painter: a 1200 dpi A4 page
        # would be a 550 MB image.
        factor = min(1.0, PRINT_DPI / max(printer.resolution(), 1))
        painter = QPainter()
        if not painter.begin(printer):
            raise PdfError("L'imprimante n'a pas pu être ouverte.")
        printed = 0
        try:
            for number in range(first - 1, last):
                if cancel is not None and cancel():
                    printer.abort()
                    raise PrintCancelledError("Impression annulée.")
                if printed:
                    printer.newPage()
                area = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
                area.moveTo(0, 0)
                size = document.pagePointSize(number).toSize()
                size.scale(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                target = QRect(0, 0, size.width(), size.height())
                target.moveCenter(area.center())
                painter.drawImage(target, _on_white(document.render(number, size * factor)))
                printed += 1
                if progress is not None:
                    progress(printed, total, "Impression")
        finally:
            if painter.isActive():
                painter.end()
        return printed
    finally:
        document.close()


class PageStrip(QScrollArea):
    """Page images one under the other, on a grey desk, like a print preview."""

    def __init__(self, width_px: int = 560, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.width_px = width_px
        self.setWidgetResizable(True)
        self.setStyleSheet("QScrollArea { background: #8a8a8a; }")
        self._inner = QWidget()
        self._inner.setStyleSheet("background: #8a8a8a;")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._layout.setSpacing(12)
        self.setWidget(self._inner)
        self.images: list[QImage] = []
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: white; font-size: 11pt; padding: 24px;")
        self._layout.addWidget(self.message)

    def _clear(self) -> None:
        while self._layout.count() > 1:
            item = self._layout.takeAt(1)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def show_pdf(self, source: bytes | Path) -> None:
        """Show every page of a PDF (bytes or file)."""
        self.show_images(render_pages(source, self.width_px))

    def show_images(self, images: Sequence[QImage]) -> None:
        """Show rendered pages."""
        self._clear()
        self.images = list(images)
        self.message.hide()
        for image in self.images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("border: 1px solid #555;")
            self._layout.addWidget(label)

    def show_message(self, text: str) -> None:
        """No page: a message instead (preview unavailable, error)."""
        self._clear()
        self.images = []
        self.message.setText(text)
        self.message.show()
