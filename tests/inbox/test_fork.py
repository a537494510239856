"""An inbox opened before ``fork`` (gunicorn ``--preload``, a multiprocessing pool) is usable on both sides.

The child opens connections of its own on first use and never touches the parent's: it must not send on the
parent's PostgreSQL socket, nor close (PostgreSQL: terminate) the parent's session when it closes the inbox.
Real SQLite file and PostgreSQL server, a real forked process.
"""

from __future__ import annotations

import multiprocessing
import sys

import pytest

from mm7.inbox import Inbox

from .conftest import make_dr

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX")


def _child(inbox: Inbox, message_id: str) -> None:
    # Inherited, not pickled: the fork start method hands the child the parent's object as it is.
    result = inbox.put(make_dr(message_id))
    assert result.created
    inbox.close()


def test_a_forked_child_uses_and_closes_its_own_connections(inbox: Inbox) -> None:
    assert inbox.put(make_dr("before-fork")).created  # the parent's connection is open and has been used
    child = multiprocessing.get_context("fork").Process(target=_child, args=(inbox, "from-child"))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    # The parent's connection still works: the child neither used it nor closed it.
    assert inbox.put(make_dr("after-fork")).created
    assert sorted(n.message_id or "" for n in inbox.list()) == ["after-fork", "before-fork", "from-child"]


def test_a_forked_child_with_group_commit_commits_its_own_puts(inbox_url: str) -> None:
    from mm7.inbox import open_inbox

    sep = "&" if "?" in inbox_url else "?"
    inbox = open_inbox(f"{inbox_url}{sep}group_commit=on")
    try:
        assert inbox.put(make_dr("parent-1")).created
        ctx = multiprocessing.get_context("fork")
        children = [ctx.Process(target=_child, args=(inbox, f"child-{i}")) for i in range(3)]
        for child in children:
            child.start()
        for child in children:
            child.join(60)
        assert [c.exitcode for c in children] == [0, 0, 0]
        assert inbox.put(make_dr("parent-2")).created
        assert sorted(n.message_id or "" for n in inbox.list()) == [
            "child-0",
            "child-1",
            "child-2",
            "parent-1",
            "parent-2",
        ]
    finally:
        inbox.close()
