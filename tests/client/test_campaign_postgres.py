"""A campaign shared through PostgreSQL: claims, the shared throttle, and three sender processes.

The end-to-end test runs three real sender processes (a script on the public API, as a user would deploy
it on three hosts) against one real ``mm7 simulate`` and one PostgreSQL server, SIGKILLs one of them
mid-run, and reads what the simulator received: no recipient twice, none left out (a message the killed
process had in flight is ``unknown`` in the journal, never resent), and the combined rate, from the
simulator's receive timestamps, within 10% of the account's limit.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from mm7.client import AsyncMM7Client, Rate
from mm7.client.async_bulk import send_many_async
from mm7.client.postgres import PostgresJournal, PostgresThrottle
from mm7.client.throttle import ThrottleTimeout
from mm7.errors import ConfigError
from tests.client.conftest import Simulator, wait_until

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "client.md"
KEYS = [f"k{i}" for i in range(5)]


def test_senders_claim_disjoint_messages_and_a_dead_senders_claims_are_freed(pg_url: str) -> None:
    with PostgresJournal(pg_url, "c") as a, PostgresJournal(pg_url, "c") as b:
        a.start(KEYS)
        b.start(list(reversed(KEYS)))  # the same keys, in any order
        first, second = a.claim(), b.claim()
        assert (first, second) == ("k0", "k1"), "campaign order; never the same message"
        assert a.record_sending("k0", "tid-0") and not b.record_sending("k0", "tid-x"), "only the claimer"
        a.record_accepted("k0", "MID-0")
        dead = PostgresJournal(pg_url, "c")
        assert dead.claim() == "k2"
        assert dead.claim() == "k3" and dead.record_sending("k3", "tid-3")
        dead.close()  # its session ends: k2 (claimed, never sent) is free again, k3 (sending) is in doubt
        wait_until(lambda: sessions(pg_url) == 2, timeout=10)  # the server has seen it go
        assert [b.claim(), b.claim(), b.claim()] == ["k2", "k4", None]
        entries = {e.key: (e.state, e.acceptance, e.transaction_id, e.message_id) for e in a.entries()}
        assert entries == {
            "k0": ("accepted", "accepted", "tid-0", "MID-0"),
            "k3": ("sending", "unknown", "tid-3", None),
        }
        assert a.get("k3") is not None and a.get("k1") is None  # claimed, not sent: no entry yet


def sessions(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_failed_and_in_doubt_messages_on_the_next_run(pg_url: str) -> None:
    with PostgresJournal(pg_url, "c") as run1:
        run1.start(KEYS[:3])
        for key in KEYS[:3]:
            assert run1.claim() == key and run1.record_sending(key, f"tid-{key}")
        run1.record_failed("k0", "2569 refused")
        run1.record_unknown("k1", "timed out")
        assert run1.claim() is None, "a failure is not retried by the run that saw it"
    with PostgresJournal(pg_url, "c") as run2:
        run2.start(KEYS[:3])
        assert run2.claim() == "k0", "failed: sent again by a later run"
        assert run2.claim() is None, "unknown and sending (its owner is gone) stay in doubt"
    with PostgresJournal(pg_url, "c") as run3:
        run3.start(KEYS[:3])
        # k0: run 2 claimed it and ended without sending it; k1, k2: in doubt, and asked for.
        assert [run3.claim(resend_unknown=True) for _ in range(4)] == ["k0", "k1", "k2", None]


def test_a_campaign_keeps_its_messages(pg_url: str) -> None:
    with PostgresJournal(pg_url, "c") as journal:
        journal.start(KEYS)
        with pytest.raises(ConfigError, match="other messages"):
            journal.start(KEYS[:4])
    with PostgresJournal(pg_url, "other") as journal:
        journal.start(KEYS[:4])  # another campaign may
        assert journal.counts() == {"pending": 4}


def test_shared_throttle_reserves_slots_across_connections(pg_url: str) -> None:
    a = PostgresThrottle(pg_url, "sinch:K", [Rate(3, 30.0)])
    b = PostgresThrottle(pg_url, "sinch:K", [Rate(3, 30.0)])
    try:
        assert a.acquire(timeout=0) == 0 and b.acquire(timeout=0) == 0 and a.acquire(timeout=0) == 0
        with pytest.raises(ThrottleTimeout) as refused:
            asyncio.run(b.acquire_async(timeout=1))
        assert 25 < refused.value.wait_needed <= 30, "the 4th slot is one window after the first"
        with pytest.raises(ConfigError, match="stored with rates"):
            PostgresThrottle(pg_url, "sinch:K", [Rate(5, 1.0)])
    finally:
        a.close()
        b.close()


def test_a_shared_campaign_refuses_an_in_process_throttle(pg_url: str) -> None:
    async def main() -> None:
        async with AsyncMM7Client.for_sinch(
            api_key="in-process", short_code="12345", endpoint="http://127.0.0.1:9/", rates=[Rate(5, 1.0)]
        ) as client:
            request = client.sinch.submit_request("15553199144")
            async for _ in send_many_async(client, [request], journal=pg_url, campaign="c"):
                pass

    with pytest.raises(ConfigError, match="PostgresThrottle"):
        asyncio.run(main())


# ------------------------------------------------------------------------- three processes, one killed


def documented_sender() -> str:
    """The sender script docs/client.md shows for a campaign across processes and hosts."""
    section = DOC.read_text(encoding="utf-8").split("## One campaign, several processes and hosts", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def sender(script: Path, endpoint: str, database: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=script.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MM7_ENDPOINT": endpoint, "MM7_CAMPAIGN_DB": database},
    )


@pytest.mark.slow
def test_three_senders_one_killed_share_one_campaign_under_one_rate(
    simulator: Simulator, pg_url: str, tmp_path: Path
) -> None:
    numbers = [f"155532{i:05d}" for i in range(200)]  # 40/s: about 5 s
    (tmp_path / "numbers.txt").write_text("\n".join(numbers) + "\n")
    script = tmp_path / "send_news.py"
    script.write_text(documented_sender())
    senders = [sender(script, simulator.url, pg_url) for _ in range(3)]
    outputs: list[str] = []
    try:
        wait_until(lambda: len(simulator.submits()) >= 60 or any(p.poll() is not None for p in senders))
        senders[0].send_signal(signal.SIGKILL)
        at_kill = len(simulator.submits())
        for process in senders:
            out, err = process.communicate(timeout=120)
            outputs.append(out)
            assert process.returncode == (-signal.SIGKILL if process is senders[0] else 0), err
    finally:
        for process in senders:
            if process.poll() is None:
                process.kill()
                process.communicate()

    submits = simulator.submits()
    received = Counter(e["recipient"] for e in submits)
    answered = {e["recipient"]: e["message_id"] for e in submits}
    assert 60 <= at_kill < len(numbers) - 20, "the kill came mid-run"
    assert max(received.values()) == 1, "no recipient received a second SubmitReq"
    assert len({e["transaction_id"] for e in submits}) == len(submits)

    # Every result a sender printed is its own message, reported once, as the relay answered it.
    printed = [line.split() for out in outputs for line in out.splitlines()]
    assert len({number for number, _, _, _ in printed}) == len(printed)
    assert all(
        (acceptance, outcome) == ("accepted", "success") and answered[n] == mid
        for n, acceptance, outcome, mid in printed
    )
    assert all(len(out.splitlines()) > 0 for out in outputs[1:]), "both survivors did their share"

    # The campaign's record: accepted (received once, with that MessageID) or in doubt (the killed
    # sender's messages in flight: received at most once, never resent); nothing pending or claimed.
    with PostgresJournal(pg_url, "news-2026-12") as journal:
        counts = journal.counts()
        assert set(counts) <= {"accepted", "sending"} and sum(counts.values()) == len(numbers), counts
        entries = list(journal.entries())
    states = Counter(e.state for e in entries)
    assert len(entries) == len(numbers) and states["sending"] <= 4, states
    by_tid = {e["transaction_id"]: e for e in submits}
    for entry in entries:
        if entry.state == "accepted":
            assert entry.transaction_id is not None
            assert by_tid[entry.transaction_id]["message_id"] == entry.message_id
    assert {e.transaction_id for e in entries} >= set(by_tid), "every request received is in the journal"
    assert len(received) >= len(numbers) - states["sending"], "nothing skipped"

    # The combined rate, from the simulator's receive times: bursts of at most 4 per 0.1 s, so over the
    # run (N - 4) requests take (N - 4) / 40 seconds. Arrival times jitter around the reserved slots (a
    # burst a few ms late lands in the next window), about one burst at each edge of any window: the
    # busiest 3 s must still be within 10% of 3 s worth of the limit.
    times = sorted(e["at"] for e in submits)
    rate = (len(times) - 4) / (times[-1] - times[0])
    assert 36 <= rate <= 44, f"combined rate {rate:.1f}/s, limit 40/s"
    busiest = max(sum(1 for t in times if start <= t < start + 3.0) for start in times)
    assert busiest <= 132, f"{busiest} requests in 3 s, limit 120"
