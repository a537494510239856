"""Secure XML parsing and schema validation (lxml), shared by every path that reads or checks XML.

Parsing follows defusedxml's rules with lxml's own switches: no DTD loading, no entity expansion, no
network access, and any DOCTYPE is refused outright (an MM7 envelope never has one, and refusing it closes
billion-laughs, quadratic blowup, external entities and external DTDs at once). Size and depth are bounded.

Encodings: UTF-8 (and ASCII) go to libxml2 as received. UTF-16/32 (by BOM or first bytes) and the legacy
encodings real MMSCs still send, declared in the XML declaration or, without one, named by the MIME charset
(EUC-KR and aliases such as ks_c_5601-1987, with CP949 syllables; ISO-8859-x, Windows-125x, KOI8, Shift_JIS,
EUC-JP, GB2312/GBK/GB18030, Big5), are decoded in Python and handed over as UTF-8 without a declaration, so
the DOCTYPE check reads the same characters libxml2 parses: no encoding can smuggle one past it. UTF-7,
EBCDIC, escape-based encodings and unknown names are refused. Valid UTF-8 under a legacy label is UTF-8
when the legacy codec cannot decode it, or when it has non-ASCII characters (three or more for multi-byte
charsets, where a short legacy text can be valid UTF-8 by chance). With a ``deviations`` list, such a
mislabel and whitespace (or a BOM and whitespace) before ``<?xml`` are repaired, one deviation each;
without one they raise :class:`~mm7.errors.MalformedXMLError`.

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

from mm7.codec.deviations import Deviation
from mm7.codec.versions import SOAP_ENV_NS, SchemaVersion, schemas_dir
from mm7.errors import (
    LimitExceededError,
    MalformedXMLError,
    ValidationProblem,
    XMLSecurityError,
)

__all__ = [
    "XMLLimits",
    "abbreviate_namespaces",
    "compile_schema",
    "parse_own_output",
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
# The XML declaration's encoding, read in the ASCII bytes every accepted encoding shares. The value is taken
# whole (not only EncName characters) so that a label we do not recognise is refused, never left to libxml2.
_DECLARED_ENCODING_RE = re.compile(
    rb"""<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')"""
)
_DECLARATION_RE = re.compile(rb"<\?xml[ \t\r\n][^>]*\?>")
_DECLARATION_TEXT_RE = re.compile(r"<\?xml[ \t\r\n][^>]*\?>")
_XML_DECL_START_RE = re.compile(rb"<\?xml[ \t\r\n]")
_NON_SPACE_RE = re.compile(rb"[^ \t\r\n]")
_LINE_BREAK_RE = re.compile(rb"\r\n|\r|\n")
_WIDE_LEADING_RE = re.compile(r"([ \t\r\n]*)(?=<\?xml[ \t\r\n])")
_ENCODING_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")  # XML 1.0 EncName
# Labels libxml2 reads as we do; other spellings Python maps to UTF-8 or ASCII lose their declaration.
_LIBXML2_LABELS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
# XML declarations of UTF-8 as lxml, Java and .NET write them: a document opening with one needs nothing.
_UTF8_DECLARATIONS = tuple(
    f"<?xml version={q}1.0{q} encoding={q}{label}{q}".encode()
    for q in ("'", '"')
    for label in ("UTF-8", "utf-8")
)
_UTF8 = ("utf-8",)
_WIDE = ("utf-16",)  # marker: a UTF-16/32 label on bytes that carry no UTF-16/32 signature
# Legacy encodings read in Python, by the name Python's codec registry gives them, each with the codecs tried
# in order. Every one maps the bytes 0x00-0x7F to ASCII, so the declaration is readable before decoding. A
# national standard is followed by the superset its label means in practice (WHATWG Encoding Standard):
# EUC-KR/KS C 5601 senders use CP949 (UHC) syllables, GB2312 senders GBK, Shift_JIS senders Windows-31J, Big5
# senders CP950. The exact codec is tried first because a few punctuation marks differ (Shift_JIS 0x8160 is
# WAVE DASH, CP932's FULLWIDTH TILDE). Anything not listed (UTF-7, EBCDIC, ISO-2022 and HZ escape-based
# encodings, bytes-to-bytes codecs, unknown names) is refused: it is the classic way around byte filters.
_LEGACY: dict[str, tuple[str, ...]] = {
    "ascii": ("ascii",),
    **{f"iso8859-{n}": (f"iso8859-{n}",) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16)},
    **{f"cp{n}": (f"cp{n}",) for n in range(1250, 1259)},
    "koi8-r": ("koi8-r",),
    "koi8-u": ("koi8-u",),
    "cp866": ("cp866",),
    "cp874": ("cp874",),
    "euc_kr": ("euc_kr", "cp949"),
    "cp949": ("cp949",),
    "shift_jis": ("shift_jis", "cp932"),
    "cp932": ("cp932",),
    "euc_jp": ("euc_jp",),
    "gb2312": ("gb2312", "gbk", "gb18030"),
    "gbk": ("gbk", "gb18030"),
    "gb18030": ("gb18030",),
    "big5": ("big5", "cp950"),
    "cp950": ("cp950",),
    "big5hkscs": ("big5hkscs",),
}
_MULTI_BYTE = frozenset(
    {
        "euc_kr",
        "cp949",
        "shift_jis",
        "cp932",
        "euc_jp",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "cp950",
        "big5hkscs",
    }
)
_CONCLUSIVE_MULTI_BYTE = 3  # non-ASCII characters of valid UTF-8 that outweigh a multi-byte legacy label
_WIDE_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
# Labels seen on the wire that Python's registry does not know (it already knows ks_c_5601-1987, KSC5601,
# ms949, uhc, cp936, ms_kanji, csShiftJIS, big5-tw...).
_EXTRA_ALIASES = {
    "windows-949": "cp949",
    "x-windows-949": "cp949",
    "ks_c_5601-1989": "cp949",
    "csksc56011987": "cp949",
    "iso-ir-149": "cp949",
    "x-euc-kr": "euc_kr",
    "cseuckr": "euc_kr",
    "windows-31j": "cp932",
    "x-sjis": "shift_jis",
    "x-ms-cp932": "cp932",
    "x-euc-jp": "euc_jp",
    "x-gbk": "gbk",
    "windows-936": "gbk",
    "gb_2312-80": "gb2312",
    "csgb2312": "gb2312",
    "x-big5": "big5",
    "windows-874": "cp874",
    "ucs-2": "utf-16",
    "iso-10646-ucs-2": "utf-16",
    "ucs-4": "utf-32",
    "iso-10646-ucs-4": "utf-32",
}
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


