"""Find, and in tolerant mode repair, the deviations real MM7 peers send.

Each check looks at a parsed envelope and reports what deviates from the standard as a
:class:`~mm7.errors.ValidationProblem` (path, line, reason). With ``repair=True`` it also rewrites the tree
so that the repaired envelope can be validated against our schema. Only deviations with one unambiguous
repair are repaired; anything else is left for the schema to reject.

What is handled (each seen in published examples or traffic of real relays):

* Body elements with no namespace (Sinch's published DeliveryReportReq/DeliverReq examples); the namespace
  is taken from the TransactionID, else from the ``MM7Version`` value.
* Another schema revision of the same release (REL-6-MM7-1-0 … 1-3 for our REL-6-MM7-1-4).
* A TransactionID with no namespace, or with whitespace around its value.
* Whitespace around the value of a leaf element whose type does not collapse it (enumerations).
* Header entries other than TransactionID (Sinch answers 2510 to them); one marked ``mustUnderstand="1"``
  cannot be repaired by ignoring it (SOAP 1.1 section 4.2.3), so it is an error in both modes.
"""

from __future__ import annotations

import functools
from typing import cast

from lxml import etree

from mm7.codec.versions import NAMESPACE_PREFIX, SOAP_ENV_NS, VERSIONS, SchemaVersion, for_namespace
from mm7.errors import RemoteCodecError, UnsupportedVersionError, ValidationProblem

__all__ = ["check_and_repair", "check_header_entries", "leaf_kinds", "target_version"]

_ENV = "{%s}" % SOAP_ENV_NS


def _problem(element: etree._Element | None, reason: str) -> ValidationProblem:
    if element is None:
        return ValidationProblem(path="/", line=0, reason=reason)
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(_localname(node))
        node = node.getparent()
    line = cast(int | None, element.sourceline) or 0
    return ValidationProblem(path="/" + "/".join(reversed(steps)), line=line, reason=reason)


def _namespace(element: etree._Element) -> str | None:
    # String work on the Clark name: etree.QName() costs a C object per call on a hot path.
    tag = element.tag
    if isinstance(tag, str) and tag[:1] == "{":
        return tag[1 : tag.index("}")]
    return None


