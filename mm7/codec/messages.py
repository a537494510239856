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
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree

from mm7.codec import envelope as env
from mm7.codec.mime import DecodedBody, EncodedBody, Limits, Part, encode_related, encode_single
from mm7.codec.mime import decode as decode_mime
from mm7.codec.status import THREEGPP, StatusTable, error_for_status, is_success
from mm7.codec.tolerance import check_and_repair, check_header_entries, target_version
from mm7.codec.versions import REL6, SOAP_ENV_NS, VERSIONS, SchemaVersion
from mm7.codec.xml import XMLLimits, parse_xml, schema_for, schema_problems
from mm7.errors import (
    ConfigError,
    LocalCodecError,
    LocalValidationError,
    RemoteCodecError,
    RemoteValidationError,
    UnsupportedOperationError,
    UnsupportedVersionError,
    ValidationProblem,
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

Mode = Literal["strict", "tolerant"]

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


@dataclass
class DecodedMessage:
    """A received MM7 message, validated and bound to generated objects.

    Attributes:
        operation: The Body element (``DeliverReq``, ``SubmitRsp``, ``RSErrorRsp``...), or ``"Fault"`` for a
            SOAP Fault without MM7 detail.
        message: The generated object (for a Fault: the RSErrorRsp/VASPErrorRsp of its detail, if any).
        transaction_id: The TransactionID header value.
        version: Our schema version the message was read as.
        namespace: The MM7 namespace as received (may differ from ``version.namespace`` in tolerant mode).
        fault: The SOAP Fault, when the body was one.
        content: The part the message's ``Content href`` points at, when present.
        attachments: Every non-root MIME part (nested multiparts keep their children).
        deviations: What deviated from the standard (repaired in tolerant mode), one sentence each.
        envelope: The SOAP part as received.
    """

    operation: str
    message: Any
    transaction_id: str
    version: SchemaVersion
    namespace: str
    fault: env.Fault | None = None
    content: Part | None = None
    attachments: list[Part] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    envelope: bytes = b""

    @property
    def mm7_version(self) -> str | None:
        """The MM7Version value of the message."""
        return getattr(self.message, "mm7_version", None)

    @property
    def status_code(self) -> int | None:
        """The StatusCode of a response (None for requests)."""
        status = getattr(self.message, "status", None)
        return int(status.status_code) if status is not None else None

    @property
    def status_text(self) -> str | None:
        """The StatusText of a response, if any."""
        status = getattr(self.message, "status", None)
        return status.status_text if status is not None else None

    @property
    def is_error(self) -> bool:
        """True for a Fault, an RSErrorRsp/VASPErrorRsp, or a response whose status is not 1xxx."""
        if self.fault is not None or self.operation in env.ERROR_OPERATIONS:
            return True
        code = self.status_code
        return code is not None and not is_success(code)

    def media_parts(self) -> list[Part]:
        """The leaf parts of the content (nested multiparts flattened), in order."""
        if self.content is None:
            return []
        return [part for part in self.content.walk() if not part.media_type.startswith("multipart/")]

    def raise_for_status(self, *, table: StatusTable = THREEGPP, http_status: int | None = None) -> None:
        """Raise the typed :class:`~mm7.errors.MM7StatusError` when this message reports an error."""
        if not self.is_error:
            return
        status = getattr(self.message, "status", None)
        fault = self.fault
        if status is None:
            # A Fault without MM7 detail: the faultcode tells whose fault it was (SOAP 1.1 section 4.4.1).
            code = 3000 if fault is not None and fault.code_local.startswith("Server") else 2000
            text = fault.string if fault is not None else "error"
            details = None
        else:
            code, text = int(status.status_code), status.status_text or ""
            details = _details_text(status.details)
        raise error_for_status(
            code,
            text,
            details=details,
            transaction_id=self.transaction_id,
            table=table,
            http_status=http_status,
            fault_code=fault.code if fault else None,
            fault_string=fault.string if fault else None,
        )


def _details_text(details: Any) -> str | None:
    if details is None:
        return None
    parts = [str(item) for item in getattr(details, "content", []) if isinstance(item, str)]
    return " ".join(p.strip() for p in parts if p.strip()) or None


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


# --------------------------------------------------------------------------------------------- decode


def decode(
    body: bytes,
    content_type: str | None = None,
    *,
    mode: Mode = "strict",
    limits: Limits | None = None,
    xml_limits: XMLLimits | None = None,
) -> DecodedMessage:
    """Read a received MM7 message from its HTTP body and Content-Type.

    Args:
        body: The HTTP body bytes.
        content_type: The HTTP Content-Type (``multipart/related…``, ``text/xml``); None reads a bare
            envelope.
        mode: ``"strict"``: every deviation from the standard is an error. ``"tolerant"``: deviations real
            peers send are repaired and listed in ``deviations``; what cannot be repaired is still an error.
        limits: MIME limits (sizes, parts, depth...).
        xml_limits: Limits for the SOAP part.

    Returns:
        The decoded, validated message.

    Raises:
        RemoteValidationError: schema violations, or (strict) deviations, each with path, line and reason.
        UnsupportedOperationError: the Body holds no MM7 operation we know.
        UnsupportedVersionError: an MM7 namespace or MM7Version we do not support.
        RemoteCodecError: malformed MIME or XML, or resource limits exceeded (subclasses say which).
    """
    mime = decode_mime(content_type, body, limits=limits or Limits())
    return decode_parts(mime, mode=mode, xml_limits=xml_limits)


def decode_parts(
    mime: DecodedBody, *, mode: Mode = "strict", xml_limits: XMLLimits | None = None
) -> DecodedMessage:
    """Like :func:`decode`, for a body already split by the MIME decoder (streaming receivers)."""
    if mode not in ("strict", "tolerant"):
        raise ConfigError(f"mode must be 'strict' or 'tolerant', not {mode!r}")
    xml = mime.root.read_bytes()
    root = parse_xml(xml, limits=xml_limits or XMLLimits())
    read = env.read_envelope(root)
    transaction = read.transaction_element
    version, evidence = target_version(read.payload, read.transaction_ns)
    repair = mode == "tolerant"
    problems = [ValidationProblem(path="MIME", line=0, reason=deviation) for deviation in mime.deviations]
    problems += check_header_entries(root, transaction, repair=repair)
    if version is None:
        if read.fault is not None and read.payload is None:
            return _bare_fault(root, xml, mime, problems, mode)
        raise UnsupportedOperationError(_what_is_not_mm7(read.payload), transaction_id=read.transaction_id)
    received_ns = _received_namespace(read.payload, read.transaction_ns, version)
    problems += check_and_repair(root, read.payload, transaction, version, evidence, repair=repair)
    if mode == "strict" and problems:
        raise RemoteValidationError(
            "message deviates from MM7 (decode with mode='tolerant' to repair)",
            problems,
            transaction_id=read.transaction_id,
        )
    if repair and problems:
        read = env.read_envelope(root)  # re-locate after repairs renamed elements
    transaction_id = _require_transaction_id(read)
    payload = read.payload
    if payload is None:
        return _bare_fault(root, xml, mime, problems, mode)
    operation = etree.QName(payload).localname
    if operation not in version.operations or etree.QName(payload).namespace != version.namespace:
        raise UnsupportedOperationError(
            f"{operation} is not an MM7 operation of {version.key}", transaction_id=transaction_id
        )
    if read.fault is not None and operation not in env.ERROR_OPERATIONS:
        raise UnsupportedOperationError(
            f"a SOAP Fault's detail holds {operation}, not RSErrorRsp/VASPErrorRsp",
            transaction_id=transaction_id,
        )
    _check_mm7_version(payload, version, transaction_id)
    schema_errors = schema_problems(schema_for(version), root)
    if schema_errors:
        raise RemoteValidationError(
            f"{operation} does not validate against {version.key}",
            schema_errors,
            transaction_id=transaction_id,
        )
    message = env.object_from_element(payload, version.binding_class(operation))
    content = _resolve_content(message, mime, mode, problems, transaction_id)
    return DecodedMessage(
        operation=operation,
        message=message,
        transaction_id=transaction_id,
        version=version,
        namespace=received_ns,
        fault=read.fault,
        content=content,
        attachments=list(mime.attachments),
        deviations=[_describe(p) for p in problems],
        envelope=xml,
    )


def _describe(problem: ValidationProblem) -> str:
    return problem.reason if problem.path == "MIME" else f"{problem.reason} (at {problem.path})"


def _received_namespace(
    payload: etree._Element | None, transaction_ns: str | None, version: SchemaVersion
) -> str:
    if payload is not None and etree.QName(payload).namespace:
        return str(etree.QName(payload).namespace)
    return transaction_ns or version.namespace


def _what_is_not_mm7(payload: etree._Element | None) -> str:
    if payload is None:
        return "SOAP Body holds no MM7 message"
    qname = etree.QName(payload)
    where = f"namespace {qname.namespace}" if qname.namespace else "no namespace"
    return f"SOAP Body holds {qname.localname} in {where}, not an MM7 operation"


def _require_transaction_id(read: env.ReadEnvelope) -> str:
    if not read.transaction_id:
        raise RemoteValidationError(
            "message has no TransactionID",
            [ValidationProblem("/Envelope/Header", 0, "TransactionID header entry is missing or empty")],
        )
    return read.transaction_id


def _check_mm7_version(payload: etree._Element, version: SchemaVersion, transaction_id: str) -> None:
    value = (payload.findtext("{%s}MM7Version" % version.namespace) or "").strip()
    if value and not version.accepts_mm7_version(value):
        raise UnsupportedVersionError(
            f"MM7Version {value} does not belong to {version.key}", transaction_id=transaction_id
        )


def _bare_fault(
    root: etree._Element, xml: bytes, mime: DecodedBody, problems: list[ValidationProblem], mode: Mode
) -> DecodedMessage:
    """A SOAP Fault with no MM7 detail: still a well-defined answer (the faultcode says whose fault).

    It is validated against the SOAP 1.1 schema like any envelope; in tolerant mode, namespace-qualified
    Fault children (a common slip: SOAP 1.1 section 4.4 makes them unqualified) are read as unqualified.
    """
    fault_element = root.find(f"{{{SOAP_ENV_NS}}}Body/{{{SOAP_ENV_NS}}}Fault")
    if fault_element is not None:
        for child in fault_element:
            if isinstance(child.tag, str) and etree.QName(child).namespace is not None:
                name = etree.QName(child).localname
                problem = ValidationProblem("/Envelope/Body/Fault", 0, f"Fault child {name} is qualified")
                problems.append(problem)
                if mode == "tolerant":
                    child.tag = name
    if mode == "strict" and problems:
        raise RemoteValidationError("message deviates from SOAP 1.1 / MM7", problems)
    schema_errors = schema_problems(schema_for(REL6), root)
    if schema_errors:
        raise RemoteValidationError("SOAP Fault does not validate", schema_errors)
    read = env.read_envelope(root)
    assert read.fault is not None
    return DecodedMessage(
        operation="Fault",
        message=None,
        transaction_id=read.transaction_id or "",
        version=REL6,
        namespace=read.transaction_ns or "",
        fault=read.fault,
        attachments=list(mime.attachments),
        deviations=[_describe(p) for p in problems],
        envelope=xml,
    )


def _resolve_content(
    message: Any, mime: DecodedBody, mode: Mode, problems: list[ValidationProblem], transaction_id: str
) -> Part | None:
    reference = getattr(message, "content", None)
    href = getattr(reference, "href", None)
    if not href:
        return None
    part = mime.find(href)
    if part is None:
        raise RemoteCodecError(f"Content href {href!r} points at no MIME part", transaction_id=transaction_id)
    if not href.lower().startswith("cid:") and part.content_id and part.content_location != href:
        problem = ValidationProblem("/Envelope/Body", 0, f"Content href {href!r} has no cid: scheme")
        if mode == "strict":
            raise RemoteValidationError("message deviates from MM7", [problem], transaction_id=transaction_id)
        problems.append(problem)
    return part
