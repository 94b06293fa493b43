"""GED index replica on 100,000 documents: bulk rebuild, kill and resume, open, filing.

    python benchmarks/bench_ged_index.py [--documents 100000] [--procs 2] [--skip-build]

On the corpus of benchmarks/ged_corpus.py (the demo's document texts), measures
(budgets of docs/architecture.md §6):

* bulk rebuild from scratch: documents/s (≥ 150) and peak memory of the whole
  process tree, sampled from /proc (≤ 1 GB);
* a rebuild killed with SIGKILL midway, then resumed: documents indexed in
  the end (must equal the corpus) and time to finish;
* index open (``SearchEngine.open`` on a current replica, fresh process): ≤ 500 ms;
* one document filed (content store + rows + journal, as the GED does), then
  ``catch_up`` until a search finds it: ≤ 2 s.

Prints one JSON object and writes it to benchmarks/out/bench_ged_index.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ged_corpus import build as build_corpus

from microcrm.storage.opening import open_database
from microcrm.ged import replica
from microcrm.ged.search import SearchEngine
from microcrm.ged.store import ContentStore
from microcrm.models import Document, DocumentVersion, Dossier, utcnow

OUT = Path(__file__).resolve().parent / "out"


def index_folder(count: int) -> Path:
    """Where the benchmarks keep the replica of the ``count``-document corpus."""
    return OUT / f"ged-{count}-index"


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return total


class PeakSampler:
    """Samples the process tree's RSS every 100 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, _tree_rss(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


_BUILD = """
import sys
from pathlib import Path
from microcrm.storage.opening import open_database
from microcrm.ged import replica
from microcrm.ged.store import ContentStore
db = open_database(Path(sys.argv[1]), workstation_id="bench", user_login="bench", migrate=False)
chunk = int(sys.argv[5]) if len(sys.argv) > 5 else replica.REBUILD_CHUNK
count = replica.build_index(Path(sys.argv[3]), db, ContentStore(Path(sys.argv[2])),
                            procs=int(sys.argv[4]), chunk=chunk)
print(count)
"""


