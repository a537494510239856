"""SQLite inbox backend (stdlib :mod:`sqlite3`).

Durability and concurrency choices:

* WAL journal with ``synchronous=FULL``: every COMMIT fsyncs the WAL, so a notification is on
  disk when :meth:`SQLiteInbox.put` returns and the receiver may answer HTTP 200.
* Every write is one ``BEGIN IMMEDIATE`` transaction: it takes SQLite's single write lock up
  front, so two processes (gunicorn workers) or threads never both decide "not stored yet" or
  both lease the same item. ``busy_timeout`` makes waiting writers queue instead of failing.
* One connection per thread (a :class:`threading.local`), re-opened after ``fork``: sqlite3
  connections must not be shared across threads mid-transaction nor inherited across fork.
* Writers queue on a *writer gate* (``<file>-mm7lock``, an ``flock`` lock file) before ``BEGIN
  IMMEDIATE``. SQLite's own busy handler sleeps at least 1 ms before it retries a locked database,
  while a durable insert holds the write lock for about 0.2 ms: with two gunicorn workers, a
  collision cost five times the transaction itself. The gate only orders mm7's writers; SQLite's
  lock still guarantees correctness (other programs writing the file are not gated).
* Group commit (on by default): puts of several threads that queue while a commit runs are
  committed together, one fsync for all; each returns once its own row is durable. The batch is taken
  once the writer gate is held, so the puts arriving while another process commits join it.
* Timestamps are stored as fixed-width ISO-8601 UTC text (``2024-01-31T12:00:00.000000Z``), which
  sorts and compares correctly as text and stays readable in the ``sqlite3`` shell.
"""

from __future__ import annotations

import builtins
import fcntl
import functools
import json
import os
import sqlite3
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mm7.errors import ConfigError
from mm7.inbox._sql import SELECT, SQLInbox, _PendingPut, _RowError
from mm7.inbox.base import (
    DEFAULT_MAX_ATTACHMENT_SIZE,
    Attachment,
    InboxError,
    Notification,
    PutResult,
    StorageError,
    StreamedData,
    _check_attachments,
    _now,
)

__all__ = ["SQLiteInbox"]

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

