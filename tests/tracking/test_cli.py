"""``mm7 status`` and ``mm7 messages`` as real processes over a tracker database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mm7.cli.tracking import parse_duration
from mm7.tracking import Report, ReportKind, Tracker

SCRIPT = Path(sys.executable).parent / "mm7"
MM7 = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from mm7.cli import main; main()"]
NOW = datetime.now(UTC)
DR = ReportKind.DELIVERY_REPORT


def mm7_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MM7_") or k.startswith("MM7_TEST_")}
    done = subprocess.run(
        [*MM7, *args],
        cwd=cwd,
        env={**base, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.fixture
def filled(store_url: str) -> str:
    """A delivered message, one in progress, one without a report requested, and an orphan report."""
    with Tracker.open(store_url) as tracker:
        two_hours_ago = NOW - timedelta(hours=2)
        tracker.record_submit(
            "done", ["15551230001"], report_requested=True, profile="sinch", at=two_hours_ago
        )
        tracker.fold(Report(DR, "done", "15551230001", "Forwarded", None, two_hours_ago, "tx-f", NOW))
        tracker.fold(Report(DR, "done", "15551230001", "Retrieved", "Success", two_hours_ago, "tx-r", NOW))
        tracker.record_submit(
            "going", ["15551230001", "15551230002"], report_requested=True, at=two_hours_ago
        )
        tracker.fold(Report(DR, "going", "15551230001", "Retrieved", None, two_hours_ago, "tx-g", NOW))
        tracker.record_submit("fresh", ["15551230003"], report_requested=False, at=NOW - timedelta(minutes=5))
        tracker.fold(Report(DR, "stray", "15551239999", "Expired", None, NOW, "tx-s", NOW))
    return store_url


def test_status_exits_0_when_every_recipient_is_final(filled: str, tmp_path: Path) -> None:
    done = mm7_cli("status", "done", "--inbox", filled, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "MessageID done: 1 recipient(s), 1 final, 0 not final"
    assert lines[1] == "15551230001\tretrieved"
    assert "Forwarded" in lines[2] and "TransactionID tx-f" in lines[2]
    assert "Retrieved\tSuccess\tTransactionID tx-r" in lines[3]


def test_status_exits_3_while_a_recipient_is_not_final_and_says_why(filled: str, tmp_path: Path) -> None:
    going = mm7_cli("status", "going", "--json", cwd=tmp_path, MM7_INBOX_URL=filled)
    assert going.returncode == 3, going.stderr
    shown = json.loads(going.stdout)
    assert shown["message_id"] == "going" and shown["submitted"] and not shown["final"]
    assert [(r["recipient"], r["state"]) for r in shown["recipients"]] == [
        ("15551230001", "retrieved"),
        ("15551230002", "pending"),
    ]
    assert shown["recipients"][0]["history"][0]["transaction_id"] == "tx-g"
    assert shown["recipients"][1]["no_report_reason"] is None  # reports do reach this receiver
    fresh = mm7_cli("status", "fresh", "--inbox", filled, cwd=tmp_path)
    assert fresh.returncode == 3
    assert "15551230003\tpending\treport not requested" in fresh.stdout
    stray = mm7_cli("status", "stray", "--inbox", filled, cwd=tmp_path)
    assert stray.returncode == 0 and "no submit recorded" in stray.stdout


def test_status_of_an_unknown_message_exits_1(filled: str, tmp_path: Path) -> None:
    unknown = mm7_cli("status", "nope", "--inbox", filled, cwd=tmp_path)
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("mm7: no submit or report known for MessageID nope")


def test_messages_lists_by_state_and_age(filled: str, tmp_path: Path) -> None:
    waiting = mm7_cli("messages", "--state", "pending", "--older-than", "1h", "--inbox", filled, cwd=tmp_path)
    assert waiting.returncode == 0, waiting.stderr
    assert [line.split("\t")[:3] for line in waiting.stdout.splitlines()] == [
        ["going", "15551230002", "pending"]
    ]
    every = json.loads(mm7_cli("messages", "--json", "--inbox", filled, cwd=tmp_path).stdout)
    assert [(m["message_id"], m["state"]) for m in every] == [
        ("done", "retrieved"),
        ("going", "retrieved"),
        ("going", "pending"),
        ("fresh", "pending"),
        ("stray", "expired"),
    ]
    assert every[0]["profile"] == "sinch" and every[-1]["submitted_at"] is None
    opened = mm7_cli("messages", "--state", "open", "--inbox", filled, cwd=tmp_path)
    assert [line.split("\t")[0] for line in opened.stdout.splitlines()] == ["going", "fresh"]
    bad = mm7_cli("messages", "--older-than", "soon", "--inbox", filled, cwd=tmp_path)
    assert bad.returncode == 2 and "not a duration" in bad.stderr


def test_durations() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(" 3D ") == timedelta(days=3)
    assert parse_duration("1.5h") == timedelta(minutes=90)
    for wrong in ("", "h", "10", "1x", "1h 30m"):
        with pytest.raises(ValueError, match="not a duration"):
            parse_duration(wrong)


def test_a_missing_database_is_one_line(tmp_path: Path) -> None:
    missing = mm7_cli("status", "m1", "--inbox", f"sqlite:///{tmp_path / 'none.db'}", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.startswith("mm7: ")
    assert len(missing.stderr.splitlines()) == 1
