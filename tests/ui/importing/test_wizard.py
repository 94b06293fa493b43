"""The import wizard driven end to end on a real SQLite base: files → report → undo."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QMenu,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QWizard,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.lists import PartyListService
from microcrm.crm.tags import organisation_tags
from microcrm.db import Database
from microcrm.directory import importer
from microcrm.directory import service as directory_service
from microcrm.directory.importer import ImportPlan, ImportReport, export_organisations
from microcrm.ui.importing.review_models import DECISION, DuplicateModel, IssueModel
from microcrm.ui.importing.wizard import (
    PAGE_DESTINATION,
    PAGE_IMPORT,
    PAGE_MAPPING,
    PAGE_PREVIEW,
    PAGE_REPORT,
    PAGE_SIMULATION,
    PAGE_SOURCE,
    ImportWizard,
)
from microcrm.ui.main_window import MainWindow
from tests.directory.helpers import siret, write_broker
from tests.ui.importing.helpers import HEADER, ROWS, seed

TIMEOUT = 15_000
def organisations(db: Database) -> dict[str, dict[str, Any]]:
    return {org["name"]: org for org in export_organisations(db)}


@pytest.fixture
def base(app_ctx: AppContext) -> dict[str, int]:
    return seed(app_ctx.db)


@pytest.fixture
def broker_file(tmp_path: Path) -> Path:
    return write_broker(tmp_path / "fichier-cci.csv", ROWS, HEADER)


@pytest.fixture
def wizard(qtbot: QtBot, app_ctx: AppContext) -> Iterator[ImportWizard]:
    wizard = ImportWizard(app_ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    qtbot.waitUntil(
        lambda: not wizard.simulation_page.is_running() and not wizard.import_page.is_running(),
        timeout=TIMEOUT,
    )


def drop_files(target: Any, paths: list[Path]) -> None:
    """Drag files over the page (it must accept them), then drop them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(target, drop)


def click_next(qtbot: QtBot, wizard: ImportWizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    if not button.isVisible():
        button = wizard.button(QWizard.WizardButton.CommitButton)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def go_to_simulation(qtbot: QtBot, wizard: ImportWizard, path: Path) -> None:
    """Source (dropped file) → Aperçu → Correspondance (one change) → Destination → Simulation."""
    drop_files(wizard.source_page, [path])
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_PREVIEW
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=TIMEOUT)
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_MAPPING
    wizard.mapping_page.set_target("Mail contact", "person.email")
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_DESTINATION
    wizard.destination_page.tags.setText("Salon 2026")
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_SIMULATION
    qtbot.waitUntil(wizard.simulation_page.isComplete, timeout=TIMEOUT)


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def duplicate_row(model: DuplicateModel, existing_id: int) -> int:
    return next(r for r in range(model.rowCount()) if model.duplicate(r).existing_id == existing_id)


# -- end to end -------------------------------------------------------------------------------


