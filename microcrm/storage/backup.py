"""Online backups and integrity checks (docs/storage.md §4.4, §4.5).

A SQLite backup is taken with the backup API into a *local* temporary file,
checked with ``integrity_check`` and only then moved into place: never a
file copy of the live database or of its ``-journal`` (F4/F5).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from microcrm.errors import StorageError

BACKUP_NAME = re.compile(r"crm-(\d{8}T\d{6})-([a-z-]+)-r(\w+)\.sqlite$")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Outcome of an integrity check: ``ok`` and the problems found (French)."""

    ok: bool
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What was done or seen besides the check itself (French), e.g. a rolled-back journal."""


def check_sqlite(con: sqlite3.Connection, *, quick: bool = False) -> CheckResult:
    """``integrity_check`` (or ``quick_check``) plus ``foreign_key_check``.

    Some damage (an unreadable b-tree root, a file that is not a database) makes
    the pragma itself fail: that is reported as a problem too, not raised.
    A busy base (``OperationalError``) still raises.
    """
    pragma = "quick_check" if quick else "integrity_check"
    try:
        problems = [row[0] for row in con.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
        problems += [
            f"clé étrangère rompue : {table} ligne {rowid} → {parent}"
            for table, rowid, parent, _ in con.execute("PRAGMA foreign_key_check")
        ]
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:  # SQLITE_CORRUPT, SQLITE_NOTADB
        return CheckResult(False, (f"base illisible : {exc}",))
    return CheckResult(not problems, tuple(problems))


def backup_sqlite(db_path: Path, dest: Path, *, busy_timeout_s: float = 30.0) -> CheckResult:
    """Copy a live SQLite database to ``dest`` safely, verified before it appears.

    Raises:
        StorageError: the copy failed its integrity check (``dest`` is not written).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".sqlite", prefix="microcrm-backup-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=busy_timeout_s)
        copy = sqlite3.connect(tmp)
        try:
            src.backup(copy)
            result = check_sqlite(copy)
        finally:
            copy.close()
            src.close()
        if not result.ok:
            raise StorageError(
                "La copie de sauvegarde est corrompue : " + "; ".join(result.problems[:5])
            )
        # One staging file per call: two workstations backing up in the same second
        # (both opening an older base) must not rename each other's file away.
        staging = dest.with_name(f"{dest.name}.{uuid.uuid4().hex[:12]}.part")
        try:
            shutil.copyfile(tmp, staging)
            with staging.open("rb+") as fh:
                os.fsync(fh.fileno())
            staging.replace(dest)
        finally:
            staging.unlink(missing_ok=True)
        return result
    finally:
        tmp.unlink(missing_ok=True)


def backup_name(reason: str, revision: str | None, now: dt.datetime | None = None) -> str:
    """``crm-<ts>-<reason>-r<rev>.sqlite`` as in docs/storage.md §4.4."""
    now = now or dt.datetime.now(dt.UTC)
    return f"crm-{now:%Y%m%dT%H%M%S}-{reason}-r{revision or 'none'}.sqlite"


def backup_postgres(url: str, dest: Path) -> None:
    """``pg_dump -Fc`` of a PostgreSQL database.

    Raises:
        StorageError: pg_dump is missing or failed.
    """
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise StorageError("pg_dump est introuvable : installez les outils clients PostgreSQL.")
    libpq_url = url.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(
        [pg_dump, "-Fc", "-f", str(dest), libpq_url], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise StorageError(f"pg_dump a échoué : {done.stderr.strip()}")


def prune_backups(folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Apply the retention policy; returns the files removed.

    Keeps 7 daily, 4 weekly and 12 monthly backups (the newest of each day,
    ISO week and month), and every pre-migration backup younger than a year.
    """
    now = now or dt.datetime.now(dt.UTC)
    dated: list[tuple[dt.datetime, str, Path]] = []
    for path in folder.glob("crm-*.sqlite"):
        match = BACKUP_NAME.match(path.name)
        if match:
            ts = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
            dated.append((ts, match.group(2), path))
    dated.sort(reverse=True)
    keep: set[Path] = set()
    for key_fn, count in (
        (lambda t: t.date(), 7),
        (lambda t: t.isocalendar()[:2], 4),
        (lambda t: (t.year, t.month), 12),
    ):
        seen: list[object] = []
        for ts, _, path in dated:
            key = key_fn(ts)
            if key not in seen and len(seen) < count:
                seen.append(key)
                keep.add(path)
    for ts, reason, path in dated:
        if reason == "migration" and now - ts < dt.timedelta(days=365):
            keep.add(path)
    removed = [path for _, _, path in dated if path not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
