"""The local index replica: reading documents, following the journal, rebuilding.

The index is derived data kept on each workstation (docs/storage.md §4.2).
``state.json`` in the replica folder records which database it mirrors
(``db_uuid``, ``restore_epoch``), the journal cursor ``last_seq`` and the
schema version; any mismatch means a rebuild.

A rebuild writes a fresh index into ``building/`` in chunks of documents,
each chunk committed as its own segments with ``cursor.json`` (the last
document id indexed) written after the commit, so a killed rebuild resumes
after its last committed chunk. Only when complete is ``building/`` swapped
in for ``index/``: searches keep using the old index meanwhile.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.multiproc import MpWriter
from whoosh.writing import SegmentWriter

from microcrm.db import Database
from microcrm.ged.index import SCHEMA_VERSION, DocRecord, add_documents, make_schema
from microcrm.ged.store import ContentStore
from microcrm.models import ChangeLog, Document, DocumentVersion, Dossier, Organisation, Person

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
INDEX_DIR = "index"
BUILD_DIR = "building"
CURSOR_FILE = "cursor.json"
#: Documents per committed rebuild chunk (bounded memory, resume granularity).
REBUILD_CHUNK = 25_000
#: Documents read from the database and the text cache at once.
READ_BATCH = 500
#: Whoosh writer settings of a rebuild (docs/ged-search.md §2: < 1 GB on 2 cores).
REBUILD_PROCS = 2
REBUILD_LIMITMB = 128
#: Journal entities that change what the index holds.
INDEXED_ENTITIES = ("document", "dossier", "organisation", "person")

Progress = Callable[[int, int, str], None]


@dataclass
class ReplicaState:
    """What ``state.json`` records about a replica."""

    db_uuid: str
    restore_epoch: str
    last_seq: int
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def load(cls, path: Path) -> ReplicaState | None:
        """The state in ``path``, or None if missing or unreadable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                str(data["db_uuid"]),
                str(data["restore_epoch"]),
                int(data["last_seq"]),
                int(data["schema_version"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, path: Path) -> None:
        """Write atomically (temp file, fsync, rename)."""
        write_json(path, asdict(self))

    def matches(self, other: ReplicaState) -> bool:
        """Same database, same restore epoch, same schema."""
        return (self.db_uuid, self.restore_epoch, self.schema_version) == (
            other.db_uuid,
            other.restore_epoch,
            other.schema_version,
        )


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def database_state(db: Database) -> ReplicaState:
    """The identity of ``db`` and its newest journal seq, as a replica state."""
    with db.read() as session:
        seq = int(session.scalar(select(func.coalesce(func.max(ChangeLog.seq), 0))) or 0)
    return ReplicaState(db.meta("db_uuid") or "", db.meta("restore_epoch") or "0", seq)


# -- reading documents ----------------------------------------------------------------------


def _dossier_paths(session: Session, dossier_ids: Iterable[int]) -> dict[int, str]:
    """``"Factures / 2025"`` for each dossier id, walking up the parents."""
    names: dict[int, tuple[str, int | None]] = {}
    todo = set(dossier_ids)
    while todo:
        rows = session.execute(
            select(Dossier.id, Dossier.name, Dossier.parent_id).where(Dossier.id.in_(todo))
        ).all()
        for row in rows:
            names[row.id] = (row.name, row.parent_id)
        todo = {r.parent_id for r in rows if r.parent_id is not None} - names.keys()
    paths: dict[int, str] = {}
    for start in dossier_ids:
        parts, seen = [], set()
        node: int | None = start
        while node is not None and node in names and node not in seen:
            seen.add(node)
            name, parent = names[node]
            parts.append(name)
            node = parent
        paths[start] = " / ".join(reversed(parts))
    return paths


def _record_query() -> Any:
    version = and_(
        DocumentVersion.document_id == Document.id,
        DocumentVersion.number == Document.current_version,
    )
    return (
        select(
            Document.id,
            Document.organisation_id,
            Document.dossier_id,
            Document.title,
            Document.doc_type,
            Document.tags,
            Document.doc_date,
            Organisation.name.label("org_name"),
            Person.first_name,
            Person.last_name,
            DocumentVersion.sha256,
            DocumentVersion.filename,
        )
        .outerjoin(Organisation, Organisation.id == Document.organisation_id)
        .outerjoin(Person, Person.id == Document.person_id)
        .outerjoin(DocumentVersion, version)
        .where(Document.deleted_at.is_(None))
    )


def owner_name(org_name: str | None, first_name: str | None, last_name: str | None) -> str:
    """The client a document belongs to: its organisation, else its person."""
    if org_name:
        return org_name
    return " ".join(p for p in (first_name, last_name) if p)


def _records(session: Session, store: ContentStore, rows: list[Any]) -> list[DocRecord]:
    paths = _dossier_paths(session, {r.dossier_id for r in rows if r.dossier_id is not None})
    out = []
    for r in rows:
        text = (store.read_text(r.sha256) if r.sha256 else None) or ""
        out.append(
            DocRecord(
                document_id=r.id,
                organisation_id=r.organisation_id,
                client=owner_name(r.org_name, r.first_name, r.last_name),
                dossier=paths.get(r.dossier_id, "") if r.dossier_id is not None else "",
                title=r.title or "",
                doc_type=r.doc_type or "",
                tags=r.tags or "",
                doc_date_key=date_key(r.doc_date) if r.doc_date else None,
                filename=r.filename or "",
                text=text,
            )
        )
    return out


def date_key(day: Any) -> int:
    """``2025-03-14`` → ``20250314``: the numeric date the index holds."""
    return int(day.year) * 10000 + int(day.month) * 100 + int(day.day)


def load_records(db: Database, store: ContentStore, ids: Iterable[int]) -> list[DocRecord]:
    """Records of the live (not trashed) documents among ``ids``."""
    wanted = sorted(set(ids))
    out: list[DocRecord] = []
    for start in range(0, len(wanted), READ_BATCH):
        part = wanted[start : start + READ_BATCH]
        with db.read() as session:
            rows = session.execute(_record_query().where(Document.id.in_(part))).all()
            out.extend(_records(session, store, list(rows)))
    return out


def iter_records(
    db: Database, store: ContentStore, after_id: int, limit: int
) -> Iterator[list[DocRecord]]:
    """Live documents with id > ``after_id``, in id order, ``READ_BATCH`` at a time."""
    last, left = after_id, limit
    while left > 0:
        with db.read() as session:
            rows = session.execute(
                _record_query()
                .where(Document.id > last)
                .order_by(Document.id)
                .limit(min(READ_BATCH, left))
            ).all()
            if not rows:
                return
            batch = _records(session, store, list(rows))
        last = rows[-1].id
        left -= len(rows)
        yield batch


def count_live(db: Database, after_id: int = 0) -> int:
    """Live documents with id > ``after_id``."""
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Document)
                .where(Document.deleted_at.is_(None), Document.id > after_id)
            )
            or 0
        )


