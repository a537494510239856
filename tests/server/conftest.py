"""Fixtures for the receiver tests: Sinch-like requests, inboxes on both backends, real server processes.

The inbox fixtures (``backend``, ``inbox_url``, ``pg_url``, ``pg_admin_dsn``) are the inbox suite's own
(tests/inbox/conftest.py): every receiver test that takes ``inbox_url`` runs on SQLite and on PostgreSQL,
and PostgreSQL tests FAIL when no server can be started -- they are never skipped.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from inbox.conftest import backend, inbox_url, pg_admin_dsn, pg_url  # the inbox suite's fixtures

from mm7.inbox import Inbox, open_inbox

__all__ = ["backend", "inbox_url", "pg_admin_dsn", "pg_url"]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sinch"
NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
#: Sinch posts its delivery report declaring multipart/related with no boundary and a bare XML body.
DR_CONTENT_TYPE = 'multipart/related; type="text/xml";'
DR_XML = (FIXTURES / "delivery-report.xml").read_bytes()
MO_BODY = (FIXTURES / "mo-deliver.bin").read_bytes()
MO_CONTENT_TYPE = (FIXTURES / "mo-deliver.content-type").read_text().strip()
MO_IMAGE = (FIXTURES / "mo-image.jpg").read_bytes()
#: How long a test waits for a process to start or a condition to hold (polled, never slept).
DEADLINE = 60.0


@dataclass(frozen=True)
class Request:
    """One HTTP request as the MMSC would post it."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def dr_request(
    message_id: str = "369500617770864640",
    *,
    transaction_id: str = "dr-tx-0001",
    mm_status: str = "Retrieved",
) -> Request:
    """Sinch's delivery report example, optionally with another MessageID / TransactionID / MMStatus."""
    body = (
        DR_XML.replace(b"369500617770864640", message_id.encode())
        .replace(b"dr-tx-0001", transaction_id.encode())
        .replace(b"<MMStatus>Retrieved</MMStatus>", f"<MMStatus>{mm_status}</MMStatus>".encode())
    )
    return Request(body, {"Content-Type": DR_CONTENT_TYPE, "X-Mblox-Carrier-Id": "0001890"})


def wsgi_environ(request: Request) -> dict[str, Any]:
    """The WSGI environ a server would give an app for ``request`` POSTed to ``/`` from 127.0.0.1."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": request.headers["Content-Type"],
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.input": io.BytesIO(request.body),
    }
    for name, value in request.headers.items():
        environ.setdefault("HTTP_" + name.upper().replace("-", "_"), value)
    return environ


def mo_request() -> Request:
    """Sinch's MO example (DeliverReq with a nested multipart/mixed holding a JPEG and a text)."""
    return Request(MO_BODY, {"Content-Type": MO_CONTENT_TYPE, "X-Mblox-Carrier-Id": "0001890"})


def transaction_id_and_status(xml: bytes) -> tuple[str | None, str | None]:
    """TransactionID and StatusCode of an answer (read with a regex: the test must not trust our codec)."""
    tid = re.search(rb"<(?:\w+:)?TransactionID[^>]*>([^<]*)<", xml)
    code = re.search(rb"<(?:\w+:)?StatusCode>([^<]*)<", xml)
    return (
        tid.group(1).decode() if tid else None,
        code.group(1).decode() if code else None,
    )


def wait_until(predicate: object, what: str, deadline: float = DEADLINE) -> None:
    """Poll ``predicate()`` until true, failing after ``deadline`` seconds."""
    assert callable(predicate)
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


# --------------------------------------------------------------------------------------------- processes


class ServerProcess:
    """A receiver running in its own process on 127.0.0.1 (waitress via ``python -m``, or gunicorn)."""

    def __init__(self, env: Mapping[str, str], *, gunicorn_workers: int = 0, log_path: Path) -> None:
        self.env = {**os.environ, **env}
        self.gunicorn_workers = gunicorn_workers
        self.log_path = log_path
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> ServerProcess:
        """Start and wait (with a deadline) until the server answers its health check."""
        with self.log_path.open("a") as log:  # the child writes to its own copy of the descriptor
            if self.gunicorn_workers:
                port = _free_port()
                cmd = [
                    sys.executable, "-m", "gunicorn", "-w", str(self.gunicorn_workers),
                    "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", "mm7.server:create_app()",
                ]  # fmt: skip
                self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=log, text=True)
                self.url = f"http://127.0.0.1:{port}/"
            else:
                cmd = [sys.executable, "-m", "mm7.server", "--port", "0", "--threads", "8"]
                self.proc = subprocess.Popen(
                    cmd, env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True
                )
        if not self.gunicorn_workers:
            self.url = self._read_url()
        wait_until(self._healthy, f"server at {self.url} (log: {self.log_path})")
        return self

    def _read_url(self) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        found: list[str] = []

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            line = self.proc.stdout.readline()
            found.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(DEADLINE)
        match = re.search(r"listening on (http://\S+)", found[0] if found else "")
        if not match:
            self.kill()
            pytest.fail(f"server did not start: {found!r}; log:\n{self.log_path.read_text()}")
        return match.group(1)

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            pytest.fail(f"server exited with {self.proc.returncode}; log:\n{self.log_path.read_text()}")
        try:
            return requests.get(self.url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def post(self, request: Request, *, timeout: float = 30, **kwargs: object) -> requests.Response:
        """POST a request to the server."""
        return requests.post(self.url, data=request.body, headers=request.headers, timeout=timeout, **kwargs)  # type: ignore[arg-type]

    def kill(self) -> None:
        """SIGKILL the server process (use waitress servers for crash tests: one process, no orphans)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(DEADLINE)
        self._close_pipe()

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), killing it if it does not exit in time."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_pipe()

    def _close_pipe(self) -> None:
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[object]:
    """Factory: ``start_server(inbox_url, **env)`` starts a receiver process; all are stopped afterwards."""
    started: list[ServerProcess] = []

    def start(url: str, *, gunicorn_workers: int = 0, **env: str) -> ServerProcess:
        server = ServerProcess(
            {"MM7_INBOX_URL": url, **env},
            gunicorn_workers=gunicorn_workers,
            log_path=tmp_path / f"server-{len(started)}.log",
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def inbox(inbox_url: str) -> Iterator[Inbox]:
    """The inbox under test (both backends), opened in this process."""
    ib = open_inbox(inbox_url)
    try:
        yield ib
    finally:
        ib.close()
