"""Full garbage collections postponed while an import job runs, thresholds restored after."""

from __future__ import annotations

import gc
import threading

from microcrm.ui.importing.gc_pause import POSTPONED, full_collections_paused, release_frozen


def test_full_collections_postponed_then_survivors_frozen_then_released() -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    try:
        with full_collections_paused():
            assert gc.get_threshold() == (before[0], before[1], POSTPONED)
            with full_collections_paused():  # a second job at the same time
                assert gc.get_threshold()[2] == POSTPONED
            assert gc.get_threshold()[2] == POSTPONED  # still one job running
            kept = [{"row": i} for i in range(1000)]
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() >= len(kept)
        release_frozen()
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_thresholds_restored_when_the_job_fails_in_a_thread() -> None:
    before = gc.get_threshold()
    seen: list[int] = []

    def job() -> None:
        try:
            with full_collections_paused():
                seen.append(gc.get_threshold()[2])
                raise RuntimeError("échec")
        except RuntimeError:
            pass

    worker = threading.Thread(target=job)
    worker.start()
    worker.join(5)
    gc.unfreeze()
    assert seen == [POSTPONED]
    assert gc.get_threshold() == before
