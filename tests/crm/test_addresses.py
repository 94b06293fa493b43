"""Primary address of an organisation: typed fields kept, normalised form stored, merge."""

from __future__ import annotations

from dataclasses import replace

import pytest

from microcrm.crm.addresses import (
    AddressConflictError,
    AddressRecord,
    load_primary_address,
    merge_choices,
    save_primary_address,
)
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.db import Database


def _org(db: Database) -> int:
    rec = save_organisation(db, OrganisationRecord(name="Boulangerie Martin")).record
    assert rec.id is not None
    return rec.id


def test_no_address_gives_an_empty_record(sqlite_db: Database) -> None:
    org_id = _org(sqlite_db)
    empty = load_primary_address(sqlite_db, org_id)
    assert empty == AddressRecord() and empty.is_empty()


def test_typed_fields_are_kept_and_normalised_form_stored(any_db: Database) -> None:
    org_id = _org(any_db)
    typed = AddressRecord(line1="12, rue de la Paix ", postcode="35000", city="rennes")
    saved = save_primary_address(any_db, org_id, typed).record
    assert saved.id is not None and saved.version_id == 1
    assert (saved.line1, saved.postcode, saved.city) == ("12, rue de la Paix", "35000", "rennes")
    assert saved.norm_lines == ("12 RUE DE LA PAIX", "35000 RENNES")
    assert saved.norm_status == "valid" and saved.norm_errors == ()
    assert load_primary_address(any_db, org_id) == saved


def test_corrected_and_invalid_addresses_keep_their_codes(sqlite_db: Database) -> None:
    org_id = _org(sqlite_db)
    saved = save_primary_address(
        sqlite_db, org_id, AddressRecord(line1="1 rue de Siam", postcode="29200", city="Brst")
    ).record
    assert saved.norm_status == "corrected"
    assert saved.norm_errors == ("locality_spelling",)
    assert saved.norm_lines[-1] == "29200 BREST"
    assert saved.city == "Brst"  # what the user typed is never lost
    again = save_primary_address(sqlite_db, org_id, replace(saved, city="Rennes"), saved).record
    assert again.norm_status == "invalid"
    assert again.norm_errors == ("postcode_city_mismatch",)
    cleared = save_primary_address(sqlite_db, org_id, AddressRecord(id=again.id,
                                   version_id=again.version_id), again).record
    assert cleared.is_empty() and cleared.norm_status is None and cleared.norm_lines == ()


def test_concurrent_edits_merge_or_conflict(any_db: Database) -> None:
    org_id = _org(any_db)
    base = save_primary_address(
        any_db, org_id, AddressRecord(line1="12 rue de la Paix", postcode="35000", city="Rennes")
    ).record
    # Another workstation fills line 2; I change line 1: both kept.
    theirs = save_primary_address(any_db, org_id, replace(base, line2="Bâtiment B"), base).record
    result = save_primary_address(any_db, org_id, replace(base, line1="14 rue de la Paix"), base)
    assert result.merged_from_others == ("line2",)
    assert (result.record.line1, result.record.line2) == ("14 rue de la Paix", "Bâtiment B")
    # Both change the city: conflict, nothing written.
    current = result.record
    save_primary_address(any_db, org_id, replace(current, city="RENNES"), current)
    with pytest.raises(AddressConflictError) as err:
        save_primary_address(any_db, org_id, replace(current, city="Rennes Cedex"), current)
    assert err.value.conflicting == ("city",)
    assert load_primary_address(any_db, org_id).city == "RENNES"
    mine = merge_choices(err.value, {"city"})
    final = save_primary_address(any_db, org_id, mine, err.value.theirs).record
    assert final.city == "Rennes Cedex" and final.line2 == "Bâtiment B"
    assert theirs.version_id < final.version_id


def test_address_created_meanwhile_elsewhere_merges(sqlite_db: Database) -> None:
    org_id = _org(sqlite_db)
    save_primary_address(sqlite_db, org_id, AddressRecord(postcode="35000", city="Rennes"))
    result = save_primary_address(
        sqlite_db, org_id, AddressRecord(line1="12 rue de la Paix"), AddressRecord()
    )
    assert result.record.line1 == "12 rue de la Paix" and result.record.city == "Rennes"
    assert set(result.merged_from_others) == {"postcode", "city"}


def test_correcting_an_npai_address_lifts_the_mark(sqlite_db: Database) -> None:
    from microcrm.mailing.campaigns import mark_address_npai

    org_id = _org(sqlite_db)
    saved = save_primary_address(
        sqlite_db, org_id, AddressRecord(line1="1 rue de Siam", postcode="29200", city="Brest")
    ).record
    assert saved.id is not None
    mark_address_npai(sqlite_db, saved.id)
    marked = load_primary_address(sqlite_db, org_id)
    with sqlite_db.read() as session:
        from microcrm.models import Address

        row = session.get(Address, saved.id)
        assert row is not None and row.npai and row.npai_on is not None
    save_primary_address(sqlite_db, org_id, replace(marked, line1="3 rue de Siam"), marked)
    with sqlite_db.read() as session:
        row = session.get(Address, saved.id)
        assert row is not None and not row.npai and row.npai_on is None
