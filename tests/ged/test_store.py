"""The content-addressed store: dedupe, atomic publish, texts, verification, garbage collection."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from microcrm.ged.store import OBJECT_MIN_AGE, PART_MAX_AGE, ContentStore, IntegrityError

ROOT = Path(__file__).resolve().parents[2]


def test_objects_are_named_by_hash_and_stored_once(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged")
    source = tmp_path / "devis.pdf"
    source.write_bytes(b"%PDF-1.4 contenu" * 1000)
    first = store.add_file(source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert (first.sha256, first.size, first.existed) == (digest, 16000, False)
    assert (
        store.object_path(digest)
        == tmp_path / "ged" / "objects" / digest[:2] / digest[2:4] / digest
    )
    assert store.add_bytes(source.read_bytes()).existed
    assert store.put_file(source) == (digest, 16000)
    assert store.put_stream(io.BytesIO(source.read_bytes())) == (digest, 16000)
    assert list(store.iter_objects()) == [digest]
    assert list((tmp_path / "ged" / "tmp").iterdir()) == []
    assert store.read_bytes(digest) == source.read_bytes() and store.exists(digest)


class _Failing(io.RawIOBase):
    """A source that breaks after some bytes (a network drive that goes away)."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.sent > 3 << 20:
            raise OSError("le partage ne répond plus")
        self.sent += 1 << 20
        return b"x" * (1 << 20)


def test_a_failed_copy_leaves_no_object_and_no_part(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged")
    with pytest.raises(OSError, match="partage"):
        store.add_stream(_Failing())  # type: ignore[arg-type]
    assert list(store.iter_objects()) == []
    assert list((tmp_path / "ged" / "tmp").iterdir()) == []


def test_kill_during_a_copy_leaves_a_part_that_gc_removes(tmp_path: Path) -> None:
    root = tmp_path / "ged"
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from microcrm.ged.store import ContentStore

        class Slow:
            def read(self, size=-1):
                time.sleep(0.05)
                sys.stdout.write("chunk\\n"); sys.stdout.flush()
                return b"y" * 65536

        ContentStore(Path({str(root)!r})).add_stream(Slow())
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for _ in range(5):
        proc.stdout.readline()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    store = ContentStore(root)
    parts = list((root / "tmp").glob("*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0
    assert list(store.iter_objects()) == []  # never a truncated object under its final name
    assert store.collect_garbage([]) == 0  # too young: maybe still being written
    assert store.collect_garbage([], now=time.time() + PART_MAX_AGE + 60) == 1
    assert list((root / "tmp").iterdir()) == []


def test_gc_keeps_referenced_and_recent_objects(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged")
    kept = store.put_bytes(b"reference")
    orphan = store.put_bytes(b"orphelin")
    young = store.put_bytes(b"tout juste classe")
    store.write_text(orphan, "texte de l'orphelin")
    old = time.time() - OBJECT_MIN_AGE - 60
    for sha in (kept, orphan):
        os.utime(store.object_path(sha), (old, old))
    assert store.collect_garbage([kept]) == 1
    assert sorted(store.iter_objects()) == sorted([kept, young])
    assert not store.text_path(orphan).exists()


def test_texts_are_cached_compressed_and_checked(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged")
    sha = store.put_bytes(b"objet")
    assert store.read_text(sha) is None
    store.write_text(sha, "Élève, œuvre, 1 250,00 €")
    assert store.read_text(sha) == "Élève, œuvre, 1 250,00 €"
    store.write_text(sha, "autre texte")  # kept: a text is written once per object
    assert store.read_text(sha) == "Élève, œuvre, 1 250,00 €"
    raw = store.text_path(sha).read_bytes()
    store.text_path(sha).write_bytes(raw[: len(raw) // 2])
    assert store.read_text(sha) is None  # a damaged cache reads as "not extracted"


def test_verify_detects_a_flipped_byte(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged", verify_writes=True)
    sha = store.put_bytes(b"contenu original " * 100)
    store.verify(sha)
    path = store.object_path(sha)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="altéré"):
        store.verify(sha)


def test_export_copies_the_object(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged")
    sha = store.put_bytes(b"lettre")
    target = store.export(sha, tmp_path / "ouvrir" / "Lettre à Zoé.docx")
    assert target.read_bytes() == b"lettre"


def test_concurrent_writers_of_the_same_content(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "ged")
    data = os.urandom(200_000)
    results: list[str] = []

    def write() -> None:
        results.append(store.put_bytes(data))

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and list(store.iter_objects()) == results[:1]
    assert list((tmp_path / "ged" / "tmp").iterdir()) == []
