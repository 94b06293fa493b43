"""The main window: navigation by base and segment, the list, record sheets in tabs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)

from microcrm import __version__
from microcrm.app import AppContext
from microcrm.crm.address_batch import AddressBatchService, BatchResult
from microcrm.crm.bases import BASES_BY_KEY, TRASH, BaseKind, is_trash
from microcrm.crm.changes import ChangeFeed
from microcrm.crm.lists import ListQuery, PartyListService
from microcrm.crm.parties import restore_organisations, trash_organisations
from microcrm.crm.persons import restore_persons, trash_persons
from microcrm.crm.segments import list_segments, save_segment
from microcrm.errors import MicroCRMError
from microcrm.text import counted, thousands
from microcrm.ui.address_batch_dialog import HistoryDialog, normalise_addresses, undo_normalisation
from microcrm.ui.ged.window import GedWindowParts
from microcrm.ui.importing.company_search import CompanySearchDialog
from microcrm.ui.importing.history_dialog import ImportHistoryDialog
from microcrm.ui.importing.wizard import ImportWizard, open_import_wizard
from microcrm.ui.list_panel import ListPanel
from microcrm.ui.navigation import Navigation

if TYPE_CHECKING:
    from microcrm.ui.record.sheet_base import RecordSheet

POLL_MS = 3000
WATCHED = frozenset({"organisation", "person", "address", "tag", "segment", "app_user"})


@dataclass
class UndoStep:
    """One undoable list action: its label and how to undo it."""

    label: str
    undo: Callable[[], None]


class MainWindow(QMainWindow):
    """Bases and segments on the left, the list and open records in tabs."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.db = db = ctx.db
        self.service = PartyListService(db)
        self.feed = ChangeFeed(db)
        self.address_batches = AddressBatchService(db)
        self._seq = self.feed.last_seq()
        self._undo: list[UndoStep] = []
        self.setWindowTitle(f"MicroCRM — {db.display_location()}")
        self.resize(1280, 760)

        self.navigation = Navigation()
        self.list_panel = ListPanel(self.service)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.list_panel, "Liste")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self.close_tab)

        splitter = QSplitter()
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.navigation.query_chosen.connect(self._show_query)
        self.list_panel.query_changed.connect(lambda _q: self._update_status())
        self.list_panel.open_requested.connect(self.open_record)
        self.list_panel.save_segment.clicked.connect(self.save_current_as_segment)

        self.ged = GedWindowParts(self)  # GED docks; the search index opens in the background
        self._build_actions()
        self.refresh_navigation()
        self.navigation.select_base("suspect")
        self._restore_layout()

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.poll_changes)
        self._poll.start()

    # -- actions ----------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action(
            "&Nouvelle fiche", self.new_record, QKeySequence.StandardKey.New
        )
        self.act_export = self._action("&Exporter la liste…", self.list_panel.export, "Ctrl+E")
        self.act_settings = self._action("&Paramètres…", self.open_settings, "Ctrl+,")
        self.act_quit = self._action("&Quitter", self.close, QKeySequence.StandardKey.Quit)
        self.act_find = self._action(
            "&Rechercher", self._focus_search, QKeySequence.StandardKey.Find
        )
        self.act_refresh = self._action(
            "&Actualiser", self.refresh, QKeySequence.StandardKey.Refresh
        )
        self.act_delete = self._action(
            "&Mettre à la corbeille", self.trash_selected, QKeySequence.StandardKey.Delete
        )
        self.act_restore = self._action("&Restaurer", self.restore_selected)
        self.act_undo = self._action("Annu&ler", self.undo, QKeySequence.StandardKey.Undo)
        self.act_about = self._action("À &propos de MicroCRM", self._about)
        self.act_normalise = self._action("&Normaliser les adresses…", self.normalise_addresses)
        self.act_norm_history = self._action(
            "&Historique des normalisations…", self.show_normalisation_history
        )
        self.act_import = self._action("&Importer…", self.open_import_wizard, "Ctrl+I")
        self.act_import_history = self._action("&Historique des imports…", self.show_import_history)
        self.act_company_search = self._action(
            "Rechercher des &entreprises…", self.open_company_search
        )
        self.act_mailing = self._action("&Publipostage…", self.open_mailing_wizard, "Ctrl+Shift+P")
        self.act_mail_templates = self._action("&Modèles de courrier…", self.open_mail_templates)
        self.act_campaigns = self._action("&Campagnes…", self.open_campaigns)

        menu = self.menuBar().addMenu("&Fichier")
        for a in (self.act_new, self.act_export):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.act_import)
        menu.addAction(self.act_import_history)
        menu.addSeparator()
        menu.addAction(self.act_settings)
        menu.addSeparator()
        menu.addAction(self.act_quit)
        menu = self.menuBar().addMenu("É&dition")
        for a in (self.act_undo, self.act_delete, self.act_restore):
            menu.addAction(a)
        menu = self.menuBar().addMenu("&Affichage")
        for a in (self.act_find, self.act_refresh, self.ged.act_search, self.ged.act_inbox):
            menu.addAction(a)
        menu = self.menuBar().addMenu("&Outils")
        menu.addAction(self.act_normalise)
        menu.addAction(self.act_norm_history)
        menu.addAction(self.ged.act_rebuild)
        menu.addSeparator()
        menu.addAction(self.act_company_search)
        menu.addSeparator()
        for a in (self.act_mailing, self.act_mail_templates, self.act_campaigns):
            menu.addAction(a)
        self.menuBar().addMenu("&Aide").addAction(self.act_about)

        toolbar = QToolBar("Actions")
        toolbar.setObjectName("toolbar-main")
        toolbar.setMovable(False)
        for a in (
            self.act_new,
            self.act_delete,
            self.act_restore,
            self.act_export,
            self.act_refresh,
        ):
            toolbar.addAction(a)
        toolbar.addSeparator()
        toolbar.addAction(self.ged.act_search)
        toolbar.addAction(self.ged.act_inbox)
        self.addToolBar(toolbar)

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.list_panel.search.setFocus()
        self.list_panel.search.selectAll()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "À propos de MicroCRM",
            f"<b>MicroCRM {__version__}</b><br>CRM de bureau pour TPE/PME.<br>"
            "Codes postaux : La Poste, base officielle (Licence Ouverte).",
        )

    # -- navigation and list -------------------------------------------------------------
    def _show_query(self, query: ListQuery) -> None:
        self.tabs.setCurrentIndex(0)
        self.list_panel.show_query(query)
        in_trash = is_trash(query.base)
        organisations = BASES_BY_KEY[query.base].kind is BaseKind.ORGANISATION
        self.act_restore.setEnabled(in_trash)
        self.act_delete.setEnabled(not in_trash)
        self.act_normalise.setEnabled(not in_trash and organisations)

    def current_base(self) -> str:
        """Key of the base shown in the list."""
        return self.list_panel.model.query.base

    def _lists_persons(self) -> bool:
        """Whether the list shows persons (particuliers, personnel, their trash)."""
        return BASES_BY_KEY[self.current_base()].kind is BaseKind.PERSON

    def refresh_navigation(self) -> None:
        """Counts beside each base, and the segments."""
        self.navigation.set_counts(self.service.counts())
        self.navigation.set_segments(list_segments(self.db))

    def refresh(self) -> None:
        """Reload counts, segments and the list."""
        self.refresh_navigation()
        self.list_panel.reload_choices()
        self.list_panel.refresh()

    def _update_status(self) -> None:
        n = self.list_panel.model.rowCount()
        label = self.navigation.base_label(self.current_base())
        self.statusBar().showMessage(f"{label} : {counted(n, 'fiche')}")

    def poll_changes(self) -> None:
        """Refresh when another workstation changed what is shown (change journal)."""
        batch = self.feed.poll(self._seq)
        self._seq = batch.last_seq
        self.ged.poll(batch.entities)
        if batch.entities & WATCHED:
            self.refresh()
        if batch.entities & {"organisation", "person", "address", "tag"}:
            for sheet in self.sheet_tabs():
                reload = getattr(sheet, "reload", None)
                if callable(reload):
                    reload()

    def save_current_as_segment(self) -> None:
        """Save the filters shown as a named segment."""
        name, ok = QInputDialog.getText(self, "Enregistrer comme segment", "Nom du segment :")
        if not ok:
            return
        try:
            save_segment(self.db, name, self.list_panel.current_query())
        except MicroCRMError as exc:
            QMessageBox.warning(self, "Segment", exc.message)
            return
        self.refresh_navigation()
        self.statusBar().showMessage(f"Segment « {name.strip()} » enregistré.", 5000)

    def open_settings(self) -> None:
        """Company identity, users, database location."""
        from microcrm.ui.settings_dialog import SettingsDialog, restart_application

        dialog = SettingsDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if dialog.changed & {"users", "current_user"}:
            self.refresh()
        if "ged" in dialog.changed:
            self.ged.settings_changed()
        if dialog.restart_requested and self.close():
            restart_application()

    # -- addresses ----------------------------------------------------------------------------
    def normalise_addresses(self) -> None:
        """NF Z10-011 over the selected rows, or the whole list shown: review, then apply."""
        base = self.current_base()
        if base == TRASH.key or BASES_BY_KEY[base].kind is not BaseKind.ORGANISATION:
            return
        selected = self.list_panel.selected_ids()
        ids = selected or self.list_panel.model.ids()
        if not ids:
            return
        what = self.navigation.base_label(base)
        label = f"{what} — {thousands(len(ids))} fiche(s) sélectionnée(s)" if selected else what
        normalise_addresses(self, self.address_batches, ids, label, self._addresses_normalised)

    def _addresses_normalised(self, result: BatchResult) -> None:
        batch_id = result.batch_id
        if batch_id is not None:
            self._undo.append(
                UndoStep(
                    f"Normalisation de {result.applied} adresse(s)",
                    lambda: undo_normalisation(
                        self, self.address_batches, batch_id, lambda _r: self.refresh()
                    ),
                )
            )
        self.refresh()

    def show_normalisation_history(self) -> None:
        """Past batch normalisations, each undoable."""
        dialog = HistoryDialog(self.address_batches, self)
        dialog.undone.connect(lambda _r: self.refresh())
        dialog.exec()

    # -- directory import --------------------------------------------------------------------
    def open_import_wizard(self, paths: Sequence[Path] = ()) -> ImportWizard:
        """Fichier > Importer… (Ctrl+I): the import wizard; lists refresh after an import."""
        wizard = open_import_wizard(self.ctx, self, paths)
        # Bound methods, not lambdas: these dialogs delete themselves when closed.
        wizard.imported.connect(self._imported)
        wizard.undone.connect(self._imported)
        return wizard

    def _imported(self, _result: object = None) -> None:
        """An import was written or undone: counts and lists change."""
        self.refresh()

    def _open_search_results(self, path: object) -> None:
        if isinstance(path, Path):
            self.open_import_wizard([path])

    def show_import_history(self) -> ImportHistoryDialog:
        """Fichier > Historique des imports…: past imports, each undoable."""
        dialog = ImportHistoryDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.undone.connect(self._imported)
        dialog.open()
        return dialog

    def open_company_search(self) -> CompanySearchDialog:
        """Outils > Rechercher des entreprises…: the results open in the import wizard."""
        dialog = CompanySearchDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.results_saved.connect(self._open_search_results)
        dialog.open()
        return dialog

    # -- publipostage -------------------------------------------------------------------------
    def open_mailing_wizard(self) -> QWidget:
        """Outils > Publipostage… (Ctrl+Shift+P): a run on the list shown or its selection."""
        from microcrm.ui.mailing.wizard import open_mailing_wizard

        return open_mailing_wizard(self)

    def open_mail_templates(self) -> QWidget:
        """Outils > Modèles de courrier…: letter and Word templates."""
        from microcrm.ui.mailing.templates_dialog import TemplatesDialog

        dialog = TemplatesDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_campaigns(self) -> QWidget:
        """Outils > Campagnes…: campaigns sent, returned letters marked NPAI."""
        from microcrm.ui.mailing.campaigns_view import open_campaigns

        return open_campaigns(self)

    # -- trash and undo ---------------------------------------------------------------------
    def _trash_and_restore(
        self,
    ) -> tuple[Callable[[list[int]], None], Callable[[list[int]], None]]:
        """Trash and restore services for the rows shown: persons or organisations."""
        db = self.db
        if self._lists_persons():
            return (lambda ids: trash_persons(db, ids), lambda ids: restore_persons(db, ids))
        return (
            lambda ids: trash_organisations(db, ids),
            lambda ids: restore_organisations(db, ids),
        )

    def trash_selected(self) -> None:
        """Move the selected rows to the trash (Ctrl+Z brings them back)."""
        if is_trash(self.current_base()) or self.tabs.currentIndex() != 0:
            return
        ids = self.list_panel.selected_ids()
        if not ids:
            return
        trash, restore = self._trash_and_restore()
        trash(ids)
        self._undo.append(
            UndoStep(f"Mise à la corbeille de {len(ids)} fiche(s)", lambda: restore(ids))
        )
        self.refresh()
        self.statusBar().showMessage(
            f"{len(ids)} fiche(s) mise(s) à la corbeille — Ctrl+Z pour annuler.", 8000
        )

    def restore_selected(self) -> None:
        """Take the selected rows out of the trash they are shown in."""
        if not is_trash(self.current_base()):
            return
        ids = self.list_panel.selected_ids()
        if not ids:
            return
        trash, restore = self._trash_and_restore()
        restore(ids)
        self._undo.append(UndoStep(f"Restauration de {len(ids)} fiche(s)", lambda: trash(ids)))
        self.refresh()

    def undo(self) -> None:
        """Undo the last change: in the open sheet if any, else the last list action."""
        widget = self.tabs.currentWidget()
        sheet_undo = getattr(widget, "undo", None)
        if widget is not self.list_panel and callable(sheet_undo):
            sheet_undo()
            return
        if not self._undo:
            self.statusBar().showMessage("Rien à annuler.", 3000)
            return
        step = self._undo.pop()
        step.undo()
        self.refresh()
        self.statusBar().showMessage(f"Annulé : {step.label}", 5000)

    # -- record sheets -----------------------------------------------------------------------
    def open_record(self, record_id: int) -> None:
        """Open (or bring forward) the sheet of a row: an organisation or a person."""
        if self._lists_persons():
            self._open_person_sheet(record_id, staff=self.current_base() == "personnel")
        else:
            self._open_sheet(record_id)

    def new_record(self) -> None:
        """A blank sheet of the kind listed: private customer, staff member or organisation."""
        base = self.current_base()
        if base == "particulier":
            self._open_person_sheet(None)
        elif base == "personnel":
            self._open_person_sheet(None, staff=True)
        else:
            self._open_sheet(None)

    def _focus_open(self, attribute: str, record_id: int | None) -> bool:
        """Bring forward the open sheet whose ``attribute`` is ``record_id``, if any."""
        for i in range(1, self.tabs.count()):
            if record_id is not None and getattr(self.tabs.widget(i), attribute, None) == record_id:
                self.tabs.setCurrentIndex(i)
                return True
        return False

    def _add_sheet(self, sheet: RecordSheet | None) -> None:
        if sheet is not None:
            self.tabs.setCurrentIndex(self.tabs.addTab(sheet, sheet.title()))

    def _open_sheet(self, record_id: int | None) -> None:
        from microcrm.ui.record.sheet import open_sheet

        if not self._focus_open("org_id", record_id):
            self._add_sheet(open_sheet(self, record_id))

    def _open_person_sheet(self, person_id: int | None, *, staff: bool = False) -> None:
        from microcrm.ui.record.person_sheet import open_person_sheet

        if not self._focus_open("person_id", person_id):
            self._add_sheet(open_person_sheet(self, person_id, staff=staff))

    def close_tab(self, index: int) -> None:
        """Close a sheet tab (it may ask to save first)."""
        widget = self.tabs.widget(index)
        if index == 0 or widget is None:
            return
        maybe_close = getattr(widget, "maybe_close", None)
        if callable(maybe_close) and not maybe_close():
            return
        self.tabs.removeTab(index)
        widget.deleteLater()

    def sheet_tabs(self) -> list[QWidget]:
        """The open record sheets."""
        widgets = (self.tabs.widget(i) for i in range(1, self.tabs.count()))
        return [w for w in widgets if w is not None]

    # -- layout memory ------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        for key, restore in (
            ("main/geometry", self.restoreGeometry),
            ("main/state", self.restoreState),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def closeEvent(self, event: QCloseEvent) -> None:
        for i in range(self.tabs.count() - 1, 0, -1):
            maybe_close = getattr(self.tabs.widget(i), "maybe_close", None)
            if callable(maybe_close) and not maybe_close():
                event.ignore()
                return
        self._poll.stop()
        self.ged.close()
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/state", self.saveState())
        self.list_panel.save_layout()
        super().closeEvent(event)
