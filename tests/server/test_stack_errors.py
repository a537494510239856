"""Errors of the HTTP server stack end in a 4xx that the MMSC must not retry, never in 500 + 3000.

Against real servers launched as users launch them (127.0.0.1, raw sockets so that the bytes are exactly the
broken ones): ``gunicorn -w 2 'mm7.server:create_app()'`` (sync workers) and ``python -m mm7.server``
(waitress).

* gunicorn parses a chunked body while the application reads it, so bad chunking, an over-long chunk-size line
  and a body cut short reach :class:`~mm7.server.ReceiverApp` as exceptions from ``wsgi.input.read()``: it
  answers HTTP 400 with a SOAP Fault carrying 2007 (message format corrupt, not retryable) and logs one
  warning line, no traceback.
* waitress reads the whole request before calling the application, so it answers these itself (400 / 431)
  and the application never runs.
* Either way: a client that disconnects mid-body leaves no traceback, nothing is stored, and the server goes
  on serving. 3000 stays for our own storage failures (``tests/server/test_app.py``,
  ``tests/security/test_receiver_faults.py``).
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mm7.inbox import open_inbox

from .conftest import DR_XML, ServerProcess, dr_request, transaction_id_and_status, wait_until

Start = Callable[..., ServerProcess]


def _port(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1].strip("/"))


def _head(port: int, extra: str = "", *, chunked: bool = True, length: int | None = None) -> bytes:
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {length}\r\n"
    return (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n"
        f"{framing}{extra}Connection: close\r\n\r\n"
    ).encode()


def _exchange(port: int, data: bytes, *, half_close: bool = True) -> tuple[int | None, bytes]:
    """Send raw bytes, optionally half-close, read the answer: (HTTP status or None if none came, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = bytearray()
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    if not answer:
        return None, b""
    return int(answer.split(b" ", 2)[1]), bytes(answer.partition(b"\r\n\r\n")[2])


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


#: name -> body bytes after the head (chunked unless the name says content-length).
BROKEN_BODIES: dict[str, bytes] = {
    "bad-chunk-size": _chunk(DR_XML[:100]) + b"zz\r\n" + DR_XML[100:] + b"\r\n0\r\n\r\n",
    "missing-chunk-terminator": b"10\r\n" + DR_XML[:40] + b"\r\n0\r\n\r\n",
    "over-long-chunk-size-line": b"1" + b";x=" + b"a" * 100_000 + b"\r\nA\r\n0\r\n\r\n",
    "chunked-body-cut-short": _chunk(DR_XML[:100]) + b"200\r\n" + DR_XML[100:200],
}


def _assert_no_traceback(server: ServerProcess) -> str:
    log = server.log_path.read_text()
    assert "Traceback" not in log, log
    return log


def _assert_serves_and_stored_only_valid(server: ServerProcess, url: str) -> None:
    answer = server.post(dr_request(transaction_id="after-broken"))
    assert answer.status_code == 200, answer.text
    inbox = open_inbox(url)
    try:
        stored = inbox.list()
    finally:
        inbox.close()
    assert [n.transaction_id for n in stored] == ["after-broken"]


@pytest.mark.parametrize("name", sorted(BROKEN_BODIES))
def test_gunicorn_answers_broken_bodies_400_with_2007(name: str, start_server: Start, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = start_server(url, gunicorn_workers=2)
    port = _port(server)
    status, body = _exchange(port, _head(port) + BROKEN_BODIES[name])
    assert status == 400, body
    assert transaction_id_and_status(body)[1] == "2007", body
    _assert_serves_and_stored_only_valid(server, url)
    log = _assert_no_traceback(server)
    assert "request body could not be read" in log or "before its Content-Length" in log, log


def test_gunicorn_answers_a_body_shorter_than_its_content_length_400_with_2007(
    start_server: Start, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = start_server(url, gunicorn_workers=2)
    port = _port(server)
    status, body = _exchange(port, _head(port, chunked=False, length=len(DR_XML)) + DR_XML[:200])
    assert status == 400, body
    assert transaction_id_and_status(body)[1] == "2007", body
    _assert_serves_and_stored_only_valid(server, url)
    _assert_no_traceback(server)


@pytest.mark.parametrize("name", sorted(BROKEN_BODIES))
def test_waitress_refuses_broken_bodies_itself_with_a_4xx(
    name: str, start_server: Start, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = start_server(url)
    port = _port(server)
    status, body = _exchange(port, _head(port) + BROKEN_BODIES[name])
    # waitress never calls the application with a body it could not read: it answers (4xx) or, when the
    # body is merely cut short and the client half-closes, drops the connection. A chunk extension it
    # accepts (waitress ignores extensions of any length) gives the application a 1-byte body: not XML, 2007.
    if name == "over-long-chunk-size-line":
        assert status == 500 and transaction_id_and_status(body)[1] == "2007", (status, body)
    else:
        assert status is None or 400 <= status < 500, (status, body)
    _assert_serves_and_stored_only_valid(server, url)
    _assert_no_traceback(server)


@pytest.mark.parametrize("workers", [2, 0], ids=["gunicorn", "waitress"])
def test_header_line_over_the_servers_limit_is_a_4xx(
    workers: int, start_server: Start, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = start_server(url, gunicorn_workers=workers)
    port = _port(server)
    status, body = _exchange(
        port, _head(port, f"X-Junk: {'j' * 300_000}\r\n") + _chunk(DR_XML) + b"0\r\n\r\n"
    )
    assert status is not None and 400 <= status < 500, (status, body)
    _assert_serves_and_stored_only_valid(server, url)
    _assert_no_traceback(server)


@pytest.mark.parametrize("workers", [2, 0], ids=["gunicorn", "waitress"])
def test_client_disconnect_mid_body_leaves_no_traceback(
    workers: int, start_server: Start, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = start_server(url, gunicorn_workers=workers)
    port = _port(server)
    for framing in ("chunked", "length"):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        if framing == "chunked":
            sock.sendall(_head(port) + _chunk(DR_XML[:300]) + b"400\r\n" + DR_XML[300:400])
        else:
            sock.sendall(_head(port, chunked=False, length=len(DR_XML)) + DR_XML[:300])
        time.sleep(0.2)  # let the server start reading the body (it may be inside the application)
        # SO_LINGER 0: close() sends a RST, the way a crashed or killed client goes away.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    if workers:
        # gunicorn: the application saw the read fail and logged a warning (no traceback).
        wait_until(lambda: server.log_path.read_text().count("answering 400") >= 2, "two 400 warnings")
    _assert_serves_and_stored_only_valid(server, url)
    _assert_no_traceback(server)
