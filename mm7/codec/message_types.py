"""Type aliases naming the generated message classes, for annotations.

Each MM7 operation has one generated class per schema version (``mm7_bindings.rel5_mm7_1_3.SubmitReq``,
``mm7_bindings.rel6_mm7_1_4.SubmitReq``). The aliases here are the unions a function accepts or returns when
the version is chosen at run time (by ``mm7_version=`` or by what a peer sent)::

    from mm7.codec.message_types import SubmitReq

    def campaign_request(number: str) -> SubmitReq:
        return mm7.submit_request(to=number, vasp_id="KEY", sender="12345")

:data:`MM7Message` is every operation of every version: what :func:`mm7.encode` takes and what
:attr:`mm7.DecodedMessage.message` holds. Narrow it with ``isinstance`` against the generated classes.

Importing this module imports both versions' bindings (~30 ms); the codec itself only refers to it in
annotations.
"""

from __future__ import annotations

from typing import TypeAlias

from mm7_bindings import rel5_mm7_1_3 as rel5
from mm7_bindings import rel6_mm7_1_4 as rel6

__all__ = [
    "CancelReq",
    "CancelRsp",
    "DeliverReq",
    "DeliverRsp",
    "DeliveryReportReq",
    "DeliveryReportRsp",
    "ErrorRsp",
    "ExtendedCancelReq",
    "ExtendedCancelRsp",
    "ExtendedReplaceReq",
    "ExtendedReplaceRsp",
    "MM7Message",
    "MM7Request",
    "MM7Response",
    "ReadReplyReq",
    "ReadReplyRsp",
    "ReplaceReq",
    "ReplaceRsp",
    "SubmitReq",
    "SubmitRsp",
]

SubmitReq: TypeAlias = rel5.SubmitReq | rel6.SubmitReq
SubmitRsp: TypeAlias = rel5.SubmitRsp | rel6.SubmitRsp
DeliverReq: TypeAlias = rel5.DeliverReq | rel6.DeliverReq
DeliverRsp: TypeAlias = rel5.DeliverRsp | rel6.DeliverRsp
CancelReq: TypeAlias = rel5.CancelReq | rel6.CancelReq
CancelRsp: TypeAlias = rel5.CancelRsp | rel6.CancelRsp
ReplaceReq: TypeAlias = rel5.ReplaceReq | rel6.ReplaceReq
ReplaceRsp: TypeAlias = rel5.ReplaceRsp | rel6.ReplaceRsp
DeliveryReportReq: TypeAlias = rel5.DeliveryReportReq | rel6.DeliveryReportReq
DeliveryReportRsp: TypeAlias = rel5.DeliveryReportRsp | rel6.DeliveryReportRsp
ReadReplyReq: TypeAlias = rel5.ReadReplyReq | rel6.ReadReplyReq
ReadReplyRsp: TypeAlias = rel5.ReadReplyRsp | rel6.ReadReplyRsp
# Release 6 only.
ExtendedCancelReq: TypeAlias = rel6.ExtendedCancelReq
ExtendedCancelRsp: TypeAlias = rel6.ExtendedCancelRsp
ExtendedReplaceReq: TypeAlias = rel6.ExtendedReplaceReq
ExtendedReplaceRsp: TypeAlias = rel6.ExtendedReplaceRsp
# RSErrorRsp (the relay's error) and VASPErrorRsp (the VASP's), carried in a SOAP Fault's detail.
ErrorRsp: TypeAlias = rel5.RSErrorRsp | rel6.RSErrorRsp | rel5.VASPErrorRsp | rel6.VASPErrorRsp

MM7Request: TypeAlias = (
    SubmitReq
    | DeliverReq
    | CancelReq
    | ReplaceReq
    | DeliveryReportReq
    | ReadReplyReq
    | ExtendedCancelReq
    | ExtendedReplaceReq
)
MM7Response: TypeAlias = (
    SubmitRsp
    | DeliverRsp
    | CancelRsp
    | ReplaceRsp
    | DeliveryReportRsp
    | ReadReplyRsp
    | ExtendedCancelRsp
    | ExtendedReplaceRsp
    | ErrorRsp
)
MM7Message: TypeAlias = MM7Request | MM7Response
