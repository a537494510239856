"""The gunicorn worker we ship serves small MM7 POSTs on its loop and stores them in batches.

gunicorn is launched as users launch it (``gunicorn -c python:mm7.server.gunicorn_config
'mm7.server:create_app()'``, settings from ``MM7_*``), on 127.0.0.1, with real SQLite files and a real
PostgreSQL server. Another writer holds the database's write lock while the posts arrive, so that they
queue. Checked: no request holds a thread while it waits for the disk (one thread per worker, and a health
check still answers at once); each request is answered with its own TransactionID only once its row is
stored, the requests share transactions (PostgreSQL's ``xmin``); a row the database refuses fails only
its own request; the answers are the bytes the WSGI application answers the same request with in a thread;
keep-alive and pipelined requests work; a stopping worker answers what it holds before it exits.
"""

from __future__ import annotations

import re
import signal
import socket
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from mm7.inbox import open_inbox
from mm7.server import make_app

from .conftest import DEADLINE, Request, dr_request, transaction_id_and_status, wsgi_environ
from .test_asgi import WriterHoldingTheInbox
from .test_slow_clients import Receiver

POSTS = 30


class Gunicorn(Receiver):
    """``gunicorn -c python:mm7.server.gunicorn_config -w N 'mm7.server:create_app()'``, 1 thread a worker."""

    def __init__(self, inbox_url: str, log: Path, *, workers: int = 1, **env: str) -> None:
        args = [
            "gunicorn",
            "-c",
            "python:mm7.server.gunicorn_config",
            "-w",
            str(workers),
            "mm7.server:create_app()",
        ]
        super().__init__(args, log, {"MM7_INBOX_URL": inbox_url, "MM7_THREADS": "1", **env})


@pytest.fixture
def gunicorn() -> Iterator[type[Gunicorn]]:
    started: list[Gunicorn] = []

    class Started(Gunicorn):
        def __init__(self, inbox_url: str, log: Path, *, workers: int = 1, **env: str) -> None:
            super().__init__(inbox_url, log, workers=workers, **env)
            started.append(self)

    yield Started
    for server in started:
        server.stop()


def _reports(count: int, prefix: str = "loop") -> list[Request]:
    return [dr_request(f"{prefix}-{n}", transaction_id=f"{prefix}-tx-{n}") for n in range(count)]


def _post_all(url: str, posts: list[Request]) -> list[requests.Response]:
    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(lambda r: requests.post(url, data=r.body, headers=r.headers, timeout=60), posts))


def _transactions(inbox_url: str) -> int:
    import psycopg

    with psycopg.connect(inbox_url) as conn:
        row = conn.execute("SELECT count(DISTINCT xmin::text) FROM inbox_notifications").fetchone()
    assert row is not None
    return int(row[0])


def test_posts_waiting_for_the_disk_hold_no_thread_and_share_transactions(
    gunicorn: type[Gunicorn], inbox_url: str, tmp_path: Path
) -> None:
    server = gunicorn(inbox_url, tmp_path / "gunicorn.log")  # one worker, one thread
    posts = _reports(POSTS)
    with ThreadPoolExecutor(1) as background:
        holder = WriterHoldingTheInbox(inbox_url)
        answering = background.submit(_post_all, server.url, posts)
        time.sleep(0.3)  # the posts are in, waiting for the lock
        started = time.monotonic()
        health = requests.get(server.url, timeout=30)
        health_seconds = time.monotonic() - started
        still_waiting = not answering.done()
        holder.timer.join()
        answers = answering.result()
    assert health.status_code == 200
    assert still_waiting and health_seconds < 0.5  # the only thread is free while 30 posts wait
    assert [a.status_code for a in answers] == [200] * POSTS
    for post, answer in zip(posts, answers, strict=True):
        expected = transaction_id_and_status(post.body)[0]
        assert transaction_id_and_status(answer.content) == (expected, "1000")
    inbox = open_inbox(inbox_url)
    try:
        stored = {n.transaction_id: n.times_received for n in inbox.list(limit=1000)}
    finally:
        inbox.close()
    assert stored == {f"loop-tx-{n}": 1 for n in range(POSTS)}
    if not inbox_url.startswith("sqlite:"):
        assert _transactions(inbox_url) < POSTS // 2  # one transaction for many requests


def test_a_row_the_database_refuses_fails_only_its_own_request(
    gunicorn: type[Gunicorn], tmp_path: Path
) -> None:
    path = tmp_path / "inbox.db"
    url = f"sqlite:///{path}"
    open_inbox(url).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox_notifications "
            "WHEN NEW.message_id = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
    server = gunicorn(url, tmp_path / "gunicorn.log", workers=2)
    posts = _reports(9)
    posts.insert(4, dr_request("poison", transaction_id="poison-tx"))
    holder = WriterHoldingTheInbox(url)
    answers = _post_all(server.url, posts)
    holder.timer.join()
    statuses = [(a.status_code, transaction_id_and_status(a.content)) for a in answers]
    assert statuses[4] == (500, ("poison-tx", "3000")), statuses
    assert all(s == (200, (f"loop-tx-{n}", "1000")) for n, s in enumerate(statuses[:4] + statuses[5:]))
    inbox = open_inbox(url)
    try:
        assert {n.transaction_id for n in inbox.list(limit=100)} == {f"loop-tx-{n}" for n in range(9)}
    finally:
        inbox.close()


