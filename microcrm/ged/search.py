"""GED full-text search: the one small interface the rest of the app uses.

:class:`SearchEngine` hides the engine (a local Whoosh replica, see
:mod:`microcrm.ged.replica`): nothing outside ``microcrm.ged`` knows it is
Whoosh. Open it from a background thread (opening may rebuild); then
:meth:`SearchEngine.search` may be called from a worker thread while
:meth:`SearchEngine.catch_up` applies the journal: one lock serialises them,
and there is one writer per replica.

Speed (docs/ged-search.md §2, §3): one searcher opened once and reopened after
commits; a ranking without per-document length lookups whose block bounds
let the collector skip whatever cannot enter the top hits; filters (client,
type, dossier, date) required but not scored, so that skipping still works;
searches of filters only list the latest filed without scoring; counts
exact only up to :data:`EXACT_COUNT_LIMIT` (above, an estimate); a time
limit that answers with the best hits found so far; a small LRU of results
cleared by every commit; snippets built from the text cache for the hits
shown only; small updates committed without merging, small segments merged
when they pile up, all of them by :meth:`SearchEngine.merge_segments` when
the workstation is idle.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import and_, select
from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.index import Index
from whoosh.query import And, Query, Term
from whoosh.searching import Searcher

from microcrm.db import Database
from microcrm.ged import replica
from microcrm.ged.index import DocRecord, add_documents, make_schema
from microcrm.ged.query import ParsedQuery, QuerySyntaxError, Require, parse_query
from microcrm.ged.ranking import RANKING
from microcrm.ged.snippets import has_phrases, make_snippet
from microcrm.ged.store import ContentStore
from microcrm.models import Document, DocumentVersion, Organisation, Person

__all__ = ["QuerySyntaxError", "SearchEngine", "SearchHit", "SearchResults"]

log = logging.getLogger(__name__)

EXACT_COUNT_LIMIT: Final = 1000
"""Above this many hits the total is an estimate (an exact count costs a second pass)."""
CACHE_SIZE: Final = 64
MAX_SEGMENTS: Final = 12
"""More segments than this after a commit: small ones are merged."""
TIME_LIMIT: Final = 1.2
"""Seconds after which a search stops collecting and shows the best hits found so far."""
WRITE_TIMEOUT: Final = 30.0


@dataclass(frozen=True)
class SearchHit:
    """One document found; ``snippet`` is HTML-escaped text with matches in ``<b>…</b>``."""

    document_id: int
    organisation_id: int | None
    client: str
    dossier: str
    title: str
    doc_type: str
    doc_date: date | None
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchResults:
    """The hits shown and how many documents match in all."""

    hits: list[SearchHit]
    total: int
    total_is_estimate: bool
    took_ms: float
    query: str


class SearchEngine:
    """The GED's search engine over a local replica of the database's documents."""

    def __init__(
        self,
        folder: Path,
        db: Database,
        store: ContentStore,
        state: replica.ReplicaState,
        ix: Index | None = None,
    ) -> None:
        """Use :meth:`open`."""
        self.folder = folder
        self._db = db
        self._store = store
        self._state = state
        self._lock = threading.RLock()
        self._ix: Index | None = None
        self._searcher: Searcher | None = None
        self._cache: OrderedDict[tuple[str, int | None, int], SearchResults] = OrderedDict()
        self.rebuilt_on_open = False
        """True when :meth:`open` had to rebuild the replica."""
        self._open_index(ix)

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: Path,
        db: Database,
        store: ContentStore,
        *,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> SearchEngine:
        """Open the replica in ``folder``, rebuilding it when missing, corrupt or stale.

        Stale means: built for another database, before a backup restore
        (``restore_epoch``), with another schema, or its journal cursor points
        before rows already pruned. Slow in that case (``progress`` reports
        the rebuild; :attr:`rebuilt_on_open` tells it happened): call it off
        the GUI thread. A rebuild killed earlier resumes where it stopped.
        """
        folder.mkdir(parents=True, exist_ok=True)
        current = replica.database_state(db)
        state = replica.ReplicaState.load(folder / replica.STATE_FILE)
        ix = None
        if (
            state is not None
            and state.matches(current)
            and not replica.read_journal(db, state.last_seq, 1).gap
        ):
            ix = _open_checked(folder)
        if ix is None or state is None:
            log.info("GED index in %s missing or stale: rebuilding", folder)
            state = _rebuild(folder, db, store, progress, None)
            assert state is not None
        engine = cls(folder, db, store, state, ix)
        engine.rebuilt_on_open = ix is None
        engine.catch_up()
        return engine

    def _open_index(self, ix: Index | None = None) -> None:
        self._ix = ix or whoosh_index.open_dir(str(self.folder / replica.INDEX_DIR))
        self._searcher = self._ix.searcher(weighting=RANKING)

    def close(self) -> None:
        """Release the searcher and the index files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    def document_count(self) -> int:
        """Documents in the index."""
        with self._lock:
            return int(self._require_searcher().doc_count())

    @property
    def last_seq(self) -> int:
        """The journal sequence number the replica is current with."""
        return self._state.last_seq

    def _require_searcher(self) -> Searcher:
        if self._searcher is None:
            raise RuntimeError("SearchEngine is closed")
        return self._searcher

    # -- searching ----------------------------------------------------------------------------

    def search(
        self, query: str, *, organisation_id: int | None = None, limit: int = 20
    ) -> SearchResults:
        """The ``limit`` best documents for ``query`` (inside one client if given).

        Raises:
            QuerySyntaxError: the query cannot be understood (French message).
        """
        started = time.perf_counter()
        key = (query.strip(), organisation_id, limit)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            parsed = parse_query(query)
            q = parsed.query
            if organisation_id is not None:
                scope = Term("org", str(organisation_id))
                q = Require(q, scope) if parsed.scored else And([scope, q])
            searcher = self._require_searcher()
            hits, total, estimate = self._run(searcher, q, parsed, limit)
        took = (time.perf_counter() - started) * 1000
        results = SearchResults(hits, total, estimate, took, query)
        with self._lock:
            self._cache[key] = results
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return results

    def _run(
        self, searcher: Searcher, q: Query, parsed: ParsedQuery, limit: int
    ) -> tuple[list[SearchHit], int, bool]:
        fetch = max(limit * 3 if parsed.phrases else limit, 1)
        if not parsed.scored:
            newest, total = _newest(searcher, q, fetch)
            found = [(int(searcher.stored_fields(n)["id"]), 0.0) for n in newest]
            hits = self._hits(found, parsed)
            return hits[:limit], max(total, len(hits)), False
        child = searcher.collector(limit=fetch)
        collector = TimeLimitCollector(child, timelimit=TIME_LIMIT, use_alarm=False)
        timed_out = False
        try:
            searcher.search_with_collector(q, collector)
        except TimeLimit:
            timed_out = True
        results = collector.results()
        found = [(int(hit["id"]), float(hit.score or 0.0)) for hit in results]
        if timed_out:
            total, estimate = max(int(results.estimated_length()), len(found)), True
        elif results.has_exact_length():
            total, estimate = len(results), False
        elif len(found) < fetch:
            # Fewer hits than asked: the collector's heap never filled, so it
            # skipped nothing and saw every match.
            total, estimate = len(found), False
        else:
            total, estimate = _count(searcher, q, results)
        hits = self._hits(found, parsed)
        if parsed.phrases and len(hits) < len(found):
            total, estimate = max(len(hits), total - (len(found) - len(hits))), True
        return hits[:limit], max(total, len(hits[:limit])), estimate

    def _hits(self, found: list[tuple[int, float]], parsed: ParsedQuery) -> list[SearchHit]:
        """Hits for document ids, read from the database (current names, trash excluded)."""
        if not found:
            return []
        rows = _display_rows(self._db, [doc_id for doc_id, _ in found])
        hits = []
        for doc_id, score in found:
            row = rows.get(doc_id)
            if row is None:
                continue  # trashed since the last catch-up
            text = (self._store.read_text(row["sha256"]) if row["sha256"] else None) or ""
            if parsed.phrases and not has_phrases(f"{row['title']} {text}", parsed.phrases):
                continue
            hits.append(
                SearchHit(
                    document_id=doc_id,
                    organisation_id=row["organisation_id"],
                    client=row["client"],
                    dossier=row["dossier"],
                    title=row["title"],
                    doc_type=row["doc_type"],
                    doc_date=row["doc_date"],
                    score=score,
                    snippet=make_snippet(text or row["title"], parsed.terms, parsed.prefixes),
                )
            )
        return hits

    # -- keeping current ----------------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply the journal rows after the replica's cursor; returns documents updated.

        A gap in the journal (rows pruned after the cursor) means a rebuild.
        """
        updated = 0
        with self._lock:
            while True:
                batch = replica.read_journal(self._db, self._state.last_seq)
                if batch.gap:
                    self.rebuild()
                    return self.document_count()
                if batch.last_seq == self._state.last_seq:
                    return updated
                touched = replica.documents_touched(self._db, batch)
                if touched:
                    updated += self._apply(touched, batch)
                self._state.last_seq = batch.last_seq
                self._state.save(self.folder / replica.STATE_FILE)

    def _apply(self, doc_ids: set[int], batch: replica.JournalBatch) -> int:
        records = replica.load_records(self._db, self._store, doc_ids)
        if batch.organisations and not (batch.documents or batch.dossiers or batch.persons):
            records = self._renamed_only(records)
            if not records:
                return 0
        assert self._ix is not None
        writer = self._ix.writer(timeout=WRITE_TIMEOUT)
        try:
            live = {r.document_id for r in records}
            for gone in doc_ids - live:
                writer.delete_by_term("id", str(gone))
            add_documents(writer, records, update=True)
        except BaseException:
            writer.cancel()
            raise
        merge = len(self._ix._segments()) >= MAX_SEGMENTS
        writer.commit(merge=merge)
        self._refresh()
        return len(doc_ids)

    def _renamed_only(self, records: list[DocRecord]) -> list[DocRecord]:
        """Drop the documents whose client name did not change (client edits are frequent)."""
        searcher = self._require_searcher()
        out = []
        for rec in records:
            stored = searcher.document(id=str(rec.document_id))
            if stored is None or stored.get("client_name") != rec.client:
                out.append(rec)
        return out

    def _refresh(self) -> None:
        """A new searcher on the latest commit.

        Not ``Searcher.refresh()``: it reuses the reader of every segment it
        already knew, with that segment's *old* deletions, so a trashed or
        updated document would still be found.
        """
        self._cache.clear()
        assert self._ix is not None
        old = self._require_searcher()
        self._searcher = self._ix.searcher(weighting=RANKING)
        old.close()

    def merge_segments(self) -> None:
        """Merge all segments into one (idle time); searches keep their searcher meanwhile."""
        with self._lock:
            assert self._ix is not None
            if len(self._ix._segments()) > 1:
                self._ix.optimize()
                self._refresh()

    def rebuild(
        self,
        *,
        progress: Callable[[int, int, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """Rebuild the replica from the database, in chunks; resumes a killed rebuild.

        Searches keep answering from the old index until the new one is swapped in.

        Returns:
            Documents indexed (0 when cancelled: the next rebuild resumes).
        """
        state = _rebuild(self.folder, self._db, self._store, progress, cancelled, swap=self._swap)
        if state is None:
            return 0
        self.catch_up()
        return self.document_count()

    def _swap(self) -> replica.ReplicaState:
        with self._lock:
            self.close()
            state = replica.install_build(self.folder)
            self._state = state
            self._cache.clear()
            self._open_index()
            return state


def _rebuild(
    folder: Path,
    db: Database,
    store: ContentStore,
    progress: Callable[[int, int, str], None] | None,
    cancelled: Callable[[], bool] | None,
    *,
    swap: Callable[[], replica.ReplicaState] | None = None,
) -> replica.ReplicaState | None:
    done = replica.build_index(folder, db, store, progress=progress, cancelled=cancelled)
    if done is None:
        return None
    return swap() if swap else replica.install_build(folder)


def _open_checked(folder: Path) -> Index | None:
    """The replica's index if it opens and reads, else None (and its files removed).

    Cheap checks that touch every segment (a truncated segment file fails
    them): schema, stored fields at both ends, the first terms of the big
    fields, one term lookup.
    """
    path = folder / replica.INDEX_DIR
    if not path.is_dir():
        return None
    ix: Index | None = None
    try:
        ix = whoosh_index.open_dir(str(path))
        if sorted(ix.schema.names()) != sorted(make_schema().names()):
            raise ValueError("schéma différent")
        with ix.searcher() as searcher:
            total = searcher.doc_count_all()
            for docnum in {0, total // 2, total - 1} if total else ():
                searcher.stored_fields(docnum)
            reader = searcher.reader()
            for name in ("body", "pair"):
                for _ in zip(range(3), reader.lexicon(name), strict=False):
                    pass
            searcher.search(Term("id", "0"), limit=1)
        return ix
    except Exception as exc:
        log.warning("GED index in %s unreadable (%s): rebuilding", folder, exc)
        if ix is not None:
            try:
                ix.close()
            except Exception:
                log.debug("closing the broken index failed", exc_info=True)
        shutil.rmtree(path, ignore_errors=True)
        return None


def _newest(searcher: Searcher, q: Query, fetch: int) -> tuple[list[int], int]:
    """The ``fetch`` most recently indexed matches (newest first) and the exact count.

    For searches without ranking words (filters, exclusions only): documents
    are indexed in filing order and new ones land in the last segments, so
    the highest document numbers are the latest filed. One walk of the
    matches, no scoring and no sort.
    """
    found: list[int] = []
    total = 0
    for sub, offset in reversed(searcher.leaf_searchers()):
        matcher = q.matcher(sub, sub.boolean_context())
        ids = []
        while matcher.is_active():
            ids.append(matcher.id())
            matcher.next()
        total += len(ids)
        need = fetch - len(found)
        if need > 0 and ids:
            found.extend(offset + docnum for docnum in reversed(ids[-need:]))
    return found, total


def _count(searcher: Searcher, q: Query, results: Any) -> tuple[int, bool]:
    """Exact count up to :data:`EXACT_COUNT_LIMIT` matches, else Whoosh's estimate.

    Walks the matchers (intersections leapfrog on their skip lists) rather
    than ``docs_for_query``, whose intersection builds a set of every id of
    both sides.
    """
    count = 0
    for sub, _offset in searcher.leaf_searchers():
        matcher = q.matcher(sub, sub.boolean_context())
        while matcher.is_active():
            count += 1
            if count > EXACT_COUNT_LIMIT:
                return max(int(results.estimated_length()), count), True
            matcher.next()
    return count, False


def _display_rows(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    version = and_(
        DocumentVersion.document_id == Document.id,
        DocumentVersion.number == Document.current_version,
    )
    with db.read() as session:
        rows = session.execute(
            select(
                Document.id,
                Document.organisation_id,
                Document.dossier_id,
                Document.title,
                Document.doc_type,
                Document.doc_date,
                Organisation.name.label("org_name"),
                Person.first_name,
                Person.last_name,
                DocumentVersion.sha256,
            )
            .outerjoin(Organisation, Organisation.id == Document.organisation_id)
            .outerjoin(Person, Person.id == Document.person_id)
            .outerjoin(DocumentVersion, version)
            .where(Document.id.in_(ids), Document.deleted_at.is_(None))
        ).all()
        paths = replica._dossier_paths(
            session, {r.dossier_id for r in rows if r.dossier_id is not None}
        )
    return {
        r.id: {
            "organisation_id": r.organisation_id,
            "client": replica.owner_name(r.org_name, r.first_name, r.last_name),
            "dossier": paths.get(r.dossier_id, "") if r.dossier_id is not None else "",
            "title": r.title or "",
            "doc_type": r.doc_type or "",
            "doc_date": r.doc_date,
            "sha256": r.sha256,
        }
        for r in rows
    }
