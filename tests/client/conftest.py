"""A tiny threaded HTTP(S) server on 127.0.0.1 for the client tests, plus MM7 answer helpers.

The server reads each request body in 64 KiB chunks (hashing it, keeping at most ``keep_body`` bytes),
so a 100 MB upload passes through without being held in memory; it records every request (headers,
size, body, TLS peer certificate) and answers with whatever the test's handler returns.
"""

from __future__ import annotations

import hashlib
import http.server
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from mm7.codec.messages import DecodedMessage, decode, encode, encode_error, response_for
from tests.inbox.conftest import pg_admin_dsn, pg_url  # noqa: F401 - the PostgreSQL fixtures

MM7 = Path(sys.executable).parent / "mm7"


@dataclass(frozen=True)
class Drip:
    """A response body sent one byte every ``interval`` seconds (a relay too slow for any deadline).

    The server stops dripping when the client goes away or the server stops.
    """

    body: bytes
    interval: float = 2.0


Reply = tuple[int, dict[str, str], bytes | Drip]
#: A handler answering ``(CLOSE, {}, b"")`` makes the server close the connection without an answer.
CLOSE = 0


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    raw_header_names: list[str]
    size: int
    sha256: str
    body: bytes | None
    head: bytes
    chunked: bool
    peer_cert: dict[str, Any] | None
    index: int
    extra: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def decoded(self) -> DecodedMessage:
        """The body read with OUR decoder, strict mode (what a picky relay would accept)."""
        assert self.body is not None, "body was not kept"
        return decode(self.body, self.header("Content-Type"), mode="strict")


Handler = Callable[[Received], Reply]


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real relay
    server: _Server

    def handle(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as exc:
                self.server.owner.tls_errors.append(exc)
                return
        super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        owner = self.server.owner
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        digest, kept, size = hashlib.sha256(), bytearray(), 0
        head = bytearray()
        for chunk in self._body_chunks(chunked):
            size += len(chunk)
            digest.update(chunk)
            if len(head) < 65536:
                head += chunk[: 65536 - len(head)]
            if size <= owner.keep_body:
                kept += chunk
        peer = self.request.getpeercert() if isinstance(self.request, ssl.SSLSocket) else None
        with owner.lock:
            index = len(owner.requests)
            received = Received(
                method=self.command,
                path=self.path,
                headers=dict(self.headers.items()),
                raw_header_names=list(self.headers.keys()),
                size=size,
                sha256=digest.hexdigest(),
                body=bytes(kept) if size <= owner.keep_body else None,
                head=bytes(head),
                chunked=chunked,
                peer_cert=peer,
                index=index,
            )
            owner.requests.append(received)
        status, headers, body = owner.handler(received)
        if status == CLOSE:
            self.close_connection = True  # hang up without a word, after reading the whole request
            return
        try:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            # Not isinstance(body, Drip): tests import tests.client.conftest, pytest loads conftest.
            payload = body if isinstance(body, bytes) else body.body
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if not isinstance(body, bytes):
                for index in range(len(payload)):
                    self.wfile.write(payload[index : index + 1])
                    self.wfile.flush()
                    if owner.release.wait(body.interval):
                        return
            else:
                self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            return  # the client went away (timeouts, SIGKILLed child): nothing to answer
        with owner.lock:
            owner.answered += 1

    def _body_chunks(self, chunked: bool) -> Iterator[bytes]:
        if chunked:  # only to detect (and report) chunked uploads; the client must never send them
            while True:
                line = self.rfile.readline()
                length = int(line.split(b";")[0], 16)
                if length == 0:
                    self.rfile.readline()
                    return
                yield self.rfile.read(length)
                self.rfile.readline()
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = self.rfile.read(min(65536, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # listen backlog: the async tests open 200 connections at once
    owner: LoopbackServer


class LoopbackServer:
    """An HTTP(S) server on 127.0.0.1 with a pluggable handler; records every request."""

    def __init__(
        self, handler: Handler, *, ssl_context: ssl.SSLContext | None = None, keep_body: int = 4 * 1024 * 1024
    ) -> None:
        self.handler = handler
        self.keep_body = keep_body
        self.requests: list[Received] = []
        self.answered = 0
        self.tls_errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # handlers that block wait on this; set at stop()
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = self._server.server_address[1]
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/mm7/v1/"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        """Poll ``predicate`` until true, failing after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached before the deadline")
            time.sleep(0.01)

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackServer]]:
    """Factory: ``loopback(handler, ssl_context=None)`` starts a server, stopped after the test."""
    servers: list[LoopbackServer] = []

    def start(handler: Handler, **kwargs: Any) -> LoopbackServer:
        server = LoopbackServer(handler, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------------------- MM7 answers


def answer(received: Received, **fields: Any) -> Reply:
    """Decode the request strictly with our codec and answer it with a 1000 response."""
    request = received.decoded()
    if request.operation in ("SubmitReq", "extendedReplaceReq"):  # a successful answer names the message
        fields.setdefault("message_id", f"MID-{received.index}")
    wire = encode(response_for(request, **fields), transaction_id=request.transaction_id)
    return 200, wire.headers, wire.to_bytes()


def error(
    received: Received, code: int, *, http_status: int = 500, headers: dict[str, str] | None = None
) -> Reply:
    """Answer with a SOAP Fault holding RSErrorRsp ``code`` (Sinch's error form)."""
    request = received.decoded()
    wire = encode_error(
        code, f"status {code}", transaction_id=request.transaction_id, request_operation=request.operation
    )
    return http_status, {**wire.headers, **(headers or {})}, wire.to_bytes()


# ------------------------------------------------------------------------- mm7 simulate, PostgreSQL


class Simulator:
    """``mm7 simulate`` in its own process, started the way users start it."""

    def __init__(self, tmp_path: Path) -> None:
        self.output = tmp_path / "simulate.out"  # a file, not a pipe nobody drains
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                [str(MM7), "simulate", "--port", "0"], stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path
            )
        wait_until(lambda: "http://" in self.output.read_text() or self.process.poll() is not None, 30)
        text = self.output.read_text()
        assert "http://" in text, f"mm7 simulate printed no URL:\n{text}"
        self.url = text[text.index("http://") :].split()[0]
        self.base = self.url.split("/", 3)[:3]

    def submits(self) -> list[dict[str, Any]]:
        log = requests.get("/".join(self.base) + "/_sim/log", timeout=10).json()
        return [e for e in log if e["direction"] == "in" and e["operation"] == "SubmitReq"]

    def close(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    sim = Simulator(tmp_path)
    yield sim
    sim.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)
