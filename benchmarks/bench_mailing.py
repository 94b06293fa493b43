"""Publipostage benchmark (docs/architecture.md §6), on a base made by the app's demo generator.

    .venv/bin/python benchmarks/bench_mailing.py [--organisations 8000] [--letters 1000]
                                                  [--labels 5000]

Targets: 1,000 personalised one-page letters to one PDF ≤ 10 s; 5,000 labels
≤ 5 s; a 1,000-letter DOCX merge ≤ 30 s; confirming a 1,000-recipient run
(campaign, actions, each letter split out of the run PDF, stored in the GED
and filed) ≤ 20 s; peak memory ≤ 500 MB.

Recipients are the organisations of the demo base in list order (one per
organisation, main contact, NF Z10-011 block recomputed; exclusions applied),
so the letters are personalised exactly as in a real run. The confirmation
runs on a copy of the base and a fresh GED folder. Prints one JSON object and
writes it to benchmarks/out/bench_mailing.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MICROCRM_HOME", str(Path(__file__).parent / "out" / "home"))

from demo_data import OUT, demo_database

from microcrm.crm.company import CompanyInfo
from microcrm.crm.lists import ListQuery, PartyListService
from microcrm.storage.opening import open_database
from microcrm.ged.store import ContentStore
from microcrm.mailing.campaigns import confirm_run, produce_run
from microcrm.mailing.docx_merge import merge_docx
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.labels import get_label_format, render_labels
from microcrm.mailing.recipients import RecipientSource, Selection, select_recipients
from microcrm.mailing.resources import resource_path
from microcrm.mailing.templates import load_template

COMPANY = CompanyInfo(
    name="Atelier Œuvre & Cie",
    legal_form="SARL",
    capital_cents=1_000_000,
    siret="73282932000074",
    rcs_city="Rennes",
    vat_number="FR44732829320",
    address_line1="12 rue de la Monnaie",
    postcode="35000",
    city="Rennes",
    phone="+33299000000",
    email="contact@oeuvre.fr",
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, report: dict[str, object], fn):  # type: ignore[no-untyped-def]
    """Run ``fn``; record wall-clock seconds (``label``) and CPU seconds (``label_cpu``).

    The machine is shared: wall-clock time includes waiting for a core, the CPU
    time of this process does not.
    """
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    report[label] = round(time.perf_counter() - start, 3)
    report[f"{label}_cpu"] = round(time.process_time() - cpu, 3)
    print(
        f"{label}: {report[label]} s, CPU {report[f'{label}_cpu']} s (peak {peak_mb():.0f} MB)",
        file=sys.stderr,
        flush=True,
    )
    return result


def selection_of(db, ids: list[int], n: int) -> Selection:  # type: ignore[no-untyped-def]
    selection = select_recipients(db, RecipientSource(organisation_ids=ids))
    selection.recipients = selection.recipients[:n]
    return selection


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=8000)
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--labels", type=int, default=5000)
    args = parser.parse_args()
    source = demo_database(args.organisations, int(args.organisations * 1.5), 0, seed=1)
    db = open_database(source, workstation_id="bench", user_login="bench")
    report: dict[str, object] = {"base": source.name, "organisations": args.organisations}
    ids = PartyListService(db).ids(ListQuery(base="suspect"))
    ids += PartyListService(db).ids(ListQuery(base="prospect"))
    ids += PartyListService(db).ids(ListQuery(base="client"))
    context = MergeContext(COMPANY, dt.date(2026, 11, 24))
    work = Path(tempfile.mkdtemp(prefix="bench-mailing-", dir=OUT))

    letters_sel = timed(
        f"select_{args.letters}_recipients_s",
        report,
        lambda: selection_of(db, ids[: args.letters * 11 // 10], args.letters),
    )
    labels_sel = timed(
        f"select_{args.labels}_recipients_s",
        report,
        lambda: selection_of(db, ids[: args.labels * 11 // 10], args.labels),
    )
    report["letters"] = len(letters_sel.recipients)
    report["labels"] = len(labels_sel.recipients)
    report["excluded_in_letters_selection"] = letters_sel.excluded_by_reason()

    template = load_template("prospection")
    run = timed(
        f"pdf_{args.letters}_letters_s",
        report,
        lambda: produce_run(db, template, letters_sel, work / "lettres.pdf", context=context),
    )
    report["pdf_pages"] = run.pages
    report["pdf_mb"] = round((work / "lettres.pdf").stat().st_size / 1e6, 2)

    fmt = get_label_format("L7160")
    labels = timed(
        f"labels_{args.labels}_s",
        report,
        lambda: render_labels(labels_sel.recipients, work / "etiquettes.pdf", fmt),
    )
    report["label_pages"] = labels.pages

    docx = timed(
        f"docx_merge_{args.letters}_letters_s",
        report,
        lambda: merge_docx(
            resource_path("templates", "docx", "exemple.docx"),
            letters_sel.recipients,
            work / "fusion.docx",
            context=context,
        ),
    )
    report["docx_letters"] = docx.letters
    report["docx_mb"] = round((work / "fusion.docx").stat().st_size / 1e6, 2)
    db.dispose()

    copy = work / "base.sqlite"
    with sqlite3.connect(source) as a, sqlite3.connect(copy) as b:
        a.backup(b)
    target = open_database(copy, workstation_id="bench", user_login="bench")
    store = ContentStore(work / "ged")
    campaign_id = timed(
        f"confirm_{args.letters}_recipients_s",
        report,
        lambda: confirm_run(target, run, store=store, name="Bench"),
    )
    with target.read() as s:
        from sqlalchemy import func, select

        from microcrm.models import Action, CampaignRecipient

        report["actions_written"] = s.scalar(
            select(func.count()).select_from(Action).where(Action.campaign_id == campaign_id)
        )
        report["documents_filed"] = s.scalar(
            select(func.count())
            .select_from(CampaignRecipient)
            .where(
                CampaignRecipient.campaign_id == campaign_id,
                CampaignRecipient.document_id.is_not(None),
            )
        )
    target.dispose()
    report["peak_rss_mb"] = round(peak_mb(), 1)
    report["targets"] = {
        "pdf_1000_letters_s": 10,
        "labels_5000_s": 5,
        "docx_merge_1000_letters_s": 30,
        "confirm_1000_recipients_s": 20,
        "peak_rss_mb": 500,
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    (OUT / "bench_mailing.json").write_text(text, encoding="utf-8")
    print(text)
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
