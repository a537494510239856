"""Encode and decode whole MM7 messages: generated objects ↔ validated SOAP-with-Attachments bytes.

This is the one way mm7 builds a message and the one way it reads one; the client, the receiver and the
simulator all go through :func:`encode` and :func:`decode`. Sans-IO: bytes and objects in, bytes and
objects out.

* :func:`encode` serializes a generated message object into a SOAP envelope with the TransactionID header,
  validates the envelope against our schema (:class:`~mm7.errors.LocalValidationError` when it does not),
  and wraps it with its content as ``multipart/related`` (or a bare ``text/xml`` body without content).
  ``namespace=`` sends it in another published revision of the release (``REL-5-MM7-1-0``...): validated
  with our schema of the release, then the MM7 namespace is rewritten on the wire.
* :func:`encode_response` answers a decoded request in the request's own dialect (namespace and
  MM7Version), the way peers expect; :func:`response_for` and :func:`encode_error` build the parts.
* :func:`decode` reads the MIME body, parses the SOAP part safely, detects the schema version, checks for
  the deviations real peers send (strict: each one is an error; tolerant: repaired and reported),
  validates against the schema and binds the result to generated objects with its attachments resolved.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import operator
import re
import types
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from lxml import etree

from mm7._checks import require
from mm7.codec import envelope as env
from mm7.codec.decoding import DecodedMessage, Mode, decode, decode_parts
from mm7.codec.mime import DecodedBody, EncodedBody, Part, encode_related, encode_single
from mm7.codec.mime.model import strip_angle
from mm7.codec.send_rules import STATUS_CODE_ONLY, require_sendable
from mm7.codec.status import lookup
from mm7.codec.versions import (
    REL5,
    REL6,
    SOAP_ENV_NS,
    Dialect,
    SchemaVersion,
    for_namespace,
    registered_schemas,
    revision_namespace,
    version_for_class,
)
from mm7.codec.xml import parse_own_output, parse_xml, schema_for, schema_problems
from mm7.errors import (
    ConfigError,
    LocalCodecError,
    LocalValidationError,
    MM7Error,
    RemoteCodecError,
    UnsupportedOperationError,
)

if TYPE_CHECKING:
    from mm7.codec.message_types import ErrorRsp, MM7Message, MM7Request, MM7Response

__all__ = [
    "RESPONSE_OF",
    "DecodedMessage",
    "EncodedMessage",
    "Mode",
    "answer_dialect",
    "decode",
    "decode_parts",
    "encode",
    "encode_error",
    "encode_response",
    "error_response",
    "new_transaction_id",
    "response_for",
    "sniff_dialect",
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
    version = version_for_class(type(message))
    if version is not None:
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
        version: Our schema the envelope was validated with.
        namespace: The MM7 namespace on the wire (``version.namespace`` unless another revision was asked).
    """

    body: EncodedBody
    envelope: bytes
    transaction_id: str
    operation: str
    version: SchemaVersion
    namespace: str = ""

    def __post_init__(self) -> None:
        if not self.namespace:
            object.__setattr__(self, "namespace", self.version.namespace)

    @property
    def content_type(self) -> str:
        """The HTTP Content-Type value."""
        return self.body.content_type

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers for the request: Content-Type, Content-Length and SOAPAction.

        SOAPAction is the MM7 namespace on the wire, quoted (SOAP 1.1 section 6.1.1; Sinch expects the
        namespace).
        """
        return {**self.body.http_headers, "SOAPAction": f'"{self.namespace}"'}

    def to_bytes(self) -> bytes:
        """The whole body in memory."""
        return self.body.to_bytes()


# --------------------------------------------------------------------------------------------- encode


def encode(
    message: MM7Message,
    *,
    transaction_id: str | None = None,
    content: Part | Sequence[Part] | None = None,
    attachments: Sequence[Part] = (),
    fault: env.Fault | None = None,
    root_content_id: str = ROOT_CONTENT_ID,
    boundary: str | None = None,
    namespace: str | None = None,
) -> EncodedMessage:
    """Build a validated MM7 message: SOAP envelope with TransactionID, plus content as SwA.

    Args:
        message: A generated message object, e.g. ``mm7_bindings.rel6_mm7_1_4.SubmitReq(...)``.
        transaction_id: The TransactionID; a fresh one when None.
        content: The message content: one part (typically a nested ``multipart/related`` with SMIL, see
            :func:`mm7.codec.smil.related_content`), or media parts, wrapped with a generated SMIL as
            ``related_content`` does (the same content :meth:`mm7.MM7Client.submit` takes). When the
            message has no ``Content`` element yet, one is added pointing at this part (``href="cid:…"``).
        attachments: Further parts to carry (rarely needed).
        fault: Put the message in a SOAP Fault's detail (for RSErrorRsp/VASPErrorRsp).
        root_content_id: Content-ID of the SOAP part.
        boundary: MIME boundary (random when None).
        namespace: The MM7 namespace to send in: a published revision of the message's release, as URI or
            key (``"REL-5-MM7-1-0"``). None: our schema's. The envelope is validated with our schema of
            the release either way; only the namespace of the TransactionID and Body elements differs.

    Returns:
        The encoded message with its HTTP headers.

    Raises:
        LocalValidationError: The envelope does not validate (problems of kind ``"schema"``), or the
            message is schema-valid but breaks a rule of what mm7 sends (kind ``"send-rule"``, see
            :mod:`mm7.codec.send_rules`: a standard MMStatus of the release, StatusCode 1000-4999, one
            To/Cc/Bcc...); each problem names path, line and reason.
        LocalCodecError: ``message`` is not a generated MM7 message object, ``Content`` points at no
            part, or the object cannot be serialized.
        ConfigError: ``namespace`` is not a published revision of the message's release, or the
            TransactionID is blank.
        TypeError: ``content`` or ``attachments`` are not Parts.
    """
    try:
        return _build(
            message,
            transaction_id=transaction_id,
            content=content,
            attachments=attachments,
            fault=fault,
            root_content_id=root_content_id,
            boundary=boundary,
            namespace=namespace,
        )
    except (RemoteCodecError, ValueError) as exc:
        raise _caller_mistake(exc) from exc


def _caller_mistake(exc: RemoteCodecError | ValueError) -> LocalCodecError:
    """Building what a caller gave: a problem a lower layer reports as the peer's is the caller's here.

    So is a value lxml cannot write (a control character in a TransactionID or a Subject: XML 1.0 has no
    way to carry it), which lxml reports as a bare ``ValueError``.
    """
    if isinstance(exc, RemoteCodecError):
        return LocalCodecError(str(exc), transaction_id=exc.transaction_id)
    return LocalCodecError(f"the message cannot be written as XML: {exc}")


def _build(
    message: MM7Message,
    *,
    transaction_id: str | None,
    content: Part | Sequence[Part] | None,
    attachments: Sequence[Part],
    fault: env.Fault | None,
    root_content_id: str,
    boundary: str | None,
    namespace: str | None,
) -> EncodedMessage:
    version, operation = _local_operation(message)
    require("namespace", namespace, str, optional=True)
    require("boundary", boundary, str, optional=True)
    require("root_content_id", root_content_id, str)
    require("fault", fault, env.Fault, optional=True)
    content = _content_of(content)
    if not (type(attachments) is tuple and not attachments) and (  # () is the usual value: nothing to check
        isinstance(attachments, Part) or not all(isinstance(part, Part) for part in attachments)
    ):
        raise TypeError("attachments must be a sequence of Parts")
    transaction_id = _checked_transaction_id(transaction_id)
    wire_namespace = _wire_namespace(namespace, version)
    mm7_version = getattr(message, "mm7_version", None)
    if mm7_version and not version.accepts_mm7_version(mm7_version):
        raise LocalCodecError(f"MM7Version {mm7_version} does not belong to {version.key}")
    if content is not None and not content.content_id:
        # The Content element can only point at a part with a Content-ID (SwA, RFC 2392 cid: URL).
        content = _with_content_id(content, CONTENT_ID)
    parts = [*([content] if content is not None else []), *attachments]
    reference = None
    if content is not None and getattr(message, "content", "absent") is None:
        # Names the content part: nothing to check. Sent as the message's Content (no send rule reads it).
        reference = version.bindings.ContentReferenceType(href=f"cid:{content.content_id}")
    else:
        _check_content_reference(message, parts)
    root, xml = _envelope(message, transaction_id, version, fault, reference)
    _validate_local(root, version, transaction_id)
    # Schema-valid is what we accept; what we send is narrower (schemas/README.md, "Schema fidelity").
    require_sendable(message, version, in_fault=fault is not None, transaction_id=transaction_id, xml=xml)
    if wire_namespace != version.namespace:
        xml = env.serialize(_in_namespace(root, version.namespace, wire_namespace))
    if parts:
        body = encode_related(xml, parts, root_content_id=root_content_id, boundary=boundary)
    else:
        body = encode_single(xml)
    return EncodedMessage(body, xml, transaction_id, operation, version, wire_namespace)


def _envelope(
    message: MM7Message,
    transaction_id: str,
    version: SchemaVersion,
    fault: env.Fault | None,
    reference: object = None,
) -> tuple[etree._Element, bytes]:
    """The envelope as a tree (to validate) and as the bytes to send.

    Written as text and parsed back when the generated writer can (cheaper than building the tree node by
    node); built as a tree and serialized otherwise: a Fault, a value only xsdata writes, or a value XML
    cannot carry (the tree path then raises the error that names it). ``reference``, when given, is
    written as the message's Content (the message's own is None).
    """
    if fault is None:
        xml = env.write_envelope(message, transaction_id=transaction_id, version=version, content=reference)
        if xml is not None:
            try:
                return parse_own_output(xml), xml
            except etree.XMLSyntaxError:
                pass
    if reference is not None:
        message = _with_field(message, "content", reference)
    root = env.build_envelope(message, transaction_id=transaction_id, version=version, fault=fault)
    return root, env.serialize(root)


def _with_content_id(part: Part, content_id: str) -> Part:
    """A copy of ``part`` with another Content-ID (``dataclasses.replace``, without its field walk)."""
    if type(part) is not Part:  # a subclass may have fields of its own
        return dataclasses.replace(part, content_id=content_id)
    # The other fields passed Part(...)'s checks when ``part`` was built, and ``content_id`` is a str: the
    # checks would pass again. The normalization is the same: ``start`` is stripped of angle brackets again
    # (``<<s>>`` was kept as ``<s>``), as the Content-ID is. A Part's ``__dict__`` holds its fields only.
    start = part.start
    copied = Part.__new__(Part)
    copied.__dict__.update(
        part.__dict__,
        content_id=strip_angle(content_id),
        start=None if start is None else strip_angle(start),
    )
    return copied


def _with_field(message: MM7Message, name: str, value: object) -> MM7Message:
    """``dataclasses.replace(message, **{name: value})``, the class's field names read once per class."""
    cls: type = type(message)
    fields = _init_fields(cls)
    if fields is None or name not in fields[0]:
        return cast("MM7Message", dataclasses.replace(cast("Any", message), **{name: value}))
    names, read_all = fields
    setters = _slot_setters(cls)
    if setters is not None:
        # What the dataclass __init__ does with the same arguments: each field's slot set in turn.
        copied: object = object.__new__(cls)
        for set_slot, field_value in zip(setters, read_all(message), strict=True):
            set_slot(copied, field_value)
        setattr(copied, name, value)
        return cast("MM7Message", copied)
    arguments = dict(zip(names, read_all(message), strict=True))
    arguments[name] = value
    return cast("MM7Message", cls(**arguments))


