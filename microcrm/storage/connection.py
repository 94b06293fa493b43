"""Test a database location before choosing it, and share the open SQLite base.

:func:`check_connection` opens a target the way the app would, but without
creating, migrating or writing anything: SQLite in ``mode=ro`` (a missing
file is not created), PostgreSQL with ``default_transaction_read_only`` and
a short connect timeout. It never raises for a bad target; the report says in
French what was found or what went wrong, so the settings dialog can show it.
"""

from __future__ import annotations

import enum
import os
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Select, create_engine, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from microcrm import __version__
from microcrm.db import Database, StorageMode, detect_mode, to_url
from microcrm.errors import StorageError, ValidationError
from microcrm.models import AppMeta, Organisation, Person, User
from microcrm.storage.migrate import current_revision, head_revision, known_revisions
from microcrm.storage.sharing import mark_shared
from microcrm.text import counted

DEFAULT_TIMEOUT = 5.0
PG_DEFAULT_PORT = 5432

MODE_LABELS = {
    StorageMode.LOCAL.value: "base locale (SQLite sur ce poste)",
    StorageMode.SHARED.value: "base partagée (SQLite dans un dossier partagé)",
    StorageMode.POSTGRES.value: "serveur PostgreSQL",
}


class ConnectionStatus(enum.StrEnum):
    """What a connection test found."""

    EMPTY = "empty"
    """No MicroCRM schema yet: it will be created at the next start."""
    CURRENT = "current"
    """At this app's schema revision."""
    OLDER = "older"
    """An older schema: migrated (after a backup) at the next start."""
    NEWER = "newer"
    """Migrated by a newer MicroCRM: this workstation cannot open it."""
    FOREIGN = "foreign"
    """Another application's tables: refused."""
    ERROR = "error"
    """Unreachable, refused, unusable location…"""


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """The outcome of :func:`check_connection`, ready to show."""

    target: str
    """The location tested, password hidden."""
    status: ConnectionStatus
    mode: str = ""
    revision: str | None = None
    app_version: str = ""
    """The MicroCRM version that last opened the base (``app_meta``)."""
    organisations: int | None = None
    persons: int | None = None
    users: int | None = None
    message: str = ""
    """The error (French), for a failed test."""
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the app could open this target at the next start."""
        return self.status in (
            ConnectionStatus.EMPTY,
            ConnectionStatus.CURRENT,
            ConnectionStatus.OLDER,
        )

    @property
    def mode_label(self) -> str:
        """The storage mode in words."""
        return MODE_LABELS.get(self.mode, "")

    def lines(self) -> list[str]:
        """The report as French sentences, one per line."""
        if not self.ok:
            return [self.message, *self.notes]
        if self.status is ConnectionStatus.EMPTY:
            out = [
                f"Emplacement utilisable : {self.mode_label}.",
                "Base vide : elle sera créée au prochain démarrage.",
            ]
            return out + list(self.notes)
        out = [f"Connexion réussie : {self.mode_label}."]
        by = f" (dernière ouverture par MicroCRM {self.app_version})" if self.app_version else ""
        if self.status is ConnectionStatus.OLDER:
            out.append(
                f"Schéma {self.revision}{by} : plus ancien que cette version, il sera mis à jour "
                "au prochain démarrage, après une sauvegarde."
            )
        else:
            out.append(f"Schéma {self.revision}{by} : à jour.")
        counts = (
            (self.organisations, "organisation", "organisations"),
            (self.persons, "contact", "contacts"),
            (self.users, "utilisateur actif", "utilisateurs actifs"),
        )
        shown = [counted(n, one, many) for n, one, many in counts if n is not None]
        if shown:
            out.append("Contenu : " + ", ".join(shown) + ".")
        return out + list(self.notes)


def display_target(target: str) -> str:
    """A path as is, a URL without its password."""
    if "://" not in target:
        return target
    try:
        return make_url(target).render_as_string(hide_password=True)
    except ArgumentError:
        return target


def check_connection(
    target: str, *, timeout: float = DEFAULT_TIMEOUT, expect_shared: bool = False
) -> ConnectionReport:
    """Open ``target`` without writing and report what the app would find there.

    Args:
        target: a SQLite file path or a database URL, as saved in the settings.
        timeout: seconds to wait for a PostgreSQL server (libpq takes at least 2).
        expect_shared: the user chose a shared folder: a missing folder is an
            error (share not connected) rather than a folder to create.
    """
    shown = display_target(target)
    try:
        url = to_url(target)
    except (StorageError, ArgumentError, ValueError) as exc:
        message = exc.message if isinstance(exc, StorageError) else str(exc)
        return ConnectionReport(shown, ConnectionStatus.ERROR, message=message)
    if url.get_backend_name() == "sqlite":
        return _check_sqlite(url, shown, timeout, expect_shared)
    return _check_postgres(url, shown, timeout)


def _error(shown: str, message: str, mode: str = "") -> ConnectionReport:
    return ConnectionReport(shown, ConnectionStatus.ERROR, mode=mode, message=message)


def _sqlite_folder(
    folder: Path, url: URL, shown: str, expect_shared: bool
) -> ConnectionReport | tuple[StorageMode, list[str]]:
    """Check the folder that holds the file: a report when the test ends there, else the mode."""
    if not folder.is_dir():
        if expect_shared:
            return _error(
                shown,
                f"Le dossier {folder} est introuvable : le partage réseau est-il connecté, "
                "et le chemin est-il juste ?",
            )
        return ConnectionReport(
            shown,
            ConnectionStatus.EMPTY,
            mode=StorageMode.LOCAL.value,
            notes=(f"Le dossier {folder} n'existe pas encore : il sera créé.",),
        )
    try:
        mode = detect_mode(url)
    except StorageError as exc:
        return _error(shown, exc.message)
    if not os.access(folder, os.W_OK):
        return _error(shown, f"Le dossier {folder} n'est pas accessible en écriture.", mode.value)
    notes: list[str] = []
    if expect_shared and mode is StorageMode.LOCAL:
        notes.append(
            "Ce dossier est sur un disque de ce poste : les autres postes doivent l'ouvrir par "
            "le réseau, et la base doit être marquée partagée (« Partager cette base »)."
        )
    return mode, notes


def _check_sqlite(url: URL, shown: str, timeout: float, expect_shared: bool) -> ConnectionReport:
    path = Path(url.database or "")
    checked = _sqlite_folder(path.parent, url, shown, expect_shared)
    if isinstance(checked, ConnectionReport):
        return checked
    mode, notes = checked
    if not path.exists():
        return ConnectionReport(shown, ConnectionStatus.EMPTY, mode=mode.value, notes=tuple(notes))
    uri = f"file:{quote(str(path), safe='/:')}?mode=ro"
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False),
        poolclass=NullPool,
    )
    try:
        with engine.connect() as conn:
            report = _inspect(conn, shown, mode.value)
    except SQLAlchemyError as exc:
        text = str(getattr(exc, "orig", exc))
        if "not a database" in text:
            message = f"{path} n'est pas une base SQLite (ou le fichier est endommagé)."
        elif "locked" in text or "busy" in text:
            message = f"La base {path} est verrouillée par un autre poste : réessayez."
        else:
            message = f"Impossible de lire {path} : {text}"
        return _error(shown, message, mode.value)
    finally:
        engine.dispose()
    return _with_notes(report, notes)


def _with_notes(report: ConnectionReport, notes: list[str]) -> ConnectionReport:
    return replace(report, notes=report.notes + tuple(notes)) if notes else report


def _check_postgres(url: URL, shown: str, timeout: float) -> ConnectionReport:
    mode = StorageMode.POSTGRES.value
    try:
        engine = create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "connect_timeout": max(2, round(timeout)),
                "options": "-c default_transaction_read_only=on",
            },
        )
    except ModuleNotFoundError:
        return _error(shown, "Le pilote PostgreSQL (psycopg) n'est pas installé sur ce poste.")
    try:
        with engine.connect() as conn:
            return _inspect(conn, shown, mode)
    except SQLAlchemyError as exc:
        return _error(shown, _postgres_message(url, exc, timeout), mode)
    finally:
        engine.dispose()


def _postgres_message(url: URL, exc: SQLAlchemyError, timeout: float) -> str:
    """A French explanation of a failed PostgreSQL connection."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None) or ""
    text = str(orig)
    lowered = text.lower()
    server = f"{url.host or 'localhost'}:{url.port or PG_DEFAULT_PORT}"
    if state in ("28P01", "28000") or "password" in lowered or "mot de passe" in lowered:
        return (
            f"Le serveur {server} refuse l'utilisateur « {url.username or ''} » ou son mot de "
            "passe : vérifiez-les."
        )
    if state == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return (
            f"La base « {url.database} » n'existe pas sur le serveur {server} : créez-la (vide) "
            "ou corrigez son nom."
        )
    if "refused" in lowered or "refusée" in lowered:
        return (
            f"Le serveur {server} refuse la connexion : PostgreSQL n'y est pas démarré, ou "
            "l'adresse ou le port est faux."
        )
    if "timeout" in lowered or "timed out" in lowered or "délai" in lowered:
        return (
            f"Le serveur {server} ne répond pas (délai de {round(timeout)} s dépassé) : "
            "vérifiez son adresse et le réseau."
        )
    if "resolve host" in lowered or "translate host" in lowered or "not known" in lowered:
        return f"Serveur « {url.host} » introuvable : vérifiez son nom."
    first = text.strip().splitlines()[0] if text.strip() else type(orig).__name__
    return f"Connexion impossible au serveur {server} : {first}"


