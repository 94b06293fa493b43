"""The change journal, database metadata and workstation heartbeats (docs/storage.md §4.2, §4.6)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, utcnow


class ChangeLog(Base):
    """One committed change, written in the same transaction as the change itself.

    ``seq`` is commit order (SQLite serialises writers; on PostgreSQL an
    advisory transaction lock is taken before inserting, F17). Other
    workstations poll ``WHERE seq > :last`` to refresh views and index replicas.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_entity", "entity", "entity_id"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    workstation_id: Mapped[str] = mapped_column(String(36), default="")
    user_login: Mapped[str | None] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))
    new_version: Mapped[int | None] = mapped_column(Integer)


class AppMeta(Base):
    """Key/value facts about the database (``db_uuid``, ``storage_mode``, ``restore_epoch``)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Workstation(Base):
    """A workstation that opened the database, with its last heartbeat."""

    __tablename__ = "workstation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    user_login: Mapped[str | None] = mapped_column(String(64))
    app_version: Mapped[str] = mapped_column(String(32))
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
