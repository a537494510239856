"""A bulk ``mm7 send`` SIGKILLed mid-campaign, then ``--journal J --status`` and resumes with and without
``--resend-unknown``: real ``mm7`` processes against a relay on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mm7.client.journal import Journal
from tests.client.conftest import LoopbackServer, Received, Reply, answer

from . import MM7, run_mm7

ACCOUNT = ["--vasp-id", "KEY", "--vas-id", "12345mms", "--short-code", "12345"]
NUMBERS = [f"155531900{i:02d}" for i in range(8)]
WARNING = "may get the MMS twice"


def recipient(received: Received) -> str:
    return str(received.decoded().message.recipients.to[0].number[0].value)


def accepted_in(journal: Path) -> int:
    if not journal.exists():
        return 0
    with Journal(journal) as opened:
        return sum(entry.state == "accepted" for entry in opened.entries())


def send_args(url: str, journal: Path, *extra: str) -> list[str]:
    to = [arg for number in NUMBERS for arg in ("--to", number)]
    return ["send", "--endpoint", url, *ACCOUNT, *to, "--text", "hi", "--journal", str(journal), *extra]


def rows(output: str) -> dict[str, dict[str, Any]]:
    return {row["to"]: row for row in map(json.loads, output.splitlines())}


@pytest.mark.slow
def test_killed_send_shows_status_and_resumes_with_and_without_resend_unknown(tmp_path: Path) -> None:
    answered_before_kill = 3
    seen: list[str] = []
    lock = threading.Lock()
    gate = threading.Event()  # set after the kill: every request is answered
    killed = threading.Event()

    def handler(received: Received) -> Reply:
        number = recipient(received)
        with lock:
            seen.append(number)
            answer_now = gate.is_set() or len(seen) <= answered_before_kill
        if not answer_now:
            killed.wait(30)  # in flight when the process dies: the relay got the whole request
        return answer(received, message_id=f"MID-{number}-{len(seen)}")

    server = LoopbackServer(handler)
    journal = tmp_path / "campaign.db"
    try:
        first = subprocess.Popen(
            [*MM7, *send_args(server.url, journal, "--concurrency", "2", "--format", "json")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        try:
            server.wait_for(lambda: accepted_in(journal) >= answered_before_kill and len(seen) == 5)
            first.send_signal(signal.SIGKILL)
            assert first.wait(30) == -signal.SIGKILL
        finally:
            killed.set()
            if first.poll() is None:
                first.kill()
            first.communicate()
        in_flight = set(seen[answered_before_kill:])
        accepted_first = set(seen[:answered_before_kill])
        assert len(in_flight) == 2

        # --status: what the journal knows, without sending anything.
        status = run_mm7("send", "--journal", str(journal), "--status", "--format", "json")
        assert status.returncode == 0, status.stderr
        listed = rows(status.stdout)
        assert {n for n, r in listed.items() if r["acceptance"] == "accepted"} == accepted_first
        assert {n for n, r in listed.items() if r["acceptance"] == "unknown"} == in_flight
        assert all(listed[n]["state"] == "sending" for n in in_flight)
        text_status = run_mm7("send", "--journal", str(journal), "--status")
        assert text_status.returncode == 0
        assert "3 accepted, 0 failed, 2 unknown" in text_status.stderr
        for number in in_flight:
            assert f"{number}\tunknown\tTransactionID " in text_status.stdout
        assert len(seen) == 5

        # Resume without --resend-unknown: the in-doubt two are not sent again, the rest are.
        gate.set()
        second = run_mm7(*send_args(server.url, journal, "--format", "json"))
        assert second.returncode == 1, second.stderr  # two stay unknown
        assert WARNING not in second.stderr
        resumed = rows(second.stdout)
        for number in NUMBERS:
            row = resumed[number]
            if number in accepted_first:
                assert (row["acceptance"], row["earlier"]) == ("accepted", True)
            elif number in in_flight:
                assert (row["acceptance"], row["earlier"]) == ("unknown", True)
                assert "may have been accepted" in row["error"]
            else:
                assert (row["acceptance"], row["earlier"]) == ("accepted", False)
        assert max(Counter(seen).values()) == 1, "no number was sent twice"

        # Resume with --resend-unknown: a warning, and only the in-doubt two go out again.
        third = run_mm7(*send_args(server.url, journal, "--resend-unknown"))
        assert third.returncode == 0, third.stderr
        assert WARNING in third.stderr
        assert sorted(line.split("\t")[0] for line in third.stdout.splitlines()) == NUMBERS
        assert all("\taccepted\tMessageID " in line for line in third.stdout.splitlines())
        assert Counter(seen) == Counter({**dict.fromkeys(NUMBERS, 1), **dict.fromkeys(in_flight, 2)})

        final = rows(run_mm7("send", "--journal", str(journal), "--status", "--format", "json").stdout)
        assert {r["acceptance"] for r in final.values()} == {"accepted"} and set(final) == set(NUMBERS)
    finally:
        server.stop()


def test_status_and_resend_unknown_need_a_journal(tmp_path: Path) -> None:
    status = run_mm7("send", "--status")
    assert status.returncode == 2 and "--journal" in status.stderr
    missing = run_mm7("send", "--journal", str(tmp_path / "none.db"), "--status")
    assert missing.returncode == 2 and "no journal" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    resend = run_mm7("send", "--endpoint", "http://127.0.0.1:9/", *ACCOUNT, "--to", "15553190000",
                     "--text", "hi", "--resend-unknown")  # fmt: skip
    assert resend.returncode == 2 and "--journal" in resend.stderr
    assert "Traceback" not in status.stderr + missing.stderr + resend.stderr