def test_wizard_end_to_end_then_rejected_csv_then_undo(
    qtbot: QtBot,
    wizard: ImportWizard,
    *,
    app_ctx: AppContext,
    base: dict[str, int],
    broker_file: Path,
    tmp_path: Path,
) -> None:
    db = app_ctx.db
    before = list(export_organisations(db))
    imported: list[ImportReport] = []
    wizard.imported.connect(imported.append)
    assert wizard.currentId() == PAGE_SOURCE
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()

    # 1 Source: the file is dropped on the page.
    drop_files(wizard.source_page, [broker_file])
    assert wizard.source_page.paths() == [broker_file]
    click_next(qtbot, wizard)

    # 2 Aperçu: format and preset detected, first rows shown.
    preview = wizard.preview_page
    qtbot.waitUntil(preview.isComplete, timeout=TIMEOUT)
    assert preview.format_label.text().startswith("CSV, UTF-8, séparateur « ; » — 5\u00a0enreg")
    assert preview.preset.currentText() == "Fichier de prospection (loueur de fichiers)"
    assert preview.table.rowCount() == len(ROWS)
    assert preview.table.model().headerData(0, Qt.Orientation.Horizontal) == "Raison sociale"
    assert cell(preview.table, 0, 0).text() == "Garage Vertbois"
    click_next(qtbot, wizard)

    # 3 Correspondance: guesses shown; « Mail contact » is not guessed: it would go to the
    # notes (« Mail contact : … », never lost), and the user maps it.
    mapping = wizard.mapping_page
    assert mapping.table.rowCount() == len(HEADER)
    name_row = mapping.row_of("Raison sociale")
    assert mapping.combo(name_row).currentData() == "org.name"
    assert cell(mapping.table, name_row, 1).text() == "Garage Vertbois"
    mail_row = mapping.row_of("Mail contact")
    assert mapping.combo(mail_row).currentData() == "@notes"
    assert "1\u00a0conservée dans les notes" in mapping.status.text()
    assert cell(mapping.table, mail_row, 1).text() == "luc@vertbois.fr"
    combo = mapping.combo(mail_row)
    combo.setCurrentIndex(combo.findData("person.email"))
    assert wizard.state.sources[0].mapping["person.email"] == "Mail contact"
    click_next(qtbot, wizard)

    # 4 Destination: Suspects by default; a tag for everything imported.
    destination = wizard.destination_page
    assert destination.base.currentText() == "Suspects"
    assert not destination.update_box.isChecked()
    destination.tags.setText("Salon 2026")
    click_next(qtbot, wizard)

    # 5 Simulation: counts, problems, duplicates side by side; one set to « Ignorer ».
    simulation = wizard.simulation_page
    qtbot.waitUntil(simulation.isComplete, timeout=TIMEOUT)
    assert organisations(db) == {o["name"]: o for o in before}  # dry run: nothing written
    counts = simulation.counts
    assert counts.value("records") == "5"
    assert counts.value("organisations_created") == "2"
    assert counts.value("merged") == "2"
    assert counts.value("rejected") == "1"
    assert simulation.tabs.tabText(1) == "Doublons (2)"
    issues = simulation.issues
    rejected = [issues.index(r, 3).data() for r in range(issues.rowCount())
                if issues.index(r, 2).data() == "Rejetée"]  # fmt: skip
    assert rejected == ["Un nom et rien d'autre"]
    assert issues.index(0, 1).data() == "ligne 5"
    duplicates = simulation.duplicates
    dupont = duplicate_row(duplicates, base["dupont"])
    assert duplicates.index(dupont, 3).data() == f"Boulangerie Dupont (n°{base['dupont']})"
    assert duplicates.index(dupont, DECISION).data() == "Fusionner"
    simulation.duplicate_table.selectRow(dupont)
    compare = simulation.compare
    shown = {cell(compare, r, 0).text(): r for r in range(compare.rowCount())}
    name = shown["Raison sociale"]
    assert cell(compare, name, 1).text() == "Dupont Boulangerie Pâtisserie"
    assert cell(compare, name, 2).text() == "Boulangerie Dupont"
    assert cell(compare, name, 1).background().color().name() == "#ffe0b2"  # differs
    phone = shown["Téléphone"]
    assert cell(compare, phone, 2).text() == ""
    assert cell(compare, phone, 1).background().color().name() == "#c8e6c9"  # would be filled
    qtbot.mouseClick(simulation.decision_buttons["skip"], Qt.MouseButton.LeftButton)
    assert duplicates.index(dupont, DECISION).data() == "Ignorer"
    assert simulation.decision_summary.text() == "1\u00a0fusion, 1\u00a0ignoré, 0\u00a0création"

    # 6 Import, then 7 Rapport.
    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT):
        click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_REPORT, timeout=TIMEOUT)
    [report] = imported
    assert report.batch_id is not None
    assert wizard.report_page.subTitle() == f"Import n°\u00a0{report.batch_id} enregistré."
    assert wizard.report_page.counts.value("organisations_created") == "2"

    after = organisations(db)
    assert set(after) == {"Boulangerie Dupont", "Imprimerie Moderne", "Garage Vertbois",
                          "Atelier Zébulon"}  # fmt: skip
    assert after["Boulangerie Dupont"]["phone"] is None  # skipped: left alone
    assert after["Boulangerie Dupont"]["stage"] == "client"
    assert after["Imprimerie Moderne"]["phone"] == "+33478000001"  # merged: filled
    assert after["Imprimerie Moderne"]["stage"] == "prospect"  # never downgraded
    garage = after["Garage Vertbois"]
    assert garage["stage"] == "suspect" and garage["siret"] == siret(2)
    [luc] = garage["persons"]
    assert (luc["first_name"], luc["email"]) == ("Luc", "luc@vertbois.fr")  # mapping changed
    assert organisation_tags(db, garage["id"]) == ["Salon 2026"]
    assert PartyListService(db).counts()["suspect"] == 2

    # « Exporter les lignes rejetées (CSV)… », read back.
    out = tmp_path / "rejets.csv"
    assert wizard.report_page.export_rejected(out) == 1
    with out.open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle, delimiter=";"))
    assert row["Raison sociale"] == "Total général"
    assert row["motif"] == "name_only"
    assert row["origine"] == "fichier-cci.csv, ligne 5"
    assert "1\u00a0ligne rejetée exportée" in wizard.report_page.status.text()

    # « Annuler cet import »: question, then undo in a worker.
    page = wizard.report_page
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert page.question is not None
    with qtbot.waitSignal(wizard.undone, timeout=TIMEOUT):
        page.question.button(QMessageBox.StandardButton.Yes).click()
    assert list(export_organisations(db)) == before
    assert PartyListService(db).counts()["suspect"] == 0
    assert not page.undo_button.isEnabled()


