"""The simulator end to end over loopback HTTP: SubmitRsp, delivery reports, MO injection, the log."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import mm7
from mm7.simulator import MMSCSimulator, SimulatorConfig

from . import Receiver, post, submit_wire


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _sim(receiver: Receiver, tmp_path: Path | None = None, **config: object) -> MMSCSimulator:
    options: dict[str, object] = {
        "dr_url": receiver.url,
        "report_delay": 0.01,
        "retry_interval": 0.05,
        **config,
    }
    if tmp_path is not None:
        options["log_path"] = tmp_path / "sim.jsonl"
    sim = MMSCSimulator(SimulatorConfig(**options))  # type: ignore[arg-type]
    sim.start()
    return sim


def _reports(receiver: Receiver) -> list[tuple[str, str, str]]:
    return [
        (
            c.decoded.message.message_id,
            c.decoded.message.recipient.number.value,
            c.decoded.message.mm_status.value,
        )
        for c in receiver.calls
        if c.decoded is not None and c.decoded.operation == "DeliveryReportReq"
    ]


def test_submit_gets_message_id_then_forwarded_and_retrieved(receiver: Receiver, tmp_path: Path) -> None:
    sim = _sim(receiver, tmp_path)
    try:
        wire = submit_wire("15551239999")
        response = post(sim.url, wire.to_bytes(), wire.headers)
        rsp = mm7.decode(response.content, response.headers["Content-Type"])
        assert rsp.operation == "SubmitRsp" and rsp.transaction_id == wire.transaction_id
        message_id = rsp.message.message_id
        assert receiver.wait_for(lambda calls: len(calls) >= 2)
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert _reports(receiver) == [
        (message_id, "15551239999", "Forwarded"),
        (message_id, "15551239999", "Retrieved"),
    ]
    dr = receiver.calls[0].decoded
    assert dr is not None and dr.message.sender.short_code.value == "12345"
    assert receiver.calls[0].headers["SOAPAction"].strip('"') == dr.namespace
    lines = [json.loads(line) for line in (tmp_path / "sim.jsonl").read_text().splitlines()]
    assert [(e["kind"], e["ok"]) for e in lines] == [
        ("submit", True),
        ("delivery_report", True),
        ("delivery_report", True),
    ]


def test_fail_numbers_get_the_configured_status(receiver: Receiver) -> None:
    sim = _sim(receiver, fail_numbers={"15550000001": "Rejected"})
    try:
        wire = submit_wire("15550000001")
        post(sim.url, wire.to_bytes(), wire.headers)
        assert receiver.wait_for(lambda calls: len(calls) >= 2)
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert [status for _, _, status in _reports(receiver)] == ["Forwarded", "Rejected"]


def test_no_delivery_report_when_not_requested(receiver: Receiver) -> None:
    sim = _sim(receiver)
    try:
        wire = submit_wire(delivery_report=False)
        assert post(sim.url, wire.to_bytes(), wire.headers).status_code == 200
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    assert receiver.calls == []


def test_inject_mo_posts_a_deliver_req(receiver: Receiver) -> None:
    sim = _sim(receiver)
    try:
        tid = sim.inject_mo("15557654321", "12345", "STOP", image=b"\x89PNG fake", image_type="image/png")
        assert receiver.wait_for(lambda calls: len(calls) >= 1)
        assert sim.postbacks.wait_idle(10)
    finally:
        sim.stop()
    deliver = receiver.calls[0].decoded
    assert deliver is not None and deliver.operation == "DeliverReq" and deliver.transaction_id == tid
    assert deliver.message.sender.number.value == "15557654321"
    assert [p.media_type for p in deliver.media_parts()] == ["text/plain", "image/png"]
    assert deliver.media_parts()[0].decode_text() == "STOP"
    assert sim.log.entries(kind="deliver", ok=True)


def test_http_trigger_and_log_endpoint(receiver: Receiver) -> None:
    sim = _sim(receiver)
    try:
        answer = requests.post(
            sim.url.replace("/mm7/v1/", "/_sim/mo"),
            json={
                "sender": "15557654321",
                "to": "12345",
                "text": "hello",
                "image_base64": base64.b64encode(b"GIF89a").decode(),
                "image_type": "image/gif",
            },
            timeout=10,
        )
        assert answer.status_code == 200
        tid = answer.json()["transaction_id"]
        assert receiver.wait_for(lambda calls: len(calls) >= 1)
        assert sim.postbacks.wait_idle(10)
        log = requests.get(sim.url.replace("/mm7/v1/", "/_sim/log"), timeout=10).json()
        bad = requests.post(sim.url.replace("/mm7/v1/", "/_sim/mo"), json={"text": "no sender"}, timeout=10)
    finally:
        sim.stop()
    assert receiver.calls[0].transaction_id == tid
    assert {(e["kind"], e["transaction_id"]) for e in log} >= {("trigger", tid), ("deliver", tid)}
    assert bad.status_code == 400 and "sender" in bad.json()["error"]


def test_get_on_the_endpoint_is_405(receiver: Receiver) -> None:
    sim = _sim(receiver)
    try:
        assert requests.get(sim.url, timeout=10).status_code == 405
    finally:
        sim.stop()
