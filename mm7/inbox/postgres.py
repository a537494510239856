"""PostgreSQL inbox backend (psycopg 3).

For many workers on many hosts. Choices:

* One connection per thread (:class:`threading.local`), autocommit mode with an explicit
  transaction per call; psycopg_pool is not required. A broken connection is dropped and the
  next call opens a new one. A forked child (gunicorn ``--preload``) opens its own: it never sends on,
  nor closes, a connection of its parent.
* :meth:`PostgresInbox.put` is ``INSERT ... ON CONFLICT (dedupe_key) DO UPDATE``: concurrent
  copies of one notification wait on the first insert's row lock, then count as duplicates.
  The call returns after COMMIT (with the server's default ``synchronous_commit = on``, that
  is after the WAL is flushed). Optional group commit (off by default, ``group_commit=True``): the puts
  of several threads that queue while a commit runs share the next transaction and its WAL flush.
* :meth:`PostgresInbox.claim` locks candidate rows with ``FOR UPDATE SKIP LOCKED``: workers
  never wait on each other and never lease the same row.
* Lease times use the database clock (``now()``), so workers on hosts with skewed clocks agree.
* Tables are created unqualified: they go to the first schema of the connection's
  ``search_path`` (``options=-csearch_path=...`` in the DSN picks another one).
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from mm7.errors import ConfigError

try:
    import psycopg
    from psycopg.types.json import Jsonb
except ImportError as exc:  # pragma: no cover - exercised by a test that hides psycopg
    raise ConfigError("the PostgreSQL inbox needs psycopg 3: pip install 'mm7[postgres]'") from exc

from mm7.inbox._sql import SQLInbox, _PendingPut, _RowError
from mm7.inbox.base import (
    _COLUMNS,
    DEFAULT_MAX_ATTACHMENT_SIZE,
    InboxError,
    Notification,
    PutResult,
    StorageError,
    StreamedData,
    _check_attachments,
)

__all__ = ["PostgresInbox"]

#: Key of the transaction-level advisory lock that serializes migrations between processes
#: (``CREATE TABLE IF NOT EXISTS`` alone races: two sessions can both try to create the type).
_MIGRATION_LOCK = 0x6D6D37_1B0C  # "mm7" + "inbox"

#: Ordered schema migrations; ``inbox_schema_migrations`` records the applied versions. Append only.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE inbox_notifications (
            id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
            event_date       TIMESTAMPTZ,
            envelope         BYTEA NOT NULL,
            headers          JSONB NOT NULL DEFAULT '{}',
            received_at      TIMESTAMPTZ NOT NULL,
            last_received_at TIMESTAMPTZ NOT NULL,
            times_received   INTEGER NOT NULL DEFAULT 1,
            state            TEXT NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'leased', 'done', 'failed')),
            attempts         INTEGER NOT NULL DEFAULT 0,
            available_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
            lease_owner      TEXT,
            lease_expires_at TIMESTAMPTZ,
            last_error       TEXT
        )
        """,
        """
        CREATE TABLE inbox_attachments (
            notification_id  BIGINT NOT NULL REFERENCES inbox_notifications (id) ON DELETE CASCADE,
            position         INTEGER NOT NULL,
            content_id       TEXT,
            content_type     TEXT NOT NULL,
            content_location TEXT,
            data             BYTEA NOT NULL,
            PRIMARY KEY (notification_id, position)
        )
        """,
        """
        CREATE INDEX inbox_notifications_pending ON inbox_notifications (available_at, id)
            WHERE state = 'pending'
        """,
        """
        CREATE INDEX inbox_notifications_leased ON inbox_notifications (lease_expires_at)
            WHERE state = 'leased'
        """,
        """
        CREATE INDEX inbox_notifications_status ON inbox_notifications (message_id, recipient)
            WHERE kind = 'delivery_report'
        """,
    ),
)

_PUT_SQL = """
    INSERT INTO inbox_notifications AS n (
        kind, dedupe_key, transaction_id, mm7_version, namespace, message_id, sender,
        recipient, mm_status, status_text, event_date, envelope, headers, received_at,
        last_received_at
    ) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (dedupe_key) DO UPDATE SET
        times_received = n.times_received + 1,
        last_received_at = greatest(n.last_received_at, EXCLUDED.last_received_at)
    RETURNING id, times_received
"""
_SELECT_N = ", ".join(f"n.{c}" for c in _COLUMNS)

_Conn = psycopg.Connection[tuple[Any, ...]]

#: libpq supports pipeline mode (libpq 14 and later): a group commit is then one round trip.
_PIPELINE = psycopg.Pipeline.is_supported()


