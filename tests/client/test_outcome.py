"""The outcome model (mm7.outcome), row by row: MM7 statuses, HTTP statuses, transport failures, errors.

The tables below are written from TS 23.140's meanings and Sinch's published advice (docs/sinch.md), not
read back from the code; the exchanges run against a real loopback server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import mm7
from mm7.client import MM7Client, Timeout
from mm7.client.retry import RetryPolicy
from mm7.codec.status import SINCH, THREEGPP, lookup
from mm7.errors import (
    ConfigError,
    LocalCodecError,
    MM7Error,
    MM7StatusError,
    RemoteCodecError,
    TransportError,
)
from mm7.outcome import OUTCOMES, outcome_of_http, outcome_of_status
from tests.client.conftest import LoopbackServer, Received, Reply, answer, error

THREEGPP_ROWS = {
    1000: "success",
    1100: "success",  # partial success: the relay took it
    2000: "fix_request",
    2001: "fix_request",
    2002: "fix_request",
    2003: "fix_request",
    2004: "fix_request",
    2005: "fix_request",
    2006: "fix_request",
    2007: "fix_request",
    2008: "fix_request",
    2009: "fix_request",
    3000: "give_up",
    3001: "give_up",
    3002: "give_up",
    3003: "fix_request",  # send once per recipient
    3004: "fix_request",
    4000: "give_up",
    4001: "fix_request",  # identification
    4002: "fix_request",  # version
    4003: "fix_request",  # operation
    4004: "fix_request",  # validation
    4005: "give_up",  # "should not be resent"
    4006: "retry_later",  # busy
    4007: "give_up",
    4008: "fix_request",
    # Codes no table lists: their class (TS 23.140: an unknown code reads as its class's x000).
    2750: "fix_request",
    3750: "give_up",
    4750: "give_up",
    999: "give_up",
    5000: "give_up",
}

# Sinch's advice (docs/sinch.md): retry 2569, 3000 (a few times), 3500, 3510, 4006; 3001 never.
SINCH_ROWS = {
    2569: "retry_later",
    3000: "retry_later",
    3001: "give_up",
    3500: "retry_later",
    3510: "retry_later",
}

HTTP_ROWS: list[tuple[int | None, bool | None, str]] = [
    (401, True, "fix_request"),
    (403, True, "fix_request"),
    (404, True, "fix_request"),
    (413, True, "fix_request"),
    (415, True, "fix_request"),
    (408, True, "retry_later"),
    (429, True, "retry_later"),
    (503, True, "retry_later"),
    (500, True, "give_up"),  # no MM7 answer: the relay may have taken it
    (502, True, "give_up"),
    (504, True, "give_up"),
    (200, True, "give_up"),  # a success status without an MM7 answer
    (301, True, "fix_request"),  # MM7 has no redirects: the endpoint is wrong
    (None, False, "retry_later"),  # refused connection: nothing was sent
    (None, None, "give_up"),  # cut while sending
    (None, True, "give_up"),  # sent, no answer
]


@pytest.mark.parametrize(("code", "expected"), THREEGPP_ROWS.items())
def test_3gpp_status_rows(code: int, expected: str) -> None:
    assert lookup(code, THREEGPP).outcome == expected
    built = mm7.codec.status.error_for_status(code, table=THREEGPP) if code >= 2000 else None
    if built is not None:
        assert built.outcome == expected


@pytest.mark.parametrize(("code", "expected"), SINCH_ROWS.items())
def test_sinch_status_rows(code: int, expected: str) -> None:
    assert lookup(code, SINCH).outcome == expected
    assert mm7.codec.status.error_for_status(code, table=SINCH).outcome == expected


@pytest.mark.parametrize(("http_status", "request_sent", "expected"), HTTP_ROWS)
def test_http_and_transport_rows(http_status: int | None, request_sent: bool | None, expected: str) -> None:
    assert outcome_of_http(http_status, request_sent=request_sent) == expected
    error = TransportError("x", http_status=http_status, request_sent=request_sent)
    assert error.outcome == expected


def test_every_outcome_is_one_of_four_and_local_mistakes_are_fix_request() -> None:
    assert set(THREEGPP_ROWS.values()) | set(SINCH_ROWS.values()) == set(OUTCOMES)
    assert ConfigError("x").outcome == "fix_request"
    assert LocalCodecError("x").outcome == "fix_request"
    assert RemoteCodecError("x").outcome == "give_up"
    assert MM7StatusError(2002, retryable=True).outcome == "retry_later"  # a table's "retry" wins
    assert outcome_of_status(2002, retryable=False) == "fix_request"


# ------------------------------------------------------------------------------------ over HTTP


def _plain(status: int, headers: dict[str, str] | None = None) -> Callable[[Received], Reply]:
    return lambda received: (status, {"Content-Type": "text/html", **(headers or {})}, b"<html>no</html>")


EXCHANGES: dict[str, tuple[Callable[[Received], Reply], str, str]] = {
    # name: (server behaviour, acceptance, outcome)
    "1000": (answer, "accepted", "success"),
    "2002 address error": (lambda r: error(r, 2002), "failed", "fix_request"),
    "4006 every time": (lambda r: error(r, 4006), "failed", "retry_later"),
    "3002 rejected": (lambda r: error(r, 3002), "failed", "give_up"),
    "HTTP 401": (_plain(401, {"WWW-Authenticate": 'Basic realm="x"'}), "failed", "fix_request"),
    "HTTP 403": (_plain(403), "failed", "fix_request"),
    "HTTP 413": (_plain(413), "failed", "fix_request"),
    "HTTP 429 every time": (_plain(429, {"Retry-After": "0"}), "failed", "retry_later"),
    "HTTP 502": (_plain(502), "unknown", "give_up"),
}


@pytest.mark.parametrize("name", list(EXCHANGES))
def test_exchanges_end_with_their_outcome(name: str, loopback: Callable[..., LoopbackServer]) -> None:
    behaviour, acceptance, outcome = EXCHANGES[name]
    server = loopback(behaviour)
    options: dict[str, Any] = {"retry": RetryPolicy(total_attempts=2), "sleep": lambda seconds: None}
    with MM7Client(server.url, **options) as client:
        request = mm7.submit_request(to=["15551234567"], sender="12345", subject="outcome")
        try:
            result = client.submit(request, content=[mm7.Part.from_text("hi")])
        except MM7Error as exc:
            assert exc.outcome == outcome, exc
            sent = getattr(exc, "request_sent", True)
            status_known = isinstance(exc, MM7StatusError) or (sent is False)
            http = getattr(exc, "http_status", None)
            definitely_refused = http is not None and (400 <= http < 500)
            assert ("failed" if status_known or definitely_refused else "unknown") == acceptance
        else:
            assert (result.acceptance, result.outcome) == (acceptance, outcome)


def test_a_refused_connection_is_retry_later(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/mm7"
    policy = RetryPolicy(total_attempts=1)
    with MM7Client(url, retry=policy, timeout=Timeout(connect=2, read=2)) as client:
        request = mm7.submit_request(to=["15551234567"], sender="12345")
        with pytest.raises(TransportError) as failure:
            client.submit(request, content=[mm7.Part.from_text("hi")])
    assert failure.value.request_sent is False
    assert failure.value.outcome == "retry_later"
