"""Batch normalisation of primary addresses: propose, review, apply in one transaction, undo.

Rewrites a whole base's addresses, so the user sees every change first. :func:`propose` reads
the primary addresses of a list of organisations block by block and returns
one :class:`Proposal` per address whose stored form would change; it writes
nothing, so the user reviews before/after first. :func:`apply` writes the
accepted ones in **one** write transaction, checks each address's version (a
row saved elsewhere since the proposal is skipped, never overwritten), records
an undo batch (``ImportBatch`` with preset ``normalisation`` plus one
``ImportChange`` holding the *before* values per address) and the change
journal. :func:`undo` puts the before values back.

Rules (docs/address-standard.md): only deliverable addresses get their typed
data corrected (R25 ``corrected``: the padded postcode, the locality of
La Poste), exactly as "Appliquer la correction" of the record sheet does;
an invalid address keeps what was typed and only gets its block, status and
errors stored (R26) so that it shows as invalid. A form-only change never
touches the typed fields. The stored form is the one
:func:`microcrm.crm.addresses.save_primary_address` would store.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, TypeVar, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from microcrm.crm.addresses import (
    TYPED_FIELDS,
    AddressRecord,
    normalize,
)
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import Address, ImportBatch, ImportChange, Organisation, utcnow
from microcrm.postal.errors import (
    CITY_MISSING,
    LOCALITY_REPLACED,
    LOCALITY_SPELLING,
    POSTCODE_PADDED,
    explain,
)
from microcrm.postal.normalize import NormalizedAddress
from microcrm.storage import journal
from microcrm.text import counted, fold, plural

PRESET: Final = "normalisation"
"""``ImportBatch.preset`` of a normalisation batch (import history views must skip it)."""
READ_BLOCK: Final = 1000
"""Organisations per read query in :func:`propose` (one query per block, never per row)."""
WRITE_CHUNK: Final = 500
"""Addresses per statement inside the single write transaction of :func:`apply`."""
ENTITY: Final = "address"

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
T = TypeVar("T")

_ADDRESS = cast(Table, Address.__table__)
_CITY_CODES: Final = frozenset({LOCALITY_REPLACED, LOCALITY_SPELLING, CITY_MISSING})
_NBSP: Final = "\u00a0"
#: Columns a normalisation may change, saved as the "before" of each address.
_RESTORED: Final = ("postcode", "city", "norm_lines", "norm_status", "norm_errors")


class ProposalKind(enum.StrEnum):
    """What accepting a proposal does to the address."""

    CORRECTED = "corrected"
    """The typed postcode and/or locality are corrected (R25 data corrections)."""
    INVALID = "invalid"
    """Kept as typed; the block and the blocking errors are stored so it shows as invalid."""
    FORMATTED = "formatted"
    """Typed fields unchanged; only the stored NF Z10-011 block or status changes."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """One address whose stored form would change, with before and after.

    Attributes:
        address_id: The address row.
        organisation_id: Its organisation.
        name: Raison sociale of the organisation, for the review.
        version_id: Version of the address when proposed; :func:`apply` skips
            the address if it changed since.
        before: Typed fields and stored form (lines, status, errors) as read.
        after: Typed fields after correction and the form that will be stored.
        kind: See :class:`ProposalKind`.
        codes: The rule-sheet codes behind the proposal (R25), from the
            normalisation of what is typed now.
        explanation: French sentence(s) for the "Motif" column.
    """

    address_id: int
    organisation_id: int
    name: str
    version_id: int
    before: AddressRecord
    after: AddressRecord
    kind: ProposalKind
    codes: tuple[str, ...]
    explanation: str

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """Typed fields the proposal corrects (``postcode``, ``city``), in form order."""
        return tuple(n for n in TYPED_FIELDS if getattr(self.before, n) != getattr(self.after, n))


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What :func:`apply` wrote.

    Attributes:
        batch_id: The undo batch, ``None`` when nothing was written.
        applied: Addresses written.
        skipped_conflicts: Addresses not written because they were changed
            (or deleted) on another workstation since the proposal.
    """

    batch_id: int | None
    applied: int
    skipped_conflicts: tuple[int, ...] = ()

    def summary(self) -> str:
        """« 1 234 adresses normalisées, 3 ignorées car modifiées sur un autre poste. »."""
        text = counted(self.applied, "adresse normalisée", "adresses normalisées")
        skipped = len(self.skipped_conflicts)
        if skipped:
            text += (
                f", {counted(skipped, 'ignorée')} car "
                f"{plural(skipped, 'modifiée')} sur un autre poste"
            )
        return text + "."


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What :func:`undo` restored and what it left alone (changed since)."""

    batch_id: int
    restored: int
    skipped_conflicts: tuple[int, ...] = ()

    def summary(self) -> str:
        """« 1 234 adresses restaurées, 2 laissées telles quelles car modifiées depuis. »."""
        text = counted(self.restored, "adresse restaurée", "adresses restaurées")
        skipped = len(self.skipped_conflicts)
        if skipped:
            text += (
                f", {counted(skipped, 'laissée')} {plural(skipped, 'telle')} "
                f"{plural(skipped, 'quelle')} car {plural(skipped, 'modifiée')} depuis"
            )
        return text + "."


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """One normalisation batch, for the history."""

    batch_id: int
    created_at: dt.datetime
    created_by: str | None
    label: str
    applied: int
    skipped: int
    undone_at: dt.datetime | None

    @property
    def undone(self) -> bool:
        """Whether the batch was undone."""
        return self.undone_at is not None


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands timezone-aware columns back naive: they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


# -- proposing -------------------------------------------------------------------------------


def corrected_typed(record: AddressRecord, result: NormalizedAddress) -> AddressRecord:
    """The typed fields with the data corrections of a deliverable address applied.

    Same effect as the record sheet's "Appliquer la correction", but limited
    to the fields the codes name: the postcode when it was padded
    (``postcode_padded``), the locality when it was replaced, respelt or
    filled in (``locality_*``, ``city_missing``), as printed on line 6
    (with its CEDEX suffix). Anything but status ``corrected`` is returned
    unchanged: invalid data is never "corrected" (R26).
    """
    if result.status != "corrected" or not result.postcode:
        return record
    postcode, city = record.postcode, record.city
    if POSTCODE_PADDED in result.errors:
        postcode = result.postcode
    if _CITY_CODES.intersection(result.errors):
        prefix = f"{result.postcode} "
        last = result.lines[-1] if result.lines else ""
        city = last[len(prefix) :] if last.startswith(prefix) else result.locality
    return replace(record, postcode=postcode, city=city)


def stored_form(record: AddressRecord) -> AddressRecord:
    """``record`` with the form the record sheet stores for its typed fields.

    Mirrors :func:`microcrm.crm.addresses.save_primary_address`: an empty
    address has no form; otherwise the block without its recipient line.
    """
    if record.is_empty():
        return replace(record, norm_lines=(), norm_status=None, norm_errors=())
    result = normalize(record)
    return replace(
        record, norm_lines=result.lines, norm_status=result.status, norm_errors=result.errors
    )


def _stored(record: AddressRecord) -> tuple[object, ...]:
    return (*record.typed(), record.norm_lines, record.norm_status, record.norm_errors)


def _typed_change(before: AddressRecord, after: AddressRecord) -> str:
    parts = []
    if before.postcode != after.postcode:
        parts.append(f"code postal {before.postcode or '(vide)'} → {after.postcode}")
    if before.city != after.city:
        was = f"«{_NBSP}{before.city}{_NBSP}»" if before.city else "(vide)"
        parts.append(f"localité {was} → «{_NBSP}{after.city}{_NBSP}»")
    return f"Saisie corrigée{_NBSP}: {f'{_NBSP}; '.join(parts)}." if parts else ""


def _explanation(
    kind: ProposalKind, before: AddressRecord, after: AddressRecord, result: NormalizedAddress
) -> str:
    if kind is ProposalKind.CORRECTED:
        reasons = [explain(code, result) for code in result.errors]
        return " ".join([*reasons, _typed_change(before, after)]).strip()
    if kind is ProposalKind.INVALID:
        reasons = [explain(code, result) for code in result.errors]
        return " ".join(
            [*reasons, "L'adresse est conservée telle que saisie et signalée invalide."]
        )
    if before.norm_status is None:
        return (
            f"Adresse jamais vérifiée{_NBSP}: son bloc NF Z10-011 est enregistré, "
            "la saisie reste inchangée."
        )
    if before.norm_status != after.norm_status:
        return (
            f"Le référentiel postal la reconnaît désormais comme valide{_NBSP}; "
            "la saisie reste inchangée."
        )
    return (
        "Bloc remis en forme selon la norme NF Z10-011 (majuscules, abréviations, "
        f"ordre des lignes){_NBSP}; la saisie reste inchangée."
    )


def propose_one(before: AddressRecord, organisation_id: int, name: str) -> Proposal | None:
    """The proposal for one address, or ``None`` when its stored form is already right."""
    if before.is_empty():
        after = stored_form(before)
        if _stored(after) == _stored(before):
            return None
        return Proposal(
            before.id or 0,
            organisation_id,
            name,
            before.version_id,
            before,
            replace(after, version_id=before.version_id + 1),
            ProposalKind.FORMATTED,
            (),
            f"Adresse vide{_NBSP}: l'ancien bloc enregistré est effacé.",
        )
    result = normalize(before)
    stored = (before.norm_lines, before.norm_status, before.norm_errors)
    if result.status != "corrected" and (result.lines, result.status, result.errors) == stored:
        return None  # the common case, kept cheap: 100,000 addresses go through here
    typed = corrected_typed(before, result)
    if typed.typed() != before.typed():
        kind = ProposalKind.CORRECTED
        after = stored_form(typed)  # what the sheet stores once the correction is applied
    else:
        kind = ProposalKind.INVALID if result.status == "invalid" else ProposalKind.FORMATTED
        after = replace(
            before, norm_lines=result.lines, norm_status=result.status, norm_errors=result.errors
        )
    if _stored(after) == _stored(before):
        return None
    return Proposal(
        address_id=before.id or 0,
        organisation_id=organisation_id,
        name=name,
        version_id=before.version_id,
        before=before,
        after=replace(after, version_id=before.version_id + 1),
        kind=kind,
        codes=result.errors,
        explanation=_explanation(kind, before, after, result),
    )


_READ_COLUMNS = (
    Address.organisation_id,
    Organisation.name,
    Address.id,
    Address.version_id,
    Address.line1,
    Address.line2,
    Address.line3,
    Address.postcode,
    Address.city,
    Address.country,
    Address.norm_lines,
    Address.norm_status,
    Address.norm_errors,
    Address.npai,
)


def _record(row: Sequence[Any]) -> AddressRecord:
    """:func:`~microcrm.crm.addresses.address_snapshot` of a column row (``_READ_COLUMNS[2:]``).

    Plain columns rather than ORM entities: building 100,000 ``Address``
    objects costs about 2.5 times the whole read.
    """
    (addr_id, version, line1, line2, line3, postcode, city, country, lines, status, errors,
     npai) = row  # fmt: skip
    return AddressRecord(
        id=addr_id,
        version_id=version,
        line1=line1 or "",
        line2=line2 or "",
        line3=line3 or "",
        postcode=postcode or "",
        city=city or "",
        country=country or "",
        norm_lines=tuple(lines.split("\n")) if lines else (),
        norm_status=status,
        norm_errors=tuple(errors.split()) if errors else (),
        npai=bool(npai),
    )


def _read_block(db: Database, ids: Sequence[int]) -> dict[int, tuple[AddressRecord, str]]:
    """Primary address (the lowest id, as the record sheet picks it) and name per organisation."""
    found: dict[int, tuple[AddressRecord, str]] = {}
    with db.read() as session:
        rows = session.execute(
            select(*_READ_COLUMNS)
            .join(Organisation, Organisation.id == Address.organisation_id)
            .where(Address.organisation_id.in_(list(ids)), Address.is_primary.is_(True))
            .order_by(Address.organisation_id, Address.id)
        ).all()
    for row in rows:
        if row[0] not in found:
            found[row[0]] = (_record(row[2:]), row[1])
    return found


def propose(
    db: Database,
    org_ids: Iterable[int],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> list[Proposal]:
    """Normalise the primary addresses of ``org_ids`` and list the ones that would change.

    Reads one block of :data:`READ_BLOCK` organisations per query, in short
    read transactions (no cursor held between blocks), and writes nothing.
    Organisations without an address, or whose address is already stored in
    its normalised form, give no proposal.

    Args:
        db: The database.
        org_ids: Organisations, in the order the proposals should follow
            (duplicates are ignored).
        progress: Called as ``progress(done, total, message)`` after each block.
        cancelled: Polled between blocks; once it returns True the run stops.

    Returns:
        The proposals in ``org_ids`` order; an empty list when cancelled.
    """
    ids = list(dict.fromkeys(org_ids))
    total = len(ids)
    proposals: list[Proposal] = []
    done = 0
    for block in _chunks(ids, READ_BLOCK):
        if cancelled is not None and cancelled():
            return []
        found = _read_block(db, block)
        for org_id in block:
            entry = found.get(org_id)
            if entry is not None:
                proposal = propose_one(entry[0], org_id, entry[1])
                if proposal is not None:
                    proposals.append(proposal)
        done += len(block)
        if progress is not None:
            progress(done, total, "Normalisation des adresses…")
    if cancelled is not None and cancelled():
        return []
    return proposals


# -- applying ---------------------------------------------------------------------------------

_UPDATE = (
    update(_ADDRESS)
    .where(_ADDRESS.c.id == bindparam("b_id"), _ADDRESS.c.version_id == bindparam("b_version"))
    .values(
        postcode=bindparam("b_postcode"),
        city=bindparam("b_city"),
        city_key=bindparam("b_city_key"),
        norm_lines=bindparam("b_norm_lines"),
        norm_status=bindparam("b_norm_status"),
        norm_errors=bindparam("b_norm_errors"),
        version_id=_ADDRESS.c.version_id + 1,
        updated_at=bindparam("b_now"),
        updated_by=bindparam("b_user"),
    )
)


def _columns(record: AddressRecord) -> dict[str, Any]:
    """The restorable columns of a record, as stored."""
    return {
        "postcode": record.postcode,
        "city": record.city,
        "norm_lines": "\n".join(record.norm_lines) if record.norm_lines else None,
        "norm_status": record.norm_status,
        "norm_errors": " ".join(record.norm_errors),
    }


def _update_params(
    address_id: int, version: int, values: dict[str, Any], now: dt.datetime, user: str | None
) -> dict[str, Any]:
    params = {f"b_{name}": values[name] for name in _RESTORED}
    params.update(
        b_id=address_id,
        b_version=version,
        b_city_key=fold(values["city"]),
        b_now=now,
        b_user=user,
    )
    return params


def _current_versions(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Current version of each address, locked until commit (PostgreSQL; SQLite holds the base)."""
    rows = session.execute(
        select(_ADDRESS.c.id, _ADDRESS.c.version_id)
        .where(_ADDRESS.c.id.in_(list(ids)))
        .with_for_update()
    )
    return {int(i): int(v) for i, v in rows}


