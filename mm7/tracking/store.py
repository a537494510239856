"""The tracker: submits and reports stored beside the inbox, folded atomically into a state per recipient.

Three tables live in the inbox's database (created idempotently the first time a tracker opens it):

* ``tracking_submits``: one row per accepted (MessageID, recipient) with the submit time, the profile,
  whether a delivery report was requested, the sweep deadline and when the sweep gave up;
* ``tracking_reports``: every distinct report (the history), unique on MessageID, recipient, kind, MMStatus
  and Date, so a copy of a report is a no-op;
* ``tracking_state``: the state :func:`mm7.tracking.state.derive` gives for each (MessageID, recipient),
  kept for listing (:meth:`Tracker.messages`).

A report for a MessageID not (yet) submitted is stored all the same; when the submit is recorded the
states are derived again from everything stored, so the report joins it.

Concurrency: each change is one transaction that inserts, reads back every report of the recipient and
writes the derived state. On SQLite writers are serialized (the inbox's writer gate and ``BEGIN
IMMEDIATE``); on PostgreSQL a transaction-level advisory lock per (MessageID, recipient) makes concurrent
receivers fold one after the other, so no report is lost from the derived state.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeAlias

from mm7.codec import summary
from mm7.codec.decoding import DecodedMessage
from mm7.errors import ConfigError
from mm7.inbox import Inbox, Notification, NotificationKind, open_inbox
from mm7.inbox._sql import SQLInbox
from mm7.inbox.sqlite import SQLiteInbox
from mm7.tracking.state import (
    DEFAULT_REPORT_WINDOW,
    DeliveryState,
    HistoryEntry,
    ReadStatus,
    Report,
    ReportKind,
    derive,
    recipient_key,
)

if TYPE_CHECKING:
    from mm7.client import SubmitResult
    from mm7.codec.message_types import MM7Message, SubmitReq
    from mm7.server.worker import Received

__all__ = [
    "MessageStatus",
    "NoReportReason",
    "RecipientStatus",
    "ReportSource",
    "TrackedRecipient",
    "Tracker",
    "report_from",
]

#: The header under which the receiver stores what a tolerant decode found schema-invalid
#: (``mm7.server.core.VIOLATIONS_HEADER``; named here so the tracker does not import the receiver).
_VIOLATIONS_HEADER = "X-MM7-Violations"
#: Advisory-lock class of the tracker on PostgreSQL ("mm7" in ASCII); the second key is a hash.
_LOCK_CLASS = 0x6D6D37
_SCHEMA_LOCK = 0
_SWEEP_BATCH = 200
_OPEN_STATES = tuple(s.value for s in DeliveryState if not s.final)

#: The tables, written for both backends: ``{id}`` is the identity column, ``{ts}`` a timestamp column
#: (text in the inbox's UTC format on SQLite, as its own tables keep them; TIMESTAMPTZ on PostgreSQL).
_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS tracking_submits (
        message_id       TEXT NOT NULL,
        recipient_key    TEXT NOT NULL,
        recipient        TEXT NOT NULL,
        submitted_at     {ts} NOT NULL,
        profile          TEXT,
        report_requested INTEGER NOT NULL,
        deadline         {ts} NOT NULL,
        no_report_at     {ts},
        PRIMARY KEY (message_id, recipient_key)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tracking_reports (
        id             {id},
        message_id     TEXT NOT NULL,
        recipient_key  TEXT NOT NULL,
        recipient      TEXT,
        kind           TEXT NOT NULL,
        mm_status      TEXT NOT NULL,
        status_text    TEXT,
        event_date     {ts},
        event_key      TEXT NOT NULL,
        transaction_id TEXT,
        received_at    {ts},
        problem        TEXT,
        UNIQUE (message_id, recipient_key, kind, mm_status, event_key)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tracking_state (
        message_id    TEXT NOT NULL,
        recipient_key TEXT NOT NULL,
        recipient     TEXT,
        state         TEXT NOT NULL,
        read_status   TEXT,
        updated_at    {ts} NOT NULL,
        PRIMARY KEY (message_id, recipient_key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tracking_submits_due ON tracking_submits (deadline) "
    "WHERE no_report_at IS NULL",
    "CREATE INDEX IF NOT EXISTS tracking_state_by_state ON tracking_state (state)",
    "CREATE INDEX IF NOT EXISTS tracking_reports_received ON tracking_reports (received_at)",
)
_SQLITE_SCHEMA = tuple(s.format(id="INTEGER PRIMARY KEY", ts="TEXT") for s in _SCHEMA)
_POSTGRES_SCHEMA = tuple(
    s.format(id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", ts="TIMESTAMPTZ") for s in _SCHEMA
)


class NoReportReason(StrEnum):
    """Why no final report is known for a recipient, as far as the tracker can tell."""

    NOT_REQUESTED = "report not requested"
    """The submit did not ask for a delivery report."""
    NONE_RECEIVED = "no report received at all on this receiver"
    """Not one delivery report (for any message) reached this receiver since the submit."""
    ANSWERED_WITH_ERROR = "report received but answered with an error"
    """A report for this message came but could not be read, or was refused or stored flagged."""


@dataclass(frozen=True, slots=True)
class RecipientStatus:
    """One recipient of a message: its state, its history and, without a final report, why.

    Attributes:
        recipient: The address as submitted (as reported, for a report whose submit is unknown).
        state: The lifecycle state.
        read: What a read reply said, if one came.
        final_report: The report that decided a final state.
        conflicts: Other final reports that disagree with it.
        history: Every distinct report, in event order.
        submitted_at: When the submit was accepted (None: no submit recorded).
        report_requested: Whether the submit asked for a delivery report (None: no submit recorded).
        profile: The profile name the submit was sent with.
        deadline: When the sweep stops waiting for a final report.
        no_report_reason: Why no final report is known (None when one is, or when nothing points to a cause).
        problems: What was wrong with reports received for this message (unreadable, flagged, refused).
    """

    recipient: str
    state: DeliveryState
    read: ReadStatus | None
    final_report: HistoryEntry | None
    conflicts: tuple[HistoryEntry, ...]
    history: tuple[HistoryEntry, ...]
    submitted_at: datetime | None
    report_requested: bool | None
    profile: str | None
    deadline: datetime | None
    no_report_reason: NoReportReason | None
    problems: tuple[str, ...] = ()

    @property
    def final(self) -> bool:
        """True when the state is final (``no_report`` included)."""
        return self.state.final

    def as_dict(self) -> dict[str, Any]:
        """The recipient's status as JSON-ready values (times in ISO 8601)."""
        return {
            "recipient": self.recipient,
            "state": self.state.value,
            "final": self.final,
            "read": None if self.read is None else self.read.value,
            "no_report_reason": None if self.no_report_reason is None else self.no_report_reason.value,
            "submitted_at": _iso(self.submitted_at),
            "report_requested": self.report_requested,
            "profile": self.profile,
            "deadline": _iso(self.deadline),
            "final_report": None if self.final_report is None else self.final_report.as_dict(),
            "conflicts": [entry.as_dict() for entry in self.conflicts],
            "history": [entry.as_dict() for entry in self.history],
            "problems": list(self.problems),
        }


