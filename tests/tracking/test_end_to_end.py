"""From the submit to ``mm7 status``, in real processes on 127.0.0.1.

``mm7 serve`` stores the delivery reports ``mm7 simulate`` posts (Forwarded, then Retrieved; Rejected for
the simulator's failing number); ``mm7 worker --handlers mm7.tracking:FoldReports`` folds them into the
tracker in the same SQLite file; the client's accepted submit is recorded with ``Tracker.record_sent``.
``mm7 status`` then shows each recipient's final state and its history, and exits 0.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mm7
from mm7.client import MM7Client
from mm7.tracking import Tracker
from tests.cli import Background, run_mm7

FAILING = "15550000001"


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    monkeypatch.setenv("MM7_INBOX_URL", inbox)  # serve, worker and the worker's FoldReports read it
    processes: list[Background] = []
    try:
        receiver = Background(["serve", "--port", "0"])
        processes.append(receiver)
        receiver_url = receiver.wait_line("listening on").split()[-1]
        simulator = Background(
            [
                *("simulate", "--port", "0", "--dr-url", receiver_url + "mm7"),
                *("--report-delay", "0.05", "--fail-number", f"{FAILING}=Rejected"),
            ]
        )
        processes.append(simulator)
        endpoint = simulator.wait_line("listening on").split()[-1]
        processes.append(
            Background(["worker", "--handlers", "mm7.tracking:FoldReports", "--poll-interval", "0.1"])
        )
        yield inbox, endpoint
    finally:
        codes = [p.stop() for p in processes]
    assert codes == [0] * len(codes)


def final_status(inbox: str, message_id: str) -> dict[str, Any]:
    """``mm7 status MESSAGE_ID --json`` once it exits 0 (every recipient final); 3 meanwhile."""
    deadline = time.monotonic() + 60
    while True:
        shown = run_mm7("status", message_id, "--json", env={"MM7_INBOX_URL": inbox})
        assert shown.returncode in (0, 3), shown.stderr
        if shown.returncode == 0:
            found: dict[str, Any] = json.loads(shown.stdout)
            return found
        assert time.monotonic() < deadline, shown.stdout
        time.sleep(0.2)


def test_sent_messages_end_final_with_their_history(stack: tuple[str, str]) -> None:
    inbox, endpoint = stack
    sent = {}
    with MM7Client(endpoint) as client, Tracker.open(inbox) as tracker:
        for number in ("15551230001", FAILING):
            request = mm7.submit_request(to=number, sender="12345", subject="tracked")
            result = client.submit(request, content=[mm7.Part.from_text("Hi")])
            tracker.record_sent(request, result, profile="simulator")
            assert result.message_id
            sent[number] = result.message_id
    for number, state in (("15551230001", "retrieved"), (FAILING, "rejected")):
        status = final_status(inbox, sent[number])
        assert status["submitted"] and status["final"]
        [recipient] = status["recipients"]
        assert (recipient["recipient"], recipient["state"]) == (number, state)
        assert recipient["profile"] == "simulator" and recipient["report_requested"]
        assert [e["mm_status"] for e in recipient["history"]] == ["Forwarded", state.capitalize()]
        assert all(entry["transaction_id"] for entry in recipient["history"])
    listed = run_mm7("messages", "--state", "final", env={"MM7_INBOX_URL": inbox})
    assert listed.returncode == 0, listed.stderr
    assert {line.split("\t")[0] for line in listed.stdout.splitlines()} == set(sent.values())


def test_mm7_send_records_what_it_sends_in_the_inbox_database(stack: tuple[str, str]) -> None:
    inbox, endpoint = stack
    account = ["--vasp-id", "KEY", "--vas-id", "12345mms", "--short-code", "12345"]
    sent = run_mm7(
        "send", "--endpoint", endpoint, *account, "--to", "15551230002", "--text", "Hi", "--format", "json",
        env={"MM7_INBOX_URL": inbox},
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    [row] = [json.loads(line) for line in sent.stdout.splitlines()]
    status = final_status(inbox, row["message_id"])
    assert status["submitted"], "mm7 send recorded the submit in the tracker"
    [recipient] = status["recipients"]
    assert (recipient["recipient"], recipient["state"], recipient["report_requested"]) == (
        "15551230002",
        "retrieved",
        True,
    )
