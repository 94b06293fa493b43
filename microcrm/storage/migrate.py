"""Bring a database to the app's schema at start (docs/storage.md §4.6).

* newer than the app (a revision we do not know): refuse, name the version;
* older: verified backup first, then every step in one ``BEGIN EXCLUSIVE``
  with foreign keys off and a ``foreign_key_check`` before COMMIT (SQLite),
  or under ``pg_advisory_lock`` (PostgreSQL); two workstations upgrading at
  once: the second finds the work done when it gets the lock.
"""

from __future__ import annotations

import importlib.resources
import socket
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from microcrm import __version__
from microcrm.db import Database, StorageMode
from microcrm.errors import MicroCRMError, StorageError
from microcrm.models import AppMeta, Workstation, utcnow
from microcrm.storage.backup import backup_name, backup_sqlite

PG_MIGRATION_LOCK = 0x4D43524E


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged ``migrations`` folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(importlib.resources.files("microcrm.migrations")))
    return cfg


def head_revision() -> str:
    """The newest revision this app knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every revision id this app ships."""
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    """The database's revision (``None`` for an empty database)."""
    return MigrationContext.configure(conn).get_current_revision()


def _refuse_newer(db: Database, revision: str | None) -> None:
    if revision is None or revision in known_revisions():
        return
    with db.engine.connect() as conn:
        by = conn.execute(select(AppMeta.value).where(AppMeta.key == "app_version")).scalar()
    raise StorageError(
        f"Cette base a été mise à jour par MicroCRM {by or 'plus récent'} (schéma {revision}) ; "
        f"ce poste a la version {__version__}. Mettez à jour MicroCRM sur ce poste avant de "
        "l'ouvrir : aucune écriture n'a été faite."
    )


def _refuse_foreign(db: Database, conn: Connection) -> None:
    """A base without revision must be empty: never add our schema to another app's data."""
    tables = sorted(t for t in inspect(conn).get_table_names() if not t.startswith("sqlite_"))
    if tables:
        shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
        raise StorageError(
            f"{db.display_location()} n'est pas une base MicroCRM : elle contient déjà des "
            f"tables ({shown}). Choisissez un fichier neuf ou une base vide : aucune écriture "
            "n'a été faite."
        )


def backups_folder(db: Database) -> Path:
    """Where automatic backups of a SQLite database go (beside it)."""
    assert db.path is not None
    return db.path.parent / "backups"


def _upgrade_sqlite(db: Database) -> None:
    engine = create_engine(db.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.isolation_level = None
            raw.execute("PRAGMA busy_timeout=30000")
            raw.execute("PRAGMA foreign_keys=OFF")  # must precede BEGIN to take effect
            raw.execute("BEGIN EXCLUSIVE")
            try:
                if current_revision(conn) != head_revision():
                    cfg = alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    broken = raw.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageError(
                            f"Migration annulée : {len(broken)} clés étrangères rompues."
                        )
                raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
    finally:
        engine.dispose()


def _upgrade_postgres(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SET lock_timeout = '60s'"))
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
        conn.commit()
        try:
            with conn.begin():
                if current_revision(conn) != head_revision():
                    cfg = alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
            conn.commit()


def prepare(db: Database, *, heartbeat: bool = True) -> None:
    """Check the schema, back up and migrate if needed, and record this workstation.

    ``heartbeat=False`` (read-only commands: ``info``, ``export``, ``ged search``)
    does not record the workstation and, on a base already at head with its
    metadata, writes nothing, so it never waits for the write lock.

    Raises:
        StorageError: the schema is newer than this app, or the migration failed.
    """
    with db.engine.connect() as conn:
        revision = current_revision(conn)
        if revision is None:
            _refuse_foreign(db, conn)
    _refuse_newer(db, revision)
    if revision != head_revision():
        try:
            if db.is_sqlite:
                if revision is not None and db.path is not None:
                    dest = backups_folder(db) / backup_name("migration", revision)
                    backup_sqlite(db.path, dest)
                _upgrade_sqlite(db)
            else:
                _upgrade_postgres(db)
        except MicroCRMError:
            raise
        except Exception as exc:
            raise StorageError(
                f"La mise à jour du schéma ({revision or 'base vide'} → {head_revision()}) a "
                f"échoué : {exc}. La base est restée telle qu'elle était ; signalez ce message."
            ) from exc
    _ensure_meta(db, heartbeat=heartbeat)


def _ensure_meta(db: Database, *, heartbeat: bool = True) -> None:
    defaults = {
        "db_uuid": str(uuid.uuid4()),
        "storage_mode": "shared" if db.mode is StorageMode.SHARED else db.mode.value,
        "restore_epoch": "0",
    }
    if not heartbeat:
        with db.read() as session:
            existing = dict(session.execute(select(AppMeta.key, AppMeta.value)).tuples().all())
        stored = existing.get("app_version")
        if (
            all(key in existing for key in defaults)
            and not (db.mode is StorageMode.SHARED and existing["storage_mode"] == "local")
            and stored is not None
            and not (stored != __version__ and _newer(__version__, stored))
        ):
            return

    def write(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        existing = dict(session.execute(select(AppMeta.key, AppMeta.value)).tuples().all())
        for key, value in defaults.items():
            if key not in existing:
                session.add(AppMeta(key=key, value=value))
        if db.mode is StorageMode.SHARED and existing.get("storage_mode") == "local":
            session.get_one(AppMeta, "storage_mode").value = "shared"
        version = session.get(AppMeta, "app_version")
        if version is None:
            session.add(AppMeta(key="app_version", value=__version__))
        elif version.value != __version__ and _newer(__version__, version.value):
            version.value = __version__
        if db.workstation_id and heartbeat:
            ws = session.get(Workstation, db.workstation_id)
            if ws is None:
                ws = Workstation(
                    id=db.workstation_id, hostname=socket.gethostname(), app_version=__version__
                )
                session.add(ws)
            ws.user_login, ws.app_version, ws.last_seen = db.user_login, __version__, utcnow()

    db.run_write(write)


def _newer(a: str, b: str) -> bool:
    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".") if p.isdigit())

    return parts(a) > parts(b)