@dataclass(frozen=True, slots=True)
class MessageStatus:
    """Everything known about one MessageID.

    Attributes:
        message_id: The MessageID.
        recipients: One entry per recipient, submitted ones first in submit order, then recipients
            only reports named.
    """

    message_id: str
    recipients: tuple[RecipientStatus, ...]

    @property
    def submitted(self) -> bool:
        """True when the submit was recorded (not only reports about it)."""
        return any(r.submitted_at is not None for r in self.recipients)

    @property
    def final(self) -> bool:
        """True when every recipient is in a final state."""
        return all(r.final for r in self.recipients)

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON-ready values (what ``mm7 status --json`` prints)."""
        return {
            "message_id": self.message_id,
            "submitted": self.submitted,
            "final": self.final,
            "recipients": [r.as_dict() for r in self.recipients],
        }


@dataclass(frozen=True, slots=True)
class TrackedRecipient:
    """One (MessageID, recipient) as :meth:`Tracker.messages` lists it.

    Attributes:
        message_id: The MessageID.
        recipient: The recipient address.
        state: The lifecycle state.
        read: What a read reply said, if one came.
        submitted_at: When the submit was accepted (None: only reports are known).
        profile: The profile name of the submit.
        updated_at: When the state was last derived.
    """

    message_id: str
    recipient: str
    state: DeliveryState
    read: ReadStatus | None
    submitted_at: datetime | None
    profile: str | None
    updated_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _aware(value: datetime, name: str) -> datetime:
    if value.utcoffset() is None:
        raise ConfigError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


def _xml_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    result = value.to_datetime()
    if not isinstance(result, datetime) or result.utcoffset() is None:
        return None  # a Date without a zone cannot be placed in time
    return result


_KIND_OF_OPERATION = {"DeliveryReportReq": ReportKind.DELIVERY_REPORT, "ReadReplyReq": ReportKind.READ_REPLY}


#: What :meth:`Tracker.fold` reads a report from.
ReportSource: TypeAlias = "Report | Notification | Received | DecodedMessage[MM7Message | None]"


def report_from(item: ReportSource) -> Report:
    """Read a report from what the receiver or a worker has: a decoded request, or a stored notification.

    Args:
        item: A :class:`Report`; an inbox :class:`~mm7.inbox.Notification` (or stored notification) of
            kind ``delivery_report`` or ``read_reply``; what a worker handler receives
            (:class:`mm7.server.worker.Received`); or :func:`mm7.decode` output of a DeliveryReportReq or
            ReadReplyReq.

    Returns:
        The report.

    Raises:
        ConfigError: It is another kind of message, or carries no MessageID.
    """
    if isinstance(item, Report):
        return item
    stored = getattr(item, "notification", None)  # a worker's Received carries the stored notification
    if isinstance(stored, Notification):
        return _from_notification(stored)
    if isinstance(item, Notification):
        return _from_notification(item)
    if not isinstance(item, DecodedMessage):
        raise ConfigError(f"cannot read a report from {type(item).__name__}")
    kind = _KIND_OF_OPERATION.get(item.operation)
    if kind is None:
        raise ConfigError(f"a {item.operation} is not a delivery report or read reply")
    read = summary.summarize(item.message)
    if not read.message_id:
        raise ConfigError(f"the {item.operation} of TransactionID {item.transaction_id} has no MessageID")
    return Report(
        kind=kind,
        message_id=read.message_id,
        recipient=read.recipient.value if read.recipient is not None else None,
        mm_status=read.mm_status,
        status_text=read.status_text,
        date=_xml_datetime(read.date),
        transaction_id=item.transaction_id,
        received_at=_now(),
        problem="; ".join(map(str, item.violations)) or None,
    )


def _from_notification(item: Notification) -> Report:
    if item.kind is NotificationKind.DELIVER:
        raise ConfigError("a DeliverReq is not a report about a submitted message")
    if not item.message_id:
        raise ConfigError(f"the {item.kind} of TransactionID {item.transaction_id} has no MessageID")
    return Report(
        kind=ReportKind(item.kind.value),
        message_id=item.message_id,
        recipient=item.recipient,
        mm_status=item.mm_status,
        status_text=item.status_text,
        date=item.event_date,
        transaction_id=item.transaction_id,
        received_at=item.received_at,
        problem=item.headers.get(_VIOLATIONS_HEADER) or None,
    )


class Tracker:
    """Submits and delivery reports of one inbox database, folded into a state per (MessageID, recipient).

    Safe to share between threads; several processes (hosts, on PostgreSQL) may use one database at once.

    Args:
        inbox: An open SQL inbox (:func:`mm7.inbox.open_inbox`): the tracker uses its database and
            connections. It is not closed with the tracker unless ``close_inbox``.
        report_window: How long after a submit the sweep waits for a final report (default 72 hours);
            :meth:`record_submit` may set another one per submit.
        profile_windows: Report windows per profile name (a carrier that keeps messages longer or shorter),
            used for submits recorded with that profile and no window of their own.
        close_inbox: Close the inbox when the tracker is closed (:meth:`open` sets it).

    Raises:
        ConfigError: The inbox is not an SQL inbox of this package.
        StorageError: The tables cannot be created.
    """

    def __init__(
        self,
        inbox: Inbox,
        *,
        report_window: timedelta = DEFAULT_REPORT_WINDOW,
        profile_windows: Mapping[str, timedelta] | None = None,
        close_inbox: bool = False,
    ) -> None:
        if not isinstance(inbox, SQLInbox):
            raise ConfigError(f"a tracker needs an SQLite or PostgreSQL inbox, got {inbox!r}")
        windows = dict(profile_windows or {})
        for name, window in [("report_window", report_window), *windows.items()]:
            if window <= timedelta(0):
                raise ConfigError(f"the report window of {name} must be positive, got {window}")
        self.inbox: SQLInbox = inbox
        self.report_window = report_window
        self.profile_windows = windows
        self._close_inbox = close_inbox
        self._sqlite = isinstance(inbox, SQLiteInbox)
        self._read_only = bool(getattr(inbox, "read_only", False))
        self._ready = self._create_schema()

    @classmethod
    def open(
        cls,
        url: str,
        *,
        read_only: bool = False,
        report_window: timedelta = DEFAULT_REPORT_WINDOW,
        profile_windows: Mapping[str, timedelta] | None = None,
    ) -> Tracker:
        """Open the tracker in the inbox database at ``url`` (``sqlite:///path.db``, ``postgresql://...``).

        Args:
            url: An inbox URL, as :func:`mm7.inbox.open_inbox` reads it.
            read_only: Open without write access (reporting tools): nothing is created; a database without
                the tracker's tables reads as empty.
            report_window: See :class:`Tracker`.
            profile_windows: See :class:`Tracker`.

        Returns:
            A tracker that closes its inbox when closed.
        """
        inbox = open_inbox(url, read_only=read_only)
        try:
            return cls(inbox, report_window=report_window, profile_windows=profile_windows, close_inbox=True)
        except BaseException:
            inbox.close()
            raise

    def __repr__(self) -> str:
        return f"Tracker({self.inbox!r})"

    def close(self) -> None:
        """Close the inbox if the tracker opened it. Idempotent."""
        if self._close_inbox:
            self.inbox.close()

    def __enter__(self) -> Self:
        """Return the tracker; leaving the block closes it."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the tracker."""
        self.close()

    # ---------------------------------------------------------------- schema and SQL helpers

    def _create_schema(self) -> bool:
        """Create the tables (idempotent); in read-only mode only tell whether they exist."""
        if self._read_only:
            with self.inbox._tx(write=False) as conn:
                if self._sqlite:
                    row = conn.execute(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tracking_state'"
                    ).fetchone()
                    return bool(row and row[0])
                row = conn.execute("SELECT to_regclass('tracking_state') IS NOT NULL").fetchone()
                return bool(row and row[0])
        with self.inbox._tx() as conn:
            if not self._sqlite:
                # CREATE ... IF NOT EXISTS alone races between processes on PostgreSQL.
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_CLASS, _SCHEMA_LOCK))
            for statement in _SQLITE_SCHEMA if self._sqlite else _POSTGRES_SCHEMA:
                conn.execute(statement)
        return True

    def _q(self, sql: str) -> str:
        return self.inbox._q(sql)

    def _ts(self, value: datetime | None) -> Any:
        return self.inbox._ts_in(value)

    def _lock(self, conn: Any, message_id: str, key: str) -> None:
        """Serialize changes to one (MessageID, recipient) on PostgreSQL (SQLite has one writer)."""
        if not self._sqlite:
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, f"{message_id}\x1f{key}")
            )

    def _entries(self, conn: Any, message_id: str, key: str | None = None) -> builtins.list[tuple[Any, ...]]:
        where = "message_id = ?" + ("" if key is None else " AND recipient_key = ?")
        params = (message_id,) if key is None else (message_id, key)
        rows: builtins.list[tuple[Any, ...]] = conn.execute(
            self._q(
                "SELECT recipient_key, recipient, kind, mm_status, status_text, event_date, transaction_id, "
                f"received_at, problem FROM tracking_reports WHERE {where} ORDER BY id"
            ),
            params,
        ).fetchall()
        return rows

    def _entry(self, row: Sequence[Any]) -> HistoryEntry:
        return HistoryEntry(
            kind=ReportKind(row[2]),
            mm_status=row[3] or None,
            status_text=row[4],
            date=self.inbox._ts_out(row[5]),
            transaction_id=row[6],
            received_at=self.inbox._ts_out(row[7]),
            problem=row[8],
        )

    def _refresh(self, conn: Any, message_id: str, key: str) -> None:
        """Derive the state of one (MessageID, recipient) from everything stored and keep it."""
        submit = conn.execute(
            self._q(
                "SELECT recipient, no_report_at FROM tracking_submits "
                "WHERE message_id = ? AND recipient_key = ?"
            ),
            (message_id, key),
        ).fetchone()
        rows = self._entries(conn, message_id, key)
        if submit is None and not rows:
            return
        derived = derive(
            (self._entry(r) for r in rows), no_report=submit is not None and submit[1] is not None
        )
        recipient = submit[0] if submit is not None else next((r[1] for r in rows if r[1]), key)
        conn.execute(
            self._q(
                "INSERT INTO tracking_state (message_id, recipient_key, recipient, state, read_status, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, recipient_key) DO UPDATE SET "
                "recipient = excluded.recipient, state = excluded.state, read_status = excluded.read_status, "
                "updated_at = excluded.updated_at"
            ),
            (
                message_id,
                key,
                recipient,
                derived.state.value,
                None if derived.read is None else derived.read.value,
                self._ts(_now()),
            ),
        )

    # ---------------------------------------------------------------- writing

    def record_submit(
        self,
        message_id: str,
        recipients: Iterable[str],
        *,
        report_requested: bool,
        profile: str | None = None,
        at: datetime | None = None,
        report_window: timedelta | None = None,
    ) -> None:
        """Record an accepted submit: one pending (MessageID, recipient) per recipient.

        Recording the same submit again changes nothing; reports that arrived before it join it now.

        Args:
            message_id: The MessageID of the SubmitRsp.
            recipients: Every address the SubmitReq named (To, Cc and Bcc).
            report_requested: Whether the SubmitReq had DeliveryReport true.
            profile: The name of the profile (carrier) it was sent with, if any.
            at: When it was accepted (default now); timezone-aware.
            report_window: How long to wait for a final report (default: the profile's window in
                ``profile_windows``, else the tracker's ``report_window``).

        Raises:
            ConfigError: No MessageID, no recipient, a naive ``at`` or a window that is not positive.
            StorageError: The database failed; nothing was recorded.
        """
        if not message_id:
            raise ConfigError("record_submit needs the MessageID of the SubmitRsp")
        window = report_window
        if window is None:
            window = self.profile_windows.get(profile or "", self.report_window)
        if window <= timedelta(0):
            raise ConfigError(f"report_window must be positive, got {window}")
        when = _now() if at is None else _aware(at, "at")
        by_key: dict[str, str] = {}
        for address in recipients:
            by_key.setdefault(recipient_key(address), address)
        if not by_key:
            raise ConfigError(f"record_submit of {message_id}: no recipient")
        with self.inbox._tx() as conn:
            for key in sorted(by_key):  # one lock order everywhere: no deadlock between transactions
                self._lock(conn, message_id, key)
                conn.execute(
                    self._q(
                        "INSERT INTO tracking_submits (message_id, recipient_key, recipient, submitted_at, "
                        "profile, report_requested, deadline) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (message_id, recipient_key) DO NOTHING"
                    ),
                    (
                        message_id,
                        key,
                        by_key[key],
                        self._ts(when),
                        profile,
                        int(report_requested),
                        self._ts(when + window),
                    ),
                )
                self._refresh(conn, message_id, key)

    def record_sent(
        self,
        request: SubmitReq,
        result: SubmitResult | str,
        *,
        profile: str | None = None,
        at: datetime | None = None,
        report_window: timedelta | None = None,
    ) -> None:
        """Record a SubmitReq the relay accepted: its recipients, and whether it asked for a delivery report.

        Args:
            request: The SubmitReq as sent (:func:`mm7.submit_request`).
            result: The client's :class:`~mm7.client.SubmitResult`, or the MessageID of the SubmitRsp.
            profile: The name of the profile (carrier) it was sent with.
            at: When it was accepted (default now).
            report_window: How long to wait for a final report (default: the tracker's).

        Raises:
            ConfigError: The result has no MessageID, or the request no recipient.
            StorageError: The database failed; nothing was recorded.
        """
        message_id = result if isinstance(result, str) else result.message_id
        if not message_id:
            raise ConfigError("the SubmitRsp carried no MessageID: nothing to track the message by")
        self.record_submit(
            message_id,
            [address.value for address in summary.recipients(request)],
            report_requested=bool(request.delivery_report),
            profile=profile,
            at=at,
            report_window=report_window,
        )

    def fold(self, report: ReportSource) -> bool:
        """Fold one delivery report or read reply into its recipient's state, atomically.

        Args:
            report: A :class:`Report`, an inbox notification, a worker's ``Received``, or a decoded
                DeliveryReportReq/ReadReplyReq (see :func:`report_from`).

        Returns:
            True when the report was new; False for a copy of one already folded (nothing changed).

        Raises:
            ConfigError: It is not a report, or has no MessageID.
            StorageError: The database failed; nothing was folded.
        """
        read = report_from(report)
        entry = read.entry()
        key = recipient_key(read.recipient)
        with self.inbox._tx() as conn:
            if not key:
                key = self._only_recipient(conn, read.message_id) or key
            self._lock(conn, read.message_id, key)
            row = conn.execute(
                self._q(
                    "INSERT INTO tracking_reports (message_id, recipient_key, recipient, kind, mm_status, "
                    "status_text, event_date, event_key, transaction_id, received_at, problem) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
                ),
                (
                    read.message_id,
                    key,
                    read.recipient,
                    entry.kind.value,
                    entry.mm_status or "",
                    entry.status_text,
                    self._ts(entry.date),
                    entry.identity[2],
                    entry.transaction_id,
                    self._ts(entry.received_at or _now()),
                    entry.problem,
                ),
            ).fetchone()
            if row is None:
                return False
            self._refresh(conn, read.message_id, key)
        return True

    def _only_recipient(self, conn: Any, message_id: str) -> str | None:
        """The recipient key of a single-recipient submit (a report without Recipient is about it)."""
        rows = conn.execute(
            self._q("SELECT recipient_key FROM tracking_submits WHERE message_id = ? LIMIT 2"), (message_id,)
        ).fetchall()
        return str(rows[0][0]) if len(rows) == 1 else None

    def sweep(self, now: datetime | None = None) -> int:
        """Mark every submitted recipient without a final report past its deadline as ``no_report``.

        A final report that arrives later still replaces ``no_report``.

        Args:
            now: The time to compare deadlines with (default now); timezone-aware.

        Returns:
            How many recipients were marked.

        Raises:
            StorageError: The database failed (recipients marked by earlier batches stay marked).
        """
        when = _now() if now is None else _aware(now, "now")
        if not self._ready:
            return 0
        marked = 0
        states = ", ".join("?" * len(_OPEN_STATES))
        while True:
            with self.inbox._tx() as conn:
                due = conn.execute(
                    self._q(
                        "SELECT s.message_id, s.recipient_key FROM tracking_submits s JOIN tracking_state t "
                        "ON t.message_id = s.message_id AND t.recipient_key = s.recipient_key "
                        f"WHERE s.no_report_at IS NULL AND s.deadline <= ? AND t.state IN ({states}) "
                        "ORDER BY s.message_id, s.recipient_key LIMIT ?"
                    ),
                    (self._ts(when), *_OPEN_STATES, _SWEEP_BATCH),
                ).fetchall()
                for message_id, key in due:
                    self._lock(conn, message_id, key)
                    changed = conn.execute(
                        self._q(
                            "UPDATE tracking_submits SET no_report_at = ? "
                            "WHERE message_id = ? AND recipient_key = ? AND no_report_at IS NULL"
                        ),
                        (self._ts(when), message_id, key),
                    ).rowcount
                    if changed:
                        self._refresh(conn, message_id, key)
                        marked += 1
            if len(due) < _SWEEP_BATCH:
                return marked

    # ---------------------------------------------------------------- reading

    def status(self, message_id: str, *, now: datetime | None = None) -> MessageStatus | None:
        """Everything known about a MessageID: per recipient, its state, history and why no report came.

        A recipient past its deadline without a final report reads as ``no_report`` whether or not
        :meth:`sweep` has recorded it yet.

        Args:
            message_id: The MessageID of the SubmitRsp.
            now: The time deadlines are compared with (default now); timezone-aware.

        Returns:
            The status, or None when neither a submit nor a report is known for it.

        Raises:
            StorageError: The database failed.
        """
        when = _now() if now is None else _aware(now, "now")
        if not self._ready:
            return None
        with self.inbox._tx(write=False) as conn:
            submits = conn.execute(
                self._q(
                    "SELECT recipient_key, recipient, submitted_at, profile, report_requested, deadline, "
                    "no_report_at FROM tracking_submits WHERE message_id = ? "
                    "ORDER BY submitted_at, recipient_key"
                ),
                (message_id,),
            ).fetchall()
            reports = self._entries(conn, message_id)
            if not submits and not reports:
                return None
            times = [t for s in submits if (t := self.inbox._ts_out(s[2])) is not None]
            first_submit = min(times, default=None)
            flagged = self._flagged_in_inbox(conn, message_id)
            any_report = first_submit is None or self._any_report_since(conn, first_submit)
        by_key: dict[str, builtins.list[HistoryEntry]] = {}
        names: dict[str, str] = {}
        for row in reports:
            by_key.setdefault(row[0], []).append(self._entry(row))
            names.setdefault(row[0], row[1] or row[0])
        problems = tuple(
            dict.fromkeys([*flagged, *(e.problem for es in by_key.values() for e in es if e.problem)])
        )
        recipients: builtins.list[RecipientStatus] = []
        for key, recipient, submitted_at, profile, requested, deadline, no_report_at in submits:
            due = self.inbox._ts_out(deadline)
            # Past its deadline a recipient reads as no_report even before a sweep has recorded it.
            gave_up = no_report_at is not None or (due is not None and due <= when)
            derived = derive(by_key.pop(key, []), no_report=gave_up)
            reason = None
            if derived.final_report is None:
                if not requested:
                    reason = NoReportReason.NOT_REQUESTED
                elif problems:
                    reason = NoReportReason.ANSWERED_WITH_ERROR
                elif not any_report:
                    reason = NoReportReason.NONE_RECEIVED
            recipients.append(
                RecipientStatus(
                    recipient=recipient,
                    state=derived.state,
                    read=derived.read,
                    final_report=derived.final_report,
                    conflicts=derived.conflicts,
                    history=derived.history,
                    submitted_at=self.inbox._ts_out(submitted_at),
                    report_requested=bool(requested),
                    profile=profile,
                    deadline=due,
                    no_report_reason=reason,
                    problems=problems,
                )
            )
        for key, entries in by_key.items():  # reports about recipients no submit named
            derived = derive(entries)
            recipients.append(
                RecipientStatus(
                    recipient=names[key],
                    state=derived.state,
                    read=derived.read,
                    final_report=derived.final_report,
                    conflicts=derived.conflicts,
                    history=derived.history,
                    submitted_at=None,
                    report_requested=None,
                    profile=None,
                    deadline=None,
                    no_report_reason=None,
                    problems=problems,
                )
            )
        return MessageStatus(message_id=message_id, recipients=tuple(recipients))

    def _flagged_in_inbox(self, conn: Any, message_id: str) -> builtins.list[str]:
        """Problems of delivery reports about ``message_id`` the inbox stored unreadable or flagged."""
        rows = conn.execute(
            self._q(
                "SELECT mm_status, headers FROM inbox_notifications "
                "WHERE kind = 'delivery_report' AND message_id = ? ORDER BY id"
            ),
            (message_id,),
        ).fetchall()
        found = []
        for mm_status, headers in rows:
            violations = self.inbox._headers_out(headers).get(_VIOLATIONS_HEADER)
            if violations:
                found.append(violations)
            elif not mm_status:
                found.append("a delivery report without a readable MMStatus")
        return found

    def _any_report_since(self, conn: Any, since: datetime) -> bool:
        """Whether this database received any delivery report (for any message) since ``since``."""
        for table in ("inbox_notifications", "tracking_reports"):
            kind = "kind = 'delivery_report' AND " if table == "inbox_notifications" else ""
            row = conn.execute(
                self._q(f"SELECT 1 FROM {table} WHERE {kind}received_at >= ? LIMIT 1"), (self._ts(since),)
            ).fetchone()
            if row is not None:
                return True
        return False

    def messages(
        self,
        *,
        state: DeliveryState | str | None = None,
        older_than: timedelta | None = None,
        now: datetime | None = None,
        limit: int = 1000,
    ) -> builtins.list[TrackedRecipient]:
        """List tracked recipients, oldest submit first; past its deadline an open state reads ``no_report``.

        Args:
            state: Only this state; also ``"open"`` (any non-final state) or ``"final"``.
            older_than: Only submits accepted at least this long before ``now`` (reports without a
                recorded submit are left out then).
            now: The time ``older_than`` counts back from and deadlines are compared with (default now).
            limit: Most rows returned.

        Returns:
            One row per (MessageID, recipient).

        Raises:
            ConfigError: An unknown state.
            StorageError: The database failed.
        """
        when = _now() if now is None else _aware(now, "now")
        where: builtins.list[str] = []
        params: builtins.list[Any] = []
        if state is not None:
            if state in ("open", "final"):
                wanted = _OPEN_STATES if state == "open" else tuple(s.value for s in DeliveryState if s.final)
            else:
                try:
                    wanted = (DeliveryState(state).value,)
                except ValueError:
                    raise ConfigError(f"unknown state {state!r}") from None
            where.append(f"state IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        if older_than is not None:
            where.append("submitted_at <= ?")
            params.append(self._ts(when - older_than))
        if not self._ready:
            return []
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        open_states = ", ".join("?" * len(_OPEN_STATES))
        with self.inbox._tx(write=False) as conn:
            # The state as the sweep would leave it: open past the deadline reads as no_report.
            rows = conn.execute(
                self._q(
                    "SELECT message_id, recipient, state, read_status, submitted_at, profile, updated_at "
                    "FROM ("
                    "SELECT t.message_id, t.recipient_key, t.recipient, t.read_status, s.submitted_at, "
                    f"s.profile, t.updated_at, CASE WHEN t.state IN ({open_states}) AND s.deadline <= ? "
                    "THEN 'no_report' ELSE t.state END AS state FROM tracking_state t "
                    "LEFT JOIN tracking_submits s "
                    "ON s.message_id = t.message_id AND s.recipient_key = t.recipient_key) AS tracked "
                    f"{clause} ORDER BY submitted_at IS NULL, submitted_at, message_id, recipient_key LIMIT ?"
                ),
                (*_OPEN_STATES, self._ts(when), *params, limit),
            ).fetchall()
        return [
            TrackedRecipient(
                message_id=r[0],
                recipient=r[1] or "",
                state=DeliveryState(r[2]),
                read=None if r[3] is None else ReadStatus(r[3]),
                submitted_at=self.inbox._ts_out(r[4]),
                profile=r[5],
                updated_at=self.inbox._ts_out(r[6]) or _now(),
            )
            for r in rows
        ]
