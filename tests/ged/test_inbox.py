"""Inbox matching: unit clues, and precision/recall on a labelled set of real files."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.demo import generate
from microcrm.ged.extract import ExtractorPool
from microcrm.ged.inbox import (
    DEFAULT_AUTO_THRESHOLD,
    FILED_FOLDER,
    ClientMatcher,
    file_inbox_item,
    inbox_files,
    scan_inbox,
)
from microcrm.ged.service import Ged
from microcrm.ged.store import ContentStore
from microcrm.storage.opening import open_database
from tests.ged import labelled, samples
from tests.helpers import add_organisation


def _matcher() -> ClientMatcher:
    m = ClientMatcher()
    m.ignore_domain("officeplus.fr")
    m.add_organisation(
        1,
        name="Crèmerie d'Épinal SARL",
        siret="73282932000074",
        email="contact@cremerie-epinal.fr",
        reference="C000123",
    )
    m.add_organisation(2, name="SAS Transports Moreau Frères", website="https://www.tmf.fr")
    m.add_organisation(3, name="Garage", email="garage@gmail.com")
    m.add_organisation(4, name="Boulangerie Vauclair", siret="55210055400013")
    m.add_organisation(5, name="Boulangerie Vauclair", siret="55210055400021")
    m.add_organisation(6, name="Boulangerie Petit")
    m.add_contact(1, "Zoé", "Baron", "z.baron@cremerie-epinal.fr")
    return m


def test_each_clue() -> None:
    m = _matcher()
    best = m.match("Client SIRET 732 829 320 00074")[0]
    assert (best.organisation_id, best.reason) == (1, "SIRET 73282932000074")
    assert best.confidence >= 0.98
    assert m.match("Facture", sender_emails=["Z.Baron@cremerie-epinal.fr"])[0].organisation_id == 1
    assert m.match("TVA FR12732829320")[0].reason == "SIREN 732829320"
    assert m.match("Votre réf. c000123 merci")[0].organisation_id == 1
    by_name = m.match("Livraison pour CREMERIE D EPINAL, quai Est")[0]
    assert by_name.organisation_id == 1 and 0.8 <= by_name.confidence < DEFAULT_AUTO_THRESHOLD
    assert m.match("voir www.tmf.fr")[0].organisation_id == 2
    assert m.match("", "Transports Moreau Frères - devis.pdf")[0].organisation_id == 2


def test_what_says_nothing() -> None:
    m = _matcher()
    assert m.match("Le garage est fermé", sender_emails=["garage@gmail.com"]) == [
        m.match("x", sender_emails=["garage@gmail.com"])[0]
    ]  # the exact address still counts
    assert m.match("écrit depuis autre@gmail.com") == []  # webmail domain: no client
    assert m.match("SIRET 73282932000075") == []  # wrong Luhn key
    assert m.match("de la part de jean@officeplus.fr") == []  # our own domain
    assert m.match("Le garage, la boulangerie") == []  # common words are not names
    assert m.match("Boulangerie Petit") == []  # a name made of common words only
    shared = m.match("Boulangerie Vauclair, rue Haute")
    assert {x.organisation_id for x in shared} == {4, 5}
    assert all(x.confidence < 0.5 for x in shared)


def test_two_clients_are_proposed_not_filed() -> None:
    m = _matcher()
    both = m.match("SIRET 73282932000074 ; copie à Transports Moreau Frères")
    assert both[0].organisation_id == 1 and both[0].confidence < DEFAULT_AUTO_THRESHOLD
    assert "autre client possible" in both[0].reason


@pytest.fixture(scope="module")
def demo_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    folder = tmp_path_factory.mktemp("inbox-base")
    db = open_database(folder / "crm.sqlite", user_login="demo")
    generate(db, organisations=300, persons=450, seed=11, today=dt.date(2026, 11, 24))
    yield db
    db.dispose()


@pytest.mark.slow
def test_labelled_inbox_precision_and_recall(
    demo_base: Database, tmp_path: Path, extractor_pool: ExtractorPool
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    items = labelled.build(demo_base, inbox)
    assert len(items) >= 200
    ged = Ged(demo_base, ContentStore(tmp_path / "ged"), extractor=extractor_pool)
    report = scan_inbox(ged, inbox, auto_threshold=DEFAULT_AUTO_THRESHOLD)
    truth = {i.path.name: i for i in items}
    filed = {path.name: match.organisation_id for path, _, match in report.filed}
    correct = sum(1 for name, org in filed.items() if truth[name].label == org)
    positives = sum(1 for i in items if i.label is not None)
    precision = correct / len(filed)
    recall = correct / positives
    top3 = sum(
        1
        for p in report.pending
        if truth[p.path.name].label is not None
        and truth[p.path.name].label in [m.organisation_id for m in p.matches]
    )
    wrong = Counter(truth[n].kind for n, org in filed.items() if truth[n].label != org)
    missed = Counter(
        truth[p.path.name].kind for p in report.pending if truth[p.path.name].label is not None
    )
    print(
        f"\nInbox labelled set: {len(items)} files, {positives} with a client; "
        f"threshold {DEFAULT_AUTO_THRESHOLD}: filed {len(filed)}, precision {precision:.3f}, "
        f"recall {recall:.3f}; pending with the right client in the top 3: {top3}; "
        f"wrong by kind {dict(wrong)}; missed by kind {dict(missed)}"
    )
    best = {path.name: match for path, _, match in report.filed}
    best.update({p.path.name: p.matches[0] for p in report.pending if p.matches})
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        chosen = {n: m.organisation_id for n, m in best.items() if m.confidence >= threshold}
        right = sum(1 for n, org in chosen.items() if truth[n].label == org)
        print(
            f"  threshold {threshold:.2f}: filed {len(chosen)}, precision "
            f"{right / max(1, len(chosen)):.3f}, recall {right / positives:.3f}"
        )
    assert precision >= 0.98
    assert recall >= 0.6
    # Filed originals moved to Classés, the rest still waits; every filed one is in the GED.
    assert sorted(p.name for p in (inbox / FILED_FOLDER).iterdir()) == sorted(filed)
    assert {p.name for p in inbox_files(inbox)} == {p.path.name for p in report.pending}
    for _, result, match in report.filed:
        assert ged.document(result.document_id).organisation_id == match.organisation_id
    # One-click filing of a waiting file.
    waiting = report.pending[0]
    org = waiting.matches[0].organisation_id if waiting.matches else 1
    result = file_inbox_item(ged, waiting.path, org, dossier_name="À vérifier")
    assert result.dossier_path == "À vérifier"
    assert not waiting.path.exists() and (inbox / FILED_FOLDER / waiting.path.name).exists()


def test_scan_without_threshold_files_nothing(
    demo_base: Database, tmp_path: Path, extractor_pool: ExtractorPool
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    items = labelled.build(demo_base, inbox)[:3]
    for extra in inbox_files(inbox):
        if extra not in [i.path for i in items]:
            extra.unlink()
    (inbox / "en-cours.pdf.part").write_bytes(b"partial")
    samples.make_pdf(inbox / ".cache.pdf", ["cache"])
    ged = Ged(demo_base, ContentStore(tmp_path / "ged"), extractor=extractor_pool)
    report = scan_inbox(ged, inbox, auto_threshold=None)
    assert report.filed == [] and len(report.pending) == 3
    assert report.pending[0].matches and report.pending[0].matches[0].confidence > 0.9
    assert not (inbox / FILED_FOLDER).exists()


def test_a_file_that_cannot_be_filed_waits_with_the_reason(
    sqlite_db: Database, tmp_path: Path, extractor_pool: ExtractorPool
) -> None:
    from sqlalchemy import update

    from microcrm.models import Organisation, utcnow

    org = add_organisation(sqlite_db, "Crèmerie d'Épinal", siret="73282932000074")
    matcher = ClientMatcher.from_db(sqlite_db)  # built before the client goes to the trash
    sqlite_db.run_write(
        lambda s: s.execute(
            update(Organisation)
            .where(Organisation.id == org)
            .values(deleted_at=utcnow(), version_id=Organisation.version_id + 1)
        )
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    samples.make_pdf(inbox / "commande.pdf", ["SIRET 732 829 320 00074"])
    ged = Ged(sqlite_db, ContentStore(tmp_path / "ged"), extractor=extractor_pool)
    report = scan_inbox(ged, inbox, auto_threshold=0.9, matcher=matcher)
    assert report.filed == []
    assert report.pending[0].error == f"Client introuvable : {org}"
    assert (inbox / "commande.pdf").exists()
