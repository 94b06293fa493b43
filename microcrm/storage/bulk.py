"""Bulk writes: id allocation, Core ``executemany`` inserts, journal rows.

Used wherever many rows are written in one transaction: the directory
importer, GED filing of many files, and the demo generator.

Rows are plain dicts built in Python with every column given (no per-row
Python defaults to evaluate) and explicit ids, so that children can point
at their parents before anything is inserted. Core inserts bypass the ORM
flush hook, so each batch is journalled with :func:`journal.record`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from microcrm.models import Base
from microcrm.storage import journal


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed: ``__table__`` is only a FromClause)."""
    found = model.__table__
    assert isinstance(found, Table)
    return found


class IdAllocator:
    """Hands out primary keys for bulk rows inside one write transaction.

    SQLite: ``max(id) + 1`` onwards, safe because ``BEGIN IMMEDIATE`` holds
    the write lock for the whole transaction. PostgreSQL: values drawn from
    the table's sequence, so concurrent sessions never collide.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._next: dict[str, int] = {}

    def take(self, table: Table, count: int) -> list[int]:
        """``count`` fresh ids of ``table``."""
        if count <= 0:
            return []
        if self._postgres:
            rows = self._session.execute(
                text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                     "FROM generate_series(1, :n)"),
                {"t": table.name, "n": count},
            )
            return [int(r[0]) for r in rows]
        start = self._next.get(table.name)
        if start is None:
            current = self._session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
            start = int(current or 0) + 1
        self._next[table.name] = start + count
        return list(range(start, start + count))


def audit_columns(now: dt.datetime, login: str | None) -> dict[str, Any]:
    """The Versioned columns of a new row (version 1, created and updated now)."""
    return {"version_id": 1, "created_at": now, "updated_at": now, "updated_by": login}


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                entity: str | None = None) -> int:
    """Insert ``rows`` with one ``executemany``; journal them as ``entity`` when given.

    Every row must have the same keys. On SQLite the statement goes straight
    to the driver with the columns' own bind processors applied (the values
    stored are those Core would store, at twice the speed: this is the
    generator's hot path); elsewhere it is a Core ``insert()``.

    Returns:
        The number of rows inserted.
    """
    if not rows:
        return 0
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "sqlite":
        names = list(rows[0])
        processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for name in names]
        sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        connection.exec_driver_sql(sql, [
            tuple(convert(row[name]) if convert else row[name] for name, convert in processors)
            for row in rows
        ])
    else:
        session.execute(insert(table), list(rows))
    if entity:
        journal.record(session, entity, [r["id"] for r in rows], "insert")
    return len(rows)
