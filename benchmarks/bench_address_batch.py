"""Benchmark of « Normaliser les adresses »: propose, apply and undo over a whole base.

Run from the repository root:

    .venv/bin/python benchmarks/bench_address_batch.py [--organisations 100000] [--dirty 0.3]
    .venv/bin/python benchmarks/bench_address_batch.py --db base.sqlite   # a copy is used

Budget (docs/architecture.md §6): proposing over 100,000
organisations well under a minute, memory bounded. The base is made by the demo
generator (``microcrm demo --organisations N --persons 0``), whose addresses are
stored normalised; ``--dirty`` then rewrites a share of them as an old
spreadsheet import leaves them (never normalised, lost leading zero, Paris 16e,
misspelt locality, bad postcode or locality, foreign), seeded, so every run
measures the same mix. Figures are printed for the clean demo base first, then
for the dirtied one. Normaliser caches are emptied before each propose.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from microcrm.crm import address_batch
from microcrm.crm.address_batch import Proposal
from microcrm.db import Database
from microcrm.storage.opening import open_database
from microcrm.demo import generate
from microcrm.models import Address, ChangeLog, Organisation
from microcrm.text import fold
from microcrm.postal.normalize import clear_caches

FOREIGN = (
    ("Rue Haute 12", "B-4000", "Liège", "Belgique"),
    ("Rue du Rhône 5", "CH-1201", "Genève", "Suisse"),
    ("Marienplatz 8", "D-80331", "München", "Allemagne"),
    ("Damrak 1", "1012 LG", "Amsterdam", "Pays-Bas"),
)
ARRONDISSEMENTS = {"75": "Paris {n}e", "69": "Lyon {n}ème", "13": "Marseille {n}eme"}


def _misspelt(rng: random.Random, city: str) -> str:
    if len(city) < 6:
        return city + "e"
    i = rng.randrange(1, len(city) - 1)
    return city[:i] + city[i + 1 :]


def _dirty_one(rng: random.Random, postcode: str, city: str, cities: list[str]) -> dict[str, str]:
    """New typed fields for one address, as an old import leaves them (``{}``: as typed)."""
    roll = rng.random()
    change: dict[str, str] = {}
    if roll < 0.20 and postcode.startswith("0"):
        change = {"postcode": postcode[1:]}
    elif roll < 0.30 and postcode[:2] in ARRONDISSEMENTS and postcode[2:3] == "0":
        number = int(postcode[3:]) if postcode[3:] not in ("", "00") else 1
        change = {"city": ARRONDISSEMENTS[postcode[:2]].format(n=number)}
    elif roll < 0.45:
        change = {"city": _misspelt(rng, city)}
    elif roll < 0.50:
        change = {"postcode": postcode[:3]}
    elif roll < 0.55:
        change = {"city": rng.choice(cities)}
    elif roll < 0.58:
        line1, code, town, country = rng.choice(FOREIGN)
        change = {"line1": line1, "postcode": code, "city": town, "country": country}
    return change


def dirty_addresses(db: Database, share: float, seed: int = 0) -> int:
    """Rewrite ``share`` of the primary addresses as an old import leaves them (Core, one txn).

    Each chosen address loses its stored form (``norm_*`` emptied), and most get a
    typing problem as well. Versions are bumped (the trigger requires it).

    Returns:
        The number of addresses rewritten.
    """
    rng = random.Random(seed)
    table: Table = Address.__table__  # type: ignore[assignment]
    with db.read() as s:
        rows = s.execute(
            select(table.c.id, table.c.line1, table.c.postcode, table.c.city, table.c.country)
            .where(table.c.organisation_id.is_not(None))
            .order_by(table.c.id)
        ).all()
    chosen = [r for r in rows if rng.random() < share]
    cities = sorted({r.city for r in rows[:5000]})
    params: list[dict[str, Any]] = []
    for r in chosen:
        fields = {"line1": r.line1, "postcode": r.postcode, "city": r.city, "country": r.country}
        fields.update(_dirty_one(rng, r.postcode, r.city, cities))
        params.append({f"b_{k}": v for k, v in fields.items()} | {
            "b_id": r.id, "b_city_key": fold(fields["city"])})
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            line1=bindparam("b_line1"), postcode=bindparam("b_postcode"),
            city=bindparam("b_city"), city_key=bindparam("b_city_key"),
            country=bindparam("b_country"), norm_lines=None, norm_status=None, norm_errors="",
            version_id=table.c.version_id + 1,
        )
    )  # fmt: skip

    def write(session: Session) -> None:
        for start in range(0, len(params), 5000):
            session.execute(stmt, params[start : start + 5000])

    db.run_write(write)
    return len(params)


def _rss_mb() -> float:
    """Current resident memory (Linux ``/proc``; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ids(db: Database) -> list[int]:
    """Every organisation in list order (by name), as the main window would pass them."""
    with db.read() as s:
        return list(s.scalars(select(Organisation.id).order_by(Organisation.name_key)))


def _journal_rows(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(ChangeLog)) or 0)


