"""UI fixtures: an AppContext on a real SQLite file, and the QApplication set up as the app does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from microcrm.app import AppContext, build_context
from microcrm.ui.application import make_application


@pytest.fixture
def app_ctx(sqlite_path: Path) -> Iterator[AppContext]:
    """The composition root on a fresh SQLite database (settings under MICROCRM_HOME)."""
    make_application([])
    ctx = build_context(str(sqlite_path))
    yield ctx
    ctx.db.dispose()