def _inspect(conn: Connection, shown: str, mode: str) -> ConnectionReport:
    """Read revision, version and counts through an open read-only connection."""
    revision = current_revision(conn)
    tables = {t for t in inspect(conn).get_table_names() if not t.startswith("sqlite_")}
    if revision is None:
        if tables:
            listed = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
            return _error(
                shown,
                f"Ce n'est pas une base MicroCRM : elle contient déjà des tables ({listed}). "
                "Choisissez un fichier neuf ou une base vide.",
                mode,
            )
        return ConnectionReport(shown, ConnectionStatus.EMPTY, mode=mode)
    app_version = ""
    if AppMeta.__tablename__ in tables:
        version = conn.execute(select(AppMeta.value).where(AppMeta.key == "app_version"))
        app_version = version.scalar() or ""
    if revision not in known_revisions():
        return ConnectionReport(
            shown,
            ConnectionStatus.NEWER,
            mode=mode,
            revision=revision,
            app_version=app_version,
            message=(
                f"Cette base a été mise à jour par MicroCRM {app_version or 'plus récent'} "
                f"(schéma {revision}) ; ce poste a la version {__version__}. Mettez à jour "
                "MicroCRM sur ce poste avant de l'utiliser."
            ),
        )
    status = ConnectionStatus.CURRENT if revision == head_revision() else ConnectionStatus.OLDER
    organisations = _safe_count(
        conn,
        select(func.count()).select_from(Organisation).where(Organisation.deleted_at.is_(None)),
    )
    persons = _safe_count(
        conn, select(func.count()).select_from(Person).where(Person.deleted_at.is_(None))
    )
    users = _safe_count(conn, select(func.count()).select_from(User).where(User.active.is_(True)))
    return ConnectionReport(
        shown,
        status,
        mode=mode,
        revision=revision,
        app_version=app_version,
        organisations=organisations,
        persons=persons,
        users=users,
    )


