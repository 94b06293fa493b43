"""``microcrm ged add`` and ``microcrm ged inbox`` on a real SQLite file (microcrm.cli.run)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from microcrm.cli import run
from tests.ged import samples


@pytest.fixture
def base(tmp_path: Path) -> Path:
    db = tmp_path / "crm.sqlite"
    assert run(["--db", str(db), "demo", "--organisations", "30", "--persons", "40"]) == 0
    return db


def _org(db: Path, offset: int = 0) -> tuple[int, str, str]:
    with sqlite3.connect(db) as con:
        row = con.execute(
            "SELECT id, siret, name FROM organisation WHERE siret IS NOT NULL "
            "ORDER BY id LIMIT 1 OFFSET ?",
            (offset,),
        ).fetchone()
    return int(row[0]), str(row[1]), str(row[2])


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_ged_add_files_versions_and_dossier(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org, siret, _ = _org(base)
    capsys.readouterr()
    invoice = samples.make_pdf(tmp_path / "Facture F2025-00007.pdf", ["Facture F2025-00007"])
    scan = samples.make_scanned_pdf(tmp_path / "scan.pdf")
    assert run(["--db", str(base), "ged", "add", "--client", siret, str(invoice), str(scan)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Facture F2025-00007.pdf : document 1 v1 (nouveau) dans « Factures »"
    assert out[1] == "scan.pdf : document 2 v1 (nouveau) dans « Divers »"
    assert out[2] == "  texte non lu : PDF sans couche texte (image scannée)"
    samples.make_pdf(invoice, ["Facture F2025-00007 rectifiée"])
    assert run(["--db", str(base), "ged", "add", "--client", str(org), str(invoice)]) == 0
    assert "document 1 v2 (nouvelle version)" in capsys.readouterr().out
    assert run(["--db", str(base), "ged", "add", "--client", str(org), str(invoice)]) == 0
    assert "document 1 v2 (déjà classé, inchangé)" in capsys.readouterr().out
    note = tmp_path / "contrat.txt"
    note.write_text("Contrat de maintenance annuel", encoding="utf-8")
    assert (
        run(
            [
                "--db",
                str(base),
                "ged",
                "add",
                "--client",
                siret[:9],
                "--dossier",
                "Contrats 2025",
                str(note),
            ]
        )
        == 0
    )
    assert "dans « Contrats 2025 »" in capsys.readouterr().out
    with sqlite3.connect(base) as con:
        rows = con.execute(
            "SELECT d.organisation_id, f.name FROM document d "
            "JOIN dossier f ON f.id = d.dossier_id ORDER BY d.id"
        ).fetchall()
        journal = con.execute("SELECT count(*) FROM change_log WHERE entity='document'").fetchone()[
            0
        ]
    assert rows == [(org, "Factures"), (org, "Divers"), (org, "Contrats 2025")]
    assert journal == 4  # three inserts and the new version's update
    assert (base.parent / "ged" / "objects").is_dir()


def test_ged_add_refuses_unknown_client_or_missing_file(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, siret, _ = _org(base)
    good = samples.make_pdf(tmp_path / "ok.pdf", ["ok"])
    capsys.readouterr()
    assert run(["--db", str(base), "ged", "add", "--client", "99999999999999", str(good)]) == 1
    assert "Erreur : Client introuvable : 99999999999999" in capsys.readouterr().err
    assert (
        run(
            [
                "--db",
                str(base),
                "ged",
                "add",
                "--client",
                siret,
                str(good),
                str(tmp_path / "absent.docx"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "Fichier introuvable" in err and "absent.docx" in err
    assert _count(base, "document") == 0  # nothing filed, not even the good file
    assert not (base.parent / "ged" / "objects").exists()


def test_ged_inbox_files_what_matches(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org, siret, name = _org(base, 3)
    inbox = tmp_path / "arrivee"
    inbox.mkdir()
    samples.make_pdf(inbox / "commande.pdf", [name, f"SIRET {siret}", "Bon de commande 12"])
    samples.make_pdf(inbox / "publicite.pdf", ["Imprimerie Vauclair", "Offre spéciale"])
    capsys.readouterr()
    assert run(["--db", str(base), "ged", "inbox", str(inbox)]) == 0
    out = capsys.readouterr().out
    assert f"Classé : commande.pdf → client {org}, « Commandes »" in out
    assert "À classer : publicite.pdf — aucune proposition" in out
    assert "1 fichier(s) classé(s), 1 à classer." in out
    assert (inbox / "Classés" / "commande.pdf").exists() and (inbox / "publicite.pdf").exists()
    assert _count(base, "document") == 1
    assert run(["--db", str(base), "ged", "inbox", str(tmp_path / "nulle-part")]) == 1
    assert "Dossier introuvable" in capsys.readouterr().err
    assert run(["--db", str(base), "ged", "inbox", str(inbox), "--auto-threshold", "2"]) == 1
