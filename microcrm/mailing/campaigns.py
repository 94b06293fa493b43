"""A publipostage run from start to finish: produce the documents, then confirm it as sent.

:func:`produce_run` checks the template, renders the run (PDF letters, or a
DOCX merge and its PDF when LibreOffice is there) and writes nothing in the
database: the user previews, prints, or gives up. :func:`confirm_run` records
the run as sent in ONE write transaction: the Campaign (template, segment,
date, counts), one CampaignRecipient per recipient and per exclusion (status
``excluded`` with its reason code), one done Action « Courrier : <campagne> »
per recipient (type « Courrier », campaign set) and the recipient's own letter
filed in its GED dossier « Courrier » (CampaignRecipient.document_id). The
letters' files are put in the content store just before the transaction (the
store is immutable and content-addressed: if the transaction fails, the
orphan objects are left to the garbage collection of docs/storage.md §4.3).

A letter that comes back « n'habite pas à l'adresse indiquée » is marked with
:func:`mark_npai` (from the campaign) or :func:`mark_address_npai` (from the
record): the address is flagged, the history says so, and the next runs
exclude it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.crm.company import load_company
from microcrm.crm.history import action_type_id, current_user_id, record_event
from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.ged.service import NewDocument, file_documents
from microcrm.ged.store import ContentStore
from microcrm.mailing.docx_merge import docx_letters, find_soffice, merge_docx
from microcrm.mailing.errors import RunCancelledError, TemplateError
from microcrm.mailing.fields import MergeContext, local_today
from microcrm.mailing.letters import LetterLayout, PageRange, render_letters, split_pages
from microcrm.mailing.recipients import Exclusion, Recipient, Selection
from microcrm.mailing.templates import DocxTemplateFile, LetterTemplate, Template, check_template
from microcrm.models import (
    Action,
    ActionStatus,
    Address,
    Campaign,
    CampaignRecipient,
    Organisation,
    Person,
    Segment,
    utcnow,
)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

_STORE_THREADS = 8
_STORE_CHUNK = 64
ACTION_TYPE = "Courrier"
NPAI_TYPE = "Retour NPAI"
GED_DOSSIER = "Courrier"
PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(slots=True)
class MailingRun:
    """A produced run, not yet confirmed: what was printed, for whom, and who was left out.

    ``pages`` is None for a DOCX run that LibreOffice did not convert (the page
    count is Word's to decide). ``ranges`` gives each letter's pages in the PDF.
    ``fields`` is every merge field the template uses, with where it is, as
    checked before anything was written (the summary's ``fields``).
    """

    template: Template
    context: MergeContext
    kind: Literal["pdf", "docx"]
    output: Path
    pdf_path: Path | None
    docx_path: Path | None
    letters: int
    pages: int | None
    recipients: list[Recipient]
    excluded: list[Exclusion]
    ranges: list[PageRange] = field(default_factory=list)
    segment_id: int | None = None
    segment_name: str = ""
    description: str = ""
    warnings: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def template_name(self) -> str:
        """Name of the template used."""
        return self.template.name

    @property
    def run_date(self) -> dt.date:
        """Date printed on the letters."""
        return self.context.run_date

    def summary(self, campaign_id: int | None = None) -> dict[str, object]:
        """The CLI's JSON summary."""
        data: dict[str, object] = {
            "letters": self.letters,
            "pages": self.pages,
            "output": str(self.output),
            "excluded": [
                {"name": e.name, "reason": e.reason, "detail": e.detail} for e in self.excluded
            ],
        }
        data["fields"] = [{"name": name, "where": where} for name, where in self.fields]
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if campaign_id is not None:
            data["campaign_id"] = campaign_id
        return data


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """One confirmed campaign, as listed."""

    id: int
    name: str
    template: str
    segment_name: str
    sent_at: dt.datetime | None
    letters: int
    pages: int
    excluded: int


@dataclass(frozen=True, slots=True)
class CampaignRecipientRow:
    """A recipient (or an exclusion) of a campaign, for the campaign view."""

    id: int
    organisation_id: int | None
    person_id: int | None
    address_id: int | None
    document_id: int | None
    name: str
    status: str
    reason: str


def default_context(
    db: Database,
    *,
    run_date: dt.date | None = None,
    custom: dict[str, str] | None = None,
    place: str = "",
) -> MergeContext:
    """The company identity from the base, today's date, custom fields."""
    return MergeContext(load_company(db), run_date or local_today(), dict(custom or {}), place)


def produce_run(
    db: Database,
    template: Template,
    selection: Selection,
    output: Path,
    *,
    context: MergeContext | None = None,
    layout: LetterLayout | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> MailingRun:
    """Check the template, then write the run's document(s). Nothing goes in the database.

    ``output`` ending in ``.pdf`` gives a PDF (a DOCX template is merged beside it and
    converted by LibreOffice); ``.docx`` needs a DOCX template.

    Raises:
        UnknownFieldError: before any file is written.
        ValidationError: no recipient, or the output is neither .pdf nor .docx.
        TemplateError: output kind and template do not match, LibreOffice missing.
        RunCancelledError: cancelled (no file left).
    """
    context = context or default_context(db)
    if isinstance(template, LetterTemplate):
        context = MergeContext(
            context.company,
            context.run_date,
            {**template.custom, **context.custom},
            context.place or template.place,
        )
    fields = check_template(template, list(context.custom))
    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise ValidationError("output", "Le fichier produit doit être un .pdf ou un .docx.")
    recipients = selection.recipients
    if not recipients:
        raise ValidationError(
            "source",
            f"Aucun destinataire à qui écrire ({len(selection.excluded)} exclus) : "
            "rien n'a été produit.",
        )
    run = MailingRun(
        template=template,
        context=context,
        kind="pdf" if suffix == ".pdf" else "docx",
        output=output,
        pdf_path=None,
        docx_path=None,
        letters=len(recipients),
        pages=None,
        recipients=list(recipients),
        excluded=list(selection.excluded),
        fields=fields,
        segment_id=selection.segment_id,
        segment_name=selection.segment_name,
        description=selection.description,
    )
    if not context.company.name:
        run.warnings.append(
            "L'identité de votre entreprise n'est pas renseignée (Paramètres › Entreprise) : "
            "en-tête et mentions légales sont vides."
        )
    if isinstance(template, LetterTemplate):
        if suffix == ".docx":
            raise TemplateError(
                f"Le modèle « {template.name} » est une lettre mise en page par MicroCRM : "
                "elle produit un PDF. Choisissez un modèle Word (.docx) pour un fichier .docx."
            )
        result = render_letters(
            template,
            recipients,
            output,
            context=context,
            layout=layout,
            progress=progress,
            cancel=cancel,
        )
        run.pdf_path, run.pages, run.ranges = output, result.pages, result.ranges
        return run
    if suffix == ".pdf" and find_soffice() is None:
        raise TemplateError(
            "LibreOffice n'est pas installé : un modèle Word ne peut produire qu'un .docx."
        )
    docx_path = output.with_suffix(".docx")
    merged = merge_docx(
        template.path,
        recipients,
        docx_path,
        context=context,
        to_pdf=suffix == ".pdf",
        progress=progress,
        cancel=cancel,
    )
    run.docx_path = docx_path
    if merged.pdf_path is not None:
        if merged.pdf_path != output:
            merged.pdf_path.replace(output)
        run.pdf_path, run.pages = output, merged.pdf_pages
    return run


def _copies(run: MailingRun) -> Iterator[tuple[bytes, str, str]]:
    """(content, filename suffix, mime type) of each recipient's own letter, in order."""
    if isinstance(run.template, LetterTemplate) and run.pdf_path is not None:
        for data in split_pages(run.pdf_path, run.ranges):
            yield data, ".pdf", PDF_MIME
        return
    assert isinstance(run.template, DocxTemplateFile)
    for data in docx_letters(run.template.path, run.recipients, context=run.context):
        yield data, ".docx", DOCX_MIME


def _store_copies(
    run: MailingRun, store: ContentStore, progress: Progress | None, cancel: Cancel | None
) -> list[tuple[str, int, str, str]]:
    """Put each recipient's letter in the store: (sha256, size, suffix, mime), in order.

    Each object is fsync'ed before it is named (docs/storage.md §4.3); a few
    threads overlap those waits, which dominate on a network share. Copies are
    made and stored by chunks, so memory stays bounded.
    """
    stored: list[tuple[str, int, str, str]] = []
    total = len(run.recipients)
    copies = _copies(run)
    with ThreadPoolExecutor(max_workers=_STORE_THREADS) as pool:
        while True:
            if cancel is not None and cancel():
                raise RunCancelledError()
            if progress is not None:
                progress(len(stored), total, "Copies des lettres")
            chunk = list(islice(copies, _STORE_CHUNK))
            if not chunk:
                return stored
            digests = pool.map(store.put_bytes, [data for data, _, _ in chunk])
            stored += [
                (sha, len(data), suffix, mime)
                for sha, (data, suffix, mime) in zip(digests, chunk, strict=True)
            ]


def _default_name(run: MailingRun) -> str:
    title = getattr(run.template, "title", "") or run.template.name
    return f"{title} du {run.run_date:%d/%m/%Y}"


def confirm_run(
    db: Database,
    run: MailingRun,
    *,
    store: ContentStore,
    name: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> int:
    """Record the run as sent (one write transaction); returns the campaign id.

    Raises:
        RunCancelledError: cancelled while the copies were being stored (nothing written).
    """
    campaign_name = (name or _default_name(run)).strip()[:200]
    subject = f"Courrier : {campaign_name}"[:200]
    total = len(run.recipients)
    stored = _store_copies(run, store, progress, cancel)
    if len(stored) != total:  # pragma: no cover - a run always has one copy per letter
        raise TemplateError("Copies des lettres incomplètes : confirmation impossible.")
    slug = run.run_date.strftime("%Y-%m-%d")

    def write(session: Session) -> int:
        user_id = current_user_id(session)
        campaign = Campaign(
            name=campaign_name,
            template=run.template.name[:255],
            segment_id=run.segment_id,
            status="sent",
            sent_at=utcnow(),
            letters=run.letters,
            pages=run.pages or 0,
            excluded=len(run.excluded),
        )
        session.add(campaign)
        session.flush()
        type_id = action_type_id(session, ACTION_TYPE)
        documents = [
            NewDocument(
                organisation_id=r.organisation_id,
                person_id=r.person_id,
                dossier=GED_DOSSIER,
                title=f"{campaign_name} — {r.display_name}"[:255],
                filename=f"courrier-{slug}-{r.key}{suffix}",
                sha256=sha,
                size=size,
                mime_type=mime,
                doc_type="courrier",
                tags="publipostage",
                doc_date=run.run_date,
            )
            for r, (sha, size, suffix, mime) in zip(run.recipients, stored, strict=True)
        ]
        doc_ids = file_documents(session, documents, user_id=user_id)
        now = utcnow()
        session.add_all(
            Action(
                organisation_id=r.organisation_id,
                person_id=r.person_id,
                action_type_id=type_id,
                user_id=user_id,
                campaign_id=campaign.id,
                subject=subject,
                status=ActionStatus.DONE,
                due_at=now,
                done_at=now,
            )
            for r in run.recipients
        )
        session.add_all(
            CampaignRecipient(
                campaign_id=campaign.id,
                organisation_id=r.organisation_id,
                person_id=r.person_id,
                address_id=r.address_id,
                document_id=doc_id,
                status="sent",
                reason=None,
            )
            for r, doc_id in zip(run.recipients, doc_ids, strict=True)
        )
        session.add_all(
            CampaignRecipient(
                campaign_id=campaign.id,
                organisation_id=e.organisation_id,
                person_id=e.person_id,
                address_id=e.address_id,
                status="excluded",
                reason=e.reason[:64],
            )
            for e in run.excluded
        )
        session.flush()
        return campaign.id

    campaign_id = db.run_write(write)
    if progress is not None:
        progress(total, total, "Campagne enregistrée")
    return campaign_id


def _flag_npai(session: Session, address: Address, note: str) -> None:
    """Flag an address NPAI and say so in its owner's history."""
    if not address.npai:
        address.npai = True
        address.npai_on = local_today()
    record_event(
        session,
        address.organisation_id,
        "Adresse marquée NPAI",
        NPAI_TYPE,
        note,
        person_id=address.person_id,
    )


def mark_address_npai(db: Database, address_id: int) -> None:
    """Mark an address « n'habite pas à l'adresse indiquée »; next runs exclude it.

    Raises:
        NotFoundError: no such address.
    """

    def write(session: Session) -> None:
        address = session.get(Address, address_id)
        if address is None:
            raise NotFoundError("Adresse", address_id)
        _flag_npai(session, address, "Courrier revenu « n'habite pas à l'adresse indiquée ».")

    db.run_write(write)


def mark_npai(db: Database, campaign_recipient_id: int) -> None:
    """Mark a campaign's letter as returned NPAI: the recipient and its address are flagged.

    Raises:
        NotFoundError: no such campaign recipient.
        ValidationError: the recipient has no address (it was excluded).
    """

    def write(session: Session) -> None:
        row = session.get(CampaignRecipient, campaign_recipient_id)
        if row is None:
            raise NotFoundError("Destinataire de campagne", campaign_recipient_id)
        if row.address_id is None:
            raise ValidationError("address_id", "Ce destinataire n'a pas d'adresse à marquer.")
        address = session.get(Address, row.address_id)
        if address is None:
            raise NotFoundError("Adresse", row.address_id)
        campaign = session.get(Campaign, row.campaign_id)
        row.status = "npai"
        label = campaign.name if campaign else f"n° {row.campaign_id}"
        _flag_npai(session, address, f"Courrier de la campagne « {label} » revenu NPAI.")

    db.run_write(write)


def list_campaigns(db: Database) -> list[CampaignSummary]:
    """Confirmed campaigns, newest first."""
    with db.read() as session:
        rows = session.execute(
            select(Campaign, Segment.name)
            .outerjoin(Segment, Segment.id == Campaign.segment_id)
            .order_by(Campaign.sent_at.desc(), Campaign.id.desc())
        ).all()
        return [
            CampaignSummary(
                c.id, c.name, c.template, s or "", c.sent_at, c.letters, c.pages, c.excluded
            )
            for c, s in rows
        ]


def campaign_recipients(db: Database, campaign_id: int) -> list[CampaignRecipientRow]:
    """Recipients and exclusions of a campaign, in the order they were written."""
    person_name = func.trim(
        func.coalesce(Person.first_name, "") + " " + func.coalesce(Person.last_name, "")
    )
    with db.read() as session:
        rows = session.execute(
            select(CampaignRecipient, Organisation.name, person_name)
            .outerjoin(Organisation, Organisation.id == CampaignRecipient.organisation_id)
            .outerjoin(Person, Person.id == CampaignRecipient.person_id)
            .where(CampaignRecipient.campaign_id == campaign_id)
            .order_by(CampaignRecipient.id)
        ).all()
        return [
            CampaignRecipientRow(
                r.id,
                r.organisation_id,
                r.person_id,
                r.address_id,
                r.document_id,
                " — ".join(p for p in (org, person) if p),
                r.status,
                r.reason or "",
            )
            for r, org, person in rows
        ]
