"""What the demo tests share: the size and date of the generated base, and what it holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from microcrm.db import Database
from microcrm.demo import DemoReport

TODAY = dt.date(2026, 11, 24)
ORGANISATIONS, PERSONS, DOCUMENTS = 300, 450, 40


@dataclass
class Generated:
    """A demo base generated once per session, and what generate() reported."""

    db: Database
    report: DemoReport
    ged: Path
    progress: list[tuple[int, int, str]]
