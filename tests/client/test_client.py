"""MM7Client against a real HTTP server on 127.0.0.1: headers, answers, errors, retries, throttle.

The server decodes every request with our own decoder in strict mode, so each test also proves the
client sent a valid MM7 message.
"""

from __future__ import annotations

import base64
import email.message
import json
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests.exceptions

from mm7 import Part, related_content, submit_request
from mm7.client import FunctionTransport, HTTPRequest, HTTPResponse, MM7Client, Rate, Throttle, Timeout
from mm7.client._transport import REQUESTS_ERROR_MAP, map_requests_error
from mm7.client.retry import RetryPolicy
from mm7.codec.mime import decode as decode_mime
from mm7.codec.status import SINCH
from mm7.errors import (
    ClientStatusError,
    ConfigError,
    MM7Error,
    RemoteCodecError,
    ServerStatusError,
    ServiceStatusError,
    TransportError,
)
from mm7.profiles.base import ProfileViolation
from tests.client.conftest import LoopbackServer, Received, Reply, answer, error

REL6_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
REL5_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3"

Loopback = Callable[..., LoopbackServer]


class SleepRecorder:
    """Injected instead of time.sleep: records each requested delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def sinch_client(url: str, sleep: SleepRecorder | None = None, **options: Any) -> MM7Client:
    options.setdefault("retry", RetryPolicy(total_attempts=3, rng=random.Random(7)))
    return MM7Client.for_sinch(
        api_key="API-KEY",
        vas_id="12345mms",
        short_code="12345",
        endpoint=url,
        sleep=sleep or SleepRecorder(),
        **options,
    )


def submit_once(client: MM7Client, to: str = "15553199144") -> Any:
    return client.submit(
        client.sinch.submit_request(to, subject="Hello"), content=[Part.from_text("Hi there")]
    )


def content_type_params(value: str) -> dict[str, str]:
    msg = email.message.Message()
    msg["Content-Type"] = value
    return dict(msg.get_params()[1:])  # type: ignore[index]


# ------------------------------------------------------------------------------------- the wire


def test_request_headers_are_exact_and_body_is_valid_mm7(loopback: Loopback) -> None:
    server = loopback(answer)
    client = sinch_client(
        server.url, username="user", password="pässword", carrier_id="0001470", headers={"X-Trace": "t1"}
    )
    result = submit_once(client, to="+1 (555) 319-9144")

    (seen,) = server.requests
    content_type = seen.header("Content-Type") or ""
    assert content_type.startswith("multipart/related;")
    params = content_type_params(content_type)
    assert params["type"] == "text/xml"
    assert params["start"] == "<mm7-soap-envelope>"
    assert params["boundary"]
    assert seen.header("SOAPAction") == f'"{REL6_NS}"'
    assert seen.header("Content-Length") == str(seen.size)
    assert not seen.chunked and seen.header("Transfer-Encoding") is None
    expected_auth = base64.b64encode("user:pässword".encode()).decode()
    assert seen.header("Authorization") == f"Basic {expected_auth}"
    assert seen.header("X-Mblox-Carrier-Id") == "0001470"
    assert seen.header("X-Trace") == "t1"

    request = seen.decoded()  # strict: no deviation tolerated
    assert request.operation == "SubmitReq" and request.deviations == []
    assert request.message.recipients.to[0].number[0].value == "15553199144"
    ident = request.message.sender_identification
    assert (ident.vasp_id, ident.vas_id, ident.sender_address.short_code.value) == (
        "API-KEY",
        "12345mms",
        "12345",
    )
    # Sinch: the Content href points at a multipart/related whose root is the SMIL.
    assert request.content is not None and request.content.media_type == "multipart/related"
    assert [p.media_type for p in request.media_parts()] == ["text/plain"]
    assert request.smil() is not None

    assert result.message_id == "MID-0"
    assert result.status_code == 1000 and result.http_status == 200 and result.attempts == 1
    assert result.transaction_id == request.transaction_id


def test_rel5_client_sends_rel5_namespace_in_soapaction(loopback: Loopback) -> None:
    server = loopback(answer)
    client = sinch_client(server.url, mm7_version="5.3.0")
    result = submit_once(client)
    (seen,) = server.requests
    assert seen.header("SOAPAction") == f'"{REL5_NS}"'
    assert seen.decoded().message.mm7_version == "5.3.0"
    assert result.message_id == "MID-0"


def test_rserror_in_fault_with_http_500_raises_client_status_error(loopback: Loopback) -> None:
    server = loopback(lambda r: error(r, 2561, http_status=500))
    client = sinch_client(server.url)
    with pytest.raises(ClientStatusError) as info:
        submit_once(client)
    exc = info.value
    assert exc.status_code == 2561 and exc.http_status == 500
    assert exc.transaction_id == server.requests[0].decoded().transaction_id
    assert exc.fault_code is not None and exc.fault_code.endswith("Client")
    assert server.count == 1


def test_error_status_with_http_200_is_raised_too(loopback: Loopback) -> None:
    server = loopback(lambda r: error(r, 4007, http_status=200))
    with pytest.raises(ServiceStatusError) as info:
        submit_once(sinch_client(server.url))
    assert info.value.status_code == 4007 and info.value.http_status == 200


def test_garbage_answer_with_200_is_remote_codec_error_not_retried(loopback: Loopback) -> None:
    server = loopback(lambda r: (200, {"Content-Type": "text/xml"}, b"<html>oops</html>"))
    sleep = SleepRecorder()
    with pytest.raises(RemoteCodecError) as info:
        submit_once(sinch_client(server.url, sleep))
    assert info.value.transaction_id == server.requests[0].decoded().transaction_id
    assert server.count == 1 and sleep.delays == []


def test_answer_with_another_transaction_id_is_refused(loopback: Loopback) -> None:
    def other(received: Received) -> Reply:
        from mm7.codec.messages import encode, response_for

        wire = encode(response_for(received.decoded(), message_id="X"), transaction_id="someone-else")
        return 200, wire.headers, wire.to_bytes()

    server = loopback(other)
    with pytest.raises(RemoteCodecError, match="someone-else"):
        submit_once(sinch_client(server.url))


def test_non_mm7_http_error_is_transport_error(loopback: Loopback) -> None:
    server = loopback(lambda r: (502, {"Content-Type": "text/html"}, b"<h1>Bad gateway</h1>"))
    sleep = SleepRecorder()
    with pytest.raises(TransportError) as info:
        submit_once(sinch_client(server.url, sleep))
    assert info.value.http_status == 502 and info.value.transaction_id
    assert server.count == 1 and sleep.delays == []


# ------------------------------------------------------------------------------------- retries


@pytest.mark.parametrize("code", [3510, 4006, 2569, 3500])
def test_retryable_sinch_status_is_retried_up_to_total_attempts(loopback: Loopback, code: int) -> None:
    assert SINCH[code].retryable
    server = loopback(lambda r: error(r, code))
    sleep = SleepRecorder()
    with pytest.raises(MM7Error) as info:
        submit_once(sinch_client(server.url, sleep))
    assert getattr(info.value, "status_code", None) == code
    assert server.count == 3  # total_attempts
    assert len(sleep.delays) == 2
    # Every attempt re-sent the same request: same TransactionID, same bytes.
    assert len({r.decoded().transaction_id for r in server.requests}) == 1
    assert len({r.sha256 for r in server.requests}) == 1


def test_status_3000_is_retried_a_bounded_number_of_times(loopback: Loopback) -> None:
    server = loopback(lambda r: error(r, 3000))
    policy = RetryPolicy(total_attempts=10, max_bounded_retries=2, rng=random.Random(1))
    with pytest.raises(ServerStatusError):
        submit_once(sinch_client(server.url, retry=policy))
    assert server.count == 3  # first attempt + 2 bounded retries


@pytest.mark.parametrize("code", [2000, 2002, 2503, 2561, 3001, 3002, 4007])
def test_non_retryable_status_is_sent_exactly_once(loopback: Loopback, code: int) -> None:
    server = loopback(lambda r: error(r, code))
    sleep = SleepRecorder()
    with pytest.raises(MM7Error):
        submit_once(sinch_client(server.url, sleep, retry=RetryPolicy(total_attempts=5)))
    assert server.count == 1 and sleep.delays == []


def test_retryable_status_then_success_returns_result(loopback: Loopback) -> None:
    server = loopback(lambda r: error(r, 3510) if r.index == 0 else answer(r))
    sleep = SleepRecorder()
    result = submit_once(sinch_client(server.url, sleep))
    assert result.message_id == "MID-1" and result.attempts == 2
    assert len(sleep.delays) == 1 and sleep.delays[0] > 0  # 3510 demands a real back-off


@pytest.mark.parametrize("http_status", [429, 503])
def test_retry_after_is_honoured(loopback: Loopback, http_status: int) -> None:
    def handler(received: Received) -> Reply:
        if received.index == 0:
            return http_status, {"Retry-After": "7", "Content-Type": "text/plain"}, b"slow down"
        return answer(received)

    server = loopback(handler)
    sleep = SleepRecorder()
    result = submit_once(sinch_client(server.url, sleep))
    assert sleep.delays == [7.0]
    assert result.attempts == 2 and server.count == 2


def test_retry_after_on_an_mm7_fault_is_honoured(loopback: Loopback) -> None:
    server = loopback(lambda r: error(r, 3510, headers={"Retry-After": "3"}) if r.index == 0 else answer(r))
    sleep = SleepRecorder()
    submit_once(sinch_client(server.url, sleep))
    assert sleep.delays == [3.0]


def test_connection_refused_is_retried(closed_port: int) -> None:
    sleep = SleepRecorder()
    client = sinch_client(f"http://127.0.0.1:{closed_port}/mm7/", sleep)
    with pytest.raises(TransportError) as info:
        submit_once(client)
    assert info.value.request_sent is False
    assert info.value.transaction_id
    assert len(sleep.delays) == 2  # 3 attempts
    assert isinstance(info.value.__cause__, requests.exceptions.ConnectionError)


def _hang(server_ref: list[LoopbackServer]) -> Callable[[Received], Reply]:
    def handler(received: Received) -> Reply:
        server_ref[0].release.wait(30)  # body fully read, never answered in time
        return answer(received)

    return handler


def test_read_timeout_after_sending_is_not_retried_by_default(loopback: Loopback) -> None:
    ref: list[LoopbackServer] = []
    server = loopback(_hang(ref))
    ref.append(server)
    sleep = SleepRecorder()
    client = sinch_client(server.url, sleep, timeout=Timeout(connect=5, read=0.3))
    with pytest.raises(TransportError) as info:
        submit_once(client)
    assert info.value.request_sent is True and info.value.transaction_id
    assert server.count == 1 and sleep.delays == []
    assert "not retried" in " ".join(getattr(info.value, "__notes__", []))


def test_read_timeout_is_retried_when_ambiguous_retries_are_allowed(loopback: Loopback) -> None:
    ref: list[LoopbackServer] = []
    server = loopback(_hang(ref))
    ref.append(server)
    policy = RetryPolicy(total_attempts=2, retry_ambiguous=True, rng=random.Random(3))
    client = sinch_client(server.url, timeout=Timeout(connect=5, read=0.3), retry=policy)
    with pytest.raises(TransportError):
        submit_once(client)
    assert server.count == 2


# ------------------------------------------------------------------------------------- throttle


class FakeClock:
    """Monotonic fake time that only advances when the throttle sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def test_throttle_limits_requests_per_window_seen_by_the_server(loopback: Loopback) -> None:
    clock = FakeClock()
    arrivals: list[float] = []

    def handler(received: Received) -> Reply:
        arrivals.append(clock())
        return answer(received)

    server = loopback(handler)
    rates = [Rate(2, 1.0), Rate(5, 60.0)]
    throttle = Throttle(rates, clock=clock, sleep=clock.sleep)
    client = sinch_client(server.url, throttle=throttle)
    for _ in range(12):
        submit_once(client)
    assert server.count == 12
    for rate in rates:  # upper bound only: at most `count` arrivals in any window
        for start in arrivals:
            inside = [t for t in arrivals if start <= t < start + rate.per_seconds]
            assert len(inside) <= rate.count, (rate, arrivals)


