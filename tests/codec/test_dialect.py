"""The write side speaks the peer's dialect: revision registry, Dialect, encode(namespace=), mirrored answers,
default StatusText, MessageID on successful SubmitRsp, and only the standard's MMStatus values emitted.

Wire checks parse the bytes with lxml directly (not with our decoder); schema checks use our XSDs for real.
"""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from mm7.codec import builders
from mm7.codec.messages import (
    RESPONSE_OF,
    answer_dialect,
    decode,
    encode,
    encode_error,
    encode_response,
    error_response,
    response_for,
    sniff_dialect,
)
from mm7.codec.status import lookup
from mm7.codec.versions import (
    NAMESPACE_PREFIX,
    RECEIVE_ONLY_MM_STATUSES,
    REL5,
    REL6,
    REVISIONS,
    SOAP_ENV_NS,
    STANDARD_MM_STATUSES,
    Dialect,
    SchemaVersion,
    for_namespace,
    is_known_namespace,
    revision_namespace,
)
from mm7.codec.xml import schema_for
from mm7.errors import ConfigError, LocalCodecError, LocalValidationError
from tests.codec import strategies as s

REL5_REVISIONS = [f"REL-5-MM7-1-{n}" for n in range(6)]
REL6_REVISIONS = [f"REL-6-MM7-1-{n}" for n in range(5)]
ALL_REVISIONS = REL5_REVISIONS + REL6_REVISIONS
_ENV = "{%s}" % SOAP_ENV_NS


def _schema(revision: str) -> SchemaVersion:
    return REL5 if revision.startswith("REL-5-") else REL6


def _ns(revision: str) -> str:
    return NAMESPACE_PREFIX + revision


def _mm7_namespaces(envelope: bytes) -> set[str]:
    """Namespaces of every element outside the SOAP envelope namespace (and not unqualified)."""
    root = etree.fromstring(envelope)
    found = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = etree.QName(element).namespace
        if namespace and namespace != SOAP_ENV_NS:
            found.add(namespace)
    return found


def _validates_with_our_schema(envelope: bytes, wire_ns: str, version: SchemaVersion) -> bool:
    """Map the wire namespace back to our schema's (as a reader of that revision would) and validate."""
    root = etree.fromstring(envelope)
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == wire_ns:
            element.tag = "{%s}%s" % (version.namespace, etree.QName(element).localname)
    return bool(schema_for(version).validate(root))


# ------------------------------------------------------------------------------------------- registry


def test_registry_knows_every_published_revision() -> None:
    assert REVISIONS[5] == tuple(REL5_REVISIONS)
    assert REVISIONS[6] == tuple(REL6_REVISIONS)
    assert REL5.revisions == tuple(_ns(r) for r in REL5_REVISIONS)
    assert REL6.revisions == tuple(_ns(r) for r in REL6_REVISIONS)
    assert REL5.namespace in REL5.revisions and REL6.namespace in REL6.revisions


@pytest.mark.parametrize("revision", ALL_REVISIONS)
def test_each_revision_is_validated_by_our_schema_of_its_release(revision: str) -> None:
    namespace = _ns(revision)
    assert is_known_namespace(namespace)
    assert revision_namespace(revision) == namespace == revision_namespace(namespace)
    assert for_namespace(namespace) is _schema(revision)


@pytest.mark.parametrize(
    "value",
    ["REL-5-MM7-1-6", "REL-6-MM7-1-5", "REL-7-MM7-1-0", "REL-5-MM7-2-0", "", "urn:x", NAMESPACE_PREFIX],
)
def test_unpublished_revisions_are_unknown(value: str) -> None:
    assert not is_known_namespace(value if value.startswith("http") else NAMESPACE_PREFIX + value)
    with pytest.raises(ConfigError):
        revision_namespace(value)


# ------------------------------------------------------------------------------------------- Dialect

