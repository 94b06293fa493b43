"""Demo data generator: parties at scale and documents per second.

    python benchmarks/bench_demo.py [--organisations 100000] [--persons 150000]
                                    [--documents 2000]

Each measurement runs in a fresh child process on a fresh temporary SQLite
file (and GED folder), so imports, caches and page cache start cold enough
and the child's peak RSS (``ru_maxrss``) is its own.

1. Parties: ``generate(organisations=N, persons=M)``. Budget
   (docs/architecture.md §6): ≤ 60 s and ≤ 500 MB RSS for 100,000 + 150,000 on SQLite.
2. Documents: a small base (1,000 organisations) is generated first, then
   ``generate(organisations=0, persons=0, documents=K)`` is timed alone;
   documents/s = K / that time (render, store with fsync, rows).
   Target: > 300 documents/s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import datetime as dt, json, resource, sys, time
from pathlib import Path
from microcrm.storage.opening import open_database
from microcrm.demo import generate

def main():
    folder, organisations, persons, documents = sys.argv[1:5]
    started = time.perf_counter()
    db = open_database(Path(folder) / "crm.sqlite", workstation_id="bench", user_login="bench")
    opened = time.perf_counter()
    report = generate(db, organisations=int(organisations), persons=int(persons), seed=1)
    parties = time.perf_counter()
    docs = None
    if int(documents):
        docs = generate(db, organisations=0, persons=0, documents=int(documents), seed=2)
    done = time.perf_counter()
    size = (Path(folder) / "crm.sqlite").stat().st_size
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    print(json.dumps({
        "open_s": opened - started, "parties_s": parties - opened, "documents_s": done - parties,
        "total_s": done - started, "report": report.__dict__,
        "documents": docs.documents if docs else 0,
        "maxrss_mb": own.ru_maxrss / 1024,
        "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
        "db_mb": size / 2**20,
    }))

if __name__ == "__main__":
    main()
"""


def run_child(organisations: int, persons: int, documents: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        script = Path(folder) / "child.py"
        script.write_text(CHILD, encoding="utf-8")
        out = subprocess.run(
            [sys.executable, str(script), folder, str(organisations), str(persons), str(documents)],
            check=False,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        if out.returncode:
            sys.exit(f"child failed ({out.returncode}):\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--persons", type=int, default=150_000)
    parser.add_argument("--documents", type=int, default=2_000)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
        "(other processes slow every figure down: compare CPU and wall time)"
    )

    r = run_child(args.organisations, args.persons, 0)
    rep = r["report"]
    print(
        f"parties: {args.organisations} organisations + {args.persons} persons "
        f"({rep['addresses']} addresses, {rep['actions']} actions) "
        f"in {r['parties_s']:.1f} s (process {r['total_s']:.1f} s, CPU {r['cpu_s']:.1f} s), "
        f"peak RSS {r['maxrss_mb']:.0f} MB, database {r['db_mb']:.0f} MB "
        f"[target ≤ 60 s, ≤ 500 MB: "
        f"{'OK' if r['parties_s'] <= 60 and r['maxrss_mb'] <= 500 else 'MISSED'}]"
    )

    r = run_child(1_000, 1_500, args.documents)
    rate = r["documents"] / r["documents_s"]
    print(
        f"documents: {r['documents']} in {r['documents_s']:.1f} s = {rate:.0f} documents/s "
        f"(process CPU {r['cpu_s']:.1f} s, including the 1,000-organisation base), "
        f"peak RSS {r['maxrss_mb']:.0f} MB [target > 300/s: {'OK' if rate > 300 else 'MISSED'}]"
    )


if __name__ == "__main__":
    main()