def test_for_sinch_shares_one_throttle_per_api_key() -> None:
    key = "throttle-share-test"
    try:
        a = MM7Client.for_sinch(api_key=key, short_code="12345", rates=[Rate(10, 1.0)])
        b = MM7Client.for_sinch(api_key=key, short_code="12345", rates=[Rate(10, 1.0)])
        assert a.throttle is not None and a.throttle is b.throttle
    finally:
        Throttle.forget_shared(f"sinch:{key}")


# ------------------------------------------------------------------------------------- other operations


def generic_client(url: str) -> MM7Client:
    from mm7.profiles.base import Profile

    return MM7Client(url, profile=Profile(vasp_id="VASP", vas_id="VAS"), retry=RetryPolicy.no_retry())


@pytest.mark.parametrize(
    ("call", "operation"),
    [
        (lambda c: c.cancel("MID-9"), "CancelReq"),
        (lambda c: c.replace("MID-9", content=related_content([Part.from_text("new")])), "ReplaceReq"),
        (lambda c: c.extended_cancel("MID-9"), "extendedCancelReq"),
        (
            lambda c: c.extended_replace("MID-9", content=related_content([Part.from_text("new")])),
            "extendedReplaceReq",
        ),
    ],
)
def test_cancel_and_replace_operations(
    loopback: Loopback, call: Callable[[MM7Client], Any], operation: str
) -> None:
    server = loopback(answer)
    response = call(generic_client(server.url))
    seen = server.requests[0].decoded()
    assert seen.operation == operation
    if operation == "extendedReplaceReq":  # VASPID/VASID are its direct children (schemas/README.md, F14)
        assert seen.message.sender_identification is None
        assert (seen.message.vasp_id, seen.message.vas_id) == ("VASP", "VAS")
        assert seen.message.replace_id == "MID-9"
    else:
        assert seen.message.sender_identification.vasp_id == "VASP"
    assert response.operation == operation.replace("Req", "Rsp")
    assert response.status_code == 1000


