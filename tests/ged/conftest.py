"""Fixtures of the GED tests: a real SQLite base, a content store, one extraction pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.ged.extract import ExtractorPool
from microcrm.ged.service import Ged
from microcrm.ged.store import ContentStore
from microcrm.models import User


@pytest.fixture(scope="session")
def extractor_pool() -> Iterator[ExtractorPool]:
    """One pool of worker processes for the whole session (spawning costs ~0.5 s)."""
    pool = ExtractorPool(workers=2, timeout=30)
    yield pool
    pool.close()


@pytest.fixture
def user_id(sqlite_db: Database) -> int:
    def write(s: Session) -> int:
        user = User(login="test", full_name="Claire Martin", initials="CM")
        s.add(user)
        s.flush()
        return user.id

    return sqlite_db.run_write(write)


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    return ContentStore(tmp_path / "ged")


@pytest.fixture
def ged(
    sqlite_db: Database, store: ContentStore, user_id: int, extractor_pool: ExtractorPool
) -> Iterator[Ged]:
    service = Ged(sqlite_db, store, user_id=user_id, extractor=extractor_pool)
    yield service
    service.close()  # not the shared pool: the service did not start it
