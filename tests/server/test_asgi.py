"""The ASGI receiver answers and stores exactly what the WSGI receiver does, and never blocks its loop.

Both apps come from the public builders (``make_app`` / ``make_asgi_app``) with the same settings (Basic
auth, an allow-list behind a trusted proxy, a 64 KiB body limit), each on its own inbox, each behind a
real server on 127.0.0.1 (waitress for WSGI, uvicorn for ASGI). The same requests are posted to both, in
the same order; status, Content-Type, challenge and body must be the same bytes (a fault's TransactionID
is compared only where the request's could be read: otherwise each app draws a fresh one), and so must
every stored row. On SQLite and PostgreSQL.

The loop: a coroutine ticking every 20 ms on uvicorn's loop while 50 posts arrive at once and another
writer holds the inbox's write lock for a second (every put waits for it) keeps its period: no gap over
0.25 s. Were a put run on the loop, the loop would stand still for that second.

Under a server without deadlines (plain uvicorn), the app's own body deadline answers a late body 408,
and a client that hangs up mid-body leaves nothing stored and no error.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from mm7.codec.builders import submit_request
from mm7.codec.messages import encode
from mm7.inbox import Inbox
from mm7.server import ASGIReceiverApp, ReceiverApp, make_app, make_asgi_app

from .asgi_support import UvicornThread, WaitressThread
from .conftest import (
    DR_XML,
    MO_BODY,
    MO_CONTENT_TYPE,
    MO_IMAGE,
    Request,
    dr_request,
    mo_request,
    transaction_id_and_status,
    wait_until,
)

MAX_BODY = 64 * 1024
USER, PASSWORD = "sinch", "s3cret"
#: The client's address as the trusted proxy (127.0.0.1, the test's own address) forwards it.
ALLOWED_CLIENT = "192.0.2.7"
SETTINGS: dict[str, Any] = {
    "username": USER,
    "password": PASSWORD,
    "allow": ["192.0.2.0/24"],
    "trusted_proxies": ["127.0.0.1"],
    "trust_forwarded_for": True,
    "max_body_size": MAX_BODY,
}


@dataclass(frozen=True)
class Case:
    name: str
    request: Request
    method: str = "POST"
    auth: tuple[str, str] | None = (USER, PASSWORD)
    client: str = ALLOWED_CLIENT
    #: The answer's TransactionID is drawn fresh (the request's could not be read): compared masked.
    fresh_transaction_id: bool = False
    expect: int = 200
    extra_headers: dict[str, str] = field(default_factory=dict)


def _submit_req() -> Request:
    message = encode(
        submit_request(to="15553199144", sender="12345", vasp_id="key"), transaction_id="tx-submit"
    )
    return Request(message.to_bytes(), {"Content-Type": message.content_type})


CASES = [
    Case("good delivery report", dr_request()),
    Case("DeliverReq with media", mo_request()),
    Case("duplicate delivery report", dr_request()),
    Case("duplicate with a new TransactionID", dr_request(transaction_id="dr-tx-0002")),
    Case("second report for the message", dr_request(mm_status="Forwarded", transaction_id="dr-tx-3")),
    Case(
        "oversize body",
        Request(DR_XML + b"<!--" + b"x" * MAX_BODY + b"-->", {"Content-Type": "text/xml"}),
        fresh_transaction_id=True,
        expect=413,
    ),
    Case("wrong password", dr_request(), auth=(USER, "guess"), expect=401),
    Case("no credentials", dr_request(), auth=None, expect=401),
    Case(
        "malformed XML",
        Request(DR_XML.replace(b"</env:Envelope>", b""), {"Content-Type": "text/xml"}),
        fresh_transaction_id=True,
        expect=500,
    ),
    Case(
        "malformed MIME",
        Request(MO_BODY[: len(MO_BODY) // 2], {"Content-Type": MO_CONTENT_TYPE}),
        fresh_transaction_id=True,
        expect=500,
    ),
    Case(
        "wrong content type",
        Request(DR_XML, {"Content-Type": "application/json"}),
        fresh_transaction_id=True,
        expect=415,
    ),
    Case("allow-list denied", dr_request(), client="198.51.100.9", expect=403),
    Case("not for a VASP (SubmitReq)", _submit_req(), expect=500),
    Case("health check", Request(b""), method="GET"),
    Case("other method", Request(b""), method="PUT", expect=405),
]


@pytest.fixture
def second_inbox_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh inbox of the same backend (the first is ``inbox_url``)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'inbox-asgi.db'}"
        return
    import psycopg
    from inbox.conftest import _with_dbname

    admin = str(request.getfixturevalue("pg_admin_dsn"))
    name = f"mm7_inbox_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_dbname(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _send(url: str, case: Case) -> requests.Response:
    headers = {**case.request.headers, "X-Forwarded-For": case.client, **case.extra_headers}
    if case.method != "POST":
        return requests.request(case.method, url, headers=headers, auth=case.auth, timeout=30)
    return requests.post(url, data=case.request.body, headers=headers, auth=case.auth, timeout=30)


_BOUNDARY = re.compile(rb"=_mm7_[0-9a-f]{32}")


def _masked(body: bytes) -> bytes:
    return re.sub(rb"(TransactionID[^>]*>)[^<]*<", rb"\1TID<", body)


def _rows(inbox: Inbox) -> list[dict[str, Any]]:
    rows = []
    for listed in inbox.list(limit=1000):
        item = inbox.get(listed.id)
        assert item is not None
        rows.append(
            {
                "kind": item.kind,
                "state": item.state,
                "dedupe_key": item.dedupe_key,
                "transaction_id": item.transaction_id,
                "mm7_version": item.mm7_version,
                "namespace": item.namespace,
                "message_id": item.message_id,
                "sender": item.sender,
                "recipient": item.recipient,
                "mm_status": item.mm_status,
                "status_text": item.status_text,
                "event_date": item.event_date,
                "envelope": item.envelope,
                "headers": item.headers,
                "times_received": item.times_received,
                # A nested multipart is stored re-encoded, with a boundary drawn at random.
                "attachments": [
                    tuple(
                        _BOUNDARY.sub(b"=_mm7_B", v.encode() if isinstance(v, str) else v or b"")
                        for v in (a.content_id, a.content_type, a.content_location, bytes(a.data))  # type: ignore[arg-type]
                    )
                    for a in item.attachments
                ],
            }
        )
    return rows


def test_the_asgi_app_answers_and_stores_what_the_wsgi_app_does(
    inbox_url: str, second_inbox_url: str
) -> None:
    wsgi = make_app(inbox_url, **SETTINGS)
    asgi = make_asgi_app(second_inbox_url, **SETTINGS)
    assert isinstance(wsgi, ReceiverApp) and isinstance(asgi, ASGIReceiverApp)
    try:
        with WaitressThread(wsgi) as waitress, UvicornThread(asgi) as uvicorn:
            for case in CASES:
                first = _send(waitress.url, case)
                second = _send(uvicorn.url, case)
                assert first.status_code == case.expect, (case.name, first.status_code, first.content)
                assert second.status_code == first.status_code, (case.name, second.content)
                for name in ("Content-Type", "WWW-Authenticate", "Allow"):
                    assert second.headers.get(name) == first.headers.get(name), (case.name, name)
                if case.fresh_transaction_id:
                    assert _masked(second.content) == _masked(first.content), case.name
                    assert second.content != first.content, f"{case.name}: a fresh TransactionID each"
                else:
                    assert second.content == first.content, case.name
                if case.method == "POST" and case.expect == 200:
                    tid = case.request.body and transaction_id_and_status(second.content)
                    assert tid and tid[1] == "1000", (case.name, second.content)
            wsgi_rows, asgi_rows = _rows(wsgi.inbox), _rows(asgi.inbox)
    finally:
        wsgi.inbox.close()
        asgi.inbox.close()
    assert [r["kind"] for r in asgi_rows] == ["delivery_report", "deliver", "delivery_report"]
    assert asgi_rows[0]["times_received"] == 3  # the report, its copy, and the copy with a new TID
    assert asgi_rows == wsgi_rows


# ----------------------------------------------------------------------------------- the event loop

TICK = 0.02
MAX_GAP = 0.25
POSTERS = 50
IMAGE_SIZE = 64 * 1024
#: Seconds another writer holds the inbox's write lock while the posts arrive.
HOLD = 1.0


async def _post(port: int, request: Request) -> tuple[int, bytes]:
    """One POST over a fresh connection, on the caller's loop (no thread)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = ["POST / HTTP/1.1", "Host: mm7", "Connection: close", f"Content-Length: {len(request.body)}"]
    head += [f"{name}: {value}" for name, value in request.headers.items()]
    writer.write("\r\n".join(head).encode() + b"\r\n\r\n" + request.body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _big_mo(n: int) -> Request:
    """An MO whose image is padded to 64 KiB (spooled to disk, stored whole), with its own LinkedID."""
    mo = mo_request()
    body = mo.body.replace(MO_IMAGE, MO_IMAGE + bytes(n % 251 for _ in range(IMAGE_SIZE - len(MO_IMAGE))))
    body = body.replace(b"<LinkedID>1000001</LinkedID>", f"<LinkedID>mo-{n}</LinkedID>".encode())
    assert len(body) > IMAGE_SIZE and f"mo-{n}".encode() in body
    return Request(body, mo.headers)


class WriterHoldingTheInbox:
    """Another writer of the same database holds its write lock for ``HOLD`` seconds (a real lock).

    Every put of the receiver waits for it: in a worker thread, the loop goes on ticking; on the loop,
    the loop would stand still for that long. Released by a timer thread, not by the loop.
    """

    def __init__(self, inbox_url: str) -> None:
        if inbox_url.startswith("sqlite:"):
            import sqlite3

            self.conn: Any = sqlite3.connect(
                inbox_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
            )
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            import psycopg

            self.conn = psycopg.connect(inbox_url)
            self.conn.execute("LOCK TABLE inbox_notifications IN EXCLUSIVE MODE")
        self.timer = threading.Timer(HOLD, self.release)
        self.timer.start()

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


async def _serve_and_post(
    app: ASGIReceiverApp, inbox_url: str
) -> tuple[list[float], list[tuple[int, bytes]]]:
    import uvicorn

    from .asgi_support import listening_socket

    sock = listening_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_config=None, access_log=False, proxy_headers=False)
    )
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    ticks: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            await asyncio.sleep(TICK)

    # The test's own work stays out of the ticks it measures: the requests are made before the ticking
    # starts, and the lock is taken off the loop (it connects to the database: a new PostgreSQL backend can
    # take half a second on a busy machine).
    requests_ = [
        _big_mo(n) if n % 2 else dr_request(f"loop-{n}", transaction_id=f"tx-{n}") for n in range(POSTERS)
    ]
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        ticker = asyncio.ensure_future(tick())
        holder = await asyncio.to_thread(WriterHoldingTheInbox, inbox_url)
        answers = await asyncio.gather(*(_post(port, r) for r in requests_))
        await asyncio.sleep(3 * TICK)
        done.set()
        await ticker
        holder.timer.join()
    finally:
        server.should_exit = True
        await serving
        sock.close()
    return ticks, answers


