"""The change journal, written in the same transaction as each change (docs/storage.md §4.2)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, UOWTransaction

from microcrm.models import ChangeLog, Versioned, utcnow

#: Arbitrary constant for ``pg_advisory_xact_lock``: journal inserts commit in seq order (F17).
PG_JOURNAL_LOCK = 0x4D43524D  # "MCRM"


def lock_journal(session: Session) -> None:
    """Take the journal lock on PostgreSQL (no-op on SQLite, whose writers are serialised).

    Every write session of :class:`~microcrm.db.Database` takes it as it begins,
    so a writer never queues for it while holding row locks (that deadlocked).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_JOURNAL_LOCK})


def record(
    session: Session,
    entity: str,
    ids: Iterable[int],
    op: str,
    versions: Iterable[int | None] | None = None,
) -> int:
    """Journal rows written with Core (bulk inserts/updates) that the ORM hook cannot see.

    Returns:
        The number of journal rows written.
    """
    ids = list(ids)
    if not ids:
        return 0
    vers = list(versions) if versions is not None else [1 if op == "insert" else None] * len(ids)
    info = session.info
    now = utcnow()
    lock_journal(session)
    session.execute(
        insert(ChangeLog),
        [
            {
                "ts": now,
                "workstation_id": info.get("workstation_id", ""),
                "user_login": info.get("user_login"),
                "entity": entity,
                "entity_id": i,
                "op": op,
                "new_version": v,
            }
            for i, v in zip(ids, vers, strict=True)
        ],
    )
    return len(ids)


def after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    """ORM hook: one journal row per versioned row inserted, updated or deleted."""
    rows: list[dict[str, Any]] = []
    now = utcnow()
    info = session.info
    changes = (
        [(o, "insert") for o in session.new]
        + [(o, "update") for o in session.dirty if session.is_modified(o)]
        + [(o, "delete") for o in session.deleted]
    )
    for obj, op in changes:
        if not isinstance(obj, Versioned):
            continue
        rows.append(
            {
                "ts": now,
                "workstation_id": info.get("workstation_id", ""),
                "user_login": info.get("user_login"),
                "entity": obj.__tablename__,
                "entity_id": obj.id,
                "op": op,
                "new_version": None if op == "delete" else obj.version_id,
            }
        )
    if rows:
        lock_journal(session)
        session.execute(insert(ChangeLog), rows)


def last_seq(session: Session) -> int:
    """The newest journal sequence number (0 for an empty journal)."""
    return int(session.scalar(select(func.coalesce(func.max(ChangeLog.seq), 0))) or 0)


def changes_since(session: Session, seq: int, limit: int = 5000) -> list[ChangeLog]:
    """Journal rows after ``seq``, oldest first."""
    return list(
        session.scalars(
            select(ChangeLog).where(ChangeLog.seq > seq).order_by(ChangeLog.seq).limit(limit)
        )
    )
