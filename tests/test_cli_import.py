"""``microcrm import`` / ``import undo`` / ``import history`` / ``export organisations`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

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

    undone = run_cli("--db", db, "import", "undo", str(batch_id))
    assert undone.returncode == 0, undone.stderr
    again = run_cli("--db", db, "import", "undo", str(batch_id))
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
