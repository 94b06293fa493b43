"""Persons with a sheet of their own: private customers (particuliers) and staff.

Contacts of an organisation are edited in its sheet (:mod:`microcrm.crm.contacts`);
this module serves the bases "Particuliers" (persons with no organisation,
not staff) and "Personnel" (``is_staff``). Saving follows docs/storage.md §4.1
exactly as organisations do (:mod:`microcrm.crm.merge`): a field changed on
one side only merges by itself, a field changed on both sides raises
:class:`PersonConflictError` and nothing is written. Private customers move
along the same lifecycle as organisations (suspect → prospect → client →
ancien client), each move recorded in their history; staff have no stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.crm.addresses import AddressRecord, read_person_address
from microcrm.crm.contacts import CONTACT_LABELS, ContactRecord, validate_contact
from microcrm.crm.history import record_event, stage_change_subject
from microcrm.crm.merge import RecordConflictError, base_for, plan_merge
from microcrm.crm.sheet import HistoryEntry, read_actions, read_salespeople
from microcrm.crm.tags import read_person_tags, read_tag_names
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import Action, Address, Person, Stage, utcnow


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """The editable fields of a private customer or staff member, as a detached snapshot.

    ``organisation_id`` is shown, never edited here: a contact of an
    organisation is edited from the organisation's sheet.
    """

    id: int | None = None
    version_id: int = 0
    organisation_id: int | None = None
    civility: str = ""
    last_name: str = ""
    first_name: str = ""
    role: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    notes: str = ""
    phone_home: str = ""
    fax: str = ""
    emails_other: str = ""
    website: str = ""
    is_staff: bool = False
    stage: str | None = Stage.SUSPECT.value
    no_mail: bool = False
    no_email: bool = False
    salesperson_id: int | None = None

    @classmethod
    def new(cls, *, staff: bool = False) -> PersonRecord:
        """A blank private customer (a suspect), or a blank staff member (no stage)."""
        return cls(is_staff=True, stage=None) if staff else cls()

    @property
    def display_name(self) -> str:
        """« Mme Claire Martin »."""
        return " ".join(p for p in (self.civility, self.first_name, self.last_name) if p)


#: Fields a user edits (identity, version and organisation are not).
EDITABLE = tuple(
    f.name for f in fields(PersonRecord) if f.name not in ("id", "version_id", "organisation_id")
)
_CONTACT_FIELDS = tuple(f.name for f in fields(ContactRecord) if f.name in EDITABLE)
_OPTIONAL = ("stage", "salesperson_id")
"""Fields whose empty value is ``None`` (the other text fields store ``""`` as NULL)."""

PERSON_LABELS = {
    **CONTACT_LABELS,
    "is_staff": "Personnel",
    "stage": "Étape",
    "no_mail": "Pas de courrier",
    "no_email": "Pas d'e-mail",
    "salesperson_id": "Commercial",
}


class PersonConflictError(RecordConflictError[PersonRecord]):
    """Both sides changed the same fields of a person: the user must choose."""

    def __init__(
        self,
        base: PersonRecord,
        mine: PersonRecord,
        theirs: PersonRecord,
        conflicting: tuple[str, ...],
    ) -> None:
        super().__init__("person", base, mine, theirs, conflicting, names=EDITABLE)


@dataclass(frozen=True, slots=True)
class PersonSaveResult:
    """The saved person and the fields merged in from another workstation's save."""

    record: PersonRecord
    merged_from_others: tuple[str, ...] = field(default=())


def person_snapshot(person: Person) -> PersonRecord:
    """A detached record of a person row."""
    values = {name: getattr(person, name) for name in EDITABLE}
    for name, value in values.items():
        if value is None and name not in _OPTIONAL:
            values[name] = ""
    if isinstance(values["stage"], Stage):
        values["stage"] = values["stage"].value
    return PersonRecord(
        id=person.id,
        version_id=person.version_id,
        organisation_id=person.organisation_id,
        **values,
    )


