"""Helpers shared by the storage tests: schema probes, snapshots, throw-away revisions."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import textwrap
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from microcrm.db import Database, to_url
from microcrm.models import Campaign
from microcrm.storage.migrate import head_revision

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def plain_engine(target: str | Path) -> Engine:
    """An engine without MicroCRM's hooks, for schema-level work."""
    return create_engine(to_url(target), poolclass=NullPool)


def table_names(conn: Connection) -> set[str]:
    """User tables (SQLite's own ``sqlite_*`` tables left out)."""
    return {t for t in inspect(conn).get_table_names() if not t.startswith("sqlite_")}


def trigger_names(conn: Connection) -> set[str]:
    """Names of the triggers we created (both backends)."""
    if conn.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return {row[0] for row in conn.execute(text(sql))}


def pg_functions(conn: Connection) -> set[str]:
    """Our PL/pgSQL functions left in the database."""
    sql = "SELECT proname FROM pg_proc WHERE proname LIKE 'microcrm%'"
    return {row[0] for row in conn.execute(text(sql))}


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump_rows(target: str | Path, tables: tuple[str, ...]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of ``tables``, sorted: a before/after picture of a database."""
    engine = plain_engine(target)
    try:
        with engine.connect() as conn:
            return {
                t: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}")))
                for t in tables
            }
    finally:
        engine.dispose()


def sqlite_scalar(path: Path, sql: str) -> object:
    """One value read through a plain sqlite3 connection."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def flip_one_byte_of_a_page(path: Path, table: str, where: str = "root-type") -> None:
    """Flip one byte of a b-tree page of ``table`` (a one-byte disk error).

    ``root-type``: the root page's type byte; SQLite then fails the pragma itself.
    ``leaf-freeblock``: a leaf's first-freeblock pointer; integrity_check reports it.
    """
    con = sqlite3.connect(path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    root_at = (root - 1) * page_size
    assert data[root_at] == 0x05  # an interior table page: the table spans several pages
    if where == "root-type":
        offset = root_at
    else:
        rightmost_leaf = int.from_bytes(data[root_at + 8 : root_at + 12], "big")
        offset = (rightmost_leaf - 1) * page_size + 1
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def add_campaigns(db: Database, count: int, letters: int = 0) -> list[int]:
    """``count`` campaigns (a versioned table with an integer column) used as counters."""

    def write(session: object) -> list[int]:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        rows = [Campaign(name=f"Compteur {i}", template="-", letters=letters) for i in range(count)]
        session.add_all(rows)
        session.flush()
        return [c.id for c in rows]

    return db.run_write(write)


#: Id of the revision :func:`script_dir_with` adds after the app's head.
TEST_REVISION = "9999"


def script_dir_with(tmp: Path, revision_body: str) -> Path:
    """A copy of the app's migrations plus a test revision ``9999`` after the app's head.

    ``revision_body`` is the body of ``upgrade()`` (``op`` and ``sa`` are imported).
    A base at the app's head is then "older" than this script folder: this is
    how the tests exercise the upgrade path of the next release.
    """
    dest = tmp / "migrations"
    shutil.copytree(MIGRATIONS, dest, ignore=shutil.ignore_patterns("__pycache__"))
    body = textwrap.indent(textwrap.dedent(revision_body).strip(), "    ")
    (dest / "versions" / f"20990101_{TEST_REVISION}_test_only.py").write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = '{TEST_REVISION}'\n"
        f"down_revision = '{head_revision()}'\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n\n\n"
        "def downgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )
    return dest


def alembic_config_for(script_dir: Path) -> Config:
    """Like :func:`microcrm.storage.migrate.alembic_config`, on another folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_dir))
    return cfg
