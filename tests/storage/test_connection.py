"""Testing a database location without writing: empty, current, PostgreSQL, refused, newer."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from microcrm.db import Database, to_url
from microcrm.errors import StorageError, ValidationError
from microcrm.models import Organisation, Person, User
from microcrm.storage.connection import (
    ConnectionStatus,
    PostgresParams,
    check_connection,
    describe_database,
    display_target,
    parse_postgres_url,
    postgres_url,
    share_database,
)
from microcrm.storage.migrate import head_revision
from microcrm.storage.opening import open_database


def _digest(path: Path) -> bytes:
    return path.read_bytes()


def _fill(db: Database) -> None:
    def write(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        session.add_all(
            [
                Organisation(name="Boulangerie Martin"),
                Organisation(name="Garage du Centre"),
                Person(last_name="Durand", first_name="Élise"),
                User(login="alice", full_name="Alice Bernard"),
            ]
        )

    db.run_write(write)


def test_fresh_path_is_empty_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "neuve.sqlite"
    report = check_connection(str(target))
    assert report.ok and report.status is ConnectionStatus.EMPTY
    assert report.mode == "local"
    assert report.lines() == [
        "Emplacement utilisable : base locale (SQLite sur ce poste).",
        "Base vide : elle sera créée au prochain démarrage.",
    ]
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_local_vs_shared(tmp_path: Path) -> None:
    target = str(tmp_path / "absent" / "microcrm.sqlite")
    local = check_connection(target)
    assert local.ok and "sera créé" in local.lines()[-1]
    shared = check_connection(target, expect_shared=True)
    assert not shared.ok and shared.status is ConnectionStatus.ERROR
    assert "est introuvable : le partage réseau est-il connecté" in shared.message
    assert not (tmp_path / "absent").exists()


def test_shared_choice_on_a_local_disk_gets_a_note(tmp_path: Path) -> None:
    report = check_connection(str(tmp_path / "microcrm.sqlite"), expect_shared=True)
    assert report.ok
    assert any("Partager cette base" in note for note in report.notes)


def test_existing_migrated_sqlite_is_read_without_writing(sqlite_db: Database) -> None:
    _fill(sqlite_db)
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    before = _digest(path)
    report = check_connection(str(path))
    assert report.status is ConnectionStatus.CURRENT and report.ok
    assert report.revision == head_revision()
    assert (report.organisations, report.persons, report.users) == (2, 1, 1)
    assert report.app_version
    lines = report.lines()
    assert lines[0] == "Connexion réussie : base locale (SQLite sur ce poste)."
    assert f"Schéma {head_revision()}" in lines[1] and lines[1].endswith(": à jour.")
    assert lines[2] == "Contenu : 2 organisations, 1 contact, 1 utilisateur actif."
    assert _digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_shared_mark_is_reported(sqlite_db: Database) -> None:
    share_database(sqlite_db)
    assert sqlite_db.path is not None
    assert check_connection(str(sqlite_db.path)).mode == "shared"


def test_unknown_newer_revision_is_refused(sqlite_db: Database) -> None:
    path = sqlite_db.path
    assert path is not None
    sqlite_db.dispose()
    engine = create_engine(to_url(path), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_futur'"))
        conn.execute(text("UPDATE app_meta SET value = '9.9.0' WHERE key = 'app_version'"))
    engine.dispose()
    report = check_connection(str(path))
    assert not report.ok and report.status is ConnectionStatus.NEWER
    assert report.revision == "0099_futur"
    assert "mise à jour par MicroCRM 9.9.0 (schéma 0099_futur)" in report.message
    assert "Mettez à jour MicroCRM sur ce poste" in report.message
    assert report.lines()[0] == report.message


def test_not_a_database(tmp_path: Path) -> None:
    target = tmp_path / "notes.sqlite"
    target.write_text("Ceci n'est pas une base." * 50, encoding="utf-8")
    report = check_connection(str(target))
    assert report.status is ConnectionStatus.ERROR
    assert "n'est pas une base SQLite" in report.message


def test_another_applications_database_is_foreign(tmp_path: Path) -> None:
    target = tmp_path / "autre.sqlite"
    engine = create_engine(to_url(target), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE factures (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    report = check_connection(str(target))
    assert report.status is ConnectionStatus.ERROR
    assert "n'est pas une base MicroCRM" in report.message and "factures" in report.message


def test_cloud_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "OneDrive"
    folder.mkdir()
    report = check_connection(str(folder / "microcrm.sqlite"), expect_shared=True)
    assert not report.ok and "service de cloud" in report.message


@pytest.mark.postgres
def test_postgres_empty_then_migrated(pg_url: str) -> None:
    report = check_connection(pg_url)
    assert report.ok and report.status is ConnectionStatus.EMPTY
    assert report.mode == "postgres"
    assert report.lines()[0] == "Emplacement utilisable : serveur PostgreSQL."

    db = open_database(pg_url, workstation_id="ws-test", user_login="test")
    _fill(db)
    db.dispose()
    report = check_connection(pg_url)
    assert report.status is ConnectionStatus.CURRENT
    assert (report.organisations, report.persons, report.users) == (2, 1, 1)
    assert report.lines()[0] == "Connexion réussie : serveur PostgreSQL."


@pytest.mark.postgres
def test_postgres_missing_database(pg_url: str) -> None:
    url = pg_url.rsplit("/", 1)[0] + "/inexistante"
    report = check_connection(url)
    assert report.status is ConnectionStatus.ERROR
    assert "La base « inexistante » n'existe pas sur le serveur" in report.message


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_closed_port_is_a_french_error_and_quick() -> None:
    port = _closed_port()
    start = time.monotonic()
    report = check_connection(f"postgresql://marie:secret@127.0.0.1:{port}/crm")
    assert time.monotonic() - start < 5
    assert report.status is ConnectionStatus.ERROR and report.mode == "postgres"
    assert report.message == (
        f"Le serveur 127.0.0.1:{port} refuse la connexion : PostgreSQL n'y est pas démarré, "
        "ou l'adresse ou le port est faux."
    )
    assert report.target == f"postgresql://marie:***@127.0.0.1:{port}/crm"
    assert "secret" not in " ".join(report.lines())


def test_unsupported_url() -> None:
    report = check_connection("mysql://u@h/crm")
    assert report.status is ConnectionStatus.ERROR
    assert report.message == "Type de base non pris en charge : mysql"


def test_postgres_url_round_trip() -> None:
    params = PostgresParams("srv-crm", 5433, "crm", "marie", "p@ss:/word")
    url = postgres_url(params)
    assert url.startswith("postgresql://marie:")
    assert "p@ss:/word" not in url  # escaped
    assert parse_postgres_url(url) == params
    assert display_target(url) == "postgresql://marie:***@srv-crm:5433/crm"
    assert parse_postgres_url("/home/marie/crm.sqlite") is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (PostgresParams(host=""), "pg_host"),
        (PostgresParams(database=" "), "pg_database"),
        (PostgresParams(port=0), "pg_port"),
    ],
)
def test_postgres_url_requires_fields(params: PostgresParams, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        postgres_url(params)
    assert err.value.field == field


def test_describe_and_share(sqlite_db: Database) -> None:
    info = describe_database(sqlite_db)
    assert info.is_sqlite and info.can_share and info.mode == "local"
    shared = share_database(sqlite_db)
    assert shared.marked_shared and not shared.can_share


@pytest.mark.postgres
def test_postgres_cannot_be_shared(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        assert not describe_database(db).can_share
        with pytest.raises(StorageError, match="déjà partagée"):
            share_database(db)
    finally:
        db.dispose()
