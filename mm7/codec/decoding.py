"""Read received MM7 messages: validated SOAP-with-Attachments bytes → generated objects.

:func:`decode` reads the MIME body, parses the SOAP part safely, detects the schema version and validates the
envelope against our schema. A clean message costs one validation (the fast path). When validation fails,
tolerant mode normalizes the tree against the schema (:mod:`mm7.codec.tolerance`: namespaces, element order,
values, vendor extensions) and validates again; every repair is a :class:`~mm7.codec.deviations.Deviation`,
whatever still does not validate is a violation, and data with no place in the schema is kept as an
:class:`~mm7.codec.deviations.Extension`. Strict mode names every deviation and violation as an error.
Sans-IO: bytes in, objects out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from lxml import etree

from mm7._checks import require
from mm7.codec import envelope as env
from mm7.codec.deviations import Deviation, Extension
from mm7.codec.mime import DecodedBody, Limits, Part
from mm7.codec.status import THREEGPP, StatusTable, error_for_status, is_success, lookup
from mm7.codec.versions import REL6, SchemaVersion
from mm7.codec.xml import XMLLimits, parse_xml, schema_for, schema_problems
from mm7.errors import (
    ConfigError,
    RemoteValidationError,
    UnsupportedOperationError,
    UnsupportedVersionError,
    ValidationProblem,
)
from mm7.outcome import Outcome

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message

# The MIME parser (mm7.codec.mime.decoder) and the tolerant reader (mm7.codec.tolerance) are imported by the
# functions that use them: ``import mm7`` does not load them for a program that only sends.

__all__ = ["DecodedMessage", "Mode", "decode", "decode_parts", "sniff_content_type"]

Mode = Literal["strict", "tolerant"]
SMIL_MEDIA_TYPE = "application/smil"

#: The generated class a :class:`DecodedMessage` holds (None: a SOAP Fault without MM7 detail).
M_co = TypeVar("M_co", bound="MM7Message | None", covariant=True)


@dataclass
class DecodedMessage(Generic[M_co]):
    """A received MM7 message, validated and bound to generated objects.

    Generic in the generated class it holds: :func:`decode` returns ``DecodedMessage[MM7Message | None]``
    (see :mod:`mm7.codec.message_types`); narrow ``message`` with ``isinstance``.

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
        deviations: Every repair tolerant decoding made, each with its kind, path and line.
        violations: What is still schema-invalid after repair (empty for a valid message); such a message
            is returned in tolerant mode when its operation and TransactionID were read, with the fields
            that could not be read left None.
        extensions: Data the schema has no place for (vendor elements and attributes, values that could
            not be read), kept as received.
        envelope: The SOAP part as received.
    """

    operation: str
    message: M_co
    transaction_id: str
    version: SchemaVersion
    namespace: str
    fault: env.Fault | None = None
    content: Part | None = None
    attachments: list[Part] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    violations: list[ValidationProblem] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    envelope: bytes = b""

    @property
    def valid(self) -> bool:
        """Whether the message is schema-valid (after the repairs listed in ``deviations``)."""
        return not self.violations

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
    def outcome(self) -> Outcome | None:
        """What to do next after this response, by its status under TS 23.140's table (None for a request).

        A client raises on error statuses with the carrier's table (the exception's ``outcome``);
        this is the plain reading, e.g. for a response read from a capture.
        """
        code = self.status_code
        if code is None:
            return None
        return lookup(code).outcome

    @property
    def is_error(self) -> bool:
        """True for a Fault, an RSErrorRsp/VASPErrorRsp, or a response whose status is not 1xxx."""
        if self.fault is not None or self.operation in env.ERROR_OPERATIONS:
            return True
        code = self.status_code
        return code is not None and not is_success(code)

    def media_parts(self) -> list[Part]:
        """The media of the content: its leaf parts (nested multiparts flattened), in order, SMIL excluded.

        The SMIL presentation, if any, is :meth:`smil`.
        """
        if self.content is None:
            return []
        return [
            part
            for part in self.content.walk()
            if not part.media_type.startswith("multipart/") and part.media_type != SMIL_MEDIA_TYPE
        ]

    def smil(self) -> Part | None:
        """The content's SMIL presentation part (``application/smil``), or None when it has none.

        The root (``start``) of a ``multipart/related`` content when that is a SMIL, else the first SMIL
        part of the content.
        """
        if self.content is None:
            return None
        smil_parts = [part for part in self.content.walk() if part.media_type == SMIL_MEDIA_TYPE]
        start = self.content.start.strip("<>") if self.content.start else None
        for part in smil_parts:
            if start is not None and part.content_id == start:
                return part
        return smil_parts[0] if smil_parts else None

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


def decode(
    body: bytes,
    content_type: str | None = None,
    *,
    mode: Mode = "strict",
    limits: Limits | None = None,
    xml_limits: XMLLimits | None = None,
) -> DecodedMessage[MM7Message | None]:
    """Read a received MM7 message from its HTTP body and Content-Type.

    Args:
        body: The HTTP body bytes.
        content_type: The HTTP Content-Type (``multipart/related…``, ``text/xml``). When None, the body
            says what it is: one that opens with a MIME delimiter (``--boundary``) is read as
            ``multipart/related`` with that boundary, one that opens with ``<`` as a bare envelope; that
            reading is a ``mime-framing`` deviation (strict mode refuses it: pass the HTTP Content-Type).
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
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"body must be bytes, not {type(body).__name__}")
    if content_type is not None and not isinstance(content_type, str):
        raise TypeError(f"content_type must be a str or None, not {type(content_type).__name__}")
    require("limits", limits, Limits, optional=True)
    require("xml_limits", xml_limits, XMLLimits, optional=True)
    decode_mime = _lazy.mime_decode or _lazy.load_mime_decode()

    body = bytes(body)
    sniffed = sniff_content_type(body) if content_type is None else None
    mime = decode_mime(body, sniffed or content_type, limits=limits or _DEFAULT_MIME_LIMITS)
    if sniffed is not None:
        # Nothing said what the body is: reading it by its first bytes is a repair, listed like any other
        # (strict mode refuses it, naming what to pass).
        media_type = sniffed.split(";")[0]
        reason = f"no Content-Type; read as {media_type} by the body's first bytes (pass content_type=)"
        mime.deviations.insert(0, Deviation("mime-framing", reason, "MIME"))
    return decode_parts(mime, mode=mode, xml_limits=xml_limits)


