"""The delivery-report lifecycle of one (MessageID, recipient): pure functions over plain data, no I/O.

An MMSC sends several reports per message and recipient (``Forwarded``, then ``Retrieved``; or
``Expired`` days later), out of order and repeated. This module folds them into one state::

    pending ──▶ forwarded ──▶ deferred ──▶ final (retrieved, rejected, expired, unreachable,
       │                                          unrecognised, condition_not_met, not_supported,
       │                                          indeterminate)
       └───────── no final report within the window (sweep) ──▶ no_report

The state is a function of the *set* of distinct reports received (and of whether the sweep gave up),
never of their arrival order:

* A report is identified by its kind, its MMStatus and its Date (as the inbox deduplicates a delivery
  report): a copy of a known report changes nothing.
* A final report decides the state, whatever non-final report comes before or after it.
* Several different final reports (``Retrieved`` and ``Expired``): the first event wins, that is the
  earliest report Date (reports without a Date rank after dated ones; equal Dates are ordered by status
  name). The others are kept in the history as :attr:`RecipientState.conflicts`.
* Without a final report, the furthest non-final step seen: ``deferred`` (the handset was notified) is
  past ``forwarded`` (handed to the network), which is past ``pending`` (nothing heard).
* ``no_report`` is set by the sweep when no final report came within the window after the submit; a
  final report arriving later still replaces it (it is what happened).

MMStatus values of TS 23.140 (Rel-5 and Rel-6) and their states (:data:`STATE_OF_MM_STATUS`):

=========================  =====================  ======
MMStatus                   state                  final
=========================  =====================  ======
Forwarded                  forwarded              no
Deferred                   deferred               no
Retrieved                  retrieved              yes
Rejected                   rejected               yes
Expired                    expired                yes
Unreachable (Rel-6)        unreachable            yes
Unrecognised/Unrecognized  unrecognised           yes
DeliveryConditionNotMet    condition_not_met      yes
NotSupported (Rel-6)       not_supported          yes
Indeterminate              indeterminate          yes
=========================  =====================  ======

A value outside that list (a vendor's own word) is kept in the history but moves no state. A
ReadReplyReq (``Read``, ``Deleted``, ``Indeterminate``) does not change the delivery state either: it is
shown as :attr:`RecipientState.read`, the earliest read reply by the same rule as finals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from mm7.codec.status import MMStatus, is_final_mm_status, parse_mm_status
from mm7.errors import ConfigError

__all__ = [
    "DEFAULT_REPORT_WINDOW",
    "FINAL_STATES",
    "STATE_OF_MM_STATUS",
    "DeliveryState",
    "HistoryEntry",
    "ReadStatus",
    "RecipientState",
    "Report",
    "ReportKind",
    "derive",
    "fold",
    "recipient_key",
]

#: How long after a submit a final report may still come before the sweep gives up (Sinch, like most
#: MMSCs, keeps an undelivered MMS for 72 hours before it reports Expired).
DEFAULT_REPORT_WINDOW = timedelta(hours=72)


class DeliveryState(StrEnum):
    """Where a message stands for one recipient."""

    PENDING = "pending"
    """Submitted; no report yet."""
    FORWARDED = "forwarded"
    """Handed on to the mobile network (MMStatus Forwarded)."""
    DEFERRED = "deferred"
    """The handset was notified and has not fetched the message yet (MMStatus Deferred)."""
    RETRIEVED = "retrieved"
    """Delivered to the handset."""
    REJECTED = "rejected"
    """Refused (content, size, system error...)."""
    EXPIRED = "expired"
    """Not fetched before it expired."""
    UNREACHABLE = "unreachable"
    """The recipient cannot be reached."""
    UNRECOGNISED = "unrecognised"
    """The handset could not handle the content."""
    CONDITION_NOT_MET = "condition_not_met"
    """The submit's DeliveryCondition could not be met."""
    NOT_SUPPORTED = "not_supported"
    """The MMSC does not support the request."""
    INDETERMINATE = "indeterminate"
    """The MMSC cannot tell."""
    NO_REPORT = "no_report"
    """No final report within the report window (set by the sweep)."""

    @property
    def final(self) -> bool:
        """True when the state is not expected to change any more (``no_report`` included)."""
        return self not in _NON_FINAL_RANK


#: Non-final states, in the order they progress.
_NON_FINAL_RANK = MappingProxyType(
    {DeliveryState.PENDING: 0, DeliveryState.FORWARDED: 1, DeliveryState.DEFERRED: 2}
)
#: The states after which nothing more is expected.
FINAL_STATES = frozenset(state for state in DeliveryState if state.final)

