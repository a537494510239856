"""A campaign several processes on several hosts send together: journal and throttle in PostgreSQL.

:class:`PostgresJournal` is the bulk journal (:mod:`mm7.client.journal`) shared through PostgreSQL: the
campaign's messages are rows, and every sender process *claims* the next one before sending it, so each
message goes out at most once however many processes work on the campaign. :class:`PostgresThrottle` is
the account's :class:`~mm7.client.throttle.Throttle` kept in PostgreSQL, so the processes together stay
under one rate limit. ``send_many_async(client, items, journal="postgresql://…", campaign="news")``
(:mod:`mm7.client.async_bulk`) uses both.

A message's row goes ``pending`` → ``claimed`` → ``sending`` → ``accepted`` / ``failed`` / ``unknown``:

* ``claimed``: a sender took it (``SELECT … FOR UPDATE SKIP LOCKED``: senders never wait on each other
  and never take the same row). Nothing was sent yet: when the claiming process dies, its PostgreSQL
  session ends and any other sender takes the row again. A claim belongs to the claimer's database
  session (its backend pid and start time, as ``pg_stat_activity`` lists them), so a dead host's claims
  are freed as soon as the server notices its connection closed.
* ``sending``: recorded and committed once the throttle gave the message its slot, right before the
  first byte goes out. A row left ``sending`` by a dead process is *in doubt* (the relay may have
  accepted it): reported ``unknown`` and never resent, unless a later run passes ``resend_unknown=True``.
* ``failed`` rows (certainly not accepted) are sent again by senders started after the failure.

The campaign's messages are fixed when it starts: every process must bring the same message keys (a
fingerprint of the sorted keys is stored; another set is refused with ConfigError). Times come from the
database clock, so hosts with skewed clocks agree.

Connections: one per journal or throttle object (autocommit; each state change is its own committed
transaction, durable with the server's default ``synchronous_commit = on``), shared by threads behind a
lock. The asyncio sender calls these methods in worker threads, off the event loop. A broken connection
is not reopened: its claims would no longer be ours, so the run stops with the error and a new run
resumes the campaign.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import cast

from mm7.client.journal import JournalEntry, State
from mm7.client.throttle import Rate, Throttle, ThrottleTimeout
from mm7.errors import ConfigError

try:
    import psycopg
except ImportError as exc:  # pragma: no cover - the test extra installs psycopg
    raise ConfigError("a PostgreSQL campaign needs psycopg 3: pip install 'mm7[postgres]'") from exc

__all__ = ["PostgresJournal", "PostgresThrottle"]

#: Advisory lock serializing the creation of the tables between processes.
_SCHEMA_LOCK = 0x6D6D37_B017  # "mm7" + "bulk"

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS mm7_campaigns (
        name        TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        size        INTEGER NOT NULL,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS mm7_campaign_messages (
        campaign       TEXT NOT NULL REFERENCES mm7_campaigns (name) ON DELETE CASCADE,
        key            TEXT NOT NULL,
        position       INTEGER NOT NULL,
        state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                       ('pending', 'claimed', 'sending', 'accepted', 'failed', 'unknown')),
        owner_pid      INTEGER,
        owner_started  TIMESTAMPTZ,
        transaction_id TEXT,
        message_id     TEXT,
        error          TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (campaign, key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS mm7_campaign_messages_todo "
    "ON mm7_campaign_messages (campaign, state, position)",
    """
    CREATE TABLE IF NOT EXISTS mm7_throttle_windows (
        name         TEXT NOT NULL,
        window_index INTEGER NOT NULL,
        count        INTEGER NOT NULL,
        per_seconds  DOUBLE PRECISION NOT NULL,
        head         INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (name, window_index)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS mm7_throttle_slots (
        name         TEXT NOT NULL,
        window_index INTEGER NOT NULL,
        position     INTEGER NOT NULL,
        at           DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (name, window_index, position)
    )
    """,
)

#: A claim's owner is alive while its database session is (same pid *and* start time: pids are reused).
_OWNER_GONE = (
    "NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
    "WHERE a.pid = m.owner_pid AND a.backend_start = m.owner_started)"
)

_CLAIM = f"""
UPDATE mm7_campaign_messages AS m
SET state = 'claimed', owner_pid = pg_backend_pid(), owner_started = %(started)s, updated_at = now()
WHERE m.campaign = %(campaign)s AND m.key = (
    SELECT m.key FROM mm7_campaign_messages AS m
    WHERE m.campaign = %(campaign)s AND (
        m.state = 'pending'
        OR (m.state = 'claimed' AND {_OWNER_GONE})
        OR (m.state = 'failed' AND m.updated_at < %(run_started)s)
        OR (%(resend_unknown)s AND m.updated_at < %(run_started)s
            AND (m.state = 'unknown' OR (m.state = 'sending' AND {_OWNER_GONE})))
    )
    ORDER BY m.position
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING m.key
"""

_MINE = (
    "campaign = %(campaign)s AND key = %(key)s "
    "AND owner_pid = pg_backend_pid() AND owner_started = %(started)s"
)

_ENTRY_COLUMNS = (
    "key, CASE WHEN state IN ('pending', 'claimed') THEN 'failed' ELSE state END, transaction_id, "
    "message_id, error, attempts, extract(epoch FROM updated_at)::float8"
)


class _Database:
    """One autocommit connection shared by threads behind a lock; creates the tables once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self.conn: psycopg.Connection[tuple[object, ...]] = psycopg.connect(url, autocommit=True)
        try:
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for statement in _SCHEMA:
                    self.conn.execute(statement)
        except BaseException:
            self.conn.close()
            raise

    def __enter__(self) -> psycopg.Connection[tuple[object, ...]]:
        self._lock.acquire()
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def close(self) -> None:
        with self._lock:
            self.conn.close()


class PostgresJournal:
    """The journal of one campaign, shared by every process sending it (see the module docstring).

    Args:
        url: PostgreSQL connection URL (``postgresql://user@host/db``).
        campaign: The campaign's name: every process of one campaign uses the same one.
    """

    def __init__(self, url: str, campaign: str) -> None:
        if not campaign:
            raise ConfigError("a PostgreSQL journal needs a campaign name")
        self.campaign = campaign
        self._db = _Database(url)
        with self._db as conn:
            row = conn.execute(
                "SELECT backend_start, clock_timestamp() FROM pg_stat_activity WHERE pid = pg_backend_pid()"
            ).fetchone()
        if row is None or row[0] is None:  # pragma: no cover - every server lists its own session
            self._db.close()
            raise ConfigError("this PostgreSQL server does not show the session in pg_stat_activity")
        self._started = cast(datetime, row[0])
        self._run_started = cast(datetime, row[1])

    def start(self, keys: Sequence[str]) -> None:
        """Join the campaign with these message keys; the first process to start it registers them.

        Raises:
            ConfigError: The campaign was started with other message keys.
        """
        fingerprint = hashlib.sha256("\0".join(sorted(keys)).encode()).hexdigest()
        with self._db as conn, conn.transaction():
            conn.execute(
                "INSERT INTO mm7_campaigns (name, fingerprint, size) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO NOTHING",
                (self.campaign, fingerprint, len(keys)),
            )
            row = conn.execute(
                "SELECT fingerprint, size FROM mm7_campaigns WHERE name = %s", (self.campaign,)
            ).fetchone()
            assert row is not None
            if row[0] != fingerprint:
                raise ConfigError(
                    f"campaign {self.campaign!r} was started with other messages ({row[1]}; these are "
                    f"{len(keys)}): every process of a campaign sends the same messages"
                )
            conn.execute(
                "INSERT INTO mm7_campaign_messages (campaign, key, position) "
                "SELECT %s, k, p FROM unnest(%s::text[]) WITH ORDINALITY AS u (k, p) "
                "ON CONFLICT (campaign, key) DO NOTHING",
                (self.campaign, list(keys)),
            )

    def claim(self, resend_unknown: bool = False) -> str | None:
        """Take the next message to send: its key, or None when no message is left for this process.

        Args:
            resend_unknown: Also take messages an earlier run left in doubt (may duplicate an MMS).
        """
        params = {
            "campaign": self.campaign,
            "started": self._started,
            "run_started": self._run_started,
            "resend_unknown": resend_unknown,
        }
        with self._db as conn:
            row = conn.execute(_CLAIM, params).fetchone()
        return None if row is None else cast(str, row[0])

    def record_sending(self, key: str, transaction_id: str) -> bool:
        """Record, durably, that the claimed ``key`` is about to be sent with ``transaction_id``.

        Returns:
            False when the claim is no longer this process's (its session was replaced): do not send.
        """
        with self._db as conn:
            cursor = conn.execute(
                "UPDATE mm7_campaign_messages SET state = 'sending', transaction_id = %(tid)s, "
                "message_id = NULL, error = NULL, attempts = attempts + 1, updated_at = now() "
                f"WHERE {_MINE} AND state = 'claimed'",
                {"campaign": self.campaign, "key": key, "started": self._started, "tid": transaction_id},
            )
            return cursor.rowcount == 1

    def record_accepted(self, key: str, message_id: str | None) -> None:
        """Record that the relay accepted ``key`` and answered ``message_id``."""
        self._settle(key, "accepted", message_id=message_id)

    def record_failed(self, key: str, error: str) -> None:
        """Record that the send of ``key`` certainly did not take effect (sent again by a later run)."""
        self._settle(key, "failed", error=error)

    def record_unknown(self, key: str, error: str) -> None:
        """Record that the send of ``key`` may have taken effect (not resent by default)."""
        self._settle(key, "unknown", error=error)

    def _settle(
        self, key: str, state: State, *, message_id: str | None = None, error: str | None = None
    ) -> None:
        with self._db as conn:
            conn.execute(
                "UPDATE mm7_campaign_messages SET state = %(state)s, message_id = %(mid)s, "
                "error = %(error)s, "
                f"updated_at = now() WHERE {_MINE}",
                {
                    "campaign": self.campaign,
                    "key": key,
                    "started": self._started,
                    "state": state,
                    "mid": message_id,
                    "error": error,
                },
            )

    def get(self, key: str) -> JournalEntry | None:
        """The entry of ``key`` once a send of it was recorded; None before."""
        with self._db as conn:
            row = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM mm7_campaign_messages "
                "WHERE campaign = %s AND key = %s AND attempts > 0",
                (self.campaign, key),
            ).fetchone()
        return None if row is None else JournalEntry(*row)  # type: ignore[arg-type]

    def entries(self) -> Iterator[JournalEntry]:
        """Every message sent at least once, in campaign order (``sending`` is the in-doubt state).

        A message taken again after a failure and not yet re-sent shows as ``failed``.
        """
        with self._db as conn:
            rows = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM mm7_campaign_messages "
                "WHERE campaign = %s AND attempts > 0 ORDER BY position",
                (self.campaign,),
            ).fetchall()
        for row in rows:
            yield JournalEntry(*row)  # type: ignore[arg-type]

    def counts(self) -> dict[str, int]:
        """How many messages are in each state, ``pending`` and ``claimed`` included."""
        with self._db as conn:
            rows = conn.execute(
                "SELECT state, count(*) FROM mm7_campaign_messages WHERE campaign = %s GROUP BY state",
                (self.campaign,),
            ).fetchall()
        return {cast(str, state): cast(int, n) for state, n in rows}

    def close(self) -> None:
        """Close the connection (claims not yet sent are freed for the other processes)."""
        self._db.close()

    def __enter__(self) -> PostgresJournal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgresJournal(campaign={self.campaign!r})"


