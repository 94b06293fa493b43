"""Where a SQLite file lives: local, network share, or refused (docs/storage.md §2)."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from microcrm.errors import StorageError

NETWORK_FSTYPES = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "afs",
        "davfs",
        "fuse.sshfs",
    }
)
#: Mount options that silently disable byte-range locks (F1). ``local_lock=none`` is
#: NFS's default (locks go to the server), shown on every NFS mount: it is safe.
UNSAFE_OPTIONS = ("nobrl", "nolock", "local_lock=")
SAFE_OPTIONS = ("local_lock=none",)
#: A path component that a cloud-sync client created ("OneDrive - Contoso",
#: "Dropbox (Personnel)", "Mon Drive"…), F15; a whole word, so "megane" is not MEGA.
CLOUD_FOLDER = re.compile(
    r"^(onedrive|dropbox|google ?drive|googledrive|my drive|mon drive|icloud ?drive"
    r"|com~apple~clouddocs|mega(sync)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Location:
    """What we know of a path: on the network, and through which file system."""

    path: Path
    is_network: bool
    fstype: str = ""
    options: str = ""


def _mounts(mountinfo: str) -> list[tuple[str, str, str]]:
    """(mount point, fstype, options) for each line of /proc/self/mountinfo."""
    mounts = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 6 or len(rfields) < 3:
            continue
        point = fields[4].replace("\\040", " ")
        mounts.append((point, rfields[0], f"{fields[5]},{rfields[2]}"))
    return mounts


def classify_linux(path: Path, mountinfo: str) -> Location:
    """Classify ``path`` by the longest matching mount point (Linux)."""
    best: tuple[str, str, str] | None = None
    text = str(path)
    for point, fstype, options in _mounts(mountinfo):
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, fstype, options)
    if best is None:
        return Location(path, False)
    _, fstype, options = best
    network = fstype in NETWORK_FSTYPES or (fstype.startswith("fuse.") and fstype != "fuse.portal")
    return Location(path, network, fstype, options)


def classify_windows(path: Path) -> Location:
    r"""UNC paths (``\\server\share``) and mapped drives are network locations."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return Location(path, True, "smb")
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        drive_remote = 4
        root = os.path.splitdrive(text)[0] + "\\"
        if ctypes.windll.kernel32.GetDriveTypeW(root) == drive_remote:
            return Location(path, True, "smb")
    return Location(path, False)


def classify(path: Path) -> Location:
    """Classify the folder that holds (or will hold) a database file."""
    path = path.resolve()
    if os.name == "nt" or str(path).startswith(("\\\\", "//")):
        return classify_windows(path)
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return Location(path, False)
    return classify_linux(path, mountinfo)


def check_usable(location: Location) -> None:
    """Refuse locations where SQLite cannot be made safe (F1, F15).

    Raises:
        StorageError: with a French message saying why and what to do.
    """
    parts = re.split(r"[\\/]", str(location.path))
    if any(CLOUD_FOLDER.match(part) for part in parts):
        raise StorageError(
            f"Le dossier {location.path} est synchronisé par un service de cloud : une base "
            "partagée y serait corrompue. Choisissez un partage réseau ou un dossier local."
        )
    if location.is_network:
        options = location.options.split(",")
        bad = [
            o
            for o in options
            if o not in SAFE_OPTIONS and any(o.startswith(u) for u in UNSAFE_OPTIONS)
        ]
        if bad:
            raise StorageError(
                f"Le partage qui contient {location.path} est monté avec {', '.join(bad)} : "
                "les verrous sont désactivés et deux postes pourraient corrompre la base. "
                "Remontez-le sans cette option ou passez à PostgreSQL."
            )
