from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from xsdata.models.datatype import XmlDateTime, XmlDuration

__NAMESPACE__ = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


class AddressCodingType(Enum):
    ENCRYPTED = "encrypted"
    OBFUSCATED = "obfuscated"


class ChargedPartyType(Enum):
    SENDER = "Sender"
    RECIPIENT = "Recipient"
    BOTH = "Both"
    NEITHER = "Neither"
    THIRD_PARTY = "ThirdParty"
    OTHER = "Other"


class ContentClassType(Enum):
    TEXT = "text"
    IMAGE_BASIC = "image-basic"
    IMAGE_RICH = "image-rich"
    VIDEO_BASIC = "video-basic"
    VIDEO_RICH = "video-rich"
    MEGAPIXEL = "megapixel"
    CONTENT_BASIC = "content-basic"
    CONTENT_RICH = "content-rich"


@dataclass(slots=True, kw_only=True)
class ContentReferenceType:
    class Meta:
        name = "contentReferenceType"

    href: str = field(
        metadata={
            "type": "Attribute",
        }
    )
    allow_adaptations: bool = field(
        default=True,
        metadata={
            "name": "allowAdaptations",
            "type": "Attribute",
        },
    )


@dataclass(slots=True, kw_only=True)
class DeliveryConditionType:
    class Meta:
        name = "deliveryConditionType"

    dc: list[int] = field(
        default_factory=list,
        metadata={
            "name": "DC",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class GenericRequestType:
    class Meta:
        name = "genericRequestType"

    mm7_version: str = field(
        metadata={
            "name": "MM7Version",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
            "pattern": r"[0-9]+\.[0-9]+\.[0-9]+",
        }
    )


class MessageClassType(Enum):
    PERSONAL = "Personal"
    INFORMATIONAL = "Informational"
    ADVERTISEMENT = "Advertisement"
    AUTO = "Auto"


class MmDeliveryStatusType(Enum):
    EXPIRED = "Expired"
    RETRIEVED = "Retrieved"
    REJECTED = "Rejected"
    INDETERMINATE = "Indeterminate"
    FORWARDED = "Forwarded"
    UNRECOGNISED = "Unrecognised"
    DEFERRED = "Deferred"
    DELIVERY_CONDITION_NOT_MET = "DeliveryConditionNotMet"
    UNRECOGNIZED = "Unrecognized"
    UNREACHABLE = "Unreachable"
    NOT_SUPPORTED = "NotSupported"


class MmReadStatusType(Enum):
    READ = "Read"
    DELETED = "Deleted"
    INDETERMINATE = "Indeterminate"


class MmStatusExtensionType(Enum):
    REJECTION_BY_MMSRECIPIENT = "RejectionByMMSRecipient"
    REJECTION_BY_OTHER_RS = "RejectionByOtherRS"


class PriorityType(Enum):
    NORMAL = "Normal"
    HIGH = "High"
    LOW = "Low"


@dataclass(slots=True, kw_only=True)
class ReplyChargingType:
    class Meta:
        name = "replyChargingType"

    reply_charging_size: None | int = field(
        default=None,
        metadata={
            "name": "replyChargingSize",
            "type": "Attribute",
        },
    )
    reply_deadline: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "replyDeadline",
            "type": "Attribute",
        },
    )


@dataclass(slots=True, kw_only=True)
class SequencedDateTimeType:
    class Meta:
        name = "sequencedDateTimeType"

    value: XmlDateTime | XmlDuration = field()
    sequence: None | int = field(
        default=None,
        metadata={
            "type": "Attribute",
        },
    )


@dataclass(slots=True, kw_only=True)
class StatusDetailsType:
    class Meta:
        name = "statusDetailsType"

    content: list[object] = field(
        default_factory=list,
        metadata={
            "type": "Wildcard",
            "namespace": "##any",
            "mixed": True,
        },
    )


@dataclass(slots=True, kw_only=True)
class TransactionIdType:
    class Meta:
        name = "transactionIDType"

    value: str = field(default="")
    other_attributes: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "type": "Attributes",
            "namespace": "##other",
        },
    )


@dataclass(slots=True, kw_only=True)
class UaCapabilitiesType:
    class Meta:
        name = "uaCapabilitiesType"

    ua_prof: None | str = field(
        default=None,
        metadata={
            "name": "UAProf",
            "type": "Attribute",
        },
    )
    time_stamp: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "TimeStamp",
            "type": "Attribute",
        },
    )


@dataclass(slots=True, kw_only=True)
class TransactionId(TransactionIdType):
    class Meta:
        name = "TransactionID"
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class AddressType:
    class Meta:
        name = "addressType"

    value: str = field(default="")
    display_only: bool = field(
        default=False,
        metadata={
            "name": "displayOnly",
            "type": "Attribute",
        },
    )
    address_coding: None | AddressCodingType = field(
        default=None,
        metadata={
            "name": "addressCoding",
            "type": "Attribute",
        },
    )
    id: None | str = field(
        default=None,
        metadata={
            "type": "Attribute",
        },
    )