class PostgresThrottle(Throttle):
    """The account's :class:`Throttle`, kept in PostgreSQL: one limit for every process on every host.

    Each window of each :class:`Rate` is the same sliding-window log as the in-process throttle's (at
    most ``count`` acquisitions in any ``per_seconds``), stored as a ring of ``count`` timestamps. An
    acquisition locks the windows' rows, *reserves* the earliest time every window allows, writes it,
    and commits; the caller then waits until that time. Reservations are handed out in lock order, so
    waiters queue fairly across processes and no slot is lost to a retry race. Times are the database
    clock's; the wait is measured locally, so host clock skew does not matter.

    Pass it as the client's ``throttle=`` (``AsyncMM7Client.for_sinch(..., throttle=PostgresThrottle(…))``);
    every attempt, retries included, then takes a slot from it.

    Args:
        url: PostgreSQL connection URL.
        name: The account's key, e.g. ``"sinch:<api_key>"``: every process of the account uses it.
        rates: The limits; every process must give the same ones (ConfigError otherwise).

    Raises:
        ConfigError: ``name`` is stored with other rates.
    """

    def __init__(self, url: str, name: str, rates: Iterable[Rate]) -> None:
        super().__init__(rates, name=name)
        self._db = _Database(url)
        try:
            self._create()
        except BaseException:
            self._db.close()
            raise

    def _create(self) -> None:
        """Store the windows of a new throttle; check them against the stored ones otherwise."""
        name = self.name
        with self._db as conn, conn.transaction():
            # Two processes creating the same throttle at once: the second waits, then finds it.
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_SCHEMA_LOCK >> 32, name))
            rows = conn.execute(
                "SELECT count, per_seconds FROM mm7_throttle_windows WHERE name = %s ORDER BY window_index",
                (name,),
            ).fetchall()
            stored = cast(list[tuple[int, float]], rows)
            wanted = [(rate.count, float(rate.per_seconds)) for rate in self.rates]
            if stored and stored != wanted:
                have = ", ".join(str(Rate(count, per)) for count, per in stored)
                raise ConfigError(
                    f"throttle {name!r} is stored with rates {have}; got {', '.join(map(str, self.rates))}"
                )
            if not stored:
                for index, (count, per) in enumerate(wanted):
                    conn.execute(
                        "INSERT INTO mm7_throttle_windows (name, window_index, count, per_seconds) "
                        "VALUES (%s, %s, %s, %s)",
                        (name, index, count, per),
                    )
                    conn.execute(
                        "INSERT INTO mm7_throttle_slots (name, window_index, position, at) "
                        "SELECT %s, %s, p, 0 FROM generate_series(0, %s - 1) AS p",
                        (name, index, count),
                    )

    def _reserve(self) -> float:
        """Reserve the next slot; return the seconds until it (0 when free now)."""
        if not self.rates:
            return 0.0
        with self._db as conn, conn.transaction():
            conn.execute(
                "SELECT 1 FROM mm7_throttle_windows WHERE name = %s ORDER BY window_index FOR UPDATE",
                (self.name,),
            )
            # A new statement after the lock: its snapshot sees the previous holder's committed slot.
            row = conn.execute(
                "SELECT max(s.at + w.per_seconds), extract(epoch FROM clock_timestamp())::float8 "
                "FROM mm7_throttle_windows w JOIN mm7_throttle_slots s "
                "ON s.name = w.name AND s.window_index = w.window_index AND s.position = w.head "
                "WHERE w.name = %s",
                (self.name,),
            ).fetchone()
            assert row is not None
            due, now = cast(float, row[0]), cast(float, row[1])
            at = max(due, now)
            conn.execute(
                "WITH moved AS (UPDATE mm7_throttle_windows SET head = (head + 1) %% count "
                "WHERE name = %(name)s "
                "RETURNING window_index, (head + count - 1) %% count AS used) "
                "UPDATE mm7_throttle_slots s SET at = %(at)s FROM moved "
                "WHERE s.name = %(name)s AND s.window_index = moved.window_index AND s.position = moved.used",
                {"name": self.name, "at": at},
            )
        return at - now

    def _check(self, needed: float, timeout: float | None) -> None:
        if timeout is not None and needed > timeout:
            raise ThrottleTimeout(
                f"{self.name}: no slot within {timeout:g}s ({needed:.3f}s needed)",
                waited=0.0,
                wait_needed=needed,
            )

    def try_acquire(self) -> bool:
        """Always False: a shared slot is reserved, not tried (use :meth:`acquire`)."""
        return False

    def acquire(self, timeout: float | None = None) -> float:
        """Reserve the next slot of the shared windows and sleep until it.

        Args:
            timeout: Longest wait; a later slot raises :class:`ThrottleTimeout` at once (the reserved
                slot then goes unused, which only lowers the rate).

        Returns:
            Seconds waited.
        """
        # A hold (the relay said to slow down) is this process's: the shared windows know nothing of it.
        needed = max(self._reserve(), self._hold_left())
        self._check(needed, timeout)
        if needed > 0:
            time.sleep(needed)
        return needed

    async def acquire_async(self, timeout: float | None = None) -> float:
        """:meth:`acquire` for asyncio: the database call runs in a worker thread, the wait is awaited."""
        needed = max(await asyncio.to_thread(self._reserve), self._hold_left())
        self._check(needed, timeout)
        if needed > 0:
            await asyncio.sleep(needed)
        return needed

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __repr__(self) -> str:
        return f"PostgresThrottle({self.name!r}, [{', '.join(map(str, self.rates))}])"