@functools.cache
def _init_fields(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]] | None:
    """The fields ``dataclasses.replace`` passes on to ``cls``, and a reader of their values; or None.

    None for a class with ClassVar or InitVar pseudo-fields, or not a dataclass: ``replace`` applies its own
    rules to those. (Generated classes have more than one field, so the reader always gives a tuple.)
    """
    if not dataclasses.is_dataclass(cls):
        return None
    fields = dataclasses.fields(cls)
    names = tuple(field.name for field in fields if field.init)
    if len(fields) != len(getattr(cls, "__dataclass_fields__", ())) or len(names) < 2:
        return None
    return names, operator.attrgetter(*names)


@functools.cache
def _slot_setters(cls: type) -> tuple[Callable[[object, object], None], ...] | None:
    """For a generated message class: each field's slot setter, in ``__init__``'s order; or None.

    The generated classes are ``@dataclass(slots=True)`` with the ``__init__`` dataclasses writes (xsdata
    writes none of its own): every field set from its argument, no ``__post_init__``, no instance
    ``__dict__``, not frozen. A class not of that kind gives None and is copied through ``__init__``.
    """
    fields = _init_fields(cls)
    params = getattr(cls, "__dataclass_params__", None)
    if (
        version_for_class(cls) is None
        or fields is None
        or params is None
        or not params.init
        or params.frozen
        or hasattr(cls, "__post_init__")
        or getattr(cls, "__dictoffset__", 1) != 0
        or "__init__" not in vars(cls)
    ):
        return None
    setters = []
    for name in fields[0]:
        slot = inspect.getattr_static(cls, name, None)
        if type(slot) is not types.MemberDescriptorType:
            return None
        setters.append(slot.__set__)
    return tuple(setters)


