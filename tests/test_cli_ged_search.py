"""``microcrm ged search`` and ``microcrm ged reindex`` through microcrm.cli.run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from microcrm.cli import EXIT_OK, EXIT_USER, run
from microcrm.ged.store import ContentStore
from microcrm.storage.opening import open_database
from tests.ged.search_fixtures import Doc, file_doc
from tests.helpers import add_organisation


@pytest.fixture
def base(tmp_path: Path) -> dict[str, int | str]:
    path = tmp_path / "crm.sqlite"
    db = open_database(path, workstation_id="ws", user_login="test")
    store = ContentStore(tmp_path / "ged")  # the GED folder beside a SQLite base
    bakery = add_organisation(db, "Boulangerie Dupont")
    garage = add_organisation(db, "Garage Lefèvre")
    ids: dict[str, int | str] = {"db": str(path), "bakery": bakery, "garage": garage}
    ids["invoice"] = file_doc(
        db,
        store,
        bakery,
        Doc(
            "Facture de mars",
            "Facture des viennoiseries livrées en mars : montant élevé.",
            dossier="Factures",
            doc_type="facture",
            doc_date=dt.date(2025, 3, 14),
        ),
    )
    ids["quote"] = file_doc(
        db,
        store,
        garage,
        Doc("Devis pneus", "Devis pour quatre pneus, prix eleve.", dossier="Devis"),
    )
    db.dispose()
    return ids


def test_search_json_lists_the_hits(
    base: dict[str, int | str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", str(base["db"]), "ged", "search", "élevé", "--json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert {r["document_id"] for r in rows} == {base["invoice"], base["quote"]}
    invoice = next(r for r in rows if r["document_id"] == base["invoice"])
    assert set(invoice) == {
        "document_id",
        "client",
        "dossier",
        "title",
        "type",
        "date",
        "score",
        "snippet",
    }
    assert invoice["client"] == "Boulangerie Dupont"
    assert invoice["dossier"] == "Factures"
    assert invoice["title"] == "Facture de mars"
    assert invoice["type"] == "facture"
    assert invoice["date"] == "2025-03-14"
    assert invoice["score"] > 0
    assert "<b>élevé</b>" in invoice["snippet"]


def test_search_inside_one_client_by_id_or_name(
    base: dict[str, int | str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(base["db"])
    assert (
        run(["--db", db, "ged", "search", "eleve", "--client", str(base["garage"]), "--json"])
        == EXIT_OK
    )
    assert [r["document_id"] for r in json.loads(capsys.readouterr().out)] == [base["quote"]]
    assert run(["--db", db, "ged", "search", "eleve", "--client", "dupont", "--json"]) == 0
    assert [r["document_id"] for r in json.loads(capsys.readouterr().out)] == [base["invoice"]]


def test_search_text_output_and_limit(
    base: dict[str, int | str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", str(base["db"]), "ged", "search", "eleve", "--limit", "1"]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2 document(s)")
    assert len([line for line in out if line.startswith("n° ")]) == 1


def test_bad_query_is_a_user_error_in_french(
    base: dict[str, int | str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", str(base["db"]), "ged", "search", "fa*"]) == EXIT_USER
    assert "Préfixe trop court" in capsys.readouterr().err
    assert run(["--db", str(base["db"]), "ged", "search", "x", "--client", "999"]) == EXIT_USER


def test_a_pasted_page_is_refused_with_exit_1_and_no_traceback(
    base: dict[str, int | str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--db", str(base["db"]), "ged", "search", "facture " * 1000]) == EXIT_USER
    err = capsys.readouterr().err
    assert "Recherche trop longue (1000 mots, 50 au plus)" in err
    assert "Traceback" not in err


def test_reindex_rebuilds_with_progress_on_stderr(
    base: dict[str, int | str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(base["db"])
    assert run(["--db", db, "ged", "reindex"]) == EXIT_OK  # first time: built on open
    captured = capsys.readouterr()
    assert "Index reconstruit : 2 document(s)" in captured.out
    assert "Indexation des documents" in captured.err
    assert run(["--db", db, "ged", "reindex"]) == EXIT_OK  # then: an explicit rebuild
    captured = capsys.readouterr()
    assert "Index reconstruit : 2 document(s)" in captured.out
    assert "2/2" in captured.err
    assert run(["--db", db, "ged", "search", "pneus", "--json"]) == EXIT_OK
    assert len(json.loads(capsys.readouterr().out)) == 1
