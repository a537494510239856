"""What the SQL inbox backends share: one implementation of the statements that are the same on both.

:class:`SQLInbox` holds ack, fail, claim's wrapper, get, list, status, counts, row loading and close.
Each backend supplies the parts that really differ:

* the transaction (:meth:`SQLInbox._tx`: ``BEGIN IMMEDIATE`` behind a writer gate on SQLite, a psycopg
  transaction on PostgreSQL) and the driver's error class;
* the parameter marker: shared statements are written with ``?`` and :meth:`SQLInbox._q` turns them into
  the backend's paramstyle (``%s`` for psycopg), once per statement;
* the clock: SQLite stores the application's UTC time as text, PostgreSQL uses the database's ``now()``
  so that workers on hosts with skewed clocks agree (:meth:`SQLInbox._later`);
* how stored timestamps and headers are read back, how a list of values is matched
  (``IN (?, ?)`` or ``= ANY(%s)``), and the claim statement itself (a subquery under SQLite's single
  write lock; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, where claimers run concurrently).

Private: the public classes are :class:`~mm7.inbox.SQLiteInbox` and ``PostgresInbox``.
"""

from __future__ import annotations

import abc
import builtins
import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from datetime import datetime
from typing import Any, ClassVar

from mm7.errors import ConfigError
from mm7.inbox.base import (
    _COLUMNS,
    FINAL_MM_STATUSES,
    Attachment,
    DeliveryStatus,
    Inbox,
    InboxError,
    LeaseLostError,
    Notification,
    NotificationKind,
    NotificationState,
    PutResult,
    StorageError,
    StoredNotification,
    _check_claim_args,
    _kinds,
    _stored_from_row,
    _storing_failed,
)

__all__ = ["SELECT", "SQLInbox"]

#: The notification columns, in :data:`~mm7.inbox.base._COLUMNS` order, for SELECT and RETURNING.
SELECT = ", ".join(_COLUMNS)


