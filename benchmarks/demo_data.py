"""Benchmark databases made by the app's own demo generator, cached under benchmarks/out/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def demo_database(
    organisations: int = 100_000, persons: int = 150_000, documents: int = 0, seed: int = 1
) -> Path:
    """Path of a SQLite base filled by ``microcrm demo`` (built once, then reused)."""
    path = OUT / f"demo-{organisations}-{persons}-{documents}-s{seed}.sqlite"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".building.sqlite")
        tmp.unlink(missing_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "microcrm",
                "--db",
                str(tmp),
                "demo",
                "--organisations",
                str(organisations),
                "--persons",
                str(persons),
                "--documents",
                str(documents),
                "--seed",
                str(seed),
            ],
            check=True,
            env={**__import__("os").environ, "MICROCRM_HOME": str(OUT / "home")},
        )
        tmp.rename(path)
    return path
