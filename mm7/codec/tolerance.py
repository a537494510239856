"""Map what a peer sent onto the schema: schema-guided normalization of a received envelope.

Only used when a message does not validate as it arrived (the fast path validates first). Driven by the XSD
itself (:mod:`mm7.codec.schema_model`), never by a table of element names:

* each child is matched to the schema's particles **by local name**, whatever namespace (or none) it
  arrived in, and moved into ours (``namespace``);
* children are put back into the schema's sequence order, stably (``element-order``);
* attributes the schema leaves unqualified lose their prefix (``qualified-attribute``);
* whitespace is trimmed where the type does not keep it (``whitespace``), and a value with exactly one
  reading in its type is rewritten canonically: ``True`` for xs:boolean, another spelling of an enumeration
  value, another common date-time notation (``value-format``);
* elements and attributes the schema has no place for (vendor extensions, SOAP-encoding leftovers such as
  ``xsi:type`` and ``encodingStyle``, misspelt names) are taken out of the tree that is validated and kept
  as :class:`~mm7.codec.deviations.Extension` (``unknown-element``, ``unknown-attribute``);
* a value with no unambiguous reading is kept raw as an extension and reported as a violation, never
  guessed.

Every repair is a :class:`~mm7.codec.deviations.Deviation` with path, line and kind. What still does not
validate after repair is left to :func:`settle`, which reports it as violations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree

from mm7.codec.deviations import Deviation, DeviationKind, Extension
from mm7.codec.schema_model import ComplexType, SimpleType, model_for
from mm7.codec.versions import (
    NAMESPACE_PREFIX,
    SOAP_ENV_NS,
    SchemaVersion,
    for_mm7_version,
    for_namespace,
    is_mm7_namespace,
)
from mm7.codec.xml import abbreviate_namespaces
from mm7.errors import ConfigError, RemoteCodecError, UnsupportedVersionError, ValidationProblem

__all__ = [
    "Normalized",
    "check_header_entries",
    "element_path",
    "normalize",
    "repair_fault",
    "settle",
    "target_version",
    "trim_collapsed_values",
]

_ENV = "{%s}" % SOAP_ENV_NS
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_FAULT_CHILDREN = frozenset({"faultcode", "faultstring", "faultactor", "detail"})


# ------------------------------------------------------------------------------------------ helpers


def _namespace(element: etree._Element) -> str | None:
    # String work on the Clark name: etree.QName() costs a C object per call on a hot path.
    tag = element.tag
    if isinstance(tag, str) and tag[:1] == "{":
        return tag[1 : tag.index("}")]
    return None


def _localname(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _split(name: str) -> tuple[str | None, str]:
    if name[:1] == "{":
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _is_mm7(namespace: str | None) -> bool:
    return is_mm7_namespace(namespace)


def element_path(element: etree._Element) -> str:
    """The element's path with local names, e.g. ``/Envelope/Body/SubmitReq/Recipients``."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(_localname(node))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def raw_xml(element: etree._Element) -> str:
    """An element as XML text, declaring only the namespaces it uses (not every one in scope)."""
    copy = deepcopy(element)
    copy.tail = None
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy, encoding="unicode")


def _line(element: etree._Element) -> int:
    return cast(int | None, element.sourceline) or 0


def _deviation(kind: DeviationKind, element: etree._Element | None, reason: str) -> Deviation:
    if element is None:
        return Deviation(kind, reason, "/", 0)
    return Deviation(kind, reason, element_path(element), _line(element))


# ------------------------------------------------------------------------------------------ version


def target_version(
    payload: etree._Element | None, transaction_ns: str | None
) -> tuple[SchemaVersion | None, str]:
    """Decide which of our schema versions a received envelope belongs to, and on what evidence.

    The Body's namespace decides when it is an MM7 one (a header in another release is then a deviation);
    then the TransactionID's; then the ``MM7Version`` value, read by local name whatever its namespace.

    Returns:
        The version (None when nothing identifies one) and a short description of the evidence.

    Raises:
        UnsupportedVersionError: an MM7 namespace or MM7Version of a release we do not support.
    """
    if payload is not None and _is_mm7(_namespace(payload)):
        return for_namespace(str(_namespace(payload))), "Body namespace"
    if _is_mm7(transaction_ns):
        return for_namespace(str(transaction_ns)), "TransactionID namespace"
    if payload is not None:
        version_text = ""
        for child in payload:
            if _localname(child) == "MM7Version":
                version_text = (child.text or "").strip()
                break
        if version_text:
            try:
                return for_mm7_version(version_text), f"MM7Version {version_text}"
            except ConfigError:
                raise UnsupportedVersionError(f"unsupported MM7Version {version_text!r}") from None
    return None, ""


