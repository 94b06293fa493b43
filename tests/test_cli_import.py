"""``microcrm import`` / ``import undo`` / ``import history`` / ``export organisations`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.directory.helpers import broker_rows, write_broker
from tests.helpers import run_cli


def test_import_report_history_export_undo(tmp_path: Path) -> None:
    db = str(tmp_path / "crm.sqlite")
    path = write_broker(tmp_path / "fichier.csv", broker_rows())
    report_path = tmp_path / "rapport.json"

    dry = run_cli("--db", db, "import", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Simulation" in dry.stdout

    done = run_cli(
        "--db", db, "import", str(path), "--base", "prospect", "--report", str(report_path)
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    (entry,) = report["files"]
    assert entry["organisations_created"] == 4
    assert entry["rejected"]["total"] == 1
    batch_id = report["batch_id"]
    assert entry["batch_id"] == batch_id
    assert f"Import n° {batch_id}" in done.stdout

    exported = run_cli("--db", db, "export", "organisations", "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    orgs = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(orgs) == 4
    garage = next(o for o in orgs if o["name"] == "Garage Vertbois")
    assert garage["stage"] == "prospect"
    assert sorted(p["first_name"] for p in garage["persons"]) == ["Anne", "Luc"]
    assert garage["addresses"][0]["lines"][-1] == "33000 BORDEAUX"

    history = run_cli("--db", db, "import", "history")
    assert history.returncode == 0, history.stderr
    assert history.stdout.startswith(f"{batch_id}\t")
    assert "fichier.csv" in history.stdout

    shown = run_cli("--db", db, "import", "undo", str(batch_id))
    assert shown.returncode == 0, shown.stderr
    assert f"Annulation de l'import n° {batch_id} :" in shown.stdout
    assert "Rien n'a été annulé" in shown.stdout
    assert f"import undo {batch_id} confirmer" in shown.stdout
    still = run_cli("--db", db, "export", "organisations", "--format", "jsonl")
    assert still.stdout != ""  # the plan alone removes nothing
    undone = run_cli("--db", db, "import", "undo", str(batch_id), "confirmer")
    assert undone.returncode == 0, undone.stderr
    assert f"Import n° {batch_id} annulé" in undone.stdout
    again = run_cli("--db", db, "import", "undo", str(batch_id), "confirmer")
    assert again.returncode == 1
    assert "déjà été annulé" in again.stderr
    empty = run_cli("--db", db, "export", "organisations", "--format", "jsonl")
    assert empty.stdout == ""


def test_import_user_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "crm.sqlite")
    missing = run_cli("--db", db, "import", str(tmp_path / "absent.csv"))
    assert missing.returncode == 1
    assert "Erreur" in missing.stderr
    odd = run_cli("--db", db, "import", str(tmp_path / "x.csv"), "--preset", "sirene")
    assert odd.returncode == 1
    assert "paires" in odd.stderr
    bad = run_cli("--db", db, "import", "undo", "999")
    assert bad.returncode == 1


def test_import_undo_lists_what_it_keeps(tmp_path: Path) -> None:
    """Undo keeps work done since: a record worked on since the import is named, and kept by the undo."""
    from microcrm.models import Organisation, Stage
    from microcrm.storage.opening import open_database

    db = str(tmp_path / "crm.sqlite")
    path = write_broker(tmp_path / "fichier.csv", broker_rows())
    done = run_cli("--db", db, "import", str(path))
    assert done.returncode == 0, done.stderr
    batch_id = int(done.stdout.split("Import n° ")[1].split()[0])
    database = open_database(Path(db), workstation_id="ws-test", user_login="test")
    try:

        def edit(session: Any) -> int:
            org = session.scalars(
                select(Organisation).where(Organisation.name.ilike("%vertbois%"))
            ).one()
            org.notes = "NE PAS PERDRE"
            org.stage = Stage.CLIENT
            return int(org.id)

        kept_id = database.run_write(edit)
    finally:
        database.dispose()

    shown = run_cli("--db", db, "import", "undo", str(batch_id))
    assert shown.returncode == 0, shown.stderr
    assert f"conservée : Organisation n° {kept_id} " in shown.stdout
    assert "modifiée depuis l'import" in shown.stdout
    bad = run_cli("--db", db, "import", "undo", str(batch_id), "oui")
    assert bad.returncode == 1
    undone = run_cli("--db", db, "import", "undo", str(batch_id), "confirmer")
    assert undone.returncode == 0, undone.stderr
    assert f"Organisation n° {kept_id} " in undone.stdout
    rows = [
        json.loads(line)
        for line in run_cli("--db", db, "export", "organisations").stdout.splitlines()
    ]
    assert [r["id"] for r in rows if r["id"] == kept_id] == [kept_id]
    assert next(r for r in rows if r["id"] == kept_id)["stage"] == "client"
