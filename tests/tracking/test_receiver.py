"""``mm7 serve --track`` (and ``MM7_TRACK=1``) folds each stored report before answering, on both servers.

Real receiver processes on 127.0.0.1 get Sinch's delivery report (fixture bytes) twice and a Forwarded for
the same message; ``mm7 status`` reads the result at once, with no worker running. Without the setting the
receiver only stores: ``mm7 status`` knows nothing of the message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.cli import Background, run_mm7

ROOT = Path(__file__).resolve().parents[2]
RETRIEVED = (ROOT / "tests" / "fixtures" / "sinch" / "delivery-report.xml").read_bytes()
FORWARDED = (
    RETRIEVED.replace(b"<MMStatus>Retrieved</MMStatus>", b"<MMStatus>Forwarded</MMStatus>")
    .replace(b"2015-03-16T14:03:51.749Z", b"2015-03-16T14:03:01.000Z")
    .replace(b"dr-tx-0001", b"dr-tx-0000")
)
HEADERS = {"Content-Type": 'multipart/related; type="text/xml";'}
MESSAGE_ID = "369500617770864640"


def post_reports(url: str) -> None:
    for body in (RETRIEVED, FORWARDED, RETRIEVED):  # out of order, and a copy
        answer = requests.post(url, data=body, headers=HEADERS, timeout=30)
        assert answer.status_code == 200 and b"1000" in answer.content, answer.text


def status(inbox: str) -> tuple[int, dict[str, object] | None]:
    shown = run_mm7("status", MESSAGE_ID, "--json", "--inbox", inbox)
    return shown.returncode, json.loads(shown.stdout) if shown.stdout else None


@pytest.mark.parametrize("launch", [["serve", "--track"], ["serve", "--asgi"]], ids=["waitress", "asgi"])
def test_the_receiver_folds_reports_as_it_stores_them(
    launch: list[str], store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "--track" not in launch:
        monkeypatch.setenv("MM7_TRACK", "1")  # the environment, as gunicorn and python -m mm7.server read it
    receiver = Background([*launch, "--port", "0", "--inbox", store_url])
    try:
        post_reports(receiver.wait_line("listening on").split()[-1] + "mm7")
    finally:
        assert receiver.stop() == 0
    code, shown = status(store_url)
    assert code == 0 and shown is not None, shown
    [recipient] = shown["recipients"]  # type: ignore[misc]
    assert recipient["recipient"] == "16175550123" and recipient["state"] == "retrieved"
    assert [(e["mm_status"], e["transaction_id"]) for e in recipient["history"]] == [
        ("Forwarded", "dr-tx-0000"),
        ("Retrieved", "dr-tx-0001"),
    ]


def test_without_tracking_the_receiver_only_stores(tmp_path: Path) -> None:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    receiver = Background(["serve", "--port", "0", "--inbox", inbox])
    try:
        post_reports(receiver.wait_line("listening on").split()[-1] + "mm7")
    finally:
        assert receiver.stop() == 0
    assert status(inbox) == (1, None)
    listed = run_mm7("inbox", "list", "--format", "json", "--inbox", inbox)
    assert [row["mm_status"] for row in json.loads(listed.stdout)] == ["Retrieved", "Forwarded"]