# ------------------------------------------------------------------------------------------ envelope


def repair_fault(root: etree._Element) -> list[Deviation]:
    """Read a SOAP Fault whose children are qualified (SOAP 1.1 section 4.4 makes them unqualified).

    Seen in real traffic: ``env:faultcode``/``env:detail``, and Fault children that fall into the MM7
    namespace because it is declared as the default on the Envelope. Renamed in place, one deviation each.
    """
    body = root.find(_ENV + "Body")
    if body is None:
        return []
    found = []
    for fault in body:
        if not isinstance(fault.tag, str) or _localname(fault) != "Fault":
            continue
        if fault.tag != _ENV + "Fault":
            found.append(_deviation("fault-format", fault, f"Fault in namespace {_namespace(fault)}"))
            fault.tag = _ENV + "Fault"
        for child in fault:
            name = _localname(child)
            if name in _FAULT_CHILDREN and _namespace(child) is not None:
                found.append(_deviation("fault-format", child, f"Fault child {name} is namespace-qualified"))
                child.tag = name
    return found


def check_header_entries(
    root: etree._Element, transaction: etree._Element | None, *, repair: bool
) -> list[Deviation]:
    """Header entries other than TransactionID: a deviation (MM7 defines no other), dropped when repairing.

    Raises:
        RemoteCodecError: an unknown entry is marked ``env:mustUnderstand="1"``: SOAP 1.1 section 4.2.3
            forbids processing the message (a MustUnderstand fault), whatever the mode.
    """
    header = root.find(_ENV + "Header")
    if header is None:
        return []
    found = []
    for entry in list(header):
        if not isinstance(entry.tag, str) or entry is transaction:
            continue
        name = _localname(entry)
        if entry.get(_ENV + "mustUnderstand", "0").strip() in ("1", "true"):
            raise RemoteCodecError(
                f"SOAP header entry {name} is marked mustUnderstand and is not understood (SOAP 1.1 4.2.3)",
                status_code=4004,
            )
        found.append(
            _deviation(
                "header-entry", entry, f"SOAP header entry {name} ignored (MM7 defines only TransactionID)"
            )
        )
        if repair:
            header.remove(entry)
    return found


def trim_collapsed_values(payload: etree._Element, version: SchemaVersion) -> None:
    """Trim values whose type collapses whitespace (token, numbers, booleans, dates), for the bindings.

    Such a value *is* the trimmed one (XSD part 2, 4.3.6): valid as it is, so this is no deviation.
    """
    model = model_for(version)
    for element in payload.iter():
        text = element.text
        # Cheapest test first: almost every value has no surrounding whitespace.
        if text is None or text == text.strip() or len(element):
            continue
        kind = model.leaf_types.get(_localname(element))
        if kind is not None and kind.collapses and not kind.enumeration:
            element.text = text.strip()


# ------------------------------------------------------------------------------------------ values

