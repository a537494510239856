"""The sans-IO protocol core on its own: objects in, decisions out, no socket, sleep or clock."""

from __future__ import annotations

import random

import pytest

from mm7 import Part
from mm7.client._core import Protocol
from mm7.client._transport import HTTPResponse
from mm7.client.retry import RetryPolicy
from mm7.codec.messages import decode, encode, encode_error, response_for
from mm7.errors import MM7StatusError, RemoteCodecError, TransportError
from mm7.profiles.sinch import SinchProfile


def _protocol() -> Protocol:
    return Protocol(
        None,
        profile=SinchProfile(
            api_key="KEY", vas_id="12345mms", short_code="12345", endpoint="http://relay/mm7"
        ),
        auth=("user", "pw"),
        headers=None,
        deadline=10.0,
        retry=RetryPolicy(total_attempts=3, rng=random.Random(1)),
        response_limits=None,
        response_mode="tolerant",
        dialect=None,
    )


def test_a_call_from_request_to_retry_to_success() -> None:
    protocol = _protocol()
    message = protocol.profile.submit_request("15553199144", subject="Hi")  # type: ignore[attr-defined]
    operation, prepared = protocol.prepare(message, [Part.from_text("Hi")], "SubmitReq")
    call = protocol.start(prepared, "TID-1", operation, None, monotonic=100.0, now=0.0)
    assert call.request.deadline == 110.0 and call.request.headers["Authorization"].startswith("Basic ")
    assert call.request.content_length == len(b"".join(call.request.body))
    assert call.throttle_wait(None, 104.0) == 6.0 and call.throttle_wait(2.0, 104.0) == 2.0

    busy = encode_error(4006, "busy", transaction_id="TID-1", request_operation="SubmitReq")
    with pytest.raises(MM7StatusError) as caught:
        call.receive(HTTPResponse(500, busy.headers, busy.to_bytes()))
    delay = call.after_error(caught.value, None, monotonic=101.0, now=1.0)
    assert delay is not None and delay >= 0 and call.attempts == 2

    request = call.request.read_body()
    decoded_request = decode(request, call.request.headers["Content-Type"])
    ok = encode(response_for(decoded_request, message_id="MID-1"), transaction_id="TID-1")
    exchange = call.receive(HTTPResponse(200, ok.headers, ok.to_bytes()))
    assert (exchange.decoded.message.message_id, exchange.attempts) == ("MID-1", 2)  # type: ignore[union-attr]


def test_classification_without_io() -> None:
    protocol = _protocol()
    message = protocol.profile.submit_request("15553199144")  # type: ignore[attr-defined]
    operation, prepared = protocol.prepare(message, [Part.from_text("x")], "SubmitReq")
    call = protocol.start(prepared, "TID-2", operation, None, monotonic=0.0, now=0.0)
    with pytest.raises(TransportError) as caught:
        call.receive(HTTPResponse(429, {"Retry-After": "3"}, b"slow down"))
    response = HTTPResponse(429, {"Retry-After": "3"}, b"")
    assert call.after_error(caught.value, response, monotonic=0.0, now=0.0) == 3.0
    with pytest.raises(RemoteCodecError):
        call.receive(HTTPResponse(200, {"Content-Type": "text/xml"}, b"garbage"))
    # A retry whose wait would pass the call's deadline is not made; the error says why.
    with pytest.raises(TransportError) as again:
        call.receive(HTTPResponse(429, {"Retry-After": "30"}, b""))
    assert (
        call.after_error(again.value, HTTPResponse(429, {"Retry-After": "30"}, b""), monotonic=0, now=0)
        is None
    )
    assert any("deadline would pass" in note for note in again.value.__notes__)
    assert again.value.transaction_id == "TID-2"
