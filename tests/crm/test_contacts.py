"""Contacts of an organisation: validation, add, edit, remove to the trash, conflicts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from microcrm.crm.contacts import (
    ContactRecord,
    display_phone,
    list_contacts,
    remove_contact,
    restore_contact,
    save_contact,
    validate_contact,
)
from microcrm.crm.parties import OrganisationRecord, save_organisation, trash_organisation
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError


def _org(db: Database, name: str = "Boulangerie Martin") -> int:
    rec = save_organisation(db, OrganisationRecord(name=name)).record
    assert rec.id is not None
    return rec.id


def test_add_list_and_edit(any_db: Database) -> None:
    org_id = _org(any_db)
    claire = save_contact(
        any_db,
        ContactRecord(organisation_id=org_id, civility="Mme", last_name=" Martin ",
                      first_name="Claire", role="Gérante", phone="02 99 12 34 56",
                      mobile="06 12 34 56 78", email="Claire@Boulangerie-Martin.FR"),
    )
    assert claire.id is not None and claire.version_id == 1
    assert claire.last_name == "Martin"
    assert claire.phone == "+33299123456" and display_phone(claire.phone) == "02 99 12 34 56"
    assert claire.mobile == "+33612345678"
    assert claire.email == "Claire@boulangerie-martin.fr"
    save_contact(
        any_db, ContactRecord(organisation_id=org_id, last_name="Durand", first_name="Élise")
    )
    _org(any_db, "Autre")  # contacts of other organisations are not listed
    assert [c.display_name for c in list_contacts(any_db, org_id)] == [
        "Élise Durand", "Mme Claire Martin",
    ]
    edited = save_contact(any_db, replace(claire, role="Co-gérante", phone=""))
    assert edited.role == "Co-gérante" and edited.phone == "" and edited.version_id == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"last_name": "  "}, "last_name", "Le nom est obligatoire."),
        ({"phone": "12"}, "phone", "n'est pas valide"),
        ({"mobile": "0612"}, "mobile", "n'est pas valide"),
        ({"email": "claire@"}, "email", "n'est pas valide"),
        ({"civility": "Sir"}, "civility", "Civilité inconnue"),
    ],
)
def test_invalid_contact_is_refused_in_french(
    sqlite_db: Database, values: dict[str, str], field: str, message: str
) -> None:
    org_id = _org(sqlite_db)
    record = replace(ContactRecord(organisation_id=org_id, last_name="Martin"), **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        save_contact(sqlite_db, record)
    assert err.value.field == field
    assert message in err.value.message
    assert list_contacts(sqlite_db, org_id) == []


def test_overseas_numbers_follow_the_organisation_postcode() -> None:
    record = ContactRecord(last_name="Jean", phone="0590 12 34 56")
    assert validate_contact(record, postcode="97110").phone == "+590590123456"


def test_remove_goes_to_trash_and_restore(sqlite_db: Database) -> None:
    org_id = _org(sqlite_db)
    person = save_contact(sqlite_db, ContactRecord(organisation_id=org_id, last_name="Martin"))
    assert person.id is not None
    remove_contact(sqlite_db, person.id)
    assert list_contacts(sqlite_db, org_id) == []
    restore_contact(sqlite_db, person.id)
    assert [c.id for c in list_contacts(sqlite_db, org_id)] == [person.id]
    with pytest.raises(NotFoundError):
        remove_contact(sqlite_db, 9999)


def test_stale_or_removed_contact_raises_conflict(sqlite_db: Database) -> None:
    org_id = _org(sqlite_db)
    person = save_contact(sqlite_db, ContactRecord(organisation_id=org_id, last_name="Martin"))
    save_contact(sqlite_db, replace(person, role="Gérante"))
    with pytest.raises(ConflictError) as err:
        save_contact(sqlite_db, replace(person, role="Comptable"))
    assert not err.value.deleted
    assert person.id is not None
    remove_contact(sqlite_db, person.id)
    with pytest.raises(ConflictError) as err:
        save_contact(sqlite_db, replace(person, version_id=2, role="x"))
    assert err.value.deleted


def test_contact_needs_a_live_organisation(sqlite_db: Database) -> None:
    with pytest.raises(ValidationError):
        save_contact(sqlite_db, ContactRecord(last_name="Seul"))
    org_id = _org(sqlite_db)
    trash_organisation(sqlite_db, org_id)
    with pytest.raises(NotFoundError):
        save_contact(sqlite_db, ContactRecord(organisation_id=org_id, last_name="Martin"))
