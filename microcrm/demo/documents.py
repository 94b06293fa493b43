"""Demo GED: real files in the content-addressed store, filed under client dossiers.

Follows docs/storage.md §4.3: each file is written and fsync'ed *before* the
short transaction that inserts its ``document`` and ``document_version``
rows (plus any new ``dossier``), so a committed row always has its file. A
cancelled or crashed run leaves at most unreferenced objects, which the GED
garbage collector removes.

Files go through the GED's :class:`~microcrm.ged.store.ContentStore`, with
their extracted-text sidecar written from the text the generator composed
(no extraction pass over 100,000 files). A client that gets its first
document gets the whole configured set of default dossiers
(:func:`~microcrm.ged.dossiers.get_default_dossiers`), as the GED would
create on its first visit.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.demo.basics import UserInfo
from microcrm.demo.companies import ACTIVITIES, ORGANISME_ACTIVITIES
from microcrm.demo.identifiers import slug
from microcrm.demo.plain import text_of
from microcrm.demo.render import render
from microcrm.demo.texts import KINDS, Recipient, Sender, compose
from microcrm.ged.dossiers import default_dossiers_in
from microcrm.ged.store import ContentStore
from microcrm.models import (
    Address,
    Document,
    DocumentVersion,
    Dossier,
    Organisation,
    Person,
    Stage,
    utcnow,
)
from microcrm.storage.bulk import IdAllocator, audit_columns, insert_rows, table_of

#: Documents rendered and filed per write transaction.
CHUNK = 250
#: Threads writing files (fsync waits on the disk, not on the CPU).
STORE_THREADS = 4
#: Runs of at least this many documents render in worker processes (spawn costs ~1 s).
PARALLEL_FROM = 2000
#: Rendering processes at most (the target PC has two cores).
RENDER_PROCESSES = 2
#: Share of documents by the client's stage; prospects get no invoices nor orders.
STAGE_WEIGHTS = {Stage.CLIENT: 5.0, Stage.ANCIEN_CLIENT: 2.0, Stage.PROSPECT: 1.0}
_PROSPECT_KINDS = ("devis", "courrier", "email", "compte_rendu", "note")
_LABELS = {a.code: a.label for a in (*ACTIVITIES, *ORGANISME_ACTIVITIES)}
_SALUTATIONS = {"M.": "Monsieur", "Mme": "Madame", "Mlle": "Madame", "Dr": "Docteur",
                "Me": "Maître"}
#: ``document.doc_type`` of each kind (the GED's vocabulary, see microcrm.ged.classify).
DOC_TYPES = {"email": "e-mail", "compte_rendu": "compte rendu"}


@dataclass(frozen=True, slots=True)
class Target:
    """A client that receives documents, with its stage."""

    recipient: Recipient
    stage: Stage


#: (client, kind, format, number, date) of one document to generate.
DocSpec = tuple[Target, str, str, int, dt.date]


@dataclass(frozen=True, slots=True)
class Filed:
    """One rendered and stored file, waiting for its rows."""

    organisation_id: int
    user_id: int | None
    kind: str
    dossier: str
    title: str
    filename: str
    doc_date: dt.date
    sha256: str
    size: int
    mime_type: str


def load_targets(session: Session, users: list[UserInfo], first_id: int | None) -> list[Target]:
    """Clients, former clients and prospects (those created from ``first_id`` on, if given)."""
    by_id = {u.id: u for u in users}
    fallback = users[0] if users else UserInfo(0, "Service commercial", "", True)
    query = (
        select(Organisation.id, Organisation.name, Organisation.naf_code, Organisation.stage,
               Organisation.salesperson_id, Organisation.email, Address.norm_lines, Address.city)
        .join(Address, (Address.organisation_id == Organisation.id) & Address.is_primary)
        .where(Organisation.stage.in_(list(STAGE_WEIGHTS)), Organisation.deleted_at.is_(None))
        .order_by(Organisation.id)
    )
    if first_id is not None:
        query = query.where(Organisation.id >= first_id)
    orgs = session.execute(query).all()
    first_contact = (
        select(func.min(Person.id)).where(Person.deleted_at.is_(None))
        .group_by(Person.organisation_id)
    )
    contacts = {
        row.organisation_id: row
        for row in session.execute(
            select(Person.organisation_id, Person.civility, Person.first_name, Person.last_name,
                   Person.email).where(Person.id.in_(first_contact))
        )
    }
    targets = []
    for org in orgs:
        seller = by_id.get(org.salesperson_id or -1, fallback)
        person = contacts.get(org.id)
        contact = (" ".join(p for p in (person.civility, person.first_name, person.last_name) if p)
                   if person else None)
        lines = tuple((org.norm_lines or "").split("\n")) if org.norm_lines else (org.city,)
        recipient = Recipient(
            organisation_id=org.id, name=org.name, lines=lines,
            city=org.city.title() if org.city.isupper() else org.city,
            activity=_LABELS.get(org.naf_code or "", "").lower(), contact=contact,
            contact_email=(person.email if person else None) or org.email
            or f"contact@{slug(org.name, '')}.fr",
            salutation=_SALUTATIONS.get(person.civility or "", "Madame, Monsieur") if person
            else "Madame, Monsieur",
            user_id=seller.id or None, salesperson=seller.full_name,
            salesperson_email=seller.email or "commercial@example.invalid",
        )
        targets.append(Target(recipient, org.stage))
    return targets


def plan_documents(rng: random.Random, targets: list[Target], count: int, today: dt.date
                   ) -> Iterator[DocSpec]:
    """(target, kind, format, number, date) of each document, in filing order."""
    weights = [STAGE_WEIGHTS[t.stage] for t in targets]
    kinds = list(KINDS)
    kind_weights = [KINDS[k][2] for k in kinds]
    numbers = dict.fromkeys(kinds, rng.randint(1, 400))
    for target in rng.choices(targets, weights, k=count):
        allowed = _PROSPECT_KINDS if target.stage is Stage.PROSPECT else kinds
        kind = rng.choices(kinds, [w if k in allowed else 0 for k, w in
                                   zip(kinds, kind_weights, strict=True)])[0]
        formats = KINDS[kind][3]
        fmt = rng.choices([f for f, _ in formats], [w for _, w in formats])[0]
        numbers[kind] += 1
        newest = 180 if target.stage is Stage.ANCIEN_CLIENT else 0
        when = today - dt.timedelta(days=rng.randint(newest, 730))
        yield target, kind, fmt, numbers[kind], when


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendered document, before it is stored."""

    organisation_id: int
    user_id: int | None
    kind: str
    dossier: str
    title: str
    filename: str
    doc_date: dt.date
    mime_type: str
    data: bytes
    text: str

    def filed(self, sha256: str) -> Filed:
        """The same document once stored under ``sha256``."""
        return Filed(self.organisation_id, self.user_id, self.kind, self.dossier, self.title,
                     self.filename, self.doc_date, sha256, len(self.data), self.mime_type)


