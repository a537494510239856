"""The notifications of concurrent requests, stored together by one writer thread, for an event loop.

Both event-loop receivers (the ASGI app, and the gunicorn worker we ship, whose loop serves small MM7
requests itself) decode a small request on their loop, where it takes tens of microseconds and no I/O,
and hand its notification to a :class:`BatchedStore`. A notification arriving while no batch is being
stored starts one at once (a lone request waits for its own commit only); those arriving meanwhile queue,
and the next batch takes them all (up to :data:`MAX_BATCH`) in one :meth:`~mm7.inbox.Inbox.put_many`:
one transaction and one commit for many requests. Each request learns its own outcome (a
:class:`~mm7.inbox.PutResult`, or the :class:`~mm7.inbox.InboxError` :meth:`~mm7.inbox.Inbox.put` would
have raised) back on its loop, once the batch's transaction is over.

A loop that can set timers may also space the batches out (``commit_interval``, as PostgreSQL's
``commit_delay`` and MySQL's ``binlog_group_commit_sync_delay`` space their group commits): the puts queued
behind a batch start the next one once ``commit_interval`` has passed since that batch started (at once
when :data:`MAX_BATCH` are waiting), so that the puts arriving meanwhile join them. Every commit costs an
fsync whatever it holds, so fewer, larger commits leave more of the machine to the requests. A put arriving
while nothing is being stored and nothing waits still starts its batch at once.

The batches run in one thread, an :class:`InboxWriter`: one thread means one database connection, whose
page cache stays warm from one commit to the next, and one thread taking turns with the loop for the GIL.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from mm7.inbox import Inbox, InboxError, Notification, PutResult
from mm7.inbox.base import _storing_failed

__all__ = ["COMMIT_INTERVAL", "MAX_BATCH", "BatchedStore", "InboxWriter", "Outcome"]

logger = logging.getLogger("mm7.server")

#: Most notifications handed to the inbox in one :meth:`~mm7.inbox.Inbox.put_many`.
MAX_BATCH = 64

#: Least seconds from the start of one batch to the start of the next one queued behind it (the ASGI
#: receiver's default; see the module doc). Under ``benchmarks/`` section 10's load (50 posters, SQLite),
#: five rounds each: none, about 10 notifications a commit and 64 to 72% of the bare app's requests per
#: second; 5 ms, about 18 a commit and 68 to 85% (median 78%); 8 ms, 77% and more latency; at 12 ms the wait
#: itself slows the posters down (69%).
COMMIT_INTERVAL = 0.005

#: What one put came to: stored (or a duplicate), or the error :meth:`~mm7.inbox.Inbox.put` would raise.
Outcome = PutResult | InboxError


class InboxWriter:
    """One thread that runs an inbox's :meth:`~mm7.inbox.Inbox.put_many` calls, one after another.

    The thread starts on the first batch (in the process that stores: a writer made before a fork starts
    a thread of its own in the child). After :meth:`close`, :meth:`submit` raises RuntimeError.
    """

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid = -1
        self._closed = False

    def submit(self, notifications: Sequence[Notification]) -> Future[list[Outcome]]:
        """Store ``notifications`` in the writer thread; the future of their outcomes, in order.

        Raises:
            RuntimeError: The writer is closed.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the inbox writer is closed")
            if self._executor is None or self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="mm7-inbox-writer")
                self._pid = os.getpid()
            return self._executor.submit(self.inbox.put_many, notifications)

    def close(self, *, wait: bool = True) -> None:
        """Refuse new batches; with ``wait``, return once the batches already handed over are stored."""
        with self._lock:
            self._closed = True
            executor = self._executor if self._pid == os.getpid() else None
        if executor is not None:
            executor.shutdown(wait=wait)


