"""The change feed other workstations poll to refresh their views (docs/storage.md §4.2)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from microcrm.db import Database
from microcrm.models import ChangeLog


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """What changed since a cursor: the new cursor and the entities touched by other PCs."""

    last_seq: int
    entities: frozenset[str]


class ChangeFeed:
    """Cheap polling of the journal: one indexed ``max(seq)`` when nothing moved."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._mine = db.workstation_id

    def last_seq(self) -> int:
        """The newest journal sequence number."""
        with self._db.read() as session:
            return int(session.scalar(select(func.coalesce(func.max(ChangeLog.seq), 0))) or 0)

    def poll(self, since: int) -> ChangeBatch:
        """Entities changed by *other* workstations after ``since``."""
        with self._db.read() as session:
            newest = int(session.scalar(select(func.coalesce(func.max(ChangeLog.seq), 0))) or 0)
            if newest <= since:
                return ChangeBatch(since, frozenset())
            rows = session.execute(
                select(ChangeLog.entity)
                .where(ChangeLog.seq > since, ChangeLog.workstation_id != self._mine)
                .distinct()
            ).scalars()
            return ChangeBatch(newest, frozenset(rows))
