"""The demo GED at volume: every supported format, default dossiers, text sidecars that match."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from microcrm.demo import generate
from microcrm.ged.extract import extract_text
from microcrm.ged.service import set_default_dossiers
from microcrm.ged.store import ContentStore
from microcrm.models import Document, DocumentVersion, Dossier, fold
from microcrm.storage.opening import open_database

FORMATS = {"pdf", "docx", "odt", "xlsx", "txt", "csv", "html", "rtf", "eml"}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]{3,}", fold(text)))


@pytest.mark.slow
def test_demo_files_every_format_with_matching_text(tmp_path: Path) -> None:
    db = open_database(tmp_path / "crm.sqlite", user_login="demo")
    custom = ("Devis", "Commandes", "Factures", "Courrier", "E-mails", "Divers", "Photos")
    set_default_dossiers(db, custom)
    report = generate(
        db, organisations=60, persons=90, documents=400, seed=3, today=dt.date(2026, 11, 24)
    )
    assert report.documents == 400
    store = ContentStore(tmp_path / "ged")
    with db.read() as s:
        rows = s.execute(
            select(
                Document.organisation_id,
                Document.title,
                Document.doc_type,
                DocumentVersion.filename,
                DocumentVersion.sha256,
            ).join(DocumentVersion, DocumentVersion.document_id == Document.id)
        ).all()
        dossiers = s.execute(select(Dossier.organisation_id, Dossier.name, Dossier.position)).all()
    formats = Counter(Path(r.filename).suffix[1:] for r in rows)
    assert set(formats) == FORMATS, formats
    assert {r.doc_type for r in rows} >= {
        "devis",
        "facture",
        "commande",
        "courrier",
        "e-mail",
        "compte rendu",
        "note",
    }
    by_org: dict[int, list[str]] = {}
    for d in sorted(dossiers, key=lambda d: d.position):
        by_org.setdefault(d.organisation_id, []).append(d.name)
    assert {r.organisation_id for r in rows} == set(by_org)
    assert all(names == list(custom) for names in by_org.values())
    seen: set[str] = set()
    for r in rows:
        fmt = Path(r.filename).suffix[1:]
        if fmt in seen and fmt not in ("xlsx", "csv", "odt", "rtf", "html"):
            continue  # every document of the rarer formats, one of each of the others
        seen.add(fmt)
        sidecar = store.read_text(r.sha256)
        title = r.title.removeprefix("E-mail : ")  # an e-mail's title is its subject
        assert sidecar and fold(title) in fold(" ".join(sidecar.split()))
        found = extract_text(store.object_path(r.sha256), filename=r.filename)
        assert found.note is None, (r.filename, found.note)
        extracted, known = _words(found.text), _words(sidecar)
        # The sidecar holds what extraction reads (the one-page PDF drops paragraphs).
        assert len(extracted & known) >= 0.9 * len(extracted), (r.filename, extracted - known)
        if fmt != "pdf":
            assert len(extracted & known) >= 0.9 * len(known), (r.filename, known - extracted)


@pytest.mark.slow
def test_parallel_rendering_gives_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microcrm.demo import documents

    def shas(parallel_from: int, name: str) -> list[str]:
        monkeypatch.setattr(documents, "PARALLEL_FROM", parallel_from)
        db = open_database(tmp_path / name / "crm.sqlite", user_login="demo")
        try:
            generate(
                db, organisations=30, persons=40, documents=300, seed=9, today=dt.date(2026, 11, 24)
            )
            with db.read() as s:
                return list(s.scalars(select(DocumentVersion.sha256).order_by(DocumentVersion.id)))
        finally:
            db.dispose()

    sequential = shas(10**9, "seq")
    parallel = shas(1, "par")
    assert len(sequential) == 300 and parallel == sequential
