"""Documents filed through the ORM and the content store, for the search tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.ged.store import ContentStore
from microcrm.models import Document, DocumentVersion, Dossier, utcnow


@dataclass(frozen=True)
class Doc:
    """What a test files: text and metadata."""

    title: str
    text: str
    dossier: str = "Divers"
    doc_type: str = "note"
    tags: str = ""
    doc_date: dt.date | None = None
    parent: str | None = None


def _dossier(session: Session, org_id: int, name: str, parent: int | None) -> int:
    found = session.scalar(
        select(Dossier.id).where(
            Dossier.organisation_id == org_id,
            Dossier.name == name,
            Dossier.parent_id.is_(None) if parent is None else Dossier.parent_id == parent,
        )
    )
    if found is not None:
        return int(found)
    dossier = Dossier(organisation_id=org_id, name=name, parent_id=parent)
    session.add(dossier)
    session.flush()
    return dossier.id


def file_doc(db: Database, store: ContentStore, org_id: int, doc: Doc) -> int:
    """File ``doc`` under ``org_id`` (object + text cache + rows); returns the document id."""
    data = doc.text.encode("utf-8")
    sha = store.put_bytes(data)
    store.write_text(sha, doc.text)

    def write(session: Session) -> int:
        parent = _dossier(session, org_id, doc.parent, None) if doc.parent else None
        dossier_id = _dossier(session, org_id, doc.dossier, parent)
        row = Document(
            dossier_id=dossier_id,
            organisation_id=org_id,
            title=doc.title,
            doc_type=doc.doc_type,
            tags=doc.tags,
            doc_date=doc.doc_date,
            filed_at=utcnow(),
            current_version=1,
        )
        session.add(row)
        session.flush()
        session.add(
            DocumentVersion(
                document_id=row.id,
                number=1,
                sha256=sha,
                size=len(data),
                filename=f"{doc.title}.txt",
                mime_type="text/plain",
                created_at=utcnow(),
            )
        )
        return row.id

    return db.run_write(write)


def trash(db: Database, doc_id: int, *, restore: bool = False) -> None:
    """Move a document to the trash (or back)."""

    def write(session: Session) -> None:
        row = session.get(Document, doc_id)
        assert row is not None
        row.deleted_at = None if restore else utcnow()

    db.run_write(write)