def run(db: Database, title: str) -> None:
    """Propose, apply everything, propose again, undo; print the figures."""
    ids = _ids(db)
    clear_caches()
    rss_before = _rss_mb()
    start = time.perf_counter()
    proposals: list[Proposal] = address_batch.propose(db, ids)
    propose_s = time.perf_counter() - start
    rss_after = _rss_mb()
    kinds = Counter(p.kind.value for p in proposals)
    print(f"\n== {title}: {len(ids):,} organisations ==")
    print(f"propose : {propose_s:6.2f} s  ({len(ids) / propose_s:,.0f} organisations/s), "
          f"{len(proposals):,} proposals {dict(sorted(kinds.items()))}")
    print(f"          resident memory {rss_before:.0f} MB before, {rss_after:.0f} MB with the "
          "proposals held")
    if not proposals:
        return
    journal_before = _journal_rows(db)
    start = time.perf_counter()
    result = address_batch.apply(db, proposals, label="benchmark")
    apply_s = time.perf_counter() - start
    print(f"apply   : {apply_s:6.2f} s  ({result.applied:,} written in one transaction, "
          f"{len(result.skipped_conflicts)} skipped, "
          f"{_journal_rows(db) - journal_before:,} journal rows)")
    start = time.perf_counter()
    again = address_batch.propose(db, ids)
    print(f"again   : {time.perf_counter() - start:6.2f} s  ({len(again)} proposals: idempotent)")
    assert result.batch_id is not None
    start = time.perf_counter()
    undone = address_batch.undo(db, result.batch_id)
    print(f"undo    : {time.perf_counter() - start:6.2f} s  ({undone.restored:,} restored, "
          f"{len(undone.skipped_conflicts)} skipped)")


def main() -> None:
    """Build or copy the base, then measure it clean and dirtied."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="existing base (copied, never modified)")
    parser.add_argument("--dirty", type=float, default=0.3, help="share of addresses dirtied")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-address-batch-"))
    os.environ.setdefault("MICROCRM_HOME", str(folder / "home"))
    path = folder / "crm.sqlite"
    try:
        if args.db:
            shutil.copyfile(args.db, path)
            db = open_database(path, user_login="bench")
        else:
            db = open_database(path, user_login="bench")
            start = time.perf_counter()
            generate(db, organisations=args.organisations, persons=0, seed=args.seed)
            print(f"demo base: {args.organisations:,} organisations in "
                  f"{time.perf_counter() - start:.1f} s")
        print(f"Python {sys.version.split()[0]}, SQLite file {path}, {os.cpu_count()} CPU")
        run(db, "demo base as generated")
        dirtied = dirty_addresses(db, args.dirty, args.seed)
        print(f"\n(dirtied {dirtied:,} addresses: {args.dirty:.0%} of the base)")
        run(db, "dirtied base")
        db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
