"""Long work off the GUI thread (docs/style.md §2: Picard's run_task, Anki's progress).

A domain function ``fn(progress, cancelled) -> result`` runs as a
``QRunnable`` on the global ``QThreadPool``; its progress, result and errors
come back as Qt signals delivered on the GUI thread.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

ProgressFn = Callable[[int, int, str], None]
TaskFn = Callable[[ProgressFn, Callable[[], bool]], Any]


class TaskSignals(QObject):
    """Signals of one task; emitted from the worker, received on the GUI thread."""

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()


class Task(QRunnable):
    """One background job with a cancel flag; progress throttled to ~10 per second."""

    def __init__(self, fn: TaskFn) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = TaskSignals()
        self._fn = fn
        self._cancel = threading.Event()
        self._last_progress = 0.0

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        """Whether cancel was asked."""
        return self._cancel.is_set()

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last_progress >= 0.1 or done >= total:
            self._last_progress = now
            self.signals.progressed.emit(done, total, message)

    def run(self) -> None:
        """Run the job (worker thread)."""
        try:
            result = self._fn(self._progress, self.is_cancelled)
        except Exception as exc:  # reported to the GUI, never swallowed
            self.signals.failed.emit(exc, traceback.format_exc())
            return
        if self._cancel.is_set():
            self.signals.cancelled.emit()
        else:
            self.signals.finished.emit(result)


_running: set[Task] = set()


def run_task(
    fn: TaskFn,
    *,
    on_progress: Callable[[int, int, str], object] | None = None,
    on_finished: Callable[[object], object] | None = None,
    on_failed: Callable[[object, str], object] | None = None,
    on_cancelled: Callable[[], object] | None = None,
) -> Task:
    """Start ``fn`` on the thread pool with its slots connected first.

    Slots are connected before the job starts: a job that ends at once must
    not end before anyone listens. The task is kept alive until it ends.
    """
    task = Task(fn)
    _running.add(task)
    for signal in (task.signals.finished, task.signals.failed, task.signals.cancelled):
        signal.connect(lambda *_: _running.discard(task))
    if on_progress is not None:
        task.signals.progressed.connect(on_progress)
    if on_finished is not None:
        task.signals.finished.connect(on_finished)
    if on_failed is not None:
        task.signals.failed.connect(on_failed)
    if on_cancelled is not None:
        task.signals.cancelled.connect(on_cancelled)
    QThreadPool.globalInstance().start(task)
    return task
