"""The inbox interface: what the receiver stores and what workers claim.

The MM7 receiver (WSGI) must answer the MMSC quickly and only after the notification is stored
durably. Sinch's contract (see ``docs/sinch.md``): reply within 10 s with HTTP 200 and
a StatusCode 1000 response, otherwise the MMSC retries every 5 minutes, at most 5 times. So the same
notification can arrive up to 6 times, possibly concurrently, and the inbox deduplicates on a
``dedupe_key`` computed by :func:`dedupe_key_for`.

Workers run the application's handlers later: they :meth:`Inbox.claim` items with a lease,
then :meth:`Inbox.ack` or :meth:`Inbox.fail` them. A crashed worker's items come back when
their lease expires.

State machine of a stored notification::

    put ──▶ pending ──claim──▶ leased ──ack──▶ done
               ▲                 │  │
               └──fail (retry)───┘  └──fail (attempts >= max_attempts)──▶ failed
               ▲                 │
               └─lease expires───┘   (claim takes expired leases like pending items)

Errors::

    MM7Error
    └── InboxError                 anything the inbox refuses or fails to do
        ├── LeaseLostError         ack/fail by a worker that no longer holds the lease
        ├── StorageError           the database failed (I/O, disk full, read-only, locked);
        │                          the receiver must NOT answer 200, so the MMSC retries
        └── AttachmentTooLargeError (also a LimitExceededError: the peer sent too much)
"""

from __future__ import annotations

import abc
import builtins
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Self

from mm7.codec.status import MMStatus, is_final_mm_status
from mm7.errors import ConfigError, LimitExceededError, MM7Error

__all__ = [
    "DEFAULT_MAX_ATTACHMENT_SIZE",
    "FINAL_MM_STATUSES",
    "NON_FINAL_MM_STATUSES",
    "Attachment",
    "AttachmentTooLargeError",
    "DeliveryStatus",
    "Inbox",
    "InboxError",
    "LeaseLostError",
    "Notification",
    "NotificationKind",
    "NotificationState",
    "PutResult",
    "StorageError",
    "StoredNotification",
    "StreamedData",
    "dedupe_key_for",
    "dedupe_key_for_deliver",
    "dedupe_key_for_delivery_report",
    "dedupe_key_for_read_reply",
]

#: Largest attachment (bytes) the inbox stores by default. MMS content is small in practice
#: (carriers cap whole messages around 300 KB to 1 MB); 16 MiB leaves room for any real MMS while
#: stopping a hostile peer from filling the database with one request. Configurable per inbox.
DEFAULT_MAX_ATTACHMENT_SIZE = 16 * 1024 * 1024

#: MMStatus values after which no further delivery report is expected (see
#: :func:`mm7.codec.status.is_final_mm_status`: one list for the whole library).
FINAL_MM_STATUSES = frozenset(status.value for status in MMStatus if is_final_mm_status(status))
#: MMStatus values that announce progress only: a later report will follow.
NON_FINAL_MM_STATUSES = frozenset(status.value for status in MMStatus) - FINAL_MM_STATUSES


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class InboxError(MM7Error):
    """Root of the errors raised by the inbox."""


class LeaseLostError(InboxError):
    """The worker acknowledging or failing an item does not hold its lease (any more).

    Another worker claimed it after the lease expired, the item is not leased, or it does not exist.

    Attributes:
        notification_id: The id that was acknowledged or failed.
    """

    def __init__(self, message: str, *, notification_id: int) -> None:
        super().__init__(message)
        self.notification_id = notification_id


class StorageError(InboxError):
    """The database failed: I/O error, disk full, read-only or locked database, lost connection.

    Nothing was stored by the failing call (each call is one transaction). A receiver that gets
    this error must not answer HTTP 200: the MMSC will then retry later.
    """


def _storing_failed(cause: BaseException) -> StorageError:
    """A put's own StorageError for a failure that is not an inbox error (each put gets its own copy)."""
    error = StorageError(f"storing failed: {cause}")
    error.__cause__ = cause
    return error


class AttachmentTooLargeError(InboxError, LimitExceededError):
    """An attachment is larger than the inbox's ``max_attachment_size``.

    It is also a :class:`~mm7.errors.LimitExceededError` (a remote codec error): retrying the same
    request will not help, so a receiver answers it with an MM7 error status rather than a non-200.
    """


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


class NotificationKind(StrEnum):
    """Which MM7 request a notification came from."""

    DELIVER = "deliver"  # DeliverReq: a mobile-originated message
    DELIVERY_REPORT = "delivery_report"  # DeliveryReportReq
    READ_REPLY = "read_reply"  # ReadReplyReq


