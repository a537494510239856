"""Short constructors for the messages applications build most: SubmitReq, DeliverReq, DeliveryReportReq.

They return the generated dataclasses (the typed API stays the generated one); any field the helpers do not
name can be passed through ``**fields`` or set on the returned object.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from xsdata.models.datatype import XmlDateTime

from mm7._checks import require, require_strings
from mm7.codec.versions import SchemaVersion, for_mm7_version
from mm7.errors import ConfigError, UnsupportedVersionError

if TYPE_CHECKING:
    from mm7_bindings import rel5_mm7_1_3 as rel5
    from mm7_bindings import rel6_mm7_1_4 as rel6

    from mm7.codec.message_types import DeliverReq, DeliveryReportReq, SubmitReq

__all__ = [
    "AddressKind",
    "address",
    "deliver_request",
    "delivery_report_request",
    "recipients",
    "submit_request",
    "xml_datetime",
]

AddressKind = Literal["auto", "number", "short_code", "email"]


def xml_datetime(value: datetime | None = None) -> XmlDateTime:
    """An ``xs:dateTime`` value from an aware datetime (now, UTC, when None; naive means UTC)."""
    value = value or datetime.now(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return XmlDateTime.from_datetime(
        value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)
    )


def _version_for(mm7_version: object) -> SchemaVersion:
    """The schema serving an MM7Version the caller asked for (its mistake is a ConfigError, a local one)."""
    require("mm7_version", mm7_version, str)
    assert isinstance(mm7_version, str)
    try:
        return for_mm7_version(mm7_version)
    except UnsupportedVersionError as exc:
        raise ConfigError(str(exc)) from exc


def _require_texts(**values: object) -> None:
    for name, value in values.items():
        require(name, value, str, optional=True)


#: The address element (generated field name) of each kind of address.
_FIELD_OF_KIND = {"number": "number", "short_code": "short_code", "email": "rfc2822_address"}


def _kind_of(value: str, kind: AddressKind) -> str:
    if kind != "auto":
        return kind
    if "@" in value:
        return "email"
    digits = value.lstrip("+")
    # Short codes are 3-8 digits (US CSC 5-6, UK 5, DE 4-5...); MSISDNs in international form are longer.
    return "short_code" if digits.isdigit() and len(digits) <= 8 else "number"


def address(
    version: SchemaVersion, value: str, *, kind: AddressKind = "auto", display_only: bool | None = None
) -> rel5.SenderAddressType | rel6.SenderAddressType:
    """One address element (``senderAddressType``): Number, ShortCode or RFC2822Address."""
    bindings = version.bindings
    if display_only is None:
        element = bindings.AddressType(value=value)
    else:
        element = bindings.AddressType(value=value, display_only=display_only)
    field = _FIELD_OF_KIND[_kind_of(value, kind)]
    result: rel5.SenderAddressType | rel6.SenderAddressType = bindings.SenderAddressType(**{field: element})
    return result


def recipients(
    version: SchemaVersion,
    to: Sequence[str] = (),
    *,
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    display_only: Sequence[str] = (),
    kind: AddressKind = "auto",
) -> rel5.RecipientsType | rel6.RecipientsType:
    """A ``Recipients`` element; numbers listed in ``display_only`` get ``displayOnly="true"``.

    When ``display_only`` is non-empty, every other recipient is written with ``displayOnly="false"``
    explicitly (Sinch group messaging counts the explicit values).
    """
    bindings = version.bindings
    shown = set(display_only)
    fields: dict[str, Any] = {}
    if to:
        fields["to"] = [_multi_address(bindings, to, shown, kind)]
    if cc:
        fields["cc"] = [_multi_address(bindings, cc, shown, kind)]
    if bcc:
        fields["bcc"] = [_multi_address(bindings, bcc, shown, kind)]
    result: rel5.RecipientsType | rel6.RecipientsType = bindings.RecipientsType(**fields)
    return result


def _multi_address(bindings: Any, values: Sequence[str], shown: set[str], kind: AddressKind) -> Any:
    """A ``MultiAddressType`` of ``values``, each in its kind's element (``displayOnly`` when shown)."""
    address_type = bindings.AddressType
    lists: dict[str, list[Any]] = {}  # only the fields that get an address, in first-use order
    for value in values:
        if shown:
            element = address_type(value=value, display_only=value in shown)
        else:
            element = address_type(value=value)
        field = _FIELD_OF_KIND[_kind_of(value, kind)]
        found = lists.get(field)
        if found is None:
            lists[field] = [element]
        else:
            found.append(element)
    return bindings.MultiAddressType(**lists)


