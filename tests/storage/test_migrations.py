"""Migrations: upgrade/downgrade on both backends, schema = models, newer/older databases."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from microcrm.db import Database
from microcrm.errors import StorageError
from microcrm.models import Base, Organisation, Tag, versioned_tables
from microcrm.storage import migrate
from microcrm.storage.backup import BACKUP_NAME, check_sqlite
from microcrm.storage.migrate import alembic_config, current_revision, head_revision
from microcrm.storage.opening import open_database
from tests.helpers import add_organisation
from tests.storage.helpers import (
    TEST_REVISION,
    alembic_config_for,
    dump_rows,
    file_digest,
    pg_functions,
    plain_engine,
    script_dir_with,
    table_names,
    trigger_names,
)
from tests.storage.workers import open_with_revision_worker

MODEL_TABLES = set(Base.metadata.tables)
VERSION_TRIGGERS = {f"trg_{t}_version" for t in versioned_tables()}

#: The app's real head, read before any test points alembic elsewhere.
APP_HEAD = head_revision()


def _alembic(target: str, action: str, revision: str) -> None:
    engine = plain_engine(target)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, revision)
    finally:
        engine.dispose()


def _schema(target: str) -> tuple[set[str], set[str], str | None]:
    engine = plain_engine(target)
    try:
        with engine.connect() as conn:
            return table_names(conn), trigger_names(conn), current_revision(conn)
    finally:
        engine.dispose()


def test_upgrade_to_head_then_downgrade_to_base(any_db_target: str) -> None:
    _alembic(any_db_target, "upgrade", "head")
    tables, triggers, revision = _schema(any_db_target)
    assert tables == MODEL_TABLES | {"alembic_version"}
    # Every versioned model has its guard trigger (F10), and nothing else is there.
    assert triggers == VERSION_TRIGGERS
    assert revision == head_revision()

    _alembic(any_db_target, "downgrade", "base")
    tables, triggers, revision = _schema(any_db_target)
    assert tables == {"alembic_version"}
    assert triggers == set()
    assert revision is None
    if "postgresql" in any_db_target:
        engine = plain_engine(any_db_target)
        with engine.connect() as conn:
            assert pg_functions(conn) == set(), "the trigger function outlived the downgrade"
        engine.dispose()

    # The round trip is repeatable: base → head works again on the downgraded database.
    _alembic(any_db_target, "upgrade", "head")
    assert _schema(any_db_target)[1] == VERSION_TRIGGERS


def test_models_match_the_migrated_schema(any_db: Database) -> None:
    """The app's own migration path (prepare) yields exactly what the models declare."""
    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def _make_newer(target: str) -> None:
    """Pretend a newer MicroCRM migrated this base: unknown revision, newer app_version."""
    engine = plain_engine(target)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_futur'"))
        conn.execute(text("UPDATE app_meta SET value = '9.9.0' WHERE key = 'app_version'"))
    engine.dispose()


JOURNAL_TABLES = ("alembic_version", "app_meta", "workstation", "change_log", "organisation")


def test_newer_schema_is_refused_and_nothing_is_written(any_db_target: str) -> None:
    db = open_database(any_db_target, workstation_id="ws-1", user_login="marie")
    add_organisation(db)
    db.dispose()
    _make_newer(any_db_target)
    before_rows = dump_rows(any_db_target, JOURNAL_TABLES)
    sqlite_file = Path(any_db_target) if "://" not in any_db_target else None
    before_digest = file_digest(sqlite_file) if sqlite_file else None

    with pytest.raises(StorageError) as caught:
        open_database(any_db_target, workstation_id="ws-2", user_login="paul")

    message = caught.value.message
    assert "0099_futur" in message
    assert "9.9.0" in message
    assert "Mettez à jour MicroCRM" in message
    # No workstation row for ws-2, no journal row, no meta change, no migration.
    assert dump_rows(any_db_target, JOURNAL_TABLES) == before_rows
    if sqlite_file is not None:
        assert file_digest(sqlite_file) == before_digest
        assert sorted(p.name for p in sqlite_file.parent.iterdir()) == [sqlite_file.name]


def test_fresh_database_takes_no_backup(sqlite_path: Path) -> None:
    db = open_database(sqlite_path)
    db.dispose()
    assert not (sqlite_path.parent / "backups").exists()
    assert _schema(str(sqlite_path))[2] == head_revision()


def test_reopening_at_head_takes_no_backup_and_keeps_data(sqlite_db: Database) -> None:
    org_id = add_organisation(sqlite_db, "Garage Martin")
    uuid_before = sqlite_db.meta("db_uuid")
    sqlite_db.dispose()
    assert sqlite_db.path is not None
    again = open_database(sqlite_db.path, workstation_id="ws-2")
    try:
        with again.read() as s:
            assert s.get_one(Organisation, org_id).name == "Garage Martin"
        assert again.meta("db_uuid") == uuid_before
    finally:
        again.dispose()
    assert not (sqlite_db.path.parent / "backups").exists()


