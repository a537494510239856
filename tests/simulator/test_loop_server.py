"""The simulator's HTTP/1.1 server (mm7.simulator.loop_server) over raw loopback sockets.

What clients send it: persistent and pipelined requests, chunked bodies, ``Expect: 100-continue``,
HTTP/1.0, broken request heads, bodies over the size limit; and how it stops.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

import mm7
from mm7.simulator import MMSCSimulator, SimulatorConfig, SubmitRules
from mm7.simulator.loop_server import Answer, LoopServer, Request

from . import submit_wire


def _echo(request: Request) -> Answer:
    if request.path == "/boom":
        raise RuntimeError("handler bug")
    delay = float(request.query.removeprefix("delay=") or 0) if request.query.startswith("delay=") else 0.0
    text = f"{request.method} {request.path} {len(request.body)} {request.headers.get('content-length')}"
    return Answer(200, text.encode() + b"|" + request.body, "text/plain", (("X-Seen", "1"),), delay)


@pytest.fixture
def server() -> Iterator[LoopServer]:
    running = LoopServer(_echo, max_body_size=1000)
    yield running
    running.stop()


def _connect(server: LoopServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


class _Reader:
    """Reads HTTP responses off a socket, one at a time."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", 0))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(lines[0].split(" ", 2)[1]), headers, body

    def closed(self) -> bool:
        return self.buffer == b"" and self.sock.recv(1) == b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed with {self.buffer!r} unread")
        self.buffer += chunk


def _post(path: str, body: bytes, *extra: str) -> bytes:
    head = [f"POST {path} HTTP/1.1", "Host: x", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def test_one_connection_carries_several_requests(server: LoopServer) -> None:
    with _connect(server) as sock:
        reader = _Reader(sock)
        for body in (b"first", b"second"):
            sock.sendall(_post("/a", body))
            status, headers, answer = reader.response()
            assert (status, answer) == (200, b"POST /a %d %d|" % (len(body), len(body)) + body)
            assert headers["x-seen"] == "1" and "connection" not in headers


def test_pipelined_requests_are_answered_in_order_even_when_the_first_waits(server: LoopServer) -> None:
    with _connect(server) as sock:
        sock.sendall(_post("/slow?delay=0.3", b"1") + _post("/fast", b"22") + _post("/last", b"333"))
        reader = _Reader(sock)
        bodies = [reader.response()[2] for _ in range(3)]
    assert bodies == [b"POST /slow 1 1|1", b"POST /fast 2 2|22", b"POST /last 3 3|333"]


def test_chunked_body_with_extensions_and_trailers(server: LoopServer) -> None:
    request = (
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;note=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    with _connect(server) as sock:
        for piece in (request[:40], request[40:70], request[70:]):  # arrives in pieces
            sock.sendall(piece)
        assert _Reader(sock).response()[2] == b"POST /c 11 11|hello world"


def test_expect_100_continue_gets_the_interim_answer_before_the_body(server: LoopServer) -> None:
    with _connect(server) as sock:
        request = _post("/e", b"body", "Expect: 100-continue")
        head, _, body = request.partition(b"\r\n\r\n")
        sock.sendall(head + b"\r\n\r\n")
        reader = _Reader(sock)
        assert reader.response()[0] == 100
        sock.sendall(body)
        assert reader.response()[:1] == (200,)


def test_http_1_0_closes_after_the_answer(server: LoopServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        reader = _Reader(sock)
        status, headers, _ = reader.response()
        assert status == 200 and headers["connection"] == "close"
        assert reader.closed()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\n folded: header\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000, 431),
    ],
)
def test_unreadable_requests_are_refused_and_closed(
    server: LoopServer, request_bytes: bytes, status: int
) -> None:
    with _connect(server) as sock:
        sock.sendall(request_bytes)
        reader = _Reader(sock)
        assert reader.response()[0] == status
        assert reader.closed()


def test_a_body_over_the_limit_is_not_read_and_the_connection_closes(server: LoopServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"POST /big HTTP/1.1\r\nContent-Length: 5000\r\n\r\n")  # the body never comes
        reader = _Reader(sock)
        status, headers, body = reader.response()
        assert (status, body) == (200, b"POST /big 0 5000|") and headers["connection"] == "close"
        assert reader.closed()


def test_a_handler_failure_answers_500_and_the_server_keeps_serving(
    server: LoopServer, caplog: pytest.LogCaptureFixture
) -> None:
    with _connect(server) as sock:
        sock.sendall(_post("/boom", b"") + _post("/after", b"x"))
        reader = _Reader(sock)
        assert reader.response()[0] == 500
        assert reader.response()[2] == b"POST /after 1 1|x"
    assert "handler bug" in caplog.text


def test_stop_drops_waiting_answers_closes_connections_and_frees_the_port() -> None:
    arrived = threading.Event()

    def slow(request: Request) -> Answer:
        arrived.set()
        return Answer(200, b"too late", "text/plain", delay=30)

    running = LoopServer(slow)
    sock = _connect(running)
    sock.sendall(_post("/slow", b""))
    assert arrived.wait(10)
    threads = {t.name for t in threading.enumerate()}
    assert f"mm7-loop-{running.port}" in threads
    running.stop()
    with sock:
        assert sock.recv(100) == b""  # closed without an answer
    assert f"mm7-loop-{running.port}" not in {t.name for t in threading.enumerate()}
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", running.port)) != 0


def test_a_port_in_use_raises() -> None:
    running = LoopServer(_echo)
    try:
        with pytest.raises(OSError):
            LoopServer(_echo, port=running.port)
    finally:
        running.stop()


# ------------------------------------------------------------------------------- the simulator on it


def test_chunked_submit_is_accepted_and_an_oversized_one_is_2560() -> None:
    wire = submit_wire()
    body = wire.to_bytes()
    rules = SubmitRules(max_request_size=len(body) + 100)
    with (
        MMSCSimulator(SimulatorConfig(rules=rules)) as sim,
        socket.create_connection(("127.0.0.1", sim.port), timeout=10) as sock,
    ):
        content_type = wire.headers["Content-Type"]
        head = f"POST /mm7/v1/ HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
        pieces = [body[i : i + 700] for i in range(0, len(body), 700)]
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
        sock.sendall(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n\r\n")
        reader = _Reader(sock)
        status, headers, answer = reader.response()
        assert status == 200 and mm7.decode(answer, headers["content-type"]).status_code == 1000
        too_big = b"%x\r\n%s\r\n" % (len(body) + 200, b"x" * (len(body) + 200))
        sock.sendall(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + too_big + b"0\r\n\r\n")
        status, headers, answer = reader.response()
        assert status == 500 and mm7.decode(answer, headers["content-type"]).status_code == 2560
        assert headers["connection"] == "close"


def test_stop_closes_connections_not_yet_accepted() -> None:
    running = LoopServer(_echo)
    socks = [_connect(running) for _ in range(50)]
    running.stop()
    for sock in socks:
        # EOF, or a reset for a connection still queued when the listening socket closed
        with sock, contextlib.suppress(ConnectionResetError):
            assert sock.recv(100) == b""
