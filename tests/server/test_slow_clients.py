"""Slow clients cannot starve the receiver: ``mm7 serve``, ``mm7 serve --asgi`` (uvicorn, on httptools and,
with httptools hidden, on h11), and gunicorn with the configuration we ship
(``-c python:mm7.server.gunicorn_config``), each launched as users launch it; real sockets on 127.0.0.1.

300 connections trickle header bytes and 300 trickle body bytes (after headers declaring 1 MB) for
longer than the (short, test-configured) deadlines, while a legitimate DeliveryReportReq is posted
throughout: every post gets 200 within 1 s, and every slow connection is dropped at its deadline. A
request head longer than the ASGI launcher's limit, sent fast, is answered 400 on either parser.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .conftest import DEADLINE, dr_request, transaction_id_and_status

#: ``mm7`` as its console script runs it.
MM7 = [sys.executable, "-c", "from mm7.cli import main; main()"]
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 3.0
#: waitress checks deadlines once a second; allow one more second for scheduling on a busy machine.
SLACK = 2.5
SLOW = 300
TRICKLE_INTERVAL = 0.25


@dataclass
class Slow:
    """One trickling connection."""

    sock: socket.socket
    payload: bytes
    clock_start: float  # when its deadline began (connect, or end of headers)
    sent: int = 0
    dropped_at: float | None = None


class Receiver:
    """``mm7 serve`` in its own process; the URL read from its "listening on" line."""

    def __init__(
        self, args: list[str], log: Path, env: dict[str, str] | None = None, verbose: bool = False
    ) -> None:
        self.log = log.open("w")
        if args[0] == "gunicorn":
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *args, "-b", f"127.0.0.1:{port}"],
                stdout=self.log,
                stderr=self.log,
                env={**os.environ, **(env or {})},
            )
            self.host, self.port = "127.0.0.1", port
            self.url = f"http://127.0.0.1:{port}/"
            _wait_up(self)
            return
        self.proc = subprocess.Popen(
            [*MM7, *(["-v"] if verbose else []), "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(DEADLINE)
        match = re.search(r"listening on http://([\d.]+):(\d+)/", lines[0] if lines else "")
        if not match:
            self.stop()
            pytest.fail(f"mm7 serve did not start: {lines!r}, log: {log.read_text()}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.url = f"http://{self.host}:{self.port}/"

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(DEADLINE)
        finally:
            self.log.close()
            if self.proc.stdout is not None:
                self.proc.stdout.close()


def _wait_up(server: Receiver) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if server.proc.poll() is not None:
            break
        try:
            requests.get(server.url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.05)
    server.stop()
    pytest.fail(f"{server.proc.args} did not start")


def without_httptools(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import httptools`` fails, as in an install of uvicorn alone."""
    shadow = tmp_path / "shadow"
    (shadow / "httptools").mkdir(parents=True)
    (shadow / "httptools" / "__init__.py").write_text("raise ImportError('No module named httptools')\n")
    return {"PYTHONPATH": str(shadow)}


def asgi_receiver(tmp_path: Path, parser: str) -> Receiver:
    """``mm7 -v serve --asgi`` with the test's deadlines, on httptools, or on h11 (httptools hidden)."""
    server = Receiver(
        [
            *("--asgi", "--inbox", f"sqlite:///{tmp_path / 'inbox.db'}"),
            *("--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT)),
        ],
        tmp_path / "serve.log",
        without_httptools(tmp_path) if parser == "h11" else None,
        verbose=True,
    )
    log = (tmp_path / "serve.log").read_text()
    if f"(uvicorn, {parser};" not in log:  # the parser asked for is the one serving
        server.stop()
        pytest.fail(f"mm7 serve --asgi does not say it serves with {parser}: {log}")
    return server


@pytest.fixture(params=["mm7 serve", "mm7 serve --asgi", "mm7 serve --asgi (h11)", "gunicorn"])
def receiver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Receiver]:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    if request.param == "gunicorn":
        server = Receiver(
            ["gunicorn", "-c", "python:mm7.server.gunicorn_config", "-w", "2", "mm7.server:create_app()"],
            tmp_path / "gunicorn.log",
            {
                "MM7_INBOX_URL": inbox,
                "MM7_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
                "MM7_BODY_TIMEOUT": str(BODY_TIMEOUT),
            },
        )
    elif "--asgi" in request.param:
        server = asgi_receiver(tmp_path, "h11" if request.param.endswith("(h11)") else "httptools")
    else:
        server = Receiver(
            [
                *("--inbox", inbox, "--header-timeout", str(HEADER_TIMEOUT)),
                *("--body-timeout", str(BODY_TIMEOUT)),
            ],
            tmp_path / "serve.log",
        )
    try:
        yield server
    finally:
        assert server.stop() == 0