def _ts(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise StorageError(f"expected a timestamp from PostgreSQL, got {value!r}")
    return value.astimezone(UTC)


def _headers(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


class _Local(threading.local):
    conn: _Conn | None = None


class PostgresInbox(SQLInbox):
    """An :class:`~mm7.inbox.base.Inbox` in a PostgreSQL database.

    Args:
        dsn: A libpq connection string or URL (``postgresql://user@host:5432/db``).
        max_attachment_size: Largest attachment stored, in bytes.
        connect_timeout: Seconds to wait for a connection.
        read_only: Run every transaction read-only (reporting tools, tests of write failures).
            Nothing is created or migrated.
        group_commit: Commit the puts of concurrent threads together: the puts that arrive while a commit
            runs share the next transaction (sent in one round trip) and its WAL flush; each put still
            returns only once its own row is committed. Off by default: the server already flushes the
            WAL once for concurrent commits, and through gunicorn (benchmarks/workloads/throughput.py)
            the receiver measured slower with it.

    Raises:
        StorageError: The server cannot be reached or the schema cannot be migrated.
        ConfigError: The database's schema is newer than this version of mm7.
    """

    def __init__(
        self,
        dsn: str,
        *,
        max_attachment_size: int = DEFAULT_MAX_ATTACHMENT_SIZE,
        connect_timeout: float = 10.0,
        read_only: bool = False,
        group_commit: bool = False,
    ) -> None:
        self.dsn = dsn
        self.max_attachment_size = max_attachment_size
        self.connect_timeout = connect_timeout
        self.read_only = read_only
        self._local = _Local()
        self._init_connections(group_commit=group_commit and not read_only)
        self._migrate()

    def __repr__(self) -> str:
        # The DSN may hold a password: show only where it points.
        info = psycopg.conninfo.conninfo_to_dict(self.dsn)
        where = f"{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"
        return f"PostgresInbox({where!r}{', read_only=True' if self.read_only else ''})"

    # ---------------------------------------------------------------- connections, transactions

    def _connect(self) -> _Conn:
        try:
            conn = psycopg.connect(
                self.dsn, autocommit=True, connect_timeout=max(1, round(self.connect_timeout))
            )
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to the PostgreSQL inbox: {exc}") from exc
        try:
            # Timestamps come back in UTC, and the session is read-only when asked.
            conn.execute("SET TIME ZONE 'UTC'")
            if self.read_only:
                conn.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            conn.close()
            raise StorageError(f"cannot set up the PostgreSQL inbox session: {exc}") from exc
        return conn

    def _new_thread_connections(self) -> None:
        self._local = _Local()

    def _connection(self) -> _Conn:
        if self._closed:
            raise InboxError(f"{self!r} is closed")
        conn = self._local.conn
        if conn is None or conn.closed or conn.broken:
            conn = self._local.conn = self._connect()
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _tx(self, *, write: bool = True, single: bool = False) -> Iterator[_Conn]:
        """One transaction; psycopg errors become StorageError, anything raised rolls back.

        Args:
            write: Unused: PostgreSQL takes row locks as statements need them.
            single: The block runs exactly one statement. In autocommit mode that statement is its own
                transaction, committed before ``execute`` returns (psycopg reads up to ReadyForQuery,
                which the server sends after the commit): one round trip instead of BEGIN, statement,
                COMMIT.
        """
        conn = self._connection()
        try:
            if single:
                yield conn
            else:
                with conn.transaction():
                    yield conn
        except psycopg.Error as exc:
            if conn.closed or conn.broken:
                self._local.conn = None  # reconnect on the next call
            raise StorageError(f"PostgreSQL inbox: {exc}") from exc

    def _migrate(self) -> None:
        with self._tx() as conn:
            if not self.read_only:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS inbox_schema_migrations ("
                    "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
            exists = conn.execute("SELECT to_regclass('inbox_schema_migrations')").fetchone()
            version = 0
            if exists is not None and exists[0] is not None:
                row = conn.execute("SELECT coalesce(max(version), 0) FROM inbox_schema_migrations").fetchone()
                version = int(row[0]) if row else 0
            if version > len(_MIGRATIONS):
                raise ConfigError(
                    f"PostgreSQL inbox has schema version {version}; this mm7 knows {len(_MIGRATIONS)}: "
                    "upgrade mm7"
                )
            if version == len(_MIGRATIONS):
                return
            if self.read_only:
                raise StorageError("PostgreSQL inbox is read-only and has no (current) schema")
            for index in range(version, len(_MIGRATIONS)):
                for statement in _MIGRATIONS[index]:
                    conn.execute(statement)
                conn.execute("INSERT INTO inbox_schema_migrations (version) VALUES (%s)", (index + 1,))

    # ---------------------------------------------------------------- SQLInbox hooks

    _PARAM = "%s"
    _LATEST_FIRST = "event_date DESC NULLS LAST"
    _DRIVER_ERROR = psycopg.Error

    def _ts_in(self, value: datetime | None) -> Any:
        return value  # psycopg sends aware datetimes as timestamptz

    def _headers_in(self, value: dict[str, str]) -> Any:
        return Jsonb(value)

    def _ts_out(self, value: Any) -> datetime | None:
        return _ts(value)

    def _headers_out(self, value: Any) -> dict[str, str]:
        return _headers(value)

    def _later(self, seconds: float) -> tuple[str, Any]:
        # The database clock, so that workers on hosts with skewed clocks agree.
        return "now() + make_interval(secs => ?)", float(seconds)

    def _any(self, column: str, values: Sequence[Any]) -> tuple[str, builtins.list[Any]]:
        return f"{column} = ANY(?)", [builtins.list(values)]

    def _claim_rows(
        self, conn: Any, worker: str, limit: int, lease_seconds: float, kinds: builtins.list[str] | None
    ) -> builtins.list[tuple[Any, ...]]:
        # SKIP LOCKED: concurrent claimers pass over each other's candidate rows instead of waiting.
        kind_sql = "" if kinds is None else "AND kind = ANY(%(kinds)s)"
        rows: builtins.list[tuple[Any, ...]] = conn.execute(
            f"""
            WITH picked AS (
                SELECT id FROM inbox_notifications
                WHERE ((state = 'pending' AND available_at <= now())
                       OR (state = 'leased' AND lease_expires_at <= now()))
                {kind_sql}
                ORDER BY id
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            )
            UPDATE inbox_notifications AS n
            SET state = 'leased', lease_owner = %(worker)s,
                lease_expires_at = now() + make_interval(secs => %(lease)s),
                attempts = n.attempts + 1
            FROM picked WHERE n.id = picked.id
            RETURNING {_SELECT_N}
            """,
            {"kinds": kinds, "limit": limit, "worker": worker, "lease": float(lease_seconds)},
        ).fetchall()
        return rows

    # ---------------------------------------------------------------- Inbox API

    def put(self, notification: Notification) -> PutResult:
        """Store a notification durably or count a duplicate; see :meth:`Inbox.put`."""
        return self._store(notification, self._put_params(notification))

    def _put_params(self, notification: Notification) -> tuple[Any, ...]:
        _check_attachments(notification, self.max_attachment_size)
        return self._put_values(notification)

    def _put_single(self, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        # Without attachments the upsert is the whole put: run it as one autocommitted statement.
        with self._tx(single=not notification.attachments) as conn:
            return self._put_rows(conn, notification, params)

    def _put_batch(self, batch: Sequence[_PendingPut]) -> builtins.list[PutResult]:
        # A group commit without attachments goes in one round trip (pipeline mode): BEGIN, the upserts and
        # COMMIT are sent together, then their results are read. With attachments (whose inserts need the
        # new id) or without pipeline support in libpq: statement by statement, still one transaction.
        if not _PIPELINE or any(p.notification.attachments for p in batch):
            return super()._put_batch(batch)
        conn = self._connection()
        try:
            with conn.pipeline(), conn.transaction():
                cursors = [conn.execute(_PUT_SQL, p.params) for p in batch]
            rows = [cursor.fetchone() for cursor in cursors]
        except psycopg.Error as exc:
            # The server's answers arrive together: which statement failed is not told. A row's error
            # (the connection still usable) has the puts retried one by one; a lost connection fails all.
            if conn.closed or conn.broken:
                self._local.conn = None  # reconnect on the next call
                raise StorageError(f"PostgreSQL inbox: {exc}") from exc
            raise _RowError(str(exc)) from exc
        results = []
        for row in rows:
            if row is None:  # pragma: no cover - RETURNING always yields a row here
                raise StorageError("INSERT ... RETURNING returned no row")
            nid, times = int(row[0]), int(row[1])
            results.append(PutResult(id=nid, created=times == 1, times_received=times))
        return results

    def _put_rows(self, conn: Any, notification: Notification, params: tuple[Any, ...]) -> PutResult:
        # Sinch retries an unacknowledged notification up to 5 times (5 minutes apart), and a
        # retry may race the original: ON CONFLICT on the UNIQUE dedupe_key makes the second
        # inserter wait for the first to commit, then count itself as a duplicate (two copies in one group
        # commit: the second sees the first's row in the same transaction).
        row = conn.execute(_PUT_SQL, params).fetchone()
        if row is None:  # pragma: no cover - RETURNING always yields a row here
            raise StorageError("INSERT ... RETURNING returned no row")
        nid, times = int(row[0]), int(row[1])
        created = times == 1
        if created and notification.attachments:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO inbox_attachments (notification_id, position, content_id, "
                    "content_type, content_location, data) VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        (nid, pos, a.content_id, a.content_type, a.content_location, _bytes_of(a.data))
                        for pos, a in enumerate(notification.attachments)
                    ],
                )
        return PutResult(id=nid, created=created, times_received=times)


def _bytes_of(data: bytes | StreamedData) -> bytes:
    # psycopg sends a bytea parameter whole, so a streamed payload is joined here (PostgreSQL keeps its own
    # copy anyway); the SQLite backend is the one that streams.
    return data.read_all() if isinstance(data, StreamedData) else data
