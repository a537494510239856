"""``mm7 send`` in a real process against a relay on 127.0.0.1: every acceptance (accepted / failed / unknown)
with its outcome and exit code, for one and for two recipients, in text and JSON; ``--timeout`` against a
relay that drips its answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest

from tests.client.conftest import CLOSE, Drip, LoopbackServer, Received, Reply, answer, error

from . import run_mm7

ACCOUNT = ["--vasp-id", "KEY", "--vas-id", "12345mms", "--short-code", "12345"]
#: Recipients by the outcome the relay gives them (the second-to-last digit picks it).
NUMBERS = {
    "accepted": ["15553190011", "15553190012"],
    "failed": ["15553190021", "15553190022"],
    "unknown": ["15553190031", "15553190032"],
    "busy": ["15553190041", "15553190042"],  # 4006 every time: failed, retry_later
}
#: (acceptance, outcome, exit code) per group.
EXPECTED = {
    "accepted": ("accepted", "success", 0),
    "failed": ("failed", "give_up", 1),  # 3001
    "unknown": ("unknown", "give_up", 1),  # may have been taken: resending may duplicate
    "busy": ("failed", "retry_later", 3),
}


def recipient(received: Received) -> str:
    return str(received.decoded().message.recipients.to[0].number[0].value)


def relay_handler(received: Received) -> Reply:
    number = recipient(received)
    if number in NUMBERS["failed"]:
        return error(received, 3001)  # an MM7 status that is never retried: certainly not accepted
    if number in NUMBERS["busy"]:
        return error(received, 4006, headers={"Retry-After": "0"})
    if number in NUMBERS["unknown"]:
        return CLOSE, {}, b""  # the whole request was read, then the connection closed: maybe accepted
    return answer(received, message_id=f"MID-{number}")


@pytest.fixture
def relay() -> Iterator[LoopbackServer]:
    server = LoopbackServer(relay_handler)
    yield server
    server.stop()


def send(server: LoopbackServer, numbers: list[str], *extra: str) -> tuple[int, str, str]:
    to = [arg for number in numbers for arg in ("--to", number)]
    result = run_mm7("send", "--endpoint", server.url, *ACCOUNT, *to, "--text", "hi", *extra)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("group", ["accepted", "failed", "unknown", "busy"])
def test_every_outcome_in_json(relay: LoopbackServer, group: str, count: int) -> None:
    numbers = NUMBERS[group][:count]
    acceptance, outcome, exit_code = EXPECTED[group]
    code, out, _ = send(relay, numbers, "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["to"] for row in rows] == numbers
    assert {(row["acceptance"], row["outcome"]) for row in rows} == {(acceptance, outcome)}
    assert code == exit_code
    assert all(row["ok"] is (group == "accepted") and row["earlier"] is False for row in rows)
    assert all(row["transaction_id"] for row in rows)
    if group == "accepted":
        assert [row["message_id"] for row in rows] == [f"MID-{n}" for n in numbers]
        assert all(row["error"] is None for row in rows)
    else:
        assert all(row["message_id"] is None and row["error"] for row in rows)
    if group == "failed":
        assert all("3001" in row["error"] for row in rows)
    if group == "busy":
        assert len(relay.requests) > len(numbers)  # retried before giving the word to the caller
    else:
        # Nothing was retried: a failed status is final, an unknown one may have been accepted.
        assert sorted(recipient(r) for r in relay.requests) == numbers


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("outcome", ["accepted", "failed", "unknown"])
def test_every_outcome_in_text(relay: LoopbackServer, outcome: str, count: int) -> None:
    numbers = NUMBERS[outcome][:count]
    code, out, err = send(relay, numbers)
    if outcome == "accepted":
        assert code == 0
        assert out.splitlines() == [f"{n}\taccepted\tMessageID MID-{n}" for n in numbers]
        return
    assert code == 1 and out == ""
    lines = [line for line in err.splitlines() if line.startswith("1555")]
    assert [line.split("\t")[:3] for line in lines] == [[n, outcome, EXPECTED[outcome][1]] for n in numbers]
    for line in lines:
        if outcome == "failed":
            assert "3001" in line and "may have been accepted" not in line
        else:
            assert line.endswith("(it may have been accepted: check before sending again)")


def test_mixed_outcomes_in_one_run(relay: LoopbackServer) -> None:
    numbers = [NUMBERS["accepted"][0], NUMBERS["failed"][0], NUMBERS["unknown"][0]]
    code, out, _ = send(relay, numbers, "--format", "json")
    assert code == 1
    assert [json.loads(line)["acceptance"] for line in out.splitlines()] == ["accepted", "failed", "unknown"]
    # Only "send again later" besides successes: exit 3.
    code, out, _ = send(relay, [NUMBERS["accepted"][1], NUMBERS["busy"][1]], "--format", "json")
    assert code == 3
    assert [json.loads(line)["outcome"] for line in out.splitlines()] == ["success", "retry_later"]


def test_timeout_ends_a_dripping_answer_as_unknown(relay: LoopbackServer) -> None:
    arrived: list[float] = []
    lock = threading.Lock()

    def dripping(received: Received) -> Reply:
        with lock:
            arrived.append(time.monotonic())
        status, headers, body = answer(received)
        assert isinstance(body, bytes)
        return status, headers, Drip(body, interval=2.0)

    relay.handler = dripping
    for numbers in ([NUMBERS["accepted"][0]], NUMBERS["accepted"]):
        arrived.clear()
        code, out, _ = send(relay, numbers, "--timeout", "1.5", "--format", "json")
        ended = time.monotonic()
        rows = [json.loads(line) for line in out.splitlines()]
        assert code == 1 and [row["acceptance"] for row in rows] == ["unknown"] * len(numbers)
        assert all("deadline of 1.5s" in row["error"] for row in rows), [row["error"] for row in rows]
        # From the request's arrival to the process's exit: the deadline plus interpreter shutdown.
        assert len(arrived) == len(numbers)
        assert 1.4 <= ended - max(arrived) < 1.5 + 2.0


def test_timeout_must_be_positive() -> None:
    result = run_mm7("send", "--endpoint", "http://127.0.0.1:9/", *ACCOUNT, "--to", "15553190011",
                     "--text", "hi", "--timeout", "0")  # fmt: skip
    assert result.returncode == 2 and "--timeout" in result.stderr
