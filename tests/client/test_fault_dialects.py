"""Faults as real relays write them reach the caller as the right typed status error, over real HTTP.

SOAP 1.1 (section 4.4) makes the Fault's children unqualified, but relays qualify them
(``soap-env:faultcode``, ``soap-env:detail``) or declare the MM7 namespace as the default on the
Envelope, so that ``faultcode`` and ``detail`` fall into it. Read naively, such an answer is a bare
Fault with no MM7 detail: the client would raise 2000 for a 2007 and 3000 for a 3510 (retried under
the wrong rule). Each answer here is written out byte by byte, the way the relay sends it, and served
by a loopback HTTP server.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from mm7 import Part
from mm7.client import MM7Client
from mm7.client.retry import RetryPolicy
from mm7.errors import ClientStatusError, MM7StatusError, ServerStatusError
from tests.client.conftest import LoopbackServer, Received, Reply

REL6 = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _qualified_children(transaction_id: str, code: int, text: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="{SOAP}">
<soap-env:Header>
<mm7:TransactionID xmlns:mm7="{REL6}" soap-env:mustUnderstand="1">{transaction_id}</mm7:TransactionID>
</soap-env:Header>
<soap-env:Body><soap-env:Fault>
<soap-env:faultcode>soap-env:{"Client" if code < 3000 else "Server"}</soap-env:faultcode>
<soap-env:faultstring>{text}</soap-env:faultstring>
<soap-env:detail><mm7:RSErrorRsp xmlns:mm7="{REL6}"><mm7:MM7Version>6.8.0</mm7:MM7Version>
<mm7:Status><mm7:StatusCode>{code}</mm7:StatusCode><mm7:StatusText>{text}</mm7:StatusText></mm7:Status>
</mm7:RSErrorRsp></soap-env:detail>
</soap-env:Fault></soap-env:Body></soap-env:Envelope>
""".encode()


def _default_namespace_on_envelope(transaction_id: str, code: int, text: str) -> bytes:
    # xmlns="…MM7…" on the Envelope: faultcode, faultstring and detail are in the MM7 namespace.
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="{SOAP}" xmlns="{REL6}">
<env:Header><TransactionID env:mustUnderstand="1">{transaction_id}</TransactionID></env:Header>
<env:Body><env:Fault>
<faultcode>env:{"Client" if code < 3000 else "Server"}</faultcode>
<faultstring>{text}</faultstring>
<detail><RSErrorRsp><MM7Version>6.8.0</MM7Version>
<Status><StatusCode>{code}</StatusCode><StatusText>{text}</StatusText></Status></RSErrorRsp></detail>
</env:Fault></env:Body></env:Envelope>
""".encode()


def _client(url: str, **options: Any) -> MM7Client:
    return MM7Client.for_sinch(
        api_key="API-KEY",
        vas_id="12345mms",
        short_code="12345",
        endpoint=url,
        retry=RetryPolicy(total_attempts=3, rng=random.Random(3)),
        sleep=lambda seconds: None,
        **options,
    )


@pytest.mark.parametrize("style", [_qualified_children, _default_namespace_on_envelope])
@pytest.mark.parametrize(
    ("code", "error", "attempts"),
    [(2007, ClientStatusError, 1), (3510, ServerStatusError, 3)],
)
def test_relay_fault_styles_raise_the_relays_own_status(
    loopback: Any, style: Any, code: int, error: type[MM7StatusError], attempts: int
) -> None:
    def handler(received: Received) -> Reply:
        transaction_id = received.decoded().transaction_id
        return 500, {"Content-Type": "text/xml; charset=utf-8"}, style(transaction_id, code, "relay said no")

    server: LoopbackServer = loopback(handler)
    client = _client(server.url)
    with pytest.raises(error) as info:
        client.submit(client.sinch.submit_request("15553199144", subject="Hi"), content=[Part.from_text("x")])
    assert info.value.status_code == code
    assert info.value.status_text == "relay said no"
    # 2007 (format corrupt) is never retried; Sinch's 3510 (throughput exceeded) is, up to the policy's limit.
    assert server.count == attempts
