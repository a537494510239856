"""Interoperability corpus: every fixture in ``tests/fixtures/corpus`` decoded in both modes, table-driven.

Each ``.http`` file is a raw HTTP message in the style of a real MM7 peer (Sinch, Nokia, Openwave,
Huawei, Ericsson, NowSMS, Mbuni-derived boxes, Korean, Chinese, Japanese and European operators, a Go MMSC,
a Ruby SOAP stack, the 3GPP specification's own examples as operators copied them).
``tests/fixtures/corpus/README.md`` says what each one stands for; ``make_legacy.py`` there writes the ones
whose bytes are not UTF-8 text.

For every file, :data:`CASES` says what tolerant decoding must give: the operation, TransactionID, our
schema, the namespace as received, the exact *set* of deviation kinds, the extensions kept (Clark names;
``@`` marks an attribute), the violations left (one path substring each), and a few decoded values that
prove the repair read the right data. Strict decoding must accept exactly the clean files and refuse every
other one with a :class:`~mm7.errors.RemoteValidationError` whose problems name every expected kind (plus
``"schema"`` for violations).
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from mm7 import decode
from mm7.codec.decoding import DecodedMessage
from mm7.codec.deviations import DEVIATION_KINDS
from mm7.codec.versions import NAMESPACE_PREFIX, VERSIONS
from mm7.errors import (
    ClientStatusError,
    MM7StatusError,
    RemoteValidationError,
    ServerStatusError,
    ServiceStatusError,
)
from tests.codec.httpfile import read_http

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.http"))

R5, R6 = "REL-5-MM7-1-3", "REL-6-MM7-1-4"
XSI_TYPE = "@{http://www.w3.org/2001/XMLSchema-instance}type"
ENCODING_STYLE = "@{http://schemas.xmlsoap.org/soap/envelope/}encodingStyle"


def mm7_name(local: str, key: str = R6) -> str:
    """Clark name of an element in one of our MM7 namespaces."""
    return "{%s%s}%s" % (NAMESPACE_PREFIX, key, local)


@dataclass(frozen=True)
class Case:
    """What decoding one fixture must give.

    Attributes:
        operation: The Body element.
        transaction_id: The TransactionID, trimmed.
        schema: Our schema the message is read as.
        kinds: The exact set of deviation kinds tolerant decoding reports.
        extensions: Clark names of the extensions kept, as a multiset; ``@`` marks an attribute.
        violations: One path substring per violation left after repair (empty: the message is valid).
        values: Decoded values by attribute path from the DecodedMessage (``message.recipient.number.value``,
            ``message.recipients.to[0].number[1].display_only``); enums compare by value, dates as text.
        namespace: The namespace as received: a revision key, a full URI, or None for the schema's own.
        media: Media types of the content's leaf parts, in order (None: not checked).
        status_code: The Status code of a response.
        fault: The local faultcode of a SOAP Fault.
        raises: The typed error ``raise_for_status()`` raises.
        strict_schema: Whether strict decoding reports a ``"schema"`` problem (default: when violations).
        strict_also: Further kinds strict decoding may name besides ``kinds`` and ``"schema"``.
    """

    operation: str
    transaction_id: str
    schema: str
    kinds: frozenset[str] = frozenset()
    extensions: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    namespace: str | None = None
    media: tuple[str, ...] | None = None
    status_code: int | None = None
    fault: str | None = None
    raises: type[MM7StatusError] | None = None
    strict_schema: bool | None = None
    strict_also: frozenset[str] = frozenset()

    @property
    def clean(self) -> bool:
        return not self.kinds and not self.violations

    @property
    def received_namespace(self) -> str:
        ns = self.namespace or self.schema
        return ns if ns.startswith(("http:", "https:", "urn:")) else NAMESPACE_PREFIX + ns


def C(operation: str, transaction_id: str, schema: str, *kinds: str, **more: Any) -> Case:
    """A table row: the kinds are given positionally."""
    if "strict_also" in more:
        more["strict_also"] = frozenset(more["strict_also"])
    return Case(operation, transaction_id, schema, frozenset(kinds), **more)


CASES: dict[str, Case] = {
    # ---------------------------------------------------------------- the first 24 (see test_corpus.py)
    "01-nokia-submit-rel6.http": C(
        "SubmitReq",
        "nokia-0001",
        R6,
        media=("application/smil", "image/jpeg", "text/plain"),
        values={
            "message.subject": "Morning headlines",
            "message.priority": "Normal",
            "message.recipients.bcc[0].rfc2822_address[0].value": "archive@vasp.example",
        },
    ),
    "02-openwave-deliver-rel5-1-2-lf.http": C(
        "DeliverReq",
        "ow-5512",
        R5,
        "mime-framing",
        "namespace",
        namespace="REL-5-MM7-1-2",
        media=("text/plain", "audio/amr"),
        values={
            "message.sender.number.value": "447700900123",
            "message.priority": "High",
            "message.time_stamp": "2024-02-29T23:59:58+01:00",
        },
    ),
    "03-huawei-deliveryreport-rel6-1-0.http": C(
        "DeliveryReportReq",
        "hw-20240101-0001",
        R6,
        "namespace",
        "whitespace",
        namespace="REL-6-MM7-1-0",
        values={"message.mm_status": "Retrieved", "message.mms_relay_server_id": "huawei-mmsc"},
    ),
    "04-nowsms-submit-start-no-brackets.http": C(
        "SubmitReq",
        "nowsms-42",
        R6,
        "content-reference",
        media=("text/plain",),
        values={"message.recipients.to[0].number[1].display_only": True},
    ),
    "05-sinch-deliveryreport-default-ns-on-envelope.http": C(
        "DeliveryReportReq",
        "sinch-dr-0001",
        R6,
        values={"message.ua_capabilities.ua_prof": "Pixel 7", "message.mm_status": "Retrieved"},
    ),
    "06-sinch-deliveryreport-body-no-namespace.http": C(
        "DeliveryReportReq",
        "sinch-dr-0002",
        R6,
        "namespace",
        values={"message.mm_status": "Expired", "message.recipient.number.value": "16175550198"},
    ),
    "07-sinch-deliver-multipart-without-boundary.http": C(
        "DeliverReq",
        "sinch-mo-0003",
        R5,
        "mime-framing",
        "namespace",
        values={"message.linked_id": "sinch-link-3", "message.subject": "hi"},
    ),
    "08-sinch-submitrsp.http": C(
        "SubmitRsp", "1000001", R6, status_code=1000, values={"message.message_id": "369500617770864640"}
    ),
    "09-sinch-fault-rserror-in-detail.http": C(
        "RSErrorRsp", "1000002", R6, status_code=2502, fault="Client", raises=ClientStatusError
    ),
    "10-bare-rserror-in-body.http": C("RSErrorRsp", "mb-9", R5, status_code=3510, raises=ServerStatusError),
    "11-no-start-binary-part.http": C("DeliverReq", "bin-11", R6, media=("image/gif",)),
    "12-content-location-only.http": C(
        "SubmitReq", "loc-12", R6, media=("image/jpeg",), values={"message.content.href": "photo.jpg"}
    ),
    "13-href-without-cid-scheme.http": C(
        "SubmitReq", "nocid-13", R6, "content-reference", media=("text/plain",)
    ),
    "14-namespace-only-on-envelope.http": C(
        "ReadReplyReq", "ns-env-14", R6, values={"message.mm_status": "Read"}
    ),
    "15-whitespace-around-values.http": C(
        "DeliveryReportReq", "ws-15", R6, "whitespace", values={"message.mm_status": "Rejected"}
    ),
    "16-nokia-submitrsp-rel5.http": C(
        "SubmitRsp", "nokia-r5-16", R5, status_code=1000, values={"message.message_id": "NK16"}
    ),
    "17-sinch-mo-nested-mixed.http": C(
        "DeliverReq", "sinch-mo-17", R6, "content-reference", media=("text/plain", "image/jpeg")
    ),
    "18-vasp-fault-vasperror.http": C(
        "VASPErrorRsp", "ow-vasp-18", R6, status_code=3000, fault="Server", raises=ServerStatusError
    ),
    "19-outer-multipart-mixed.http": C(
        "DeliverReq",
        "mixed-19",
        R5,
        "mime-framing",
        media=("text/plain",),
        values={"message.sender.rfc2822_address.value": "user@operator.example"},
    ),
    "20-transactionid-without-namespace.http": C("CancelRsp", "nons-20", R6, "namespace", status_code=1000),
    "21-huawei-extended-cancel.http": C(
        "extendedCancelReq", "hw-xc-21", R6, values={"message.cancel_id": "HW-CANCEL-21"}
    ),
    "22-openwave-rel6-1-0-mixed-quirks-lf.http": C(
        "SubmitReq",
        "ow-22",
        R6,
        "mime-framing",
        "content-reference",
        "namespace",
        namespace="REL-6-MM7-1-0",
        media=("application/smil", "image/gif", "text/plain"),
        values={"message.subject": "Sale"},
    ),
    "23-no-content-type.http": C("ReadReplyRsp", "noct-23", R5, "mime-framing", status_code=1000),
    "24-rel5-1-2-deliveryreport-5-3-0.http": C(
        "DeliveryReportReq",
        "r52-24",
        R5,
        "namespace",
        namespace="REL-5-MM7-1-2",
        values={"message.mm_status": "Deferred", "message.date": "2020-02-02T02:02:02-03:00"},
    ),
    # ---------------------------------------------------------------- Sinch (5.3.0 / 6.8.0)
    "25-sinch-submitreq-sinch-element-order.http": C(
        "SubmitReq",
        "sinch-mt-25",
        R6,
        "element-order",
        media=("application/smil", "text/plain", "image/gif"),
        values={
            "message.delivery_report": True,
            "message.subject": "Weekend offer",
            "message.expiry_date": "2024-03-04T09:00:00Z",
            "message.time_stamp": "2024-03-01T09:00:00Z",
            "message.sender_identification.vas_id": "222233mms",
        },
    ),
    "26-sinch-deliveryreportreq-rel5-uaprof-lf.http": C(
        "DeliveryReportReq",
        "sinch-dr-26",
        R5,
        values={
            "message.mm_status": "Retrieved",
            "message.status_text": "Success",
            "message.ua_capabilities.ua_prof": "http://wap.samsungmobile.com/uaprof/SM-S911U.xml",
        },
    ),
    "27-sinch-fault-2007-default-ns-on-envelope-lf.http": C(
        "RSErrorRsp",
        "sinch-27",
        R6,
        "fault-format",
        status_code=2007,
        fault="Client",
        raises=ClientStatusError,
        values={"message.status.status_text": "Message format corrupt"},
    ),
    "28-sinch-fault-3510-qualified-fault-children.http": C(
        "RSErrorRsp",
        "sinch-28",
        R5,
        "fault-format",
        status_code=3510,
        fault="Server",
        raises=ServerStatusError,
    ),
    "29-sinch-fault-4006-lf.http": C(
        "RSErrorRsp", "sinch-29", R6, status_code=4006, fault="Server", raises=ServiceStatusError
    ),
    "30-sinch-mo-deliverreq-rel5-nested-mixed.http": C(
        "DeliverReq",
        "sinch-mo-30",
        R5,
        media=("text/plain", "image/jpeg"),
        values={
            "message.sender.number.value": "16175550130",
            "message.subject": "photo",
            "message.ua_capabilities.ua_prof": "http://www.apple.com/mms/uaprof.rdf",
        },
    ),
    "31-sinch-submitrsp-status-before-version.http": C(
        "SubmitRsp",
        "sinch-mt-25",
        R6,
        "element-order",
        status_code=1000,
        values={"message.message_id": "369500617770864631", "mm7_version": "6.8.0"},
    ),
    # ---------------------------------------------------------------- the 3GPP examples as copied
    "32-spec-submitreq-rel5-1-0.http": C(
        "SubmitReq",
        "vas00032-sub",
        R5,
        "namespace",
        namespace="REL-5-MM7-1-0",
        media=("text/plain", "image/gif"),
        values={
            "message.recipients.cc[0].number[0].value": "7255550034",
            "message.recipients.to[0].rfc2822_address[0].display_only": True,
            "message.expiry_date": "P30D",
            "message.charged_party": "Sender",
            "message.subject": "Weather for today",
        },
    ),
    "33-spec-deliverreq-vaspid-before-relay-id.http": C(
        "DeliverReq",
        "vas00033-dlv",
        R6,
        "element-order",
        media=("text/plain",),
        values={
            "message.vasp_id": "CityNews",
            "message.mms_relay_server_id": "240.110.75.33",
            "message.reply_charging_id": "rc-33",
        },
    ),
    "34-spec-cancelreq-rel5-1-0.http": C(
        "CancelReq",
        "vas00034-can",
        R5,
        "namespace",
        namespace="REL-5-MM7-1-0",
        values={"message.message_id": "rs-msg-0034"},
    ),
    "35-spec-cancelrsp-rel5-1-0.http": C(
        "CancelRsp", "vas00034-can", R5, "namespace", namespace="REL-5-MM7-1-0", status_code=1000
    ),
    "36-spec-replacereq-rel5-1-0.http": C(
        "ReplaceReq",
        "vas00036-rep",
        R5,
        "namespace",
        namespace="REL-5-MM7-1-0",
        media=("text/plain",),
        values={
            "message.read_reply": False,
            "message.earliest_delivery_time": "PT1H",
            "message.content.allow_adaptations": False,
        },
    ),
    "37-spec-replacersp-rel5-1-0.http": C(
        "ReplaceRsp", "vas00036-rep", R5, "namespace", namespace="REL-5-MM7-1-0", status_code=1000
    ),
    "38-spec-readreplyreq-rel5-1-0.http": C(
        "ReadReplyReq",
        "rs00038-rr",
        R5,
        "namespace",
        namespace="REL-5-MM7-1-0",
        values={
            "message.mm_status": "Read",
            "message.recipient.rfc2822_address.value": "7255550038@mms.operator.example",
        },
    ),
    "39-spec-deliveryreportrsp-rel5-1-0.http": C(
        "DeliveryReportRsp", "rs00039-dr", R5, "namespace", namespace="REL-5-MM7-1-0", status_code=1000
    ),
    # ---------------------------------------------------------------- Nokia, Openwave
    "40-nokia-replacersp-rel6.http": C("ReplaceRsp", "nokia-40", R6, status_code=1000),
    "41-nokia-deliverrsp-rel5.http": C(
        "DeliverRsp", "nokia-mo-41", R5, status_code=1000, values={"message.service_code": "vote-41"}
    ),
    "42-openwave-deliveryreportreq-padded-mmstatus-lf.http": C(
        "DeliveryReportReq", "ow-dr-42", R6, "whitespace", values={"message.mm_status": "Retrieved"}
    ),
    "43-openwave-submitreq-no-close-delimiter.http": C(
        "SubmitReq",
        "ow-43",
        R5,
        "mime-framing",
        media=("text/plain",),
        values={"message.subject": "Quiz answer"},
    ),
    "44-openwave-readreplyrsp-status-before-version.http": C(
        "ReadReplyRsp", "ow-rr-44", R6, "element-order", status_code=1000
    ),
    # ---------------------------------------------------------------- Huawei
    "45-huawei-deliverreq-href-angle-brackets.http": C(
        "DeliverReq", "hw-mo-45", R6, "content-reference", media=("image/jpeg",)
    ),
    "46-huawei-submitreq-href-with-space.http": C(
        "SubmitReq",
        "hw-46",
        R6,
        "content-reference",
        media=("text/plain",),
        values={"message.subject": "Daily news"},
    ),
    "47-huawei-deliveryreportreq-children-rel6-1-0.http": C(
        "DeliveryReportReq",
        "hw-dr-47",
        R6,
        "namespace",
        values={"message.mm_status": "Expired", "mm7_version": "6.3.0"},
    ),
    "48-huawei-extendedreplacereq-vendor-element.http": C(
        "extendedReplaceReq",
        "hw-xr-48",
        R6,
        "unknown-element",
        extensions=("{urn:huawei:mm7:ext}ChargeTariff",),
        media=("text/plain",),
        values={
            "message.replace_id": "HW-REPLACE-48",
            "message.delivery_report": True,
            "message.time_stamp": "2024-01-08T09:00:00+08:00",
        },
    ),
    "49-huawei-extendedreplacersp.http": C("extendedReplaceRsp", "hw-xr-48", R6, status_code=1000),
    "50-huawei-extendedcancelrsp-xsi-type-on-transactionid.http": C(
        "extendedCancelRsp", "hw-xc-21", R6, "unknown-attribute", extensions=(XSI_TYPE,), status_code=1000
    ),
    # ---------------------------------------------------------------- Ericsson, NowSMS
    "51-ericsson-submitreq-rel6-1-2-bare-lf-start-unbracketed.http": C(
        "SubmitReq",
        "eri-51",
        R6,
        "namespace",
        "mime-framing",
        "content-reference",
        namespace="REL-6-MM7-1-2",
        media=("text/plain",),
        values={"message.message_class": "Personal", "mm7_version": "6.5.0"},
    ),
    "52-ericsson-deliveryreportrsp.http": C("DeliveryReportRsp", "eri-dr-52", R6, status_code=1000),
    "53-ericsson-cancelreq-routing-header-entry.http": C(
        "CancelReq",
        "eri-53",
        R6,
        "header-entry",
        values={"message.message_id": "eri-msg-53", "message.applic_id": "eri-app"},
    ),
    "54-nowsms-submitreq-lowercase-header-names.http": C("SubmitReq", "nowsms-54", R6, media=("text/plain",)),
    "55-nowsms-deliverreq-boundary-starting-with-dashes.http": C(
        "DeliverReq",
        "nowsms-mo-55",
        R5,
        media=("text/plain",),
        values={"message.sender.number.value": "+15550000055"},
    ),
    "56-nowsms-submitreq-extra-part-headers.http": C(
        "SubmitReq", "nowsms-56", R6, media=("image/jpeg",), values={"message.subject": "Holiday photo"}
    ),
    # ---------------------------------------------------------------- Mbuni-derived boxes
    "57-mbuni-submitreq-rel5-1-0-unqualified-children-prefixed-href.http": C(
        "SubmitReq",
        "mbuni-57",
        R5,
        "namespace",
        "qualified-attribute",
        namespace="REL-5-MM7-1-0",
        media=("text/plain",),
        values={
            "message.subject": "Mbuni says hi",
            "message.delivery_report": True,
            "message.sender_identification.sender_address.short_code.value": "55557",
        },
    ),
    "58-mbuni-deliverreq-unqualified-href-missing-colon.http": C(
        "DeliverReq",
        "mbuni-mo-58",
        R5,
        "namespace",
        "content-reference",
        media=("text/plain",),
        values={"message.mms_relay_server_id": "mbuni-relay", "message.subject": "MO via mbuni"},
    ),
    "59-mbuni-fault-vasperrorrsp-unqualified-children.http": C(
        "VASPErrorRsp",
        "mbuni-mo-58",
        R5,
        "namespace",
        status_code=2001,
        fault="Client",
        raises=ClientStatusError,
    ),
    # ---------------------------------------------------------------- legacy encodings (make_legacy.py)
    "60-kt-submitreq-euc-kr.http": C(
        "SubmitReq",
        "kt-60-0001",
        R5,
        media=("text/plain",),
        values={"message.subject": "[KT] 이벤트 당첨 안내", "message.content.allow_adaptations": False},
    ),
    "61-kt-deliverreq-ks-c-5601-vendor-elements.http": C(
        "DeliverReq",
        "kt-mo-61",
        R6,
        "unknown-element",
        extensions=("KTServiceType", "{urn:kt:mm7:ext}ChargeInfo"),
        values={"message.subject": "사진 보냄", "message.time_stamp": "2024-04-15T21:30:00+09:00"},
    ),
    "62-lgu-deliveryreportreq-euc-kr-label-utf8-bytes-lf.http": C(
        "DeliveryReportReq",
        "lgu-dr-62",
        R6,
        "encoding",
        values={"message.status_text": "전송 완료", "message.mm_status": "Retrieved"},
    ),
    "63-skt-submitreq-euc-kr-four-classes.http": C(
        "SubmitReq",
        "skt-63",
        R6,
        "unknown-element",
        "element-order",
        "unknown-attribute",
        "value-format",
        extensions=("{urn:skt:mm7}CPCode", "@{urn:skt:mm7}billing"),
        values={
            "message.subject": "[SKT] 요금 안내",
            "message.delivery_report": True,
            "message.sender_identification.sender_address.number.value": "15990063",
        },
    ),
    "64-cmcc-submitreq-gb2312-vendor-senderid.http": C(
        "SubmitReq",
        "cmcc-64",
        R6,
        "unknown-element",
        extensions=("{urn:cmcc:mm7:ext}FeeType", "FeeCode"),
        media=("text/plain",),
        values={
            "message.subject": "天气预报",
            "message.sender_identification.vas_id": "10658064",
            "message.service_code": "WEATHER",
        },
    ),
    "65-unicom-deliverreq-gbk.http": C(
        "DeliverReq", "cu-mo-65", R6, values={"message.subject": "彩信已收到"}
    ),
    "66-telecom-deliveryreportreq-gb2312-label-utf8-bytes.http": C(
        "DeliveryReportReq", "ct-dr-66", R6, "encoding", values={"message.status_text": "已送达"}
    ),
    "67-jp-deliverreq-shift-jis.http": C("DeliverReq", "jp-67", R5, values={"message.subject": "お知らせ"}),
    "68-eu-submitreq-iso-8859-1.http": C(
        "SubmitReq", "eu-68", R6, media=("text/plain",), values={"message.subject": "Crème brûlée für Sie"}
    ),
    "69-ru-deliverreq-windows-1251.http": C(
        "DeliverReq", "ru-69", R6, values={"message.subject": "Привет из Москвы"}
    ),
    "70-pl-submitreq-iso-8859-2-label-utf8-bytes.http": C(
        "SubmitReq", "pl-70", R6, "encoding", values={"message.subject": "Zażółć gęślą jaźń"}
    ),
    "71-ericsson-readreplyreq-blank-lines-before-xml-declaration.http": C(
        "ReadReplyReq", "eri-rr-71", R6, "encoding", values={"message.mm_status": "Deleted"}
    ),
    "72-bom-whitespace-before-xml-declaration.http": C(
        "DeliveryReportReq", "bom-72", R5, "encoding", values={"message.mm_status": "Forwarded"}
    ),
    "73-bom-only-deliverrsp.http": C(
        "DeliverRsp", "bom-73", R6, status_code=1000, values={"message.service_code": "bom-svc"}
    ),
    # ---------------------------------------------------------------- a Go MMSC, Java and Ruby stacks
    "74-gommsc-deliveryreportreq-offset-without-colon.http": C(
        "DeliveryReportReq",
        "go-dr-74",
        R6,
        "value-format",
        values={"message.date": "2024-05-01T10:00:00+09:00"},
    ),
    "75-gommsc-deliverreq-basic-iso-time-order-trace-element.http": C(
        "DeliverReq",
        "go-mo-75",
        R6,
        "value-format",
        "element-order",
        "unknown-element",
        extensions=("{urn:gommsc:trace}TraceID",),
        values={
            "message.time_stamp": "2024-05-01T10:00:00Z",
            "message.subject": "go go go",
            "message.sender.number.value": "821012340075",
        },
    ),
    "76-java-deliverreq-rel5-date-time-with-space.http": C(
        "DeliverReq", "java-mo-76", R5, "value-format", values={"message.time_stamp": "2024-05-01T10:00:00"}
    ),
    "77-ruby-submitreq-rel5-xsi-type-everywhere.http": C(
        "SubmitReq",
        "ruby-77",
        R5,
        "unknown-attribute",
        extensions=(XSI_TYPE,) * 7 + (ENCODING_STYLE,),
        values={
            "message.subject": "Ruby promo",
            "message.delivery_report": True,
            "message.recipients.to[0].number[0].value": "447700900077",
        },
    ),
    "78-ruby-cancelrsp-rel5-xsi-type.http": C(
        "CancelRsp",
        "ruby-can-78",
        R5,
        "unknown-attribute",
        extensions=(XSI_TYPE,) * 4 + (ENCODING_STYLE,),
        status_code=1000,
        values={"message.status.status_text": "Cancelled"},
    ),
    "79-ruby-replacereq-prefixed-href-xsi-type-capital-true.http": C(
        "ReplaceReq",
        "ruby-rep-79",
        R6,
        "qualified-attribute",
        "unknown-attribute",
        "value-format",
        extensions=(XSI_TYPE,),
        media=("text/plain",),
        values={"message.read_reply": True, "message.content.href": "cid:rb-79-content"},
    ),
    "80-java-submitreq-boolean-capitalised.http": C(
        "SubmitReq",
        "java-80",
        R6,
        "value-format",
        values={"message.delivery_report": True, "message.read_reply": False},
    ),
    "81-java-submitreq-rel5-boolean-digits.http": C(
        "SubmitReq",
        "java-81",
        R5,
        values={
            "message.delivery_report": True,
            "message.read_reply": False,
            "message.distribution_indicator": False,
        },
    ),
    # ---------------------------------------------------------------- values, references, namespaces, headers
    "82-relay-deliveryreportreq-rel5-lowercase-mmstatus.http": C(
        "DeliveryReportReq", "dr-82", R5, "value-format", values={"message.mm_status": "Retrieved"}
    ),
    "83-relay-submitreq-enumeration-case-variants.http": C(
        "SubmitReq",
        "case-83",
        R6,
        "value-format",
        values={"message.priority": "High", "message.message_class": "Informational"},
    ),
    "84-relay-submitreq-priority-urgent.http": C(
        "SubmitReq",
        "urgent-84",
        R6,
        extensions=(mm7_name("Priority"),),
        violations=("Priority",),
        values={"message.priority": None, "message.subject": "Act now"},
    ),
    "85-relay-deliveryreportreq-date-yesterday.http": C(
        "DeliveryReportReq",
        "dr-85",
        R6,
        extensions=(mm7_name("Date"),),
        violations=("Date",),
        values={"message.date": None, "message.mm_status": "Rejected"},
    ),
    "86-relay-submitreq-href-unmatched-single-attachment.http": C(
        "SubmitReq", "one-86", R6, "content-reference", media=("image/gif",)
    ),
    "87-relay-deliverreq-href-unmatched-two-attachments.http": C(
        "DeliverReq",
        "two-87",
        R6,
        violations=("/Envelope/Body",),  # the Content href names no part
        strict_schema=False,
        strict_also={"content-reference"},
        values={"content": None, "message.subject": "two parts"},
    ),
    "88-relay-submitreq-start-names-absent-part.http": C(
        "SubmitReq", "start-88", R6, "content-reference", media=("text/plain",)
    ),
    "89-vendor-namespace-deliveryreportreq.http": C(
        "DeliveryReportReq",
        "vendor-89",
        R6,
        "namespace",
        namespace="urn:vendor:mm7",
        values={"message.mm_status": "Unrecognized", "message.message_id": "vendor-msg-89"},
    ),
    "90-guide-namespace-submitrsp-rel5.http": C(
        "SubmitRsp",
        "guide-90",
        R5,
        "namespace",
        namespace="http://www.example.com/mm7/schema",
        status_code=1000,
        values={"message.message_id": "guide-msg-90"},
    ),
    "91-transactionid-rel5-body-rel6-deliverrsp.http": C(
        "DeliverRsp", "mixed-91", R6, "namespace", status_code=1000
    ),
    "92-openwave-submitreq-service-class-header-entry.http": C(
        "SubmitReq", "ow-92", R6, "header-entry", values={"message.subject": "Premium alert"}
    ),
    "93-relay-cancelreq-actor-on-transactionid.http": C(
        "CancelReq", "actor-93", R6, values={"message.message_id": "actor-msg-93"}
    ),
    "94-nokia-deliverreq-whitespace-in-empty-content.http": C(
        "DeliverReq",
        "nokia-mo-94",
        R6,
        "whitespace",
        media=("image/jpeg",),
        values={"message.content.href": "cid:nk-94@relay.example"},
    ),
    "95-nokia-submitreq-rel5-prefixed-href.http": C(
        "SubmitReq",
        "nokia-95",
        R5,
        "qualified-attribute",
        media=("text/plain",),
        values={"message.content.href": "cid:nk-95@vasp.example", "message.content.allow_adaptations": True},
    ),
    "96-relay-submitreq-misspelt-and-vendor-attributes.http": C(
        "SubmitReq",
        "attrs-96",
        R6,
        "unknown-attribute",
        extensions=("@{urn:vendor:tags}tag", "@foo", "@allowAdaptions"),
        media=("text/plain",),
        values={"message.content.allow_adaptations": True, "message.subject": "Attributes"},
    ),
    "97-huawei-deliveryreportreq-five-classes.http": C(
        "DeliveryReportReq",
        "hw-dr-97",
        R6,
        "whitespace",
        "namespace",
        "element-order",
        "value-format",
        "unknown-element",
        extensions=("{urn:huawei:mm7:ext}FailureCause",),
        values={
            "message.mm_status": "Rejected",
            "message.date": "2024-01-02T08:00:00+08:00",
            "message.recipient.number.value": "8613800000097",
        },
    ),
    "98-mbuni-deliverreq-header-entry-padded-id-unqualified-lf.http": C(
        "DeliverReq",
        "mbuni-mo-98",
        R5,
        "header-entry",
        "whitespace",
        "namespace",
        values={"message.subject": "STOP", "message.time_stamp": "2024-11-11T11:11:11Z"},
    ),
    "99-openwave-fault-vasperrorrsp-qualified-detail.http": C(
        "VASPErrorRsp",
        "ow-99",
        R6,
        "fault-format",
        status_code=4004,
        fault="Client",
        raises=ServiceStatusError,
    ),
}


# ------------------------------------------------------------------------------------------ the table itself


def test_corpus_is_complete() -> None:
    assert len(FILES) >= 84
    missing_rows = sorted(set(FILES) - set(CASES))
    missing_files = sorted(set(CASES) - set(FILES))
    assert not missing_rows, f"fixtures without a table row: {missing_rows}"
    assert not missing_files, f"table rows without a fixture: {missing_files}"


def test_every_operation_of_both_versions_appears() -> None:
    present = {(case.schema, case.operation) for case in CASES.values()}
    wanted = {(version.key, operation) for version in VERSIONS for operation in version.operations}
    assert not wanted - present, sorted(wanted - present)


def test_every_kind_appears_at_least_twice() -> None:
    counts = Counter(kind for case in CASES.values() for kind in case.kinds)
    assert set(counts) <= set(DEVIATION_KINDS), set(counts) - set(DEVIATION_KINDS)
    rare = {kind: counts[kind] for kind in DEVIATION_KINDS if counts[kind] < 2}
    assert not rare, f"kinds seen fewer than twice: {rare}"


def test_clean_and_combined_messages_are_both_represented() -> None:
    assert sum(case.clean for case in CASES.values()) >= 10
    assert sum(3 <= len(case.kinds) <= 5 for case in CASES.values()) >= 5
    assert sum(bool(case.violations) for case in CASES.values()) >= 3


# ------------------------------------------------------------------------------------------ decoding


def _decode(name: str, mode: str) -> DecodedMessage:
    message = read_http(CORPUS / name)
    return decode(message.body, message.header("Content-Type"), mode=mode)  # type: ignore[arg-type]


_STEP = re.compile(r"(\w+)(?:\[(\d+)\])?")


def _lookup(obj: Any, path: str) -> Any:
    for step in path.split("."):
        match = _STEP.fullmatch(step)
        assert match is not None, f"bad path step {step!r}"
        obj = getattr(obj, match.group(1))
        if match.group(2) is not None:
            obj = obj[int(match.group(2))]
    return obj


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | bool | int):
        return value
    return str(value)


def _extension_names(decoded: DecodedMessage) -> list[str]:
    return sorted(("@" if ext.is_attribute else "") + ext.name for ext in decoded.extensions)


@pytest.mark.parametrize("name", FILES)
def test_tolerant_decode(name: str) -> None:
    case = CASES[name]
    decoded = _decode(name, "tolerant")
    assert decoded.operation == case.operation
    assert decoded.transaction_id == case.transaction_id
    assert decoded.version.key == case.schema
    assert decoded.namespace == case.received_namespace
    assert type(decoded.message) is decoded.version.binding_class(case.operation)
    assert {d.kind for d in decoded.deviations} == case.kinds, [str(d) for d in decoded.deviations]
    assert all(d.kind in DEVIATION_KINDS and d.reason for d in decoded.deviations)
    assert _extension_names(decoded) == sorted(case.extensions), decoded.extensions
    assert len(decoded.violations) == len(case.violations), [str(v) for v in decoded.violations]
    for wanted in case.violations:
        assert any(wanted in v.path for v in decoded.violations), (
            wanted,
            [str(v) for v in decoded.violations],
        )
    assert decoded.valid is (not case.violations)
    for path, expected in case.values.items():
        assert _plain(_lookup(decoded, path)) == expected, path
    if case.media is not None:
        assert tuple(p.media_type for p in decoded.media_parts()) == _without_smil(case.media)
        assert (decoded.smil() is not None) == ("application/smil" in case.media)
    if case.status_code is not None:
        assert decoded.status_code == case.status_code
    if case.fault is not None:
        assert decoded.fault is not None and decoded.fault.code_local == case.fault
    elif case.operation.endswith("ErrorRsp"):
        assert decoded.fault is None


@pytest.mark.parametrize("name", FILES)
def test_strict_decode(name: str) -> None:
    case = CASES[name]
    if case.clean:
        decoded = _decode(name, "strict")
        assert decoded.deviations == [] and decoded.violations == [] and decoded.extensions == []
        assert decoded.operation == case.operation
        assert decoded.transaction_id == case.transaction_id
        assert decoded.message == _decode(name, "tolerant").message
        return
    with pytest.raises(RemoteValidationError) as info:
        _decode(name, "strict")
    problems = info.value.problems
    assert problems, "a refusal names at least one problem"
    kinds = {p.kind for p in problems}
    required = set(case.kinds)
    schema = bool(case.violations) if case.strict_schema is None else case.strict_schema
    if schema:
        required.add("schema")
    assert required <= kinds, (sorted(required - kinds), [f"{p.kind}: {p}" for p in problems])
    allowed = case.kinds | case.strict_also | {"schema"}
    assert kinds <= allowed, (sorted(kinds - allowed), [f"{p.kind}: {p}" for p in problems])


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.raises is not None))
def test_errors_raise_their_typed_status_error(name: str) -> None:
    case = CASES[name]
    decoded = _decode(name, "tolerant")
    assert decoded.is_error
    assert case.raises is not None
    with pytest.raises(case.raises) as info:
        decoded.raise_for_status()
    assert info.value.status_code == case.status_code


def test_fault_in_the_mm7_default_namespace_still_reads_the_detail() -> None:
    decoded = _decode("27-sinch-fault-2007-default-ns-on-envelope-lf.http", "tolerant")
    assert decoded.fault is not None
    assert decoded.fault.string == "Unable to parse request"
    assert [d.kind for d in decoded.deviations] and all(d.kind == "fault-format" for d in decoded.deviations)


# ------------------------------------------------------------------------------------------ what is kept


def _extensions(name: str) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for ext in _decode(name, "tolerant").extensions:
        found.setdefault(ext.name, []).append(ext)
    return found


def test_vendor_elements_are_kept_raw_with_their_parent_path() -> None:
    kt = _extensions("61-kt-deliverreq-ks-c-5601-vendor-elements.http")
    (service,) = kt["KTServiceType"]
    assert not service.is_attribute and "KTServiceType" in service.xml and ">MMS<" in service.xml
    assert service.path.endswith("DeliverReq")
    (charge,) = kt["{urn:kt:mm7:ext}ChargeInfo"]
    assert "urn:kt:mm7:ext" in charge.xml and ">0<" in charge.xml
    cmcc = _extensions("64-cmcc-submitreq-gb2312-vendor-senderid.http")
    for name in ("{urn:cmcc:mm7:ext}FeeType", "FeeCode"):
        (ext,) = cmcc[name]
        assert ext.path.endswith("SubmitReq/SenderIdentification"), ext.path
    (tariff,) = _extensions("48-huawei-extendedreplacereq-vendor-element.http")[
        "{urn:huawei:mm7:ext}ChargeTariff"
    ]
    assert ">5<" in tariff.xml and tariff.path.endswith("extendedReplaceReq")


def test_vendor_attributes_are_kept_with_their_values() -> None:
    attrs = _extensions("96-relay-submitreq-misspelt-and-vendor-attributes.http")
    assert attrs["allowAdaptions"][0].xml == "false" and attrs["allowAdaptions"][0].path.endswith("Content")
    assert attrs["foo"][0].xml == "1" and attrs["foo"][0].path.endswith("Subject")
    assert attrs["{urn:vendor:tags}tag"][0].xml == "x"
    assert all(ext.is_attribute for exts in attrs.values() for ext in exts)
    ruby = _extensions("77-ruby-submitreq-rel5-xsi-type-everywhere.http")
    xsi = ruby["{http://www.w3.org/2001/XMLSchema-instance}type"]
    assert sorted(ext.xml for ext in xsi) == ["xsd:boolean"] + ["xsd:string"] * 6
    assert any(ext.path.endswith("TransactionID") for ext in xsi)


def test_values_without_a_reading_are_kept_raw() -> None:
    (priority,) = _extensions("84-relay-submitreq-priority-urgent.http")[mm7_name("Priority")]
    assert ">Urgent<" in priority.xml
    (date,) = _extensions("85-relay-deliveryreportreq-date-yesterday.http")[mm7_name("Date")]
    assert ">yesterday<" in date.xml


def test_legacy_charset_parts_decode_to_their_text() -> None:
    (kt,) = _decode("60-kt-submitreq-euc-kr.http", "tolerant").media_parts()
    assert kt.text() == "축하합니다! 경품에 당첨되셨습니다."
    (cmcc,) = _decode("64-cmcc-submitreq-gb2312-vendor-senderid.http", "tolerant").media_parts()
    assert cmcc.text() == "明天晴，气温二十五度。"  # noqa: RUF001
    (eu,) = _decode("68-eu-submitreq-iso-8859-1.http", "tolerant").media_parts()
    assert eu.text() == "Grüße aus Köln"


# ------------------------------------------------------------------------------------------ the generator


def test_legacy_fixtures_are_what_make_legacy_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_legacy", CORPUS / "make_legacy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, build in module.FIXTURES.items():
        assert (CORPUS / name).read_bytes() == build(), f"{name} differs from what make_legacy.py writes"


def _without_smil(media: tuple[str, ...]) -> tuple[str, ...]:
    """The media parts a decoded message lists: the SMIL presentation is its own accessor (``smil()``)."""
    return tuple(m for m in media if m != "application/smil")
