"""The version trigger (docs/storage.md §4.1, F10): a bulk UPDATE must bump version_id."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.models import Organisation
from tests.helpers import add_organisation


def _org(db: Database, org_id: int) -> tuple[str | None, int]:
    with db.read() as s:
        org = s.get_one(Organisation, org_id)
        return org.notes, org.version_id


@pytest.mark.parametrize(
    "new_version",
    [None, Organisation.version_id, Organisation.version_id - 1],
    ids=["not-bumped", "same", "lower"],
)
def test_update_without_increasing_version_is_rejected(
    any_db: Database, new_version: object
) -> None:
    org_id = add_organisation(any_db)
    values: dict[str, object] = {"notes": "écrasé"}
    if new_version is not None:
        values["version_id"] = new_version

    def bulk(session: Session) -> None:
        session.execute(update(Organisation).where(Organisation.id == org_id).values(**values))

    with pytest.raises(IntegrityError, match="version_id must increase on organisation"):
        any_db.run_write(bulk)
    assert _org(any_db, org_id) == (None, 1)


def test_update_bumping_version_passes(any_db: Database) -> None:
    ids = [add_organisation(any_db, f"Client {i}") for i in range(3)]

    def bulk(session: Session) -> int:
        result = session.execute(
            update(Organisation).values(notes="relancé", version_id=Organisation.version_id + 1)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    assert any_db.run_write(bulk) == 3
    assert [_org(any_db, i) for i in ids] == [("relancé", 2)] * 3