@dataclass(slots=True, kw_only=True)
class PreviouslySentDateType:
    class Meta:
        name = "previouslySentDateType"

    date_time: list[SequencedDateTimeType] = field(
        default_factory=list,
        metadata={
            "name": "DateTime",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class StatusType:
    class Meta:
        name = "statusType"

    status_code: int = field(
        metadata={
            "name": "StatusCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    status_text: None | str = field(
        default=None,
        metadata={
            "name": "StatusText",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    details: None | StatusDetailsType = field(
        default=None,
        metadata={
            "name": "Details",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class ExtendedReplaceRspType:
    class Meta:
        name = "extendedReplaceRspType"

    mm7_version: str = field(
        metadata={
            "name": "MM7Version",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
            "pattern": r"[0-9]+\.[0-9]+\.[0-9]+",
        }
    )
    message_id: None | str = field(
        default=None,
        metadata={
            "name": "MessageID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    status: StatusType = field(
        metadata={
            "name": "Status",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )


@dataclass(slots=True, kw_only=True)
class GenericResponseType:
    class Meta:
        name = "genericResponseType"

    mm7_version: str = field(
        metadata={
            "name": "MM7Version",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
            "pattern": r"[0-9]+\.[0-9]+\.[0-9]+",
        }
    )
    status: StatusType = field(
        metadata={
            "name": "Status",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )


@dataclass(slots=True, kw_only=True)
class MultiAddressType:
    class Meta:
        name = "multiAddressType"

    rfc2822_address: list[AddressType] = field(
        default_factory=list,
        metadata={
            "name": "RFC2822Address",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    number: list[AddressType] = field(
        default_factory=list,
        metadata={
            "name": "Number",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    short_code: list[AddressType] = field(
        default_factory=list,
        metadata={
            "name": "ShortCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class SenderAddressType:
    class Meta:
        name = "senderAddressType"

    rfc2822_address: None | AddressType = field(
        default=None,
        metadata={
            "name": "RFC2822Address",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    number: None | AddressType = field(
        default=None,
        metadata={
            "name": "Number",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    short_code: None | AddressType = field(
        default=None,
        metadata={
            "name": "ShortCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class CancelRsp(GenericResponseType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class DeliveryReportRsp(GenericResponseType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class RSErrorRsp(GenericResponseType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ReadReplyRsp(GenericResponseType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ReplaceRsp(GenericResponseType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class VASPErrorRsp(GenericResponseType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class DeliverRspType(GenericResponseType):
    class Meta:
        name = "deliverRspType"

    service_code: None | str = field(
        default=None,
        metadata={
            "name": "ServiceCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class DeliveryReportReqType(GenericRequestType):
    class Meta:
        name = "deliveryReportReqType"

    mms_relay_server_id: None | str = field(
        default=None,
        metadata={
            "name": "MMSRelayServerID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    message_id: str = field(
        metadata={
            "name": "MessageID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    recipient: SenderAddressType = field(
        metadata={
            "name": "Recipient",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    sender: SenderAddressType = field(
        metadata={
            "name": "Sender",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    date: XmlDateTime = field(
        metadata={
            "name": "Date",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    mm_status: MmDeliveryStatusType = field(
        metadata={
            "name": "MMStatus",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    mm_status_extension: None | MmStatusExtensionType = field(
        default=None,
        metadata={
            "name": "MMStatusExtension",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    status_text: None | str = field(
        default=None,
        metadata={
            "name": "StatusText",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    aux_applic_info: None | str = field(
        default=None,
        metadata={
            "name": "AuxApplicInfo",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    ua_capabilities: None | UaCapabilitiesType = field(
        default=None,
        metadata={
            "name": "UACapabilities",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class ExtendedCancelRsp(GenericResponseType):
    class Meta:
        name = "extendedCancelRsp"
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ExtendedReplaceRsp(ExtendedReplaceRspType):
    class Meta:
        name = "extendedReplaceRsp"
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ReadReplyReqType(GenericRequestType):
    class Meta:
        name = "readReplyReqType"

    mms_relay_server_id: None | str = field(
        default=None,
        metadata={
            "name": "MMSRelayServerID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    message_id: str = field(
        metadata={
            "name": "MessageID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    recipient: SenderAddressType = field(
        metadata={
            "name": "Recipient",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    sender: SenderAddressType = field(
        metadata={
            "name": "Sender",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    time_stamp: XmlDateTime = field(
        metadata={
            "name": "TimeStamp",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    mm_status: MmReadStatusType = field(
        metadata={
            "name": "MMStatus",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    status_text: None | str = field(
        default=None,
        metadata={
            "name": "StatusText",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    aux_applic_info: None | str = field(
        default=None,
        metadata={
            "name": "AuxApplicInfo",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class RecipientsType:
    class Meta:
        name = "recipientsType"

    to: list[MultiAddressType] = field(
        default_factory=list,
        metadata={
            "name": "To",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    cc: list[MultiAddressType] = field(
        default_factory=list,
        metadata={
            "name": "Cc",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    bcc: list[MultiAddressType] = field(
        default_factory=list,
        metadata={
            "name": "Bcc",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class SenderIdType:
    class Meta:
        name = "senderIDType"

    vasp_id: None | str = field(
        default=None,
        metadata={
            "name": "VASPID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    vas_id: None | str = field(
        default=None,
        metadata={
            "name": "VASID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    sender_address: None | SenderAddressType = field(
        default=None,
        metadata={
            "name": "SenderAddress",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class SequencedAddressType(SenderAddressType):
    class Meta:
        name = "sequencedAddressType"

    sequence: None | int = field(
        default=None,
        metadata={
            "type": "Attribute",
        },
    )


@dataclass(slots=True, kw_only=True)
class SubmitRspType(GenericResponseType):
    class Meta:
        name = "submitRspType"

    message_id: None | str = field(
        default=None,
        metadata={
            "name": "MessageID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class DeliverRsp(DeliverRspType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class DeliveryReportReq(DeliveryReportReqType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ReadReplyReq(ReadReplyReqType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class SubmitRsp(SubmitRspType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ExtendedReplaceReqType:
    class Meta:
        name = "extendedReplaceReqType"

    mm7_version: str = field(
        metadata={
            "name": "MM7Version",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
            "pattern": r"[0-9]+\.[0-9]+\.[0-9]+",
        }
    )
    sender_identification: None | SenderIdType = field(
        default=None,
        metadata={
            "name": "SenderIdentification",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    vasp_id: None | str = field(
        default=None,
        metadata={
            "name": "VASPID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    vas_id: None | str = field(
        default=None,
        metadata={
            "name": "VASID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    service_code: None | str = field(
        default=None,
        metadata={
            "name": "ServiceCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    replace_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplaceID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    time_stamp: None | XmlDateTime = field(
        default=None,
        metadata={
            "name": "TimeStamp",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    earliest_delivery_time: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "EarliestDeliveryTime",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    expiry_date: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "ExpiryDate",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    read_reply: None | bool = field(
        default=None,
        metadata={
            "name": "ReadReply",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    delivery_report: None | bool = field(
        default=None,
        metadata={
            "name": "DeliveryReport",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    content: None | ContentReferenceType = field(
        default=None,
        metadata={
            "name": "Content",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class GenericVaspRequestType(GenericRequestType):
    class Meta:
        name = "genericVASPRequestType"

    sender_identification: SenderIdType = field(
        metadata={
            "name": "SenderIdentification",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )


@dataclass(slots=True, kw_only=True)
class PreviouslySentByType:
    class Meta:
        name = "previouslySentByType"

    user_agent: list[SequencedAddressType] = field(
        default_factory=list,
        metadata={
            "name": "UserAgent",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class CancelReqType(GenericVaspRequestType):
    class Meta:
        name = "cancelReqType"

    message_id: str = field(
        metadata={
            "name": "MessageID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    recipients: None | RecipientsType = field(
        default=None,
        metadata={
            "name": "Recipients",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    aux_applic_info: None | str = field(
        default=None,
        metadata={
            "name": "AuxApplicInfo",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class DeliverReqType(GenericRequestType):
    class Meta:
        name = "deliverReqType"

    mms_relay_server_id: None | str = field(
        default=None,
        metadata={
            "name": "MMSRelayServerID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    vasp_id: None | str = field(
        default=None,
        metadata={
            "name": "VASPID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    vas_id: None | str = field(
        default=None,
        metadata={
            "name": "VASID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    linked_id: None | str = field(
        default=None,
        metadata={
            "name": "LinkedID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    sender: SenderAddressType = field(
        metadata={
            "name": "Sender",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    recipients: None | RecipientsType = field(
        default=None,
        metadata={
            "name": "Recipients",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    previously_sent_by: None | PreviouslySentByType = field(
        default=None,
        metadata={
            "name": "Previouslysentby",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    previously_sent_date_and_time: None | PreviouslySentDateType = field(
        default=None,
        metadata={
            "name": "Previouslysentdateandtime",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    sender_spi: None | str = field(
        default=None,
        metadata={
            "name": "SenderSPI",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    recipient_spi: None | str = field(
        default=None,
        metadata={
            "name": "RecipientSPI",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    time_stamp: None | XmlDateTime = field(
        default=None,
        metadata={
            "name": "TimeStamp",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_charging_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyChargingID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    priority: None | PriorityType = field(
        default=None,
        metadata={
            "name": "Priority",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    subject: None | str = field(
        default=None,
        metadata={
            "name": "Subject",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    aux_applic_info: None | str = field(
        default=None,
        metadata={
            "name": "AuxApplicInfo",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    ua_capabilities: None | UaCapabilitiesType = field(
        default=None,
        metadata={
            "name": "UACapabilities",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    content: None | ContentReferenceType = field(
        default=None,
        metadata={
            "name": "Content",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class ExtendedCancelReqType(GenericVaspRequestType):
    class Meta:
        name = "extendedCancelReqType"

    cancel_id: str = field(
        metadata={
            "name": "CancelID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )


@dataclass(slots=True, kw_only=True)
class ExtendedReplaceReq(ExtendedReplaceReqType):
    class Meta:
        name = "extendedReplaceReq"
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ReplaceReqType(GenericVaspRequestType):
    class Meta:
        name = "replaceReqType"

    message_id: str = field(
        metadata={
            "name": "MessageID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    service_code: None | str = field(
        default=None,
        metadata={
            "name": "ServiceCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    time_stamp: None | XmlDateTime = field(
        default=None,
        metadata={
            "name": "TimeStamp",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    read_reply: None | bool = field(
        default=None,
        metadata={
            "name": "ReadReply",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    earliest_delivery_time: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "EarliestDeliveryTime",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    distribution_indicator: None | bool = field(
        default=None,
        metadata={
            "name": "DistributionIndicator",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    content_class: None | ContentClassType = field(
        default=None,
        metadata={
            "name": "ContentClass",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    drm_content: None | bool = field(
        default=None,
        metadata={
            "name": "DRMContent",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    aux_applic_info: None | str = field(
        default=None,
        metadata={
            "name": "AuxApplicInfo",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    content: None | ContentReferenceType = field(
        default=None,
        metadata={
            "name": "Content",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class SubmitReqType(GenericVaspRequestType):
    class Meta:
        name = "submitReqType"

    recipients: RecipientsType = field(
        metadata={
            "name": "Recipients",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        }
    )
    service_code: None | str = field(
        default=None,
        metadata={
            "name": "ServiceCode",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    linked_id: None | str = field(
        default=None,
        metadata={
            "name": "LinkedID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    message_class: None | MessageClassType = field(
        default=None,
        metadata={
            "name": "MessageClass",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    time_stamp: None | XmlDateTime = field(
        default=None,
        metadata={
            "name": "TimeStamp",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_charging: None | ReplyChargingType = field(
        default=None,
        metadata={
            "name": "ReplyCharging",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    earliest_delivery_time: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "EarliestDeliveryTime",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    expiry_date: None | XmlDateTime | XmlDuration = field(
        default=None,
        metadata={
            "name": "ExpiryDate",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    delivery_report: None | bool = field(
        default=None,
        metadata={
            "name": "DeliveryReport",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    read_reply: None | bool = field(
        default=None,
        metadata={
            "name": "ReadReply",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    priority: None | PriorityType = field(
        default=None,
        metadata={
            "name": "Priority",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    subject: None | str = field(
        default=None,
        metadata={
            "name": "Subject",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    charged_party: None | ChargedPartyType = field(
        default=None,
        metadata={
            "name": "ChargedParty",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    charged_party_id: None | str = field(
        default=None,
        metadata={
            "name": "ChargedPartyID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    distribution_indicator: None | bool = field(
        default=None,
        metadata={
            "name": "DistributionIndicator",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    delivery_condition: None | DeliveryConditionType = field(
        default=None,
        metadata={
            "name": "DeliveryCondition",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    reply_applic_id: None | str = field(
        default=None,
        metadata={
            "name": "ReplyApplicID",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    aux_applic_info: None | str = field(
        default=None,
        metadata={
            "name": "AuxApplicInfo",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    content_class: None | ContentClassType = field(
        default=None,
        metadata={
            "name": "ContentClass",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    drm_content: None | bool = field(
        default=None,
        metadata={
            "name": "DRMContent",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )
    content: None | ContentReferenceType = field(
        default=None,
        metadata={
            "name": "Content",
            "type": "Element",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
        },
    )


@dataclass(slots=True, kw_only=True)
class CancelReq(CancelReqType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class DeliverReq(DeliverReqType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ReplaceReq(ReplaceReqType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class SubmitReq(SubmitReqType):
    class Meta:
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@dataclass(slots=True, kw_only=True)
class ExtendedCancelReq(ExtendedCancelReqType):
    class Meta:
        name = "extendedCancelReq"
        namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
