"""Hypothesis strategies (and fixed samples) for schema-valid MM7 message objects of every operation.

Everything is built from the generated classes of one schema version (``version.bindings``), so the same
strategies cover REL-5-MM7-1-3 and REL-6-MM7-1-4. Constraints of our XSDs are respected by construction:
choices hold exactly one alternative, unbounded choices at least one, ``MM7Version`` matches the release,
status codes stay in 1000-4999, positive integers are positive, enumerations are sampled from the enums.

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


def address_types(version: SchemaVersion) -> st.SearchStrategy[Any]:
    """``addressType``: the value and its optional attributes."""
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
        id=optional(safe_text(max_size=10).map(_no_space)),
    )


def _no_space(text: str) -> str:
    return text.replace(" ", "x")


def _one_of_address_fields(version: SchemaVersion, cls: Any, **extra: Any) -> st.SearchStrategy[Any]:
    """A senderAddressType-like object holding exactly one of RFC2822Address, Number, ShortCode."""
    field = st.sampled_from(["rfc2822_address", "number", "short_code"])
    return st.builds(
        lambda name, addr, kw: cls(**{name: addr}, **kw),
        field,
        address_types(version),
        st.fixed_dictionaries(extra),
    )


def sender_addresses(version: SchemaVersion) -> st.SearchStrategy[Any]:
    """``senderAddressType``: exactly one address."""
    return _one_of_address_fields(version, version.bindings.SenderAddressType)


@st.composite
def multi_addresses(draw: st.DrawFn, version: SchemaVersion) -> Any:
    """``multiAddressType``: at least one address, of any kinds."""
    b = version.bindings
    lists = {
        name: draw(st.lists(address_types(version), max_size=2))
        for name in ("rfc2822_address", "number", "short_code")
    }
    if not any(lists.values()):
        lists["number"] = [draw(address_types(version))]
    return b.MultiAddressType(**lists)


@st.composite
def recipients(draw: st.DrawFn, version: SchemaVersion) -> Any:
    """``recipientsType``: at least one of To/Cc/Bcc."""
    b = version.bindings
    lists = {name: draw(st.lists(multi_addresses(version), max_size=2)) for name in ("to", "cc", "bcc")}
    if not any(lists.values()):
        lists["to"] = [draw(multi_addresses(version))]
    return b.RecipientsType(**lists)


def sender_ids(version: SchemaVersion) -> st.SearchStrategy[Any]:
    """``senderIDType``: VASPID, VASID and SenderAddress, each optional."""
    return st.builds(
        version.bindings.SenderIdType,
        vaspid=optional(safe_text()),
        vasid=optional(safe_text()),
        sender_address=optional(sender_addresses(version)),
    )


def statuses(version: SchemaVersion) -> st.SearchStrategy[Any]:
    """``statusType``: a code in 1000-4999, optional text and text-only Details."""
    b = version.bindings
    return st.builds(
        b.StatusType,
        status_code=st.integers(1000, 4999),
        status_text=optional(safe_text()),
        details=optional(safe_text().map(lambda t: b.StatusDetailsType(content=[t]))),
    )


def ua_capabilities(version: SchemaVersion) -> st.SearchStrategy[Any]:
    """``uaCapabilitiesType``."""
    return st.builds(
        version.bindings.UaCapabilitiesType,
        uaprof=optional(safe_text()),
        time_stamp=optional(xml_datetimes()),
    )


def _positive() -> st.SearchStrategy[int]:
    return st.integers(1, 10**6)


def _field_strategies(version: SchemaVersion) -> dict[str, st.SearchStrategy[Any]]:
    """A strategy per generated field name (the same name has the same type in every MM7 operation)."""
    b = version.bindings
    text = safe_text()
    fields: dict[str, st.SearchStrategy[Any]] = {
        "mm7_version": mm7_versions(version),
        "sender_identification": sender_ids(version),
        "recipients": recipients(version),
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
        "charged_party": enum_of(b.ChargedPartyType),
        "charged_party_id": text,
        "distribution_indicator": st.booleans(),
        "applic_id": text,
        "reply_applic_id": text,
        "aux_applic_info": text,
        "drmcontent": st.booleans(),
        "mmsrelay_server_id": text,
        "vaspid": text,
        "vasid": text,
        "sender": sender_addresses(version),
        "sender_spi": text,
        "recipient_spi": text,
        "reply_charging_id": text,
        "uacapabilities": ua_capabilities(version),
        "message_id": text,
        "recipient": sender_addresses(version),
        "date": xml_datetimes(),
        "status_text": text,
        "status": statuses(version),
        "cancel_id": text,
        "replace_id": text,
    }
    if hasattr(b, "ContentClassType"):
        fields["content_class"] = enum_of(b.ContentClassType)
    if hasattr(b, "DeliveryConditionType"):
        fields["delivery_condition"] = st.builds(
            b.DeliveryConditionType, dc=st.lists(_positive(), min_size=1, max_size=3)
        )
    if hasattr(b, "MmStatusExtensionType"):
        fields["mmstatus_extension"] = enum_of(b.MmStatusExtensionType)
    if hasattr(b, "PreviouslySentByType"):
        fields["previouslysentby"] = st.builds(
            b.PreviouslySentByType,
            user_agent=st.lists(
                _one_of_address_fields(version, b.SequencedAddressType, sequence=_positive()),
                min_size=1,
                max_size=2,
            ),
        )
        fields["previouslysentdateandtime"] = st.builds(
            b.PreviouslySentDateType,
            date_time=st.lists(
                st.builds(b.SequencedDateTimeType, value=xml_datetimes(), sequence=_positive()),
                min_size=1,
                max_size=2,
            ),
        )
    return fields


def _mmstatus(version: SchemaVersion, operation: str) -> st.SearchStrategy[Any]:
    b = version.bindings
    if operation == "ReadReplyReq":
        return enum_of(b.MmReadStatusType)
    # encode emits only the standard's values; the carrier extras the schema accepts are receive-only.
    return st.sampled_from([m for m in b.MmDeliveryStatusType if m.value in version.standard_mm_statuses])


_MANDATORY_CACHE: dict[type, set[str]] = {}


def _is_required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


@st.composite
def messages(draw: st.DrawFn, version: SchemaVersion, operation: str) -> Any:
    """A schema-valid object of ``operation`` with every optional field randomly present or absent.

    The ``content`` field is left None: the round-trip test lets ``encode`` add it (or sets it itself).
    """
    cls = version.binding_class(operation)
    strategies = _field_strategies(version)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name == "content":
            continue
        strategy = _mmstatus(version, operation) if field.name == "mmstatus" else strategies.get(field.name)
        if strategy is None:
            raise AssertionError(f"no strategy for {cls.__name__}.{field.name}")
        if _is_required(field) or draw(st.booleans()):
            values[field.name] = draw(strategy)
    return cls(**values)


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
    sender_id = b.SenderIdType(vaspid="vasp-1", vasid="111122mms", sender_address=short)
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
            "mmstatus": b.MmDeliveryStatusType.RETRIEVED,
        },
        "DeliveryReportRsp": {"status": status},
        "ReadReplyReq": {
            "message_id": "msg-1",
            "recipient": number,
            "sender": short,
            "time_stamp": SAMPLE_DATE,
            "mmstatus": b.MmReadStatusType.READ,
        },
        "ReadReplyRsp": {"status": status},
        "RSErrorRsp": {"status": b.StatusType(status_code=2007, status_text="Message format corrupt")},
        "VASPErrorRsp": {"status": b.StatusType(status_code=4004, status_text="Validation error")},
        "extendedCancelReq": {"sender_identification": sender_id, "cancel_id": "msg-1"},
        # The standard's extendedReplaceReq has VASPID/VASID as direct children, and the Status of both
        # extended responses holds StatusCode only (schemas/README.md, "Schema fidelity").
        "extendedCancelRsp": {"status": b.StatusType(status_code=1000)},
        "extendedReplaceReq": {"vaspid": "vasp-1", "vasid": "111122mms", "replace_id": "msg-1"},
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