VALID_DIALECTS = [
    ("REL-5-MM7-1-0", "5.3.0"),
    ("REL-5-MM7-1-5", "5.10.0"),
    ("REL-6-MM7-1-0", "6.3.0"),
    ("REL-6-MM7-1-4", "6.8.0"),
    (_ns("REL-5-MM7-1-2"), "5.5.0"),
]
INVALID_DIALECTS = [
    ("REL-5-MM7-1-0", "6.8.0"),  # MM7Version of another release
    ("REL-6-MM7-1-4", "5.3.0"),
    ("REL-5-MM7-1-0", "5.3"),  # not x.y.z
    ("REL-5-MM7-1-0", ""),
    ("REL-5-MM7-1-6", "5.3.0"),  # unpublished revision
    ("urn:example", "5.3.0"),
]


@pytest.mark.parametrize(("namespace", "mm7_version"), VALID_DIALECTS)
def test_dialect_accepts_a_revision_with_a_version_of_its_release(namespace: str, mm7_version: str) -> None:
    dialect = Dialect(namespace, mm7_version)
    assert dialect.namespace == revision_namespace(namespace)  # a key is stored as the full namespace
    assert dialect.mm7_version == mm7_version
    assert dialect.revision == dialect.namespace.rsplit("/", 1)[1]
    assert dialect.release == int(mm7_version.split(".")[0]) == dialect.schema.release


@pytest.mark.parametrize(("namespace", "mm7_version"), INVALID_DIALECTS)
def test_dialect_refuses_mismatches(namespace: str, mm7_version: str) -> None:
    with pytest.raises(ConfigError):
        Dialect(namespace, mm7_version)


@pytest.mark.parametrize(
    ("revision", "mm7_version", "expected"),
    [
        ("REL-5-MM7-1-0", None, "5.3.0"),
        ("REL-5-MM7-1-1", None, "5.3.0"),
        ("REL-6-MM7-1-2", None, "6.8.0"),
        ("REL-5-MM7-1-0", "5.5.0", "5.5.0"),
    ],
)
def test_dialect_for_revision(revision: str, mm7_version: str | None, expected: str) -> None:
    dialect = Dialect.for_revision(revision, mm7_version)
    assert dialect == Dialect(_ns(revision), expected)


@pytest.mark.parametrize(
    ("namespace", "mm7_version", "expected"),
    [
        (_ns("REL-5-MM7-1-0"), "5.3.0", ("REL-5-MM7-1-0", "5.3.0")),
        (_ns("REL-5-MM7-1-0"), "6.8.0", ("REL-5-MM7-1-0", "5.3.0")),  # wrong release: the release's default
        (_ns("REL-6-MM7-1-1"), None, ("REL-6-MM7-1-1", "6.8.0")),
        (_ns("REL-6-MM7-1-1"), "6.x", ("REL-6-MM7-1-1", "6.8.0")),
        (_ns("REL-5-MM7-1-9"), "5.3.0", None),  # not published: cannot be spoken back
        ("urn:vendor", "5.3.0", None),
        (None, "5.3.0", None),
    ],
)
def test_dialect_from_peer(
    namespace: str | None, mm7_version: str | None, expected: tuple[str, str] | None
) -> None:
    got = Dialect.from_peer(namespace, mm7_version)
    assert (got.revision, got.mm7_version) == expected if got is not None else expected is None


# ------------------------------------------------------------------------------- encode(namespace=)

ENCODED_OPERATIONS = ["SubmitReq", "DeliverReq", "DeliveryReportReq", "DeliveryReportRsp", "SubmitRsp"]


@pytest.mark.parametrize("operation", ENCODED_OPERATIONS)
@pytest.mark.parametrize("revision", ALL_REVISIONS)
def test_encode_in_a_revision_rewrites_the_mm7_namespace_on_the_wire(revision: str, operation: str) -> None:
    version = _schema(revision)
    message = s.sample_message(version, operation)
    wire = encode(message, transaction_id="tx-dialect", namespace=revision)
    target = _ns(revision)
    assert wire.namespace == target
    assert wire.version is version  # validated with our schema of the release
    assert wire.headers["SOAPAction"] == f'"{target}"'
    # Every MM7 element, TransactionID included, is in the requested revision; nothing is left in ours.
    assert _mm7_namespaces(wire.envelope) == {target}
    root = etree.fromstring(wire.envelope)
    assert root.find(f"{_ENV}Header/{{{target}}}TransactionID").text == "tx-dialect"
    assert root.find(f"{_ENV}Body/{{{target}}}{operation}") is not None
    # Same document otherwise: mapped back to our namespace it is what encode validated.
    assert _validates_with_our_schema(wire.envelope, target, version)
    plain = encode(message, transaction_id="tx-dialect")
    assert wire.envelope.replace(target.encode(), version.namespace.encode()) == plain.envelope
    # A reader of any revision of the release gets the same message back, and sees the namespace used.
    decoded = decode(wire.to_bytes(), wire.content_type, mode="tolerant")
    assert decoded.namespace == target
    assert decoded.message == plain_decoded_message(plain)