def _local_operation(message: object) -> tuple[SchemaVersion, str]:
    """The version and operation of an object the caller gives; the caller's mistake is a local error."""
    try:
        version = version_of(message)
        return version, version.operation_of(message)
    except (ConfigError, UnsupportedOperationError) as exc:
        raise LocalCodecError(
            f"{type(message).__name__} is not a generated MM7 message: build one with "
            "mm7.submit_request(...) or the classes in mm7_bindings.rel5_mm7_1_3 / rel6_mm7_1_4"
        ) from exc


def _content_of(content: Part | Sequence[Part] | None) -> Part | None:
    if content is None or isinstance(content, Part):
        return content
    from mm7.codec.smil import as_content  # SMIL generation is imported on first use (import mm7 stays cheap)

    return as_content(content)


def _wire_namespace(namespace: str | None, version: SchemaVersion) -> str:
    if namespace is None:
        return version.namespace
    resolved = revision_namespace(namespace)
    if not version.accepts_namespace(resolved):
        raise ConfigError(f"namespace {resolved} is not a revision of {version.key}'s release")
    return resolved


def _in_namespace(root: etree._Element, old: str, new: str) -> etree._Element:
    """A copy of an envelope with the elements of namespace ``old`` in ``new``: same prefixes and layout."""
    old_open = "{%s}" % old
    cut = len(old_open)

    def renamed(name: str) -> str:
        return "{%s}%s" % (new, name[cut:]) if name.startswith(old_open) else name

    def copy_into(source: etree._Element, parent: etree._Element | None, inherited: dict[Any, str]) -> Any:
        scope: dict[Any, str] = dict(source.nsmap)
        own = {
            prefix: (new if uri == old else uri)
            for prefix, uri in scope.items()
            if inherited.get(prefix) != uri
        }
        attrib = {renamed(str(key)): str(value) for key, value in source.attrib.items()}
        tag = renamed(str(source.tag))
        if parent is None:
            element = etree.Element(tag, attrib, nsmap=own)
        else:
            element = etree.SubElement(parent, tag, attrib, nsmap=own)
        element.text, element.tail = source.text, source.tail
        for child in source:
            if isinstance(child.tag, str):
                copy_into(child, element, scope)
            else:  # a comment or processing instruction (none in what we build; kept if ever present)
                element.append(copy.deepcopy(child))
        return element

    result: etree._Element = copy_into(root, None, {})
    return result


