"""The main window on a real database: bases, search, filters, segments, trash, export, refresh."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from microcrm.app import AppContext
from microcrm.crm.lists import PartyListService
from microcrm.db import Database
from microcrm.models import Address, Organisation, Person, Stage, Tag, User
from microcrm.ui.main_window import MainWindow
from microcrm.ui.models.party_table import PartyTableModel


def _fill(db: Database) -> None:
    def write(s: Session) -> None:
        alice = User(login="alice", full_name="Alice Bernard")
        s.add(alice)
        salon = Tag(name="Salon 2026")
        rows = [
            ("Boulangerie Martin", Stage.SUSPECT, "35000", "Rennes", "+33299001122", True),
            ("Garage du Centre", Stage.SUSPECT, "29200", "Brest", "+33298001122", False),
            ('=HYPERLINK("x")', Stage.SUSPECT, "20000", "Ajaccio", None, False),
            ("Société Générale d'Études", Stage.PROSPECT, "75008", "Paris", None, False),
            ("Café de la Poste", Stage.CLIENT, "13001", "Marseille", None, False),
        ]
        for name, stage, postcode, city, phone, tagged in rows:
            org = Organisation(name=name, stage=stage, phone=phone, siret=None)
            org.addresses.append(Address(line1="1 rue de la Paix", postcode=postcode, city=city))
            if tagged:
                org.tags.append(salon)
                org.salesperson_id = None
            s.add(org)
        s.flush()
        s.get_one(Organisation, 1).salesperson_id = alice.id
        s.add(Organisation(name="Papeterie Dupont", is_supplier=True))
        s.add(Person(last_name="Durand", first_name="Élise"))
        s.add(Person(last_name="Leroy", first_name="Marc", is_staff=True))

    db.run_write(write)


@pytest.fixture
def window(qtbot: QtBot, app_ctx: AppContext) -> MainWindow:
    _fill(app_ctx.db)
    win = MainWindow(app_ctx)
    qtbot.addWidget(win)
    win.show()
    return win


def _names(win: MainWindow, column: int = 0) -> list[str]:
    model = win.list_panel.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def _nav_item(win: MainWindow, top: int, *children: int) -> QTreeWidgetItem:
    """The navigation item at top-level row ``top``, then child rows ``children``."""
    item = win.navigation.topLevelItem(top)
    for row in children:
        assert item is not None
        item = item.child(row)
    assert item is not None
    return item


def test_bases_with_counts_and_list(window: MainWindow) -> None:
    bases = _nav_item(window, 0)
    texts = [_nav_item(window, 0, i).text(0) for i in range(bases.childCount())]
    assert texts[:3] == ["Suspects  (3)", "Prospects  (1)", "Clients  (1)"]
    assert "Fournisseurs  (1)" in texts
    assert "Particuliers  (1)" in texts
    assert "Personnel  (1)" in texts
    assert set(_names(window)) == {"Boulangerie Martin", "Garage du Centre", '=HYPERLINK("x")'}
    assert window.statusBar().currentMessage() == "Suspects : 3 fiches"
    assert _names(window, 4)[0] in {"02 99 00 11 22", "02 98 00 11 22", ""}


def test_quick_search_and_filters(window: MainWindow, qtbot: QtBot) -> None:
    panel = window.list_panel
    qtbot.keyClicks(panel.search, "brest")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    assert _names(window, 3) == ["Brest"]
    panel.search.setText("0299")  # phone digits
    qtbot.waitUntil(lambda: _names(window) == ["Boulangerie Martin"], timeout=2000)
    panel.search.clear()
    panel.departement.setText("2a")
    qtbot.waitUntil(lambda: _names(window, 3) == ["Ajaccio"], timeout=2000)
    panel.departement.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=2000)
    panel.tag.setCurrentIndex(panel.tag.findText("Salon 2026"))
    assert _names(window) == ["Boulangerie Martin"]
    panel.reset_filters()
    panel.salesperson.setCurrentIndex(panel.salesperson.findText("Alice Bernard"))
    assert _names(window) == ["Boulangerie Martin"]
    panel.reset_filters()
    panel.traite.setCurrentIndex(panel.traite.findData(False))
    assert panel.model.rowCount() == 3


def test_accent_folded_search(window: MainWindow, qtbot: QtBot) -> None:
    window.navigation.select_base("prospect")
    window.list_panel.search.setText("etudes")
    qtbot.waitUntil(lambda: window.list_panel.model.rowCount() == 1, timeout=2000)


def test_save_filter_as_segment(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    window.list_panel.departement.setText("35")
    qtbot.waitUntil(lambda: window.list_panel.model.rowCount() == 1, timeout=2000)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bretagne 35", True))
    window.save_current_as_segment()
    segments = _nav_item(window, 1)
    assert segments.childCount() == 1
    window.navigation.select_base("client")
    assert _names(window) == ["Café de la Poste"]
    window.navigation.setCurrentItem(_nav_item(window, 1, 0))
    assert _names(window) == ["Boulangerie Martin"]
    assert window.list_panel.departement.text() == "35"


def test_trash_restore_and_undo(window: MainWindow) -> None:
    panel = window.list_panel
    panel.model.sort(0)
    panel.table.selectRow(_names(window).index("Garage du Centre"))
    window.trash_selected()
    assert "Garage du Centre" not in _names(window)
    window.undo()
    assert "Garage du Centre" in _names(window)
    panel.table.selectRow(_names(window).index("Garage du Centre"))
    window.trash_selected()
    window.navigation.select_base("corbeille")
    assert _names(window) == ["Garage du Centre"]
    panel.table.selectRow(0)
    window.restore_selected()
    assert _names(window) == []
    window.navigation.select_base("suspect")
    assert "Garage du Centre" in _names(window)


def test_export_csv_and_xlsx_read_back(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    panel = window.list_panel
    panel.model.sort(0)
    csv_path, xlsx_path = tmp_path / "liste.csv", tmp_path / "liste.xlsx"
    panel.export(csv_path)
    qtbot.waitUntil(csv_path.exists, timeout=5000)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:4] == ["Raison sociale", "Enseigne", "CP", "Ville"]
    assert rows[1][0] == '\'=HYPERLINK("x")'  # formula injection neutralised
    assert rows[2][0] == "Boulangerie Martin"
    assert rows[2][2] == "35000"
    panel.export(xlsx_path)
    qtbot.waitUntil(xlsx_path.exists, timeout=5000)
    ws = openpyxl.load_workbook(xlsx_path).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[1][0] == '=HYPERLINK("x")'
    assert ws.cell(2, 1).data_type == "s"  # text, never a formula
    assert values[2][2] == "35000"
    assert len(values) == 4


def test_list_refreshes_after_another_process_changes(window: MainWindow, qtbot: QtBot) -> None:
    db_path = window.db.path
    script = (
        "from microcrm.storage.opening import open_database\n"
        "from microcrm.models import Organisation, Stage\n"
        f"db = open_database({str(db_path)!r}, workstation_id='other-pc')\n"
        "org = Organisation(name='Imprimerie Nouvelle', stage=Stage.SUSPECT)\n"
        "db.run_write(lambda s: s.add(org))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    window.poll_changes()
    assert "Imprimerie Nouvelle" in _names(window)
    assert _nav_item(window, 0, 0).text(0) == "Suspects  (4)"


def test_model_contract(qtmodeltester: ModelTester, app_ctx: AppContext) -> None:
    _fill(app_ctx.db)
    model = PartyTableModel(PartyListService(app_ctx.db))
    model.refresh()
    qtmodeltester.check(model)
