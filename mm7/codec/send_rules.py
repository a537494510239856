"""What mm7 sends: only what every peer accepts, checked on every message before it leaves.

Our schemas validate what we *receive*, so where TS 23.140's revisions and real implementations disagree
they accept the union of what the sources allow. What we *send* is the intersection: only what every source
accepts. ``schemas/README.md`` ("Schema fidelity") records, row by row (F1 … F21), the sources and both
decisions; this module holds the send side of every row the schema cannot enforce, in one place.
:func:`~mm7.codec.messages.encode` runs :func:`check_outgoing` after schema validation and refuses a message
that breaks a rule (:class:`~mm7.errors.LocalValidationError`, each problem of kind ``"send-rule"`` naming
the row, the element path and what to send instead); :func:`~mm7.codec.messages.response_for` checks the
responses it builds the same way.

Rows guaranteed without a check here: F8 (CancelReq Recipients exist in the Rel-6 schema only), F10 (the
schema allows one Content), F15 (the serializer writes schema order), F18 (the envelope builder writes the
TransactionID with ``env:mustUnderstand="1"`` only), F20 and F21 (not modelled, so never built). F17
(MM7Version) is a default, not a rule: 6.8.0 and 5.3.0 unless the caller's dialect asks for another value.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from xsdata.models.datatype import XmlDuration

from mm7.codec.status import is_success, lookup
from mm7.codec.versions import RECEIVE_ONLY_MM_STATUSES, STANDARD_MM_STATUSES, SchemaVersion
from mm7.errors import LocalValidationError, ValidationProblem

__all__ = ["KIND", "RULES", "STATUS_CODE_ONLY", "check_outgoing", "require_sendable"]

#: The :attr:`~mm7.errors.ValidationProblem.kind` of a broken send rule.
KIND = "send-rule"

#: Every rule checked here, by its row in schemas/README.md's "Schema fidelity" table: what mm7 sends.
RULES: Mapping[str, str] = MappingProxyType(
    {
        "F1": "Status carries a non-empty StatusText (except in extendedCancelRsp/extendedReplaceRsp)",
        "F2": "the Status of extendedCancelRsp/extendedReplaceRsp holds StatusCode only",
        "F3": "StatusText of DeliveryReportReq/ReadReplyReq only when there is a text",
        "F4": "a successful SubmitRsp carries a MessageID",
        "F5": "a successful extendedReplaceRsp carries a MessageID",
        "F6": "delivery-report MMStatus: only the values the release defines",
        "F7": "ChargedParty is never Other; ThirdParty only with ChargedPartyID",
        "F9": "StatusCode within 1000-4999",
        "F11": "each Previouslysentby/UserAgent and Previouslysentdateandtime/DateTime has its own sequence; "
        "DateTime is absolute",
        "F12": "UACapabilities TimeStamp is absolute",
        "F13": "DeliveryCondition carries at least one DC",
        "F14": "extendedReplaceReq: VASPID/VASID as direct children, no SenderIdentification; a ReplaceID",
        "F16": "Recipients: at most one To, one Cc and one Bcc",
        "F19": "an address id is an NCName, unique in the message",
    }
)

#: The responses whose standard Status holds StatusCode only (row F2): no StatusText, no Details.
STATUS_CODE_ONLY = frozenset({"extendedCancelRsp", "extendedReplaceRsp"})
_REPORTS = frozenset({"DeliveryReportReq", "ReadReplyReq"})
# XML Namespaces 1.0 NCName: an XML 1.0 (fifth edition) Name without colons.
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
# How lxml writes an ``id`` attribute, qualified or not (always in double quotes): when a serialized
# envelope lacks it, no address carries an id.
_ID_ATTRIBUTE = b'id="'
_NCNAME = f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*"


@functools.cache
def _ncname_re() -> re.Pattern[str]:
    """The NCName pattern, compiled on first use: its character classes take about 10 ms to compile."""
    return re.compile(_NCNAME)


def check_outgoing(
    message: object, version: SchemaVersion, *, in_fault: bool = False, xml: bytes | None = None
) -> list[ValidationProblem]:
    """Every send rule a message breaks (empty when mm7 may send it).

    Args:
        message: A generated message object of ``version`` (schema-valid: run the schema first).
        version: Its schema version.
        in_fault: The message travels in a SOAP Fault's detail (RSErrorRsp/VASPErrorRsp): paths say so.
        xml: The message's envelope as serialized, when at hand: a rule about an attribute is skipped
            when the attribute occurs nowhere in it (the common case), instead of walking the objects.

    Returns:
        One problem per broken rule and place: ``path`` locates the element or attribute
        (``/Envelope/Body/SubmitReq/Recipients/To[2]``), ``reason`` starts with the rule's row (``F16: ``)
        and says what to send instead, ``kind`` is :data:`KIND`.
    """
    operation = version.operation_of(message)
    body = "/Envelope/Body/Fault/detail" if in_fault else "/Envelope/Body"
    base = f"{body}/{operation}"
    problems: list[ValidationProblem] = []

    def report(rule: str, path: str, reason: str) -> None:
        problems.append(
            ValidationProblem(path=f"{base}{path}", line=0, reason=f"{rule}: {reason}", kind=KIND)
        )

    cls: type = type(message)
    for check in _checks_for(cls, operation):
        check(message, operation, version, report)
    if xml is None or _ID_ATTRIBUTE in xml:
        _check_address_ids(message, version, report)
    return problems


def require_sendable(
    message: object,
    version: SchemaVersion,
    *,
    in_fault: bool = False,
    transaction_id: str | None = None,
    xml: bytes | None = None,
) -> None:
    """Raise when a message breaks a send rule (see :func:`check_outgoing`).

    Raises:
        LocalValidationError: With every problem :func:`check_outgoing` found.
    """
    problems = check_outgoing(message, version, in_fault=in_fault, xml=xml)
    if problems:
        operation = version.operation_of(message)
        raise LocalValidationError(
            f"{operation} breaks what mm7 sends to peers (schemas/README.md, Schema fidelity)",
            problems,
            transaction_id=transaction_id,
        )


# --------------------------------------------------------------------------------------------- the rules

_Report = Callable[[str, str, str], None]  # rule, path below the operation, reason


def _check_status(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    status = getattr(message, "status", None)
    if status is None:
        return
    code = status.status_code
    if not 1000 <= code <= 4999:
        report(
            "F9",
            "/Status/StatusCode",
            f"StatusCode {code} is outside the standard's classes; send 1000-4999 "
            "(x500-x999 for implementation-specific codes)",
        )
    if operation in STATUS_CODE_ONLY:
        if status.status_text is not None:
            report(
                "F2",
                "/Status/StatusText",
                f"the standard's Status of {operation} holds StatusCode only; leave StatusText out",
            )
        if status.details is not None:
            report(
                "F2",
                "/Status/Details",
                f"the standard's Status of {operation} holds StatusCode only; leave Details out",
            )
    elif not (status.status_text or "").strip():
        name = lookup(code).name if 1000 <= code <= 4999 else "the code's name"
        report("F1", "/Status/StatusText", f"StatusText is missing or empty; send a text ({name!r} at least)")


def _check_message_id(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    if operation not in ("SubmitRsp", "extendedReplaceRsp"):
        return
    status = getattr(message, "status", None)
    code = status.status_code if status is not None else 0
    if is_success(code) and not getattr(message, "message_id", None):
        rule = "F4" if operation == "SubmitRsp" else "F5"
        report(rule, "/MessageID", f"a {operation} with status {code} must carry a MessageID (message_id=)")


def _check_report(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    if operation not in _REPORTS:
        return
    text = getattr(message, "status_text", None)
    if text is not None and not text.strip():
        report("F3", "/StatusText", "StatusText is empty; leave it out when there is no text")
    if operation != "DeliveryReportReq":
        return
    value = getattr(message, "mm_status", None)
    status = str(getattr(value, "value", value)) if value is not None else None
    allowed = version.standard_mm_statuses
    if status is None or status in allowed:
        return
    if status in RECEIVE_ONLY_MM_STATUSES:
        why = "a value relays send but no release of TS 23.140 defines (accepted on receive only)"
    elif any(status in values for values in STANDARD_MM_STATUSES.values()):
        why = f"not a Rel-{version.release} value"
    else:
        why = "not a TS 23.140 value"
    report("F6", "/MMStatus", f"MMStatus {status!r} is {why}; send one of {', '.join(sorted(allowed))}")


def _check_charged_party(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    party = getattr(message, "charged_party", None)
    value = getattr(party, "value", party)
    if value == "Other":
        report(
            "F7",
            "/ChargedParty",
            "ChargedParty Other is in one transcription only; send Sender, Recipient, "
            "Both or Neither (ThirdParty with ChargedPartyID)",
        )
    elif value == "ThirdParty" and not getattr(message, "charged_party_id", None):
        report(
            "F7",
            "/ChargedParty",
            "ChargedParty ThirdParty names no third party; add its ChargedPartyID (charged_party_id=)",
        )


def _check_previously_sent(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    by = getattr(message, "previously_sent_by", None)
    if by is not None:
        _check_sequences(by.user_agent, "/Previouslysentby/UserAgent", report)
    when = getattr(message, "previously_sent_date_and_time", None)
    if when is not None:
        _check_sequences(when.date_time, "/Previouslysentdateandtime/DateTime", report)
        for index, item in enumerate(when.date_time, 1):
            if isinstance(item.value, XmlDuration):
                report(
                    "F11",
                    f"/Previouslysentdateandtime/DateTime[{index}]",
                    f"DateTime {item.value} is a "
                    "duration; send the absolute date and time the earlier sender sent it",
                )


def _check_sequences(items: list[Any], path: str, report: _Report) -> None:
    seen: set[int] = set()
    for index, item in enumerate(items, 1):
        if item.sequence is None:
            report(
                "F11",
                f"{path}[{index}]/@sequence",
                "sequence is missing; number every earlier sender (sequence=1, 2, …)",
            )
        elif item.sequence in seen:
            report(
                "F11",
                f"{path}[{index}]/@sequence",
                f"sequence {item.sequence} is used twice; send one "
                "element per earlier sender, each with its own sequence",
            )
        else:
            seen.add(item.sequence)


def _check_ua_capabilities(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    capabilities = getattr(message, "ua_capabilities", None)
    if capabilities is not None and isinstance(capabilities.time_stamp, XmlDuration):
        report(
            "F12",
            "/UACapabilities/@TimeStamp",
            f"TimeStamp {capabilities.time_stamp} is a duration; send an absolute date and time",
        )


def _check_delivery_condition(
    message: object, operation: str, version: SchemaVersion, report: _Report
) -> None:
    condition = getattr(message, "delivery_condition", None)
    if condition is not None and not condition.dc:
        report(
            "F13",
            "/DeliveryCondition",
            "DeliveryCondition has no DC; send at least one DC, or leave DeliveryCondition out",
        )


def _check_extended_replace(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    if operation != "extendedReplaceReq":
        return
    if getattr(message, "sender_identification", None) is not None:
        report(
            "F14",
            "/SenderIdentification",
            "the standard's extendedReplaceReq has no SenderIdentification; "
            "send VASPID and VASID as direct children (vasp_id=, vas_id=)",
        )
    if not getattr(message, "replace_id", None):
        report(
            "F14",
            "/ReplaceID",
            "ReplaceID is missing; send the MessageID of the message to replace (replace_id=)",
        )


def _check_recipients(message: object, operation: str, version: SchemaVersion, report: _Report) -> None:
    recipients = getattr(message, "recipients", None)
    if recipients is None:
        return
    for name, items in (("To", recipients.to), ("Cc", recipients.cc), ("Bcc", recipients.bcc)):
        for index in range(2, len(items) + 1):
            report(
                "F16",
                f"/Recipients/{name}[{index}]",
                f"Recipients has {len(items)} {name} elements; send every {name} address in one {name}",
            )


_Check = Callable[[object, str, SchemaVersion, _Report], None]

#: The rules above in the order they run, each with the attributes it reads (None when it reads none of its
#: own) and the operations it is limited to (None: every operation). A rule whose attributes a message class
#: cannot have, or whose operations exclude the message's, finds nothing: :func:`_checks_for` leaves it out.
_CHECKS: tuple[tuple[_Check, tuple[str, ...] | None, frozenset[str] | None], ...] = (
    (_check_status, ("status",), None),
    (_check_message_id, None, frozenset({"SubmitRsp", "extendedReplaceRsp"})),
    (_check_report, None, _REPORTS),
    (_check_charged_party, ("charged_party",), None),
    (_check_previously_sent, ("previously_sent_by", "previously_sent_date_and_time"), None),
    (_check_ua_capabilities, ("ua_capabilities",), None),
    (_check_delivery_condition, ("delivery_condition",), None),
    (_check_extended_replace, None, frozenset({"extendedReplaceReq"})),
    (_check_recipients, ("recipients",), None),
)


@functools.lru_cache(maxsize=256)
def _checks_for(cls: type, operation: str) -> tuple[_Check, ...]:
    """The rules of :data:`_CHECKS` that can find something in a ``cls`` message of ``operation``.

    A rule reading attributes is kept when ``cls`` may have one of them: a dataclass field or class attribute
    of that name, or any name at all when its instances have a ``__dict__`` (the generated classes have
    slots instead, and no other class is an operation's).
    """
    open_ended = getattr(cls, "__dictoffset__", 1) != 0
    names = {item.name for item in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    return tuple(
        check
        for check, attributes, operations in _CHECKS
        if (operations is None or operation in operations)
        and (
            attributes is None
            or open_ended
            or any(name in names or hasattr(cls, name) for name in attributes)
        )
    )


def _check_address_ids(message: object, version: SchemaVersion, report: _Report) -> None:
    if not _has_address_id(message, version.bindings.AddressType, version.package):
        return
    seen: set[str] = set()
    for path, node in _walk(message, "", version):
        if not isinstance(node, version.bindings.AddressType) or node.id is None:
            continue
        if not _ncname_re().fullmatch(node.id):
            report(
                "F19",
                f"{path}/@id",
                f"id {node.id!r} is not an NCName (xs:ID); send a name that starts "
                "with a letter or '_' and holds no spaces or colons",
            )
        elif node.id in seen:
            report("F19", f"{path}/@id", f"id {node.id!r} is used twice; each id is unique in the message")
        else:
            seen.add(node.id)


# Per (generated dataclass, address type): the fields whose declared type can reach an address, so the
# common check (no address carries an id) visits only those and builds no path strings.
_ADDRESS_FIELDS: dict[tuple[type, type], tuple[str, ...]] = {}


def _reaches(annotation: object, address_type: type, seen: set[type]) -> bool:
    if isinstance(annotation, type):
        if issubclass(annotation, address_type) or issubclass(address_type, annotation):
            return True
        if not dataclasses.is_dataclass(annotation) or annotation in seen:
            return False
        seen.add(annotation)
        return any(_reaches(hint, address_type, seen) for hint in _hints(annotation).values())
    # Unions, list[...], Optional[...]: any argument may hold the value; other forms may hold anything.
    args = typing.get_args(annotation)
    if args:
        return any(_reaches(arg, address_type, seen) for arg in args)
    return annotation is not None


def _hints(cls: type) -> dict[str, object]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # unresolvable hints: every field may hold an address
        return {field.name: Any for field in dataclasses.fields(cls)}


def _address_fields(cls: type, address_type: type) -> tuple[str, ...]:
    key = (cls, address_type)
    names = _ADDRESS_FIELDS.get(key)
    if names is None:
        hints = _hints(cls)
        names = tuple(
            field.name
            for field in dataclasses.fields(cls)
            if _reaches(hints.get(field.name, Any), address_type, {cls})
        )
        _ADDRESS_FIELDS[key] = names
    return names


def _has_address_id(node: object, address_type: type, package: str) -> bool:
    """Whether :func:`_walk` would yield an address with an id below ``node`` (itself included)."""
    if isinstance(node, address_type) and getattr(node, "id", None) is not None:
        return True
    if not dataclasses.is_dataclass(node):
        return False
    for name in _address_fields(type(node), address_type):
        value = getattr(node, name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else (value,):
            if (
                dataclasses.is_dataclass(item)
                and type(item).__module__.startswith(package)
                and _has_address_id(item, address_type, package)
            ):
                return True
    return False


def _walk(node: object, path: str, version: SchemaVersion) -> Iterator[tuple[str, object]]:
    """Every generated object below ``node`` (itself included), with its element path."""
    yield path, node
    if not dataclasses.is_dataclass(node):
        return
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        name = field.metadata.get("name", field.name)
        items = list(enumerate(value, 1)) if isinstance(value, list) else [(0, value)]
        for index, item in items:
            if dataclasses.is_dataclass(item) and type(item).__module__.startswith(version.package):
                step = f"{name}[{index}]" if index else name
                yield from _walk(item, f"{path}/{step}", version)
