"""One protocol core, two shells: MM7Client and AsyncMM7Client given the same inputs and the same recorded
answers (a real HTTP server on 127.0.0.1) send the same bytes and reach the same outcomes and retry counts.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mm7 import Part
from mm7.client import AsyncMM7Client, MM7Client, Timeout
from mm7.client.retry import RetryPolicy
from mm7.codec.messages import encode, response_for
from mm7.codec.mime import encoder as mime_encoder
from mm7.errors import MM7Error, MM7StatusError, RemoteCodecError, TransportError
from tests.client.conftest import Drip, LoopbackServer, Received, Reply, answer, error

Loopback = Callable[..., LoopbackServer]
TID = "TID-two-shells-1"
# Transport-level headers each HTTP library writes its own way; everything MM7 puts on the wire is compared.
HOP_HEADERS = {"host", "accept", "accept-encoding", "connection"}


def _html_502(received: Received) -> Reply:
    return 502, {"Content-Type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _plain_500(received: Received) -> Reply:
    return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"


def _slow_head(received: Received) -> Reply:
    time.sleep(0.8)  # longer than the read timeout: nothing of the answer arrives in time
    return answer(received)


def _slow_body(received: Received) -> Reply:
    status, headers, body = answer(received)
    assert isinstance(body, bytes)
    return status, headers, Drip(body, interval=0.8)  # the head arrives, the body stalls


def _garbage(received: Received) -> Reply:
    return 200, {"Content-Type": "text/xml"}, b"\x00\x01 this is not SOAP"


def _other_tid(received: Received) -> Reply:
    request = received.decoded()
    wire = encode(response_for(request, message_id="MID-X"), transaction_id="SOMEONE-ELSE")
    return 200, wire.headers, wire.to_bytes()


def _then(first: Callable[[Received], Reply], times: int = 1) -> Callable[[Received], Reply]:
    """``first`` for the first ``times`` requests, then a 1000 answer."""

    def handler(received: Received) -> Reply:
        return first(received) if received.index < times else answer(received)

    return handler


SCENARIOS: dict[str, Callable[[Received], Reply]] = {
    "1000 SubmitRsp": answer,
    "RSErrorRsp in a Fault (3001)": lambda r: error(r, 3001),
    "4006 then 1000": _then(lambda r: error(r, 4006)),
    "3510 every time": lambda r: error(r, 3510),
    "HTTP 429 Retry-After then 1000": _then(lambda r: (429, {"Retry-After": "1"}, b"slow down")),
    "HTTP 500 without MM7": _plain_500,
    "HTTP 502 HTML": _html_502,
    "timeout before the body": _slow_head,
    "timeout after the body started": _slow_body,
    "garbage with 200": _garbage,
    "another TransactionID": _other_tid,
}


@dataclass
class Run:
    outcome: tuple[Any, ...]
    delays: list[float]
    wire: list[tuple[dict[str, str], bytes]]


def _outcome(result: Any = None, exc: BaseException | None = None) -> tuple[Any, ...]:
    """(acceptance, outcome, details...): the acceptance as the hardening issue defines it."""
    if exc is None:
        details = (result.message_id, result.status_code, result.http_status, result.attempts)
        assert result.acceptance == "accepted"
        return ("accepted", result.outcome, *details)
    assert isinstance(exc, MM7Error), exc
    note = [n for n in getattr(exc, "__notes__", []) if n.startswith("mm7: not retried after attempt")]
    if isinstance(exc, MM7StatusError):
        details = (type(exc).__name__, exc.status_code, exc.http_status, exc.transaction_id, note)
        return ("failed", exc.outcome, *details)
    if isinstance(exc, TransportError) and exc.request_sent is False:
        return ("failed", exc.outcome, type(exc).__name__, exc.http_status, exc.transaction_id, note)
    sent = exc.request_sent if isinstance(exc, TransportError) else None
    status = exc.http_status if isinstance(exc, TransportError) else None
    assert not isinstance(exc, RemoteCodecError) or sent is None
    return ("unknown", exc.outcome, type(exc).__name__, sent, status, exc.transaction_id, note)


def _options() -> dict[str, Any]:
    return {
        "api_key": "API-KEY",
        "vas_id": "12345mms",
        "short_code": "12345",
        "username": "user",
        "password": "secret",
        "carrier_id": "0001470",
        "headers": {"X-Trace": "t1"},
        "retry": RetryPolicy(total_attempts=3, rng=random.Random(7)),
        "timeout": Timeout(connect=5, read=0.3),
    }


def _content() -> list[Part]:
    return [Part.from_text("Hi there"), Part.from_bytes(b"\x89PNG" + bytes(range(256)) * 4, "image/png")]


def _wire(server: LoopbackServer) -> list[tuple[dict[str, str], bytes]]:
    seen = []
    for received in server.requests:
        headers = {k.lower(): v for k, v in received.headers.items() if k.lower() not in HOP_HEADERS}
        assert received.body is not None
        seen.append((headers, received.body))
    return seen


def run_sync(server: LoopbackServer) -> Run:
    delays: list[float] = []
    with MM7Client.for_sinch(endpoint=server.url, sleep=delays.append, **_options()) as client:
        request = client.sinch.submit_request("15553199144", subject="Hello")
        try:
            outcome = _outcome(client.submit(request, content=_content(), transaction_id=TID))
        except MM7Error as exc:
            outcome = _outcome(exc=exc)
    return Run(outcome, delays, _wire(server))


def run_async(server: LoopbackServer) -> Run:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def main() -> tuple[Any, ...]:
        async with AsyncMM7Client.for_sinch(endpoint=server.url, sleep=sleep, **_options()) as client:
            request = client.sinch.submit_request("15553199144", subject="Hello")
            try:
                return _outcome(await client.submit(request, content=_content(), transaction_id=TID))
            except MM7Error as exc:
                return _outcome(exc=exc)

    outcome = asyncio.run(main())
    return Run(outcome, delays, _wire(server))


def _reset_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """MIME boundaries are random; both shells get the same sequence so their bodies can be compared."""
    counter = itertools.count()
    monkeypatch.setattr(mime_encoder, "_new_boundary", lambda: f"mm7-boundary-{next(counter)}")


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_both_shells_send_the_same_bytes_and_reach_the_same_outcome(
    name: str, loopback: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = SCENARIOS[name]
    _reset_boundaries(monkeypatch)
    sync_server = loopback(handler)
    sync = run_sync(sync_server)
    _reset_boundaries(monkeypatch)
    async_server = loopback(handler)
    async_ = run_async(async_server)

    assert async_.outcome == sync.outcome
    assert async_.delays == sync.delays  # same retry decisions, same back-off
    assert len(async_.wire) == len(sync.wire)  # same number of attempts
    for (sync_headers, sync_body), (async_headers, async_body) in zip(sync.wire, async_.wire, strict=True):
        assert async_body == sync_body
        assert async_headers == sync_headers


# (acceptance: did the relay take it, outcome: what to do next, HTTP requests made)
EXPECTED = {
    "1000 SubmitRsp": ("accepted", "success", 1),
    "RSErrorRsp in a Fault (3001)": ("failed", "give_up", 1),  # Sinch 3001: blacklisted number
    "4006 then 1000": ("accepted", "success", 2),
    "3510 every time": ("failed", "retry_later", 3),  # Sinch 3510: throttled, retries exhausted
    "HTTP 429 Retry-After then 1000": ("accepted", "success", 2),
    "HTTP 500 without MM7": ("unknown", "give_up", 1),
    "HTTP 502 HTML": ("unknown", "give_up", 1),
    "timeout before the body": ("unknown", "give_up", 1),
    "timeout after the body started": ("unknown", "give_up", 1),
    "garbage with 200": ("unknown", "give_up", 1),
    "another TransactionID": ("unknown", "give_up", 1),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_table_outcomes(name: str, loopback: Loopback) -> None:
    """What the shared outcome is, so the comparison above cannot pass with both shells wrong alike."""
    server = loopback(SCENARIOS[name])
    run = run_sync(server)
    assert (*run.outcome[:2], len(run.wire)) == EXPECTED[name], run.outcome
