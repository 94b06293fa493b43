"""« À classer » on a real inbox folder: a file dropped there is proposed, then filed in one click."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.lists import PartyListService
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.ui.ged.client_picker import ClientPicker
from microcrm.ui.ged.inbox_panel import InboxPanel, auto_threshold
from microcrm.ui.ged.index_service import IndexService
from tests.ged.samples import make_pdf

WAIT_MS = 60000


@pytest.fixture
def clients(app_ctx: AppContext) -> dict[str, int]:
    db = app_ctx.db
    martin = save_organisation(
        db,
        OrganisationRecord(
            name="Boulangerie Martin",
            siret="73282932000074",
            email="contact@boulangerie-martin.fr",
        ),
    ).record.id
    garage = save_organisation(db, OrganisationRecord(name="Garage du Centre")).record.id
    assert martin is not None and garage is not None
    return {"martin": martin, "garage": garage}


@pytest.fixture
def inbox(tmp_path: Path, app_ctx: AppContext) -> Path:
    folder = tmp_path / "A classer"
    folder.mkdir()
    app_ctx.settings.inbox_folder = str(folder)
    return folder


@pytest.fixture
def panel(
    qtbot: QtBot, app_ctx: AppContext, inbox: Path, clients: dict[str, int]
) -> Iterator[InboxPanel]:
    index = IndexService.for_context(app_ctx)
    widget = InboxPanel(app_ctx, index)
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitUntil(lambda: widget._scan is None, timeout=WAIT_MS)  # the first (empty) scan
    yield widget
    widget.stop()
    index.close()


def test_new_file_is_proposed_and_filed_in_one_click(
    qtbot: QtBot, panel: InboxPanel, inbox: Path, clients: dict[str, int], app_ctx: AppContext
) -> None:
    assert panel.list.topLevelItemCount() == 0
    with qtbot.waitSignal(panel.scanned, timeout=WAIT_MS):  # the watcher sees the new file
        make_pdf(
            inbox / "scan_0425.pdf",
            [
                "Boulangerie Martin",
                "SIRET 732 829 320 00074",
                "Bon de commande n° 118 : 40 kg de farine T65",
            ],
        )
    assert panel.list.topLevelItemCount() == 1
    row = panel.list.topLevelItem(0)
    assert row is not None
    assert row.text(0) == "scan_0425.pdf" and row.text(1) == "Boulangerie Martin"
    assert row.text(2).endswith("%") and int(row.text(2).rstrip(" %")) >= 50
    assert panel.proposals[0].reason  # why this client is proposed (tooltip)
    button = panel.file_button(0)
    assert button is not None and button.text() == "Classer chez Boulangerie Martin"

    with qtbot.waitSignal(panel.filed, timeout=WAIT_MS) as blocker:
        button.click()
    assert blocker.args == [clients["martin"]]
    assert panel.list.topLevelItemCount() == 0
    assert not (inbox / "scan_0425.pdf").exists()
    assert (inbox / "Classés" / "scan_0425.pdf").is_file()
    docs = app_ctx.open_ged().documents(organisation_id=clients["martin"])
    assert [d.filename for d in docs] == ["scan_0425.pdf"]
    assert "classé chez Boulangerie Martin" in panel.message.text()


def test_above_the_threshold_files_are_filed_without_asking(
    qtbot: QtBot, app_ctx: AppContext, inbox: Path, clients: dict[str, int]
) -> None:
    app_ctx.settings.inbox_auto_threshold = "0.50"
    assert auto_threshold(app_ctx) == 0.5
    make_pdf(inbox / "facture.pdf", ["Boulangerie Martin", "SIRET 732 829 320 00074"])
    (inbox / "notes.txt").write_text("Rien de reconnaissable ici.", encoding="utf-8")
    index = IndexService.for_context(app_ctx)
    panel = InboxPanel(app_ctx, index)
    qtbot.addWidget(panel)
    filed: list[int] = []
    panel.filed.connect(filed.append)
    qtbot.waitUntil(lambda: panel._scan is None and panel.message.text() != "", timeout=WAIT_MS)
    assert filed == [clients["martin"]]
    assert "1 document classé automatiquement" in panel.message.text()
    assert [p.path.name for p in panel.proposals] == ["notes.txt"]
    assert panel.proposals[0].organisation_id is None
    assert panel.file_button(0) is None  # nothing to propose: « Autre client… » only
    panel.stop()
    index.close()


def test_another_client_is_chosen_by_name(
    qtbot: QtBot, panel: InboxPanel, inbox: Path, clients: dict[str, int], app_ctx: AppContext
) -> None:
    picker = ClientPicker(PartyListService(app_ctx.db), "Classer chez…")
    qtbot.addWidget(picker)
    picker.search.setText("garage")
    picker.refresh()
    assert picker.results.count() == 1
    assert picker.results.item(0).text().startswith("Garage du Centre")
    picker.accept()
    assert (picker.chosen, picker.chosen_name) == (clients["garage"], "Garage du Centre")

    with qtbot.waitSignal(panel.scanned, timeout=WAIT_MS):
        (inbox / "photo chantier.txt").write_text("Photo du chantier", encoding="utf-8")
    with qtbot.waitSignal(panel.filed, timeout=WAIT_MS):
        panel.file_row(0, clients["garage"], "Garage du Centre")
    docs = app_ctx.open_ged().documents(organisation_id=clients["garage"])
    assert [d.filename for d in docs] == ["photo chantier.txt"]


def test_no_folder_set_says_so(qtbot: QtBot, app_ctx: AppContext) -> None:
    app_ctx.settings.inbox_folder = ""
    index = IndexService.for_context(app_ctx)
    panel = InboxPanel(app_ctx, index)
    qtbot.addWidget(panel)
    assert panel.folder is None
    assert "Aucun dossier « À classer »" in panel.heading.text()
    assert panel.choose_button.isVisible() or not panel.isVisible()
    index.close()
