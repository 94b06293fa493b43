"""Alembic environment.

The app runs migrations through :mod:`microcrm.storage.migrate`, which hands
over an open connection already inside ``BEGIN EXCLUSIVE`` (SQLite) or under
an advisory lock (PostgreSQL); developers may also run ``alembic`` directly
with ``-x db=PATH_OR_URL`` or ``MICROCRM_DB``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from microcrm.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )


def run() -> None:
    """Run migrations on the given connection, or on one opened from -x db / MICROCRM_DB."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from microcrm.db import to_url

    target = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("MICROCRM_DB")
    if not target:
        raise SystemExit("alembic: give the database with -x db=PATH_OR_URL or MICROCRM_DB")
    engine = create_engine(to_url(target))
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


run()
