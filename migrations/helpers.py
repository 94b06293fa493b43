"""Helpers shared by revisions: the ``version_id`` guard trigger (docs/storage.md §4.1, F10)."""

from __future__ import annotations

from alembic import op

#: Tables that carry version_id as of revision 0001 (frozen: models may change later).
VERSIONED_TABLES_0001 = (
    "action",
    "action_type",
    "address",
    "app_user",
    "campaign",
    "document",
    "dossier",
    "organisation",
    "person",
    "scenario",
    "scenario_step",
    "sector",
    "segment",
    "tag",
)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION microcrm_version_must_increase() RETURNS trigger AS $$
BEGIN
    IF NEW.version_id <= OLD.version_id THEN
        -- check_violation (23514): drivers raise IntegrityError, as SQLite's RAISE(ABORT) does.
        RAISE EXCEPTION 'version_id must increase on %', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def create_version_trigger(table: str) -> None:
    """Reject any UPDATE of ``table`` that does not increase ``version_id``.

    A bulk ``UPDATE`` that forgets the version would otherwise overwrite a
    concurrent edit silently; with the trigger it fails loudly.
    """
    name = f"trg_{table}_version"
    if op.get_context().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION microcrm_version_must_increase()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW "
            "WHEN NEW.version_id <= OLD.version_id "
            f"BEGIN SELECT RAISE(ABORT, 'version_id must increase on {table}'); END"
        )


def drop_version_trigger(table: str) -> None:
    """Remove the guard trigger (before dropping or rebuilding the table)."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_version ON {table}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_version")


def drop_version_function() -> None:
    """Remove the PostgreSQL trigger function once no trigger uses it (no-op on SQLite)."""
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS microcrm_version_must_increase()")
