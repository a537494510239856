"""mm7.codec.messages: responses, error answers, status errors, and what encode refuses to build."""

from __future__ import annotations

import dataclasses

import pytest

from mm7.codec import builders
from mm7.codec import envelope as env
from mm7.codec.messages import RESPONSE_OF, decode, encode, encode_error, error_response, response_for
from mm7.codec.mime import Part
from mm7.codec.status import SINCH, THREEGPP
from mm7.codec.versions import REL5, REL6, SchemaVersion
from mm7.errors import (
    ClientStatusError,
    ConfigError,
    LocalCodecError,
    LocalValidationError,
    MM7StatusError,
    ServerStatusError,
    ServiceStatusError,
)
from tests.codec import strategies as s

REQUESTS = s.version_operations(requests_only=True)


def _round_trip(message: object, **kwargs: object):  # type: ignore[no-untyped-def]
    encoded = encode(message, transaction_id="tx-msg", **kwargs)  # type: ignore[arg-type]
    return decode(encoded.to_bytes(), encoded.content_type, mode="strict")


# ----------------------------------------------------------------------------------------- response_for


@pytest.mark.parametrize("pair", REQUESTS, ids=s.pair_id)
def test_response_for_every_request(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair
    request = s.sample_message(version, operation)
    request = dataclasses.replace(request, mm7_version=f"{version.release}.3.1")
    decoded = _round_trip(request)
    # A successful SubmitRsp or extendedReplaceRsp must carry the MessageID (response_for refuses one
    # without it: send rules F4, F5).
    fields = {"message_id": "id-1"} if operation in ("SubmitReq", "extendedReplaceReq") else {}
    for source in (request, decoded):
        response = response_for(source, **fields)
        assert type(response) is version.binding_class(RESPONSE_OF[operation])
        assert response.mm7_version == f"{version.release}.3.1"  # echoes the request's MM7Version
        assert response.status.status_code == 1000
        # Every response carries StatusText, except the two whose standard Status holds StatusCode only.
        expected_text = None if operation.startswith("extended") else "Success"
        assert response.status.status_text == expected_text
    answer = _round_trip(response_for(decoded, 1100, "Partial success", **fields))
    assert answer.operation == RESPONSE_OF[operation]
    assert answer.status_code == 1100
    assert not answer.is_error
    answer.raise_for_status()  # success: nothing raised


def test_response_for_accepts_response_fields() -> None:
    request = s.sample_message(REL6, "SubmitReq")
    response = response_for(request, message_id="id-42")
    assert response.message_id == "id-42"
    assert _round_trip(response).message.message_id == "id-42"


def test_every_request_has_a_response_in_each_version() -> None:
    for version in (REL5, REL6):
        for operation in version.operations:
            if operation.endswith("Req"):
                assert RESPONSE_OF[operation] in version.operations


@pytest.mark.parametrize("operation", ["SubmitRsp", "RSErrorRsp", "DeliverRsp"])
def test_response_for_refuses_a_response(operation: str) -> None:
    with pytest.raises(LocalCodecError, match="is not a request"):
        response_for(s.sample_message(REL6, operation))


# ----------------------------------------------------------------------------------------- encode_error

RELAY_ORIGINATED = {"DeliverReq", "DeliveryReportReq", "ReadReplyReq"}


@pytest.mark.parametrize("pair", REQUESTS, ids=s.pair_id)
@pytest.mark.parametrize(("code", "faultcode"), [(2007, "Client"), (3000, "Server"), (4004, "Server")])
def test_encode_error_picks_the_error_element_and_faultcode(
    pair: tuple[SchemaVersion, str], code: int, faultcode: str
) -> None:
    version, operation = pair
    encoded = encode_error(
        code, "no", transaction_id="tx-err", version=version, request_operation=operation, details="why"
    )
    decoded = decode(encoded.to_bytes(), encoded.content_type, mode="strict")
    expected = "VASPErrorRsp" if operation in RELAY_ORIGINATED else "RSErrorRsp"
    assert decoded.operation == expected
    assert decoded.fault is not None
    assert decoded.fault.code == f"env:{faultcode}"
    assert decoded.fault.code_local == faultcode
    assert decoded.transaction_id == "tx-err"
    assert decoded.version is version
    assert decoded.status_code == code
    assert decoded.is_error
    with pytest.raises(MM7StatusError) as info:
        decoded.raise_for_status()
    assert info.value.status_code == code
    assert info.value.details == "why"
    assert info.value.fault_code == f"env:{faultcode}"


def test_encode_error_without_request_is_rserror() -> None:
    encoded = encode_error(2505, "bad version", transaction_id="t", mm7_version="6.8.0")
    decoded = decode(encoded.to_bytes(), encoded.content_type)
    assert decoded.operation == "RSErrorRsp"
    assert decoded.mm7_version == "6.8.0"


def test_error_response_builds_the_error_object() -> None:
    error = error_response(REL5, 4003, "Unsupported operation", kind="VASPErrorRsp")
    assert type(error) is REL5.bindings.VASPErrorRsp
    assert error.mm7_version == "5.3.0"
    assert error.status.details is None


# ----------------------------------------------------------------------------------------- raise_for_status

STATUS_CASES = [
    # code, exception class, retryable with THREEGPP, retryable with SINCH
    (2000, ClientStatusError, False, False),
    (2007, ClientStatusError, False, False),
    (2502, ClientStatusError, False, False),
    (2568, ClientStatusError, False, False),
    (2569, ClientStatusError, False, True),
    (2599, ClientStatusError, False, False),  # unknown 2xxx: treated as 2000
    (3000, ServerStatusError, False, True),
    (3001, ServerStatusError, False, False),
    (3002, ServerStatusError, False, False),
    (3500, ServerStatusError, False, True),
    (3510, ServerStatusError, False, True),
    (3520, ServerStatusError, False, False),
    (4000, ServiceStatusError, False, False),
    (4002, ServiceStatusError, False, False),
    (4004, ServiceStatusError, False, False),
    (4006, ServiceStatusError, True, True),
    (4007, ServiceStatusError, False, False),
]


@pytest.mark.parametrize(("code", "error", "retry_3gpp", "retry_sinch"), STATUS_CASES)
@pytest.mark.parametrize("in_fault", [False, True], ids=["response", "fault"])
def test_raise_for_status_maps_classes_and_retryable(
    code: int, error: type[MM7StatusError], retry_3gpp: bool, retry_sinch: bool, in_fault: bool
) -> None:
    if in_fault:
        encoded = encode_error(code, "status text", transaction_id="tx-s")
    else:
        rsp = response_for(s.sample_message(REL6, "SubmitReq"), code, "status text")
        encoded = encode(rsp, transaction_id="tx-s")
    decoded = decode(encoded.to_bytes(), encoded.content_type)
    assert decoded.is_error
    for table, retryable in ((THREEGPP, retry_3gpp), (SINCH, retry_sinch)):
        with pytest.raises(MM7StatusError) as info:
            decoded.raise_for_status(table=table, http_status=500)
        assert type(info.value) is error
        assert info.value.status_code == code
        assert info.value.status_text == "status text"
        assert info.value.retryable is retryable
        assert info.value.transaction_id == "tx-s"
        assert info.value.http_status == 500


def test_raise_for_status_on_a_bare_fault() -> None:
    body = (
        f'<e:Envelope xmlns:e="{env.SOAP_ENV_NS}"><e:Body><e:Fault><faultcode>e:Server</faultcode>'
        "<faultstring>down</faultstring></e:Fault></e:Body></e:Envelope>"
    ).encode()
    decoded = decode(body, "text/xml")
    assert decoded.operation == "Fault"
    with pytest.raises(ServerStatusError) as info:
        decoded.raise_for_status()
    assert info.value.fault_string == "down"


# ----------------------------------------------------------------------------------------- refusing to build


def test_submit_without_recipients_is_a_local_validation_error() -> None:
    message = builders.submit_request(to="16172383232", vasp_id="v", sender="111122")
    message.recipients = REL6.bindings.RecipientsType()
    with pytest.raises(LocalValidationError) as info:
        encode(message, transaction_id="tx-local")
    assert info.value.status_code == 4004
    assert info.value.transaction_id == "tx-local"
    named = [p for p in info.value.problems if "Recipients" in p.path or "Recipients" in p.reason]
    assert named, info.value.problems
    assert all(p.line > 0 for p in named)
    assert any(p.path.startswith("/Envelope/Body/SubmitReq/Recipients") for p in named)


def test_missing_mandatory_element_is_a_local_validation_error() -> None:
    message = s.sample_message(REL5, "DeliveryReportReq")
    message.message_id = None  # type: ignore[assignment]
    with pytest.raises(LocalValidationError) as info:
        encode(message)
    assert any("MessageID" in p.reason and p.line > 0 for p in info.value.problems)


def test_bad_mm7_version_is_a_local_validation_error() -> None:
    message = dataclasses.replace(s.sample_message(REL6, "CancelReq"), mm7_version="6.8")
    with pytest.raises(LocalValidationError) as info:
        encode(message)
    assert any(p.path.endswith("/CancelReq/MM7Version") for p in info.value.problems)


def test_content_href_pointing_at_no_part_is_refused() -> None:
    message = dataclasses.replace(
        s.sample_message(REL6, "SubmitReq"), content=REL6.bindings.ContentReferenceType(href="cid:missing@x")
    )
    with pytest.raises(LocalCodecError, match="missing@x"):
        encode(message, attachments=[Part.from_bytes(b"x", content_id="other@x")])
    with pytest.raises(LocalCodecError, match="missing@x"):
        encode(message)


def test_content_href_may_name_a_content_location() -> None:
    message = dataclasses.replace(
        s.sample_message(REL6, "SubmitReq"), content=REL6.bindings.ContentReferenceType(href="pic.jpg")
    )
    part = Part.from_bytes(b"jpeg", "image/jpeg", content_location="pic.jpg")
    decoded = _round_trip(message, attachments=[part])
    assert decoded.message.content.href == "pic.jpg"
    assert decoded.content is not None and decoded.content.read_bytes() == b"jpeg"


def test_encode_refuses_a_non_message() -> None:
    with pytest.raises(LocalCodecError, match="not a generated MM7 message"):
        encode(REL6.bindings.StatusType(status_code=1000))


def test_encoded_message_headers() -> None:
    encoded = encode(s.sample_message(REL6, "SubmitReq"), transaction_id="tx-h")
    assert encoded.headers["SOAPAction"] == f'"{REL6.namespace}"'
    assert encoded.headers["Content-Length"] == str(len(encoded.to_bytes()))
    assert encoded.content_type.startswith("text/xml")
    assert encoded.operation == "SubmitReq"
    assert encoded.version is REL6
    assert b"tx-h" in encoded.envelope


def test_encode_with_content_is_multipart_related_with_start() -> None:
    content = Part.from_bytes(b"hello", "text/plain", content_id="text@x")
    encoded = encode(s.sample_message(REL5, "DeliverReq"), transaction_id="tx-c", content=content)
    assert encoded.content_type.startswith("multipart/related")
    assert 'type="text/xml"' in encoded.content_type
    assert 'start="<' in encoded.content_type
    decoded = decode(encoded.to_bytes(), encoded.content_type)
    assert decoded.message.content.href == "cid:text@x"
    assert [p.read_bytes() for p in decoded.media_parts()] == [b"hello"]


def test_decode_refuses_an_unknown_mode() -> None:
    encoded = encode(s.sample_message(REL6, "SubmitRsp"))
    with pytest.raises(ConfigError):
        decode(encoded.to_bytes(), encoded.content_type, mode="lenient")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- found by these tests


def test_encode_refuses_an_mm7_version_of_another_release() -> None:
    message = dataclasses.replace(s.sample_message(REL5, "SubmitRsp"), mm7_version="6.8.0")
    with pytest.raises(LocalCodecError):
        encode(message, transaction_id="tx-v")


def test_encode_and_strict_decode_agree_on_transaction_id_whitespace() -> None:
    message = s.sample_message(REL6, "SubmitRsp")
    try:
        encoded = encode(message, transaction_id=" tx ")
    except (ConfigError, LocalCodecError):
        return
    decoded = decode(encoded.to_bytes(), encoded.content_type, mode="strict")
    assert decoded.transaction_id == " tx "
