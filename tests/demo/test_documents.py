"""Demo GED: files in the content-addressed store, readable, filed under client dossiers."""

from __future__ import annotations

import email
import hashlib
import io
from collections import Counter
from email import policy
from pathlib import Path

import docx
from pypdf import PdfReader
from sqlalchemy import func, select

from microcrm.demo.files import object_path, store_file
from microcrm.demo.render import MIME_TYPES
from microcrm.demo.render_office import MIME_TYPES as OFFICE_TYPES
from microcrm.demo.texts import DOSSIERS
from microcrm.ged.extract import extract_bytes
from microcrm.models import ChangeLog, Document, DocumentVersion, Dossier, Organisation, Stage
from tests.demo.helpers import DOCUMENTS, Generated

_EXTENSIONS = {mime: ext for ext, mime in {**MIME_TYPES, **OFFICE_TYPES}.items()}


def _flat(text: str) -> str:
    """Text with every run of whitespace (including non-breaking spaces) as one space."""
    return " ".join(text.split())


def _documents(generated: Generated) -> list[tuple[Document, DocumentVersion, Dossier]]:
    with generated.db.read() as s:
        return list(s.execute(
            select(Document, DocumentVersion, Dossier)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .join(Dossier, Dossier.id == Document.dossier_id)
        ).tuples())


def test_rows_and_dossiers(generated: Generated) -> None:
    docs = _documents(generated)
    assert len(docs) == DOCUMENTS
    with generated.db.read() as s:
        stages = dict(s.execute(select(Organisation.id, Organisation.stage)).tuples().all())
        dossiers = s.execute(select(Dossier.organisation_id, Dossier.name)).tuples().all()
        journal = dict(s.execute(select(ChangeLog.entity, func.count())
                                 .group_by(ChangeLog.entity)).tuples().all())
    assert len(dossiers) == len(set(dossiers))  # one dossier of each name per client
    assert journal["document"] == DOCUMENTS and journal["dossier"] == len(dossiers)
    for doc, version, dossier in docs:
        assert dossier.name in DOSSIERS and dossier.parent_id is None
        assert doc.organisation_id is not None and doc.organisation_id == dossier.organisation_id
        assert stages[doc.organisation_id] in {Stage.CLIENT, Stage.ANCIEN_CLIENT, Stage.PROSPECT}
        assert version.number == 1 and doc.current_version == 1
        assert version.filename.endswith("." + _EXTENSIONS[version.mime_type])
    kinds = Counter(version.mime_type for _, version, _ in docs)
    assert len(kinds) >= 4, kinds  # every format at volume: tests/ged/test_demo_formats.py


def test_files_are_stored_by_hash(generated: Generated) -> None:
    for _, version, _ in _documents(generated):
        path = object_path(generated.ged, version.sha256)
        assert path.parts[-4:-1] == ("objects", version.sha256[:2], version.sha256[2:4])
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == version.sha256
        assert len(data) == version.size
    assert not list((generated.ged / "tmp").iterdir())  # no .part left behind


def test_files_are_readable(generated: Generated) -> None:
    seen: Counter[str] = Counter()
    for doc, version, _ in _documents(generated):
        data = object_path(generated.ged, version.sha256).read_bytes()
        with generated.db.read() as s:
            name = s.scalar(select(Organisation.name).where(Organisation.id == doc.organisation_id))
        if version.mime_type == "application/pdf":
            reader = PdfReader(io.BytesIO(data))
            assert len(reader.pages) == 1
            text = _flat(reader.pages[0].extract_text())
            assert _flat(doc.title) in text and _flat(name or "") in text
            assert "€" in text or doc.doc_type == "courrier"
            assert reader.metadata is not None and reader.metadata.title == doc.title
            assert b"/FontFile2" in data  # an embedded TrueType font (accents, œ, €)
        elif version.mime_type.endswith("wordprocessingml.document"):
            document = docx.Document(io.BytesIO(data))
            text = "\n".join(p.text for p in document.paragraphs)
            assert doc.title in text and (name or "") in text
            assert document.core_properties.title == doc.title
        elif version.mime_type == "message/rfc822":
            message = email.message_from_bytes(data, policy=policy.default)
            assert message["Subject"] and "@" in message["From"] and "@" in message["To"]
            body = message.get_body(("plain",))
            assert body is not None and "cordialement" in body.get_content()
            attachments = list(message.iter_attachments())
            assert [a.get_filename() for a in attachments] == ["recapitulatif.csv"]
        else:  # TXT, ODT, XLSX, RTF, HTML, CSV: read back by the GED's own extractor
            found = extract_bytes(data, version.filename)
            assert found.note is None and _flat(doc.title) in _flat(found.text)
        seen[version.mime_type] += 1
        assert len(data) > 300
    assert sum(seen.values()) == DOCUMENTS


def test_pdf_has_a_realistic_vocabulary(generated: Generated) -> None:
    words: set[str] = set()
    for _, version, _ in _documents(generated):
        if version.mime_type == "application/pdf":
            data = object_path(generated.ged, version.sha256).read_bytes()
            words.update(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert len(words) > 400
    assert {"TVA", "Total", "HT"} <= words


def test_store_file_deduplicates(tmp_path: Path) -> None:
    first = store_file(tmp_path, b"contenu identique")
    second = store_file(tmp_path, b"contenu identique")
    assert first == second == hashlib.sha256(b"contenu identique").hexdigest()
    assert object_path(tmp_path, first).read_bytes() == b"contenu identique"
    assert not list((tmp_path / "tmp").iterdir())
