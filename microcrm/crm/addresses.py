"""The primary postal address of an organisation or a person: load, normalise, save, merge.

Nothing typed is lost: ``line1``…``country`` are stored as the user wrote
them, and the NF Z10-011 form computed by :mod:`microcrm.postal.normalize`
is stored beside them (``norm_lines``, ``norm_status``, ``norm_errors``).
The stored block holds lines 2–6 (2–7 abroad): line 1, the recipient, is
computed at print time (see :class:`~microcrm.models.Address`).

Saving merges three ways like organisations (docs/storage.md §4.1): fields
changed on one side only merge by themselves; fields changed on both sides
raise :class:`AddressConflictError` and nothing is written.

An address has exactly one owner (the ``one_owner`` check): the
``*_primary_address`` functions take an organisation id, the
``*_person_address`` ones a person id (private customers, staff).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import ConflictError
from microcrm.models import Address
from microcrm.postal.normalize import AddressInput, NormalizedAddress, normalize_address

TYPED_FIELDS = ("line1", "line2", "line3", "postcode", "city", "country")
"""The fields a user types; everything else is derived from them."""

ADDRESS_LABELS = {
    "line1": "Adresse (ligne 1)", "line2": "Adresse (ligne 2)", "line3": "Adresse (ligne 3)",
    "postcode": "Code postal", "city": "Localité", "country": "Pays",
}


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """An address as typed, with its normalised form (empty until first saved)."""

    id: int | None = None
    version_id: int = 0
    line1: str = ""
    line2: str = ""
    line3: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    norm_lines: tuple[str, ...] = ()
    norm_status: str | None = None
    norm_errors: tuple[str, ...] = ()
    npai: bool = False

    def is_empty(self) -> bool:
        """True when nothing was typed."""
        return not any(getattr(self, name).strip() for name in TYPED_FIELDS)

    def typed(self) -> tuple[str, ...]:
        """The typed values, in :data:`TYPED_FIELDS` order."""
        return tuple(getattr(self, name) for name in TYPED_FIELDS)


class AddressConflictError(ConflictError):
    """Both workstations changed the same address fields: the user must choose."""

    def __init__(self, base: AddressRecord, mine: AddressRecord, theirs: AddressRecord,
                 conflicting: tuple[str, ...]) -> None:
        super().__init__("address", theirs.id or 0)
        self.base, self.mine, self.theirs, self.conflicting = base, mine, theirs, conflicting


@dataclass(frozen=True, slots=True)
class AddressSaveResult:
    """The saved address and the fields merged in from another workstation's save."""

    record: AddressRecord
    merged_from_others: tuple[str, ...] = field(default=())


def address_input(record: AddressRecord, *, company: str = "", name: str = "") -> AddressInput:
    """The normaliser's input for a record (``company`` becomes line 1 when given)."""
    return AddressInput(
        name=name,
        company=company,
        line1=record.line1,
        line2=record.line2,
        line3=record.line3,
        postcode=record.postcode,
        city=record.city,
        country=record.country,
    )


def normalize(record: AddressRecord, *, company: str = "") -> NormalizedAddress:
    """The NF Z10-011 form of a record (pure, no database: cheap enough per keystroke)."""
    return normalize_address(address_input(record, company=company))


def address_snapshot(row: Address) -> AddressRecord:
    """A detached record of an address row."""
    return AddressRecord(
        id=row.id,
        version_id=row.version_id,
        line1=row.line1 or "",
        line2=row.line2 or "",
        line3=row.line3 or "",
        postcode=row.postcode or "",
        city=row.city or "",
        country=row.country or "",
        norm_lines=tuple(row.lines),
        norm_status=row.norm_status,
        norm_errors=tuple(row.norm_errors.split()) if row.norm_errors else (),
        npai=bool(row.npai),
    )


def _owner(*, organisation_id: int | None = None, person_id: int | None = None) -> dict[str, int]:
    """The owner column and id of an address (exactly one)."""
    if (organisation_id is None) == (person_id is None):
        raise ValueError("an address belongs to one organisation or one person")
    if organisation_id is not None:
        return {"organisation_id": organisation_id}
    assert person_id is not None
    return {"person_id": person_id}


def _owned_by(owner: dict[str, int]) -> ColumnElement[bool]:
    if "person_id" in owner:
        return Address.person_id == owner["person_id"]
    return Address.organisation_id == owner["organisation_id"]


def _primary(session: Session, owner: dict[str, int]) -> Address | None:
    return session.scalars(
        select(Address)
        .where(_owned_by(owner), Address.is_primary.is_(True))
        .order_by(Address.id)
        .limit(1)
    ).first()


