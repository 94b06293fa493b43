"""Shortcuts over the GED content store (docs/storage.md §4.3) for the demo and its tests.

The generator itself holds one :class:`~microcrm.ged.store.ContentStore`;
these functions open one on ``ged_root`` for a single call.
"""

from __future__ import annotations

from pathlib import Path

from microcrm.ged.store import ContentStore


def object_path(ged_root: Path, sha256: str) -> Path:
    """Where the object of digest ``sha256`` lives: ``objects/ab/cd/<sha256>``."""
    return ContentStore(ged_root).object_path(sha256)


def store_file(ged_root: Path, data: bytes) -> str:
    """Store ``data`` under its SHA-256 and return the hex digest.

    Written to ``tmp/<uuid>.part``, fsync'ed, then renamed; an object
    already present is kept (deduplication). Safe to call from several threads.
    """
    return ContentStore(ged_root).put_bytes(data)
