"""The database: engine per storage mode, pragmas, short transactions, retry on busy.

Three modes (docs/storage.md): ``local`` SQLite in the user data folder,
``shared`` SQLite on a network share (rollback journal, never WAL), and
``postgres``. Reads and writes go through :meth:`Database.read` and
:meth:`Database.run_write`; the latter opens ``BEGIN IMMEDIATE`` on SQLite,
retries on "database is locked" with jittered backoff, and turns a stale
version into :class:`~microcrm.errors.ConflictError`.
"""

from __future__ import annotations

import enum
import logging
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, create_engine, event, select, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import ConnectionPoolEntry

from microcrm.errors import BusyError, ConflictError, StorageError
from microcrm.models import AppMeta, Versioned
from microcrm.models.search import refresh_search_keys
from microcrm.storage import journal
from microcrm.storage.location import check_usable, classify

log = logging.getLogger(__name__)
T = TypeVar("T")

#: SQLite gets the WAL-reset fix in 3.51.3 (F12); before it, rollback journal only.
SQLITE_WAL_SAFE = (3, 51, 3)
BUSY_TIMEOUT_MS = {"local": 5000, "shared": 10000}
RETRY_FIRST_DELAY, RETRY_MAX_DELAY, RETRY_DEADLINE = 0.01, 1.0, 30.0


class StorageMode(enum.StrEnum):
    """How the database is deployed."""

    LOCAL = "local"
    SHARED = "shared"
    POSTGRES = "postgres"


def to_url(target: str | Path) -> URL:
    """A SQLAlchemy URL from what the user typed: a file path or a database URL."""
    text = str(target)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if not (url.drivername.startswith("sqlite") or url.drivername.startswith("postgresql")):
        raise StorageError(f"Type de base non pris en charge : {url.drivername}")
    return url


def sqlite_header_is_wal(path: Path) -> bool:
    """True when the file's header says WAL (bytes 18–19 equal 2)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def is_busy(exc: BaseException) -> bool:
    """Whether an error is SQLite's "database is locked/busy" (worth a retry)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text or text == "busy"