def validate_person(record: PersonRecord, postcode: str = "") -> PersonRecord:
    """Cleaned copy of a person: as a contact (civility, name, phones, e-mail), plus the stage.

    ``postcode`` is the person's: overseas numbers (``0590…``) read in their
    region. Staff have no stage (it is cleared).

    Raises:
        ValidationError: naming the first field in error, with a French message.
    """
    contact = validate_contact(
        ContactRecord(**{n: getattr(record, n) for n in _CONTACT_FIELDS}), postcode
    )
    stage = None if record.is_staff else record.stage
    if stage is not None and stage not in {s.value for s in Stage}:
        raise ValidationError("stage", f"Étape inconnue : {stage}.")
    return replace(
        record, stage=stage, **{n: getattr(contact, n) for n in _CONTACT_FIELDS}
    )


def _apply(person: Person, record: PersonRecord, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(record, name)
        if name == "stage":
            value = Stage(value) if value else None
        elif value == "" and name != "last_name":
            value = None
        setattr(person, name, value)


def _live(session: Session, person_id: int) -> Person | None:
    person = session.get(Person, person_id)
    return person if person is not None and person.deleted_at is None else None


def load_person(db: Database, person_id: int) -> PersonRecord:
    """The record of a live person.

    Raises:
        NotFoundError: no such person, or it is in the trash.
    """
    with db.read() as session:
        person = _live(session, person_id)
        if person is None:
            raise NotFoundError("Personne", person_id)
        return person_snapshot(person)


def _postcode(session: Session, person_id: int | None) -> str:
    if person_id is None:
        return ""
    found = session.scalar(
        select(Address.postcode).where(Address.person_id == person_id, Address.is_primary)
    )
    return found or ""


def save_person(
    db: Database,
    mine: PersonRecord,
    base: PersonRecord | None = None,
    *,
    postcode: str | None = None,
) -> PersonSaveResult:
    """Create (``mine.id is None``) or update a private customer or staff member.

    ``base`` is the snapshot the form was opened with (default: the stored
    version ``mine`` carries). ``postcode`` reads phone numbers in their
    region (default: the postcode of the stored address).

    Raises:
        ValidationError: a field is invalid (nothing written).
        PersonConflictError: the same field was changed elsewhere meanwhile.
        ConflictError: the person was deleted elsewhere meanwhile.
    """

    def write(session: Session) -> PersonSaveResult:
        code = postcode if postcode is not None else _postcode(session, mine.id)
        clean = validate_person(mine, code)
        if clean.id is None:
            person = Person(organisation_id=None)
            _apply(person, clean, EDITABLE)
            session.add(person)
            session.flush()
            return PersonSaveResult(person_snapshot(person))
        found = _live(session, clean.id)
        if found is None:
            raise ConflictError("person", clean.id, deleted=True)
        theirs = person_snapshot(found)
        origin = base_for(base, clean, theirs, "person")
        plan = plan_merge(origin, clean, theirs, EDITABLE)
        if plan.conflicting:
            raise PersonConflictError(origin, clean, theirs, plan.conflicting)
        before = found.stage
        _apply(found, clean, plan.to_write)
        if found.stage != before:
            _record_stage(session, found, before)
        session.flush()
        return PersonSaveResult(person_snapshot(found), plan.merged_from_others)

    return db.run_write(write)


def recreate_person(
    db: Database, mine: PersonRecord, *, postcode: str = ""
) -> PersonSaveResult:
    """"Recréer" a person another workstation deleted while it was being edited.

    A person in the trash is restored with my values on top (same id, address
    and history kept); a person gone for good is saved as new.

    Raises:
        ValidationError: a field is invalid (nothing restored).
    """
    validate_person(mine, postcode)
    if mine.id is not None and _in_trash(db, mine.id):
        restore_persons(db, [mine.id])
        theirs = load_person(db, mine.id)
        values = {n: getattr(mine, n) for n in EDITABLE}
        return save_person(db, replace(theirs, **values), theirs, postcode=postcode)
    return save_person(db, replace(mine, id=None, version_id=0), postcode=postcode)


def _in_trash(db: Database, person_id: int) -> bool:
    with db.read() as session:
        deleted = session.execute(
            select(Person.deleted_at).where(Person.id == person_id)
        ).first()
    return deleted is not None and deleted[0] is not None


# -- lifecycle ----------------------------------------------------------------------------


def _record_stage(session: Session, person: Person, before: Stage | None) -> None:
    record_event(
        session, person.organisation_id, stage_change_subject(before, person.stage),
        person_id=person.id,
    )


def change_person_stage(
    db: Database, person_id: int, version_id: int, stage: Stage | str
) -> PersonRecord:
    """Move a private customer along the lifecycle; the move goes into their history.

    Raises:
        ValidationError: the person is a staff member (staff have no stage).
        ConflictError: the person changed elsewhere since ``version_id``, or was deleted.
    """
    target = Stage(stage)

    def write(session: Session) -> PersonRecord:
        person = _live(session, person_id)
        if person is None:
            raise ConflictError("person", person_id, deleted=True)
        if person.version_id != version_id:
            raise ConflictError("person", person_id)
        if person.is_staff:
            raise ValidationError("stage", "Un membre du personnel n'a pas d'étape commerciale.")
        before = person.stage
        if before != target:
            person.stage = target
            _record_stage(session, person, before)
            session.flush()
        return person_snapshot(person)

    return db.run_write(write)


# -- trash ----------------------------------------------------------------------------------


def trash_persons(db: Database, person_ids: list[int]) -> None:
    """Move persons to the trash (Corbeille) in one transaction.

    Raises:
        NotFoundError: one of them does not exist (nothing is trashed).
    """
    _set_deleted(db, person_ids, trashed=True)


def restore_persons(db: Database, person_ids: list[int]) -> None:
    """Take persons out of the trash in one transaction.

    Raises:
        NotFoundError: one of them does not exist (nothing is restored).
    """
    _set_deleted(db, person_ids, trashed=False)


def _set_deleted(db: Database, person_ids: list[int], *, trashed: bool) -> None:
    def write(session: Session) -> None:
        now = utcnow()
        for person_id in person_ids:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFoundError("Personne", person_id)
            if (person.deleted_at is not None) != trashed:
                person.deleted_at = now if trashed else None

    db.run_write(write)


# -- the sheet's data -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonSheetData:
    """What the person sheet shows for one person (or a blank one)."""

    record: PersonRecord
    address: AddressRecord
    tags: tuple[str, ...]
    all_tags: tuple[str, ...]
    salespeople: tuple[tuple[int, str], ...]
    history: tuple[HistoryEntry, ...]
    history_total: int


def read_person_history(
    session: Session, person_id: int
) -> tuple[tuple[HistoryEntry, ...], int]:
    """The person's actions, newest first, and how many there are in all."""
    return read_actions(session, Action.person_id == person_id)


def load_person_history(db: Database, person_id: int) -> tuple[tuple[HistoryEntry, ...], int]:
    """The history alone, newest first (after a lifecycle change)."""
    with db.read() as session:
        return read_person_history(session, person_id)


def load_person_sheet(
    db: Database, person_id: int | None, *, staff: bool = False
) -> PersonSheetData:
    """Everything the person sheet shows, in one read transaction.

    ``None`` gives a blank sheet: a new private customer (a suspect), or a new
    staff member when ``staff`` is true.

    Raises:
        NotFoundError: no such person, or it is in the trash.
    """
    with db.read() as session:
        all_tags = tuple(read_tag_names(session))
        if person_id is None:
            return PersonSheetData(
                PersonRecord.new(staff=staff), AddressRecord(), (), all_tags,
                read_salespeople(session, None), (), 0,
            )
        person = _live(session, person_id)
        if person is None:
            raise NotFoundError("Personne", person_id)
        record = person_snapshot(person)
        history, total = read_person_history(session, person_id)
        return PersonSheetData(
            record=record,
            address=read_person_address(session, person_id),
            tags=tuple(read_person_tags(session, person_id)),
            all_tags=all_tags,
            salespeople=read_salespeople(session, record.salesperson_id),
            history=history,
            history_total=total,
        )
