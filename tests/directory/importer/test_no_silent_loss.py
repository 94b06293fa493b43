"""Nothing a source file holds is lost silently: a field, the notes under a label, or the report.

Real SQLite base, the real importer; every assertion reads the stored rows back.
"""

from __future__ import annotations

import contextlib
import csv
import string
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from microcrm.db import Database
from microcrm.directory.importer import (
    ImportReport,
    ImportSource,
    commit_import,
    import_files,
    plan_import,
)
from microcrm.models import Address, Organisation, Person
from microcrm.storage.opening import open_database


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def persons(db: Database) -> list[Person]:
    with db.read() as s:
        found = list(s.scalars(select(Person).order_by(Person.id)))
        for p in found:
            _ = p.addresses
        return found


def organisations(db: Database) -> list[Organisation]:
    with db.read() as s:
        found = list(s.scalars(select(Organisation).order_by(Organisation.id)))
        for o in found:
            _ = o.addresses
        return found


def test_a_contact_list_without_company_keeps_e_mails_phones_and_other_columns(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "contacts.csv",
        ["Nom", "Prénom", "Email", "Téléphone", "Adresse", "CP", "Ville", "Date du salon"],
        [
            ["Durand", "Marie", "marie.durand@example.fr", "06 12 34 56 78", "3 rue des Lilas",
             "35000", "Rennes", "12/03/2026"],
            ["Le Goff", "Yann", "yann@example.bzh ::: y.legoff@example.fr", "02 99 00 11 22", "",
             "", "", ""],
        ],
    )  # fmt: skip
    report = import_files(sqlite_db, [path])
    [entry] = report.files
    assert entry.persons_created == 2 and entry.organisations_created == 0
    assert entry.notes_columns == ["Date du salon"] and entry.ignored_columns == []
    marie, yann = persons(sqlite_db)
    assert (marie.email, marie.phone, marie.organisation_id) == (
        "marie.durand@example.fr", "+33612345678", None,
    )
    assert marie.notes == "Date du salon : 12/03/2026"
    [home] = marie.addresses
    assert (home.line1, home.postcode, home.city, home.is_primary) == (
        "3 rue des Lilas", "35000", "Rennes", True,
    )
    assert (yann.email, yann.emails_other, yann.phone) == (
        "yann@example.bzh", "y.legoff@example.fr", "+33299001122",
    )


def test_contact_values_of_a_row_without_person_go_to_the_company(
    sqlite_db: Database, tmp_path: Path
) -> None:
    header = ["Raison sociale", "Email contact", "Mobile contact", "Fonction"]
    path = write_csv(
        tmp_path / "societes.csv", header,
        [["Boulangerie Martin", "contact@boulangerie-martin.fr", "06 11 22 33 44", "Gérant"]],
    )  # fmt: skip
    mapping = {
        "org.name": "Raison sociale", "person.email": "Email contact",
        "person.mobile": "Mobile contact", "person.role": "Fonction",
    }  # fmt: skip
    plan = plan_import(sqlite_db, [ImportSource([path], "generic", mapping)])
    commit_import(sqlite_db, plan)
    [org] = organisations(sqlite_db)
    assert (org.email, org.phone) == ("contact@boulangerie-martin.fr", "+33611223344")
    assert org.notes == "Fonction : Gérant"
    assert persons(sqlite_db) == []


def test_foreign_numbers_zip4_and_placeholder_companies(sqlite_db: Database, tmp_path: Path) -> None:
    header = ["First Name", "Last Name", "Company", "Mobile", "Postal Code", "City", "Country"]
    path = write_csv(
        tmp_path / "international.csv", header,
        [
            ["Hans", "Müller", "-", "0171 1234567", "10115", "Berlin", "Allemagne"],
            ["John", "Smith", "ACME Inc", "(415) 555-2671", "94105-1234", "San Francisco",
             "USA"],
        ],
        delimiter=",",
    )  # fmt: skip
    mapping = {
        "person.first_name": "First Name", "person.last_name": "Last Name",
        "org.name": "Company", "person.mobile": "Mobile", "address.postcode": "Postal Code",
        "address.city": "City", "address.country": "Country",
    }  # fmt: skip
    commit_import(sqlite_db, plan_import(sqlite_db, [ImportSource([path], "generic", mapping)]))
    hans, john = persons(sqlite_db)
    [acme] = organisations(sqlite_db)
    assert (hans.mobile, hans.organisation_id) == ("+491711234567", None)  # « - » is no company
    [berlin] = hans.addresses
    assert (berlin.postcode, berlin.city, berlin.country) == ("10115", "Berlin", "Allemagne")
    assert (john.mobile, john.organisation_id, acme.name) == ("+14155552671", acme.id, "ACME Inc")
    [office] = acme.addresses
    assert office.postcode == "94105-1234"  # a ZIP+4 keeps its hyphen


