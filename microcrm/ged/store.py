"""Content-addressed file store of the GED (docs/storage.md §4.3).

Files live at ``<root>/objects/ab/cd/<sha256>`` and never change: a new
version is a new object. Bytes are streamed to ``<root>/tmp/<uuid>.part``
while hashing, flushed and fsync'ed, then renamed to their final name; an
object already present is kept and the temporary file dropped, so the same
file added twice is stored once. On a network share the renamed object is read
back and its hash verified before it is referenced.

The text extracted from an object is cached beside it, content-addressed too
(``<root>/text/ab/cd/<sha256>.txt.gz``), so every workstation that (re)builds
its local index reads the text instead of extracting it again.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

_CHUNK: Final = 1 << 20
PART_MAX_AGE: Final = 24 * 3600.0
"""``.part`` files older than this (seconds) are leftovers of a crash."""
OBJECT_MIN_AGE: Final = 7 * 24 * 3600.0
"""Unreferenced objects younger than this are kept (another PC may be filing them)."""


class IntegrityError(OSError):
    """An object's content does not match its name."""


@dataclass(frozen=True, slots=True)
class Stored:
    """An object just stored: its digest, size, and whether it was already there (dedup)."""

    sha256: str
    size: int
    existed: bool


class ContentStore:
    """The GED folder: immutable objects named by their SHA-256, and their texts."""

    def __init__(self, root: Path, *, verify_writes: bool = False) -> None:
        """Open the store at ``root`` (created on first write).

        Args:
            root: The GED folder (beside the database).
            verify_writes: Re-read each new object and check its hash (on a share).
        """
        self.root = root
        self.verify_writes = verify_writes
        self._made: set[Path] = set()

    # -- paths ------------------------------------------------------------------------------

    def object_path(self, sha256: str) -> Path:
        """Where the object of digest ``sha256`` lives."""
        return self.root / "objects" / sha256[:2] / sha256[2:4] / sha256

    def text_path(self, sha256: str) -> Path:
        """Where the extracted text of object ``sha256`` is cached."""
        return self.root / "text" / sha256[:2] / sha256[2:4] / f"{sha256}.txt.gz"

    def exists(self, sha256: str) -> bool:
        """Whether the object is present."""
        return self.object_path(sha256).is_file()

    def _ensure_dir(self, folder: Path) -> None:
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)

    def _new_part(self) -> Path:
        tmp = self.root / "tmp"
        self._ensure_dir(tmp)
        return tmp / f"{uuid.uuid4().hex}.part"

    # -- writing ----------------------------------------------------------------------------

    def _publish(self, part: Path, final: Path) -> bool:
        """Move a complete, synced ``part`` to ``final`` unless it already exists.

        Returns:
            Whether ``final`` already existed (the part was dropped: deduplication).
        """
        self._ensure_dir(final.parent)
        if final.exists():
            part.unlink(missing_ok=True)
            return True
        os.replace(part, final)
        return False

    def add_stream(self, source: BinaryIO) -> Stored:
        """Store what ``source`` reads; say whether the object was already there.

        The bytes are hashed while written to a ``.part`` file, synced, then
        renamed: a failure at any point leaves no object (only, after a crash,
        a ``.part`` file that :meth:`collect_garbage` removes).
        """
        digest = hashlib.sha256()
        size = 0
        part = self._new_part()
        try:
            with part.open("wb") as out:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            existed = self._publish(part, self.object_path(sha))
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        if self.verify_writes and not existed:
            self._verify_new(sha)
        return Stored(sha, size, existed)

    def put_stream(self, source: BinaryIO) -> tuple[str, int]:
        """Store what ``source`` reads; return (sha256, size)."""
        stored = self.add_stream(source)
        return stored.sha256, stored.size

    def add_file(self, path: Path) -> Stored:
        """Store the file at ``path`` (streamed: any size)."""
        with path.open("rb") as source:
            return self.add_stream(source)

    def put_file(self, path: Path) -> tuple[str, int]:
        """Store the file at ``path``; return (sha256, size)."""
        stored = self.add_file(path)
        return stored.sha256, stored.size

    def add_bytes(self, data: bytes) -> Stored:
        """Store ``data``; say whether it was already there. Safe from several threads."""
        sha = hashlib.sha256(data).hexdigest()
        final = self.object_path(sha)
        if final.exists():
            return Stored(sha, len(data), True)
        part = self._new_part()
        try:
            with part.open("wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            existed = self._publish(part, final)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        if self.verify_writes and not existed:
            self._verify_new(sha)
        return Stored(sha, len(data), existed)

    def put_bytes(self, data: bytes) -> str:
        """Store ``data``; return its sha256. Safe to call from several threads."""
        return self.add_bytes(data).sha256

    def write_text(self, sha256: str, text: str) -> None:
        """Cache the extracted text of object ``sha256`` (kept if already cached)."""
        final = self.text_path(sha256)
        if final.exists():
            return
        part = self._new_part()
        try:
            with part.open("wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5, mtime=0) as gz:
                    gz.write(text.encode("utf-8"))
                raw.flush()
                os.fsync(raw.fileno())
            self._publish(part, final)
        except BaseException:
            part.unlink(missing_ok=True)
            raise

    # -- reading ----------------------------------------------------------------------------

    def open(self, sha256: str) -> BinaryIO:
        """Open object ``sha256`` for reading (FileNotFoundError if missing)."""
        return self.object_path(sha256).open("rb")

    def read_bytes(self, sha256: str) -> bytes:
        """The whole content of object ``sha256``."""
        return self.object_path(sha256).read_bytes()

    def read_text(self, sha256: str) -> str | None:
        """The cached extracted text of ``sha256``, or None if not extracted (or unreadable)."""
        try:
            with gzip.open(self.text_path(sha256), "rb") as gz:
                return gz.read().decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError):
            return None

    def _verify_new(self, sha256: str) -> None:
        """Check an object just published (on a share); a bad copy is removed, never referenced."""
        try:
            self.verify(sha256)
        except IntegrityError:
            self.object_path(sha256).unlink(missing_ok=True)
            raise

    def verify(self, sha256: str) -> None:
        """Re-hash object ``sha256``; raise :class:`IntegrityError` if it does not match."""
        digest = hashlib.sha256()
        with self.open(sha256) as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(f"Objet GED altéré : {sha256}")

    def export(self, sha256: str, target: Path) -> Path:
        """Copy object ``sha256`` to ``target`` (e.g. to open it with another program)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.object_path(sha256), target)
        return target

    def iter_objects(self) -> Iterator[str]:
        """Every object digest present in the store."""
        objects = self.root / "objects"
        if not objects.is_dir():
            return
        for path in objects.glob("*/*/*"):
            if path.is_file() and len(path.name) == 64:
                yield path.name

    # -- garbage collection -----------------------------------------------------------------

    def collect_garbage(self, referenced: Iterable[str], *, now: float | None = None) -> int:
        """Remove unreferenced objects older than 7 days and ``.part`` files older than 24 h.

        Run only by the holder of the maintenance lease. Returns the number of files removed.
        """
        now = time.time() if now is None else now
        keep = set(referenced)
        removed = 0
        tmp = self.root / "tmp"
        if tmp.is_dir():
            for part in tmp.glob("*.part"):
                try:
                    if now - part.stat().st_mtime > PART_MAX_AGE:
                        part.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        for sha in list(self.iter_objects()):
            if sha in keep:
                continue
            path = self.object_path(sha)
            try:
                if now - path.stat().st_mtime > OBJECT_MIN_AGE:
                    path.unlink()
                    self.text_path(sha).unlink(missing_ok=True)
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
