"""« Importer… » (Ctrl+I): the seven-page import wizard.

Source → Aperçu → Correspondance des colonnes → Destination → Simulation →
Import → Rapport. Everything slow (reading previews, the dry run, the
import, the undo) runs in workers; the pages stay incomplete while theirs
runs. The Simulation page is the commit page: once « Importer » is clicked
there is no way back, only « Annuler l'import » (which leaves the base as
it was) and, after the report, the undo of the whole import.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from microcrm.app import AppContext
from microcrm.directory.profiles import group_paths
from microcrm.ui.importing.common import TITLE, ImportState, SourceChoice
from microcrm.ui.importing.gc_pause import release_frozen
from microcrm.ui.importing.run_pages import ImportPage, ReportPage
from microcrm.ui.importing.setup_pages import DestinationPage, MappingPage
from microcrm.ui.importing.simulation_page import SimulationPage
from microcrm.ui.importing.source_pages import PreviewPage, SourcePage

(
    PAGE_SOURCE,
    PAGE_PREVIEW,
    PAGE_MAPPING,
    PAGE_DESTINATION,
    PAGE_SIMULATION,
    PAGE_IMPORT,
    PAGE_REPORT,
) = range(7)
PAGE_NAMES: Final = ("source", "apercu", "correspondance", "destination", "simulation",
                     "import", "rapport")  # fmt: skip
"""Short names of the pages, in order (screenshots: ``import-<name>.png``)."""


class ImportWizard(QWizard):
    """The import wizard over the open database.

    Args:
        ctx: The application context (database, paths).
        parent: The window it belongs to.
        paths: Files to start with; the wizard then opens on the preview.

    Signals:
        imported(ImportReport): an import was written (refresh lists and counts).
        undone(object): the import was undone from the report page.
    """

    imported = Signal(object)
    undone = Signal(object)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, paths: Sequence[Path] = ()
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import-wizard")
        self.ctx = ctx
        self.state = state = ImportState()
        self.setWindowTitle(TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Suivant >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Précédent")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Terminer")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Fermer")
        self.resize(980, 680)
        self.source_page = SourcePage(state)
        self.preview_page = PreviewPage(state)
        self.mapping_page = MappingPage(state, ctx)
        self.destination_page = DestinationPage(state, ctx)
        self.simulation_page = SimulationPage(state, ctx)
        self.import_page = ImportPage(state, ctx)
        self.report_page = ReportPage(state, ctx)
        for page_id, page in enumerate(self.pages()):
            self.setPage(page_id, page)
        self.source_page.search_requested.connect(self.search_online)
        self.import_page.imported.connect(self.imported.emit)
        self.import_page.ended.connect(self._import_ended)
        self.report_page.undone.connect(self.undone.emit)
        self._close_when_idle = False
        self.search_dialog: QWidget | None = None
        self.destroyed.connect(release_frozen)  # the plan is freed with the wizard
        if paths:
            self.start_with(paths)

    def pages(self) -> tuple[
        SourcePage, PreviewPage, MappingPage, DestinationPage, SimulationPage, ImportPage,
        ReportPage,
    ]:  # fmt: skip
        """The pages, in order."""
        return (self.source_page, self.preview_page, self.mapping_page, self.destination_page,
                self.simulation_page, self.import_page, self.report_page)  # fmt: skip

    def start_with(self, paths: Sequence[Path]) -> None:
        """Open on the preview of these files (e.g. the results of an online search)."""
        self.source_page.add_files(list(paths))
        self.state.sources = [SourceChoice(group) for group in group_paths(paths)]
        self.setStartId(PAGE_PREVIEW)

    def search_online(self) -> None:
        """« Rechercher des entreprises en ligne »: the results come back as a file to import."""
        from microcrm.ui.importing.company_search import CompanySearchDialog

        dialog = CompanySearchDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # A bound method, not a lambda: the dialog deletes itself on close, and a lambda
        # holding the wizard would be released during that deletion (PySide crash).
        dialog.results_saved.connect(self._add_search_results)
        self.search_dialog = dialog
        dialog.open()

    def _add_search_results(self, path: object) -> None:
        if isinstance(path, Path):
            self.source_page.add_files([path])

    def busy(self) -> bool:
        """Whether a worker of the wizard is writing (closing must wait for it)."""
        return self.import_page.is_running()

    def reject(self) -> None:
        """« Fermer » / Échap: stop the dry run; cancel a running import first."""
        self.simulation_page.stop()
        if self.import_page.is_running():
            self._close_when_idle = True
            self.import_page.cancel()
            return
        super().reject()

    def _import_ended(self) -> None:
        if self._close_when_idle:
            self._close_when_idle = False
            super().reject()


def open_import_wizard(
    ctx: AppContext, parent: QWidget | None = None, paths: Sequence[Path] = ()
) -> ImportWizard:
    """Show the import wizard (window-modal, deleted when closed) and return it."""
    wizard = ImportWizard(ctx, parent, paths)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    return wizard
