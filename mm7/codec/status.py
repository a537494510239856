"""MM7 status codes: what they mean, which class they belong to, and whether to retry.

Pure data and functions, no I/O. Two layers of tables:

* :data:`THREEGPP` holds the request/error status codes of 3GPP TS 23.140 (Rel-5 and Rel-6,
  section 8.7.4 "Status code and status text", the table of status codes).
* :data:`SINCH` overlays Sinch's implementation-specific codes and retry advice on top of it
  (facts from Sinch's public MM7 status-code page, summarised in ``docs/sinch.md``).

A carrier table is a :class:`StatusTable` built with ``base=THREEGPP`` (or :meth:`StatusTable.overlay`):
its entries replace or add to the base's, everything else falls through.

Rules from TS 23.140 applied by :func:`lookup`:

* The first digit is the class: 1xxx success, 2xxx client error, 3xxx server error,
  4xxx service error. Status codes are extensible; implementation-specific codes use x500-x999.
* A code not in the table is treated as the x000 code of its class (the returned info keeps the
  original code number so logs stay truthful).
* The standard says a code outside the four classes is treated as 3000. This module instead returns
  a class-0 "unknown" info that is never retryable: such a value is almost certainly a broken peer,
  and a retry of a non-idempotent SubmitReq on a guess could deliver an MMS twice. (3000 is not
  retryable in the 3GPP table either, so the outcome for the standard's table is the same.)

Also here: the ``MMStatus`` values a delivery report carries (:class:`MMStatus`) and which of them are
final (:func:`is_final_mm_status`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from mm7.errors import MM7StatusError
from mm7.outcome import Outcome, outcome_of_status

__all__ = [
    "SINCH",
    "STATUS_CLASS_CLIENT",
    "STATUS_CLASS_SERVER",
    "STATUS_CLASS_SERVICE",
    "STATUS_CLASS_SUCCESS",
    "STATUS_CLASS_UNKNOWN",
    "THREEGPP",
    "MMStatus",
    "StatusInfo",
    "StatusTable",
    "error_for_status",
    "is_final_mm_status",
    "is_success",
    "lookup",
    "parse_mm_status",
    "status_class_of",
]

STATUS_CLASS_UNKNOWN = 0
"""Class of a code outside 1000-4999 (not defined by TS 23.140)."""
STATUS_CLASS_SUCCESS = 1
"""1xxx: the request was executed (fully or partially)."""
STATUS_CLASS_CLIENT = 2
"""2xxx: the client's request was in error."""
STATUS_CLASS_SERVER = 3
"""3xxx: the server failed to fulfil an apparently valid request."""
STATUS_CLASS_SERVICE = 4
"""4xxx: the service could not be provided (version, operation, validation, capacity...)."""

_CLASS_NAMES = {
    STATUS_CLASS_UNKNOWN: "unknown",
    STATUS_CLASS_SUCCESS: "success",
    STATUS_CLASS_CLIENT: "client error",
    STATUS_CLASS_SERVER: "server error",
    STATUS_CLASS_SERVICE: "service error",
}


