"""The default transport's own session prepares a request once per endpoint and sends through its adapter.

What goes on the wire must be what ``requests.Session.request`` sends: the same headers, the relay's
cookies kept and sent back; a caller's own session still goes through ``Session.request`` (its headers,
hooks and auth apply). Checked against a real loopback HTTP server.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import mm7
from mm7.client import MM7Client


class _Relay:
    """A keep-alive loopback MMSC: accepts every SubmitReq, records its headers, sets a cookie if none."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                decoded = mm7.decode(body, self.headers["Content-Type"])
                relay.headers.append({k.lower(): v for k, v in self.headers.items()})
                answer = mm7.encode(
                    mm7.response_for(decoded, 1000, "Success", message_id=f"m{len(relay.headers)}"),
                    transaction_id=decoded.transaction_id,
                )
                payload = answer.to_bytes()
                self.send_response(200)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                if "Cookie" not in self.headers:
                    self.send_header("Set-Cookie", "route=a1; Path=/")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/mm7/v1/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def relay() -> Iterator[_Relay]:
    server = _Relay()
    yield server
    server.close()


def _submit(client: MM7Client) -> str | None:
    request = mm7.submit_request(to="15551234567", sender="12345", vasp_id="KEY", vas_id="12345mms")
    return client.submit(request, content=[mm7.Part.from_text("hi")]).message_id


_PER_MESSAGE = {"content-type", "content-length", "cookie"}


def test_the_default_transport_sends_what_session_request_sends(relay: _Relay) -> None:
    with MM7Client(relay.url) as direct:
        assert [_submit(direct), _submit(direct)] == ["m1", "m2"]
    with MM7Client(relay.url, session=requests.Session()) as through_session:
        assert [_submit(through_session), _submit(through_session)] == ["m3", "m4"]
    stable = [{k: v for k, v in h.items() if k not in _PER_MESSAGE} for h in relay.headers]
    assert stable[0] == stable[1] == stable[2] == stable[3]
    assert stable[0]["user-agent"].startswith("mm7-python/")
    assert all(int(h["content-length"]) > 0 for h in relay.headers)
    # The relay's cookie is sent back from the next request on, by either path (each client its own).
    assert [h.get("cookie") for h in relay.headers] == [None, "route=a1", None, "route=a1"]


def test_a_callers_session_keeps_its_own_headers(relay: _Relay) -> None:
    session = requests.Session()
    session.headers["X-Trace"] = "t-1"
    with MM7Client(relay.url, session=session) as client:
        assert _submit(client) == "m1"
    assert relay.headers[0]["x-trace"] == "t-1"


def test_a_closed_pool_is_looked_up_again(relay: _Relay) -> None:
    with MM7Client(relay.url) as client:
        assert _submit(client) == "m1"
        client.close()  # closes the adapter's pools; the client opens new ones on the next send
        assert _submit(client) == "m2"
