"""Benchmark of the directory import: a SIRENE extract into a 100,000-organisation base.

Run from the repository root:

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--organisations 100000]

Budget (docs/architecture.md §6): a 100,000-row SIRENE extract (+ its legal units) imported end
to end — reading, validation, normalisation, dedupe against a database already
holding 100,000 organisations — in ≤ 40 s and ≤ 600 MB RSS; dry run ≤ 25 s.

The base is made by the app's demo generator (``benchmarks/demo_data.py``,
cached); the extract is seeded (``tests/directory/sirene_fixtures.py``): 15 %
closed and 2 % non-diffusible establishments (rejected), 5 % repeating the
SIRET of a demo organisation and 1 % a spelling variant of the name of a demo
organisation without SIRET, in its postcode (merged). Each phase runs in a
fresh process on a fresh copy of the base, so that its peak RSS (``VmHWM``) is
its own: the dry run, the full import, then the undo of that import. The
figures are printed as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.directory.sirene_fixtures: the seeded SIRENE generator

from demo_data import OUT, demo_database


def peak_rss_mb() -> float:
    """Peak resident memory of this process (``VmHWM``; ``ru_maxrss`` elsewhere), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sirene_files(base: Path, rows: int, seed: int) -> tuple[Path, Path, int]:
    """The seeded extract for ``base`` (written once, then reused)."""
    from tests.directory.sirene_fixtures import KnownOrganisation, write_sirene_pair

    folder = OUT / f"sirene-{rows}-s{seed}-{base.stem}"
    et, ul, meta = (
        folder / "StockEtablissement_utf8.csv",
        folder / "StockUniteLegale_utf8.csv",
        folder / "meta.json",
    )
    if not meta.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(base) as conn:
            known = [
                KnownOrganisation(siret, name, postcode or "", city or "")
                for siret, name, postcode, city in conn.execute(
                    "SELECT o.siret, o.name, a.postcode, a.city FROM organisation o "
                    "JOIN address a ON a.organisation_id = o.id AND a.is_primary "
                    "WHERE o.deleted_at IS NULL AND a.postcode != '' ORDER BY o.id"
                )
            ]
        duplicates = write_sirene_pair(
            et, ul, rows, seed=seed, known=known, same_siret=0.05, same_name=0.01
        )
        meta.write_text(json.dumps({"duplicates": duplicates}), encoding="utf-8")
    return et, ul, int(json.loads(meta.read_text(encoding="utf-8"))["duplicates"])


def run_phase(phase: str, db_path: Path, et: Path, ul: Path, batch: int | None) -> dict[str, Any]:
    """One phase in this process: ``dry``, ``full`` or ``undo``."""
    from microcrm.storage.opening import open_database
    from microcrm.directory.importer import import_files, undo_import

    db = open_database(db_path, workstation_id="bench", user_login="bench")
    try:
        start, cpu = time.perf_counter(), time.process_time()
        out: dict[str, Any] = {}
        if phase == "undo":
            assert batch is not None
            result = undo_import(db, batch)
            out["undone"] = result.undone
        else:
            report = import_files(db, [et, ul], preset="sirene", dry_run=phase == "dry")
            (entry,) = report.files
            out.update(
                batch_id=report.batch_id,
                records=entry.records,
                created=entry.organisations_created,
                merged=entry.organisation_rows_matched_previous_files,
                matched_within_file=entry.organisation_rows_matched_within_file,
                rejected=len(entry.rejected.rows),
                warnings=len(entry.warnings.rows),
            )
        out["seconds"] = round(time.perf_counter() - start, 2)
        out["cpu_seconds"] = round(time.process_time() - cpu, 2)  # the box may be shared
        out["peak_rss_mb"] = round(peak_rss_mb(), 1)
        return out
    finally:
        db.dispose()


def _child(phase: str, db_path: Path, et: Path, ul: Path, batch: int | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--db", str(db_path)]
    cmd += ["--et", str(et), "--ul", str(ul)]
    if batch is not None:
        cmd += ["--batch", str(batch)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Prepare the base and the extract, then time each phase in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phase", choices=("dry", "full", "undo"))
    parser.add_argument("--db", type=Path)
    parser.add_argument("--et", type=Path)
    parser.add_argument("--ul", type=Path)
    parser.add_argument("--batch", type=int)
    args = parser.parse_args()
    os.environ.setdefault("MICROCRM_HOME", str(OUT / "home"))
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.db, args.et, args.ul, args.batch)))
        return
    base = demo_database(organisations=args.organisations, persons=int(args.organisations * 1.5))
    et, ul, duplicates = sirene_files(base, args.rows, args.seed)
    figures: dict[str, Any] = {
        "rows": args.rows,
        "base_organisations": args.organisations,
        "rows_duplicating_the_base": duplicates,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        for phase in ("dry", "full"):
            copy = Path(tmp) / f"{phase}.sqlite"
            shutil.copyfile(base, copy)
            figures[phase] = _child(phase, copy, et, ul, None)
        figures["undo"] = _child(
            "undo", Path(tmp) / "full.sqlite", et, ul, figures["full"]["batch_id"]
        )
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
