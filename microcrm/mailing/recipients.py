"""Who gets a letter: recipients of a run from a segment, a base's filters or the current list.

One recipient per organisation, at its primary address, addressed to its main
contact (the first live contact, by creation, who did not refuse mail) or to
the organisation itself when it has none; or, with ``per_contact``, one per
contact. Persons (private customers, staff) are recipients on their own.

Left out, each with a reason code (:data:`REASON_LABELS`) and a French detail
the wizard shows (and lets the user fix): ``refus_courrier`` (``no_mail`` on
the organisation or the person), ``sans_adresse``, ``npai`` (the address is
marked « n'habite pas à l'adresse indiquée »), ``adresse_invalide`` (the
NF Z10-011 normaliser finds it undeliverable; the detail lists why) and
``doublon_adresse`` (the same printed block as an earlier recipient).

The printed block is recomputed from the typed address with the recipient's
identity (NF Z10-011 R5-R6: raison sociale on line 1, the contact on line 2),
so it is exactly what the normaliser would store, plus line 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from microcrm.crm.bases import BASES_BY_KEY, BaseKind, is_trash
from microcrm.crm.lists import ListQuery, PartyListService
from microcrm.crm.segments import get_segment
from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.models import Address, Organisation, Person, Tag, User
from microcrm.postal import AddressInput, NormalizedAddress, explain, normalize_address
from microcrm.postal.clean import MAX_LINE_LENGTH, clean
from microcrm.text import fold

REASON_LABELS: dict[str, str] = {
    "npai": "Adresse marquée NPAI (n'habite pas à l'adresse indiquée)",
    "adresse_invalide": "Adresse non distribuable",
    "refus_courrier": "Refuse le courrier postal",
    "doublon_adresse": "Même adresse qu'un autre destinataire",
    "sans_adresse": "Pas d'adresse postale",
}
_CHUNK = 500

WHERE_KEYS = {
    "departement": "département (35, 2A, 971…)",
    "commercial": "identifiant ou nom du commercial",
    "etiquette": "nom d'une étiquette",
    "traite": "oui ou non",
    "recherche": "texte de la recherche rapide",
}


@dataclass(frozen=True, slots=True)
class Recipient:
    """One letter to print: who, at which address, with the values the fields need.

    ``lines`` is the complete NF Z10-011 block (line 1 included, ≤ 6 lines of
    ≤ 38 characters in France). ``key`` is unique in a run (``o12``, ``p40``,
    ``o12-p40`` for a contact written to individually).
    """

    key: str
    organisation_id: int | None
    person_id: int | None
    address_id: int | None
    display_name: str
    lines: tuple[str, ...]
    civility: str = ""
    first_name: str = ""
    last_name: str = ""
    role: str = ""
    organisation_name: str = ""
    enseigne: str = ""
    reference: str = ""
    salesperson: str = ""
    salesperson_email: str = ""
    salesperson_phone: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A party left out of the run, and why (``reason`` is a key of :data:`REASON_LABELS`)."""

    organisation_id: int | None
    person_id: int | None
    address_id: int | None
    name: str
    reason: str
    detail: str

    @property
    def label(self) -> str:
        """The reason in French."""
        return REASON_LABELS.get(self.reason, self.reason)


@dataclass(frozen=True, slots=True)
class RecipientSource:
    """Where recipients come from: exactly one of segment, query, or explicit ids.

    Attributes:
        segment: Name of a saved segment.
        query: A base and its filters (see :func:`parse_where`).
        organisation_ids: The UI's current list of organisations, in its order.
        person_ids: The UI's current list of persons, in its order.
        per_contact: One letter per contact of each organisation instead of one
            per organisation.
    """

    segment: str | None = None
    query: ListQuery | None = None
    organisation_ids: Sequence[int] = ()
    person_ids: Sequence[int] = ()
    per_contact: bool = False


