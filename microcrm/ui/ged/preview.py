"""Document preview inside the app: PDF pages (QtPdf), images, else the extracted text.

``QPdfDocument.render`` gives a transparent background (docs/environment.md §2):
pages are composited on white before being shown or saved. Files are read
where they are (the store's objects have no extension; Qt sniffs the
content), so a preview never copies anything.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from microcrm.ui.widgets import named

PDF_MIME = "application/pdf"
#: Images larger than this (pixels per side) are scaled down when read.
MAX_IMAGE_SIDE = 4000


def on_white(image: QImage) -> QImage:
    """``image`` composited on a white background (PDF pages render transparent)."""
    result = QImage(image.size(), QImage.Format.Format_RGB32)
    result.fill(QColor("white"))
    painter = QPainter(result)
    painter.drawImage(0, 0, image)
    painter.end()
    return result


def render_pdf_page(document: QPdfDocument, page: int, width: int) -> QImage:
    """Page ``page`` of a loaded PDF, ``width`` pixels wide, on white."""
    points = document.pagePointSize(page)
    if points.width() <= 0:
        return QImage()
    height = round(width * points.height() / points.width())
    return on_white(document.render(page, QSize(width, height)))


def is_pdf(path: Path, mime_type: str = "") -> bool:
    """PDF by its declared type, or by its first bytes (store objects have no extension)."""
    if mime_type == PDF_MIME:
        return True
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False


def is_image(path: Path, mime_type: str = "") -> bool:
    """An image Qt can read (declared type, else sniffed)."""
    if mime_type.startswith("image/"):
        return True
    return bool(QImageReader.imageFormat(str(path)).data())


class PreviewWidget(QStackedWidget):
    """Shows one file: a scrollable PDF, an image fitted to the width, or text.

    Pages are the PDF's (``pdf_view``); images are scaled to the width of
    the pane; other documents show the text the GED extracted, when any.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-preview")
        self.setMinimumWidth(260)
        self.document = QPdfDocument(self)
        self.pdf_view = named(QPdfView(), "ged-preview-pdf")
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.image_label = named(QLabel(), "ged-preview-image")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image_label.setStyleSheet("background: white;")
        self._image_scroll = QScrollArea()
        self._image_scroll.setWidgetResizable(True)
        self._image_scroll.setWidget(self.image_label)
        self.text = named(QPlainTextEdit(), "ged-preview-text")
        self.text.setReadOnly(True)
        self.message = named(QLabel(), "ged-preview-message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #757575; padding: 24px;")
        for widget in (self.message, self.pdf_view, self._image_scroll, self.text):
            self.addWidget(widget)
        self._pixmap = QPixmap()
        self.kind = "empty"
        self.show_message("Sélectionnez un document pour en voir l'aperçu.")

    def show_message(self, text: str) -> None:
        """A message instead of a document."""
        self._close_pdf()
        self.kind = "empty"
        self.message.setText(text)
        self.setCurrentWidget(self.message)

    def _close_pdf(self) -> None:
        if self.document.status() != QPdfDocument.Status.Null:
            self.document.close()

    def show_file(self, path: Path, mime_type: str = "", text: str | None = None) -> str:
        """Preview ``path``; ``text`` (the extracted text) serves other types.

        Returns the kind shown: ``"pdf"``, ``"image"``, ``"text"`` or ``"empty"``.
        """
        if not path.is_file():
            self.show_message("Le fichier de ce document est introuvable dans la GED.")
            return self.kind
        if is_pdf(path, mime_type) and self._show_pdf(path):
            return self.kind
        if is_image(path, mime_type) and self._show_image(path):
            return self.kind
        if text:
            self._close_pdf()
            self.kind = "text"
            self.text.setPlainText(text)
            self.setCurrentWidget(self.text)
            return self.kind
        self.show_message(
            "Pas d'aperçu pour ce type de fichier.\nDouble-cliquez pour l'ouvrir avec "
            "l'application habituelle."
        )
        return self.kind

    def _show_pdf(self, path: Path) -> bool:
        self._close_pdf()
        if self.document.load(str(path)) != QPdfDocument.Error.None_:
            self.show_message("Ce PDF ne peut pas être affiché (fichier endommagé ou protégé).")
            return True
        self.kind = "pdf"
        self.pdf_view.pageNavigator().jump(0, self.pdf_view.pageNavigator().currentLocation())
        self.setCurrentWidget(self.pdf_view)
        return True

    def _show_image(self, path: Path) -> bool:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > MAX_IMAGE_SIDE:
            reader.setScaledSize(
                size.scaled(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, Qt.AspectRatioMode.KeepAspectRatio)
            )
        image = reader.read()
        if image.isNull():
            return False
        self._close_pdf()
        self.kind = "image"
        self._pixmap = QPixmap.fromImage(on_white(image) if image.hasAlphaChannel() else image)
        self._fit_image()
        self.setCurrentWidget(self._image_scroll)
        return True

    def _fit_image(self) -> None:
        if self._pixmap.isNull():
            return
        width = max(self._image_scroll.viewport().width() - 8, 100)
        shown = (
            self._pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            if self._pixmap.width() > width
            else self._pixmap
        )
        self.image_label.setPixmap(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.kind == "image":
            self._fit_image()

    def page_image(self, page: int = 0, width: int = 600) -> QImage:
        """The PDF page shown, rendered on white (what the user sees; tests, thumbnails)."""
        if self.kind != "pdf":
            return QImage()
        return render_pdf_page(self.document, page, width)

    def page_count(self) -> int:
        """Pages of the PDF shown (0 otherwise)."""
        return self.document.pageCount() if self.kind == "pdf" else 0


class PreviewDialog(QDialog):
    """A document (or a version of it) in a window of its own."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-preview-dialog")
        self.setWindowTitle(f"Aperçu — {title}")
        self.preview = PreviewWidget()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.resize(820, 900)
