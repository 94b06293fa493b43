"""The GED service: Client > Dossier > Documents, filing with versions, trash.

One :class:`Ged` per database and content store, shared by the UI and the
CLI. Filing follows docs/storage.md §4.3: each file is copied into the
content-addressed store (outside any transaction), its text extracted in a
worker process and cached beside the object, then one short write
transaction inserts the rows; the ORM hook journals them, and the local
index replicas follow the journal.

Names are the API other modules code against (UI, publipostage, index).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.ged.adding import Filing, Incoming, Progress
from microcrm.ged.catalog import document_infos, subtree_ids, versions_of
from microcrm.ged.classify import dossier_for_type
from microcrm.ged.dossiers import (
    DEFAULT_DOSSIERS,
    default_dossiers_in,
    get_default_dossiers,
    set_default_dossiers,
)
from microcrm.ged.extract import Extractor, ExtractorPool
from microcrm.ged.filing import (
    check_owner,
    file_documents,
    top_dossier,
)
from microcrm.ged.records import AddResult, DocumentInfo, DossierNode, NewDocument, VersionInfo
from microcrm.ged.store import ContentStore, Stored
from microcrm.ged.tree import DossierOps
from microcrm.models import Document, DocumentVersion, Dossier, Organisation, User, fold
from microcrm.models import utcnow as _utcnow

__all__ = [
    "DEFAULT_DOSSIERS",
    "AddResult",
    "DocumentInfo",
    "DossierNode",
    "Ged",
    "NewDocument",
    "VersionInfo",
    "current_user_id",
    "file_documents",
    "get_default_dossiers",
    "set_default_dossiers",
]

def current_user_id(db: Database) -> int | None:
    """The ``app_user`` id of the database's current login (None if not a user)."""
    if not db.user_login:
        return None
    with db.read() as s:
        return s.scalar(select(User.id).where(User.login == db.user_login))


