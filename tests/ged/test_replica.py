"""The local index replica: journal catch-up, rebuilds, corruption, resumed rebuilds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from microcrm.db import Database
from microcrm.ged import replica
from microcrm.ged.index import SCHEMA_VERSION
from microcrm.ged.search import SearchEngine
from microcrm.ged.store import ContentStore
from microcrm.models import AppMeta, Dossier, Organisation
from tests.ged.search_fixtures import Doc, file_doc, trash
from tests.helpers import add_organisation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    return ContentStore(tmp_path / "ged")


@pytest.fixture
def filled(sqlite_db: Database, store: ContentStore) -> dict[str, int]:
    org = add_organisation(sqlite_db, "Menuiserie Aubert")
    other = add_organisation(sqlite_db, "Plomberie Caron")
    ids = {"org": org, "other": other}
    for i in range(12):
        owner = org if i % 2 == 0 else other
        doc = Doc(f"Note {i}", f"Chantier numéro {i} : parquet chêne massif. Lot{i}.")
        ids[f"doc{i}"] = file_doc(sqlite_db, store, owner, doc)
    return ids


@pytest.fixture
def engine(
    tmp_path: Path, sqlite_db: Database, store: ContentStore, filled: dict[str, int]
) -> Iterator[SearchEngine]:
    eng = SearchEngine.open(tmp_path / "index", sqlite_db, store)
    yield eng
    eng.close()


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def test_open_builds_and_records_state(
    engine: SearchEngine, tmp_path: Path, sqlite_db: Database
) -> None:
    assert engine.document_count() == 12
    state = json.loads((tmp_path / "index" / replica.STATE_FILE).read_text())
    assert state["db_uuid"] == sqlite_db.meta("db_uuid")
    assert state["restore_epoch"] == sqlite_db.meta("restore_epoch")
    assert state["last_seq"] == replica.database_state(sqlite_db).last_seq
    assert state["schema_version"] == SCHEMA_VERSION
    assert engine.search("parquet").total == 12


def test_catch_up_after_another_process_files_a_document(
    engine: SearchEngine, sqlite_path: Path, store: ContentStore, filled: dict[str, int]
) -> None:
    done = _run(
        """
        import sys
        from pathlib import Path
        from microcrm.storage.opening import open_database
        from microcrm.ged.store import ContentStore
        from tests.ged.search_fixtures import Doc, file_doc
        db = open_database(Path(sys.argv[1]), workstation_id="ws-other", user_login="autre")
        doc = Doc("Facture escalier", "Escalier hélicoïdal en frêne.", dossier="Factures")
        print(file_doc(db, ContentStore(Path(sys.argv[2])), int(sys.argv[3]), doc))
        db.dispose()
        """,
        str(sqlite_path),
        str(store.root),
        str(filled["other"]),
    )
    assert done.returncode == 0, done.stderr
    new_id = int(done.stdout.strip())
    assert engine.search("helicoidal").total == 0
    assert engine.catch_up() == 1
    hits = engine.search("hélicoïdal frene").hits
    assert [h.document_id for h in hits] == [new_id]
    assert hits[0].client == "Plomberie Caron" and hits[0].dossier == "Factures"
    assert engine.catch_up() == 0  # the cursor moved


def test_trash_removes_and_restore_brings_back(
    engine: SearchEngine, sqlite_db: Database, filled: dict[str, int]
) -> None:
    doc = filled["doc3"]
    assert engine.search("lot3").total == 1
    trash(sqlite_db, doc)
    assert engine.catch_up() == 1
    assert engine.search("lot3").total == 0
    assert engine.document_count() == 11
    trash(sqlite_db, doc, restore=True)
    engine.catch_up()
    assert [h.document_id for h in engine.search("lot3").hits] == [doc]


def test_trashed_document_is_hidden_even_before_catch_up(
    engine: SearchEngine, sqlite_db: Database, filled: dict[str, int]
) -> None:
    trash(sqlite_db, filled["doc5"])
    engine._cache.clear()
    assert engine.search("lot5").hits == []


def test_renames_of_dossier_and_client_reach_the_hits(
    engine: SearchEngine, sqlite_db: Database, filled: dict[str, int]
) -> None:
    def rename(session: object) -> None:
        assert hasattr(session, "execute")
        org = session.get(Organisation, filled["org"])  # type: ignore[attr-defined]
        org.name = "Menuiserie Aubert et Fils"
        dossier = session.get(Dossier, 1)  # type: ignore[attr-defined]
        dossier.name = "Chantiers"

    sqlite_db.run_write(rename)
    engine.catch_up()
    hits = engine.search("client:fils lot0").hits
    assert [h.client for h in hits] == ["Menuiserie Aubert et Fils"]
    assert engine.search("dossier:chantiers").total >= 1
    assert engine.search("client:fils").total == 6


def test_missing_index_is_rebuilt(
    engine: SearchEngine, tmp_path: Path, sqlite_db: Database, store: ContentStore
) -> None:
    engine.close()
    shutil.rmtree(tmp_path / "index")
    again = SearchEngine.open(tmp_path / "index", sqlite_db, store)
    try:
        assert again.document_count() == 12
        assert again.search("chêne").total == 12
    finally:
        again.close()


def test_corrupt_index_is_rebuilt_without_user_action(
    engine: SearchEngine, tmp_path: Path, sqlite_db: Database, store: ContentStore
) -> None:
    engine.close()
    segments = list((tmp_path / "index" / replica.INDEX_DIR).glob("*.seg"))
    assert segments
    for seg in segments:
        data = seg.read_bytes()
        seg.write_bytes(data[: len(data) // 3])
    again = SearchEngine.open(tmp_path / "index", sqlite_db, store)
    try:
        assert again.search("parquet").total == 12
    finally:
        again.close()


def test_restore_epoch_change_means_rebuild(
    engine: SearchEngine, tmp_path: Path, sqlite_db: Database, store: ContentStore
) -> None:
    engine.close()
    sqlite_db.run_write(
        lambda s: s.execute(update(AppMeta).where(AppMeta.key == "restore_epoch").values(value="7"))
    )
    again = SearchEngine.open(tmp_path / "index", sqlite_db, store)
    try:
        state = json.loads((tmp_path / "index" / replica.STATE_FILE).read_text())
        assert state["restore_epoch"] == "7"
        assert again.document_count() == 12
    finally:
        again.close()


def test_rebuild_reports_progress_and_keeps_searching(engine: SearchEngine) -> None:
    seen: list[tuple[int, int, str]] = []
    assert engine.rebuild(progress=lambda d, t, m: seen.append((d, t, m))) == 12
    assert seen[0][:2] == (0, 12)
    assert any(d == 12 for d, _, _ in seen)
    assert engine.search("massif").total == 12


def test_cancelled_rebuild_keeps_the_old_index(engine: SearchEngine) -> None:
    assert engine.rebuild(cancelled=lambda: True) == 0
    assert engine.search("massif").total == 12


def test_rebuild_killed_midway_resumes_where_it_stopped(
    tmp_path: Path, sqlite_path: Path, store: ContentStore, filled: dict[str, int]
) -> None:
    folder = tmp_path / "killed"
    killed = _run(
        """
        import os, signal, sys
        from pathlib import Path
        from microcrm.storage.opening import open_database
        from microcrm.ged import replica
        from microcrm.ged.store import ContentStore
        db = open_database(Path(sys.argv[1]), workstation_id="ws", user_login="t")
        def progress(done, total, message):
            print(done, flush=True)
            if done >= 7:
                os.kill(os.getpid(), signal.SIGKILL)
        Path(sys.argv[3]).mkdir()
        replica.build_index(Path(sys.argv[3]), db, ContentStore(Path(sys.argv[2])),
                            progress=progress, chunk=3, procs=1)
        """,
        str(sqlite_path),
        str(store.root),
        str(folder),
    )
    assert killed.returncode == -9
    cursor = json.loads((folder / replica.BUILD_DIR / replica.CURSOR_FILE).read_text())
    assert cursor["done"] == 6  # two chunks of 3 committed, the third was killed mid-way
    assert not (folder / replica.INDEX_DIR).exists()
    from microcrm.storage.opening import open_database

    db = open_database(sqlite_path, workstation_id="ws", user_login="t")
    seen: list[int] = []
    try:
        done = replica.build_index(
            folder, db, store, chunk=3, procs=1, progress=lambda d, t, m: seen.append(d)
        )
        assert done == 12
        assert seen[0] == 6  # resumed, not restarted
        replica.install_build(folder)
        engine = SearchEngine.open(folder, db, store)
        try:
            assert engine.document_count() == 12
            assert engine.search("parquet").total == 12
            assert engine.search("lot7").total == 1
        finally:
            engine.close()
    finally:
        db.dispose()


def test_replica_state_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert replica.ReplicaState.load(path) is None
    replica.ReplicaState("u", "0", 42).save(path)
    loaded = replica.ReplicaState.load(path)
    assert loaded == replica.ReplicaState("u", "0", 42, SCHEMA_VERSION)
    path.write_text("{broken")
    assert replica.ReplicaState.load(path) is None


def test_documents_filed_through_the_ged_service_follow_every_change(
    engine: SearchEngine,
    sqlite_db: Database,
    store: ContentStore,
    filled: dict[str, int],
    tmp_path: Path,
) -> None:
    from microcrm.ged.service import Ged

    ged = Ged(sqlite_db, store)
    try:
        path = tmp_path / "proposition.txt"
        path.write_text("Proposition de véranda en aluminium.", encoding="utf-8")
        first = ged.add_files([path], organisation_id=filled["org"])[0]
        engine.catch_up()
        assert [h.document_id for h in engine.search("veranda").hits] == [first.document_id]
        path.write_text("Proposition révisée : pergola bioclimatique.", encoding="utf-8")
        second = ged.add_files([path], organisation_id=filled["org"])[0]
        assert second.document_id == first.document_id and second.version == 2
        engine.catch_up()
        assert engine.search("veranda").hits == []  # the index holds the current version
        assert [h.document_id for h in engine.search("pergola").hits] == [first.document_id]
        ged.trash([first.document_id])
        engine.catch_up()
        assert engine.search("pergola").total == 0
        ged.restore([first.document_id])
        engine.catch_up()
        assert engine.search("pergola").total == 1
    finally:
        ged.close()


def test_idle_merge_leaves_one_segment_and_the_same_answers(
    engine: SearchEngine, sqlite_db: Database, store: ContentStore, filled: dict[str, int]
) -> None:
    for i in range(3):
        file_doc(sqlite_db, store, filled["org"], Doc(f"Ajout {i}", f"Parquet flottant n{i}."))
        engine.catch_up()  # one small segment per commit
    assert len(engine._ix._segments()) > 1  # type: ignore[union-attr]
    before = [h.document_id for h in engine.search("parquet", limit=50).hits]
    engine.merge_segments()
    assert len(engine._ix._segments()) == 1  # type: ignore[union-attr]
    assert sorted(h.document_id for h in engine.search("parquet", limit=50).hits) == sorted(before)
    assert engine.document_count() == 15


def test_rebuild_never_forks_a_threaded_process() -> None:
    import threading

    from microcrm.ged.replica import _safe_procs

    assert _safe_procs(1) == 1
    started = threading.Event()
    stop = threading.Event()

    def idle() -> None:
        started.set()
        stop.wait(5)

    thread = threading.Thread(target=idle)
    thread.start()
    try:
        started.wait(5)
        assert _safe_procs(2) == 1  # e.g. inside the GUI: Qt and worker threads
    finally:
        stop.set()
        thread.join()
    assert _safe_procs(2) == (2 if threading.active_count() == 1 else 1)
