"""UI fixtures: an AppContext on a real SQLite file, the QApplication set up as the app does,
and the GED's index engines and filing threads stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from microcrm.app import AppContext, build_context
from microcrm.ui.application import make_application
from microcrm.ui.ged.filing import FilingQueue
from microcrm.ui.ged.index_service import IndexService


@pytest.fixture
def app_ctx(sqlite_path: Path) -> Iterator[AppContext]:
    """The composition root on a fresh SQLite database (settings under MICROCRM_HOME)."""
    make_application([])
    ctx = build_context(str(sqlite_path))
    yield ctx
    ctx.db.dispose()


@pytest.fixture(autouse=True)
def _close_ged_services() -> Iterator[None]:
    """After each test: the index engines and filing threads (with their workers) stop."""
    yield
    for queue in list(FilingQueue._instances.values()):
        queue.close()
    for service in list(IndexService._instances.values()):
        service.close()