def test_home_address_of_a_company_contact_is_the_persons_not_the_companys(
    sqlite_db: Database, tmp_path: Path
) -> None:
    header = ["Société", "Nom", "Prénom", "Adresse", "CP", "Ville", "Adresse perso", "CP perso",
              "Ville perso", "Tél. domicile", "Fax"]  # fmt: skip
    path = write_csv(
        tmp_path / "contacts.csv", header,
        [["Garage Dupont", "Dupont", "Luc", "1 avenue Foch", "35000", "Rennes",
          "8 impasse des Roses", "35510", "Cesson-Sévigné", "02 99 83 00 00", "02 99 00 00 01"]],
    )  # fmt: skip
    mapping = {
        "org.name": "Société", "person.last_name": "Nom", "person.first_name": "Prénom",
        "address.line1": "Adresse", "address.postcode": "CP", "address.city": "Ville",
        "home.line1": "Adresse perso", "home.postcode": "CP perso", "home.city": "Ville perso",
        "person.phone_home": "Tél. domicile", "org.fax": "Fax",
    }  # fmt: skip
    commit_import(sqlite_db, plan_import(sqlite_db, [ImportSource([path], "generic", mapping)]))
    [garage] = organisations(sqlite_db)
    [luc] = persons(sqlite_db)
    [office] = garage.addresses
    assert (office.line1, office.city, office.is_primary) == ("1 avenue Foch", "Rennes", True)
    assert garage.fax == "+33299000001"
    [home] = luc.addresses
    assert (home.kind, home.is_primary, home.line1, home.postcode, home.city) == (
        "domicile", False, "8 impasse des Roses", "35510", "Cesson-Sévigné",
    )
    assert luc.phone_home == "+33299830000"


# -- the property: every non-empty cell is found again ------------------------------------

KNOWN = {
    "Nom": "person.last_name",
    "Prénom": "person.first_name",
    "Société": "org.name",
    "Email": "person.email",
    "Téléphone": "person.phone",
    "Ville": "address.city",
    "Remarque": "notes",
}
UNKNOWN = ["Chiffre d'affaires", "Origine du contact", "Code client"]
_WORD = st.text(alphabet=string.ascii_letters + "éèàçô", min_size=2, max_size=12)
_VALUES: dict[str, st.SearchStrategy[str]] = {
    "Nom": _WORD,
    "Prénom": _WORD | st.just(""),
    "Société": _WORD.map(lambda w: f"{w} SARL") | st.just(""),
    "Email": _WORD.map(lambda w: f"{w.lower()}@example.fr") | st.just("") | _WORD,
    "Téléphone": st.sampled_from(["02 99 00 11 22", "06 12 34 56 78", "+49 30 1234567", "",
                                  "pas de tel"]),
    "Ville": st.sampled_from(["Rennes", "Brest", "Vannes", ""]),
    "Remarque": _WORD | st.just(""),
    **{name: _WORD | st.just("") for name in UNKNOWN},
}  # fmt: skip
HEADER = [*KNOWN, *UNKNOWN]


def _stored_texts(db: Database) -> set[str]:
    texts: set[str] = set()
    with db.read() as s:
        for model in (Organisation, Person, Address):
            for row in s.scalars(select(model)):
                for column in model.__table__.columns:
                    value = getattr(row, column.key, None)
                    if isinstance(value, str) and value:
                        texts.add(value)
                        texts.update(value.splitlines())
    return texts


def _found(value: str, header: str, stored: set[str], report: ImportReport, row: int) -> bool:
    forms = {value}
    if header == "Téléphone":
        with contextlib.suppress(phonenumbers.NumberParseException):
            forms.add(
                phonenumbers.format_number(
                    phonenumbers.parse(value, "FR"), phonenumbers.PhoneNumberFormat.E164
                )
            )
    if forms & stored or any(value in text for text in stored if header in text):
        return True
    entry = report.files[0]
    locator = f"ligne {row}"
    if entry.rejected_records.get(locator, {}).get(header) == value:
        return True
    reported = [*entry.warnings.rows, *entry.rejected.rows]
    return any(i.locator == locator and any(f in i.detail for f in forms) for i in reported)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failure prints its whole example
)
@given(rows=st.lists(st.fixed_dictionaries(_VALUES), min_size=1, max_size=8))
def test_every_non_empty_cell_is_stored_noted_or_reported(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("property")
    db = open_database(folder / "crm.sqlite", workstation_id="ws", user_login="test")
    try:
        path = write_csv(folder / "fichier.csv", HEADER, [[r[h] for h in HEADER] for r in rows])
        mapping = {target: header for header, target in KNOWN.items()}
        plan = plan_import(db, [ImportSource([path], "generic", mapping)])
        report = commit_import(db, plan)
        stored = _stored_texts(db)
        for number, row in enumerate(rows, start=2):
            for header, cell in row.items():
                value = cell.strip()
                if value:
                    assert _found(value, header, stored, report, number), (header, value, row)
    finally:
        db.dispose()
