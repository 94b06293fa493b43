"""« Normaliser les adresses » over a list: propose in a worker, review before/after, apply, undo.

The flow (:func:`normalise_addresses`): the domain's ``propose`` runs in a
worker behind a progress dialog (Annuler: nothing was written, all closes);
the review dialog then shows one row per address that would change, with
what is typed now (Avant) beside the NF Z10-011 block that will be stored
(Après) and the reason (Motif). Nothing is written until "Tout accepter" or
"Accepter la sélection"; ``apply`` then runs in a worker and the summary
names the addresses skipped because another workstation changed them. The
returned :class:`~microcrm.crm.address_batch.BatchResult` carries the batch
id that :func:`undo_normalisation` (Ctrl+Z, or the history) puts back.

The table model holds the proposals (plain dataclasses) and filters them in
Python: it never builds a query. Rows have one height for all (no
``resizeRowsToContents`` over thousands of rows); a longer block is cut with
"…" in the cell and shown whole in the tooltip and the detail pane.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import (
    QObject,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.address_batch import (
    AddressBatchService,
    BatchInfo,
    BatchResult,
    Proposal,
    ProposalKind,
    UndoResult,
)
from microcrm.crm.addresses import AddressRecord
from microcrm.errors import MicroCRMError
from microcrm.text import counted, escape_html, short_datetime, thousands
from microcrm.ui.history_dialog import HistoryLabels, UndoDone, UndoHistoryDialog
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task, run_task

TITLE: Final = "Normaliser les adresses"
NBSP: Final = "\u00a0"

STATUS_TEXT: Final[dict[str | None, tuple[str, str]]] = {
    "valid": ("Valide", "#2e7d32"),
    "corrected": ("Corrigée", "#e65100"),
    "invalid": ("Invalide", "#c62828"),
    None: ("Non vérifiée", "#757575"),
}
FILTERS: Final[tuple[tuple[str, ProposalKind | None], ...]] = (
    ("Toutes", None),
    ("Corrigées", ProposalKind.CORRECTED),
    ("Invalides", ProposalKind.INVALID),
)
NAME, BEFORE, AFTER, REASON = range(4)
LINES_ROLE: Final = Qt.ItemDataRole.UserRole
"""Avant/Après cells: the lines of the block, for the delegate."""
STATUS_ROLE: Final = Qt.ItemDataRole.UserRole + 1
"""Avant/Après cells: the status key (``valid``… or ``None``), for the delegate."""


def typed_lines(record: AddressRecord) -> tuple[str, ...]:
    """The typed fields as a block: free lines, « postcode city », country."""
    tail = " ".join(part for part in (record.postcode, record.city) if part)
    return tuple(line for line in (record.line1, record.line2, record.line3, tail,
                                   record.country) if line)  # fmt: skip


def _block_text(lines: Sequence[str], status: str | None) -> str:
    return "\n".join([STATUS_TEXT.get(status, STATUS_TEXT[None])[0], *lines])


class ProposalTableModel(RowsTableModel[int]):
    """The proposals of one run, a check box each, filtered by kind.

    A row is the position of its proposal in the run: the check marks are
    kept by position, so they survive a change of filter.

    Signals:
        check_changed(): a row was checked or unchecked.
    """

    check_changed = Signal()
    COLUMNS = text_columns("Raison sociale", "Avant (saisie)", "Après (bloc La Poste)", "Motif")

    def __init__(self, proposals: Sequence[Proposal], parent: QObject | None = None) -> None:
        super().__init__(range(len(proposals)), parent)
        self._proposals = tuple(proposals)
        self._checked = bytearray(len(self._proposals))

    # -- what is shown --------------------------------------------------------------------
    def set_filter(self, kind: ProposalKind | None) -> None:
        """Show every proposal (``None``) or those of one kind; checks are kept."""
        self.set_rows(
            [i for i, p in enumerate(self._proposals) if kind is None or p.kind is kind]
        )

    def count(self, kind: ProposalKind | None) -> int:
        """Proposals of a kind (all of them for ``None``)."""
        return sum(1 for p in self._proposals if kind is None or p.kind is kind)

    def proposal(self, row: int) -> Proposal:
        """The proposal shown on a row."""
        return self._proposals[self._rows[row]]

    def shown(self) -> list[Proposal]:
        """The proposals the current filter shows, in order."""
        return [self._proposals[i] for i in self._rows]

    def checked(self) -> list[Proposal]:
        """Checked proposals, whatever the filter, in order."""
        return [p for p, on in zip(self._proposals, self._checked, strict=True) if on]

    def checked_count(self) -> int:
        """How many proposals are checked, whatever the filter."""
        return self._checked.count(1)

    def is_checked(self, row: int) -> bool:
        """Whether a shown row is checked."""
        return bool(self._checked[self._rows[row]])

    def set_checked(self, rows: Sequence[int], on: bool) -> None:
        """Check or uncheck some shown rows."""
        for row in rows:
            self._checked[self._rows[row]] = on
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), NAME), self.index(max(rows), NAME),
                [Qt.ItemDataRole.CheckStateRole],
            )
            self.check_changed.emit()

    def max_lines(self, cap: int = 4) -> int:
        """Lines a row needs for nine blocks in ten (``cap`` at most; at least 2)."""
        counts = sorted(
            max(len(typed_lines(p.before)), len(p.after.norm_lines)) for p in self._proposals
        )
        if not counts:
            return 2
        return max(2, min(cap, counts[(len(counts) * 9) // 10]))

    # -- QAbstractTableModel --------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == NAME:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = index.column()
        if column == NAME and role == Qt.ItemDataRole.CheckStateRole:
            on = self.is_checked(index.row())
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        p = self.proposal(index.row())
        if column in (BEFORE, AFTER):
            return self._block_data(p, column, role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return p.name if column == NAME else p.explanation
        return None

    @staticmethod
    def _block_data(p: Proposal, column: int, role: int) -> Any:
        record = p.before if column == BEFORE else p.after
        lines = typed_lines(record) if column == BEFORE else record.norm_lines
        values: dict[int, Any] = {
            LINES_ROLE: lines,
            STATUS_ROLE: record.norm_status,
            Qt.ItemDataRole.DisplayRole: _block_text(lines, record.norm_status),
            Qt.ItemDataRole.ToolTipRole: _block_text(lines, record.norm_status),
        }
        return values.get(role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != NAME:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self.set_checked([index.row()], on)
        return True


class BlockDelegate(QStyledItemDelegate):
    """An address block in a cell: its lines in monospace, the status as a coloured tag."""

    def __init__(self, lines: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self.mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.mono.setStyleHint(QFont.StyleHint.Monospace)

    def row_height(self) -> int:
        """Height of a row: ``lines`` block lines plus margins."""
        return QFontMetrics(self.mono).lineSpacing() * self.lines + 10

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = QFontMetrics(self.mono).horizontalAdvance("M") * 40
        return QSize(width, self.row_height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        QApplication.style().drawControl(
            QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget
        )
        lines = tuple(index.data(LINES_ROLE) or ())
        status = index.data(STATUS_ROLE)
        text, color = STATUS_TEXT.get(status, STATUS_TEXT[None])
        rect: QRect = opt.rect.adjusted(6, 4, -6, -4)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        tag_font = QFont(opt.font)
        tag_font.setBold(True)
        tag_font.setPointSizeF(max(7.0, tag_font.pointSizeF() - 1))
        tag_metrics = QFontMetrics(tag_font)
        tag_width = tag_metrics.horizontalAdvance(text) + 10
        tag = QRect(rect.right() - tag_width, rect.top(), tag_width, tag_metrics.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawRoundedRect(tag, 4, 4)
        painter.setFont(tag_font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.mono)
        metrics = QFontMetrics(self.mono)
        palette = opt.palette
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        width = rect.width() - tag_width - 6
        shown = list(lines[: self.lines])
        if len(lines) > self.lines:
            shown[-1] = shown[-1] + " …"
        y = rect.top() + metrics.ascent()
        for line in shown:
            painter.drawText(rect.left(), y, metrics.elidedText(line, Qt.TextElideMode.ElideRight,
                                                                width))
            y += metrics.lineSpacing()
        painter.restore()


class ProposalTable(QTableView):
    """The review table; Space checks or unchecks the selected rows."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if event.key() == Qt.Key.Key_Space and isinstance(model, ProposalTableModel):
            rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
            if rows:
                on = not all(model.is_checked(r) for r in rows)
                model.set_checked(rows, on)
                return
        super().keyPressEvent(event)


