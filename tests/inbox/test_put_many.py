"""Inbox.put_many: several notifications stored together, each with the outcome put would give it.

Real SQLite files and a real PostgreSQL server. The SQL inboxes commit the notifications in one
transaction (counted through the backend's batch statement); a row the database refuses, or an attachment
over the limit, fails only its own notification; a transaction that cannot start fails them all; the
outcomes come back in the notifications' order, durable (read back by another process).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mm7.inbox import (
    Attachment,
    AttachmentTooLargeError,
    Inbox,
    InboxError,
    Notification,
    PutResult,
    StorageError,
    open_inbox,
)
from mm7.inbox.sqlite import SQLiteInbox

from .conftest import count_batches, make_dr, make_mo
from .test_group_commit import _null_envelope, _short_stream, _stored_keys_in_another_process


def test_put_many_stores_each_once_in_one_transaction_outcomes_in_order(
    inbox: Inbox, inbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = count_batches(inbox, monkeypatch)
    first = make_dr("msg-a", transaction_id="tx-a")
    again = make_dr("msg-a", transaction_id="tx-a")  # the same report twice in one batch
    others = [
        make_dr("msg-b", transaction_id="tx-b"),
        make_mo("link-1"),
        make_dr("msg-c", transaction_id="tx-c"),
    ]
    outcomes = inbox.put_many([first, others[0], again, others[1], others[2]])

    assert batches == [5]
    assert all(isinstance(o, PutResult) for o in outcomes), outcomes
    results = [o for o in outcomes if isinstance(o, PutResult)]
    assert [r.created for r in results] == [True, True, False, True, True]
    assert results[2].id == results[0].id and results[2].times_received == 2
    assert len({r.id for r in results}) == 4
    stored = _stored_keys_in_another_process(inbox_url)
    assert stored == {first.dedupe_key: 2, **{n.dedupe_key: 1 for n in others}}
    mo = inbox.get(results[3].id)
    assert mo is not None and [a.content_id for a in mo.attachments] == ["part0@mm7", "part1@mm7"]


def test_put_many_of_nothing_is_nothing(inbox: Inbox) -> None:
    assert inbox.put_many([]) == []
    assert inbox.list() == []


@pytest.mark.parametrize("spoil", [_short_stream, _null_envelope], ids=["short-stream", "not-null"])
def test_a_row_the_database_refuses_fails_only_its_own_notification(
    inbox: Inbox, inbox_url: str, spoil: Callable[[Notification], Notification]
) -> None:
    good = [make_dr(f"good-{i}", transaction_id=f"tx-g{i}") for i in range(4)]
    bad = spoil(make_dr("bad", transaction_id="tx-bad"))
    outcomes = inbox.put_many([good[0], good[1], bad, good[2], good[3]])

    assert isinstance(outcomes[2], InboxError), outcomes[2]
    assert all(isinstance(o, PutResult) and o.created for i, o in enumerate(outcomes) if i != 2), outcomes
    stored = _stored_keys_in_another_process(inbox_url)
    assert set(stored) == {n.dedupe_key for n in good}


def test_an_attachment_over_the_limit_is_its_own_notifications_error(
    inbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_inbox(inbox_url, max_attachment_size=1000) as inbox:
        batches = count_batches(inbox, monkeypatch)
        big = make_mo("link-big")
        big.attachments = [*big.attachments, Attachment("large@mm7", "image/jpeg", None, b"\xff" * 1001)]
        reports = [make_dr(f"msg-{i}", transaction_id=f"tx-{i}") for i in range(3)]
        outcomes = inbox.put_many([reports[0], big, reports[1], reports[2]])
        assert isinstance(outcomes[1], AttachmentTooLargeError)
        assert all(isinstance(o, PutResult) and o.created for i, o in enumerate(outcomes) if i != 1)
        assert batches == [3]  # refused before the transaction: the others still share one
        assert {n.dedupe_key for n in inbox.list()} == {n.dedupe_key for n in reports}


def test_no_write_access_fails_every_notification_and_stores_none(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    with open_inbox(f"sqlite:///{path}?busy_timeout=0.2") as inbox:
        inbox.put(make_dr("before", transaction_id="tx-0"))  # the file exists, its schema too
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another program holds SQLite's write lock
            outcomes = inbox.put_many([make_dr(f"msg-{i}", transaction_id=f"tx-{i}") for i in range(3)])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert all(isinstance(o, StorageError) for o in outcomes), outcomes
        assert len({id(o) for o in outcomes}) == 3  # each its own error
        assert [n.dedupe_key for n in inbox.list()] == [make_dr("before", transaction_id="tx-0").dedupe_key]


def test_the_default_put_many_gives_each_notification_puts_outcome(inbox: Inbox) -> None:
    # Inbox.put_many as an inbox without a batch statement of its own runs it: one put each.
    stored = make_dr("msg-a", transaction_id="tx-a")
    bad = _null_envelope(make_dr("bad", transaction_id="tx-bad"))
    outcomes: list[Any] = Inbox.put_many(inbox, [stored, bad, make_dr("msg-a", transaction_id="tx-a")])
    assert isinstance(outcomes[0], PutResult) and outcomes[0].created
    assert isinstance(outcomes[1], InboxError)
    assert isinstance(outcomes[2], PutResult) and outcomes[2].times_received == 2
    assert outcomes[2].id == outcomes[0].id


def _batched_and_one_by_one(
    tmp_path: Path, before: Callable[[Inbox, Path], None], batch: list[Notification]
) -> tuple[tuple[list[Any], list[Any]], tuple[list[Any], list[Any]]]:
    """``batch`` put with put_many and put after put, each in a SQLite inbox readied by ``before``.

    Returns each way's (outcomes, rows as (id, dedupe key, times received)).
    """
    ways = []
    for name, put_them in (("batched", True), ("one-by-one", False)):
        path = tmp_path / name / "inbox.db"
        with open_inbox(f"sqlite:///{path}") as inbox:
            before(inbox, path)
            got = inbox.put_many(batch) if put_them else [inbox.put(n) for n in batch]
            rows = sorted((n.id, n.dedupe_key, n.times_received) for n in inbox.list(limit=100))
            ways.append((got, rows))
    return ways[0], ways[1]


def test_a_batch_gives_the_outcomes_and_rows_of_the_same_puts_one_by_one(tmp_path: Path) -> None:
    # SQLite stores a batch without attachments in one statement and reads every count back at once; the
    # outcomes and rows must be those of put after put, duplicates inside the batch and of earlier rows too.
    earlier = [make_dr(f"msg-{i}", transaction_id=f"tx-{i}") for i in range(3)]
    batch = [
        make_dr("msg-0", transaction_id="tx-0"),  # stored before
        make_dr("msg-new", transaction_id="tx-new"),
        make_dr("msg-new", transaction_id="tx-new"),  # twice in the batch
        make_dr("msg-1", transaction_id="tx-1"),
        make_dr("msg-0", transaction_id="tx-0"),  # stored before, and again in the batch
        make_dr("msg-other", transaction_id="tx-other"),
        make_dr("msg-new", transaction_id="tx-new"),
    ]

    def before(inbox: Inbox, path: Path) -> None:
        for n in earlier:
            inbox.put(n)

    batched, single = _batched_and_one_by_one(tmp_path, before, batch)
    assert batched == single
    assert [o.times_received for o in batched[0] if isinstance(o, PutResult)] == [2, 1, 2, 2, 3, 1, 3]


def test_a_batch_of_new_notifications_gets_the_ids_and_rows_of_the_same_puts_one_by_one(
    tmp_path: Path,
) -> None:
    # The usual batch, every notification new, is one INSERT whose ids are read from the statement itself
    # (consecutive, after the ones stored before and a deleted one): the same as put after put gives.
    def before(inbox: Inbox, path: Path) -> None:
        for i in range(3):
            inbox.put(make_dr(f"before-{i}", transaction_id=f"tx-before-{i}"))
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM inbox_notifications WHERE id = 3")  # AUTOINCREMENT: never reused

    batch = [make_dr(f"new-{i}", transaction_id=f"tx-new-{i}") for i in range(10)]
    batched, single = _batched_and_one_by_one(tmp_path, before, batch)
    assert batched == single
    assert [o.id for o in batched[0] if isinstance(o, PutResult)] == list(range(4, 14))
    assert all(isinstance(o, PutResult) and o.created and o.times_received == 1 for o in batched[0])


@pytest.mark.parametrize("how", ["put_many", "put"])
def test_a_new_notification_is_stored_in_one_statement_that_is_its_own_transaction(
    tmp_path: Path, how: str
) -> None:
    # Every statement hands the GIL over while SQLite runs and takes it back after, and a receiver's event
    # loop stalls whenever the writer thread takes it back: the usual batch, and a lone put, is one INSERT, no
    # BEGIN and no COMMIT around it (SQLite commits a lone statement itself), and it is durable (another
    # process reads it).
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    before = make_dr("before", transaction_id="tx-before")
    with open_inbox(url) as inbox:
        assert isinstance(inbox, SQLiteInbox)
        inbox.put(before)  # the connection is open, the schema made
        statements: list[str] = []
        inbox._connection().set_trace_callback(statements.append)
        new = [
            make_dr(f"new-{i}", transaction_id=f"tx-new-{i}") for i in range(5 if how == "put_many" else 1)
        ]
        outcomes = inbox.put_many(new) if how == "put_many" else [inbox.put(new[0])]
        inbox._connection().set_trace_callback(None)
        assert [statement.split(None, 1)[0] for statement in statements] == ["INSERT"], statements
        assert all(isinstance(o, PutResult) and o.created for o in outcomes), outcomes
        assert [o.id for o in outcomes if isinstance(o, PutResult)] == list(range(2, 2 + len(new)))
        assert set(_stored_keys_in_another_process(url)) == {n.dedupe_key for n in [before, *new]}