def _write_updates(session: Session, params: list[dict[str, Any]]) -> None:
    """One executemany; a row count short of the list means a row moved: roll everything back."""
    if not params:
        return
    result = cast(CursorResult[Any], session.execute(_UPDATE, params))
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(params):
        raise ConflictError(ENTITY, 0)


def _apply_chunk(
    session: Session,
    batch_id: int,
    chunk: Sequence[Proposal],
    first_seq: int,
    *,
    now: dt.datetime,
    user: str | None,
) -> tuple[list[Proposal], list[int]]:
    """Write one chunk of proposals; returns (written, skipped address ids)."""
    current = _current_versions(session, [p.address_id for p in chunk])
    fresh = [p for p in chunk if current.get(p.address_id) == p.version_id]
    skipped = [p.address_id for p in chunk if current.get(p.address_id) != p.version_id]
    _write_updates(
        session,
        [_update_params(p.address_id, p.version_id, _columns(p.after), now, user) for p in fresh],
    )
    if fresh:
        session.execute(
            insert(ImportChange),
            [
                {
                    "batch_id": batch_id,
                    "seq": first_seq + n,
                    "entity": ENTITY,
                    "entity_id": p.address_id,
                    "op": "update",
                    "before": json.dumps(
                        {"fields": _columns(p.before), "version_after": p.version_id + 1},
                        ensure_ascii=False,
                    ),
                }
                for n, p in enumerate(fresh)
            ],
        )
        journal.record(
            session,
            ENTITY,
            [p.address_id for p in fresh],
            "update",
            [p.version_id + 1 for p in fresh],
        )
    return fresh, skipped


