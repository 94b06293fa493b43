"""Dossier bookkeeping shared by single filing and bulk filing, and :func:`file_documents`.

Every function here runs inside the caller's write transaction; none touches
files (docs/storage.md §4.3: objects are stored before the transaction that
references them).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from microcrm.errors import ValidationError
from microcrm.ged.dossiers import clean_dossier_name, default_dossiers_in
from microcrm.ged.records import NewDocument
from microcrm.models import Document, DocumentVersion, Dossier, utcnow
from microcrm.storage.bulk import IdAllocator, audit_columns, insert_rows, table_of
from microcrm.text import fold

Owner = tuple[int | None, int | None]
"""Whose dossiers: (organisation_id, None) for a client, (None, person_id) for a private person."""

_EXTRA_TYPES: Final = {
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".rtf": "application/rtf",
    ".csv": "text/csv",
}


def mime_type_of(filename: str) -> str:
    """The MIME type a file name announces (``application/octet-stream`` if unknown)."""
    ext = Path(filename).suffix.lower()
    return _EXTRA_TYPES.get(ext) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def check_owner(organisation_id: int | None, person_id: int | None) -> Owner:
    """Whose dossiers receive a document: the organisation if given, else the person.

    A person given with an organisation is a contact of it: the document goes
    to the organisation's dossiers and only mentions the person.

    Raises:
        ValidationError: neither is given.
    """
    if organisation_id is not None:
        return organisation_id, None
    if person_id is None:
        raise ValidationError("client", "Indiquez un client (organisation) ou une personne.")
    return None, person_id


def owner_filter(owner: Owner) -> ColumnElement[bool]:
    """SQL condition selecting the dossiers (or documents) of ``owner``."""
    org, person = owner
    if org is not None:
        return Dossier.organisation_id == org
    return (Dossier.person_id == person) & Dossier.organisation_id.is_(None)


def ensure_defaults(session: Session, owner: Owner) -> dict[str, int]:
    """The owner's top-level dossiers by folded name; the default set on first access.

    "First access" is an owner with no dossier row at all, trashed ones
    included: a default dossier the user trashed is not brought back.
    """
    rows = session.execute(
        select(Dossier.id, Dossier.name, Dossier.parent_id, Dossier.deleted_at).where(
            owner_filter(owner)
        )
    ).all()
    if not rows:
        org, person = owner
        created = []
        for position, name in enumerate(default_dossiers_in(session), start=1):
            dossier = Dossier(
                organisation_id=org, person_id=person, parent_id=None, name=name, position=position
            )
            session.add(dossier)
            created.append(dossier)
        session.flush()
        return {fold(d.name): d.id for d in created}
    return {fold(r.name): r.id for r in rows if r.parent_id is None and r.deleted_at is None}


def top_dossier(session: Session, owner: Owner, name: str) -> int:
    """Id of the owner's top-level dossier ``name`` (folded match), created if missing."""
    name = clean_dossier_name(name)
    existing = ensure_defaults(session, owner)
    if fold(name) in existing:
        return existing[fold(name)]
    org, person = owner
    dossier = Dossier(
        organisation_id=org, person_id=person, parent_id=None, name=name, position=len(existing) + 1
    )
    session.add(dossier)
    session.flush()
    return dossier.id