def test_a_hand_built_extended_replace_gets_the_profiles_ids_as_direct_children(loopback: Loopback) -> None:
    from mm7.codec.versions import REL6

    server = loopback(answer)
    request = REL6.bindings.ExtendedReplaceReq(mm7_version="6.8.0", vas_id="OWN", replace_id="MID-3")
    response = generic_client(server.url).send(request, related_content([Part.from_text("new")]))
    seen = server.requests[0].decoded().message
    assert (seen.vasp_id, seen.vas_id, seen.sender_identification) == ("VASP", "OWN", None)
    assert response.message.message_id == "MID-0"


def test_generic_send_returns_decoded_answer(loopback: Loopback) -> None:
    server = loopback(answer)
    request = submit_request(to="15553199144", vasp_id="V", sender="12345")
    response = generic_client(server.url).send(
        request, related_content([Part.from_text("x")]), transaction_id="tid-1"
    )
    assert response.operation == "SubmitRsp" and response.transaction_id == "tid-1"
    assert response.message.message_id == "MID-0"


def test_sinch_refuses_cancel_before_sending(loopback: Loopback) -> None:
    server = loopback(answer)
    with pytest.raises(ProfileViolation) as info:
        sinch_client(server.url).cancel("MID-1")
    assert info.value.status_code == 2512 and server.count == 0