def read_primary_address(session: Session, organisation_id: int) -> AddressRecord:
    """The primary address inside an open read; an empty record when there is none."""
    row = _primary(session, _owner(organisation_id=organisation_id))
    return address_snapshot(row) if row is not None else AddressRecord()


def load_primary_address(db: Database, organisation_id: int) -> AddressRecord:
    """The primary address of an organisation; an empty record when there is none."""
    with db.read() as session:
        return read_primary_address(session, organisation_id)


def read_person_address(session: Session, person_id: int) -> AddressRecord:
    """A person's primary address inside an open read; an empty record when there is none."""
    row = _primary(session, _owner(person_id=person_id))
    return address_snapshot(row) if row is not None else AddressRecord()


def load_person_address(db: Database, person_id: int) -> AddressRecord:
    """The primary address of a person; an empty record when there is none."""
    with db.read() as session:
        return read_person_address(session, person_id)


def _changed(a: AddressRecord, b: AddressRecord) -> set[str]:
    return {n for n in TYPED_FIELDS if getattr(a, n) != getattr(b, n)}


def _store_normalised(row: Address) -> None:
    record = address_snapshot(row)
    if record.is_empty():
        row.norm_lines, row.norm_status, row.norm_errors = None, None, ""
        return
    result = normalize(record)
    row.norm_lines = "\n".join(result.lines)
    row.norm_status = result.status
    row.norm_errors = " ".join(result.errors)


def clean_typed(record: AddressRecord) -> AddressRecord:
    """Typed fields trimmed (inner spacing is kept as typed)."""
    return replace(record, **{n: getattr(record, n).strip() for n in TYPED_FIELDS})


def save_primary_address(
    db: Database,
    organisation_id: int,
    mine: AddressRecord,
    base: AddressRecord | None = None,
) -> AddressSaveResult:
    """Create or update the primary address of an organisation, normalised.

    ``base`` is the snapshot the form was opened with (default: ``mine``).

    Raises:
        AddressConflictError: the same field was changed elsewhere meanwhile.
    """
    return _save(db, _owner(organisation_id=organisation_id), mine, base)


def save_person_address(
    db: Database,
    person_id: int,
    mine: AddressRecord,
    base: AddressRecord | None = None,
) -> AddressSaveResult:
    """Create or update the primary address of a person, normalised (as an organisation's).

    Raises:
        AddressConflictError: the same field was changed elsewhere meanwhile.
    """
    return _save(db, _owner(person_id=person_id), mine, base)


def _save(
    db: Database, owner: dict[str, int], mine: AddressRecord, base: AddressRecord | None
) -> AddressSaveResult:
    mine = clean_typed(mine)
    base = base or mine

    def write(session: Session) -> AddressSaveResult:
        row = _primary(session, owner)
        if row is None:
            row = Address(is_primary=True, **owner)
            session.add(row)
            names = tuple(TYPED_FIELDS)
            merged: tuple[str, ...] = ()
        else:
            theirs = address_snapshot(row)
            origin = base if base.id == row.id else AddressRecord()
            mine_changed = _changed(origin, mine)
            merged = ()
            if theirs.version_id != origin.version_id:
                theirs_changed = _changed(origin, theirs)
                both = tuple(n for n in TYPED_FIELDS if n in mine_changed & theirs_changed
                             and getattr(mine, n) != getattr(theirs, n))
                if both:
                    raise AddressConflictError(origin, mine, theirs, both)
                merged = tuple(n for n in TYPED_FIELDS if n in theirs_changed - mine_changed)
            names = tuple(n for n in TYPED_FIELDS if n in mine_changed)
        for name in names:
            setattr(row, name, getattr(mine, name))
        if names and row.npai:
            # A corrected address is a new chance: the NPAI mark was about the old one.
            row.npai = False
            row.npai_on = None
        _store_normalised(row)
        session.flush()
        return AddressSaveResult(address_snapshot(row), merged)

    return db.run_write(write)


def merge_choices(error: AddressConflictError, keep_mine: set[str]) -> AddressRecord:
    """Theirs, plus my other changes, plus the conflicting fields I chose to keep.

    The result is saved with ``base=error.theirs`` (saved on top of theirs).
    """
    mine_changed = _changed(error.base, error.mine)
    values = {
        n: getattr(error.mine, n)
        for n in mine_changed
        if n not in error.conflicting or n in keep_mine
    }
    return replace(error.theirs, **values)

