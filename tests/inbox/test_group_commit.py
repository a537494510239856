"""Group commit: puts queued while a commit runs share the next one; each is answered only once durable.

Real files and a real PostgreSQL server, real threads. To make a batch happen deterministically, the first
put's commit is held (its ``_put_single`` waits on an event) until the other puts are queued behind it; the
queued puts then go in one ``_put_batch`` transaction. No timed assertions.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mm7.errors import ConfigError
from mm7.inbox import (
    Attachment,
    Inbox,
    InboxError,
    Notification,
    PutResult,
    StorageError,
    StreamedData,
    open_inbox,
)
from mm7.inbox._sql import SQLInbox, _PendingPut

from .conftest import ROOT, count_batches, make_dr, make_mo


def _group_of(inbox: Inbox) -> Any:
    assert isinstance(inbox, SQLInbox)
    assert inbox._group is not None
    return inbox._group


def _with(url: str, group_commit: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}group_commit={group_commit}"


@pytest.fixture
def inbox(inbox_url: str) -> Iterator[Inbox]:
    """The backend's inbox with group commit on (the default on SQLite only)."""
    ib = open_inbox(_with(inbox_url, "on"))
    try:
        yield ib
    finally:
        ib.close()


class _Held:
    """Holds the first put's commit until released; records the size of every batch committed."""

    def __init__(self, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
        assert isinstance(inbox, SQLInbox)
        self.inbox = inbox
        self.release = threading.Event()
        self.entered = threading.Event()
        self.batches: list[int] = []
        single, batch = inbox._put_single, inbox._put_batch

        def held_single(notification: Notification, params: tuple[Any, ...]) -> PutResult:
            if not self.entered.is_set():
                self.entered.set()
                assert self.release.wait(60), "the test never released the first commit"
            return single(notification, params)

        def counted_batch(items: Sequence[_PendingPut]) -> list[PutResult]:
            self.batches.append(len(items))
            return batch(items)

        monkeypatch.setattr(inbox, "_put_single", held_single)
        monkeypatch.setattr(inbox, "_put_batch", counted_batch)

    def queued(self) -> int:
        group = _group_of(self.inbox)
        with group._lock:
            return len(group._queue)


@contextmanager
def _batch_behind_a_held_commit(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch, first: Notification, rest: list[Notification]
) -> Iterator[tuple[Future[PutResult], list[Future[PutResult]], _Held]]:
    """Put ``first`` (its commit held), queue ``rest`` behind it, then release: ``rest`` goes in one batch."""
    held = _Held(inbox, monkeypatch)
    with ThreadPoolExecutor(len(rest) + 1) as pool:
        head = pool.submit(inbox.put, first)
        assert held.entered.wait(60)
        futures = [pool.submit(inbox.put, n) for n in rest]
        while held.queued() < len(rest):
            threading.Event().wait(0.001)
        held.release.set()
        yield head, futures, held


def _stored_keys_in_another_process(url: str) -> dict[str, int]:
    """dedupe_key -> times_received, read by a fresh process with its own connection."""
    code = (
        "import json, sys\n"
        "from mm7.inbox import open_inbox\n"
        "with open_inbox(sys.argv[1], read_only=True) as inbox:\n"
        "    print(json.dumps({n.dedupe_key: n.times_received for n in inbox.list(limit=100000)}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return {str(k): int(v) for k, v in json.loads(proc.stdout).items()}


def test_concurrent_puts_are_all_durable_once_acknowledged(inbox: Inbox, inbox_url: str) -> None:
    notifications = [
        make_dr(f"msg-{t}-{i}", transaction_id=f"tx-{t}-{i}") for t in range(16) for i in range(25)
    ]
    barrier = threading.Barrier(16)

    def work(thread: int) -> list[tuple[str, PutResult]]:
        barrier.wait()
        mine = notifications[thread * 25 : (thread + 1) * 25]
        return [(n.dedupe_key, inbox.put(n)) for n in mine]

    with ThreadPoolExecutor(16) as pool:
        acknowledged = [pair for pairs in pool.map(work, range(16)) for pair in pairs]
    assert len(acknowledged) == 400
    assert all(result.created and result.times_received == 1 for _, result in acknowledged)
    assert len({result.id for _, result in acknowledged}) == 400
    # Acknowledged means committed: another process, with its own connection, finds every row.
    assert _stored_keys_in_another_process(inbox_url) == {key: 1 for key, _ in acknowledged}


def test_queued_puts_share_one_transaction(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    rest = [make_dr(f"msg-{i}", transaction_id=f"tx-{i}") for i in range(5)]
    with _batch_behind_a_held_commit(inbox, monkeypatch, make_dr("first", transaction_id="tx-f"), rest) as (
        head,
        futures,
        held,
    ):
        results = [f.result(timeout=60) for f in futures]
    assert head.result().created
    assert held.batches == [5]
    assert all(r.created for r in results)
    assert {n.dedupe_key for n in inbox.list()} == {n.dedupe_key for n in [*rest]} | {
        make_dr("first", transaction_id="tx-f").dedupe_key
    }


def test_duplicates_in_one_batch_and_across_batches_are_stored_once(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = [make_mo("dup") for _ in range(3)]
    others = [make_mo(f"other-{i}", transaction_id=f"tx-o{i}") for i in range(2)]
    with _batch_behind_a_held_commit(inbox, monkeypatch, make_mo("dup"), [*copies, *others]) as (
        head,
        futures,
        held,
    ):
        results = [f.result(timeout=60) for f in futures]
    assert held.batches == [5]
    first = head.result()
    assert first.created and first.times_received == 1
    dup_results = results[:3]
    assert [r.created for r in dup_results] == [False] * 3
    assert sorted(r.times_received for r in dup_results) == [2, 3, 4]
    assert {r.id for r in dup_results} == {first.id}
    assert all(r.created for r in results[3:])
    # Across batches: a later copy is counted on the same row.
    again = inbox.put(make_mo("dup"))
    assert (again.id, again.created, again.times_received) == (first.id, False, 5)
    stored = {n.dedupe_key: n for n in inbox.list()}
    assert len(stored) == 3
    assert stored[copies[0].dedupe_key].times_received == 5
    assert len(stored[copies[0].dedupe_key].attachments) == 2


def _short_stream(n: Notification) -> Notification:
    n.attachments = [Attachment("big", "image/png", None, StreamedData(1000, lambda: iter([b"x" * 10])))]
    return n


def _null_envelope(n: Notification) -> Notification:
    n.envelope = None  # type: ignore[assignment]  # refused by the database (NOT NULL), not by Python
    return n


@pytest.mark.parametrize("spoil", [_short_stream, _null_envelope], ids=["short-stream", "not-null"])
def test_one_bad_row_fails_only_its_own_put(
    inbox: Inbox,
    inbox_url: str,
    monkeypatch: pytest.MonkeyPatch,
    spoil: Callable[[Notification], Notification],
) -> None:
    good = [make_dr(f"good-{i}", transaction_id=f"tx-g{i}") for i in range(4)]
    bad = spoil(make_dr("bad", transaction_id="tx-bad"))
    rest = [good[0], good[1], bad, good[2], good[3]]
    with _batch_behind_a_held_commit(inbox, monkeypatch, make_dr("first", transaction_id="tx-f"), rest) as (
        head,
        futures,
        held,
    ):
        outcomes = [f.exception(timeout=60) or f.result() for f in futures]
    assert held.batches == [5]
    assert head.result().created
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and outcomes[2] is errors[0]
    assert isinstance(errors[0], InboxError)
    assert all(isinstance(o, PutResult) and o.created for i, o in enumerate(outcomes) if i != 2)
    stored = _stored_keys_in_another_process(inbox_url)
    assert bad.dedupe_key not in stored
    assert {n.dedupe_key for n in good} <= set(stored)
    assert len(stored) == 5


def test_close_drains_queued_puts_then_refuses_new_ones(
    inbox: Inbox, inbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rest = [make_dr(f"msg-{i}", transaction_id=f"tx-{i}") for i in range(4)]
    held = _Held(inbox, monkeypatch)
    with ThreadPoolExecutor(6) as pool:
        head = pool.submit(inbox.put, make_dr("first", transaction_id="tx-f"))
        assert held.entered.wait(60)
        futures = [pool.submit(inbox.put, n) for n in rest]
        while held.queued() < len(rest):
            threading.Event().wait(0.001)
        closing = pool.submit(inbox.close)
        group = _group_of(inbox)
        while True:  # close() has begun draining
            with group._lock:
                if group._closing:
                    break
            threading.Event().wait(0.001)
        with pytest.raises(InboxError, match="closed"):
            inbox.put(make_dr("late", transaction_id="tx-late"))
        held.release.set()
        results = [f.result(timeout=60) for f in [head, *futures]]
        closing.result(timeout=60)
    assert all(r.created for r in results)
    stored = _stored_keys_in_another_process(inbox_url)
    assert set(stored) == {n.dedupe_key for n in rest} | {make_dr("first", transaction_id="tx-f").dedupe_key}


def test_group_commit_default_and_url_parameter(inbox_url: str, backend: str) -> None:
    with open_inbox(inbox_url) as inbox:
        assert isinstance(inbox, SQLInbox)
        assert (inbox._group is not None) == (backend == "sqlite")  # on for SQLite, off for PostgreSQL
    with open_inbox(_with(inbox_url, "off")) as inbox:
        assert isinstance(inbox, SQLInbox)
        assert inbox._group is None
        assert inbox.put(make_dr()).created
    with open_inbox(_with(inbox_url, "on")) as inbox:
        assert isinstance(inbox, SQLInbox)
        assert inbox._group is not None
        assert [n.dedupe_key for n in inbox.list()] == [make_dr().dedupe_key]
    with pytest.raises(ConfigError, match="group_commit"):
        open_inbox(_with(inbox_url, "sometimes"))


class _InterruptedWait:
    """A put's wake event whose wait is interrupted (like KeyboardInterrupt), at once or once it is set."""

    def __init__(self, *, after_set: bool) -> None:
        self.event = threading.Event()
        self.after_set = after_set

    def set(self) -> None:
        self.event.set()

    def wait(self, timeout: float | None = None) -> bool:
        if self.after_set:
            self.event.wait()
        raise KeyboardInterrupt


@pytest.mark.parametrize("after_set", [False, True], ids=["while-queued", "when-handed-the-lead"])
def test_an_interrupted_waiter_does_not_stall_the_others(
    inbox: Inbox, inbox_url: str, monkeypatch: pytest.MonkeyPatch, after_set: bool
) -> None:
    held = _Held(inbox, monkeypatch)
    group = _group_of(inbox)
    assert isinstance(inbox, SQLInbox)
    interrupted = _PendingPut(make_dr("int", transaction_id="tx-int"), ())
    interrupted.wake = _InterruptedWait(after_set=after_set)  # type: ignore[assignment]
    with ThreadPoolExecutor(3) as pool:
        head = pool.submit(inbox.put, make_dr("first", transaction_id="tx-f"))
        assert held.entered.wait(60)
        waiter = pool.submit(group.submit, interrupted)
        while held.queued() < (1 if after_set else 0) and not waiter.done():
            threading.Event().wait(0.001)
        if not after_set:
            with pytest.raises(KeyboardInterrupt):
                waiter.result(timeout=60)
        other = pool.submit(inbox.put, make_dr("other", transaction_id="tx-o"))
        while held.queued() < (2 if after_set else 1):
            threading.Event().wait(0.001)
        held.release.set()
        assert head.result(timeout=60).created
        assert other.result(timeout=60).created  # led by the next put in line: nothing stalls
        with pytest.raises(KeyboardInterrupt):
            waiter.result(timeout=60)
    assert inbox.put(make_dr("later", transaction_id="tx-l")).created
    stored = _stored_keys_in_another_process(inbox_url)
    assert make_dr("int", transaction_id="tx-int").dedupe_key not in stored
    assert len(stored) == 3


def test_a_failing_transaction_fails_the_batch_without_retrying_each_put(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not a row's fault (e.g. no write access within busy_timeout): every put of the batch fails at once
    # with its own StorageError, none is retried alone (which would only wait as long again, in turn).
    assert isinstance(inbox, SQLInbox)
    first = make_dr("first", transaction_id="tx-f")
    rest = [make_dr(f"msg-{i}", transaction_id=f"tx-{i}") for i in range(4)]
    singles: list[str] = []
    single = inbox._put_single

    def failing_batch(items: Sequence[_PendingPut]) -> list[PutResult]:
        raise StorageError("SQLite inbox: no write access within 30 s (writer gate busy)")

    def counted_single(notification: Notification, params: tuple[Any, ...]) -> PutResult:
        singles.append(notification.dedupe_key)
        return single(notification, params)

    monkeypatch.setattr(inbox, "_put_batch", failing_batch)
    monkeypatch.setattr(inbox, "_put_single", counted_single)
    with _batch_behind_a_held_commit(inbox, monkeypatch, first, rest) as (head, futures, held):
        errors = [f.exception(timeout=60) for f in futures]
    assert head.result().created
    assert held.batches == [4]
    assert singles == [first.dedupe_key]  # the lone first put only
    assert all(isinstance(e, StorageError) and "writer gate busy" in str(e) for e in errors)
    assert len({id(e) for e in errors}) == 4
    assert [n.dedupe_key for n in inbox.list()] == [first.dedupe_key]


def test_puts_arriving_while_the_leader_waits_for_the_writer_gate_join_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer (here: this test, as another process would) holds the SQLite file's writer gate: the
    leading put waits for it, and the puts arriving meanwhile are committed with it, in one transaction."""
    path = tmp_path / "inbox.db"
    inbox = open_inbox(f"sqlite:///{path}")
    try:
        group = _group_of(inbox)
        batches = count_batches(inbox, monkeypatch)
        gate = os.open(f"{path}-mm7lock", os.O_RDWR)
        try:
            fcntl.flock(gate, fcntl.LOCK_EX)  # the other writer's turn
            with ThreadPoolExecutor(5) as pool:
                first = pool.submit(inbox.put, make_dr("first", transaction_id="tx-f"))
                while not group._busy:  # the first put leads: it waits for the gate
                    threading.Event().wait(0.001)
                rest = [
                    pool.submit(inbox.put, make_dr(f"msg-{i}", transaction_id=f"tx-{i}")) for i in range(4)
                ]
                while len(group._queue) < 4:
                    threading.Event().wait(0.001)
                assert not first.done()  # nothing is answered while the other writer holds the gate
                fcntl.flock(gate, fcntl.LOCK_UN)
                results = [first.result(timeout=60), *(f.result(timeout=60) for f in rest)]
        finally:
            os.close(gate)
        assert batches == [5]  # the leader took the four that queued while it waited
        assert all(r.created for r in results)
        assert len(_stored_keys_in_another_process(f"sqlite:///{path}")) == 5
    finally:
        inbox.close()