#: The state each MMStatus of a DeliveryReportReq leads to (see the module's table).
STATE_OF_MM_STATUS: Mapping[MMStatus, DeliveryState] = MappingProxyType(
    {
        MMStatus.FORWARDED: DeliveryState.FORWARDED,
        MMStatus.DEFERRED: DeliveryState.DEFERRED,
        MMStatus.RETRIEVED: DeliveryState.RETRIEVED,
        MMStatus.REJECTED: DeliveryState.REJECTED,
        MMStatus.EXPIRED: DeliveryState.EXPIRED,
        MMStatus.UNREACHABLE: DeliveryState.UNREACHABLE,
        MMStatus.UNRECOGNISED: DeliveryState.UNRECOGNISED,
        MMStatus.UNRECOGNIZED: DeliveryState.UNRECOGNISED,
        MMStatus.DELIVERY_CONDITION_NOT_MET: DeliveryState.CONDITION_NOT_MET,
        MMStatus.NOT_SUPPORTED: DeliveryState.NOT_SUPPORTED,
        MMStatus.INDETERMINATE: DeliveryState.INDETERMINATE,
    }
)


class ReportKind(StrEnum):
    """Which request a report came from (the inbox's notification kinds of the same name)."""

    DELIVERY_REPORT = "delivery_report"
    READ_REPLY = "read_reply"


class ReadStatus(StrEnum):
    """The MMStatus of a ReadReplyReq."""

    READ = "read"
    DELETED = "deleted"
    INDETERMINATE = "indeterminate"


_READ_BY_FOLDED = {status.value: status for status in ReadStatus}


def recipient_key(address: str | None) -> str:
    """The form of a recipient address that submits and reports are matched on.

    MMSCs do not always echo an address as it was sent: ``+15551234567``, ``tel:+15551234567`` and
    ``15551234567/TYPE=PLMN`` are one recipient. Blanks, a ``tel:`` or ``mailto:`` scheme, a
    ``/TYPE=...`` suffix and a leading ``+`` are dropped; letters are compared in lower case. A report
    without a Recipient gets the empty key.

    Args:
        address: The address as sent or as reported.

    Returns:
        The matching key.
    """
    if address is None:
        return ""
    key = "".join(address.split()).casefold()
    for scheme in ("tel:", "mailto:"):
        key = key.removeprefix(scheme)
    key = key.split("/type=", 1)[0]
    return key.removeprefix("+")


