"""Where a SQLite file may live (docs/storage.md §2): network detection, refusals, WAL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from microcrm import db as db_module
from microcrm.db import StorageMode, sqlite_header_is_wal
from microcrm.errors import StorageError
from microcrm.storage.location import (
    Location,
    check_usable,
    classify,
    classify_linux,
    classify_windows,
)
from microcrm.storage.opening import open_database
from microcrm.storage.sharing import mark_shared
from tests.helpers import add_organisation
from tests.storage.helpers import file_digest, sqlite_scalar

# Shaped like a real /proc/self/mountinfo: optional fields ("shared:N") before " - ",
# per-mount options in field 6, per-superblock options after the source.
MOUNTINFO = """\
22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw,errors=remount-ro
30 22 0:27 / /tmp rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=4096k
97 22 0:45 / /mnt/partage rw,relatime shared:52 - cifs //srv/partage rw,vers=3.1.1,\
cache=strict,username=marie,uid=0,soft,nounix,serverino,mapposix,rsize=4194304,wsize=4194304
98 22 0:46 / /mnt/vieux\\040nas rw,relatime shared:53 - cifs //nas/vieux rw,vers=3.0,\
cache=strict,nobrl,soft,rsize=65536
99 22 0:47 / /mnt/nfs rw,relatime shared:54 - nfs4 nas:/export rw,vers=4.2,rsize=1048576,\
wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=none,addr=10.0.0.5
100 99 254:2 / /mnt/nfs/disque-local rw,relatime shared:55 - ext4 /dev/vdb rw
101 22 0:48 / /mnt/nfs3 rw,relatime shared:56 - nfs nas:/old rw,vers=3,nolock,proto=tcp,\
local_lock=all,addr=10.0.0.5
102 22 0:49 / /mnt/nfsflock rw,relatime shared:57 - nfs4 nas:/x rw,vers=4.1,local_lock=posix
103 22 0:50 / /home/marie/sshfs rw,nosuid,nodev shared:58 - fuse.sshfs marie@srv:/ rw,user_id=0
"""


@pytest.mark.parametrize(
    ("path", "network", "fstype"),
    [
        ("/home/marie/crm", False, "ext4"),
        ("/tmp/crm", False, "tmpfs"),
        ("/mnt/partage/CRM", True, "cifs"),
        ("/mnt/partage", True, "cifs"),
        ("/mnt/partage2/CRM", False, "ext4"),  # a prefix of the name is not a parent
        ("/mnt/vieux nas/CRM", True, "cifs"),  # \040 in mountinfo is a space
        ("/mnt/nfs/CRM", True, "nfs4"),
        ("/mnt/nfs/disque-local/CRM", False, "ext4"),  # the longest mount prefix wins
        ("/home/marie/sshfs/CRM", True, "fuse.sshfs"),
    ],
)
def test_classify_linux_uses_the_longest_mount_prefix(
    path: str, network: bool, fstype: str
) -> None:
    location = classify_linux(Path(path), MOUNTINFO)
    assert (location.is_network, location.fstype) == (network, fstype)


@pytest.mark.parametrize(
    ("path", "option"),
    [
        ("/mnt/vieux nas/CRM", "nobrl"),
        ("/mnt/nfs3/CRM", "nolock"),
        ("/mnt/nfsflock/CRM", "local_lock=posix"),
    ],
)
def test_mounts_without_working_locks_are_refused(path: str, option: str) -> None:
    location = classify_linux(Path(path), MOUNTINFO)
    with pytest.raises(StorageError, match=option) as caught:
        check_usable(location)
    assert "verrous sont désactivés" in caught.value.message


@pytest.mark.parametrize("path", ["/mnt/partage/CRM", "/mnt/nfs/CRM", "/home/marie/crm"])
def test_ordinary_shares_and_local_disks_are_usable(path: str) -> None:
    """``local_lock=none`` is NFS's default (locks go to the server): not a refusal."""
    check_usable(classify_linux(Path(path), MOUNTINFO))


@pytest.mark.parametrize(
    "path",
    [
        "/home/marie/OneDrive/CRM",
        "/home/marie/OneDrive - Boulangerie Durand/CRM",
        "/home/marie/Dropbox/CRM",
        "/home/marie/Dropbox (Personnel)/CRM",
        "/home/marie/Google Drive/CRM",
        r"C:\Users\marie\OneDrive\Documents\CRM",
    ],
)
def test_cloud_sync_folders_are_refused(path: str) -> None:
    with pytest.raises(StorageError, match="synchronisé par un service de cloud"):
        check_usable(Location(Path(path), False))


