"""End to end in real processes on 127.0.0.1: ``mm7 simulate`` + ``mm7 serve`` + ``mm7 send``.

The delivery report must land in the inbox with the MessageID the SubmitRsp gave (read back with
``mm7 inbox list --format json``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import Background, run_mm7

DEMO_IMAGE = Path(__file__).resolve().parents[2] / "mm7" / "demo" / "smiley.png"
ACCOUNT = ["--vasp-id", "KEY", "--vas-id", "12345mms", "--short-code", "12345"]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, str]]:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    receiver = Background(["serve", "--port", "0", "--inbox", inbox])
    processes = [receiver]
    try:
        receiver_url = receiver.wait_line("listening on").split()[-1]
        simulator = Background(
            [
                "simulate",
                "--port",
                "0",
                "--dr-url",
                receiver_url + "mm7/inbound",
                "--report-delay",
                "0.05",
                "--retry-interval",
                "0.2",
                "--fail-number",
                "15550000001=Rejected",
                *ACCOUNT,
            ]
        )
        processes.append(simulator)
        simulator_url = simulator.wait_line("listening on").split()[-1]
        yield {"inbox": inbox, "endpoint": simulator_url, "tmp": str(tmp_path)}
    finally:
        codes = [p.stop() for p in processes]
    assert codes == [0] * len(codes)  # SIGTERM shuts both down cleanly


def _inbox_rows(inbox: str) -> list[dict[str, Any]]:
    result = run_mm7("inbox", "list", "--format", "json", "--inbox", inbox)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _wait_for_status(inbox: str, message_id: str, status: str, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        rows = [r for r in _inbox_rows(inbox) if r["message_id"] == message_id]
        if any(r["mm_status"] == status for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_send_then_delivery_report_lands_in_inbox(stack: dict[str, str]) -> None:
    sent = run_mm7(
        "send", "--endpoint", stack["endpoint"], *ACCOUNT, "--to", "15551230000",
        "--image", str(DEMO_IMAGE), "--text", "hello", "--subject", "e2e", "--format", "json",
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    record = json.loads(sent.stdout)
    message_id = record["message_id"]
    assert record["ok"] and message_id.isdigit()
    rows = _wait_for_status(stack["inbox"], message_id, "Retrieved")
    assert {r["mm_status"] for r in rows} == {"Forwarded", "Retrieved"}
    assert all(r["kind"] == "delivery_report" and r["recipient"] == "15551230000" for r in rows)


def test_bulk_send_from_csv_with_journal_and_a_rejected_number(stack: dict[str, str]) -> None:
    csv_file = Path(stack["tmp"]) / "numbers.csv"
    csv_file.write_text("name,number\nann,15551230001\nbob,15551230002\neve,15550000001\n")
    journal = Path(stack["tmp"]) / "journal.db"
    args = ["send", "--endpoint", stack["endpoint"], *ACCOUNT, "--csv", str(csv_file), "--text", "hi"]
    sent = run_mm7(*args, "--journal", str(journal), "--format", "json")
    assert sent.returncode == 0, sent.stderr
    records = [json.loads(line) for line in sent.stdout.splitlines()]
    assert [r["to"] for r in records] == ["15551230001", "15551230002", "15550000001"]
    assert all(r["acceptance"] == "accepted" and not r["earlier"] for r in records)
    rejected = _wait_for_status(stack["inbox"], records[2]["message_id"], "Rejected")
    assert {r["mm_status"] for r in rejected} >= {"Rejected"}
    # Resuming the same run sends nothing again: the journal knows every number was accepted.
    again = run_mm7(*args, "--journal", str(journal), "--format", "json")
    assert again.returncode == 0
    assert [(r["acceptance"], r["earlier"]) for r in map(json.loads, again.stdout.splitlines())] == [
        ("accepted", True)
    ] * 3


def test_send_refused_by_the_simulator_exits_1(stack: dict[str, str]) -> None:
    sent = run_mm7("send", "--endpoint", stack["endpoint"], "--vasp-id", "WRONG", "--short-code", "12345",
                   "--vas-id", "12345mms", "--to", "15551230000", "--text", "hi")  # fmt: skip
    assert sent.returncode == 1
    assert "2564" in sent.stderr and "Traceback" not in sent.stderr


def test_send_configuration_errors_exit_2(tmp_path: Path) -> None:
    no_identity = run_mm7("send", "--endpoint", "http://127.0.0.1:9/", "--to", "15551230000", "--text", "hi")
    assert no_identity.returncode == 2 and no_identity.stderr.startswith("mm7: ")
    config = tmp_path / "mm7.toml"
    config.write_text(
        '[mm7]\nendpoint = "http://127.0.0.1:9/"\nvasp_id = "K"\nshort_code = "12345"\ncolour = "red"\n'
    )
    bad_key = run_mm7("send", "--config", str(config), "--to", "15551230000", "--text", "hi")
    assert bad_key.returncode == 2 and "colour" in bad_key.stderr
    nothing = run_mm7("send", "--endpoint", "http://127.0.0.1:9/", *ACCOUNT, "--text", "hi")
    assert nothing.returncode == 2 and "no recipients" in nothing.stderr
    assert "Traceback" not in no_identity.stderr + bad_key.stderr + nothing.stderr


def test_config_file_and_environment(stack: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "mm7.toml"
    config.write_text(
        f'endpoint = "{stack["endpoint"]}"\nvasp_id = "KEY"\nvas_id = "12345mms"\nshort_code = "12345"\n'
    )
    sent = run_mm7("send", "--config", str(config), "--to", "15551230003", "--text", "from config")
    assert sent.returncode == 0, sent.stderr
    assert "MessageID" in sent.stdout
    variables = {
        "MM7_ENDPOINT": stack["endpoint"],
        "MM7_VASP_ID": "KEY",
        "MM7_VAS_ID": "12345mms",
        "MM7_SHORT_CODE": "12345",
    }
    from_env = run_mm7("send", "--to", "15551230004", "--text", "from env", env=variables)
    assert from_env.returncode == 0, from_env.stderr
    assert "MessageID" in from_env.stdout
