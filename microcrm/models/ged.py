"""GED tree: Client > Dossier > Document, each document with its versions.

The files themselves live in the content-addressed store (microcrm.ged);
rows here only name them by sha256 (docs/storage.md §4.3).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, SoftDeleted, Versioned


class Dossier(Versioned, SoftDeleted, Base):
    """A folder of a client (or of a person); ``parent_id`` nests them."""

    __tablename__ = "dossier"
    __table_args__ = (Index("ix_dossier_owner", "organisation_id", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Document(Versioned, SoftDeleted, Base):
    """A filed document; its content is the latest :class:`DocumentVersion`.

    ``organisation_id`` repeats the dossier's owner so that searches and
    lists scoped to one client need no tree walk.
    """

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_organisation", "organisation_id", "doc_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossier.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    doc_type: Mapped[str] = mapped_column(String(32), default="")
    tags: Mapped[str] = mapped_column(String(255), default="")
    doc_date: Mapped[dt.date | None] = mapped_column(Date)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    current_version: Mapped[int] = mapped_column(Integer, default=1)


class DocumentVersion(Base):
    """One immutable version of a document's content; never updated in place."""

    __tablename__ = "document_version"
    __table_args__ = (Index("ix_document_version_doc", "document_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    extraction_note: Mapped[str | None] = mapped_column(Text)
