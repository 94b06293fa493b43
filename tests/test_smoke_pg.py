from microcrm.db import Database


def test_open_any(any_db: Database) -> None:
    assert any_db.meta("db_uuid")