def _checked_transaction_id(transaction_id: str | None) -> str:
    if transaction_id is None:
        return new_transaction_id()
    require("transaction_id", transaction_id, str)
    # Peers compare TransactionIDs as strings: surrounding whitespace would never match (TS 23.140 8.7.2).
    if not transaction_id or transaction_id != transaction_id.strip():
        raise ConfigError(f"TransactionID {transaction_id!r} is empty or has surrounding whitespace")
    return transaction_id


def _check_content_reference(message: object, parts: Sequence[Part]) -> None:
    reference = getattr(message, "content", None)
    href = getattr(reference, "href", None)
    if not href:
        return
    if href[:4] == "cid:" and any(part.content_id == href[4:] for part in parts):
        return  # the usual case: the href names a part's Content-ID exactly (RFC 2392)
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
    request: DecodedMessage[MM7Message | None] | MM7Request,
    status_code: int = 1000,
    status_text: str | None = None,
    **fields: object,
) -> MM7Response:
    """Build the Rsp object answering a request (``DeliverReq`` → ``DeliverRsp``...).

    Args:
        request: The decoded request, or the generated request object.
        status_code: The StatusCode to answer.
        status_text: The StatusText; by default the status table's name of the code (1000 → ``Success``).
            Not used for extendedCancelRsp/extendedReplaceRsp, whose standard Status holds StatusCode only.
        **fields: Further fields of the response (e.g. ``message_id`` for SubmitRsp and
            extendedReplaceRsp).

    Returns:
        The generated response object, in the request's schema version and MM7Version. Encode it with
        the request's namespace (:func:`encode_response` does both).

    Raises:
        LocalCodecError: ``request`` is not a request (a response, or not an MM7 message at all): the
            caller's mistake, whatever the request's origin.
        LocalValidationError: The response would break a rule of what mm7 sends
            (:mod:`mm7.codec.send_rules`), e.g. a successful SubmitRsp or extendedReplaceRsp without
            ``message_id`` (the VASP needs it to match delivery reports, TS 23.140 8.7.2) or a StatusCode
            outside 1000-4999. It is a :class:`~mm7.errors.LocalCodecError`.
    """
    message: object
    if isinstance(request, DecodedMessage):
        version, operation, message = request.version, request.operation, request.message
    else:
        (version, operation), message = _local_operation(request), request
    if operation not in RESPONSE_OF:
        raise LocalCodecError(f"{operation} is not a request: response_for answers a request (SubmitReq...)")
    require("status_code", status_code, int)
    require("status_text", status_text, str, optional=True)
    response_operation = RESPONSE_OF[operation]
    cls = version.binding_class(response_operation)
    mm7_version = getattr(message, "mm7_version", None) or version.default_mm7_version
    if response_operation in STATUS_CODE_ONLY:
        status = version.bindings.StatusType(status_code=status_code)
    else:
        status = version.bindings.StatusType(
            status_code=status_code, status_text=_status_text(status_code, status_text)
        )
    try:
        response = cast("MM7Response", cls(mm7_version=mm7_version, status=status, **fields))
    except TypeError as exc:  # a field the response does not have
        raise TypeError(f"{response_operation}: {exc}") from exc
    transaction_id = request.transaction_id if isinstance(request, DecodedMessage) else None
    require_sendable(response, version, transaction_id=transaction_id)
    return response


