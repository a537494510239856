"""Encode and decode whole MM7 messages: generated objects ↔ validated SOAP-with-Attachments bytes.

This is the one way mm7 builds a message and the one way it reads one; the client, the receiver and the
simulator all go through :func:`encode` and :func:`decode`. Sans-IO: bytes and objects in, bytes and
objects out.

* :func:`encode` serializes a generated message object into a SOAP envelope with the TransactionID header,
  validates the envelope against our schema (:class:`~mm7.errors.LocalValidationError` when it does not),
  and wraps it with its content as ``multipart/related`` (or a bare ``text/xml`` body without content).
* :func:`decode` reads the MIME body, parses the SOAP part safely, detects the schema version, checks for
  the deviations real peers send (strict: each one is an error; tolerant: repaired and reported),
  validates against the schema and binds the result to generated objects with its attachments resolved.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from mm7.codec import envelope as env
from mm7.codec.decoding import DecodedMessage, Mode, decode, decode_parts
from mm7.codec.mime import DecodedBody, EncodedBody, Part, encode_related, encode_single
from mm7.codec.versions import REL6, SOAP_ENV_NS, VERSIONS, SchemaVersion
from mm7.codec.xml import schema_for, schema_problems
from mm7.errors import (
    ConfigError,
    LocalCodecError,
    LocalValidationError,
    UnsupportedOperationError,
)

__all__ = [
    "RESPONSE_OF",
    "DecodedMessage",
    "EncodedMessage",
    "Mode",
    "decode",
    "decode_parts",
    "encode",
    "encode_error",
    "error_response",
    "new_transaction_id",
    "response_for",
    "version_of",
]

# Each request's answer (TS 23.140 clause 8.7): the receiver replies with the matching Rsp.
RESPONSE_OF = {
    "SubmitReq": "SubmitRsp",
    "DeliverReq": "DeliverRsp",
    "CancelReq": "CancelRsp",
    "ReplaceReq": "ReplaceRsp",
    "DeliveryReportReq": "DeliveryReportRsp",
    "ReadReplyReq": "ReadReplyRsp",
    "extendedCancelReq": "extendedCancelRsp",
    "extendedReplaceReq": "extendedReplaceRsp",
}
# Requests the relay sends to the VASP are answered, on error, with VASPErrorRsp; the VASP's with RSErrorRsp.
_RELAY_ORIGINATED = frozenset({"DeliverReq", "DeliveryReportReq", "ReadReplyReq"})
ROOT_CONTENT_ID = "mm7-soap-envelope"
CONTENT_ID = "mm7-content"


def new_transaction_id() -> str:
    """A fresh, unique TransactionID."""
    return uuid.uuid4().hex


def version_of(message: object) -> SchemaVersion:
    """Return the schema version a generated message object belongs to.

    Raises:
        ConfigError: ``message`` is not a generated MM7 message object.
    """
    namespace = getattr(getattr(message, "Meta", None), "namespace", None)
    for version in VERSIONS:
        if namespace == version.namespace:
            return version
    raise ConfigError(f"{type(message).__name__} is not a generated MM7 message class")


@dataclass(frozen=True)
class EncodedMessage:
    """A message ready to send.

    Attributes:
        body: The HTTP body: iterate it to stream (attachments read lazily), or ``to_bytes()``.
        envelope: The validated SOAP envelope bytes (the root part).
        transaction_id: The TransactionID in the header.
        operation: The Body element name (``SubmitReq``...).
        version: The schema version used.
    """

    body: EncodedBody
    envelope: bytes
    transaction_id: str
    operation: str
    version: SchemaVersion

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type value."""
        return self.body.content_type

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers for the request: Content-Type, Content-Length and SOAPAction.

        SOAPAction is the MM7 namespace URI, quoted (SOAP 1.1 section 6.1.1; Sinch expects the namespace).
        """
        return {**self.body.http_headers, "SOAPAction": f'"{self.version.namespace}"'}

    def to_bytes(self) -> bytes:
        """The whole body in memory."""
        return self.body.to_bytes()


# --------------------------------------------------------------------------------------------- encode


def encode(
    message: object,
    *,
    transaction_id: str | None = None,
    content: Part | None = None,
    attachments: Sequence[Part] = (),
    fault: env.Fault | None = None,
    root_content_id: str = ROOT_CONTENT_ID,
    boundary: str | None = None,
) -> EncodedMessage:
    """Build a validated MM7 message: SOAP envelope with TransactionID, plus content as SwA.

    Args:
        message: A generated message object, e.g. ``mm7_bindings.rel6_mm7_1_4.SubmitReq(...)``.
        transaction_id: The TransactionID; a fresh one when None.
        content: The message content (typically a nested ``multipart/related`` with SMIL, see
            :func:`mm7.codec.smil.related_content`). When the message has no ``Content`` element yet, one
            is added pointing at this part (``href="cid:…"``).
        attachments: Further parts to carry (rarely needed).
        fault: Put the message in a SOAP Fault's detail (for RSErrorRsp/VASPErrorRsp).
        root_content_id: Content-ID of the SOAP part.
        boundary: MIME boundary (random when None).

    Returns:
        The encoded message with its HTTP headers.

    Raises:
        LocalValidationError: The envelope does not validate; each problem names path, line and reason.
        LocalCodecError: ``Content`` points at no part, or the object cannot be serialized.
    """
    version = version_of(message)
    operation = version.operation_of(message)
    transaction_id = _checked_transaction_id(transaction_id)
    mm7_version = getattr(message, "mm7_version", None)
    if mm7_version and not version.accepts_mm7_version(mm7_version):
        raise LocalCodecError(f"MM7Version {mm7_version} does not belong to {version.key}")
    if content is not None and not content.content_id:
        # The Content element can only point at a part with a Content-ID (SwA, RFC 2392 cid: URL).
        content = dataclasses.replace(content, content_id=CONTENT_ID)
    parts = [*([content] if content is not None else []), *attachments]
    if content is not None and getattr(message, "content", "absent") is None:
        message = dataclasses.replace(  # type: ignore[type-var]
            message, content=version.bindings.ContentReferenceType(href=f"cid:{content.content_id}")
        )
    _check_content_reference(message, parts)
    root = env.build_envelope(message, transaction_id=transaction_id, version=version, fault=fault)
    _validate_local(root, version, transaction_id)
    xml = env.serialize(root)
    if parts:
        body = encode_related(xml, parts, root_content_id=root_content_id, boundary=boundary)
    else:
        body = encode_single(xml)
    return EncodedMessage(body, xml, transaction_id, operation, version)


def _checked_transaction_id(transaction_id: str | None) -> str:
    if transaction_id is None:
        return new_transaction_id()
    # Peers compare TransactionIDs as strings: surrounding whitespace would never match (TS 23.140 8.7.2).
    if not transaction_id or transaction_id != transaction_id.strip():
        raise ConfigError(f"TransactionID {transaction_id!r} is empty or has surrounding whitespace")
    return transaction_id


def _check_content_reference(message: object, parts: Sequence[Part]) -> None:
    reference = getattr(message, "content", None)
    href = getattr(reference, "href", None)
    if not href:
        return
    probe = DecodedBody(root=Part.from_bytes(b""), attachments=list(parts))
    if probe.find(href) is None:
        raise LocalCodecError(f"Content href {href!r} points at no attached part")


def _validate_local(root: etree._Element, version: SchemaVersion, transaction_id: str) -> None:
    if schema_for(version).validate(root):
        return
    # Re-read the serialized form so that every problem carries a line number.
    pretty = etree.tostring(root, pretty_print=True)
    reparsed = etree.fromstring(pretty)
    problems = schema_problems(schema_for(version), reparsed)
    raise LocalValidationError(
        f"{etree.QName(_payload_of(root)).localname} does not validate against {version.key}",
        problems,
        transaction_id=transaction_id,
    )


def _payload_of(root: etree._Element) -> etree._Element:
    body = root[-1]
    child = body[0]
    if child.tag == "{%s}Fault" % SOAP_ENV_NS:
        detail = child.find("detail")
        return detail[0] if detail is not None and len(detail) else child
    return child


def response_for(
    request: DecodedMessage | object,
    status_code: int = 1000,
    status_text: str = "Success",
    **fields: Any,
) -> object:
    """Build the Rsp object answering a request (``DeliverReq`` → ``DeliverRsp``...).

    Args:
        request: The decoded request, or the generated request object.
        status_code: The StatusCode to answer.
        status_text: The StatusText.
        **fields: Further fields of the response (e.g. ``message_id`` for SubmitRsp).

    Returns:
        The generated response object, in the request's schema version and MM7Version.
    """
    if isinstance(request, DecodedMessage):
        version, operation, message = request.version, request.operation, request.message
    else:
        version, message = version_of(request), request
        operation = version.operation_of(request)
    if operation not in RESPONSE_OF:
        raise UnsupportedOperationError(f"{operation} is not a request")
    cls = version.binding_class(RESPONSE_OF[operation])
    mm7_version = getattr(message, "mm7_version", None) or version.default_mm7_version
    status = version.bindings.StatusType(status_code=status_code, status_text=status_text)
    return cls(mm7_version=mm7_version, status=status, **fields)


def error_response(
    version: SchemaVersion,
    status_code: int,
    status_text: str,
    *,
    kind: Literal["RSErrorRsp", "VASPErrorRsp"] = "RSErrorRsp",
    mm7_version: str | None = None,
    details: str | None = None,
) -> object:
    """Build an RSErrorRsp (relay's error) or VASPErrorRsp (VASP's error) object."""
    bindings = version.bindings
    status = bindings.StatusType(
        status_code=status_code,
        status_text=status_text,
        details=bindings.StatusDetailsType(content=[details]) if details else None,
    )
    cls = version.binding_class(kind)
    return cls(mm7_version=mm7_version or version.default_mm7_version, status=status)


def encode_error(
    status_code: int,
    status_text: str,
    *,
    transaction_id: str,
    version: SchemaVersion = REL6,
    request_operation: str | None = None,
    mm7_version: str | None = None,
    details: str | None = None,
) -> EncodedMessage:
    """Encode an MM7 error answer: a SOAP Fault whose detail holds RSErrorRsp or VASPErrorRsp.

    The faultcode is ``Client`` for 2xxx (the request was wrong) and ``Server`` otherwise (SOAP 1.1 4.4.1).
    VASPErrorRsp answers requests the relay originated (DeliverReq, DeliveryReportReq, ReadReplyReq).
    """
    kind: Literal["RSErrorRsp", "VASPErrorRsp"] = (
        "VASPErrorRsp" if request_operation in _RELAY_ORIGINATED else "RSErrorRsp"
    )
    # An error may answer a request whose TransactionID was missing or malformed: echo what can be echoed.
    transaction_id = transaction_id.strip() or new_transaction_id()
    error = error_response(
        version, status_code, status_text, kind=kind, mm7_version=mm7_version, details=details
    )
    fault = env.Fault(code="Client" if status_code // 1000 == 2 else "Server", string=status_text)
    return encode(error, transaction_id=transaction_id, fault=fault)