def _codecs_for(label: str) -> tuple[str, ...] | None:
    """The Python codecs to read an encoding label with, in order; None for a label we do not accept."""
    if _ENCODING_NAME_RE.fullmatch(label) is None:  # Python's lookup would forgive "UTF-8 " or "utf 8"
        return None
    name = label.lower()
    if name in ("utf-8", "utf8"):
        return _UTF8
    name = _EXTRA_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec == "utf-8":
        return _UTF8
    if codec in _WIDE_CODECS:
        return _WIDE
    return _LEGACY.get(codec)


def _repair(deviations: list[Deviation] | None, reason: str, refusal: str) -> None:
    """Record a repair when the caller collects deviations; otherwise refuse the document."""
    if deviations is None:
        raise MalformedXMLError(refusal)
    deviations.append(Deviation(kind="encoding", reason=reason, line=1))


def _leading_reason(skipped: bytes, bom: bool) -> str:
    if bom:
        return "a UTF-8 byte order mark and whitespace before the XML declaration skipped"
    lines = len(_LINE_BREAK_RE.findall(skipped))
    if lines:
        return f"{lines} blank line{'s' if lines > 1 else ''} before the XML declaration skipped"
    return "whitespace before the XML declaration skipped"


def _without_declaration(data: bytes, pos: int) -> bytes:
    """Drop the XML declaration at ``pos``, keeping what precedes it (whitespace: line numbers stay right)."""
    declaration = _DECLARATION_RE.match(data, pos)
    return data[:pos] + data[declaration.end() :] if declaration is not None else data


