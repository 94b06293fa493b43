"""The small reference rows a demo base needs: users, sectors, tags, action types.

Written through the ORM (a few dozen rows, journalled by the flush hook).
On a base that already has them (``demo`` run twice), existing rows are
reused by name instead of duplicated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import PhoneNumberFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.demo import names, places
from microcrm.demo.addresses import PlacePicker
from microcrm.demo.identifiers import company_domain, new_siren, phone_number, siret_for, slug
from microcrm.demo.texts import Sender
from microcrm.models import ActionType, Scenario, ScenarioStep, Sector, Tag, User
from microcrm.postal.normalize import AddressInput, normalize_address

#: Default action types: (name, colour), in display order.
ACTION_TYPES: tuple[tuple[str, str], ...] = (
    ("Appel", "#1976d2"), ("E-mail", "#00897b"), ("Courrier", "#6d4c41"),
    ("Rendez-vous", "#8e24aa"), ("Relance", "#f4511e"), ("Devis", "#43a047"),
)
TAGS: tuple[tuple[str, str], ...] = (
    ("Fidèle", "#2e7d32"), ("VIP", "#c62828"), ("Salon 2026", "#6a1b9a"),
    ("Newsletter", "#0277bd"), ("Partenaire", "#ef6c00"), ("À relancer", "#f9a825"),
    ("Grand compte", "#4527a0"), ("Export", "#00838f"), ("Recommandé", "#558b2f"),
    ("Appel d'offres", "#5d4037"),
)
SCENARIO = ("Prospection standard", "Premier contact, documentation, relance, rendez-vous, devis.",
            (("Appel", 0), ("E-mail", 1), ("Relance", 10), ("Rendez-vous", 20), ("Devis", 25)))
SALESPEOPLE = 5


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A CRM user as the generator needs it."""

    id: int
    full_name: str
    email: str
    is_salesperson: bool


@dataclass(slots=True)
class Basics:
    """Ids and facts shared by every generated row."""

    sender: Sender
    users: list[UserInfo]
    by_departement: dict[str, int]
    action_types: dict[str, int]
    tags: dict[str, int]
    created_users: int = 0
    staff_names: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def salespeople(self) -> list[UserInfo]:
        return [u for u in self.users if u.is_salesperson] or self.users


def make_sender(rng: random.Random, picker: PlacePicker, taken_sirens: set[str]) -> Sender:
    """The demo company that writes the outgoing documents."""
    place = picker.draw(rng, 1)[0]
    while not place.big:
        place = picker.draw(rng, 1)[0]
    name = rng.choice(("Burotec", "Axiome Bureautique", "Office Plus", "Numéria Services",
                       "Atlantic Bureautique", "Cap Équipement Pro"))
    name = f"{name} {rng.choice(('SAS', 'SARL'))}"
    kind = rng.choice(("rue", "avenue", "boulevard"))
    street = f"{rng.randint(1, 120)} {kind} {rng.choice(places.STREET_NAMES)}"
    typed = AddressInput(line1=street, postcode=place.postcode, city=place.row.commune)
    phone = phonenumbers.parse(phone_number(rng, places.phone_zone(place.postcode)))
    return Sender(name=name, lines=normalize_address(typed, picker.reference).lines,
                  city=place.row.libelle.title(), siret=siret_for(new_siren(rng, taken_sirens)),
                  phone=phonenumbers.format_number(phone, PhoneNumberFormat.NATIONAL),
                  domain=company_domain(rng, name))


def _random_name(rng: random.Random) -> tuple[str, str, str]:
    gender = rng.choice("FM")
    first = rng.choice(names.FEMALE_FIRST_NAMES if gender == "F" else names.MALE_FIRST_NAMES)
    return gender, first, rng.choice(names.LAST_NAMES)


def _users(session: Session, rng: random.Random, sender: Sender) -> tuple[list[UserInfo], int]:
    existing = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    if any(u.is_salesperson for u in existing):
        return [UserInfo(u.id, u.full_name, u.email or "", u.is_salesperson)
                for u in existing], 0
    logins = set(session.scalars(select(User.login)))
    created = []
    for index in range(SALESPEOPLE + 1):
        _, first, last = _random_name(rng)
        login = base = slug(first[0] + last, "")
        while login in logins:
            login = f"{base}{rng.randint(2, 99)}"
        logins.add(login)
        user = User(login=login, full_name=f"{first} {last}",
                    initials=(first[0] + last[0]).upper(),
                    email=f"{slug(first, '')}.{slug(last, '')}@{sender.domain}",
                    phone=phone_number(rng, "6", mobile=True),
                    is_salesperson=index < SALESPEOPLE, active=True)
        session.add(user)
        created.append(user)
    session.flush()
    infos = [UserInfo(u.id, u.full_name, u.email or "", u.is_salesperson) for u in created]
    return infos, len(created)


def _sectors(session: Session, salespeople: list[UserInfo]) -> dict[str, int]:
    sectors = list(session.scalars(select(Sector).order_by(Sector.id)))
    if not sectors:
        for index, (name, deps) in enumerate(places.SECTORS):
            owner = salespeople[index % len(salespeople)].id if salespeople else None
            sectors.append(Sector(name=name, departements=deps, salesperson_id=owner))
        session.add_all(sectors)
        session.flush()
    mapping: dict[str, int] = {}
    for sector in sectors:
        for dep in sector.departements.split():
            if sector.salesperson_id is not None:
                mapping.setdefault(dep, sector.salesperson_id)
    return mapping


def _action_types(session: Session) -> dict[str, int]:
    found = {row.name: row.id for row in session.scalars(select(ActionType))}
    new = [ActionType(name=name, color=color, position=position, active=True)
           for position, (name, color) in enumerate(ACTION_TYPES, start=1) if name not in found]
    session.add_all(new)
    session.flush()
    return found | {row.name: row.id for row in new}


def _tags(session: Session) -> dict[str, int]:
    found = {row.name: row.id for row in session.scalars(select(Tag))}
    new = [Tag(name=name, color=color) for name, color in TAGS if name not in found]
    session.add_all(new)
    session.flush()
    return found | {row.name: row.id for row in new}


def _scenario(session: Session, action_types: dict[str, int]) -> None:
    name, description, steps = SCENARIO
    if session.scalar(select(Scenario.id).where(Scenario.name == name)) is not None:
        return
    scenario = Scenario(name=name, description=description)
    session.add(scenario)
    session.flush()
    session.add_all(
        ScenarioStep(scenario_id=scenario.id, position=i, action_type_id=action_types[kind],
                     delay_days=delay)
        for i, (kind, delay) in enumerate(steps, start=1)
    )
    session.flush()


def create_basics(session: Session, rng: random.Random, picker: PlacePicker,
                  taken_sirens: set[str]) -> Basics:
    """Find or create users, sectors, action types, tags and the prospecting scenario."""
    sender = make_sender(rng, picker, taken_sirens)
    users, created = _users(session, rng, sender)
    salespeople = [u for u in users if u.is_salesperson]
    action_types = _action_types(session)
    _scenario(session, action_types)
    basics = Basics(sender=sender, users=users, by_departement=_sectors(session, salespeople),
                    action_types=action_types, tags=_tags(session),
                    created_users=created)
    basics.staff_names = [_split_name(u.full_name) for u in users]
    return basics


def _split_name(full_name: str) -> tuple[str, str, str]:
    """(gender, first, last) of a user's full name, for the matching staff person."""
    first, _, last = full_name.partition(" ")
    gender = "F" if first in names.FEMALE_FIRST_NAMES else "M"
    return gender, first, last or first
