"""mm7.codec.summary over real generated objects of both schema versions, built and decoded from the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mm7_bindings import rel5_mm7_1_3 as rel5
from mm7_bindings import rel6_mm7_1_4 as rel6

import mm7
from mm7.codec import summary
from mm7.codec.builders import deliver_request, delivery_report_request, submit_request, xml_datetime
from tests.codec.httpfile import read_http

VERSIONS = ["5.3.0", "6.8.0"]
CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"


def _bindings(mm7_version: str) -> Any:
    return rel5 if mm7_version.startswith("5") else rel6


@pytest.mark.parametrize("mm7_version", VERSIONS)
def test_submit_request_parties(mm7_version: str) -> None:
    message = submit_request(
        to=["15551230001", "user@example.com", "4242"],
        cc=["15551230002"],
        bcc=["15551230003"],
        display_only=["15551230002"],
        vasp_id="KEY",
        vas_id="svc",
        sender="12345",
        subject="Hi",
        mm7_version=mm7_version,
        linked_id="link-1",
    )
    assert type(message).__module__.startswith(_bindings(mm7_version).__name__)
    found = [(a.group, a.kind, a.value, a.display_only) for a in summary.recipients(message)]
    assert found == [
        ("to", "number", "15551230001", False),
        ("to", "short_code", "4242", False),
        ("to", "rfc2822_address", "user@example.com", False),
        ("cc", "number", "15551230002", True),
        ("bcc", "number", "15551230003", False),
    ]
    sender = summary.sender(message)
    assert sender is not None and (sender.kind, sender.value, sender.group) == ("short_code", "12345", None)
    assert summary.vasp_id(message) == "KEY" and summary.vas_id(message) == "svc"
    assert summary.subject(message) == "Hi"
    assert summary.linked_id(message) == "link-1"
    assert summary.message_id(message) is None and summary.mm_status(message) is None
    first = summary.recipient(message)
    assert first is not None and first.value == "15551230001"
    # The element is the generated object itself: changing it changes the message.
    first.element.value = "15559999999"
    assert message.recipients.to[0].number[0].value == "15559999999"


@pytest.mark.parametrize("mm7_version", VERSIONS)
def test_delivery_report(mm7_version: str) -> None:
    when = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    message = delivery_report_request(
        message_id="m-1",
        recipient="15551230001",
        sender="12345",
        mm_status="Retrieved",
        status_text="ok",
        date=when,
        mm7_version=mm7_version,
    )
    read = summary.summarize(message)
    assert read.message_id == "m-1"
    assert read.mm_status == "Retrieved"
    assert read.status_text == "ok"
    assert read.recipient is not None and (read.recipient.kind, read.recipient.value) == (
        "number",
        "15551230001",
    )
    assert read.sender is not None and (read.sender.kind, read.sender.value) == ("short_code", "12345")
    assert read.recipients == ()
    assert read.date is not None and read.date.to_datetime() == when
    assert read.mm7_version == mm7_version
    assert read.subject is None and read.vasp_id is None


@pytest.mark.parametrize("mm7_version", VERSIONS)
def test_deliver_request(mm7_version: str) -> None:
    message = deliver_request(
        sender="15551230001", to="12345", subject="MO", linked_id="L", mm7_version=mm7_version
    )
    read = summary.summarize(message)
    assert read.sender is not None and read.sender.value == "15551230001"
    assert read.recipient is not None and (read.recipient.kind, read.recipient.value) == (
        "short_code",
        "12345",
    )
    assert [r.group for r in read.recipients] == ["to"]
    assert (read.subject, read.linked_id) == ("MO", "L")
    assert read.date is not None
    assert read.vasp_id is None


def test_vasp_id_carried_directly() -> None:
    # A Rel-6 DeliverReq and an extendedReplaceReq carry VASPID/VASID as direct children.
    deliver = deliver_request(sender="15551230001", to="12345", vasp_id="V", vas_id="S")
    assert (summary.vasp_id(deliver), summary.vas_id(deliver)) == ("V", "S")
    replace = rel6.ExtendedReplaceReq(mm7_version="6.8.0", vasp_id="V2", vas_id="S2", replace_id="r")
    assert (summary.vasp_id(replace), summary.vas_id(replace)) == ("V2", "S2")
    assert summary.sender_identification(replace) is None
    assert summary.sender(replace) is None


@pytest.mark.parametrize("bindings", [rel5, rel6])
def test_read_reply_and_responses(bindings: Any) -> None:
    b = bindings
    reply = b.ReadReplyReq(
        mm7_version="6.8.0",
        message_id="m-2",
        recipient=b.SenderAddressType(number=b.AddressType(value="15551230001")),
        sender=b.SenderAddressType(rfc2822_address=b.AddressType(value="a@example.com")),
        mm_status=b.MmReadStatusType("Read"),
        time_stamp=xml_datetime(),
    )
    assert summary.mm_status(reply) == "Read"
    sender = summary.sender(reply)
    assert sender is not None and sender.kind == "rfc2822_address"
    response = b.SubmitRsp(
        mm7_version="6.8.0",
        status=b.StatusType(status_code=1000),
        message_id="m-3",
    )
    assert summary.message_id(response) == "m-3"
    assert summary.recipients(response) == [] and summary.sender(response) is None


def test_nothing_to_read() -> None:
    assert summary.summarize(None) == summary.MessageSummary()
    # Tolerant decoding leaves unreadable elements None even where the schema requires them.
    report = delivery_report_request(message_id="m", recipient="15551230001", sender="1", mm_status="Expired")
    report.sender = None
    report.mm_status = None
    assert summary.sender(report) is None and summary.mm_status(report) is None
    # An empty address element counts as no address.
    empty = rel5.SenderAddressType(number=rel5.AddressType(value=""), short_code=rel5.AddressType(value="7"))
    report5 = delivery_report_request(
        message_id="m", recipient="15551230001", sender="1", mm_status="Expired", mm7_version="5.3.0"
    )
    report5.sender = empty
    sender = summary.sender(report5)
    assert sender is not None and (sender.kind, sender.value) == ("short_code", "7")


@pytest.mark.parametrize(
    "name",
    [
        "02-openwave-deliver-rel5-1-2-lf.http",
        "03-huawei-deliveryreport-rel6-1-0.http",
        "08-sinch-submitrsp.http",
    ],
)
def test_decoded_corpus_messages(name: str) -> None:
    capture = read_http(CORPUS / name)
    decoded = mm7.decode(capture.body, capture.header("Content-Type"), mode="tolerant")
    read = summary.summarize(decoded.message)
    assert read.mm7_version == decoded.mm7_version
    if decoded.operation == "DeliverReq":
        assert read.sender is not None and read.recipients
    elif decoded.operation == "DeliveryReportReq":
        assert read.message_id and read.mm_status and read.recipient is not None
    else:
        assert read.message_id