class BatchedStore:
    """Group the puts of one event loop's requests into batches for an :class:`InboxWriter`.

    Used from the loop's thread only: :meth:`put` there, and the outcomes are delivered there, through
    ``call_soon_threadsafe`` (:meth:`asyncio.loop.call_soon_threadsafe`, or the gunicorn worker's way of
    waking its loop from another thread).

    Args:
        writer: The thread that stores the batches.
        call_soon_threadsafe: Schedules a callable (no arguments) on the loop, from any thread.
        max_batch: Most notifications in one batch.
        call_later: Schedules a callable (no arguments) on the loop after a delay in seconds, returning a
            handle with ``cancel()`` (:meth:`asyncio.loop.call_later`); without it, batches are not spaced.
        commit_interval: Least seconds from one batch's start to the next one's (with ``call_later``).
    """

    def __init__(
        self,
        writer: InboxWriter,
        call_soon_threadsafe: Callable[[Callable[[], None]], Any],
        max_batch: int = MAX_BATCH,
        *,
        call_later: Callable[[float, Callable[[], None]], Any] | None = None,
        commit_interval: float = 0.0,
    ) -> None:
        self.writer = writer
        self._call_soon_threadsafe = call_soon_threadsafe
        self._max_batch = max_batch
        self._call_later = call_later
        self._commit_interval = commit_interval if call_later is not None else 0.0
        self._queue: list[tuple[Notification, Callable[[Outcome], None]]] = []
        self._storing: list[tuple[Notification, Callable[[Outcome], None]]] | None = None
        self._last_start = -math.inf
        #: The timer of the next batch's start while the interval runs (a handle with ``cancel()``).
        self._timer: Any = None

    def put(self, notification: Notification, then: Callable[[Outcome], None]) -> None:
        """Queue ``notification``; ``then(outcome)`` runs on the loop once its batch is stored."""
        self._queue.append((notification, then))
        if self._storing is None and self._timer is None:
            self._store_next()  # nothing is being stored, nothing waits: its batch starts now
        elif self._timer is not None and len(self._queue) >= self._max_batch:
            self._timer.cancel()
            self._timer = None
            self._store_next()

    def _next_when_due(self) -> None:
        """A batch is over with puts queued behind it: the next starts once the interval allows, or full."""
        wait = self._last_start + self._commit_interval - time.monotonic()
        if wait > 0 and len(self._queue) < self._max_batch:
            assert self._call_later is not None  # a commit interval needs a timer
            self._timer = self._call_later(wait, self._interval_over)
        else:
            self._store_next()

    def _interval_over(self) -> None:
        self._timer = None
        if self._storing is None and self._queue:
            self._store_next()

    def _store_next(self) -> None:
        self._last_start = time.monotonic()
        batch = self._storing = self._queue[: self._max_batch]
        del self._queue[: self._max_batch]
        try:
            storing = self.writer.submit([notification for notification, _ in batch])
        except RuntimeError as exc:  # the writer is closed: the server is stopping
            self._stored(exc)
            return
        storing.add_done_callback(self._on_writer_thread)

    def _on_writer_thread(self, storing: Future[list[Outcome]]) -> None:
        failure = storing.exception()
        outcome: list[Outcome] | BaseException = storing.result() if failure is None else failure
        # A closed loop raises RuntimeError: its requests are gone, nobody is left to answer.
        with contextlib.suppress(RuntimeError):
            self._call_soon_threadsafe(lambda: self._stored(outcome))

    def _stored(self, outcome: list[Outcome] | BaseException) -> None:
        """On the loop: the batch being stored is over; start the next one, then settle this one's puts."""
        batch, self._storing = self._storing or [], None
        if isinstance(outcome, BaseException):
            outcomes: Sequence[Outcome] = [_storing_failed(outcome) for _ in batch]
        else:
            outcomes = outcome
        if self._queue:
            self._next_when_due()
        for (_, then), result in zip(batch, outcomes, strict=True):
            try:
                then(result)
            except Exception:  # one request's answer failing must not leave the others unanswered
                logger.exception("answering a stored request failed")
