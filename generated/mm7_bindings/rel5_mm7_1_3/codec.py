"""Generated encoders and decoders for mm7_bindings.rel5_mm7_1_3 (scripts/regenerate, mm7._codegen). Do not edit.

``fill_<Class>(obj, el)`` writes an object into an lxml element and ``parse_<Class>(el)`` binds an
element to a new object, with the same output as xsdata's serializer and parser; ``Fallback`` means
xsdata must handle the whole object or element. ``write_<Class>(obj, out, tag)`` appends the
element as the text lxml would write for it, ``mm7`` the prefix of the package's
namespace. ``CODECS`` maps each class to its functions; ``FALLBACK`` names the classes always left
to xsdata, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree
from lxml.etree import SubElement
from xsdata.models.datatype import XmlDateTime

from mm7.codec import bindings_runtime as _rt
from mm7.codec.bindings_runtime import Fallback

from .rel_5_mm7_1_3 import (
    AddressCodingType,
    AddressType,
    CancelReq,
    CancelReqType,
    CancelRsp,
    ChargedPartyType,
    ContentReferenceType,
    DeliverReq,
    DeliverReqType,
    DeliverRsp,
    DeliverRspType,
    DeliveryReportReq,
    DeliveryReportReqType,
    DeliveryReportRsp,
    GenericRequestType,
    GenericResponseType,
    GenericVaspRequestType,
    MessageClassType,
    MmDeliveryStatusType,
    MmReadStatusType,
    MultiAddressType,
    PriorityType,
    RSErrorRsp,
    ReadReplyReq,
    ReadReplyReqType,
    ReadReplyRsp,
    RecipientsType,
    ReplaceReq,
    ReplaceReqType,
    ReplaceRsp,
    ReplyChargingType,
    SenderAddressType,
    SenderIdType,
    StatusDetailsType,
    StatusType,
    SubmitReq,
    SubmitReqType,
    SubmitRsp,
    SubmitRspType,
    TransactionId,
    TransactionIdType,
    UaCapabilitiesType,
    VASPErrorRsp,
)

__all__ = ["CODECS", "FALLBACK"]

NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3"

Q_Bcc = _rt.qualified(NS, "Bcc")
Q_CancelReq = _rt.qualified(NS, "CancelReq")
Q_CancelRsp = _rt.qualified(NS, "CancelRsp")
Q_Cc = _rt.qualified(NS, "Cc")
Q_ChargedParty = _rt.qualified(NS, "ChargedParty")
Q_Content = _rt.qualified(NS, "Content")
Q_Date = _rt.qualified(NS, "Date")
Q_DeliverReq = _rt.qualified(NS, "DeliverReq")
Q_DeliverRsp = _rt.qualified(NS, "DeliverRsp")
Q_DeliveryReport = _rt.qualified(NS, "DeliveryReport")
Q_DeliveryReportReq = _rt.qualified(NS, "DeliveryReportReq")
Q_DeliveryReportRsp = _rt.qualified(NS, "DeliveryReportRsp")
Q_Details = _rt.qualified(NS, "Details")
Q_DistributionIndicator = _rt.qualified(NS, "DistributionIndicator")
Q_EarliestDeliveryTime = _rt.qualified(NS, "EarliestDeliveryTime")
Q_ExpiryDate = _rt.qualified(NS, "ExpiryDate")
Q_LinkedID = _rt.qualified(NS, "LinkedID")
Q_MM7Version = _rt.qualified(NS, "MM7Version")
Q_MMSRelayServerID = _rt.qualified(NS, "MMSRelayServerID")
Q_MMStatus = _rt.qualified(NS, "MMStatus")
Q_MessageClass = _rt.qualified(NS, "MessageClass")
Q_MessageID = _rt.qualified(NS, "MessageID")
Q_Number = _rt.qualified(NS, "Number")
Q_Priority = _rt.qualified(NS, "Priority")
Q_RFC2822Address = _rt.qualified(NS, "RFC2822Address")
Q_RSErrorRsp = _rt.qualified(NS, "RSErrorRsp")
Q_ReadReply = _rt.qualified(NS, "ReadReply")
Q_ReadReplyReq = _rt.qualified(NS, "ReadReplyReq")
Q_ReadReplyRsp = _rt.qualified(NS, "ReadReplyRsp")
Q_Recipient = _rt.qualified(NS, "Recipient")
Q_Recipients = _rt.qualified(NS, "Recipients")
Q_ReplaceReq = _rt.qualified(NS, "ReplaceReq")
Q_ReplaceRsp = _rt.qualified(NS, "ReplaceRsp")
Q_ReplyCharging = _rt.qualified(NS, "ReplyCharging")
Q_ReplyChargingID = _rt.qualified(NS, "ReplyChargingID")
Q_Sender = _rt.qualified(NS, "Sender")
Q_SenderAddress = _rt.qualified(NS, "SenderAddress")
Q_SenderIdentification = _rt.qualified(NS, "SenderIdentification")
Q_ServiceCode = _rt.qualified(NS, "ServiceCode")
Q_ShortCode = _rt.qualified(NS, "ShortCode")
Q_Status = _rt.qualified(NS, "Status")
Q_StatusCode = _rt.qualified(NS, "StatusCode")
Q_StatusText = _rt.qualified(NS, "StatusText")
Q_Subject = _rt.qualified(NS, "Subject")
Q_SubmitReq = _rt.qualified(NS, "SubmitReq")
Q_SubmitRsp = _rt.qualified(NS, "SubmitRsp")
Q_TimeStamp = "TimeStamp"
Q_TimeStamp_2 = _rt.qualified(NS, "TimeStamp")
Q_To = _rt.qualified(NS, "To")
Q_TransactionID = _rt.qualified(NS, "TransactionID")
Q_UACapabilities = _rt.qualified(NS, "UACapabilities")
Q_UAProf = "UAProf"
Q_VASID = _rt.qualified(NS, "VASID")
Q_VASPErrorRsp = _rt.qualified(NS, "VASPErrorRsp")
Q_VASPID = _rt.qualified(NS, "VASPID")
Q_addressCoding = "addressCoding"
Q_addressType = "addressType"
Q_allowAdaptations = "allowAdaptations"
Q_cancelReqType = "cancelReqType"
Q_contentReferenceType = "contentReferenceType"
Q_deliverReqType = "deliverReqType"
Q_deliverRspType = "deliverRspType"
Q_deliveryReportReqType = "deliveryReportReqType"
Q_displayOnly = "displayOnly"
Q_genericRequestType = "genericRequestType"
Q_genericResponseType = "genericResponseType"
Q_genericVASPRequestType = "genericVASPRequestType"
Q_href = "href"
Q_id = "id"
Q_multiAddressType = "multiAddressType"
Q_readReplyReqType = "readReplyReqType"
Q_recipientsType = "recipientsType"
Q_replaceReqType = "replaceReqType"
Q_replyChargingSize = "replyChargingSize"
Q_replyChargingType = "replyChargingType"
Q_replyDeadline = "replyDeadline"
Q_senderAddressType = "senderAddressType"
Q_senderIDType = "senderIDType"
Q_statusDetailsType = "statusDetailsType"
Q_statusType = "statusType"
Q_submitReqType = "submitReqType"
Q_submitRspType = "submitRspType"
Q_transactionIDType = "transactionIDType"
Q_uaCapabilitiesType = "uaCapabilitiesType"
_ENUM_AddressCodingType = _rt.enum_members(AddressCodingType)
_ENUM_ChargedPartyType = _rt.enum_members(ChargedPartyType)
_ENUM_MessageClassType = _rt.enum_members(MessageClassType)
_ENUM_MmDeliveryStatusType = _rt.enum_members(MmDeliveryStatusType)
_ENUM_MmReadStatusType = _rt.enum_members(MmReadStatusType)
_ENUM_PriorityType = _rt.enum_members(PriorityType)


# ---- ContentReferenceType


def fill_ContentReferenceType(obj: ContentReferenceType, el: etree._Element) -> None:
    v: Any
    v = obj.href
    if v is not None:
        el.set(Q_href, v if type(v) is str and v[:1] != '{' else _rt.attr(v))
    v = obj.allow_adaptations
    if v is not None:
        el.set(Q_allowAdaptations, ("true" if v else "false") if type(v) is bool else _rt.attr(v))


def parse_ContentReferenceType(el: etree._Element) -> ContentReferenceType:
    kw: dict[str, Any] = {}
    keys = el.keys()
    if keys:
        n = 0
        v = el.get(Q_href)
        if v is not None:
            n += 1
            kw["href"] = v
        v = el.get(Q_allowAdaptations)
        if v is not None:
            n += 1
            kw["allow_adaptations"] = (v == "true" or _rt.parse_bool(v))
        if len(keys) != n:
            _rt.extra_attributes(el, kw, frozenset({"allowAdaptations", "href"}), None, ())
    return ContentReferenceType(**kw)


def write_ContentReferenceType(obj: ContentReferenceType, out: list[str], tag: str) -> None:
    v: Any
    a = ""
    v = obj.href
    if v is not None:
        a += ' href="' + _rt.escape_attr(v if type(v) is str and v[:1] != '{' else _rt.attr(v)) + '"'
    v = obj.allow_adaptations
    if v is not None:
        a += (' allowAdaptations="true"' if v else ' allowAdaptations="false"') if type(v) is bool else ' allowAdaptations="' + _rt.escape_attr(_rt.attr(v)) + '"'
    out.append("<" + tag + a + "/>")


# ---- GenericRequestType


def _GenericRequestType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


_CHILDREN_GenericRequestType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _GenericRequestType_mm7_version,
}


def fill_GenericRequestType(obj: GenericRequestType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)


def parse_GenericRequestType(el: etree._Element) -> GenericRequestType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_GenericRequestType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return GenericRequestType(**kw)


def write_GenericRequestType(obj: GenericRequestType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReplyChargingType


def fill_ReplyChargingType(obj: ReplyChargingType, el: etree._Element) -> None:
    v: Any
    v = obj.reply_charging_size
    if v is not None:
        el.set(Q_replyChargingSize, str(v) if type(v) is int else _rt.attr(v))
    v = obj.reply_deadline
    if v is not None:
        el.set(Q_replyDeadline, _rt.attr(v))


def parse_ReplyChargingType(el: etree._Element) -> ReplyChargingType:
    kw: dict[str, Any] = {}
    keys = el.keys()
    if keys:
        n = 0
        v = el.get(Q_replyChargingSize)
        if v is not None:
            n += 1
            kw["reply_charging_size"] = int(v)
        v = el.get(Q_replyDeadline)
        if v is not None:
            n += 1
            kw["reply_deadline"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), v)
        if len(keys) != n:
            _rt.extra_attributes(el, kw, frozenset({"replyChargingSize", "replyDeadline"}), None, ())
    return ReplyChargingType(**kw)


def write_ReplyChargingType(obj: ReplyChargingType, out: list[str], tag: str) -> None:
    v: Any
    a = ""
    v = obj.reply_charging_size
    if v is not None:
        a += ' replyChargingSize="' + _rt.escape_attr(str(v) if type(v) is int else _rt.attr(v)) + '"'
    v = obj.reply_deadline
    if v is not None:
        a += ' replyDeadline="' + _rt.escape_attr(_rt.attr(v)) + '"'
    out.append("<" + tag + a + "/>")


# ---- StatusDetailsType


def fill_StatusDetailsType(obj: StatusDetailsType, el: etree._Element) -> None:
    s = _rt.mixed_text(obj.content)
    if s:
        el.text = s


def parse_StatusDetailsType(el: etree._Element) -> StatusDetailsType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    if len(el):
        raise Fallback
    t = _rt.normalize_content(el.text)
    kw["content"] = [t] if t is not None else []
    return StatusDetailsType(**kw)


def write_StatusDetailsType(obj: StatusDetailsType, out: list[str], tag: str) -> None:
    s = _rt.mixed_text(obj.content)
    if s:
        out.append("<" + tag + ">" + _rt.escape_text(s) + "</" + tag + ">")
    else:
        out.append("<" + tag + "/>")


# ---- TransactionIdType


def fill_TransactionIdType(obj: TransactionIdType, el: etree._Element) -> None:
    v: Any
    v = obj.other_attributes
    if v:
        _rt.any_attributes(v, el)
    v = obj.value
    if v is not None:
        s = v if type(v) is str else _rt.text(v)
        if s:
            el.text = s


def parse_TransactionIdType(el: etree._Element) -> TransactionIdType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), "other_attributes", ("!",))
    t = el.text
    if t is not None:
        kw["value"] = t
    return TransactionIdType(**kw)


def write_TransactionIdType(obj: TransactionIdType, out: list[str], tag: str) -> None:
    v: Any
    a = ""
    v = obj.other_attributes
    if v:
        a += _rt.any_attributes_text(v)
    v = obj.value
    s = (v if type(v) is str else _rt.text(v)) if v is not None else ""
    if s:
        out.append("<" + tag + a + ">" + _rt.escape_text(s) + "</" + tag + ">")
    else:
        out.append("<" + tag + a + "/>")


# ---- UaCapabilitiesType


def fill_UaCapabilitiesType(obj: UaCapabilitiesType, el: etree._Element) -> None:
    v: Any
    v = obj.ua_prof
    if v is not None:
        el.set(Q_UAProf, v if type(v) is str and v[:1] != '{' else _rt.attr(v))
    v = obj.time_stamp
    if v is not None:
        el.set(Q_TimeStamp, _rt.attr(v))


def parse_UaCapabilitiesType(el: etree._Element) -> UaCapabilitiesType:
    kw: dict[str, Any] = {}
    keys = el.keys()
    if keys:
        n = 0
        v = el.get(Q_UAProf)
        if v is not None:
            n += 1
            kw["ua_prof"] = v
        v = el.get(Q_TimeStamp)
        if v is not None:
            n += 1
            kw["time_stamp"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), v)
        if len(keys) != n:
            _rt.extra_attributes(el, kw, frozenset({"TimeStamp", "UAProf"}), None, ())
    return UaCapabilitiesType(**kw)


def write_UaCapabilitiesType(obj: UaCapabilitiesType, out: list[str], tag: str) -> None:
    v: Any
    a = ""
    v = obj.ua_prof
    if v is not None:
        a += ' UAProf="' + _rt.escape_attr(v if type(v) is str and v[:1] != '{' else _rt.attr(v)) + '"'
    v = obj.time_stamp
    if v is not None:
        a += ' TimeStamp="' + _rt.escape_attr(_rt.attr(v)) + '"'
    out.append("<" + tag + a + "/>")


# ---- TransactionId


def fill_TransactionId(obj: TransactionId, el: etree._Element) -> None:
    v: Any
    v = obj.other_attributes
    if v:
        _rt.any_attributes(v, el)
    v = obj.value
    if v is not None:
        s = v if type(v) is str else _rt.text(v)
        if s:
            el.text = s


def parse_TransactionId(el: etree._Element) -> TransactionId:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), "other_attributes", ("!http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3",))
    t = el.text
    if t is not None:
        kw["value"] = t
    return TransactionId(**kw)


def write_TransactionId(obj: TransactionId, out: list[str], tag: str) -> None:
    v: Any
    a = ""
    v = obj.other_attributes
    if v:
        a += _rt.any_attributes_text(v)
    v = obj.value
    s = (v if type(v) is str else _rt.text(v)) if v is not None else ""
    if s:
        out.append("<" + tag + a + ">" + _rt.escape_text(s) + "</" + tag + ">")
    else:
        out.append("<" + tag + a + "/>")


# ---- AddressType


def fill_AddressType(obj: AddressType, el: etree._Element) -> None:
    v: Any
    v = obj.display_only
    if v is not None:
        el.set(Q_displayOnly, ("true" if v else "false") if type(v) is bool else _rt.attr(v))
    v = obj.address_coding
    if v is not None:
        el.set(Q_addressCoding, v.value if type(v) is AddressCodingType else _rt.attr(v))
    v = obj.id
    if v is not None:
        el.set(Q_id, v if type(v) is str and v[:1] != '{' else _rt.attr(v))
    v = obj.value
    if v is not None:
        s = v if type(v) is str else _rt.text(v)
        if s:
            el.text = s


def parse_AddressType(el: etree._Element) -> AddressType:
    kw: dict[str, Any] = {}
    keys = el.keys()
    if keys:
        n = 0
        v = el.get(Q_displayOnly)
        if v is not None:
            n += 1
            kw["display_only"] = (v == "true" or _rt.parse_bool(v))
        v = el.get(Q_addressCoding)
        if v is not None:
            n += 1
            kw["address_coding"] = (_ENUM_AddressCodingType.get(v) or _rt.parse_enum(_ENUM_AddressCodingType, v))
        v = el.get(Q_id)
        if v is not None:
            n += 1
            kw["id"] = v
        if len(keys) != n:
            _rt.extra_attributes(el, kw, frozenset({"addressCoding", "displayOnly", "id"}), None, ())
    t = el.text
    if t is not None:
        kw["value"] = t
    return AddressType(**kw)


def write_AddressType(obj: AddressType, out: list[str], tag: str) -> None:
    v: Any
    a = ""
    v = obj.display_only
    if v is not None:
        a += (' displayOnly="true"' if v else ' displayOnly="false"') if type(v) is bool else ' displayOnly="' + _rt.escape_attr(_rt.attr(v)) + '"'
    v = obj.address_coding
    if v is not None:
        a += ' addressCoding="' + _rt.escape_attr(v.value if type(v) is AddressCodingType else _rt.attr(v)) + '"'
    v = obj.id
    if v is not None:
        a += ' id="' + _rt.escape_attr(v if type(v) is str and v[:1] != '{' else _rt.attr(v)) + '"'
    v = obj.value
    s = (v if type(v) is str else _rt.text(v)) if v is not None else ""
    if s:
        out.append("<" + tag + a + ">" + _rt.escape_text(s) + "</" + tag + ">")
    else:
        out.append("<" + tag + a + "/>")


# ---- StatusType


def _StatusType_status_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status_code" in kw:
        raise Fallback
    kw["status_code"] = int(t) if (t := c.text) is not None else ""


def _StatusType_status_text(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status_text" in kw:
        raise Fallback
    kw["status_text"] = t if (t := c.text) is not None else ""


def _StatusType_details(c: etree._Element, kw: dict[str, Any]) -> None:
    if "details" in kw:
        raise Fallback
    kw["details"] = parse_StatusDetailsType(c)


_CHILDREN_StatusType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_StatusCode: _StatusType_status_code,
    Q_StatusText: _StatusType_status_text,
    Q_Details: _StatusType_details,
}


def fill_StatusType(obj: StatusType, el: etree._Element) -> None:
    x: Any
    x = obj.status_code
    if x is not None:
        s = str(x) if type(x) is int else _rt.text(x)
        if s:
            SubElement(el, Q_StatusCode).text = s
        else:
            SubElement(el, Q_StatusCode)
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_StatusText).text = s
        else:
            SubElement(el, Q_StatusText)
    x = obj.details
    if x is not None:
        if type(x) is not StatusDetailsType:
            raise Fallback
        fill_StatusDetailsType(x, SubElement(el, Q_Details))


def parse_StatusType(el: etree._Element) -> StatusType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_StatusType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return StatusType(**kw)


def write_StatusType(obj: StatusType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.status_code
    if x is not None:
        s = str(x) if type(x) is int else _rt.text(x)
        if s:
            out.append("<mm7:StatusCode>" + _rt.escape_text(s) + "</mm7:StatusCode>")
        else:
            out.append("<mm7:StatusCode/>")
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:StatusText>" + _rt.escape_text(s) + "</mm7:StatusText>")
        else:
            out.append("<mm7:StatusText/>")
    x = obj.details
    if x is not None:
        if type(x) is not StatusDetailsType:
            raise Fallback
        write_StatusDetailsType(x, out, "mm7:Details")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- GenericResponseType


def _GenericResponseType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _GenericResponseType_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_GenericResponseType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _GenericResponseType_mm7_version,
    Q_Status: _GenericResponseType_status,
}


def fill_GenericResponseType(obj: GenericResponseType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_GenericResponseType(el: etree._Element) -> GenericResponseType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_GenericResponseType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return GenericResponseType(**kw)


def write_GenericResponseType(obj: GenericResponseType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- MultiAddressType


def _MultiAddressType_rfc2822_address(c: etree._Element, kw: dict[str, Any]) -> None:
    v = kw.get("rfc2822_address")
    if v is None:
        kw["rfc2822_address"] = v = []
    v.append(parse_AddressType(c))


def _MultiAddressType_number(c: etree._Element, kw: dict[str, Any]) -> None:
    v = kw.get("number")
    if v is None:
        kw["number"] = v = []
    v.append(parse_AddressType(c))


def _MultiAddressType_short_code(c: etree._Element, kw: dict[str, Any]) -> None:
    v = kw.get("short_code")
    if v is None:
        kw["short_code"] = v = []
    v.append(parse_AddressType(c))


_CHILDREN_MultiAddressType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_RFC2822Address: _MultiAddressType_rfc2822_address,
    Q_Number: _MultiAddressType_number,
    Q_ShortCode: _MultiAddressType_short_code,
}


def fill_MultiAddressType(obj: MultiAddressType, el: etree._Element) -> None:
    v: Any
    v = obj.rfc2822_address
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                SubElement(el, Q_RFC2822Address)
                continue
            if type(x) is not AddressType:
                raise Fallback
            fill_AddressType(x, SubElement(el, Q_RFC2822Address))
    v = obj.number
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                SubElement(el, Q_Number)
                continue
            if type(x) is not AddressType:
                raise Fallback
            fill_AddressType(x, SubElement(el, Q_Number))
    v = obj.short_code
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                SubElement(el, Q_ShortCode)
                continue
            if type(x) is not AddressType:
                raise Fallback
            fill_AddressType(x, SubElement(el, Q_ShortCode))


def parse_MultiAddressType(el: etree._Element) -> MultiAddressType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_MultiAddressType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return MultiAddressType(**kw)


def write_MultiAddressType(obj: MultiAddressType, out: list[str], tag: str) -> None:
    v: Any
    out.append("<" + tag + ">")
    n = len(out)
    v = obj.rfc2822_address
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                out.append("<mm7:RFC2822Address/>")
                continue
            if type(x) is not AddressType:
                raise Fallback
            write_AddressType(x, out, "mm7:RFC2822Address")
    v = obj.number
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                out.append("<mm7:Number/>")
                continue
            if type(x) is not AddressType:
                raise Fallback
            write_AddressType(x, out, "mm7:Number")
    v = obj.short_code
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                out.append("<mm7:ShortCode/>")
                continue
            if type(x) is not AddressType:
                raise Fallback
            write_AddressType(x, out, "mm7:ShortCode")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- SenderAddressType


def _SenderAddressType_rfc2822_address(c: etree._Element, kw: dict[str, Any]) -> None:
    if "rfc2822_address" in kw:
        raise Fallback
    kw["rfc2822_address"] = parse_AddressType(c)


def _SenderAddressType_number(c: etree._Element, kw: dict[str, Any]) -> None:
    if "number" in kw:
        raise Fallback
    kw["number"] = parse_AddressType(c)


def _SenderAddressType_short_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "short_code" in kw:
        raise Fallback
    kw["short_code"] = parse_AddressType(c)


_CHILDREN_SenderAddressType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_RFC2822Address: _SenderAddressType_rfc2822_address,
    Q_Number: _SenderAddressType_number,
    Q_ShortCode: _SenderAddressType_short_code,
}


def fill_SenderAddressType(obj: SenderAddressType, el: etree._Element) -> None:
    x: Any
    x = obj.rfc2822_address
    if x is not None:
        if type(x) is not AddressType:
            raise Fallback
        fill_AddressType(x, SubElement(el, Q_RFC2822Address))
    x = obj.number
    if x is not None:
        if type(x) is not AddressType:
            raise Fallback
        fill_AddressType(x, SubElement(el, Q_Number))
    x = obj.short_code
    if x is not None:
        if type(x) is not AddressType:
            raise Fallback
        fill_AddressType(x, SubElement(el, Q_ShortCode))


def parse_SenderAddressType(el: etree._Element) -> SenderAddressType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_SenderAddressType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return SenderAddressType(**kw)


def write_SenderAddressType(obj: SenderAddressType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.rfc2822_address
    if x is not None:
        if type(x) is not AddressType:
            raise Fallback
        write_AddressType(x, out, "mm7:RFC2822Address")
    x = obj.number
    if x is not None:
        if type(x) is not AddressType:
            raise Fallback
        write_AddressType(x, out, "mm7:Number")
    x = obj.short_code
    if x is not None:
        if type(x) is not AddressType:
            raise Fallback
        write_AddressType(x, out, "mm7:ShortCode")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- CancelRsp


def _CancelRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _CancelRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_CancelRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _CancelRsp_mm7_version,
    Q_Status: _CancelRsp_status,
}


def fill_CancelRsp(obj: CancelRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_CancelRsp(el: etree._Element) -> CancelRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_CancelRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return CancelRsp(**kw)


def write_CancelRsp(obj: CancelRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliveryReportRsp


def _DeliveryReportRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliveryReportRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_DeliveryReportRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliveryReportRsp_mm7_version,
    Q_Status: _DeliveryReportRsp_status,
}


def fill_DeliveryReportRsp(obj: DeliveryReportRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_DeliveryReportRsp(el: etree._Element) -> DeliveryReportRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliveryReportRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliveryReportRsp(**kw)


def write_DeliveryReportRsp(obj: DeliveryReportRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- RSErrorRsp


def _RSErrorRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _RSErrorRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_RSErrorRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _RSErrorRsp_mm7_version,
    Q_Status: _RSErrorRsp_status,
}


def fill_RSErrorRsp(obj: RSErrorRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_RSErrorRsp(el: etree._Element) -> RSErrorRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_RSErrorRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return RSErrorRsp(**kw)


def write_RSErrorRsp(obj: RSErrorRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReadReplyRsp


def _ReadReplyRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _ReadReplyRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_ReadReplyRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _ReadReplyRsp_mm7_version,
    Q_Status: _ReadReplyRsp_status,
}


def fill_ReadReplyRsp(obj: ReadReplyRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_ReadReplyRsp(el: etree._Element) -> ReadReplyRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_ReadReplyRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return ReadReplyRsp(**kw)


def write_ReadReplyRsp(obj: ReadReplyRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReplaceRsp


def _ReplaceRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _ReplaceRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_ReplaceRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _ReplaceRsp_mm7_version,
    Q_Status: _ReplaceRsp_status,
}


def fill_ReplaceRsp(obj: ReplaceRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_ReplaceRsp(el: etree._Element) -> ReplaceRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_ReplaceRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return ReplaceRsp(**kw)


def write_ReplaceRsp(obj: ReplaceRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- VASPErrorRsp


def _VASPErrorRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _VASPErrorRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


_CHILDREN_VASPErrorRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _VASPErrorRsp_mm7_version,
    Q_Status: _VASPErrorRsp_status,
}


def fill_VASPErrorRsp(obj: VASPErrorRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))


def parse_VASPErrorRsp(el: etree._Element) -> VASPErrorRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_VASPErrorRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return VASPErrorRsp(**kw)


def write_VASPErrorRsp(obj: VASPErrorRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliverRspType


def _DeliverRspType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliverRspType_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


def _DeliverRspType_service_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "service_code" in kw:
        raise Fallback
    kw["service_code"] = t if (t := c.text) is not None else ""


_CHILDREN_DeliverRspType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliverRspType_mm7_version,
    Q_Status: _DeliverRspType_status,
    Q_ServiceCode: _DeliverRspType_service_code,
}


def fill_DeliverRspType(obj: DeliverRspType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ServiceCode).text = s
        else:
            SubElement(el, Q_ServiceCode)


def parse_DeliverRspType(el: etree._Element) -> DeliverRspType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliverRspType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliverRspType(**kw)


def write_DeliverRspType(obj: DeliverRspType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ServiceCode>" + _rt.escape_text(s) + "</mm7:ServiceCode>")
        else:
            out.append("<mm7:ServiceCode/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliveryReportReqType


def _DeliveryReportReqType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliveryReportReqType_mms_relay_server_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mms_relay_server_id" in kw:
        raise Fallback
    kw["mms_relay_server_id"] = t if (t := c.text) is not None else ""


def _DeliveryReportReqType_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


def _DeliveryReportReqType_recipient(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipient" in kw:
        raise Fallback
    kw["recipient"] = parse_SenderAddressType(c)


def _DeliveryReportReqType_sender(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender" in kw:
        raise Fallback
    kw["sender"] = parse_SenderAddressType(c)


def _DeliveryReportReqType_date(c: etree._Element, kw: dict[str, Any]) -> None:
    if "date" in kw:
        raise Fallback
    kw["date"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _DeliveryReportReqType_mm_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm_status" in kw:
        raise Fallback
    kw["mm_status"] = (_ENUM_MmDeliveryStatusType.get(t) or _rt.parse_enum(_ENUM_MmDeliveryStatusType, t)) if (t := c.text) is not None else ""


def _DeliveryReportReqType_status_text(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status_text" in kw:
        raise Fallback
    kw["status_text"] = t if (t := c.text) is not None else ""


def _DeliveryReportReqType_ua_capabilities(c: etree._Element, kw: dict[str, Any]) -> None:
    if "ua_capabilities" in kw:
        raise Fallback
    kw["ua_capabilities"] = parse_UaCapabilitiesType(c)


_CHILDREN_DeliveryReportReqType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliveryReportReqType_mm7_version,
    Q_MMSRelayServerID: _DeliveryReportReqType_mms_relay_server_id,
    Q_MessageID: _DeliveryReportReqType_message_id,
    Q_Recipient: _DeliveryReportReqType_recipient,
    Q_Sender: _DeliveryReportReqType_sender,
    Q_Date: _DeliveryReportReqType_date,
    Q_MMStatus: _DeliveryReportReqType_mm_status,
    Q_StatusText: _DeliveryReportReqType_status_text,
    Q_UACapabilities: _DeliveryReportReqType_ua_capabilities,
}


def fill_DeliveryReportReqType(obj: DeliveryReportReqType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MMSRelayServerID).text = s
        else:
            SubElement(el, Q_MMSRelayServerID)
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Recipient))
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Sender))
    x = obj.date
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_Date).text = s
        else:
            SubElement(el, Q_Date)
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmDeliveryStatusType else _rt.text(x)
        if s:
            SubElement(el, Q_MMStatus).text = s
        else:
            SubElement(el, Q_MMStatus)
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_StatusText).text = s
        else:
            SubElement(el, Q_StatusText)
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        fill_UaCapabilitiesType(x, SubElement(el, Q_UACapabilities))


def parse_DeliveryReportReqType(el: etree._Element) -> DeliveryReportReqType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliveryReportReqType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliveryReportReqType(**kw)


def write_DeliveryReportReqType(obj: DeliveryReportReqType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MMSRelayServerID>" + _rt.escape_text(s) + "</mm7:MMSRelayServerID>")
        else:
            out.append("<mm7:MMSRelayServerID/>")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Recipient")
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Sender")
    x = obj.date
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:Date>" + _rt.escape_text(s) + "</mm7:Date>")
        else:
            out.append("<mm7:Date/>")
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmDeliveryStatusType else _rt.text(x)
        if s:
            out.append("<mm7:MMStatus>" + _rt.escape_text(s) + "</mm7:MMStatus>")
        else:
            out.append("<mm7:MMStatus/>")
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:StatusText>" + _rt.escape_text(s) + "</mm7:StatusText>")
        else:
            out.append("<mm7:StatusText/>")
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        write_UaCapabilitiesType(x, out, "mm7:UACapabilities")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReadReplyReqType


def _ReadReplyReqType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _ReadReplyReqType_mms_relay_server_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mms_relay_server_id" in kw:
        raise Fallback
    kw["mms_relay_server_id"] = t if (t := c.text) is not None else ""


def _ReadReplyReqType_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


def _ReadReplyReqType_recipient(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipient" in kw:
        raise Fallback
    kw["recipient"] = parse_SenderAddressType(c)


def _ReadReplyReqType_sender(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender" in kw:
        raise Fallback
    kw["sender"] = parse_SenderAddressType(c)


def _ReadReplyReqType_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _ReadReplyReqType_mm_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm_status" in kw:
        raise Fallback
    kw["mm_status"] = (_ENUM_MmReadStatusType.get(t) or _rt.parse_enum(_ENUM_MmReadStatusType, t)) if (t := c.text) is not None else ""


def _ReadReplyReqType_status_text(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status_text" in kw:
        raise Fallback
    kw["status_text"] = t if (t := c.text) is not None else ""


_CHILDREN_ReadReplyReqType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _ReadReplyReqType_mm7_version,
    Q_MMSRelayServerID: _ReadReplyReqType_mms_relay_server_id,
    Q_MessageID: _ReadReplyReqType_message_id,
    Q_Recipient: _ReadReplyReqType_recipient,
    Q_Sender: _ReadReplyReqType_sender,
    Q_TimeStamp_2: _ReadReplyReqType_time_stamp,
    Q_MMStatus: _ReadReplyReqType_mm_status,
    Q_StatusText: _ReadReplyReqType_status_text,
}


def fill_ReadReplyReqType(obj: ReadReplyReqType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MMSRelayServerID).text = s
        else:
            SubElement(el, Q_MMSRelayServerID)
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Recipient))
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Sender))
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmReadStatusType else _rt.text(x)
        if s:
            SubElement(el, Q_MMStatus).text = s
        else:
            SubElement(el, Q_MMStatus)
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_StatusText).text = s
        else:
            SubElement(el, Q_StatusText)


def parse_ReadReplyReqType(el: etree._Element) -> ReadReplyReqType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_ReadReplyReqType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return ReadReplyReqType(**kw)


def write_ReadReplyReqType(obj: ReadReplyReqType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MMSRelayServerID>" + _rt.escape_text(s) + "</mm7:MMSRelayServerID>")
        else:
            out.append("<mm7:MMSRelayServerID/>")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Recipient")
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Sender")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmReadStatusType else _rt.text(x)
        if s:
            out.append("<mm7:MMStatus>" + _rt.escape_text(s) + "</mm7:MMStatus>")
        else:
            out.append("<mm7:MMStatus/>")
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:StatusText>" + _rt.escape_text(s) + "</mm7:StatusText>")
        else:
            out.append("<mm7:StatusText/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- RecipientsType


def _RecipientsType_to(c: etree._Element, kw: dict[str, Any]) -> None:
    v = kw.get("to")
    if v is None:
        kw["to"] = v = []
    v.append(parse_MultiAddressType(c))


def _RecipientsType_cc(c: etree._Element, kw: dict[str, Any]) -> None:
    v = kw.get("cc")
    if v is None:
        kw["cc"] = v = []
    v.append(parse_MultiAddressType(c))


def _RecipientsType_bcc(c: etree._Element, kw: dict[str, Any]) -> None:
    v = kw.get("bcc")
    if v is None:
        kw["bcc"] = v = []
    v.append(parse_MultiAddressType(c))


_CHILDREN_RecipientsType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_To: _RecipientsType_to,
    Q_Cc: _RecipientsType_cc,
    Q_Bcc: _RecipientsType_bcc,
}


def fill_RecipientsType(obj: RecipientsType, el: etree._Element) -> None:
    v: Any
    v = obj.to
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                SubElement(el, Q_To)
                continue
            if type(x) is not MultiAddressType:
                raise Fallback
            fill_MultiAddressType(x, SubElement(el, Q_To))
    v = obj.cc
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                SubElement(el, Q_Cc)
                continue
            if type(x) is not MultiAddressType:
                raise Fallback
            fill_MultiAddressType(x, SubElement(el, Q_Cc))
    v = obj.bcc
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                SubElement(el, Q_Bcc)
                continue
            if type(x) is not MultiAddressType:
                raise Fallback
            fill_MultiAddressType(x, SubElement(el, Q_Bcc))


def parse_RecipientsType(el: etree._Element) -> RecipientsType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_RecipientsType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return RecipientsType(**kw)


def write_RecipientsType(obj: RecipientsType, out: list[str], tag: str) -> None:
    v: Any
    out.append("<" + tag + ">")
    n = len(out)
    v = obj.to
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                out.append("<mm7:To/>")
                continue
            if type(x) is not MultiAddressType:
                raise Fallback
            write_MultiAddressType(x, out, "mm7:To")
    v = obj.cc
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                out.append("<mm7:Cc/>")
                continue
            if type(x) is not MultiAddressType:
                raise Fallback
            write_MultiAddressType(x, out, "mm7:Cc")
    v = obj.bcc
    if v is not None:
        if type(v) is not list:
            raise Fallback
        for x in v:
            if x is None:
                out.append("<mm7:Bcc/>")
                continue
            if type(x) is not MultiAddressType:
                raise Fallback
            write_MultiAddressType(x, out, "mm7:Bcc")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- SenderIdType


def _SenderIdType_vasp_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "vasp_id" in kw:
        raise Fallback
    kw["vasp_id"] = t if (t := c.text) is not None else ""


def _SenderIdType_vas_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "vas_id" in kw:
        raise Fallback
    kw["vas_id"] = t if (t := c.text) is not None else ""


def _SenderIdType_sender_address(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_address" in kw:
        raise Fallback
    kw["sender_address"] = parse_SenderAddressType(c)


_CHILDREN_SenderIdType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_VASPID: _SenderIdType_vasp_id,
    Q_VASID: _SenderIdType_vas_id,
    Q_SenderAddress: _SenderIdType_sender_address,
}


def fill_SenderIdType(obj: SenderIdType, el: etree._Element) -> None:
    x: Any
    x = obj.vasp_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_VASPID).text = s
        else:
            SubElement(el, Q_VASPID)
    x = obj.vas_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_VASID).text = s
        else:
            SubElement(el, Q_VASID)
    x = obj.sender_address
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_SenderAddress))


def parse_SenderIdType(el: etree._Element) -> SenderIdType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_SenderIdType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return SenderIdType(**kw)


def write_SenderIdType(obj: SenderIdType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.vasp_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:VASPID>" + _rt.escape_text(s) + "</mm7:VASPID>")
        else:
            out.append("<mm7:VASPID/>")
    x = obj.vas_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:VASID>" + _rt.escape_text(s) + "</mm7:VASID>")
        else:
            out.append("<mm7:VASID/>")
    x = obj.sender_address
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:SenderAddress")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- SubmitRspType


def _SubmitRspType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _SubmitRspType_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


def _SubmitRspType_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


_CHILDREN_SubmitRspType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _SubmitRspType_mm7_version,
    Q_Status: _SubmitRspType_status,
    Q_MessageID: _SubmitRspType_message_id,
}


def fill_SubmitRspType(obj: SubmitRspType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)


def parse_SubmitRspType(el: etree._Element) -> SubmitRspType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_SubmitRspType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return SubmitRspType(**kw)


def write_SubmitRspType(obj: SubmitRspType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliverRsp


def _DeliverRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliverRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


def _DeliverRsp_service_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "service_code" in kw:
        raise Fallback
    kw["service_code"] = t if (t := c.text) is not None else ""


_CHILDREN_DeliverRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliverRsp_mm7_version,
    Q_Status: _DeliverRsp_status,
    Q_ServiceCode: _DeliverRsp_service_code,
}


def fill_DeliverRsp(obj: DeliverRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ServiceCode).text = s
        else:
            SubElement(el, Q_ServiceCode)


def parse_DeliverRsp(el: etree._Element) -> DeliverRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliverRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliverRsp(**kw)


def write_DeliverRsp(obj: DeliverRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ServiceCode>" + _rt.escape_text(s) + "</mm7:ServiceCode>")
        else:
            out.append("<mm7:ServiceCode/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliveryReportReq


def _DeliveryReportReq_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliveryReportReq_mms_relay_server_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mms_relay_server_id" in kw:
        raise Fallback
    kw["mms_relay_server_id"] = t if (t := c.text) is not None else ""


def _DeliveryReportReq_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


def _DeliveryReportReq_recipient(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipient" in kw:
        raise Fallback
    kw["recipient"] = parse_SenderAddressType(c)


def _DeliveryReportReq_sender(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender" in kw:
        raise Fallback
    kw["sender"] = parse_SenderAddressType(c)


def _DeliveryReportReq_date(c: etree._Element, kw: dict[str, Any]) -> None:
    if "date" in kw:
        raise Fallback
    kw["date"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _DeliveryReportReq_mm_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm_status" in kw:
        raise Fallback
    kw["mm_status"] = (_ENUM_MmDeliveryStatusType.get(t) or _rt.parse_enum(_ENUM_MmDeliveryStatusType, t)) if (t := c.text) is not None else ""


def _DeliveryReportReq_status_text(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status_text" in kw:
        raise Fallback
    kw["status_text"] = t if (t := c.text) is not None else ""


def _DeliveryReportReq_ua_capabilities(c: etree._Element, kw: dict[str, Any]) -> None:
    if "ua_capabilities" in kw:
        raise Fallback
    kw["ua_capabilities"] = parse_UaCapabilitiesType(c)


_CHILDREN_DeliveryReportReq: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliveryReportReq_mm7_version,
    Q_MMSRelayServerID: _DeliveryReportReq_mms_relay_server_id,
    Q_MessageID: _DeliveryReportReq_message_id,
    Q_Recipient: _DeliveryReportReq_recipient,
    Q_Sender: _DeliveryReportReq_sender,
    Q_Date: _DeliveryReportReq_date,
    Q_MMStatus: _DeliveryReportReq_mm_status,
    Q_StatusText: _DeliveryReportReq_status_text,
    Q_UACapabilities: _DeliveryReportReq_ua_capabilities,
}


def fill_DeliveryReportReq(obj: DeliveryReportReq, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MMSRelayServerID).text = s
        else:
            SubElement(el, Q_MMSRelayServerID)
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Recipient))
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Sender))
    x = obj.date
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_Date).text = s
        else:
            SubElement(el, Q_Date)
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmDeliveryStatusType else _rt.text(x)
        if s:
            SubElement(el, Q_MMStatus).text = s
        else:
            SubElement(el, Q_MMStatus)
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_StatusText).text = s
        else:
            SubElement(el, Q_StatusText)
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        fill_UaCapabilitiesType(x, SubElement(el, Q_UACapabilities))


def parse_DeliveryReportReq(el: etree._Element) -> DeliveryReportReq:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliveryReportReq.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliveryReportReq(**kw)


def write_DeliveryReportReq(obj: DeliveryReportReq, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MMSRelayServerID>" + _rt.escape_text(s) + "</mm7:MMSRelayServerID>")
        else:
            out.append("<mm7:MMSRelayServerID/>")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Recipient")
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Sender")
    x = obj.date
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:Date>" + _rt.escape_text(s) + "</mm7:Date>")
        else:
            out.append("<mm7:Date/>")
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmDeliveryStatusType else _rt.text(x)
        if s:
            out.append("<mm7:MMStatus>" + _rt.escape_text(s) + "</mm7:MMStatus>")
        else:
            out.append("<mm7:MMStatus/>")
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:StatusText>" + _rt.escape_text(s) + "</mm7:StatusText>")
        else:
            out.append("<mm7:StatusText/>")
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        write_UaCapabilitiesType(x, out, "mm7:UACapabilities")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReadReplyReq


def _ReadReplyReq_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _ReadReplyReq_mms_relay_server_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mms_relay_server_id" in kw:
        raise Fallback
    kw["mms_relay_server_id"] = t if (t := c.text) is not None else ""


def _ReadReplyReq_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


def _ReadReplyReq_recipient(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipient" in kw:
        raise Fallback
    kw["recipient"] = parse_SenderAddressType(c)


def _ReadReplyReq_sender(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender" in kw:
        raise Fallback
    kw["sender"] = parse_SenderAddressType(c)


def _ReadReplyReq_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _ReadReplyReq_mm_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm_status" in kw:
        raise Fallback
    kw["mm_status"] = (_ENUM_MmReadStatusType.get(t) or _rt.parse_enum(_ENUM_MmReadStatusType, t)) if (t := c.text) is not None else ""


def _ReadReplyReq_status_text(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status_text" in kw:
        raise Fallback
    kw["status_text"] = t if (t := c.text) is not None else ""


_CHILDREN_ReadReplyReq: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _ReadReplyReq_mm7_version,
    Q_MMSRelayServerID: _ReadReplyReq_mms_relay_server_id,
    Q_MessageID: _ReadReplyReq_message_id,
    Q_Recipient: _ReadReplyReq_recipient,
    Q_Sender: _ReadReplyReq_sender,
    Q_TimeStamp_2: _ReadReplyReq_time_stamp,
    Q_MMStatus: _ReadReplyReq_mm_status,
    Q_StatusText: _ReadReplyReq_status_text,
}


def fill_ReadReplyReq(obj: ReadReplyReq, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MMSRelayServerID).text = s
        else:
            SubElement(el, Q_MMSRelayServerID)
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Recipient))
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Sender))
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmReadStatusType else _rt.text(x)
        if s:
            SubElement(el, Q_MMStatus).text = s
        else:
            SubElement(el, Q_MMStatus)
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_StatusText).text = s
        else:
            SubElement(el, Q_StatusText)


def parse_ReadReplyReq(el: etree._Element) -> ReadReplyReq:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_ReadReplyReq.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return ReadReplyReq(**kw)


def write_ReadReplyReq(obj: ReadReplyReq, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MMSRelayServerID>" + _rt.escape_text(s) + "</mm7:MMSRelayServerID>")
        else:
            out.append("<mm7:MMSRelayServerID/>")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    x = obj.recipient
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Recipient")
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Sender")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.mm_status
    if x is not None:
        s = x.value if type(x) is MmReadStatusType else _rt.text(x)
        if s:
            out.append("<mm7:MMStatus>" + _rt.escape_text(s) + "</mm7:MMStatus>")
        else:
            out.append("<mm7:MMStatus/>")
    x = obj.status_text
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:StatusText>" + _rt.escape_text(s) + "</mm7:StatusText>")
        else:
            out.append("<mm7:StatusText/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- SubmitRsp


def _SubmitRsp_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _SubmitRsp_status(c: etree._Element, kw: dict[str, Any]) -> None:
    if "status" in kw:
        raise Fallback
    kw["status"] = parse_StatusType(c)


def _SubmitRsp_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


_CHILDREN_SubmitRsp: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _SubmitRsp_mm7_version,
    Q_Status: _SubmitRsp_status,
    Q_MessageID: _SubmitRsp_message_id,
}


def fill_SubmitRsp(obj: SubmitRsp, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        fill_StatusType(x, SubElement(el, Q_Status))
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)


def parse_SubmitRsp(el: etree._Element) -> SubmitRsp:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_SubmitRsp.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return SubmitRsp(**kw)


def write_SubmitRsp(obj: SubmitRsp, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.status
    if x is not None:
        if type(x) is not StatusType:
            raise Fallback
        write_StatusType(x, out, "mm7:Status")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliverReqType


def _DeliverReqType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliverReqType_mms_relay_server_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mms_relay_server_id" in kw:
        raise Fallback
    kw["mms_relay_server_id"] = t if (t := c.text) is not None else ""


def _DeliverReqType_linked_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "linked_id" in kw:
        raise Fallback
    kw["linked_id"] = t if (t := c.text) is not None else ""


def _DeliverReqType_sender(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender" in kw:
        raise Fallback
    kw["sender"] = parse_SenderAddressType(c)


def _DeliverReqType_recipients(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipients" in kw:
        raise Fallback
    kw["recipients"] = parse_RecipientsType(c)


def _DeliverReqType_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _DeliverReqType_reply_charging_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "reply_charging_id" in kw:
        raise Fallback
    kw["reply_charging_id"] = t if (t := c.text) is not None else ""


def _DeliverReqType_priority(c: etree._Element, kw: dict[str, Any]) -> None:
    if "priority" in kw:
        raise Fallback
    kw["priority"] = (_ENUM_PriorityType.get(t) or _rt.parse_enum(_ENUM_PriorityType, t)) if (t := c.text) is not None else ""


def _DeliverReqType_subject(c: etree._Element, kw: dict[str, Any]) -> None:
    if "subject" in kw:
        raise Fallback
    kw["subject"] = t if (t := c.text) is not None else ""


def _DeliverReqType_ua_capabilities(c: etree._Element, kw: dict[str, Any]) -> None:
    if "ua_capabilities" in kw:
        raise Fallback
    kw["ua_capabilities"] = parse_UaCapabilitiesType(c)


def _DeliverReqType_content(c: etree._Element, kw: dict[str, Any]) -> None:
    if "content" in kw:
        raise Fallback
    kw["content"] = parse_ContentReferenceType(c)


_CHILDREN_DeliverReqType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliverReqType_mm7_version,
    Q_MMSRelayServerID: _DeliverReqType_mms_relay_server_id,
    Q_LinkedID: _DeliverReqType_linked_id,
    Q_Sender: _DeliverReqType_sender,
    Q_Recipients: _DeliverReqType_recipients,
    Q_TimeStamp_2: _DeliverReqType_time_stamp,
    Q_ReplyChargingID: _DeliverReqType_reply_charging_id,
    Q_Priority: _DeliverReqType_priority,
    Q_Subject: _DeliverReqType_subject,
    Q_UACapabilities: _DeliverReqType_ua_capabilities,
    Q_Content: _DeliverReqType_content,
}


def fill_DeliverReqType(obj: DeliverReqType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MMSRelayServerID).text = s
        else:
            SubElement(el, Q_MMSRelayServerID)
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_LinkedID).text = s
        else:
            SubElement(el, Q_LinkedID)
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Sender))
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        fill_RecipientsType(x, SubElement(el, Q_Recipients))
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.reply_charging_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ReplyChargingID).text = s
        else:
            SubElement(el, Q_ReplyChargingID)
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            SubElement(el, Q_Priority).text = s
        else:
            SubElement(el, Q_Priority)
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_Subject).text = s
        else:
            SubElement(el, Q_Subject)
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        fill_UaCapabilitiesType(x, SubElement(el, Q_UACapabilities))
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        fill_ContentReferenceType(x, SubElement(el, Q_Content))


def parse_DeliverReqType(el: etree._Element) -> DeliverReqType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliverReqType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliverReqType(**kw)


def write_DeliverReqType(obj: DeliverReqType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MMSRelayServerID>" + _rt.escape_text(s) + "</mm7:MMSRelayServerID>")
        else:
            out.append("<mm7:MMSRelayServerID/>")
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:LinkedID>" + _rt.escape_text(s) + "</mm7:LinkedID>")
        else:
            out.append("<mm7:LinkedID/>")
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Sender")
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        write_RecipientsType(x, out, "mm7:Recipients")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.reply_charging_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ReplyChargingID>" + _rt.escape_text(s) + "</mm7:ReplyChargingID>")
        else:
            out.append("<mm7:ReplyChargingID/>")
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            out.append("<mm7:Priority>" + _rt.escape_text(s) + "</mm7:Priority>")
        else:
            out.append("<mm7:Priority/>")
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:Subject>" + _rt.escape_text(s) + "</mm7:Subject>")
        else:
            out.append("<mm7:Subject/>")
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        write_UaCapabilitiesType(x, out, "mm7:UACapabilities")
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        write_ContentReferenceType(x, out, "mm7:Content")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- GenericVaspRequestType


def _GenericVaspRequestType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _GenericVaspRequestType_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


_CHILDREN_GenericVaspRequestType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _GenericVaspRequestType_mm7_version,
    Q_SenderIdentification: _GenericVaspRequestType_sender_identification,
}


def fill_GenericVaspRequestType(obj: GenericVaspRequestType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))


def parse_GenericVaspRequestType(el: etree._Element) -> GenericVaspRequestType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_GenericVaspRequestType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return GenericVaspRequestType(**kw)


def write_GenericVaspRequestType(obj: GenericVaspRequestType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- DeliverReq


def _DeliverReq_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _DeliverReq_mms_relay_server_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mms_relay_server_id" in kw:
        raise Fallback
    kw["mms_relay_server_id"] = t if (t := c.text) is not None else ""


def _DeliverReq_linked_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "linked_id" in kw:
        raise Fallback
    kw["linked_id"] = t if (t := c.text) is not None else ""


def _DeliverReq_sender(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender" in kw:
        raise Fallback
    kw["sender"] = parse_SenderAddressType(c)


def _DeliverReq_recipients(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipients" in kw:
        raise Fallback
    kw["recipients"] = parse_RecipientsType(c)


def _DeliverReq_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _DeliverReq_reply_charging_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "reply_charging_id" in kw:
        raise Fallback
    kw["reply_charging_id"] = t if (t := c.text) is not None else ""


def _DeliverReq_priority(c: etree._Element, kw: dict[str, Any]) -> None:
    if "priority" in kw:
        raise Fallback
    kw["priority"] = (_ENUM_PriorityType.get(t) or _rt.parse_enum(_ENUM_PriorityType, t)) if (t := c.text) is not None else ""


def _DeliverReq_subject(c: etree._Element, kw: dict[str, Any]) -> None:
    if "subject" in kw:
        raise Fallback
    kw["subject"] = t if (t := c.text) is not None else ""


def _DeliverReq_ua_capabilities(c: etree._Element, kw: dict[str, Any]) -> None:
    if "ua_capabilities" in kw:
        raise Fallback
    kw["ua_capabilities"] = parse_UaCapabilitiesType(c)


def _DeliverReq_content(c: etree._Element, kw: dict[str, Any]) -> None:
    if "content" in kw:
        raise Fallback
    kw["content"] = parse_ContentReferenceType(c)


_CHILDREN_DeliverReq: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _DeliverReq_mm7_version,
    Q_MMSRelayServerID: _DeliverReq_mms_relay_server_id,
    Q_LinkedID: _DeliverReq_linked_id,
    Q_Sender: _DeliverReq_sender,
    Q_Recipients: _DeliverReq_recipients,
    Q_TimeStamp_2: _DeliverReq_time_stamp,
    Q_ReplyChargingID: _DeliverReq_reply_charging_id,
    Q_Priority: _DeliverReq_priority,
    Q_Subject: _DeliverReq_subject,
    Q_UACapabilities: _DeliverReq_ua_capabilities,
    Q_Content: _DeliverReq_content,
}


def fill_DeliverReq(obj: DeliverReq, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MMSRelayServerID).text = s
        else:
            SubElement(el, Q_MMSRelayServerID)
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_LinkedID).text = s
        else:
            SubElement(el, Q_LinkedID)
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        fill_SenderAddressType(x, SubElement(el, Q_Sender))
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        fill_RecipientsType(x, SubElement(el, Q_Recipients))
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.reply_charging_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ReplyChargingID).text = s
        else:
            SubElement(el, Q_ReplyChargingID)
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            SubElement(el, Q_Priority).text = s
        else:
            SubElement(el, Q_Priority)
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_Subject).text = s
        else:
            SubElement(el, Q_Subject)
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        fill_UaCapabilitiesType(x, SubElement(el, Q_UACapabilities))
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        fill_ContentReferenceType(x, SubElement(el, Q_Content))


def parse_DeliverReq(el: etree._Element) -> DeliverReq:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_DeliverReq.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return DeliverReq(**kw)


def write_DeliverReq(obj: DeliverReq, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.mms_relay_server_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MMSRelayServerID>" + _rt.escape_text(s) + "</mm7:MMSRelayServerID>")
        else:
            out.append("<mm7:MMSRelayServerID/>")
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:LinkedID>" + _rt.escape_text(s) + "</mm7:LinkedID>")
        else:
            out.append("<mm7:LinkedID/>")
    x = obj.sender
    if x is not None:
        if type(x) is not SenderAddressType:
            raise Fallback
        write_SenderAddressType(x, out, "mm7:Sender")
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        write_RecipientsType(x, out, "mm7:Recipients")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.reply_charging_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ReplyChargingID>" + _rt.escape_text(s) + "</mm7:ReplyChargingID>")
        else:
            out.append("<mm7:ReplyChargingID/>")
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            out.append("<mm7:Priority>" + _rt.escape_text(s) + "</mm7:Priority>")
        else:
            out.append("<mm7:Priority/>")
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:Subject>" + _rt.escape_text(s) + "</mm7:Subject>")
        else:
            out.append("<mm7:Subject/>")
    x = obj.ua_capabilities
    if x is not None:
        if type(x) is not UaCapabilitiesType:
            raise Fallback
        write_UaCapabilitiesType(x, out, "mm7:UACapabilities")
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        write_ContentReferenceType(x, out, "mm7:Content")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- CancelReqType


def _CancelReqType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _CancelReqType_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


def _CancelReqType_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


_CHILDREN_CancelReqType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _CancelReqType_mm7_version,
    Q_SenderIdentification: _CancelReqType_sender_identification,
    Q_MessageID: _CancelReqType_message_id,
}


def fill_CancelReqType(obj: CancelReqType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)


def parse_CancelReqType(el: etree._Element) -> CancelReqType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_CancelReqType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return CancelReqType(**kw)


def write_CancelReqType(obj: CancelReqType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReplaceReqType


def _ReplaceReqType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _ReplaceReqType_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


def _ReplaceReqType_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


def _ReplaceReqType_service_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "service_code" in kw:
        raise Fallback
    kw["service_code"] = t if (t := c.text) is not None else ""


def _ReplaceReqType_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _ReplaceReqType_read_reply(c: etree._Element, kw: dict[str, Any]) -> None:
    if "read_reply" in kw:
        raise Fallback
    kw["read_reply"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _ReplaceReqType_earliest_delivery_time(c: etree._Element, kw: dict[str, Any]) -> None:
    if "earliest_delivery_time" in kw:
        raise Fallback
    kw["earliest_delivery_time"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), t) if (t := c.text) is not None else ""


def _ReplaceReqType_distribution_indicator(c: etree._Element, kw: dict[str, Any]) -> None:
    if "distribution_indicator" in kw:
        raise Fallback
    kw["distribution_indicator"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _ReplaceReqType_content(c: etree._Element, kw: dict[str, Any]) -> None:
    if "content" in kw:
        raise Fallback
    kw["content"] = parse_ContentReferenceType(c)


_CHILDREN_ReplaceReqType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _ReplaceReqType_mm7_version,
    Q_SenderIdentification: _ReplaceReqType_sender_identification,
    Q_MessageID: _ReplaceReqType_message_id,
    Q_ServiceCode: _ReplaceReqType_service_code,
    Q_TimeStamp_2: _ReplaceReqType_time_stamp,
    Q_ReadReply: _ReplaceReqType_read_reply,
    Q_EarliestDeliveryTime: _ReplaceReqType_earliest_delivery_time,
    Q_DistributionIndicator: _ReplaceReqType_distribution_indicator,
    Q_Content: _ReplaceReqType_content,
}


def fill_ReplaceReqType(obj: ReplaceReqType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ServiceCode).text = s
        else:
            SubElement(el, Q_ServiceCode)
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_ReadReply).text = s
        else:
            SubElement(el, Q_ReadReply)
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            SubElement(el, Q_EarliestDeliveryTime).text = s
        else:
            SubElement(el, Q_EarliestDeliveryTime)
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_DistributionIndicator).text = s
        else:
            SubElement(el, Q_DistributionIndicator)
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        fill_ContentReferenceType(x, SubElement(el, Q_Content))


def parse_ReplaceReqType(el: etree._Element) -> ReplaceReqType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_ReplaceReqType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return ReplaceReqType(**kw)


def write_ReplaceReqType(obj: ReplaceReqType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ServiceCode>" + _rt.escape_text(s) + "</mm7:ServiceCode>")
        else:
            out.append("<mm7:ServiceCode/>")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:ReadReply>" + _rt.escape_text(s) + "</mm7:ReadReply>")
        else:
            out.append("<mm7:ReadReply/>")
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            out.append("<mm7:EarliestDeliveryTime>" + _rt.escape_text(s) + "</mm7:EarliestDeliveryTime>")
        else:
            out.append("<mm7:EarliestDeliveryTime/>")
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:DistributionIndicator>" + _rt.escape_text(s) + "</mm7:DistributionIndicator>")
        else:
            out.append("<mm7:DistributionIndicator/>")
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        write_ContentReferenceType(x, out, "mm7:Content")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- SubmitReqType


def _SubmitReqType_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _SubmitReqType_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


def _SubmitReqType_recipients(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipients" in kw:
        raise Fallback
    kw["recipients"] = parse_RecipientsType(c)


def _SubmitReqType_service_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "service_code" in kw:
        raise Fallback
    kw["service_code"] = t if (t := c.text) is not None else ""


def _SubmitReqType_linked_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "linked_id" in kw:
        raise Fallback
    kw["linked_id"] = t if (t := c.text) is not None else ""


def _SubmitReqType_message_class(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_class" in kw:
        raise Fallback
    kw["message_class"] = (_ENUM_MessageClassType.get(t) or _rt.parse_enum(_ENUM_MessageClassType, t)) if (t := c.text) is not None else ""


def _SubmitReqType_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _SubmitReqType_reply_charging(c: etree._Element, kw: dict[str, Any]) -> None:
    if "reply_charging" in kw:
        raise Fallback
    kw["reply_charging"] = parse_ReplyChargingType(c)


def _SubmitReqType_earliest_delivery_time(c: etree._Element, kw: dict[str, Any]) -> None:
    if "earliest_delivery_time" in kw:
        raise Fallback
    kw["earliest_delivery_time"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), t) if (t := c.text) is not None else ""


def _SubmitReqType_expiry_date(c: etree._Element, kw: dict[str, Any]) -> None:
    if "expiry_date" in kw:
        raise Fallback
    kw["expiry_date"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), t) if (t := c.text) is not None else ""


def _SubmitReqType_delivery_report(c: etree._Element, kw: dict[str, Any]) -> None:
    if "delivery_report" in kw:
        raise Fallback
    kw["delivery_report"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _SubmitReqType_read_reply(c: etree._Element, kw: dict[str, Any]) -> None:
    if "read_reply" in kw:
        raise Fallback
    kw["read_reply"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _SubmitReqType_priority(c: etree._Element, kw: dict[str, Any]) -> None:
    if "priority" in kw:
        raise Fallback
    kw["priority"] = (_ENUM_PriorityType.get(t) or _rt.parse_enum(_ENUM_PriorityType, t)) if (t := c.text) is not None else ""


def _SubmitReqType_subject(c: etree._Element, kw: dict[str, Any]) -> None:
    if "subject" in kw:
        raise Fallback
    kw["subject"] = t if (t := c.text) is not None else ""


def _SubmitReqType_charged_party(c: etree._Element, kw: dict[str, Any]) -> None:
    if "charged_party" in kw:
        raise Fallback
    kw["charged_party"] = (_ENUM_ChargedPartyType.get(t) or _rt.parse_enum(_ENUM_ChargedPartyType, t)) if (t := c.text) is not None else ""


def _SubmitReqType_distribution_indicator(c: etree._Element, kw: dict[str, Any]) -> None:
    if "distribution_indicator" in kw:
        raise Fallback
    kw["distribution_indicator"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _SubmitReqType_content(c: etree._Element, kw: dict[str, Any]) -> None:
    if "content" in kw:
        raise Fallback
    kw["content"] = parse_ContentReferenceType(c)


_CHILDREN_SubmitReqType: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _SubmitReqType_mm7_version,
    Q_SenderIdentification: _SubmitReqType_sender_identification,
    Q_Recipients: _SubmitReqType_recipients,
    Q_ServiceCode: _SubmitReqType_service_code,
    Q_LinkedID: _SubmitReqType_linked_id,
    Q_MessageClass: _SubmitReqType_message_class,
    Q_TimeStamp_2: _SubmitReqType_time_stamp,
    Q_ReplyCharging: _SubmitReqType_reply_charging,
    Q_EarliestDeliveryTime: _SubmitReqType_earliest_delivery_time,
    Q_ExpiryDate: _SubmitReqType_expiry_date,
    Q_DeliveryReport: _SubmitReqType_delivery_report,
    Q_ReadReply: _SubmitReqType_read_reply,
    Q_Priority: _SubmitReqType_priority,
    Q_Subject: _SubmitReqType_subject,
    Q_ChargedParty: _SubmitReqType_charged_party,
    Q_DistributionIndicator: _SubmitReqType_distribution_indicator,
    Q_Content: _SubmitReqType_content,
}


def fill_SubmitReqType(obj: SubmitReqType, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        fill_RecipientsType(x, SubElement(el, Q_Recipients))
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ServiceCode).text = s
        else:
            SubElement(el, Q_ServiceCode)
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_LinkedID).text = s
        else:
            SubElement(el, Q_LinkedID)
    x = obj.message_class
    if x is not None:
        s = x.value if type(x) is MessageClassType else _rt.text(x)
        if s:
            SubElement(el, Q_MessageClass).text = s
        else:
            SubElement(el, Q_MessageClass)
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.reply_charging
    if x is not None:
        if type(x) is not ReplyChargingType:
            raise Fallback
        fill_ReplyChargingType(x, SubElement(el, Q_ReplyCharging))
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            SubElement(el, Q_EarliestDeliveryTime).text = s
        else:
            SubElement(el, Q_EarliestDeliveryTime)
    x = obj.expiry_date
    if x is not None:
        s = _rt.text(x)
        if s:
            SubElement(el, Q_ExpiryDate).text = s
        else:
            SubElement(el, Q_ExpiryDate)
    x = obj.delivery_report
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_DeliveryReport).text = s
        else:
            SubElement(el, Q_DeliveryReport)
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_ReadReply).text = s
        else:
            SubElement(el, Q_ReadReply)
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            SubElement(el, Q_Priority).text = s
        else:
            SubElement(el, Q_Priority)
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_Subject).text = s
        else:
            SubElement(el, Q_Subject)
    x = obj.charged_party
    if x is not None:
        s = x.value if type(x) is ChargedPartyType else _rt.text(x)
        if s:
            SubElement(el, Q_ChargedParty).text = s
        else:
            SubElement(el, Q_ChargedParty)
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_DistributionIndicator).text = s
        else:
            SubElement(el, Q_DistributionIndicator)
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        fill_ContentReferenceType(x, SubElement(el, Q_Content))


def parse_SubmitReqType(el: etree._Element) -> SubmitReqType:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_SubmitReqType.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return SubmitReqType(**kw)


def write_SubmitReqType(obj: SubmitReqType, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        write_RecipientsType(x, out, "mm7:Recipients")
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ServiceCode>" + _rt.escape_text(s) + "</mm7:ServiceCode>")
        else:
            out.append("<mm7:ServiceCode/>")
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:LinkedID>" + _rt.escape_text(s) + "</mm7:LinkedID>")
        else:
            out.append("<mm7:LinkedID/>")
    x = obj.message_class
    if x is not None:
        s = x.value if type(x) is MessageClassType else _rt.text(x)
        if s:
            out.append("<mm7:MessageClass>" + _rt.escape_text(s) + "</mm7:MessageClass>")
        else:
            out.append("<mm7:MessageClass/>")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.reply_charging
    if x is not None:
        if type(x) is not ReplyChargingType:
            raise Fallback
        write_ReplyChargingType(x, out, "mm7:ReplyCharging")
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            out.append("<mm7:EarliestDeliveryTime>" + _rt.escape_text(s) + "</mm7:EarliestDeliveryTime>")
        else:
            out.append("<mm7:EarliestDeliveryTime/>")
    x = obj.expiry_date
    if x is not None:
        s = _rt.text(x)
        if s:
            out.append("<mm7:ExpiryDate>" + _rt.escape_text(s) + "</mm7:ExpiryDate>")
        else:
            out.append("<mm7:ExpiryDate/>")
    x = obj.delivery_report
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:DeliveryReport>" + _rt.escape_text(s) + "</mm7:DeliveryReport>")
        else:
            out.append("<mm7:DeliveryReport/>")
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:ReadReply>" + _rt.escape_text(s) + "</mm7:ReadReply>")
        else:
            out.append("<mm7:ReadReply/>")
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            out.append("<mm7:Priority>" + _rt.escape_text(s) + "</mm7:Priority>")
        else:
            out.append("<mm7:Priority/>")
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:Subject>" + _rt.escape_text(s) + "</mm7:Subject>")
        else:
            out.append("<mm7:Subject/>")
    x = obj.charged_party
    if x is not None:
        s = x.value if type(x) is ChargedPartyType else _rt.text(x)
        if s:
            out.append("<mm7:ChargedParty>" + _rt.escape_text(s) + "</mm7:ChargedParty>")
        else:
            out.append("<mm7:ChargedParty/>")
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:DistributionIndicator>" + _rt.escape_text(s) + "</mm7:DistributionIndicator>")
        else:
            out.append("<mm7:DistributionIndicator/>")
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        write_ContentReferenceType(x, out, "mm7:Content")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- CancelReq


def _CancelReq_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _CancelReq_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


def _CancelReq_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


_CHILDREN_CancelReq: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _CancelReq_mm7_version,
    Q_SenderIdentification: _CancelReq_sender_identification,
    Q_MessageID: _CancelReq_message_id,
}


def fill_CancelReq(obj: CancelReq, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)


def parse_CancelReq(el: etree._Element) -> CancelReq:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_CancelReq.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return CancelReq(**kw)


def write_CancelReq(obj: CancelReq, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- ReplaceReq


def _ReplaceReq_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _ReplaceReq_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


def _ReplaceReq_message_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_id" in kw:
        raise Fallback
    kw["message_id"] = t if (t := c.text) is not None else ""


def _ReplaceReq_service_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "service_code" in kw:
        raise Fallback
    kw["service_code"] = t if (t := c.text) is not None else ""


def _ReplaceReq_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _ReplaceReq_read_reply(c: etree._Element, kw: dict[str, Any]) -> None:
    if "read_reply" in kw:
        raise Fallback
    kw["read_reply"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _ReplaceReq_earliest_delivery_time(c: etree._Element, kw: dict[str, Any]) -> None:
    if "earliest_delivery_time" in kw:
        raise Fallback
    kw["earliest_delivery_time"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), t) if (t := c.text) is not None else ""


def _ReplaceReq_distribution_indicator(c: etree._Element, kw: dict[str, Any]) -> None:
    if "distribution_indicator" in kw:
        raise Fallback
    kw["distribution_indicator"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _ReplaceReq_content(c: etree._Element, kw: dict[str, Any]) -> None:
    if "content" in kw:
        raise Fallback
    kw["content"] = parse_ContentReferenceType(c)


_CHILDREN_ReplaceReq: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _ReplaceReq_mm7_version,
    Q_SenderIdentification: _ReplaceReq_sender_identification,
    Q_MessageID: _ReplaceReq_message_id,
    Q_ServiceCode: _ReplaceReq_service_code,
    Q_TimeStamp_2: _ReplaceReq_time_stamp,
    Q_ReadReply: _ReplaceReq_read_reply,
    Q_EarliestDeliveryTime: _ReplaceReq_earliest_delivery_time,
    Q_DistributionIndicator: _ReplaceReq_distribution_indicator,
    Q_Content: _ReplaceReq_content,
}


def fill_ReplaceReq(obj: ReplaceReq, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MessageID).text = s
        else:
            SubElement(el, Q_MessageID)
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ServiceCode).text = s
        else:
            SubElement(el, Q_ServiceCode)
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_ReadReply).text = s
        else:
            SubElement(el, Q_ReadReply)
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            SubElement(el, Q_EarliestDeliveryTime).text = s
        else:
            SubElement(el, Q_EarliestDeliveryTime)
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_DistributionIndicator).text = s
        else:
            SubElement(el, Q_DistributionIndicator)
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        fill_ContentReferenceType(x, SubElement(el, Q_Content))


def parse_ReplaceReq(el: etree._Element) -> ReplaceReq:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_ReplaceReq.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return ReplaceReq(**kw)


def write_ReplaceReq(obj: ReplaceReq, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    x = obj.message_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MessageID>" + _rt.escape_text(s) + "</mm7:MessageID>")
        else:
            out.append("<mm7:MessageID/>")
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ServiceCode>" + _rt.escape_text(s) + "</mm7:ServiceCode>")
        else:
            out.append("<mm7:ServiceCode/>")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:ReadReply>" + _rt.escape_text(s) + "</mm7:ReadReply>")
        else:
            out.append("<mm7:ReadReply/>")
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            out.append("<mm7:EarliestDeliveryTime>" + _rt.escape_text(s) + "</mm7:EarliestDeliveryTime>")
        else:
            out.append("<mm7:EarliestDeliveryTime/>")
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:DistributionIndicator>" + _rt.escape_text(s) + "</mm7:DistributionIndicator>")
        else:
            out.append("<mm7:DistributionIndicator/>")
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        write_ContentReferenceType(x, out, "mm7:Content")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


# ---- SubmitReq


def _SubmitReq_mm7_version(c: etree._Element, kw: dict[str, Any]) -> None:
    if "mm7_version" in kw:
        raise Fallback
    kw["mm7_version"] = t if (t := c.text) is not None else ""


def _SubmitReq_sender_identification(c: etree._Element, kw: dict[str, Any]) -> None:
    if "sender_identification" in kw:
        raise Fallback
    kw["sender_identification"] = parse_SenderIdType(c)


def _SubmitReq_recipients(c: etree._Element, kw: dict[str, Any]) -> None:
    if "recipients" in kw:
        raise Fallback
    kw["recipients"] = parse_RecipientsType(c)


def _SubmitReq_service_code(c: etree._Element, kw: dict[str, Any]) -> None:
    if "service_code" in kw:
        raise Fallback
    kw["service_code"] = t if (t := c.text) is not None else ""


def _SubmitReq_linked_id(c: etree._Element, kw: dict[str, Any]) -> None:
    if "linked_id" in kw:
        raise Fallback
    kw["linked_id"] = t if (t := c.text) is not None else ""


def _SubmitReq_message_class(c: etree._Element, kw: dict[str, Any]) -> None:
    if "message_class" in kw:
        raise Fallback
    kw["message_class"] = (_ENUM_MessageClassType.get(t) or _rt.parse_enum(_ENUM_MessageClassType, t)) if (t := c.text) is not None else ""


def _SubmitReq_time_stamp(c: etree._Element, kw: dict[str, Any]) -> None:
    if "time_stamp" in kw:
        raise Fallback
    kw["time_stamp"] = _rt.parse_datetime(t) if (t := c.text) is not None else ""


def _SubmitReq_reply_charging(c: etree._Element, kw: dict[str, Any]) -> None:
    if "reply_charging" in kw:
        raise Fallback
    kw["reply_charging"] = parse_ReplyChargingType(c)


def _SubmitReq_earliest_delivery_time(c: etree._Element, kw: dict[str, Any]) -> None:
    if "earliest_delivery_time" in kw:
        raise Fallback
    kw["earliest_delivery_time"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), t) if (t := c.text) is not None else ""


def _SubmitReq_expiry_date(c: etree._Element, kw: dict[str, Any]) -> None:
    if "expiry_date" in kw:
        raise Fallback
    kw["expiry_date"] = _rt.parse_union((_rt.parse_datetime, _rt.parse_duration), t) if (t := c.text) is not None else ""


def _SubmitReq_delivery_report(c: etree._Element, kw: dict[str, Any]) -> None:
    if "delivery_report" in kw:
        raise Fallback
    kw["delivery_report"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _SubmitReq_read_reply(c: etree._Element, kw: dict[str, Any]) -> None:
    if "read_reply" in kw:
        raise Fallback
    kw["read_reply"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _SubmitReq_priority(c: etree._Element, kw: dict[str, Any]) -> None:
    if "priority" in kw:
        raise Fallback
    kw["priority"] = (_ENUM_PriorityType.get(t) or _rt.parse_enum(_ENUM_PriorityType, t)) if (t := c.text) is not None else ""


def _SubmitReq_subject(c: etree._Element, kw: dict[str, Any]) -> None:
    if "subject" in kw:
        raise Fallback
    kw["subject"] = t if (t := c.text) is not None else ""


def _SubmitReq_charged_party(c: etree._Element, kw: dict[str, Any]) -> None:
    if "charged_party" in kw:
        raise Fallback
    kw["charged_party"] = (_ENUM_ChargedPartyType.get(t) or _rt.parse_enum(_ENUM_ChargedPartyType, t)) if (t := c.text) is not None else ""


def _SubmitReq_distribution_indicator(c: etree._Element, kw: dict[str, Any]) -> None:
    if "distribution_indicator" in kw:
        raise Fallback
    kw["distribution_indicator"] = (t == "true" or _rt.parse_bool(t)) if (t := c.text) is not None else ""


def _SubmitReq_content(c: etree._Element, kw: dict[str, Any]) -> None:
    if "content" in kw:
        raise Fallback
    kw["content"] = parse_ContentReferenceType(c)


_CHILDREN_SubmitReq: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {
    Q_MM7Version: _SubmitReq_mm7_version,
    Q_SenderIdentification: _SubmitReq_sender_identification,
    Q_Recipients: _SubmitReq_recipients,
    Q_ServiceCode: _SubmitReq_service_code,
    Q_LinkedID: _SubmitReq_linked_id,
    Q_MessageClass: _SubmitReq_message_class,
    Q_TimeStamp_2: _SubmitReq_time_stamp,
    Q_ReplyCharging: _SubmitReq_reply_charging,
    Q_EarliestDeliveryTime: _SubmitReq_earliest_delivery_time,
    Q_ExpiryDate: _SubmitReq_expiry_date,
    Q_DeliveryReport: _SubmitReq_delivery_report,
    Q_ReadReply: _SubmitReq_read_reply,
    Q_Priority: _SubmitReq_priority,
    Q_Subject: _SubmitReq_subject,
    Q_ChargedParty: _SubmitReq_charged_party,
    Q_DistributionIndicator: _SubmitReq_distribution_indicator,
    Q_Content: _SubmitReq_content,
}


def fill_SubmitReq(obj: SubmitReq, el: etree._Element) -> None:
    x: Any
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_MM7Version).text = s
        else:
            SubElement(el, Q_MM7Version)
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        fill_SenderIdType(x, SubElement(el, Q_SenderIdentification))
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        fill_RecipientsType(x, SubElement(el, Q_Recipients))
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_ServiceCode).text = s
        else:
            SubElement(el, Q_ServiceCode)
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_LinkedID).text = s
        else:
            SubElement(el, Q_LinkedID)
    x = obj.message_class
    if x is not None:
        s = x.value if type(x) is MessageClassType else _rt.text(x)
        if s:
            SubElement(el, Q_MessageClass).text = s
        else:
            SubElement(el, Q_MessageClass)
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            SubElement(el, Q_TimeStamp_2).text = s
        else:
            SubElement(el, Q_TimeStamp_2)
    x = obj.reply_charging
    if x is not None:
        if type(x) is not ReplyChargingType:
            raise Fallback
        fill_ReplyChargingType(x, SubElement(el, Q_ReplyCharging))
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            SubElement(el, Q_EarliestDeliveryTime).text = s
        else:
            SubElement(el, Q_EarliestDeliveryTime)
    x = obj.expiry_date
    if x is not None:
        s = _rt.text(x)
        if s:
            SubElement(el, Q_ExpiryDate).text = s
        else:
            SubElement(el, Q_ExpiryDate)
    x = obj.delivery_report
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_DeliveryReport).text = s
        else:
            SubElement(el, Q_DeliveryReport)
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_ReadReply).text = s
        else:
            SubElement(el, Q_ReadReply)
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            SubElement(el, Q_Priority).text = s
        else:
            SubElement(el, Q_Priority)
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            SubElement(el, Q_Subject).text = s
        else:
            SubElement(el, Q_Subject)
    x = obj.charged_party
    if x is not None:
        s = x.value if type(x) is ChargedPartyType else _rt.text(x)
        if s:
            SubElement(el, Q_ChargedParty).text = s
        else:
            SubElement(el, Q_ChargedParty)
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            SubElement(el, Q_DistributionIndicator).text = s
        else:
            SubElement(el, Q_DistributionIndicator)
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        fill_ContentReferenceType(x, SubElement(el, Q_Content))


def parse_SubmitReq(el: etree._Element) -> SubmitReq:
    kw: dict[str, Any] = {}
    if el.keys():
        _rt.extra_attributes(el, kw, frozenset(), None, ())
    for c in el:
        h = _CHILDREN_SubmitReq.get(c.tag)
        if h is None:
            raise Fallback
        h(c, kw)
    return SubmitReq(**kw)


def write_SubmitReq(obj: SubmitReq, out: list[str], tag: str) -> None:
    x: Any
    out.append("<" + tag + ">")
    n = len(out)
    x = obj.mm7_version
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:MM7Version>" + _rt.escape_text(s) + "</mm7:MM7Version>")
        else:
            out.append("<mm7:MM7Version/>")
    x = obj.sender_identification
    if x is not None:
        if type(x) is not SenderIdType:
            raise Fallback
        write_SenderIdType(x, out, "mm7:SenderIdentification")
    x = obj.recipients
    if x is not None:
        if type(x) is not RecipientsType:
            raise Fallback
        write_RecipientsType(x, out, "mm7:Recipients")
    x = obj.service_code
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:ServiceCode>" + _rt.escape_text(s) + "</mm7:ServiceCode>")
        else:
            out.append("<mm7:ServiceCode/>")
    x = obj.linked_id
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:LinkedID>" + _rt.escape_text(s) + "</mm7:LinkedID>")
        else:
            out.append("<mm7:LinkedID/>")
    x = obj.message_class
    if x is not None:
        s = x.value if type(x) is MessageClassType else _rt.text(x)
        if s:
            out.append("<mm7:MessageClass>" + _rt.escape_text(s) + "</mm7:MessageClass>")
        else:
            out.append("<mm7:MessageClass/>")
    x = obj.time_stamp
    if x is not None:
        s = _rt.format_datetime(x) if type(x) is XmlDateTime else _rt.text(x)
        if s:
            out.append("<mm7:TimeStamp>" + _rt.escape_text(s) + "</mm7:TimeStamp>")
        else:
            out.append("<mm7:TimeStamp/>")
    x = obj.reply_charging
    if x is not None:
        if type(x) is not ReplyChargingType:
            raise Fallback
        write_ReplyChargingType(x, out, "mm7:ReplyCharging")
    x = obj.earliest_delivery_time
    if x is not None:
        s = _rt.text(x)
        if s:
            out.append("<mm7:EarliestDeliveryTime>" + _rt.escape_text(s) + "</mm7:EarliestDeliveryTime>")
        else:
            out.append("<mm7:EarliestDeliveryTime/>")
    x = obj.expiry_date
    if x is not None:
        s = _rt.text(x)
        if s:
            out.append("<mm7:ExpiryDate>" + _rt.escape_text(s) + "</mm7:ExpiryDate>")
        else:
            out.append("<mm7:ExpiryDate/>")
    x = obj.delivery_report
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:DeliveryReport>" + _rt.escape_text(s) + "</mm7:DeliveryReport>")
        else:
            out.append("<mm7:DeliveryReport/>")
    x = obj.read_reply
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:ReadReply>" + _rt.escape_text(s) + "</mm7:ReadReply>")
        else:
            out.append("<mm7:ReadReply/>")
    x = obj.priority
    if x is not None:
        s = x.value if type(x) is PriorityType else _rt.text(x)
        if s:
            out.append("<mm7:Priority>" + _rt.escape_text(s) + "</mm7:Priority>")
        else:
            out.append("<mm7:Priority/>")
    x = obj.subject
    if x is not None:
        s = x if type(x) is str else _rt.text(x)
        if s:
            out.append("<mm7:Subject>" + _rt.escape_text(s) + "</mm7:Subject>")
        else:
            out.append("<mm7:Subject/>")
    x = obj.charged_party
    if x is not None:
        s = x.value if type(x) is ChargedPartyType else _rt.text(x)
        if s:
            out.append("<mm7:ChargedParty>" + _rt.escape_text(s) + "</mm7:ChargedParty>")
        else:
            out.append("<mm7:ChargedParty/>")
    x = obj.distribution_indicator
    if x is not None:
        s = ("true" if x else "false") if type(x) is bool else _rt.text(x)
        if s:
            out.append("<mm7:DistributionIndicator>" + _rt.escape_text(s) + "</mm7:DistributionIndicator>")
        else:
            out.append("<mm7:DistributionIndicator/>")
    x = obj.content
    if x is not None:
        if type(x) is not ContentReferenceType:
            raise Fallback
        write_ContentReferenceType(x, out, "mm7:Content")
    if len(out) == n:
        out[n - 1] = "<" + tag + "/>"
    else:
        out.append("</" + tag + ">")


CODECS: dict[type, _rt.Codec] = {
    ContentReferenceType: _rt.Codec(ContentReferenceType, Q_contentReferenceType, frozenset(), fill_ContentReferenceType, parse_ContentReferenceType, write_ContentReferenceType),
    GenericRequestType: _rt.Codec(GenericRequestType, Q_genericRequestType, frozenset({NS}), fill_GenericRequestType, parse_GenericRequestType, write_GenericRequestType),
    ReplyChargingType: _rt.Codec(ReplyChargingType, Q_replyChargingType, frozenset(), fill_ReplyChargingType, parse_ReplyChargingType, write_ReplyChargingType),
    StatusDetailsType: _rt.Codec(StatusDetailsType, Q_statusDetailsType, frozenset(), fill_StatusDetailsType, parse_StatusDetailsType, write_StatusDetailsType),
    TransactionIdType: _rt.Codec(TransactionIdType, Q_transactionIDType, frozenset(), fill_TransactionIdType, parse_TransactionIdType, write_TransactionIdType),
    UaCapabilitiesType: _rt.Codec(UaCapabilitiesType, Q_uaCapabilitiesType, frozenset(), fill_UaCapabilitiesType, parse_UaCapabilitiesType, write_UaCapabilitiesType),
    TransactionId: _rt.Codec(TransactionId, Q_TransactionID, frozenset(), fill_TransactionId, parse_TransactionId, write_TransactionId),
    AddressType: _rt.Codec(AddressType, Q_addressType, frozenset(), fill_AddressType, parse_AddressType, write_AddressType),
    StatusType: _rt.Codec(StatusType, Q_statusType, frozenset({NS}), fill_StatusType, parse_StatusType, write_StatusType),
    GenericResponseType: _rt.Codec(GenericResponseType, Q_genericResponseType, frozenset({NS}), fill_GenericResponseType, parse_GenericResponseType, write_GenericResponseType),
    MultiAddressType: _rt.Codec(MultiAddressType, Q_multiAddressType, frozenset({NS}), fill_MultiAddressType, parse_MultiAddressType, write_MultiAddressType),
    SenderAddressType: _rt.Codec(SenderAddressType, Q_senderAddressType, frozenset({NS}), fill_SenderAddressType, parse_SenderAddressType, write_SenderAddressType),
    CancelRsp: _rt.Codec(CancelRsp, Q_CancelRsp, frozenset({NS}), fill_CancelRsp, parse_CancelRsp, write_CancelRsp),
    DeliveryReportRsp: _rt.Codec(DeliveryReportRsp, Q_DeliveryReportRsp, frozenset({NS}), fill_DeliveryReportRsp, parse_DeliveryReportRsp, write_DeliveryReportRsp),
    RSErrorRsp: _rt.Codec(RSErrorRsp, Q_RSErrorRsp, frozenset({NS}), fill_RSErrorRsp, parse_RSErrorRsp, write_RSErrorRsp),
    ReadReplyRsp: _rt.Codec(ReadReplyRsp, Q_ReadReplyRsp, frozenset({NS}), fill_ReadReplyRsp, parse_ReadReplyRsp, write_ReadReplyRsp),
    ReplaceRsp: _rt.Codec(ReplaceRsp, Q_ReplaceRsp, frozenset({NS}), fill_ReplaceRsp, parse_ReplaceRsp, write_ReplaceRsp),
    VASPErrorRsp: _rt.Codec(VASPErrorRsp, Q_VASPErrorRsp, frozenset({NS}), fill_VASPErrorRsp, parse_VASPErrorRsp, write_VASPErrorRsp),
    DeliverRspType: _rt.Codec(DeliverRspType, Q_deliverRspType, frozenset({NS}), fill_DeliverRspType, parse_DeliverRspType, write_DeliverRspType),
    DeliveryReportReqType: _rt.Codec(DeliveryReportReqType, Q_deliveryReportReqType, frozenset({NS}), fill_DeliveryReportReqType, parse_DeliveryReportReqType, write_DeliveryReportReqType),
    ReadReplyReqType: _rt.Codec(ReadReplyReqType, Q_readReplyReqType, frozenset({NS}), fill_ReadReplyReqType, parse_ReadReplyReqType, write_ReadReplyReqType),
    RecipientsType: _rt.Codec(RecipientsType, Q_recipientsType, frozenset({NS}), fill_RecipientsType, parse_RecipientsType, write_RecipientsType),
    SenderIdType: _rt.Codec(SenderIdType, Q_senderIDType, frozenset({NS}), fill_SenderIdType, parse_SenderIdType, write_SenderIdType),
    SubmitRspType: _rt.Codec(SubmitRspType, Q_submitRspType, frozenset({NS}), fill_SubmitRspType, parse_SubmitRspType, write_SubmitRspType),
    DeliverRsp: _rt.Codec(DeliverRsp, Q_DeliverRsp, frozenset({NS}), fill_DeliverRsp, parse_DeliverRsp, write_DeliverRsp),
    DeliveryReportReq: _rt.Codec(DeliveryReportReq, Q_DeliveryReportReq, frozenset({NS}), fill_DeliveryReportReq, parse_DeliveryReportReq, write_DeliveryReportReq),
    ReadReplyReq: _rt.Codec(ReadReplyReq, Q_ReadReplyReq, frozenset({NS}), fill_ReadReplyReq, parse_ReadReplyReq, write_ReadReplyReq),
    SubmitRsp: _rt.Codec(SubmitRsp, Q_SubmitRsp, frozenset({NS}), fill_SubmitRsp, parse_SubmitRsp, write_SubmitRsp),
    DeliverReqType: _rt.Codec(DeliverReqType, Q_deliverReqType, frozenset({NS}), fill_DeliverReqType, parse_DeliverReqType, write_DeliverReqType),
    GenericVaspRequestType: _rt.Codec(GenericVaspRequestType, Q_genericVASPRequestType, frozenset({NS}), fill_GenericVaspRequestType, parse_GenericVaspRequestType, write_GenericVaspRequestType),
    DeliverReq: _rt.Codec(DeliverReq, Q_DeliverReq, frozenset({NS}), fill_DeliverReq, parse_DeliverReq, write_DeliverReq),
    CancelReqType: _rt.Codec(CancelReqType, Q_cancelReqType, frozenset({NS}), fill_CancelReqType, parse_CancelReqType, write_CancelReqType),
    ReplaceReqType: _rt.Codec(ReplaceReqType, Q_replaceReqType, frozenset({NS}), fill_ReplaceReqType, parse_ReplaceReqType, write_ReplaceReqType),
    SubmitReqType: _rt.Codec(SubmitReqType, Q_submitReqType, frozenset({NS}), fill_SubmitReqType, parse_SubmitReqType, write_SubmitReqType),
    CancelReq: _rt.Codec(CancelReq, Q_CancelReq, frozenset({NS}), fill_CancelReq, parse_CancelReq, write_CancelReq),
    ReplaceReq: _rt.Codec(ReplaceReq, Q_ReplaceReq, frozenset({NS}), fill_ReplaceReq, parse_ReplaceReq, write_ReplaceReq),
    SubmitReq: _rt.Codec(SubmitReq, Q_SubmitReq, frozenset({NS}), fill_SubmitReq, parse_SubmitReq, write_SubmitReq),
}

FALLBACK: dict[type, str] = {
}