def _for_parser(data: bytes, charset: str | None, deviations: list[Deviation] | None) -> bytes:
    """Return the document as bytes libxml2 reads as UTF-8 (or as they declare, for UTF-8 and ASCII).

    Legacy encodings are decoded here and handed over as UTF-8 without a declaration, so that the DOCTYPE
    check that follows reads the same characters libxml2 will.

    Raises:
        MalformedXMLError: an encoding we do not read, bytes that do not decode in the declared one (nor as
            UTF-8), or a repair needed while ``deviations`` is None.
    """
    if data.startswith(_UTF8_DECLARATIONS) and (charset is None or charset.lower() == "utf-8"):
        return data  # the usual case, decided below too (UTF-8 declared first thing: libxml2 reads it)
    for signature, codec in _WIDE_ENCODINGS:
        if data.startswith(signature):
            return _from_wide(data, codec, deviations)
    bom = data.startswith(codecs.BOM_UTF8)
    start = pos = 3 if bom else 0
    if data[pos : pos + 1] != b"<":
        first = _NON_SPACE_RE.search(data, start)
        if first is None:
            raise MalformedXMLError("SOAP part is empty")
        pos = first.start()
        if data[pos : pos + 1] != b"<":
            # Also closes libxml2's own detection of EBCDIC and odd UCS-4 byte orders.
            raise MalformedXMLError("SOAP part is not XML: it does not begin with '<'")
    skipped = pos > start and _XML_DECL_START_RE.match(data, pos) is not None
    if skipped:
        # "\n<?xml" is not well-formed (the declaration must come first); whitespace before the root element
        # of a document without a declaration is, and needs nothing.
        _repair(
            deviations,
            _leading_reason(data[start:pos], bom),
            "SOAP part has whitespace before the XML declaration (it must come first)",
        )
    declared = _DECLARED_ENCODING_RE.match(data, pos)
    if declared is not None:
        label = (declared.group(1) if declared.group(1) is not None else declared.group(2)).decode("latin-1")
        origin = f"declared {label}"
    elif charset and not bom:
        label = charset.strip().strip("\"'").strip()
        origin = f"the MIME charset is {label}"
    else:
        label, origin = "utf-8", ""
    chain = _codecs_for(label)
    if chain is None:
        what = "XML encoding" if declared is not None else "MIME charset"
        raise MalformedXMLError(f"{what} {label!r} is not accepted")
    if chain is _UTF8 or (chain == ("ascii",) and data.isascii()):
        # The fast path, as before: libxml2 reads UTF-8 (and ASCII) itself and checks it.
        if not skipped and (declared is None or label.lower() in _LIBXML2_LABELS):
            return data
        return _without_declaration(data, pos)[start:]
    body = data[start:]
    if bom:
        # A UTF-8 byte order mark decides the encoding (XML 1.0 appendix F); the declaration contradicts it,
        # which matters only when there is something other than ASCII to read.
        if body.isascii():
            return _without_declaration(body, pos - start)
        _repair(
            deviations,
            f"a UTF-8 byte order mark but {origin}; read as UTF-8",
            f"SOAP part has a UTF-8 byte order mark but {origin}",
        )
        return _without_declaration(body, pos - start)
    try:
        utf8: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    failure: UnicodeDecodeError | None = None
    if chain is not _WIDE and not (utf8 is not None and _conclusively_utf8(utf8, chain[0])):
        try:
            return _as_utf8(body.decode(chain[0]), pos - start)
        except UnicodeDecodeError as exc:
            failure = exc
    if utf8 is not None:
        _repair(
            deviations,
            f"{origin} but the bytes are UTF-8; read as UTF-8",
            f"SOAP part: {origin} but the bytes are not {label} (they are UTF-8)",
        )
        return _without_declaration(body, pos - start)
    for codec in chain[1:]:
        try:
            return _as_utf8(body.decode(codec), pos - start)
        except UnicodeDecodeError:
            continue
    if failure is None:
        raise MalformedXMLError(f"SOAP part: {origin} but the bytes are neither {label} nor UTF-8")
    raise MalformedXMLError(
        f"SOAP part is not valid {label}: {failure.reason} at byte {failure.start + start}, nor UTF-8"
    )


def _conclusively_utf8(text: str, codec: str) -> bool:
    """Whether valid UTF-8 under a legacy label is UTF-8 even though the legacy codec may decode it too.

    A single-byte charset decodes (nearly) any bytes, so only UTF-8 tells: one non-ASCII character is
    enough (legacy Latin or Cyrillic text is valid UTF-8 only if it reads like mojibake, "Ã©"). Multi-byte
    charsets decode much UTF-8 as mojibake too ("天气预报" is valid GBK, "お知らせ" valid Shift_JIS), but a
    short legacy text can be valid UTF-8 by chance (about one EUC-KR syllable in ten: 짜 is C2 A5), so UTF-8
    wins there from three non-ASCII characters on, where chance falls under a few in a thousand, then fast.
    """
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii >= (_CONCLUSIVE_MULTI_BYTE if codec in _MULTI_BYTE else 1)


def _as_utf8(text: str, pos: int) -> bytes:
    # Everything before ``pos`` is ASCII whitespace, so character and byte offsets agree there.
    declaration = _DECLARATION_TEXT_RE.match(text, pos)
    if declaration is not None:
        text = text[:pos] + text[declaration.end() :]
    return text.encode("utf-8")


