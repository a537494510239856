"""Client metrics and log fields, over real HTTP against the MMSC simulator (and a relay that hangs up).

Counters are read from this process's default registry before and after, so other tests sending in the
same process do not matter. Both shells drive the same protocol core, so the async client moves the
same counters.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator

import pytest

import mm7
from mm7.client import AsyncMM7Client, MM7Client, Rate, RetryPolicy, SubmitResult, Throttle
from mm7.errors import MM7StatusError, TransportError
from mm7.metrics import MESSAGE_ID_FIELD, TRANSACTION_ID_FIELD
from mm7.simulator import MMSCSimulator, SimulatorConfig, SubmitRules

from . import Records, captured, process_series, value

FAST_RETRY = RetryPolicy(backoff_base=0.01, backoff_max=0.05, jitter=False)
REQUESTS = "mm7_client_requests_total"


def requests_counted(outcome: str, status: str, operation: str = "SubmitReq") -> float:
    return value(REQUESTS, operation=operation, acceptance=outcome, status=status)


def submit(client: MM7Client, number: str = "15553199144") -> SubmitResult:
    request = client.sinch.submit_request(number, subject="metrics")
    return client.submit(request, content=[mm7.Part.from_text("hi")])


@pytest.fixture
def simulator() -> Iterator[MMSCSimulator]:
    with MMSCSimulator(SimulatorConfig(rules=SubmitRules(vasp_id="KEY"))) as sim:
        yield sim


def client_for(url: str, api_key: str = "KEY", **options: object) -> MM7Client:
    return MM7Client.for_sinch(
        api_key=api_key, vas_id="12345mms", short_code="12345", endpoint=url, retry=FAST_RETRY, **options
    )


def test_accepted_counts_the_call_and_its_duration(simulator: MMSCSimulator) -> None:
    accepted = requests_counted("accepted", "2xx")
    durations = value("mm7_client_request_duration_seconds_count", operation="SubmitReq")
    with client_for(simulator.url) as client:
        for number in ("15553199144", "15553199145", "15553199146"):
            submit(client, number)
    assert requests_counted("accepted", "2xx") == accepted + 3
    assert value("mm7_client_request_duration_seconds_count", operation="SubmitReq") == durations + 3
    assert value("mm7_client_request_duration_seconds_sum", operation="SubmitReq") > 0


def test_a_refused_request_counts_as_failed_with_its_http_class(simulator: MMSCSimulator) -> None:
    failed = requests_counted("failed", "5xx")  # Sinch answers an error as a Fault under HTTP 500
    accepted = requests_counted("accepted", "2xx")
    with client_for(simulator.url, api_key="WRONG-KEY") as client, pytest.raises(MM7StatusError) as caught:
        submit(client)
    assert caught.value.status_code == 2564  # the simulator's word for a wrong VASPID
    assert requests_counted("failed", "5xx") == failed + 1
    assert requests_counted("accepted", "2xx") == accepted


@pytest.mark.parametrize(
    ("knob", "http_status"), [("http_429_every", 429), ("busy_every", 500)], ids=["http-429", "4006-busy"]
)
def test_retries_are_counted_and_the_call_ends_accepted(knob: str, http_status: int) -> None:
    retries = value("mm7_client_retries_total", operation="SubmitReq")
    accepted = requests_counted("accepted", "2xx")
    config = SimulatorConfig(**{knob: 2}, retry_after=0)  # every 2nd request refused: one retry each
    with MMSCSimulator(config) as sim, client_for(sim.url) as client:
        results = [submit(client, f"1555319914{n}") for n in range(4)]
        refused = [e for e in sim.log.entries(kind="submit") if e.http_status == http_status]
    assert sum(r.attempts - 1 for r in results) == len(refused) >= 1
    assert value("mm7_client_retries_total", operation="SubmitReq") == retries + len(refused)
    assert requests_counted("accepted", "2xx") == accepted + 4


class HangingUpRelay:
    """A relay that reads the request and closes the connection without an answer: the call's fate unknown."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/mm7"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)

    def close(self) -> None:
        self.sock.close()
        self.thread.join(10)


def test_no_answer_after_sending_counts_as_unknown() -> None:
    unknown = requests_counted("unknown", "none")
    relay = HangingUpRelay()
    try:
        with client_for(relay.url) as client, pytest.raises(TransportError) as caught:
            submit(client)
    finally:
        relay.close()
    assert caught.value.request_sent is not False
    assert requests_counted("unknown", "none") == unknown + 1