def render_document(seed: int, index: int, spec: DocSpec, sender: Sender) -> Rendered:
    """Compose and render document ``index`` of the run; deterministic per (seed, index).

    Pure (no database, no shared state), so it could be mapped over a process pool.
    """
    target, kind, fmt, number, when = spec
    rng = random.Random(f"{seed}:document:{index}")
    content = compose(rng, kind, fmt, number, when, rec=target.recipient, sender=sender)
    data, mime = render(content)
    rec = content.recipient
    return Rendered(rec.organisation_id, rec.user_id, kind, content.dossier, content.title,
                    content.filename, when, mime, data, text_of(content))


def store_rendered(store: ContentStore, doc: Rendered) -> str:
    """Store the file and its text sidecar (file first: the text names an object); its sha256."""
    sha = store.put_bytes(doc.data)
    store.write_text(sha, doc.text)
    return sha


@dataclass(slots=True)
class DossierCache:
    """Top-level dossiers of the run's clients, and the default set to give a new client."""

    defaults: tuple[str, ...]
    ids: dict[tuple[int, str], int]
    owners: set[int]
    """Organisations that have (or had: trashed ones count) at least one dossier."""

    def update(self, created: dict[tuple[int, str], int]) -> None:
        """Remember the dossiers a committed batch created."""
        self.ids.update(created)
        self.owners.update(org for org, _ in created)


def existing_dossiers(session: Session, org_ids: set[int]) -> DossierCache:
    """Top-level dossiers already there, by (organisation, name), and the default set."""
    rows = session.execute(
        select(Dossier.organisation_id, Dossier.name, Dossier.id, Dossier.parent_id,
               Dossier.deleted_at)
        .where(Dossier.organisation_id.is_not(None))
    ).all()
    ids = {(r.organisation_id, r.name): r.id for r in rows
           if r.organisation_id in org_ids and r.parent_id is None and r.deleted_at is None}
    owners = {r.organisation_id for r in rows if r.organisation_id in org_ids}
    return DossierCache(default_dossiers_in(session), ids, owners)


