"""The GED service on a real SQLite file and a real content store."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.ged.extract import ExtractorPool
from microcrm.ged.service import (
    DEFAULT_DOSSIERS,
    DossierNode,
    Ged,
    NewDocument,
    file_documents,
    get_default_dossiers,
    set_default_dossiers,
)
from microcrm.ged.store import ContentStore
from microcrm.models import ChangeLog, Document, DocumentVersion, Dossier
from tests.ged import samples
from tests.helpers import add_organisation, add_person


def _names(nodes: list[DossierNode]) -> list[str]:
    return [n.name for n in nodes]


def _journal(db: Database, entity: str) -> list[tuple[int, str]]:
    with db.read() as s:
        return list(
            s.execute(
                select(ChangeLog.entity_id, ChangeLog.op)
                .where(ChangeLog.entity == entity)
                .order_by(ChangeLog.seq)
            ).tuples()
        )


def test_default_dossiers_are_created_on_first_access(ged: Ged, sqlite_db: Database) -> None:
    org = add_organisation(sqlite_db, "Crèmerie d'Épinal")
    tree = ged.tree(organisation_id=org)
    assert _names(tree) == list(DEFAULT_DOSSIERS)
    assert all(n.document_count == 0 and n.children == [] for n in tree)
    assert ged.tree(organisation_id=org) == tree  # created once
    assert len(_journal(sqlite_db, "dossier")) == len(DEFAULT_DOSSIERS)
    with pytest.raises(NotFoundError):
        ged.tree(organisation_id=9999)
    with pytest.raises(ValidationError):
        ged.tree()


def test_custom_default_set(ged: Ged, sqlite_db: Database) -> None:
    assert get_default_dossiers(sqlite_db) == DEFAULT_DOSSIERS
    saved = set_default_dossiers(sqlite_db, ["  Contrats ", "Factures", "Photos  chantier"])
    assert saved == ("Contrats", "Factures", "Photos chantier")
    assert get_default_dossiers(sqlite_db) == saved
    org = add_organisation(sqlite_db, "Bâtiment Durand")
    assert _names(ged.tree(organisation_id=org)) == list(saved)
    for bad in ([], ["A", "a"], ["Factures / 2025"], [""], ["x" * 121]):
        with pytest.raises(ValidationError):
            set_default_dossiers(sqlite_db, bad)
    # A facture goes to Factures; a type without its dossier in the set goes to the last one.
    results = ged.add_bytes(b"Facture F2025-00012", "facture.txt", organisation_id=org)
    assert results.dossier_path == "Factures"
    note = ged.add_bytes(b"Un memo", "email-perso.eml", organisation_id=org)
    assert note.dossier_path == "Photos chantier"


def test_nested_dossiers_rename_move(ged: Ged, sqlite_db: Database) -> None:
    org = add_organisation(sqlite_db, "Garage Lefèvre")
    ged.tree(organisation_id=org)
    factures = next(n.id for n in ged.tree(organisation_id=org) if n.name == "Factures")
    year = ged.create_dossier("2025", parent_id=factures)
    month = ged.create_dossier("Mars", parent_id=year)
    with pytest.raises(ValidationError, match="existe déjà"):
        ged.create_dossier("2025", parent_id=factures)
    with pytest.raises(ValidationError, match="existe déjà"):
        ged.create_dossier("DEVIS", organisation_id=org)  # folded: Devis exists
    tree = ged.tree(organisation_id=org)
    node = next(n for n in tree if n.id == factures)
    assert [c.name for c in node.children] == ["2025"]
    assert node.children[0].children[0].name == "Mars"
    ged.rename_dossier(year, "Exercice 2025")
    with pytest.raises(ValidationError, match="lui-même"):
        ged.move_dossier(year, month)
    other = add_organisation(sqlite_db, "Autre client")
    foreign = ged.create_dossier("Divers 2", organisation_id=other)
    with pytest.raises(ValidationError, match="autre client"):
        ged.move_dossier(year, foreign)
    ged.move_dossier(month, None)
    assert "Mars" in _names(ged.tree(organisation_id=org))
    result = ged.add_bytes(b"Facture du mois", "f.txt", dossier_id=year)
    assert result.dossier_path == "Factures / Exercice 2025"
    assert ged.document(result.document_id).dossier_path == "Factures / Exercice 2025"


def test_add_files_of_every_kind(ged: Ged, sqlite_db: Database, tmp_path: Path) -> None:
    org = add_organisation(sqlite_db, "Office Plus")
    files = [
        samples.make_pdf(
            tmp_path / "Facture F2025-00042.pdf",
            ["Facture F2025-00042", "Paris, le 4 mars 2025", samples.ACCENTS],
        ),
        samples.make_docx(
            tmp_path / "devis-maintenance.docx",
            body=["Devis D2025-7"],
            table=[["a", "b"]],
            header="",
            footer="",
        ),
        samples.make_eml(
            tmp_path / "message.eml", sender="a@b.fr", to="c@d.fr", subject="Bonjour", body="Texte"
        ),
        samples.make_scanned_pdf(tmp_path / "scan.pdf"),
        samples.make_rtf(tmp_path / "lettre.rtf", "Madame, Monsieur,\nVotre courrier"),
    ]
    calls: list[tuple[int, int, str]] = []
    results = ged.add_files(
        files,
        organisation_id=org,
        tags="urgent, Urgent ; VIP",
        progress=lambda d, t, m: calls.append((d, t, m)),
    )
    by_name = {r.path.name: r for r in results}
    assert all(r.new_document and r.version == 1 for r in results)
    assert by_name["Facture F2025-00042.pdf"].dossier_path == "Factures"
    assert by_name["devis-maintenance.docx"].dossier_path == "Devis"
    assert by_name["message.eml"].dossier_path == "E-mails"
    assert by_name["scan.pdf"].extraction_note == "PDF sans couche texte (image scannée)"
    assert by_name["scan.pdf"].dossier_path == "Divers"
    assert by_name["lettre.rtf"].dossier_path == "Courrier"
    info = ged.document(by_name["Facture F2025-00042.pdf"].document_id)
    assert (info.title, info.doc_type, info.doc_date) == (
        "Facture F2025-00042",
        "facture",
        dt.date(2025, 3, 4),
    )
    assert info.organisation_name == "Office Plus" and info.filed_by == "Claire Martin"
    assert info.tags == "urgent, VIP" and info.mime_type == "application/pdf"
    assert info.size == files[0].stat().st_size and info.extraction_note is None
    text = ged.store.read_text(info.sha256)
    assert text is not None and samples.ACCENTS in " ".join(text.split())
    scan = ged.document(by_name["scan.pdf"].document_id)
    assert scan.extraction_note == "PDF sans couche texte (image scannée)"
    assert ged.store.read_text(scan.sha256) is None
    assert scan.doc_date == dt.datetime.fromtimestamp(files[3].stat().st_mtime).date()  # noqa: DTZ006
    assert calls and calls[-1][:2] == (5, 5)
    journal = {i for i, op in _journal(sqlite_db, "document") if op == "insert"}
    assert journal == {r.document_id for r in results}
    counts = {n.name: n.document_count for n in ged.tree(organisation_id=org)}
    assert counts["Factures"] == 1 and counts["Commandes"] == 0


def test_same_name_new_content_is_a_new_version_and_restore(
    ged: Ged, sqlite_db: Database, tmp_path: Path
) -> None:
    org = add_organisation(sqlite_db, "Fromagerie")
    path = tmp_path / "contrat.txt"
    path.write_text("Contrat version une", encoding="utf-8")
    first = ged.add_files([path], organisation_id=org)[0]
    path.write_text("Contrat version deux, modifiée", encoding="utf-8")
    second = ged.add_files([path], organisation_id=org)[0]
    assert (second.document_id, second.version, second.new_document) == (
        first.document_id,
        2,
        False,
    )
    versions = ged.versions(first.document_id)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].created_by == "Claire Martin"
    restored = ged.restore_version(first.document_id, 1)
    assert restored == 3
    info = ged.document(first.document_id)
    assert info.current_version == 3 and info.sha256 == versions[0].sha256
    assert ged.store.read_bytes(info.sha256) == b"Contrat version une"
    copy = ged.export_copy(first.document_id, tmp_path / "out", version=2)
    assert copy.name == "contrat.txt" and "deux" in copy.read_text(encoding="utf-8")
    again = ged.export_copy(first.document_id, tmp_path / "out")
    assert again.name == "contrat (2).txt" and again.read_text(encoding="utf-8").endswith("une")
    updates = [op for i, op in _journal(sqlite_db, "document") if i == first.document_id]
    assert updates == ["insert", "update", "update"]  # each version bumps the document row
    with pytest.raises(NotFoundError):
        ged.restore_version(first.document_id, 9)


def test_identical_content_is_deduplicated(ged: Ged, sqlite_db: Database, tmp_path: Path) -> None:
    org = add_organisation(sqlite_db, "Boulangerie")
    path = samples.make_pdf(tmp_path / "devis.pdf", ["Devis D2025-00001"])
    first = ged.add_files([path], organisation_id=org)[0]
    again = ged.add_files([path], organisation_id=org)[0]
    assert (again.document_id, again.version, again.new_document, again.deduplicated) == (
        first.document_id,
        1,
        False,
        True,
    )
    copy = tmp_path / "copie du devis.pdf"
    copy.write_bytes(path.read_bytes())
    other = ged.add_files([copy], organisation_id=org)[0]
    assert other.new_document and other.deduplicated and other.document_id != first.document_id
    objects = list((ged.store.root / "objects").glob("*/*/*"))
    assert len(objects) == 1  # one object for three filings
    with sqlite_db.read() as s:
        assert s.scalar(select(func.count()).select_from(DocumentVersion)) == 2


def test_trash_and_restore_documents_and_dossier(ged: Ged, sqlite_db: Database) -> None:
    org = add_organisation(sqlite_db, "Menuiserie")
    ged.tree(organisation_id=org)
    courrier = next(n.id for n in ged.tree(organisation_id=org) if n.name == "Courrier")
    sub = ged.create_dossier("Relances", parent_id=courrier)
    a = ged.add_bytes(b"Lettre A", "a.txt", dossier_id=courrier).document_id
    b = ged.add_bytes(b"Lettre B", "b.txt", dossier_id=sub).document_id
    c = ged.add_bytes(b"Lettre C", "c.txt", dossier_id=sub).document_id
    ged.trash([c])
    assert [d.id for d in ged.documents(dossier_id=sub)] == [b]
    assert [d.id for d in ged.documents(organisation_id=org, trashed=True)] == [c]
    ged.trash_dossier(courrier)
    assert "Courrier" not in _names(ged.tree(organisation_id=org))
    assert ged.documents(organisation_id=org) == []
    assert {d.id for d in ged.documents(organisation_id=org, trashed=True)} == {a, b, c}
    assert [n.name for n in ged.trashed_dossiers(organisation_id=org)] == ["Courrier"]
    ged.restore_dossier(courrier)
    # What was trashed with the dossier comes back; c, trashed before, stays in the trash.
    assert {d.id for d in ged.documents(dossier_id=courrier, include_subdossiers=True)} == {a, b}
    assert ged.document(c).deleted_at is not None
    ged.trash_dossier(sub)
    ged.restore([b])  # its dossier is in the trash: back into a live "Relances" at the top
    restored = ged.document(b)
    assert restored.deleted_at is None and restored.dossier_path == "Relances"
    assert restored.dossier_id != sub
    with pytest.raises(NotFoundError):
        ged.restore_dossier(courrier)  # not in the trash
    ged.create_dossier("Courrier 2", organisation_id=org)
    ged.trash_dossier(courrier)
    ged.create_dossier("Courrier", organisation_id=org)
    ged.restore_dossier(courrier)
    assert "Courrier (restauré)" in _names(ged.tree(organisation_id=org))


def test_update_document(ged: Ged, sqlite_db: Database) -> None:
    org = add_organisation(sqlite_db, "Pressing")
    doc = ged.add_bytes(b"texte", "note.txt", organisation_id=org).document_id
    devis = next(n.id for n in ged.tree(organisation_id=org) if n.name == "Devis")
    ged.update_document(
        doc,
        title=" Devis  signé ",
        doc_type="devis",
        tags="a, b, a",
        doc_date=dt.date(2025, 1, 2),
        dossier_id=devis,
    )
    info = ged.document(doc)
    assert (info.title, info.doc_type, info.tags, info.doc_date, info.dossier_path) == (
        "Devis signé",
        "devis",
        "a, b",
        dt.date(2025, 1, 2),
        "Devis",
    )
    with pytest.raises(ValidationError):
        ged.update_document(doc, title="  ")
    other = add_organisation(sqlite_db, "Autre")
    foreign = ged.create_dossier("X", organisation_id=other)
    with pytest.raises(ValidationError):
        ged.update_document(doc, dossier_id=foreign)


def test_person_owner_and_errors(ged: Ged, sqlite_db: Database, tmp_path: Path) -> None:
    person = add_person(sqlite_db, "Dupont", first_name="Jeanne")
    result = ged.add_bytes(b"Facture particulier", "facture.txt", person_id=person)
    assert result.dossier_path == "Factures"
    assert [d.id for d in ged.documents(person_id=person)] == [result.document_id]
    with pytest.raises(ValidationError, match="introuvable"):
        ged.add_files([tmp_path / "absent.pdf"], person_id=person)
    with pytest.raises(NotFoundError):
        ged.add_bytes(b"x", "x.txt", organisation_id=424242)
    with pytest.raises(NotFoundError):
        ged.document(424242)


def test_resolve_client(ged: Ged, sqlite_db: Database) -> None:
    org = add_organisation(sqlite_db, "Alpha", siren="732829320", siret="73282932000074")
    twin_a = add_organisation(sqlite_db, "Beta Nord", siren="552100554", siret="55210055400013")
    add_organisation(sqlite_db, "Beta Sud", siren="552100554", siret="55210055400021")
    assert ged.resolve_client(str(org)) == org
    assert ged.resolve_client("732 829 320 00074") == org
    assert ged.resolve_client("732829320") == org
    assert ged.resolve_client("55210055400013") == twin_a
    with pytest.raises(ValidationError, match="plusieurs"):
        ged.resolve_client("552100554")
    with pytest.raises(NotFoundError, match="Client introuvable"):
        ged.resolve_client("99999999999999")
    with pytest.raises(NotFoundError):
        ged.resolve_client("Alpha")


def test_file_documents_bulk(sqlite_db: Database, store: ContentStore, user_id: int) -> None:
    orgs = [add_organisation(sqlite_db, f"Client {i}") for i in range(20)]
    existing = Ged(sqlite_db, store).tree(organisation_id=orgs[0])  # has its dossiers already
    docs = []
    for i in range(1000):
        data = f"Courrier n° {i} – publipostage de mars".encode()
        sha = store.put_bytes(data)
        docs.append(
            NewDocument(
                organisation_id=orgs[i % 20],
                person_id=None,
                dossier="Courrier" if i % 10 else "Campagne mars",
                title=f"Lettre {i}",
                filename=f"lettre-{i}.pdf",
                sha256=sha,
                size=len(data),
                mime_type="application/pdf",
                doc_type="courrier",
                doc_date=dt.date(2025, 3, 1),
            )
        )
    started = time.perf_counter()
    ids = sqlite_db.run_write(lambda s: file_documents(s, docs, user_id=user_id))
    elapsed = time.perf_counter() - started
    print(f"\nfile_documents: 1000 documents in {elapsed:.3f} s")
    assert elapsed < 5.0, elapsed
    assert len(ids) == len(set(ids)) == 1000
    with sqlite_db.read() as s:
        rows = s.execute(
            select(
                Document.id,
                Document.organisation_id,
                Dossier.name,
                Document.filed_by,
                DocumentVersion.sha256,
            )
            .join(Dossier, Dossier.id == Document.dossier_id)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .where(Document.id.in_(ids))
        ).all()
        dossiers = s.execute(select(Dossier.organisation_id, Dossier.name)).all()
    assert len(rows) == 1000
    by_id = {r.id: r for r in rows}
    assert by_id[ids[10]].name == "Campagne mars" and by_id[ids[11]].name == "Courrier"
    assert by_id[ids[11]].organisation_id == orgs[11] and by_id[ids[11]].filed_by == user_id
    # "Campagne mars" only for documents i % 10 == 0, i.e. clients 0 and 10.
    assert len(dossiers) == len(set(dossiers)) == 20 * len(DEFAULT_DOSSIERS) + 2
    assert [n.id for n in Ged(sqlite_db, store).tree(organisation_id=orgs[0])][:6] == [
        n.id for n in existing
    ]
    assert {i for i, op in _journal(sqlite_db, "document")} == set(ids)
    assert len(_journal(sqlite_db, "dossier")) == len(dossiers)
    with pytest.raises(ValidationError):
        sqlite_db.run_write(
            lambda s: file_documents(
                s,
                [NewDocument(None, None, "Courrier", "x", "x.pdf", "0" * 64, 1, "application/pdf")],
                user_id=None,
            )
        )


@pytest.mark.postgres
def test_filing_on_postgres(pg_url: str, tmp_path: Path, extractor_pool: ExtractorPool) -> None:
    from microcrm.storage.opening import open_database

    db = open_database(pg_url, workstation_id="ws-pg", user_login="test")
    try:
        org = add_organisation(db, "Crèmerie d'Épinal")
        ged = Ged(db, ContentStore(tmp_path / "ged"), extractor=extractor_pool)
        path = tmp_path / "Facture 12.txt"
        path.write_text("Facture F2025-00012 du 4 mars 2025", encoding="utf-8")
        first = ged.add_files([path], organisation_id=org)[0]
        path.write_text("Facture F2025-00012 rectifiée", encoding="utf-8")
        second = ged.add_files([path], organisation_id=org)[0]
        assert (first.dossier_path, second.document_id, second.version) == (
            "Factures",
            first.document_id,
            2,
        )
        sha = ged.store.put_bytes(b"lettre")
        ids = db.run_write(
            lambda s: file_documents(
                s,
                [NewDocument(org, None, "Courrier", "Lettre", "l.pdf", sha, 6, "application/pdf")]
                * 3,
                user_id=None,
            )
        )
        assert len(set(ids)) == 3
        assert {d.id for d in ged.documents(organisation_id=org)} == {first.document_id, *ids}
        ged.trash_dossier(next(n.id for n in ged.tree(organisation_id=org) if n.name == "Courrier"))
        assert [d.id for d in ged.documents(organisation_id=org)] == [first.document_id]
    finally:
        db.dispose()
