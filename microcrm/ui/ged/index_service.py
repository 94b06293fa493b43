"""The search engine of the window: opened in the background, kept current, rebuilt on demand.

The window never waits for the index (docs/architecture.md §6: opened in the
background at start). Every engine call runs on one dedicated worker thread, so searches,
catch-ups and the searcher refresh never overlap; a search that is already
stale when its turn comes is skipped, and one whose answer arrives stale is
dropped by :class:`LiveSearch`. A rebuild runs on the shared pool with a
progress dialog; searches keep answering from the engine meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from microcrm.app import AppContext
from microcrm.errors import MicroCRMError
from microcrm.ged.search import QuerySyntaxError, SearchEngine, SearchResults
from microcrm.ui.workers import Task, run_task

SEARCH_DELAY_MS = 150
"""Debounce of the search boxes: a search starts when typing pauses this long."""


@dataclass(frozen=True, slots=True)
class SearchReply:
    """One answer of the engine, as it reaches the GUI thread.

    Attributes:
        generation: which request of its :class:`LiveSearch` it answers.
        results: the engine's results.
        extra: what the requester's ``enrich`` function made of them (worker side).
        answered_at: ``time.perf_counter()`` when the engine returned (worker side).
    """

    generation: int
    results: SearchResults
    extra: Any
    answered_at: float


class IndexService(QObject):
    """Owns the :class:`SearchEngine` of one database on this workstation.

    Signals:
        opened(): the engine is ready (searches asked before now run).
        open_failed(str): the index could not be opened (French message).
        index_changed(int): documents were (re)indexed by a catch-up or a rebuild.
        rebuild_finished(bool): a rebuild ended (True) or was cancelled/failed (False).
    """

    opened = Signal()
    open_failed = Signal(str)
    index_changed = Signal(int)
    rebuild_finished = Signal(bool)

    _instances: ClassVar[dict[str, IndexService]] = {}

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.engine: SearchEngine | None = None
        self.error = ""
        self.open_ms: float | None = None
        self._opening = False
        self._rebuilding = False
        self._catch_up_queued = threading.Event()
        self._catch_up_again = False
        self._closed = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one engine call at a time, in order
        self._tasks: set[Task] = set()

    @classmethod
    def for_context(cls, ctx: AppContext) -> IndexService:
        """The service of ``ctx``'s index folder, created (not yet opened) on first use."""
        key = str(ctx.index_folder)
        service = cls._instances.get(key)
        if service is None or service._closed:
            service = cls(ctx)
            cls._instances[key] = service
        return service

    # -- state ---------------------------------------------------------------------------
    def is_ready(self) -> bool:
        """Whether the engine answers."""
        return self.engine is not None

    def is_rebuilding(self) -> bool:
        """Whether a rebuild is running."""
        return self._rebuilding

    # -- engine thread ---------------------------------------------------------------------
    def _submit(
        self,
        fn: Callable[[], Any],
        on_finished: Callable[[object], object] | None = None,
        on_failed: Callable[[object, str], object] | None = None,
    ) -> Task:
        """Run ``fn`` on the engine thread; slots connected before it starts."""

        def job(_progress: object, _cancelled: object) -> Any:
            return fn()

        task = Task(job)
        self._tasks.add(task)
        for signal in (task.signals.finished, task.signals.failed, task.signals.cancelled):
            signal.connect(lambda *_: self._tasks.discard(task))
        if on_finished is not None:
            task.signals.finished.connect(on_finished)
        if on_failed is not None:
            task.signals.failed.connect(on_failed)
        self._pool.start(task)
        return task

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Block until the engine thread is idle (tests, closing)."""
        return self._pool.waitForDone(timeout_ms)

    # -- opening ---------------------------------------------------------------------------
    def start(self) -> None:
        """Open the engine in the background (no-op when open or opening)."""
        if self.engine is not None or self._opening or self._closed:
            return
        self._opening = True
        ctx = self.ctx
        started = time.perf_counter()

        def open_engine() -> tuple[SearchEngine, float]:
            engine = ctx.open_search()
            return engine, (time.perf_counter() - started) * 1000

        self._submit(open_engine, self._engine_opened, self._engine_failed)

    def _engine_opened(self, result: object) -> None:
        self._opening = False
        assert isinstance(result, tuple)
        engine, elapsed = result
        assert isinstance(engine, SearchEngine)
        if self._closed:
            _close_engine(engine)
            return
        self.engine = engine
        self.open_ms = float(elapsed)
        self.error = ""
        self.opened.emit()
        self.catch_up()

    def _engine_failed(self, exc: object, _tb: str) -> None:
        self._opening = False
        self.error = f"L'index de recherche n'a pas pu être ouvert : {_message(exc)}"
        self.open_failed.emit(self.error)

    # -- searching -------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        organisation_id: int | None,
        limit: int,
        still_wanted: Callable[[], bool],
        enrich: Callable[[SearchResults], Any] | None,
        on_finished: Callable[[object], object],
        on_failed: Callable[[object, str], object],
        generation: int,
    ) -> None:
        """Search on the engine thread; skipped there when ``still_wanted()`` turned False."""
        engine = self.engine
        if engine is None:
            raise RuntimeError("index not open")

        def run() -> SearchReply | None:
            if not still_wanted():
                return None
            results = engine.search(query, organisation_id=organisation_id, limit=limit)
            answered = time.perf_counter()
            extra = enrich(results) if enrich is not None else None
            return SearchReply(generation, results, extra, answered)

        self._submit(run, on_finished, on_failed)

    # -- keeping current -------------------------------------------------------------------
    def catch_up(self) -> None:
        """Index what the change journal holds since the last time (coalesced, background).

        Called after a local filing and on the window's change poll; at most one
        catch-up waits in the queue, and one asked while one runs runs after it.
        """
        engine = self.engine
        if engine is None or self._closed:
            return
        if self._catch_up_queued.is_set():
            return
        self._catch_up_queued.set()

        def run() -> int:
            self._catch_up_queued.clear()
            return int(engine.catch_up())

        self._submit(run, self._caught_up, self._catch_up_failed)

    def _caught_up(self, result: object) -> None:
        count = int(result) if isinstance(result, int) else 0
        if count:
            self.index_changed.emit(count)

    def _catch_up_failed(self, exc: object, _tb: str) -> None:
        self.error = f"Mise à jour de l'index impossible : {_message(exc)}"

    # -- rebuilding ------------------------------------------------------------------------
    def rebuild(self, parent: QWidget | None = None) -> Task | None:
        """Rebuild the index with a progress dialog and a cancel button (resumable)."""
        engine = self.engine
        if self._rebuilding:
            return None
        if engine is None:
            QMessageBox.information(
                parent,
                "Index de recherche",
                self.error
                or "L'index de recherche est en cours d'ouverture ; réessayez dans un instant.",
            )
            return None
        self._rebuilding = True
        dialog = QProgressDialog("Reconstruction de l'index de recherche…", "Annuler", 0, 0, parent)
        dialog.setWindowTitle("Index de recherche")
        dialog.setObjectName("ged-rebuild-progress")
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)

        def job(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            return engine.rebuild(progress=progress, cancelled=cancelled)

        def progressed(done: int, total: int, message: str) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, max(total, 1)))
            dialog.setLabelText(message or f"{done} / {total} documents")

        def ended(ok: bool, message: str) -> None:
            self._rebuilding = False
            dialog.reset()
            dialog.deleteLater()
            if message:
                QMessageBox.warning(parent, "Index de recherche", message)
            self.rebuild_finished.emit(ok)
            if ok:
                self.index_changed.emit(0)
                self.catch_up()

        task = run_task(
            job,
            on_progress=progressed,
            on_finished=lambda _r: ended(True, ""),
            on_cancelled=lambda: ended(False, ""),
            on_failed=lambda exc, _tb: ended(
                False, f"La reconstruction de l'index a échoué : {_message(exc)}"
            ),
        )
        dialog.canceled.connect(task.cancel)
        return task

    # -- closing ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop using the engine (window closing, tests); queued work is dropped."""
        if self._closed:
            return
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone(10000)
        if self.engine is not None:
            _close_engine(self.engine)
            self.engine = None
        if IndexService._instances.get(str(self.ctx.index_folder)) is self:
            del IndexService._instances[str(self.ctx.index_folder)]


