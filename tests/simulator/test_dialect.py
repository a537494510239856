"""The simulator speaks the VASP's dialect and sends what every VASP stack takes, over loopback HTTP:
MO DeliverReq with Priority Normal, answers and delivery reports in the submitter's namespace revision and
MM7Version, faults mirrored when the namespace is readable, and only the standard's MMStatus values.

What the simulator sent is read with lxml from the raw bytes, not with our codec.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator

import pytest
from lxml import etree

import mm7
from mm7.client import Dialect, MM7Client
from mm7.codec.versions import NAMESPACE_PREFIX, REL5, REL6, SOAP_ENV_NS
from mm7.errors import ClientStatusError, ConfigError
from mm7.simulator import MMSCSimulator, SimulatorConfig

from . import Call, Receiver, post, submit_wire

_ENV = "{%s}" % SOAP_ENV_NS


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def sim(receiver: Receiver) -> Iterator[MMSCSimulator]:
    with MMSCSimulator(SimulatorConfig(dr_url=receiver.url, report_delay=0.01, retry_interval=0.05)) as s:
        yield s


def soap_root(body: bytes, content_type: str) -> etree._Element:
    """The SOAP envelope of a posted body (multipart/related read with the standard library)."""
    if content_type.startswith("text/xml"):
        return etree.fromstring(body)
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    return etree.fromstring(message.get_payload()[0].get_payload(decode=True))  # type: ignore[index]


def call_root(call: Call) -> etree._Element:
    content_type = next(v for k, v in call.headers.items() if k.lower() == "content-type")
    return soap_root(call.body, content_type)


def payload(root: etree._Element) -> etree._Element:
    body = root.find(f"{_ENV}Body")
    assert body is not None and len(body) == 1
    return body[0]


def child(element: etree._Element, name: str) -> str | None:
    return element.findtext("{%s}%s" % (etree.QName(element).namespace, name))


# ------------------------------------------------------------------------------------------- MO


@pytest.mark.parametrize(
    ("dialect", "namespace", "mm7_version"),
    [
        (None, REL6.namespace, "6.8.0"),
        (Dialect.for_revision("REL-5-MM7-1-0", "5.3.0"), NAMESPACE_PREFIX + "REL-5-MM7-1-0", "5.3.0"),
    ],
    ids=["default", "REL-5-MM7-1-0"],
)
def test_mo_deliver_req_carries_priority_normal(
    sim: MMSCSimulator, receiver: Receiver, dialect: Dialect | None, namespace: str, mm7_version: str
) -> None:
    tid = sim.inject_mo("15551230000", "12345", "hello", subject="Hi", dialect=dialect)
    assert receiver.wait_for(lambda calls: any(c.transaction_id == tid for c in calls))
    [call] = [c for c in receiver.calls if c.transaction_id == tid]
    deliver = payload(call_root(call))
    assert etree.QName(deliver).localname == "DeliverReq"
    assert etree.QName(deliver).namespace == namespace
    assert child(deliver, "Priority") == "Normal"
    assert child(deliver, "MM7Version") == mm7_version
    assert call.headers["SOAPAction"] == f'"{namespace}"'


# ------------------------------------------------------------------------------------------- submit


def test_rel5_submit_is_answered_and_reported_in_rel5(sim: MMSCSimulator, receiver: Receiver) -> None:
    wire = submit_wire(mm7_version="5.3.0")
    response = post(sim.url, wire.to_bytes(), wire.headers)
    assert response.status_code == 200
    rsp = payload(etree.fromstring(response.content))
    assert (etree.QName(rsp).localname, etree.QName(rsp).namespace) == ("SubmitRsp", REL5.namespace)
    assert child(rsp, "MM7Version") == "5.3.0"
    assert child(rsp, "MessageID")
    status = rsp.find("{%s}Status" % REL5.namespace)
    assert status is not None and child(status, "StatusText") == "Success"
    assert receiver.wait_for(lambda calls: len(calls) >= 2)
    for call in receiver.calls[:2]:
        report = payload(call_root(call))
        assert etree.QName(report).namespace == REL5.namespace
        assert child(report, "MM7Version") == "5.3.0"
        assert child(report, "MMStatus") in REL5.standard_mm_statuses


def test_fault_mirrors_a_refused_namespace_revision(sim: MMSCSimulator) -> None:
    namespace = NAMESPACE_PREFIX + "REL-5-MM7-1-0"
    request = mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345", mm7_version="5.3.0")
    wire = mm7.encode(request, content=mm7.Part.from_text("x"), namespace="REL-5-MM7-1-0")
    response = post(sim.url, wire.to_bytes(), wire.headers)
    assert response.status_code == 500
    root = etree.fromstring(response.content)
    error = root.find(f"{_ENV}Body/{_ENV}Fault/detail/{{{namespace}}}RSErrorRsp")
    assert error is not None  # Sinch's 2507 for this namespace, answered in it
    assert error.findtext(f"{{{namespace}}}Status/{{{namespace}}}StatusCode") == "2507"
    assert error.findtext(f"{{{namespace}}}MM7Version") == "5.3.0"
    assert root.findtext(f"{_ENV}Header/{{{namespace}}}TransactionID") == wire.transaction_id


def test_pinned_client_gets_the_mirrored_fault_end_to_end(sim: MMSCSimulator) -> None:
    client = MM7Client(sim.url, dialect=Dialect.for_revision("REL-5-MM7-1-0"))
    with client, pytest.raises(ClientStatusError) as info:
        client.submit(
            mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345", mm7_version="5.3.0"),
            content=mm7.Part.from_text("x"),
        )
    assert info.value.status_code == 2507
    assert info.value.http_status == 500


def test_pinned_client_to_sinchs_rel5_revision_succeeds(sim: MMSCSimulator) -> None:
    with MM7Client(sim.url, dialect=Dialect.for_revision("REL-5-MM7-1-3", "5.3.0")) as client:
        result = client.submit(
            mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345", mm7_version="5.5.0"),
            content=mm7.Part.from_text("x"),
        )
    assert result.message_id and result.message_id.isdigit()
    assert result.response.namespace == REL5.namespace and result.response.mm7_version == "5.3.0"


# ------------------------------------------------------------------------------------------- MMStatus


@pytest.mark.parametrize(
    ("configured", "mm7_version", "sent"),
    [
        ("Unrecognized", "6.8.0", "Unrecognised"),  # the standard's spelling
        ("unrecognised", "6.8.0", "Unrecognised"),
        ("Deferred", "6.8.0", "Deferred"),
        ("Deferred", "5.3.0", "Indeterminate"),  # no Rel-5 form
        ("Rejected", "5.3.0", "Rejected"),
    ],
)
def test_reports_carry_only_the_standards_mm_status(
    receiver: Receiver, configured: str, mm7_version: str, sent: str
) -> None:
    config = SimulatorConfig(dr_url=receiver.url, report_delay=0.01, reports=(configured,))
    with MMSCSimulator(config) as sim:
        wire = submit_wire(mm7_version=mm7_version)
        assert post(sim.url, wire.to_bytes(), wire.headers).status_code == 200
        assert receiver.wait_for(lambda calls: len(calls) >= 1)
    report = payload(call_root(receiver.calls[0]))
    assert child(report, "MMStatus") == sent


@pytest.mark.parametrize("value", ["NotSupported", "Unreachable", "Delivered"])
def test_non_standard_mm_status_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=value):
        SimulatorConfig(reports=("Forwarded", value))
    with pytest.raises(ConfigError, match=value):
        SimulatorConfig(fail_numbers={"15550000001": value})
