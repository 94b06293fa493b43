"""Declarative base, naming convention and the columns every editable row carries."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Integer, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Current time in UTC (docs/storage.md §4.7: UTC timestamps everywhere)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Root of every mapped class; the naming convention keeps migrations reviewable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Optimistic concurrency and audit columns (docs/storage.md §4.1).

    ``version_id`` is SQLAlchemy's ``version_id_col``: a stale save matches no
    row and raises ``StaleDataError``, which services turn into
    ``ConflictError``. A database trigger (see the initial migration) rejects
    any UPDATE that does not increase it, so bulk updates cannot bypass it.
    """

    if TYPE_CHECKING:  # every versioned class declares its own integer primary key
        id: Mapped[int]
        __tablename__: str

    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        nullable=False,
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
    )
    updated_by: Mapped[str | None] = mapped_column(String(64))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805 - declared_attr takes the class
        return {"version_id_col": cls.version_id}


class SoftDeleted:
    """Rows that go to the trash (Corbeille) instead of disappearing."""

    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


#: Tables that carry ``version_id`` and therefore get the version trigger.
def versioned_tables() -> list[str]:
    """Names of every table whose mapped class is :class:`Versioned`."""
    return sorted(
        mapper.local_table.description
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Versioned)
    )