@dataclass(slots=True)
class Selection:
    """Recipients in order, and the parties left out with their reasons."""

    recipients: list[Recipient] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    segment_id: int | None = None
    segment_name: str = ""
    description: str = ""

    def excluded_by_reason(self) -> dict[str, int]:
        """Count of exclusions per reason code."""
        counts: dict[str, int] = {}
        for e in self.excluded:
            counts[e.reason] = counts.get(e.reason, 0) + 1
        return counts


def parse_where(db: Database, base: str, clauses: Iterable[str]) -> ListQuery:
    """A :class:`ListQuery` from ``cle=valeur`` filters, as the CLI's ``--where`` takes them.

    Keys: ``departement=35``, ``commercial=<identifiant ou nom>``,
    ``etiquette=<nom>``, ``traite=oui|non``, ``recherche=<texte>``; several
    clauses combine with « et ».

    Raises:
        ValidationError: unknown base, key, salesperson or tag (field ``where``/``base``).
    """
    if base not in BASES_BY_KEY or is_trash(base):
        names = ", ".join(k for k in BASES_BY_KEY if not is_trash(k))
        raise ValidationError("base", f"Base inconnue « {base} » (bases : {names}).")
    query = ListQuery(base=base)
    for clause in clauses:
        key, sep, value = clause.partition("=")
        key, value = fold(key).replace(" ", "_"), value.strip()
        if not sep or key not in WHERE_KEYS or not value:
            keys = ", ".join(f"{k}=<{v}>" for k, v in WHERE_KEYS.items())
            raise ValidationError("where", f"Filtre incompris « {clause} » (filtres : {keys}).")
        if key == "departement":
            query = query.with_(departement=value)
        elif key == "recherche":
            query = query.with_(search=value)
        elif key == "traite":
            if fold(value) not in ("oui", "non"):
                raise ValidationError("where", f"traite=oui ou traite=non, pas « {value} ».")
            query = query.with_(traite=fold(value) == "oui")
        elif key == "commercial":
            query = query.with_(salesperson_id=_salesperson_id(db, value))
        else:
            query = query.with_(tag_id=_tag_id(db, value))
    return query


def _salesperson_id(db: Database, value: str) -> int:
    with db.read() as session:
        found = session.scalar(select(User.id).where(User.login == value))
        if found is None:
            found = session.scalar(
                select(User.id).where(func.lower(User.full_name) == value.lower())
            )
    if found is None:
        raise ValidationError("where", f"Commercial inconnu « {value} » (identifiant ou nom).")
    return int(found)


def _tag_id(db: Database, value: str) -> int:
    with db.read() as session:
        tags = session.execute(select(Tag.id, Tag.name)).all()
    for tag_id, name in tags:
        if fold(name) == fold(value):
            return int(tag_id)
    raise ValidationError("where", f"Étiquette inconnue « {value} ».")


def select_recipients(db: Database, source: RecipientSource) -> Selection:
    """The recipients of a run and the parties left out (nothing is written).

    Raises:
        NotFoundError: the segment does not exist.
        ValidationError: the source names nothing.
    """
    selection = Selection()
    query = source.query
    if source.segment is not None:
        segment = get_segment(db, source.segment)
        selection.segment_id, selection.segment_name = segment.id, segment.name
        selection.description = f"Segment « {segment.name} »"
        query = segment.query
    org_ids: list[int] = list(source.organisation_ids)
    person_ids: list[int] = list(source.person_ids)
    if query is not None:
        ids = PartyListService(db).ids(query)
        if BASES_BY_KEY[query.base].kind is BaseKind.ORGANISATION:
            org_ids = ids
        else:
            person_ids = ids
        if not selection.description:
            selection.description = f"Base « {BASES_BY_KEY[query.base].label} »"
    elif source.segment is None:
        if not org_ids and not person_ids:
            raise ValidationError(
                "source", "Aucun destinataire : choisissez un segment ou une liste."
            )
        selection.description = "Liste courante"
    builder = _Builder(selection, per_contact=source.per_contact)
    with db.read() as session:
        for start in range(0, len(org_ids), _CHUNK):
            builder.organisations(session, org_ids[start : start + _CHUNK])
        for start in range(0, len(person_ids), _CHUNK):
            builder.persons(session, person_ids[start : start + _CHUNK])
    return selection


