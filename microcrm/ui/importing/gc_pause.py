"""Keep CPython's full garbage collections from freezing the window during a big import.

Measured on a 100,000-row SIRENE pair against a 100,000-organisation base
(``benchmarks/bench_import_wizard.py``): the dry run builds indexes and row
objects worth several hundred MB, and each time that heap grows by a quarter
CPython runs a full (generation 2) collection: 1.3 to 2.3 s holding the GIL,
four times, so the GUI thread — which needs the GIL for every Python slot —
froze for up to 3.9 s although the work ran in a worker.

While an import job runs, :func:`full_collections_paused` postpones full
collections (young generations are still collected: they are cheap). When
the job ends, the objects alive at that moment (the plan the wizard keeps
for the import) are frozen with :func:`gc.freeze` rather than scanned, so no
long collection follows; :func:`release_frozen` gives them back to the
collector once the wizard is closed and the plan freed.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

POSTPONED: Final = 1_000_000
"""Generation-2 threshold while a job runs: full collections effectively never start."""


class _Pause:
    """The jobs running and the thresholds to restore (one per process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved: tuple[int, int, int] | None = None

    def enter(self) -> None:
        with self.lock:
            if self.running == 0:
                self.saved = gc.get_threshold()
                gc.set_threshold(self.saved[0], self.saved[1], POSTPONED)
            self.running += 1

    def leave(self) -> None:
        with self.lock:
            self.running -= 1
            if self.running == 0 and self.saved is not None:
                gc.freeze()
                gc.set_threshold(*self.saved)
                self.saved = None

    def release(self) -> None:
        with self.lock:
            if self.running == 0:
                gc.unfreeze()


_PAUSE = _Pause()


@contextmanager
def full_collections_paused() -> Iterator[None]:
    """Postpone full collections for the duration of a job (nested jobs allowed).

    When the last job ends, the surviving objects are frozen and the
    thresholds restored.
    """
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.leave()


def release_frozen(*_args: object) -> None:
    """Give frozen objects back to the collector (call once the import's plan is freed)."""
    _PAUSE.release()
