"""Filing off the GUI thread with warm extraction workers: one queue per database.

Text extraction runs in worker processes (``Ged.extractor``); starting them
costs about half a second each, several seconds on a loaded PC. A GED
service created per drop would pay that on every drop, so the window keeps
one :class:`Ged` and one filing thread per database: drops, « Ajouter des
fichiers… » and the inbox's scans and one-click filings queue there, one at
a time (one writer, in order), and the workers stay warm between them
(budget: a dropped document searchable ≤ 2 s after the drop, docs/architecture.md §6).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QThreadPool

from microcrm.app import AppContext
from microcrm.ged.records import AddResult
from microcrm.ged.service import Ged
from microcrm.text import counted
from microcrm.ui.workers import ProgressFn, Task

GedJob = Callable[[Ged, ProgressFn, Callable[[], bool]], Any]
"""A job of the queue: ``job(ged, progress, cancelled) -> result``."""


class FilingQueue(QObject):
    """The filing thread of one database, with its long-lived :class:`Ged`."""

    _instances: ClassVar[dict[str, FilingQueue]] = {}

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._ged: Ged | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._tasks: set[Task] = set()
        self._warm = False
        self._closed = False

    @classmethod
    def for_context(cls, ctx: AppContext) -> FilingQueue:
        """The queue of ``ctx``'s database (created on first use)."""
        key = str(ctx.db.display_location())
        queue = cls._instances.get(key)
        if queue is None or queue._closed:
            queue = cls._instances[key] = cls(ctx)
        return queue

    def _service(self) -> Ged:
        """The queue's service (filing thread only)."""
        if self._ged is None:
            self._ged = self.ctx.open_ged()
        return self._ged

    def submit(
        self,
        job: GedJob,
        *,
        on_progress: Callable[[int, int, str], object] | None = None,
        on_finished: Callable[[object], object] | None = None,
        on_failed: Callable[[object, str], object] | None = None,
        on_cancelled: Callable[[], object] | None = None,
    ) -> Task:
        """Queue ``job``; its slots are connected before it can start (GUI thread)."""
        task = Task(lambda progress, cancelled: job(self._service(), progress, cancelled))
        self._tasks.add(task)
        for signal in (task.signals.finished, task.signals.failed, task.signals.cancelled):
            signal.connect(lambda *_: self._tasks.discard(task))
        for signal, slot in (
            (task.signals.progressed, on_progress),
            (task.signals.finished, on_finished),
            (task.signals.failed, on_failed),
            (task.signals.cancelled, on_cancelled),
        ):
            if slot is not None:
                signal.connect(slot)
        self._pool.start(task)
        return task

    def warm_up(self) -> None:
        """Start the extraction workers now, in the background, once (before a first drop)."""
        if self._warm or self._closed:
            return
        self._warm = True

        def start_workers(ged: Ged, _progress: ProgressFn, _cancelled: Callable[[], bool]) -> None:
            # Returns at once: the workers start in the background, and a file dropped
            # meanwhile is read in the filing thread (ExtractorPool.map).
            ged.extractor.start()

        self.submit(start_workers)

    def wait_idle(self, timeout_ms: int = 60000) -> bool:
        """Block until no job runs (tests, closing)."""
        return self._pool.waitForDone(timeout_ms)

    def close(self) -> None:
        """Finish the running job, drop the queued ones, stop the extraction workers."""
        if self._closed:
            return
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone(60000)
        if self._ged is not None:
            self._ged.close()
            self._ged = None
        key = str(self.ctx.db.display_location())
        if FilingQueue._instances.get(key) is self:
            del FilingQueue._instances[key]


def filing_summary(results: list[AddResult]) -> tuple[str, bool]:
    """What a filing did, for the status line, and whether it deserves a warning.

    « 2 documents classés, 1 nouvelle version — texte illisible pour 1
    (retrouvable par son nom). »
    """
    new = sum(1 for r in results if r.new_document)
    versions = sum(1 for r in results if not r.new_document and not r.unchanged)
    same = sum(1 for r in results if r.unchanged)
    unread = sum(1 for r in results if r.extraction_note)
    parts = []
    if new:
        parts.append(counted(new, "document classé", "documents classés"))
    if versions:
        parts.append(counted(versions, "nouvelle version", "nouvelles versions"))
    if same:
        parts.append(
            counted(
                same, "fichier déjà classé à l'identique", "fichiers déjà classés à l'identique"
            )
        )
    text = ", ".join(parts) or "Aucun fichier classé"
    if unread:
        text += f" — texte illisible pour {unread} (retrouvable par son nom)"
    return text + ".", bool(unread)