def _canonical_status(kind: ReportKind, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if kind is ReportKind.READ_REPLY:
        read = _READ_BY_FOLDED.get(value.strip().casefold())
        return read.value.capitalize() if read is not None else value.strip()
    parsed = parse_mm_status(value)
    if parsed is MMStatus.UNRECOGNIZED:
        parsed = MMStatus.UNRECOGNISED  # one report whichever spelling the MMSC uses
    return parsed.value if parsed is not None else value.strip()


@dataclass(frozen=True, slots=True)
class Report:
    """One delivery report or read reply, as far as the lifecycle needs it.

    Attributes:
        kind: Delivery report or read reply.
        message_id: The MessageID it is about (from the SubmitRsp).
        recipient: The Recipient address it is about, if given.
        mm_status: The MMStatus text as received (None: absent or unreadable).
        status_text: StatusText, if any.
        date: The report's Date (a read reply's TimeStamp): when the event happened, timezone-aware.
        transaction_id: The TransactionID of the request that carried it.
        received_at: When the receiver got it, timezone-aware.
        problem: What was wrong with the request, when the receiver stored it flagged (schema
            violations) or refused it.
    """

    kind: ReportKind
    message_id: str
    recipient: str | None
    mm_status: str | None
    status_text: str | None = None
    date: datetime | None = None
    transaction_id: str | None = None
    received_at: datetime | None = None
    problem: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReportKind(self.kind))
        if not self.message_id:
            raise ConfigError("a report needs a MessageID")
        for name in ("date", "received_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ConfigError(f"{name} must be timezone-aware, got {value!r}")

    def entry(self) -> HistoryEntry:
        """This report as a history entry (its MMStatus in canonical spelling)."""
        status = _canonical_status(self.kind, self.mm_status)
        return HistoryEntry(
            kind=self.kind,
            mm_status=status,
            status_text=self.status_text,
            date=self.date,
            transaction_id=self.transaction_id,
            received_at=self.received_at,
            problem=self.problem,
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One distinct report in a recipient's history.

    Attributes:
        kind: Delivery report or read reply.
        mm_status: The MMStatus in its canonical spelling (``Unrecognized`` reads ``Unrecognised``), or
            None when the report carried none that could be read.
        status_text: StatusText of the first copy received.
        date: The report's Date.
        transaction_id: TransactionID of the first copy received.
        received_at: When the first copy was received.
        problem: What the receiver found wrong with it, if anything.
    """

    kind: ReportKind
    mm_status: str | None
    status_text: str | None = None
    date: datetime | None = None
    transaction_id: str | None = None
    received_at: datetime | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The entry as JSON-ready values (times in ISO 8601)."""
        return {
            "kind": self.kind.value,
            "mm_status": self.mm_status,
            "status_text": self.status_text,
            "date": _iso(self.date),
            "transaction_id": self.transaction_id,
            "received_at": _iso(self.received_at),
            "problem": self.problem,
        }

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes two reports the same report: kind, MMStatus and Date (copies differ in nothing else)."""
        return (self.kind.value, self.mm_status or "", "" if self.date is None else _utc_iso(self.date))

    @property
    def state(self) -> DeliveryState | None:
        """The state a delivery report leads to; None for a read reply or an MMStatus outside TS 23.140."""
        if self.kind is not ReportKind.DELIVERY_REPORT or self.mm_status is None:
            return None
        parsed = parse_mm_status(self.mm_status)
        return None if parsed is None else STATE_OF_MM_STATUS[parsed]

    @property
    def final(self) -> bool:
        """True for a delivery report with a final MMStatus (:func:`mm7.codec.status.is_final_mm_status`)."""
        return (
            self.kind is ReportKind.DELIVERY_REPORT
            and self.mm_status is not None
            and is_final_mm_status(self.mm_status)
        )

    def order(self) -> tuple[bool, str, str, str]:
        """Sort key of the event order: dated before undated, earliest first, then by status and text."""
        date = "" if self.date is None else _utc_iso(self.date)
        return (self.date is None, date, self.mm_status or "", self.status_text or "")

    def _display_order(self) -> tuple[bool, str, str, str]:
        # Dates of different zones compare as instants; ISO text of UTC keeps the key orderable with None.
        date = "" if self.date is None else _utc_iso(self.date)
        received = "" if self.received_at is None else _utc_iso(self.received_at)
        return (self.date is None, date, received, self.mm_status or "")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def fold(
    history: Iterable[HistoryEntry], report: Report | HistoryEntry
) -> tuple[tuple[HistoryEntry, ...], bool]:
    """Add a report to a history unless a copy of it is there already.

    Args:
        history: The distinct reports known so far.
        report: The report received.

    Returns:
        The new history (in event order) and whether the report was new.
    """
    entry = report.entry() if isinstance(report, Report) else report
    entries = tuple(history)
    if any(known.identity == entry.identity for known in entries):
        return tuple(sorted(entries, key=HistoryEntry._display_order)), False
    return tuple(sorted((*entries, entry), key=HistoryEntry._display_order)), True


@dataclass(frozen=True, slots=True)
class RecipientState:
    """What is known of one (MessageID, recipient).

    Attributes:
        state: The lifecycle state.
        final_report: The report that decided a final state (None while pending, and for ``no_report``).
        conflicts: Other final reports that disagree with ``final_report`` (a later, contradicting event).
        read: What the recipient's read reply said, if one came.
        history: Every distinct report, in event order.
    """

    state: DeliveryState
    final_report: HistoryEntry | None
    conflicts: tuple[HistoryEntry, ...]
    read: ReadStatus | None
    history: tuple[HistoryEntry, ...]


def _earliest(entries: Iterable[HistoryEntry]) -> HistoryEntry | None:
    return min(entries, key=HistoryEntry.order, default=None)


def derive(history: Iterable[HistoryEntry], *, no_report: bool = False) -> RecipientState:
    """The state a set of reports leads to; the same whatever order they came in.

    Args:
        history: The distinct reports (duplicates are ignored: the first copy of each is kept).
        no_report: The sweep found no final report within the window.

    Returns:
        The recipient's state, its deciding report, conflicting finals, read status and history.
    """
    entries: tuple[HistoryEntry, ...] = ()
    for entry in history:
        entries, _ = fold(entries, entry)
    finals = [e for e in entries if e.final]
    decided = _earliest(finals)
    conflicts: tuple[HistoryEntry, ...] = ()
    if decided is not None and decided.state is not None:
        state = decided.state
        conflicts = tuple(e for e in finals if e.state is not state)
    elif no_report:
        state = DeliveryState.NO_REPORT
    else:
        steps = [e.state for e in entries if e.state is not None and not e.final]
        state = max(steps, key=_NON_FINAL_RANK.__getitem__, default=DeliveryState.PENDING)
    read_reply = _earliest(
        e
        for e in entries
        if e.kind is ReportKind.READ_REPLY and (e.mm_status or "").casefold() in _READ_BY_FOLDED
    )
    read = None if read_reply is None else _READ_BY_FOLDED[(read_reply.mm_status or "").casefold()]
    return RecipientState(
        state=state,
        final_report=decided,
        conflicts=conflicts,
        read=read,
        history=entries,
    )
