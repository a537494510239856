"""Who, to whom, which message: one set of accessors over the generated classes of both schema versions.

An MM7 message keeps its parties and identifiers in different places per operation: a SubmitReq's sender
is ``SenderIdentification/SenderAddress``, a DeliverReq's is ``Sender``; recipients are ``Recipients``
(To/Cc/Bcc groups of Number, RFC2822Address and ShortCode lists) in a SubmitReq or DeliverReq but a single
``Recipient`` in a delivery report; the VASPID is in ``SenderIdentification`` except in an
extendedReplaceReq and a Release 6 DeliverReq, which carry it directly. The functions here know those
places, so the receiver, the CLI, the bulk sender, the carrier profiles and the simulator ask them instead
of walking the objects themselves::

    from mm7.codec import summary

    decoded = mm7.decode(body, content_type)
    summary.sender(decoded.message)        # Address(kind='number', value='15551234567', ...)
    [r.value for r in summary.recipients(decoded.message)]
    summary.summarize(decoded.message).mm_status

Every function takes any generated message of either version (or None) and answers None or an empty list
when that operation has no such element, or when tolerant decoding could not read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, TypeAlias

from mm7_bindings import rel5_mm7_1_3 as rel5
from mm7_bindings import rel6_mm7_1_4 as rel6
from xsdata.models.datatype import XmlDateTime

__all__ = [
    "ADDRESS_KINDS",
    "RECIPIENT_GROUPS",
    "Address",
    "AddressElement",
    "AddressField",
    "Message",
    "MessageSummary",
    "RecipientGroup",
    "SenderIdentification",
    "event_date",
    "linked_id",
    "message_id",
    "mm_status",
    "recipient",
    "recipients",
    "sender",
    "sender_identification",
    "status_text",
    "subject",
    "summarize",
    "vas_id",
    "vasp_id",
]

#: Any generated MM7 message of either version: every request and response derives from one of these.
Message: TypeAlias = (
    rel5.GenericRequestType
    | rel6.GenericRequestType
    | rel5.GenericResponseType
    | rel6.GenericResponseType
    | rel6.ExtendedReplaceReqType
    | rel6.ExtendedReplaceRspType
)
#: One address element (``Number``, ``RFC2822Address`` or ``ShortCode``).
AddressElement: TypeAlias = rel5.AddressType | rel6.AddressType
#: A ``SenderIdentification`` (VASPID, VASID, SenderAddress).
SenderIdentification: TypeAlias = rel5.SenderIdType | rel6.SenderIdType
_SenderAddress: TypeAlias = rel5.SenderAddressType | rel6.SenderAddressType
_MultiAddress: TypeAlias = rel5.MultiAddressType | rel6.MultiAddressType

AddressField = Literal["number", "short_code", "rfc2822_address"]
RecipientGroup = Literal["to", "cc", "bcc"]
#: The kinds of address, in the order a choice of them is read (the generated field names).
ADDRESS_KINDS: tuple[AddressField, ...] = ("number", "short_code", "rfc2822_address")
#: The recipient groups of ``Recipients``, in document order.
RECIPIENT_GROUPS: tuple[RecipientGroup, ...] = ("to", "cc", "bcc")

_VASP_REQUESTS = (rel5.GenericVaspRequestType, rel6.GenericVaspRequestType, rel6.ExtendedReplaceReqType)
_DELIVERS = (rel5.DeliverReqType, rel6.DeliverReqType)
_SUBMITS = (rel5.SubmitReqType, rel6.SubmitReqType)
_REPORTS = (
    rel5.DeliveryReportReqType,
    rel6.DeliveryReportReqType,
    rel5.ReadReplyReqType,
    rel6.ReadReplyReqType,
)
_DELIVERY_REPORTS = (rel5.DeliveryReportReqType, rel6.DeliveryReportReqType)
_WITH_MESSAGE_ID = (
    rel5.SubmitRspType,
    rel6.SubmitRspType,
    rel5.CancelReqType,
    rel6.CancelReqType,
    rel5.ReplaceReqType,
    rel6.ReplaceReqType,
    rel6.ExtendedReplaceRspType,
    *_REPORTS,
)
_WITH_RECIPIENTS = (*_SUBMITS, *_DELIVERS, rel6.CancelReqType)
_WITH_TIME_STAMP = (
    *_SUBMITS,
    *_DELIVERS,
    rel5.ReplaceReqType,
    rel6.ReplaceReqType,
    rel6.ExtendedReplaceReqType,
    rel5.ReadReplyReqType,
    rel6.ReadReplyReqType,
)


@dataclass(frozen=True, kw_only=True)
class Address:
    """One address of a message: its kind, its text and, for a recipient, its group.

    Attributes:
        kind: ``number``, ``short_code`` or ``rfc2822_address`` (the generated field it came from).
        value: The address text as sent (e.g. ``15551234567``, ``12345``, ``a@example.com``).
        display_only: The ``displayOnly`` attribute (group messaging: shown, not delivered to).
        group: ``to``, ``cc`` or ``bcc`` for a member of ``Recipients``; None for a single address
            (a sender, a delivery report's Recipient).
        element: The generated address element itself, for callers that change it in place.
    """

    kind: AddressField
    value: str
    display_only: bool = False
    group: RecipientGroup | None = None
    element: AddressElement = field(compare=False, repr=False)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, kw_only=True)
class MessageSummary:
    """What :func:`summarize` reads of a message; every field is None (or empty) where it has no such element.

    Attributes:
        mm7_version: ``MM7Version``.
        message_id: ``MessageID``.
        linked_id: ``LinkedID``.
        vasp_id: ``VASPID``.
        vas_id: ``VASID``.
        sender: The sender (``Sender``, or ``SenderIdentification/SenderAddress``).
        recipient: A delivery report's or read reply's ``Recipient``, else the first of ``recipients``.
        recipients: Every To, Cc and Bcc address, in order.
        subject: ``Subject``.
        mm_status: ``MMStatus`` of a delivery report or read reply, as its text (``Retrieved``...).
        status_text: ``StatusText`` of a delivery report or read reply.
        date: A delivery report's ``Date``, else the ``TimeStamp``.
    """

    mm7_version: str | None = None
    message_id: str | None = None
    linked_id: str | None = None
    vasp_id: str | None = None
    vas_id: str | None = None
    sender: Address | None = None
    recipient: Address | None = None
    recipients: tuple[Address, ...] = ()
    subject: str | None = None
    mm_status: str | None = None
    status_text: str | None = None
    date: XmlDateTime | None = None


def summarize(message: Message | None) -> MessageSummary:
    """Read a message's identifiers, parties and status at once (see :class:`MessageSummary`)."""
    if message is None:
        return MessageSummary()
    return MessageSummary(
        mm7_version=message.mm7_version or None,
        message_id=message_id(message),
        linked_id=linked_id(message),
        vasp_id=vasp_id(message),
        vas_id=vas_id(message),
        sender=sender(message),
        recipient=recipient(message),
        recipients=tuple(recipients(message)),
        subject=subject(message),
        mm_status=mm_status(message),
        status_text=status_text(message),
        date=event_date(message),
    )


# ------------------------------------------------------------------------------------------ parties


def sender_identification(message: Message | None) -> SenderIdentification | None:
    """The ``SenderIdentification`` of a VASP request (SubmitReq, CancelReq, ReplaceReq...), else None."""
    if isinstance(message, _VASP_REQUESTS):
        return message.sender_identification
    return None


def vasp_id(message: Message | None) -> str | None:
    """The ``VASPID``: in SenderIdentification, or direct (extendedReplaceReq, Rel-6 DeliverReq)."""
    if isinstance(message, (rel6.ExtendedReplaceReqType, rel6.DeliverReqType)) and message.vasp_id:
        return message.vasp_id
    ident = sender_identification(message)
    return (ident.vasp_id or None) if ident is not None else None


def vas_id(message: Message | None) -> str | None:
    """The ``VASID``, found the way :func:`vasp_id` finds the VASPID."""
    if isinstance(message, (rel6.ExtendedReplaceReqType, rel6.DeliverReqType)) and message.vas_id:
        return message.vas_id
    ident = sender_identification(message)
    return (ident.vas_id or None) if ident is not None else None


def sender(message: Message | None) -> Address | None:
    """Who sent the message, None when it names no one.

    ``Sender`` of a DeliverReq, delivery report or read reply; the ``SenderIdentification/SenderAddress`` of
    a VASP request.
    """
    if isinstance(message, (*_DELIVERS, *_REPORTS)):
        return _single(message.sender)
    ident = sender_identification(message)
    return _single(ident.sender_address) if ident is not None else None


def recipients(message: Message | None) -> list[Address]:
    """Every To, Cc and Bcc address of ``Recipients`` (SubmitReq, DeliverReq, Rel-6 CancelReq), in order.

    Within one group, each ``MultiAddress`` gives its numbers, then short codes, then RFC 2822 addresses
    (the generated lists keep no order across kinds).
    """
    if not isinstance(message, _WITH_RECIPIENTS) or message.recipients is None:
        return []
    groups = message.recipients
    found = []
    for group, members in zip(RECIPIENT_GROUPS, (groups.to, groups.cc, groups.bcc), strict=True):
        for multi in members or ():
            for kind, element in _elements(multi):
                found.append(_address(kind, element, group))
    return found


def recipient(message: Message | None) -> Address | None:
    """The one recipient, None when there is none.

    A delivery report's or read reply's ``Recipient``; else the first address of :func:`recipients` that has
    a value (a DeliverReq's: the VASP's short code).
    """
    if isinstance(message, _REPORTS):
        return _single(message.recipient)
    return next((address for address in recipients(message) if address.value), None)


# ------------------------------------------------------------------------------------------ identifiers


def message_id(message: Message | None) -> str | None:
    """The ``MessageID`` (SubmitRsp, CancelReq, ReplaceReq, delivery report, read reply...)."""
    if isinstance(message, _WITH_MESSAGE_ID):
        return message.message_id or None
    return None


def linked_id(message: Message | None) -> str | None:
    """The ``LinkedID`` (SubmitReq, DeliverReq)."""
    if isinstance(message, (*_SUBMITS, *_DELIVERS)):
        return message.linked_id or None
    return None


def subject(message: Message | None) -> str | None:
    """The ``Subject`` (SubmitReq, DeliverReq)."""
    if isinstance(message, (*_SUBMITS, *_DELIVERS)):
        return message.subject
    return None


def mm_status(message: Message | None) -> str | None:
    """The ``MMStatus`` of a delivery report or read reply as its text (``Retrieved``, ``Read``...)."""
    if not isinstance(message, _REPORTS):
        return None
    value: object = message.mm_status
    if value is None:
        return None
    return str(value.value) if isinstance(value, Enum) else str(value)


def status_text(message: Message | None) -> str | None:
    """The ``StatusText`` element of a delivery report or read reply.

    A response's Status/StatusText is :attr:`mm7.DecodedMessage.status_text`.
    """
    if isinstance(message, _REPORTS):
        return message.status_text
    return None


def event_date(message: Message | None) -> XmlDateTime | None:
    """When it happened: a delivery report's ``Date``, else the message's ``TimeStamp``."""
    if isinstance(message, _DELIVERY_REPORTS):
        return message.date
    if isinstance(message, _WITH_TIME_STAMP):
        return message.time_stamp
    return None


# ------------------------------------------------------------------------------------------ helpers


def _elements(holder: _SenderAddress | _MultiAddress) -> Iterator[tuple[AddressField, AddressElement]]:
    """Each (kind, element) of a SenderAddress (a choice: one element) or MultiAddress (lists)."""
    values = (holder.number, holder.short_code, holder.rfc2822_address)
    for kind, value in zip(ADDRESS_KINDS, values, strict=True):
        if isinstance(value, list):
            for element in value:
                yield kind, element
        elif value is not None:
            yield kind, value


def _single(holder: _SenderAddress | None) -> Address | None:
    """The address a SenderAddress-like element holds: the first kind with a value."""
    if holder is None:
        return None
    for kind, element in _elements(holder):
        if element.value:
            return _address(kind, element, None)
    return None


def _address(kind: AddressField, element: AddressElement, group: RecipientGroup | None) -> Address:
    return Address(
        kind=kind,
        value=element.value or "",
        display_only=element.display_only,
        group=group,
        element=element,
    )
