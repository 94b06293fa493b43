"""The Documents tab of a client on a real SQLite base, real content store and real index."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.ui.ged import common
from microcrm.ui.ged.common import document_ids_mime
from microcrm.ui.ged.document_table import ID_ROLE, TITLE
from microcrm.ui.ged.documents_tab import DocumentsTab
from microcrm.ui.record.sheet import OrganisationSheet
from tests.ged.samples import make_docx, make_pdf
from tests.ui.helpers import drop, file_mime, non_white_share

FILED_MS = 60000


@pytest.fixture
def org_id(app_ctx: AppContext) -> int:
    record = save_organisation(
        app_ctx.db, OrganisationRecord(name="Boulangerie Martin", siret="73282932000074")
    ).record
    assert record.id is not None
    return record.id


@pytest.fixture
def tab(qtbot: QtBot, app_ctx: AppContext, org_id: int) -> Iterator[DocumentsTab]:
    widget = DocumentsTab(app_ctx, org_id)
    qtbot.addWidget(widget)
    widget.resize(1200, 640)
    with qtbot.waitExposed(widget):
        widget.show()
    yield widget
    widget.index.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "bureau"
    folder.mkdir()
    pdf = make_pdf(
        folder / "Facture F2025-012.pdf",
        [
            "Facture F2025-012",
            "Boulangerie Martin, 12 rue de la Paix, Rennes",
            "Fourniture d'un pétrin élévateur : 1 250,00 €",
        ],
    )
    docx = make_docx(
        folder / "Devis chaudière.docx",
        body=["Devis D2025-007", "Remplacement de la chaudière du fournil"],
        table=[["Désignation", "Montant"], ["Chaudière gaz", "4 300,00 €"]],
        header="Chauffage Dupont",
        footer="SIRET 732 829 320 00074",
    )
    return {"pdf": pdf, "docx": docx}


def dossier_id(tab: DocumentsTab, name: str) -> int:
    return next(i for i in tab.tree.dossier_ids() if tab.tree.dossier_name(i) == name)


def titles(tab: DocumentsTab) -> list[str]:
    return [d.title for d in tab.model.documents()]


def file_into(
    qtbot: QtBot, tab: DocumentsTab, target: object, paths: list[Path], pos: object = None
) -> list[object]:
    with qtbot.waitSignal(tab.filed, timeout=FILED_MS) as blocker:
        assert drop(target, file_mime(paths), pos)  # type: ignore[arg-type]
    return list(blocker.args[0])


def test_dropped_files_are_filed_by_type_and_found_by_the_client_search(
    qtbot: QtBot, tab: DocumentsTab, files: dict[str, Path]
) -> None:
    names = [tab.tree.dossier_name(i) for i in tab.tree.dossier_ids()]
    assert names == ["Devis", "Commandes", "Factures", "Courrier", "E-mails", "Divers"]
    results = file_into(qtbot, tab, tab, [files["pdf"], files["docx"]])
    assert [r.new_document for r in results] == [True, True]  # type: ignore[attr-defined]
    assert sorted(titles(tab)) == ["Devis chaudière", "Facture F2025-012"]
    assert tab.tree.item_for(dossier_id(tab, "Factures")).text(1) == "1"  # type: ignore[union-attr]
    assert tab.tree.all_item.text(1) == "2"
    tab.tree.select_dossier(dossier_id(tab, "Devis"))
    assert titles(tab) == ["Devis chaudière"]
    assert tab.model.document(0).dossier_path == "Devis"

    # The client's search box: accents folded, the real index answers.
    with qtbot.waitSignal(tab.live.answered, timeout=FILED_MS):
        tab.search.setText("chaudiere")
    assert titles(tab) == ["Devis chaudière"]
    assert "1 document trouvé" in tab.caption.text()
    with qtbot.waitSignal(tab.live.answered, timeout=FILED_MS):
        tab.search.setText("pétrin")
    assert titles(tab) == ["Facture F2025-012"]
    assert tab.tree.current_kind() == "all"  # hits of every dossier, in rank order
    tab.tree.select_dossier(dossier_id(tab, "Devis"))  # choosing a dossier ends the search
    assert tab.search.text() == "" and titles(tab) == ["Devis chaudière"]
    assert tab.caption.text().startswith("<b>Devis</b>")


def test_drop_on_a_dossier_then_same_name_on_the_list_makes_a_version_restorable(
    qtbot: QtBot, tab: DocumentsTab, tmp_path: Path
) -> None:
    letter = make_pdf(tmp_path / "Relance.pdf", ["Relance du 3 mars", "Premier envoi"])
    courrier = dossier_id(tab, "Courrier")
    item = tab.tree.item_for(courrier)
    assert item is not None
    pos = tab.tree.visualItemRect(item).center()
    first = file_into(qtbot, tab, tab.tree.viewport(), [letter], pos)
    doc_id = first[0].document_id  # type: ignore[attr-defined]
    assert tab.ged.document(doc_id).dossier_path == "Courrier"
    v1_sha = tab.ged.document(doc_id).sha256

    tab.tree.select_dossier(courrier)
    make_pdf(letter, ["Relance du 3 mars", "Second envoi, corrigé"])
    second = file_into(qtbot, tab, tab.table.viewport(), [letter])
    assert second[0].document_id == doc_id and not second[0].new_document  # type: ignore[attr-defined]
    assert tab.ged.document(doc_id).current_version == 2
    assert tab.model.document(0).current_version == 2
    assert tab.model.data(tab.model.index(0, 3)) == "v2"

    assert tab.table.select_document(doc_id)
    dialog = tab.show_versions()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 2
    assert dialog.model.data(dialog.model.index(0, 0)) == "v2 (actuelle)"
    assert not dialog.restore_button.isEnabled()  # the current one
    dialog.select_version(1)
    assert dialog.restore_button.isEnabled()
    assert dialog.preview.kind == "pdf"
    messages: list[str] = []
    tab.status.connect(lambda text, _c: messages.append(text))
    dialog.restore_button.click()
    doc = tab.ged.document(doc_id)
    assert doc.current_version == 3 and doc.sha256 == v1_sha
    assert dialog.model.rowCount() == 3
    assert dialog.model.data(dialog.model.index(0, 0)) == "v3 (actuelle)"
    assert tab.model.document(tab.model.row_of(doc_id) or 0).current_version == 3
    assert messages[-1] == "« Relance » : contenu de la version 1 rétabli (version 3)."
    dialog.close()


def test_delete_key_trashes_and_ctrl_z_restores(
    qtbot: QtBot, tab: DocumentsTab, files: dict[str, Path]
) -> None:
    results = file_into(qtbot, tab, tab, [files["pdf"], files["docx"]])
    pdf_id = results[0].document_id  # type: ignore[attr-defined]
    assert tab.table.select_document(pdf_id)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert titles(tab) == ["Devis chaudière"]
    assert tab.ged.document(pdf_id).deleted_at is not None
    assert tab.tree.trash_item.text(1) == "1"
    tab.tree.select_trash()
    assert titles(tab) == ["Facture F2025-012"]
    assert tab.restore_button.isVisible() and not tab.trash_button.isVisible()
    tab.tree.select_dossier(None)

    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(titles(tab)) == ["Devis chaudière", "Facture F2025-012"]
    assert tab.ged.document(pdf_id).deleted_at is None
    assert tab.tree.trash_item.text(1) == ""
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(titles(tab)) == ["Devis chaudière", "Facture F2025-012"]  # nothing left


def test_ctrl_z_of_the_sheet_undoes_the_documents_tab_change(
    qtbot: QtBot, app_ctx: AppContext, org_id: int, files: dict[str, Path]
) -> None:
    sheet = OrganisationSheet(app_ctx, org_id)
    qtbot.addWidget(sheet)
    sheet.resize(1200, 700)
    sheet.show()
    tabs = sheet.tabs
    assert tabs.tabText(tabs.count() - 1) == "Documents"
    tabs.setCurrentWidget(sheet.documents)
    results = file_into(qtbot, sheet.documents, sheet.documents, [files["pdf"]])
    doc_id = results[0].document_id  # type: ignore[attr-defined]
    sheet.documents.table.select_document(doc_id)
    sheet.documents.trash_button.click()
    assert "Ctrl+Z pour annuler" in sheet.status_text()
    sheet.undo()  # what the window's Ctrl+Z calls on the current sheet
    assert sheet.documents.ged.document(doc_id).deleted_at is None
    assert sheet.status_text() == "Annulé : 1 document mis à la corbeille."
    sheet.tabs.setCurrentIndex(0)
    sheet.undo()  # elsewhere: the form's own undo
    assert sheet.status_text() == "Rien à annuler."
    assert sheet.show_document(doc_id)
    assert tabs.currentWidget() is sheet.documents
    sheet.documents.index.close()


def test_pdf_preview_renders_the_page_on_white(
    qtbot: QtBot, tab: DocumentsTab, files: dict[str, Path], tmp_path: Path
) -> None:
    results = file_into(qtbot, tab, tab, [files["pdf"]])
    tab.table.select_document(results[0].document_id)  # type: ignore[attr-defined]
    tab.preview_button.click()
    assert tab.preview.isVisible() and tab.preview_button.text() == "Masquer l'aperçu"
    assert tab.preview.kind == "pdf" and tab.preview.page_count() == 1
    page = tab.preview.page_image(0, 600)
    assert page.width() == 600 and page.height() > 800
    assert page.pixelColor(2, 2) == QColor("white")  # composited, not transparent
    assert 0.002 < non_white_share(page) < 0.5  # text is there, the page is not black
    qtbot.waitUntil(lambda: non_white_share(tab.preview.grab().toImage()) > 0.01, timeout=5000)

    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#1565c0"))
    png = tmp_path / "Plan du fournil.png"
    assert image.save(str(png))
    results = file_into(qtbot, tab, tab, [png])
    tab.table.clearSelection()
    tab.table.select_document(results[0].document_id)  # type: ignore[attr-defined]
    assert tab.preview.kind == "image"
    shown = tab.preview.image_label.pixmap().toImage()
    assert shown.width() == 320 and shown.pixelColor(10, 10) == QColor("#1565c0")


def test_unreadable_file_is_filed_with_a_warning_and_opens_as_a_read_only_copy(
    qtbot: QtBot, tab: DocumentsTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "Scan illisible.pdf"
    broken.write_bytes(b"%PDF-1.4\n% not really a PDF\n")
    results = file_into(qtbot, tab, tab, [broken])
    doc_id = results[0].document_id  # type: ignore[attr-defined]
    row = tab.model.row_of(doc_id)
    assert row is not None
    index = tab.model.index(row, TITLE)
    assert tab.model.data(index, Qt.ItemDataRole.DecorationRole) is not None
    tooltip = str(tab.model.data(index, Qt.ItemDataRole.ToolTipRole))
    assert "Texte non indexé" in tooltip and "retrouvable par son nom" in tooltip

    opened: list[Path] = []

    def fake_open(path: Path) -> bool:
        opened.append(path)
        return True

    monkeypatch.setattr(common, "open_with_system", fake_open)
    rect = tab.table.visualRect(index)
    assert rect.isValid()
    tab.table.doubleClicked.emit(index)  # QTest double-clicks do not reach item views in Qt 6
    assert len(opened) == 1 and opened[0].name == "Scan illisible.pdf"
    assert opened[0].read_bytes() == broken.read_bytes()
    assert not os.access(opened[0], os.W_OK) or os.geteuid() == 0
    assert not opened[0].stat().st_mode & stat.S_IWUSR
    assert int(tab.model.data(index, ID_ROLE)) == doc_id  # type: ignore[call-overload]


def test_dossiers_created_renamed_moved_and_trashed_with_undo(
    qtbot: QtBot, tab: DocumentsTab, files: dict[str, Path]
) -> None:
    new_id = tab.create_dossier(None)
    assert new_id is not None
    assert tab.tree.dossier_name(new_id) == "Nouveau dossier"
    assert tab.tree.state() == tab.tree.State.EditingState  # the name is being typed
    item = tab.tree.item_for(new_id)
    assert item is not None
    item.setText(0, "Contrats")  # what committing the in-place editor does
    assert tab.tree.dossier_name(new_id) == "Contrats"
    assert any(d.name == "Contrats" for d in tab.ged.tree(organisation_id=tab.organisation_id))
    qtbot.waitUntil(lambda: tab.tree.loaded_name(new_id) == "Contrats", timeout=2000)
    tab.undo()
    assert tab.tree.dossier_name(new_id) == "Nouveau dossier"
    item = tab.tree.item_for(new_id)
    assert item is not None
    item.setText(0, "Contrats")
    qtbot.waitUntil(lambda: tab.tree.loaded_name(new_id) == "Contrats", timeout=2000)

    commandes = dossier_id(tab, "Commandes")
    tab.move_dossier(new_id, commandes)
    moved = tab.tree.item_for(new_id)
    assert moved is not None and moved.parent() is tab.tree.item_for(commandes)
    tab.undo()
    back = tab.tree.item_for(new_id)
    assert back is not None and back.parent() is tab.tree.all_item

    tab.tree.select_dossier(new_id)
    file_into(qtbot, tab, tab.table.viewport(), [files["pdf"]])
    assert tab.ged.document(tab.model.document(0).id).dossier_path == "Contrats"
    tab.tree.setFocus()
    qtbot.keyClick(tab.tree, Qt.Key.Key_F2)
    assert tab.tree.state() == tab.tree.State.EditingState
    current = tab.tree.currentItem()
    assert current is not None
    tab.tree.closePersistentEditor(current)
    tab.tree.setFocus()
    tab.tree.select_dossier(new_id)
    qtbot.keyClick(tab.tree, Qt.Key.Key_Escape)
    qtbot.keyClick(tab.tree, Qt.Key.Key_Delete)
    assert new_id not in tab.tree.dossier_ids()
    assert tab.tree.trash_item.text(1) == "1"  # its document went with it
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert new_id in tab.tree.dossier_ids()
    assert tab.tree.trash_item.text(1) == ""


def test_new_sheet_has_its_documents_tab_disabled_until_saved(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    sheet = OrganisationSheet(app_ctx, None)
    qtbot.addWidget(sheet)
    assert not sheet.documents.isEnabled()
    sheet.identity.name.setText("Garage du Centre")
    assert sheet.save()
    assert sheet.documents.isEnabled() and sheet.documents.organisation_id == sheet.org_id
    sheet.tabs.setCurrentWidget(sheet.documents)
    sheet.show()
    qtbot.waitUntil(lambda: bool(sheet.documents.tree.dossier_ids()), timeout=5000)
    sheet.documents.index.close()


def test_documents_dragged_onto_a_dossier_move_there_and_ctrl_z_moves_them_back(
    qtbot: QtBot, tab: DocumentsTab, files: dict[str, Path]
) -> None:
    results = file_into(qtbot, tab, tab, [files["pdf"], files["docx"]])
    ids = [r.document_id for r in results]  # type: ignore[attr-defined]
    divers = dossier_id(tab, "Divers")
    item = tab.tree.item_for(divers)
    assert item is not None
    assert drop(tab.tree.viewport(), document_ids_mime(ids), tab.tree.visualItemRect(item).center())
    assert {tab.ged.document(i).dossier_path for i in ids} == {"Divers"}
    assert tab.tree.item_for(divers).text(1) == "2"  # type: ignore[union-attr]
    tab.undo()
    assert [tab.ged.document(i).dossier_path for i in ids] == ["Factures", "Devis"]
    # Not onto « Corbeille »: the trash is reached with Suppr only.
    trash = tab.tree.visualItemRect(tab.tree.trash_item).center()
    assert not drop(tab.tree.viewport(), document_ids_mime(ids), trash)


def test_filing_the_same_file_again_says_nothing_new_was_filed(
    qtbot: QtBot, tab: DocumentsTab, files: dict[str, Path]
) -> None:
    messages: list[str] = []
    tab.status.connect(lambda text, _c: messages.append(text))
    file_into(qtbot, tab, tab, [files["pdf"], files["docx"]])
    assert messages[-1] == "2 documents classés."
    again = file_into(qtbot, tab, tab.table.viewport(), [files["pdf"]])
    assert again[0].unchanged  # type: ignore[attr-defined]
    assert messages[-1] == "1 fichier déjà classé à l'identique."
    assert len(tab.model.documents()) == 2
