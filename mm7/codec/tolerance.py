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
"""

from __future__ import annotations

from typing import cast

from lxml import etree

from mm7.codec.versions import NAMESPACE_PREFIX, SOAP_ENV_NS, VERSIONS, SchemaVersion, for_namespace
from mm7.errors import UnsupportedVersionError, ValidationProblem

__all__ = ["check_and_repair", "target_version"]

_ENV = "{%s}" % SOAP_ENV_NS
# Free-text elements keep their whitespace: it is content, not formatting.
_FREE_TEXT = frozenset({"Subject", "StatusText", "Details", "AuxApplicInfo", "faultstring"})


def _problem(element: etree._Element | None, reason: str) -> ValidationProblem:
    if element is None:
        return ValidationProblem(path="/", line=0, reason=reason)
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(etree.QName(node).localname)
        node = node.getparent()
    line = cast(int | None, element.sourceline) or 0
    return ValidationProblem(path="/" + "/".join(reversed(steps)), line=line, reason=reason)


def _namespace(element: etree._Element) -> str | None:
    return etree.QName(element).namespace


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
        found.extend(_check_leaf_whitespace(payload, ours, repair=repair))
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
            element.tag = "{%s}%s" % (new, etree.QName(element).localname)


def _check_leaf_whitespace(payload: etree._Element, ours: str, *, repair: bool) -> list[ValidationProblem]:
    found = []
    for element in payload.iter():
        if not isinstance(element.tag, str) or len(element) or element.text is None:
            continue
        name = etree.QName(element).localname
        if name in _FREE_TEXT or _namespace(element) != ours:
            continue
        text = element.text
        if text != text.strip() and text.strip():
            found.append(_problem(element, f"whitespace around the value of {name}"))
            if repair:
                element.text = text.strip()
    return found
