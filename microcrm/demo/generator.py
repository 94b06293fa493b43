"""``generate``: fill a database with realistic French demo data (``microcrm demo``).

Two phases. Parties (organisations, contacts, private customers, staff,
addresses, actions, tags, plus users, sectors and action types) are written
in **one** write transaction, in chunks of Core bulk inserts: memory stays
bounded (each chunk is dropped once inserted) and a cancel or an error rolls
everything back. Documents follow, each batch of stored files committed in
its own short transaction (docs/storage.md §4.3: file first, then rows).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.demo.addresses import Normaliser, PlacePicker
from microcrm.demo.basics import Basics, create_basics
from microcrm.demo.documents import file_documents
from microcrm.demo.parties import PartyBuilder, Rows, plan_parties
from microcrm.errors import ValidationError
from microcrm.models import (
    Action,
    Address,
    ImportBatch,
    Organisation,
    Person,
    organisation_tag,
    person_tag,
    utcnow,
)
from microcrm.models.search import organisation_search_key, person_search_key
from microcrm.postal.reference import load_reference
from microcrm.storage.bulk import IdAllocator, audit_columns, insert_rows, table_of

#: Organisations per chunk of bulk inserts (with their contacts, addresses, actions).
CHUNK = 500
#: Seconds between two progress reports (~10 per second).
PROGRESS_INTERVAL = 0.1

Progress = Callable[[int, int, str], None]


@dataclass
class DemoReport:
    """What :func:`generate` created (rows committed) and how long it took."""

    organisations: int
    persons: int
    addresses: int
    actions: int
    documents: int
    users: int
    seconds: float
    cancelled: bool = False


class _CancelledError(Exception):
    """Raised inside the write transaction to roll it back."""


class _Reporter:
    """Throttled progress (about ten calls a second) and the cancel check."""

    def __init__(self, total: int, progress: Progress | None,
                 cancel: Callable[[], bool] | None) -> None:
        self.total, self.done = total, 0
        self._progress, self._cancel = progress, cancel
        self._last = 0.0

    def advance(self, count: int, message: str) -> None:
        """Count ``count`` more entities done and report if it is time to."""
        self.done += count
        now = time.monotonic()
        if self._progress and now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._progress(min(self.done, self.total), self.total, message)

    def cancelled(self) -> bool:
        """Whether the caller asked to stop."""
        return bool(self._cancel and self._cancel())

    def check(self) -> None:
        """Raise :class:`_CancelledError` (rolling the transaction back) if asked to stop."""
        if self.cancelled():
            raise _CancelledError


@dataclass
class _Counts:
    organisations: int = 0
    persons: int = 0
    addresses: int = 0
    actions: int = 0
    users: int = 0
    first_org_id: int | None = None
    basics: Basics | None = None


def _write(session: Session, rows: Rows, counts: _Counts, reporter: _Reporter,
           message: str) -> None:
    """Insert one chunk in foreign-key order, journalling each created row."""
    _fill_search_keys(rows)
    done = insert_rows(session, table_of(Organisation), rows.organisation, "organisation")
    counts.organisations += done
    reporter.advance(done, message)
    done = insert_rows(session, table_of(Person), rows.person, "person")
    counts.persons += done
    reporter.advance(done, message)
    counts.addresses += insert_rows(session, table_of(Address), rows.address, "address")
    reporter.advance(0, message)
    counts.actions += insert_rows(session, table_of(Action), rows.action, "action")
    insert_rows(session, organisation_tag, rows.organisation_tag)
    insert_rows(session, person_tag, rows.person_tag)
    reporter.check()


def _fill_search_keys(rows: Rows) -> None:
    """The quick-search keys the ORM hook would compute (Core inserts bypass it)."""
    org_address = {a["organisation_id"]: a for a in rows.address if a["organisation_id"]}
    person_address = {a["person_id"]: a for a in rows.address if a["person_id"]}
    for org in rows.organisation:
        addr = org_address.get(org["id"], {})
        org["search_key"] = organisation_search_key(
            name=org["name"], enseigne=org["enseigne"], siret=org["siret"], phone=org["phone"],
            email=org["email"], postcode=addr.get("postcode"), city=addr.get("city"),
        )
    for person in rows.person:
        addr = person_address.get(person["id"], {})
        person["search_key"] = person_search_key(
            last_name=person["last_name"], first_name=person["first_name"],
            email=person["email"], phone=person["phone"], mobile=person["mobile"],
            postcode=addr.get("postcode"), city=addr.get("city"),
        )


def _taken_sirens(session: Session) -> set[str]:
    """SIRENs already in the base: a second run must not reuse them (SIRET is unique)."""
    taken: set[str] = set()
    for siren, siret in session.execute(select(Organisation.siren, Organisation.siret)):
        taken.update(v for v in (siren, siret[:9] if siret else None) if v)
    return taken


def _parties(session: Session, *, seed: int, organisations: int, persons: int,
             today: dt.date, picker: PlacePicker, reporter: _Reporter) -> _Counts:
    """The whole parties phase, run inside one ``run_write`` (idempotent: fresh rngs)."""
    reporter.done = 0
    sirens = _taken_sirens(session)
    audit: dict[str, Any] = audit_columns(utcnow(), session.info.get("user_login"))
    # Every demo party belongs to one batch: demo rows are recognisable (never mailed for
    # real by mistake) and can be removed all at once later.
    batch = ImportBatch(
        created_by=session.info.get("user_login"), preset="demo",
        sources=f"microcrm demo --organisations {organisations} --persons {persons} --seed {seed}",
    )
    session.add(batch)
    session.flush()
    basics = create_basics(session, random.Random(f"{seed}:basics"), picker, sirens)
    counts = _Counts(users=basics.created_users, basics=basics)
    plan = plan_parties(random.Random(f"{seed}:plan"), organisations, persons)
    builder = PartyBuilder(random.Random(f"{seed}:parties"), basics=basics, picker=picker,
                           normaliser=Normaliser(picker.reference), sirens=sirens, today=today,
                           audit=audit, batch_id=batch.id)
    alloc = IdAllocator(session)
    for start in range(0, organisations, CHUNK):
        stop = min(start + CHUNK, organisations)
        rows = builder.organisations(alloc, plan.categories[start:stop], plan.contacts[start:stop])
        if counts.first_org_id is None and rows.organisation:
            counts.first_org_id = rows.organisation[0]["id"]
        _write(session, rows, counts, reporter, "Organisations et contacts")
    for start in range(0, plan.privates, CHUNK):
        rows = builder.privates(alloc, min(CHUNK, plan.privates - start))
        _write(session, rows, counts, reporter, "Particuliers")
    _write(session, builder.staff(alloc, plan.staff), counts, reporter, "Personnel")
    return counts


def _ged_root(db: Database, ged_root: Path | None) -> Path:
    if ged_root is not None:
        return ged_root
    if db.path is None:
        raise ValidationError("ged_root", "Indiquez le dossier GED : la base est sur un serveur.")
    return db.path.parent / "ged"


def generate(db: Database, *, organisations: int, persons: int, documents: int = 0,
             seed: int = 0, ged_root: Path | None = None, progress: Progress | None = None,
             cancel: Callable[[], bool] | None = None,
             today: dt.date | None = None) -> DemoReport:
    """Create demo organisations, persons, addresses, actions and documents.

    The same ``seed`` on an empty base gives the same data (timestamps
    apart; dates are relative to ``today``, by default the current date).
    Running it again on a filled base adds new rows: SIRENs already present
    are never reused, and users, sectors, tags and action types are reused.

    Args:
        db: An open, migrated database.
        organisations: Organisations to create, each with one primary address.
        persons: Persons to create: contacts of those organisations, ~5 %
            private customers and a few staff members.
        documents: Documents to file in the GED, under clients, former
            clients and prospects of this run (of the whole base when the run
            creates none); 0 are filed if the base has no such organisation.
        seed: Seed of every random choice.
        ged_root: GED folder; defaults to ``ged`` beside a SQLite file, and is
            required on PostgreSQL.
        progress: Called as ``progress(done, total, message)`` about ten
            times a second; ``total`` counts organisations, persons and documents.
        cancel: Polled between chunks; when it returns True, generation stops.
        today: Reference date of the two-year history (tests pin it).

    Returns:
        The rows created. On cancel, ``cancelled`` is set: a cancel during
        the parties phase rolls that phase back entirely (nothing is kept);
        during the documents phase, documents already committed stay, each
        with its file.

    Raises:
        ValidationError: negative counts, or no GED folder on PostgreSQL.
    """
    for field_name, value in (("organisations", organisations), ("persons", persons),
                              ("documents", documents)):
        if value < 0:
            raise ValidationError(field_name, "Le nombre doit être positif ou nul.")
    root = _ged_root(db, ged_root) if documents else None
    started = time.monotonic()
    day = today or dt.date.today()  # noqa: DTZ011 - the user's calendar day
    reporter = _Reporter(organisations + persons + documents, progress, cancel)
    picker = PlacePicker(load_reference())
    try:
        counts = db.run_write(lambda s: _parties(
            s, seed=seed, organisations=organisations, persons=persons, today=day,
            picker=picker, reporter=reporter))
    except _CancelledError:
        return DemoReport(0, 0, 0, 0, 0, 0, time.monotonic() - started, cancelled=True)
    filed, cancelled = 0, False
    if documents and root is not None and counts.basics is not None:
        basics = counts.basics
        filed, cancelled = file_documents(
            db, count=documents, seed=seed, sender=basics.sender, users=basics.users,
            ged_root=root, today=day, first_org_id=counts.first_org_id,
            step=lambda n: reporter.advance(n, "Documents"), stop=reporter.cancelled)
    if progress:
        if cancelled:
            progress(reporter.done, reporter.total, "Annulé")
        else:
            progress(reporter.total, reporter.total, "Terminé")
    return DemoReport(counts.organisations, counts.persons, counts.addresses, counts.actions,
                      filed, counts.users, time.monotonic() - started, cancelled=cancelled)