def apply(
    db: Database,
    proposals: Sequence[Proposal],
    *,
    label: str = "",
    progress: ProgressFn | None = None,
) -> BatchResult:
    """Write the accepted proposals in one transaction, with an undo batch and the journal.

    An address whose version changed since :func:`propose` (saved or deleted
    on another workstation) is skipped and reported, never overwritten. Any
    error rolls the whole batch back: nothing is written.

    Args:
        db: The database.
        proposals: The accepted proposals.
        label: What was normalised (« Clients — 12 fiches sélectionnées »), kept in the history.
        progress: Called as ``progress(done, total, message)`` after each chunk.

    Returns:
        The batch id (``None`` when nothing was written), applied and skipped counts.
    """
    if not proposals:
        return BatchResult(None, 0, ())
    total = len(proposals)

    def write(session: Session) -> BatchResult:
        user = session.info.get("user_login")
        now = utcnow()
        batch = ImportBatch(
            created_at=now, created_by=user, sources=label, preset=PRESET, status="done"
        )
        session.add(batch)
        session.flush()
        applied = 0
        skipped: list[int] = []
        for chunk in _chunks(proposals, WRITE_CHUNK):
            written, missed = _apply_chunk(session, batch.id, chunk, applied, now=now, user=user)
            applied += len(written)
            skipped += missed
            if progress is not None:
                progress(applied + len(skipped), total, "Enregistrement des adresses…")
        if not applied:
            session.delete(batch)
            return BatchResult(None, 0, tuple(skipped))
        batch.report = json.dumps(
            {"label": label, "applied": applied, "skipped": skipped}, ensure_ascii=False
        )
        return BatchResult(batch.id, applied, tuple(skipped))

    return db.run_write(write)