def bench_rebuild(db_path: Path, ged: Path, folder: Path, procs: int) -> dict[str, object]:
    """A full rebuild in a fresh single-threaded process, as ``microcrm ged reindex`` runs it.

    (The replica never forks its writer processes from a threaded process, so
    the build cannot run beside this script's memory-sampling thread.)
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    root = Path(__file__).resolve().parent.parent
    cpu_before = _cpu_seconds()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _BUILD, str(db_path), str(ged), str(folder), str(procs)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        text=True,
    )
    sampler = PeakSampler(proc.pid)
    out, _ = proc.communicate()
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    if proc.returncode:
        raise SystemExit(f"rebuild failed ({proc.returncode})")
    count = int(out.strip().splitlines()[-1])
    replica.install_build(folder)
    cpu = _cpu_seconds() - cpu_before
    size = sum(f.stat().st_size for f in (folder / replica.INDEX_DIR).iterdir())
    return {
        "documents": count,
        "seconds": round(seconds, 1),
        "docs_per_s": round(count / seconds, 1),
        "peak_rss_mb": round(peak / 2**20),
        "index_mb": round(size / 2**20),
        "procs": procs,
        "cpu_seconds": round(cpu, 1),
        "docs_per_cpu_second": round(count / cpu, 1),
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_kill_resume(
    db_path: Path, ged: Path, folder: Path, procs: int, *, kill_after: float, chunk: int
) -> dict[str, float]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _BUILD,  # killed before it finishes
            str(db_path),
            str(ged),
            str(folder),
            str(procs),
            str(chunk),
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        start_new_session=True,
    )
    time.sleep(kill_after)
    os.killpg(proc.pid, signal.SIGKILL)  # the builder and its writer processes
    proc.wait()
    cursor = json.loads((folder / replica.BUILD_DIR / replica.CURSOR_FILE).read_text())
    db = open_database(db_path, workstation_id="bench", user_login="bench", migrate=False)
    started = time.perf_counter()
    first: list[int] = []
    count = replica.build_index(
        folder,
        db,
        ContentStore(ged),
        procs=procs,
        chunk=chunk,
        progress=lambda d, t, m: first.append(d) if not first else None,
    )
    seconds = time.perf_counter() - started
    replica.install_build(folder)
    engine = SearchEngine.open(folder, db, ContentStore(ged))
    indexed = engine.document_count()
    engine.close()
    live = replica.count_live(db)
    db.dispose()
    return {
        "killed_after_s": kill_after,
        "committed_before_kill": int(cursor["done"]),
        "resumed_from": first[0] if first else -1,
        "resume_seconds": round(seconds, 1),
        "documents_indexed": int(count or 0),
        "documents_in_index": indexed,
        "documents_in_database": live,
    }


_OPEN = """
import sys, time
from pathlib import Path
from microcrm.storage.opening import open_database
from microcrm.ged.search import SearchEngine
from microcrm.ged.store import ContentStore
db = open_database(Path(sys.argv[1]), workstation_id="bench", user_login="bench", migrate=False)
started = time.perf_counter()
engine = SearchEngine.open(Path(sys.argv[3]), db, ContentStore(Path(sys.argv[2])))
print(round((time.perf_counter() - started) * 1000, 1))
"""


def bench_open(db_path: Path, ged: Path, folder: Path, runs: int = 5) -> dict[str, object]:
    root = Path(__file__).resolve().parent.parent
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _OPEN, str(db_path), str(ged), str(folder)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return {
        "open_ms_median": statistics.median(times),
        "open_ms_max": max(times),
        "open_ms_runs": times,
    }


def _file_one(db_path: Path, ged: Path, index: int) -> tuple[int, str]:
    """File one new document the way the GED does; returns (id, a word unique to it)."""
    db = open_database(db_path, workstation_id="bench-other", user_login="bench", migrate=False)
    store = ContentStore(ged)
    word = f"zorglub{index}x{int(time.time())}"
    text = f"Contrat de maintenance {word} signé par le client. Pièce unique."
    sha = store.put_bytes(text.encode())
    store.write_text(sha, text)

    def write(session: object) -> int:
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        dossier = session.scalars(select(Dossier).limit(1)).one()
        doc = Document(
            dossier_id=dossier.id,
            organisation_id=dossier.organisation_id,
            title=f"Contrat {index}",
            doc_type="contrat",
            filed_at=utcnow(),
        )
        session.add(doc)
        session.flush()
        session.add(
            DocumentVersion(
                document_id=doc.id,
                number=1,
                sha256=sha,
                size=len(text),
                filename="contrat.txt",
                created_at=utcnow(),
            )
        )
        return doc.id

    doc_id = db.run_write(write)
    db.dispose()
    return doc_id, word


def bench_filing(db_path: Path, ged: Path, folder: Path, runs: int = 10) -> dict[str, object]:
    db = open_database(db_path, workstation_id="bench", user_login="bench", migrate=False)
    engine = SearchEngine.open(folder, db, ContentStore(ged))
    delays, applies = [], []
    for i in range(runs):
        started = time.perf_counter()
        doc_id, word = _file_one(db_path, ged, i)
        filed = time.perf_counter()
        while True:
            engine.catch_up()
            hits = engine.search(word).hits
            if hits and hits[0].document_id == doc_id:
                break
        done = time.perf_counter()
        delays.append((done - filed) * 1000)
        applies.append((done - started) * 1000)
    engine.close()
    db.dispose()
    return {
        "filed_to_searchable_ms_median": round(statistics.median(delays), 1),
        "filed_to_searchable_ms_max": round(max(delays), 1),
        "with_filing_ms_max": round(max(applies), 1),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=replica.REBUILD_PROCS)
    parser.add_argument("--skip-build", action="store_true", help="reuse the existing index")
    parser.add_argument("--kill-after", type=float, default=120.0)
    parser.add_argument(
        "--base", type=Path, help="an existing base (e.g. made by `microcrm demo --documents N`)"
    )
    parser.add_argument("--ged", type=Path, help="its GED folder (default: <base dir>/ged)")
    parser.add_argument("--index", type=Path, help="replica folder (default: benchmarks/out)")
    args = parser.parse_args()
    if args.base:
        db_path, ged = args.base, args.ged or args.base.parent / "ged"
    else:
        db_path, ged = build_corpus(args.documents)
    folder = args.index or index_folder(args.documents)
    report: dict[str, object] = {
        "documents": args.documents,
        "text_chars_mean": _mean_text(db_path, ged),
    }
    if not args.skip_build or not (folder / replica.INDEX_DIR).exists():
        report["rebuild"] = bench_rebuild(db_path, ged, folder, args.procs)
        print(json.dumps(report["rebuild"]), file=sys.stderr, flush=True)
    report["open"] = bench_open(db_path, ged, folder)
    report["filing"] = bench_filing(db_path, ged, folder)
    resumed = folder.with_name(folder.name + "-resume")
    report["kill_resume"] = bench_kill_resume(
        db_path, ged, resumed, args.procs, kill_after=args.kill_after, chunk=replica.REBUILD_CHUNK
    )
    shutil.rmtree(resumed, ignore_errors=True)
    text = json.dumps(report, indent=2)
    (OUT / "bench_ged_index.json").write_text(text)
    print(text)


def _mean_text(db_path: Path, ged: Path, sample: int = 500) -> int:
    db = open_database(db_path, workstation_id="bench", user_login="bench", migrate=False)
    records = replica.load_records(db, ContentStore(ged), range(1, sample + 1))
    db.dispose()
    return round(statistics.mean(len(r.text) for r in records)) if records else 0


if __name__ == "__main__":
    main()
