"""Helpers shared by tests of several packages: the CLI in a subprocess, rows written as the app does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.models import Organisation, Person

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with this test's MICROCRM_HOME (set by conftest) and no MICROCRM_DB."""
    environ = {k: v for k, v in os.environ.items() if k != "MICROCRM_DB"}
    environ["PYTHONUTF8"] = "1"
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "microcrm", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def add_organisation(db: Database, name: str = "Boulangerie Durand", **values: object) -> int:
    """Insert one organisation through the write path; returns its id."""

    def write(session: Session) -> int:
        org = Organisation(name=name, **values)
        session.add(org)
        session.flush()
        return org.id

    return db.run_write(write)


def add_person(
    db: Database, last_name: str, organisation_id: int | None = None, **values: object
) -> int:
    """Insert one person (a contact of ``organisation_id``, or a private customer); returns its id."""

    def write(session: Session) -> int:
        person = Person(last_name=last_name, organisation_id=organisation_id, **values)
        session.add(person)
        session.flush()
        return person.id

    return db.run_write(write)
