"""Content-addressed file store used by the demo (storage-design §4.3).

Kept to one function so that the real GED store (``microcrm.ged.store``) can
replace it without touching the generator.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

#: Folders known to exist; saves a mkdir system call per stored file.
_made: set[Path] = set()


def _ensure_dir(folder: Path) -> None:
    if folder not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(folder)


def object_path(ged_root: Path, sha256: str) -> Path:
    """Where the object of digest ``sha256`` lives: ``objects/ab/cd/<sha256>``."""
    return ged_root / "objects" / sha256[:2] / sha256[2:4] / sha256


def store_file(ged_root: Path, data: bytes) -> str:
    """Store ``data`` under its SHA-256 and return the hex digest.

    The bytes go to ``tmp/<uuid>.part``, are flushed and fsync'ed, then
    renamed to their final name; an object already present is kept and the
    temporary file dropped (deduplication). Objects are never rewritten, so a
    crash leaves at worst a ``.part`` file that the GED garbage collector
    removes, never a truncated object. Safe to call from several threads.
    """
    digest = hashlib.sha256(data).hexdigest()
    final = object_path(ged_root, digest)
    if final.exists():
        return digest
    tmp_dir = ged_root / "tmp"
    _ensure_dir(tmp_dir)
    part = tmp_dir / f"{uuid.uuid4().hex}.part"
    try:
        with part.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _ensure_dir(final.parent)
        if final.exists():
            part.unlink()
        else:
            os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return digest
