"""Organisation records: validation, three-way merge on save, lifecycle history, trash."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from microcrm.crm.history import LIFECYCLE_TYPE
from microcrm.crm.parties import (
    MergeConflictError,
    OrganisationRecord,
    change_stage,
    load_organisation,
    restore_organisation,
    save_organisation,
    set_traite,
    trash_organisation,
)
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import Action, ActionType, Stage

VALID_SIRET = "73282932000074"


def _create(db: Database, **values: object) -> OrganisationRecord:
    return save_organisation(db, OrganisationRecord(name="Boulangerie Martin", **values)).record  # type: ignore[arg-type]


def test_create_cleans_fields(any_db: Database) -> None:
    rec = _create(any_db, siret="732 829 320 00074", phone="01 42 68 53 00",
                  naf_code="1071c", email="Contact@Boulangerie.FR", website="www.boulangerie.fr")
    assert rec.id is not None and rec.version_id == 1
    assert rec.siret == VALID_SIRET and rec.siren == VALID_SIRET[:9]
    assert rec.phone == "+33142685300"
    assert rec.naf_code == "10.71C"
    assert rec.email == "Contact@boulangerie.fr"
    assert rec.website == "https://www.boulangerie.fr"
    assert load_organisation(any_db, rec.id) == rec


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"siret": "73282932000075"}, "siret", "clé de contrôle incorrecte"),
        ({"siret": "7328293200007"}, "siret", "14 chiffres"),
        ({"name": "  "}, "name", "La raison sociale est obligatoire."),
        ({"email": "pas-un-email"}, "email", "n'est pas valide"),
        ({"phone": "12"}, "phone", "n'est pas valide"),
        ({"naf_code": "6201"}, "naf_code", "62.01Z"),
        ({"siret": VALID_SIRET, "siren": "552100554"}, "siren", "ne correspond pas"),
    ],
)
def test_invalid_fields_are_refused_with_french_message(
    sqlite_db: Database, values: dict[str, str], field: str, message: str
) -> None:
    record = replace(OrganisationRecord(name="X"), **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        save_organisation(sqlite_db, record)
    assert err.value.field == field
    assert message in err.value.message
    with sqlite_db.read() as s:
        assert s.scalar(select(Action.id)) is None


def test_concurrent_edits_of_different_fields_merge(any_db: Database) -> None:
    base = _create(any_db)
    other = save_organisation(any_db, replace(base, phone="0142685300"), base).record
    result = save_organisation(any_db, replace(base, notes="Livrés le mardi"), base)
    assert result.merged_from_others == ("phone",)
    saved = load_organisation(any_db, base.id or 0)
    assert saved.phone == "+33142685300" and saved.notes == "Livrés le mardi"
    assert saved.version_id == other.version_id + 1


def test_concurrent_edits_of_same_field_raise_conflict_and_write_nothing(any_db: Database) -> None:
    base = _create(any_db)
    theirs = save_organisation(any_db, replace(base, name="Boulangerie Martin & Fils"), base).record
    with pytest.raises(MergeConflictError) as err:
        save_organisation(any_db, replace(base, name="Boulangerie Martin SARL"), base)
    assert err.value.conflicting == ("name",)
    assert err.value.theirs.name == "Boulangerie Martin & Fils"
    assert err.value.mine.name == "Boulangerie Martin SARL"
    assert load_organisation(any_db, base.id or 0) == theirs
    # The user keeps their value: save again on top of theirs.
    resolved = save_organisation(any_db, replace(theirs, name="Boulangerie Martin SARL"), theirs)
    assert resolved.record.name == "Boulangerie Martin SARL"


def test_saving_a_record_deleted_elsewhere(sqlite_db: Database) -> None:
    base = _create(sqlite_db)
    trash_organisation(sqlite_db, base.id or 0)
    with pytest.raises(ConflictError) as err:
        save_organisation(sqlite_db, replace(base, notes="x"), base)
    assert err.value.deleted


def test_lifecycle_is_recorded_in_history(any_db: Database) -> None:
    rec = _create(any_db)
    rec = set_traite(any_db, rec.id or 0, rec.version_id, True)
    assert rec.stage == Stage.PROSPECT.value and rec.traite
    rec = change_stage(any_db, rec.id or 0, rec.version_id, Stage.CLIENT)
    rec = change_stage(any_db, rec.id or 0, rec.version_id, Stage.ANCIEN_CLIENT)
    with any_db.read() as s:
        subjects = s.scalars(
            select(Action.subject).join(ActionType).where(ActionType.name == LIFECYCLE_TYPE)
            .order_by(Action.id)
        ).all()
    assert subjects == ["Suspect → Prospect", "Prospect → Client", "Client → Ancien client"]
    with pytest.raises(ConflictError):
        change_stage(any_db, rec.id or 0, rec.version_id - 1, Stage.CLIENT)


def test_trash_and_restore(sqlite_db: Database) -> None:
    rec = _create(sqlite_db)
    trash_organisation(sqlite_db, rec.id or 0)
    with pytest.raises(NotFoundError):
        load_organisation(sqlite_db, rec.id or 0)
    restore_organisation(sqlite_db, rec.id or 0)
    assert load_organisation(sqlite_db, rec.id or 0).name == "Boulangerie Martin"


def test_save_without_base_writes_over_its_own_version_only(sqlite_db: Database) -> None:
    rec = _create(sqlite_db)
    saved = save_organisation(sqlite_db, replace(rec, reference="C-1")).record
    assert saved.reference == "C-1"  # no base: every field shown is mine
    with pytest.raises(ConflictError) as err:  # rec is stale now: nothing to merge against
        save_organisation(sqlite_db, replace(rec, notes="x"))
    assert not err.value.deleted and not isinstance(err.value, MergeConflictError)


def test_conflicting_fields_come_in_form_order(sqlite_db: Database) -> None:
    base = _create(sqlite_db)
    save_organisation(sqlite_db, replace(base, notes="a", email="a@x.fr", name="A"), base)
    with pytest.raises(MergeConflictError) as err:
        save_organisation(sqlite_db, replace(base, notes="b", email="b@x.fr", name="B"), base)
    assert err.value.conflicting == ("name", "email", "notes")
    kept = err.value.resolve({"email"})
    assert (kept.name, kept.email, kept.notes) == ("A", "b@x.fr", "a")
