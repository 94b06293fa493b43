"""« Rechercher des entreprises »: the state API Recherche d'entreprises, by activity and place.

The search (and, for a radius, the lookup of the commune's centre) runs in
a worker; the results are listed with a check box each. « Importer la
sélection comme suspects » writes the checked establishments as a
SIRENE-shaped CSV file (:func:`microcrm.directory.company_search.write_records_csv`) and
hands it to the import wizard: online results are checked, de-duplicated
and undoable exactly like a file. Network failures are shown in French.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.crm.codes import headcount_label, naf_label, naf_table
from microcrm.directory.company_search import (
    MAX_RADIUS_KM,
    CompanySearch,
    SearchRequest,
    write_records_csv,
)
from microcrm.directory.records import RawRecord, ReadResult
from microcrm.text import counted
from microcrm.ui.importing.common import NBSP, error_text
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task, run_task

TITLE: Final = "Rechercher des entreprises"
NAME, ENSEIGNE, SIRET, ACTIVITY, ADDRESS, POSTCODE, CITY, HEADCOUNT = range(8)


class ResultModel(RowsTableModel[RawRecord]):
    """The establishments found, a check box each (all checked at first).

    Signals:
        check_changed(): a row was checked or unchecked.
    """

    check_changed = Signal()
    COLUMNS = text_columns("Raison sociale", "Enseigne", "SIRET", "Activité", "Adresse",
                           "Code postal", "Ville", "Effectif")  # fmt: skip

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self._checked = bytearray()

    def set_records(self, records: Sequence[RawRecord]) -> None:
        """Show new results, all checked."""
        self.beginResetModel()
        self._rows = list(records)
        self._checked = bytearray([1]) * len(self._rows)
        self.endResetModel()
        self.check_changed.emit()

    def record(self, row: int) -> RawRecord:
        """The establishment on a row."""
        return self.row(row)

    def checked(self) -> list[RawRecord]:
        """The checked establishments, in order."""
        return [r for r, on in zip(self._rows, self._checked, strict=True) if on]

    def set_checked(self, rows: Sequence[int], on: bool) -> None:
        """Check or uncheck rows."""
        for row in rows:
            self._checked[row] = on
        if rows:
            self.dataChanged.emit(self.index(min(rows), NAME), self.index(max(rows), NAME),
                                  [Qt.ItemDataRole.CheckStateRole])  # fmt: skip
            self.check_changed.emit()

    def set_all(self, on: bool) -> None:
        """« Tout cocher » / « Tout décocher »."""
        self.set_checked(list(range(len(self._rows))), on)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == NAME else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.row_at(index)
        if record is None:
            return None
        if index.column() == NAME and role == Qt.ItemDataRole.CheckStateRole:
            on = self._checked[index.row()]
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        f = record.fields
        naf = f.get("naf_code", "")
        values = (
            f.get("name", ""),
            f.get("enseigne", ""),
            f.get("siret", ""),
            f"{naf} {naf_label(naf)}".strip() if naf else "",
            " ".join(p for p in (f.get("complement", ""), f.get("street", "")) if p),
            f.get("postcode", ""),
            f.get("city", ""),
            headcount_label(f.get("headcount_code", "")) or f.get("headcount_code", ""),
        )
        return values[index.column()]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != NAME:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self.set_checked([index.row()], on)
        return True


def _source_note() -> QLabel:
    note = QLabel(
        "Source : API Recherche d'entreprises (INSEE, data.gouv.fr), données publiques "
        "SIRENE ; les entreprises non diffusibles n'y figurent pas."
    )
    note.setStyleSheet("color: #616161;")
    note.setWordWrap(True)
    return note


class _NafCompleter(QCompleter):
    """Completes « boulang » into a NAF code, from the INSEE labels; inserts the code."""

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data()).split(" — ", 1)[0]


class CompanySearchDialog(QDialog):
    """The search form, the results with check boxes, and the import of the selection.

    Args:
        ctx: The application context (the CSV of the selection goes to its cache folder).
        parent: The window it belongs to.
        service: The search service (a local server's URL in tests).

    Signals:
        results_saved(Path): the checked results were written as a file to import.
    """

    results_saved = Signal(object)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, service: CompanySearch | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("company-search")
        self.setWindowTitle(TITLE)
        self.resize(1040, 640)
        self.ctx = ctx
        self.service = service or CompanySearch()
        self.task: Task | None = None
        self.found: ReadResult | None = None
        form = self._build_form()
        self.search_button = named(QPushButton("&Rechercher"), "search-run")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.stop_button = named(QPushButton("A&rrêter"), "search-stop")
        self.stop_button.clicked.connect(self.stop)
        self.progress = named(QProgressBar(), "search-progress")
        self.progress.setTextVisible(False)
        self.status = named(QLabel(), "search-status")
        self.status.setWordWrap(True)
        self.model = ResultModel(self)
        self.model.check_changed.connect(self._update_buttons)
        self.table = self._build_table()
        self.check_all = named(QPushButton("Tout &cocher"), "check-all")
        self.check_all.clicked.connect(lambda: self.model.set_all(True))
        self.uncheck_all = named(QPushButton("Tout &décocher"), "uncheck-all")
        self.uncheck_all.clicked.connect(lambda: self.model.set_all(False))
        self.import_button = named(
            QPushButton("&Importer la sélection comme suspects"), "import-selection"
        )
        self.import_button.clicked.connect(self.import_selection)
        close = named(QPushButton("Fermer"), "close")
        close.clicked.connect(self.reject)
        run = QHBoxLayout()
        run.addWidget(self.search_button)
        run.addWidget(self.stop_button)
        run.addWidget(self.progress, 1)
        run.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.check_all)
        bottom.addWidget(self.uncheck_all)
        bottom.addStretch(1)
        bottom.addWidget(self.import_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(run)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(_source_note())
        layout.addLayout(bottom)
        self._update_buttons()

    def _build_form(self) -> QFormLayout:
        self.activity = named(QLineEdit(), "search-activity")
        self.activity.setPlaceholderText("code NAF (47.24Z) ou mot de l'activité (boulangerie)")
        naf_items = [f"{code} — {label.strip()}" for code, label in naf_table().items()]
        completer = _NafCompleter(QStringListModel(naf_items, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.activity.setCompleter(completer)
        self.place = named(QLineEdit(), "search-place")
        self.place.setPlaceholderText("commune, code postal ou département (31)")
        self.radius = named(QSpinBox(), "search-radius")
        self.radius.setRange(0, MAX_RADIUS_KM)
        self.radius.setSuffix(" km")
        self.radius.setSpecialValueText("aucun (le lieu seul)")
        self.max_results = named(QSpinBox(), "search-max")
        self.max_results.setRange(25, 10_000)
        self.max_results.setSingleStep(25)
        self.max_results.setValue(200)
        for edit in (self.activity, self.place):
            edit.setMinimumWidth(460)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("&Activité :", self.activity)
        form.addRow("&Lieu :", self.place)
        form.addRow("Ra&yon autour de la commune :", self.radius)
        form.addRow("Nombre maximum d'&entreprises :", self.max_results)
        return form

    def _build_table(self) -> QTableView:
        table = named(QTableView(), "search-results")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setResizeContentsPrecision(60)  # up to 10,000 results
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def request(self) -> SearchRequest:
        """What the form asks for."""
        return SearchRequest(
            activity=self.activity.text(),
            place=self.place.text(),
            radius_km=self.radius.value(),
            max_results=self.max_results.value(),
        )

    def search(self) -> None:
        """« Rechercher »: query the service in a worker."""
        if self.task is not None:
            return
        request, service = self.request(), self.service
        self.status.setStyleSheet("")
        self.status.setText("Recherche en cours…")
        self.progress.setRange(0, 0)

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> ReadResult:
            return service.search(request, progress, cancelled)

        self.task = run_task(job, on_progress=self._progressed, on_finished=self._found,
                             on_failed=self._failed, on_cancelled=self._stopped)  # fmt: skip
        self._update_buttons()

    def stop(self) -> None:
        """« Arrêter »: stop paging (the results read so far are kept)."""
        if self.task is not None:
            self.task.cancel()

    def _progressed(self, done: int, total: int, message: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(message)

    def _found(self, result: object) -> None:
        self.task = None
        assert isinstance(result, ReadResult)
        self.show_results(result)

    def _stopped(self) -> None:
        self.task = None
        self.status.setText("Recherche arrêtée.")
        self._update_buttons()

    def show_results(self, result: ReadResult) -> None:
        """List the establishments found, all checked."""
        self.found = result
        self.model.set_records(result.records)
        self.table.resizeColumnsToContents()
        for column, width in ((NAME, 240), (ACTIVITY, 220), (ADDRESS, 200)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), width))
        closed = len(result.issues)
        text = counted(
            len(result.records), "établissement trouvé", "établissements trouvés", nbsp=True
        )
        if closed:
            dropped = counted(
                closed, "établissement fermé écarté", "établissements fermés écartés", nbsp=True
            )
            text += f" ({dropped})"
        self.status.setText(text + ".")
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self._update_buttons()

    def _failed(self, exc: object, _traceback: str) -> None:
        self.task = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(f"Recherche impossible{NBSP}: {error_text(exc)}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.task is not None
        self.progress.setVisible(running)
        self.search_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        checked = len(self.model.checked())
        self.import_button.setEnabled(checked > 0 and not running)
        self.import_button.setText(
            f"&Importer la sélection comme suspects ({checked})"
            if checked
            else "&Importer la sélection comme suspects"
        )
        self.check_all.setEnabled(self.model.rowCount() > 0)
        self.uncheck_all.setEnabled(self.model.rowCount() > 0)

    def import_selection(self) -> Path | None:
        """Write the checked establishments to a CSV file and hand it over to the wizard."""
        records = self.model.checked()
        if not records:
            return None
        stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        path = self.ctx.paths.cache / "recherche-entreprises" / f"recherche-{stamp}.csv"
        try:
            write_records_csv(records, path)
        except OSError as exc:
            self.status.setStyleSheet("color: #c62828;")
            self.status.setText(f"Enregistrement impossible{NBSP}: {error_text(exc)}")
            return None
        self.results_saved.emit(path)
        self.accept()
        return path

    def reject(self) -> None:
        """Close, stopping a running search."""
        self.stop()
        super().reject()
