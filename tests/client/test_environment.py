"""The default transport honours the proxy environment variables, read once per endpoint.

requests reads ``HTTP_PROXY``/``NO_PROXY`` (and CA bundle variables) on every request; mm7's default
session reads them the first time it sends to an endpoint and keeps them (docs/client.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import mm7
from mm7.client import MM7Client
from mm7.codec.messages import DecodedMessage
from tests.simulator import Answer, Receiver

ENDPOINT = "http://mmsc.invalid/mm7/v1"


@pytest.fixture
def proxy() -> Iterator[Receiver]:
    """A loopback server standing in for a forward proxy: it answers requests itself (as the MMSC)."""

    def accept(decoded: DecodedMessage, seen: int) -> Answer:
        rsp = mm7.response_for(decoded, 1000, "Success", message_id=f"m-{seen}")
        wire = mm7.encode(rsp, transaction_id=decoded.transaction_id)
        return 200, wire.to_bytes(), wire.content_type

    receiver = Receiver(accept)
    yield receiver
    receiver.close()


def _submit(client: MM7Client) -> str | None:
    request = mm7.submit_request(to=["15551234567"], sender="12345", subject="via proxy")
    return client.submit(request, content=[mm7.Part.from_text("hi")]).message_id


def test_requests_go_through_the_proxy_the_environment_names(
    proxy: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url.split("/mm7/")[0])
    with MM7Client(ENDPOINT) as client:
        assert _submit(client) is not None
        # Read once for this endpoint: a later change does not redirect a running client.
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        assert _submit(client) is not None
    assert [call.path for call in proxy.calls] == [ENDPOINT, ENDPOINT]  # absolute-form: a proxy request


def test_no_proxy_is_honoured(proxy: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with MM7Client(proxy.url) as client:
        assert _submit(client) is not None
    assert [call.path for call in proxy.calls] == ["/mm7/inbound"]
