"""Confirming a run: one Action and one GED copy per recipient, in one transaction; NPAI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader
from sqlalchemy import func, select

from microcrm.crm.lists import ListQuery
from microcrm.db import Database
from microcrm.ged.store import ContentStore
from microcrm.mailing.campaigns import (
    MailingRun,
    campaign_recipients,
    confirm_run,
    list_campaigns,
    mark_address_npai,
    mark_npai,
    produce_run,
)
from microcrm.mailing.errors import RunCancelledError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.recipients import RecipientSource, select_recipients
from microcrm.mailing.templates import load_template
from microcrm.models import (
    Action,
    ActionType,
    Address,
    Campaign,
    CampaignRecipient,
    Document,
    DocumentVersion,
    Dossier,
)
from tests.mailing.helpers import Base


def _counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Campaign, CampaignRecipient, Action, Document)
        )


def _run(
    base: Base, context: MergeContext, out: Path, template: str = "prospection"
) -> MailingRun:
    selection = select_recipients(base.db, RecipientSource(segment="Bretagne"))
    return produce_run(base.db, load_template(template), selection, out, context=context)


def test_confirm_writes_one_action_and_one_copy_per_recipient(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    db = mail_base.db
    run = _run(mail_base, context, tmp_path / "lettres.pdf")
    assert (run.letters, run.pages, len(run.excluded)) == (3, 3, 4)
    store = ContentStore(tmp_path / "ged")
    before = _counts(db)
    campaign_id = confirm_run(db, run, store=store, name="Prospection Bretagne")
    with db.read() as s:
        campaign = s.get(Campaign, campaign_id)
        assert campaign is not None
        assert (campaign.name, campaign.template, campaign.status) == (
            "Prospection Bretagne",
            "prospection",
            "sent",
        )
        assert (campaign.letters, campaign.pages, campaign.excluded) == (3, 3, 4)
        assert campaign.segment_id == run.segment_id is not None
        actions = s.scalars(select(Action).where(Action.campaign_id == campaign_id)).all()
        assert sorted(a.organisation_id or 0 for a in actions) == sorted(
            r.organisation_id or 0 for r in run.recipients
        )
        assert {a.subject for a in actions} == {"Courrier : Prospection Bretagne"}
        kind = s.scalar(select(ActionType).where(ActionType.name == "Courrier"))
        assert kind is not None and {a.action_type_id for a in actions} == {kind.id}
        assert all(a.status == "done" and a.user_id is not None for a in actions)
        rows = s.scalars(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
        ).all()
        sent = [r for r in rows if r.status == "sent"]
        excluded = [r for r in rows if r.status == "excluded"]
        assert len(sent) == 3 and all(r.document_id for r in sent)
        assert sorted(r.reason or "" for r in excluded) == [
            "adresse_invalide",
            "doublon_adresse",
            "npai",
            "refus_courrier",
        ]
        for row, recipient in zip(sent, run.recipients, strict=True):
            doc = s.get(Document, row.document_id)
            assert doc is not None and doc.organisation_id == recipient.organisation_id
            dossier = s.get(Dossier, doc.dossier_id)
            assert dossier is not None and dossier.name == "Courrier"
            version = s.scalar(select(DocumentVersion).where(DocumentVersion.document_id == doc.id))
            assert version is not None and version.mime_type == "application/pdf"
            copy = PdfReader(io.BytesIO(store.read_bytes(version.sha256)))
            assert len(copy.pages) == 1
            text = copy.pages[0].extract_text() or ""
            assert all(line in text for line in recipient.lines)
    after = _counts(db)
    assert after[1] - before[1] == 7 and after[2] - before[2] == 3 and after[3] - before[3] == 3
    listed = list_campaigns(db)
    assert [(c.id, c.segment_name, c.letters) for c in listed] == [(campaign_id, "Bretagne", 3)]
    view = campaign_recipients(db, campaign_id)
    assert [v.status for v in view].count("sent") == 3
    assert view[0].name == "Alpha Conseil — Claire Martin"


def test_cancel_and_failure_write_nothing(
    mail_base: Base, context: MergeContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = mail_base.db
    run = _run(mail_base, context, tmp_path / "lettres.pdf")
    before = _counts(db)
    with pytest.raises(RunCancelledError):
        confirm_run(db, run, store=ContentStore(tmp_path / "ged"), cancel=lambda: True)
    assert _counts(db) == before

    from microcrm.mailing import campaigns

    def broken(*_args: object, **_kw: object) -> list[int]:
        raise OSError("disque plein")

    monkeypatch.setattr(campaigns, "file_documents", broken)
    with pytest.raises(OSError, match="disque plein"):
        confirm_run(db, run, store=ContentStore(tmp_path / "ged"))
    assert _counts(db) == before


def test_docx_run_files_docx_copies(mail_base: Base, context: MergeContext, tmp_path: Path) -> None:
    db = mail_base.db
    run = _run(mail_base, context, tmp_path / "fusion.docx", template="exemple")
    assert run.kind == "docx" and run.pages is None and run.docx_path is not None
    store = ContentStore(tmp_path / "ged")
    campaign_id = confirm_run(db, run, store=store)
    with db.read() as s:
        versions = s.scalars(
            select(DocumentVersion)
            .join(Document, Document.id == DocumentVersion.document_id)
            .join(CampaignRecipient, CampaignRecipient.document_id == Document.id)
            .where(CampaignRecipient.campaign_id == campaign_id)
            .order_by(CampaignRecipient.id)
        ).all()
    assert len(versions) == 3
    first = DocxDocument(io.BytesIO(store.read_bytes(versions[0].sha256)))
    assert any("ALPHA CONSEIL" in p.text for p in first.paragraphs)
    assert versions[0].filename.endswith(".docx")


def test_npai_from_campaign_and_from_record(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    db = mail_base.db
    run = _run(mail_base, context, tmp_path / "lettres.pdf")
    campaign_id = confirm_run(db, run, store=ContentStore(tmp_path / "ged"))
    alpha_row = next(
        r
        for r in campaign_recipients(db, campaign_id)
        if r.organisation_id == mail_base.alpha and r.status == "sent"
    )
    mark_npai(db, alpha_row.id)
    with db.read() as s:
        address = s.get(Address, mail_base.alpha_address)
        assert address is not None and address.npai and address.npai_on is not None
        events = s.scalars(
            select(Action).where(
                Action.organisation_id == mail_base.alpha, Action.subject == "Adresse marquée NPAI"
            )
        ).all()
        assert len(events) == 1 and "revenu NPAI" in (events[0].notes or "")
        assert s.get(CampaignRecipient, alpha_row.id).status == "npai"  # type: ignore[union-attr]
    again = select_recipients(db, RecipientSource(segment="Bretagne"))
    assert mail_base.alpha not in {r.organisation_id for r in again.recipients}
    # The twin with the same printed block is no longer a duplicate: it gets the letter now.
    reasons = {e.organisation_id: e.reason for e in again.excluded}
    assert reasons[mail_base.alpha] == "npai"
    theta = select_recipients(
        db, RecipientSource(query=ListQuery(base="prospect", departement="29"))
    )
    address_id = theta.recipients[0].address_id
    assert address_id is not None
    mark_address_npai(db, address_id)
    assert not select_recipients(
        db, RecipientSource(query=ListQuery(base="prospect", departement="29"))
    ).recipients


def test_output_kind_must_match_the_template(
    mail_base: Base, context: MergeContext, tmp_path: Path
) -> None:
    from microcrm.mailing.docx_merge import find_soffice
    from microcrm.mailing.errors import TemplateError

    with pytest.raises(TemplateError, match="produit un PDF"):
        _run(mail_base, context, tmp_path / "lettre.docx")
    if find_soffice() is None:
        with pytest.raises(TemplateError, match="LibreOffice n'est pas installé"):
            _run(mail_base, context, tmp_path / "fusion.pdf", template="exemple")
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.pdf"))
