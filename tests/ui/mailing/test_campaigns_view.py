"""Campaigns view: a confirmed run listed with its recipients; « Marquer NPAI » in one click
excludes the address from the next selection."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.sheet import load_history
from microcrm.ged.store import ContentStore
from microcrm.mailing.campaigns import confirm_run, produce_run
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.recipients import RecipientSource, select_recipients
from microcrm.mailing.templates import load_template
from microcrm.ui.mailing.campaigns_view import CampaignsDialog
from tests.mailing.helpers import COMPANY, RUN_DATE, fill


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def test_mark_npai_then_next_selection_excludes_it(
    qtbot: QtBot, app_ctx: AppContext, tmp_path: Path
) -> None:
    db = app_ctx.db
    base = fill(db)
    source = RecipientSource(organisation_ids=(base.alpha, base.beta, base.eta_no_mail))
    selection = select_recipients(db, source)
    assert [r.organisation_id for r in selection.recipients] == [base.alpha, base.beta]
    run = produce_run(
        db,
        load_template("relance"),
        selection,
        tmp_path / "relance.pdf",
        context=MergeContext(COMPANY, RUN_DATE),
    )
    campaign_id = confirm_run(db, run, store=ContentStore(app_ctx.ged_root), name="Relance")

    dialog = CampaignsDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    view = dialog.view
    assert view.campaign_table.rowCount() == 1
    row = [cell(view.campaign_table, 0, c) for c in range(7)]
    assert row[1:] == ["Relance", "relance", "Liste courante", "2", "2", "1"]
    assert view.current_campaign() is not None
    assert view.current_campaign().id == campaign_id  # type: ignore[union-attr]
    statuses = {
        cell(view.recipient_table, r, 0): cell(view.recipient_table, r, 1)
        for r in range(view.recipient_table.rowCount())
    }
    assert statuses == {
        "Alpha Conseil — Claire Martin": "Envoyé",
        "Beta Bâtiment": "Envoyé",
        "Eta Transports": "Exclu",
    }
    view.select_recipient("Eta Transports")
    assert not view.npai_button.isEnabled()  # excluded: nothing was posted
    view.select_recipient("Alpha Conseil — Claire Martin")
    assert view.npai_button.isEnabled()
    with qtbot.waitSignal(view.npai_marked) as marked:
        view.npai_button.click()
    assert marked.args == [base.alpha_address]
    assert cell(view.recipient_table, view.recipient_table.currentRow(), 1) == "Revenu NPAI"
    assert not view.npai_button.isEnabled()
    assert "marquée NPAI" in view.status.text()

    again = select_recipients(db, source)
    assert [r.organisation_id for r in again.recipients] == [base.beta]
    npai = [e for e in again.excluded if e.organisation_id == base.alpha]
    assert [e.reason for e in npai] == ["npai"]
    entries, _total = load_history(db, base.alpha)
    assert any(e.subject == "Adresse marquée NPAI" for e in entries)


def test_record_sheet_marks_its_address_npai(qtbot: QtBot, app_ctx: AppContext) -> None:
    from microcrm.ui.record.sheet import OrganisationSheet

    db = app_ctx.db
    base = fill(db)
    source = RecipientSource(organisation_ids=(base.beta, base.theta_brest))
    assert len(select_recipients(db, source).recipients) == 2
    sheet = OrganisationSheet(app_ctx, base.beta)
    qtbot.addWidget(sheet)
    sheet.show()
    with qtbot.waitSignal(sheet.npai_button.marked):
        sheet.npai_button.click()
    assert "marquée NPAI" in sheet.status_line.text()
    history = sheet.history.model
    subjects = [history.entry(r).subject for r in range(history.rowCount())]
    assert "Adresse marquée NPAI" in subjects
    again = select_recipients(db, source)
    assert [r.organisation_id for r in again.recipients] == [base.theta_brest]
    assert [(e.organisation_id, e.reason) for e in again.excluded] == [(base.beta, "npai")]
    sheet.npai_button.click()  # a second click says so and writes nothing
    assert "déjà marquée NPAI" in sheet.status_line.text()
    entries, _total = load_history(db, base.beta)
    assert [e.subject for e in entries].count("Adresse marquée NPAI") == 1