def _install_sqlite_hooks(engine: Engine, busy_ms: int) -> None:
    """Pragmas at connect, and our own BEGIN (docs/storage.md §3: fixes F6)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # pysqlite must not issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA journal_mode=DELETE")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA mmap_size=0")
        cur.execute("PRAGMA cache_size=-32000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


#: ``Session.info`` key: versioned rows a write transaction tried to save, for ConflictError.
_SAVED_ROWS = "microcrm_saved_rows"


def _remember_saved(session: Session, obj: object) -> None:
    """Note (class, id, version the save expects) of a versioned row being saved."""
    if not isinstance(obj, Versioned):
        return
    state = instance_state(obj)
    history = state.attrs.version_id.history
    expected = next(iter(history.deleted or history.unchanged or history.added or ()), None)
    row_id = state.identity[0] if state.identity else state.dict.get("id")
    if row_id is not None:
        session.info.setdefault(_SAVED_ROWS, []).append((type(obj), row_id, expected))


def _remember_flushed(session: Session, _ctx: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        _remember_saved(session, obj)


class _WriteSession(Session):
    """Write-path session; notes what ``merge`` saves (its StaleDataError names no row)."""

    def merge(self, instance: T, *, load: bool = True, options: Any = None) -> T:
        _remember_saved(self, instance)
        return super().merge(instance, load=load, options=options)


@dataclass
class Database:
    """An open database with its sessions (see :func:`microcrm.storage.opening.open_database`)."""

    url: URL
    mode: StorageMode
    engine: Engine
    workstation_id: str = ""
    user_login: str | None = None
    _read: sessionmaker[Session] = field(init=False, repr=False)
    _write: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        info = {"workstation_id": self.workstation_id, "user_login": self.user_login}
        is_sqlite = self.is_sqlite
        read_bind = (
            self.engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite else self.engine
        )
        write_bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite else self.engine
        )
        self._read = sessionmaker(read_bind, expire_on_commit=False, info=dict(info))
        self._write = sessionmaker(
            write_bind, class_=_WriteSession, expire_on_commit=False, info=dict(info)
        )
        event.listen(self._write, "after_flush", journal.after_flush)
        event.listen(self._write, "before_flush", _stamp_updated_by)
        event.listen(self._write, "before_flush", refresh_search_keys)
        event.listen(self._write, "before_flush", _remember_flushed)
        if not is_sqlite:
            event.listen(self._write, "after_begin", _lock_journal_first)

    @property
    def is_sqlite(self) -> bool:
        """True for both SQLite modes."""
        return self.url.get_backend_name() == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or ``None`` on PostgreSQL."""
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    def display_location(self) -> str:
        """Path or URL without password, for messages and ``info``."""
        return str(self.path) if self.path else self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read transaction; materialise results before leaving (F8)."""
        with self._read() as session, session.begin():
            yield session

    def fetch_column(self, stmt: Select[tuple[T]]) -> list[T]:
        """First column of every row of ``stmt``, in a short read, without Row objects.

        For the long id lists behind the base lists (100,000 ids): the
        statement is compiled by SQLAlchemy and run on the driver's cursor,
        three times faster than materialising ORM or Core rows. Only for
        statements whose parameters need no type conversion (enums are
        passed as their values).
        """
        with self.read() as session:
            conn = session.connection()
            compiled = stmt.compile(dialect=conn.dialect)
            params = {
                k: v.value if isinstance(v, enum.Enum) else v
                for k, v in compiled.construct_params().items()
            }
            positions = compiled.positiontup
            args: Any = [params[k] for k in positions] if positions else params
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            try:
                cursor.execute(str(compiled), args)
                return [row[0] for row in cursor.fetchall()]
            finally:
                cursor.close()

    def run_write(self, fn: Callable[[Session], T], *, deadline: float = RETRY_DEADLINE) -> T:
        """Run ``fn`` in one write transaction, retrying it whole while the base is busy.

        ``fn`` must be idempotent (it may run again after a rollback) and must
        not wait on the user. On PostgreSQL every write session takes the journal
        lock as it begins, so writers are serialised as on SQLite and journal
        order is commit order.

        Raises:
            ConflictError: a versioned row was saved or deleted elsewhere meanwhile.
            BusyError: the base stayed locked past ``deadline`` seconds.
        """
        delay, start = RETRY_FIRST_DELAY, time.monotonic()
        while True:
            session = self._write()
            try:
                with session.begin():
                    result = fn(session)
                return result
            except StaleDataError as exc:
                raise self._conflict(session, exc) from exc
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() - start > deadline:
                    raise BusyError() from exc
                log.info("database busy, retrying in %.3f s", delay)
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, RETRY_MAX_DELAY)
            finally:
                session.close()

    def _conflict(self, session: Session, exc: StaleDataError) -> ConflictError:
        """Name the row behind a StaleDataError, and whether it was changed or deleted.

        The failed transaction is rolled back by now (the session has forgotten
        its objects), so the rows it tried to save were noted beforehand and
        their current version is read back here.
        """
        message = str(exc)
        named = re.search(r"table '(\w+)'|merged state <(\w+) at", message)
        saved = session.info.get(_SAVED_ROWS, [])
        if named:
            table, class_name = named.groups()
            saved = [
                r
                for r in saved
                if table in (None, r[0].__tablename__) and class_name in (None, r[0].__name__)
            ] or saved
        for cls, row_id, expected in reversed(saved):
            try:
                with self.read() as s:
                    current = s.scalar(select(cls.version_id).where(cls.id == row_id))
            except SQLAlchemyError:  # pragma: no cover - the base went away meanwhile
                return ConflictError(cls.__tablename__, int(row_id))
            if current is None:
                return ConflictError(cls.__tablename__, int(row_id), deleted=True)
            if expected is None or current != expected:
                return ConflictError(cls.__tablename__, int(row_id))
        table = named.group(1) if named and named.group(1) else "enregistrement"
        return ConflictError(table, 0)

    def session(self) -> Session:
        """A write-capable session for scripts and tests that manage their own transaction."""
        return self._write()

    def meta(self, key: str) -> str | None:
        """One value of ``app_meta``."""
        with self.read() as s:
            return s.scalar(select(AppMeta.value).where(AppMeta.key == key))

    def dispose(self) -> None:
        """Close every pooled connection (before a backup restore or at exit)."""
        self.engine.dispose()


def _lock_journal_first(_session: Session, _txn: object, conn: Connection) -> None:
    """PostgreSQL: queue for the journal lock before holding any row lock (no deadlock)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": journal.PG_JOURNAL_LOCK})


def _stamp_updated_by(session: Session, _ctx: object, _instances: object) -> None:
    login = session.info.get("user_login")
    if not login:
        return
    for obj in list(session.new) + list(session.dirty):
        if hasattr(obj, "updated_by"):
            obj.updated_by = login


def create_db_engine(url: URL, mode: StorageMode, **kwargs: Any) -> Engine:
    """An engine with the mode's pragmas (SQLite) or pool settings (PostgreSQL)."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _install_sqlite_hooks(
            engine, BUSY_TIMEOUT_MS["shared" if mode is StorageMode.SHARED else "local"]
        )
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def detect_mode(url: URL) -> StorageMode:
    """Local or shared SQLite (by location, then by the file's own mark), or PostgreSQL."""
    if url.get_backend_name() != "sqlite":
        return StorageMode.POSTGRES
    path = Path(url.database or "")
    # The folder asked for, even if it does not exist yet (mount prefixes and cloud
    # folder names are matched on the path itself).
    location = classify(path.parent)
    check_usable(location)
    if location.is_network:
        if sqlite_header_is_wal(path):
            raise StorageError(
                f"La base {path} est en mode WAL alors qu'elle est sur un partage réseau : "
                "ouvrez-la sur le poste qui l'héberge et partagez-la depuis MicroCRM."
            )
        return StorageMode.SHARED
    if path.exists() and _marked_shared(path):
        return StorageMode.SHARED
    return StorageMode.LOCAL


def _marked_shared(path: Path) -> bool:
    """``app_meta.storage_mode == 'shared'``: set by "partager la base", honoured on every PC."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return False
    try:
        row = con.execute("SELECT value FROM app_meta WHERE key='storage_mode'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return bool(row and row[0] == "shared")
