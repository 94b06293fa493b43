"""« Recherche GED »: one search box over every document of every client.

Typing never waits for the engine: searches run on the index service's
thread, debounced (~150 ms), and an answer that arrives after a newer
request is dropped. Each result shows its title, the passage that matched
(matches in bold), where it is filed (client › dossier), its type and date.
Enter opens the document with the system application; « Afficher dans le
dossier » opens the client's sheet on its Documents tab with the document
selected. :attr:`SearchPanel.latencies_ms` records, for each answer, the
time from the engine's return to the list painted (budget ≤ 100 ms, docs/architecture.md §6).
"""

from __future__ import annotations

import time

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from microcrm.errors import MicroCRMError
from microcrm.ged.search import SearchHit, SearchResults
from microcrm.ged.service import Ged
from microcrm.text import counted, escape_html, short_date
from microcrm.ui.ged.common import open_document, type_label
from microcrm.ui.ged.index_service import IndexService, LiveSearch, SearchReply
from microcrm.ui.ged.preview import PreviewDialog
from microcrm.ui.widgets import named

Index = QModelIndex | QPersistentModelIndex
HIT_ROLE = Qt.ItemDataRole.UserRole
HTML_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_LIMIT = 30
PLACEHOLDER = 'Rechercher dans la GED : mots, "phrase", préfixe*, -exclu, client:, type:, date:2025'


def hit_html(hit: SearchHit) -> str:
    """The rich text of one result (the snippet is already escaped, with ``<b>`` marks).

    One line each for the title and where the document is filed, then the
    passage found: rows have the same height (:data:`ROW_LINES` lines).
    """
    where = " › ".join(escape_html(p) for p in (hit.client, hit.dossier) if p)
    kind = type_label(hit.doc_type)
    last = hit.dossier.rsplit("/", 1)[-1].strip().casefold()
    if kind and last.startswith(kind.casefold()):
        kind = ""  # « Factures · Facture » would say it twice
    details = " · ".join(p for p in (escape_html(kind), short_date(hit.doc_date)) if p)
    meta = " · ".join(p for p in (where, details) if p)
    return (
        f"<b>{escape_html(hit.title)}</b><br>"
        f"<span class='meta'>{meta}</span><br>"
        f"<span class='snippet'>{hit.snippet}</span>"
    )


#: Colours of the result lines, on a normal row and on the selected (highlighted) one.
ROW_STYLE = ".meta { color: #546e7a; } .snippet { color: #37474f; }"
SELECTED_STYLE = ".meta { color: #e3f2fd; } .snippet { color: #ffffff; }"


