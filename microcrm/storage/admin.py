"""What an administrator asks of an open database: engine, schema revision, backup, check.

The ``info``, ``backup`` and ``check`` commands (and any later GUI entry) call
these instead of opening connections themselves, so that the faces never hold
SQL (docs/architecture.md, "The faces go through services").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from microcrm.db import Database
from microcrm.errors import StorageError
from microcrm.storage.backup import (
    CheckResult,
    backup_name,
    backup_postgres,
    backup_sqlite,
    check_sqlite,
)
from microcrm.storage.migrate import backups_folder, current_revision, head_revision
from microcrm.storage.opening import refuse_non_database


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


ROLLED_BACK = (
    "une transaction interrompue (journal « -journal » laissé par un arrêt brutal) "
    "a été annulée avant le contrôle, comme SQLite le fait à toute ouverture"
)


def check_database(db: Database) -> CheckResult:
    """Integrity of a SQLite base (read-only connection); reachability of a PostgreSQL one.

    A hot journal (a write transaction cut by a crash) cannot be rolled back
    through a read-only connection: the check then opens the base read-write,
    which rolls it back exactly as any normal open would, and says so.

    Raises:
        StorageError: the base is busy or cannot be read at all (French).
    """
    if db.path is None:
        with db.engine.connect() as conn:
            conn.execute(text("select count(*) from organisation")).scalar()
        return CheckResult(True, ())
    refuse_non_database(db.path)
    try:
        try:
            return _check_file(db.path, "ro")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).lower():
                raise
        result = _check_file(db.path, "rw")
        return CheckResult(result.ok, result.problems, (*result.notes, ROLLED_BACK))
    except sqlite3.OperationalError as exc:
        raise _sqlite_failure(db.path, exc) from exc


def _check_file(path: Path, mode: str) -> CheckResult:
    con = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=30)
    try:
        return check_sqlite(con)
    finally:
        con.close()


def _sqlite_failure(path: Path, exc: sqlite3.Error) -> StorageError:
    reason = str(exc)
    if "locked" in reason.lower() or "busy" in reason.lower():
        return StorageError(
            f"La base {path} est occupée par un autre poste ou programme ; réessayez "
            "quand il aura terminé."
        )
    return StorageError(f"Impossible de lire la base {path} : {reason}.")


SIDE_FILES = ("-journal", "-wal", "-shm")


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What ``restore_backup`` did."""

    restored: Path
    """The base that now holds the backup's content."""
    previous: Path | None
    """Where the replaced base was saved (None: there was no base)."""
    previous_verified: bool
    """The previous base was saved with the backup API and verified; False: a raw copy."""
    restore_epoch: int
    """The new ``restore_epoch``: every workstation's search index rebuilds."""


def restore_backup(db_path: Path, backup: Path) -> RestoreReport:
    """Replace the SQLite base at ``db_path`` with a verified ``backup`` (docs/storage.md §4.4).

    The backup is integrity-checked first; the current base is saved aside as
    ``backups/crm-<ts>-avant-restauration-r<rev>.sqlite`` (a raw copy, with its
    journal, when it is too damaged for the backup API); its ``-journal``,
    ``-wal`` and ``-shm`` side files are removed so that none is replayed into
    the restored file; ``restore_epoch`` is bumped past both bases' so that
    every workstation rebuilds its index. Refused while another program holds
    a lock on the base.

    Raises:
        StorageError: the backup is missing or damaged, or the base is in use.
    """
    backup = backup.expanduser().resolve()
    if not backup.is_file():
        raise StorageError(f"Sauvegarde introuvable : {backup}.")
    refuse_non_database(backup)
    _verify_backup(backup)
    previous_epoch = 0
    previous: Path | None = None
    verified = False
    if db_path.exists():
        _refuse_in_use(db_path)
        previous_epoch = _read_epoch(db_path)
        previous, verified = _save_aside(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    staging = db_path.with_name(f"{db_path.name}.{uuid.uuid4().hex[:12]}.restauration")
    try:
        shutil.copyfile(backup, staging)
        epoch = max(previous_epoch, _read_epoch(staging)) + 1
        con = sqlite3.connect(staging, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute("BEGIN IMMEDIATE")
            con.execute(
                "INSERT INTO app_meta (key, value) VALUES ('restore_epoch', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(epoch),),
            )
            con.execute("COMMIT")
        finally:
            con.close()
        with staging.open("rb+") as fh:
            os.fsync(fh.fileno())
        for suffix in SIDE_FILES:
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        staging.replace(db_path)
    finally:
        staging.unlink(missing_ok=True)
        for suffix in SIDE_FILES:
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
    return RestoreReport(db_path, previous, verified, epoch)


def _verify_backup(backup: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{backup}?mode=ro", uri=True, timeout=10)
        try:
            result = check_sqlite(con)
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise StorageError(
            f"Sauvegarde illisible, restauration refusée : {backup} ({exc})."
        ) from exc
    if not result.ok:
        raise StorageError(
            f"Sauvegarde endommagée, restauration refusée : {backup} ("
            + "; ".join(result.problems[:5])
            + ")."
        )
    if "app_meta" not in tables:
        raise StorageError(
            f"Ce fichier n'est pas une sauvegarde MicroCRM, restauration refusée : {backup}."
        )


def _refuse_in_use(db_path: Path) -> None:
    """Refuse when another connection holds a lock (a cheap probe: BEGIN IMMEDIATE, 0.5 s).

    It cannot see a workstation that has the base open but idle: the user is
    told to close MicroCRM everywhere first.
    """
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, timeout=0.5)
    except sqlite3.Error:
        return  # unreadable: it is being replaced because it is damaged
    try:
        con.isolation_level = None
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StorageError(
                f"La base {db_path} est en cours d'utilisation : fermez MicroCRM sur tous "
                "les postes, puis relancez la restauration."
            ) from exc
    except sqlite3.DatabaseError:
        pass  # damaged: restoring is the cure
    finally:
        con.close()


def _read_epoch(path: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = con.execute("SELECT value FROM app_meta WHERE key = 'restore_epoch'").fetchone()
        finally:
            con.close()
        return int(row[0]) if row else 0
    except (sqlite3.Error, ValueError):
        return 0


def _revision(path: Path) -> str | None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
        return str(row[0]) if row else None
    except sqlite3.Error:
        return None


def _save_aside(db_path: Path) -> tuple[Path, bool]:
    """Keep the base about to be replaced: verified backup, else a raw copy with its journal."""
    folder = db_path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    revision = _revision(db_path)
    dest = folder / backup_name("avant-restauration", revision)
    try:
        refuse_non_database(db_path)  # an empty file would "back up" as an empty base
        backup_sqlite(db_path, dest, busy_timeout_s=5)
        return dest, True
    except (StorageError, sqlite3.Error):
        pass
    raw = dest.with_name(dest.name.replace(".sqlite", "-brut.sqlite"))
    shutil.copyfile(db_path, raw)
    for suffix in SIDE_FILES:
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            shutil.copyfile(side, Path(f"{raw}{suffix}"))
    return raw, False
