"""send_many_async: bounded in-flight submits, results as they complete, progress, the resumable journal.

The kill test runs a campaign in a real subprocess against a real ``mm7 simulate`` process, SIGKILLs it
mid-run and runs it again: the simulator's exchange log shows no recipient received twice and none left
out (a message in flight at the kill is reported ``unknown``, never resent).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mm7 import Part
from mm7.client import AsyncMM7Client, Rate, Throttle
from mm7.client.async_bulk import send_many_async
from mm7.client.bulk import BulkItem, BulkResult, message_key
from mm7.client.journal import Journal
from mm7.client.retry import RetryPolicy
from mm7.errors import ConfigError
from tests.client.conftest import LoopbackServer, Received, Reply, Simulator, answer, error, wait_until

Loopback = Callable[..., LoopbackServer]
ROOT = Path(__file__).resolve().parents[2]
MM7 = Path(sys.executable).parent / "mm7"
NUMBERS = [f"1555319914{i}" for i in range(8)]


def client_for(url: str, **options: Any) -> AsyncMM7Client:
    options.setdefault("retry", RetryPolicy.no_retry())
    return AsyncMM7Client.for_sinch(api_key="K", short_code="12345", endpoint=url, **options)


def items(client: AsyncMM7Client, numbers: list[str] = NUMBERS) -> list[BulkItem]:
    return [
        BulkItem(client.sinch.submit_request(n, subject="Bulk"), content=[Part.from_text(f"Hello {n}")])
        for n in numbers
    ]


def recipient(received: Received) -> str:
    return str(received.decoded().message.recipients.to[0].number[0].value)


def collect(url: str, numbers: list[str] = NUMBERS, **options: Any) -> list[BulkResult]:
    async def main() -> list[BulkResult]:
        async with client_for(url) as client:
            return [result async for result in send_many_async(client, items(client, numbers), **options)]

    return asyncio.run(main())


def test_results_arrive_as_they_complete_with_at_most_max_in_flight(loopback: Loopback) -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()
    first_may_answer = threading.Event()

    def handler(received: Received) -> Reply:
        nonlocal in_flight, most
        number = recipient(received)
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        if number == NUMBERS[0]:
            first_may_answer.wait(10)  # answered once the client has every other result
        with lock:
            in_flight -= 1
        return answer(received, message_id=f"MID-{number}")

    server = loopback(handler)
    calls: list[tuple[int, int]] = []

    def progress(result: BulkResult, done: int, total: int) -> None:
        calls.append((done, total))
        if done == total - 1:
            first_may_answer.set()

    results = collect(server.url, max_in_flight=3, progress=progress)
    assert most <= 3
    assert sorted(r.index for r in results) == list(range(len(NUMBERS)))
    assert results[-1].index == 0, "the slow first message is yielded last, after the others"
    assert all(r.acceptance == "accepted" and r.message_id == f"MID-{NUMBERS[r.index]}" for r in results)
    assert calls == [(i, len(NUMBERS)) for i in range(1, len(NUMBERS) + 1)]
    assert Counter(recipient(r) for r in server.requests) == Counter(NUMBERS)


def test_errors_are_reported_not_raised_and_the_journal_resumes(loopback: Loopback, tmp_path: Path) -> None:
    fail_once = {NUMBERS[2]}

    def handler(received: Received) -> Reply:
        number = recipient(received)
        if number in fail_once:
            fail_once.discard(number)
            return error(received, 2569)  # an answered error: certainly not accepted
        return answer(received, message_id=f"MID-{number}")

    server = loopback(handler)
    journal = tmp_path / "bulk.db"
    first = sorted(collect(server.url, NUMBERS[:4], journal=journal), key=lambda r: r.index)
    assert [r.acceptance for r in first] == ["accepted", "accepted", "failed", "accepted"]
    assert getattr(first[2].error, "status_code", None) == 2569
    with Journal(journal) as opened:  # a Journal object works as well as a path
        second = sorted(collect(server.url, NUMBERS[:4], journal=opened), key=lambda r: r.index)
    assert [(r.acceptance, r.earlier) for r in second] == [
        ("accepted", True),
        ("accepted", True),
        ("accepted", False),
        ("accepted", True),
    ]
    assert [r.message_id for r in second] == [f"MID-{n}" for n in NUMBERS[:4]]
    assert Counter(recipient(r) for r in server.requests) == Counter(
        {**dict.fromkeys(NUMBERS[:4], 1), NUMBERS[2]: 2}
    )


def test_in_doubt_messages_are_not_resent_unless_asked(loopback: Loopback, tmp_path: Path) -> None:
    server = loopback(answer)
    path = tmp_path / "bulk.db"
    client = client_for(server.url)
    batch = items(client, NUMBERS[:2])
    with Journal(path) as journal:
        journal.record_sending(message_key(batch[0].message, batch[0].content), "tid-crashed")
    results = sorted(collect(server.url, NUMBERS[:2], journal=path), key=lambda r: r.index)
    assert (results[0].acceptance, results[0].earlier, results[0].transaction_id) == (
        "unknown",
        True,
        "tid-crashed",
    )
    assert (results[1].acceptance, results[1].earlier) == ("accepted", False)
    assert server.count == 1
    again = sorted(collect(server.url, NUMBERS[:2], journal=path, resend_unknown=True), key=lambda r: r.index)
    assert [(r.acceptance, r.earlier) for r in again] == [("accepted", False), ("accepted", True)]
    assert server.count == 2


def test_a_message_waiting_for_the_throttle_is_not_journalled_as_sending(
    loopback: Loopback, tmp_path: Path
) -> None:
    """The throttle refuses the third message before it is sent: the journal calls it failed, not in doubt."""
    server = loopback(answer)
    throttle = Throttle([Rate(2, 3600.0)])
    path = tmp_path / "bulk.db"

    async def main() -> list[BulkResult]:
        async with client_for(server.url, throttle=throttle, throttle_timeout=0) as client:
            return [r async for r in send_many_async(client, items(client, NUMBERS[:3]), journal=path)]

    results = asyncio.run(main())
    assert Counter(r.acceptance for r in results) == {"accepted": 2, "failed": 1}
    with Journal(path) as journal:
        assert Counter(e.state for e in journal.entries()) == {"accepted": 2}
    assert server.count == 2


def test_leaving_the_loop_early_cancels_what_is_in_flight(loopback: Loopback) -> None:
    release = threading.Event()

    def handler(received: Received) -> Reply:
        if recipient(received) != NUMBERS[0]:
            release.wait(10)
        return answer(received)

    server = loopback(handler)

    async def main() -> BulkResult:
        async with client_for(server.url) as client:
            async for result in send_many_async(client, items(client, NUMBERS[:4]), max_in_flight=4):
                return result
        raise AssertionError("no result")

    try:
        assert asyncio.run(main()).index == 0
    finally:
        release.set()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    async def first(**options: Any) -> None:
        async with client_for("http://127.0.0.1:9/") as client:
            batch = options.pop("batch", items(client, NUMBERS[:1]))
            async for _ in send_many_async(client, batch, **options):
                pass

    with pytest.raises(ConfigError, match="max_in_flight"):
        asyncio.run(first(max_in_flight=0))
    with pytest.raises(ConfigError, match="same key"):
        asyncio.run(first(batch=[BulkItem(object(), key="a"), BulkItem(object(), key="a")]))
    with pytest.raises(ConfigError, match="campaign="):
        asyncio.run(first(journal="postgresql://nobody@127.0.0.1:9/none"))
    with pytest.raises(ConfigError, match="campaign="):
        asyncio.run(first(journal=tmp_path / "x.db", campaign="news"))


# ---------------------------------------------------------------------------------- killed and resumed

CAMPAIGN = textwrap.dedent(
    """
    import asyncio, json, sys
    from mm7 import Part
    from mm7.client import AsyncMM7Client, Rate
    from mm7.client.async_bulk import send_many_async
    from mm7.client.bulk import BulkItem

    url, journal, numbers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

    async def main():
        async with AsyncMM7Client.for_sinch(
            api_key="K", short_code="12345", endpoint=url, rates=[Rate(4, 0.1)]
        ) as client:
            batch = [
                BulkItem(client.sinch.submit_request(n, subject="Bulk"), content=[Part.from_text("Hi " + n)])
                for n in numbers
            ]
            async for r in send_many_async(client, batch, max_in_flight=6, journal=journal):
                outcome = ("earlier-" if r.earlier else "") + r.acceptance
                print(json.dumps([numbers[r.index], outcome, r.message_id]), flush=True)

    asyncio.run(main())
    """
)


def run_campaign(url: str, journal: str, numbers: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CAMPAIGN, url, journal, json.dumps(numbers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.slow
def test_killed_async_campaign_resumes_without_sending_anything_twice(
    simulator: Simulator, tmp_path: Path
) -> None:
    numbers = [f"155531{i:05d}" for i in range(120)]  # 40/s: about 3 s
    journal = str(tmp_path / "campaign.db")

    first = run_campaign(simulator.url, journal, numbers)
    try:
        wait_until(lambda: len(simulator.submits()) >= 40 or first.poll() is not None)
        first.send_signal(signal.SIGKILL)
        assert first.wait(30) == -signal.SIGKILL, first.communicate()[1]
    finally:
        if first.poll() is None:
            first.kill()
        out1, _ = first.communicate()
    reported_1 = {json.loads(line)[0] for line in out1.splitlines()}
    received_1 = Counter(e["recipient"] for e in simulator.submits())
    assert 40 <= sum(received_1.values()) < len(numbers), "killed mid-run"

    second = run_campaign(simulator.url, journal, numbers)
    out2, err2 = second.communicate(timeout=120)
    assert second.returncode == 0, err2
    outcomes = {n: (o, m) for n, o, m in map(json.loads, out2.splitlines())}
    received = Counter(e["recipient"] for e in simulator.submits())
    answered = {e["recipient"]: e["message_id"] for e in simulator.submits()}

    assert set(outcomes) == set(numbers)
    assert max(received.values()) == 1, "no recipient received a second SubmitReq"
    for number, (outcome, message_id) in outcomes.items():
        if number in reported_1:
            # Its result reached run 1's output, so its answer reached the journal: reported, not resent.
            assert (outcome, message_id) == ("earlier-accepted", answered[number])
        elif outcome == "earlier-unknown":
            # In flight at the kill: "sending" in the journal, maybe received, not resent.
            assert received[number] <= 1
        else:
            assert (outcome, message_id) in {
                ("accepted", answered[number]),
                ("earlier-accepted", answered[number]),
            }
            assert received[number] == 1
    in_doubt = {n for n, (o, _) in outcomes.items() if o == "earlier-unknown"}
    assert len(in_doubt) <= 6, "at most max_in_flight messages can be in doubt"
    assert set(received) | in_doubt == set(numbers), "nothing skipped"
    assert sum(received_1.values()) + sum(o == "accepted" for o, _ in outcomes.values()) == sum(
        received.values()
    )
