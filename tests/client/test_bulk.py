"""Bulk sends: concurrency, progress, throttle, and the journal that makes a killed run resumable."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from mm7 import Part
from mm7.client import MM7Client, Rate, Throttle
from mm7.client.bulk import BulkItem, BulkResult, message_key, send_many
from mm7.client.journal import Journal
from mm7.client.retry import RetryPolicy
from mm7.client.throttle import ThrottleTimeout
from mm7.errors import ConfigError
from tests.client.conftest import LoopbackServer, Received, Reply, answer, error

Loopback = Callable[..., LoopbackServer]
ROOT = Path(__file__).resolve().parents[2]
NUMBERS = [f"1555319914{i}" for i in range(8)]


def client_for(url: str, **options: object) -> MM7Client:
    return MM7Client.for_sinch(
        api_key="K",
        short_code="12345",
        endpoint=url,
        retry=RetryPolicy.no_retry(),
        **options,  # type: ignore[arg-type]
    )


def items(client: MM7Client, numbers: list[str] = NUMBERS) -> list[BulkItem]:
    return [
        BulkItem(client.sinch.submit_request(n, subject="Bulk"), content=[Part.from_text(f"Hello {n}")])
        for n in numbers
    ]


def recipient(received: Received) -> str:
    return str(received.decoded().message.recipients.to[0].number[0].value)


def test_send_many_reports_each_message_in_order_with_progress(loopback: Loopback) -> None:
    server = loopback(lambda r: answer(r, message_id=f"MID-{recipient(r)}"))
    client = client_for(server.url)
    calls: list[tuple[int, int]] = []
    results = send_many(
        client, items(client), concurrency=3, progress=lambda r, done, total: calls.append((done, total))
    )
    assert [r.acceptance for r in results] == ["accepted"] * len(NUMBERS)
    assert [r.message_id for r in results] == [f"MID-{n}" for n in NUMBERS]
    assert [r.index for r in results] == list(range(len(NUMBERS)))
    assert sorted(calls) == [(i, len(NUMBERS)) for i in range(1, len(NUMBERS) + 1)]
    assert Counter(recipient(r) for r in server.requests) == Counter(NUMBERS)


def test_errors_are_reported_not_raised(loopback: Loopback) -> None:
    server = loopback(lambda r: error(r, 3001) if recipient(r) == NUMBERS[1] else answer(r))
    client = client_for(server.url)
    results = send_many(client, items(client, NUMBERS[:3]), concurrency=2)
    assert [r.acceptance for r in results] == ["accepted", "failed", "accepted"]
    assert getattr(results[1].error, "status_code", None) == 3001


@pytest.mark.parametrize("status", [401, 403, 413, 429])
def test_an_http_refusal_is_failed_not_in_doubt(loopback: Loopback, status: int) -> None:
    # A 4xx without an MM7 answer: the relay refused the request, it was not processed (safe to resend).
    server = loopback(lambda r: (status, {"Content-Type": "text/html"}, b"<html>refused</html>"))
    client = client_for(server.url)
    results = send_many(client, items(client, NUMBERS[:2]))
    assert [(r.acceptance, r.outcome) for r in results] == [("failed", results[0].outcome)] * 2
    assert results[0].outcome in ("fix_request", "retry_later")


def test_an_http_server_error_without_mm7_answer_is_in_doubt(loopback: Loopback) -> None:
    server = loopback(lambda r: (502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>"))
    client = client_for(server.url)
    assert [r.acceptance for r in send_many(client, items(client, NUMBERS[:2]))] == ["unknown"] * 2


def test_throttle_applies_to_bulk_sends(loopback: Loopback) -> None:
    server = loopback(answer)
    throttle = Throttle([Rate(3, 3600.0)])
    client = client_for(server.url, throttle=throttle, throttle_timeout=0)
    results = send_many(client, items(client, NUMBERS[:5]), concurrency=4)
    assert server.count == 3  # upper bound: never more than the rate allows
    refused = [r for r in results if r.acceptance == "failed"]
    assert len(refused) == 2 and all(isinstance(r.error, ThrottleTimeout) for r in refused)


def test_duplicate_keys_are_refused(loopback: Loopback) -> None:
    client = client_for("http://127.0.0.1:9/")
    same = items(client, [NUMBERS[0], NUMBERS[0]])
    with pytest.raises(ConfigError):
        send_many(client, same)


def test_message_key_is_stable_and_content_sensitive() -> None:
    client = client_for("http://127.0.0.1:9/")
    a, b = items(client, NUMBERS[:2])
    assert message_key(a.message, a.content) == message_key(a.message, a.content)
    assert message_key(a.message, a.content) != message_key(b.message, b.content)
    assert message_key(a.message, [Part.from_text("x")]) != message_key(a.message, [Part.from_text("y")])


def test_journal_resume_skips_sent_and_resends_failed(loopback: Loopback, tmp_path: Path) -> None:
    fail_once = {NUMBERS[2]}

    def handler(received: Received) -> Reply:
        number = recipient(received)
        if number in fail_once:
            fail_once.discard(number)
            return error(received, 2569)  # an answered error: certainly not accepted
        return answer(received, message_id=f"MID-{number}")

    server = loopback(handler)
    client = client_for(server.url)
    with Journal(tmp_path / "bulk.db") as journal:
        first = send_many(client, items(client, NUMBERS[:4]), journal=journal)
        assert [r.acceptance for r in first] == ["accepted", "accepted", "failed", "accepted"]
        second = send_many(client, items(client, NUMBERS[:4]), journal=journal)
        assert [(r.acceptance, r.earlier) for r in second] == [
            ("accepted", True),
            ("accepted", True),
            ("accepted", False),
            ("accepted", True),
        ]
        assert [r.message_id for r in second] == [f"MID-{n}" for n in NUMBERS[:4]]
        assert {(e.state, e.acceptance) for e in journal.entries()} == {("accepted", "accepted")}
    assert Counter(recipient(r) for r in server.requests) == Counter(
        {**dict.fromkeys(NUMBERS[:4], 1), NUMBERS[2]: 2}
    )


def test_in_doubt_messages_are_not_resent_unless_asked(loopback: Loopback, tmp_path: Path) -> None:
    server = loopback(answer)
    client = client_for(server.url)
    batch = items(client, NUMBERS[:2])
    with Journal(tmp_path / "bulk.db") as journal:
        journal.record_sending(message_key(batch[0].message, batch[0].content), "tid-crashed")
        results = send_many(client, batch, journal=journal)
        assert [(r.acceptance, r.earlier) for r in results] == [("unknown", True), ("accepted", False)]
        assert results[0].transaction_id == "tid-crashed"
        assert server.count == 1
        again = send_many(client, batch, journal=journal, resend_unknown=True)
        assert [(r.acceptance, r.earlier) for r in again] == [("accepted", False), ("accepted", True)]
        assert server.count == 2


CHILD = textwrap.dedent(
    """
    import json, sys
    from mm7 import Part
    from mm7.client import MM7Client
    from mm7.client.bulk import BulkItem, send_many
    from mm7.client.journal import Journal
    from mm7.client.retry import RetryPolicy

    url, journal_path, numbers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    client = MM7Client.for_sinch(api_key="K", short_code="12345", endpoint=url, retry=RetryPolicy.no_retry())
    batch = [
        BulkItem(client.sinch.submit_request(n, subject="Bulk"), content=[Part.from_text(f"Hello {n}")])
        for n in numbers
    ]
    with Journal(journal_path) as journal:
        results = send_many(client, batch, concurrency=2, journal=journal)
    print(json.dumps([[("earlier-" if r.earlier else "") + r.acceptance, r.message_id] for r in results]))
    """
)


def run_child(url: str, journal: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(journal), json.dumps(NUMBERS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def sent_in_journal(path: Path) -> int:
    if not path.exists():
        return 0
    with Journal(path) as journal:
        return sum(entry.state == "accepted" for entry in journal.entries())


@pytest.mark.slow
def test_killed_bulk_run_resumes_without_duplicating_any_message(loopback: Loopback, tmp_path: Path) -> None:
    answered_before_kill = 3
    seen: list[str] = []  # every SubmitReq recipient the relay received, across both runs
    issued: dict[str, str] = {}
    gate = threading.Event()  # closed during run 1 once `answered_before_kill` answers went out
    killed = threading.Event()
    lock = threading.Lock()

    def handler(received: Received) -> Reply:
        number = recipient(received)
        with lock:
            seen.append(number)
            answer_now = gate.is_set() or len(issued) < answered_before_kill
            if answer_now:
                issued[number] = f"MID-{number}"
        if not answer_now:
            # Run 1 after N answers: hold the request in flight until the child is dead (the late
            # answer then goes nowhere).
            killed.wait(30)
        return answer(received, message_id=f"MID-{number}")

    server = loopback(handler)
    journal = tmp_path / "bulk.db"

    first = run_child(server.url, journal)
    try:
        # Kill once N answers were recorded in the journal and the next requests are in flight (poll
        # with a deadline). The window between an answer and its recording is covered by
        # test_in_doubt_messages_are_not_resent_unless_asked.
        server.wait_for(
            lambda: sent_in_journal(journal) >= answered_before_kill and len(seen) > answered_before_kill
        )
        first.send_signal(signal.SIGKILL)
        assert first.wait(30) == -signal.SIGKILL
    finally:
        killed.set()
        if first.poll() is None:
            first.kill()
        first.communicate()
    answered_in_run_1 = set(issued)
    seen_in_run_1 = set(seen)
    assert len(seen_in_run_1) > len(answered_in_run_1), "the kill happened with requests in flight"

    gate.set()
    second = run_child(server.url, journal)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    outcomes = dict(zip(NUMBERS, [tuple(x) for x in json.loads(out)], strict=True))

    # No recipient ever received a second SubmitReq.
    assert max(Counter(seen).values()) == 1
    for number, (outcome, message_id) in outcomes.items():
        if number in answered_in_run_1:
            # Accepted before the kill: not sent again, reported with run 1's MessageID.
            assert (outcome, message_id) == ("earlier-accepted", f"MID-{number}")
        elif number in seen_in_run_1:
            # In flight at the kill: the relay got it, the journal says "sending": not resent.
            assert outcome == "earlier-unknown"
        elif outcome == "earlier-unknown":
            # Recorded as "sending" but killed before the relay read the whole body: still in doubt
            # from the client's side, so still not resent.
            assert number not in seen
        else:
            assert (outcome, message_id) == ("accepted", f"MID-{number}")
    assert set(seen) | {n for n, (o, _) in outcomes.items() if o == "earlier-unknown"} == set(NUMBERS)


def test_bulk_result_ok() -> None:
    assert BulkResult(0, "k", "accepted", "m", earlier=True).ok and not BulkResult(0, "k", "unknown").ok
    assert not BulkResult(0, "k", "failed").ok


def test_a_journal_written_by_mm7_0_1_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE submissions (key TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN "
        "('sending', 'sent', 'failed', 'unknown')), transaction_id TEXT, message_id TEXT, error TEXT, "
        "attempts INTEGER NOT NULL DEFAULT 0, updated_at REAL NOT NULL)"
    )
    db.execute("INSERT INTO submissions VALUES ('a', 'sent', 't1', 'MID-a', NULL, 1, 1.0)")
    db.execute("INSERT INTO submissions VALUES ('b', 'sending', 't2', NULL, NULL, 1, 2.0)")
    db.commit()
    db.close()
    with Journal(path) as journal:
        assert [(e.key, e.state, e.acceptance, e.message_id) for e in journal.entries()] == [
            ("a", "accepted", "accepted", "MID-a"),
            ("b", "sending", "unknown", None),
        ]
        journal.record_accepted("b", "MID-b")
        assert journal.get("b") is not None and journal.get("b").state == "accepted"  # type: ignore[union-attr]
