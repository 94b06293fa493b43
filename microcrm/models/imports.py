"""Import batches: what each directory import created or changed, so it can be undone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, utcnow


class ImportBatch(Base):
    """One atomic import (one or several files), with its JSON report."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))
    sources: Mapped[str] = mapped_column(Text, default="")
    preset: Mapped[str] = mapped_column(String(32), default="generic")
    status: Mapped[str] = mapped_column(String(16), default="done")
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    report: Mapped[str] = mapped_column(Text, default="{}")


class ImportChange(Base):
    """One row an import touched: created (undo deletes it) or merged (undo restores ``before``)."""

    __tablename__ = "import_change"
    __table_args__ = (Index("ix_import_change_batch", "batch_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))
    before: Mapped[str | None] = mapped_column(Text)
