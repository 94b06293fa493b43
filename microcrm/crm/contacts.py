"""Contacts of an organisation: list, add, edit and remove (to the trash) its persons.

Each contact is its own versioned row: a contact edited on two workstations at
once raises :class:`~microcrm.errors.ConflictError` on the second save (the
dialog is short-lived, so the user simply reopens it). Phones are stored in
E.164 and shown in the French form by :func:`display_phone`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from microcrm.crm import validation as v
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import Address, Civility, Organisation, Person, utcnow

CIVILITIES: tuple[str, ...] = tuple(c.value for c in Civility)
"""Civilities offered in the contact dialog (as printed: « M. », « Mme »…)."""

CONTACT_LABELS = {
    "civility": "Civilité", "last_name": "Nom", "first_name": "Prénom", "role": "Fonction",
    "phone": "Téléphone", "mobile": "Mobile", "email": "E-mail", "notes": "Notes",
    "phone_home": "Téléphone du domicile", "fax": "Télécopie", "emails_other": "Autres e-mails",
    "website": "Site ou profil",
}


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A person of an organisation, as a detached snapshot."""

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
    home_address: str = ""
    """The person's home address as printed, lines joined by « , » (shown, not edited here:
    a home address comes from an address book import)."""

    @property
    def display_name(self) -> str:
        """« Mme Claire Martin »."""
        return " ".join(p for p in (self.civility, self.first_name, self.last_name) if p)


def display_phone(value: str) -> str:
    """A stored (E.164) number in the French display form."""
    return v.format_phone(value)


def contact_snapshot(person: Person) -> ContactRecord:
    """A detached record of a person row."""
    return ContactRecord(
        id=person.id,
        version_id=person.version_id,
        organisation_id=person.organisation_id,
        civility=person.civility or "",
        last_name=person.last_name or "",
        first_name=person.first_name or "",
        role=person.role or "",
        phone=person.phone or "",
        mobile=person.mobile or "",
        email=person.email or "",
        notes=person.notes or "",
        phone_home=person.phone_home or "",
        fax=person.fax or "",
        emails_other=person.emails_other or "",
        website=person.website or "",
        home_address=_home_address(person),
    )


HOME_KIND = "domicile"
"""``Address.kind`` of a person's home address."""


def _home_address(person: Person) -> str:
    home = next((a for a in person.addresses if a.kind == HOME_KIND), None)
    if home is None:
        return ""
    lines = home.lines or [home.line1, home.line2, home.line3, f"{home.postcode} {home.city}"]
    return ", ".join(line.strip() for line in lines if line.strip())


def validate_contact(record: ContactRecord, postcode: str = "") -> ContactRecord:
    """Cleaned copy of a contact (civility, name, phones in E.164, e-mail).

    ``postcode`` is the organisation's: overseas numbers (``0590…``) read in their region.

    Raises:
        ValidationError: naming the first field in error, with a French message.
    """
    civility = record.civility.strip()
    if civility and civility not in CIVILITIES:
        raise ValidationError(
            "civility", f"Civilité inconnue : « {civility} » (choisissez {', '.join(CIVILITIES)})."
        )
    return replace(
        record,
        civility=civility,
        last_name=v.required(record.last_name, "last_name", "Le nom"),
        first_name=record.first_name.strip(),
        role=record.role.strip(),
        phone=v.clean_phone(record.phone, "phone", postcode) or "",
        mobile=v.clean_phone(record.mobile, "mobile", postcode) or "",
        email=v.clean_email(record.email, "email") or "",
        notes=record.notes.strip(),
        phone_home=v.clean_phone(record.phone_home, "phone_home", postcode) or "",
        fax=v.clean_phone(record.fax, "fax", postcode) or "",
        emails_other=v.clean_emails(record.emails_other) or "",
        website=v.clean_website(record.website) or "",
    )


def read_contacts(session: Session, organisation_id: int) -> list[ContactRecord]:
    """Contacts of an organisation inside an open read (the sheet loader's transaction)."""
    stmt = (
        select(Person)
        .where(Person.organisation_id == organisation_id, Person.deleted_at.is_(None))
        .order_by(Person.last_name_key, Person.first_name_key, Person.id)
        .options(selectinload(Person.addresses))
    )
    return [contact_snapshot(p) for p in session.scalars(stmt)]


def list_contacts(db: Database, organisation_id: int) -> list[ContactRecord]:
    """The live contacts of an organisation, sorted by name."""
    with db.read() as session:
        return read_contacts(session, organisation_id)


def _organisation_postcode(session: Session, organisation_id: int) -> str:
    return (
        session.scalar(
            select(Address.postcode).where(
                Address.organisation_id == organisation_id, Address.is_primary.is_(True)
            )
        )
        or ""
    )


def _apply(person: Person, record: ContactRecord) -> None:
    person.civility = record.civility or None
    person.last_name = record.last_name
    person.first_name = record.first_name or None
    person.role = record.role or None
    person.phone = record.phone or None
    person.mobile = record.mobile or None
    person.email = record.email or None
    person.notes = record.notes or None
    person.phone_home = record.phone_home or None
    person.fax = record.fax or None
    person.emails_other = record.emails_other or None
    person.website = record.website or None


def save_contact(db: Database, record: ContactRecord) -> ContactRecord:
    """Add (``record.id is None``) or update a contact of ``record.organisation_id``.

    Raises:
        ValidationError: a field is invalid (nothing written).
        NotFoundError: the organisation does not exist or is in the trash.
        ConflictError: the contact was changed or removed elsewhere since it was read.
    """
    org_id = record.organisation_id
    if org_id is None:
        raise ValidationError("organisation_id", "Le contact doit appartenir à une organisation.")

    def write(session: Session) -> ContactRecord:
        org = session.get(Organisation, org_id)
        if org is None or org.deleted_at is not None:
            raise NotFoundError("Organisation", org_id)
        clean = validate_contact(record, _organisation_postcode(session, org_id))
        if clean.id is None:
            person = Person(organisation_id=org_id, stage=None)
            session.add(person)
        else:
            found = session.get(Person, clean.id)
            if found is None or found.deleted_at is not None:
                raise ConflictError("person", clean.id, deleted=True)
            if found.version_id != clean.version_id:
                raise ConflictError("person", clean.id)
            person = found
        _apply(person, clean)
        session.flush()
        return contact_snapshot(person)

    return db.run_write(write)


def remove_contact(db: Database, person_id: int) -> None:
    """Move a contact to the trash (Corbeille); :func:`restore_contact` brings it back.

    Raises:
        NotFoundError: no such person.
    """

    def write(session: Session) -> None:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError("Contact", person_id)
        person.deleted_at = utcnow()

    db.run_write(write)


def restore_contact(db: Database, person_id: int) -> None:
    """Take a contact out of the trash.

    Raises:
        NotFoundError: no such person.
    """

    def write(session: Session) -> None:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFoundError("Contact", person_id)
        person.deleted_at = None

    db.run_write(write)
