"""The GED in the main window: search and « À classer » docks, index upkeep, menu actions.

Kept out of ``main_window.py`` so the window only creates a
:class:`GedWindowParts`, puts its actions in its menus and forwards its
change poll. The index is opened in the background as the window is built:
the window never waits for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget

from microcrm.ui.ged.inbox_panel import InboxPanel
from microcrm.ui.ged.index_service import IndexService
from microcrm.ui.ged.search_panel import SearchPanel

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow

#: Journal entities that change what a Documents tab shows.
GED_ENTITIES = frozenset({"document", "dossier", "document_version"})


class GedWindowParts(QObject):
    """Docks, actions and index service of the GED for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        ctx = window.ctx
        self.index = IndexService.for_context(ctx)
        self.index.start()  # background: the window never waits for the index
        self.search_panel = SearchPanel(ctx.open_ged(), self.index)
        self.inbox_panel = InboxPanel(ctx, self.index)
        self.search_dock = self._dock(
            "Recherche GED",
            "dock-ged-search",
            self.search_panel,
            Qt.DockWidgetArea.RightDockWidgetArea,
        )
        # Wide rows (file, client proposed, buttons): along the bottom by default.
        self.inbox_dock = self._dock(
            "À classer", "dock-ged-inbox", self.inbox_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        for dock in (self.search_dock, self.inbox_dock):
            dock.hide()

        self.act_search = self._action(
            "Recherche dans la &GED", self.show_search, QKeySequence("Ctrl+Shift+F")
        )
        self.act_search.setToolTip("Rechercher dans tous les documents (Ctrl+Maj+F)")
        self.act_inbox = self._action("À &classer", self.show_inbox)
        self.act_inbox.setToolTip("Documents déposés dans le dossier « À classer »")
        self.act_rebuild = self._action(
            "Reconstruire l'&index de recherche…", lambda: self.index.rebuild(window)
        )

        self.search_panel.show_in_dossier.connect(self.show_in_dossier)
        self.inbox_panel.pending_changed.connect(self._pending_changed)
        self.inbox_panel.filed.connect(self._refresh_organisation)
        self.index.open_failed.connect(
            lambda message: window.statusBar().showMessage(message, 10000)
        )

    def _dock(self, title: str, name: str, widget: QObject, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)  # type: ignore[arg-type]
        dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea
            | Qt.DockWidgetArea.LeftDockWidgetArea
            | Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.window.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot: object, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        self.window.addAction(action)
        return action

    # -- showing ---------------------------------------------------------------------------
    def show_search(self) -> None:
        """Show the search dock and put the cursor in its box (Ctrl+Maj+F)."""
        self.search_dock.show()
        self.search_dock.raise_()
        self.search_panel.focus_search()

    def show_inbox(self) -> None:
        """Show « À classer »."""
        self.inbox_dock.show()
        self.inbox_dock.raise_()
        self.inbox_panel.rescan()

    def _pending_changed(self, count: int) -> None:
        title = f"À classer ({count})" if count else "À classer"
        self.inbox_dock.setWindowTitle(title)
        self.act_inbox.setText(f"À &classer ({count})" if count else "À &classer")

    def show_in_dossier(self, organisation_id: int, document_id: int) -> None:
        """Open the client's sheet on its Documents tab, the document selected."""
        window = self.window
        window._open_sheet(organisation_id)
        sheet = window.tabs.currentWidget()
        show = getattr(sheet, "show_document", None)
        if callable(show):
            show(document_id)

    def _documents_tabs(self, organisation_id: int | None = None) -> list[object]:
        tabs = []
        for sheet in self.window.sheet_tabs():
            documents = getattr(sheet, "documents", None)
            if documents is None:
                continue
            if organisation_id is None or getattr(sheet, "org_id", None) == organisation_id:
                tabs.append(documents)
        return tabs

    def _refresh_organisation(self, organisation_id: int) -> None:
        for tab in self._documents_tabs(organisation_id):
            refresh = getattr(tab, "refresh", None)
            if callable(refresh):
                refresh()

    # -- upkeep ----------------------------------------------------------------------------
    def poll(self, entities: frozenset[str]) -> None:
        """The window's change poll: the index catches up; Documents tabs reload if needed."""
        self.index.catch_up()
        if entities & GED_ENTITIES:
            for tab in self._documents_tabs():
                refresh = getattr(tab, "refresh", None)
                if callable(refresh):
                    refresh()

    def close(self) -> None:
        """The window closes: stop watching, release the index."""
        self.inbox_panel.stop()
        self.index.close()
        self.inbox_panel.filing.close()  # the filing thread and its extraction workers

    def settings_changed(self) -> None:
        """The GED settings were saved: watch the inbox folder now set."""
        folder = self.window.ctx.settings.inbox_folder
        self.inbox_panel.set_folder(Path(folder) if folder else None)