class NotificationState(StrEnum):
    """Processing state of a stored notification."""

    PENDING = "pending"
    LEASED = "leased"
    DONE = "done"
    FAILED = "failed"


def _utc(value: datetime, name: str) -> datetime:
    """Return ``value`` converted to UTC; naive datetimes are refused (their zone is a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigError(f"{name} must be a timezone-aware datetime, got naive {value!r}")
    return value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StreamedData:
    """A payload read in chunks when it is stored, instead of held in memory as one ``bytes``.

    The receiver passes one for MIME parts it spooled to disk, so that a large MO attachment goes from the
    temporary file into the database without a whole copy in memory (SQLite writes it through an incremental
    BLOB handle; PostgreSQL, whose driver needs the whole value, joins the chunks).

    Attributes:
        size: Exact number of bytes the chunks add up to.
        chunks: Returns a fresh iterator over the payload each time it is called.
    """

    size: int
    chunks: Callable[[], Iterable[bytes]]

    def __len__(self) -> int:
        return self.size

    def read_all(self) -> bytes:
        """The whole payload in memory."""
        data = b"".join(self.chunks())
        if len(data) != self.size:
            raise StorageError(f"attachment stream gave {len(data)} bytes, {self.size} announced")
        return data


@dataclass(frozen=True, slots=True)
class Attachment:
    """One content part of a notification, stored as raw bytes.

    Attributes:
        content_id: The part's Content-ID without angle brackets, if any.
        content_type: The part's full Content-Type (parameters included).
        content_location: The part's Content-Location, if any.
        data: The decoded bytes of the part (read back from the inbox always as ``bytes``; given to
            :meth:`Inbox.put` also as :class:`StreamedData`).
    """

    content_id: str | None
    content_type: str
    content_location: str | None
    data: bytes | StreamedData


@dataclass(kw_only=True, slots=True)
class Notification:
    """A notification as the receiver stores it.

    Attributes:
        kind: The MM7 operation it came from.
        dedupe_key: Identity across the MMSC's retries; see :func:`dedupe_key_for`.
        transaction_id: The SOAP header's TransactionID (of the first copy stored).
        mm7_version: The request's MM7Version, e.g. ``"6.8.0"``.
        namespace: The MM7 schema namespace of the request.
        message_id: MessageID (delivery reports, read replies), or None.
        sender: The sender address (an end user for MO, the short code for DRs), or None.
        recipient: The recipient address, or None.
        mm_status: MMStatus of a delivery report / read reply, e.g. ``"Retrieved"``.
        status_text: StatusText, if any.
        event_date: When the event happened (DR ``Date``, MO ``TimeStamp``), in UTC.
        envelope: The raw SOAP envelope (XML bytes), kept so nothing is lost.
        attachments: Content parts, in order.
        received_at: When the receiver got the (first) copy, in UTC.
        headers: Selected HTTP headers, e.g. ``{"X-Mblox-Carrier-Id": "0001470"}``.
    """

    kind: NotificationKind
    dedupe_key: str
    transaction_id: str
    mm7_version: str
    namespace: str
    message_id: str | None = None
    sender: str | None = None
    recipient: str | None = None
    mm_status: str | None = None
    status_text: str | None = None
    event_date: datetime | None = None
    envelope: bytes = b""
    attachments: list[Attachment] = field(default_factory=list)
    received_at: datetime = field(default_factory=_now)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.kind = NotificationKind(self.kind)
        if not self.dedupe_key:
            raise ConfigError("dedupe_key must not be empty")
        if self.event_date is not None:
            self.event_date = _utc(self.event_date, "event_date")
        self.received_at = _utc(self.received_at, "received_at")


@dataclass(kw_only=True, slots=True)
class StoredNotification(Notification):
    """A notification as the inbox holds it, with its processing state.

    Attributes:
        id: The inbox's id for this notification.
        state: Processing state.
        attempts: How many times it was claimed (each lease is one attempt, crashed ones included).
        times_received: How many times the MMSC posted it (1 + duplicates).
        lease_owner: The worker that holds (or last held) the lease.
        lease_expires_at: When the current lease ends, if leased.
        last_error: The error text given to the last :meth:`Inbox.fail`.
        available_at: When a pending item may be claimed (later than now after a failure).
        last_received_at: When the MMSC last posted it.
    """

    id: int
    state: NotificationState
    attempts: int = 0
    times_received: int = 1
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    available_at: datetime | None = None
    last_received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PutResult:
    """The outcome of :meth:`Inbox.put`.

    Attributes:
        id: The stored notification's id (the existing one for a duplicate).
        created: True when this call stored it, False for a duplicate.
        times_received: How many times it has been put, this call included.
    """

    id: int
    created: bool
    times_received: int = 1


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """The latest known delivery status of a submitted message.

    Attributes:
        message_id: The MessageID from SubmitRsp.
        recipient: The recipient the latest report was about.
        mm_status: The latest MMStatus, e.g. ``"Retrieved"``.
        status_text: Its StatusText, if any.
        event_date: The report's Date, if given.
        final: True when no further report is expected (see :data:`FINAL_MM_STATUSES`).
        notification_id: The id of the delivery report it comes from.
        reports: How many distinct delivery reports were stored for this message (and recipient).
    """

    message_id: str
    recipient: str | None
    mm_status: str
    status_text: str | None
    event_date: datetime | None
    final: bool
    notification_id: int
    reports: int


# --------------------------------------------------------------------------------------------
# Dedupe keys
# --------------------------------------------------------------------------------------------


def _digest(*parts: str | None) -> str:
    # A unit separator between parts keeps ("ab", "c") and ("a", "bc") apart; None and "" differ too.
    h = hashlib.sha256()
    for part in parts:
        h.update(b"\x00" if part is None else b"\x01" + part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def dedupe_key_for_delivery_report(
    message_id: str, recipient: str | None, mm_status: str, date: datetime | None
) -> str:
    """Return the dedupe key of a DeliveryReportReq.

    Sinch retries a notification it got no HTTP 200 for (5 minutes apart, at most 5 times), and
    nothing promises the retry carries the same TransactionID. A delivery report is identified by
    its content: MessageID, recipient, MMStatus and Date. Two different reports for one message
    (Forwarded, then Retrieved) differ in MMStatus or Date, so both are kept.

    Args:
        message_id: MessageID the report is about.
        recipient: The recipient's address.
        mm_status: The MMStatus value.
        date: The report's Date (converted to UTC so equal instants give equal keys).

    Returns:
        ``"delivery_report:"`` followed by a SHA-256 hex digest.
    """
    iso = None if date is None else _utc(date, "date").isoformat()
    return f"{NotificationKind.DELIVERY_REPORT}:{_digest(message_id, recipient, mm_status, iso)}"


def _by_link_or_transaction(
    kind: NotificationKind, linked_id: str | None, transaction_id: str, sender: str | None
) -> str:
    if linked_id:
        return f"{kind}:linked:{_digest(linked_id)}"
    return f"{kind}:tx:{_digest(transaction_id, sender)}"


def dedupe_key_for_deliver(linked_id: str | None, transaction_id: str, sender: str | None) -> str:
    """Return the dedupe key of a DeliverReq (a mobile-originated message).

    The MMSC's LinkedID names the MO message itself (replies quote it), so it stays the same on
    every retry Sinch makes (up to 5, 5 minutes apart) even if the TransactionID changes. Without
    a LinkedID the TransactionID is the only identity there is; it is only unique per sending
    peer, so the sender is mixed in.

    Args:
        linked_id: The DeliverReq's LinkedID, if present.
        transaction_id: The SOAP header's TransactionID.
        sender: The sender address.

    Returns:
        A key starting with ``"deliver:"``.
    """
    return _by_link_or_transaction(NotificationKind.DELIVER, linked_id, transaction_id, sender)


def dedupe_key_for_read_reply(linked_id: str | None, transaction_id: str, sender: str | None) -> str:
    """Return the dedupe key of a ReadReplyReq.

    Same rule as :func:`dedupe_key_for_deliver`: LinkedID if the MMSC gives one, else the
    TransactionID (retries of one request keep it) together with the sender.

    Args:
        linked_id: A LinkedID, if present.
        transaction_id: The SOAP header's TransactionID.
        sender: The sender address.

    Returns:
        A key starting with ``"read_reply:"``.
    """
    return _by_link_or_transaction(NotificationKind.READ_REPLY, linked_id, transaction_id, sender)


def dedupe_key_for(
    kind: NotificationKind | str,
    *,
    transaction_id: str,
    message_id: str | None = None,
    linked_id: str | None = None,
    sender: str | None = None,
    recipient: str | None = None,
    mm_status: str | None = None,
    date: datetime | None = None,
) -> str:
    """Return the dedupe key for a notification of ``kind``.

    Dispatches to :func:`dedupe_key_for_delivery_report`, :func:`dedupe_key_for_deliver` or
    :func:`dedupe_key_for_read_reply`; keys of different kinds never collide (they carry the kind).

    Args:
        kind: The notification kind.
        transaction_id: The SOAP header's TransactionID.
        message_id: MessageID (required for delivery reports).
        linked_id: LinkedID, if present.
        sender: Sender address.
        recipient: Recipient address.
        mm_status: MMStatus (required for delivery reports).
        date: Report Date (delivery reports).

    Returns:
        The key to put in :attr:`Notification.dedupe_key`.

    A delivery report without MessageID or MMStatus (one stored flagged, still invalid after tolerant
    repair) falls back to the TransactionID and sender, as MO messages without LinkedID do: the MMSC's
    retries of one request keep its TransactionID.
    """
    kind = NotificationKind(kind)
    if kind is NotificationKind.DELIVERY_REPORT:
        if not message_id or not mm_status:
            return _by_link_or_transaction(kind, None, transaction_id, sender)
        return dedupe_key_for_delivery_report(message_id, recipient, mm_status, date)
    if kind is NotificationKind.DELIVER:
        return dedupe_key_for_deliver(linked_id, transaction_id, sender)
    return dedupe_key_for_read_reply(linked_id, transaction_id, sender)


# --------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------


class Inbox(abc.ABC):
    """Durable, deduplicating store of received notifications with leased work items.

    Implementations are safe to share between threads, and several processes (or hosts, for
    PostgreSQL) may use the same database at once.
    """

    @abc.abstractmethod
    def put(self, notification: Notification) -> PutResult:
        """Store a notification durably, or count a duplicate.

        On return the data is committed (SQLite ``synchronous=FULL``; PostgreSQL commit), so the
        receiver may acknowledge. A notification whose ``dedupe_key`` is already stored is not
        stored again: its ``times_received`` is incremented and ``created`` is False.

        Args:
            notification: What the receiver decoded.

        Returns:
            The id and whether this call created it.

        Raises:
            AttachmentTooLargeError: An attachment exceeds ``max_attachment_size``.
            StorageError: The database failed; nothing was stored.
        """

    def put_many(self, notifications: Sequence[Notification]) -> builtins.list[PutResult | InboxError]:
        """Store several notifications, each with the outcome :meth:`put` would give it.

        A receiver that collects the notifications of concurrent requests hands them over together: the
        SQL inboxes commit them in one transaction (one fsync), and a row that fails fails alone. Each
        outcome is durable on return, like :meth:`put`'s. This default puts them one by one.

        Args:
            notifications: What the receiver decoded, in any order.

        Returns:
            One outcome per notification, in their order: its :class:`PutResult`, or the error
            (:class:`AttachmentTooLargeError`, :class:`StorageError`) :meth:`put` would have raised.
        """
        outcomes: builtins.list[PutResult | InboxError] = []
        for notification in notifications:
            try:
                outcomes.append(self.put(notification))
            except InboxError as exc:
                outcomes.append(exc)
        return outcomes

    @abc.abstractmethod
    def claim(
        self,
        worker: str,
        *,
        limit: int = 10,
        lease_seconds: float = 60,
        kinds: Iterable[NotificationKind | str] | None = None,
    ) -> builtins.list[StoredNotification]:
        """Lease up to ``limit`` claimable notifications to ``worker``, oldest first.

        Claimable: pending items whose ``available_at`` has come, and leased items whose lease
        expired (their worker presumably crashed). Each claim counts as one attempt. Two workers
        never get the same item while its lease runs.

        Args:
            worker: A name unique to the worker (e.g. ``host:pid:thread``).
            limit: Maximum number of items.
            lease_seconds: How long the worker may hold each item before others can take it.
            kinds: Only claim these kinds (all when None).

        Returns:
            The leased notifications, attachments included, oldest first.

        Raises:
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def ack(self, notification_id: int, worker: str) -> None:
        """Mark a leased notification as done.

        Args:
            notification_id: The id from :meth:`claim`.
            worker: The worker that claimed it.

        Raises:
            LeaseLostError: ``worker`` does not hold the lease (someone else took it, or it is
                not leased, or it does not exist).
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def fail(
        self,
        notification_id: int,
        worker: str,
        error: str,
        *,
        retry_in: float = 30,
        max_attempts: int = 10,
    ) -> NotificationState:
        """Give a leased notification back after a failed handler run.

        Args:
            notification_id: The id from :meth:`claim`.
            worker: The worker that claimed it.
            error: What went wrong (kept as ``last_error``).
            retry_in: Seconds before it may be claimed again.
            max_attempts: Once ``attempts`` reaches this, the item becomes ``failed`` for good.

        Returns:
            The new state: ``pending`` or ``failed``.

        Raises:
            LeaseLostError: ``worker`` does not hold the lease.
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def get(self, notification_id: int) -> StoredNotification | None:
        """Return one stored notification with its attachments, or None if there is no such id.

        Raises:
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def list(
        self,
        state: NotificationState | str | None = None,
        kind: NotificationKind | str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[StoredNotification]:
        """Return stored notifications in id order, optionally filtered by state and kind.

        Args:
            state: Only this state.
            kind: Only this kind.
            limit: Page size.
            offset: Number of rows to skip.

        Raises:
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def status(self, message_id: str, recipient: str | None = None) -> DeliveryStatus | None:
        """Return the latest delivery status of a submitted message, from its delivery reports.

        "Latest" means the greatest report Date; reports without a Date rank below dated ones and
        ties are broken by arrival order. So a Forwarded report that arrives late (after
        Retrieved) does not override the newer event.

        Args:
            message_id: The MessageID from SubmitRsp.
            recipient: Only reports about this recipient (all recipients when None).

        Returns:
            The status, or None when no delivery report was stored for it.

        Raises:
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def counts(self) -> dict[NotificationState, int]:
        """Return the number of notifications in each state (every state present, 0 if none).

        Raises:
            StorageError: The database failed.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Close every database connection this inbox opened. Idempotent."""

    def __enter__(self) -> Self:
        """Return the inbox itself; leaving the block closes it."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the inbox."""
        self.close()


