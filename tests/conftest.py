"""Shared fixtures: offscreen Qt, isolated MICROCRM_HOME, real SQLite and PostgreSQL."""

from __future__ import annotations

import os

# Before anything imports Qt (docs/environment.md §2: otherwise exit 134, no summary).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.storage.opening import open_database
from tests.pgserver import PgServer, find_pg_bin


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own config/data/cache folders, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MICROCRM_HOME", str(home))
    monkeypatch.delenv("MICROCRM_DB", raising=False)
    return home


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """Path of a fresh SQLite database file (not yet created)."""
    return tmp_path / "crm.sqlite"


@pytest.fixture
def sqlite_db(sqlite_path: Path) -> Iterator[Database]:
    """A real SQLite file, migrated to head."""
    db = open_database(sqlite_path, workstation_id="ws-test", user_login="test")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throw-away PostgreSQL cluster for the whole session (skipped without binaries).

    Its folder is a fresh ``/tmp`` directory, not pytest's (mode 0700, owned
    by root, unreadable by the ``postgres`` user).
    """
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not installed")
    server = PgServer(bin_dir, Path(tempfile.mkdtemp(prefix="microcrm-pg-")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """URL of a fresh, empty PostgreSQL database."""
    return pg_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_target(request: pytest.FixtureRequest, sqlite_path: Path) -> str:
    """A database target on each backend: run the test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return str(sqlite_path)
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_db(any_db_target: str) -> Iterator[Database]:
    """An open, migrated database on each backend."""
    db = open_database(any_db_target, workstation_id="ws-test", user_login="test")
    yield db
    db.dispose()
