"""The ASGI receiver stores the notifications of concurrent small requests together, each answered alone.

A small body is decoded on the loop and its notification stored with those of the requests decoded
meanwhile (:meth:`Inbox.put_many`, one transaction). Real uvicorn on 127.0.0.1, real SQLite files and a
real PostgreSQL server; another writer holds the database's write lock while the posts arrive, so that
they queue behind the first one's commit. Checked: every request is answered with its own
TransactionID only once its notification is stored; the requests share few transactions; a row the
database refuses (a trigger) fails only its own request (500 with 3000: the MMSC retries it), an
attachment over the inbox's limit only its own (413, as the WSGI receiver answers it); and the answers
are those a one-by-one :meth:`Inbox.put` gives.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from mm7.inbox import Inbox, InboxError, Notification, PutResult, open_inbox
from mm7.server import ASGIReceiverApp, make_asgi_app
from mm7.server.core import Exchange, ReceiverCore

from .asgi_support import UvicornThread
from .conftest import MO_IMAGE, Request, dr_request, mo_request, transaction_id_and_status
from .test_asgi import WriterHoldingTheInbox

POSTS = 30


def _record_batches(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every put_many the app runs (the inbox's own put_many does the storing)."""
    sizes: list[int] = []
    put_many = inbox.put_many

    def recorded(notifications: Sequence[Notification]) -> list[PutResult | InboxError]:
        sizes.append(len(notifications))
        return put_many(notifications)

    monkeypatch.setattr(inbox, "put_many", recorded)
    return sizes


def _post_all(url: str, batch: list[Request]) -> list[requests.Response]:
    with ThreadPoolExecutor(len(batch)) as pool:
        return list(pool.map(lambda r: requests.post(url, data=r.body, headers=r.headers, timeout=60), batch))


def _post_behind_a_held_lock(
    app: ASGIReceiverApp, inbox_url: str, posts: list[Request], *, then: Sequence[Request] = ()
) -> tuple[list[requests.Response], list[requests.Response]]:
    """Serve ``app`` on uvicorn and post ``posts`` at once while another writer holds the database's write
    lock (so that they queue behind the first commit), then ``then`` one by one; both lists of answers."""
    with UvicornThread(app) as server:
        holder = WriterHoldingTheInbox(inbox_url)
        answers = _post_all(server.url, posts)
        holder.timer.join()
        later = [requests.post(server.url, data=r.body, headers=r.headers, timeout=60) for r in then]
    return answers, later


def _reports(count: int, prefix: str = "batch") -> list[Request]:
    return [dr_request(f"{prefix}-{n}", transaction_id=f"{prefix}-tx-{n}") for n in range(count)]


def test_concurrent_reports_share_transactions_and_each_gets_its_own_answer(
    inbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_asgi_app(inbox_url)
    batches = _record_batches(app.inbox, monkeypatch)
    posts = _reports(POSTS)
    try:
        answers, _ = _post_behind_a_held_lock(app, inbox_url, posts)
        stored = {n.transaction_id: n.times_received for n in app.inbox.list(limit=1000)}
    finally:
        app.inbox.close()
    assert [a.status_code for a in answers] == [200] * POSTS
    for post, answer in zip(posts, answers, strict=True):
        expected = transaction_id_and_status(post.body)[0]
        assert transaction_id_and_status(answer.content) == (expected, "1000")
    assert stored == {f"batch-tx-{n}": 1 for n in range(POSTS)}
    assert sum(batches) == POSTS
    assert len(batches) < POSTS // 2, batches  # shared: one transaction for many requests
    assert max(batches) > 1


def test_a_row_the_database_refuses_fails_only_its_own_request(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    url = f"sqlite:///{path}"
    open_inbox(url).close()  # the schema exists
    with sqlite3.connect(path) as conn:  # the database refuses one report (as a full disk would all)
        conn.execute(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox_notifications "
            "WHEN NEW.message_id = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        )
    posts = _reports(9)
    posts.insert(4, dr_request("poison", transaction_id="poison-tx"))
    app = make_asgi_app(url)
    try:
        answers, (again,) = _post_behind_a_held_lock(app, url, posts, then=[posts[0]])
        stored = {n.transaction_id for n in app.inbox.list(limit=1000)}
    finally:
        app.inbox.close()
    statuses = [(a.status_code, transaction_id_and_status(a.content)) for a in answers]
    assert statuses[4] == (500, ("poison-tx", "3000")), statuses
    assert all(s == (200, (f"batch-tx-{n}", "1000")) for n, s in enumerate(statuses[:4] + statuses[5:]))
    assert stored == {f"batch-tx-{n}" for n in range(9)}
    assert again.status_code == 200  # a duplicate later: acknowledged, stored once
    assert transaction_id_and_status(again.content) == ("batch-tx-0", "1000")


def _mo_with_image_of(size: int) -> Request:
    mo = mo_request()
    body = mo.body.replace(MO_IMAGE, MO_IMAGE + b"\x00" * (size - len(MO_IMAGE)))
    return Request(body, mo.headers)


def test_an_attachment_over_the_limit_is_refused_alone_as_the_wsgi_receiver_refuses_it(
    inbox_url: str,
) -> None:
    limit = 4000
    big = _mo_with_image_of(limit + 1)
    assert len(big.body) < 32 * 1024  # decoded on the loop, stored in a batch
    posts = _reports(6, "att")
    posts.insert(3, big)
    inbox = open_inbox(inbox_url, max_attachment_size=limit)
    app = ASGIReceiverApp(inbox)
    try:
        answers, _ = _post_behind_a_held_lock(app, inbox_url, posts)
        stored = {n.transaction_id for n in inbox.list(limit=1000)}
        # The same request through the protocol core with a blocking put, as the WSGI receiver runs it.
        exchange = ReceiverCore(inbox).begin(
            {
                "REQUEST_METHOD": "POST",
                "CONTENT_TYPE": big.headers["Content-Type"],
                "REMOTE_ADDR": "127.0.0.1",
            }
        )
        assert isinstance(exchange, Exchange)
        assert exchange.feed(big.body) is None
        alone = exchange.finish()
    finally:
        inbox.close()
    assert answers[3].status_code == 413 == alone.status_code
    assert answers[3].content == alone.body
    assert [a.status_code for i, a in enumerate(answers) if i != 3] == [200] * 6
    assert stored == {f"att-tx-{n}" for n in range(6)}


def test_a_batch_that_cannot_reach_a_thread_is_answered_3000_not_left_hanging(tmp_path: Path) -> None:
    # The app's writer thread already closed (the server is stopping): the request is answered at once with
    # a fault the MMSC retries, and nothing is stored.
    app = make_asgi_app(f"sqlite:///{tmp_path / 'inbox.db'}")
    request = dr_request("late", transaction_id="late-tx")
    sent: list[dict[str, object]] = []
    app.writer.close()

    async def post() -> None:
        messages = [{"type": "http.request", "body": request.body, "more_body": False}]

        async def receive() -> dict[str, object]:
            return messages.pop()

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/",
            "client": ("127.0.0.1", 40000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers.items()],
        }
        await asyncio.wait_for(app(scope, receive, send), 30)

    try:
        asyncio.run(post())
        stored = app.inbox.list()
    finally:
        app.inbox.close()
    assert sent[0]["status"] == 500
    body = sent[1]["body"]
    assert isinstance(body, bytes)
    assert transaction_id_and_status(body) == ("late-tx", "3000")
    assert stored == []
