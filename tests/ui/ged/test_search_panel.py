"""« Recherche GED » on a real base, content store and Whoosh index: hits, staleness, opening."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.ged.search import SearchHit, SearchResults
from microcrm.ui.ged import common
from microcrm.ui.ged.index_service import IndexService, SearchReply
from microcrm.ui.ged.search_panel import HTML_ROLE, SearchPanel
from microcrm.ui.main_window import MainWindow
from microcrm.ui.record.sheet import OrganisationSheet
from tests.ged.samples import make_docx, make_pdf

WAIT_MS = 60000


@pytest.fixture
def filed(app_ctx: AppContext, tmp_path: Path) -> dict[str, int]:
    """Two clients, three documents filed through the service (real extraction)."""
    db = app_ctx.db
    martin = save_organisation(db, OrganisationRecord(name="Boulangerie Martin")).record.id
    dupont = save_organisation(db, OrganisationRecord(name="Chauffage Dupont")).record.id
    assert martin is not None and dupont is not None
    folder = tmp_path / "docs"
    folder.mkdir()
    facture = make_pdf(
        folder / "Facture F2025-012.pdf",
        [
            "Facture F2025-012",
            "Fourniture d'un pétrin élévateur pour le fournil",
            "Total TTC : 1 250,00 €",
        ],
    )
    devis = make_docx(
        folder / "Devis chaudière.docx",
        body=["Devis D2025-007", "Remplacement de la chaudière"],
        table=[["Désignation", "Montant"], ["Chaudière gaz", "4 300,00 €"]],
        header="Chauffage Dupont",
        footer="Devis valable un mois",
    )
    relance = make_pdf(folder / "Relance facture.pdf", ["Relance : facture F2025-012 impayée"])
    ged = app_ctx.open_ged()
    try:
        ids = {
            "facture": ged.add_files([facture], organisation_id=martin)[0].document_id,
            "relance": ged.add_files([relance], organisation_id=martin)[0].document_id,
            "devis": ged.add_files([devis], organisation_id=dupont)[0].document_id,
        }
    finally:
        ged.close()
    return {**ids, "martin": martin, "dupont": dupont}


@pytest.fixture
def index(app_ctx: AppContext) -> Iterator[IndexService]:
    service = IndexService.for_context(app_ctx)
    yield service
    service.close()


@pytest.fixture
def panel(
    qtbot: QtBot, app_ctx: AppContext, index: IndexService, filed: dict[str, int]
) -> SearchPanel:
    widget = SearchPanel(app_ctx.open_ged(), index)
    qtbot.addWidget(widget)
    widget.resize(620, 640)
    with qtbot.waitSignal(index.opened, timeout=WAIT_MS):
        index.start()
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def test_typing_shows_ranked_hits_with_highlighted_snippets(
    qtbot: QtBot, panel: SearchPanel, filed: dict[str, int]
) -> None:
    answers: list[object] = []
    panel.live.answered.connect(answers.append)
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        qtbot.keyClicks(panel.search, "petrin")  # typed key by key; accents folded
    qtbot.wait(250)
    assert len(answers) == 1  # debounced: one search for the whole word
    assert panel.model.rowCount() == 1
    hit = panel.model.hit(0)
    assert (hit.document_id, hit.title) == (filed["facture"], "Facture F2025-012")
    rich = str(panel.model.data(panel.model.index(0), HTML_ROLE))
    assert "<b>pétrin</b>" in rich
    assert "Boulangerie Martin › Factures · " in rich  # the type is the dossier's: once
    assert "Factures · Facture" not in rich
    assert panel.status_text().startswith("1 résultat")
    assert panel.latencies_ms and 0 <= panel.latencies_ms[-1] < 100

    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        panel.search.setText("facture client:martin")
    assert {panel.model.hit(r).document_id for r in range(panel.model.rowCount())} == {
        filed["facture"],
        filed["relance"],
    }
    assert panel.status_text().startswith("2 résultats")


def test_stale_answers_are_dropped(
    qtbot: QtBot, panel: SearchPanel, index: IndexService, filed: dict[str, int]
) -> None:
    shown: list[str] = []

    def answered(reply: object) -> None:
        assert isinstance(reply, SearchReply)
        shown.append(reply.results.query)

    panel.live.answered.connect(answered)
    # 1. An answer that reaches the GUI after a newer request is never shown.
    panel.search.setText("facture")
    panel.live.run_now()
    assert index.wait_idle()  # the engine answered; its signal waits in the event queue
    panel.search.setText("chaudière")  # the user kept typing
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        pass
    assert panel.live.dropped == 1
    assert shown == ["chaudière"]
    assert [panel.model.hit(r).title for r in range(panel.model.rowCount())] == ["Devis chaudière"]
    # 2. A request already stale when the engine gets to it is not even run.
    index._submit(lambda: time.sleep(0.3))  # the engine is busy
    panel.search.setText("relance")
    panel.live.run_now()
    panel.search.setText("pétrin")
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        panel.live.run_now()
    qtbot.wait(100)
    assert shown == ["chaudière", "pétrin"]
    assert panel.model.hit(0).document_id == filed["facture"]


def test_syntax_errors_and_counts_are_said_in_french(qtbot: QtBot, panel: SearchPanel) -> None:
    with qtbot.waitSignal(panel.live.failed, timeout=WAIT_MS) as blocker:
        panel.search.setText("fa*")
        panel.live.run_now()
    assert "4" in str(blocker.args[0])  # the minimum prefix length is explained
    assert panel.model.rowCount() == 0
    assert panel.status_text() == str(blocker.args[0])
    hit = SearchHit(1, 1, "Client", "Factures", "Titre", "facture", None, 1.0, "…")
    many = SearchResults([hit] * 20, 1500, True, 12.0, "facture")
    assert SearchPanel.summary(many).startswith("plus de 1\u202f000 résultats, 20 premiers")
    exact = SearchResults([hit] * 2, 2, False, 3.0, "facture")
    assert SearchPanel.summary(exact).startswith("2 résultats <span")
    none = SearchResults([], 0, False, 1.0, "zzz")
    assert SearchPanel.summary(none).startswith("Aucun document trouvé.")


def test_enter_opens_the_document_with_the_system_application(
    qtbot: QtBot, panel: SearchPanel, filed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []

    def fake_open(path: Path) -> bool:
        opened.append(path)
        return True

    monkeypatch.setattr(common, "open_with_system", fake_open)
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        panel.search.setText("chaudiere")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert [p.name for p in opened] == ["Devis chaudière.docx"]
    assert opened[0].stat().st_size > 1000
    qtbot.keyClick(panel.search, Qt.Key.Key_Down)
    assert panel.view.hasFocus() or QApplication.focusWidget() is None
    assert panel.view.currentIndex().row() == 0
    qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert len(opened) == 2


def test_show_in_dossier_opens_the_client_sheet_on_the_document(
    qtbot: QtBot, app_ctx: AppContext, filed: dict[str, int]
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    parts = window.ged
    parts.search_dock.hide()  # the layout restored from QSettings may show it
    with qtbot.waitSignal(parts.index.opened, timeout=WAIT_MS):
        parts.act_search.trigger()  # Ctrl+Maj+F
    assert parts.act_search.shortcut().toString() == "Ctrl+Shift+F"
    assert parts.search_dock.isVisible()
    panel = parts.search_panel
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        panel.search.setText("relance")
    assert panel.model.hit(0).document_id == filed["relance"]
    panel.show_button.click()
    sheet = window.tabs.currentWidget()
    assert isinstance(sheet, OrganisationSheet) and sheet.org_id == filed["martin"]
    assert sheet.tabs.currentWidget() is sheet.documents
    assert sheet.documents.table.selected_ids() == [filed["relance"]]
    dossier = sheet.documents.ged.document(filed["relance"]).dossier_id
    assert dossier is not None and sheet.documents.tree.current_dossier_id() == dossier
    window.close()


def test_answer_reply_carries_engine_time(panel: SearchPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS) as blocker:
        panel.search.setText("devis")
    reply = blocker.args[0]
    assert isinstance(reply, SearchReply)
    assert reply.results.took_ms >= 0 and reply.answered_at <= time.perf_counter()


def test_rebuild_from_the_menu_keeps_searching(
    qtbot: QtBot, app_ctx: AppContext, filed: dict[str, int]
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    parts = window.ged
    assert "Reconstruire" in parts.act_rebuild.text()
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Outils")
    assert isinstance(tools, QMenu) and parts.act_rebuild in tools.actions()
    with qtbot.waitSignal(parts.index.opened, timeout=WAIT_MS):
        parts.index.start()
    with qtbot.waitSignal(parts.index.rebuild_finished, timeout=WAIT_MS) as blocker:
        parts.act_rebuild.trigger()  # Outils > Reconstruire l'index de recherche…
        assert parts.index.is_rebuilding()
    assert blocker.args == [True] and not parts.index.is_rebuilding()
    panel = parts.search_panel
    with qtbot.waitSignal(panel.live.answered, timeout=WAIT_MS):
        panel.search.setText("chaudière")
    assert panel.model.hit(0).document_id == filed["devis"]
    window.close()
