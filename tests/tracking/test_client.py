"""``MM7Client(..., tracker=...)`` records every accepted submit, against a real ``mm7 simulate``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

import mm7
from mm7.client import MM7Client
from mm7.errors import ClientStatusError
from mm7.tracking import DeliveryState, NoReportReason, Tracker
from tests.cli import Background


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    simulator = Background(["simulate", "--port", "0"])  # no --dr-url: the reports go nowhere
    try:
        yield simulator.wait_line("listening on").split()[-1]
    finally:
        assert simulator.stop() == 0


def test_accepted_submits_are_recorded_with_their_recipients_and_report_request(
    endpoint: str, tracker: Tracker
) -> None:
    with MM7Client(endpoint, tracker=tracker) as client:
        asked = client.submit(
            mm7.submit_request(to="15551230001", sender="12345"), content=[mm7.Part.from_text("a")]
        )
        unasked = client.submit(
            mm7.submit_request(to="15551230002", sender="12345", delivery_report=False),
            content=[mm7.Part.from_text("b")],
        )
        with pytest.raises(ClientStatusError):  # refused (two destinations): nothing to record
            client.submit(
                mm7.submit_request(to=["15551230003", "15551230004"], sender="1"),
                content=[mm7.Part.from_text("x")],
            )
    assert asked.message_id and unasked.message_id
    found = tracker.status(asked.message_id)
    assert found is not None
    [recipient] = found.recipients
    assert (recipient.recipient, recipient.state, recipient.report_requested) == (
        "15551230001",
        DeliveryState.PENDING,
        True,
    )
    assert recipient.profile == client.profile.name
    quiet = tracker.status(unasked.message_id)
    assert quiet is not None and quiet.recipients[0].no_report_reason is NoReportReason.NOT_REQUESTED
    assert len(tracker.messages()) == 2


def test_a_record_that_fails_is_logged_and_the_submit_still_returns(
    endpoint: str, tracker: Tracker, caplog: pytest.LogCaptureFixture
) -> None:
    tracker.inbox.close()  # the database is gone: the relay has taken the message all the same
    with MM7Client(endpoint, tracker=tracker) as client, caplog.at_level(logging.ERROR, "mm7.client"):
        result = client.submit(
            mm7.submit_request(to="15551230001", sender="1"), content=[mm7.Part.from_text("c")]
        )
    assert result.message_id
    assert f"tracker could not record MessageID {result.message_id}" in caplog.text


def test_the_async_client_records_off_the_event_loop(endpoint: str, tracker: Tracker) -> None:
    from mm7.client import AsyncMM7Client

    async def send() -> str | None:
        async with AsyncMM7Client(endpoint, tracker=tracker) as client:
            request = mm7.submit_request(to="15551230009", sender="12345")
            result = await client.submit(request, content=[mm7.Part.from_text("d")])
            return result.message_id

    message_id = asyncio.run(send())
    assert message_id is not None
    found = tracker.status(message_id)
    assert found is not None and [r.recipient for r in found.recipients] == ["15551230009"]
