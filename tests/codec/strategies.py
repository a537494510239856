"""Hypothesis strategies (and fixed samples) for schema-valid MM7 message objects of every operation.

Everything is built from the generated classes of one schema version (``version.bindings``), so the same
strategies cover REL-5-MM7-1-3 and REL-6-MM7-1-4. Constraints of our XSDs are respected by construction:
choices hold exactly one alternative, unbounded choices at least one, ``MM7Version`` matches the release,
positive integers are positive, enumerations are sampled from the enums.

Two sets (schemas/README.md, "Schema fidelity"): ``messages(version, operation)`` draws what mm7 *sends*,
the intersection :mod:`mm7.codec.send_rules` enforces (StatusCode 1000-4999, StatusText where the standard
has it, one To/Cc/Bcc, NCName ids unique in the message, sequenced absolute Previouslysent* entries...), so
every draw encodes; ``messages(..., received=True)`` draws from the superset our schema *accepts* (any
positive StatusCode, ChargedParty Other, durations, missing ``sequence``, empty DeliveryCondition...).

``sample_message(version, operation)`` gives one fixed, fully filled instance per operation for the tests that
want a known value rather than a random one.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from hypothesis import strategies as st
from xsdata.models.datatype import XmlDateTime, XmlDuration

from mm7.codec.mime import Part
from mm7.codec.versions import REL5, REL6, SchemaVersion

VERSIONS = (REL5, REL6)

# Text that survives every layer unchanged: no leading/trailing whitespace (strings keep it, but collapsing
# types would not; test_roundtrip_properties.py covers whitespace separately), ASCII only.
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"
_INNER = _ALPHABET + " "


def safe_text(min_size: int = 1, max_size: int = 24) -> st.SearchStrategy[str]:
    """A non-empty string with no surrounding whitespace (inner single spaces allowed)."""
    del min_size
    return st.text(_INNER, min_size=1, max_size=max_size).map(lambda t: " ".join(t.split())).filter(bool)


digits = st.text("0123456789", min_size=3, max_size=15)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """None or a value of ``strategy``."""
    return st.none() | strategy


def enum_of(cls: type[Enum]) -> st.SearchStrategy[Any]:
    """Any member of a generated enumeration."""
    return st.sampled_from(list(cls))


@st.composite
def xml_datetimes(draw: st.DrawFn) -> XmlDateTime:
    """An ``xs:dateTime`` with millisecond precision, in UTC, at an offset, or without a time zone."""
    return XmlDateTime(
        draw(st.integers(2000, 2037)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 999)) * 1_000_000,
        draw(st.sampled_from([0, 0, 60, -300, 330, None])),
    )


durations = st.sampled_from(["P2D", "PT1H", "P1Y2M3DT4H5M6S", "PT30M", "P7D"]).map(XmlDuration)
relative_or_absolute = xml_datetimes() | durations


def mm7_versions(version: SchemaVersion) -> st.SearchStrategy[str]:
    """``MM7Version`` values of the version's release (``5.x.y`` / ``6.x.y``)."""
    return st.builds(
        lambda minor, patch: f"{version.release}.{minor}.{patch}", st.integers(0, 12), st.integers(0, 9)
    )


# --------------------------------------------------------------------------------------------- structures


# An NCName (the standard's xs:ID for address ids): a letter or "_" first, no colon, no space.
ncnames = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=9),
)


def address_types(version: SchemaVersion, *, received: bool = False) -> st.SearchStrategy[Any]:
    """``addressType``: the value and its optional attributes (any string as ``id`` when ``received``)."""
    b = version.bindings
    return st.builds(
        b.AddressType,
        value=digits
        | st.builds(
            lambda a, d: f"{a}@{d}.example",
            safe_text(max_size=8).map(_no_space),
            safe_text(max_size=8).map(_no_space),
        ),
        display_only=st.booleans(),
        address_coding=optional(enum_of(b.AddressCodingType)),
        id=optional(safe_text(max_size=10).map(_no_space) if received else ncnames),
    )


def _no_space(text: str) -> str:
    return text.replace(" ", "x")


def _one_of_address_fields(
    version: SchemaVersion, cls: Any, *, received: bool = False, **extra: Any
) -> st.SearchStrategy[Any]:
    """A senderAddressType-like object holding exactly one of RFC2822Address, Number, ShortCode."""
    field = st.sampled_from(["rfc2822_address", "number", "short_code"])
    return st.builds(
        lambda name, addr, kw: cls(**{name: addr}, **kw),
        field,
        address_types(version, received=received),
        st.fixed_dictionaries(extra),
    )


def sender_addresses(version: SchemaVersion, *, received: bool = False) -> st.SearchStrategy[Any]:
    """``senderAddressType``: exactly one address."""
    return _one_of_address_fields(version, version.bindings.SenderAddressType, received=received)


