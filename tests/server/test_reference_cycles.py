"""A request leaves no reference cycle behind: what it made is freed when it ends, without the collector.

Python frees an object when its last reference goes, except objects in a reference cycle, which wait for the
cyclic garbage collector; its collections walk every live object of the requests in flight, so garbage
cycles made per request cost the server CPU on every request (measured in benchmarks/RESULTS.md, section
10). The WSGI app and the ASGI app, in this process on a real SQLite inbox, answer delivery reports, an MO
with attachments, a duplicate and a malformed body with the collector switched off; the collection that
follows must find nothing unreachable.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mm7.inbox import open_inbox
from mm7.server import ASGIReceiverApp, ReceiverApp

from .conftest import Request, dr_request, mo_request, transaction_id_and_status, wsgi_environ

ROUNDS = 20


def _requests(round_: int) -> list[Request]:
    return [
        dr_request(f"cycle-{round_}", transaction_id=f"tx-{round_}"),
        dr_request(f"cycle-{round_}", transaction_id=f"tx-{round_}"),  # the duplicate
        mo_request(),
        Request(b"<not-mm7/>", {"Content-Type": "text/xml"}),
    ]


def _wsgi_post(app: ReceiverApp, request: Request) -> tuple[str, bytes]:
    environ = wsgi_environ(request)
    status: list[str] = []
    body = b"".join(app(environ, lambda line, headers, exc_info=None: status.append(line)))
    return status[0], body


async def _asgi_post(app: ASGIReceiverApp, request: Request) -> tuple[int, bytes]:
    incoming = [{"type": "http.request", "body": request.body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop() if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(k.lower().encode(), v.encode()) for k, v in request.headers.items()]
    scope = {"type": "http", "method": "POST", "path": "/", "root_path": "", "client": ("127.0.0.1", 1)}
    await app({**scope, "headers": headers}, receive, send)
    return sent[0]["status"], sent[1]["body"]


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_the_wsgi_app_leaves_no_reference_cycle(tmp_path: Path, collector_off: None) -> None:
    with open_inbox(f"sqlite:///{tmp_path / 'inbox.db'}") as inbox:
        app = ReceiverApp(inbox)
        _wsgi_post(app, dr_request("warm-up"))  # first-use caches are not garbage
        gc.collect()
        answers = [_wsgi_post(app, request) for n in range(ROUNDS) for request in _requests(n)]
        unreachable = gc.collect()
    assert [status.split()[0] for status, _ in answers[:4]] == ["200", "200", "200", "500"]
    assert transaction_id_and_status(answers[1][1]) == ("tx-0", "1000")
    assert unreachable == 0


def test_the_asgi_app_leaves_no_reference_cycle(tmp_path: Path, collector_off: None) -> None:
    inbox = open_inbox(f"sqlite:///{tmp_path / 'inbox.db'}")
    app = ASGIReceiverApp(inbox)

    async def exchange() -> tuple[list[tuple[int, bytes]], int]:
        await _asgi_post(app, dr_request("warm-up"))  # first-use caches, the loop's writer and batches
        gc.collect()
        answers = []
        for n in range(ROUNDS):  # concurrently, as a server runs them: they share batches
            answers += await asyncio.gather(*(_asgi_post(app, request) for request in _requests(n)))
        unreachable = gc.collect()
        await app.aclose()
        return answers, unreachable

    answers, unreachable = asyncio.run(exchange())
    assert [status for status, _ in answers[:4]] == [200, 200, 200, 500]
    assert transaction_id_and_status(answers[1][1]) == ("tx-0", "1000")
    assert unreachable == 0