def plain_decoded_message(plain: object) -> object:
    return decode(plain.to_bytes(), plain.content_type).message  # type: ignore[attr-defined]


def test_encode_default_namespace_is_ours() -> None:
    for version in (REL5, REL6):
        wire = encode(s.sample_message(version, "SubmitReq"))
        assert wire.namespace == version.namespace
        assert wire.headers["SOAPAction"] == f'"{version.namespace}"'
        assert _mm7_namespaces(wire.envelope) == {version.namespace}


@pytest.mark.parametrize(
    ("version", "namespace"),
    [(REL5, "REL-6-MM7-1-0"), (REL6, "REL-5-MM7-1-3"), (REL5, "REL-5-MM7-1-6"), (REL6, "urn:vendor")],
)
def test_encode_refuses_a_namespace_of_another_release_or_unknown(
    version: SchemaVersion, namespace: str
) -> None:
    with pytest.raises(ConfigError):
        encode(s.sample_message(version, "SubmitReq"), namespace=namespace)


def test_encode_in_a_revision_still_validates_first() -> None:
    message = dataclasses.replace(s.sample_message(REL5, "DeliverReq"), sender=None)
    with pytest.raises(LocalValidationError) as info:
        encode(message, namespace="REL-5-MM7-1-0")
    assert "REL-5-MM7-1-3" in str(info.value)


def test_encode_with_content_keeps_the_namespace_and_the_parts() -> None:
    from mm7.codec.mime import Part

    message = builders.submit_request(to="15551234567", vasp_id="k", sender="12345", mm7_version="5.3.0")
    wire = encode(message, content=Part.from_text("hello"), namespace="REL-5-MM7-1-1")
    decoded = decode(wire.to_bytes(), wire.content_type, mode="tolerant")
    assert decoded.namespace == _ns("REL-5-MM7-1-1")
    assert decoded.content is not None and decoded.content.read_bytes() == b"hello"


# ------------------------------------------------------------------------------- answers mirror requests

MIRRORED = [
    ("REL-5-MM7-1-0", "5.3.0", "DeliveryReportReq"),
    ("REL-5-MM7-1-1", "5.5.0", "DeliverReq"),
    ("REL-5-MM7-1-5", "5.10.0", "ReadReplyReq"),
    ("REL-6-MM7-1-0", "6.3.0", "DeliveryReportReq"),
    ("REL-6-MM7-1-2", "6.5.0", "SubmitReq"),
    ("REL-6-MM7-1-4", "6.8.0", "DeliverReq"),
]


@pytest.mark.parametrize(("revision", "mm7_version", "operation"), MIRRORED)
def test_encode_response_answers_in_the_requests_dialect(
    revision: str, mm7_version: str, operation: str
) -> None:
    version = _schema(revision)
    request = dataclasses.replace(s.sample_message(version, operation), mm7_version=mm7_version)
    sent = encode(request, transaction_id="tx-peer-7", namespace=revision)
    decoded = decode(sent.to_bytes(), sent.content_type, mode="tolerant")
    assert answer_dialect(decoded) == Dialect(revision, mm7_version)
    fields = {"message_id": "mid-1"} if operation == "SubmitReq" else {}
    answer = encode_response(decoded, **fields)
    target = _ns(revision)
    assert answer.namespace == target and answer.headers["SOAPAction"] == f'"{target}"'
    assert _mm7_namespaces(answer.envelope) == {target}
    root = etree.fromstring(answer.envelope)
    rsp = root.find(f"{_ENV}Body/{{{target}}}{RESPONSE_OF[operation]}")
    assert rsp is not None
    assert rsp.findtext(f"{{{target}}}MM7Version") == mm7_version
    assert rsp.findtext(f"{{{target}}}Status/{{{target}}}StatusCode") == "1000"
    assert rsp.findtext(f"{{{target}}}Status/{{{target}}}StatusText") == "Success"
    assert root.findtext(f"{_ENV}Header/{{{target}}}TransactionID") == "tx-peer-7"
    assert _validates_with_our_schema(answer.envelope, target, version)


