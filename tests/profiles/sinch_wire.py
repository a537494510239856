"""Capture the exact bytes a Sinch send puts on the wire, for the profile-as-data regression test.

``python -m tests.profiles.sinch_wire`` (from the repository root) writes ``fixtures/sinch_submit_*.http``:
the HTTP request (request line, headers in order, body) of a SubmitReq sent with ``MM7Client.for_sinch``
to a loopback socket. The fixtures were written by the code as it was before carrier profiles became data
files, so the test comparing a send through the data-driven ``sinch`` profile with them shows the bytes did
not change. What is random per send (MIME boundaries) and the loopback port are replaced by placeholders.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mm7.codec.messages import encode, response_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TRANSACTION_ID = "sinch-wire-0001"
#: One send per case: (fixture name, MM7Version, carrier id, Basic credentials).
CASES: list[tuple[str, str, str | None, tuple[str, str] | None]] = [
    ("sinch_submit_680", "6.8.0", "0001470", ("user", "secret")),
    ("sinch_submit_530", "5.3.0", None, None),
]
_BOUNDARY = re.compile(rb"=_mm7_[0-9a-f]{32}")


def normalize(raw: bytes, port: int) -> bytes:
    """Replace each random MIME boundary by ``BOUNDARY-n`` (in order of appearance) and the port by PORT."""
    seen: dict[bytes, bytes] = {}

    def placeholder(match: re.Match[bytes]) -> bytes:
        return seen.setdefault(match.group(0), b"BOUNDARY-%d" % len(seen))

    return _BOUNDARY.sub(placeholder, raw).replace(b"127.0.0.1:%d" % port, b"127.0.0.1:PORT")


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("client closed before the request head ended")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("client closed before the body ended")
        body += chunk
    return head + b"\r\n\r\n" + body


def capture(send: Callable[[str], Any]) -> bytes:
    """Run ``send(endpoint)`` against a one-request loopback server; return the normalized request bytes.

    The server answers a SubmitRsp (status 1000) carrying the request's TransactionID.
    """
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(30)
    port = server.getsockname()[1]
    got: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            raw = _read_request(conn)
            got.append(raw)
            from mm7.codec.messages import decode

            head, _, body = raw.partition(b"\r\n\r\n")
            ctype = re.search(rb"(?im)^content-type:\s*(.+?)\r?$", head).group(1).decode()  # type: ignore[union-attr]
            request = decode(body, ctype, mode="strict")
            answer = encode(
                response_for(request.message, message_id="msg-1"), transaction_id=request.transaction_id
            )
            payload = answer.to_bytes()
            lines = [b"HTTP/1.1 200 OK", b"Connection: close", b"Content-Length: %d" % len(payload)]
            lines += [
                f"{k}: {v}".encode() for k, v in answer.headers.items() if k.lower() != "content-length"
            ]
            conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + payload)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        send(f"http://127.0.0.1:{port}/mm7/v1/")
    finally:
        server.close()  # an accept still waiting (the send failed first) ends with an error
        thread.join(timeout=30)
    assert got, "no request reached the server"
    return normalize(got[0], port)


def send_with_for_sinch(mm7_version: str, carrier_id: str | None, auth: tuple[str, str] | None) -> bytes:
    """One SubmitReq through ``MM7Client.for_sinch``, as captured by :func:`capture`."""
    from mm7.client import MM7Client
    from mm7.codec.mime import Part

    def send(endpoint: str) -> None:
        with MM7Client.for_sinch(
            api_key="API-KEY",
            short_code="12345",
            vas_id="12345mms",
            endpoint=endpoint,
            mm7_version=mm7_version,
            carrier_id=carrier_id,
            username=auth[0] if auth else None,
            password=auth[1] if auth else None,
        ) as client:
            request = client.sinch.submit_request("+1 (555) 319-9144", subject="Hello")
            parts = [
                Part.from_text("Hello from mm7"),
                Part.from_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
            ]
            result = client.submit(request, content=parts, transaction_id=TRANSACTION_ID)
            assert result.message_id == "msg-1"

    return capture(send)


def main() -> None:
    """Write the fixtures."""
    FIXTURES.mkdir(exist_ok=True)
    for name, version, carrier_id, auth in CASES:
        (FIXTURES / f"{name}.http").write_bytes(send_with_for_sinch(version, carrier_id, auth))


if __name__ == "__main__":
    main()
