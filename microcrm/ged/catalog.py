"""Read queries of the GED: a client's dossier tree, document lists, versions.

Each function takes the caller's (read) session and returns plain records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from microcrm.ged.filing import Owner, owner_filter
from microcrm.ged.records import DocumentInfo, DossierNode, VersionInfo
from microcrm.models import Document, DocumentVersion, Dossier, Organisation, User

PATH_SEPARATOR = " / "


def tree_of(session: Session, owner: Owner) -> list[DossierNode]:
    """The owner's live dossiers as a forest (by position, then name)."""
    rows = session.execute(
        select(Dossier.id, Dossier.name, Dossier.parent_id, Dossier.position).where(
            owner_filter(owner), Dossier.deleted_at.is_(None)
        )
    ).all()
    ids = [r.id for r in rows]
    counts: dict[int | None, int] = (
        dict(
            session.execute(
                select(Document.dossier_id, func.count())
                .where(Document.dossier_id.in_(ids), Document.deleted_at.is_(None))
                .group_by(Document.dossier_id)
            )
            .tuples()
            .all()
        )
        if ids
        else {}
    )
    children: dict[int | None, list[Any]] = {}
    live = set(ids)
    for r in rows:
        parent = r.parent_id if r.parent_id in live else None
        children.setdefault(parent, []).append(r)

    def build(parent: int | None) -> list[DossierNode]:
        ordered = sorted(children.get(parent, []), key=lambda r: (r.position, r.name.lower()))
        return [
            DossierNode(r.id, r.name, r.parent_id, counts.get(r.id, 0), build(r.id))
            for r in ordered
        ]

    return build(None)


def dossier_paths(session: Session, dossier_ids: Iterable[int | None]) -> dict[int, str]:
    """``"Factures / 2025"`` for each dossier id (parents read as needed)."""
    names: dict[int, tuple[str, int | None]] = {}
    wanted = {i for i in dossier_ids if i is not None}
    missing = set(wanted)
    while missing:
        rows = session.execute(
            select(Dossier.id, Dossier.name, Dossier.parent_id).where(Dossier.id.in_(missing))
        ).all()
        for r in rows:
            names[r.id] = (r.name, r.parent_id)
        missing = {r.parent_id for r in rows if r.parent_id is not None} - set(names)
    paths: dict[int, str] = {}
    for dossier_id in wanted:
        parts: list[str] = []
        current: int | None = dossier_id
        seen: set[int] = set()
        while current is not None and current in names and current not in seen:
            seen.add(current)
            name, current = names[current]
            parts.append(name)
        paths[dossier_id] = PATH_SEPARATOR.join(reversed(parts))
    return paths


def subtree_ids(session: Session, dossier_id: int, *, live_only: bool = True) -> list[int]:
    """``dossier_id`` and every dossier below it."""
    found = [dossier_id]
    frontier = [dossier_id]
    while frontier:
        query = select(Dossier.id).where(Dossier.parent_id.in_(frontier))
        if live_only:
            query = query.where(Dossier.deleted_at.is_(None))
        frontier = list(session.scalars(query))
        found.extend(frontier)
    return found


def document_infos(session: Session, *where: ColumnElement[bool]) -> list[DocumentInfo]:
    """Documents matching ``where`` with their current version, newest first."""
    current = DocumentVersion
    rows = session.execute(
        select(
            Document,
            current.filename,
            current.size,
            current.mime_type,
            current.sha256,
            current.extraction_note,
            Organisation.name,
            User.full_name,
        )
        .join(
            current,
            (current.document_id == Document.id) & (current.number == Document.current_version),
        )
        .outerjoin(Organisation, Organisation.id == Document.organisation_id)
        .outerjoin(User, User.id == Document.filed_by)
        .where(*where)
        .order_by(Document.doc_date.desc().nulls_last(), Document.title, Document.id)
    ).all()
    paths = dossier_paths(session, (r[0].dossier_id for r in rows))
    out = []
    for doc, filename, size, mime, sha, note, org_name, filer in rows:
        out.append(
            DocumentInfo(
                id=doc.id,
                title=doc.title,
                doc_type=doc.doc_type,
                tags=doc.tags,
                doc_date=doc.doc_date,
                dossier_id=doc.dossier_id,
                dossier_path=paths.get(doc.dossier_id, "") if doc.dossier_id else "",
                organisation_id=doc.organisation_id,
                organisation_name=org_name,
                person_id=doc.person_id,
                filed_by=filer,
                filed_at=doc.filed_at,
                current_version=doc.current_version,
                filename=filename,
                size=size,
                mime_type=mime,
                sha256=sha,
                extraction_note=note,
                deleted_at=doc.deleted_at,
            )
        )
    return out


def versions_of(session: Session, document_id: int) -> list[VersionInfo]:
    """Every version of a document, oldest first."""
    rows = session.execute(
        select(DocumentVersion, User.full_name)
        .outerjoin(User, User.id == DocumentVersion.created_by)
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.number)
    ).all()
    return [
        VersionInfo(v.number, v.filename, v.size, v.sha256, v.created_at, who, v.extraction_note)
        for v, who in rows
    ]
