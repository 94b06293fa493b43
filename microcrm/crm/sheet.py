"""Everything an organisation's record sheet shows, read in one short transaction.

Opening a record costs one read (budget: 150 ms on a 100,000-organisation
base): the organisation, its primary address, contacts, tags, the tag and
salesperson choices and its history, each an indexed query. Saving stays
with the owning services (parties, addresses, tags); this module adds the two
save paths the sheet needs on top: a SIRET already used by another record
becomes a :class:`~microcrm.errors.ValidationError`, and "Recréer" brings
back a record another workstation deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microcrm.crm.addresses import AddressRecord, read_primary_address
from microcrm.crm.contacts import ContactRecord, read_contacts
from microcrm.crm.parties import (
    EDITABLE,
    MergeConflictError,
    OrganisationRecord,
    SaveResult,
    change_stage,
    load_organisation,
    restore_organisation,
    save_organisation,
    snapshot,
    validate,
)
from microcrm.crm.tags import read_organisation_tags, read_tag_names
from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.models import (
    STAGE_LABELS,
    Action,
    ActionStatus,
    ActionType,
    Organisation,
    Stage,
    User,
)

HISTORY_LIMIT = 1000
"""Newest actions shown on the sheet; older ones stay in the agenda and reports."""

ACTION_STATUS_LABELS = {
    ActionStatus.PLANNED.value: "Prévue",
    ActionStatus.DONE.value: "Faite",
    ActionStatus.CANCELLED.value: "Annulée",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the history tab."""

    id: int
    when: dt.datetime | None
    type_name: str
    subject: str
    user: str
    status: str

    @property
    def status_label(self) -> str:
        """« Faite », « Prévue », « Annulée »."""
        return ACTION_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True, slots=True)
class SheetData:
    """What the sheet shows for one organisation (or a blank one)."""

    record: OrganisationRecord
    address: AddressRecord
    contacts: tuple[ContactRecord, ...]
    tags: tuple[str, ...]
    all_tags: tuple[str, ...]
    salespeople: tuple[tuple[int, str], ...]
    history: tuple[HistoryEntry, ...]
    history_total: int


def read_salespeople(session: Session, current: int | None) -> tuple[tuple[int, str], ...]:
    """(id, name) of active salespeople, plus the record's own ``current`` one if inactive."""
    cond: ColumnElement[bool] = User.active.is_(True) & User.is_salesperson.is_(True)
    if current is not None:
        cond = or_(cond, User.id == current)
    rows = session.execute(select(User.id, User.full_name).where(cond).order_by(User.full_name))
    return tuple((int(i), str(n)) for i, n in rows)


def read_history(
    session: Session, organisation_id: int, limit: int = HISTORY_LIMIT
) -> tuple[tuple[HistoryEntry, ...], int]:
    """The organisation's actions, newest first, and how many there are in all."""
    return read_actions(session, Action.organisation_id == organisation_id, limit)