def _close_engine(engine: SearchEngine) -> None:
    close = getattr(engine, "close", None)
    if callable(close):
        close()


def _message(exc: object) -> str:
    """A French message for an engine error."""
    if isinstance(exc, MicroCRMError):
        return exc.message
    if isinstance(exc, QuerySyntaxError):
        return str(exc)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


class LiveSearch(QObject):
    """A search box's searches: debounced, one at a time, stale answers dropped.

    Each :meth:`request` bumps a generation; an answer is delivered only if
    it belongs to the newest generation. While the engine opens, the last
    request waits and runs as soon as it is ready.

    Signals:
        answered(object): a :class:`SearchReply` for the current text.
        failed(str): the query is invalid or the engine failed (French message).
        cleared(): the text is empty (nothing to show).
        waiting(str): the engine is not ready yet (French message).
    """

    answered = Signal(object)
    failed = Signal(str)
    cleared = Signal()
    waiting = Signal(str)

    def __init__(
        self,
        service: IndexService,
        *,
        limit: int = 50,
        enrich: Callable[[SearchResults], Any] | None = None,
        delay_ms: int = SEARCH_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.limit = limit
        self.organisation_id: int | None = None
        self._enrich = enrich
        self._text = ""
        self._generation = 0
        self.dropped = 0
        """Answers that arrived after a newer request (stale), never shown."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.run_now)
        service.opened.connect(self._engine_ready)
        service.open_failed.connect(self.failed)

    @property
    def text(self) -> str:
        """The query last asked for."""
        return self._text

    def request(self, text: str) -> None:
        """Search ``text`` once typing pauses (empty text clears at once)."""
        self._text = text
        self._generation += 1
        if not text.strip():
            self._timer.stop()
            self.cleared.emit()
            return
        self._timer.start()

    def run_now(self) -> None:
        """Search the current text now (Enter, engine ready, index changed)."""
        self._timer.stop()
        text = self._text
        if not text.strip():
            self.cleared.emit()
            return
        service = self.service
        if not service.is_ready():
            service.start()
            self.waiting.emit(service.error or "Ouverture de l'index de recherche…")
            return
        self._generation += 1
        generation = self._generation
        service.search(
            text,
            organisation_id=self.organisation_id,
            limit=self.limit,
            still_wanted=lambda: generation == self._generation,
            enrich=self._enrich,
            on_finished=self._finished,
            on_failed=lambda exc, _tb, g=generation: self._failed(g, exc),  # type: ignore[misc]
            generation=generation,
        )

    def refresh(self) -> None:
        """Run the current search again (the index changed), if there is one."""
        if self._text.strip() and self.service.is_ready():
            self.run_now()

    def _engine_ready(self) -> None:
        if self._text.strip():
            self.run_now()

    def _finished(self, reply: object) -> None:
        if not isinstance(reply, SearchReply):
            return  # skipped on the engine thread: a newer request was already queued
        if reply.generation != self._generation:
            self.dropped += 1
            return
        self.answered.emit(reply)

    def _failed(self, generation: int, exc: object) -> None:
        if generation != self._generation:
            self.dropped += 1
            return
        self.failed.emit(_message(exc))
