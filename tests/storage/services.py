"""A test-side edit service: the load-then-check save of docs/storage.md §4.1.

The shape ``microcrm/crm/parties.py`` follows, reduced to its core: the form
works on a plain snapshot, never on a live ORM object, and the save runs in
one short write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Mapper, Session, class_mapper

from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError
from microcrm.models import Versioned


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a form loaded: the row's column values and its version (the *base*)."""

    entity: type[Versioned]
    id: int
    version_id: int
    values: dict[str, Any]


def load_for_edit(db: Database, entity: type[Versioned], row_id: int) -> Snapshot:
    """Short read: the base snapshot the form edits."""
    with db.read() as session:
        row = session.get(entity, row_id)
        if row is None:
            raise NotFoundError(entity.__tablename__, row_id)
        mapper: Mapper[Versioned] = class_mapper(entity)
        values = {a.key: getattr(row, a.key) for a in mapper.column_attrs}
        return Snapshot(entity, row_id, row.version_id, values)


def save_edit(db: Database, base: Snapshot, changes: dict[str, Any]) -> int:
    """Apply ``changes`` if nobody saved since ``base``; returns the new version.

    In the write transaction: load the row, compare its version with the base
    (load-then-check), then let the ORM UPDATE carry ``WHERE version_id = ?``
    for the window a READ COMMITTED PostgreSQL leaves between SELECT and UPDATE.

    Raises:
        ConflictError: the row changed (or was deleted) since ``base`` was loaded.
    """
    table = base.entity.__tablename__

    def write(session: Session) -> int:
        row = session.get(base.entity, base.id, populate_existing=True)
        if row is None:
            raise ConflictError(table, base.id, deleted=True)
        if row.version_id != base.version_id:
            raise ConflictError(table, base.id)
        for key, value in changes.items():
            setattr(row, key, value)
        session.flush()
        return row.version_id

    return db.run_write(write)