_DATETIME_RE = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_DATETIME_VARIANT_RE = re.compile(
    r"(\d{4})-?(\d\d)-?(\d\d)[T ]+(\d\d):?(\d\d)(?::?(\d\d)(\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d\d(?::?\d\d)?)?",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")
_INTEGER_RE = re.compile(r"[+-]?\d+")
_DECIMAL_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_BOOLEANS = frozenset({"true", "false", "1", "0"})


@dataclass(frozen=True)
class _Reading:
    """How a received value reads in its type: the value to keep, and what was repaired."""

    value: str | None  # None: no unambiguous reading
    kind: DeviationKind | None = None
    note: str = ""


def read_value(value: str, simple: SimpleType) -> _Reading:
    """Read one value in its simple type: as it is, repaired, or not at all (``value`` None)."""
    if simple.members:
        repaired: _Reading | None = None
        for member in simple.members:
            reading = read_value(value, member)
            if reading.value is not None and reading.kind is None:
                return reading
            repaired = repaired or (reading if reading.value is not None else None)
        return repaired or _Reading(None)
    stripped = value.strip()
    if simple.enumeration:
        return _read_enumeration(value, stripped, simple.enumeration)
    if not simple.collapses:
        return _Reading(value)  # strings: whitespace is data
    primitive = simple.primitive
    if primitive == "boolean":
        if stripped in _BOOLEANS:
            return _Reading(stripped)
        if stripped.lower() in _BOOLEANS:
            return _Reading(
                stripped.lower(), "value-format", f"boolean {stripped!r} read as {stripped.lower()}"
            )
        return _Reading(None)
    if primitive == "dateTime":
        return _read_datetime(stripped)
    if primitive == "duration":
        return _Reading(stripped if _DURATION_RE.fullmatch(stripped) else None)
    if primitive == "integer":
        return _Reading(stripped if _INTEGER_RE.fullmatch(stripped) else None)
    if primitive == "decimal":
        return _Reading(stripped if _DECIMAL_RE.fullmatch(stripped) else None)
    return _Reading(stripped)


def _enumeration_key(value: str) -> str:
    return re.sub(r"[\s_-]", "", value).casefold()


def _read_enumeration(value: str, stripped: str, allowed: tuple[str, ...]) -> _Reading:
    if value in allowed:
        return _Reading(value)
    if stripped in allowed:
        return _Reading(stripped, "whitespace", "whitespace around the value")
    for fold in (_enumeration_key, lambda v: _enumeration_key(v).replace("z", "s")):
        matches = [candidate for candidate in allowed if fold(candidate) == fold(stripped)]
        if len(set(matches)) == 1:
            return _Reading(matches[0], "value-format", f"{stripped!r} read as {matches[0]}")
        if matches:
            break
    return _Reading(None)


def _read_datetime(stripped: str) -> _Reading:
    if _DATETIME_RE.fullmatch(stripped):
        return _Reading(stripped)
    match = _DATETIME_VARIANT_RE.fullmatch(stripped)
    if match is None:
        return _Reading(None)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    zone = (zone or "").upper()
    if zone in ("UTC", "GMT"):
        zone = "Z"
    elif zone[:1] in "+-" and zone:
        digits = zone[1:].replace(":", "")
        zone = f"{zone[0]}{digits[:2]}:{digits[2:] or '00'}"
    canonical = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}{fraction or ''}{zone}"
    return _Reading(canonical, "value-format", f"date-time {stripped!r} read as {canonical}")


# ------------------------------------------------------------------------------------------ normalize


@dataclass
class Normalized:
    """What normalization found: repairs made, data kept aside, values that could not be read."""

    deviations: list[Deviation] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    violations: list[ValidationProblem] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)  # local names of elements set aside as unreadable

    def set_aside(self, element: etree._Element, reason: str) -> None:
        """Take a leaf whose value cannot be read out of the tree that is bound; keep it raw, name it."""
        self.violations.append(ValidationProblem(element_path(element), _line(element), reason))
        self.unread.add(_localname(element))
        parent = element.getparent()
        if parent is not None:
            self.extensions.append(
                Extension(element_path(parent), str(element.tag), raw_xml(element), _line(element))
            )
            parent.remove(element)