class _Lazy:
    """Modules :func:`decode` needs but ``import mm7`` does not load, each imported on first use, once."""

    mime_decode: Callable[..., DecodedBody] | None = None
    tolerance: ModuleType | None = None

    def load_mime_decode(self) -> Callable[..., DecodedBody]:
        from mm7.codec.mime.decoder import decode as decode_mime

        self.mime_decode = decode_mime
        return decode_mime

    def load_tolerance(self) -> ModuleType:
        from mm7.codec import tolerance

        self.tolerance = tolerance
        return tolerance


_lazy = _Lazy()
_DEFAULT_MIME_LIMITS = Limits()
_DEFAULT_XML_LIMITS = XMLLimits()

_BOUNDARY_CHARS = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")


def sniff_content_type(body: bytes) -> str | None:
    """The Content-Type a body declares by its first bytes, for a caller that has none to pass.

    A body opening with a MIME delimiter line (``--boundary``, RFC 2046 §5.1.1) is ``multipart/related``
    with that boundary; one opening with ``<`` (after a UTF-8 BOM or white space) is ``text/xml``.

    Returns:
        The Content-Type, or None when the first bytes say neither (the body is then read as bare XML
        and reported).
    """
    head = body[:1024].lstrip(b" \t\r\n")
    if head.startswith(b"--"):
        line = head[2:].split(b"\n", 1)[0].rstrip(b" \t\r")
        if 0 < len(line) <= 70 and set(line) <= _BOUNDARY_CHARS:
            return f'multipart/related; boundary="{line.decode("ascii")}"'
    if head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<"):
        return "text/xml"
    return None


def decode_parts(
    mime: DecodedBody, *, mode: Mode = "strict", xml_limits: XMLLimits | None = None
) -> DecodedMessage[MM7Message | None]:
    """Like :func:`decode`, for a body already split by the MIME decoder (streaming receivers)."""
    tolerance = _lazy.tolerance or _lazy.load_tolerance()
    target_version, trim_collapsed_values = tolerance.target_version, tolerance.trim_collapsed_values
    if mode not in ("strict", "tolerant"):
        raise ConfigError(f"mode must be 'strict' or 'tolerant', not {mode!r}")
    xml = mime.root.read_bytes()
    deviations = list(mime.deviations)
    root = _parse(xml, mime.root, xml_limits or _DEFAULT_XML_LIMITS, deviations)
    read = env.read_envelope(root)
    version, _ = target_version(read.payload, read.transaction_ns)
    if not deviations and _is_clean(root, read, version) and not _has_instance_attributes(xml, root):
        assert version is not None and read.payload is not None
        trim_collapsed_values(read.payload, version)
        if schema_for(version).validate(root):
            return _bind(root, xml, mime, read, version, mode, _Findings(deviations))
    return _decode_deviating(root, xml, mime, mode, deviations)


