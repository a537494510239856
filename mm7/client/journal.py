"""A durable record of bulk sends, so a crashed run can resume without sending anything twice.

Why it exists: a SubmitReq is not idempotent. If a bulk run dies (crash, SIGKILL, power loss) after some
messages were accepted, simply running it again would deliver those messages twice. The journal keeps,
per message key, how far the send got:

* ``sending``: recorded, durably, *before* the request leaves. A key found in this state on restart
  crashed in flight: the relay may or may not have accepted it, so it is reported as unknown and not
  resent unless the caller opts in.
* ``accepted``: the relay answered with a MessageID (kept, so a resumed run still reports it).
* ``failed``: the request certainly did not take effect (an MM7 error status, a refused connection, a
  local rule): safe to send again on the next run.
* ``unknown``: it may have taken effect (a read timeout, a garbled answer): treated like ``sending``.

Storage: one SQLite file in WAL mode with ``synchronous=FULL``, so a committed state survives a crash of
the process and of the machine (SQLite docs, "PRAGMA synchronous": FULL syncs the WAL on every commit).
One connection is shared by the bulk sender's threads behind a lock: writes are tiny and SQLite
serialises writers anyway.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

__all__ = ["Journal", "JournalEntry", "State"]

State = Literal["sending", "accepted", "failed", "unknown"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    key            TEXT PRIMARY KEY,
    state          TEXT NOT NULL CHECK (state IN ('sending', 'accepted', 'failed', 'unknown')),
    transaction_id TEXT,
    message_id     TEXT,
    error          TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    updated_at     REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What the journal knows about one message key.

    Attributes:
        key: The message's stable key.
        state: ``sending``, ``accepted``, ``failed`` or ``unknown``.
        transaction_id: TransactionID of the latest send.
        message_id: The relay's MessageID, once ``accepted``.
        error: Why the latest send failed or is unknown.
        attempts: How many runs tried to send it.
        updated_at: Unix time of the last change.
    """

    key: str
    state: State
    transaction_id: str | None
    message_id: str | None
    error: str | None
    attempts: int
    updated_at: float

    @property
    def in_doubt(self) -> bool:
        """True when the message may have been accepted without our knowing (``sending``/``unknown``)."""
        return self.state in ("sending", "unknown")

    @property
    def acceptance(self) -> Literal["accepted", "failed", "unknown"]:
        """The state in the vocabulary of bulk results: ``sending`` (died in flight) is ``unknown``."""
        return "unknown" if self.state == "sending" else self.state


class Journal:
    """The SQLite journal of a bulk send (see the module docstring).

    Args:
        path: The database file; created when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per state change.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """Rename the state ``sent`` of journals written by mm7 0.1 to ``accepted`` (one transaction)."""
        row = self._db.execute("SELECT sql FROM sqlite_master WHERE name = 'submissions'").fetchone()
        if row is None or "'sent'" not in row[0]:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("ALTER TABLE submissions RENAME TO submissions_v1")
            self._db.execute(_SCHEMA)
            self._db.execute(
                "INSERT INTO submissions SELECT key, CASE state WHEN 'sent' THEN 'accepted' ELSE state END, "
                "transaction_id, message_id, error, attempts, updated_at FROM submissions_v1"
            )
            self._db.execute("DROP TABLE submissions_v1")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get(self, key: str) -> JournalEntry | None:
        """Return the entry for ``key``, or None when it was never recorded."""
        with self._lock:
            row = self._db.execute(
                "SELECT key, state, transaction_id, message_id, error, attempts, updated_at "
                "FROM submissions WHERE key = ?",
                (key,),
            ).fetchone()
        return JournalEntry(*row) if row else None

    def entries(self) -> Iterator[JournalEntry]:
        """Yield every entry, oldest change first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, state, transaction_id, message_id, error, attempts, updated_at "
                "FROM submissions ORDER BY updated_at, key"
            ).fetchall()
        for row in rows:
            yield JournalEntry(*row)

    def record_sending(self, key: str, transaction_id: str) -> None:
        """Record, durably, that ``key`` is about to be sent with ``transaction_id``.

        Call it before the first byte goes out: that is what lets a restart tell "maybe sent" apart
        from "never sent".
        """
        self._write(
            "INSERT INTO submissions (key, state, transaction_id, attempts, updated_at) "
            "VALUES (?, 'sending', ?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = 'sending', transaction_id = excluded.transaction_id, "
            "message_id = NULL, error = NULL, attempts = attempts + 1, updated_at = excluded.updated_at",
            (key, transaction_id, time.time()),
        )

    def record_accepted(self, key: str, message_id: str | None) -> None:
        """Record that the relay accepted ``key`` and answered ``message_id``."""
        self._set_state(key, "accepted", message_id=message_id)

    def record_failed(self, key: str, error: str) -> None:
        """Record that the send of ``key`` certainly did not take effect (safe to send again)."""
        self._set_state(key, "failed", error=error)

    def record_unknown(self, key: str, error: str) -> None:
        """Record that the send of ``key`` may have taken effect (not resent by default)."""
        self._set_state(key, "unknown", error=error)

    def _set_state(
        self, key: str, state: State, *, message_id: str | None = None, error: str | None = None
    ) -> None:
        self._write(
            "UPDATE submissions SET state = ?, message_id = ?, error = ?, updated_at = ? WHERE key = ?",
            (state, message_id, error, time.time(), key),
        )

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