def address_block(
    address: Address, *, company: str = "", name: str = ""
) -> tuple[NormalizedAddress, tuple[str, ...]]:
    """The printed NF Z10-011 block of an address for a recipient, with its validation.

    Returns the normaliser's result and the lines to print; no lines when the
    address itself is undeliverable. A raison sociale or a name too long for
    its 38-character line does not make the address undeliverable: it is cut
    at 38 characters (after the normaliser's own abbreviations failed).
    """
    if company and name and _names_one_party(company, name):
        company = ""  # a sole trader: « M Arthur Gauthier » needs no « ARTHUR GAUTHIER » above
    typed = AddressInput(
        name=name,
        company=company,
        line1=address.line1,
        line2=address.line2,
        line3=address.line3,
        postcode=address.postcode,
        city=address.city,
        country=address.country,
    )
    full = normalize_address(typed)
    if full.status != "invalid" and len(full.lines) >= 2:
        return full, full.lines
    bare = normalize_address(replace(typed, name="", company=""))
    if bare.status == "invalid" or not bare.lines:
        return bare, ()
    identity = [clean(part)[:MAX_LINE_LENGTH].rstrip() for part in (company, name) if part]
    return bare, (*identity, *bare.lines)


def _names_one_party(company: str, name: str) -> bool:
    """Whether a raison sociale is just the contact's own name (civility aside)."""
    folded_company = " ".join(fold(company).replace("-", " ").split())
    folded_name = " ".join(fold(name).replace("-", " ").split())
    return folded_name == folded_company or folded_name.endswith(" " + folded_company)


def _name(civility: str | None, first: str | None, last: str | None) -> str:
    return " ".join(p for p in (civility, first, last) if p)


def _typed(address: Address) -> tuple[str, ...]:
    return (
        address.line1,
        address.line2,
        address.line3,
        address.postcode,
        address.city,
        address.country,
    )


_Who = tuple[Organisation | None, Person | None, Address | None, str]


