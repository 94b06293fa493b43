"""Organisations, persons, addresses, actions and journal of a generated demo base."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import phonenumbers
from sqlalchemy import func, select
from stdnum.fr import siren as siren_check
from stdnum.fr import siret as siret_check

from microcrm.demo import names
from microcrm.demo.actions import NOON
from microcrm.demo.basics import ACTION_TYPES
from microcrm.demo.companies import ACTIVITIES, HEADCOUNT_BANDS, LEGAL_FORMS, ORGANISME_ACTIVITIES
from microcrm.models import (
    Action,
    ActionStatus,
    ActionType,
    Address,
    ChangeLog,
    Organisation,
    Person,
    Sector,
    Stage,
    User,
    fold,
    organisation_tag,
)
from microcrm.postal.normalize import AddressInput, normalize_address
from microcrm.postal.reference import load_reference
from tests.demo.helpers import ORGANISATIONS, PERSONS, TODAY, Generated


def test_report_matches_rows(generated: Generated) -> None:
    report = generated.report
    with generated.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == ORGANISATIONS
        assert s.scalar(select(func.count()).select_from(Person)) == PERSONS
        assert s.scalar(select(func.count()).select_from(Address)) == report.addresses
        assert s.scalar(select(func.count()).select_from(Action)) == report.actions
        assert s.scalar(select(func.count()).select_from(User)) == report.users == 6
    assert (report.organisations, report.persons, report.documents) == (300, 450, 40)
    assert not report.cancelled
    assert report.actions > ORGANISATIONS


def test_sirets_are_valid_and_unique(generated: Generated) -> None:
    with generated.db.read() as s:
        rows = s.execute(select(Organisation.siren, Organisation.siret)).all()
    with_siret = [(siren, siret) for siren, siret in rows if siret]
    assert len(with_siret) > 0.9 * len(rows)
    for siren, siret in with_siret:
        assert siret_check.is_valid(siret), siret
        assert siren_check.is_valid(siren), siren
        assert siren == siret[:9]
    assert all(siren is None for siren, siret in rows if not siret)
    assert len({siret for _, siret in with_siret}) == len(with_siret)


def test_codes_are_insee_codes(generated: Generated) -> None:
    naf = {a.code for a in (*ACTIVITIES, *ORGANISME_ACTIVITIES)}
    bands = {b for b, _ in HEADCOUNT_BANDS}
    with generated.db.read() as s:
        for org in s.scalars(select(Organisation)):
            assert org.naf_code in naf
            assert org.headcount_band in bands
            assert org.legal_form in LEGAL_FORMS
            assert org.name_key == fold(org.name)
            assert org.version_id == 1
    assert all(len(code) == 6 and code[2] == "." for code in naf)


def test_stage_distribution(generated: Generated) -> None:
    with generated.db.read() as s:
        rows = s.execute(select(Organisation.stage, Organisation.is_supplier,
                                Organisation.is_organisme, Organisation.traite)).all()
    stages = Counter(stage for stage, *_ in rows)
    assert stages[Stage.SUSPECT] > stages[Stage.PROSPECT] > stages[Stage.CLIENT]
    assert stages[Stage.CLIENT] > stages[Stage.ANCIEN_CLIENT] > 0
    suppliers = sum(1 for _, supplier, *_ in rows if supplier)
    organismes = sum(1 for _, _, organisme, _ in rows if organisme)
    assert 0.02 * len(rows) <= suppliers <= 0.10 * len(rows)
    assert 1 <= organismes <= 0.06 * len(rows)
    assert all(stage is None for stage, _, organisme, _ in rows if organisme)
    assert any(traite for *_, traite in rows)
    assert not any(traite for stage, *_, traite in rows if stage is Stage.SUSPECT)


def test_persons(generated: Generated) -> None:
    female, male = set(names.FEMALE_FIRST_NAMES), set(names.MALE_FIRST_NAMES)
    with generated.db.read() as s:
        persons = s.scalars(select(Person)).all()
        org_ids = set(s.scalars(select(Organisation.id)))
    contacts = [p for p in persons if p.organisation_id is not None]
    privates = [p for p in persons if p.organisation_id is None and not p.is_staff]
    staff = [p for p in persons if p.is_staff]
    assert len(contacts) > 0.85 * len(persons)
    assert all(p.organisation_id in org_ids and p.stage is None for p in contacts)
    assert 0.03 * len(persons) <= len(privates) <= 0.07 * len(persons)
    assert all(p.stage is not None for p in privates)
    assert 3 <= len(staff) <= 15 and all(p.organisation_id is None for p in staff)
    for p in persons:
        assert p.last_name_key == fold(p.last_name) and p.first_name_key == fold(p.first_name)
        if p.first_name in female and p.first_name not in male:
            assert p.civility in ("Mme", "Mlle", "Dr", "Me"), (p.civility, p.first_name)
        elif p.first_name in male and p.first_name not in female:
            assert p.civility in ("M.", "Dr", "Me"), (p.civility, p.first_name)
    per_org = Counter(p.organisation_id for p in contacts)
    assert max(per_org.values()) <= 8
    assert sum(1 for p in contacts if p.role) == len(contacts)


def test_phones_are_valid_e164(generated: Generated) -> None:
    with generated.db.read() as s:
        numbers = [n for row in s.execute(select(Person.phone, Person.mobile)) for n in row if n]
        numbers += [n for n in s.scalars(select(Organisation.phone)) if n]
        numbers += [n for n in s.scalars(select(User.phone)) if n]
    assert len(numbers) > 300
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_emails_and_websites(generated: Generated) -> None:
    with generated.db.read() as s:
        orgs = s.execute(select(Organisation.email, Organisation.website)).all()
        emails = [e for e in s.scalars(select(Person.email)) if e]
    assert sum(1 for e, _ in orgs if e) > 0.5 * len(orgs)
    for email, website in orgs:
        if email and website:
            assert website == "https://www." + email.split("@")[1]
    assert all(e.isascii() and e.count("@") == 1 and " " not in e for e in emails)


def test_addresses_come_from_the_reference(generated: Generated) -> None:
    reference = load_reference()
    with generated.db.read() as s:
        addresses = s.scalars(select(Address)).all()
        org_count = s.scalar(select(func.count()).select_from(Organisation))
    cedex = 0
    for a in addresses:
        assert (a.organisation_id is None) != (a.person_id is None)
        assert a.city_key == fold(a.city)
        if "CEDEX" in a.city:
            cedex += 1
            assert reference.entry(a.postcode) is None
            locality = a.city.split(" CEDEX")[0]
            assert locality in reference.department_libelles(a.postcode[:2])
            continue
        rows = reference.rows(a.postcode)
        assert rows, a.postcode
        assert fold(a.city) in {fold(r.commune) for r in rows} | {fold(r.libelle) for r in rows}
    owners = Counter(a.organisation_id for a in addresses if a.organisation_id)
    assert len(owners) == org_count and set(owners.values()) == {1}
    assert cedex <= 0.05 * len(addresses)


def test_addresses_are_normalised(generated: Generated) -> None:
    with generated.db.read() as s:
        addresses = s.scalars(select(Address)).all()
    statuses = Counter(a.norm_status for a in addresses)
    assert statuses["valid"] + statuses["corrected"] >= 0.97 * len(addresses)
    for a in addresses:
        assert a.norm_lines and 2 <= len(a.lines) <= 6
        assert all(0 < len(line) <= 38 for line in a.lines), a.lines
        assert a.lines[-1].startswith(a.postcode)
    for a in addresses[:: max(1, len(addresses) // 40)]:
        typed = AddressInput(line1=a.line1, line2=a.line2, line3=a.line3, postcode=a.postcode,
                             city=a.city, country=a.country)
        result = normalize_address(typed)
        assert a.norm_lines == "\n".join(result.lines)
        assert (a.norm_status, a.norm_errors) == (result.status, " ".join(result.errors))
    variety = " ".join(a.norm_lines or "" for a in addresses)
    assert " B " in variety or " T " in variety  # repetition indexes (bis, ter)


def test_actions(generated: Generated) -> None:
    now = dt.datetime.combine(TODAY, NOON, dt.UTC)
    with generated.db.read() as s:
        actions = s.scalars(select(Action)).all()
        contacts = dict(s.execute(select(Person.id, Person.organisation_id)).tuples().all())
        users = set(s.scalars(select(User.id)))
        types = s.execute(select(ActionType.name, ActionType.position)).tuples().all()
    assert sorted(types, key=lambda t: t[1]) == [(n, i) for i, (n, _) in
                                                 enumerate(ACTION_TYPES, start=1)]
    earliest = dt.datetime.combine(TODAY - dt.timedelta(days=731), dt.time(), dt.UTC)
    latest = dt.datetime.combine(TODAY + dt.timedelta(days=91), dt.time(), dt.UTC)
    statuses = Counter(a.status for a in actions)
    assert statuses[ActionStatus.DONE] > statuses[ActionStatus.PLANNED] > 0
    for a in actions:
        assert a.due_at is not None
        due = a.due_at.replace(tzinfo=dt.UTC) if a.due_at.tzinfo is None else a.due_at
        assert earliest <= due <= latest
        assert a.user_id in users
        if a.status is ActionStatus.DONE:
            assert a.done_at is not None and due < now
        if due > now:
            assert a.status is ActionStatus.PLANNED
        if a.organisation_id is None:
            assert a.person_id is not None and contacts[a.person_id] is None
        elif a.person_id is not None:
            assert contacts[a.person_id] == a.organisation_id


def test_users_sectors_and_tags(generated: Generated) -> None:
    with generated.db.read() as s:
        salespeople = s.scalars(select(User).where(User.is_salesperson)).all()
        sectors = s.scalars(select(Sector)).all()
        links = s.execute(select(organisation_tag)).all()
        assigned = set(s.scalars(select(Organisation.salesperson_id)))
    assert len(salespeople) == 5
    assert {sector.salesperson_id for sector in sectors} == {u.id for u in salespeople}
    departements = " ".join(sector.departements for sector in sectors).split()
    assert "75" in departements and "2A" in departements and len(set(departements)) >= 96
    assert assigned - {None} <= {u.id for u in salespeople}
    assert 0.15 * ORGANISATIONS <= len({org for org, _ in links}) <= 0.45 * ORGANISATIONS


def test_journal_has_one_row_per_created_row(generated: Generated) -> None:
    tables = {"organisation": Organisation, "person": Person, "address": Address,
              "action": Action}
    with generated.db.read() as s:
        journal = dict(s.execute(select(ChangeLog.entity, func.count())
                                 .group_by(ChangeLog.entity)).tuples().all())
        for entity, model in tables.items():
            assert journal[entity] == s.scalar(select(func.count()).select_from(model))
        ids = set(s.scalars(select(ChangeLog.entity_id).where(ChangeLog.entity == "person")))
        assert ids == set(s.scalars(select(Person.id)))
        assert journal["app_user"] == 6 and journal["action_type"] == 6
        assert set(s.scalars(select(ChangeLog.user_login))) == {"demo"}


def test_progress_is_reported(generated: Generated) -> None:
    calls = generated.progress
    assert calls and calls[-1][0] == calls[-1][1] == ORGANISATIONS + PERSONS + 40
    done = [d for d, _, _ in calls]
    assert done == sorted(done)
    assert {m for *_, m in calls} >= {"Documents", "Terminé"}
