"""GED search on 100,000 documents: a realistic mix of queries, and searches inside a client.

    python benchmarks/bench_ged_search.py [--documents 100000]

Needs the replica built by bench_ged_index.py (benchmarks/out/ged-N-index).
Queries come from the corpus itself (seeded): rare words and references
read in random documents, client names, invoice numbers, common words,
two-word searches, phrases cut from random texts, prefixes, filters
(``client:``, ``type:``, ``dossier:``, ``date:``) and exclusions. Every
query runs once with the result cache empty (engine time = the whole
``SearchEngine.search`` call, snippets and database reads included), then
the mix again to show cached answers. Budgets (docs/architecture.md §6): p50 ≤ 50 ms,
p95 ≤ 500 ms, none over 2 s; inside one client p95 ≤ 30 ms.

Prints one JSON object and writes it to benchmarks/out/bench_ged_search.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ged_corpus import corpus_paths
from sqlalchemy import func, select

from microcrm.storage.opening import open_database
from microcrm.ged import replica
from microcrm.ged.index import DocRecord, analyze
from microcrm.ged.search import SearchEngine
from microcrm.ged.store import ContentStore
from microcrm.models import Document

OUT = Path(__file__).resolve().parent / "out"
COMMON = [
    "facture",
    "devis",
    "livraison",
    "merci",
    "commande",
    "maintenance",
    "client",
    "cordialement",
    "paiement",
    "installation",
    "proposition",
    "rendez-vous",
]
PAIRS = [
    "facture livraison",
    "devis maintenance",
    "commande délai",
    "paiement relance",
    "installation garantie",
    "réunion compte rendu",
    "remise commerciale",
]
PREFIXES = [
    "compt*",
    "factur*",
    "livr*",
    "mainten*",
    "install*",
    "garant*",
    "proposi*",
    "rembours*",
    "échéan*",
    "réclam*",
]
REFERENCE_RE = re.compile(r"\b(?:F|BC|D)\d{4}-\d{5}\b")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "max_ms": round(max(values), 1),
    }


def _rare_words(sample: list[DocRecord], rng: random.Random, count: int) -> list[str]:
    """Words of 6+ letters found in only one of the sampled texts.

    Names of contacts and streets, uncommon products: the "one document
    among 100,000" searches.
    """
    seen: dict[str, set[int]] = {}
    for rec in sample:
        for word in set(re.findall(r"[^\W\d_]{6,}", rec.text)):
            seen.setdefault(word.lower(), set()).add(rec.document_id)
    out = []
    for rec in sample:
        words = sorted(
            w for w in set(re.findall(r"[^\W\d_]{6,}", rec.text)) if len(seen[w.lower()]) == 1
        )
        if words:
            out.append(rng.choice(words))
        if len(out) == count:
            break
    return out


def make_mix(
    db_path: Path, ged: Path, rng: random.Random
) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
    """(category, query) of the mix, and (query, organisation id) searches inside clients."""
    db = open_database(db_path, workstation_id="bench", user_login="bench", migrate=False)
    store = ContentStore(ged)
    with db.read() as session:
        top = int(session.scalar(select(func.max(Document.id))) or 0)
    sample = replica.load_records(db, store, rng.sample(range(1, top + 1), 400))
    mix: list[tuple[str, str]] = []
    inside: list[tuple[str, int]] = []
    mix += [("rare word", w) for w in _rare_words(sample, rng, 30)]
    for rec in sample[40:60]:
        mix.append(
            (
                "client name",
                rng.choice([w for w in rec.client.split() if len(w) > 3] or [rec.client]),
            )
        )
    for rec in sample[60:120]:
        refs = REFERENCE_RE.findall(rec.text)
        if refs and len([m for m in mix if m[0] == "number"]) < 20:
            mix.append(("number", rng.choice(refs)))
    mix += [("common word", w) for w in COMMON]
    mix += [("two words", w) for w in PAIRS]
    for rec in sample[120:140]:
        words = re.findall(r"[^\W_]+", rec.text)
        size = rng.choice((2, 3))
        start = rng.randrange(0, max(1, len(words) - size))
        phrase = " ".join(words[start : start + size])
        if len(analyze(phrase)) >= 2:
            mix.append(("phrase", f'"{phrase}"'))
    mix += [("prefix", p) for p in PREFIXES]
    for rec in sample[140:155]:
        mix.append(("client filter", f"client:{rec.organisation_id} {rng.choice(COMMON)}"))
        surname = [w for w in rec.client.split() if len(w) > 3] or ["sarl"]
        mix.append(("client filter", f'client:"{rng.choice(surname)}" facture'))
    for year in (2025, 2026):
        mix.append(("type/date filter", f"type:facture date:{year}"))
        mix.append(("type/date filter", f"date:{year}-0{rng.randint(1, 9)} livraison"))
        mix.append(("type/date filter", f"type:devis date:{year - 1}..{year} maintenance"))
        mix.append(("type/date filter", f"dossier:factures paiement date:{year}"))
    mix += [
        ("exclusion", "facture -devis"),
        ("exclusion", "livraison -retard"),
        ("exclusion", "maintenance -contrat"),
    ]
    for rec in sample[155:215]:
        org = rec.organisation_id
        if org is None:
            continue
        words = list(re.findall(r"[^\W\d_]{6,}", rec.text))
        inside.append(
            (
                rng.choice(
                    [
                        "facture",
                        "devis",
                        "livr*",
                        "paiement",
                        rng.choice(words) if words else "merci",
                    ]
                ),
                org,
            )
        )
    db.dispose()
    return mix, inside


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--index", type=Path, help="replica folder (default: bench_ged_index's)")
    parser.add_argument(
        "--base", type=Path, help="an existing base (e.g. made by `microcrm demo --documents N`)"
    )
    parser.add_argument("--ged", type=Path, help="its GED folder (default: <base dir>/ged)")
    args = parser.parse_args()
    db_path, ged = corpus_paths(args.documents)
    if args.base:
        db_path, ged = args.base, args.ged or args.base.parent / "ged"
    folder = args.index or OUT / f"ged-{args.documents}-index"
    rng = random.Random(args.seed)
    mix, inside = make_mix(db_path, ged, rng)
    db = open_database(db_path, workstation_id="bench", user_login="bench", migrate=False)
    store = ContentStore(ged)
    started = time.perf_counter()
    engine = SearchEngine.open(folder, db, store)
    open_ms = (time.perf_counter() - started) * 1000
    for warm in ("chantier", "devis"):  # first query pays imports and lazy readers
        engine.search(warm)
    by_kind: dict[str, list[float]] = {}
    rows: list[dict[str, Any]] = []
    for kind, query in mix:
        engine._cache.clear()
        t0 = time.perf_counter()
        results = engine.search(query)
        wall = (time.perf_counter() - t0) * 1000
        by_kind.setdefault(kind, []).append(wall)
        rows.append(
            {
                "kind": kind,
                "query": query,
                "ms": round(wall, 1),
                "total": results.total,
                "estimate": results.total_is_estimate,
                "hits": len(results.hits),
            }
        )
    cached = []
    for _kind, query in mix:  # the same query again at once: answered by the LRU cache
        engine.search(query)
        t0 = time.perf_counter()
        engine.search(query)
        cached.append((time.perf_counter() - t0) * 1000)
    client_times = []
    for query, org in inside:
        engine._cache.clear()
        t0 = time.perf_counter()
        engine.search(query, organisation_id=org)
        client_times.append((time.perf_counter() - t0) * 1000)
    engine.close()
    db.dispose()
    every = [r["ms"] for r in rows]
    report = {
        "documents": args.documents,
        "open_ms": round(open_ms, 1),
        "mix": summary(every),
        "by_kind": {k: summary(v) for k, v in by_kind.items()},
        "inside_client": summary(client_times),
        "cached_mix": summary(cached),
        "slowest": sorted(rows, key=lambda r: -r["ms"])[:8],
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    (OUT / "bench_ged_search.json").write_text(text)
    (OUT / "bench_ged_search_queries.json").write_text(
        json.dumps(rows, indent=1, ensure_ascii=False)
    )
    print(text)


if __name__ == "__main__":
    main()