class ReviewDialog(QDialog):
    """Before/after review of the proposals: nothing is written from here.

    ``accepted_proposals()`` holds what the user accepted once the dialog is
    accepted ("Tout accepter": every row the filter shows; "Accepter la
    sélection": the checked rows).
    """

    def __init__(
        self,
        proposals: Sequence[Proposal],
        *,
        examined: int,
        label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("address-batch-review")
        self.setWindowTitle(f"{TITLE} — {label}" if label else TITLE)
        self.resize(1180, 640)
        self._accepted: list[Proposal] = []
        self.model = ProposalTableModel(proposals, self)

        n = len(proposals)
        intro = named(QLabel(), "review-intro")
        intro.setWordWrap(True)
        intro.setText(
            f"<b>{counted(n, 'adresse à normaliser', 'adresses à normaliser')}</b> sur "
            f"{counted(examined, 'fiche examinée', 'fiches examinées')}. Rien n'est enregistré "
            "avant votre choix&nbsp;; la normalisation pourra être annulée (Ctrl+Z ou "
            "Outils &gt; Historique des normalisations)."
        )
        self.detail = named(QLabel(), "review-detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(72)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setStyleSheet(
            "QLabel { background: #fafafa; border: 1px solid #e0e0e0; padding: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self._build_filters())
        layout.addWidget(self._build_table(), 1)
        layout.addWidget(self.detail)
        layout.addLayout(self._build_buttons())
        self.model.check_changed.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()
        if self.model.rowCount():
            self.table.selectRow(0)
        self._show_detail()

    def _build_filters(self) -> QHBoxLayout:
        self.filter_group = QButtonGroup(self)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(f"Afficher{NBSP}:"))
        self.filter_buttons: dict[ProposalKind | None, QRadioButton] = {}
        for i, (text, kind) in enumerate(FILTERS):
            radio = named(QRadioButton(f"{text} ({thousands(self.model.count(kind))})"),
                          f"filter-{kind or 'all'}")
            self.filter_group.addButton(radio, i)
            self.filter_buttons[kind] = radio
            filters.addWidget(radio)
        self.filter_buttons[None].setChecked(True)
        self.filter_group.idToggled.connect(self._filter_toggled)
        filters.addStretch(1)
        self.check_all = named(QPushButton("Tout cocher"), "check-all")
        self.uncheck_all = named(QPushButton("Tout décocher"), "uncheck-all")
        self.check_all.clicked.connect(lambda: self._check_shown(True))
        self.uncheck_all.clicked.connect(lambda: self._check_shown(False))
        for push in (self.check_all, self.uncheck_all):
            push.setAutoDefault(False)
            filters.addWidget(push)
        return filters

    def _build_table(self) -> ProposalTable:
        self.table = table = named(ProposalTable(), "review-table")
        table.setModel(self.model)
        self.delegate = BlockDelegate(self.model.max_lines(), table)
        table.setItemDelegateForColumn(BEFORE, self.delegate)
        table.setItemDelegateForColumn(AFTER, self.delegate)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.delegate.row_height())
        header = table.horizontalHeader()
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        block_width = QFontMetrics(self.delegate.mono).horizontalAdvance("M") * 36 + 90
        header.resizeSection(NAME, 220)
        header.resizeSection(BEFORE, block_width)
        header.resizeSection(AFTER, block_width)
        table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        return table

    def _build_buttons(self) -> QHBoxLayout:
        self.accept_all_button = named(QPushButton(), "accept-all")
        self.accept_checked_button = named(QPushButton(), "accept-checked")
        self.cancel_button = named(QPushButton("Annuler"), "cancel")
        self.accept_all_button.clicked.connect(self.accept_all)
        self.accept_checked_button.clicked.connect(self.accept_checked)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for push in (self.accept_all_button, self.accept_checked_button, self.cancel_button):
            push.setAutoDefault(False)
            buttons.addWidget(push)
        return buttons

    # -- choices --------------------------------------------------------------------------
    def accepted_proposals(self) -> list[Proposal]:
        """What the user accepted (empty until the dialog is accepted)."""
        return list(self._accepted)

    def accept_all(self) -> None:
        """Accept every row the current filter shows."""
        self._accepted = self.model.shown()
        if self._accepted:
            self.accept()

    def accept_checked(self) -> None:
        """Accept the checked rows (whatever the filter shows)."""
        self._accepted = self.model.checked()
        if self._accepted:
            self.accept()

    def set_filter(self, kind: ProposalKind | None) -> None:
        """Show all rows, the corrected ones or the invalid ones."""
        self.filter_buttons[kind].setChecked(True)

    # -- internals ------------------------------------------------------------------------
    def _filter_toggled(self, button_id: int, on: bool) -> None:
        if on:
            self.model.set_filter(FILTERS[button_id][1])
            if self.model.rowCount():
                self.table.selectRow(0)
            self._show_detail()

    def _check_shown(self, on: bool) -> None:
        self.model.set_checked(list(range(self.model.rowCount())), on)

    def _update_buttons(self) -> None:
        shown, checked = self.model.rowCount(), self.model.checked_count()
        self.accept_all_button.setText(f"Tout accepter ({thousands(shown)})")
        self.accept_all_button.setEnabled(shown > 0)
        self.accept_all_button.setToolTip("Accepte toutes les lignes affichées par le filtre.")
        self.accept_checked_button.setText(f"Accepter la sélection ({thousands(checked)})")
        self.accept_checked_button.setEnabled(checked > 0)
        self.accept_checked_button.setToolTip(
            "Accepte les lignes cochées (case à cocher ou barre d'espace)."
        )

    def _show_detail(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.detail.setText("<i>Aucune ligne affichée.</i>")
            return
        p = self.model.proposal(index.row())
        rows = []
        if p.changed_fields:
            rows.append(("Saisie", " / ".join(typed_lines(p.before)),
                         " / ".join(typed_lines(p.after))))
        rows.append(("Bloc La Poste", " / ".join(p.before.norm_lines) or "(non enregistré)",
                     " / ".join(p.after.norm_lines)))
        cells = "".join(
            f"<tr><td><b>{what}</b></td><td><tt>{escape_html(a)}</tt></td><td>→</td>"
            f"<td><tt>{escape_html(b)}</tt></td></tr>"
            for what, a, b in rows
        )
        self.detail.setText(
            f"<b>{escape_html(p.name)}</b> — {escape_html(p.explanation)}"
            f"<table cellspacing='4'>{cells}</table>"
        )


def _message(parent: QWidget | None, icon: QMessageBox.Icon, text: str) -> QMessageBox:
    """A window-modal message box that does not block (tests and workers carry on)."""
    box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("address-batch-message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _error_text(exc: object) -> str:
    return exc.message if isinstance(exc, MicroCRMError) else f"Erreur inattendue{NBSP}: {exc}"


class NormalisationRun(QObject):
    """One run of « Normaliser les adresses »: propose, review, apply, summary.

    Signals:
        applied(BatchResult): the accepted addresses were written (undo with its batch id).
        ended(): the run is over, whatever happened (cancelled, nothing to do, applied, error).
    """

    applied = Signal(object)
    ended = Signal()

    def __init__(
        self,
        parent: QWidget,
        service: AddressBatchService,
        org_ids: Sequence[int],
        label: str,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._service = service
        self._ids = list(org_ids)
        self._label = label
        self.progress: QProgressDialog | None = None
        self.review: ReviewDialog | None = None
        self.message: QMessageBox | None = None
        self.task: Task | None = None
        self.result: BatchResult | None = None

    def start(self) -> None:
        """Normalise in a worker behind a cancellable progress dialog."""
        ids, service = self._ids, self._service
        self.progress = dialog = self._progress_dialog(
            "Normalisation des adresses…", "Annuler", len(ids)
        )

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> list[Proposal]:
            return service.propose(ids, progress, cancelled)

        self.task = run_task(
            job,
            on_progress=lambda done, _total, _m: dialog.setValue(done),
            on_finished=self._proposed,
            on_cancelled=self._cancelled,
            on_failed=self._failed,
        )
        dialog.canceled.connect(self.task.cancel)

    def _progress_dialog(self, text: str, cancel: str | None, total: int) -> QProgressDialog:
        dialog = QProgressDialog(text, cancel or "", 0, max(total, 1), self._parent)
        dialog.setObjectName("address-batch-progress")
        dialog.setWindowTitle(TITLE)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)
        if cancel is None:
            dialog.setCancelButton(None)
        return dialog

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None

    def _cancelled(self) -> None:
        self._close_progress()
        self.ended.emit()

    def _failed(self, exc: object, _traceback: str) -> None:
        self._close_progress()
        self.message = _message(self._parent, QMessageBox.Icon.Warning, _error_text(exc))
        self.ended.emit()

    def _proposed(self, proposals: object) -> None:
        self._close_progress()
        found = list(proposals) if isinstance(proposals, list) else []
        if not found:
            n = len(self._ids)
            self.message = _message(
                self._parent,
                QMessageBox.Icon.Information,
                f"Aucune adresse à normaliser{NBSP}: les {thousands(n)} fiches examinées "
                "sont déjà conformes à la norme NF Z10-011."
                if n > 1
                else f"Aucune adresse à normaliser{NBSP}: la fiche est déjà conforme.",
            )
            self.ended.emit()
            return
        self.review = ReviewDialog(
            found, examined=len(self._ids), label=self._label, parent=self._parent
        )
        self.review.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.review.finished.connect(self._reviewed)
        self.review.open()

    def _reviewed(self, code: int) -> None:
        review, self.review = self.review, None
        accepted = review.accepted_proposals() if review is not None else []
        if code != QDialog.DialogCode.Accepted or not accepted:
            self.ended.emit()
            return
        service, label = self._service, self._label
        self.progress = dialog = self._progress_dialog(
            "Enregistrement des adresses…", None, len(accepted)
        )

        def job(progress: ProgressFn, _cancelled: Callable[[], bool]) -> BatchResult:
            return service.apply(accepted, label=label, progress=progress)

        self.task = run_task(
            job,
            on_progress=lambda done, _total, _m: dialog.setValue(done),
            on_finished=self._applied,
            on_failed=self._failed,
        )

    def _applied(self, result: object) -> None:
        self._close_progress()
        assert isinstance(result, BatchResult)
        self.result = result
        text = result.summary()
        if result.batch_id is not None:
            text += "\n\nCtrl+Z (ou Outils > Historique des normalisations) pour annuler."
        self.message = _message(self._parent, QMessageBox.Icon.Information, text)
        self.applied.emit(result)
        self.ended.emit()


def normalise_addresses(
    parent: QWidget,
    service: AddressBatchService,
    org_ids: Sequence[int],
    label: str,
    on_applied: Callable[[BatchResult], object] | None = None,
) -> NormalisationRun:
    """Run « Normaliser les adresses » on organisations: propose, review, apply, summary.

    Returns at once; the work goes on in workers and window-modal dialogs.

    Args:
        parent: The window the dialogs belong to.
        service: The batch service of the open database.
        org_ids: Organisations, in list order (the selection, or the whole list or segment).
        label: What is normalised, for the title and the history (« Suspects — 12 fiches »).
        on_applied: Called with the :class:`BatchResult` once written, e.g. to push an
            undo step calling :func:`undo_normalisation` with ``result.batch_id``.
    """
    run = NormalisationRun(parent, service, org_ids, label)
    if on_applied is not None:
        run.applied.connect(on_applied)
    run.ended.connect(run.deleteLater)
    run.start()
    return run


def undo_normalisation(
    parent: QWidget,
    service: AddressBatchService,
    batch_id: int,
    on_done: Callable[[UndoResult | None], object] | None = None,
) -> None:
    """Undo a normalisation batch in a worker; tell the user what was left as it was.

    Returns at once (fits ``UndoStep.undo``). ``on_done`` gets the
    :class:`UndoResult`, or ``None`` when the undo failed (already undone,
    base busy…: the reason is shown).
    """
    dialog = QProgressDialog("Annulation de la normalisation…", "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setObjectName("address-batch-progress")
    dialog.setWindowTitle(TITLE)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)

    def job(progress: ProgressFn, _cancelled: Callable[[], bool]) -> UndoResult:
        return service.undo(batch_id, progress)

    def progressed(done: int, total: int, _message: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)

    def finished(result: object) -> None:
        dialog.reset()
        dialog.deleteLater()
        assert isinstance(result, UndoResult)
        if result.skipped_conflicts:
            _message(parent, QMessageBox.Icon.Information, result.summary())
        if on_done is not None:
            on_done(result)

    def failed(exc: object, _traceback: str) -> None:
        dialog.reset()
        dialog.deleteLater()
        _message(parent, QMessageBox.Icon.Warning, _error_text(exc))
        if on_done is not None:
            on_done(None)

    run_task(job, on_progress=progressed, on_finished=finished, on_failed=failed)


class HistoryModel(RowsTableModel[BatchInfo]):
    """The normalisation batches, newest first (a few hundred rows at most)."""

    COLUMNS = text_columns("Date", "Utilisateur", "Portée", "Adresses", "État")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        b = self.row_at(index)
        if b is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#757575") if b.undone else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        skipped = f" ({thousands(b.skipped)} ignorées)" if b.skipped else ""
        undone = short_datetime(b.undone_at, local=True)
        state = f"Annulée le {undone}" if b.undone_at is not None else "Appliquée"
        values = (
            short_datetime(b.created_at, local=True),
            b.created_by or "",
            b.label,
            thousands(b.applied) + skipped,
            state,
        )
        return values[index.column()]


class HistoryDialog(UndoHistoryDialog[BatchInfo]):
    """« Historique des normalisations »: past batches, and undo of one of them.

    The undo asks nothing, as Ctrl+Z does: it deletes no record and leaves the
    addresses changed since the batch as they are.

    Signals:
        undone(UndoResult): a batch was undone from here (refresh the views).
    """

    LABELS = HistoryLabels(
        title="Historique des normalisations",
        undo="Annuler cette normalisation",
        empty="Aucune normalisation n'a encore été faite.",
        name="address-batch-history",
        undo_name="undo-batch",
    )

    def __init__(self, service: AddressBatchService, parent: QWidget | None = None) -> None:
        self._service = service
        super().__init__(HistoryModel(), parent)

    def entries(self) -> list[BatchInfo]:
        return self._service.history()

    def is_undone(self, entry: BatchInfo) -> bool:
        return entry.undone

    def start_undo(self, entry: BatchInfo, done: UndoDone) -> None:
        undo_normalisation(self, self._service, entry.batch_id, done)
