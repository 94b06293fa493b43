"""Organisations, their contacts, private customers and staff, as bulk rows.

:func:`plan_parties` draws up front what each organisation is (stage,
supplier, organisme) and how many contacts it gets, so that the totals asked
for are met exactly; :class:`PartyBuilder` then turns slices of that plan
into ``organisation``, ``person``, ``address``, ``action`` and tag-link rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from typing import Any

from microcrm.demo import companies, names
from microcrm.demo.actions import ActionMaker
from microcrm.demo.addresses import Normaliser, Place, PlacePicker, address_row, typed_address
from microcrm.demo.basics import Basics
from microcrm.demo.identifiers import (
    company_domain,
    new_siren,
    person_email,
    phone_number,
    siret_for,
)
from microcrm.demo.places import phone_zone
from microcrm.models import Action, Address, Organisation, Person, Stage
from microcrm.storage.bulk import IdAllocator, table_of
from microcrm.text import fold

#: Category of an organisation: its lifecycle stage, supplier only, or organisme.
SUSPECT, PROSPECT, CLIENT, ANCIEN, SUPPLIER, ORGANISME = range(6)
CATEGORY_WEIGHTS = (45.6, 25.65, 17.1, 6.65, 3.0, 2.0)  # 95 % lifecycle: 48/27/18/7
STAGES: dict[int, Stage | None] = {
    SUSPECT: Stage.SUSPECT, PROSPECT: Stage.PROSPECT, CLIENT: Stage.CLIENT,
    ANCIEN: Stage.ANCIEN_CLIENT, SUPPLIER: None, ORGANISME: None,
}
#: Contacts wanted per category (low, high), before adjusting to the total asked for.
CONTACTS: dict[int, tuple[int, int]] = {
    SUSPECT: (0, 1), PROSPECT: (1, 3), CLIENT: (2, 3), ANCIEN: (1, 2), SUPPLIER: (1, 2),
    ORGANISME: (1, 2),
}
#: Who loses contacts first when there are fewer persons than organisations want.
_KEEP_ORDER = {SUSPECT: 0, ORGANISME: 1, SUPPLIER: 1, ANCIEN: 2, PROSPECT: 3, CLIENT: 4}
PRIVATE_SHARE = 0.05
PRIVATE_STAGES = ((Stage.SUSPECT, 10), (Stage.PROSPECT, 35), (Stage.CLIENT, 45),
                  (Stage.ANCIEN_CLIENT, 10))
ORG_NOTES = (
    "Rencontré au salon professionnel régional.", "Standard fermé le mercredi après-midi.",
    "Passer par l'assistante pour joindre le dirigeant.", "Fichier acheté en 2025.",
    "Recommandé par un client.", "Multi-sites : siège et deux agences.",
    "Paiement systématiquement en retard.", "Projet d'extension des locaux.",
)
#: Executive role of the first contact, by catégorie juridique.
EXECUTIVE_BY_FORM = {
    "5499": "gerant", "5498": "gerant", "5202": "gerant", "5385": "gerant", "6540": "gerant",
    "6598": "gerant", "6533": "associe", "5710": "president", "5720": "president",
    "5599": "pdg", "1000": "exploitant", "7210": "maire", "7346": "president",
    "7381": "directeur", "9220": "president_asso",
}
PUBLIC_ROLES = (
    ("Trésorier", "Trésorière"), ("Secrétaire général", "Secrétaire générale"),
    ("Chargé de mission", "Chargée de mission"), ("Adjoint au maire", "Adjointe au maire"),
)


@dataclass(slots=True)
class Plan:
    """Category and contact count of every organisation, plus private customers and staff."""

    categories: bytearray
    contacts: list[int]
    privates: int
    staff: int


def plan_parties(rng: random.Random, organisations: int, persons: int) -> Plan:
    """Split ``persons`` into contacts, private customers (~5 %) and a few staff members."""
    staff = min(persons, 15, 3 + persons // 10_000) if persons >= 10 else 0
    privates = round(persons * PRIVATE_SHARE) if organisations else persons - staff
    contacts_total = max(persons - staff - privates, 0)
    cats = bytearray(rng.choices(range(6), CATEGORY_WEIGHTS, k=organisations))
    counts = [rng.randint(*CONTACTS[c]) for c in cats]
    diff = contacts_total - sum(counts)
    while diff > 0:  # more persons than wanted: favour prospects and clients
        i = rng.randrange(organisations)
        if cats[i] in (PROSPECT, CLIENT) or rng.random() < 0.3:
            counts[i] += 1
            diff -= 1
    if diff < 0:  # fewer: suspects lose theirs first, clients and prospects keep one longest
        order = list(range(organisations))
        rng.shuffle(order)
        order.sort(key=lambda i: _KEEP_ORDER[cats[i]])
        for floor in (1, 0):
            for i in order:
                cut = min(counts[i] - floor, -diff) if counts[i] > floor else 0
                counts[i] -= cut
                diff += cut
                if not diff:
                    return Plan(cats, counts, privates, staff)
    return Plan(cats, counts, privates, staff)


@dataclass(slots=True)
class Rows:
    """Rows of one chunk, by table, in insertion order."""

    organisation: list[dict[str, Any]]
    person: list[dict[str, Any]]
    address: list[dict[str, Any]]
    action: list[dict[str, Any]]
    organisation_tag: list[dict[str, Any]]
    person_tag: list[dict[str, Any]]


def _empty_rows() -> Rows:
    return Rows([], [], [], [], [], [])


class PartyBuilder:
    """Turns plan slices into rows; one instance per run (holds the rng and caches)."""

    def __init__(self, rng: random.Random, *, basics: Basics, picker: PlacePicker,
                 normaliser: Normaliser, sirens: set[str], today: dt.date,
                 audit: dict[str, Any], batch_id: int | None = None) -> None:
        self.rng, self.basics, self.picker, self.norm = rng, basics, picker, normaliser
        self.sirens, self.audit, self.today = sirens, audit, today
        self.batch_id = batch_id
        self.actions = ActionMaker(rng, today, basics.action_types, audit)
        self._activity_cum = list(itertools.accumulate(a.weight for a in companies.ACTIVITIES))
        self._organisme_cum = list(
            itertools.accumulate(a.weight for a in companies.ORGANISME_ACTIVITIES))
        self._tags = list(basics.tags.values())
        self._tag_by_name = basics.tags
        self._sales = [u.id for u in basics.salespeople]
        self._users = [u.id for u in basics.users]

    # -- helpers -------------------------------------------------------------------------

    def _person_name(self) -> tuple[str, str, str]:
        rng = self.rng
        gender = "F" if rng.random() < 0.5 else "M"
        pool = names.FEMALE_FIRST_NAMES if gender == "F" else names.MALE_FIRST_NAMES
        return gender, rng.choice(pool), rng.choice(names.LAST_NAMES)

    def _salesperson(self, place: Place) -> int | None:
        found = self.basics.by_departement.get(place.departement)
        if found is None and self._sales:
            return self._sales[int(place.postcode) % len(self._sales)]
        return found

    def _person(self, pid: int, gender: str, first: str, last: str,
                **values: Any) -> dict[str, Any]:
        rng = self.rng
        civility = ("Mlle" if rng.random() < 0.02 else "Mme") if gender == "F" else "M."
        row = {
            "id": pid, "organisation_id": None, "civility": civility, "last_name": last,
            "first_name": first, "last_name_key": fold(last), "first_name_key": fold(first),
            "role": None, "email": None, "phone": None, "mobile": None, "notes": None,
            "is_staff": False, "stage": None, "no_mail": rng.random() < 0.01,
            "no_email": rng.random() < 0.02, "salesperson_id": None,
            "import_batch_id": self.batch_id,
            "deleted_at": None, **self.audit,
        }
        row.update(values)
        return row

    def _address(self, rows: Rows, aid: int, place: Place, *, org: int | None,
                 person: int | None) -> None:
        typed = typed_address(self.rng, self.picker, place, company=org is not None)
        row = address_row(aid, typed, self.norm(typed), organisation_id=org, person_id=person,
                          audit=self.audit)
        if self.rng.random() < 0.01:  # mail came back: "n'habite pas à l'adresse indiquée"
            row["npai"] = True
            row["npai_on"] = self.today - dt.timedelta(days=self.rng.randint(10, 600))
        rows.address.append(row)

    # -- organisations -------------------------------------------------------------------

    def organisations(self, alloc: IdAllocator, cats: bytearray, contacts: list[int]) -> Rows:
        """Rows for one slice of the plan: organisations with address, contacts, history."""
        rng, rows = self.rng, _empty_rows()
        org_ids = alloc.take(table_of(Organisation), len(cats))
        person_ids = iter(alloc.take(table_of(Person), sum(contacts)))
        addr_ids = alloc.take(table_of(Address), len(cats))
        for oid, aid, cat, n_contacts, place in zip(
            org_ids, addr_ids, cats, contacts, self.picker.draw(rng, len(cats)), strict=True
        ):
            org, owner, domain = self._organisation(oid, cat, place)
            rows.organisation.append(org)
            self._address(rows, aid, place, org=oid, person=None)
            pids = [next(person_ids) for _ in range(n_contacts)]
            for index, pid in enumerate(pids):
                rows.person.append(self._contact(pid, org, owner if index == 0 else None,
                                                 domain, place))
            stage = STAGES[cat]
            for _ in range(self.actions.count(stage)):
                user = org["salesperson_id"] or (rng.choice(self._users) if self._users else None)
                rows.action.append(self.actions.make(stage, oid, pids, user))
            self._tag(rows.organisation_tag, "organisation_id", oid, cat)
        for aid, action in zip(alloc.take(table_of(Action), len(rows.action)), rows.action,
                               strict=True):
            action["id"] = aid
        return rows

    def _organisation(self, oid: int, cat: int, place: Place
                      ) -> tuple[dict[str, Any], tuple[str, str, str, str], str | None]:
        rng = self.rng
        gender, first, last = self._person_name()
        if cat == ORGANISME:
            activity = rng.choices(companies.ORGANISME_ACTIVITIES,
                                   cum_weights=self._organisme_cum)[0]
            noun = rng.choice(activity.nouns)
            form = companies.organisme_form(activity, noun)
            name = companies.organisme_name(rng, noun, place.row.commune)
            band = rng.choice(("03", "11", "12", "21", "22"))
            label = None
        else:
            activity = rng.choices(companies.ACTIVITIES, cum_weights=self._activity_cum)[0]
            form = companies.legal_form_for(rng, activity)
            name = companies.company_name(rng, activity, form, last, first)
            band = (rng.choice(("NN", "00", "01")) if form in ("1000", "6540")
                    else companies.pick_weighted(rng, companies.HEADCOUNT_BANDS))
            label = companies.enseigne(rng, activity, first)
        role = self._executive(form, activity.code)
        domain = company_domain(rng, label or name) if rng.random() < 0.75 else None
        siren = new_siren(rng, self.sirens) if rng.random() < 0.95 else None
        stage = STAGES[cat]
        zone = phone_zone(place.postcode)
        org = {
            "id": oid, "name": name, "name_key": fold(name), "enseigne": label,
            "reference": (f"C{oid:06d}" if cat in (CLIENT, ANCIEN) else
                          f"F{oid:06d}" if cat == SUPPLIER else None),
            "siren": siren, "siret": siret_for(siren) if siren else None,
            "naf_code": activity.code, "headcount_band": band, "legal_form": form,
            "website": f"https://www.{domain}" if domain and rng.random() < 0.75 else None,
            "email": (f"{rng.choice(('contact', 'contact', 'info', 'accueil'))}@{domain}"
                      if domain else None),
            "phone": phone_number(rng, zone) if rng.random() < 0.85 else None,
            "notes": rng.choice(ORG_NOTES) if rng.random() < 0.08 else None,
            "stage": stage, "traite": cat in (PROSPECT, CLIENT, ANCIEN),
            "is_supplier": cat == SUPPLIER or (stage is not None and rng.random() < 0.02),
            "is_organisme": cat == ORGANISME, "no_mail": rng.random() < 0.02,
            "salesperson_id": self._salesperson(place) if stage is not None else None,
            "import_batch_id": self.batch_id, "deleted_at": None, **self.audit,
        }
        return org, (gender, first, last, role), domain

    def _executive(self, form: str, naf: str) -> str:
        key = EXECUTIVE_BY_FORM.get(form, "gerant")
        if key == "pdg" and self.rng.random() < 0.5:
            key = "dg"
        if form == "7210" and self.rng.random() < 0.4:
            key = "dgs"
        return key if not naf.startswith("86") else "associe"

    def _contact(self, pid: int, org: dict[str, Any], owner: tuple[str, str, str, str] | None,
                 domain: str | None, place: Place) -> dict[str, Any]:
        rng = self.rng
        if owner:
            gender, first, last, key = owner
            role = names.EXECUTIVE_ROLES[key][gender == "F"]
        else:
            gender, first, last = self._person_name()
            pool = PUBLIC_ROLES if org["is_organisme"] else names.OTHER_ROLES
            role = rng.choice(pool)[gender == "F"]
        row = self._person(
            pid, gender, first, last, organisation_id=org["id"], role=role,
            email=person_email(rng, first, last, domain) if domain and rng.random() < 0.85
            else None,
            phone=phone_number(rng, phone_zone(place.postcode)) if rng.random() < 0.4 else None,
            mobile=phone_number(rng, "6", mobile=True) if rng.random() < 0.55 else None,
        )
        if owner and org["naf_code"].startswith("86") and rng.random() < 0.7:
            row["civility"] = "Dr"
        elif owner and org["naf_code"] == "69.10Z" and rng.random() < 0.6:
            row["civility"] = "Me"
        return row

    def _tag(self, links: list[dict[str, Any]], column: str, owner: int, cat: int) -> None:
        rng = self.rng
        if not self._tags or rng.random() > 0.3:
            return
        preferred = {CLIENT: ("Fidèle", "VIP", "Grand compte"), PROSPECT: ("À relancer",
                     "Salon 2026"), SUSPECT: ("Salon 2026", "Appel d'offres")}.get(cat, ())
        ids = [self._tag_by_name[n] for n in preferred if n in self._tag_by_name]
        chosen = {rng.choice(ids) if ids and rng.random() < 0.6 else rng.choice(self._tags)}
        if rng.random() < 0.25:
            chosen.add(rng.choice(self._tags))
        links.extend({column: owner, "tag_id": t} for t in sorted(chosen))

    # -- private customers and staff -----------------------------------------------------

    def privates(self, alloc: IdAllocator, count: int) -> Rows:
        """Private customers (particuliers): a person with a stage and a home address."""
        rng, rows = self.rng, _empty_rows()
        pids = alloc.take(table_of(Person), count)
        aids = alloc.take(table_of(Address), count)
        for pid, aid, place in zip(pids, aids, self.picker.draw(rng, count), strict=True):
            gender, first, last = self._person_name()
            stage = rng.choices([s for s, _ in PRIVATE_STAGES], [w for _, w in PRIVATE_STAGES])[0]
            domain = companies.pick_weighted(rng, names.PRIVATE_MAIL_DOMAINS)
            salesperson = self._salesperson(place)
            rows.person.append(self._person(
                pid, gender, first, last, stage=stage, salesperson_id=salesperson,
                email=person_email(rng, first, last, domain) if rng.random() < 0.7 else None,
                phone=phone_number(rng, phone_zone(place.postcode)) if rng.random() < 0.3
                else None,
                mobile=phone_number(rng, "6", mobile=True) if rng.random() < 0.8 else None,
            ))
            self._address(rows, aid, place, org=None, person=pid)
            for _ in range(min(self.actions.count(stage), 2)):
                rows.action.append(self.actions.make(stage, None, [pid], salesperson))
            newsletter = self._tag_by_name.get("Newsletter")
            if newsletter is not None and rng.random() < 0.1:
                rows.person_tag.append({"person_id": pid, "tag_id": newsletter})
        for aid, action in zip(alloc.take(table_of(Action), len(rows.action)), rows.action,
                               strict=True):
            action["id"] = aid
        return rows

    def staff(self, alloc: IdAllocator, count: int) -> Rows:
        """The demo company's own staff (the "personnel" base); users come first."""
        rng, rows = self.rng, _empty_rows()
        domain = self.basics.sender.domain
        known = self.basics.staff_names
        for index, pid in enumerate(alloc.take(table_of(Person), count)):
            gender, first, last = known[index] if index < len(known) else self._person_name()
            roles = names.STAFF_ROLES
            if index < len(known):  # the CRM users are staff too
                seller = self.basics.users[index].is_salesperson
                roles = (roles[0],) if seller else (roles[1],)
            role = rng.choice(roles)[gender == "F"]
            rows.person.append(self._person(
                pid, gender, first, last, is_staff=True, role=role,
                email=person_email(rng, first, last, domain),
                mobile=phone_number(rng, "6", mobile=True),
            ))
        return rows

