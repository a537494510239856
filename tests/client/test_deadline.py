"""Deadlines: per attempt (``Timeout.total``) and per call (``MM7Client(deadline=...)``), against a real
relay on 127.0.0.1 that drips its answer one byte every 2 s (so the 5 s read timeout never fires)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from mm7 import Part
from mm7.client import DeadlineExceeded, MM7Client, RetryPolicy, Timeout
from mm7.client.bulk import BulkItem, send_many
from mm7.errors import ConfigError, TransportError
from tests.client.conftest import Drip, LoopbackServer, Received, Reply, answer

Loopback = Callable[..., LoopbackServer]
SLACK = 1.0  # scheduling, thread start and socket teardown on a loaded CI machine


def dripping(received: Received) -> Reply:
    status, headers, body = answer(received)
    assert isinstance(body, bytes)
    return status, headers, Drip(body, interval=2.0)


def client_for(url: str, **options: Any) -> MM7Client:
    options.setdefault("timeout", Timeout(connect=5, read=5))
    return MM7Client.for_sinch(api_key="K", vas_id="12345mms", short_code="12345", endpoint=url, **options)


def submit(client: MM7Client, to: str = "15553199144") -> Any:
    return client.submit(client.sinch.submit_request(to, subject="Hi"), content=[Part.from_text("Hello")])


def test_attempt_deadline_ends_a_dripping_answer_with_an_ambiguous_timeout(loopback: Loopback) -> None:
    server = loopback(dripping)
    client = client_for(server.url, timeout=Timeout(connect=5, read=5, total=1.5))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        submit(client)
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 1.5 + SLACK
    error = info.value
    assert isinstance(error, TransportError)
    assert error.request_sent is True and error.ambiguous and error.phase == "sent"
    assert error.deadline == 1.5 and error.transaction_id
    assert "may have been accepted" in str(error)
    # Ambiguous: the default policy does not send it again (a duplicate MMS is worse than a timeout).
    assert server.count == 1
    assert "not retried" in " ".join(getattr(error, "__notes__", []))


def test_call_deadline_bounds_a_dripping_answer_and_is_not_retried(loopback: Loopback) -> None:
    server = loopback(dripping)
    client = client_for(server.url, deadline=1.2)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        submit(client)
    assert time.monotonic() - started < 1.2 + SLACK
    assert info.value.ambiguous and server.count == 1


def test_per_call_deadline_argument_overrides_the_clients(loopback: Loopback) -> None:
    server = loopback(dripping)
    client = client_for(server.url, deadline=60)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        client.submit(client.sinch.submit_request("15553199144"), content=[Part.from_text("x")], deadline=0.8)
    assert time.monotonic() - started < 0.8 + SLACK


def test_call_deadline_covers_retries_and_their_waits(loopback: Loopback) -> None:
    server = loopback(lambda received: (503, {"Retry-After": "1"}, b"busy"))
    policy = RetryPolicy(total_attempts=50, backoff_base=0.1, backoff_max=5, jitter=False)
    client = client_for(server.url, deadline=2.5, retry=policy)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        submit(client)
    elapsed = time.monotonic() - started
    assert elapsed < 2.5 + SLACK
    assert info.value.http_status == 503 and 2 <= server.count <= 3
    assert "deadline would pass" in " ".join(getattr(info.value, "__notes__", []))


def test_deadlines_do_not_disturb_quick_answers_on_a_kept_alive_connection(loopback: Loopback) -> None:
    server = loopback(answer)
    client = client_for(server.url, timeout=Timeout(connect=5, read=5, total=0.5), deadline=2)
    ids = [submit(client).message_id for _ in range(3)]
    time.sleep(0.7)  # past every attempt's deadline: a late timer must not break the pooled connection
    ids.append(submit(client).message_id)
    assert ids == ["MID-0", "MID-1", "MID-2", "MID-3"]


def test_retry_of_an_ambiguous_timeout_is_opt_in(loopback: Loopback) -> None:
    server = loopback(dripping)
    policy = RetryPolicy(total_attempts=2, retry_ambiguous=True, backoff_base=0, jitter=False)
    client = client_for(server.url, timeout=Timeout(connect=5, read=5, total=0.6), retry=policy)
    with pytest.raises(DeadlineExceeded):
        submit(client)
    assert server.count == 2


def test_send_many_deadline_makes_dripping_items_unknown(loopback: Loopback) -> None:
    server = loopback(dripping)
    client = client_for(server.url)
    numbers = ["15553199140", "15553199141", "15553199142"]
    items = [BulkItem(client.sinch.submit_request(n), [Part.from_text("x")]) for n in numbers]
    started = time.monotonic()
    results = send_many(client, items, concurrency=3, deadline=1.0)
    assert time.monotonic() - started < 1.0 + SLACK
    assert [r.acceptance for r in results] == ["unknown"] * 3
    assert all(isinstance(r.error, DeadlineExceeded) for r in results)
    assert server.count == 3


def test_deadlines_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        Timeout(total=0)
    with pytest.raises(ConfigError):
        MM7Client("http://127.0.0.1:1/", deadline=-1)