# -- undo and history -----------------------------------------------------------------------


def _undo_chunk(
    session: Session, changes: Sequence[tuple[int, str | None]], now: dt.datetime, user: str | None
) -> tuple[list[int], list[int]]:
    """Restore one chunk of addresses; returns (restored ids, skipped ids)."""
    befores: dict[int, dict[str, Any]] = {
        entity_id: json.loads(before or "{}") for entity_id, before in changes
    }
    current = _current_versions(session, list(befores))
    restored = [i for i, b in befores.items() if current.get(i) == b.get("version_after")]
    skipped = [i for i, b in befores.items() if current.get(i) != b.get("version_after")]
    _write_updates(
        session,
        [
            _update_params(i, befores[i]["version_after"], befores[i]["fields"], now, user)
            for i in restored
        ],
    )
    journal.record(session, ENTITY, restored, "update", [current[i] + 1 for i in restored])
    return restored, skipped


def undo(db: Database, batch_id: int, progress: ProgressFn | None = None) -> UndoResult:
    """Put back the before values of every address of a normalisation batch, in one transaction.

    An address changed since the batch (its version moved) is left as it is
    and reported. The batch is then marked undone.

    Raises:
        NotFoundError: no normalisation batch with this id.
        ValidationError: the batch was already undone.
    """

    def write(session: Session) -> UndoResult:
        batch = session.get(ImportBatch, batch_id, with_for_update=True)
        if batch is None or batch.preset != PRESET:
            raise NotFoundError("Normalisation", batch_id)
        if batch.status == "undone":
            raise ValidationError("batch", "Cette normalisation a déjà été annulée.")
        user = session.info.get("user_login")
        now = utcnow()
        report = json.loads(batch.report or "{}")
        total = int(report.get("applied", 0))
        restored: list[int] = []
        skipped: list[int] = []
        last = -1
        while True:
            rows = session.execute(
                select(ImportChange.seq, ImportChange.entity_id, ImportChange.before)
                .where(ImportChange.batch_id == batch_id, ImportChange.seq > last)
                .order_by(ImportChange.seq)
                .limit(WRITE_CHUNK)
            ).all()
            if not rows:
                break
            last = rows[-1][0]
            done, missed = _undo_chunk(session, [(r[1], r[2]) for r in rows], now, user)
            restored += done
            skipped += missed
            if progress is not None:
                progress(len(restored) + len(skipped), total, "Restauration des adresses…")
        batch.status = "undone"
        batch.undone_at = now
        report["undo"] = {"restored": len(restored), "skipped": skipped, "by": user}
        batch.report = json.dumps(report, ensure_ascii=False)
        return UndoResult(batch_id, len(restored), tuple(skipped))

    return db.run_write(write)