# -- following the journal -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JournalBatch:
    """Journal rows after a cursor that concern the index."""

    last_seq: int
    documents: frozenset[int]
    dossiers: frozenset[int]
    organisations: frozenset[int]
    persons: frozenset[int]
    gap: bool
    """True when rows after the cursor were pruned: only a rebuild is safe."""


def read_journal(db: Database, since: int, limit: int = 20_000) -> JournalBatch:
    """Index-relevant changes after ``since`` (at most ``limit`` journal rows)."""
    with db.read() as session:
        oldest = session.scalar(select(func.min(ChangeLog.seq)))
        rows = session.execute(
            select(ChangeLog.seq, ChangeLog.entity, ChangeLog.entity_id)
            .where(ChangeLog.seq > since)
            .order_by(ChangeLog.seq)
            .limit(limit)
        ).all()
    found: dict[str, set[int]] = {name: set() for name in INDEXED_ENTITIES}
    for row in rows:
        if row.entity in found:
            found[row.entity].add(row.entity_id)
    gap = oldest is not None and since > 0 and int(oldest) > since + 1
    return JournalBatch(
        rows[-1].seq if rows else since,
        frozenset(found["document"]),
        frozenset(found["dossier"]),
        frozenset(found["organisation"]),
        frozenset(found["person"]),
        gap,
    )


def documents_touched(db: Database, batch: JournalBatch) -> set[int]:
    """Documents to re-index for a journal batch (dossier and client renames included).

    Documents of a dossier (and of its sub-dossiers) and of a client are
    re-read whatever changed in them: a rename changes their path or client.
    """
    docs = set(batch.documents)
    with db.read() as session:
        dossiers = set(batch.dossiers)
        frontier = set(dossiers)
        while frontier:
            children = set(
                session.scalars(select(Dossier.id).where(Dossier.parent_id.in_(frontier)))
            )
            frontier = children - dossiers
            dossiers |= children
        if dossiers:
            docs.update(
                session.scalars(select(Document.id).where(Document.dossier_id.in_(dossiers)))
            )
        if batch.organisations:
            docs.update(
                session.scalars(
                    select(Document.id).where(Document.organisation_id.in_(batch.organisations))
                )
            )
        if batch.persons:
            docs.update(
                session.scalars(select(Document.id).where(Document.person_id.in_(batch.persons)))
            )
    return docs


