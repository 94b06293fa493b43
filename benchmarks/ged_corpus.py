"""A 100,000-document GED corpus for the search benchmarks, built from the demo's texts.

Copies the cached demo base (100,000 organisations, see demo_data.py) and
files ``count`` documents under its clients with the app's demo text
generator (:func:`microcrm.demo.texts.compose`, :func:`microcrm.demo.plain.text_of`):
French letters, quotes, invoices, e-mails of ~2–3 KB each. Only the text
sidecars of the content store are written (``ContentStore.write_text``),
which is all the index reads; rendering 100,000 PDF/DOCX files would take
most of an hour on 2 cores for no difference to the index. Rows are
inserted with Core, in batches, with their journal rows.

    python benchmarks/ged_corpus.py [COUNT]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_data import OUT, demo_database
from microcrm.storage.opening import open_database
from microcrm.demo.basics import UserInfo
from microcrm.demo.documents import load_targets, plan_documents
from microcrm.demo.plain import text_of
from microcrm.demo.texts import DOSSIERS, Sender, compose
from microcrm.storage.bulk import IdAllocator, audit_columns, insert_rows, table_of
from microcrm.ged.store import ContentStore
from microcrm.models import Document, DocumentVersion, Dossier, User, utcnow

BATCH = 2000
DOC_TYPES = {"email": "e-mail", "compte_rendu": "compte rendu"}
SENDER = Sender(
    name="Atelier Numérique de Bretagne",
    lines=("12 rue de la Soif", "35000 RENNES"),
    city="Rennes",
    siret="44306184100047",
    phone="02 99 00 00 00",
    domain="atelier-numerique.fr",
)


def corpus_paths(count: int) -> tuple[Path, Path]:
    """(database, GED folder) of the corpus of ``count`` documents."""
    return OUT / f"ged-{count}.sqlite", OUT / f"ged-{count}-store"


def _insert(
    session: Session, batch: list[dict[str, Any]], dossiers: dict[tuple[int, str], int]
) -> dict[tuple[int, str], int]:
    now = utcnow()
    audit = audit_columns(now, "bench")
    alloc = IdAllocator(session)
    created: dict[tuple[int, str], int] = {}
    new_dossiers = []
    for doc in batch:
        key = (doc["org"], doc["dossier"])
        if key not in dossiers and key not in created:
            created[key] = alloc.take(table_of(Dossier), 1)[0]
            new_dossiers.append(
                {
                    "id": created[key],
                    "organisation_id": doc["org"],
                    "person_id": None,
                    "parent_id": None,
                    "name": doc["dossier"],
                    "position": DOSSIERS.index(doc["dossier"]) + 1,
                    "deleted_at": None,
                    **audit,
                }
            )
    doc_ids = alloc.take(table_of(Document), len(batch))
    ver_ids = alloc.take(table_of(DocumentVersion), len(batch))
    documents, versions = [], []
    for doc_id, ver_id, doc in zip(doc_ids, ver_ids, batch, strict=True):
        filed_at = dt.datetime.combine(doc["date"], dt.time(9, 0), dt.UTC)
        documents.append(
            {
                "id": doc_id,
                "dossier_id": dossiers.get((doc["org"], doc["dossier"]))
                or created[(doc["org"], doc["dossier"])],
                "organisation_id": doc["org"],
                "person_id": None,
                "title": doc["title"],
                "doc_type": doc["type"],
                "tags": "",
                "doc_date": doc["date"],
                "filed_by": None,
                "filed_at": filed_at,
                "current_version": 1,
                "deleted_at": None,
                **audit,
            }
        )
        versions.append(
            {
                "id": ver_id,
                "document_id": doc_id,
                "number": 1,
                "sha256": doc["sha"],
                "size": doc["size"],
                "filename": doc["filename"],
                "mime_type": "text/plain",
                "created_at": filed_at,
                "created_by": None,
                "extraction_note": None,
            }
        )
    insert_rows(session, table_of(Dossier), new_dossiers, "dossier")
    insert_rows(session, table_of(Document), documents, "document")
    insert_rows(session, table_of(DocumentVersion), versions)
    return created


def build(count: int, seed: int = 1) -> tuple[Path, Path]:
    """Make (once) the corpus database and GED folder; returns their paths."""
    path, ged = corpus_paths(count)
    if path.exists():
        return path, ged
    source = demo_database()
    tmp = path.with_suffix(".building.sqlite")
    shutil.copyfile(source, tmp)
    shutil.rmtree(ged, ignore_errors=True)
    store = ContentStore(ged)
    db = open_database(tmp, workstation_id="bench", user_login="bench")
    started = time.monotonic()
    with db.read() as session:
        users = [
            UserInfo(u.id, u.full_name, u.email or "", u.is_salesperson)
            for u in session.scalars(select(User).order_by(User.id))
        ]
        targets = load_targets(session, users, None)
    today = dt.date(2026, 11, 1)
    specs = plan_documents(random.Random(f"{seed}:documents"), targets, count, today)
    dossiers: dict[tuple[int, str], int] = {}
    pool = ThreadPoolExecutor(max_workers=4)
    done = 0
    for start in range(0, count, BATCH):
        batch, futures = [], []
        for index in range(start, min(start + BATCH, count)):
            target, kind, fmt, number, when = next(specs)
            rng = random.Random(f"{seed}:document:{index}")
            content = compose(rng, kind, fmt, number, when, rec=target.recipient, sender=SENDER)
            text = text_of(content)
            data = text.encode("utf-8")
            sha = hashlib.sha256(data).hexdigest()
            futures.append(pool.submit(store.write_text, sha, text))
            batch.append(
                {
                    "org": target.recipient.organisation_id,
                    "dossier": content.dossier,
                    "title": content.title,
                    "type": DOC_TYPES.get(kind, kind),
                    "date": when,
                    "sha": sha,
                    "size": len(data),
                    "filename": content.filename,
                }
            )
        for future in futures:
            future.result()
        dossiers.update(db.run_write(partial(_insert, batch=batch, dossiers=dossiers)))
        done += len(batch)
        print(
            f"\r{done}/{count} documents, {time.monotonic() - started:.0f} s",
            end="",
            file=sys.stderr,
            flush=True,
        )
    pool.shutdown()
    db.dispose()
    tmp.rename(path)
    print(file=sys.stderr)
    return path, ged


if __name__ == "__main__":
    print(build(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