def submit_request(
    *,
    to: str | Sequence[str],
    vasp_id: str | None = None,
    vas_id: str | None = None,
    sender: str | None = None,
    subject: str | None = None,
    mm7_version: str = "6.8.0",
    delivery_report: bool | None = True,
    display_only: Sequence[str] = (),
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    timestamp: datetime | None = None,
    **fields: object,
) -> SubmitReq:
    """Build a SubmitReq of the schema version that serves ``mm7_version``.

    Args:
        to: Recipient address(es): numbers (international digits), short codes or e-mail addresses.
        vasp_id: VASPID (Sinch: the API key).
        vas_id: VASID (Sinch: the service id of the short code).
        sender: SenderAddress (a short code or number).
        subject: Subject.
        mm7_version: ``MM7Version``; picks the schema (5.x.y → REL-5-MM7-1-3, 6.x.y → REL-6-MM7-1-4).
        delivery_report: Ask for delivery reports (None leaves the element out).
        display_only: Recipients that are only displayed (group messaging).
        cc: Cc recipients.
        bcc: Bcc recipients.
        timestamp: TimeStamp; omitted when None.
        **fields: Any other SubmitReq field by its generated name (``expiry_date``, ``priority``...).

    Returns:
        The generated ``SubmitReq`` object.
    """
    to_list = require_strings("to", to)
    require("vasp_id", vasp_id, str, optional=True)
    require("vas_id", vas_id, str, optional=True)
    require("sender", sender, str, optional=True)
    require("subject", subject, str, optional=True)
    require("delivery_report", delivery_report, bool, optional=True)
    require("timestamp", timestamp, datetime, optional=True)
    cc, bcc = require_strings("cc", cc), require_strings("bcc", bcc)
    display_only = require_strings("display_only", display_only)
    version = _version_for(mm7_version)
    bindings = version.bindings
    sender_id = bindings.SenderIdType(
        vasp_id=vasp_id,
        vas_id=vas_id,
        sender_address=address(version, sender) if sender else None,
    )
    request = version.binding_class("SubmitReq")(
        mm7_version=mm7_version,
        sender_identification=sender_id,
        recipients=recipients(version, to_list, cc=cc, bcc=bcc, display_only=display_only),
        subject=subject,
        delivery_report=delivery_report,
        time_stamp=xml_datetime(timestamp) if timestamp else None,
        **fields,
    )
    return cast("SubmitReq", request)


def deliver_request(
    *,
    sender: str,
    to: str | Sequence[str],
    linked_id: str | None = None,
    subject: str | None = None,
    mm7_version: str = "6.8.0",
    timestamp: datetime | None = None,
    **fields: object,
) -> DeliverReq:
    """Build a DeliverReq (an MO message, relay → VASP)."""
    to_list = require_strings("to", to)
    require("sender", sender, str)
    _require_texts(linked_id=linked_id, subject=subject)
    require("timestamp", timestamp, datetime, optional=True)
    version = _version_for(mm7_version)
    request = version.binding_class("DeliverReq")(
        mm7_version=mm7_version,
        linked_id=linked_id,
        sender=address(version, sender),
        recipients=recipients(version, to_list),
        time_stamp=xml_datetime(timestamp),
        subject=subject,
        **fields,
    )
    return cast("DeliverReq", request)


def delivery_report_request(
    *,
    message_id: str,
    recipient: str,
    sender: str,
    mm_status: str,
    status_text: str | None = None,
    date: datetime | None = None,
    mm7_version: str = "6.8.0",
    **fields: object,
) -> DeliveryReportReq:
    """Build a DeliveryReportReq (relay → VASP) for a message the VASP submitted."""
    for name, value in (("message_id", message_id), ("recipient", recipient), ("sender", sender)):
        require(name, value, str)
    require("mm_status", mm_status, str)
    _require_texts(status_text=status_text)
    require("date", date, datetime, optional=True)
    version = _version_for(mm7_version)
    bindings = version.bindings
    try:
        status = bindings.MmDeliveryStatusType(mm_status)
    except ValueError:
        known = ", ".join(sorted(str(member.value) for member in bindings.MmDeliveryStatusType))
        raise ConfigError(f"mm_status {mm_status!r} is not one of {known}") from None
    request = version.binding_class("DeliveryReportReq")(
        mm7_version=mm7_version,
        message_id=message_id,
        recipient=address(version, recipient),
        sender=address(version, sender),
        date=xml_datetime(date),
        mm_status=status,
        status_text=status_text,
        **fields,
    )
    return cast("DeliveryReportReq", request)
