"""MM7Client(dialect=...) end to end over real HTTP on 127.0.0.1: a client pinned to REL-5-MM7-1-0 / 5.3.0
sends exactly that namespace, MM7Version and SOAPAction, and reads the relay's answer in any revision.

The relay here is a loopback HTTP server that answers in the request's dialect with our codec; what the
client sent is checked on the raw bytes with lxml and the standard library's MIME parser, and validated
against our Rel-5 XSD for real.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable

import pytest
from lxml import etree

from mm7 import Part, submit_request
from mm7.client import Dialect, MM7Client
from mm7.codec.messages import decode, encode, encode_response, response_for
from mm7.codec.versions import NAMESPACE_PREFIX, REL5, REL6, SOAP_ENV_NS
from mm7.codec.xml import schema_for
from mm7.errors import ConfigError
from tests.client.conftest import LoopbackServer, Received, Reply

Loopback = Callable[..., LoopbackServer]
NS_1_0 = NAMESPACE_PREFIX + "REL-5-MM7-1-0"
_ENV = "{%s}" % SOAP_ENV_NS


def mirror(received: Received) -> Reply:
    """A relay that implements every revision and answers in the request's dialect (tolerant reader)."""
    assert received.body is not None
    request = decode(received.body, received.header("Content-Type"), mode="tolerant")
    fields = {"message_id": f"MID-{received.index}"} if request.operation == "SubmitReq" else {}
    wire = encode_response(request, **fields)
    return 200, wire.headers, wire.to_bytes()


def soap_part(received: Received) -> etree._Element:
    """The SOAP envelope of a request, found with the standard library's MIME parser."""
    assert received.body is not None
    content_type = received.header("Content-Type") or ""
    if content_type.startswith("text/xml"):
        return etree.fromstring(received.body)
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.message_from_bytes(head + received.body, policy=email.policy.HTTP)
    assert message.is_multipart()
    root = message.get_payload()[0]  # type: ignore[index]
    return etree.fromstring(root.get_payload(decode=True))


def mm7_namespaces(root: etree._Element) -> set[str]:
    return {
        str(etree.QName(e).namespace)
        for e in root.iter()
        if isinstance(e.tag, str) and etree.QName(e).namespace not in (None, SOAP_ENV_NS)
    }


def validates_as_rel5(root: etree._Element, namespace: str) -> bool:
    """Read the revision as our REL-5-MM7-1-3 schema (a same-release reader would) and validate."""
    copy = etree.fromstring(etree.tostring(root))
    for element in copy.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = "{%s}%s" % (REL5.namespace, etree.QName(element).localname)
    return bool(schema_for(REL5).validate(copy))


@pytest.fixture
def pinned() -> Dialect:
    return Dialect.for_revision("REL-5-MM7-1-0", "5.3.0")


def test_pinned_client_sends_its_dialect_end_to_end(loopback: Loopback, pinned: Dialect) -> None:
    relay = loopback(mirror)
    # The message is built for another Rel-5 MM7Version: the client pins 5.3.0 anyway.
    message = submit_request(
        to="15551234567", vasp_id="KEY", vas_id="12345mms", sender="12345", subject="Hi", mm7_version="5.5.0"
    )
    with MM7Client(relay.url, dialect=pinned) as client:
        result = client.submit(message, content=Part.from_text("hello"), transaction_id="tx-pinned-1")
    [received] = relay.requests
    assert received.header("SOAPAction") == f'"{NS_1_0}"'
    root = soap_part(received)
    assert mm7_namespaces(root) == {NS_1_0}
    assert root.findtext(f"{_ENV}Header/{{{NS_1_0}}}TransactionID") == "tx-pinned-1"
    submit = root.find(f"{_ENV}Body/{{{NS_1_0}}}SubmitReq")
    assert submit is not None
    assert submit.findtext(f"{{{NS_1_0}}}MM7Version") == "5.3.0"
    assert validates_as_rel5(root, NS_1_0)
    # The relay answered in REL-5-MM7-1-0 too: read (tolerantly), with its MessageID.
    assert result.message_id == "MID-0"
    assert result.response.namespace == NS_1_0
    assert result.response.mm7_version == "5.3.0"
    assert result.transaction_id == "tx-pinned-1"
    assert message.mm7_version == "5.5.0"  # the caller's object is not changed


