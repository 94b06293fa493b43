"""``microcrm mailmerge`` end to end, in a subprocess, on a base made by the demo generator."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from microcrm.crm.company import save_company
from microcrm.crm.lists import ListQuery
from microcrm.crm.segments import save_segment
from microcrm.demo import generate
from microcrm.storage.opening import open_database
from tests.helpers import run_cli
from tests.mailing.helpers import COMPANY


@pytest.fixture(scope="module")
def demo_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo base (240 organisations), our company saved, a segment « Ille-et-Vilaine »."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = open_database(path, workstation_id="ws-test", user_login="test")
    generate(db, organisations=240, persons=360, seed=7)
    save_company(db, COMPANY)
    save_segment(db, "Prospects", ListQuery(base="prospect"))
    db.dispose()
    return path


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "base.sqlite"
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def test_letters_labels_and_confirmation(demo_base: Path, tmp_path: Path) -> None:
    base = _copy(demo_base, tmp_path)
    out = tmp_path / "sortie" / "prospection.pdf"
    done = run_cli(
        "--db",
        str(base),
        "mailmerge",
        "--template",
        "prospection",
        "--segment",
        "Prospects",
        "--output",
        str(out),
        "--labels",
        "L7163",
        "--confirm",
        "--name",
        "Automne",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    letters = summary["letters"]
    assert letters > 20 and summary["pages"] == letters == len(PdfReader(out).pages)
    assert isinstance(summary["campaign_id"], int)
    reasons = {e["reason"] for e in summary["excluded"]}
    assert reasons <= {
        "npai",
        "adresse_invalide",
        "refus_courrier",
        "doublon_adresse",
        "sans_adresse",
    }
    assert all(e["name"] and e["detail"] for e in summary["excluded"])
    labels = tmp_path / "sortie" / "prospection-etiquettes.pdf"
    assert summary["labels"]["file"] == str(labels)
    assert len(PdfReader(labels).pages) == -(-letters // 14)
    with sqlite3.connect(base) as con:
        actions = con.execute(
            "select count(*), count(distinct organisation_id) from action where campaign_id = ?",
            (summary["campaign_id"],),
        ).fetchone()
        docs = con.execute(
            "select count(*) from campaign_recipient where campaign_id = ? and status = 'sent' "
            "and document_id is not null",
            (summary["campaign_id"],),
        ).fetchone()
        name = con.execute("select name from campaign").fetchone()
    assert actions == (letters, letters) and docs == (letters,) and name == ("Automne",)


def test_base_with_where_to_docx(demo_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "clients.docx"
    done = run_cli(
        "--db",
        str(demo_base),
        "mailmerge",
        "--template",
        "exemple",
        "--base",
        "client",
        "--where",
        "traite=oui",
        "--output",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert "campaign_id" not in summary and summary["pages"] is None
    doc = Document(str(out))
    assert len(doc.sections) == summary["letters"] > 0
    assert "{{" not in "".join(p.text for p in doc.paragraphs)
    body = "le corps du document « exemple.docx », paragraphe"
    assert summary["fields"][:5] == [
        {"name": "bloc_adresse", "where": f"{body} 1"},
        {"name": "lieu", "where": f"{body} 2"},
        {"name": "date", "where": f"{body} 2"},
        {"name": "reference", "where": f"{body} 3"},
        {"name": "formule_appel", "where": f"{body} 4"},
    ]
    assert summary["fields"][-1] == {
        "name": "entreprise_telephone",
        "where": "l'en-tête du document « exemple.docx », paragraphe 1",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--template", "inconnu", "--segment", "Prospects"], "Modèle inconnu « inconnu »"),
        (["--template", "relance", "--segment", "Nulle part"], "Segment introuvable"),
        (
            ["--template", "relance", "--base", "prospect", "--where", "ville=Rennes"],
            "Filtre incompris",
        ),
        (
            ["--template", "relance", "--segment", "Prospects", "--labels", "L0000"],
            "Format d'étiquettes inconnu",
        ),
        (
            ["--template", "relance", "--base", "client", "--where", "traite=non"],
            "Aucun destinataire à qui écrire",
        ),
    ],
)
def test_user_errors_exit_1_in_french(
    demo_base: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x.pdf"
    done = run_cli("--db", str(demo_base), "mailmerge", *args, "--output", str(out))
    assert done.returncode == 1
    assert message in done.stderr and done.stderr.startswith("Erreur : ")
    assert not out.exists()


def test_unknown_field_in_a_user_template(demo_base: Path, tmp_path: Path) -> None:
    template = tmp_path / "perso.toml"
    template.write_text('title = "Perso"\nbody = "<p>Cher {{ surnom }}</p>"\n', encoding="utf-8")
    out = tmp_path / "x.pdf"
    done = run_cli(
        "--db",
        str(demo_base),
        "mailmerge",
        "--template",
        str(template),
        "--segment",
        "Prospects",
        "--output",
        str(out),
    )
    assert done.returncode == 1
    assert "Champ de fusion inconnu « surnom » dans le corps du modèle « perso »" in done.stderr
    assert not out.exists()


def test_word_template_with_next_is_refused(demo_base: Path, tmp_path: Path) -> None:
    from tests.mailing.wordml import field, mergefield, para, template

    body = para(mergefield("nom")) + para(field(" NEXT ", result="«Enregistrement suivant»"))
    path = template(tmp_path / "etiquettes.docx", body)
    out = tmp_path / "x.docx"
    done = run_cli(
        "--db",
        str(demo_base),
        "mailmerge",
        "--template",
        str(path),
        "--segment",
        "Prospects",
        "--output",
        str(out),
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "Erreur : Le champ NEXT dans le corps du document « etiquettes.docx », paragraphe 2 "
        "n'est pas pris en charge : MicroCRM produit une lettre par destinataire"
    )
    assert not out.exists()


def test_cli_uses_the_wizard_production_remembered_offset_and_envelopes(
    demo_base: Path, tmp_path: Path
) -> None:
    """One production for the wizard and the CLI: the printer offset measured in the wizard
    moves the CLI's labels too, and the CLI prints envelopes."""
    from microcrm.app import Paths
    from microcrm.mailing.labels import get_label_format, render_labels
    from microcrm.mailing.print_settings import save_label_offset
    from tests.mailing.helpers import page_lines, where

    base = _copy(demo_base, tmp_path)
    save_label_offset(Paths.for_user().config, "L7160", (2.0, -1.5))
    out = tmp_path / "sortie" / "relance.pdf"
    done = run_cli(
        "--db", str(base), "mailmerge", "--template", "prospection", "--segment", "Prospects",
        "--output", str(out), "--labels", "L7160", "--enveloppes", "DL",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    letters = summary["letters"]
    envelopes = tmp_path / "sortie" / "relance-enveloppes.pdf"
    assert summary["envelopes"] == {"file": str(envelopes), "pages": letters}
    assert len(PdfReader(envelopes).pages) == letters
    labels = Path(summary["labels"]["file"])
    shifted = page_lines(labels, 0)
    firsts = [text for text, _, _ in shifted]
    plain_path = tmp_path / "plain.pdf"
    db = open_database(base, workstation_id="ws-test", user_login="test")
    try:
        from microcrm.mailing.recipients import RecipientSource, select_recipients

        recipients = select_recipients(db, RecipientSource(segment="Prospects")).recipients
    finally:
        db.dispose()
    render_labels(recipients, plain_path, get_label_format("L7160"))
    plain = page_lines(plain_path, 0)
    checked = 0
    for recipient in recipients[:21]:
        name = recipient.lines[0]
        if firsts.count(name) != 1:
            continue
        x, y = where(shifted, name)
        x0, y0 = where(plain, name)
        assert x - x0 == pytest.approx(2.0, abs=0.05)
        assert y - y0 == pytest.approx(-1.5, abs=0.05)
        checked += 1
    assert checked >= 5
    assert not list((tmp_path / "sortie").glob("*.part"))