def _open(receiver: Receiver, head: bytes, payload: bytes) -> Slow:
    sock = socket.create_connection((receiver.host, receiver.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if head:
        sock.sendall(head)
    sock.setblocking(False)
    return Slow(sock, payload, time.monotonic())


def _poke(slow: Slow, now: float) -> None:
    """Notice whether the server dropped the connection; else send it one more byte."""
    try:
        if slow.sock.recv(4096) == b"":
            slow.dropped_at = now
            return
    except BlockingIOError:
        pass
    except OSError:
        slow.dropped_at = now
        return
    try:
        slow.sock.send(slow.payload[slow.sent % len(slow.payload) : slow.sent % len(slow.payload) + 1])
        slow.sent += 1
    except BlockingIOError:
        pass
    except OSError as exc:
        assert exc.errno in (errno.EPIPE, errno.ECONNRESET), exc
        slow.dropped_at = now


def test_slow_clients_are_dropped_at_their_deadline_while_others_are_served(receiver: Receiver) -> None:
    body_head = b"POST / HTTP/1.1\r\nHost: mm7\r\nContent-Type: text/xml\r\nContent-Length: 1000000\r\n\r\n"
    header_bytes = b"POST / HTTP/1.1\r\nHost: mm7\r\n" + b"X-Slow: a\r\n" * 1000
    slow_body = [_open(receiver, body_head, b"<") for _ in range(SLOW)]
    slow_head = [_open(receiver, b"", header_bytes) for _ in range(SLOW)]
    everyone = slow_body + slow_head
    stop = threading.Event()
    latencies: list[float] = []
    failures: list[str] = []

    def post_throughout() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            request = dr_request(f"legit-{n}", transaction_id=f"tx-{n}")
            began = time.monotonic()
            try:
                answer = requests.post(receiver.url, data=request.body, headers=request.headers, timeout=5)
            except requests.RequestException as exc:
                failures.append(f"post {n}: {exc!r}")
                continue
            latencies.append(time.monotonic() - began)
            if answer.status_code != 200 or transaction_id_and_status(answer.content) != (f"tx-{n}", "1000"):
                failures.append(f"post {n}: {answer.status_code} {answer.content[:200]!r}")
            stop.wait(0.1)

    poster = threading.Thread(target=post_throughout, daemon=True)
    poster.start()
    end = time.monotonic() + BODY_TIMEOUT + 10  # bounded: every slow one must be gone well before
    try:
        while time.monotonic() < end and any(s.dropped_at is None for s in everyone):
            now = time.monotonic()
            for slow in everyone:
                if slow.dropped_at is None:
                    _poke(slow, now)
            time.sleep(TRICKLE_INTERVAL)
        # keep posting a little after the last drop: the receiver is still healthy
        time.sleep(1.0)
    finally:
        stop.set()
        poster.join(DEADLINE)
        for slow in everyone:
            slow.sock.close()

    assert not failures, failures[:5]
    assert len(latencies) >= 20, latencies
    assert max(latencies) < 1.0, sorted(latencies)[-5:]
    still_open = sum(s.dropped_at is None for s in everyone)
    assert still_open == 0, f"{still_open} slow connections never dropped"
    # Every slow client was trickling past its deadline, and was dropped at it (checked once a second).
    head_held = [s.dropped_at - s.clock_start for s in slow_head if s.dropped_at is not None]
    body_held = [s.dropped_at - s.clock_start for s in slow_body if s.dropped_at is not None]
    assert all(s.sent > 0 for s in everyone)
    assert min(head_held) >= HEADER_TIMEOUT - 0.1 and max(head_held) <= HEADER_TIMEOUT + SLACK, (
        min(head_held),
        max(head_held),
    )
    assert min(body_held) >= BODY_TIMEOUT - 0.1 and max(body_held) <= BODY_TIMEOUT + SLACK, (
        min(body_held),
        max(body_held),
    )
    print(
        f"\nheaders held {min(head_held):.2f}-{max(head_held):.2f}s, bodies held "
        f"{min(body_held):.2f}-{max(body_held):.2f}s, {len(latencies)} legit posts, "
        f"max latency {max(latencies) * 1000:.0f} ms"
    )


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_a_request_head_over_the_limit_is_answered_400_and_the_server_goes_on(
    parser: str, tmp_path: Path
) -> None:
    from mm7.server.asgi_hosting import MAX_HEAD_SIZE

    server = asgi_receiver(tmp_path, parser)
    try:
        # Sent fast (no deadline involved), one well-formed header line after another, never ending.
        line = b"X-Padding: " + b"a" * 1000 + b"\r\n"
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            try:
                sock.sendall(b"POST / HTTP/1.1\r\nHost: mm7\r\n")
                for _ in range(4 * MAX_HEAD_SIZE // len(line)):
                    sock.sendall(line)
            except OSError:
                pass  # the server may close while we still send
            answer = b""
            try:
                while chunk := sock.recv(65536):
                    answer += chunk
            except ConnectionResetError:
                pass
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
        request = dr_request("after-the-big-head", transaction_id="tx-after")
        posted = requests.post(server.url, data=request.body, headers=request.headers, timeout=10)
        assert posted.status_code == 200
        assert transaction_id_and_status(posted.content) == ("tx-after", "1000")
    finally:
        assert server.stop() == 0
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