def _fresh_id(answer: bytes) -> bytes:
    return re.sub(rb">[0-9a-f]{32}</mm7:TransactionID>", b">(fresh)</mm7:TransactionID>", answer)


def _bad_xml() -> Request:
    report = dr_request("bad", transaction_id="bad-tx")
    return Request(report.body.replace(b"</", b"<", 1), report.headers)


@pytest.mark.parametrize(
    "make_request",
    [lambda: dr_request("same", transaction_id="same-tx"), _bad_xml],
    ids=["stored", "malformed"],
)
def test_answers_are_the_bytes_the_wsgi_app_answers(
    gunicorn: type[Gunicorn], tmp_path: Path, make_request: object
) -> None:
    request: Request = make_request()  # type: ignore[operator]
    server = gunicorn(f"sqlite:///{tmp_path / 'served.db'}", tmp_path / "gunicorn.log")
    served = requests.post(server.url, data=request.body, headers=request.headers, timeout=30)
    app = make_app(inbox_url=f"sqlite:///{tmp_path / 'alone.db'}")
    started: list[tuple[str, list[tuple[str, str]]]] = []
    try:
        body = b"".join(app(wsgi_environ(request), lambda status, headers: started.append((status, headers))))
    finally:
        app.inbox.close()
    assert f"{served.status_code} {served.reason}" == started[0][0]
    # A request whose TransactionID cannot be read is answered under a fresh random one.
    assert _fresh_id(served.content) == _fresh_id(body)
    for name, value in started[0][1]:
        assert served.headers[name] == value


def test_keep_alive_and_pipelined_requests(gunicorn: type[Gunicorn], tmp_path: Path) -> None:
    server = gunicorn(f"sqlite:///{tmp_path / 'inbox.db'}", tmp_path / "gunicorn.log")
    with requests.Session() as session:  # one connection, three requests in turn
        answers = [
            session.post(server.url, data=r.body, headers=r.headers, timeout=30) for r in _reports(3, "kept")
        ]
    assert [transaction_id_and_status(a.content) for a in answers] == [
        (f"kept-tx-{n}", "1000") for n in range(3)
    ]
    first, second = _reports(2, "piped")
    wire = b"".join(
        b"POST / HTTP/1.1\r\nHost: x\r\n"
        + b"".join(f"{k}: {v}\r\n".encode() for k, v in r.headers.items())
        + f"Content-Length: {len(r.body)}\r\n\r\n".encode()
        + r.body
        for r in (first, second)
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(wire)  # both at once: the second is in the buffer behind the first
        received = b""
        while received.count(b"HTTP/1.1 200") < 2 or not received.rstrip().endswith(b"Envelope>"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    assert received.index(b"piped-tx-0") < received.index(b"piped-tx-1")
    assert received.count(b"HTTP/1.1 200") == 2


def test_a_stopping_worker_answers_the_posts_it_holds(gunicorn: type[Gunicorn], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = gunicorn(url, tmp_path / "gunicorn.log")
    posts = _reports(10, "stop")
    with ThreadPoolExecutor(1) as background:
        holder = WriterHoldingTheInbox(url)
        answering = background.submit(_post_all, server.url, posts)
        time.sleep(0.3)  # the posts wait for the lock
        server.proc.send_signal(signal.SIGTERM)
        holder.timer.join()
        answers = answering.result()
    assert server.proc.wait(DEADLINE) == 0
    assert [(a.status_code, transaction_id_and_status(a.content)[1]) for a in answers] == [(200, "1000")] * 10
    inbox = open_inbox(url)
    try:
        assert len(inbox.list(limit=100)) == 10
    finally:
        inbox.close()


def test_a_request_the_parser_refuses_is_answered_400_and_the_worker_goes_on(
    gunicorn: type[Gunicorn], tmp_path: Path
) -> None:
    server = gunicorn(f"sqlite:///{tmp_path / 'inbox.db'}", tmp_path / "gunicorn.log")
    report = dr_request("after", transaction_id="after-tx")
    bad = (
        b"POST / HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n"
        + f"Content-Type: {report.headers['Content-Type']}\r\n".encode()
        + f"Content-Length: {len(report.body)}\r\n\r\n".encode()
        + report.body
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(bad)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    good = requests.post(server.url, data=report.body, headers=report.headers, timeout=30)
    assert transaction_id_and_status(good.content) == ("after-tx", "1000")
