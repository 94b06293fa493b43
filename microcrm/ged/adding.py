"""Filing files one by one into a client's dossiers (drops, ``ged add``, the inbox).

Rules, in the order they apply to each file:

1. the bytes go to the content store (a file already there is deduplicated);
2. the text is extracted in a worker process, unless the store has it cached,
   and cached beside the object;
3. the type (unless given) is guessed from the name and text, the date from
   the text, else the file's modification date;
4. the dossier is the one given (by id or by name, created if missing), else
   the default dossier of the type ("Factures" for a facture…), else "Divers";
5. a live document of that dossier whose current file has the same name
   (case and accents aside) gets a new version, unless its current version
   has the same content (nothing new); otherwise a new document is created.

Steps 1–3 run outside any transaction; step 4–5 in one short write
transaction per batch of :data:`CHUNK` files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.ged.catalog import dossier_paths
from microcrm.ged.classify import dossier_for_type, guess_doc_date, guess_doc_type
from microcrm.ged.dossiers import default_dossiers_in
from microcrm.ged.extract import Extraction, Extractor
from microcrm.ged.filing import Owner, check_owner, mime_type_of, top_dossier
from microcrm.ged.records import AddResult
from microcrm.ged.store import ContentStore, Stored
from microcrm.models import Document, DocumentVersion, Dossier, Organisation, Person, utcnow
from microcrm.text import fold

Progress = Callable[[int, int, str], None]

CHUNK: Final = 50
"""Files written per transaction: short enough for a shared drive's lock."""


class Filer(Protocol):
    """What a filing needs from the GED service (:class:`microcrm.ged.service.Ged`)."""

    @property
    def db(self) -> Database: ...

    @property
    def store(self) -> ContentStore: ...

    @property
    def extractor(self) -> Extractor: ...

    @property
    def user_id(self) -> int | None: ...

    def store_object(self, item_path: Path | None, data: bytes | None) -> Stored: ...


@dataclass(frozen=True, slots=True)
class Incoming:
    """A file to file: its name, and its path on disk or its bytes."""

    filename: str
    path: Path | None
    data: bytes | None


@dataclass(frozen=True, slots=True)
class _Ready:
    """A file stored and read, waiting for its rows."""

    item: Incoming
    stored: Stored
    extraction: Extraction
    doc_type: str
    doc_date: dt.date | None