def test_pinned_client_builds_cancel_in_its_dialect(loopback: Loopback, pinned: Dialect) -> None:
    relay = loopback(mirror)
    with MM7Client(relay.url, dialect=pinned) as client:
        answer = client.cancel("MID-42")
    [received] = relay.requests
    assert received.header("SOAPAction") == f'"{NS_1_0}"'
    root = soap_part(received)
    cancel = root.find(f"{_ENV}Body/{{{NS_1_0}}}CancelReq")
    assert cancel is not None
    assert cancel.findtext(f"{{{NS_1_0}}}MM7Version") == "5.3.0"
    assert cancel.findtext(f"{{{NS_1_0}}}MessageID") == "MID-42"
    assert validates_as_rel5(root, NS_1_0)
    assert answer.operation == "CancelRsp" and answer.namespace == NS_1_0


def test_answer_in_another_revision_of_the_release_is_read(loopback: Loopback, pinned: Dialect) -> None:
    def relay_in_1_3(received: Received) -> Reply:  # a relay that always answers in REL-5-MM7-1-3
        assert received.body is not None
        request = decode(received.body, received.header("Content-Type"), mode="tolerant")
        wire = encode(response_for(request, message_id="MID-13"), transaction_id=request.transaction_id)
        return 200, wire.headers, wire.to_bytes()

    relay = loopback(relay_in_1_3)
    with MM7Client(relay.url, dialect=pinned) as client:
        result = client.submit(
            submit_request(to="15551234567", vasp_id="KEY", sender="12345", mm7_version="5.3.0"),
            content=Part.from_text("x"),
        )
    assert result.message_id == "MID-13"
    assert result.response.namespace == REL5.namespace


def test_unpinned_client_keeps_our_namespace_and_the_messages_version(loopback: Loopback) -> None:
    relay = loopback(mirror)
    with MM7Client(relay.url) as client:
        client.submit(
            submit_request(to="15551234567", vasp_id="KEY", sender="12345", mm7_version="5.5.0"),
            content=Part.from_text("x"),
        )
    [received] = relay.requests
    assert received.header("SOAPAction") == f'"{REL5.namespace}"'
    root = soap_part(received)
    assert mm7_namespaces(root) == {REL5.namespace}
    assert (
        root.findtext(f"{_ENV}Body/{{{REL5.namespace}}}SubmitReq/{{{REL5.namespace}}}MM7Version") == "5.5.0"
    )


def test_pinned_client_refuses_a_message_of_another_release(loopback: Loopback, pinned: Dialect) -> None:
    relay = loopback(mirror)
    with MM7Client(relay.url, dialect=pinned) as client, pytest.raises(ConfigError, match="REL-5-MM7-1-0"):
        client.submit(submit_request(to="15551234567", vasp_id="KEY", sender="12345", mm7_version="6.8.0"))
    assert relay.count == 0  # refused before any I/O


def test_rel6_dialect_for_extended_operations(loopback: Loopback) -> None:
    relay = loopback(mirror)
    dialect = Dialect.for_revision("REL-6-MM7-1-2", "6.5.0")
    with MM7Client(relay.url, dialect=dialect) as client:
        assert client.mm7_version == "6.5.0"
        answer = client.extended_cancel("MID-7")
    namespace = NAMESPACE_PREFIX + "REL-6-MM7-1-2"
    [received] = relay.requests
    assert received.header("SOAPAction") == f'"{namespace}"'
    cancel = soap_part(received).find(f"{_ENV}Body/{{{namespace}}}extendedCancelReq")
    assert cancel is not None and cancel.findtext(f"{{{namespace}}}MM7Version") == "6.5.0"
    assert answer.namespace == namespace and answer.version is REL6
    # A Rel-5 dialect has no extended operations.
    with (
        MM7Client(relay.url, dialect=Dialect.for_revision("REL-5-MM7-1-1")) as client,
        pytest.raises(ConfigError),
    ):
        client.extended_cancel("MID-8")