def test_answer_dialect_falls_back_to_our_namespace_for_an_unpublished_revision() -> None:
    sent = encode(s.sample_message(REL6, "DeliveryReportReq"), transaction_id="tx-1")
    unpublished = _ns("REL-6-MM7-1-9")
    body = sent.envelope.replace(REL6.namespace.encode(), unpublished.encode())
    decoded = decode(body, "text/xml", mode="tolerant")
    assert decoded.namespace == unpublished  # read tolerantly as Rel-6...
    assert answer_dialect(decoded) == Dialect(REL6.namespace, "6.8.0")  # ...answered in a published one
    assert encode_response(decoded).namespace == REL6.namespace


def test_sniff_dialect_reads_an_invalid_request() -> None:
    sent = encode(s.sample_message(REL5, "DeliveryReportReq"), transaction_id="t", namespace="REL-5-MM7-1-0")
    target = _ns("REL-5-MM7-1-0").encode()
    broken = sent.envelope.replace(b"<mm7:MessageID>msg-1</mm7:MessageID>", b"")
    assert b"MessageID" not in broken
    assert sniff_dialect(broken) == Dialect("REL-5-MM7-1-0", "5.3.0")
    wrong_version = sent.envelope.replace(b">5.3.0<", b">6.8.0<")
    assert sniff_dialect(wrong_version) == Dialect("REL-5-MM7-1-0", "5.3.0")
    assert sniff_dialect(sent.envelope.replace(target, b"urn:vendor")) is None
    assert sniff_dialect(b"not xml") is None


# ------------------------------------------------------------------------------- StatusText defaults

STATUS_TEXTS = [1000, 1100, 2002, 2007, 3000, 4004, 4006, 2599, 3555]


@pytest.mark.parametrize("code", STATUS_TEXTS)
def test_response_for_fills_status_text_from_the_status_table(code: int) -> None:
    request = s.sample_message(REL6, "DeliveryReportReq")
    response = response_for(request, code)
    assert response.status.status_text == lookup(code).name
    assert response.status.status_text  # never empty
    assert response_for(request, code, "Own words").status.status_text == "Own words"


def test_default_status_texts_are_the_tables_names() -> None:
    request = s.sample_message(REL5, "DeliverReq")
    assert response_for(request).status.status_text == "Success"
    assert response_for(request, 2007).status.status_text == "Message format corrupt"
    assert response_for(request, 4006).status.status_text == "Service unavailable"


@pytest.mark.parametrize("code", STATUS_TEXTS)
def test_errors_carry_status_text_and_faultstring_by_default(code: int) -> None:
    error = error_response(REL5, code, kind="VASPErrorRsp")
    assert error.status.status_text == lookup(code).name
    wire = encode_error(code, transaction_id="tx-e", request_operation="DeliverReq")
    root = etree.fromstring(wire.envelope)
    ns = REL6.namespace
    fault = root.find(f"{_ENV}Body/{_ENV}Fault")
    assert fault.findtext("faultstring") == lookup(code).name
    assert (
        fault.findtext(f"detail/{{{ns}}}VASPErrorRsp/{{{ns}}}Status/{{{ns}}}StatusText") == lookup(code).name
    )


