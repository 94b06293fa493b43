"""Quick-search keys: one accent-folded text per organisation and per person.

The list's quick search looks for the typed text anywhere in a party's name,
enseigne, city, postcode, phone, e-mail and SIRET. Evaluating that across a
join on 100,000 rows costs hundreds of milliseconds; a single ``search_key``
column held in a partial covering index answers from the index alone
(budget: ≤ 100 ms per keystroke, docs/architecture.md §6). The key is derived state: it is
refreshed by the write sessions' ``before_flush`` hook, and bulk writers
(demo generator, imports) call the same functions for the rows they insert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.models.addresses import Address
from microcrm.models.parties import Organisation, Person
from microcrm.text import fold

_PUNCTUATION = re.compile(r"[^\w@.]+")


def search_fold(text: str | None) -> str:
    """Accent-folded, lower-case, punctuation as spaces (``L'Haÿ-les-Roses`` → ``l hay les roses``).

    Applied alike to the stored key and to what the user types, so
    ``saint malo`` finds « Saint-Malo » and ``l'atelier`` finds « L'Atelier ».
    """
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).replace("_", " ").split())


def phone_forms(phone: str | None) -> str:
    """Digits of an E.164 number and its French national form (``+33299…`` → ``33299… 0299…``)."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.startswith("+33") and len(digits) > 2:
        return f"{digits} 0{digits[2:]}"
    return digits


def _join(parts: Iterable[str | None]) -> str:
    return " | ".join(p for p in parts if p)


def organisation_search_key(*, name: str | None, enseigne: str | None, siret: str | None,
                            phone: str | None, email: str | None, postcode: str | None,
                            city: str | None) -> str:
    """The searchable text of an organisation and its primary address."""
    return _join((search_fold(name), search_fold(enseigne), siret, phone_forms(phone),
                  search_fold(email), postcode, search_fold(city)))


def person_search_key(*, last_name: str | None, first_name: str | None, email: str | None,
                      phone: str | None, mobile: str | None, postcode: str | None,
                      city: str | None) -> str:
    """The searchable text of a person and their primary address."""
    return _join((search_fold(last_name), search_fold(first_name), search_fold(email),
                  phone_forms(phone), phone_forms(mobile), postcode, search_fold(city)))


def _primary(addresses: Iterable[Address]) -> Address | None:
    # ``is_primary`` is still None on a pending row: its column default (True) applies at INSERT.
    live = [a for a in addresses if a.is_primary is not False]
    return live[0] if live else None


def _organisation_key(org: Organisation) -> str:
    addr = _primary(org.addresses)
    return organisation_search_key(
        name=org.name, enseigne=org.enseigne, siret=org.siret, phone=org.phone, email=org.email,
        postcode=addr.postcode if addr else None, city=addr.city if addr else None,
    )


def _person_key(person: Person) -> str:
    addr = _primary(person.addresses)
    return person_search_key(
        last_name=person.last_name, first_name=person.first_name, email=person.email,
        phone=person.phone, mobile=person.mobile,
        postcode=addr.postcode if addr else None, city=addr.city if addr else None,
    )


def refresh_search_keys(session: Session, _ctx: object, _instances: object) -> None:
    """``before_flush`` hook: recompute the keys of parties whose fields or address changed."""
    touched = [o for o in (*session.new, *session.dirty) if o not in session.deleted]
    orgs = {id(o): o for o in touched if isinstance(o, Organisation)}
    persons = {id(p): p for p in touched if isinstance(p, Person)}
    org_ids = {a.organisation_id for a in touched if isinstance(a, Address) and a.organisation_id}
    person_ids = {a.person_id for a in touched if isinstance(a, Address) and a.person_id}
    for address in (a for a in touched if isinstance(a, Address)):
        if address.organisation is not None:
            orgs[id(address.organisation)] = address.organisation
        if address.person is not None:
            persons[id(address.person)] = address.person
    known_orgs = {o.id for o in orgs.values()}
    known_persons = {p.id for p in persons.values()}
    missing_orgs = org_ids - known_orgs
    missing_persons = person_ids - known_persons
    if missing_orgs:
        for org in session.scalars(select(Organisation).where(Organisation.id.in_(missing_orgs))):
            orgs[id(org)] = org
    if missing_persons:
        for person in session.scalars(select(Person).where(Person.id.in_(missing_persons))):
            persons[id(person)] = person
    for org in orgs.values():
        key = _organisation_key(org)
        if org.search_key != key:
            org.search_key = key
    for person in persons.values():
        key = _person_key(person)
        if person.search_key != key:
            person.search_key = key
