"""Sharing a SQLite base between workstations (docs/storage.md §2).

Sharing is a property of the database, not of the path: the host PC sees a
local path, and WAL there would break every other PC. The mark lives in
``app_meta.storage_mode`` and every workstation honours it at open.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import StorageError
from microcrm.models import AppMeta


def mark_shared(db: Database) -> None:
    """Set ``storage_mode = 'shared'`` (the file is already in rollback-journal mode).

    Raises:
        StorageError: the base is PostgreSQL (sharing is built in there).
    """
    if not db.is_sqlite:
        raise StorageError("Une base PostgreSQL est déjà partagée : rien à faire.")

    def write(session: Session) -> None:
        row = session.get(AppMeta, "storage_mode")
        if row is None:
            session.add(AppMeta(key="storage_mode", value="shared"))
        else:
            row.value = "shared"

    db.run_write(write)