# --------------------------------------------------------------------------------------------
# Helpers shared by the SQL backends (private)
# --------------------------------------------------------------------------------------------

#: Columns of the notifications table in the order the backends select them.
_COLUMNS = (
    "id",
    "kind",
    "dedupe_key",
    "transaction_id",
    "mm7_version",
    "namespace",
    "message_id",
    "sender",
    "recipient",
    "mm_status",
    "status_text",
    "event_date",
    "envelope",
    "headers",
    "received_at",
    "last_received_at",
    "times_received",
    "state",
    "attempts",
    "available_at",
    "lease_owner",
    "lease_expires_at",
    "last_error",
)


def _check_attachments(notification: Notification, max_attachment_size: int) -> None:
    for index, att in enumerate(notification.attachments):
        if len(att.data) > max_attachment_size:
            raise AttachmentTooLargeError(
                f"attachment #{index} ({att.content_id or att.content_location or att.content_type}) "
                f"is {len(att.data)} bytes; the inbox stores at most {max_attachment_size}",
                limit="max_attachment_size",
                transaction_id=notification.transaction_id,
            )


def _check_claim_args(worker: str, limit: int, lease_seconds: float) -> None:
    if not worker:
        raise ConfigError("worker must be a non-empty name")
    if limit < 1:
        raise ConfigError(f"limit must be at least 1, got {limit}")
    if lease_seconds <= 0:
        raise ConfigError(f"lease_seconds must be positive, got {lease_seconds}")


