"""BatchedStore and InboxWriter (mm7.server.batching) on a real asyncio loop and real SQLite inboxes.

Checked: a lone put is stored at once; puts queued while a batch is stored go together in the next batch
(bounded by max_batch), each learning its own outcome on the loop, in order; one thread stores every
batch; with a commit interval, the puts queued behind a batch start the next one no sooner than the
interval after it started (a put on an idle store at once, a full queue at once); a batch that fails gives
each of its puts a StorageError; a closed writer fails puts at once; one failing answer does not keep the
others from theirs; a writer made before a fork stores in the child.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from mm7.inbox import Inbox, InboxError, Notification, PutResult, StorageError, open_inbox
from mm7.inbox.base import NotificationKind
from mm7.inbox.sqlite import SQLiteInbox
from mm7.server.batching import BatchedStore, InboxWriter, Outcome


def _notification(n: int) -> Notification:
    return Notification(
        kind=NotificationKind.DELIVERY_REPORT,
        dedupe_key=f"key-{n}",
        transaction_id=f"tx-{n}",
        mm7_version="6.8.0",
        namespace="urn:example",
        message_id=f"m-{n}",
        mm_status="Retrieved",
        envelope=b"<e/>",
    )


class Recorded:
    """An inbox's put_many, recording each batch's size and thread."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.sizes: list[int] = []
        #: When each batch reached the writer thread (time.monotonic(), the loop's clock), before the gate.
        self.starts: list[float] = []
        self.threads: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()
        put_many = inbox.put_many

        def recorded(notifications: Sequence[Notification]) -> list[PutResult | InboxError]:
            self.starts.append(time.monotonic())
            self.gate.wait(30)
            self.sizes.append(len(notifications))
            self.threads.add(threading.current_thread().name)
            return put_many(notifications)

        inbox.put_many = recorded  # type: ignore[method-assign]


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    return open_inbox(f"sqlite:///{tmp_path / 'inbox.db'}")


async def _put_all(store: BatchedStore, notifications: list[Notification]) -> list[Outcome]:
    loop = asyncio.get_running_loop()
    futures: list[asyncio.Future[Outcome]] = []
    for notification in notifications:
        future: asyncio.Future[Outcome] = loop.create_future()
        store.put(notification, future.set_result)
        futures.append(future)
    return list(await asyncio.wait_for(asyncio.gather(*futures), 30))


def test_puts_queued_behind_a_batch_share_the_next_and_each_gets_its_own_outcome(inbox: Inbox) -> None:
    recorded = Recorded(inbox)
    writer = InboxWriter(inbox)

    async def run() -> list[Outcome]:
        store = BatchedStore(writer, asyncio.get_running_loop().call_soon_threadsafe, max_batch=8)
        recorded.gate.clear()  # the first batch waits: the others queue behind it
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, recorded.gate.set)
        return await _put_all(store, [_notification(n % 20) for n in range(21)])

    try:
        outcomes = asyncio.run(run())
        stored = {n.transaction_id for n in inbox.list(limit=100)}
    finally:
        writer.close()
        inbox.close()
    assert recorded.sizes == [1, 8, 8, 4]  # the lone first one at once, then the queue in full batches
    assert len(recorded.threads) == 1 and next(iter(recorded.threads)).startswith("mm7-inbox-writer")
    assert all(isinstance(o, PutResult) for o in outcomes)
    assert [o.created for o in outcomes if isinstance(o, PutResult)] == [True] * 20 + [False]
    assert stored == {f"tx-{n}" for n in range(20)}


def test_with_a_commit_interval_the_puts_queued_behind_a_batch_wait_for_the_interval_together(
    inbox: Inbox,
) -> None:
    recorded = Recorded(inbox)
    writer = InboxWriter(inbox)
    interval = 0.5
    puts: dict[str, float] = {}

    async def run() -> None:
        loop = asyncio.get_running_loop()
        store = BatchedStore(
            writer, loop.call_soon_threadsafe, call_later=loop.call_later, commit_interval=interval
        )
        recorded.gate.clear()  # the first batch is held a moment: the next puts queue behind it
        loop.call_later(0.05, recorded.gate.set)
        puts["first"] = time.monotonic()
        await _put_all(store, [_notification(n) for n in range(4)])
        await asyncio.sleep(interval + 0.1)  # nothing being stored, nothing waiting
        puts["idle"] = time.monotonic()
        await _put_all(store, [_notification(4)])

    try:
        asyncio.run(run())
        stored = {n.transaction_id for n in inbox.list(limit=100)}
    finally:
        writer.close()
        inbox.close()
    assert recorded.sizes == [1, 3, 1]
    first, spaced, idle = recorded.starts
    assert first - puts["first"] < interval / 2  # at once, held only by the test's gate
    assert spaced - first >= interval - 0.01  # the three queued behind it waited for the interval
    assert idle - puts["idle"] < interval / 2  # an idle store: at once
    assert stored == {f"tx-{n}" for n in range(5)}


