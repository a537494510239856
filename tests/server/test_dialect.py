"""The receiver answers in the peer's dialect: a request in REL-5-MM7-1-0 with MM7Version 5.3.0 gets its
Rsp (or its fault) in REL-5-MM7-1-0 with 5.3.0, StatusText and the same TransactionID.

The receiver runs as a real process (``python -m mm7.server`` on 127.0.0.1, the launcher of the other server
tests) on both inbox backends; requests are hand-written XML, answers are read with lxml, not our codec, and
validated against our XSD of the release.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from mm7.codec.versions import NAMESPACE_PREFIX, REL5, REL6, SOAP_ENV_NS, SchemaVersion
from mm7.codec.xml import schema_for
from mm7.inbox import Inbox

from .conftest import Request, ServerProcess

StartServer = Callable[..., ServerProcess]
_ENV = "{%s}" % SOAP_ENV_NS


def envelope(revision: str, body: str, transaction_id: str) -> bytes:
    namespace = NAMESPACE_PREFIX + revision
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="{SOAP_ENV_NS}" xmlns:mm7="{namespace}">
  <env:Header><mm7:TransactionID env:mustUnderstand="1">{transaction_id}</mm7:TransactionID></env:Header>
  <env:Body>{body}</env:Body>
</env:Envelope>""".encode()


def delivery_report(
    revision: str, mm7_version: str, transaction_id: str, message_id: str = "MID-1"
) -> Request:
    body = f"""<mm7:DeliveryReportReq>
      <mm7:MM7Version>{mm7_version}</mm7:MM7Version>
      <mm7:MessageID>{message_id}</mm7:MessageID>
      <mm7:Recipient><mm7:Number>16175550123</mm7:Number></mm7:Recipient>
      <mm7:Sender><mm7:ShortCode>12345</mm7:ShortCode></mm7:Sender>
      <mm7:Date>2024-05-01T10:00:00Z</mm7:Date>
      <mm7:MMStatus>Retrieved</mm7:MMStatus>
    </mm7:DeliveryReportReq>"""
    return Request(envelope(revision, body, transaction_id), {"Content-Type": "text/xml; charset=utf-8"})


def submit(revision: str, mm7_version: str, transaction_id: str) -> Request:
    body = f"""<mm7:SubmitReq>
      <mm7:MM7Version>{mm7_version}</mm7:MM7Version>
      <mm7:SenderIdentification><mm7:VASPID>KEY</mm7:VASPID></mm7:SenderIdentification>
      <mm7:Recipients><mm7:To><mm7:Number>16175550123</mm7:Number></mm7:To></mm7:Recipients>
    </mm7:SubmitReq>"""
    return Request(envelope(revision, body, transaction_id), {"Content-Type": "text/xml; charset=utf-8"})


def read_answer(content: bytes, namespace: str, operation: str, *, fault: bool = False) -> etree._Element:
    """The answer's MM7 element, after checking every MM7 element and the TransactionID use ``namespace``."""
    root = etree.fromstring(content)
    used = {
        etree.QName(e).namespace
        for e in root.iter()
        if isinstance(e.tag, str) and etree.QName(e).namespace not in (None, SOAP_ENV_NS)
    }
    assert used == {namespace}
    path = (
        f"{_ENV}Body/{_ENV}Fault/detail/{{{namespace}}}{operation}"
        if fault
        else f"{_ENV}Body/{{{namespace}}}{operation}"
    )
    element = root.find(path)
    assert element is not None, content
    return element


def transaction_id_of(content: bytes, namespace: str) -> str | None:
    return etree.fromstring(content).findtext(f"{_ENV}Header/{{{namespace}}}TransactionID")


def validates(content: bytes, namespace: str, version: SchemaVersion) -> bool:
    """Read the revision as our schema of its release (as a same-release reader would) and validate."""
    root = etree.fromstring(content)
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = "{%s}%s" % (version.namespace, etree.QName(element).localname)
    return bool(schema_for(version).validate(root))


def text(element: etree._Element, namespace: str, path: str) -> str | None:
    return element.findtext("/".join(f"{{{namespace}}}{step}" for step in path.split("/")))


