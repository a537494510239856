"""The load-test knobs: latency, HTTP 429 every N requests, 4006 every N SubmitReqs.

Each runs through ``mm7 simulate`` (a real process, as users start it) and through the library
(``SimulatorConfig``); the latency also with 500 requests in flight at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

import mm7
from mm7.codec.status import SINCH
from mm7.errors import ConfigError
from mm7.simulator import MMSCSimulator, ServerThread, SimulatorConfig, SubmitRules

from . import Receiver, simulate_process, status_of, submit_wire

#: Requests in flight at once in the concurrency test, and the latency each one waits.
IN_FLIGHT = 500
LATENCY = 0.25
#: Bound for all of them (500 at 0.25 s one after the other would take 125 s).
ALL_ANSWERED_WITHIN = 10.0


def _outcome(response: requests.Response) -> int | None:
    """429 for an HTTP 429, else the MM7 StatusCode."""
    return 429 if response.status_code == 429 else status_of(response)


def _submit_all(url: str, count: int) -> list[requests.Response]:
    with requests.Session() as session:
        responses = []
        for _ in range(count):
            wire = submit_wire()
            responses.append(session.post(url, data=wire.to_bytes(), headers=wire.headers, timeout=10))
        return responses


# --------------------------------------------------------------------------------- through the library


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_http_429_every_nth_request_with_retry_after() -> None:
    with MMSCSimulator(SimulatorConfig(http_429_every=3, retry_after=7)) as sim:
        responses = _submit_all(sim.url, 7)
        log = sim.log.entries(kind="submit")
    assert [_outcome(r) for r in responses] == [1000, 1000, 429, 1000, 1000, 429, 1000]
    refused = [r for r in responses if r.status_code == 429]
    assert all(r.headers["Retry-After"] == "7" for r in refused)
    assert [e.http_status for e in log] == [200, 200, 429, 200, 200, 429, 200]


def test_busy_every_nth_submit_is_4006_and_gets_no_reports(receiver: Receiver) -> None:
    config = SimulatorConfig(busy_every=2, dr_url=receiver.url, report_delay=0.01)
    with MMSCSimulator(config) as sim:
        wires = [submit_wire() for _ in range(4)]
        responses = [requests.post(sim.url, data=w.to_bytes(), headers=w.headers, timeout=10) for w in wires]
        assert sim.postbacks.wait_idle(10)
    answers = [mm7.decode(r.content, r.headers["Content-Type"], mode="tolerant") for r in responses]
    assert [a.status_code for a in answers] == [1000, 4006, 1000, 4006]
    assert [r.status_code for r in responses] == [200, 500, 200, 500]  # a Fault travels with HTTP 500
    assert [a.transaction_id for a in answers] == [w.transaction_id for w in wires]
    assert answers[1].status_text == SINCH[4006].name  # "Carrier capacity reached": retry later
    assert SINCH[4006].retryable
    reported = {c.decoded.message.message_id for c in receiver.calls if c.decoded is not None}
    assert reported == {answers[0].message.message_id, answers[2].message.message_id}


def test_rejected_submits_do_not_count_towards_busy_every() -> None:
    with MMSCSimulator(SimulatorConfig(busy_every=2, rules=SubmitRules(vasp_id="KEY"))) as sim:
        codes = []
        for wire in (submit_wire(), submit_wire(vasp_id="OTHER"), submit_wire(), submit_wire()):
            response = requests.post(sim.url, data=wire.to_bytes(), headers=wire.headers, timeout=10)
            codes.append(status_of(response))
    assert codes == [1000, 2564, 4006, 1000]


def test_latency_delays_answers_without_blocking_others(receiver: Receiver) -> None:
    latency, clients = 0.5, 20
    config = SimulatorConfig(latency=latency, dr_url=receiver.url, report_delay=0.01)
    elapsed: list[float] = []
    codes: list[int | None] = []
    lock = threading.Lock()

    def one(sim_url: str) -> None:
        wire = submit_wire()
        started = time.monotonic()
        response = requests.post(sim_url, data=wire.to_bytes(), headers=wire.headers, timeout=30)
        with lock:
            elapsed.append(time.monotonic() - started)
            codes.append(status_of(response))

    with MMSCSimulator(config) as sim:
        started = time.monotonic()
        threads = [threading.Thread(target=one, args=(sim.url,)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        total = time.monotonic() - started
        assert sim.postbacks.wait_idle(10)
        health = requests.get(sim.url.replace("/mm7/v1/", "/_sim/health"), timeout=10)
    assert codes == [1000] * clients
    assert min(elapsed) >= latency  # every answer waited
    assert total < clients * latency / 2  # ... at the same time, not one after the other (10 s)
    assert health.status_code == 200
    assert len(receiver.calls) == 2 * clients  # Forwarded and Retrieved for each, latency or not


def test_knobs_apply_under_a_wsgi_server_too() -> None:
    sim = MMSCSimulator(SimulatorConfig(http_429_every=2, busy_every=2, latency=0.05))
    server = ServerThread(sim)
    try:
        url = server.base_url + "/mm7/v1/"
        started = time.monotonic()
        outcomes = [_outcome(r) for r in _submit_all(url, 5)]
        assert time.monotonic() - started >= 5 * 0.05
    finally:
        server.stop()
        sim.stop()
    assert outcomes == [1000, 429, 4006, 429, 1000]


@pytest.mark.parametrize(
    "options",
    [{"latency": -1.0}, {"http_429_every": 0}, {"busy_every": 0}, {"retry_after": -1}],
)
def test_nonsense_knobs_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        SimulatorConfig(**options)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- through mm7 simulate


def test_mm7_simulate_http_429_and_busy_every() -> None:
    with simulate_process("--http-429-every", "4", "--busy-every", "2", "--retry-after", "3") as url:
        responses = _submit_all(url, 8)
    # 429 counts every request (4th, 8th); 4006 counts the SubmitReqs that would be accepted (2nd, 4th, 6th).
    assert [_outcome(r) for r in responses] == [1000, 4006, 1000, 429, 4006, 1000, 4006, 429]
    assert [r.headers.get("Retry-After") for r in responses if r.status_code == 429] == ["3", "3"]


async def _post_raw(host: str, port: int, request: bytes) -> tuple[int, bytes, float]:
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        raw = await reader.read()  # Connection: close: the answer ends at EOF
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body, time.monotonic() - started


async def _in_flight(url: str, count: int) -> tuple[list[tuple[int, bytes, float]], float]:
    split = urlsplit(url)
    assert split.hostname is not None and split.port is not None
    wire = submit_wire()
    body = wire.to_bytes()
    head = "".join(f"{name}: {value}\r\n" for name, value in wire.headers.items() if name != "Content-Length")
    request = (
        f"POST {split.path} HTTP/1.1\r\nHost: {split.netloc}\r\nContent-Length: {len(body)}\r\n"
        f"{head}Connection: close\r\n\r\n"
    ).encode() + body
    started = time.monotonic()
    answers = await asyncio.gather(*(_post_raw(split.hostname, split.port, request) for _ in range(count)))
    return answers, time.monotonic() - started


def test_mm7_simulate_holds_500_slow_requests_in_flight() -> None:
    with simulate_process("--latency", str(LATENCY)) as url:
        answers, total = asyncio.run(_in_flight(url, IN_FLIGHT))
        log = requests.get(url.replace("/mm7/v1/", "/_sim/log"), timeout=10).json()
    assert len(answers) == IN_FLIGHT  # none refused or reset: gather raises on any error
    assert {status for status, _, _ in answers} == {200}
    assert all(b"SubmitRsp" in body and b"1000" in body for _, body, _ in answers)
    assert min(seconds for _, _, seconds in answers) >= LATENCY
    assert total < ALL_ANSWERED_WITHIN, f"{IN_FLIGHT} requests at {LATENCY} s latency took {total:.1f} s"
    assert len(log) == IN_FLIGHT and {e["status_code"] for e in log} == {1000}