def history(db: Database, limit: int = 200) -> list[BatchInfo]:
    """The latest normalisation batches, newest first."""
    with db.read() as session:
        batches = session.scalars(
            select(ImportBatch)
            .where(ImportBatch.preset == PRESET)
            .order_by(ImportBatch.id.desc())
            .limit(limit)
        ).all()
        infos = []
        for b in batches:
            report = json.loads(b.report or "{}")
            infos.append(
                BatchInfo(
                    batch_id=b.id,
                    created_at=_aware(b.created_at) or utcnow(),
                    created_by=b.created_by,
                    label=b.sources,
                    applied=int(report.get("applied", 0)),
                    skipped=len(report.get("skipped", ())),
                    undone_at=_aware(b.undone_at),
                )
            )
        return infos


class AddressBatchService:
    """The functions of this module bound to one database, for the UI."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def propose(
        self,
        org_ids: Iterable[int],
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> list[Proposal]:
        """See :func:`propose`."""
        return propose(self._db, org_ids, progress, cancelled)

    def apply(
        self, proposals: Sequence[Proposal], *, label: str = "", progress: ProgressFn | None = None
    ) -> BatchResult:
        """See :func:`apply`."""
        return apply(self._db, proposals, label=label, progress=progress)

    def undo(self, batch_id: int, progress: ProgressFn | None = None) -> UndoResult:
        """See :func:`undo`."""
        return undo(self._db, batch_id, progress)

    def history(self, limit: int = 200) -> list[BatchInfo]:
        """See :func:`history`."""
        return history(self._db, limit)