@contextlib.contextmanager
def _test_runner_heap_frozen() -> Iterator[None]:
    """Keep the cyclic collector off the test runner's own heap while the loop is timed.

    ``mm7 serve`` freezes its heap before it takes requests (``hosting.prepare_to_serve``); this process is
    pytest's, late in a suite of thousands of tests, whose full collections walk hundreds of thousands of
    objects (measured with ``gc.callbacks`` over the suite: up to 290 ms each). One of those in the middle of
    the ticks is the test runner's pause, not the receiver's.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def test_ticks_keep_their_period_beside_50_concurrent_posts(inbox_url: str) -> None:
    app = make_asgi_app(inbox_url)
    try:
        with _test_runner_heap_frozen():
            ticks, answers = asyncio.run(_serve_and_post(app, inbox_url))
        stored = app.inbox.counts()
    finally:
        app.inbox.close()
    assert [status for status, _ in answers] == [200] * POSTERS, answers[:3]
    assert all(transaction_id_and_status(body)[1] == "1000" for _, body in answers)
    assert sum(stored.values()) == POSTERS, stored  # every one stored before its answer
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert ticks[-1] - ticks[0] > HOLD  # the ticks span the wait for the other writer
    assert max(gaps) < MAX_GAP, f"the loop stalled for {max(gaps):.3f}s (tick {TICK}s)"
    print(f"\n{len(ticks)} ticks, largest gap {max(gaps) * 1000:.0f} ms")


def test_a_request_cancelled_while_its_report_is_stored_leaves_the_batch_and_the_app_going(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The request's task is cancelled (its client went away, the server is stopping) while its report waits
    # in a batch for the write lock: the batch goes on and stores it (unacknowledged, so the MMSC sends it
    # again: a duplicate), nothing is sent for it, nothing fails when the batch's outcome comes back to a
    # request nobody waits for, and the next request is answered.
    inbox_url = f"sqlite:///{tmp_path / 'inbox.db'}"
    app = make_asgi_app(inbox_url)
    sent: list[list[dict[str, Any]]] = [[], []]

    def call(request: Request, answers: list[dict[str, Any]]) -> Awaitable[None]:
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/",
            "client": ("127.0.0.1", 40000),
            "headers": [(b"content-length", str(len(request.body)).encode())]
            + [(name.lower().encode(), value.encode()) for name, value in request.headers.items()],
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": request.body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            answers.append(message)

        return app(scope, receive, send)

    async def cancel_while_stored() -> None:
        holder = await asyncio.to_thread(WriterHoldingTheInbox, inbox_url)
        cancelled = asyncio.ensure_future(call(dr_request("gone", transaction_id="tx-gone"), sent[0]))
        await asyncio.sleep(0.2)  # decoded, handed to the writer thread, which waits for the lock
        assert not cancelled.done()
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        await asyncio.to_thread(holder.timer.join)
        await call(dr_request("next", transaction_id="tx-next"), sent[1])

    try:
        with caplog.at_level(logging.WARNING):
            asyncio.run(cancel_while_stored())
        stored = {n.transaction_id: n.times_received for n in app.inbox.list()}
    finally:
        app.writer.close()
        app.inbox.close()
    assert sent[0] == []  # nobody to answer
    assert sent[1][0]["status"] == 200
    assert transaction_id_and_status(sent[1][1]["body"]) == ("tx-next", "1000")
    assert stored == {"tx-gone": 1, "tx-next": 1}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


# ----------------------------------------------------------------------------------- slow and gone clients


def _raw_exchange(url: str, head: bytes, body: bytes, *, then_close: bool) -> bytes:
    """Send a head and part of a body; either hang up, or wait for whatever the server answers."""
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + body)
        if then_close:
            return b""
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_late_body_is_answered_408_and_a_client_gone_mid_body_stores_nothing(
    inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    # Under a server without deadlines of its own (plain uvicorn), the app's body deadline applies.
    app = ASGIReceiverApp(inbox, body_timeout=0.5)
    request = dr_request()
    head = (
        f"POST /mm7 HTTP/1.1\r\nHost: mm7\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(request.body)}\r\n\r\n"
    ).encode()
    with UvicornThread(app) as server:
        began = time.monotonic()
        answer = _raw_exchange(server.url, head, request.body[:100], then_close=False)
        waited = time.monotonic() - began
        gone = _raw_exchange(server.url, head, request.body[:100], then_close=True)
        assert gone == b""
        wait_until(lambda: "client went away" in caplog.text, "the app to see the client leave")
        ok = requests.post(server.url, data=request.body, headers=request.headers, timeout=30)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 408"), answer
    assert b"connection: close" in rest.lower()  # and the server closed it: recv() met its end
    assert transaction_id_and_status(rest.partition(b"\r\n\r\n")[2])[1] == "2007"
    assert 0.5 <= waited < 10
    assert ok.status_code == 200  # the one that came whole
    assert [n.transaction_id for n in inbox.list()] == ["dr-tx-0001"]
    assert "Exception in ASGI application" not in caplog.text
