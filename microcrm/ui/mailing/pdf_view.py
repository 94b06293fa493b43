"""PDF pages on screen and on paper with QtPdf: the previews and « Imprimer… » of the publipostage.

Pages are rendered by ``QPdfDocument`` into ARGB images whose background is
transparent where the PDF paints nothing, so every page is composited onto
white before it is shown or printed (a letter is white paper, not a
checkerboard or a black sheet on some printers).

:class:`PdfPrinting` (« Imprimer… » with a progress dialog, in a worker) and
:func:`ask_save_copy` (« Enregistrer sous… ») are shared by the production
page and the label calibration page.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRect,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from microcrm.errors import MicroCRMError
from microcrm.text import counted
from microcrm.ui.workers import ProgressFn, Task, run_task

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


class PdfPrinting(QObject):
    """« Imprimer… » of a PDF: the Qt print dialog, then :func:`print_pdf` in a worker.

    A window-modal progress dialog (after 500 ms) offers « Annuler ». One job
    at a time: the printer is kept alive, untouched, while the worker paints
    on it.

    Signals:
        ended(str, int): the job ended: status text (HTML) and pages sent (0 when
            cancelled or failed).
    """

    ended = Signal(str, int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._widget = parent
        self._printer: QPrinter | None = None
        self._dialog: QProgressDialog | None = None

    @property
    def busy(self) -> bool:
        """Whether a print job is under way."""
        return self._printer is not None

    def ask(self, path: Path, pages: int | None) -> None:
        """Show the print dialog for ``path``; print if the user accepts."""
        if self.busy:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(path.stem)
        dialog = QPrintDialog(printer, self._widget)
        dialog.setWindowTitle("Imprimer")
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, pages or 1)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.start(path, pages, printer)

    def start(self, path: Path, pages: int | None, printer: QPrinter) -> Task:
        """Print ``path`` on a configured printer, in a worker; ends with :attr:`ended`."""
        self._printer = printer
        dialog = QProgressDialog("Impression…", "Annuler", 0, pages or 0, self._widget)
        dialog.setWindowTitle("Imprimer")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)
        self._dialog = dialog

        def job(progress: ProgressFn, cancelled: object) -> int:
            assert callable(cancelled)
            return print_pdf(path, printer, progress=progress, cancel=cancelled)

        task = run_task(
            job, on_progress=self._progressed, on_finished=self._printed, on_failed=self._failed
        )
        dialog.canceled.connect(task.cancel)
        return task

    def _progressed(self, done: int, total: int, _message: str) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)

    def _done(self, text: str, pages: int) -> None:
        if self._dialog is not None:
            self._dialog.canceled.disconnect()
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        self._printer = None
        self.ended.emit(text, pages)

    def _printed(self, pages: object) -> None:
        assert isinstance(pages, int)
        self._done(f"{counted(pages, 'page envoyée', 'pages envoyées')} à l'imprimante.", pages)

    def _failed(self, exc: object, _trace: str) -> None:
        if isinstance(exc, PrintCancelledError):
            self._done("Impression annulée.", 0)
            return
        text = exc.message if isinstance(exc, MicroCRMError) else f"Erreur inattendue : {exc}"
        self._done(f"<span style='color:#c62828'><b>{text}</b></span>", 0)


def save_copy(parent: QWidget, source: Path, target: Path) -> Path | None:
    """Copy ``source`` to ``target`` (its extension added when missing); None on failure.

    A failure is shown to the user (« Enregistrement impossible : … »).
    """
    if target.suffix.lower() != source.suffix.lower():
        target = target.with_name(target.name + source.suffix)
    try:
        shutil.copyfile(source, target)
    except OSError as exc:
        QMessageBox.warning(parent, "Enregistrer sous", f"Enregistrement impossible : {exc}")
        return None
    return target


def ask_save_copy(parent: QWidget, source: Path, name: str = "") -> Path | None:
    """« Enregistrer sous… »: ask where (in Documents by default), then :func:`save_copy`."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    pdf = source.suffix.lower() == ".pdf"
    kind = "PDF (*.pdf)" if pdf else "Document Word (*.docx)"
    target, _filter = QFileDialog.getSaveFileName(
        parent, "Enregistrer sous", str(Path(folder) / (name or source.name)), kind
    )
    return save_copy(parent, source, Path(target)) if target else None


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