def _from_wide(data: bytes, codec: str, deviations: list[Deviation] | None) -> bytes:
    """Transcode a UTF-16/32 document (found by its BOM or first bytes) to UTF-8 without its declaration."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise MalformedXMLError(f"SOAP part is not valid {codec}: {exc.reason}") from exc
    text = text.removeprefix("\ufeff")
    leading = _WIDE_LEADING_RE.match(text)
    pos = 0
    if leading is not None and leading.group(1):
        pos = leading.end()
        _repair(
            deviations,
            _leading_reason(leading.group(1).encode(), False),
            "SOAP part has whitespace before the XML declaration (it must come first)",
        )
    # The declaration names the old encoding; drop it so libxml2 reads the new bytes as UTF-8.
    return _as_utf8(text, pos)


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


def parse_own_output(data: bytes) -> etree._Element:
    """Parse XML that mm7 itself wrote (no size limits; the hardened parser all the same).

    Raises:
        lxml.etree.XMLSyntaxError: The text is not well-formed (a value XML cannot carry).
    """
    return etree.fromstring(data, _parser())


def parse_xml(
    data: bytes,
    *,
    limits: XMLLimits = _DEFAULT_LIMITS,
    charset: str | None = None,
    deviations: list[Deviation] | None = None,
) -> etree._Element:
    """Parse untrusted XML safely.

    Args:
        data: The XML bytes (the SOAP part).
        limits: Size, depth, element count and text length bounds. ``max_size`` counts the bytes received.
        charset: The MIME part's ``charset`` parameter: the encoding when the document has neither a byte
            order mark nor an encoding in its XML declaration (which both take precedence).
        deviations: When a list is given, encoding problems that can be repaired (UTF-8 bytes under another
            label, whitespace or a byte order mark plus whitespace before the XML declaration) are repaired
            and one ``Deviation(kind="encoding")`` per repair is appended. When None, they raise
            :class:`MalformedXMLError`. A legacy encoding the bytes really are in is not a deviation.

    Returns:
        The root element.

    Raises:
        LimitExceededError: the XML is larger, deeper or has more elements than allowed.
        XMLSecurityError: a DOCTYPE or entity declaration is present (in whatever encoding).
        MalformedXMLError: the bytes are not well-formed XML, are in an encoding we do not read (UTF-7,
            EBCDIC, an unknown name), do not decode, or need a repair while ``deviations`` is None.
    """
    if len(data) > limits.max_size:
        raise LimitExceededError(
            f"SOAP part is {len(data)} bytes, over the {limits.max_size}-byte limit", limit="xml.max_size"
        )
    data = _for_parser(data, charset, deviations)
    # Refuse DTDs before libxml2 sees them: nothing in MM7 needs one (TS 23.140 uses plain SOAP 1.1), and
    # libxml2 may open a DOCTYPE's external subset even with load_dtd=False.
    markup_declarations = b"<!" in data  # DOCTYPE, ENTITY... (and comments, CDATA): else none to look for
    if markup_declarations and _DOCTYPE_RE.search(data):
        raise XMLSecurityError("XML with a DOCTYPE or ENTITY declaration is refused")
    # libxml2's attribute handling is quadratic in the attributes of one element; an envelope has a few
    # dozen at most, so count candidates before parsing (an over-count only makes the bound stricter).
    # (Each candidate takes two bytes: a document of up to twice the limit cannot exceed it.)
    if (
        len(data) > 2 * limits.max_attributes
        and data.count(b'="') + data.count(b"='") > limits.max_attributes
    ):
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
    if markup_declarations:
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise XMLSecurityError("XML with a DOCTYPE is refused")
    _check_shape(root, limits, data)
    return root


def _check_shape(root: etree._Element, limits: XMLLimits, data: bytes) -> None:
    # Bounds from the bytes decide most documents without walking the tree: every element starts with a
    # '<' (comments, CDATA and PIs only over-count), so it bounds the element count and depth; and no text
    # or attribute value has more characters than the document has bytes (no DTD: no entity expands).
    tags = data.count(b"<")
    if len(data) <= limits.max_text and tags <= limits.max_elements:
        if tags > limits.max_depth and _depth(root) > limits.max_depth:
            raise LimitExceededError(
                f"XML nested deeper than {limits.max_depth} levels", limit="xml.max_depth"
            )
        return
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
                reason=abbreviate_namespaces(entry.message),
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


def abbreviate_namespaces(message: str) -> str:
    """Shorten the SOAP and MM7 namespaces in a validator message to ``env:`` and ``mm7:``."""
    message = message.replace("{" + SOAP_ENV_NS + "}", "env:")
    return _MM7_NS_RE.sub("mm7:", message)