@st.composite
def multi_addresses(draw: st.DrawFn, version: SchemaVersion, *, received: bool = False) -> Any:
    """``multiAddressType``: at least one address, of any kinds."""
    b = version.bindings
    lists = {
        name: draw(st.lists(address_types(version, received=received), max_size=2))
        for name in ("rfc2822_address", "number", "short_code")
    }
    if not any(lists.values()):
        lists["number"] = [draw(address_types(version, received=received))]
    return b.MultiAddressType(**lists)


@st.composite
def recipients(draw: st.DrawFn, version: SchemaVersion, *, received: bool = False) -> Any:
    """``recipientsType``: at least one of To/Cc/Bcc; each at most once unless ``received`` (F16)."""
    b = version.bindings
    most = 2 if received else 1
    lists = {
        name: draw(st.lists(multi_addresses(version, received=received), max_size=most))
        for name in ("to", "cc", "bcc")
    }
    if not any(lists.values()):
        lists["to"] = [draw(multi_addresses(version, received=received))]
    return b.RecipientsType(**lists)


def sender_ids(version: SchemaVersion, *, received: bool = False) -> st.SearchStrategy[Any]:
    """``senderIDType``: VASPID, VASID and SenderAddress, each optional."""
    return st.builds(
        version.bindings.SenderIdType,
        vasp_id=optional(safe_text()),
        vas_id=optional(safe_text()),
        sender_address=optional(sender_addresses(version, received=received)),
    )


def statuses(
    version: SchemaVersion, *, received: bool = False, code_only: bool = False
) -> st.SearchStrategy[Any]:
    """``statusType``: text-only Details. Sent (F1, F2, F9): a code in 1000-4999 with a StatusText, or the
    code alone (``code_only``: extendedCancelRsp/extendedReplaceRsp). Received: any positive code, the text
    and Details each optional.
    """
    b = version.bindings
    details = optional(safe_text().map(lambda t: b.StatusDetailsType(content=[t])))
    if received:
        return st.builds(
            b.StatusType,
            status_code=st.integers(1000, 4999) | st.integers(1, 99_999),
            status_text=optional(safe_text()),
            details=details,
        )
    if code_only:
        return st.builds(b.StatusType, status_code=st.integers(1000, 4999))
    return st.builds(
        b.StatusType, status_code=st.integers(1000, 4999), status_text=safe_text(), details=details
    )


def ua_capabilities(version: SchemaVersion, *, received: bool = False) -> st.SearchStrategy[Any]:
    """``uaCapabilitiesType``: an absolute TimeStamp, or a relative one too when ``received`` (F12)."""
    return st.builds(
        version.bindings.UaCapabilitiesType,
        ua_prof=optional(safe_text()),
        time_stamp=optional(relative_or_absolute if received else xml_datetimes()),
    )


def _positive() -> st.SearchStrategy[int]:
    return st.integers(1, 10**6)


def _field_strategies(version: SchemaVersion, *, received: bool = False) -> dict[str, st.SearchStrategy[Any]]:
    """A strategy per generated field name (the same name has the same type in every MM7 operation)."""
    b = version.bindings
    text = safe_text()
    charged_parties = [m for m in b.ChargedPartyType if received or m.value != "Other"]  # F7
    fields: dict[str, st.SearchStrategy[Any]] = {
        "mm7_version": mm7_versions(version),
        "sender_identification": sender_ids(version, received=received),
        "recipients": recipients(version, received=received),
        "service_code": text,
        "linked_id": text,
        "message_class": enum_of(b.MessageClassType),
        "time_stamp": xml_datetimes(),
        "reply_charging": st.builds(
            b.ReplyChargingType,
            reply_charging_size=optional(_positive()),
            reply_deadline=optional(relative_or_absolute),
        ),
        "earliest_delivery_time": relative_or_absolute,
        "expiry_date": relative_or_absolute,
        "delivery_report": st.booleans(),
        "read_reply": st.booleans(),
        "priority": enum_of(b.PriorityType),
        "subject": text,
        "charged_party": st.sampled_from(charged_parties),
        "charged_party_id": text,
        "distribution_indicator": st.booleans(),
        "applic_id": text,
        "reply_applic_id": text,
        "aux_applic_info": text,
        "drm_content": st.booleans(),
        "mms_relay_server_id": text,
        "vasp_id": text,
        "vas_id": text,
        "sender": sender_addresses(version, received=received),
        "sender_spi": text,
        "recipient_spi": text,
        "reply_charging_id": text,
        "ua_capabilities": ua_capabilities(version, received=received),
        "message_id": text,
        "recipient": sender_addresses(version, received=received),
        "date": xml_datetimes(),
        "status_text": text,
        "status": statuses(version, received=received),
        "cancel_id": text,
        "replace_id": text,
    }
    if hasattr(b, "ContentClassType"):
        fields["content_class"] = enum_of(b.ContentClassType)
    if hasattr(b, "DeliveryConditionType"):
        fields["delivery_condition"] = st.builds(
            b.DeliveryConditionType, dc=st.lists(_positive(), min_size=0 if received else 1, max_size=3)
        )
    if hasattr(b, "MmStatusExtensionType"):
        fields["mm_status_extension"] = enum_of(b.MmStatusExtensionType)
    if hasattr(b, "PreviouslySentByType"):
        # Sent (F11): one entry per earlier sender, each with its own sequence, an absolute DateTime.
        sequence = optional(_positive()) if received else _positive()
        unique = None if received else (lambda item: item.sequence)
        fields["previously_sent_by"] = st.builds(
            b.PreviouslySentByType,
            user_agent=st.lists(
                _one_of_address_fields(version, b.SequencedAddressType, received=received, sequence=sequence),
                min_size=1,
                max_size=2,
                unique_by=unique,
            ),
        )
        fields["previously_sent_date_and_time"] = st.builds(
            b.PreviouslySentDateType,
            date_time=st.lists(
                st.builds(
                    b.SequencedDateTimeType,
                    value=relative_or_absolute if received else xml_datetimes(),
                    sequence=sequence,
                ),
                min_size=1,
                max_size=2,
                unique_by=unique,
            ),
        )
    return fields