def test_throttle_waits_are_observed(simulator: MMSCSimulator) -> None:
    waits = value("mm7_client_throttle_wait_seconds_count")
    waited = value("mm7_client_throttle_wait_seconds_sum")
    throttle = Throttle([Rate(2, 1.0)])  # the third submit waits for the first one's second to pass
    with client_for(simulator.url, throttle=throttle) as client:
        for n in range(3):
            submit(client, f"1555319914{n}")
    assert value("mm7_client_throttle_wait_seconds_count") == waits + 3
    assert value("mm7_client_throttle_wait_seconds_sum") - waited > 0.5


def test_the_async_client_reports_its_throttle_waits(simulator: MMSCSimulator) -> None:
    waits = value("mm7_client_throttle_wait_seconds_count")
    waited = value("mm7_client_throttle_wait_seconds_sum")

    async def run() -> None:
        throttle = Throttle([Rate(2, 1.0)])  # the third submit waits for the first one's second to pass
        async with AsyncMM7Client.for_sinch(
            api_key="KEY", vas_id="12345mms", short_code="12345", endpoint=simulator.url, throttle=throttle
        ) as client:
            for n in range(3):
                request = client.sinch.submit_request(f"1555319914{n}", subject="async")
                await client.submit(request, content=[mm7.Part.from_text("hi")])

    asyncio.run(run())
    assert value("mm7_client_throttle_wait_seconds_count") == waits + 3
    assert value("mm7_client_throttle_wait_seconds_sum") - waited > 0.5


def test_the_async_client_moves_the_same_counters(simulator: MMSCSimulator) -> None:
    accepted = requests_counted("accepted", "2xx")
    failed = requests_counted("failed", "5xx")

    async def run() -> None:
        async with AsyncMM7Client.for_sinch(
            api_key="KEY", vas_id="12345mms", short_code="12345", endpoint=simulator.url
        ) as client:
            request = client.sinch.submit_request("15553199144", subject="async")
            await asyncio.gather(*(client.submit(request, content=[mm7.Part.from_text("hi")]) for _ in "ab"))
        async with AsyncMM7Client.for_sinch(
            api_key="WRONG", vas_id="12345mms", short_code="12345", endpoint=simulator.url
        ) as client:
            request = client.sinch.submit_request("15553199144", subject="async")
            with pytest.raises(MM7StatusError):
                await client.submit(request, content=[mm7.Part.from_text("hi")])

    asyncio.run(run())
    assert requests_counted("accepted", "2xx") == accepted + 2
    assert requests_counted("failed", "5xx") == failed + 1


def test_series_stay_fixed_whatever_the_ids(simulator: MMSCSimulator) -> None:
    with client_for(simulator.url) as client:
        submit(client)
        before = process_series("mm7_client_")
        results = [submit(client, f"155531991{n:02d}") for n in range(25)]
    after = process_series("mm7_client_")
    assert after == before  # 25 TransactionIDs, MessageIDs and numbers later: no new series
    text = "\n".join(f"{name}{labels}" for name, labels in after)
    for result in results:
        assert result.transaction_id not in text and (result.message_id or "-") not in text


@pytest.fixture
def client_log() -> Iterator[Records]:
    with captured("mm7.client", logging.DEBUG) as records:
        yield records


def test_log_records_carry_the_transaction_and_message_ids(client_log: Records) -> None:
    config = SimulatorConfig(http_429_every=2, retry_after=0)
    with MMSCSimulator(config) as sim, client_for(sim.url) as client:
        first = submit(client)
        second = submit(client)  # refused with 429 once, then accepted
    assert second.attempts == 2
    by_tid: dict[str, list[logging.LogRecord]] = {}
    for record in client_log.records:
        by_tid.setdefault(getattr(record, TRANSACTION_ID_FIELD), []).append(record)
    assert set(by_tid) == {first.transaction_id, second.transaction_id}
    accepted = [r for r in client_log.records if "accepted" in r.getMessage()]
    assert {(getattr(r, TRANSACTION_ID_FIELD), getattr(r, MESSAGE_ID_FIELD)) for r in accepted} == {
        (first.transaction_id, first.message_id),
        (second.transaction_id, second.message_id),
    }
    retry = [r for r in by_tid[second.transaction_id] if "retrying" in r.getMessage()]
    assert len(retry) == 1 and getattr(retry[0], MESSAGE_ID_FIELD) is None  # not known before the answer
    assert all(hasattr(r, MESSAGE_ID_FIELD) for r in client_log.records)
