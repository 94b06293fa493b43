"""The command line as a user runs it: ``python -m microcrm …`` in a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from microcrm.db import Database
from microcrm.models import Organisation, Person, Stage
from microcrm.storage.backup import BACKUP_NAME, check_sqlite
from microcrm.storage.migrate import head_revision
from microcrm.storage.opening import open_database
from tests.helpers import ROOT, add_organisation, run_cli
from tests.storage.helpers import flip_one_byte_of_a_page, plain_engine


@pytest.fixture
def home() -> Path:
    """The isolated MICROCRM_HOME of this test (conftest's autouse fixture)."""
    return Path(os.environ["MICROCRM_HOME"])


@pytest.fixture
def default_db_path(home: Path) -> Path:
    return home / "data" / "microcrm.sqlite"


def _info_fields(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w[^:\n]*?) : (.*)$", stdout, re.MULTILINE))


def _counts(stdout: str) -> list[tuple[str, int]]:
    block = stdout.split("Effectifs :\n", 1)[1]
    return [(m[0], int(m[1])) for m in re.findall(r"^  (\S.*?)\s+(\d+)$", block, re.MULTILINE)]


def _assert_clean_failure(done: subprocess.CompletedProcess[str], code: int = 1) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


# --- info -----------------------------------------------------------------------------------


def test_info_on_first_run_creates_and_describes_the_local_base(
    home: Path, default_db_path: Path
) -> None:
    done = run_cli("info")

    assert done.returncode == 0, done.stderr
    fields = _info_fields(done.stdout)
    assert fields["Mode"] == "local"
    assert fields["Base"] == str(default_db_path)
    assert re.fullmatch(r"SQLite 3\.\d+\.\d+", fields["Moteur"])
    head = head_revision()
    assert fields["Révision du schéma"] == f"{head} (application : {head})"
    assert default_db_path.exists()
    assert (home / "config" / "settings.toml").exists()


def _populate(db: Database) -> None:
    trashed = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)

    def write(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        org = Organisation(name="Boulangerie Durand", stage=Stage.SUSPECT)
        session.add_all(
            [
                org,
                Organisation(name="Garage Martin", stage=Stage.SUSPECT),
                Organisation(name="Pressing du Centre", stage=Stage.PROSPECT),
                Organisation(name="Imprimerie Leroy", stage=Stage.CLIENT, is_supplier=True),
                Organisation(name="Papeterie Dubois", is_supplier=True),
                Organisation(name="CCI de Bretagne", is_organisme=True),
                Organisation(name="Ancienne SARL", stage=Stage.CLIENT, deleted_at=trashed),
            ]
        )
        session.flush()
        session.add_all(
            [
                Person(last_name="Lemoine", first_name="Claire"),  # particulier
                Person(last_name="Roux", first_name="Paul", is_staff=True),  # personnel
                Person(last_name="Durand", first_name="Luc", organisation_id=org.id),  # contact
                Person(last_name="Morel", deleted_at=trashed),  # in the trash
            ]
        )

    db.run_write(write)


def test_info_counts_each_base_in_french(default_db_path: Path) -> None:
    db = open_database(default_db_path)
    _populate(db)
    db.dispose()

    done = run_cli("info")

    assert done.returncode == 0, done.stderr
    assert _counts(done.stdout) == [
        ("Suspects", 2),
        ("Prospects", 1),
        ("Clients", 1),
        ("Anciens clients", 0),
        ("Fournisseurs", 2),
        ("Organismes", 1),
        ("Particuliers", 1),
        ("Personnel", 1),
    ]


# --- --db and MICROCRM_DB -------------------------------------------------------------------


def test_db_option_opens_that_file(tmp_path: Path, default_db_path: Path) -> None:
    other = tmp_path / "autre" / "crm.sqlite"
    done = run_cli("--db", str(other), "info")
    assert done.returncode == 0, done.stderr
    assert _info_fields(done.stdout)["Base"] == str(other)
    assert other.exists()
    assert not default_db_path.exists()


def test_microcrm_db_variable_is_honoured_and_db_option_wins(
    tmp_path: Path, default_db_path: Path
) -> None:
    from_env, from_option = tmp_path / "env.sqlite", tmp_path / "option.sqlite"
    env = {"MICROCRM_DB": str(from_env)}

    done = run_cli("info", env=env)
    assert done.returncode == 0, done.stderr
    assert _info_fields(done.stdout)["Base"] == str(from_env)

    done = run_cli("--db", str(from_option), "info", env=env)
    assert done.returncode == 0, done.stderr
    assert _info_fields(done.stdout)["Base"] == str(from_option)
    assert not default_db_path.exists()


@pytest.mark.postgres
def test_postgres_url_info_check_and_backup(pg_url: str, tmp_path: Path) -> None:
    # A password in the URL (trust authentication ignores it) must never be printed.
    url = pg_url.replace("postgresql+psycopg://postgres@", "postgresql://postgres:s3cret@")
    db = open_database(url)
    add_organisation(db, "Boulangerie Durand", stage=Stage.CLIENT)
    db.dispose()

    info = run_cli("--db", url, "info")
    assert info.returncode == 0, info.stderr
    fields = _info_fields(info.stdout)
    assert fields["Mode"] == "postgres"
    assert fields["Moteur"].startswith("PostgreSQL ")
    assert "s3cret" not in info.stdout
    assert fields["Base"].endswith(pg_url.rsplit("/", 1)[1])
    assert ("Clients", 1) in _counts(info.stdout)

    check = run_cli("--db", url, "check")
    assert check.returncode == 0, check.stderr
    assert "Base PostgreSQL accessible" in check.stdout

    dump = tmp_path / "crm.dump"
    backup = run_cli("--db", url, "backup", "--to", str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    share = run_cli("--db", url, "share")
    _assert_clean_failure(share)
    assert "Erreur : Une base PostgreSQL est déjà partagée" in share.stderr


# --- backup and check -----------------------------------------------------------------------


def _has_organisation(path: Path, name: str) -> bool:
    con = sqlite3.connect(path)
    try:
        assert check_sqlite(con).ok
        return (
            con.execute("SELECT 1 FROM organisation WHERE name = ?", (name,)).fetchone() is not None
        )
    finally:
        con.close()


def test_backup_goes_beside_the_base_by_default(default_db_path: Path) -> None:
    db = open_database(default_db_path)
    add_organisation(db, "Garage Martin")
    db.dispose()

    done = run_cli("backup")

    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip().removeprefix("Sauvegarde vérifiée : "))
    assert written.parent == default_db_path.parent / "backups"
    match = BACKUP_NAME.match(written.name)
    assert match is not None
    assert (match.group(2), match.group(3)) == ("manual", head_revision())
    assert _has_organisation(written, "Garage Martin")


def test_backup_to_a_chosen_file(default_db_path: Path, tmp_path: Path) -> None:
    db = open_database(default_db_path)
    add_organisation(db, "Garage Martin")
    db.dispose()
    dest = tmp_path / "clé USB" / "sauvegarde.sqlite"

    done = run_cli("backup", "--to", str(dest))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Sauvegarde vérifiée : {dest}"
    assert _has_organisation(dest, "Garage Martin")
    assert not (default_db_path.parent / "backups").exists()


def test_check_passes_on_a_good_base(default_db_path: Path) -> None:
    open_database(default_db_path).dispose()
    done = run_cli("check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Intégrité : OK"


@pytest.mark.parametrize("where", ["root-type", "leaf-freeblock"])
def test_check_fails_with_a_message_on_a_damaged_base(default_db_path: Path, where: str) -> None:
    db = open_database(default_db_path)
    db.run_write(
        lambda s: s.add_all(
            Organisation(name=f"Entreprise {i}", notes="Relance. " * 25) for i in range(300)
        )
    )
    db.dispose()
    flip_one_byte_of_a_page(default_db_path, "organisation", where)

    done = run_cli("check")

    _assert_clean_failure(done)
    assert "Intégrité : la base est endommagée." in done.stderr
    assert len(done.stderr.strip().splitlines()) >= 2  # the problems follow


# --- share ----------------------------------------------------------------------------------


def test_share_marks_the_base_and_info_shows_it(default_db_path: Path) -> None:
    done = run_cli("share")
    assert done.returncode == 0, done.stderr
    assert "marquée comme partagée" in done.stdout

    info = run_cli("info")
    assert _info_fields(info.stdout)["Mode"] == "shared"
    engine = plain_engine(default_db_path)
    with engine.connect() as conn:
        mode = conn.execute(text("SELECT value FROM app_meta WHERE key = 'storage_mode'"))
        assert mode.scalar() == "shared"
    engine.dispose()


# --- usage and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["inconnue"], ["backup", "--bogus"], ["address"], ["demo", "--organisations", "beaucoup"]],
)
def test_bad_usage_exits_2(args: list[str], default_db_path: Path) -> None:
    done = run_cli(*args)
    _assert_clean_failure(done, code=2)
    assert "usage:" in done.stderr
    assert not default_db_path.exists()


def test_version(default_db_path: Path) -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == "MicroCRM 0.1.0"


def _not_a_database(path: Path) -> str:
    path.write_bytes(b"Ceci est une lettre, pas une base.\n" * 200)
    return "n'est pas une base"


def _newer_schema(path: Path) -> str:
    db = open_database(path)
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099_futur'")
    con.execute("UPDATE app_meta SET value = '9.9.0' WHERE key = 'app_version'")
    con.commit()
    con.close()
    return "mise à jour par MicroCRM 9.9.0 (schéma 0099_futur)"


def _another_apps_base(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE factures (numero TEXT)")
    con.commit()
    con.close()
    return "n'est pas une base MicroCRM"


@pytest.mark.parametrize("make", [_not_a_database, _newer_schema, _another_apps_base])
def test_unusable_base_exits_1_with_a_french_message(
    tmp_path: Path, make: Callable[[Path], str]
) -> None:
    path = tmp_path / "crm.sqlite"
    expected = make(path)
    before = path.read_bytes()

    done = run_cli("--db", str(path), "info")

    _assert_clean_failure(done)
    assert done.stderr.startswith("Erreur : ")
    assert expected in done.stderr
    assert path.read_bytes() == before  # refused before writing anything


def test_a_cloud_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "Dropbox" / "crm.sqlite"
    done = run_cli("--db", str(target), "info")
    _assert_clean_failure(done)
    assert "synchronisé par un service de cloud" in done.stderr
    assert not target.parent.exists()


def test_an_unreachable_postgres_server_exits_1_with_a_french_message() -> None:
    done = run_cli("--db", "postgresql://postgres:s3cret@127.0.0.1:9/crm", "info")
    _assert_clean_failure(done)
    assert done.stderr.startswith("Erreur : Impossible d'ouvrir la base postgresql")
    assert "le serveur PostgreSQL ne répond pas" in done.stderr
    assert "s3cret" not in done.stderr


# --- demo and address normalize (microcrm.demo, microcrm.postal) ----------------------------


def test_demo_fills_the_base_and_journals_every_row(default_db_path: Path) -> None:
    done = run_cli("demo", "--organisations", "20", "--persons", "30", "--seed", "1")

    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        r"Démonstration : 20 organisations, 30 personnes, \d+ actions, 0 documents en [\d.]+ s\.",
        done.stdout.strip(),
    )
    con = sqlite3.connect(default_db_path)
    try:
        assert check_sqlite(con).ok
        for table, expected in (("organisation", 20), ("person", 30)):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == expected
            journalled = con.execute(
                "SELECT count(DISTINCT entity_id) FROM change_log "
                "WHERE entity = ? AND op = 'insert'",
                (table,),
            )
            assert journalled.fetchone()[0] == expected  # other workstations will see them
    finally:
        con.close()


def test_demo_with_a_negative_count_exits_1(default_db_path: Path) -> None:
    done = run_cli("demo", "--organisations", "-1")
    _assert_clean_failure(done)
    assert done.stderr.strip() == "Erreur : --organisations doit être positif ou nul."


ADDRESSES = (
    '{"id": 1, "company": "Boulangerie Durand", "line1": "10 rue de la paix", '
    '"postcode": "75002", "city": "paris"}\n'
    "\n"
    "pas du json\n"
)


def _check_normalized(output: str) -> None:
    first, second = (json.loads(line) for line in output.splitlines())
    assert first["id"] == 1
    assert first["status"] in {"valid", "corrected"}
    assert first["lines"][-1] == "75002 PARIS"
    assert second == {"id": None, "lines": [], "status": "invalid", "errors": ["bad_input"]}


def test_address_normalize_reads_stdin_and_needs_no_database(default_db_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "microcrm", "address", "normalize"],
        input=ADDRESSES,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _check_normalized(done.stdout)
    assert not default_db_path.exists()


def test_address_normalize_between_files(tmp_path: Path) -> None:
    src, dst = tmp_path / "adresses.jsonl", tmp_path / "normalisées.jsonl"
    src.write_text(ADDRESSES, encoding="utf-8")
    done = run_cli("address", "normalize", "--input", str(src), "--output", str(dst))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    _check_normalized(dst.read_text(encoding="utf-8"))
