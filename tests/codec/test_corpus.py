"""A corpus of raw HTTP messages in the styles of real MM7 peers, each decoded in both modes.

The fixtures (``tests/fixtures/corpus/*.http``) were written for this project: start line, headers, a
blank line and the body, some with CRLF and some with bare LF. They reproduce what Nokia, Openwave, Huawei,
NowSMS, Sinch and other relays send: prefixed or default namespaces, the namespace declared only on the
Envelope, body elements with no namespace, another schema revision of the same release, ``start`` missing
or without ``<>``, Content-IDs without ``<>``, Content-Location references, ``href`` without ``cid:``,
nested multiparts, base64 / binary / quoted-printable / 8bit parts, faults with the error in ``detail``
or bare in the Body.

For each one the table says what tolerant decoding must find (operation, TransactionID, schema, received
namespace, every deviation by a distinctive substring, the media parts) and whether strict decoding accepts it
or raises :class:`~mm7.errors.RemoteValidationError` naming each deviation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mm7.codec.messages import DecodedMessage, decode
from mm7.codec.versions import NAMESPACE_PREFIX
from mm7.errors import ClientStatusError, RemoteValidationError, ServerStatusError
from tests.codec.httpfile import HTTPMessage, parse_http, read_http

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"

BARE_LF = "bare LF line endings"
CID_NO_ANGLE = "Content-ID without angle brackets"
START_NO_ANGLE = "start parameter without angle brackets"


@dataclass(frozen=True)
class Expected:
    """What decoding one fixture must give."""

    operation: str
    transaction_id: str
    schema: str  # our schema the message is read as
    namespace: str  # the namespace as received (revision key)
    deviations: tuple[str, ...] = ()
    media: tuple[str, ...] = ()  # media types of the content's leaf parts, in order
    crlf: bool = True
    status_code: int | None = None
    fault_code: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


R6, R5 = "REL-6-MM7-1-4", "REL-5-MM7-1-3"

EXPECTED: dict[str, Expected] = {
    "01-nokia-submit-rel6.http": Expected(
        "SubmitReq", "nokia-0001", R6, R6, media=("application/smil", "image/jpeg", "text/plain")
    ),
    "02-openwave-deliver-rel5-1-2-lf.http": Expected(
        "DeliverReq", "ow-5512", R5, "REL-5-MM7-1-2",
        deviations=(BARE_LF, "namespace REL-5-MM7-1-2 read as REL-5-MM7-1-3",
                    "TransactionID has namespace " + NAMESPACE_PREFIX + "REL-5-MM7-1-2"),
        media=("text/plain", "audio/amr"), crlf=False,
    ),
    "03-huawei-deliveryreport-rel6-1-0.http": Expected(
        "DeliveryReportReq", "hw-20240101-0001", R6, "REL-6-MM7-1-0",
        deviations=("namespace REL-6-MM7-1-0 read as REL-6-MM7-1-4", "TransactionID has namespace",
                    "whitespace around the TransactionID value"),
    ),
    "04-nowsms-submit-start-no-brackets.http": Expected(
        "SubmitReq", "nowsms-42", R6, R6, deviations=(START_NO_ANGLE, CID_NO_ANGLE), media=("text/plain",)
    ),
    "05-sinch-deliveryreport-default-ns-on-envelope.http": Expected(
        "DeliveryReportReq", "sinch-dr-0001", R6, R6, crlf=False
    ),
    "06-sinch-deliveryreport-body-no-namespace.http": Expected(
        "DeliveryReportReq", "sinch-dr-0002", R6, R6,
        deviations=("body elements have no namespace; read as REL-6-MM7-1-4 (TransactionID namespace)",),
        crlf=False,
    ),
    "07-sinch-deliver-multipart-without-boundary.http": Expected(
        "DeliverReq", "sinch-mo-0003", R5, R5,
        deviations=("multipart/related without boundary; body read as bare XML",
                    "body elements have no namespace; read as REL-5-MM7-1-3 (MM7Version 5.3.0)",
                    "TransactionID has no namespace"),
    ),
    "08-sinch-submitrsp.http": Expected("SubmitRsp", "1000001", R6, R6, status_code=1000),
    "09-sinch-fault-rserror-in-detail.http": Expected(
        "RSErrorRsp", "1000002", R6, R6, crlf=False, status_code=2502, fault_code="Client"
    ),
    "10-bare-rserror-in-body.http": Expected("RSErrorRsp", "mb-9", R5, R5, crlf=False, status_code=3510),
    "11-no-start-binary-part.http": Expected("DeliverReq", "bin-11", R6, R6, media=("image/gif",)),
    "12-content-location-only.http": Expected("SubmitReq", "loc-12", R6, R6, media=("image/jpeg",)),
    "13-href-without-cid-scheme.http": Expected(
        "SubmitReq", "nocid-13", R6, R6,
        deviations=("Content href 'text-13@relay.example' has no cid: scheme",), media=("text/plain",),
    ),
    "14-namespace-only-on-envelope.http": Expected("ReadReplyReq", "ns-env-14", R6, R6),
    "15-whitespace-around-values.http": Expected(
        "DeliveryReportReq", "ws-15", R6, R6,
        deviations=("whitespace around the TransactionID value", "MMStatus: whitespace around the value"),
        crlf=False,
    ),
    "16-nokia-submitrsp-rel5.http": Expected("SubmitRsp", "nokia-r5-16", R5, R5, status_code=1000),
    "17-sinch-mo-nested-mixed.http": Expected(
        "DeliverReq", "sinch-mo-17", R6, R6, deviations=(CID_NO_ANGLE,), media=("text/plain", "image/jpeg")
    ),
    "18-vasp-fault-vasperror.http": Expected(
        "VASPErrorRsp", "ow-vasp-18", R6, R6, status_code=3000, fault_code="Server"
    ),
    "19-outer-multipart-mixed.http": Expected(
        "DeliverReq", "mixed-19", R5, R5,
        deviations=("multipart/mixed body instead of multipart/related", BARE_LF), media=("text/plain",),
        crlf=False,
    ),
    "20-transactionid-without-namespace.http": Expected(
        "CancelRsp", "nons-20", R6, R6, deviations=("TransactionID has no namespace; read as REL-6-MM7-1-4",),
        status_code=1000,
    ),
    "21-huawei-extended-cancel.http": Expected("extendedCancelReq", "hw-xc-21", R6, R6),
    "22-openwave-rel6-1-0-mixed-quirks-lf.http": Expected(
        "SubmitReq", "ow-22", R6, "REL-6-MM7-1-0",
        deviations=(BARE_LF, CID_NO_ANGLE, "namespace REL-6-MM7-1-0 read as REL-6-MM7-1-4",
                    "TransactionID has namespace", "Content href 'ow22-content' has no cid: scheme"),
        media=("application/smil", "image/gif", "text/plain"), crlf=False,
    ),
    "23-no-content-type.http": Expected(
        "ReadReplyRsp", "noct-23", R5, R5, deviations=("no Content-Type; read as text/xml",), crlf=False,
        status_code=1000,
    ),
    "24-rel5-1-2-deliveryreport-5-3-0.http": Expected(
        "DeliveryReportReq", "r52-24", R5, "REL-5-MM7-1-2",
        deviations=("namespace REL-5-MM7-1-2 read as REL-5-MM7-1-3", "TransactionID has namespace"),
    ),
}  # fmt: skip

# The first 24 fixtures, checked here by the exact sentences of their deviations; the whole corpus (these
# included) is checked by deviation kind in tests/codec/test_interop_corpus.py.
FILES = sorted(EXPECTED)


def test_corpus_is_complete() -> None:
    assert len(FILES) >= 20
    assert all((CORPUS / name).is_file() for name in FILES), "every expectation needs a fixture"
    styles = {name.split("-")[1] for name in FILES}
    assert {"nokia", "openwave", "huawei", "nowsms", "sinch"} <= styles
    assert {True, False} == {read_http(CORPUS / name).crlf for name in FILES}


def _decode(message: HTTPMessage, mode: str) -> DecodedMessage:
    return decode(message.body, message.header("Content-Type"), mode=mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", FILES)
def test_tolerant_decode(name: str) -> None:
    expected = EXPECTED[name]
    message = read_http(CORPUS / name)
    assert message.crlf is expected.crlf
    decoded = _decode(message, "tolerant")
    assert decoded.operation == expected.operation
    assert decoded.transaction_id == expected.transaction_id
    assert decoded.version.key == expected.schema
    assert decoded.namespace == NAMESPACE_PREFIX + expected.namespace
    assert type(decoded.message) is decoded.version.binding_class(expected.operation)
    for wanted in expected.deviations:
        assert [d for d in decoded.deviations if wanted in str(d)], f"{wanted!r} not in {decoded.deviations}"
    assert len(decoded.deviations) == len(expected.deviations), decoded.deviations
    assert tuple(p.media_type for p in decoded.media_parts()) == _without_smil(expected.media)
    assert (decoded.smil() is not None) == ("application/smil" in expected.media)
    if expected.media:
        assert decoded.content is not None
    if expected.status_code is not None:
        assert decoded.status_code == expected.status_code
    if expected.fault_code is not None:
        assert decoded.fault is not None and decoded.fault.code_local == expected.fault_code


@pytest.mark.parametrize("name", FILES)
def test_strict_decode(name: str) -> None:
    expected = EXPECTED[name]
    message = read_http(CORPUS / name)
    if not expected.deviations:
        decoded = _decode(message, "strict")
        assert decoded.deviations == []
        assert decoded.operation == expected.operation
        return
    with pytest.raises(RemoteValidationError) as info:
        _decode(message, "strict")
    assert info.value.status_code == 4004
    text = str(info.value)
    # The MIME and envelope checks run first; a Content href deviation is found only once those pass.
    named = [d for d in expected.deviations if d in text]
    assert named, f"strict error names none of {expected.deviations}: {text}"
    if not any("Content href" in d for d in expected.deviations):
        assert len(named) == len(expected.deviations), text


# ---------------------------------------------------------------------------------- payload checks

JPEG_HEAD, JPEG_TAIL = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\xff\xd9"


def _media(name: str) -> list[bytes]:
    return [p.read_bytes() for p in _decode(read_http(CORPUS / name), "tolerant").media_parts()]


def test_base64_and_binary_payloads_decode_to_the_exact_bytes() -> None:
    jpeg, text = _media("01-nokia-submit-rel6.http")
    smil_part = _decode(read_http(CORPUS / "01-nokia-submit-rel6.http"), "tolerant").smil()
    assert smil_part is not None
    smil = smil_part.read_bytes()
    assert smil.startswith(b"<smil>") and b'src="cid:img@nokia.example"' in smil
    assert jpeg == JPEG_HEAD + bytes(range(256)) + JPEG_TAIL
    assert text == b"Good morning from the news service."
    (gif,) = _media("11-no-start-binary-part.http")
    assert gif == b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(range(255, -1, -1)) + b";"
    (photo,) = _media("12-content-location-only.http")
    assert photo == jpeg
    _text, amr = _media("02-openwave-deliver-rel5-1-2-lf.http")
    assert amr == b"#!AMR\n" + bytes((i * 7) % 256 for i in range(300))


def test_quoted_printable_text_part() -> None:
    decoded = _decode(read_http(CORPUS / "04-nowsms-submit-start-no-brackets.http"), "tolerant")
    (part,) = decoded.media_parts()
    assert (
        part.text() == "Caf\u00e9 menu: soupe \u00e0 l'oignon = 5\u20ac, today only!"
    )  # the CRLF before the delimiter is not payload
    *_, qp = _media("22-openwave-rel6-1-0-mixed-quirks-lf.http")
    assert qp.decode("utf-8") == "50% off \u2013 today"


def test_content_location_reference_resolves() -> None:
    decoded = _decode(read_http(CORPUS / "12-content-location-only.http"), "strict")
    assert decoded.message.content.href == "photo.jpg"
    assert decoded.content is not None and decoded.content.content_location == "photo.jpg"


def test_nested_content_keeps_its_structure() -> None:
    decoded = _decode(read_http(CORPUS / "17-sinch-mo-nested-mixed.http"), "tolerant")
    assert decoded.content is not None
    assert decoded.content.media_type == "multipart/mixed"
    assert [c.content_id for c in decoded.content.children or ()] == ["mo-text-17", "mo-img-17"]
    assert decoded.media_parts()[0].read_bytes() == b"look at this"
    nokia = _decode(read_http(CORPUS / "01-nokia-submit-rel6.http"), "strict")
    assert nokia.content is not None and nokia.content.media_type == "multipart/related"
    assert nokia.content.start == "smil@nokia.example"


def test_repaired_messages_carry_the_values_sent() -> None:
    sinch = _decode(read_http(CORPUS / "06-sinch-deliveryreport-body-no-namespace.http"), "tolerant")
    assert sinch.message.message_id == "480000000000000002"
    assert sinch.message.mm_status.value == "Expired"
    assert sinch.message.recipient.number.value == "16175550198"
    huawei = _decode(read_http(CORPUS / "15-whitespace-around-values.http"), "tolerant")
    assert huawei.message.mm_status.value == "Rejected"
    openwave = _decode(read_http(CORPUS / "02-openwave-deliver-rel5-1-2-lf.http"), "tolerant")
    assert openwave.mm7_version == "5.3.0"
    assert openwave.message.sender.number.value == "447700900123"
    assert str(openwave.message.time_stamp) == "2024-02-29T23:59:58+01:00"


def test_errors_in_the_corpus_raise_typed_status_errors() -> None:
    sinch = _decode(read_http(CORPUS / "09-sinch-fault-rserror-in-detail.http"), "strict")
    with pytest.raises(ClientStatusError) as client:
        sinch.raise_for_status(http_status=500)
    assert client.value.status_code == 2502
    assert client.value.details == "Recipients/To/Number is required"
    bare = _decode(read_http(CORPUS / "10-bare-rserror-in-body.http"), "strict")
    assert bare.fault is None and bare.is_error
    with pytest.raises(ServerStatusError):
        bare.raise_for_status()


def test_http_helper() -> None:
    request = parse_http(b"POST /x HTTP/1.1\nContent-Type: text/xml\nContent-Length: 3\n\nabc")
    assert request.is_request and request.header("content-type") == "text/xml" and request.body == b"abc"
    assert not request.crlf
    response = parse_http(b"HTTP/1.1 500 Oops\r\nA: b\r\n\r\n\r\nbody")
    assert response.status == 500 and response.body == b"\r\nbody" and response.crlf
    with pytest.raises(ValueError, match="Content-Length"):
        parse_http(b"POST / HTTP/1.1\nContent-Length: 9\n\nabc")
    with pytest.raises(ValueError, match="blank line"):
        parse_http(b"POST / HTTP/1.1\nA: b\n")


def _without_smil(media: tuple[str, ...]) -> tuple[str, ...]:
    """The media parts a decoded message lists: the SMIL presentation is its own accessor (``smil()``)."""
    return tuple(m for m in media if m != "application/smil")