class ResultModel(QAbstractListModel):
    """The hits of the last answer, in rank order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._html: list[str] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._hits = list(hits)
        self._html = [hit_html(h) for h in self._hits]
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        """The hit of a row."""
        return self._hits[row]

    def hits(self) -> list[SearchHit]:
        """Every hit shown."""
        return list(self._hits)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == HTML_ROLE:
            return self._html[index.row()]
        if role == HIT_ROLE:
            return hit
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.client} › {hit.dossier}" if hit.dossier else hit.client
        return None


class SnippetDelegate(QStyledItemDelegate):
    """Paints a result as rich text: title, where it is filed, the passage found.

    Every row has the same height (the view asks one size only, so
    results are shown ≤ 100 ms after the engine answers); a passage longer than
    its two lines is cut at a line boundary. Laid-out documents are cached
    per row and width until the model resets.
    """

    MARGIN = 6
    ROW_LINES = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[tuple[int, int, bool], QTextDocument] = {}
        self._row_height: dict[str, int] = {}

    def clear_cache(self) -> None:
        """Forget the laid-out rows (the model was reset)."""
        self._cache.clear()

    def row_height(self, font: QFont) -> int:
        """Height of :data:`ROW_LINES` lines of rich text in ``font``, margins included."""
        key = font.key()
        height = self._row_height.get(key)
        if height is None:
            doc = QTextDocument()
            doc.setDefaultFont(font)
            doc.setDocumentMargin(self.MARGIN)
            doc.setHtml("<b>X</b>" + "<br>X" * (self.ROW_LINES - 1))
            height = self._row_height[key] = int(doc.size().height())
        return height

    def _document(
        self, option: QStyleOptionViewItem, index: Index, selected: bool
    ) -> QTextDocument:
        width = max(option.rect.width(), 200)
        key = (index.row(), width, selected)
        doc = self._cache.get(key)
        if doc is None:
            doc = QTextDocument()
            doc.setDefaultFont(option.font)
            doc.setDocumentMargin(self.MARGIN)
            doc.setDefaultStyleSheet(SELECTED_STYLE if selected else ROW_STYLE)
            doc.setHtml(str(index.data(HTML_ROLE) or ""))
            doc.setTextWidth(width)
            if len(self._cache) > 500:
                self._cache.clear()
            self._cache[key] = doc
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        doc = self._document(opt, index, selected)
        opt.text = ""
        widget: QWidget | None = opt.widget  # None when painted outside a view
        style = QApplication.style() if widget is None else widget.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        context = QAbstractTextDocumentLayout.PaintContext()
        if selected:
            context.palette.setColor(
                QPalette.ColorRole.Text, opt.palette.color(QPalette.ColorRole.HighlightedText)
            )
        rect = opt.rect
        # Whole lines only: a passage longer than its two lines stops at a line boundary.
        visible = self.row_height(opt.font) - self.MARGIN
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(QRectF(0, 0, rect.width(), min(visible, rect.height())))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(max(option.rect.width(), 200), self.row_height(option.font) + 2)


def warm_up_rich_text(font: QFont) -> None:
    """Lay out and paint one result offscreen, once, before the first search.

    The first rich text laid out pays for the text engine's start-up (~70 ms:
    fonts, HTML parser); without this, the first answer would.
    """
    sample = SearchHit(
        0,
        None,
        "Client",
        "Dossier",
        "Titre",
        "facture",
        None,
        0.0,
        "Un passage <b>trouvé</b> dans le texte du document, en gras.",
    )
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(ROW_STYLE)
    doc.setHtml(hit_html(sample))
    doc.setTextWidth(400)
    image = QImage(400, 80, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    doc.drawContents(painter)
    painter.end()


class ResultView(QListView):
    """The result list; remembers when it last painted (latency measurement).

    Signals:
        activated_hit(int): Enter or double-click on a row.
    """

    activated_hit = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.painted_at = 0.0
        self.paint_waiters: list[float] = []

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted_at = time.perf_counter()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_hit.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class SearchPanel(QWidget):
    """The whole-GED search: box, status, ranked results, open / show in dossier / preview.

    Signals:
        show_in_dossier(int, int): open the organisation (id) on the document (id).
        results_shown(float): an answer was painted; ms from the engine's return.
    """

    show_in_dossier = Signal(int, int)
    results_shown = Signal(float)

    def __init__(self, ged: Ged, index: IndexService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-search-panel")
        self.ged = ged
        self.index = index
        self.latencies_ms: list[float] = []
        self._answered_at: float | None = None
        self.search = named(QLineEdit(), "ged-search")
        self.search.setPlaceholderText(PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(
            'Mots (tous requis), "expression exacte", préfixe* (4 lettres au moins), '
            "-mot à exclure, OU entre deux mots ; filtres client:, type:, dossier:, tag:, "
            "date:2025, date:2025-01..2025-06"
        )
        self.status = named(QLabel(), "ged-search-status")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.model = ResultModel(self)
        self.view = named(ResultView(), "ged-results")
        self.delegate = SnippetDelegate(self.view)
        self._setup_view()
        self.open_button = named(QPushButton("Ouvrir"), "ged-result-open")
        self.show_button = named(QPushButton("Afficher dans le dossier"), "ged-result-show")
        self.preview_button = named(QPushButton("Aperçu"), "ged-result-preview")
        buttons = QHBoxLayout()
        for button in (self.open_button, self.show_button, self.preview_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.live = LiveSearch(index, limit=SEARCH_LIMIT, parent=self)
        self.search.textChanged.connect(self.live.request)
        self.search.installEventFilter(self)
        self.live.answered.connect(self._answered)
        self.live.failed.connect(self._failed)
        self.live.cleared.connect(self._cleared)
        self.live.waiting.connect(lambda text: self._set_status(escape_html(text), "#757575"))
        index.index_changed.connect(lambda _n: self.live.refresh())
        self.view.activated_hit.connect(self.open_row)
        self.view.doubleClicked.connect(lambda i: self.open_row(i.row()))
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.open_button.clicked.connect(lambda: self.open_row(self._current_row()))
        self.show_button.clicked.connect(lambda: self.show_row(self._current_row()))
        self.preview_button.clicked.connect(lambda: self.preview_row(self._current_row()))
        self._cleared()
        QTimer.singleShot(0, lambda: warm_up_rich_text(self.view.font()))

    def _setup_view(self) -> None:
        view = self.view
        view.setModel(self.model)
        view.setItemDelegate(self.delegate)
        view.setUniformItemSizes(True)
        view.setWordWrap(True)
        view.setAlternatingRowColors(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setResizeMode(QListView.ResizeMode.Adjust)

    # -- typing --------------------------------------------------------------------------------
    def focus_search(self) -> None:
        """Ctrl+Maj+F: the cursor in the box, its text selected."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and (event.type() == QEvent.Type.KeyPress)
        ):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._enter_in_box()
                return True
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.view.setFocus()
                self.view.setCurrentIndex(self.model.index(0))
                return True
        return super().eventFilter(watched, event)

    def _enter_in_box(self) -> None:
        """Enter: open the result chosen when the list answers this text, else search now."""
        answered = self.model.rowCount() and self._shown_query == self.search.text()
        if answered:
            self.open_row(max(self._current_row(), 0))
        else:
            self.live.run_now()

    # -- answers -------------------------------------------------------------------------------
    _shown_query = ""

    def _answered(self, reply: object) -> None:
        assert isinstance(reply, SearchReply)
        results = reply.results
        self._answered_at = reply.answered_at
        self._shown_query = results.query
        self.delegate.clear_cache()
        self.model.set_hits(results.hits)
        if results.hits:
            self.view.setCurrentIndex(self.model.index(0))
        self._set_status(self.summary(results), "#455a64")
        self._update_buttons()
        self.view.viewport().repaint()  # painted now: the latency measured is what one sees
        self._painted()

    def _painted(self) -> None:
        if self._answered_at is None:
            return
        latency = (self.view.painted_at - self._answered_at) * 1000
        self._answered_at = None
        if latency >= 0:
            self.latencies_ms.append(latency)
            self.results_shown.emit(latency)

    @staticmethod
    def summary(results: SearchResults) -> str:
        """« 12 résultats (8 ms) », « plus de 1 000 résultats », « Aucun document trouvé »."""
        took = f" <span style='color:#90a4ae'>({results.took_ms:.0f} ms)</span>"
        if not results.hits:
            return "Aucun document trouvé." + took
        if results.total_is_estimate and results.total > 1000:
            count = "plus de 1\u202f000 résultats"
        else:
            n = results.total
            count = counted(n, "résultat")
        shown = (
            f", {len(results.hits)} premiers affichés" if results.total > len(results.hits) else ""
        )
        return count + shown + took

    def _failed(self, message: str) -> None:
        self.delegate.clear_cache()
        self.model.set_hits([])
        self._set_status(escape_html(message), "#c62828")
        self._update_buttons()

    def _cleared(self) -> None:
        self.delegate.clear_cache()
        self.model.set_hits([])
        self._shown_query = ""
        self._set_status(
            "Tapez quelques mots : nom, numéro de facture, SIRET… "
            "<span style='color:#90a4ae'>(Ctrl+Maj+F)</span>",
            "#757575",
        )
        self._update_buttons()

    def _set_status(self, text: str, color: str) -> None:
        self.status.setText(f"<span style='color:{color}'>{text}</span>")

    def status_text(self) -> str:
        """The status line as plain text."""
        doc = QTextDocument()
        doc.setHtml(self.status.text())
        return doc.toPlainText()

    # -- acting on a result --------------------------------------------------------------------
    def _current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def _update_buttons(self) -> None:
        row = self._current_row()
        has = 0 <= row < self.model.rowCount()
        self.open_button.setEnabled(has)
        self.preview_button.setEnabled(has)
        self.show_button.setEnabled(has and self.model.hit(row).organisation_id is not None)

    def open_row(self, row: int) -> None:
        """Open a result with the system application."""
        if not 0 <= row < self.model.rowCount():
            return
        hit = self.model.hit(row)
        try:
            open_document(self.ged, hit.document_id)
        except MicroCRMError as exc:
            self._set_status(escape_html(exc.message), "#c62828")
        except OSError as exc:
            self._set_status(escape_html(f"Impossible de préparer le fichier : {exc}"), "#c62828")

    def show_row(self, row: int) -> None:
        """« Afficher dans le dossier »: ask the window for the client's sheet."""
        if not 0 <= row < self.model.rowCount():
            return
        hit = self.model.hit(row)
        if hit.organisation_id is not None:
            self.show_in_dossier.emit(hit.organisation_id, hit.document_id)

    def preview_row(self, row: int) -> PreviewDialog | None:
        """Preview a result in a window of its own."""
        if not 0 <= row < self.model.rowCount():
            return None
        hit = self.model.hit(row)
        try:
            doc = self.ged.document(hit.document_id)
        except MicroCRMError as exc:
            self._set_status(escape_html(exc.message), "#c62828")
            return None
        dialog = PreviewDialog(doc.title, self)
        store = self.ged.store
        dialog.preview.show_file(
            store.object_path(doc.sha256), doc.mime_type, store.read_text(doc.sha256)
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
