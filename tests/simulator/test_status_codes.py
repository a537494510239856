"""Every Sinch status code the simulator produces, each triggered by a request crafted to cause it.

Requests are built with our codec (or by editing encoded bytes where the codec rightly refuses to build
the mistake) and sent over real HTTP on 127.0.0.1; the answer is read back with our codec.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

import mm7
from mm7.codec.messages import version_of
from mm7.simulator import MMSCSimulator, SimulatorConfig, SubmitRules, basic_auth_header

from . import post, status_of, submit_wire

RULES = SubmitRules(
    username="user",
    password="pw",
    vasp_id="KEY",
    vas_id="12345mms",
    short_code="12345",
    max_request_size=20_000,
)
AUTH = basic_auth_header("user", "pw")
REL6_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"

Request = tuple[bytes, dict[str, str]]


@pytest.fixture(scope="module")
def sim() -> Iterator[MMSCSimulator]:
    with MMSCSimulator(SimulatorConfig(rules=RULES)) as simulator:
        yield simulator


def _request(wire: mm7.EncodedMessage) -> Request:
    return wire.to_bytes(), {**wire.headers, "Authorization": AUTH}


def _edited(wire: mm7.EncodedMessage, old: bytes, new: bytes) -> Request:
    body = wire.to_bytes()
    assert old in body
    headers = {k: v for k, v in wire.headers.items() if k != "Content-Length"}
    return body.replace(old, new, 1), {**headers, "Authorization": AUTH}


def _charged() -> Request:
    bindings = version_of(mm7.submit_request(to="1")).bindings
    return _request(submit_wire(charged_party=bindings.ChargedPartyType("Sender")))


def _deliver() -> Request:
    req = mm7.deliver_request(sender="15551230000", to="12345")
    return _request(mm7.encode(req, content=mm7.Part.from_text("hi", content_id="t")))


CASES: dict[int | str, Callable[[], Request]] = {
    1000: lambda: _request(submit_wire()),
    "2500-content-type": lambda: (
        submit_wire().to_bytes(),
        {"Content-Type": "application/json", "Authorization": AUTH},
    ),
    2502: lambda: _request(submit_wire(to=[], cc=["15551230000"])),
    2503: lambda: _request(submit_wire(to=["15551230000", "15551230001"])),
    2505: lambda: _request(submit_wire(mm7_version="6.9.0")),
    2506: lambda: _request(submit_wire(content=False)),
    2507: lambda: _edited(submit_wire(), REL6_NS.encode(), REL6_NS.replace("1-4", "1-0").encode()),
    2510: lambda: _edited(
        submit_wire(), b"<env:Header>", b'<env:Header><x:Trace xmlns:x="urn:x">1</x:Trace>'
    ),
    2512: _deliver,
    2560: lambda: _request(submit_wire(image_bytes=bytes(30_000))),
    2561: lambda: _request(submit_wire(vasp_id=None, vas_id=None, sender=None)),
    2562: lambda: _request(submit_wire(vas_id="99999mms")),
    2563: lambda: _request(submit_wire(sender="54321")),
    2564: lambda: _request(submit_wire(vasp_id="SOMEONE-ELSE")),
    2568: lambda: (
        submit_wire().to_bytes(),
        {**submit_wire().headers, "Authorization": basic_auth_header("user", "x")},
    ),
    2571: lambda: _request(
        submit_wire(to=["15551230000", "15551230001"], display_only=["15551230000", "15551230001"])
    ),
    2572: lambda: _request(
        submit_wire(to=["15551230000", "15551230001", "15551230002"], display_only=["15551230002"])
    ),
    3002: _charged,
    2007: lambda: (
        b"this is not XML at all",
        {"Content-Type": "text/xml; charset=utf-8", "Authorization": AUTH},
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_request_gets_sinch_status(sim: MMSCSimulator, case: int | str) -> None:
    body, headers = CASES[case]()
    response = post(sim.url, body, headers)
    expected = int(str(case).split("-")[0])
    assert status_of(response) == expected
    # Answers are in the request's namespace revision: the 2507 request, in REL-6-MM7-1-0, is refused in
    # REL-6-MM7-1-0 (read tolerantly: strict mode takes only our schemas' revisions); the rest in ours.
    decoded = mm7.decode(response.content, response.headers["Content-Type"], mode="tolerant")
    assert decoded.namespace == (REL6_NS.replace("1-4", "1-0") if case == 2507 else REL6_NS)
    if expected == 1000:
        assert response.status_code == 200
        assert decoded.operation == "SubmitRsp"
        assert decoded.message.message_id.isdigit() and len(decoded.message.message_id) >= 18
    else:
        assert response.status_code == 500
        assert decoded.operation == "RSErrorRsp" and decoded.fault is not None
        assert decoded.fault.code_local == ("Client" if expected < 3000 else "Server")
    entry = sim.log.entries(kind="submit")[-1]
    assert entry.status_code == expected


def test_group_message_with_one_receiver_is_accepted(sim: MMSCSimulator) -> None:
    wire = submit_wire(to=["15551230000", "15551230001"], display_only=["15551230001"])
    response = post(sim.url, *_request(wire))
    assert status_of(response) == 1000
    assert sim.log.entries(kind="submit")[-1].recipient == "15551230000"


def test_missing_content_length_is_2500(sim: MMSCSimulator) -> None:
    # requests always sends a length; a raw socket shows what a broken client does.
    with socket.create_connection(("127.0.0.1", sim.port), timeout=10) as sock:
        sock.sendall(
            b"POST /mm7/v1/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
            + f"Authorization: {AUTH}\r\nConnection: close\r\n\r\n".encode()
        )
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    content_type = next(
        line.split(b":", 1)[1].strip().decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-type:")
    )
    assert mm7.decode(body, content_type).status_code == 2500


def test_throughput_over_the_window_is_3510() -> None:
    config = SimulatorConfig(throughput=2, throughput_window=3600)
    with MMSCSimulator(config) as sim:
        codes = [status_of(post(sim.url, *_request(submit_wire()))) for _ in range(3)]
    assert codes == [1000, 1000, 3510]


def test_rejection_echoes_transaction_id(sim: MMSCSimulator) -> None:
    wire = submit_wire(vasp_id="SOMEONE-ELSE")
    response = post(sim.url, *_request(wire))
    assert (
        mm7.decode(response.content, response.headers["Content-Type"]).transaction_id == wire.transaction_id
    )