def read_actions(
    session: Session, owner: ColumnElement[bool], limit: int = HISTORY_LIMIT
) -> tuple[tuple[HistoryEntry, ...], int]:
    """Actions matching ``owner`` (an organisation's, a person's), newest first, and their count.

    ``owner`` should be answered by an index (``action.organisation_id``,
    ``action.person_id``): the sheet opens within its 150 ms budget.
    """
    when = func.coalesce(Action.done_at, Action.due_at)
    rows = session.execute(
        select(Action.id, when, ActionType.name, Action.subject, User.full_name, Action.status)
        .join(ActionType, ActionType.id == Action.action_type_id)
        .outerjoin(User, User.id == Action.user_id)
        .where(owner)
        .order_by(when.desc(), Action.id.desc())
        .limit(limit)
    ).all()
    entries = tuple(
        HistoryEntry(
            id=int(i),
            when=_aware(w),
            type_name=str(t),
            subject=str(s),
            user=str(u or ""),
            status=str(getattr(st, "value", st)),
        )
        for i, w, t, s, u, st in rows
    )
    if len(entries) < limit:
        return entries, len(entries)
    total = session.scalar(select(func.count()).select_from(Action).where(owner))
    return entries, int(total or 0)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they are UTC (docs/storage.md §4.7)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def load_sheet(db: Database, organisation_id: int | None) -> SheetData:
    """Everything the sheet shows, in one read transaction.

    ``None`` gives a blank sheet (a new suspect) with the choices filled in.

    Raises:
        NotFoundError: no such organisation, or it is in the trash.
    """
    with db.read() as session:
        all_tags = tuple(read_tag_names(session))
        if organisation_id is None:
            return SheetData(
                OrganisationRecord(), AddressRecord(), (), (), all_tags,
                read_salespeople(session, None), (), 0,
            )
        org = session.get(Organisation, organisation_id)
        if org is None or org.deleted_at is not None:
            raise NotFoundError("Organisation", organisation_id)
        record = snapshot(org)
        history, total = read_history(session, organisation_id)
        return SheetData(
            record=record,
            address=read_primary_address(session, organisation_id),
            contacts=tuple(read_contacts(session, organisation_id)),
            tags=tuple(read_organisation_tags(session, organisation_id)),
            all_tags=all_tags,
            salespeople=read_salespeople(session, record.salesperson_id),
            history=history,
            history_total=total,
        )


def load_history(db: Database, organisation_id: int) -> tuple[tuple[HistoryEntry, ...], int]:
    """The history alone, newest first (after a lifecycle change)."""
    with db.read() as session:
        return read_history(session, organisation_id)


def _siret_taken(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "siret" in text and ("unique" in text or "duplicate" in text)


def save_record(
    db: Database, mine: OrganisationRecord, base: OrganisationRecord | None = None
) -> SaveResult:
    """:func:`~microcrm.crm.parties.save_organisation`, a duplicate SIRET made a user error.

    Raises:
        ValidationError: a field is invalid, or the SIRET is another record's.
        MergeConflictError: the same field was changed elsewhere meanwhile.
        ConflictError: the organisation was deleted elsewhere meanwhile.
    """
    try:
        return save_organisation(db, mine, base)
    except IntegrityError as exc:
        if _siret_taken(exc):
            raise ValidationError(
                "siret", f"Le SIRET {mine.siret} est déjà celui d'une autre fiche."
            ) from exc
        raise


def resolve_conflict(error: MergeConflictError, keep_mine: set[str]) -> OrganisationRecord:
    """Theirs, plus my other changes, plus the conflicting fields I chose to keep.

    Save the result with ``base=error.theirs``: it goes on top of their version.
    """
    return error.resolve(keep_mine)


def _in_trash(db: Database, organisation_id: int) -> bool:
    with db.read() as session:
        deleted = session.execute(
            select(Organisation.deleted_at).where(Organisation.id == organisation_id)
        ).first()
    return deleted is not None and deleted[0] is not None


def recreate_organisation(db: Database, mine: OrganisationRecord) -> SaveResult:
    """"Recréer" a record another workstation deleted while it was being edited.

    A record in the trash is restored and gets my values on top (same id,
    its contacts and history kept); a record gone for good is saved as new.

    Raises:
        ValidationError: a field is invalid, or the SIRET is another record's.
    """
    validate(mine)
    if mine.id is not None and _in_trash(db, mine.id):
        restore_organisation(db, mine.id)
        theirs = load_organisation(db, mine.id)
        changed = {n: getattr(mine, n) for n in EDITABLE}
        return save_record(db, replace(theirs, **changed), theirs)
    return save_record(db, replace(mine, id=None, version_id=0))


def stage_label(stage: str | None) -> str:
    """« Suspect », « Client »… ; « — » for an organisation outside the lifecycle."""
    return STAGE_LABELS[Stage(stage)] if stage else "—"


def move_to_stage(
    db: Database, organisation_id: int, version_id: int, stage: str
) -> OrganisationRecord:
    """:func:`~microcrm.crm.parties.change_stage` by stage value (``"client"``…).

    Raises:
        ConflictError: the organisation changed elsewhere since ``version_id``.
    """
    return change_stage(db, organisation_id, version_id, Stage(stage))
