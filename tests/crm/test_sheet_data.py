"""Sheet loader (one read), tags by name, duplicate SIRET and « Recréer »."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from microcrm.crm.addresses import AddressRecord, save_primary_address
from microcrm.crm.codes import HEADCOUNT_BANDS, headcount_label, naf_label, naf_table
from microcrm.crm.contacts import ContactRecord, save_contact
from microcrm.crm.parties import (
    OrganisationRecord,
    load_organisation,
    save_organisation,
    set_traite,
    trash_organisation,
)
from microcrm.crm.sheet import load_sheet, recreate_organisation, save_record
from microcrm.crm.tags import list_tag_names, organisation_tags, set_organisation_tags
from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.models import Action, ActionStatus, ActionType, User

VALID_SIRET = "73282932000074"


def _org(db: Database, **values: object) -> OrganisationRecord:
    return save_organisation(db, OrganisationRecord(name="Boulangerie Martin", **values)).record  # type: ignore[arg-type]


def test_tags_by_name_created_and_merged(any_db: Database) -> None:
    org = _org(any_db)
    assert org.id is not None
    assert set_organisation_tags(any_db, org.id, ["Salon 2026", " fidèle ", "Fidèle"]) == [
        "fidèle", "Salon 2026",
    ]
    # « FIDELE » is the existing tag, not a new one.
    other = _org(any_db, siret=VALID_SIRET)
    assert other.id is not None
    assert set_organisation_tags(any_db, other.id, ["FIDELE"]) == ["fidèle"]
    assert list_tag_names(any_db) == ["fidèle", "Salon 2026"]
    # With a base, only my additions and removals apply: theirs stay.
    base = organisation_tags(any_db, org.id)
    set_organisation_tags(any_db, org.id, [*base, "Export"])  # another workstation
    result = set_organisation_tags(any_db, org.id, ["fidèle", "Premium"], base)
    assert result == ["Export", "fidèle", "Premium"]
    with pytest.raises(ValidationError):
        set_organisation_tags(any_db, org.id, ["x" * 81])


def test_load_sheet_reads_everything_newest_history_first(sqlite_db: Database) -> None:
    org = _org(sqlite_db, siret=VALID_SIRET)
    assert org.id is not None
    save_primary_address(sqlite_db, org.id, AddressRecord(postcode="35000", city="Rennes"))
    save_contact(sqlite_db, ContactRecord(organisation_id=org.id, last_name="Martin"))
    set_organisation_tags(sqlite_db, org.id, ["Fidèle"])
    set_traite(sqlite_db, org.id, org.version_id, True)

    def actions(s: Session) -> None:
        s.add(User(login="marie", full_name="Marie Dupont"))
        kind = ActionType(name="Appel")
        s.add(kind)
        s.flush()
        s.add(Action(organisation_id=org.id, action_type_id=kind.id, subject="Relance devis",
                     status=ActionStatus.PLANNED,
                     due_at=dt.datetime(2099, 1, 5, 9, 0, tzinfo=dt.UTC)))

    sqlite_db.run_write(actions)
    data = load_sheet(sqlite_db, org.id)
    assert data.record.stage == "prospect" and data.record.traite
    assert data.address.city == "Rennes"
    assert [c.last_name for c in data.contacts] == ["Martin"]
    assert data.tags == ("Fidèle",) and data.all_tags == ("Fidèle",)
    assert data.salespeople == ((1, "Marie Dupont"),)
    assert [h.subject for h in data.history] == ["Relance devis", "Suspect → Prospect"]
    assert data.history[0].status_label == "Prévue" and data.history[0].when is not None
    assert data.history[0].when.tzinfo is not None
    assert data.history[1].user == "" and data.history[1].status_label == "Faite"
    assert data.history_total == 2
    blank = load_sheet(sqlite_db, None)
    assert blank.record.id is None and blank.all_tags == ("Fidèle",)
    trash_organisation(sqlite_db, org.id)
    with pytest.raises(NotFoundError):
        load_sheet(sqlite_db, org.id)


def test_duplicate_siret_is_a_validation_error(sqlite_db: Database) -> None:
    _org(sqlite_db, siret=VALID_SIRET)
    with pytest.raises(ValidationError) as err:
        save_record(sqlite_db, OrganisationRecord(name="Autre", siret=VALID_SIRET))
    assert err.value.field == "siret"
    assert "déjà celui d'une autre fiche" in err.value.message


def test_recreate_restores_a_trashed_record_with_my_values(sqlite_db: Database) -> None:
    org = _org(sqlite_db, siret=VALID_SIRET)
    assert org.id is not None
    trash_organisation(sqlite_db, org.id)
    result = recreate_organisation(sqlite_db, replace(org, notes="Rappeler lundi"))
    assert result.record.id == org.id
    assert load_organisation(sqlite_db, org.id).notes == "Rappeler lundi"


def test_recreate_saves_a_vanished_record_as_new(sqlite_db: Database) -> None:
    gone = OrganisationRecord(id=4242, version_id=3, name="Disparue SA")
    result = recreate_organisation(sqlite_db, gone)
    assert result.record.id not in (None, 4242)
    assert result.record.name == "Disparue SA"


def test_code_tables() -> None:
    assert len(naf_table()) == 732
    assert naf_label("62.01Z") == "Programmation informatique"
    assert naf_label("1071c") == "Boulangerie et boulangerie-pâtisserie"
    assert naf_label("99.99Z") == ""
    assert [c for c, _ in HEADCOUNT_BANDS][:3] == ["NN", "00", "01"]
    assert headcount_label("53") == "10 000 salariés et plus"
