"""ReceiverApp as a WSGI callable (werkzeug's test client), on SQLite and PostgreSQL inboxes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, EnvironBuilder

from mm7.codec.builders import submit_request
from mm7.codec.messages import encode
from mm7.inbox import Inbox, NotificationKind, NotificationState, open_inbox
from mm7.server import ReceiverApp
from mm7.server.app import DEVIATIONS_HEADER, VIOLATIONS_HEADER
from mm7.server.worker import decode_stored

from .conftest import (
    DR_CONTENT_TYPE,
    DR_XML,
    MO_IMAGE,
    NS,
    Request,
    dr_request,
    mo_request,
    transaction_id_and_status,
)


@pytest.fixture
def app(inbox: Inbox) -> ReceiverApp:
    return ReceiverApp(inbox, max_body_size=64 * 1024)


def post(app: ReceiverApp, request: Request) -> Any:
    return Client(app).post("/mm7", data=request.body, headers=request.headers)


def stored_count(inbox: Inbox) -> int:
    return sum(inbox.counts().values())


def test_sinch_delivery_report_is_stored_then_acknowledged(app: ReceiverApp, inbox: Inbox) -> None:
    response = post(app, dr_request())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b"DeliveryReportRsp" in response.data
    assert transaction_id_and_status(response.data) == ("dr-tx-0001", "1000")
    [stored] = inbox.list()
    assert stored.kind is NotificationKind.DELIVERY_REPORT
    assert (stored.message_id, stored.recipient, stored.sender) == (
        "369500617770864640",
        "16175550123",
        "111122",
    )
    assert (stored.mm_status, stored.status_text, stored.mm7_version) == ("Retrieved", "Success", "6.8.0")
    assert (
        stored.event_date is not None and stored.event_date.isoformat() == "2015-03-16T14:03:51.749000+00:00"
    )
    assert stored.namespace == NS
    assert stored.headers["X-Mblox-Carrier-Id"] == "0001890"
    # Sinch's example declares multipart/related without a boundary: tolerated, and noted.
    assert "without boundary" in stored.headers[DEVIATIONS_HEADER]
    assert stored.envelope == DR_XML
    status = inbox.status("369500617770864640")
    assert status is not None and status.mm_status == "Retrieved" and status.final


def test_sinch_mo_is_stored_with_its_content(app: ReceiverApp, inbox: Inbox) -> None:
    response = post(app, mo_request())
    assert response.status_code == 200
    assert b"DeliverRsp" in response.data
    assert transaction_id_and_status(response.data) == ("mo-tx-0001", "1000")
    [stored] = inbox.list()
    assert stored.kind is NotificationKind.DELIVER
    assert (stored.sender, stored.recipient) == ("1617423433", "111122")
    assert (
        stored.event_date is not None and stored.event_date.isoformat() == "2014-04-14T16:15:23.414000+00:00"
    )
    deviations = stored.headers[DEVIATIONS_HEADER]
    assert "start parameter without angle brackets" in deviations
    assert "Content-ID without angle brackets" in deviations
    # The stored form decodes back to the same message and the same bytes.
    received = decode_stored(stored)
    assert received.message.linked_id == "1000001"
    assert received.content is not None and received.content.content_id == "default.cid"
    media = {p.content_id: p for p in received.media()}
    assert media["image_0.jpg"].media_type == "image/jpeg"
    assert media["image_0.jpg"].read_bytes() == MO_IMAGE
    assert media["text_0.txt"].read_bytes() == b"Test MO message!"


def test_the_same_notification_six_times_is_stored_once_and_acknowledged_six_times(
    app: ReceiverApp, inbox: Inbox
) -> None:
    # Sinch retries up to 5 times: the 6 copies must all be acknowledged, and stored once.
    for _ in range(6):
        response = post(app, dr_request())
        assert response.status_code == 200
        assert transaction_id_and_status(response.data) == ("dr-tx-0001", "1000")
    [stored] = inbox.list()
    assert stored.times_received == 6


def test_a_retry_with_a_new_transaction_id_is_still_a_duplicate(app: ReceiverApp, inbox: Inbox) -> None:
    for n in range(3):
        response = post(app, dr_request(transaction_id=f"tx-{n}"))
        assert transaction_id_and_status(response.data) == (f"tx-{n}", "1000")
    [stored] = inbox.list()
    assert stored.times_received == 3


def test_two_reports_for_one_message_are_two_notifications(app: ReceiverApp, inbox: Inbox) -> None:
    assert post(app, dr_request(mm_status="Forwarded")).status_code == 200
    assert post(app, dr_request(mm_status="Retrieved")).status_code == 200
    assert [n.mm_status for n in inbox.list()] == ["Forwarded", "Retrieved"]


def _submit_req() -> Request:
    message = encode(
        submit_request(to="15553199144", sender="12345", vasp_id="key"), transaction_id="tx-submit"
    )
    return Request(message.to_bytes(), {"Content-Type": message.content_type})


BAD_INPUTS = {
    # name: (request, HTTP status, MM7 StatusCode)
    "broken XML": (Request(b"<env:Envelope><oops", {"Content-Type": "text/xml"}), 500, "2007"),
    # Cut inside the headers of its last part: a body that ends without a closing delimiter is read
    # (tolerant), but a part whose header block never ends is not a message.
    "MIME cut inside a part's headers": (
        Request(mo_request().body[: mo_request().body.rindex(b"Content-Type") + 8], mo_request().headers),
        500,
        "2007",
    ),
    "SubmitReq to a receiver": (_submit_req(), 500, "4003"),
    "unknown namespace version": (
        Request(DR_XML.replace(b"REL-6-MM7-1-4", b"REL-7-MM7-1-0"), {"Content-Type": "text/xml"}),
        500,
        "4002",
    ),
    "MM7Version not of the namespace": (
        Request(DR_XML.replace(b"6.8.0", b"9.9.9"), {"Content-Type": DR_CONTENT_TYPE}),
        500,
        "4002",
    ),
    "DOCTYPE": (
        Request(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>', {"Content-Type": "text/xml"}
        ),
        500,
        "2007",
    ),
    "empty TransactionID": (
        Request(DR_XML.replace(b"dr-tx-0001", b""), {"Content-Type": "text/xml"}),
        500,
        "4004",
    ),
    "not a SOAP content type": (Request(b"GIF89a", {"Content-Type": "image/gif"}), 415, "2007"),
    "empty body": (Request(b"", {"Content-Type": "text/xml", "Content-Length": "0"}), 500, "2007"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_a_fault_and_stores_nothing(app: ReceiverApp, inbox: Inbox, name: str) -> None:
    request, http_status, mm7_status = BAD_INPUTS[name]
    response = post(app, request)
    assert response.status_code == http_status
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<env:Fault>" in response.data and b"VASPErrorRsp" in response.data
    assert transaction_id_and_status(response.data)[1] == mm7_status
    assert b"Traceback" not in response.data and b'File "' not in response.data
    assert stored_count(inbox) == 0


_NO_MESSAGE_ID = Request(
    DR_XML.replace(b"<MessageID>369500617770864640</MessageID>", b""), {"Content-Type": "text/xml"}
)


def test_schema_violation_is_stored_flagged_and_acknowledged(app: ReceiverApp, inbox: Inbox) -> None:
    # Refusing it would lose it: the MMSC would send the same bytes again. It is kept with its violation.
    response = post(app, _NO_MESSAGE_ID)
    assert response.status_code == 200
    assert transaction_id_and_status(response.data) == ("dr-tx-0001", "1000")
    [stored] = inbox.list()
    assert "MessageID" in stored.headers[VIOLATIONS_HEADER] and stored.message_id is None


def test_schema_violation_is_refused_with_reject_invalid(inbox: Inbox) -> None:
    response = post(ReceiverApp(inbox, reject_invalid=True), _NO_MESSAGE_ID)
    assert response.status_code == 500
    assert transaction_id_and_status(response.data) == ("dr-tx-0001", "4004")
    assert b"VASPErrorRsp" in response.data and b"MessageID" in response.data
    assert stored_count(inbox) == 0


def test_a_fault_echoes_the_transaction_id_when_it_could_be_read(app: ReceiverApp) -> None:
    response = post(app, _submit_req())
    assert transaction_id_and_status(response.data) == ("tx-submit", "4003")


class _CountingInput(io.BytesIO):
    """A wsgi.input that remembers how many bytes the app read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def _call(app: ReceiverApp, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def test_declared_oversize_body_is_refused_without_reading_it(app: ReceiverApp, inbox: Inbox) -> None:
    stream = _CountingInput(b"x" * (app.max_body_size + 1))
    environ = EnvironBuilder(method="POST", content_type="text/xml").get_environ()
    environ.update({"wsgi.input": stream, "CONTENT_LENGTH": str(app.max_body_size + 1)})
    status, headers, body = _call(app, environ)
    assert status.startswith("413")
    assert headers["Content-Type"] == "text/xml; charset=utf-8"
    assert b"Request too large" in body and transaction_id_and_status(body)[1] == "2007"
    assert stream.bytes_read == 0
    assert stored_count(inbox) == 0


def test_undeclared_oversize_body_stops_being_read_at_the_limit(app: ReceiverApp, inbox: Inbox) -> None:
    # A chunked body (no Content-Length; the server promises EOF) larger than the limit.
    stream = _CountingInput(b"<x>" + b"y" * (4 * app.max_body_size))
    environ = EnvironBuilder(method="POST", content_type="text/xml").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": stream, "wsgi.input_terminated": True})
    status, _, body = _call(app, environ)
    assert status.startswith("413")
    assert b"Request too large" in body
    assert stream.bytes_read <= app.max_body_size + 64 * 1024
    assert stored_count(inbox) == 0


def test_body_without_length_is_read_only_when_the_server_terminates_it(
    app: ReceiverApp, inbox: Inbox
) -> None:
    # PEP 3333: no Content-Length and no wsgi.input_terminated -> reading could block; treated as empty.
    environ = EnvironBuilder(method="POST", content_type="text/xml").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = stream = _CountingInput(DR_XML)
    status, _, body = _call(app, environ)
    assert status.startswith("500") and transaction_id_and_status(body)[1] == "2007"
    assert stream.bytes_read == 0
    environ = EnvironBuilder(method="POST", content_type="text/xml").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": _CountingInput(DR_XML), "wsgi.input_terminated": True})
    status, _, body = _call(app, environ)
    assert status.startswith("200"), body
    assert stored_count(inbox) == 1


def test_large_attachments_are_spooled_and_stored_intact(inbox: Inbox, tmp_path: Path) -> None:
    # An image far above the in-memory spool size goes through a temporary file and arrives byte for byte.
    big = bytes(range(256)) * 4096  # 1 MiB
    body = mo_request().body.replace(MO_IMAGE, big)
    app = ReceiverApp(inbox, max_body_size=4 * 1024 * 1024, spool_size=16 * 1024)
    response = post(app, Request(body, mo_request().headers))
    assert response.status_code == 200, response.data
    [stored] = inbox.list()
    media = {p.content_id: p for p in decode_stored(stored).media()}
    assert media["image_0.jpg"].read_bytes() == big


def test_read_only_inbox_answers_3000_and_stores_nothing(inbox_url: str, inbox: Inbox) -> None:
    # The inbox exists (the fixture created it); open it again without write access.
    read_only = open_inbox(inbox_url, read_only=True)
    try:
        response = post(ReceiverApp(read_only), dr_request())
    finally:
        read_only.close()
    # Not stored, so not acknowledged: HTTP 500 + 3000 makes the MMSC retry later.
    assert response.status_code == 500
    assert transaction_id_and_status(response.data)[1] == "3000"
    assert b"Traceback" not in response.data
    assert stored_count(inbox) == 0


def test_get_is_a_health_check_and_other_methods_are_405(app: ReceiverApp) -> None:
    client = Client(app)
    health = client.get("/")
    assert health.status_code == 200 and health.data.startswith(b"mm7 receiver")
    put = client.put("/", data=b"x")
    assert put.status_code == 405
    assert "POST" in put.headers["Allow"]


@pytest.fixture
def sqlite_inbox(tmp_path: Path) -> Iterator[Inbox]:
    ib = open_inbox(f"sqlite:///{tmp_path / 'inbox.db'}")
    yield ib
    ib.close()


def test_a_claimed_notification_is_not_touched_by_a_duplicate(sqlite_inbox: Inbox) -> None:
    # A worker holds the report; the MMSC's retry must still be acknowledged, without a second copy.
    app = ReceiverApp(sqlite_inbox)
    assert post(app, dr_request()).status_code == 200
    [claimed] = sqlite_inbox.claim("w", lease_seconds=60)
    assert post(app, dr_request()).status_code == 200
    [stored] = sqlite_inbox.list()
    assert stored.id == claimed.id and stored.state is NotificationState.LEASED and stored.times_received == 2


READ_REPLY = f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mm7="{NS}">
  <env:Header><mm7:TransactionID env:mustUnderstand="1">rr-tx-1</mm7:TransactionID></env:Header>
  <env:Body>
    <mm7:ReadReplyReq>
      <mm7:MM7Version>6.8.0</mm7:MM7Version>
      <mm7:MessageID>369500617770864640</mm7:MessageID>
      <mm7:Recipient><mm7:Number>111122</mm7:Number></mm7:Recipient>
      <mm7:Sender><mm7:Number>16175550123</mm7:Number></mm7:Sender>
      <mm7:TimeStamp>2015-03-16T14:05:00Z</mm7:TimeStamp>
      <mm7:MMStatus>Read</mm7:MMStatus>
    </mm7:ReadReplyReq>
  </env:Body>
</env:Envelope>
""".encode()


def test_read_reply_is_stored_and_answered(app: ReceiverApp, inbox: Inbox) -> None:
    response = post(app, Request(READ_REPLY, {"Content-Type": "text/xml; charset=utf-8"}))
    assert response.status_code == 200
    assert b"ReadReplyRsp" in response.data
    assert transaction_id_and_status(response.data) == ("rr-tx-1", "1000")
    [stored] = inbox.list()
    assert stored.kind is NotificationKind.READ_REPLY
    assert (stored.message_id, stored.mm_status, stored.sender) == (
        "369500617770864640",
        "Read",
        "16175550123",
    )
    assert DEVIATIONS_HEADER not in stored.headers  # a clean request: nothing to note
