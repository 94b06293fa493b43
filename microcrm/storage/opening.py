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
) -> Database:
    """Open (and by default create and migrate) the database at ``target``.

    Raises:
        StorageError: unusable location, or a schema newer than this app.
    """
    url = to_url(target)
    mode = detect_mode(url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(url, mode)
    db = Database(url, mode, engine, workstation_id=workstation_id, user_login=user_login)
    if migrate:
        try:
            prepare(db)
        except DBAPIError as exc:
            engine.dispose()
            raise _unusable(db, exc) from exc
        except BaseException:
            engine.dispose()
            raise
    return db


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