@pytest.mark.parametrize("path", ["/home/megane/CRM", "/srv/omega/CRM", "/home/marie/megastore"])
def test_names_that_merely_contain_a_cloud_word_are_usable(path: str) -> None:
    check_usable(Location(Path(path), False))


@pytest.mark.parametrize(
    "path", [r"\\srv\partage\crm.sqlite", "//srv/partage/crm.sqlite", r"\\nas\CRM$\base"]
)
def test_unc_paths_are_network_locations(path: str) -> None:
    location = classify_windows(Path(path))
    assert location.is_network
    assert location.fstype == "smb"


def test_a_local_windows_path_is_not_network_off_windows() -> None:
    assert not classify_windows(Path(r"C:\Users\marie\CRM")).is_network


def test_the_test_folder_itself_is_local(tmp_path: Path) -> None:
    """On this machine, through the real /proc/self/mountinfo."""
    location = classify(tmp_path)
    assert not location.is_network
    check_usable(location)


def test_opening_a_new_base_in_a_cloud_folder_is_refused(tmp_path: Path) -> None:
    """The check covers the folder asked for, even before it exists."""
    cloud = tmp_path / "OneDrive - Boulangerie Durand"
    cloud.mkdir()
    target = cloud / "CRM" / "crm.sqlite"
    with pytest.raises(StorageError, match="cloud"):
        open_database(target)
    assert list(cloud.iterdir()) == []


# --- sharing is a property of the base ------------------------------------------------------


def test_a_base_marked_shared_opens_in_shared_mode(sqlite_path: Path) -> None:
    db = open_database(sqlite_path)
    assert db.mode is StorageMode.LOCAL
    mark_shared(db)
    db.dispose()

    again = open_database(sqlite_path)
    try:
        assert again.mode is StorageMode.SHARED
        assert again.meta("storage_mode") == "shared"
        with again.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    finally:
        again.dispose()


@pytest.mark.postgres
def test_postgres_needs_no_sharing(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        assert db.mode is StorageMode.POSTGRES
        with pytest.raises(StorageError, match="PostgreSQL est déjà partagée"):
            mark_shared(db)
    finally:
        db.dispose()


# --- WAL ------------------------------------------------------------------------------------


def _make_wal_file(path: Path) -> None:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()


def test_sqlite_header_is_wal_reads_bytes_18_and_19(tmp_path: Path) -> None:
    wal, rollback, short = tmp_path / "wal.sqlite", tmp_path / "delete.sqlite", tmp_path / "x"
    _make_wal_file(wal)
    con = sqlite3.connect(rollback)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    short.write_bytes(b"SQLite format 3\x00")

    assert wal.read_bytes()[18:20] == b"\x02\x02"
    assert sqlite_header_is_wal(wal)
    assert not sqlite_header_is_wal(rollback)
    assert not sqlite_header_is_wal(short)
    assert not sqlite_header_is_wal(tmp_path / "absent.sqlite")


@pytest.fixture
def on_a_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend every folder is on an SMB share (no real share in the test machine)."""
    monkeypatch.setattr(
        db_module, "classify", lambda p: Location(p, True, "cifs", "rw,relatime,vers=3.1.1")
    )


@pytest.mark.usefixtures("on_a_share")
def test_a_wal_file_on_a_share_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    _make_wal_file(path)
    digest = file_digest(path)
    with pytest.raises(StorageError, match="mode WAL"):
        open_database(path)
    assert file_digest(path) == digest
    assert sqlite_header_is_wal(path)


@pytest.mark.usefixtures("on_a_share")
def test_a_base_on_a_share_opens_shared(sqlite_path: Path) -> None:
    db = open_database(sqlite_path)
    try:
        assert db.mode is StorageMode.SHARED
        assert db.meta("storage_mode") == "shared"
    finally:
        db.dispose()


def test_a_shared_base_is_never_left_in_wal_even_on_its_host(sqlite_path: Path) -> None:
    """Another tool switched the host's (local) file to WAL: opening switches it back."""
    db = open_database(sqlite_path)
    mark_shared(db)
    add_organisation(db)
    db.dispose()
    con = sqlite3.connect(sqlite_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    assert sqlite_header_is_wal(sqlite_path)

    again = open_database(sqlite_path)
    try:
        assert again.mode is StorageMode.SHARED
        add_organisation(again, "Après")
    finally:
        again.dispose()
    assert not sqlite_header_is_wal(sqlite_path)
    assert sqlite_scalar(sqlite_path, "PRAGMA journal_mode") == "delete"
    assert sqlite_scalar(sqlite_path, "SELECT count(*) FROM organisation") == 2