def _mmstatus(version: SchemaVersion, operation: str, *, received: bool = False) -> st.SearchStrategy[Any]:
    b = version.bindings
    if operation == "ReadReplyReq":
        return enum_of(b.MmReadStatusType)
    if received:
        return enum_of(b.MmDeliveryStatusType)
    # encode emits only the standard's values (F6); the carrier extras the schema accepts are receive-only.
    return st.sampled_from([m for m in b.MmDeliveryStatusType if m.value in version.standard_mm_statuses])


_MANDATORY_CACHE: dict[type, set[str]] = {}


def _is_required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


_CODE_ONLY = frozenset({"extendedCancelRsp", "extendedReplaceRsp"})  # F2
_NAMED_WHEN_SUCCESSFUL = frozenset({"SubmitRsp", "extendedReplaceRsp"})  # F4, F5: MessageID


@st.composite
def messages(draw: st.DrawFn, version: SchemaVersion, operation: str, *, received: bool = False) -> Any:
    """A schema-valid object of ``operation`` with every optional field randomly present or absent.

    By default, what mm7 sends (every send rule holds); ``received``: the superset our schema accepts.
    The ``content`` field is left None: the round-trip test lets ``encode`` add it (or sets it itself).
    """
    cls = version.binding_class(operation)
    strategies = _field_strategies(version, received=received)
    strategies["mm_status"] = _mmstatus(version, operation, received=received)
    skipped, required = {"content"}, set()
    if not received and operation in _CODE_ONLY:
        strategies["status"] = statuses(version, code_only=True)
    if not received and operation == "extendedReplaceReq":  # F14: VASPID/VASID direct, a ReplaceID
        skipped.add("sender_identification")
        required.add("replace_id")
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name in skipped:
            continue
        strategy = strategies.get(field.name)
        if strategy is None:
            raise AssertionError(f"no strategy for {cls.__name__}.{field.name}")
        if _is_required(field) or field.name in required or draw(st.booleans()):
            values[field.name] = draw(strategy)
    if not received:
        _complete(draw, operation, values)
    return cls(**values)


def _complete(draw: st.DrawFn, operation: str, values: dict[str, Any]) -> None:
    """Add what the send rules tie to another field's value, and make address ids unique (F19)."""
    status = values.get("status")
    if operation in _NAMED_WHEN_SUCCESSFUL and status is not None and status.status_code < 2000:
        values.setdefault("message_id", draw(safe_text()))  # F4, F5
    party = values.get("charged_party")
    if party is not None and party.value == "ThirdParty":
        values.setdefault("charged_party_id", draw(safe_text()))  # F7
    for number, address in enumerate(a for value in values.values() for a in _addresses(value)):
        if address.id is not None:
            # "<ncname>.<n>": the suffix after the last dot differs, so the ids do.
            address.id = f"{address.id}.{number}"


def _addresses(node: Any) -> list[Any]:
    """Every addressType object below a generated object (itself included)."""
    if isinstance(node, list):
        return [a for item in node for a in _addresses(item)]
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return []
    if {f.name for f in dataclasses.fields(node)} >= {"value", "display_only", "id"}:
        return [node]
    return [a for f in dataclasses.fields(node) for a in _addresses(getattr(node, f.name))]


# --------------------------------------------------------------------------------------------- MIME parts