def test_a_full_queue_starts_its_batch_before_the_commit_interval_is_over(inbox: Inbox) -> None:
    recorded = Recorded(inbox)
    writer = InboxWriter(inbox)

    async def run() -> float:
        loop = asyncio.get_running_loop()
        store = BatchedStore(
            writer, loop.call_soon_threadsafe, max_batch=4, call_later=loop.call_later, commit_interval=30
        )
        recorded.gate.clear()
        loop.call_later(0.05, recorded.gate.set)
        started = time.monotonic()
        await _put_all(store, [_notification(n) for n in range(5)])  # one, then max_batch queued: no wait
        return time.monotonic() - started

    try:
        took = asyncio.run(run())
    finally:
        writer.close()
        inbox.close()
    assert recorded.sizes == [1, 4]
    assert took < 5, took


def test_a_failing_batch_fails_each_of_its_puts(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    inbox = SQLiteInbox(path, busy_timeout=0.2)  # gives up on a write lock held longer
    writer = InboxWriter(inbox)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")

    async def run() -> list[Outcome]:
        store = BatchedStore(writer, asyncio.get_running_loop().call_soon_threadsafe)
        return await _put_all(store, [_notification(n) for n in range(3)])

    try:
        outcomes = asyncio.run(run())
    finally:
        holder.rollback()
        holder.close()
        writer.close()
        inbox.close()
    assert all(isinstance(o, StorageError) for o in outcomes), outcomes


def test_a_closed_writer_fails_puts_at_once(inbox: Inbox) -> None:
    writer = InboxWriter(inbox)
    writer.close()

    async def run() -> list[Outcome]:
        store = BatchedStore(writer, asyncio.get_running_loop().call_soon_threadsafe)
        return await _put_all(store, [_notification(n) for n in range(2)])

    try:
        outcomes = asyncio.run(run())
        assert inbox.list() == []
    finally:
        inbox.close()
    assert [type(o) for o in outcomes] == [StorageError, StorageError]
    assert "closed" in str(outcomes[0].__cause__)
    with pytest.raises(RuntimeError):
        writer.submit([_notification(9)])


def test_one_failing_answer_does_not_keep_the_others_from_theirs(inbox: Inbox) -> None:
    writer = InboxWriter(inbox)
    recorded = Recorded(inbox)

    async def run() -> list[Outcome]:
        loop = asyncio.get_running_loop()
        store = BatchedStore(writer, loop.call_soon_threadsafe)
        recorded.gate.clear()
        loop.call_later(0.2, recorded.gate.set)
        store.put(_notification(0), lambda _: None)

        def broken(_: Outcome) -> None:
            raise ValueError("an answer that fails")

        store.put(_notification(1), broken)
        return await _put_all(store, [_notification(2)])

    try:
        (outcome,) = asyncio.run(run())
    finally:
        writer.close()
        inbox.close()
    assert recorded.sizes == [1, 2]
    assert isinstance(outcome, PutResult) and outcome.created


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_writer_made_before_a_fork_stores_in_the_child(inbox: Inbox) -> None:
    writer = InboxWriter(inbox)
    writer.submit([_notification(0)]).result(30)  # the parent's thread exists
    pid = os.fork()
    if pid == 0:  # the child: its own thread
        try:
            outcome = writer.submit([_notification(1)]).result(30)[0]
            os._exit(0 if isinstance(outcome, PutResult) and outcome.created else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    try:
        stored = {n.transaction_id for n in inbox.list()}
    finally:
        writer.close()
        inbox.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert stored == {"tx-0", "tx-1"}