class _Normalizer:
    def __init__(self, version: SchemaVersion, evidence: str) -> None:
        self.version = version
        self.ours = version.namespace
        self.evidence = evidence
        self.model = model_for(version)
        self.result = Normalized()
        self._moved: dict[str | None, etree._Element] = {}

    # -- records

    def deviate(self, kind: DeviationKind, element: etree._Element, reason: str) -> None:
        self.result.deviations.append(_deviation(kind, element, reason))

    def keep_element(self, parent: etree._Element, child: etree._Element) -> None:
        xml = raw_xml(child)
        name = str(child.tag)
        self.result.extensions.append(Extension(element_path(parent), name, xml, _line(child)))
        self.deviate("unknown-element", child, f"element {_display(name)} has no place in the schema; kept")
        parent.remove(child)

    def keep_attribute(self, element: etree._Element, name: str, reason: str) -> None:
        value = str(element.attrib.pop(name))
        self.result.extensions.append(Extension(element_path(element), name, value, _line(element), True))
        self.deviate("unknown-attribute", element, reason)

    def move(self, element: etree._Element, local: str) -> None:
        namespace = _namespace(element)
        if namespace != self.ours:
            self._moved.setdefault(namespace, element)
            element.tag = "{%s}%s" % (self.ours, local)

    # -- walk

    def operation(self, payload: etree._Element, ctype: ComplexType) -> None:
        self.move(payload, _localname(payload))
        self.complex(payload, ctype)
        self._report_namespaces()

    def complex(self, element: etree._Element, ctype: ComplexType) -> None:
        self.attributes(element, ctype)
        if ctype.open:
            return  # wildcard content (Status/Details): the validator decides
        if ctype.text is not None:
            self.text(element, ctype.text)
        elif element.text is not None and not element.text.strip() and ctype.is_empty:
            self.deviate("whitespace", element, f"whitespace inside the empty element {_localname(element)}")
            element.text = None
        placed: list[tuple[int, etree._Element]] = []
        for child in list(element):
            if not isinstance(child.tag, str):
                continue
            local = _localname(child)
            decl = ctype.children.get(local)
            if decl is None:
                self.keep_element(element, child)
                continue
            if isinstance(decl.type, ComplexType):
                self.move(child, local)
                self.complex(child, decl.type)
            else:
                self.attributes(child, _NO_ATTRIBUTES)
                for grandchild in list(child):
                    if isinstance(grandchild.tag, str):
                        self.keep_element(child, grandchild)
                self.text(child, decl.type)  # before the move: a value set aside is kept as received
                if child.getparent() is not element:
                    continue
                self.move(child, local)
            placed.append((decl.position, child))
        self.reorder(element, placed)

    def reorder(self, element: etree._Element, placed: list[tuple[int, etree._Element]]) -> None:
        positions = [position for position, _ in placed]
        if positions == sorted(positions):
            return
        first = next(i for i in range(1, len(positions)) if positions[i] < positions[i - 1])
        late, early = _localname(placed[first - 1][1]), _localname(placed[first][1])
        self.deviate(
            "element-order",
            element,
            f"children of {_localname(element)} out of schema order ({late} before {early}); reordered",
        )
        for _, child in placed:
            element.remove(child)
        for _, child in sorted(placed, key=lambda item: item[0]):
            element.append(child)

    def text(self, element: etree._Element, simple: SimpleType) -> None:
        value = element.text or ""
        reading = read_value(value, simple)
        if reading.value is None:
            self.result.set_aside(element, _no_reading(_localname(element), value))
            return
        if reading.kind is not None:
            self.deviate(reading.kind, element, f"{_localname(element)}: {reading.note}")
        if reading.value != value:
            element.text = reading.value

    def attributes(self, element: etree._Element, ctype: ComplexType) -> None:
        for name in [str(key) for key in element.attrib]:
            namespace, local = _split(name)
            simple = ctype.attributes.get(local)
            if simple is not None and namespace != _XSI_NS:
                if namespace is not None:
                    value = element.attrib.pop(name)
                    if local in element.attrib:
                        continue  # both forms present: the unqualified one stands
                    element.set(local, value)
                    self.deviate(
                        "qualified-attribute",
                        element,
                        f"attribute {local} is namespace-qualified; read unqualified",
                    )
                self.attribute_value(element, local, simple)
            elif namespace is not None and ctype.any_attribute and namespace not in (self.ours, _XSI_NS):
                continue  # allowed by the type's wildcard (env:mustUnderstand, env:actor on TransactionID)
            elif namespace is None and local == "mustUnderstand" and ctype.any_attribute:
                element.set(_ENV + local, element.attrib.pop(name))
                self.deviate(
                    "qualified-attribute", element, "mustUnderstand without the SOAP envelope namespace"
                )
            else:
                self.keep_attribute(
                    element, name, f"attribute {_display(name)} has no place in the schema; kept"
                )

    def attribute_value(self, element: etree._Element, name: str, simple: SimpleType) -> None:
        value = element.get(name, "")
        reading = read_value(value, simple)
        if reading.value is None:
            reason = _no_reading(f"attribute {name}", value)
            self.result.violations.append(ValidationProblem(element_path(element), _line(element), reason))
            element.attrib.pop(name)
            self.result.extensions.append(Extension(element_path(element), name, value, _line(element), True))
            return
        if reading.kind is not None:
            self.deviate(reading.kind, element, f"attribute {name}: {reading.note}")
        if reading.value != value:
            element.set(name, reading.value)

    def _report_namespaces(self) -> None:
        for namespace, element in self._moved.items():
            if namespace is None:
                reason = f"body elements have no namespace; read as {self.version.key} ({self.evidence})"
            elif _is_mm7(namespace) and self.version.accepts_namespace(namespace):
                key = namespace.removeprefix(NAMESPACE_PREFIX)
                reason = f"namespace {key} read as {self.version.key} (same release)"
            else:
                reason = f"namespace {namespace} read as {self.version.key} ({self.evidence})"
            self.deviate("namespace", element, reason)