def status_class_of(code: int) -> int:
    """Return the TS 23.140 class of a status code.

    Args:
        code: An MM7 StatusCode.

    Returns:
        1 (success), 2 (client error), 3 (server error), 4 (service error), or 0 when the code is
        outside 1000-4999.
    """
    if 1000 <= code <= 4999:
        return code // 1000
    return STATUS_CLASS_UNKNOWN


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What one MM7 status code means and how a client should react to it.

    Attributes:
        code: The StatusCode (kept as received even when the info comes from a fallback).
        name: Short StatusText-like name, e.g. ``"Address Error"``.
        description: One-sentence meaning.
        status_class: 1 success, 2 client error, 3 server error, 4 service error, 0 unknown.
        retryable: Whether sending the same request again later may succeed.
        retry_after_backoff: The peer is overloaded or throttling: retry only after a real back-off
            (never immediately).
        bounded: Retry only a few times (a retry policy's ``max_bounded_retries``), e.g. Sinch 3000
            "system error": worth another try or two, not a loop.
        fixed_outcome: What to do next when the table says so for this code; None derives it from the
            class and ``retryable`` (:func:`mm7.outcome.outcome_of_status`). See :attr:`outcome`.
    """

    code: int
    name: str
    description: str
    status_class: int
    retryable: bool = False
    retry_after_backoff: bool = False
    bounded: bool = False
    fixed_outcome: Outcome | None = None

    @property
    def outcome(self) -> Outcome:
        """What a caller should do next after this status (:mod:`mm7.outcome`)."""
        if self.fixed_outcome is not None:
            return self.fixed_outcome
        return outcome_of_status(self.code, retryable=self.retryable)

    @property
    def is_success(self) -> bool:
        """True for 1xxx codes."""
        return self.status_class == STATUS_CLASS_SUCCESS

    @property
    def class_name(self) -> str:
        """Human name of the class: ``"success"``, ``"client error"``, ..., ``"unknown"``."""
        return _CLASS_NAMES[self.status_class]


def _info(
    code: int,
    name: str,
    description: str,
    *,
    retryable: bool = False,
    backoff: bool = False,
    bounded: bool = False,
    outcome: Outcome | None = None,
) -> StatusInfo:
    return StatusInfo(
        code=code,
        name=name,
        description=description,
        status_class=status_class_of(code),
        retryable=retryable,
        retry_after_backoff=backoff,
        bounded=bounded,
        fixed_outcome=outcome,
    )


class StatusTable(Mapping[int, StatusInfo]):
    """An immutable mapping of status code to :class:`StatusInfo`, with a name.

    A table may sit on a ``base`` table: its own entries win, the base's fill the rest. That is how
    a carrier table overlays the 3GPP one.

    Args:
        name: Identifies the table in reprs and messages, e.g. ``"sinch"``.
        entries: The table's own entries.
        base: Optional table whose entries this one overlays.

    Raises:
        ValueError: When two entries share a code or a code is outside 1000-4999.
    """

    __slots__ = ("_base", "_entries", "_hash", "_name", "_own")

    def __init__(self, name: str, entries: Iterable[StatusInfo], *, base: StatusTable | None = None) -> None:
        own: dict[int, StatusInfo] = {}
        for info in entries:
            if info.code in own:
                raise ValueError(f"status table {name!r}: duplicate code {info.code}")
            if status_class_of(info.code) == STATUS_CLASS_UNKNOWN:
                raise ValueError(f"status table {name!r}: code {info.code} is outside 1000-4999")
            own[info.code] = info
        merged = dict(base._entries) if base is not None else {}
        merged.update(own)
        self._name = name
        self._base = base
        self._own: Mapping[int, StatusInfo] = MappingProxyType(own)
        self._entries: Mapping[int, StatusInfo] = MappingProxyType(dict(sorted(merged.items())))
        # Immutable, so hashable (usable as a default in frozen dataclasses, as a dict key...).
        # Equality is Mapping's (same entries); the hash only uses the entries too.
        self._hash = hash(tuple(self._entries.items()))

    @property
    def name(self) -> str:
        """The table's name."""
        return self._name

    @property
    def base(self) -> StatusTable | None:
        """The table this one overlays, if any."""
        return self._base

    @property
    def own_entries(self) -> Mapping[int, StatusInfo]:
        """Only the entries defined by this table (not inherited from the base)."""
        return self._own

    def overlay(self, name: str, entries: Iterable[StatusInfo]) -> StatusTable:
        """Return a new table named ``name`` whose ``entries`` overlay this one.

        Args:
            name: Name of the new table.
            entries: Entries that replace or add to this table's.

        Returns:
            The new table; this one is unchanged.
        """
        return StatusTable(name, entries, base=self)

    def lookup(self, code: int) -> StatusInfo:
        """Same as the module-level :func:`lookup` with this table."""
        return lookup(code, self)

    def __getitem__(self, code: int) -> StatusInfo:
        return self._entries[code]

    def __iter__(self) -> Iterator[int]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        base = f", base={self._base.name!r}" if self._base is not None else ""
        return f"StatusTable({self._name!r}, {len(self._entries)} codes{base})"


# TS 23.140 table of status codes (Rel-5; Rel-6 adds 2008, 2009, 3004 and 4008).
# The standard says nothing about retrying; the flags below are this library's reading of the
# meanings: only 4006 says "temporarily unavailable (e.g. busy)", so only it is retryable.
THREEGPP = StatusTable(
    "3gpp",
    [
        _info(1000, "Success", "The request was executed completely."),
        _info(
            1100, "Partial success", "The request was executed partially; some parts could not be completed."
        ),
        _info(2000, "Client error", "The client made an invalid request."),
        _info(2001, "Operation restricted", "The request was refused for lack of permission."),
        _info(2002, "Address Error", "An address in the request is malformed or not served by this relay."),
        _info(2003, "Address Not Found", "An address in the request could not be found."),
        _info(
            2004,
            "Multimedia content refused",
            "The content could not be parsed, or its size or type is refused.",
        ),
        _info(2005, "Message ID Not found", "No message with the given MessageID could be found."),
        _info(2006, "LinkedID not found", "No message with the given LinkedID could be found."),
        _info(2007, "Message format corrupt", "An element value has an inappropriate or incorrect format."),
        _info(2008, "Application ID not found", "The given application identifier is not known."),
        _info(2009, "Reply Application ID not found", "The given reply application identifier is not known."),
        _info(3000, "Server Error", "The server failed to fulfil an apparently valid request."),
        _info(
            3001,
            "Not Possible",
            "The request cannot be carried out, e.g. the message can no longer be changed.",
        ),
        _info(3002, "Message rejected", "The server could not complete the requested service."),
        _info(3003, "Multiple addresses not supported", "Send the operation once per recipient instead."),
        _info(
            3004, "Application Addressing not supported", "The relay does not support application addressing."
        ),
        _info(4000, "General service error", "The requested service cannot be fulfilled."),
        _info(
            4001,
            "Improper identification",
            "The identification header does not uniquely identify the client.",
        ),
        _info(4002, "Unsupported version", "The MM7Version of the request is not supported."),
        _info(4003, "Unsupported operation", "The operation of the request is not supported."),
        _info(
            4004,
            "Validation error",
            "The SOAP/XML could not be parsed, a mandatory field is missing, or bad format.",
        ),
        _info(4005, "Service error", "The operation caused a server failure and should not be resent."),
        _info(
            4006,
            "Service unavailable",
            "The server is temporarily unavailable, e.g. busy.",
            retryable=True,
            backoff=True,
        ),
        _info(4007, "Service denied", "The client has no permission for the requested operation."),
        _info(4008, "Application denied", "The application is not allowed to use the requested operation."),
    ],
)
"""The status codes of 3GPP TS 23.140."""

# Sinch's codes and retry advice (its status-code page: "retry" on 2569, 3000, 3500, 3510, 4006;
# 3001 means the number is blacklisted and must never be retried).
SINCH = THREEGPP.overlay(
    "sinch",
    [
        _info(2000, "Client error", "Invalid IP address or protocol."),
        _info(2002, "Address Error", "Invalid recipient address."),
        _info(2004, "Multimedia refused", "The carrier refuses the content."),
        _info(2007, "Unable to parse request", "The request could not be parsed (message format corrupt)."),
        _info(2500, "Invalid HTTP headers", "Content-Length or Content-Type missing or invalid."),
        _info(2502, "Missing destination address", "The request has no recipient."),
        _info(2503, "Multiple destinations not supported", "Send one request per recipient."),
        _info(2504, "Missing source address", "The request has no sender address."),
        _info(2505, "Missing or unsupported MM7Version", "MM7Version is missing or not one Sinch accepts."),
        _info(2506, "Missing Content", "The request has no Content element."),
        _info(2507, "Unsupported namespace", "The MM7 namespace is not one Sinch supports."),
        _info(2510, "Invalid SOAP header", "The SOAP header may contain only TransactionID."),
        _info(2511, "Invalid SOAP body", "The SOAP body is not valid."),
        _info(2512, "Unsupported operation", "SubmitReq is the only operation accepted."),
        _info(2513, "Attachment unparsable", "An attachment could not be parsed."),
        _info(2514, "Invalid attachment Content-Type", "An attachment has an invalid Content-Type."),
        _info(2515, "Invalid SOAP part Content-Type", "The SOAP part has an invalid Content-Type."),
        _info(2550, "Account disabled", "The account is no longer provisioned for MMS."),
        _info(2551, "Account not provisioned for MM7", "The account may not use the MM7 API."),
        _info(2560, "Request too large", "The content exceeds the largest request size accepted."),
        _info(2561, "Invalid sender identification", "SenderIdentification is invalid or missing."),
        _info(2562, "Invalid VASID", "The VASID (service id) is not valid."),
        _info(2563, "Invalid source address", "The short code is wrong or not provisioned."),
        _info(2564, "Invalid VASPID", "The VASPID (API key) is not valid."),
        _info(2565, "Reply charging not supported", "Requests with reply charging are rejected."),
        _info(2566, "Invalid carrier", "The X-Mblox-Carrier-Id value is not valid."),
        _info(2567, "Missing carrier ID", "A carrier id is required for this request."),
        _info(2568, "Unable to authenticate", "HTTP Basic authentication failed."),
        _info(
            2569, "Carrier lookup unavailable", "The carrier lookup service is down; retry.", retryable=True
        ),
        _info(2571, "Group message: no recipient", "Every To/Number is displayOnly=true."),
        _info(2572, "Group message: several recipients", "More than one To/Number is displayOnly=false."),
        _info(
            3000, "System error", "Sinch failed internally; retry a few times.", retryable=True, bounded=True
        ),
        _info(3001, "Number blacklisted", "The recipient is blacklisted; never retry."),
        _info(3002, "Charged party not supported", "ChargedParty/ChargedPartyID are not accepted."),
        _info(3003, "Content download failed", "Content given by URL could not be fetched."),
        _info(3500, "Carrier gateway timeout", "The carrier's gateway timed out; retry.", retryable=True),
        _info(
            3510,
            "Throughput exceeded",
            "The account's throughput limit was exceeded; back off, then retry.",
            retryable=True,
            backoff=True,
        ),
        _info(3520, "Provisioning problem", "The account or short code is not provisioned correctly."),
        _info(4000, "Carrier general error", "The carrier reported a general error."),
        _info(4002, "Carrier: unsupported version", "The carrier does not support the version."),
        _info(4003, "Carrier: unsupported operation", "The carrier does not support the operation."),
        _info(4004, "Carrier: validation error", "The carrier could not validate the message."),
        _info(
            4006,
            "Carrier capacity reached",
            "The carrier is at capacity; retry later.",
            retryable=True,
            backoff=True,
        ),
        _info(4007, "Carrier denies service", "The carrier denies service for this recipient."),
    ],
)
"""Sinch's status codes and retry advice, overlaying :data:`THREEGPP`."""


def lookup(code: int, table: StatusTable = THREEGPP) -> StatusInfo:
    """Return what a status code means, following the TS 23.140 fallback rule.

    Args:
        code: The StatusCode received.
        table: The table to read (default: :data:`THREEGPP`; pass :data:`SINCH` for Sinch).

    Returns:
        The table's entry for ``code``; for a code not in the table, the entry of the x000 code of
        its class with ``code`` set to the original number; for a code outside 1000-4999, a class-0
        "Unknown status" info that is not retryable.
    """
    info = table.get(code)
    if info is not None:
        return info
    status_class = status_class_of(code)
    if status_class == STATUS_CLASS_UNKNOWN:
        return StatusInfo(
            code=code,
            name="Unknown status",
            description=f"Status code {code} is outside the classes defined by TS 23.140.",
            status_class=STATUS_CLASS_UNKNOWN,
        )
    generic = table.get(status_class * 1000) or THREEGPP[status_class * 1000]
    return replace(
        generic,
        code=code,
        description=f"Unrecognised status code {code}, treated as {generic.code} ({generic.name}).",
    )


def is_success(code: int) -> bool:
    """Return True when ``code`` is a success code (1xxx, including 1100 partial success).

    Args:
        code: An MM7 StatusCode.

    Returns:
        Whether the code is in the success class.
    """
    return status_class_of(code) == STATUS_CLASS_SUCCESS


def error_for_status(
    code: int,
    text: str = "",
    *,
    details: str | None = None,
    transaction_id: str | None = None,
    table: StatusTable = THREEGPP,
    http_status: int | None = None,
    fault_code: str | None = None,
    fault_string: str | None = None,
) -> MM7StatusError:
    """Build the exception for an MM7 error status, with ``retryable`` taken from ``table``.

    The class follows :meth:`mm7.errors.MM7StatusError.for_code`: ``ClientStatusError`` for 2xxx,
    ``ServerStatusError`` for 3xxx, ``ServiceStatusError`` for 4xxx, and the plain
    ``MM7StatusError`` for anything else.

    Args:
        code: The StatusCode received.
        text: The StatusText received; when empty, the table's name for the code is used.
        details: The Details element's text, if any.
        transaction_id: TransactionID of the exchange.
        table: Status table deciding ``retryable``.
        http_status: HTTP status of the response.
        fault_code: SOAP faultcode, when the status came in a Fault.
        fault_string: SOAP faultstring, when the status came in a Fault.

    Returns:
        The exception (not raised).
    """
    info = lookup(code, table)
    cls = MM7StatusError.for_code(code)
    return cls(
        code,
        text or info.name,
        details=details,
        retryable=info.retryable,
        transaction_id=transaction_id,
        http_status=http_status,
        fault_code=fault_code,
        fault_string=fault_string,
        outcome=info.outcome,
    )


class MMStatus(enum.StrEnum):
    """The ``MMStatus`` values of a DeliveryReportReq (TS 23.140; NotSupported and Unreachable from Rel-6)."""

    EXPIRED = "Expired"
    """The message expired before the recipient retrieved it."""
    RETRIEVED = "Retrieved"
    """The message reached the recipient's handset."""
    REJECTED = "Rejected"
    """The message was rejected (system error, content blocked, size exceeded...)."""
    DEFERRED = "Deferred"
    """The recipient has the notification but has not fetched the message yet."""
    INDETERMINATE = "Indeterminate"
    """No delivery report can be given."""
    FORWARDED = "Forwarded"
    """Handed on to the mobile network (or forwarded by the recipient)."""
    UNRECOGNISED = "Unrecognised"
    """The handset could not handle the content (the standard's spelling)."""
    UNRECOGNIZED = "Unrecognized"
    """The same, as some relays (Sinch) spell it: received, never sent."""
    DELIVERY_CONDITION_NOT_MET = "DeliveryConditionNotMet"
    """The DeliveryCondition of the submit could not be met, so the message was not delivered (Rel-6)."""
    NOT_SUPPORTED = "NotSupported"
    """The request is not supported (Rel-6)."""
    UNREACHABLE = "Unreachable"
    """The recipient cannot be reached (Rel-6)."""


_FINAL_MM_STATUSES = frozenset(
    {
        MMStatus.EXPIRED,
        MMStatus.REJECTED,
        MMStatus.RETRIEVED,
        MMStatus.UNREACHABLE,
        MMStatus.UNRECOGNISED,
        MMStatus.UNRECOGNIZED,
        MMStatus.DELIVERY_CONDITION_NOT_MET,
        MMStatus.NOT_SUPPORTED,
        MMStatus.INDETERMINATE,
    }
)
_MM_STATUS_BY_FOLDED = {s.value.casefold(): s for s in MMStatus}


def parse_mm_status(value: str) -> MMStatus | None:
    """Read an MMStatus value tolerantly (surrounding blanks and letter case ignored).

    Args:
        value: The text of the MMStatus element.

    Returns:
        The matching :class:`MMStatus`, or None when the value is not a known MMStatus.
    """
    return _MM_STATUS_BY_FOLDED.get(value.strip().casefold())


def is_final_mm_status(status: str | MMStatus) -> bool:
    """Return True when a delivery report's MMStatus ends the message's story.

    Final: Expired, Rejected, Retrieved, Unreachable, Unrecognised (or Unrecognized),
    DeliveryConditionNotMet, NotSupported, Indeterminate.
    Not final (another report may follow): Deferred, Forwarded.

    Args:
        status: An :class:`MMStatus` or its text (read as by :func:`parse_mm_status`).

    Returns:
        Whether no further report is expected. An unrecognised value returns False: nothing says
        it is final.
    """
    parsed = status if isinstance(status, MMStatus) else parse_mm_status(status)
    return parsed is not None and parsed in _FINAL_MM_STATUSES