@dataclass
class _Findings:
    """What reading one message found: repairs, data kept aside, what is still invalid."""

    deviations: list[Deviation] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    violations: list[ValidationProblem] = field(default_factory=list)


def _parse(xml: bytes, part: Part, limits: XMLLimits, deviations: list[Deviation]) -> etree._Element:
    """Parse the SOAP part; encoding repairs (mislabelled UTF-8, text before ``<?xml``) become deviations."""
    return parse_xml(xml, limits=limits, charset=part.charset, deviations=deviations)


def _is_clean(root: etree._Element, read: env.ReadEnvelope, version: SchemaVersion | None) -> bool:
    """Cheap checks the schema cannot make (the Body is validated laxly): the fast path's precondition."""
    if version is None or read.payload is None or read.other_headers:
        return False
    ours = version.namespace
    return (
        str(read.payload.tag)[1 : 1 + len(ours)] == ours
        and read.transaction_ns == ours
        and read.transaction_element is not None
        and read.transaction_element.text == read.transaction_id
    )


_XSI_NS = b"http://www.w3.org/2001/XMLSchema-instance"
_INSTANCE_ATTRIBUTE = etree.XPath(f"boolean(//@*[namespace-uri()='{_XSI_NS.decode()}'])")


def _has_instance_attributes(xml: bytes, root: etree._Element) -> bool:
    """``xsi:type``/``xsi:nil`` anywhere: SOAP-encoding residue, an extension even where it validates.

    A substring test on the bytes (the namespace must be declared to be used) answers for every
    ASCII-compatible encoding; UTF-16/32 documents are asked of the tree.
    """
    if _XSI_NS in xml:
        return True
    if b"\x00" in xml[:4] or xml[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return bool(_INSTANCE_ATTRIBUTE(root))
    return False


def _decode_deviating(
    root: etree._Element, xml: bytes, mime: DecodedBody, mode: Mode, deviations: list[Deviation]
) -> DecodedMessage[MM7Message | None]:
    """The slow path: name what deviates; in tolerant mode repair it, validate again, list what remains."""
    from mm7.codec.tolerance import check_header_entries, normalize, repair_fault, settle, target_version

    strict = mode == "strict"
    read = env.read_envelope(root)
    version, _ = target_version(read.payload, read.transaction_ns)
    before = schema_problems(schema_for(version or REL6), root) if strict else []
    fault_repairs = repair_fault(root)
    if fault_repairs:
        deviations += fault_repairs
        read = env.read_envelope(root)
    deviations += check_header_entries(root, read.transaction_element, repair=True)
    version, evidence = target_version(read.payload, read.transaction_ns)
    if version is None:
        if read.fault is not None and read.payload is None:
            return _bare_fault(root, xml, mime, deviations, before, mode)
        raise UnsupportedOperationError(_what_is_not_mm7(read.payload), transaction_id=read.transaction_id)
    received_ns = _received_namespace(read.payload, read.transaction_ns, version)
    if read.payload is None:
        return _bare_fault(root, xml, mime, deviations, before, mode)
    _check_operation(read.payload, version, read.transaction_id)
    normalized = normalize(read.payload, read.transaction_element, version, evidence)
    deviations += normalized.deviations
    if strict:
        reference = _content_reference_deviation(read.payload, version, mime)
        deviations += [reference] if reference is not None else []
        # The schema errors of the tree as it arrived already name every value normalization could not read.
        problems = [d.as_problem() for d in deviations] + before
        if problems:
            what = (
                "message deviates from MM7 (decode with mode='tolerant' to repair)"
                if deviations
                else f"{_localname(read.payload)} does not validate against {version.key}"
            )
            raise RemoteValidationError(what, problems, transaction_id=read.transaction_id)
    read = env.read_envelope(root)  # re-locate after repairs renamed elements
    assert read.payload is not None
    _check_mm7_version(read.payload, version, read.transaction_id or "")
    findings = _Findings(deviations, normalized.extensions)
    findings.violations = settle(schema_for(version), root, read.payload, normalized)
    decoded = _bind(root, xml, mime, read, version, mode, findings)
    decoded.namespace = received_ns
    return decoded


def _check_operation(payload: etree._Element, version: SchemaVersion, transaction_id: str | None) -> None:
    operation = _localname(payload)
    if operation not in version.operations:
        raise UnsupportedOperationError(
            f"{operation} is not an MM7 operation of {version.key}", transaction_id=transaction_id
        )


def _localname(element: etree._Element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _bind(
    root: etree._Element,
    xml: bytes,
    mime: DecodedBody,
    read: env.ReadEnvelope,
    version: SchemaVersion,
    mode: Mode,
    findings: _Findings,
) -> DecodedMessage[MM7Message | None]:
    """Bind a located (and, on the slow path, normalized) envelope to its generated class."""
    transaction_id = _require_transaction_id(read)
    payload = read.payload
    assert payload is not None
    operation = _localname(payload)
    if operation not in version.operations or payload.tag != "{%s}%s" % (version.namespace, operation):
        raise UnsupportedOperationError(
            f"{operation} is not an MM7 operation of {version.key}", transaction_id=transaction_id
        )
    if read.fault is not None and operation not in env.ERROR_OPERATIONS:
        raise UnsupportedOperationError(
            f"a SOAP Fault's detail holds {operation}, not RSErrorRsp/VASPErrorRsp",
            transaction_id=transaction_id,
        )
    cls = version.element_classes[operation]
    if findings.violations:
        message = env.object_from_element(payload, cls, lenient=True)
    else:
        message = env.object_from_element(payload, cls)
    mm7_version = (getattr(message, "mm7_version", None) or "").strip()
    if mm7_version and not version.accepts_mm7_version(mm7_version):
        raise UnsupportedVersionError(
            f"MM7Version {mm7_version} does not belong to {version.key}", transaction_id=transaction_id
        )
    content = _resolve_content(message, mime, mode, findings, transaction_id)
    return DecodedMessage(
        operation=operation,
        message=message,
        transaction_id=transaction_id,
        version=version,
        namespace=version.namespace,
        fault=read.fault,
        content=content,
        attachments=list(mime.attachments),
        deviations=findings.deviations,
        violations=findings.violations,
        extensions=findings.extensions,
        envelope=xml,
    )


def _received_namespace(
    payload: etree._Element | None, transaction_ns: str | None, version: SchemaVersion
) -> str:
    """The namespace the peer used (for answering in kind): the Body's, else the header's."""
    if payload is not None:
        namespace = etree.QName(payload).namespace
        if namespace:
            return str(namespace)
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
    root: etree._Element,
    xml: bytes,
    mime: DecodedBody,
    deviations: list[Deviation],
    before: list[ValidationProblem],
    mode: Mode,
) -> DecodedMessage[MM7Message | None]:
    """A SOAP Fault with no MM7 detail: still a well-defined answer (the faultcode says whose fault).

    It is validated against the SOAP 1.1 schema like any envelope (Fault children were already read
    unqualified by :func:`~mm7.codec.tolerance.repair_fault`).
    """
    if mode == "strict" and (deviations or before):
        problems = [d.as_problem() for d in deviations] + before
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
        deviations=deviations,
        envelope=xml,
    )