class Filing:
    """One filing request (a drop, a ``ged add``): where the files go and how they are typed."""

    def __init__(
        self,
        ged: Filer,
        *,
        organisation_id: int | None,
        person_id: int | None,
        dossier_id: int | None,
        dossier_name: str | None,
        doc_type: str | None,
        tags: str,
    ) -> None:
        self.ged = ged
        self.dossier_id = dossier_id
        self.dossier_name = dossier_name
        self.doc_type = doc_type.strip() if doc_type else None
        self.tags = tags
        self.owner = self._resolve_owner(organisation_id, person_id, dossier_id)

    def _resolve_owner(
        self, organisation_id: int | None, person_id: int | None, dossier_id: int | None
    ) -> Owner:
        with self.ged.db.read() as s:
            if dossier_id is not None:
                dossier = s.get(Dossier, dossier_id)
                if dossier is None or dossier.deleted_at is not None:
                    raise NotFoundError("Dossier", dossier_id)
                owner = check_owner(dossier.organisation_id, dossier.person_id)
                if organisation_id is not None and organisation_id != owner[0]:
                    raise ValidationError("dossier", "Ce dossier appartient à un autre client.")
                return owner
            owner = check_owner(organisation_id, person_id)
            org, person = owner
            row: Organisation | Person | None = (
                s.get(Organisation, org) if org is not None else s.get(Person, person)
            )
            if row is None or row.deleted_at is not None:
                raise NotFoundError("Client" if org is not None else "Personne", org or person)
        return owner

    def run(
        self,
        items: Sequence[Incoming],
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> list[AddResult]:
        """File ``items`` batch by batch; stops (keeping committed batches) when cancelled."""
        results: list[AddResult] = []
        total = len(items)
        for start in range(0, total, CHUNK):
            batch = items[start : start + CHUNK]
            ready = self._prepare(batch, start, total, progress, cancelled)
            if ready is None:
                break
            results.extend(self.ged.db.run_write(partial(self._write, ready=ready)))
            if progress:
                progress(len(results), total, "Classement")
        return results

    def _prepare(
        self,
        batch: Sequence[Incoming],
        offset: int,
        total: int,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
    ) -> list[_Ready] | None:
        """Store and read a batch (outside any transaction); None if cancelled meanwhile."""
        store = self.ged.store
        stored: list[Stored] = []
        for done, item in enumerate(batch, start=offset):
            if cancelled and cancelled():
                return None
            stored.append(self.ged.store_object(item.path, item.data))
            if progress:
                progress(done, total, f"Copie de {item.filename}")
        cached = [store.read_text(s.sha256) for s in stored]
        jobs = [
            (store.object_path(s.sha256), i.filename)
            for s, i, c in zip(stored, batch, cached, strict=True)
            if c is None
        ]
        extracted = iter(list(self.ged.extractor.map(jobs)) if jobs else [])
        ready = []
        for item, obj, text in zip(batch, stored, cached, strict=True):
            found = Extraction(text, None) if text is not None else next(extracted)
            if text is None and found.note is None:
                store.write_text(obj.sha256, found.text)
            if cancelled and cancelled():
                return None
            ready.append(
                _Ready(
                    item,
                    obj,
                    found,
                    self.doc_type or guess_doc_type(item.filename, found.text),
                    guess_doc_date(found.text) or _mtime_date(item.path),
                )
            )
        return ready

    def _dossier_for(self, session: Session, doc_type: str) -> int:
        if self.dossier_id is not None:
            dossier = session.get(Dossier, self.dossier_id)
            if dossier is None or dossier.deleted_at is not None:
                raise NotFoundError("Dossier", self.dossier_id)
            return self.dossier_id
        if self.dossier_name:
            return top_dossier(session, self.owner, self.dossier_name)
        return top_dossier(
            session, self.owner, dossier_for_type(doc_type, default_dossiers_in(session))
        )

    def _write(self, session: Session, ready: list[_Ready]) -> list[AddResult]:
        """Rows of one batch (idempotent: ``run_write`` may run it again)."""
        results = []
        for r in ready:
            dossier_id = self._dossier_for(session, r.doc_type)
            results.append(self._file_one(session, r, dossier_id))
        paths = dossier_paths(session, {r.dossier_id for r in results})
        return [replace(r, dossier_path=paths.get(r.dossier_id or 0, "")) for r in results]

    def _file_one(self, session: Session, r: _Ready, dossier_id: int) -> AddResult:
        user = self.ged.user_id
        now = utcnow()
        path = r.item.path or Path(r.item.filename)
        title = Path(r.item.filename).stem or r.item.filename
        existing = self._same_name(session, dossier_id, r.item.filename)
        if existing is not None:
            doc, current = existing
            if current.sha256 == r.stored.sha256:
                return AddResult(
                    doc.id,
                    doc.current_version,
                    False,
                    True,
                    current.extraction_note,
                    path,
                    dossier_id,
                    unchanged=True,
                )
            doc.current_version += 1
            number = doc.current_version
        else:
            doc = Document(
                dossier_id=dossier_id,
                organisation_id=self.owner[0],
                person_id=self.owner[1],
                title=title[:255],
                doc_type=r.doc_type[:32],
                tags=self.tags,
                doc_date=r.doc_date,
                filed_by=user,
                filed_at=now,
                current_version=1,
            )
            session.add(doc)
            session.flush()
            number = 1
        session.add(
            DocumentVersion(
                document_id=doc.id,
                number=number,
                sha256=r.stored.sha256,
                size=r.stored.size,
                filename=r.item.filename[:255],
                mime_type=mime_type_of(r.item.filename),
                created_at=now,
                created_by=user,
                extraction_note=r.extraction.note,
            )
        )
        session.flush()
        return AddResult(
            doc.id, number, existing is None, r.stored.existed, r.extraction.note, path, dossier_id
        )

    @staticmethod
    def _same_name(
        session: Session, dossier_id: int, filename: str
    ) -> tuple[Document, DocumentVersion] | None:
        """The live document of the dossier whose current file has the same name."""
        rows = (
            session.execute(
                select(DocumentVersion.id, DocumentVersion.filename)
                .join(
                    Document,
                    (DocumentVersion.document_id == Document.id)
                    & (DocumentVersion.number == Document.current_version),
                )
                .where(Document.dossier_id == dossier_id, Document.deleted_at.is_(None))
            )
            .tuples()
            .all()
        )
        key = fold(filename)
        for version_id, name in rows:
            if fold(name) == key:
                version = session.get(DocumentVersion, version_id)
                assert version is not None
                doc = session.get(Document, version.document_id)
                assert doc is not None
                return doc, version
        return None


def _mtime_date(path: Path | None) -> dt.date | None:
    if path is None:
        return dt.date.today()  # noqa: DTZ011 - the user's calendar day
    return dt.datetime.fromtimestamp(path.stat().st_mtime).date()  # noqa: DTZ006 - local day
