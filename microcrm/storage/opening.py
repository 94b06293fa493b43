"""Open a database: connect the way its mode wants, then create or migrate its schema.

Above :mod:`microcrm.db` (engines, sessions) and :mod:`microcrm.storage.migrate`
(alembic), so that neither needs the other at import time.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DBAPIError

from microcrm.db import Database, create_db_engine, detect_mode, to_url
from microcrm.errors import StorageError
from microcrm.storage.migrate import prepare


def open_database(
    target: str | Path,
    *,
    workstation_id: str = "",
    user_login: str | None = None,
    migrate: bool = True,
    heartbeat: bool = True,
) -> Database:
    """Open (and by default create and migrate) the database at ``target``.

    Raises:
        StorageError: unusable location, or a schema newer than this app.

    ``heartbeat=False``: read-only use, see :func:`microcrm.storage.migrate.prepare`.
    """
    url = to_url(target)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        refuse_non_database(Path(url.database))
    mode = detect_mode(url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url, mode)
    db = Database(url, mode, engine, workstation_id=workstation_id, user_login=user_login)
    if migrate:
        try:
            prepare(db, heartbeat=heartbeat)
        except DBAPIError as exc:
            engine.dispose()
            raise _unusable(db, exc) from exc
        except BaseException:
            engine.dispose()
            raise
    return db


SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_non_database(path: Path) -> None:
    """Refuse an existing file that is empty or is not a SQLite base.

    SQLite takes a 0-byte file for a new base and would silently create the
    schema in it: a base truncated by a crash or a bad copy would become an
    empty one. Only a *missing* file is created (first run); an existing one
    must start with the SQLite header.

    Raises:
        StorageError: the file is empty or is not a SQLite database.
    """
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise StorageError(f"Impossible d'ouvrir la base {path} : c'est un dossier.") from None
    if not header:
        raise StorageError(
            f"Impossible d'ouvrir la base {path} : le fichier est vide (0 octet). "
            "Il a peut-être été tronqué ; restaurez la dernière sauvegarde "
            "(microcrm restore, dossier backups). MicroCRM ne le remplace pas "
            "par une base vide : pour créer une nouvelle base, supprimez ce fichier "
            "ou choisissez un autre emplacement."
        )
    if header != SQLITE_HEADER:
        raise StorageError(
            f"Impossible d'ouvrir la base {path} : ce fichier n'est pas une base de données "
            "SQLite (ou il est chiffré ou endommagé) ; restaurez la dernière sauvegarde "
            "(microcrm restore, dossier backups)."
        )


def _unusable(db: Database, exc: DBAPIError) -> StorageError:
    """A French reason for a driver error met while opening (not a base, damaged, no server)."""
    reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    lowered = reason.lower()
    if "file is not a database" in lowered:
        why = "ce fichier n'est pas une base de données SQLite (ou il est chiffré)"
    elif "malformed" in lowered:
        why = "la base est endommagée ; restaurez la dernière sauvegarde (dossier backups)"
    elif not db.is_sqlite:
        why = f"le serveur PostgreSQL ne répond pas ou refuse la connexion ({reason})"
    else:
        why = reason
    return StorageError(f"Impossible d'ouvrir la base {db.display_location()} : {why}.")
