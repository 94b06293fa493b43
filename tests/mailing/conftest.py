"""Fixtures of the publipostage tests: the known base on a real file, our company."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from microcrm.mailing.fields import MergeContext
from microcrm.storage.opening import open_database
from tests.mailing.helpers import COMPANY_WITH_LOGO, RUN_DATE, Base, fill


@pytest.fixture
def mail_base(tmp_path: Path) -> Iterator[Base]:
    """The known base, in a real SQLite file migrated to head."""
    db = open_database(tmp_path / "mail.sqlite", workstation_id="ws-test", user_login="jdupont")
    yield fill(db)
    db.dispose()


@pytest.fixture
def context() -> MergeContext:
    """Our company (with a logo) and a fixed date."""
    return MergeContext(COMPANY_WITH_LOGO, RUN_DATE)