def test_rel5_1_0_delivery_report_is_answered_in_rel5_1_0(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url)
    namespace = NAMESPACE_PREFIX + "REL-5-MM7-1-0"
    response = server.post(delivery_report("REL-5-MM7-1-0", "5.3.0", "dr-1-0-tx"))
    assert response.status_code == 200
    rsp = read_answer(response.content, namespace, "DeliveryReportRsp")
    assert text(rsp, namespace, "MM7Version") == "5.3.0"
    assert text(rsp, namespace, "Status/StatusCode") == "1000"
    assert text(rsp, namespace, "Status/StatusText") == "Success"
    assert transaction_id_of(response.content, namespace) == "dr-1-0-tx"
    assert validates(response.content, namespace, REL5)
    [stored] = inbox.list()
    assert (stored.namespace, stored.mm7_version, stored.transaction_id) == (namespace, "5.3.0", "dr-1-0-tx")


DIALECTS = [
    ("REL-5-MM7-1-1", "5.5.0", REL5),
    ("REL-5-MM7-1-3", "5.3.0", REL5),
    ("REL-5-MM7-1-5", "5.10.0", REL5),
    ("REL-6-MM7-1-0", "6.3.0", REL6),
    ("REL-6-MM7-1-3", "6.7.0", REL6),
    ("REL-6-MM7-1-4", "6.8.0", REL6),
]


def test_every_revision_is_answered_in_kind(start_server: StartServer, inbox_url: str) -> None:
    server = start_server(inbox_url)
    for n, (revision, mm7_version, version) in enumerate(DIALECTS):
        namespace = NAMESPACE_PREFIX + revision
        tid = f"tx-{revision}"
        response = server.post(delivery_report(revision, mm7_version, tid, message_id=f"MID-{n}"))
        assert response.status_code == 200, revision
        rsp = read_answer(response.content, namespace, "DeliveryReportRsp")
        assert text(rsp, namespace, "MM7Version") == mm7_version
        assert text(rsp, namespace, "Status/StatusText") == "Success"
        assert transaction_id_of(response.content, namespace) == tid
        assert validates(response.content, namespace, version)


@pytest.mark.parametrize(
    ("request_", "revision", "status", "mm7_version", "tid"),
    [
        # Valid MM7 that a VASP does not receive: the decoded request's dialect.
        (submit("REL-5-MM7-1-1", "5.3.0", "tx-sub"), "REL-5-MM7-1-1", "4003", "5.3.0", "tx-sub"),
        # An MM7Version of another release: not decodable, but its namespace is readable. The MM7Version
        # answered is the release's (the request's own is not a Rel-5 one).
        (delivery_report("REL-5-MM7-1-0", "6.8.0", "tx-ver"), "REL-5-MM7-1-0", "4002", "5.3.0", "tx-ver"),
    ],
    ids=["4003-decoded", "4002-sniffed"],
)
def test_faults_mirror_a_readable_namespace(
    start_server: StartServer,
    inbox_url: str,
    request_: Request,
    revision: str,
    status: str,
    mm7_version: str,
    tid: str,
) -> None:
    server = start_server(inbox_url)
    namespace = NAMESPACE_PREFIX + revision
    response = server.post(request_)
    assert response.status_code == 500
    error = read_answer(response.content, namespace, "VASPErrorRsp", fault=True)
    assert text(error, namespace, "Status/StatusCode") == status
    assert text(error, namespace, "Status/StatusText")
    assert text(error, namespace, "MM7Version") == mm7_version
    assert transaction_id_of(response.content, namespace) == tid
    assert validates(response.content, namespace, REL5)


def test_unreadable_request_is_answered_in_our_rel6(start_server: StartServer, inbox_url: str) -> None:
    server = start_server(inbox_url)
    response = server.post(Request(b"<not-xml", {"Content-Type": "text/xml"}))
    assert response.status_code == 500
    error = read_answer(response.content, REL6.namespace, "VASPErrorRsp", fault=True)
    assert text(error, REL6.namespace, "Status/StatusCode") == "2007"
    assert text(error, REL6.namespace, "MM7Version") == "6.8.0"
