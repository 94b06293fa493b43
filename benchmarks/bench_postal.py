"""Benchmark of the postal domain: reference load, batch throughput, single-address latency.

Run from the repository root:

    .venv/bin/python benchmarks/bench_postal.py [--count 50000] [--seed 20261124]

Budgets (docs/architecture.md §6): reference load <= 100 ms,
>= 20,000 addresses/s normalised and validated on one core, single-address p95 <= 10 ms
(the live editor normalises at every keystroke). The input is generated from the reference
with a seeded generator, so every run measures the same mix: clean addresses, commune names
instead of libellés, typos, missing cities, lost leading zeros, CEDEX, bis/ter numbers, long
street names, Paris/Lyon/Marseille arrondissements, lieux-dits, bad postcodes and foreign
addresses. Caches are emptied before each measured pass, so the figures are cold-cache ones.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from microcrm.postal.normalize import (
    AddressInput,
    NormalizedAddress,
    clear_caches,
    normalize_address,
)
from microcrm.postal.reference import PostalReference, PostalRow, read_reference

REPO_ROOT = Path(__file__).resolve().parents[1]

LOAD_SNIPPET = """
import time
start = time.perf_counter()
from microcrm.postal.reference import load_reference
imported = time.perf_counter()
load_reference()
loaded = time.perf_counter()
from microcrm.postal.normalize import AddressInput, normalize_address
normalize_address(AddressInput(line1="1 rue de la Paix", postcode="75002", city="Paris"))
ready = time.perf_counter()
print(imported - start, loaded - imported, ready - start)
"""

FIRST = ["Jean", "Marie", "Pierre", "Sophie", "Nicolas", "Hélène", "François", "Chloé", "Éric"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre"]
CIVILITY = ["M.", "Mme", "Monsieur", "Madame", "", "Dr"]
COMPANY = ["SARL Dupont & Fils", "Boulangerie du Centre", "ACME SAS", "Cabinet Médical"]
TYPES = ["rue", "avenue", "av.", "bd", "boulevard", "chemin", "place", "impasse", "allée"]
NAMES = [
    "de la Paix", "Victor Hugo", "du Général de Gaulle", "Jean Jaurès", "Pasteur",
    "de la République", "des Lilas", "du Moulin", "Saint-Exupéry", "du 8 Mai 1945",
    "Notre-Dame", "des Écoles", "Gambetta", "de Verdun", "du Maréchal Foch",
]  # fmt: skip
LONG_NAMES = [
    "du Maréchal Jean Marie de Lattre de Tassigny",
    "du Professeur Émile Roux et du Docteur Calmette",
    "de la Grande Armée de la République Française",
    "Saint-Jean-Baptiste de la Salle et des Écoles Chrétiennes",
]
NUMBERS = ["", "1", "12", "5 bis", "12ter", "3B", "021", "15-17", "108"]
INSIDE = ["Appt 12", "3ème étage", "Esc. B", "Chez Mme Durand", "Service comptabilité"]
OUTSIDE = ["Bât. C", "Résidence les Pins", "ZI des Près", "Entrée B"]
LIEUX = ["Lieu-dit Les Vignes", "LD le Moulin", "Le Bourg"]
FOREIGN = [
    ("Belgique", "B-4000", "Liège", "Rue Haute 12"),
    ("Suisse", "CH-1201", "Genève", "Rue du Rhône 5"),
    ("Deutschland", "D-80331", "München", "Marienplatz 8"),
    ("España", "28001", "Madrid", "Calle de Serrano 41"),
    ("Nederland", "1012 LG", "Amsterdam", "Damrak 1"),
    ("Japon", "100-0001", "Tokyo", "1-1 Chiyoda"),
]


def _street(rng: random.Random, long_name: bool = False) -> str:
    name = rng.choice(LONG_NAMES if long_name else NAMES)
    number = rng.choice(NUMBERS)
    return " ".join(part for part in (number, rng.choice(TYPES), name) if part)


def _typo(rng: random.Random, city: str) -> str:
    if len(city) < 4:
        return city
    position = rng.randrange(1, len(city) - 1)
    return city[:position] + city[position + 1 :]


def _person(rng: random.Random) -> str:
    return " ".join(p for p in (rng.choice(CIVILITY), rng.choice(FIRST), rng.choice(LAST)) if p)


def _domestic(rng: random.Random, row: PostalRow, kind: str) -> AddressInput:
    city = row.libelle if rng.random() < 0.6 else row.commune
    postcode = row.postcode
    lines = [_street(rng, long_name=kind == "long street")]
    if kind == "commune":
        city = row.commune
    elif kind == "typo":
        city = _typo(rng, city)
    elif kind == "missing city":
        city = ""
    elif kind == "lost zero":
        postcode = postcode.lstrip("0")
    elif kind == "arrondissement":
        postcode, city = rng.choice(
            [("75016", "Paris 16e"), ("75008", "PARIS 8"), ("69003", "Lyon 3ème"),
             ("13008", "Marseille 8eme arrondissement")]
        )  # fmt: skip
    elif kind == "bad postcode":
        postcode = rng.choice(["13000", "75000", "ABC", "750", ""])
    elif kind == "rural":
        lines = [rng.choice(LIEUX)]
    if rng.random() < 0.3:
        lines.insert(0, rng.choice(INSIDE + OUTSIDE))
    lines += ["", "", ""]
    return AddressInput(_person(rng), "", lines[0], lines[1], lines[2], postcode, city, "")


def _cedex(rng: random.Random, row: PostalRow) -> AddressInput:
    office = rng.choice(["", " 1", " 5", " 09", " 12"])
    return AddressInput(
        name=_person(rng),
        company=rng.choice(COMPANY),
        line1=f"BP {rng.randint(1, 99999)}",
        postcode=row.postcode[:2] + f"{rng.randint(0, 999):03d}",
        city=f"{row.libelle.title()} Cedex{office}",
    )


def _foreign(rng: random.Random) -> AddressInput:
    country, postcode, city, street = rng.choice(FOREIGN)
    return AddressInput(_person(rng), "", street, "", "", postcode, city, country)


KINDS = {
    "clean": 30, "commune": 10, "typo": 10, "missing city": 5, "lost zero": 5, "cedex": 8,
    "long street": 8, "arrondissement": 6, "rural": 6, "bad postcode": 4, "foreign": 8,
}  # fmt: skip


def generate(count: int, seed: int, reference: PostalReference) -> list[AddressInput]:
    """Generate `count` addresses deterministically from the reference rows."""
    rng = random.Random(seed)
    rows = reference.all_rows()
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=count)
    addresses = []
    for kind in kinds:
        row = rng.choice(rows)
        if kind == "cedex":
            addresses.append(_cedex(rng, row))
        elif kind == "foreign":
            addresses.append(_foreign(rng))
        else:
            addresses.append(_domestic(rng, row, kind))
    return addresses


def measure_load(runs: int) -> None:
    samples = []
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True,
            check=True, cwd=REPO_ROOT,
        )  # fmt: skip
        walls.append(time.perf_counter() - start)
        samples.append([float(value) for value in output.stdout.split()])
    imports, loads, ready = zip(*samples, strict=True)
    print(f"Reference load, cold, fresh subprocess ({runs} runs, median / max):")
    print(f"  load_reference()           {_ms(loads)}")
    print(f"  import microcrm.postal     {_ms(imports)}")
    print(f"  import + load + 1st call   {_ms(ready)}")
    print(f"  whole process (python -c)  {_ms(walls)}")


def _ms(values: tuple[float, ...] | list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms / {max(values) * 1000:7.1f} ms"


def _timed_pass(addresses: list[AddressInput], reference: PostalReference) -> float:
    start = time.perf_counter()
    for address in addresses:
        normalize_address(address, reference)
    return time.perf_counter() - start


def measure_throughput(addresses: list[AddressInput]) -> None:
    reference = read_reference()  # fresh: its lazy indexes are empty too
    clear_caches()
    cold = _timed_pass(addresses, reference)
    warm = _timed_pass(addresses, reference)
    count = len(addresses)
    distinct = len(set(addresses))
    print(f"Batch normalise + validate, one core ({count} addresses, {distinct} distinct):")
    print(f"  cold caches   {count / cold:10,.0f} addresses/s  ({cold * 1e6 / count:.1f} µs each)")
    print(f"  warm caches   {count / warm:10,.0f} addresses/s  ({warm * 1e6 / count:.1f} µs each)")
    statuses = Counter(normalize_address(a, reference).status for a in addresses)
    print(
        "  status mix    " + ", ".join(f"{k} {v * 100 / count:.0f}%" for k, v in statuses.items())
    )


def _latencies(calls: Sequence[Callable[[], NormalizedAddress]]) -> list[float]:
    samples = []
    for call in calls:
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return sorted(samples)


def _percentiles(samples: list[float]) -> str:
    def at(fraction: float) -> float:
        return samples[min(len(samples) - 1, int(fraction * len(samples)))]

    return (
        f"p50 {at(0.5):.3f} ms, p95 {at(0.95):.3f} ms, p99 {at(0.99):.3f} ms, "
        f"max {samples[-1]:.3f} ms"
    )


def measure_latency(addresses: list[AddressInput]) -> None:
    reference = read_reference()
    clear_caches()
    single = [partial(normalize_address, a, reference) for a in addresses[:5000]]
    print("Single-address latency, cold caches (5000 distinct addresses):")
    print(f"  {_percentiles(_latencies(single))}")
    clear_caches()
    keystrokes: list[Callable[[], NormalizedAddress]] = []
    for address in addresses[:200]:
        typed = f"{address.line1}"
        for end in range(1, len(typed) + 1):
            typed_so_far = AddressInput(
                address.name, address.company, typed[:end], address.line2, address.line3,
                address.postcode, address.city, address.country,
            )  # fmt: skip
            keystrokes.append(partial(normalize_address, typed_so_far, reference))
    print(f"Live editor, one call per keystroke in line 1 ({len(keystrokes)} keystrokes):")
    print(f"  {_percentiles(_latencies(keystrokes))}")


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--load-runs", type=int, default=7)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    print(f"Python {sys.version.split()[0]}, seed {args.seed}")
    measure_load(args.load_runs)
    addresses = generate(args.count, args.seed, read_reference())
    measure_throughput(addresses)
    measure_latency(addresses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