class _Builder:
    """Turns loaded rows into recipients and exclusions, in the order of the ids."""

    def __init__(self, selection: Selection, *, per_contact: bool) -> None:
        self.selection = selection
        self.per_contact = per_contact
        self.seen_blocks: set[tuple[str, ...]] = set()
        self.users: dict[int, tuple[str, str, str]] = {}

    def _user(self, session: Session, user_id: int | None) -> tuple[str, str, str]:
        if user_id is None:
            return ("", "", "")
        if user_id not in self.users:
            row = session.execute(
                select(User.full_name, User.email, User.phone).where(User.id == user_id)
            ).one_or_none()
            self.users[user_id] = (row[0], row[1] or "", row[2] or "") if row else ("", "", "")
        return self.users[user_id]

    def organisations(self, session: Session, ids: Sequence[int]) -> None:
        orgs = {
            o.id: o
            for o in session.scalars(
                select(Organisation).where(
                    Organisation.id.in_(ids), Organisation.deleted_at.is_(None)
                )
            )
        }
        addresses = {
            a.organisation_id: a
            for a in session.scalars(
                select(Address)
                .where(Address.organisation_id.in_(ids), Address.is_primary)
                .order_by(Address.id.desc())
            )
        }
        contacts: dict[int, list[Person]] = {}
        for p in session.scalars(
            select(Person)
            .where(Person.organisation_id.in_(ids), Person.deleted_at.is_(None))
            .order_by(Person.id)
        ):
            contacts.setdefault(p.organisation_id or 0, []).append(p)
        for oid in ids:
            org = orgs.get(oid)
            if org is None:
                continue
            address = addresses.get(oid)
            people = contacts.get(oid, [])
            if self.per_contact:
                # An organisation without contacts still gets one letter, to itself.
                targets: list[Person | None] = list(people) or [None]
                for person in targets:
                    self._add(session, org, person, address)
            else:
                main = next((p for p in people if not p.no_mail), None)
                self._add(session, org, main, address)

    def persons(self, session: Session, ids: Sequence[int]) -> None:
        people = {
            p.id: p
            for p in session.scalars(
                select(Person).where(Person.id.in_(ids), Person.deleted_at.is_(None))
            )
        }
        own = {
            a.person_id: a
            for a in session.scalars(
                select(Address)
                .where(Address.person_id.in_(ids), Address.is_primary)
                .order_by(Address.id.desc())
            )
        }
        org_ids = {p.organisation_id for p in people.values() if p.organisation_id}
        orgs = {
            o.id: o
            for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
        }
        org_addresses = {
            a.organisation_id: a
            for a in session.scalars(
                select(Address).where(
                    and_(Address.organisation_id.in_(org_ids), Address.is_primary)
                )
            )
        }
        for pid in ids:
            person = people.get(pid)
            if person is None:
                continue
            org = orgs.get(person.organisation_id or 0)
            address = own.get(pid)
            if address is None and org is not None:
                address = org_addresses.get(org.id)
                self._add(session, org, person, address)
            else:
                self._add(session, None, person, address)

    def _exclude(self, who: _Who, reason: str, detail: str) -> None:
        org, person, address, name = who
        self.selection.excluded.append(
            Exclusion(
                org.id if org else None,
                person.id if person else None,
                address.id if address else None,
                name,
                reason,
                detail,
            )
        )

    def _add(
        self,
        session: Session,
        org: Organisation | None,
        person: Person | None,
        address: Address | None,
    ) -> None:
        person_name = _name(person.civility, person.first_name, person.last_name) if person else ""
        name = org.name if org else person_name
        if org is not None and person is not None and self.per_contact:
            name = f"{person_name} ({org.name})"
        who: _Who = (org, person, address, name)
        if org is not None and org.no_mail:
            self._exclude(
                who,
                "refus_courrier",
                "L'organisation refuse le courrier postal.",
            )
            return
        if person is not None and person.no_mail:
            self._exclude(
                who,
                "refus_courrier",
                f"{person_name} refuse le courrier postal.",
            )
            return
        if address is None or not any(v.strip() for v in _typed(address)):
            self._exclude(
                who,
                "sans_adresse",
                "Aucune adresse postale n'est enregistrée.",
            )
            return
        if address.npai:
            since = f" depuis le {address.npai_on:%d/%m/%Y}" if address.npai_on else ""
            self._exclude(
                who,
                "npai",
                f"Courrier revenu « n'habite pas à l'adresse indiquée »{since}.",
            )
            return
        norm, lines = address_block(address, company=org.name if org else "", name=person_name)
        if not lines:
            reasons = " ; ".join(explain(code, norm) for code in norm.errors)
            self._exclude(
                who,
                "adresse_invalide",
                reasons or "L'adresse ne donne aucune ligne postale utilisable.",
            )
            return
        if lines in self.seen_blocks:
            self._exclude(
                who,
                "doublon_adresse",
                "Même bloc adresse qu'un destinataire précédent : " + " / ".join(lines),
            )
            return
        self.seen_blocks.add(lines)
        sales_id = (org.salesperson_id if org else None) or (
            person.salesperson_id if person else None
        )
        sales = self._user(session, sales_id)
        key = f"o{org.id}" if org else f"p{person.id if person else 0}"
        if org is not None and person is not None and self.per_contact:
            key = f"o{org.id}-p{person.id}"
        self.selection.recipients.append(
            Recipient(
                key=key,
                organisation_id=org.id if org else None,
                person_id=person.id if person else None,
                address_id=address.id,
                display_name=name,
                lines=lines,
                civility=(person.civility or "") if person else "",
                first_name=(person.first_name or "") if person else "",
                last_name=person.last_name if person else "",
                role=(person.role or "") if person else "",
                organisation_name=org.name if org else "",
                enseigne=(org.enseigne or "") if org else "",
                reference=(org.reference or "") if org else "",
                salesperson=sales[0],
                salesperson_email=sales[1],
                salesperson_phone=sales[2],
                postcode=norm.postcode or address.postcode,
                city=address.city.strip() or norm.locality.title(),
                country=norm.country.title() if norm.country else "",
            )
        )