class Ged(DossierOps):
    """Dossiers and documents of every client, over one database and one content store."""

    def __init__(
        self,
        db: Database,
        store: ContentStore,
        *,
        user_id: int | None = None,
        extractor: Extractor | None = None,
    ) -> None:
        """Open the GED.

        Args:
            db: The database.
            store: The content-addressed store (GED folder).
            user_id: The user recorded as filer of new documents and versions.
            extractor: Text extraction; by default a pool of worker processes
                started on the first file and stopped by :meth:`close`.
        """
        self.db = db
        self.store = store
        self.user_id = user_id
        self._extractor = extractor
        self._owns_extractor = extractor is None

    @property
    def extractor(self) -> Extractor:
        """The text extractor (a worker pool started on first use)."""
        if self._extractor is None:
            self._extractor = ExtractorPool()
        return self._extractor

    def close(self) -> None:
        """Stop the extraction workers this service started."""
        if self._owns_extractor and self._extractor is not None:
            self._extractor.close()
            self._extractor = None

    # -- documents --------------------------------------------------------------------------

    def documents(
        self,
        *,
        dossier_id: int | None = None,
        organisation_id: int | None = None,
        person_id: int | None = None,
        include_subdossiers: bool = False,
        trashed: bool = False,
    ) -> list[DocumentInfo]:
        """Documents of a dossier (optionally with its sub-dossiers) or of an owner.

        ``trashed`` lists the trash instead. With no filter: the whole GED.
        """
        where: list[Any] = [
            Document.deleted_at.is_not(None) if trashed else Document.deleted_at.is_(None)
        ]
        with self.db.read() as s:
            if dossier_id is not None:
                ids = (
                    subtree_ids(s, dossier_id, live_only=not trashed)
                    if include_subdossiers
                    else [dossier_id]
                )
                where.append(Document.dossier_id.in_(ids))
            elif organisation_id is not None:
                where.append(Document.organisation_id == organisation_id)
            elif person_id is not None:
                where.append(Document.person_id == person_id)
            return document_infos(s, *where)

    def document(self, document_id: int) -> DocumentInfo:
        """One document (also in the trash)."""
        with self.db.read() as s:
            found = document_infos(s, Document.id == document_id)
        if not found:
            raise NotFoundError("Document", document_id)
        return found[0]

    def versions(self, document_id: int) -> list[VersionInfo]:
        """Every version of a document, oldest first."""
        with self.db.read() as s:
            found = versions_of(s, document_id)
        if not found:
            raise NotFoundError("Document", document_id)
        return found

    def restore_version(self, document_id: int, number: int) -> int:
        """Make the content of version ``number`` current again, as a new version; its number.

        Nothing is rewritten: the new version points at the old object.
        """

        def write(s: Session) -> int:
            doc = s.get(Document, document_id)
            if doc is None:
                raise NotFoundError("Document", document_id)
            old = s.scalar(
                select(DocumentVersion).where(
                    DocumentVersion.document_id == document_id, DocumentVersion.number == number
                )
            )
            if old is None:
                raise NotFoundError(f"Version du document {document_id}", number)
            doc.current_version += 1
            s.add(
                DocumentVersion(
                    document_id=doc.id,
                    number=doc.current_version,
                    sha256=old.sha256,
                    size=old.size,
                    filename=old.filename,
                    mime_type=old.mime_type,
                    created_at=_utcnow(),
                    created_by=self.user_id,
                    extraction_note=old.extraction_note,
                )
            )
            return doc.current_version

        return self.db.run_write(write)

    def update_document(
        self,
        document_id: int,
        *,
        title: str | None = None,
        doc_type: str | None = None,
        tags: str | None = None,
        doc_date: dt.date | None = None,
        dossier_id: int | None = None,
    ) -> None:
        """Change a document's metadata or move it to another dossier of the same owner."""
        if title is not None:
            title = " ".join(title.split())
            if not title:
                raise ValidationError("title", "Le titre du document est obligatoire.")
            if len(title) > 255:
                raise ValidationError("title", "Le titre dépasse 255 caractères.")
        if doc_type is not None and len(doc_type.strip()) > 32:
            raise ValidationError("doc_type", "Le type dépasse 32 caractères.")
        tags = normalise_tags(tags) if tags is not None else None

        def write(s: Session) -> None:
            doc = s.get(Document, document_id)
            if doc is None:
                raise NotFoundError("Document", document_id)
            if dossier_id is not None and dossier_id != doc.dossier_id:
                target = self._live_dossier(s, dossier_id)
                if self._owner_of(target) != check_owner(doc.organisation_id, doc.person_id):
                    raise ValidationError("dossier", "Ce dossier appartient à un autre client.")
                doc.dossier_id = dossier_id
            if title is not None:
                doc.title = title
            if doc_type is not None:
                doc.doc_type = doc_type.strip()
            if tags is not None:
                doc.tags = tags
            if doc_date is not None:
                doc.doc_date = doc_date

        self.db.run_write(write)

    def trash(self, document_ids: Sequence[int]) -> None:
        """Send documents to the trash (soft delete: their files stay)."""
        ids = list(document_ids)

        def write(s: Session) -> None:
            stamp = _utcnow()
            for doc in s.scalars(
                select(Document).where(Document.id.in_(ids), Document.deleted_at.is_(None))
            ):
                doc.deleted_at = stamp

        self.db.run_write(write)

    def restore(self, document_ids: Sequence[int]) -> None:
        """Bring documents back from the trash.

        One whose dossier is itself in the trash goes to the live dossier of
        its type (created if needed), so that it shows up again.
        """
        ids = list(document_ids)

        def write(s: Session) -> None:
            defaults = default_dossiers_in(s)
            for doc in s.scalars(
                select(Document).where(Document.id.in_(ids), Document.deleted_at.is_not(None))
            ):
                doc.deleted_at = None
                dossier = s.get(Dossier, doc.dossier_id) if doc.dossier_id else None
                if dossier is None or dossier.deleted_at is not None:
                    owner = check_owner(doc.organisation_id, doc.person_id)
                    doc.dossier_id = top_dossier(
                        s,
                        owner,
                        dossier.name
                        if dossier is not None
                        else dossier_for_type(doc.doc_type, defaults),
                    )

        self.db.run_write(write)

    def export_copy(
        self, document_id: int, target_dir: Path, *, version: int | None = None
    ) -> Path:
        """A copy of the document under its real file name (to open it with its application).

        A name already taken in ``target_dir`` by other content gets " (2)", " (3)"…
        """
        with self.db.read() as s:
            number = version or s.scalar(
                select(Document.current_version).where(Document.id == document_id)
            )
            row = s.scalar(
                select(DocumentVersion).where(
                    DocumentVersion.document_id == document_id, DocumentVersion.number == number
                )
            )
        if row is None:
            raise NotFoundError(
                "Document", document_id if version is None else f"{document_id} v{version}"
            )
        target = target_dir / safe_filename(row.filename)
        stem, suffix, n = target.stem, target.suffix, 2
        while target.exists() and target.stat().st_size != row.size:
            target = target_dir / f"{stem} ({n}){suffix}"
            n += 1
        return self.store.export(row.sha256, target)

    def client_names(self, ids: Iterable[int]) -> dict[int, str]:
        """The names of the organisations ``ids`` (to show an inbox's proposals)."""
        wanted = set(ids)
        if not wanted:
            return {}
        with self.db.read() as s:
            rows = s.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
            )
            return dict(rows.tuples().all())

    def resolve_client(self, id_or_siret: str) -> int:
        """The organisation meant by an id, a SIRET (14 digits) or a SIREN (9 digits).

        Raises:
            NotFoundError: no such organisation (or it is in the trash).
            ValidationError: a SIREN shared by several establishments.
        """
        value = "".join(id_or_siret.split())
        with self.db.read() as s:
            live = Organisation.deleted_at.is_(None)
            if value.isdigit() and len(value) == 14:
                found = list(
                    s.scalars(select(Organisation.id).where(Organisation.siret == value, live))
                )
            elif value.isdigit() and len(value) == 9:
                found = list(
                    s.scalars(
                        select(Organisation.id).where(
                            (Organisation.siren == value) | Organisation.siret.startswith(value),
                            live,
                        )
                    )
                )
            elif value.isdigit():
                found = list(
                    s.scalars(select(Organisation.id).where(Organisation.id == int(value), live))
                )
            else:
                found = []
        if not found:
            raise NotFoundError("Client", id_or_siret)
        if len(set(found)) > 1:
            raise ValidationError(
                "client",
                f"Le SIREN {value} correspond à plusieurs "
                "établissements : indiquez le SIRET ou le numéro du client.",
            )
        return found[0]

    # -- filing -----------------------------------------------------------------------------

    def add_files(
        self,
        paths: Sequence[Path],
        *,
        organisation_id: int | None = None,
        person_id: int | None = None,
        dossier_id: int | None = None,
        dossier_name: str | None = None,
        doc_type: str | None = None,
        tags: str = "",
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[AddResult]:
        """File files under a client (or person), in a dossier given or guessed.

        See :mod:`microcrm.ged.adding` for the rules (dossier guessed from the
        type, same file name → new version, same content → nothing new).
        On cancel, files of batches already committed stay filed.

        Raises:
            ValidationError: a missing file, no owner, a bad dossier name.
            NotFoundError: unknown client, person or dossier.
        """
        items = []
        for raw in paths:
            path = Path(raw)
            if not path.is_file():
                raise ValidationError("fichier", f"Fichier introuvable : {path}")
            items.append(Incoming(path.name, path, None))
        filing = Filing(
            self,
            organisation_id=organisation_id,
            person_id=person_id,
            dossier_id=dossier_id,
            dossier_name=dossier_name,
            doc_type=doc_type,
            tags=normalise_tags(tags),
        )
        return filing.run(items, progress, cancelled)

    def add_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        organisation_id: int | None = None,
        person_id: int | None = None,
        dossier_id: int | None = None,
        dossier_name: str | None = None,
        doc_type: str | None = None,
        tags: str = "",
    ) -> AddResult:
        """File content held in memory (a dropped e-mail, a generated letter) as ``filename``."""
        name = safe_filename(filename)
        filing = Filing(
            self,
            organisation_id=organisation_id,
            person_id=person_id,
            dossier_id=dossier_id,
            dossier_name=dossier_name,
            doc_type=doc_type,
            tags=normalise_tags(tags),
        )
        return filing.run([Incoming(name, None, data)], None, None)[0]

    def store_object(self, item_path: Path | None, data: bytes | None) -> Stored:
        """Copy one incoming file (or bytes) into the content store."""
        if item_path is not None:
            return self.store.add_file(item_path)
        assert data is not None
        return self.store.add_bytes(data)