@pytest.mark.parametrize("revision", ["REL-5-MM7-1-0", "REL-5-MM7-1-4", "REL-6-MM7-1-1"])
def test_encode_error_in_a_revision(revision: str) -> None:
    version = _schema(revision)
    wire = encode_error(
        2007, transaction_id="tx-f", request_operation="DeliveryReportReq", namespace=revision
    )
    target = _ns(revision)
    assert wire.version is version and wire.namespace == target
    assert wire.headers["SOAPAction"] == f'"{target}"'
    assert _mm7_namespaces(wire.envelope) == {target}
    root = etree.fromstring(wire.envelope)
    error = root.find(f"{_ENV}Body/{_ENV}Fault/detail/{{{target}}}VASPErrorRsp")
    assert error is not None
    assert error.findtext(f"{{{target}}}MM7Version") == version.default_mm7_version
    assert _validates_with_our_schema(wire.envelope, target, version)


def test_encode_error_refuses_a_namespace_of_another_schema() -> None:
    with pytest.raises(ConfigError):
        encode_error(2007, transaction_id="t", version=REL6, namespace="REL-5-MM7-1-0")


# ------------------------------------------------------------------------------- SubmitRsp MessageID


@pytest.mark.parametrize("code", [1000, 1100])
@pytest.mark.parametrize("version", [REL5, REL6], ids=lambda v: v.key)
def test_successful_submit_rsp_needs_a_message_id(version: SchemaVersion, code: int) -> None:
    request = s.sample_message(version, "SubmitReq")
    with pytest.raises(LocalCodecError, match="MessageID"):
        response_for(request, code)
    with pytest.raises(LocalCodecError):
        response_for(request, code, message_id="")
    assert response_for(request, code, message_id="m-1").message_id == "m-1"


@pytest.mark.parametrize("code", [2002, 3000, 4004])
def test_failed_submit_rsp_may_omit_the_message_id(code: int) -> None:
    response = response_for(s.sample_message(REL6, "SubmitReq"), code)
    assert response.message_id is None
    assert encode(response).operation == "SubmitRsp"


# ------------------------------------------------------------------------------- MMStatus values


def _schema_mm_statuses(version: SchemaVersion) -> list[str]:
    return [member.value for member in version.bindings.MmDeliveryStatusType]


def test_standard_and_receive_only_lists_cover_the_schema() -> None:
    rel5, rel6 = STANDARD_MM_STATUSES[5], STANDARD_MM_STATUSES[6]
    assert rel5 == {"Expired", "Retrieved", "Rejected", "Indeterminate", "Forwarded"}
    assert rel6 == rel5 | {"Deferred", "Unrecognised", "DeliveryConditionNotMet"}
    assert REL5.standard_mm_statuses == rel5 and REL6.standard_mm_statuses == rel6
    for version in (REL5, REL6):
        values = set(_schema_mm_statuses(version))
        assert values <= rel6 | RECEIVE_ONLY_MM_STATUSES  # every value the schema reads is classified
        assert version.standard_mm_statuses <= values  # and every value we send validates
    assert not rel6 & RECEIVE_ONLY_MM_STATUSES
    assert {"Unrecognized", "NotSupported"} <= RECEIVE_ONLY_MM_STATUSES


@pytest.mark.parametrize("version", [REL5, REL6], ids=lambda v: v.key)
def test_encode_emits_only_the_releases_standard_mm_status(version: SchemaVersion) -> None:
    for value in _schema_mm_statuses(version):
        report = builders.delivery_report_request(
            message_id="m", recipient="15551234567", sender="12345", mm_status=value,
            mm7_version=version.default_mm7_version,
        )  # fmt: skip
        if value in version.standard_mm_statuses:
            assert encode(report, namespace=version.revisions[0]).operation == "DeliveryReportReq"
            continue
        with pytest.raises(LocalValidationError) as info:
            encode(report)
        assert repr(value) in str(info.value)
        assert info.value.problems[0].path.endswith("/MMStatus")


@pytest.mark.parametrize("value", sorted(RECEIVE_ONLY_MM_STATUSES))
def test_receive_only_mm_status_is_still_read(value: str) -> None:
    sent = encode(s.sample_message(REL5, "DeliveryReportReq"), transaction_id="t-r")
    body = sent.to_bytes().replace(b">Retrieved<", f">{value}<".encode())
    decoded = decode(body, sent.content_type, mode="strict")
    assert decoded.message.mm_status.value == value
    # ... and answered, in the relay's dialect, without complaint.
    assert encode_response(decoded).operation == "DeliveryReportRsp"