class _WaitForCancel:
    """commit_import that waits until the user cancels, the first time only."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.calls = 0

    def __call__(
        self,
        db: Database,
        plan: ImportPlan,
        *,
        progress: Callable[[int, int, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> ImportReport:
        self.calls += 1
        assert cancelled is not None
        if self.calls == 1:
            self.started.set()
            for _ in range(1000):
                if cancelled():
                    break
                threading.Event().wait(0.01)
        return importer.commit_import(db, plan, progress=progress, cancelled=cancelled)


def test_cancel_during_import_leaves_the_base_unchanged_then_retry(
    qtbot: QtBot,
    wizard: ImportWizard,
    *,
    app_ctx: AppContext,
    base: dict[str, int],
    broker_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = app_ctx.db
    before = list(export_organisations(db))
    slow = _WaitForCancel()
    monkeypatch.setattr(directory_service, "commit_import", slow)
    go_to_simulation(qtbot, wizard, broker_file)
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_IMPORT
    page = wizard.import_page
    qtbot.waitUntil(slow.started.is_set, timeout=TIMEOUT)
    assert page.cancel_button.isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    with qtbot.waitSignal(page.ended, timeout=TIMEOUT):
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.label.text() == "Import annulé : la base n'a pas été modifiée."
    assert list(export_organisations(db)) == before
    assert wizard.currentId() == PAGE_IMPORT and page.retry_button.isVisible()

    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT):
        qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_REPORT, timeout=TIMEOUT)
    assert len(organisations(db)) == 4


def test_closing_during_import_cancels_it(
    qtbot: QtBot,
    wizard: ImportWizard,
    *,
    app_ctx: AppContext,
    base: dict[str, int],
    broker_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = list(export_organisations(app_ctx.db))
    slow = _WaitForCancel()
    monkeypatch.setattr(directory_service, "commit_import", slow)
    go_to_simulation(qtbot, wizard, broker_file)
    click_next(qtbot, wizard)
    qtbot.waitUntil(slow.started.is_set, timeout=TIMEOUT)
    with qtbot.waitSignal(wizard.rejected, timeout=TIMEOUT):
        wizard.reject()
        assert wizard.isVisible()  # waits for the rollback before closing
    assert list(export_organisations(app_ctx.db)) == before


# -- pages --------------------------------------------------------------------------------------


def test_source_page_refuses_unknown_files_and_pairs_sirene(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path, broker_file: Path
) -> None:
    page = wizard.source_page
    other = tmp_path / "photo.png"
    other.write_bytes(b"\x89PNG")
    units = tmp_path / "StockUniteLegale_utf8.csv"
    etabs = tmp_path / "StockEtablissement_utf8.csv"
    for path in (units, etabs):
        path.write_text("siren\n", encoding="utf-8")
    page.add_files([other, broker_file, units, etabs, broker_file])
    assert page.paths() == [broker_file, units, etabs]
    assert "photo.png" in page.notice.text()
    page.files.item(0).setSelected(True)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.paths() == [units, etabs]
    page.add_files([broker_file])
    assert page.validatePage()
    assert [c.paths for c in wizard.state.sources] == [[etabs, units], [broker_file]]


def test_unreadable_file_is_named_and_blocks_the_preview(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path
) -> None:
    broken = tmp_path / "classeur.xlsx"
    broken.write_bytes(b"not a workbook")
    wizard.source_page.add_files([broken])
    click_next(qtbot, wizard)
    page = wizard.preview_page
    with qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        pass
    assert page.error.text().startswith("classeur.xlsx\u00a0: ")
    assert not page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_changing_the_preset_guesses_again(
    qtbot: QtBot, wizard: ImportWizard, broker_file: Path
) -> None:
    wizard.source_page.add_files([broker_file])
    click_next(qtbot, wizard)
    page = wizard.preview_page
    qtbot.waitUntil(page.isComplete, timeout=TIMEOUT)
    choice = wizard.state.sources[0]
    assert choice.preset == "broker" and choice.mapping["address.postcode"] == "CP"
    page.preset.setCurrentIndex(page.preset.findData("google"))
    assert choice.preset == "google"
    assert "address.postcode" not in choice.mapping


def test_mapping_needs_a_name_and_profiles_round_trip(
    qtbot: QtBot, wizard: ImportWizard, app_ctx: AppContext, broker_file: Path
) -> None:
    wizard.source_page.add_files([broker_file])
    click_next(qtbot, wizard)
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=TIMEOUT)
    click_next(qtbot, wizard)
    page = wizard.mapping_page
    page.set_target("Mail contact", "person.email")
    page.set_target("Tél", "person.mobile")
    assert page.save_profile("  Fichier   CCI ")
    saved = app_ctx.paths.config / "import-profiles" / "fichier-cci.json"
    assert saved.is_file()
    assert page.profile.currentText() == "Fichier CCI"

    # The same column chosen for a field already fed frees the other column.
    page.set_target("Nom dirigeant", "org.name")
    mapping = wizard.state.sources[0].mapping
    assert mapping["org.name"] == "Nom dirigeant"
    assert page.combo(page.row_of("Raison sociale")).currentData() == "@notes"
    page.set_target("Raison sociale", "")
    assert "ignorée (« Raison sociale »)" in page.status.text()
    page.set_target("Nom dirigeant", "")
    assert not wizard.mapping_page.validatePage()
    assert "Associez au moins une colonne" in page.status.text()
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_MAPPING  # refused: no name mapped

    page.apply_profile("Fichier CCI")
    mapping = wizard.state.sources[0].mapping
    assert mapping["person.email"] == "Mail contact"
    assert mapping["person.mobile"] == "Tél"
    assert mapping["org.name"] == "Raison sociale"
    assert page.combo(page.row_of("Tél")).currentText() == "Mobile du contact"
    click_next(qtbot, wizard)
    assert wizard.currentId() == PAGE_DESTINATION


def test_contact_files_default_to_prospects(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Martin;Claire;;;\r\nFN:Claire Martin\r\n"
        "ORG:Cabinet Martin\r\nEMAIL:claire@martin.fr\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    wizard.source_page.add_files([path])
    click_next(qtbot, wizard)
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=TIMEOUT)
    assert wizard.preview_page.preset.currentData() == "vcard"
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    assert wizard.destination_page.base.currentData() == "prospect"


def test_review_models_pass_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    wizard: ImportWizard,
    base: dict[str, int],
    broker_file: Path,
) -> None:
    go_to_simulation(qtbot, wizard, broker_file)
    plan = wizard.state.plan
    assert plan is not None
    page = wizard.simulation_page
    page.tabs.setCurrentIndex(1)
    index = page.duplicates.index(1, DECISION)
    page.duplicate_table.setCurrentIndex(index)
    page.duplicate_table.edit(index)  # the Décision combo box of the delegate
    editor = page.duplicate_table.viewport().findChild(QComboBox)
    assert isinstance(editor, QComboBox) and editor.currentText() == "Fusionner"
    editor.setCurrentIndex(editor.findText("Créer quand même"))
    editor.activated.emit(editor.currentIndex())
    assert plan.duplicates[1].decision == "create"
    assert index.data() == "Créer quand même"
    issues, duplicates = IssueModel(), DuplicateModel()
    issues.set_report(plan.report, ["fichier-cci.csv"])
    duplicates.set_duplicates(plan.duplicates)
    qtmodeltester.check(issues)
    qtmodeltester.check(duplicates)
    duplicates.set_all("skip")
    assert duplicates.counts() == {"merge": 0, "skip": 2, "create": 0}
    assert page.duplicates.counts() == {"merge": 0, "skip": 2, "create": 0}  # same objects
    assert duplicates.setData(duplicates.index(0, DECISION), "create")
    assert not duplicates.setData(duplicates.index(0, DECISION), "n'importe quoi")
    assert plan.duplicates[0].decision == "create"


# -- the main window --------------------------------------------------------------------------


def test_main_window_menu_opens_the_wizard_and_refreshes_after_import(
    qtbot: QtBot, app_ctx: AppContext, base: dict[str, int], broker_file: Path
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.act_import.shortcut().toString() == "Ctrl+I"
    menus = {m.title(): m for m in window.menuBar().findChildren(QMenu)}
    file_actions = [a.text() for a in menus["&Fichier"].actions()]
    assert "&Importer…" in file_actions and "&Historique des imports…" in file_actions
    tools = [a.text() for a in menus["&Outils"].actions()]
    assert "Rechercher des &entreprises…" in tools
    assert window.list_panel.model.rowCount() == 0  # Suspects
    assert window.navigation._items["suspect"].text(0) == "Suspects  (0)"
    window.act_import.trigger()
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible()
    go_to_simulation(qtbot, wizard, broker_file)
    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT):
        click_next(qtbot, wizard)
    assert window.list_panel.model.rowCount() == 2  # refreshed: the two new suspects
    assert window.navigation._items["suspect"].text(0) == "Suspects  (2)"
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_REPORT, timeout=TIMEOUT)
    wizard.accept()