def normalise_tags(tags: str) -> str:
    """``"Urgent, client VIP ,urgent"`` → ``"Urgent, client VIP"`` (trimmed, no duplicates)."""
    seen: dict[str, str] = {}
    for tag in tags.replace(";", ",").split(","):
        cleaned = " ".join(tag.split())
        if cleaned and fold(cleaned) not in seen:
            seen[fold(cleaned)] = cleaned
    joined = ", ".join(seen.values())
    if len(joined) > 255:
        raise ValidationError("tags", "Les mots-clés dépassent 255 caractères.")
    return joined


_WINDOWS_DEVICES: Final = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in ("0123456789\u00b9\u00b2\u00b3")]
)
"""Names Windows keeps for devices, whatever the extension (``NUL.txt`` is ``NUL``)."""
_FILENAME_LIMIT: Final = 200


def safe_filename(name: str) -> str:
    """A file name usable on Windows too, and harmless when shown.

    No folder, no character Windows refuses (``<>:"|?*``), no control or other
    non-printable character (a line break, an escape sequence, a bidirectional
    override: each becomes ``_``), no trailing dot or space, no Windows device
    name (``CON.txt`` becomes ``CON_.txt``, ``nul`` ``nul_``), at most 200
    characters with the extension kept; ``document`` when nothing is left.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        "_" if ch in '<>:"|?*' or not (ch.isprintable() or unicodedata.category(ch) == "Zs") else ch
        for ch in base
    )
    cleaned = cleaned.strip().rstrip(". ")
    if len(cleaned) > _FILENAME_LIMIT:
        stem, dot, suffix = cleaned.rpartition(".")
        if dot and 0 < len(suffix) <= 16:
            cleaned = stem[: _FILENAME_LIMIT - len(suffix) - 1].rstrip(". ") + "." + suffix
        else:
            cleaned = cleaned[:_FILENAME_LIMIT].rstrip(". ")
    device, dot, rest = cleaned.partition(".")
    if device.rstrip(" ").upper() in _WINDOWS_DEVICES:
        cleaned = f"{device.rstrip(' ')}_{dot}{rest}"
    return cleaned or "document"
