"""What an administrator asks of an open database: engine, schema revision, backup, check.

The ``info``, ``backup`` and ``check`` commands (and any later GUI entry) call
these instead of opening connections themselves, so that the faces never hold
SQL (docs/architecture.md, "The faces go through services").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from microcrm.db import Database
from microcrm.storage.backup import (
    CheckResult,
    backup_name,
    backup_postgres,
    backup_sqlite,
    check_sqlite,
)
from microcrm.storage.migrate import backups_folder, current_revision, head_revision


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """The engine and schema of an open database."""

    engine: str
    """« SQLite 3.45.1 » or « PostgreSQL 15.18 »."""
    revision: str | None
    """The schema revision the base is at (None: no schema yet)."""
    app_revision: str
    """The revision this application's migrations lead to."""


def database_info(db: Database) -> DatabaseInfo:
    """Engine name and version, schema revision of the base and of the application."""
    with db.engine.connect() as conn:
        revision = current_revision(conn)
        if db.is_sqlite:
            engine = f"SQLite {conn.execute(text('select sqlite_version()')).scalar()}"
        else:
            engine = f"PostgreSQL {conn.execute(text('show server_version')).scalar()}"
    return DatabaseInfo(engine, revision, head_revision())


def take_backup(db: Database, dest: Path | None, *, data_folder: Path) -> Path:
    """A verified backup at ``dest`` (default: the backups folder); returns its path.

    SQLite goes through the backup API and an integrity check; PostgreSQL
    through ``pg_dump`` (default folder: ``data_folder/backups``).

    Raises:
        StorageError: the backup failed or did not verify.
    """
    with db.engine.connect() as conn:
        revision = current_revision(conn)
    if db.path is None:
        target = dest or data_folder / "backups" / backup_name("manual", revision).replace(
            ".sqlite", ".dump"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        backup_postgres(db.url.render_as_string(hide_password=False), target)
        return target
    target = dest or backups_folder(db) / backup_name("manual", revision)
    backup_sqlite(db.path, target)
    return target


def check_database(db: Database) -> CheckResult:
    """Integrity of a SQLite base (read-only connection); reachability of a PostgreSQL one."""
    if db.path is None:
        with db.engine.connect() as conn:
            conn.execute(text("select count(*) from organisation")).scalar()
        return CheckResult(True, ())
    con = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True, timeout=30)
    try:
        return check_sqlite(con)
    finally:
        con.close()