def _status_text(status_code: int, status_text: str | None) -> str:
    # Every response carries a StatusText: peers log it, some refuse a Status without one.
    return status_text or lookup(status_code).name


def answer_dialect(request: DecodedMessage[MM7Message | None]) -> Dialect:
    """The dialect to answer a received request in: its namespace and MM7Version, as received.

    A namespace that is not a published revision of the request's release (an unnamespaced body read
    tolerantly, say) is answered in our schema's namespace; a missing MM7Version with the release's default.
    """
    version = request.version
    spoken = Dialect.from_peer(request.namespace, request.mm7_version)
    if spoken is not None and spoken.schema is version:
        return spoken
    fallback = Dialect.from_peer(version.namespace, request.mm7_version)
    assert fallback is not None  # our own namespace is a published revision
    return fallback


def encode_response(
    request: DecodedMessage[MM7Message | None],
    status_code: int = 1000,
    status_text: str | None = None,
    **fields: object,
) -> EncodedMessage:
    """Encode the answer to a received request in the request's dialect, echoing its TransactionID.

    The response keeps the request's MM7Version and goes out in the request's namespace (a REL-5-MM7-1-0
    DeliveryReportReq gets a REL-5-MM7-1-0 DeliveryReportRsp), see :func:`answer_dialect`.

    Args:
        request: The decoded request.
        status_code: The StatusCode to answer.
        status_text: The StatusText; by default the status table's name of the code.
        **fields: Further fields of the response (``message_id`` for SubmitRsp).

    Returns:
        The encoded response.
    """
    key = _template_key(request, status_code, status_text, fields)
    transaction_id = request.transaction_id
    if key is not None and transaction_id is not None and _PLAIN_ID.fullmatch(transaction_id):
        template = _RESPONSE_TEMPLATES.get(key)
        if template is not None:
            return template.fill(transaction_id)
    response = response_for(request, status_code, status_text, **fields)
    dialect = answer_dialect(request)
    encoded = encode(response, transaction_id=transaction_id, namespace=dialect.namespace)
    if key is not None and len(_RESPONSE_TEMPLATES) < _MAX_TEMPLATES:
        template = _ResponseTemplate.of(
            encode(response, transaction_id=_TEMPLATE_ID, namespace=dialect.namespace)
        )
        if template is not None:
            _RESPONSE_TEMPLATES[key] = template
    return encoded


