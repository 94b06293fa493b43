"""« Normaliser les adresses » end to end: worker, review, accept, cancel, summary, undo."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.address_batch import (
    AddressBatchService,
    BatchResult,
    Proposal,
    ProposalKind,
    UndoResult,
)
from microcrm.crm.addresses import load_primary_address, save_primary_address
from microcrm.ui.address_batch_dialog import (
    AFTER,
    BEFORE,
    NAME,
    REASON,
    HistoryDialog,
    HistoryModel,
    NormalisationRun,
    ProposalTableModel,
    ReviewDialog,
    normalise_addresses,
    undo_normalisation,
)
from microcrm.ui.main_window import MainWindow, UndoStep
from tests.crm.helpers import EXPECTED, Base, dump, fill

TIMEOUT = 10_000


@pytest.fixture
def base(app_ctx: AppContext) -> Base:
    return fill(app_ctx.db)


@pytest.fixture
def service(base: Base) -> AddressBatchService:
    return AddressBatchService(base.db)


@pytest.fixture
def proposals(base: Base, service: AddressBatchService) -> list[Proposal]:
    return service.propose(base.org_ids)


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    widget.resize(800, 600)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _start(
    qtbot: QtBot, parent: QWidget, service: AddressBatchService, ids: Iterable[int]
) -> tuple[NormalisationRun, list[BatchResult]]:
    results: list[BatchResult] = []
    run = normalise_addresses(parent, service, list(ids), "Suspects", results.append)
    return run, results


def _review(qtbot: QtBot, run: NormalisationRun) -> ReviewDialog:
    qtbot.waitUntil(lambda: run.review is not None and run.review.isVisible(), timeout=TIMEOUT)
    assert run.review is not None
    return run.review


def _row_of(model: ProposalTableModel, name: str) -> int:
    return next(r for r in range(model.rowCount()) if model.proposal(r).name == name)


def _click_check(qtbot: QtBot, dialog: ReviewDialog, row: int) -> None:
    rect = dialog.table.visualRect(dialog.model.index(row, NAME))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 12, rect.center().y()))


def _message_text(run: NormalisationRun) -> str:
    assert run.message is not None
    return run.message.text()


# -- the table model ----------------------------------------------------------------------


def test_models_pass_the_model_tester(
    qtmodeltester: ModelTester, proposals: list[Proposal], service: AddressBatchService
) -> None:
    model = ProposalTableModel(proposals)
    qtmodeltester.check(model)
    model.set_checked([0, 2], True)
    model.set_filter(ProposalKind.INVALID)
    qtmodeltester.check(model)
    empty = ProposalTableModel([])
    qtmodeltester.check(empty)
    service.apply(proposals[:3], label="trois")
    qtmodeltester.check(HistoryModel(service.history()))


def test_review_shows_before_after_reason_and_filters(
    qtbot: QtBot, proposals: list[Proposal]
) -> None:
    dialog = ReviewDialog(proposals, examined=13, label="Suspects")
    qtbot.addWidget(dialog)
    model = dialog.model
    assert dialog.windowTitle() == "Normaliser les adresses — Suspects"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Raison sociale", "Avant (saisie)", "Après (bloc La Poste)", "Motif",
    ]
    assert model.rowCount() == len(EXPECTED)
    row = _row_of(model, "Maison Kléber")
    assert model.index(row, BEFORE).data() == "Corrigée\n10 avenue Kléber\n75016 Paris 16e"
    assert model.index(row, AFTER).data() == "Valide\n10 AVENUE KLEBER\n75016 PARIS"
    assert "arrondissement" in model.index(row, REASON).data()
    garage = _row_of(model, "Garage Sans Code")
    assert model.index(garage, BEFORE).data() == "Non vérifiée\n3 rue du Moulin\n123 Rennes"
    assert model.index(garage, AFTER).data().startswith("Invalide\n")
    assert model.index(garage, NAME).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked
    )
    texts = {kind: b.text() for kind, b in dialog.filter_buttons.items()}
    assert texts == {None: "Toutes (9)", ProposalKind.CORRECTED: "Corrigées (5)",
                     ProposalKind.INVALID: "Invalides (2)"}
    assert dialog.accept_all_button.text() == "Tout accepter (9)"
    assert not dialog.accept_checked_button.isEnabled()

    model.set_checked([garage], True)
    dialog.show()
    radio = dialog.filter_buttons[ProposalKind.INVALID]
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(6, radio.height() // 2))
    assert {model.proposal(r).name for r in range(model.rowCount())} == {
        "Garage Sans Code", "Quincaillerie Mal Placée",
    }
    assert dialog.accept_all_button.text() == "Tout accepter (2)"
    dialog.set_filter(ProposalKind.CORRECTED)
    assert model.rowCount() == 5
    assert [p.name for p in model.checked()] == ["Garage Sans Code"]  # kept across filters
    assert dialog.accept_checked_button.text() == "Accepter la sélection (1)"
    dialog.set_filter(None)
    dialog.table.selectRow(_row_of(model, "Maison Kléber"))
    detail = dialog.detail.text()
    assert "Maison Kléber" in detail and "75016 Paris 16e" in detail and "75016 PARIS" in detail


def test_space_and_check_all_toggle_rows(qtbot: QtBot, proposals: list[Proposal]) -> None:
    dialog = ReviewDialog(proposals, examined=13)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.setFocus()
    dialog.table.selectRow(1)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert [p.name for p in dialog.model.checked()] == [dialog.model.proposal(1).name]
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.model.checked() == []
    qtbot.mouseClick(dialog.check_all, Qt.MouseButton.LeftButton)
    assert len(dialog.model.checked()) == len(proposals)
    qtbot.mouseClick(dialog.uncheck_all, Qt.MouseButton.LeftButton)
    assert dialog.model.checked() == []


# -- end to end ----------------------------------------------------------------------------


def test_accept_one_by_one_then_undo(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    before = dump(base.db, content_only=True)
    run, results = _start(qtbot, parent, service, base.org_ids)
    dialog = _review(qtbot, run)
    assert dump(base.db, content_only=True) == before  # nothing written while reviewing
    model = dialog.model
    kleber, garage = _row_of(model, "Maison Kléber"), _row_of(model, "Garage Sans Code")
    _click_check(qtbot, dialog, kleber)  # with the mouse
    dialog.table.setFocus()
    dialog.table.selectRow(garage)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # with the keyboard
    assert dialog.accept_checked_button.text() == "Accepter la sélection (2)"
    with qtbot.waitSignal(run.ended, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.accept_checked_button, Qt.MouseButton.LeftButton)
    [result] = results
    assert (result.applied, result.skipped_conflicts) == (2, ())
    assert _message_text(run).startswith("2 adresses normalisées.")
    assert load_primary_address(base.db, base.by_name["Maison Kléber"]).city == "PARIS"
    assert load_primary_address(base.db, base.by_name["Garage Sans Code"]).norm_status == (
        "invalid"
    )
    assert load_primary_address(base.db, base.by_name["Chantier naval du Ponant"]).city == "Brst"
    changed = [
        (a["postcode"], a["city"])
        for a, b in zip(dump(base.db, content_only=True)["addresses"], before["addresses"],
                        strict=True)
        if a != b
    ]
    assert sorted(changed) == [("123", "Rennes"), ("75016", "PARIS")]

    done: list[UndoResult | None] = []
    assert result.batch_id is not None
    undo_normalisation(parent, service, result.batch_id, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=TIMEOUT)
    assert done[0] is not None and done[0].restored == 2
    assert dump(base.db, content_only=True)["addresses"] == before["addresses"]


def test_accept_all(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    run, results = _start(qtbot, parent, service, base.org_ids)
    dialog = _review(qtbot, run)
    with qtbot.waitSignal(run.applied, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.accept_all_button, Qt.MouseButton.LeftButton)
    assert results[0].applied == len(EXPECTED)
    assert service.propose(base.org_ids) == []
    [info] = service.history()
    assert (info.label, info.applied) == ("Suspects", len(EXPECTED))
    assert "Ctrl+Z" in _message_text(run)


def test_accept_all_of_a_filter_accepts_the_shown_rows_only(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    run, results = _start(qtbot, parent, service, base.org_ids)
    dialog = _review(qtbot, run)
    dialog.set_filter(ProposalKind.INVALID)
    with qtbot.waitSignal(run.applied, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.accept_all_button, Qt.MouseButton.LeftButton)
    assert results[0].applied == 2
    assert {p.kind for p in service.propose(base.org_ids)} == {
        ProposalKind.CORRECTED, ProposalKind.FORMATTED,
    }


def test_cancel_in_review_writes_nothing(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    before = dump(base.db)
    run, results = _start(qtbot, parent, service, base.org_ids)
    dialog = _review(qtbot, run)
    model = dialog.model
    model.set_checked(list(range(model.rowCount())), True)
    with qtbot.waitSignal(run.ended, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert results == [] and run.review is None
    assert dump(base.db) == before


class _SlowService(AddressBatchService):
    """Proposes only once the user cancelled: the cancel lands in the middle of the run."""

    def __init__(self, inner: AddressBatchService, started: threading.Event) -> None:
        self._inner, self._started = inner, started

    def propose(
        self,
        org_ids: Iterable[int],
        progress: Callable[[int, int, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[Proposal]:
        assert progress is not None and cancelled is not None
        progress(0, 13, "")
        self._started.set()
        for _ in range(500):
            if cancelled():
                break
            threading.Event().wait(0.01)
        return self._inner.propose(org_ids, progress, cancelled)


def test_cancel_while_proposing_closes_everything_and_writes_nothing(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    before = dump(base.db)
    started = threading.Event()
    run, results = _start(qtbot, parent, _SlowService(service, started), base.org_ids)
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT)
    progress = run.progress
    assert progress is not None and progress.labelText() == "Normalisation des adresses…"
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Annuler")
    with qtbot.waitSignal(run.ended, timeout=TIMEOUT):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert run.review is None and run.progress is None and results == []
    assert dump(base.db) == before


def test_nothing_to_normalise(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    ids = [base.by_name["Boulangerie Martin"], base.by_name["Brasserie Liégeoise"]]
    run, results = _start(qtbot, parent, service, ids)
    with qtbot.waitSignal(run.ended, timeout=TIMEOUT):
        pass
    assert run.review is None and results == []
    assert _message_text(run) == (
        "Aucune adresse à normaliser\u00a0: les 2 fiches examinées sont déjà conformes à la norme "
        "NF Z10-011."
    )


def test_address_changed_elsewhere_during_review_is_reported(
    qtbot: QtBot, parent: QWidget, base: Base, service: AddressBatchService
) -> None:
    run, results = _start(qtbot, parent, service, base.org_ids)
    dialog = _review(qtbot, run)
    org_id = base.by_name["Maison Kléber"]
    theirs = load_primary_address(base.db, org_id)
    save_primary_address(base.db, org_id, replace(theirs, line1="12 avenue Kléber"), theirs)
    with qtbot.waitSignal(run.ended, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.accept_all_button, Qt.MouseButton.LeftButton)
    assert results[0].skipped_conflicts == (theirs.id,)
    assert _message_text(run).startswith(
        f"{len(EXPECTED) - 1} adresses normalisées, 1 ignorée car modifiée sur un autre poste."
    )
    assert load_primary_address(base.db, org_id).line1 == "12 avenue Kléber"


def test_history_dialog_undoes_a_batch(
    qtbot: QtBot, base: Base, service: AddressBatchService, proposals: list[Proposal]
) -> None:
    before = dump(base.db, content_only=True)["addresses"]
    result = service.apply(proposals, label="Suspects")
    dialog = HistoryDialog(service)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in (1, 2, 3, 4)] == [
        base.db.user_login, "Suspects", str(len(EXPECTED)), "Appliquée",
    ]
    assert dialog.undo_button.isEnabled()
    with qtbot.waitSignal(dialog.undone, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert blocker.args is not None and blocker.args[0].batch_id == result.batch_id
    assert str(model.index(0, 4).data()).startswith("Annulée le ")
    assert not dialog.undo_button.isEnabled()
    assert dump(base.db, content_only=True)["addresses"] == before


# -- the integration the main window is asked to make ------------------------------------------


def test_main_window_integration_with_ctrl_z(
    qtbot: QtBot, app_ctx: AppContext, base: Base
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    before = dump(base.db, content_only=True)["addresses"]
    batches = AddressBatchService(window.db)
    ids = window.list_panel.selected_ids() or window.list_panel.model.ids()

    def applied(result: BatchResult) -> None:
        batch_id = result.batch_id
        if batch_id is None:
            return
        window._undo.append(UndoStep(
            f"Normalisation de {result.applied} adresses",
            lambda: undo_normalisation(window, batches, batch_id, lambda _r: window.refresh()),
        ))
        window.refresh()

    run = normalise_addresses(window, batches, ids, "Suspects", applied)
    dialog = _review(qtbot, run)
    assert dialog.model.rowCount() == len(EXPECTED)
    with qtbot.waitSignal(run.ended, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.accept_all_button, Qt.MouseButton.LeftButton)
    assert run.message is not None
    run.message.done(QMessageBox.StandardButton.Ok)
    assert dump(base.db, content_only=True)["addresses"] != before
    window.undo()
    qtbot.waitUntil(
        lambda: dump(base.db, content_only=True)["addresses"] == before, timeout=TIMEOUT
    )
    assert window._undo == []
