"""Fixtures of the demo tests: one generated base shared by the read-only checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from microcrm.demo import generate
from microcrm.storage.opening import open_database
from tests.demo.helpers import DOCUMENTS, ORGANISATIONS, PERSONS, TODAY, Generated


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """300 organisations, 450 persons and 40 documents on a real SQLite file (seed 7)."""
    folder = tmp_path_factory.mktemp("demo")
    db = open_database(folder / "crm.sqlite", workstation_id="ws-demo", user_login="demo")
    calls: list[tuple[int, int, str]] = []
    report = generate(db, organisations=ORGANISATIONS, persons=PERSONS, documents=DOCUMENTS,
                      seed=7, today=TODAY, progress=lambda d, t, m: calls.append((d, t, m)))
    yield Generated(db, report, folder / "ged", calls)
    db.dispose()
