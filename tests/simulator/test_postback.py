"""Sinch's postback contract: HTTP 200, matching TransactionID, StatusCode 1000; else up to 5 retries."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from mm7.codec.messages import DecodedMessage
from mm7.simulator import MMSCSimulator, SimulatorConfig

from . import Answer, Receiver, acknowledge, post, status_of, submit_wire


def _run(receiver: Receiver, **config: object) -> MMSCSimulator:
    options: dict[str, object] = {
        "dr_url": receiver.url,
        "reports": ("Retrieved",),
        "report_delay": 0.0,
        "retry_interval": 0.05,
        **config,
    }
    sim = MMSCSimulator(SimulatorConfig(**options))  # type: ignore[arg-type]
    sim.start()
    wire = submit_wire()
    assert status_of(post(sim.url, wire.to_bytes(), wire.headers)) == 1000
    return sim


@pytest.fixture
def receiver_factory() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()


def test_two_500s_then_200_means_exactly_two_retries(receiver_factory: list[Receiver]) -> None:
    def flaky(decoded: DecodedMessage, seen: int) -> Answer:
        return (500, b"busy", "text/plain") if seen < 2 else acknowledge(decoded)

    receiver = Receiver(flaky)
    receiver_factory.append(receiver)
    sim = _run(receiver)
    try:
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert len(receiver.calls) == 3
    assert len({call.transaction_id for call in receiver.calls}) == 1  # the same notification each time
    attempts = sim.log.entries(kind="delivery_report")
    assert [(e.attempt, e.ok, e.http_status) for e in attempts] == [
        (1, False, 500),
        (2, False, 500),
        (3, True, 200),
    ]


def test_wrong_transaction_id_is_retried_up_to_the_limit(receiver_factory: list[Receiver]) -> None:
    def wrong_tid(decoded: DecodedMessage, seen: int) -> Answer:
        return acknowledge(decoded, transaction_id="not-" + decoded.transaction_id)

    receiver = Receiver(wrong_tid)
    receiver_factory.append(receiver)
    sim = _run(receiver)
    try:
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert len(receiver.calls) == 6  # first attempt + 5 retries
    entries = sim.log.entries(kind="delivery_report")
    assert [e.attempt for e in entries] == [1, 2, 3, 4, 5, 6]
    assert not any(e.ok for e in entries)
    assert "does not match" in entries[0].detail and "giving up" in entries[-1].detail


def test_error_status_and_configured_retry_limit(receiver_factory: list[Receiver]) -> None:
    receiver = Receiver(lambda decoded, seen: acknowledge(decoded, status=3000))
    receiver_factory.append(receiver)
    sim = _run(receiver, max_retries=2)
    try:
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert len(receiver.calls) == 3
    assert {e.status_code for e in sim.log.entries(kind="delivery_report")} == {3000}


def test_undecodable_answer_is_a_failure(receiver_factory: list[Receiver]) -> None:
    receiver = Receiver(
        lambda decoded, seen: (200, b"OK", "text/plain") if seen == 0 else acknowledge(decoded)
    )
    receiver_factory.append(receiver)
    sim = _run(receiver)
    try:
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert [e.ok for e in sim.log.entries(kind="delivery_report")] == [False, True]
    assert "undecodable" in sim.log.entries(kind="delivery_report")[0].detail


def test_unreachable_receiver_is_retried_then_abandoned() -> None:
    sim = MMSCSimulator(
        SimulatorConfig(
            dr_url="http://127.0.0.1:9/",
            reports=("Retrieved",),
            report_delay=0,
            retry_interval=0.01,
            max_retries=1,
        )
    )
    sim.start()
    try:
        wire = submit_wire()
        post(sim.url, wire.to_bytes(), wire.headers)
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    entries = sim.log.entries(kind="delivery_report")
    assert [(e.attempt, e.http_status, e.ok) for e in entries] == [(1, 0, False), (2, 0, False)]


def _acknowledged(sim: MMSCSimulator) -> list[tuple[int, bool]]:
    return [(e.attempt, e.ok) for e in sim.log.entries(kind="delivery_report")]


def test_reports_to_one_receiver_share_one_kept_alive_connection(receiver_factory: list[Receiver]) -> None:
    receiver = Receiver(keep_alive=True)
    receiver_factory.append(receiver)
    sim = _run(receiver, reports=("Forwarded", "Retrieved"))
    try:
        for _ in range(2):
            wire = submit_wire()
            assert status_of(post(sim.url, wire.to_bytes(), wire.headers)) == 1000
        assert receiver.wait_for(lambda calls: len(calls) == 6)
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert _acknowledged(sim) == [(1, True)] * 6
    assert len({call.client_port for call in receiver.calls}) == 1


def test_a_connection_the_receiver_closed_is_replaced(receiver_factory: list[Receiver]) -> None:
    receiver = Receiver(keep_alive=True, close_after=True)
    receiver_factory.append(receiver)
    sim = _run(receiver, reports=("Forwarded", "Retrieved"), report_delay=0.3)
    try:
        assert receiver.wait_for(lambda calls: len(calls) == 2)
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert _acknowledged(sim) == [(1, True), (1, True)]  # no failed attempt on the closed connection
    assert len({call.client_port for call in receiver.calls}) == 2


def test_a_configured_proxy_is_used(
    receiver_factory: list[Receiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on port 9: a report that goes through the proxy cannot be delivered.
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    receiver = Receiver()
    receiver_factory.append(receiver)
    config = SimulatorConfig(dr_url=receiver.url, reports=("Retrieved",), report_delay=0, max_retries=0)
    wire = submit_wire()
    with MMSCSimulator(config) as sim, requests.Session() as session:
        session.trust_env = False  # this test's own request goes straight to the simulator
        answer = session.post(sim.url, data=wire.to_bytes(), headers=wire.headers, timeout=10)
        assert status_of(answer) == 1000
        assert sim.postbacks.wait_idle(10)
    assert receiver.calls == []
    entries = sim.log.entries(kind="delivery_report")
    assert [(e.ok, e.http_status) for e in entries] == [(False, 0)]
    assert "Proxy" in entries[0].detail


def test_kept_alive_connection_with_a_descriptor_number_above_1024(receiver_factory: list[Receiver]) -> None:
    # A load test holds many sockets: the postback connection's descriptor can be above select()'s limit.
    filler = [socket.socket() for _ in range(1100)]
    try:
        receiver = Receiver(keep_alive=True)
        receiver_factory.append(receiver)
        sim = _run(receiver, reports=("Forwarded", "Retrieved"))
        try:
            assert receiver.wait_for(lambda calls: len(calls) == 2)
            assert sim.postbacks.wait_idle(10)
        finally:
            sim.stop()
    finally:
        for sock in filler:
            sock.close()
    assert _acknowledged(sim) == [(1, True), (1, True)]
    assert len({call.client_port for call in receiver.calls}) == 1