# The answer to a request differs from one request to the next only by its TransactionID, once the schema
# version, wire namespace, MM7Version, operation and status are fixed. encode_response validates (schema and
# send rules) the first answer of each such key, and a copy with a placeholder TransactionID becomes the
# key's template; later answers put the escaped TransactionID in its place. That is as strict as validating
# each answer because transactionIDType in our schemas (schemas/REL-5-MM7-1-3.xsd, REL-6-MM7-1-4.xsd) is
# xs:string without facets: every string is valid there. Registered schemas may restrict it (and may take
# over a namespace), so templates serve only while no schema is registered. TransactionIDs other than
# printable ASCII (or blank at either end) take the full path, which refuses what XML cannot carry.
_TEMPLATE_ID = "mm7-response-template-transaction-id"
_PLAIN_ID = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_MAX_TEMPLATES = 512
_TemplateKey = tuple[str, str, str | None, str, str, int, str | None]


@dataclass(frozen=True)
class _ResponseTemplate:
    head: bytes
    tail: bytes
    operation: str
    version: SchemaVersion
    namespace: str

    @classmethod
    def of(cls, encoded: EncodedMessage) -> _ResponseTemplate | None:
        head, found, tail = encoded.envelope.partition(_TEMPLATE_ID.encode("ascii"))
        if not found or _TEMPLATE_ID.encode("ascii") in tail:
            return None
        return cls(head, tail, encoded.operation, encoded.version, encoded.namespace)

    def fill(self, transaction_id: str) -> EncodedMessage:
        text = transaction_id.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        xml = b"".join((self.head, text.encode("ascii"), self.tail))
        return EncodedMessage(
            encode_single(xml), xml, transaction_id, self.operation, self.version, self.namespace
        )


_RESPONSE_TEMPLATES: dict[_TemplateKey, _ResponseTemplate] = {}


def _template_key(
    request: DecodedMessage[MM7Message | None],
    status_code: int,
    status_text: str | None,
    fields: dict[str, object],
) -> _TemplateKey | None:
    """What the answer depends on besides its TransactionID; None when it may not come from a template."""
    version = request.version
    if (
        fields
        or (version is not REL5 and version is not REL6)
        or request.operation not in RESPONSE_OF
        or type(status_code) is not int
        or not (status_text is None or type(status_text) is str)
    ):
        return None
    mm7_version = getattr(request.message, "mm7_version", None) or version.default_mm7_version
    spoken = request.mm7_version
    if type(mm7_version) is not str or not (spoken is None or type(spoken) is str) or registered_schemas():
        return None
    # With only our schemas known, the answer's namespace (answer_dialect) follows from these three.
    return (version.key, request.namespace, spoken, mm7_version, request.operation, status_code, status_text)


