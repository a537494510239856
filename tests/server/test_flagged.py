"""A request still invalid after tolerant repair, end to end in real server processes, on both inboxes.

By default it is stored once, flagged with its violations, answered 1000 in the request's own namespace and
MM7Version (refusing it would lose it: the MMSC would send the same bytes again), and handed to the worker
with its violations. With ``MM7_REJECT_INVALID=1`` (``ReceiverApp(reject_invalid=True)``) it gets a fault
and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import requests

from mm7.inbox import Inbox, NotificationKind, open_inbox
from mm7.server.app import DEVIATIONS_HEADER, VIOLATIONS_HEADER
from mm7.server.worker import Received, Worker
from tests.cli import Background

from .conftest import Request as MM7Request
from .conftest import ServerProcess, transaction_id_and_status

StartServer = Callable[..., ServerProcess]

REL5_1_0 = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0"

# A Rel-5 relay in the 3GPP example's style: REL-5-MM7-1-0 with MM7Version 5.3.0, Sender before Recipient,
# the status in lower case, and a Date no type can read.
_FLAGGED_DR = f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mm7="{REL5_1_0}">
  <env:Header><mm7:TransactionID env:mustUnderstand="1">flag-tx-1</mm7:TransactionID></env:Header>
  <env:Body>
    <mm7:DeliveryReportReq>
      <mm7:MM7Version>5.3.0</mm7:MM7Version>
      <mm7:MessageID>flagged-msg-1</mm7:MessageID>
      <mm7:Sender><mm7:ShortCode>12345</mm7:ShortCode></mm7:Sender>
      <mm7:Recipient><mm7:Number>15551230000</mm7:Number></mm7:Recipient>
      <mm7:Date>yesterday</mm7:Date>
      <mm7:MMStatus>retrieved</mm7:MMStatus>
    </mm7:DeliveryReportReq>
  </env:Body>
</env:Envelope>
""".encode()


def _request() -> MM7Request:
    return MM7Request(_FLAGGED_DR, {"Content-Type": "text/xml; charset=utf-8"})


def _answer_namespace(xml: bytes) -> str | None:
    found = re.search(rb"<(?:\w+:)?DeliveryReportRsp[^>]*xmlns(?::\w+)?=\"([^\"]+)\"", xml) or re.search(
        rb"xmlns(?::\w+)?=\"(http://www\.3gpp\.org[^\"]+)\"", xml
    )
    return found.group(1).decode() if found else None


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[Received] = []

    def on_delivery_report(self, received: Received) -> None:
        self.seen.append(received)


def test_flagged_report_is_stored_once_answered_in_kind_and_handed_on(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url)
    for _ in range(2):  # the MMSC's retry of the same bytes is a duplicate, acknowledged again
        answer = server.post(_request())
        assert answer.status_code == 200, answer.text
        assert transaction_id_and_status(answer.content) == ("flag-tx-1", "1000")
        assert _answer_namespace(answer.content) == REL5_1_0
        assert re.search(rb"<(?:\w+:)?MM7Version>5\.3\.0<", answer.content)
        assert re.search(rb"<(?:\w+:)?StatusText>[^<]+<", answer.content)
    [stored] = inbox.list()
    assert stored.kind is NotificationKind.DELIVERY_REPORT and stored.times_received == 2
    assert "Date" in stored.headers[VIOLATIONS_HEADER] and "yesterday" in stored.headers[VIOLATIONS_HEADER]
    assert "[value-format]" in stored.headers[DEVIATIONS_HEADER]
    assert "[element-order]" in stored.headers[DEVIATIONS_HEADER]

    recorder = _Recorder()
    assert Worker(inbox, recorder, worker_id="flag-test").run_once() == 1
    [received] = recorder.seen
    assert not received.valid
    assert [v.path for v in received.violations] == ["/Envelope/Body/DeliveryReportReq/Date"]
    assert received.message.date is None and received.message.message_id == "flagged-msg-1"
    assert received.message.mm_status.value == "Retrieved"
    assert {d.kind for d in received.deviations} >= {"element-order", "value-format", "namespace"}
    assert any("yesterday" in x.xml for x in received.extensions)


def test_reject_invalid_answers_a_fault_and_stores_nothing(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url, gunicorn_workers=1, MM7_REJECT_INVALID="1")
    answer = server.post(_request())
    assert answer.status_code == 500
    assert transaction_id_and_status(answer.content) == ("flag-tx-1", "4004")
    assert b"Fault" in answer.content and b"Traceback" not in answer.content
    assert _answer_namespace(answer.content) == REL5_1_0
    assert inbox.list() == []


def test_mm7_serve_reject_invalid_flag(tmp_path: Path) -> None:
    inbox_url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = Background(["serve", "--port", "0", "--inbox", inbox_url, "--reject-invalid"])
    try:
        url = server.wait_line("listening on").split()[-1]
        answer = requests.post(url, data=_FLAGGED_DR, headers=_request().headers, timeout=30)
        assert answer.status_code == 500
        assert transaction_id_and_status(answer.content) == ("flag-tx-1", "4004")
    finally:
        assert server.stop() == 0
    with open_inbox(inbox_url) as stored:
        assert stored.list() == []
