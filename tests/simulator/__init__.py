"""Helpers for the simulator tests: a recording loopback receiver and SubmitReq builders."""

from __future__ import annotations

import http.server
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

import mm7
from mm7.codec.messages import DecodedMessage, EncodedMessage
from mm7.codec.smil import related_content

#: The answer a receiver behaviour gives: (HTTP status, body, Content-Type).
Answer = tuple[int, bytes, str]


@dataclass
class Call:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    decoded: DecodedMessage | None
    client_port: int = 0

    @property
    def transaction_id(self) -> str | None:
        return self.decoded.transaction_id if self.decoded else None


def acknowledge(decoded: DecodedMessage, *, transaction_id: str | None = None, status: int = 1000) -> Answer:
    """The correct answer to an MM7 request: the matching Rsp echoing its TransactionID."""
    rsp = mm7.response_for(decoded, status, "Success" if status == 1000 else "Error")
    wire = mm7.encode(rsp, transaction_id=transaction_id or decoded.transaction_id)
    return 200, wire.to_bytes(), wire.content_type


class Receiver:
    """A loopback HTTP receiver (stdlib http.server): records every request, answers with ``behaviour``.

    ``behaviour(decoded, n)`` gets the decoded request and how many requests with the same TransactionID
    came before (0 for the first) and returns the answer. ``keep_alive`` answers in HTTP/1.1 and keeps the
    connection open (else HTTP/1.0, one request per connection); ``close_after`` then closes it after
    each answer all the same, without saying so.
    """

    def __init__(
        self,
        behaviour: Callable[[DecodedMessage, int], Answer] | None = None,
        *,
        keep_alive: bool = False,
        close_after: bool = False,
    ) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Condition()
        self._behaviour = behaviour or (lambda decoded, n: acknowledge(decoded))
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    decoded: DecodedMessage | None = mm7.decode(
                        body, self.headers.get("Content-Type"), mode="tolerant"
                    )
                except mm7.MM7Error:
                    decoded = None
                with receiver._lock:
                    seen = sum(
                        1 for c in receiver.calls if decoded and c.transaction_id == decoded.transaction_id
                    )
                    receiver.calls.append(
                        Call(self.path, dict(self.headers), body, decoded, self.client_address[1])
                    )
                    receiver._lock.notify_all()
                status, payload, content_type = (
                    receiver._behaviour(decoded, seen) if decoded else (400, b"bad", "text/plain")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                if close_after:
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/mm7/inbound"

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> bool:
        """Wait (with a deadline) until ``predicate(calls)`` holds."""
        import time

        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(list(self.calls)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def submit_wire(
    to: str | list[str] = "15551230000",
    *,
    content: bool = True,
    image_bytes: bytes | None = None,
    **fields: Any,
) -> EncodedMessage:
    """An encoded SubmitReq from the test account (VASPID KEY, VASID 12345mms, short code 12345)."""
    options: dict[str, Any] = {"vasp_id": "KEY", "vas_id": "12345mms", "sender": "12345", **fields}
    request = mm7.submit_request(to=to, **options)
    parts = [mm7.Part.from_text("Hello from the tests")]
    if image_bytes is not None:
        parts.append(mm7.Part.from_bytes(image_bytes, "image/png", content_id="img.png"))
    return mm7.encode(request, content=related_content(parts) if content else None)


def post(url: str, body: bytes, headers: dict[str, str], **kwargs: Any) -> requests.Response:
    """POST to the simulator."""
    return requests.post(url, data=body, headers=headers, timeout=10, **kwargs)


def status_of(response: requests.Response) -> int | None:
    """The MM7 StatusCode in a simulator answer (SubmitRsp or Fault/RSErrorRsp)."""
    # Tolerant, as a client reads it: answers mirror the request's namespace revision, which may not be ours.
    return mm7.decode(response.content, response.headers.get("Content-Type"), mode="tolerant").status_code


_SCRIPT = Path(sys.executable).parent / "mm7"
MM7 = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from mm7.cli import main; main()"]


@contextmanager
def simulate_process(*options: str, deadline: float = 30.0) -> Iterator[str]:
    """``mm7 simulate --port 0 OPTIONS`` as users start it; yields its MM7 URL, then stops it with SIGTERM.

    The process must exit 0 without a traceback.
    """
    process = subprocess.Popen(
        [*MM7, "simulate", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda s=stream, k=sink: k.extend(s), daemon=True)
        for stream, sink in ((process.stdout, out), (process.stderr, err))
    ]
    for reader in readers:
        reader.start()
    try:
        found = None
        limit = time.monotonic() + deadline
        while found is None and time.monotonic() < limit and process.poll() is None:
            found = re.search(r"listening on (http://\S+/mm7/v1/)", "".join(out))
            time.sleep(0.02)
        assert found is not None, f"mm7 simulate did not start: {''.join(out)}{''.join(err)}"
        yield found.group(1)
        process.send_signal(signal.SIGTERM)
        code = process.wait(deadline)
        for reader in readers:
            reader.join(deadline)
        assert code == 0 and "Traceback" not in "".join(err), f"exit {code}: {''.join(err)}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(deadline)
        for reader in readers:
            reader.join(deadline)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