def insert_filed(session: Session, filed: list[Filed], dossiers: DossierCache,
                 login: str | None) -> dict[tuple[int, str], int]:
    """Rows of a batch of stored files; returns the dossiers it created (to cache after commit).

    Idempotent (``run_write`` may run it again): it only reads ``dossiers``.
    """
    now = utcnow()
    audit = audit_columns(now, login)
    alloc = IdAllocator(session)
    created: dict[tuple[int, str], int] = {}
    new_dossiers: list[dict[str, Any]] = []
    defaults = dossiers.defaults

    def add_dossier(org: int, name: str) -> None:
        created[(org, name)] = alloc.take(table_of(Dossier), 1)[0]
        position = defaults.index(name) + 1 if name in defaults else len(defaults) + 1
        new_dossiers.append({
            "id": created[(org, name)], "organisation_id": org, "person_id": None,
            "parent_id": None, "name": name, "position": position, "deleted_at": None, **audit,
        })

    for f in filed:
        org = f.organisation_id
        if org not in dossiers.owners and (org, defaults[0]) not in created:
            for name in defaults:  # first document of this client: its whole default set
                add_dossier(org, name)
        key = (org, f.dossier)
        if key not in dossiers.ids and key not in created:
            add_dossier(org, f.dossier)
    doc_ids = alloc.take(table_of(Document), len(filed))
    ver_ids = alloc.take(table_of(DocumentVersion), len(filed))
    documents, versions = [], []
    for doc_id, ver_id, f in zip(doc_ids, ver_ids, filed, strict=True):
        filed_at = dt.datetime.combine(f.doc_date, dt.time(9, 0), dt.UTC)
        dossier = dossiers.ids.get((f.organisation_id, f.dossier)) or created[
            (f.organisation_id, f.dossier)]
        documents.append({
            "id": doc_id, "dossier_id": dossier, "organisation_id": f.organisation_id,
            "person_id": None, "title": f.title,
            "doc_type": DOC_TYPES.get(f.kind, f.kind), "tags": "",
            "doc_date": f.doc_date, "filed_by": f.user_id, "filed_at": filed_at,
            "current_version": 1, "deleted_at": None, **audit,
        })
        versions.append({
            "id": ver_id, "document_id": doc_id, "number": 1, "sha256": f.sha256,
            "size": f.size, "filename": f.filename, "mime_type": f.mime_type,
            "created_at": filed_at, "created_by": f.user_id, "extraction_note": None,
        })
    insert_rows(session, table_of(Dossier), new_dossiers, "dossier")
    insert_rows(session, table_of(Document), documents, "document")
    insert_rows(session, table_of(DocumentVersion), versions)
    return created


def file_documents(db: Database, *, count: int, seed: int, sender: Sender,
                   users: list[UserInfo], ged_root: Path, today: dt.date,
                   first_org_id: int | None, step: Callable[[int], None],
                   stop: Callable[[], bool]) -> tuple[int, bool]:
    """Generate ``count`` documents for the run's clients.

    ``step(n)`` reports progress after each stored file; ``stop()`` is polled
    between files. On stop, batches already committed stay (each with its
    files); the files of the batch in progress are left unreferenced, for
    the GED garbage collector.

    Returns:
        (documents filed, whether it stopped early).
    """
    with db.read() as session:
        targets = load_targets(session, users, first_org_id)
        if not targets and first_org_id is not None:  # no client among the new ones
            targets = load_targets(session, users, None)
        dossiers = existing_dossiers(session, {t.recipient.organisation_id for t in targets})
    if not targets:
        return 0, False
    store = ContentStore(ged_root)
    specs = plan_documents(random.Random(f"{seed}:documents"), targets, count, today)
    done = 0
    # Rendering holds the GIL, fsync releases it: storing in threads overlaps the two.
    pool = ThreadPoolExecutor(max_workers=STORE_THREADS)
    renderers = _render_pool(count)
    try:
        starts = list(range(0, count, CHUNK))
        render_next = partial(_render_chunk, renderers, seed=seed, count=count, specs=specs,
                              sender=sender)
        upcoming = render_next(start=0) if starts else iter(())
        for n in range(len(starts)):
            pending = []
            for doc in upcoming:
                if stop():
                    return done, True
                pending.append((doc, pool.submit(store_rendered, store, doc)))
                step(1)
            # The next chunk renders in the worker processes while this one is written.
            upcoming = render_next(start=starts[n + 1]) if n + 1 < len(starts) else iter(())
            batch = [doc.filed(future.result()) for doc, future in pending]
            created = db.run_write(partial(insert_filed, filed=batch, dossiers=dossiers,
                                           login=db.user_login))
            dossiers.update(created)
            done += len(batch)
    finally:
        pool.shutdown(wait=True)
        if renderers is not None:
            renderers.shutdown(wait=True, cancel_futures=True)
    return done, False


def _render_pool(count: int) -> ProcessPoolExecutor | None:
    """Worker processes that render in parallel, for large runs on a multi-core PC."""
    processes = min(RENDER_PROCESSES, os.cpu_count() or 1)
    if count < PARALLEL_FROM or processes < 2:
        return None
    return ProcessPoolExecutor(max_workers=processes,
                               mp_context=multiprocessing.get_context("spawn"))


def _render_chunk(renderers: ProcessPoolExecutor | None, *, seed: int, start: int, count: int,
                  specs: Iterator[DocSpec], sender: Sender) -> Iterator[Rendered]:
    """The rendered documents ``start``… of one chunk, in order (submitted at once if parallel).

    Each document depends only on (seed, index, spec): the same run gives the
    same files whether rendered here or in worker processes.
    """
    indices = range(start, min(start + CHUNK, count))
    chunk_specs = [next(specs) for _ in indices]
    if renderers is None:
        return (render_document(seed, i, spec, sender)
                for i, spec in zip(indices, chunk_specs, strict=True))
    return renderers.map(render_document, repeat(seed), indices, chunk_specs, repeat(sender),
                         chunksize=25)
