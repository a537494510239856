"""SOAP 1.1 envelopes for MM7: build and read Envelope / Header(TransactionID) / Body / Fault.

TS 23.140 clause 8.7 (MM7 SOAP binding): the ``TransactionID`` travels as a SOAP header entry in the MM7
namespace with ``env:mustUnderstand="1"``; the Body holds exactly one MM7 message. Errors that stop a request
(RSErrorRsp from the relay, VASPErrorRsp from the VASP) travel inside a SOAP Fault's ``detail``
(SOAP 1.1 section 4.4), with faultcode ``Client`` or ``Server``.

This module converts between generated message objects and lxml trees; it knows nothing of MIME or HTTP.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mm7.codec import fastbind
from mm7.codec.bindings_runtime import WRITER_PREFIX, Fallback, escape_attr, escape_text
from mm7.codec.versions import SOAP_ENV_NS, SchemaVersion
from mm7.errors import LocalCodecError, RemoteCodecError

__all__ = [
    "ERROR_OPERATIONS",
    "Fault",
    "ReadEnvelope",
    "build_envelope",
    "object_from_element",
    "serialize",
    "write_envelope",
]

ERROR_OPERATIONS = frozenset({"RSErrorRsp", "VASPErrorRsp"})

_ENV = "{%s}" % SOAP_ENV_NS


@dataclass(frozen=True)
class Fault:
    """A SOAP 1.1 Fault (section 4.4).

    Attributes:
        code: ``faultcode`` as written (e.g. ``env:Client``).
        string: ``faultstring``.
        actor: ``faultactor``, when present.
    """

    code: str
    string: str
    actor: str | None = None

    @property
    def code_local(self) -> str:
        """The faultcode without its prefix (``Client``, ``Server``...)."""
        return self.code.rsplit(":", 1)[-1]


def element_for(message: object, version: SchemaVersion) -> etree._Element:
    """Serialize a generated message object into an lxml element (the MM7 namespace as default)."""
    try:
        return fastbind.to_element(message, nsmap={None: version.namespace})
    except Exception as exc:  # xsdata raises plain exceptions for objects it cannot map
        raise LocalCodecError(f"cannot serialize {type(message).__name__}: {exc}") from exc


def build_envelope(
    message: object,
    *,
    transaction_id: str,
    version: SchemaVersion,
    fault: Fault | None = None,
) -> etree._Element:
    """Build a SOAP envelope around one MM7 message.

    Args:
        message: A generated message object (SubmitReq, DeliverRsp, RSErrorRsp...).
        transaction_id: The TransactionID header value.
        version: The schema version of ``message``.
        fault: When given, the message goes into ``Body/Fault/detail`` with this faultcode/faultstring
            (use for RSErrorRsp / VASPErrorRsp).

    Returns:
        The Envelope element (not yet validated).
    """
    nsmap = {"env": SOAP_ENV_NS, "mm7": version.namespace}
    envelope = etree.Element(_ENV + "Envelope", nsmap=nsmap)
    header = etree.SubElement(envelope, _ENV + "Header")
    tid = etree.SubElement(header, "{%s}TransactionID" % version.namespace)
    tid.set(_ENV + "mustUnderstand", "1")
    tid.text = transaction_id
    body = etree.SubElement(envelope, _ENV + "Body")
    payload = element_for(message, version)
    if fault is None:
        body.append(payload)
        return envelope
    fault_el = etree.SubElement(body, _ENV + "Fault")
    etree.SubElement(fault_el, "faultcode").text = _qualified_fault_code(fault.code)
    etree.SubElement(fault_el, "faultstring").text = fault.string
    if fault.actor:
        etree.SubElement(fault_el, "faultactor").text = fault.actor
    etree.SubElement(fault_el, "detail").append(payload)
    return envelope


def write_envelope(
    message: object, *, transaction_id: str, version: SchemaVersion, content: object = None
) -> bytes | None:
    """The envelope :func:`build_envelope` builds, as the bytes :func:`serialize` writes for it.

    Written as text by the generated ``write_*`` functions, which costs about half of building the tree
    element by element. None when the message's class has no writer for this version's namespace, or one
    of its values needs xsdata's rules (the caller then builds the tree). The text is not checked here:
    parse it (it must be well-formed: a value XML cannot carry makes it fail to parse) and validate it.

    ``content``: for a message whose ``content`` is None, the ``ContentReferenceType`` to write as its
    Content element, as if the message held it (the message itself is not copied). ``content`` is the last
    field of every message class that has one, and the writers write child elements in field order, each
    element one item of the list and the end tag another: the element goes just before the end tag. None
    when that does not hold for the class (the caller then sets the field on a copy).
    """
    cls: type = type(message)
    layout = _writer_layout(cls, version.namespace)
    if layout is None:
        return None
    opening, write, tag = layout
    content_layout = None
    if content is not None:
        reference_cls: type = type(content)
        content_layout = _content_layout(cls, reference_cls)
        if content_layout is None:
            return None
    out = [opening, escape_text(transaction_id), _TRANSACTION_ID_CLOSE]
    try:
        write(message, out, tag)
        if content_layout is not None:
            end = out.pop()
            if end != f"</{tag}>":  # the message wrote no child element (an empty-element tag)
                return None
            content_write, content_tag = content_layout
            content_write(content, out, content_tag)
            out.append(end)
    except Fallback:
        return None
    out.append("</env:Body></env:Envelope>")
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the tree path reports it
        return None


_TRANSACTION_ID_CLOSE = f"</{WRITER_PREFIX}:TransactionID></env:Header><env:Body>"


_Writer = Callable[[Any, list[str], str], None]


@functools.lru_cache(maxsize=256)
def _writer_layout(cls: type, namespace: str) -> tuple[str, _Writer, str] | None:
    """For a message class's generated writer: the envelope up to the TransactionID value, writer, tag.

    None when there is no writer for ``namespace``: the class has no codec or its codec no writer (a tag in
    another namespace below), its root element is in another namespace, or the prefix would stand for
    another namespace somewhere.
    """
    codec = fastbind.plan_for(cls).codec
    if (
        codec is None
        or codec.write is None
        or not codec.qname.startswith(f"{{{namespace}}}")
        or any(tag_namespace != namespace for tag_namespace in codec.namespaces)
    ):
        return None
    prefix = WRITER_PREFIX
    opening = (
        f"<?xml version='1.0' encoding='UTF-8'?>\n<env:Envelope xmlns:env=\"{SOAP_ENV_NS}\" "
        f'xmlns:{prefix}="{escape_attr(namespace)}"><env:Header><{prefix}:TransactionID '
        'env:mustUnderstand="1">'
    )
    return opening, codec.write, f"{prefix}:{codec.qname.rpartition('}')[2]}"


@functools.lru_cache(maxsize=256)
def _content_layout(cls: type, reference_cls: type) -> tuple[_Writer, str] | None:
    """The writer and prefixed tag of a message class's Content element; None when there is none to add.

    :func:`write_envelope` can add one to what the class's writer writes when ``content`` is the class's
    last field, an element of the class's own namespace typed ``reference_cls`` (the one type its writer
    takes there), and that class has a writer.
    """
    fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    if not fields or fields[-1].name != "content":
        return None
    metadata = fields[-1].metadata
    codec = fastbind.plan_for(cls).codec
    reference_codec = fastbind.plan_for(reference_cls).codec
    if (
        codec is None
        or reference_codec is None
        or reference_codec.write is None
        or metadata.get("type") != "Element"
        or not metadata.get("name")
        or metadata.get("namespace") != _namespace_of(codec.qname)
    ):
        return None
    try:
        declared = typing.get_type_hints(cls)["content"]
    except Exception:  # unresolvable hints: the caller copies the message instead
        return None
    if set(typing.get_args(declared)) - {type(None)} != {reference_cls}:
        return None
    return reference_codec.write, f"{WRITER_PREFIX}:{metadata['name']}"


def _namespace_of(qname: str) -> str | None:
    return qname[1:].partition("}")[0] if qname[:1] == "{" else None


def _qualified_fault_code(code: str) -> str:
    # faultcode is a QName in the SOAP namespace (SOAP 1.1 section 4.4.1): "env:Client", "env:Server".
    return code if ":" in code else f"env:{code}"


def serialize(envelope: etree._Element) -> bytes:
    """Serialize an envelope as UTF-8 with an XML declaration."""
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def object_from_element(element: etree._Element, cls: type[Any], *, lenient: bool = False) -> Any:
    """Bind a validated lxml element to its generated class.

    Args:
        element: The element to bind.
        cls: Its generated class.
        lenient: For a message that is still invalid after tolerant repair: a mandatory field whose
            element is missing is bound as None instead of failing (the violations say what is missing).
    """
    try:
        if lenient:
            # xsdata's parser (imported on first use), on a copy: its lxml handler empties what it reads.
            return _lenient_parser().parse(fastbind.detached_copy(element), cls)
        return fastbind.from_element(element, cls)
    except Exception as exc:  # xsdata ParserError / conversion errors on input that passed the schema
        raise RemoteCodecError(f"cannot read {etree.QName(element).localname}: {exc}") from exc


def _missing_as_none(cls: type[Any], params: dict[str, Any]) -> Any:
    for item in dataclasses.fields(cls):
        if (
            item.init
            and item.name not in params
            and item.default is dataclasses.MISSING
            and item.default_factory is dataclasses.MISSING
        ):
            params[item.name] = None
    return cls(**params)


_local = threading.local()


def _lenient_parser() -> Any:
    parser = getattr(_local, "lenient", None)
    if parser is None:
        parser = _local.lenient = fastbind.xsdata_parser(class_factory=_missing_as_none)
    return parser


@dataclass
class ReadEnvelope:
    """The parts of a received envelope, located but not yet bound to objects.

    Attributes:
        transaction_id: The TransactionID header value (stripped), or None when absent.
        transaction_ns: Namespace of the TransactionID element, or None.
        payload: The MM7 element in the Body (or in Fault/detail), or None for a bare Fault.
        fault: The SOAP Fault, when the Body holds one.
        other_headers: Local names of header entries other than TransactionID.
        transaction_element: The TransactionID element itself (for repairs).
    """

    transaction_id: str | None
    transaction_ns: str | None
    payload: etree._Element | None
    fault: Fault | None = None
    other_headers: list[str] = field(default_factory=list)
    transaction_element: etree._Element | None = None


_ENVELOPE, _HEADER, _BODY = _ENV + "Envelope", _ENV + "Header", _ENV + "Body"


def read_envelope(root: etree._Element) -> ReadEnvelope:
    """Locate TransactionID, the Body's MM7 element and any Fault in a parsed envelope.

    Raises:
        RemoteCodecError: not a SOAP 1.1 envelope, no Body, or not exactly one Body entry.
    """
    if root.tag != _ENVELOPE:
        raise RemoteCodecError(f"not a SOAP 1.1 envelope: root element is {root.tag!r}")
    header = body = None
    for child in root:  # one pass instead of two find() calls; the first of each, as find() gives
        tag = child.tag
        if tag == _BODY:
            if body is None:
                body = child
        elif tag == _HEADER and header is None:
            header = child
    if body is None:
        raise RemoteCodecError("SOAP envelope has no Body")
    transaction_id = transaction_ns = None
    transaction_element = None
    others: list[str] = []
    if header is not None:
        for entry in header:
            tag = entry.tag
            if not isinstance(tag, str):
                continue
            namespace, _, local = tag[1:].rpartition("}") if tag[:1] == "{" else ("", "", tag)
            if local == "TransactionID" and transaction_element is None:
                transaction_element = entry
                transaction_id = (entry.text or "").strip()
                transaction_ns = namespace or None
            else:
                others.append(local)
    entries = [child for child in body if isinstance(child.tag, str)]
    if len(entries) != 1:
        raise RemoteCodecError(f"SOAP Body must hold exactly one MM7 message, found {len(entries)}")
    entry = entries[0]
    if entry.tag != _ENV + "Fault":
        return ReadEnvelope(transaction_id, transaction_ns, entry, None, others, transaction_element)
    fault = Fault(
        code=(entry.findtext("faultcode") or "").strip(),
        string=(entry.findtext("faultstring") or "").strip(),
        actor=entry.findtext("faultactor"),
    )
    detail = entry.find("detail")
    payload = None
    if detail is not None:
        children = [child for child in detail if isinstance(child.tag, str)]
        payload = children[0] if children else None
    return ReadEnvelope(transaction_id, transaction_ns, payload, fault, others, transaction_element)
