"""The first window opens offscreen on a real database and lists its data."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from microcrm.crm.lists import PartyListService
from microcrm.db import Database
from microcrm.models import Address, Organisation, Person, Stage
from microcrm.ui.application import make_application
from microcrm.ui.main_window import MainWindow
from microcrm.ui.models.party_table import PartyTableModel


def _fill(db: Database) -> None:
    def write(s: Session) -> None:
        rows = [
            ("Boulangerie Martin", Stage.SUSPECT, "35000", "Rennes"),
            ("Garage du Centre", Stage.SUSPECT, "29200", "Brest"),
            ("Société Générale d'Études", Stage.PROSPECT, "75008", "Paris"),
            ("Café de la Poste", Stage.CLIENT, "13001", "Marseille"),
        ]
        for name, stage, postcode, city in rows:
            org = Organisation(name=name, stage=stage)
            org.addresses.append(Address(line1="1 rue de la Paix", postcode=postcode, city=city))
            s.add(org)
        supplier = Organisation(name="Papeterie Dupont", is_supplier=True)
        s.add(supplier)
        s.add(Person(last_name="Durand", first_name="Élise"))
        s.add(Person(last_name="Leroy", first_name="Marc", is_staff=True))

    db.run_write(write)


@pytest.fixture
def window(qtbot: QtBot, sqlite_db: Database) -> MainWindow:
    make_application([])
    _fill(sqlite_db)
    win = MainWindow(PartyListService(sqlite_db), sqlite_db.display_location())
    qtbot.addWidget(win)
    win.show()
    return win


def test_window_lists_bases_with_counts(window: MainWindow) -> None:
    labels = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert labels[0] == "Suspects  (2)"
    assert labels[1] == "Prospects  (1)"
    assert labels[2] == "Clients  (1)"
    assert labels[4] == "Fournisseurs  (1)"
    assert labels[6] == "Particuliers  (1)"
    assert labels[7] == "Personnel  (1)"
    model = window.model
    names = {model.data(model.index(r, 0)) for r in range(model.rowCount())}
    assert names == {"Boulangerie Martin", "Garage du Centre"}
    assert window.statusBar().currentMessage() == "2 fiches"


def test_switching_base_and_search(window: MainWindow, qtbot: QtBot) -> None:
    window.navigation.setCurrentRow(1)
    assert window.model.data(window.model.index(0, 0)) == "Société Générale d'Études"
    window.navigation.setCurrentRow(0)
    qtbot.keyClicks(window.search, "brest")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=2000)
    assert window.model.data(window.model.index(0, 3)) == "Brest"
    window.search.setText("etudes")  # accent-folded match on « Études »
    window.navigation.setCurrentRow(1)
    assert window.model.rowCount() == 1


def test_sort_by_city(window: MainWindow) -> None:
    window.model.sort(3)
    cities = [window.model.data(window.model.index(r, 3)) for r in range(window.model.rowCount())]
    assert cities == ["Brest", "Rennes"]


def test_model_contract(qtmodeltester: object, sqlite_db: Database) -> None:
    _fill(sqlite_db)
    model = PartyTableModel(PartyListService(sqlite_db))
    model.refresh()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