def file_documents(
    session: Session, docs: Sequence[NewDocument], *, user_id: int | None
) -> list[int]:
    """File many documents whose objects are already in the store, in the caller's transaction.

    Creates the owners' default dossiers on their first document and any
    missing dossier by name (top level), inserts one ``document`` and one
    ``document_version`` per entry with Core bulk inserts, and journals the
    ``dossier`` and ``document`` rows so index replicas pick them up. The
    extracted text, if the caller knows it, goes to ``ContentStore.write_text``
    before the transaction.

    Returns:
        The new document ids, in the order of ``docs``.

    Raises:
        ValidationError: an entry without (or with two) owners, a bad dossier
            name or an empty title.
    """
    if not docs:
        return []
    owners = {check_owner(d.organisation_id, d.person_id) for d in docs}
    for doc in docs:
        if not doc.title.strip():
            raise ValidationError("title", f"Titre vide pour « {doc.filename} ».")
    names = {
        (check_owner(d.organisation_id, d.person_id), clean_dossier_name(d.dossier)) for d in docs
    }
    known = _dossiers_of(session, owners)
    now = utcnow()
    audit = audit_columns(now, session.info.get("user_login"))
    alloc = IdAllocator(session)
    new_dossiers: list[dict[str, Any]] = []

    def add(owner: Owner, name: str, position: int) -> None:
        dossier_id = alloc.take(table_of(Dossier), 1)[0]
        new_dossiers.append(
            {
                "id": dossier_id,
                "organisation_id": owner[0],
                "person_id": owner[1],
                "parent_id": None,
                "name": name,
                "position": position,
                "deleted_at": None,
                **audit,
            }
        )
        known.setdefault(owner, {})[fold(name)] = dossier_id

    defaults = default_dossiers_in(session)
    for owner in sorted(owners, key=lambda o: (o[0] or 0, o[1] or 0)):
        if owner not in known:  # no dossier at all yet: the default set first
            known[owner] = {}
            for position, name in enumerate(defaults, start=1):
                add(owner, name, position)
    for owner, name in sorted(names, key=lambda n: (n[0][0] or 0, n[0][1] or 0, n[1])):
        if fold(name) not in known[owner]:
            add(owner, name, len(known[owner]) + 1)
    doc_ids = alloc.take(table_of(Document), len(docs))
    ver_ids = alloc.take(table_of(DocumentVersion), len(docs))
    documents, versions = [], []
    for doc_id, ver_id, doc in zip(doc_ids, ver_ids, docs, strict=True):
        owner = check_owner(doc.organisation_id, doc.person_id)
        documents.append(
            {
                "id": doc_id,
                "dossier_id": known[owner][fold(clean_dossier_name(doc.dossier))],
                "organisation_id": owner[0],
                "person_id": doc.person_id,
                "title": doc.title.strip(),
                "doc_type": doc.doc_type,
                "tags": doc.tags,
                "doc_date": doc.doc_date or now.date(),
                "filed_by": user_id,
                "filed_at": now,
                "current_version": 1,
                "deleted_at": None,
                **audit,
            }
        )
        versions.append(
            {
                "id": ver_id,
                "document_id": doc_id,
                "number": 1,
                "sha256": doc.sha256,
                "size": doc.size,
                "filename": doc.filename,
                "mime_type": doc.mime_type,
                "created_at": now,
                "created_by": user_id,
                "extraction_note": None,
            }
        )
    insert_rows(session, table_of(Dossier), new_dossiers, "dossier")
    insert_rows(session, table_of(Document), documents, "document")
    insert_rows(session, table_of(DocumentVersion), versions)
    return doc_ids


def _dossiers_of(session: Session, owners: set[Owner]) -> dict[Owner, dict[str, int]]:
    """Top-level live dossiers of each owner that has any dossier row (by folded name)."""
    orgs = [o for o, _ in owners if o is not None]
    persons = [p for o, p in owners if o is None and p is not None]
    clauses: list[ColumnElement[bool]] = []
    if orgs:
        clauses.append(Dossier.organisation_id.in_(orgs))
    if persons:
        clauses.append(Dossier.person_id.in_(persons) & Dossier.organisation_id.is_(None))
    rows = session.execute(
        select(
            Dossier.id,
            Dossier.organisation_id,
            Dossier.person_id,
            Dossier.name,
            Dossier.parent_id,
            Dossier.deleted_at,
        ).where(or_(*clauses))
    ).all()
    known: dict[Owner, dict[str, int]] = {}
    for r in rows:
        owner: Owner = (
            (r.organisation_id, None) if r.organisation_id is not None else (None, r.person_id)
        )
        names = known.setdefault(owner, {})
        if r.parent_id is None and r.deleted_at is None:
            names.setdefault(fold(r.name), r.id)
    return known