def _resolve_content(
    message: Any, mime: DecodedBody, mode: Mode, findings: _Findings, transaction_id: str
) -> Part | None:
    """The part ``Content href`` points at; a reference that needs repair is a deviation.

    When the reference matches no part and exactly one attachment was sent, that attachment is the content
    (listed); with none or several, it is a violation (tolerant) or an error (strict).
    """
    reference = getattr(message, "content", None)
    href = getattr(reference, "href", None)
    if not href:
        return None
    part, deviation = mime.resolve(href)
    if part is None and mode == "tolerant" and len(mime.attachments) == 1:
        part = mime.attachments[0]
        deviation = Deviation(
            "content-reference",
            f"Content href {href!r} matches no part; the only attachment was read as the content",
            "/Envelope/Body",
        )
    if part is None:
        problem = ValidationProblem(
            "/Envelope/Body", 0, f"Content href {href!r} points at no MIME part", kind="content-reference"
        )
        if mode == "strict":
            raise RemoteValidationError("message deviates from MM7", [problem], transaction_id=transaction_id)
        findings.violations.append(problem)
        return None
    if deviation is not None:
        if mode == "strict":
            raise RemoteValidationError(
                "message deviates from MM7", [deviation.as_problem()], transaction_id=transaction_id
            )
        findings.deviations.append(deviation)
    return part


def _content_reference_deviation(
    payload: etree._Element, version: SchemaVersion, mime: DecodedBody
) -> Deviation | None:
    """Strict mode's view of the ``Content href`` of a normalized tree (reported with the rest)."""
    content = payload.find("{%s}Content" % version.namespace)
    href = content.get("href") if content is not None else None
    return mime.resolve(href)[1] if href else None