def _kinds(kinds: Iterable[NotificationKind | str] | None) -> builtins.list[str] | None:
    return None if kinds is None else sorted({NotificationKind(k).value for k in kinds})


def _stored_from_row(
    row: tuple[Any, ...],
    attachments: builtins.list[Attachment],
    *,
    ts: Callable[[Any], datetime | None],
    headers: Callable[[Any], dict[str, str]],
) -> StoredNotification:
    """Build a StoredNotification from a row in :data:`_COLUMNS` order.

    Args:
        row: The row.
        attachments: Its attachments.
        ts: Converts a stored timestamp (or None) to an aware UTC datetime (or None).
        headers: Converts the stored headers to a dict.
    """
    r = dict(zip(_COLUMNS, row, strict=True))
    received_at = ts(r["received_at"])
    if received_at is None:  # NOT NULL in both schemas
        raise StorageError(f"notification {r['id']} has no received_at")
    return StoredNotification(
        id=int(r["id"]),
        kind=NotificationKind(r["kind"]),
        dedupe_key=r["dedupe_key"],
        transaction_id=r["transaction_id"],
        mm7_version=r["mm7_version"],
        namespace=r["namespace"],
        message_id=r["message_id"],
        sender=r["sender"],
        recipient=r["recipient"],
        mm_status=r["mm_status"],
        status_text=r["status_text"],
        event_date=ts(r["event_date"]),
        envelope=bytes(r["envelope"]),
        attachments=attachments,
        received_at=received_at,
        headers=headers(r["headers"]),
        last_received_at=ts(r["last_received_at"]),
        times_received=int(r["times_received"]),
        state=NotificationState(r["state"]),
        attempts=int(r["attempts"]),
        available_at=ts(r["available_at"]),
        lease_owner=r["lease_owner"],
        lease_expires_at=ts(r["lease_expires_at"]),
        last_error=r["last_error"],
    )