def sniff_dialect(envelope: bytes) -> Dialect | None:
    """The dialect of a request that could not be decoded, read from its SOAP part without validating it.

    Used to answer an error in the peer's namespace and MM7Version when the request itself is invalid.

    Args:
        envelope: The SOAP part's bytes.

    Returns:
        The dialect, or None when no published MM7 namespace can be read (the MM7Version falls back to
        the release's default when it is missing or not of the namespace's release).
    """
    try:
        read = env.read_envelope(parse_xml(envelope))
    except (MM7Error, ValueError):
        return None
    payload = read.payload
    namespace = etree.QName(payload).namespace if payload is not None else None
    namespace = namespace or read.transaction_ns
    mm7_version = None
    if payload is not None and namespace:
        mm7_version = (payload.findtext("{%s}MM7Version" % namespace) or "").strip()
    return Dialect.from_peer(namespace, mm7_version)


def error_response(
    version: SchemaVersion,
    status_code: int,
    status_text: str | None = None,
    *,
    kind: Literal["RSErrorRsp", "VASPErrorRsp"] = "RSErrorRsp",
    mm7_version: str | None = None,
    details: str | None = None,
) -> ErrorRsp:
    """Build an RSErrorRsp (relay's error) or VASPErrorRsp (VASP's error) object.

    ``status_text`` defaults to the status table's name of the code (2007 → ``Message format corrupt``).
    """
    bindings = version.bindings
    status = bindings.StatusType(
        status_code=status_code,
        status_text=_status_text(status_code, status_text),
        details=bindings.StatusDetailsType(content=[details]) if details else None,
    )
    cls = version.binding_class(kind)
    error = cast("ErrorRsp", cls(mm7_version=mm7_version or version.default_mm7_version, status=status))
    return error


def encode_error(
    status_code: int,
    status_text: str | None = None,
    *,
    transaction_id: str,
    version: SchemaVersion | None = None,
    request_operation: str | None = None,
    mm7_version: str | None = None,
    details: str | None = None,
    namespace: str | None = None,
) -> EncodedMessage:
    """Encode an MM7 error answer: a SOAP Fault whose detail holds RSErrorRsp or VASPErrorRsp.

    The faultcode is ``Client`` for 2xxx (the request was wrong) and ``Server`` otherwise (SOAP 1.1 4.4.1).
    VASPErrorRsp answers requests the relay originated (DeliverReq, DeliveryReportReq, ReadReplyReq).

    Args:
        status_code: The StatusCode.
        status_text: StatusText and faultstring; by default the status table's name of the code.
        transaction_id: The request's TransactionID (a fresh one when blank).
        version: Our schema to build with; by default the one serving ``namespace``, else Rel-6.
        request_operation: The operation answered (selects VASPErrorRsp or RSErrorRsp).
        mm7_version: The MM7Version to send; by default the release's.
        details: Text for Status/Details.
        namespace: The MM7 namespace to answer in (URI or revision key), e.g. the request's
            (:func:`answer_dialect`, :func:`sniff_dialect`); by default our schema's.
    """
    require("status_code", status_code, int)
    require("transaction_id", transaction_id, str)
    require("version", version, SchemaVersion, optional=True)
    for name, value in (
        ("status_text", status_text),
        ("request_operation", request_operation),
        ("mm7_version", mm7_version),
        ("details", details),
        ("namespace", namespace),
    ):
        require(name, value, str, optional=True)
    if version is None:
        version = for_namespace(revision_namespace(namespace)) if namespace is not None else REL6
    kind: Literal["RSErrorRsp", "VASPErrorRsp"] = (
        "VASPErrorRsp" if request_operation in _RELAY_ORIGINATED else "RSErrorRsp"
    )
    text = _status_text(status_code, status_text)
    # An error may answer a request whose TransactionID was missing or malformed: echo what can be echoed.
    transaction_id = transaction_id.strip() or new_transaction_id()
    error = error_response(version, status_code, text, kind=kind, mm7_version=mm7_version, details=details)
    fault = env.Fault(code="Client" if status_code // 1000 == 2 else "Server", string=text)
    return encode(error, transaction_id=transaction_id, fault=fault, namespace=namespace)
