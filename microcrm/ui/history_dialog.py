"""A history of undoable batches: the past runs in a table, the selected one undone.

The normalisation history (:mod:`microcrm.ui.address_batch_dialog`) and the
import history (:mod:`microcrm.ui.importing.history_dialog`) are the same
dialog: a list newest first, « Annuler … » for the selected run (after a
question when the subclass asks one), the list reloaded once the worker is
done. This base holds that; a subclass says how to list its runs, which are
undone already, what to ask and how to undo one. It lives at the top of
``ui/`` because it serves two features and belongs to neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.widgets import Question, named

EntryT = TypeVar("EntryT")
UndoDone = Callable[[object | None], None]
"""Called once an undo is over: with its result, or None when it failed (reason shown)."""


@dataclass(frozen=True, slots=True)
class HistoryLabels:
    """The French words of one history dialog, and the object names tests find it by.

    Attributes:
        title: The window title (« Historique des imports »).
        undo: The undo button (« &Annuler l'import »); without its ``&``, the question's title.
        empty: Shown beside the buttons while the list is empty.
        name: The dialog's object name.
        undo_name: The undo button's object name.
    """

    title: str
    undo: str
    empty: str
    name: str
    undo_name: str


class UndoHistoryDialog(QDialog, Generic[EntryT]):
    """Past runs, newest first, and the undo of the selected one.

    Subclasses set ``LABELS`` (and ``SIZE``, ``STRETCH_COLUMN`` for their
    columns), build their :class:`RowsTableModel`, and implement
    :meth:`entries`, :meth:`is_undone` and :meth:`start_undo`; they may ask
    before undoing with :meth:`confirmation`. :meth:`entries` is called by
    this constructor: set what it reads before calling ``super().__init__``.

    Signals:
        undone(object): a run was undone from here (refresh the views).
    """

    undone = Signal(object)
    LABELS: ClassVar[HistoryLabels]
    SIZE: ClassVar[tuple[int, int]] = (860, 380)
    STRETCH_COLUMN: ClassVar[int] = 2
    """The column that takes the spare width; the others fit their contents."""

    def __init__(self, model: RowsTableModel[EntryT], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        labels = self.LABELS
        self.setObjectName(labels.name)
        self.setWindowTitle(labels.title)
        self.resize(*self.SIZE)
        self.busy = False
        self.question: Question | None = None
        self._asked: EntryT | None = None
        self.model = model
        model.setParent(self)
        model.set_rows(self.entries())
        self.table = named(QTableView(), "history-table")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a few hundred rows
        header.setSectionResizeMode(self.STRETCH_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        self.undo_button = named(QPushButton(labels.undo), labels.undo_name)
        self.undo_button.clicked.connect(self.undo_selected)
        close = named(QPushButton("Fermer"), "close")
        close.clicked.connect(self.accept)
        self.empty = named(QLabel(labels.empty), "history-empty")
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        if model.rowCount():
            self.table.selectRow(0)
        self._update()

    # -- what a subclass says ---------------------------------------------------------------
    def entries(self) -> Sequence[EntryT]:
        """The runs to list, newest first."""
        raise NotImplementedError

    def is_undone(self, entry: EntryT) -> bool:
        """Whether a run was undone already (it cannot be undone twice)."""
        raise NotImplementedError

    def confirmation(self, entry: EntryT) -> str | None:
        """The question to ask before undoing ``entry``, or None to undo at once."""
        return None

    def start_undo(self, entry: EntryT, done: UndoDone) -> None:
        """Undo ``entry`` in a worker; call ``done`` once over (the outcome is shown there)."""
        raise NotImplementedError

    # -- the dialog ---------------------------------------------------------------------------
    def selected(self) -> EntryT | None:
        """The run selected."""
        return self.model.row_at(self.table.currentIndex())

    def _update(self) -> None:
        entry = self.selected()
        self.undo_button.setEnabled(
            entry is not None and not self.is_undone(entry) and not self.busy
        )
        self.empty.setVisible(self.model.rowCount() == 0)

    def undo_selected(self) -> None:
        """The undo button: ask when the subclass has a question, then undo in a worker."""
        entry = self.selected()
        if entry is None or self.is_undone(entry) or self.busy:
            return
        text = self.confirmation(entry)
        if text is None:
            self.undo(entry)
            return
        self._asked = entry
        self.question = Question(self, self.LABELS.undo.replace("&", ""), text)
        self.question.confirmed.connect(self._confirmed)
        self.question.open()

    def _confirmed(self) -> None:
        if self._asked is not None:
            self.undo(self._asked)

    def undo(self, entry: EntryT) -> None:
        """Undo a run in a worker (no question asked), then reload the list."""
        if self.busy:
            return

        def done(result: object | None) -> None:
            self.busy = False
            row = self.table.currentIndex().row()
            self.model.set_rows(self.entries())
            if self.model.rowCount():
                self.table.selectRow(min(max(row, 0), self.model.rowCount() - 1))
            self._update()
            if result is not None:
                self.undone.emit(result)

        self.busy = True
        self._update()
        self.start_undo(entry, done)
