"""Private customers and staff: validation, three-way merge, lifecycle history, trash."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.crm.addresses import (
    AddressRecord,
    load_person_address,
    load_primary_address,
    save_person_address,
    save_primary_address,
)
from microcrm.crm.bases import PERSON_TRASH, is_trash
from microcrm.crm.history import LIFECYCLE_TYPE, record_event
from microcrm.crm.lists import ListQuery, PartyListService
from microcrm.crm.merge import plan_merge
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.crm.persons import (
    PersonConflictError,
    PersonRecord,
    change_person_stage,
    load_person,
    load_person_history,
    load_person_sheet,
    recreate_person,
    restore_persons,
    save_person,
    trash_persons,
    validate_person,
)
from microcrm.crm.tags import person_tags, set_person_tags
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import Action, ActionType, Person


def _create(db: Database, **values: object) -> PersonRecord:
    record = replace(PersonRecord(civility="Mme", last_name="Durand", first_name="Élise"),
                     **values)  # type: ignore[arg-type]
    saved = save_person(db, record).record
    assert saved.id is not None
    return saved


def _id(record: PersonRecord) -> int:
    assert record.id is not None
    return record.id


def _ids(db: Database, base: str) -> list[int]:
    return PartyListService(db).ids(ListQuery(base))


def test_create_a_private_customer_cleans_fields(any_db: Database) -> None:
    rec = _create(any_db, last_name=" Durand ", phone="02 99 12 34 56",
                  mobile="06 12 34 56 78", email="Elise.Durand@Exemple.FR", notes=" Chien ")
    assert rec.version_id == 1 and rec.organisation_id is None
    assert rec.last_name == "Durand" and rec.display_name == "Mme Élise Durand"
    assert (rec.phone, rec.mobile) == ("+33299123456", "+33612345678")
    assert rec.email == "Elise.Durand@exemple.fr" and rec.notes == "Chien"
    assert rec.stage == "suspect" and not rec.is_staff
    assert load_person(any_db, _id(rec)) == rec
    assert _ids(any_db, "particulier") == [rec.id]
    assert _ids(any_db, "personnel") == []


def test_create_a_staff_member_without_stage(any_db: Database) -> None:
    record = replace(PersonRecord.new(staff=True), last_name="Leroy", first_name="Marc",
                     role="Comptable", stage="client")  # staff have no stage: cleared
    rec = save_person(any_db, record).record
    assert rec.is_staff and rec.stage is None and rec.role == "Comptable"
    assert _ids(any_db, "personnel") == [rec.id]
    assert _ids(any_db, "particulier") == []
    with pytest.raises(ValidationError) as err:
        change_person_stage(any_db, _id(rec), rec.version_id, "client")
    assert err.value.message == "Un membre du personnel n'a pas d'étape commerciale."


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"last_name": "  "}, "last_name", "Le nom est obligatoire."),
        ({"email": "elise@"}, "email", "L'adresse e-mail « elise@ » n'est pas valide."),
        ({"phone": "12"}, "phone", "Le numéro de téléphone « 12 » n'est pas valide."),
        ({"mobile": "06 12"}, "mobile", "Le numéro de téléphone « 06 12 » n'est pas valide."),
        ({"civility": "Sir"}, "civility", "Civilité inconnue : « Sir »"),
        ({"stage": "client fidèle"}, "stage", "Étape inconnue : client fidèle."),
    ],
)
def test_invalid_fields_are_refused_with_french_message(
    sqlite_db: Database, values: dict[str, str], field: str, message: str
) -> None:
    record = replace(PersonRecord(last_name="Durand"), **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        save_person(sqlite_db, record)
    assert err.value.field == field
    assert message in err.value.message
    with sqlite_db.read() as s:
        assert s.scalar(select(Person.id)) is None


def test_overseas_numbers_read_in_the_region_of_the_address(sqlite_db: Database) -> None:
    with pytest.raises(ValidationError):
        validate_person(PersonRecord(last_name="Jean", phone="0590 99 11 22"))
    rec = save_person(sqlite_db, PersonRecord(last_name="Jean", phone="0590 99 11 22"),
                      postcode="97110").record
    assert rec.phone == "+590590991122"
    save_person_address(sqlite_db, _id(rec), AddressRecord(postcode="97110", city="Pointe-à-Pitre"))
    # Without an explicit postcode, the stored address's is used.
    again = save_person(sqlite_db, replace(rec, mobile="0690 12 34 56"), rec).record
    assert again.mobile == "+590690123456"


def test_concurrent_edits_of_different_fields_merge(any_db: Database) -> None:
    base = _create(any_db)
    other = save_person(any_db, replace(base, phone="0299001122"), base).record
    result = save_person(any_db, replace(base, notes="Préfère le matin"), base)
    assert result.merged_from_others == ("phone",)
    saved = load_person(any_db, _id(base))
    assert saved.phone == "+33299001122" and saved.notes == "Préfère le matin"
    assert saved.version_id == other.version_id + 1


def test_concurrent_edits_of_same_field_raise_conflict_and_write_nothing(
    any_db: Database,
) -> None:
    base = _create(any_db)
    theirs = save_person(any_db, replace(base, email="elise@durand.fr", no_mail=True),
                         base).record
    mine = replace(base, email="e.durand@exemple.fr", first_name="Elise", no_mail=True)
    with pytest.raises(PersonConflictError) as err:
        save_person(any_db, mine, base)
    conflict = err.value
    assert conflict.conflicting == ("email",)  # no_mail: same value on both sides
    assert (conflict.base.email, conflict.theirs.email, conflict.mine.email) == (
        "", "elise@durand.fr", "e.durand@exemple.fr"
    )
    assert conflict.merged_from_others == ()
    assert load_person(any_db, _id(base)) == theirs
    # Keep theirs for the e-mail: my other change (first name) still goes on top.
    resolved = save_person(any_db, conflict.resolve(set()), conflict.theirs).record
    assert (resolved.email, resolved.first_name) == ("elise@durand.fr", "Elise")
    assert resolved.version_id == theirs.version_id + 1


def test_conflict_keeping_mine(any_db: Database) -> None:
    base = _create(any_db)
    theirs = save_person(any_db, replace(base, last_name="Durand-Roy"), base).record
    with pytest.raises(PersonConflictError) as err:
        save_person(any_db, replace(base, last_name="Roy"), base)
    assert err.value.entity == "person" and err.value.entity_id == base.id
    saved = save_person(any_db, err.value.resolve({"last_name"}), theirs).record
    assert saved.last_name == "Roy"


def test_save_without_base_writes_over_its_own_version_only(sqlite_db: Database) -> None:
    rec = _create(sqlite_db)
    saved = save_person(sqlite_db, replace(rec, role="Retraitée")).record
    assert saved.role == "Retraitée"
    with pytest.raises(ConflictError) as err:  # rec's version is now stale: nothing to merge on
        save_person(sqlite_db, replace(rec, notes="x"))
    assert not err.value.deleted and not isinstance(err.value, PersonConflictError)


def test_merge_plan_follows_the_field_order() -> None:
    base = PersonRecord(last_name="A")
    mine = replace(base, notes="n", email="m@x.fr", last_name="B")
    theirs = replace(base, mobile="+33612345678", last_name="C", civility="M.")
    plan = plan_merge(base, mine, theirs, ("civility", "last_name", "mobile", "email", "notes"))
    assert plan.to_write == ("last_name", "email", "notes")
    assert plan.merged_from_others == ("civility", "mobile")
    assert plan.conflicting == ("last_name",)


def test_deleted_elsewhere_then_recreated(sqlite_db: Database) -> None:
    base = _create(sqlite_db)
    save_person_address(sqlite_db, _id(base), AddressRecord(postcode="35000", city="Rennes"))
    trash_persons(sqlite_db, [_id(base)])
    with pytest.raises(ConflictError) as err:
        save_person(sqlite_db, replace(base, notes="x"), base)
    assert err.value.deleted
    restored = recreate_person(sqlite_db, replace(base, notes="Recréée")).record
    assert restored.id == base.id and restored.notes == "Recréée"
    assert load_person_address(sqlite_db, _id(base)).city == "Rennes"


def test_lifecycle_is_recorded_in_history(any_db: Database) -> None:
    rec = _create(any_db)
    rec = change_person_stage(any_db, _id(rec), rec.version_id, "prospect")
    rec = change_person_stage(any_db, _id(rec), rec.version_id, "client")
    rec = change_person_stage(any_db, _id(rec), rec.version_id, "ancien_client")
    assert rec.stage == "ancien_client" and load_person(any_db, _id(rec)) == rec
    entries, total = load_person_history(any_db, _id(rec))
    assert total == 3
    assert [e.subject for e in entries] == [
        "Client → Ancien client", "Prospect → Client", "Suspect → Prospect",
    ]
    assert {e.type_name for e in entries} == {LIFECYCLE_TYPE}
    assert {e.user for e in entries} == {""}  # the test login has no app_user row
    with any_db.read() as s:
        owners = s.execute(
            select(Action.organisation_id, Action.person_id).join(ActionType)
            .where(ActionType.name == LIFECYCLE_TYPE)
        ).all()
    assert set(owners) == {(None, rec.id)}
    with pytest.raises(ConflictError):
        change_person_stage(any_db, _id(rec), rec.version_id - 1, "client")
    same = change_person_stage(any_db, _id(rec), rec.version_id, "ancien_client")
    assert same.version_id == rec.version_id  # no move, no history line
    assert load_person_history(any_db, _id(rec))[1] == 3


def test_record_event_needs_an_owner(sqlite_db: Database) -> None:
    def write(session: Session) -> None:
        record_event(session, None, "x")

    with pytest.raises(ValueError, match="organisation or a person"):
        sqlite_db.run_write(write)


def test_trash_and_restore_in_one_transaction(any_db: Database) -> None:
    elise = _create(any_db)
    marc = save_person(any_db, replace(PersonRecord.new(staff=True), last_name="Leroy")).record
    with pytest.raises(NotFoundError):
        trash_persons(any_db, [_id(elise), 999_999])
    assert load_person(any_db, _id(elise)) == elise  # nothing was trashed
    trash_persons(any_db, [_id(elise), _id(marc)])
    for rec in (elise, marc):
        with pytest.raises(NotFoundError) as err:
            load_person(any_db, _id(rec))
        assert err.value.message == f"Personne introuvable : {rec.id}"
    assert _ids(any_db, "particulier") == [] and _ids(any_db, "personnel") == []
    assert is_trash(PERSON_TRASH.key) and is_trash("corbeille") and not is_trash("particulier")
    assert sorted(_ids(any_db, PERSON_TRASH.key)) == sorted([_id(elise), _id(marc)])
    assert PartyListService(any_db).counts()[PERSON_TRASH.key] == 2
    assert PartyListService(any_db).counts()["corbeille"] == 0
    trash_persons(any_db, [_id(elise)])  # already there: unchanged
    restore_persons(any_db, [_id(elise), _id(marc)])
    assert load_person(any_db, _id(elise)).version_id == elise.version_id + 2  # one in, one out
    assert _ids(any_db, PERSON_TRASH.key) == []
    assert _ids(any_db, "particulier") == [elise.id]


def test_address_tags_and_sheet_data(any_db: Database) -> None:
    org = save_organisation(any_db, OrganisationRecord(name="Boulangerie Martin")).record
    assert org.id is not None
    save_primary_address(any_db, org.id, AddressRecord(postcode="29200", city="Brest"))
    rec = _create(any_db, salesperson_id=None)
    saved = save_person_address(
        any_db, _id(rec), AddressRecord(line1="3, rue de Siam", postcode="35000", city="rennes")
    ).record
    assert saved.norm_lines == ("3 RUE DE SIAM", "35000 RENNES")
    assert load_primary_address(any_db, org.id).city == "Brest"  # each owner its own
    assert set_person_tags(any_db, _id(rec), ["Fidèle", "fidele", "Newsletter"]) == [
        "Fidèle", "Newsletter",
    ]
    assert set_person_tags(any_db, _id(rec), ["Fidèle"], ["Fidèle", "Newsletter"]) == ["Fidèle"]
    assert person_tags(any_db, _id(rec)) == ["Fidèle"]
    change_person_stage(any_db, _id(rec), rec.version_id, "client")
    data = load_person_sheet(any_db, _id(rec))
    assert data.record.stage == "client" and data.address == saved
    assert data.tags == ("Fidèle",) and "Newsletter" in data.all_tags
    assert data.history_total == 1
    # The list's quick search finds the person by the city of their address.
    found = PartyListService(any_db).ids(ListQuery("particulier", search="rennes"))
    assert found == [rec.id]


def test_blank_sheets(sqlite_db: Database) -> None:
    assert load_person_sheet(sqlite_db, None).record == PersonRecord()
    staff = load_person_sheet(sqlite_db, None, staff=True).record
    assert staff.is_staff and staff.stage is None
    with pytest.raises(NotFoundError):
        load_person_sheet(sqlite_db, 42)