class SQLInbox(Inbox):
    """Base of the SQL inbox backends; see the module docstring for what a backend provides.

    Subclasses set up ``_lock``, ``_connections`` and ``_closed`` (via :meth:`_init_connections`) and
    implement the abstract hooks.
    """

    #: Marker of a parameter in the backend's paramstyle; shared statements are written with ``?``.
    _PARAM: ClassVar[str] = "?"
    #: ORDER BY terms putting the latest report first: greatest Date, undated reports last.
    _LATEST_FIRST: ClassVar[str]
    #: The driver's base exception, ignored while closing connections.
    _DRIVER_ERROR: ClassVar[type[Exception]]

    _lock: threading.Lock
    _connections: builtins.list[Any]
    _closed: bool
    _group: _GroupCommit | None

    def _init_connections(self, *, group_commit: bool = False) -> None:
        self._lock = threading.Lock()
        self._connections = []
        self._closed = False
        self._group = _GroupCommit(self) if group_commit else None
        _INBOXES.add(self)

    def _forget_parent_connections(self) -> None:
        """In a forked child: leave the parent's connections alone; this process opens its own on use.

        They are neither used (the child would talk on the parent's socket or file locks) nor closed
        (closing a PostgreSQL connection ends the parent's session), only kept referenced so that they are
        not finalized either; the descriptors close when the child exits.
        """
        _INHERITED.extend(self._connections)
        self._connections = []
        self._lock = threading.Lock()
        self._new_thread_connections()

    @abc.abstractmethod
    def _new_thread_connections(self) -> None:
        """Forget every thread's connection (a fresh :class:`threading.local`); called after fork."""

    # ---------------------------------------------------------------- backend hooks

    @abc.abstractmethod
    def _tx(self, *, write: bool = True) -> AbstractContextManager[Any]:
        """One transaction on this thread's connection; driver errors become StorageError."""

    @abc.abstractmethod
    def _put_rows(self, conn: Any, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        """Insert (or count as a duplicate) one notification inside the open transaction ``conn``."""

    @abc.abstractmethod
    def _put_params(self, notification: Notification) -> tuple[Any, ...]:
        """The parameters of ``notification``'s insert, computed before any transaction.

        Raises:
            AttachmentTooLargeError: An attachment exceeds ``max_attachment_size``.
        """

    def put_many(self, notifications: Sequence[Notification]) -> builtins.list[PutResult | InboxError]:
        """Store several notifications in one transaction (one commit); see :meth:`Inbox.put_many`.

        A row that fails rolls the transaction back, and the notifications are then put one
        transaction each, so that only that row's notification fails.
        """
        outcomes: builtins.list[PutResult | InboxError | _PendingPut] = []
        batch: builtins.list[_PendingPut] = []
        for notification in notifications:
            try:
                pending = _PendingPut(notification, self._put_params(notification), waited_for=False)
            except InboxError as exc:
                outcomes.append(exc)
            else:
                outcomes.append(pending)
                batch.append(pending)
        for start in range(0, len(batch), GROUP_COMMIT_MAX_BATCH):
            chunk = batch[start : start + GROUP_COMMIT_MAX_BATCH]
            try:
                with self._write_turn():
                    _commit_batch(self, chunk)
            except InboxError as exc:  # no write turn within the timeout: nothing was stored
                for item in chunk:
                    item.error, item.done = _own_copy(exc), True
        return [_outcome(item) if isinstance(item, _PendingPut) else item for item in outcomes]

    def _put_single(self, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        """One notification in a transaction of its own."""
        with self._tx() as conn:
            return self._put_rows(conn, notification, params)

    def _put_batch(self, batch: Sequence[_PendingPut]) -> builtins.list[PutResult]:
        """Several notifications in one transaction (one commit, one fsync); all or none are stored.

        Raises:
            _RowError: A row failed (the transaction is rolled back); the puts are then retried one by one.
            StorageError: The transaction itself failed (no write access, commit failed): every put fails.
        """
        with self._tx() as conn:
            results = []
            for p in batch:
                try:
                    results.append(self._put_rows(conn, p.notification, p.params))
                except Exception as exc:
                    raise _RowError(str(exc)) from exc
            return results

    def _write_turn(self) -> AbstractContextManager[object]:
        """Hold this process's turn to write (re-entered by the transactions inside); none by default.

        The group commit takes its batch inside it, so that the puts arriving while it waits join.
        """
        return nullcontext()

    def _store(self, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        """Store durably: through the group committer when it is on, else in a transaction of its own."""
        group = self._group
        if group is None:
            return self._put_single(notification, params)
        return group.submit(_PendingPut(notification, params))

    @abc.abstractmethod
    def _ts_in(self, value: datetime | None) -> Any:
        """A timestamp (or None) as this backend stores it."""

    @abc.abstractmethod
    def _headers_in(self, value: dict[str, str]) -> Any:
        """Headers as this backend stores them."""

    @abc.abstractmethod
    def _ts_out(self, value: Any) -> datetime | None:
        """A stored timestamp (or None) as an aware UTC datetime (or None)."""

    @abc.abstractmethod
    def _headers_out(self, value: Any) -> dict[str, str]:
        """The stored headers as a dict."""

    @abc.abstractmethod
    def _later(self, seconds: float) -> tuple[str, Any]:
        """SQL (with one ``?``) and its parameter for "``seconds`` from now" on this backend's clock."""

    @abc.abstractmethod
    def _any(self, column: str, values: Sequence[Any]) -> tuple[str, builtins.list[Any]]:
        """SQL (with ``?`` markers) and parameters for "``column`` is one of ``values``"."""

    @abc.abstractmethod
    def _claim_rows(
        self, conn: Any, worker: str, limit: int, lease_seconds: float, kinds: builtins.list[str] | None
    ) -> builtins.list[tuple[Any, ...]]:
        """Lease up to ``limit`` claimable rows to ``worker`` inside the open transaction ``conn``.

        Returns:
            The leased rows in :data:`~mm7.inbox.base._COLUMNS` order.
        """

    # ---------------------------------------------------------------- shared helpers

    _QUERIES: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._QUERIES = {}  # each backend caches its own translations

    def _q(self, sql: str) -> str:
        """``sql`` with its ``?`` markers in this backend's paramstyle (cached per statement)."""
        cached = self._QUERIES.get(sql)
        if cached is None:
            cached = self._QUERIES[sql] = sql if self._PARAM == "?" else sql.replace("?", self._PARAM)
        return cached

    def _put_values(self, n: Notification) -> tuple[Any, ...]:
        """The values of a put's INSERT, in the column order both backends' statements list them."""
        received = self._ts_in(n.received_at)
        return (
            n.kind.value,
            n.dedupe_key,
            n.transaction_id,
            n.mm7_version,
            n.namespace,
            n.message_id,
            n.sender,
            n.recipient,
            n.mm_status,
            n.status_text,
            self._ts_in(n.event_date),
            n.envelope,
            self._headers_in(n.headers),
            received,  # received_at
            received,  # last_received_at
        )

    def _load(self, conn: Any, rows: builtins.list[tuple[Any, ...]]) -> builtins.list[StoredNotification]:
        if not rows:
            return []
        ids = [int(r[0]) for r in rows]
        by_id: dict[int, builtins.list[Attachment]] = {i: [] for i in ids}
        match, params = self._any("notification_id", ids)
        for nid, content_id, content_type, location, data in conn.execute(
            self._q(
                "SELECT notification_id, content_id, content_type, content_location, data "
                f"FROM inbox_attachments WHERE {match} ORDER BY notification_id, position"
            ),
            params,
        ).fetchall():
            by_id[int(nid)].append(Attachment(content_id, content_type, location, bytes(data)))
        return [
            _stored_from_row(r, by_id[int(r[0])], ts=self._ts_out, headers=self._headers_out) for r in rows
        ]

    def _lease_lost(self, conn: Any, notification_id: int, worker: str) -> LeaseLostError:
        row = conn.execute(
            self._q("SELECT state, lease_owner FROM inbox_notifications WHERE id = ?"), (notification_id,)
        ).fetchone()
        why = "does not exist" if row is None else f"is {row[0]} (lease owner {row[1]!r})"
        return LeaseLostError(
            f"worker {worker!r} does not hold the lease of notification {notification_id}: it {why}",
            notification_id=notification_id,
        )

    # ---------------------------------------------------------------- Inbox API

    def claim(
        self,
        worker: str,
        *,
        limit: int = 10,
        lease_seconds: float = 60,
        kinds: Iterable[NotificationKind | str] | None = None,
    ) -> builtins.list[StoredNotification]:
        """Lease claimable notifications to ``worker``; see :meth:`Inbox.claim`."""
        _check_claim_args(worker, limit, lease_seconds)
        wanted = _kinds(kinds)
        if wanted is not None and not wanted:
            return []
        with self._tx() as conn:
            items = self._load(conn, self._claim_rows(conn, worker, limit, lease_seconds, wanted))
        items.sort(key=lambda s: s.id)
        return items

    def ack(self, notification_id: int, worker: str) -> None:
        """Mark a leased notification done; see :meth:`Inbox.ack`."""
        with self._tx() as conn:
            # An expired lease nobody else took is still ours: the work is done, keep it.
            cur = conn.execute(
                self._q(
                    "UPDATE inbox_notifications SET state = 'done', lease_expires_at = NULL "
                    "WHERE id = ? AND state = 'leased' AND lease_owner = ?"
                ),
                (notification_id, worker),
            )
            if cur.rowcount != 1:
                raise self._lease_lost(conn, notification_id, worker)

    def fail(
        self,
        notification_id: int,
        worker: str,
        error: str,
        *,
        retry_in: float = 30,
        max_attempts: int = 10,
    ) -> NotificationState:
        """Return a leased notification for a retry, or fail it; see :meth:`Inbox.fail`."""
        if retry_in < 0:
            raise ConfigError(f"retry_in must not be negative, got {retry_in}")
        available_sql, available = self._later(retry_in)
        with self._tx() as conn:
            row = conn.execute(
                self._q(
                    f"""
                    UPDATE inbox_notifications
                    SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END,
                        available_at = {available_sql}, lease_expires_at = NULL, last_error = ?
                    WHERE id = ? AND state = 'leased' AND lease_owner = ?
                    RETURNING state
                    """
                ),
                (max_attempts, available, error, notification_id, worker),
            ).fetchone()
            if row is None:
                raise self._lease_lost(conn, notification_id, worker)
        return NotificationState(row[0])

    def get(self, notification_id: int) -> StoredNotification | None:
        """Return one notification or None; see :meth:`Inbox.get`."""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                self._q(f"SELECT {SELECT} FROM inbox_notifications WHERE id = ?"), (notification_id,)
            ).fetchall()
            items = self._load(conn, rows)
        return items[0] if items else None

    def list(
        self,
        state: NotificationState | str | None = None,
        kind: NotificationKind | str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[StoredNotification]:
        """Return notifications in id order; see :meth:`Inbox.list`."""
        where: builtins.list[str] = []
        params: builtins.list[Any] = []
        if state is not None:
            where.append("state = ?")
            params.append(NotificationState(state).value)
        if kind is not None:
            where.append("kind = ?")
            params.append(NotificationKind(kind).value)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._tx(write=False) as conn:
            rows = conn.execute(
                self._q(f"SELECT {SELECT} FROM inbox_notifications {clause} ORDER BY id LIMIT ? OFFSET ?"),
                [*params, limit, offset],
            ).fetchall()
            return self._load(conn, rows)

    def status(self, message_id: str, recipient: str | None = None) -> DeliveryStatus | None:
        """Return the latest delivery status of a message; see :meth:`Inbox.status`."""
        clause = "" if recipient is None else "AND recipient = ?"
        params: builtins.list[Any] = [message_id] if recipient is None else [message_id, recipient]
        base = (
            "FROM inbox_notifications WHERE kind = 'delivery_report' AND mm_status IS NOT NULL "
            f"AND message_id = ? {clause}"
        )
        with self._tx(write=False) as conn:
            # Latest by the report's Date (MMSC time), undated reports last, then arrival order:
            # a delayed "Forwarded" retry must not hide a newer "Retrieved".
            row = conn.execute(
                self._q(
                    f"SELECT id, recipient, mm_status, status_text, event_date {base} "
                    f"ORDER BY {self._LATEST_FIRST}, id DESC LIMIT 1"
                ),
                params,
            ).fetchone()
            if row is None:
                return None
            count = conn.execute(self._q(f"SELECT count(*) {base}"), params).fetchone()
        return DeliveryStatus(
            message_id=message_id,
            recipient=row[1],
            mm_status=row[2],
            status_text=row[3],
            event_date=self._ts_out(row[4]),
            final=row[2] in FINAL_MM_STATUSES,
            notification_id=int(row[0]),
            reports=int(count[0]) if count else 0,
        )

    def counts(self) -> dict[NotificationState, int]:
        """Return the number of notifications per state; see :meth:`Inbox.counts`."""
        result = dict.fromkeys(NotificationState, 0)
        with self._tx(write=False) as conn:
            for state, count in conn.execute(
                "SELECT state, count(*) FROM inbox_notifications GROUP BY state"
            ).fetchall():
                result[NotificationState(state)] = int(count)
        return result

    def close(self) -> None:
        """Close every connection this inbox opened (from any thread). Idempotent.

        With group commit, puts already waiting are committed (and answered) first; a put that arrives
        once closing began fails with InboxError.
        """
        if self._group is not None:
            self._group.drain()
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with suppress(self._DRIVER_ERROR):
                conn.close()
        self._after_close()

    def _after_close(self) -> None:
        """Release backend resources other than connections (nothing by default)."""


class _RowError(Exception):
    """One row of a group commit failed; the transaction was rolled back (raised by ``_put_batch``)."""


def _commit_batch(inbox: SQLInbox, batch: Sequence[_PendingPut]) -> None:
    """Commit ``batch`` in one transaction, each put getting its own outcome; nothing raised.

    A failing row rolls the transaction back and the puts are retried one transaction each, so that only
    that row's put fails. A failing transaction (no write access, the commit failed) fails them all.
    """
    try:
        if len(batch) == 1:
            _put_one(inbox, batch[0])
            return
        try:
            results = inbox._put_batch(batch)
        except _RowError:
            for item in batch:
                _put_one(inbox, item)
        except Exception as exc:
            # Retrying each put would only wait as long again, one after another: nothing is stored.
            for item in batch:
                item.error = _own_copy(exc)
                item.done = True
        else:
            for item, result in zip(batch, results, strict=True):
                item.result, item.done = result, True
    finally:
        for item in batch:
            if not item.done:  # interrupted (BaseException): nothing is known, so nothing is acknowledged
                item.error = StorageError("the group commit holding this notification was interrupted")
                item.done = True


def _put_one(inbox: SQLInbox, item: _PendingPut) -> None:
    try:
        item.result = inbox._put_single(item.notification, item.params)
    except Exception as exc:
        item.error = exc
    item.done = True


def _outcome(item: _PendingPut) -> PutResult | InboxError:
    """A committed put's outcome as :meth:`SQLInbox.put_many` returns it."""
    if item.result is not None:
        return item.result
    if isinstance(item.error, InboxError):
        return item.error
    assert item.error is not None
    return _storing_failed(item.error)


def _own_copy(exc: Exception) -> Exception:
    """An exception of its own for each waiting put (one raised in several threads shares a traceback)."""
    if isinstance(exc, StorageError):
        copy = StorageError(str(exc))
        copy.__cause__ = exc
        return copy
    return exc


#: Most notifications committed in one group-commit transaction.
GROUP_COMMIT_MAX_BATCH = 64


#: The ``wake`` of the puts nobody waits for (see :class:`_PendingPut`).
_NOBODY_WAITS = threading.Event()


class _PendingPut:
    """One put waiting for a group commit: its input, and its outcome once ``done``."""

    __slots__ = ("done", "error", "lead", "notification", "params", "result", "wake")

    def __init__(
        self, notification: Notification, params: tuple[Any, ...], *, waited_for: bool = True
    ) -> None:
        self.notification = notification
        self.params = params
        self.result: PutResult | None = None
        self.error: BaseException | None = None
        self.done = False
        #: Handed the lead: its thread is to commit the next batch.
        self.lead = False
        #: Set when the put is done, or when it is handed the lead (a put of put_many, committed by the
        #: calling thread itself, is never waited for: one shared event that nobody waits on).
        self.wake = threading.Event() if waited_for else _NOBODY_WAITS


_GROUPS: weakref.WeakSet[_GroupCommit] = weakref.WeakSet()
#: Every SQL inbox of this process, to be told about a fork.
_INBOXES: weakref.WeakSet[SQLInbox] = weakref.WeakSet()
#: Connections a forked child inherited: kept, never used nor closed (see _forget_parent_connections).
_INHERITED: builtins.list[Any] = []


def _reset_in_child() -> None:
    # A thread of the parent may have held a group's lock, or been its leader, when the process forked.
    for group in builtins.list(_GROUPS):
        group._reset()
    for inbox in builtins.list(_INBOXES):
        inbox._forget_parent_connections()


os.register_at_fork(after_in_child=_reset_in_child)


class _GroupCommit:
    """Group commit: the puts that queue while a commit is in flight are committed together in the next one.

    No committer thread and no timer (leader/followers): a put arriving when no commit runs *leads*: it
    commits itself at once, as without group commit. Puts arriving meanwhile queue, each waiting on its own
    event. When a commit ends, its leader wakes the puts it stored and hands the lead to the oldest queued
    put, whose thread then takes everything queued (up to :data:`GROUP_COMMIT_MAX_BATCH`) into one
    transaction: under load, one commit (one fsync) acknowledges many requests. A leader takes its batch
    only once it holds the backend's write turn (:meth:`SQLInbox._write_turn`: SQLite's writer gate), so the
    puts arriving while it waits for another process's commit join it.

    A failing batch is rolled back and its puts are retried one transaction each, so that every put gets
    its own outcome: one bad row fails only its own request. Nothing is answered before its commit.
    """

    def __init__(self, inbox: SQLInbox) -> None:
        self._inbox = weakref.ref(inbox)
        self._reset()
        _GROUPS.add(self)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._queue: builtins.list[_PendingPut] = []
        self._busy = False
        self._closing = False
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, item: _PendingPut) -> PutResult:
        """Queue ``item`` and wait until it is committed (leading the commit when none runs); its result."""
        with self._lock:
            if self._closing:
                raise InboxError(f"{self._inbox()!r} is closed")
            leading = not self._busy
            if leading:
                self._busy = True
                self._idle.clear()
            else:
                self._queue.append(item)
        if not leading:
            try:
                item.wake.wait()
            except BaseException:
                self._abandon(item)
                raise
        if not item.done:  # handed the lead: commit what is queued, this put first among it
            self._lead(item)
        if item.error is not None:
            raise item.error
        assert item.result is not None
        return item.result

    def _lead(self, item: _PendingPut) -> None:
        inbox = self._inbox()
        taken: builtins.list[_PendingPut] = []
        try:
            # The batch is taken once the write lock is ours: the puts that queued while this leader waited
            # for another process's commit go in this commit too.
            with inbox._write_turn() if inbox is not None else nullcontext():
                with self._lock:
                    taken = self._queue[: GROUP_COMMIT_MAX_BATCH - 1]
                    del self._queue[: GROUP_COMMIT_MAX_BATCH - 1]
                self._commit([item, *taken])
        except Exception as exc:  # no write turn within the timeout: nothing was stored
            item.error, item.done = _own_copy(exc), True
        finally:
            for other in taken:
                if not other.done:  # interrupted before its commit: nothing is known, nothing acknowledged
                    other.error = StorageError("the group commit holding this notification was interrupted")
                    other.done = True
                other.wake.set()
            self._hand_on()

    def _hand_on(self) -> None:
        """End a lead: the oldest queued put's thread leads next (still busy), or the group is idle."""
        with self._lock:
            if self._queue:
                following = self._queue.pop(0)
                following.lead = True
                following.wake.set()
            else:
                self._busy = False
                self._idle.set()

    def _abandon(self, item: _PendingPut) -> None:
        """A waiting put's thread was interrupted: it leaves the queue, or passes on a lead it was handed."""
        with self._lock:
            if item in self._queue:
                self._queue.remove(item)  # never stored, never acknowledged
                return
            handed = item.lead and not item.done
        if handed:
            self._hand_on()

    def _commit(self, batch: builtins.list[_PendingPut]) -> None:
        inbox = self._inbox()
        if inbox is None:
            for item in batch:
                item.error, item.done = InboxError("the inbox was garbage-collected"), True
            return
        _commit_batch(inbox, batch)

    def drain(self) -> None:
        """Refuse new puts, then wait until every queued put is committed and answered."""
        with self._lock:
            self._closing = True
        self._idle.wait()