_NO_ATTRIBUTES = ComplexType("(simple)")


def _no_reading(what: str, value: str) -> str:
    return f"{what} {value!r} has no reading in its type; kept raw"


def _display(name: str) -> str:
    namespace, local = _split(name)
    if namespace == _XSI_NS:
        return f"xsi:{local}"
    if namespace == SOAP_ENV_NS:
        return f"env:{local}"
    return name


def normalize(
    payload: etree._Element,
    transaction: etree._Element | None,
    version: SchemaVersion,
    evidence: str,
) -> Normalized:
    """Map a received operation element (and the TransactionID) onto ``version``'s schema, in place.

    Args:
        payload: The MM7 element in the Body (or in Fault/detail).
        transaction: The TransactionID header element, if any.
        version: The schema version the envelope is read as.
        evidence: How the version was identified (used in messages).

    Returns:
        The deviations repaired, the extensions kept aside and the values that could not be read.
    """
    normalizer = _Normalizer(version, evidence)
    model = normalizer.model
    operation = model.elements.get(_localname(payload))
    if isinstance(operation, ComplexType):
        normalizer.operation(payload, operation)
    if transaction is not None:
        _normalize_transaction(normalizer, transaction, model.elements.get("TransactionID"))
    root = payload.getroottree().getroot()
    etree.cleanup_namespaces(root)
    # In document order (header first), as a reader of the message meets them.
    normalizer.result.deviations.sort(key=lambda deviation: deviation.line)
    return normalizer.result


def _normalize_transaction(normalizer: _Normalizer, transaction: etree._Element, ctype: object) -> None:
    namespace = _namespace(transaction)
    if namespace != normalizer.ours:
        where = "no namespace" if namespace is None else f"namespace {namespace}"
        normalizer.deviate(
            "namespace", transaction, f"TransactionID has {where}; read as {normalizer.version.key}"
        )
        transaction.tag = "{%s}TransactionID" % normalizer.ours
    if isinstance(ctype, ComplexType):
        normalizer.attributes(transaction, ctype)
    text = transaction.text or ""
    if text != text.strip():
        normalizer.deviate("whitespace", transaction, "whitespace around the TransactionID value")
        transaction.text = text.strip()


# ------------------------------------------------------------------------------------------ settle


def settle(
    schema: etree.XMLSchema, root: etree._Element, payload: etree._Element, found: Normalized
) -> list[ValidationProblem]:
    """Validate a normalized envelope; what still fails becomes violations, and bad leaves are set aside.

    A leaf value the validator rejects (a number out of range, a pattern not matched) is removed from the
    tree that is bound and kept raw as an extension, so that the rest of the message can still be read.

    Returns:
        Every violation (``found.violations`` first), each with path, line and the validator's reason.
    """
    violations = found.violations
    for _ in range(2):
        if schema.validate(root):
            break
        by_path = {root.getroottree().getpath(el): el for el in payload.iter() if isinstance(el.tag, str)}
        removed = False
        for entry in cast(Iterable[Any], schema.error_log):
            element = by_path.get(entry.path or "")
            reason = abbreviate_namespaces(entry.message)
            expected = _EXPECTED_RE.search(reason)
            if expected is not None and expected.group(1) in found.unread:
                continue  # the element set aside above: already a violation
            if element is None or element is payload or len(element) or not _is_value_error(reason):
                problem = ValidationProblem(
                    element_path(element) if element is not None else "/", entry.line, reason
                )
                if problem not in violations:
                    violations.append(problem)
                continue
            found.set_aside(element, reason)
            removed = True
        if not removed:
            break
    return violations


_EXPECTED_RE = re.compile(r"Expected is \( mm7:(\w+) \)")


def _is_value_error(reason: str) -> bool:
    """Whether the validator rejects a value (a facet, a type), not the structure around it."""
    return "[facet " in reason or "is not a valid value" in reason
