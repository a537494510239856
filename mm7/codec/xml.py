"""Secure XML parsing and schema validation (lxml), shared by every path that reads or checks XML.

Parsing follows defusedxml's rules with lxml's own switches: no DTD loading, no entity expansion, no
network access, and any DOCTYPE is refused outright (an MM7 envelope never has one, and refusing it closes
billion-laughs, quadratic blowup, external entities and external DTDs at once). Size and depth are bounded.

Validation uses one compiled :class:`lxml.etree.XMLSchema` per schema version, built once per process from a
small in-memory driver schema that imports the SOAP 1.1 envelope schema and that version's MM7 schema, so a
whole envelope (Header, TransactionID, Body, Fault detail) is checked, not only the body.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from lxml import etree

from mm7.codec.versions import SOAP_ENV_NS, SchemaVersion, schemas_dir
from mm7.errors import (
    LimitExceededError,
    MalformedXMLError,
    ValidationProblem,
    XMLSecurityError,
)

__all__ = [
    "XMLLimits",
    "compile_schema",
    "parse_xml",
    "schema_for",
    "schema_problems",
]


@dataclass(frozen=True, slots=True)
class XMLLimits:
    """Bounds on the SOAP part, checked before and while parsing.

    Attributes:
        max_size: Bytes of XML accepted. An MM7 envelope is a few KB; content travels in MIME parts.
        max_depth: Element nesting depth. MM7's deepest path (Envelope/Body/Fault/detail/RSErrorRsp/
            Status/Details/...) is under 10, so 64 leaves room for vendor extensions in Details.
        max_elements: Element count, against "many small elements" floods.
        max_text: Characters in one text node or attribute (libxml2's own cap without huge_tree is 10 MB).
        max_attributes: Attributes in the whole document (MM7 uses a handful: href, displayOnly...).
    """

    max_size: int = 1024 * 1024
    max_depth: int = 64
    max_elements: int = 10_000
    max_text: int = 64 * 1024
    max_attributes: int = 4096


_DEFAULT_LIMITS = XMLLimits()
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST", re.IGNORECASE)
_DECLARED_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# Encodings in which every ASCII character is the same single byte, so that the DOCTYPE pre-check sees
# markup as written. Anything else (UTF-16/32 are transcoded first; UTF-7, EBCDIC...) is refused: an MM7
# envelope is UTF-8 in practice, and an exotic encoding is the classic way around byte-level filters.
_ASCII_COMPATIBLE = frozenset(
    {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso-8859-15", "windows-1252"}
)
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _as_checked_utf8(data: bytes) -> bytes:
    """Return the document as bytes the DOCTYPE check can read: UTF-16/32 transcoded to UTF-8.

    Raises:
        MalformedXMLError: an encoding we do not read, or bytes that do not decode in the declared one.
    """
    for signature, codec in _WIDE_ENCODINGS:
        if data.startswith(signature):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise MalformedXMLError(f"SOAP part is not valid {codec}: {exc.reason}") from exc
            # The declaration names the old encoding; drop it so libxml2 reads the new bytes as UTF-8.
            text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text, count=1)
            return text.encode("utf-8")
    declared = _DECLARED_ENCODING_RE.match(data)
    if declared is not None and declared.group(1).decode("ascii").lower() not in _ASCII_COMPATIBLE:
        raise MalformedXMLError(f"XML encoding {declared.group(1).decode('ascii')!r} is not accepted")
    return data


class _RefuseExternal(etree.Resolver):
    """Refuse every external load (DTD, entity, XInclude): defense in depth behind the DOCTYPE check."""

    # lxml calls resolve(url, id, context); lxml-stubs omit the context argument.
    def resolve(self, system_url: str, public_id: str, context: object) -> Any:  # type: ignore[override]
        raise XMLSecurityError(f"external resource {system_url!r} refused")


def _secure_parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseExternal())
    return parser


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers are not thread-safe; keep one per thread.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _secure_parser()
    return parser


def parse_xml(data: bytes, *, limits: XMLLimits = _DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted XML safely.

    Args:
        data: The XML bytes (the SOAP part).
        limits: Size, depth, element count and text length bounds.

    Returns:
        The root element.

    Raises:
        LimitExceededError: the XML is larger, deeper or has more elements than allowed.
        XMLSecurityError: a DOCTYPE or entity declaration is present.
        MalformedXMLError: the bytes are not well-formed XML.
    """
    if len(data) > limits.max_size:
        raise LimitExceededError(
            f"SOAP part is {len(data)} bytes, over the {limits.max_size}-byte limit", limit="xml.max_size"
        )
    data = _as_checked_utf8(data)
    # Refuse DTDs before libxml2 sees them: nothing in MM7 needs one (TS 23.140 uses plain SOAP 1.1), and
    # libxml2 may open a DOCTYPE's external subset even with load_dtd=False.
    if _DOCTYPE_RE.search(data):
        raise XMLSecurityError("XML with a DOCTYPE or ENTITY declaration is refused")
    # libxml2's attribute handling is quadratic in the attributes of one element; an envelope has a few
    # dozen at most, so count candidates before parsing (an over-count only makes the bound stricter).
    if data.count(b'="') + data.count(b"='") > limits.max_attributes:
        raise LimitExceededError(
            f"more than {limits.max_attributes} XML attributes", limit="xml.max_attributes"
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise MalformedXMLError(f"SOAP part is not well-formed XML{line}: {exc.msg}") from exc
    except ValueError as exc:  # e.g. a str with an encoding declaration, or NUL bytes
        raise MalformedXMLError(f"SOAP part is not XML: {exc}") from exc
    if root is None:
        raise MalformedXMLError("SOAP part is empty")
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XMLSecurityError("XML with a DOCTYPE is refused")
    _check_shape(root, limits)
    return root


def _check_shape(root: etree._Element, limits: XMLLimits) -> None:
    count = 0
    for element in root.iter():
        count += 1
        if count > limits.max_elements:
            raise LimitExceededError(
                f"more than {limits.max_elements} XML elements", limit="xml.max_elements"
            )
        text = element.text
        if text is not None and len(text) > limits.max_text:
            raise LimitExceededError(f"text longer than {limits.max_text} characters", limit="xml.max_text")
        for value in element.attrib.values():
            if len(value) > limits.max_text:
                raise LimitExceededError(
                    f"attribute longer than {limits.max_text} characters", limit="xml.max_text"
                )
    # A tree cannot be deeper than it has elements: MM7 envelopes (a few dozen) skip the depth walk.
    if count > limits.max_depth and _depth(root) > limits.max_depth:
        raise LimitExceededError(f"XML nested deeper than {limits.max_depth} levels", limit="xml.max_depth")


def _depth(root: etree._Element) -> int:
    deepest = 0
    depth = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


_schema_lock = threading.Lock()
_schemas: dict[tuple[str, str], etree.XMLSchema] = {}


def compile_schema(mm7_xsd: Path, namespace: str, *, soap_xsd: Path | None = None) -> etree.XMLSchema:
    """Compile a driver schema that imports the SOAP 1.1 envelope schema and one MM7 schema.

    Args:
        mm7_xsd: The MM7 XSD file.
        namespace: Its target namespace.
        soap_xsd: The SOAP envelope XSD (defaults to ours).

    Returns:
        A compiled, reusable :class:`lxml.etree.XMLSchema`.
    """
    soap_xsd = soap_xsd or schemas_dir() / "soap-envelope-1.1.xsd"
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{SOAP_ENV_NS}" schemaLocation="{soap_xsd.resolve().as_uri()}"/>'
        f'<xs:import namespace="{namespace}" schemaLocation="{mm7_xsd.resolve().as_uri()}"/>'
        "</xs:schema>"
    )
    # Our own files only: the schema parser may read local files but never the network.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser=parser))


def schema_for(version: SchemaVersion) -> etree.XMLSchema:
    """Return the compiled envelope+MM7 schema of a version (built once per process)."""
    key = (version.key, version.namespace)
    schema = _schemas.get(key)
    if schema is None:
        with _schema_lock:
            schema = _schemas.get(key)
            if schema is None:
                schema = _schemas[key] = compile_schema(version.xsd_path, version.namespace)
    return schema


def schema_problems(schema: etree.XMLSchema, root: etree._Element) -> list[ValidationProblem]:
    """Validate an element tree; return every problem with element path, line and reason (empty if valid).

    Paths are given with local names (``/Envelope/Body/SubmitReq/Recipients``), whatever prefixes the document
    used; reasons abbreviate the MM7 and SOAP namespaces to ``mm7:`` and ``env:``.
    """
    if schema.validate(root):
        return []
    prefixes = _prefixes(root)
    problems = []
    entries: Iterable[Any] = cast(Any, schema.error_log)  # lxml-stubs lack _ErrorLog.__iter__
    for entry in entries:
        problems.append(
            ValidationProblem(
                path=_element_path(root, entry.path, prefixes),
                line=entry.line or 0,
                reason=_abbreviate(entry.message),
            )
        )
    return problems


def _prefixes(root: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in root.iter():
        for prefix, uri in element.nsmap.items():
            if prefix and prefix not in found:
                found[prefix] = uri
    return found


def _element_path(root: etree._Element, lxml_path: str | None, prefixes: dict[str, str]) -> str:
    """Turn lxml's XPath (document prefixes, ``*`` for default-namespace steps) into a local-name path."""
    if not lxml_path:
        return "/"
    try:
        found = cast(list[Any], root.getroottree().xpath(lxml_path, namespaces=prefixes))
    except etree.XPathError:
        found = []
    if not found or not isinstance(found[0], etree._Element):
        return _PREFIX_RE.sub("", lxml_path)
    steps = []
    element: etree._Element | None = found[0]
    while element is not None:
        name = etree.QName(element).localname
        parent = element.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == name]
            if len(same) > 1:
                name = f"{name}[{same.index(element) + 1}]"
        steps.append(name)
        element = parent
    return "/" + "/".join(reversed(steps))


_PREFIX_RE = re.compile(r"(?<=/)[A-Za-z_][\w.-]*:")
_MM7_NS_RE = re.compile(r"\{http://www\.3gpp\.org/ftp/Specs/archive/23_series/23\.140/schema/[^}]*\}")


def _abbreviate(message: str) -> str:
    message = message.replace("{" + SOAP_ENV_NS + "}", "env:")
    return _MM7_NS_RE.sub("mm7:", message)
