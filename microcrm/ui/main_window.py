"""The main window: bases on the left with their counts, the list of the chosen base."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QToolBar,
)

from microcrm import __version__
from microcrm.crm.bases import BASES
from microcrm.crm.lists import ListQuery, PartyListService
from microcrm.ui.models.party_table import PartyTableModel

SEARCH_DELAY_MS = 150


class MainWindow(QMainWindow):
    """Navigation by base and a paged list; the record sheet comes with the next issue."""

    def __init__(self, service: PartyListService, location: str) -> None:
        super().__init__()
        self.service = service
        self.setWindowTitle(f"MicroCRM — {location}")
        self.resize(1200, 720)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setMaximumWidth(240)
        for base in BASES:
            item = QListWidgetItem(base.label)
            item.setData(Qt.ItemDataRole.UserRole, base.key)
            self.navigation.addItem(item)

        self.model = PartyTableModel(service)
        self.table = QTableView()
        self.table.setObjectName("list")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)

        splitter = QSplitter()
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            "Rechercher : nom, enseigne, ville, CP, téléphone, e-mail, SIRET…"
        )
        self.search.setClearButtonEnabled(True)
        toolbar = QToolBar("Recherche")
        toolbar.setObjectName("toolbar-search")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(" Recherche "))
        toolbar.addWidget(self.search)
        self.addToolBar(toolbar)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.navigation.currentRowChanged.connect(self._base_changed)

        self._build_menus()
        self.refresh_counts()
        self.navigation.setCurrentRow(0)
        self._restore_layout()

    # -- actions --------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Fichier")
        quit_action = QAction("&Quitter", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&Affichage")
        find = QAction("&Rechercher", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        view_menu.addAction(find)
        refresh = QAction("&Actualiser", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        view_menu.addAction(refresh)
        help_menu = self.menuBar().addMenu("&Aide")
        about = QAction("À &propos de MicroCRM", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _about(self) -> None:
        QMessageBox.about(
            self, "À propos de MicroCRM",
            f"<b>MicroCRM {__version__}</b><br>CRM de bureau pour TPE/PME.<br>"
            "Données postales : La Poste (Licence Ouverte).",
        )

    # -- list -----------------------------------------------------------------
    def current_base(self) -> str:
        """Key of the base shown."""
        row = self.navigation.currentRow()
        return BASES[row].key if row >= 0 else BASES[0].key

    def _base_changed(self, _row: int) -> None:
        self.model.set_query(ListQuery(self.current_base(), self.search.text()))
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._update_status()

    def _apply_search(self) -> None:
        q = self.model.query
        self.model.set_query(ListQuery(q.base, self.search.text(), q.sort_key, q.descending))
        self._update_status()

    def refresh(self) -> None:
        """Reload counts and the list (after a change elsewhere)."""
        self.refresh_counts()
        self.model.refresh()
        self._update_status()

    def refresh_counts(self) -> None:
        """Update the counts shown beside each base."""
        counts = self.service.counts()
        for row, base in enumerate(BASES):
            item = self.navigation.item(row)
            item.setText(f"{base.label}  ({counts[base.key]:,})".replace(",", "\u202f"))

    def _update_status(self) -> None:
        n = self.model.rowCount()
        label = "fiche" if n <= 1 else "fiches"
        self.statusBar().showMessage(f"{n:,} {label}".replace(",", "\u202f"))

    # -- layout memory --------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)
