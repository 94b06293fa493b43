"""Fixtures of the record sheets' tests: an AppContext on the test's SQLite base."""

from __future__ import annotations

import pytest

from microcrm.app import AppContext, Paths, Settings
from microcrm.db import Database


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    """The application's context on ``sqlite_db``, as the user ``test``."""
    return AppContext(Paths.for_user(), Settings(user_login="test"), sqlite_db)