def test_reserved_headers_cannot_be_overridden() -> None:
    with pytest.raises(ConfigError):
        MM7Client("http://127.0.0.1:1/", headers={"Content-Length": "1"})


def test_function_transport_seam_gets_the_prepared_request() -> None:
    seen: list[HTTPRequest] = []

    def handle(request: HTTPRequest) -> HTTPResponse:
        seen.append(request)
        mime = decode_mime(request.read_body(), request.headers["Content-Type"])
        assert len(request.read_body()) == request.content_length  # re-iterable, exact length
        from mm7.codec.messages import decode_parts, encode, response_for

        decoded = decode_parts(mime)
        wire = encode(response_for(decoded, message_id="FT-1"), transaction_id=decoded.transaction_id)
        return HTTPResponse(200, wire.headers, wire.to_bytes())

    client = MM7Client.for_sinch(api_key="K", short_code="12345", transport=FunctionTransport(handle))
    result = submit_once(client)
    assert result.message_id == "FT-1" and seen[0].url.startswith("https://api.ci.mblox.com/")


# ------------------------------------------------------------------------------------- exception boundary


def _exception_classes(module: Any) -> list[type[BaseException]]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseException) and not issubclass(value, Warning)
    ]


def test_every_requests_exception_is_mapped() -> None:
    missing = [
        cls.__name__ for cls in _exception_classes(requests.exceptions) if cls not in REQUESTS_ERROR_MAP
    ]
    assert missing == [], f"requests exceptions not mapped to mm7 errors: {missing}"


@pytest.mark.parametrize("cls", _exception_classes(requests.exceptions), ids=lambda c: c.__name__)
def test_each_mapped_exception_becomes_an_mm7_error(cls: type[BaseException]) -> None:
    try:
        original = cls("boom") if cls is not json.JSONDecodeError else cls("boom", "doc", 0)
    except TypeError:
        original = cls.__new__(cls)
    mapped = map_requests_error(original, url="http://127.0.0.1/")
    assert isinstance(mapped, MM7Error)
    if isinstance(mapped, TransportError):
        assert mapped.request_sent in (True, False, None)