# -- rebuilding ------------------------------------------------------------------------------


def _safe_procs(procs: int) -> int:
    """``procs``, or 1 where the writer processes would be forked from a threaded process.

    Whoosh starts its writers with the default start method: ``fork`` on Linux.
    Forking a process that runs other threads (the GUI: Qt, workers) copies
    locks held by those threads and can hang the child; the command line
    (``ged reindex``) has one thread and keeps both cores.
    """
    forks = multiprocessing.get_context().get_start_method() == "fork"
    return 1 if procs > 1 and forks and threading.active_count() > 1 else procs


def _writer(ix: Index, procs: int, limitmb: int) -> SegmentWriter:
    procs = _safe_procs(procs)
    if procs > 1:
        return MpWriter(ix, procs=procs, multisegment=True, limitmb=limitmb, batchsize=200)
    return ix.writer(limitmb=limitmb)


def build_index(
    folder: Path,
    db: Database,
    store: ContentStore,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk: int = REBUILD_CHUNK,
    procs: int = REBUILD_PROCS,
    limitmb: int = REBUILD_LIMITMB,
    optimize: bool = False,
) -> int | None:
    """Build a fresh index in ``folder/building``, resuming a previous attempt if any.

    Each chunk is written by ``procs`` writer processes, each making its own
    segment (``multisegment``: the parent never merges them single-handed).
    The segments are left as they are (``optimize`` merges them at the end:
    a full rewrite of every posting: still running 3.5 min after a 5-min build
    of 100,000 documents, measured);
    :meth:`~microcrm.ged.search.SearchEngine.merge_segments` can merge them
    later, when the workstation is idle.

    Returns:
        The number of documents indexed, or None when cancelled (the
        committed chunks stay, so the next call resumes).
    """
    target = folder / BUILD_DIR
    cursor_path = target / CURSOR_FILE
    current = database_state(db)
    cursor = _load_cursor(cursor_path, current)
    if cursor is None:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        whoosh_index.create_in(str(target), make_schema())
        cursor = {**asdict(current), "after_id": 0, "done": 0}
        write_json(cursor_path, cursor)
    ix = whoosh_index.open_dir(str(target))
    try:
        after_id, done = int(cursor["after_id"]), int(cursor["done"])
        total = done + count_live(db, after_id)
        if progress:
            progress(done, total, "Indexation des documents")
        while True:
            if cancelled and cancelled():
                return None
            writer = _writer(ix, procs, limitmb)
            added, last_id = 0, after_id
            try:
                for batch in iter_records(db, store, after_id, chunk):
                    added += add_documents(writer, batch, update=False)
                    last_id = batch[-1].document_id
                    if progress:
                        progress(done + added, total, "Indexation des documents")
            except BaseException:
                writer.cancel()
                raise
            if not added:
                writer.cancel()
                break
            writer.commit(merge=False)
            after_id, done = last_id, done + added
            cursor.update(after_id=after_id, done=done)
            write_json(cursor_path, cursor)
        if progress:
            progress(done, max(total, done), "Fusion des segments")
        if optimize and len(ix._segments()) > 1:
            ix.optimize()
    finally:
        ix.close()
    return int(cursor["done"])


def _load_cursor(path: Path, current: ReplicaState) -> dict[str, Any] | None:
    """The cursor of an interrupted rebuild of the same database, if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = ReplicaState(
            str(data["db_uuid"]),
            str(data["restore_epoch"]),
            int(data["last_seq"]),
            int(data["schema_version"]),
        )
        int(data["after_id"])
        int(data["done"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not state.matches(current):
        return None
    # A resumed build must be openable; a chunk killed mid-commit leaves it intact.
    try:
        whoosh_index.open_dir(str(path.parent)).close()
    except Exception:
        return None
    return dict(data)


def install_build(folder: Path) -> ReplicaState:
    """Swap the finished ``building/`` in as ``index/``; returns its state (journal cursor)."""
    target = folder / BUILD_DIR
    data = json.loads((target / CURSOR_FILE).read_text(encoding="utf-8"))
    state = ReplicaState(str(data["db_uuid"]), str(data["restore_epoch"]), int(data["last_seq"]))
    (target / CURSOR_FILE).unlink()
    live, old = folder / INDEX_DIR, folder / "index.old"
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        os.replace(live, old)
    os.replace(target, live)
    state.save(folder / STATE_FILE)
    shutil.rmtree(old, ignore_errors=True)
    return state