def _safe_count(conn: Connection, stmt: Select[tuple[int]]) -> int | None:
    """A count, or None when an older schema lacks the column (nothing is written)."""
    try:
        return int(conn.execute(stmt).scalar() or 0)
    except SQLAlchemyError:
        conn.rollback()  # PostgreSQL refuses any statement after an error in a transaction
        return None


# -- PostgreSQL URL from form fields -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostgresParams:
    """The fields of a PostgreSQL location, as a form shows them."""

    host: str = "localhost"
    port: int = PG_DEFAULT_PORT
    database: str = "microcrm"
    user: str = ""
    password: str = ""


def postgres_url(params: PostgresParams) -> str:
    """The URL saved in the settings (``postgresql://user:pass@host:5432/db``).

    Raises:
        ValidationError: the server or the base name is missing, or the port is out of range.
    """
    host = params.host.strip()
    database = params.database.strip()
    if not host:
        raise ValidationError("pg_host", "Le nom ou l'adresse du serveur est obligatoire.")
    if not 0 < params.port < 65536:
        raise ValidationError("pg_port", f"Le port {params.port} n'est pas valide (1 à 65535).")
    if not database:
        raise ValidationError("pg_database", "Le nom de la base est obligatoire.")
    url = URL.create(
        "postgresql",
        username=params.user.strip() or None,
        password=params.password or None,
        host=host,
        port=params.port,
        database=database,
    )
    return url.render_as_string(hide_password=False)


def parse_postgres_url(target: str) -> PostgresParams | None:
    """The form fields of a PostgreSQL URL, or None for a path or another kind of URL."""
    if "://" not in target:
        return None
    try:
        url = make_url(target)
    except ArgumentError:
        return None
    if not url.drivername.startswith(("postgresql", "postgres")):
        return None
    return PostgresParams(
        host=url.host or "localhost",
        port=url.port or PG_DEFAULT_PORT,
        database=url.database or "",
        user=url.username or "",
        password=url.password if isinstance(url.password, str) else "",
    )


# -- the open database ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenDatabase:
    """What the settings dialog shows of the database this session runs on."""

    location: str
    mode: str
    is_sqlite: bool
    marked_shared: bool

    @property
    def mode_label(self) -> str:
        """The storage mode in words."""
        return MODE_LABELS.get(self.mode, self.mode)

    @property
    def can_share(self) -> bool:
        """A SQLite base not yet marked shared."""
        return self.is_sqlite and not self.marked_shared


def describe_database(db: Database) -> OpenDatabase:
    """The open database: location, mode and sharing mark."""
    marked = db.meta("storage_mode") == "shared" if db.is_sqlite else False
    return OpenDatabase(db.display_location(), db.mode.value, db.is_sqlite, marked)


def share_database(db: Database) -> OpenDatabase:
    """Mark the open SQLite base shared, so every workstation opens it safely (no WAL).

    Raises:
        StorageError: the base is PostgreSQL (shared by nature).
    """
    mark_shared(db)
    return describe_database(db)