content_ids = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.text("abcdefghijklmnopqrstuvwxyz0123456789.-_", min_size=1, max_size=16).filter(
        lambda s: not s.startswith(".")
    ),
    st.sampled_from(["example.com", "mm7.test", "vasp.example"]),
)
media_types = st.sampled_from(
    ["image/jpeg", "image/png", "application/octet-stream", "text/plain; charset=utf-8", "audio/amr"]
)


@st.composite
def attachment_sets(draw: st.DrawFn, min_size: int = 0, max_size: int = 3) -> list[Part]:
    """Leaf parts with random binary payloads and distinct random Content-IDs."""
    ids = draw(st.lists(content_ids, min_size=min_size, max_size=max_size, unique=True))
    return [
        Part.from_bytes(draw(st.binary(min_size=0, max_size=2048)), draw(media_types), content_id=cid)
        for cid in ids
    ]


# --------------------------------------------------------------------------------------------- fixed samples

SAMPLE_DATE = XmlDateTime(2015, 3, 16, 14, 3, 51, 749_000_000, 0)


def sample_message(version: SchemaVersion, operation: str, *, full: bool = False) -> Any:
    """One fixed schema-valid object of ``operation`` (mandatory fields; ``full`` adds a few optional ones).

    Args:
        version: REL5 or REL6.
        operation: Body element name.
        full: Also fill Subject/ApplicID-like optional fields where the operation has them.
    """
    b = version.bindings
    cls = version.binding_class(operation)
    mm7_version = version.default_mm7_version
    number = b.SenderAddressType(number=b.AddressType(value="16175550123"))
    short = b.SenderAddressType(short_code=b.AddressType(value="111122"))
    sender_id = b.SenderIdType(vasp_id="vasp-1", vas_id="111122mms", sender_address=short)
    to = b.RecipientsType(to=[b.MultiAddressType(number=[b.AddressType(value="16172383232")])])
    status = b.StatusType(status_code=1000, status_text="Success")
    values: dict[str, Any] = {
        "SubmitReq": {"sender_identification": sender_id, "recipients": to},
        "SubmitRsp": {"status": status, "message_id": "msg-1"},
        "DeliverReq": {"sender": number, "recipients": to, "linked_id": "link-1", "time_stamp": SAMPLE_DATE},
        "DeliverRsp": {"status": status},
        "CancelReq": {"sender_identification": sender_id, "message_id": "msg-1"},
        "CancelRsp": {"status": status},
        "ReplaceReq": {"sender_identification": sender_id, "message_id": "msg-1"},
        "ReplaceRsp": {"status": status},
        "DeliveryReportReq": {
            "message_id": "msg-1",
            "recipient": number,
            "sender": short,
            "date": SAMPLE_DATE,
            "mm_status": b.MmDeliveryStatusType.RETRIEVED,
        },
        "DeliveryReportRsp": {"status": status},
        "ReadReplyReq": {
            "message_id": "msg-1",
            "recipient": number,
            "sender": short,
            "time_stamp": SAMPLE_DATE,
            "mm_status": b.MmReadStatusType.READ,
        },
        "ReadReplyRsp": {"status": status},
        "RSErrorRsp": {"status": b.StatusType(status_code=2007, status_text="Message format corrupt")},
        "VASPErrorRsp": {"status": b.StatusType(status_code=4004, status_text="Validation error")},
        "extendedCancelReq": {"sender_identification": sender_id, "cancel_id": "msg-1"},
        # The standard's extendedReplaceReq has VASPID/VASID as direct children, and the Status of both
        # extended responses holds StatusCode only (schemas/README.md, "Schema fidelity").
        "extendedCancelRsp": {"status": b.StatusType(status_code=1000)},
        "extendedReplaceReq": {"vasp_id": "vasp-1", "vas_id": "111122mms", "replace_id": "msg-1"},
        "extendedReplaceRsp": {"message_id": "msg-2", "status": b.StatusType(status_code=1000)},
    }[operation]
    if full:
        names = {f.name for f in dataclasses.fields(cls)}
        for name, value in (("subject", "Hello"), ("applic_id", "app-1"), ("status_text", "Delivered")):
            if name in names and name not in values:
                values[name] = value
    return cls(mm7_version=mm7_version, **values)


def version_operations(*, requests_only: bool = False) -> list[tuple[SchemaVersion, str]]:
    """Every (version, operation) pair, sorted for stable test ids."""
    pairs = [(v, op) for v in VERSIONS for op in sorted(v.operations)]
    if requests_only:
        pairs = [(v, op) for v, op in pairs if op.endswith("Req")]
    return pairs


def pair_id(pair: tuple[SchemaVersion, str]) -> str:
    """pytest id of a (version, operation) pair."""
    return f"{pair[0].key}-{pair[1]}"
