"""First run: an empty base offers demo data, generated in a worker, then listed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.ui import application
from microcrm.ui.main_window import MainWindow


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(application, "DEMO_ORGANISATIONS", 120)
    monkeypatch.setattr(application, "DEMO_PERSONS", 180)
    monkeypatch.setattr(application, "DEMO_DOCUMENTS", 4)


@pytest.mark.usefixtures("small_demo")
def test_empty_base_offers_demo_data_and_lists_it(
    qtbot: QtBot, app_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(_parent: object, title: str, _text: str) -> QMessageBox.StandardButton:
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.list_panel.model.rowCount() == 0
    done: list[bool] = []

    def generated() -> None:
        window.refresh()
        done.append(True)

    application.offer_demo(window, app_ctx, generated)
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    assert asked == ["Base vide"]
    counts = window.service.counts()
    assert counts["suspect"] > 0
    assert counts["client"] > 0
    assert window.list_panel.model.rowCount() == counts["suspect"] > 0
    first = window.list_panel.model.data(window.list_panel.model.index(0, 0))
    assert first
    assert (app_ctx.ged_root / "objects").is_dir()


@pytest.mark.usefixtures("small_demo")
def test_no_offer_on_a_filled_base_and_no_data_when_declined(
    qtbot: QtBot, app_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.No)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    application.offer_demo(window, app_ctx, window.refresh)
    assert not any(window.service.counts().values())


def test_the_gui_thread_gets_the_gil_promptly(qapp: object) -> None:
    import sys

    from microcrm.ui.application import GUI_SWITCH_INTERVAL, make_application

    make_application([])
    assert GUI_SWITCH_INTERVAL <= 0.001
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL)