def _localname(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _is_mm7(namespace: str | None) -> bool:
    return bool(namespace) and str(namespace).startswith(NAMESPACE_PREFIX)


def target_version(
    payload: etree._Element | None, transaction_ns: str | None
) -> tuple[SchemaVersion | None, str]:
    """Decide which of our schema versions a received envelope belongs to, and on what evidence.

    Returns:
        The version (None when nothing identifies one) and a short description of the evidence.

    Raises:
        UnsupportedVersionError: the payload is in an MM7 namespace of a release we do not support.
    """
    if payload is not None and _is_mm7(_namespace(payload)):
        return for_namespace(str(_namespace(payload))), "Body namespace"
    if _is_mm7(transaction_ns):
        return for_namespace(str(transaction_ns)), "TransactionID namespace"
    if payload is not None:
        version_text = (payload.findtext("MM7Version") or "").strip()
        for version in VERSIONS:
            if version_text and version.accepts_mm7_version(version_text):
                return version, f"MM7Version {version_text}"
        if version_text:
            raise UnsupportedVersionError(f"unsupported MM7Version {version_text!r}")
    return None, ""


def check_and_repair(
    root: etree._Element,
    payload: etree._Element | None,
    transaction: etree._Element | None,
    version: SchemaVersion,
    evidence: str,
    *,
    repair: bool,
) -> list[ValidationProblem]:
    """Report (and with ``repair`` fix) every known deviation in an envelope of ``version``.

    Args:
        root: The Envelope element.
        payload: The MM7 element in the Body (or in Fault/detail).
        transaction: The TransactionID header element, if any.
        version: The schema version the envelope is read as.
        evidence: How the version was identified (used in messages).
        repair: Rewrite the tree to our namespace and trimmed values.

    Returns:
        One problem per deviation found.
    """
    found: list[ValidationProblem] = []
    ours = version.namespace
    if payload is not None:
        payload_ns = _namespace(payload)
        if payload_ns is None:
            found.append(
                _problem(payload, f"body elements have no namespace; read as {version.key} ({evidence})")
            )
            if repair:
                _move_namespace(payload, None, ours)
        elif payload_ns != ours and _is_mm7(payload_ns):
            key = str(payload_ns)[len(NAMESPACE_PREFIX) :]
            found.append(_problem(payload, f"namespace {key} read as {version.key} (same release)"))
            if repair:
                _move_namespace(payload, payload_ns, ours)
    if transaction is not None:
        found.extend(_check_transaction(transaction, ours, version.key, repair=repair))
    if payload is not None:
        found.extend(_check_leaf_whitespace(payload, version, repair=repair))
    if repair and found:
        etree.cleanup_namespaces(root)
    return found


def _check_transaction(
    transaction: etree._Element, ours: str, key: str, *, repair: bool
) -> list[ValidationProblem]:
    found = []
    namespace = _namespace(transaction)
    if namespace != ours:
        where = "no namespace" if namespace is None else f"namespace {namespace}"
        found.append(_problem(transaction, f"TransactionID has {where}; read as {key}"))
        if repair and (namespace is None or _is_mm7(namespace)):
            transaction.tag = "{%s}TransactionID" % ours
    text = transaction.text or ""
    if text != text.strip():
        found.append(_problem(transaction, "whitespace around the TransactionID value"))
        if repair:
            transaction.text = text.strip()
    return found


def _move_namespace(top: etree._Element, old: str | None, new: str) -> None:
    for element in top.iter():
        if isinstance(element.tag, str) and _namespace(element) == old:
            element.tag = "{%s}%s" % (new, _localname(element))


def _check_leaf_whitespace(
    payload: etree._Element, version: SchemaVersion, *, repair: bool
) -> list[ValidationProblem]:
    """Whitespace around leaf values, judged by each element's XSD type.

    * enumerations (Priority, MMStatus...) do not collapse whitespace: `` Retrieved `` is invalid, so it is a
      deviation, repaired by trimming;
    * types that collapse whitespace (token, integers, booleans, dates) are valid as they are; the value *is*
      the trimmed one (XSD part 2, 4.3.6), so it is trimmed silently for the bindings;
    * strings keep their whitespace: it is data.
    """
    kinds = leaf_kinds(version)
    found = []
    ours = version.namespace
    for element in payload.iter():
        text = element.text
        # Cheapest test first: almost every value has no surrounding whitespace.
        if text is None or text == text.strip() or not text.strip() or len(element):
            continue
        if not isinstance(element.tag, str) or _namespace(element) != ours:
            continue
        name = _localname(element)
        kind = kinds.get(name, "string")
        if kind == "collapse":
            element.text = text.strip()
        elif kind == "enum":
            found.append(_problem(element, f"whitespace around the value of {name}"))
            if repair:
                element.text = text.strip()
    return found


_XS = "{http://www.w3.org/2001/XMLSchema}"
_STRING_TYPES = frozenset({"string", "normalizedString", "anyType"})


@functools.cache
def leaf_kinds(version: SchemaVersion) -> dict[str, str]:
    """Map each element name of a schema to how its value treats whitespace: enum, collapse or string.

    Read from the XSD itself so that a schema change is followed without code changes.
    """
    tree = etree.parse(str(version.xsd_path))
    simple: dict[str, str] = {}
    for simple_type in tree.iter(_XS + "simpleType"):
        name = simple_type.get("name")
        if name is None:
            continue
        restriction = simple_type.find(_XS + "restriction")
        if restriction is not None and restriction.find(_XS + "enumeration") is not None:
            simple[name] = "enum"
        elif restriction is not None and restriction.get("base", "").split(":")[-1] in _STRING_TYPES:
            simple[name] = "string"
        else:
            simple[name] = "collapse"  # token, numbers, booleans, dates, unions and lists of them
    kinds: dict[str, str] = {}
    for element in tree.iter(_XS + "element"):
        name, type_ref = element.get("name"), element.get("type")
        if name is None or type_ref is None:
            continue
        local = type_ref.split(":")[-1]
        if type_ref.startswith("xs:"):
            kinds[name] = "string" if local in _STRING_TYPES else "collapse"
        elif local in simple:
            kinds[name] = simple[local]
    return kinds


def check_header_entries(
    root: etree._Element, transaction: etree._Element | None, *, repair: bool
) -> list[ValidationProblem]:
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
        found.append(_problem(entry, f"SOAP header entry {name} ignored (MM7 defines only TransactionID)"))
        if repair:
            header.remove(entry)
    return found