#: Ordered schema migrations; ``PRAGMA user_version`` holds how many were applied. Append only:
#: a released migration is never edited, a change is a new entry.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE inbox_notifications (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            kind             TEXT NOT NULL CHECK (kind IN ('deliver', 'delivery_report', 'read_reply')),
            dedupe_key       TEXT NOT NULL UNIQUE,
            transaction_id   TEXT NOT NULL,
            mm7_version      TEXT NOT NULL,
            namespace        TEXT NOT NULL,
            message_id       TEXT,
            sender           TEXT,
            recipient        TEXT,
            mm_status        TEXT,
            status_text      TEXT,
            event_date       TEXT,
            envelope         BLOB NOT NULL,
            headers          TEXT NOT NULL DEFAULT '{}',
            received_at      TEXT NOT NULL,
            last_received_at TEXT NOT NULL,
            times_received   INTEGER NOT NULL DEFAULT 1,
            state            TEXT NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'leased', 'done', 'failed')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            available_at     TEXT NOT NULL,
            lease_owner      TEXT,
            lease_expires_at TEXT,
            last_error       TEXT
        )
        """,
        """
        CREATE TABLE inbox_attachments (
            notification_id  INTEGER NOT NULL REFERENCES inbox_notifications (id) ON DELETE CASCADE,
            position         INTEGER NOT NULL,
            content_id       TEXT,
            content_type     TEXT NOT NULL,
            content_location TEXT,
            data             BLOB NOT NULL,
            PRIMARY KEY (notification_id, position)
        )
        """,
        "CREATE INDEX inbox_notifications_pending ON inbox_notifications (state, available_at, id)",
        "CREATE INDEX inbox_notifications_leased ON inbox_notifications (state, lease_expires_at)",
        """
        CREATE INDEX inbox_notifications_status ON inbox_notifications (message_id, recipient)
            WHERE kind = 'delivery_report'
        """,
    ),
)

_PUT_SQL = """
    INSERT INTO inbox_notifications (
        kind, dedupe_key, transaction_id, mm7_version, namespace, message_id, sender,
        recipient, mm_status, status_text, event_date, envelope, headers, received_at,
        last_received_at, available_at
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (dedupe_key) DO UPDATE SET
        times_received = times_received + 1,
        last_received_at = max(last_received_at, excluded.last_received_at)
    RETURNING id, times_received
"""


#: The column list and conflict rule of :data:`_PUT_SQL`, for the several-row statement of a batch.
_PUT_COLUMNS = _PUT_SQL[_PUT_SQL.index("INSERT") : _PUT_SQL.index("VALUES")]
_PUT_CONFLICT = _PUT_SQL[_PUT_SQL.index("ON CONFLICT") : _PUT_SQL.index("RETURNING")]
_ROW_MARKERS = "(" + ", ".join("?" * _PUT_SQL.count("?")) + ")"


@functools.cache
def _put_rows_sql(rows: int) -> str:
    """One INSERT of ``rows`` notifications, each inserted or counted as a duplicate as :data:`_PUT_SQL` does.

    SQLite applies the rows in order, so a second copy of a notification in the same statement meets the
    first one's row and counts as its duplicate.
    """
    return f"{_PUT_COLUMNS}VALUES {', '.join([_ROW_MARKERS] * rows)} {_PUT_CONFLICT}"


@functools.cache
def _new_rows_sql(rows: int) -> str:
    """One INSERT of ``rows`` new notifications: it fails whole on a dedupe_key stored before (or twice)."""
    return f"{_PUT_COLUMNS}VALUES {', '.join([_ROW_MARKERS] * rows)}"


@functools.cache
def _stored_counts_sql(keys: int) -> str:
    """The id and times_received of up to ``keys`` dedupe keys, as one JSON text in one row."""
    return (
        "SELECT json_group_array(json_array(dedupe_key, id, times_received)) FROM inbox_notifications "
        f"WHERE dedupe_key IN ({', '.join('?' * keys)})"
    )


@functools.cache
def _has_json_functions() -> bool:
    """Whether the SQLite library under :mod:`sqlite3` has its JSON functions (built in since 3.38)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELECT json_group_array(json_array(1))").close()
    except sqlite3.Error:
        return False
    finally:
        probe.close()
    return True


def _ts(value: datetime) -> str:
    # _TS_FORMAT's text (zero-padded year): isoformat writes it in a third of strftime's time.
    return value.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def _ts_or_none(value: datetime | None) -> str | None:
    return None if value is None else _ts(value)


def _parse_ts(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(str(value), _TS_FORMAT).replace(tzinfo=UTC)


#: The stored text of a notification's headers (json.dumps with arguments makes a new encoder each call).
_HEADERS_TEXT = json.JSONEncoder(sort_keys=True).encode


def _parse_headers(value: Any) -> dict[str, str]:
    loaded = json.loads(value) if value else {}
    return {str(k): str(v) for k, v in loaded.items()}


class _Local(threading.local):
    conn: sqlite3.Connection | None = None
    pid: int = 0


#: Serializes the (rare) opening of a gate's lock file, so that two threads of a fresh process do not
#: both open one.
_GATE_SETUP = threading.Lock()


def _reset_gate_setup() -> None:
    # A thread of the parent may have held it when the process forked; the child has no such thread.
    global _GATE_SETUP
    _GATE_SETUP = threading.Lock()


os.register_at_fork(after_in_child=_reset_gate_setup)


class _WriterGate:
    """Orders the writers of one inbox file (threads and processes) ahead of SQLite's write lock.

    Threads of one process queue on a :class:`threading.Lock` (woken as soon as it is released);
    the process holding it then takes an exclusive ``flock`` on the lock file, polling with short
    sleeps (0.05 ms, doubling up to 1 ms) when another process has it. Both waits together are
    bounded by ``timeout``. The gate is advisory: when the lock file cannot be opened, writers go
    straight to SQLite's lock, whose ``busy_timeout`` then does the waiting.

    Args:
        path: The lock file (created if missing).
        timeout: Seconds to wait for the gate before failing with StorageError.
    """

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._pid = -1
        self._fd = -1
        self._thread_lock = threading.Lock()
        #: The thread holding the gate (it may enter again, e.g. a transaction inside a group commit's turn).
        self._owner: int | None = None

    def _file(self) -> int:
        pid = os.getpid()
        if pid != self._pid:
            with _GATE_SETUP:
                if pid != self._pid:
                    self._reopen(pid)
        return self._fd

    def _reopen(self, pid: int) -> None:
        # After fork: a new description of our own (an inherited one shares the parent's flock
        # state) and a fresh thread lock (the parent's may have been held by another thread).
        if self._fd >= 0:
            with suppress(OSError):
                os.close(self._fd)
        self._thread_lock = threading.Lock()
        self._owner = None
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            self._fd = -1
        self._pid = pid

    def close(self) -> None:
        """Close this process's lock file descriptor (the gate reopens it if used again).

        Under the setup lock: two threads closing at once would close the number twice, and the second
        close could hit a descriptor another part of the process has opened meanwhile.
        """
        with _GATE_SETUP:
            if self._fd >= 0 and self._pid == os.getpid():
                with suppress(OSError):
                    os.close(self._fd)
            self._fd, self._pid = -1, -1

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the gate for the duration of the block (a thread already holding it just enters).

        Raises:
            StorageError: Another writer held it for longer than ``timeout``.
        """
        fd = self._file()
        me = threading.get_ident()
        if self._owner == me:
            yield
            return
        lock = self._thread_lock
        deadline = time.monotonic() + self.timeout
        if not lock.acquire(timeout=self.timeout):
            raise StorageError(f"SQLite inbox: no write access within {self.timeout} s (writer gate busy)")
        try:
            if fd >= 0:
                self._flock(fd, deadline)
            self._owner = me
            try:
                yield
            finally:
                self._owner = None
                if fd >= 0:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            lock.release()

    def _flock(self, fd: int, deadline: float) -> None:
        delay = 0.00005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            if time.monotonic() > deadline:
                raise StorageError(
                    f"SQLite inbox: no write access within {self.timeout} s (writer gate {self.path} busy)"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.001)


class SQLiteInbox(SQLInbox):
    """An :class:`~mm7.inbox.base.Inbox` in one SQLite file.

    Safe for many threads in one process and for several processes on the same file (on a local
    filesystem: SQLite's locking does not work reliably over NFS).

    Args:
        path: The database file; it and its parent directories are created on first use.
        max_attachment_size: Largest attachment stored, in bytes.
        busy_timeout: Seconds a write waits for another writer before failing with StorageError.
        read_only: Open the file read-only (``mode=ro``): for reporting tools, and for tests that
            check how a write failure is reported. Nothing is created or migrated.
        group_commit: Commit the puts of concurrent threads together: the puts that arrive while a commit
            runs share the next transaction and its fsync; each put still returns only once its own row
            is committed (see :class:`~mm7.inbox._sql._GroupCommit`). On by default.

    Raises:
        StorageError: The file cannot be opened or migrated.
        ConfigError: The file's schema is newer than this version of mm7.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_attachment_size: int = DEFAULT_MAX_ATTACHMENT_SIZE,
        busy_timeout: float = 30.0,
        read_only: bool = False,
        group_commit: bool = True,
    ) -> None:
        self.path = Path(path).expanduser().absolute()
        self.max_attachment_size = max_attachment_size
        self.busy_timeout = busy_timeout
        self.read_only = read_only
        self._local = _Local()
        self._init_connections(group_commit=group_commit and not read_only)
        self._gate: _WriterGate | None = None
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the directory of {self.path}: {exc}") from exc
            self._gate = _WriterGate(self.path.with_name(self.path.name + "-mm7lock"), busy_timeout)
        self._migrate()

    def __repr__(self) -> str:
        return f"SQLiteInbox({str(self.path)!r}{', read_only=True' if self.read_only else ''})"

    # ---------------------------------------------------------------- connections, transactions

    def _connect(self) -> sqlite3.Connection:
        mode = "ro" if self.read_only else "rwc"
        uri = f"file:{urllib.parse.quote(str(self.path))}?mode={mode}"
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
            conn = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=self.busy_timeout
            )
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open SQLite inbox {self.path}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            # FULL: fsync the WAL on every commit; NORMAL would lose the last commits on power
            # loss, and we acknowledge the MMSC right after commit.
            conn.execute("PRAGMA synchronous = FULL")
            if not self.read_only:
                self._ensure_wal(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise StorageError(f"cannot set up SQLite inbox {self.path}: {exc}") from exc
        return conn

    def _ensure_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL (persistent: a no-op once done), retrying while it is busy.

        Switching needs an exclusive lock, and SQLite answers "database is locked" at once
        (without its busy handler) when several processes open a new file together: retry
        until ``busy_timeout``.
        """
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.005
        while True:
            try:
                row = conn.execute("PRAGMA journal_mode").fetchone()
                if row is not None and str(row[0]).lower() == "wal":
                    return
                row = conn.execute("PRAGMA journal_mode = WAL").fetchone()
                if row is not None and str(row[0]).lower() == "wal":
                    return
                problem = f"journal_mode stayed {row}"
            except sqlite3.OperationalError as exc:
                problem = str(exc)
            if time.monotonic() > deadline:
                raise StorageError(f"SQLite inbox {self.path}: cannot switch to WAL mode: {problem}")
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def _new_thread_connections(self) -> None:
        self._local = _Local()

    def _write_turn(self) -> AbstractContextManager[object]:
        # The writer gate: once it is ours, no other mm7 writer of this file (thread or process) commits.
        return self._gate.held() if self._gate is not None else nullcontext()

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise InboxError(f"{self!r} is closed")
        local = self._local
        pid = os.getpid()
        if local.conn is None or local.pid != pid:
            # After fork the parent's connection must not be used (SQLite forbids it); open anew.
            local.conn = self._connect()
            local.pid = pid
            with self._lock:
                self._connections.append(local.conn)
        return local.conn

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; sqlite3 errors become StorageError, anything raised rolls back."""
        conn = self._connection()
        if write and self._gate is not None:
            with self._gate.held(), self._tx_on(conn, write=True) as held:
                yield held
        else:
            with self._tx_on(conn, write=write) as held:
                yield held

    @contextmanager
    def _tx_on(self, conn: sqlite3.Connection, *, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            # IMMEDIATE takes the write lock now: no read-then-upgrade deadlock between writers.
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StorageError(f"SQLite inbox {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        with self._tx(write=not self.read_only) as conn:
            row = conn.execute("PRAGMA user_version").fetchone()
            version = int(row[0]) if row else 0
            if version > len(_MIGRATIONS):
                raise ConfigError(
                    f"SQLite inbox {self.path} has schema version {version}; this mm7 knows "
                    f"{len(_MIGRATIONS)}: upgrade mm7"
                )
            if version == len(_MIGRATIONS):
                return
            if self.read_only:
                raise StorageError(f"SQLite inbox {self.path} is read-only and has no (current) schema")
            for index in range(version, len(_MIGRATIONS)):
                for statement in _MIGRATIONS[index]:
                    conn.execute(statement)
            # user_version is in the database header, so it changes atomically with the DDL.
            conn.execute(f"PRAGMA user_version = {len(_MIGRATIONS)}")

    def _after_close(self) -> None:
        if self._gate is not None:
            self._gate.close()

    # ---------------------------------------------------------------- SQLInbox hooks

    _LATEST_FIRST = "event_date IS NULL, event_date DESC"
    _DRIVER_ERROR = sqlite3.Error

    def _ts_in(self, value: datetime | None) -> Any:
        return _ts_or_none(value)

    def _headers_in(self, value: dict[str, str]) -> Any:
        return _HEADERS_TEXT(value)

    def _ts_out(self, value: Any) -> datetime | None:
        return _parse_ts(value)

    def _headers_out(self, value: Any) -> dict[str, str]:
        return _parse_headers(value)

    def _later(self, seconds: float) -> tuple[str, Any]:
        # Our clock, as text: the one claim() compares available_at against.
        return "?", _ts(_now() + timedelta(seconds=seconds))

    def _any(self, column: str, values: Sequence[Any]) -> tuple[str, builtins.list[Any]]:
        return f"{column} IN ({','.join('?' * len(values))})", builtins.list(values)

    # ---------------------------------------------------------------- Inbox API

    def put(self, notification: Notification) -> PutResult:
        """Store a notification durably or count a duplicate; see :meth:`Inbox.put`."""
        return self._store(notification, self._put_params(notification))

    def _put_params(self, notification: Notification) -> tuple[Any, ...]:
        _check_attachments(notification, self.max_attachment_size)
        # Everything is computed before the transaction: the write lock is held for the insert alone.
        # available_at: claimable from now on (our clock: the one claim() compares against).
        return (*self._put_values(notification), _ts(_now()))

    def _put_single(self, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        """One notification: a new one without attachments in one statement (:meth:`_put_new_rows`).

        A lone put is a receiver's usual write when requests come one at a time, and a batch of one under
        load. A duplicate (or a bad row) goes the way of :meth:`_put_rows`, in a transaction of its own.
        """
        if not notification.attachments:
            new = self._put_new_rows(builtins.list(params), 1)
            if new is not None:
                return new[0]
        return super()._put_single(notification, params)

    def _put_batch(self, batch: Sequence[_PendingPut]) -> builtins.list[PutResult]:
        """A batch in one transaction; without attachments, in one INSERT (and one SELECT with duplicates).

        Each statement step hands the GIL over (SQLite runs without it), and a receiver's loop or its
        other threads are waiting for it: one statement per batch, which is its own transaction when every
        notification is new (:meth:`_put_new_rows`), rather than one per notification. A batch meeting a
        duplicate takes BEGIN, the INSERT counting duplicates, the SELECT of the counts and COMMIT.
        Outcomes are those of :meth:`_put_rows` one after the other: a notification's count after the
        batch, less its later copies in the batch, is what it would have read.
        """
        if not _has_json_functions() or any(p.notification.attachments for p in batch):
            return super()._put_batch(batch)
        params = [value for p in batch for value in p.params]
        new = self._put_new_rows(params, len(batch))
        if new is not None:
            return new
        keys = [p.notification.dedupe_key for p in batch]
        distinct = builtins.list(dict.fromkeys(keys))
        with self._tx() as conn:
            try:
                conn.execute(_put_rows_sql(len(batch)), params)
                row = conn.execute(_stored_counts_sql(len(distinct)), distinct).fetchone()
            except sqlite3.Error as exc:  # a row's constraint: the puts are retried one by one
                raise _RowError(str(exc)) from exc
        stored = {key: (int(nid), int(times)) for key, nid, times in json.loads(row[0])}
        copies = Counter(keys)
        seen: Counter[str] = Counter()
        results = []
        for key in keys:
            nid, times = stored[key]
            seen[key] += 1
            mine = times - copies[key] + seen[key]
            results.append(PutResult(id=nid, created=mine == 1, times_received=mine))
        return results

    def _put_new_rows(self, params: builtins.list[Any], rows: int) -> builtins.list[PutResult] | None:
        """The usual batch, every notification new: one INSERT, which is its own transaction.

        Outside ``BEGIN``/``COMMIT`` (the connection is in autocommit mode between transactions) SQLite runs
        one statement as a transaction of its own, write lock, commit and fsync included, all within that
        statement's one step: the writer thread hands the GIL over and takes it back once per batch for
        this, not three times (BEGIN IMMEDIATE, INSERT, COMMIT), and each time it takes it back, a receiver's
        loop waiting for the GIL stalls. Within one INSERT the rows get consecutive ids (AUTOINCREMENT,
        under the write lock), so the last one's id gives them all.

        None, with nothing stored, when the INSERT breaks a constraint: the dedupe_key of a notification
        stored before (or one that comes twice), or a bad row. A failing statement is undone whole, and
        :meth:`_put_batch` then counts the duplicates in a transaction of its own (a bad row fails there
        and is retried alone).

        Raises:
            StorageError: The write lock was not had within ``busy_timeout``, or SQLite failed otherwise.
        """
        conn = self._connection()
        try:
            with self._write_turn():
                inserted = conn.execute(_new_rows_sql(rows), params)
        except sqlite3.IntegrityError:
            return None
        except sqlite3.Error as exc:
            raise StorageError(f"SQLite inbox {self.path}: {exc}") from exc
        last = inserted.lastrowid
        if inserted.rowcount != rows or last is None:  # SQLite inserts all rows or none: never happens
            raise StorageError(f"SQLite inbox {self.path}: {inserted.rowcount} of {rows} rows inserted")
        return [PutResult(id=last - rows + 1 + i, created=True, times_received=1) for i in range(rows)]

    def _put_rows(self, conn: Any, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        # Sinch retries an unacknowledged notification up to 5 times (5 minutes apart), and a
        # retry may race the original: the UNIQUE dedupe_key plus the write lock taken by
        # BEGIN IMMEDIATE make "insert or count the duplicate" one atomic step (also between two copies
        # in one group commit: the second sees the first's row).
        row = conn.execute(_PUT_SQL, params).fetchone()
        nid, times = int(row[0]), int(row[1])
        created = times == 1
        if created:
            for pos, a in enumerate(notification.attachments):
                _insert_attachment(conn, nid, pos, a)
        return PutResult(id=nid, created=created, times_received=times)

    def _claim_rows(
        self, conn: Any, worker: str, limit: int, lease_seconds: float, kinds: builtins.list[str] | None
    ) -> builtins.list[tuple[Any, ...]]:
        # Claimers are serialized by BEGIN IMMEDIATE, so a plain subquery cannot hand a row out twice.
        now = _now()
        kind_sql = ""
        params: builtins.list[Any] = [worker, _ts(now + timedelta(seconds=lease_seconds)), _ts(now), _ts(now)]
        if kinds is not None:
            kind_sql, kind_params = self._any("kind", kinds)
            kind_sql = f"AND {kind_sql}"
            params.extend(kind_params)
        params.append(limit)
        rows: builtins.list[tuple[Any, ...]] = conn.execute(
            f"""
            UPDATE inbox_notifications
            SET state = 'leased', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM inbox_notifications
                WHERE ((state = 'pending' AND available_at <= ?)
                       OR (state = 'leased' AND lease_expires_at <= ?))
                {kind_sql}
                ORDER BY id
                LIMIT ?
            )
            RETURNING {SELECT}
            """,
            params,
        ).fetchall()
        return rows


def _insert_attachment(conn: sqlite3.Connection, nid: int, position: int, attachment: Attachment) -> None:
    """Insert one attachment; a :class:`StreamedData` payload is written chunk by chunk into the BLOB."""
    sql = (
        "INSERT INTO inbox_attachments (notification_id, position, content_id, content_type, "
        "content_location, data) VALUES (?, ?, ?, ?, ?, {})"
    )
    head = (nid, position, attachment.content_id, attachment.content_type, attachment.content_location)
    data = attachment.data
    if not isinstance(data, StreamedData):
        conn.execute(sql.format("?"), (*head, data))
        return
    # zeroblob reserves the size; the incremental BLOB handle then fills it without a copy in memory.
    cursor = conn.execute(sql.format("zeroblob(?)"), (*head, data.size))
    written = 0
    with conn.blobopen("inbox_attachments", "data", int(cursor.lastrowid or 0)) as blob:
        for chunk in data.chunks():
            if written + len(chunk) > data.size:
                raise StorageError(f"attachment stream is longer than the {data.size} bytes announced")
            blob.write(chunk)
            written += len(chunk)
    if written != data.size:
        raise StorageError(f"attachment stream gave {written} bytes, {data.size} announced")