@pytest.fixture
def with_revision_0002(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Path:
    """Make the app believe it ships a revision after its head (``upgrade()`` body from ``parametrize``)."""
    body = request.param
    script_dir = script_dir_with(tmp_path / "scripts", body)
    monkeypatch.setattr(migrate, "alembic_config", lambda: alembic_config_for(script_dir))
    return script_dir


ADD_PROBE_TABLE = """
op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))
"""


@pytest.mark.parametrize("with_revision_0002", [ADD_PROBE_TABLE], indirect=True)
def test_older_database_is_backed_up_before_migration(
    sqlite_path: Path, monkeypatch: pytest.MonkeyPatch, with_revision_0002: Path
) -> None:
    with monkeypatch.context() as m:  # created by the app as shipped (its head)
        m.setattr(migrate, "alembic_config", alembic_config)
        db = open_database(sqlite_path)
        org_id = add_organisation(db, "Pressing du Centre")
        db.dispose()

    db = open_database(sqlite_path)  # the "next version" of the app: head is TEST_REVISION
    db.dispose()

    assert _schema(str(sqlite_path))[2] == TEST_REVISION
    backups = sorted((sqlite_path.parent / "backups").iterdir())
    assert len(backups) == 1
    match = BACKUP_NAME.match(backups[0].name)
    assert match is not None
    assert (match.group(2), match.group(3)) == ("migration", APP_HEAD)
    con = sqlite3.connect(backups[0])
    try:
        assert check_sqlite(con).ok
        # Taken before the migration: old revision, data present, no trace of the new revision.
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (APP_HEAD,)
        assert con.execute("SELECT name FROM organisation WHERE id = ?", (org_id,)).fetchone() == (
            "Pressing du Centre",
        )
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "probe" not in tables
    finally:
        con.close()


FAILING_REVISION = """
op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))
with op.batch_alter_table("tag") as batch:
    batch.add_column(sa.Column("probe", sa.Integer(), nullable=True))
op.execute("INSERT INTO probe (id) VALUES (1)")
raise RuntimeError("échec simulé au milieu de la migration")
"""


@pytest.mark.parametrize("with_revision_0002", [FAILING_REVISION], indirect=True)
def test_failing_migration_leaves_schema_and_revision_untouched(
    any_db_target: str, monkeypatch: pytest.MonkeyPatch, with_revision_0002: Path
) -> None:
    with monkeypatch.context() as m:
        m.setattr(migrate, "alembic_config", alembic_config)
        db = open_database(any_db_target)
        db.run_write(lambda s: s.add(Tag(name="Fidèle")))
        db.dispose()
    tables_before, triggers_before, _ = _schema(any_db_target)

    with pytest.raises(StorageError, match="échec simulé"):
        open_database(any_db_target)

    tables, triggers, revision = _schema(any_db_target)
    assert revision == APP_HEAD
    assert tables == tables_before  # no "probe"
    assert triggers == triggers_before  # the batch rebuild of "tag" did not stick
    engine = plain_engine(any_db_target)
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("tag")}
        assert "probe" not in columns
        assert conn.execute(select(Tag.name)).scalars().all() == ["Fidèle"]
    engine.dispose()
    if "://" not in any_db_target:  # the mandatory pre-migration backup was still taken
        backups = list(
            (Path(any_db_target).parent / "backups").glob(f"crm-*-migration-r{APP_HEAD}*")
        )
        assert len(backups) == 1


SLOW_REVISION = """
import time
op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))
op.execute("INSERT INTO probe (id) VALUES (1)")
time.sleep(0.5)  # keep the lock long enough for the other workstation to queue behind it
"""


@pytest.mark.parametrize("with_revision_0002", [SLOW_REVISION], indirect=True)
def test_two_workstations_upgrading_at_once_migrate_exactly_once(
    any_db_target: str, monkeypatch: pytest.MonkeyPatch, with_revision_0002: Path
) -> None:
    """Both processes start the new app together: one migrates, the other finds it done.

    Had both run 0002, the second ``create_table("probe")`` would fail, or probe
    would hold two rows.
    """
    with monkeypatch.context() as m:
        m.setattr(migrate, "alembic_config", alembic_config)
        open_database(any_db_target).dispose()
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(
            target=open_with_revision_worker,
            kwargs={
                "target": any_db_target,
                "script_dir": str(with_revision_0002),
                "barrier": barrier,
                "out": out,
            },
        )
        for _ in range(2)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)

    assert results == ["ok", "ok"]
    assert _schema(any_db_target)[2] == TEST_REVISION
    assert dump_rows(any_db_target, ("probe",)) == {"probe": [(1,)]}
