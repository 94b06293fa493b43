"""Admin commands on damaged or odd bases: hot journal, empty or foreign file, restore (docs/storage.md §4.4, §4.5)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microcrm.storage.opening import open_database
from tests.helpers import add_organisation, run_cli
from tests.storage.helpers import flip_one_byte_of_a_page

# Begins a write transaction, spills pages to the file (tiny cache) and dies by SIGKILL:
# the base is left with a hot ``-journal`` as after a kill -9 mid-import.
KILLED_WRITER = """
import os, signal, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA cache_size=10")
con.execute("BEGIN IMMEDIATE")
con.execute("CREATE TABLE junk (x BLOB)")
con.executemany("INSERT INTO junk VALUES (?)", ((os.urandom(500),) for _ in range(3000)))
con.execute("UPDATE organisation SET name = 'ÉCRASÉ', version_id = version_id + 1")
os.kill(os.getpid(), signal.SIGKILL)
"""


def _base_with(path: Path, *names: str) -> None:
    db = open_database(path)
    try:
        for name in names:
            add_organisation(db, name)
    finally:
        db.dispose()


def _names(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [row[0] for row in con.execute("SELECT name FROM organisation ORDER BY id")]
    finally:
        con.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_check_rolls_back_a_hot_journal_without_a_traceback(tmp_path: Path) -> None:
    base = tmp_path / "crm.sqlite"
    _base_with(base, "Boulangerie Durand")
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(base)], check=False)
    assert killed.returncode != 0
    assert Path(f"{base}-journal").stat().st_size > 0  # hot journal left behind

    done = run_cli("--db", str(base), "check")

    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 0, done.stderr
    assert "Intégrité : OK" in done.stdout
    assert "transaction interrompue" in done.stdout
    assert _names(base) == ["Boulangerie Durand"]  # the killed write was rolled back
    assert not Path(f"{base}-journal").exists()


@pytest.mark.parametrize("command", [["info"], ["check"], ["export", "organisations"]])
@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "vide (0 octet)"), (b"PK\x03\x04 ceci n'est pas une base" * 40, "pas une base")],
)
def test_an_empty_or_foreign_file_is_refused_and_left_untouched(
    tmp_path: Path, command: list[str], content: bytes, message: str
) -> None:
    base = tmp_path / "crm.sqlite"
    base.write_bytes(content)

    done = run_cli("--db", str(base), *command)

    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    assert message in done.stderr
    assert "restaurez" in done.stderr
    assert base.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.sqlite"]


def test_a_missing_base_is_still_created(tmp_path: Path) -> None:
    base = tmp_path / "sub" / "crm.sqlite"
    done = run_cli("--db", str(base), "info")
    assert done.returncode == 0, done.stderr
    assert base.read_bytes().startswith(b"SQLite format 3\x00")


def _epoch(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT value FROM app_meta WHERE key = 'restore_epoch'").fetchone()
        return int(row[0])
    finally:
        con.close()


def test_backup_then_restore_round_trip(tmp_path: Path) -> None:
    base = tmp_path / "crm.sqlite"
    _base_with(base, "Boulangerie Durand")
    saved = tmp_path / "saved.sqlite"
    assert run_cli("--db", str(base), "backup", "--to", str(saved)).returncode == 0
    _base_with(base, "Garage Martin")
    epoch_before = _epoch(base)
    Path(f"{base}-journal").write_bytes(b"")  # a stale side file must not survive

    done = run_cli("--db", str(base), "restore", str(saved))

    assert done.returncode == 0, done.stderr
    assert _names(base) == ["Boulangerie Durand"]
    assert _epoch(base) == epoch_before + 1
    assert not Path(f"{base}-journal").exists()
    aside = list((tmp_path / "backups").glob("crm-*-avant-restauration-r*.sqlite"))
    assert len(aside) == 1 and str(aside[0]) in done.stdout
    assert _names(aside[0]) == ["Boulangerie Durand", "Garage Martin"]
    assert "Traceback" not in done.stderr
    check = run_cli("--db", str(base), "check")
    assert check.returncode == 0 and "Intégrité : OK" in check.stdout


def test_restore_refuses_a_corrupted_backup(tmp_path: Path) -> None:
    base = tmp_path / "crm.sqlite"
    _base_with(base, "Boulangerie Durand")
    saved = tmp_path / "saved.sqlite"
    assert run_cli("--db", str(base), "backup", "--to", str(saved)).returncode == 0
    con = sqlite3.connect(saved)
    con.execute("CREATE TABLE junk (x BLOB)")
    con.executemany("INSERT INTO junk VALUES (?)", ((b"x" * 500,) for _ in range(200)))
    con.commit()
    con.close()
    flip_one_byte_of_a_page(saved, "junk", "leaf-freeblock")
    before = base.read_bytes()

    done = run_cli("--db", str(base), "restore", str(saved))

    assert done.returncode == 1
    assert "restauration refusée" in done.stderr
    assert "Traceback" not in done.stderr
    assert base.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_restore_refuses_while_the_base_is_locked(tmp_path: Path) -> None:
    base = tmp_path / "crm.sqlite"
    _base_with(base, "Boulangerie Durand")
    saved = tmp_path / "saved.sqlite"
    assert run_cli("--db", str(base), "backup", "--to", str(saved)).returncode == 0
    holder = sqlite3.connect(base, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        done = run_cli("--db", str(base), "restore", str(saved))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 1
    assert "en cours d'utilisation" in done.stderr
    assert _names(base) == ["Boulangerie Durand"]


def test_restore_replaces_an_unreadable_base_and_keeps_a_raw_copy(tmp_path: Path) -> None:
    base = tmp_path / "crm.sqlite"
    _base_with(base, "Boulangerie Durand")
    saved = tmp_path / "saved.sqlite"
    assert run_cli("--db", str(base), "backup", "--to", str(saved)).returncode == 0
    base.write_bytes(b"")  # truncated by a crash

    done = run_cli("--db", str(base), "restore", str(saved))

    assert done.returncode == 0, done.stderr
    assert _names(base) == ["Boulangerie Durand"]
    raw = list((tmp_path / "backups").glob("crm-*-avant-restauration-*-brut.sqlite"))
    assert len(raw) == 1 and raw[0].read_bytes() == b""


def _workstations(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM workstation").fetchone()[0])
    finally:
        con.close()


def test_read_only_commands_write_no_heartbeat_and_need_no_write_lock(tmp_path: Path) -> None:
    base = tmp_path / "crm.sqlite"
    _base_with(base, "Boulangerie Durand")  # opened without a workstation id
    assert _workstations(base) == 0
    holder = sqlite3.connect(base, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another PC in the middle of a write
        start = time.monotonic()
        info = run_cli("--db", str(base), "info")
        export = run_cli("--db", str(base), "export", "organisations")
        elapsed = time.monotonic() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert info.returncode == 0, info.stderr
    assert export.returncode == 0, export.stderr
    assert "Boulangerie Durand" in export.stdout
    assert elapsed < 25  # a write would have waited for the 30 s retry deadline
    assert _workstations(base) == 0

    assert run_cli("--db", str(base), "backup").returncode == 0  # not read-only: heartbeat
    assert _workstations(base) == 1
