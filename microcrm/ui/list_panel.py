"""The list of a base: filter bar, paged table, column chooser, export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from microcrm.crm.bases import BASES_BY_KEY
from microcrm.crm.export import write_csv, write_xlsx
from microcrm.crm.lists import ListQuery, PartyListService, columns_for
from microcrm.ui.models.party_table import PartyTableModel
from microcrm.ui.workers import ProgressFn, run_task

SEARCH_DELAY_MS = 120


class PartyTable(QTableView):
    """The table; Enter opens the current row like a double-click."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class ListPanel(QWidget):
    """Filters and list of one base or segment; emits the id to open."""

    open_requested = Signal(int)
    query_changed = Signal(object)

    def __init__(self, service: PartyListService) -> None:
        super().__init__()
        self.service = service
        self.model = PartyTableModel(service)
        self._kind = ""
        self._export_task: object = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._build_filter_bar())
        layout.addWidget(self._build_table())

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.departement.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.salesperson, self.tag, self.traite):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.reset.clicked.connect(self.reset_filters)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated_row.connect(self._open)
        self.reload_choices()

    def _build_filter_bar(self) -> QHBoxLayout:
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            "Rechercher (nom, ville, CP, tél., e-mail, SIRET…)"
        )
        self.search.setClearButtonEnabled(True)
        self.salesperson = QComboBox()
        self.salesperson.setObjectName("filter-salesperson")
        self.departement = QLineEdit()
        self.departement.setObjectName("filter-departement")
        self.departement.setPlaceholderText("Dépt")
        self.departement.setToolTip("Département : 35, 2A, 974…")
        self.departement.setMaxLength(3)
        self.departement.setFixedWidth(56)
        self.tag = QComboBox()
        self.tag.setObjectName("filter-tag")
        self.traite = QComboBox()
        self.traite.setObjectName("filter-traite")
        for label, value in (("Traité : tous", None), ("Traités", True), ("Non traités", False)):
            self.traite.addItem(label, value)
        self.reset = QPushButton("Réinitialiser")
        self.save_segment = QPushButton("Enregistrer comme segment…")
        self.save_segment.setObjectName("save-segment")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(QLabel("Commercial"))
        for widget, stretch in (
            (self.salesperson, 1),
            (self.departement, 0),
            (self.tag, 1),
            (self.traite, 0),
            (self.reset, 0),
            (self.save_segment, 0),
        ):
            bar.addWidget(widget, stretch)
        return bar

    def _build_table(self) -> PartyTable:
        self.table = PartyTable()
        self.table.setObjectName("list")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        return self.table

    # -- filters ----------------------------------------------------------------
    def reload_choices(self) -> None:
        """Refill the salesperson and tag filters (after settings changed)."""
        for combo, first, entries in (
            (self.salesperson, "Tous les commerciaux", self.service.salespeople()),
            (self.tag, "Toutes les étiquettes", self.service.tags()),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for key, label in entries:
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def current_query(self) -> ListQuery:
        """The query the filter bar describes, on the current base and sort."""
        q = self.model.query
        return ListQuery(
            q.base,
            self.search.text(),
            q.sort_key,
            q.descending,
            salesperson_id=self.salesperson.currentData(),
            departement=self.departement.text().strip().upper(),
            tag_id=self.tag.currentData(),
            traite=self.traite.currentData(),
        )

    def apply_filters(self) -> None:
        """Run the current query (one ids query; rows load as they are shown)."""
        self._set_query(self.current_query())

    def show_query(self, query: ListQuery) -> None:
        """Show a base or a segment: filters are set from the query."""
        widgets = (self.search, self.departement, self.salesperson, self.tag, self.traite)
        for w in widgets:
            w.blockSignals(True)
        self.search.setText(query.search)
        self.departement.setText(query.departement)
        self.salesperson.setCurrentIndex(max(0, self.salesperson.findData(query.salesperson_id)))
        self.tag.setCurrentIndex(max(0, self.tag.findData(query.tag_id)))
        self.traite.setCurrentIndex(max(0, self.traite.findData(query.traite)))
        for w in widgets:
            w.blockSignals(False)
        is_org = columns_for(query.base) is columns_for("suspect")
        self.traite.setEnabled(is_org)
        self._set_query(query)

    def reset_filters(self) -> None:
        """Back to the whole base."""
        self.show_query(ListQuery(self.model.query.base))

    def _set_query(self, query: ListQuery) -> None:
        kind = BASES_BY_KEY[query.base].kind.value
        if kind != self._kind:
            self._save_header()
        selected = self._selected_id()
        self.model.set_query(query)
        self._show_sort_indicator(query)
        if kind != self._kind:
            self._kind = kind
            self._restore_header()
        if selected is not None:
            self.select_id(selected)
        self.query_changed.emit(query)

    def _show_sort_indicator(self, query: ListQuery) -> None:
        """Make the header's arrow tell the truth about the order shown (no re-sort)."""
        keys = [c.key for c in columns_for(query.base)]
        column = keys.index(query.sort_key) if query.sort_key in keys else 0
        order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    # -- selection ---------------------------------------------------------------
    def _selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        """Ids of the selected rows."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def select_id(self, record_id: int) -> None:
        """Make the row of ``record_id`` current, if it is in the list."""
        row = self.model.row_of(record_id)
        if row is not None:
            self.table.selectRow(row)

    def refresh(self) -> None:
        """Reload the list after a change (keeps filters, sort and selection)."""
        self._set_query(self.model.query)

    def _open(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_requested.emit(self.model.id_at(row))

    # -- columns -------------------------------------------------------------------
    def _column_menu(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in range(self.model.columnCount()):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            action = QAction(title, menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
            menu.addAction(action)
        menu.exec(header.mapToGlobal(pos))

    def _save_header(self) -> None:
        if self._kind:
            QSettings().setValue(
                f"list/{self._kind}/header", self.table.horizontalHeader().saveState()
            )

    def _restore_header(self) -> None:
        state = QSettings().value(f"list/{self._kind}/header")
        if isinstance(state, QByteArray):
            header = self.table.horizontalHeader()
            header.blockSignals(True)  # widths and order only: the query decides the sort
            header.restoreState(state)
            header.blockSignals(False)
            self._show_sort_indicator(self.model.query)

    def save_layout(self) -> None:
        """Remember column widths, order and visibility."""
        self._save_header()

    # -- export ----------------------------------------------------------------------
    def export(self, path: Path | None = None) -> None:
        """Export the rows shown (with the filters applied) to CSV or XLSX."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self,
                "Exporter la liste",
                str(Path.home() / "export.xlsx"),
                "Classeur Excel (*.xlsx);;CSV pour Excel (*.csv)",
            )
            if not name:
                return
            path = Path(name)
        query = self.model.query
        ids = self.model.ids()
        headers = [c.header for c in columns_for(query.base)]
        writer = write_csv if path.suffix.lower() == ".csv" else write_xlsx

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> int:
            rows = self.service.rows_in_order(query.base, ids)
            return writer(
                path, headers, rows, total=len(ids), progress=progress, cancelled=cancelled
            )

        dialog = QProgressDialog("Export en cours…", "Annuler", 0, max(len(ids), 1), self)
        dialog.setWindowTitle("Exporter la liste")
        dialog.setMinimumDuration(500)
        task = run_task(
            job,
            on_progress=lambda done, _t, _m: dialog.setValue(done),
            on_finished=lambda n: self._exported(dialog, path, int(str(n))),
            on_cancelled=dialog.reset,
            on_failed=lambda exc, _tb: self._export_failed(dialog, exc),
        )
        dialog.canceled.connect(task.cancel)

    def _exported(self, dialog: QProgressDialog, path: Path, count: int) -> None:
        dialog.reset()
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(f"{count} lignes exportées dans {path}", 8000)

    def _export_failed(self, dialog: QProgressDialog, exc: object) -> None:
        dialog.reset()
        QMessageBox.warning(self, "Exporter la liste", f"L'export a échoué : {exc}")

    def current_index(self) -> QModelIndex:
        """The table's current index."""
        return self.table.currentIndex()
