"""The SQLite inbox's writer gate: writers queue on an flock lock file before SQLite's write lock."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from mm7.inbox import SQLiteInbox, StorageError

from .conftest import make_dr


def test_gate_file_sits_next_to_the_database(tmp_path: Path) -> None:
    with SQLiteInbox(tmp_path / "inbox.db") as inbox:
        inbox.put(make_dr())
    assert (tmp_path / "inbox.db-mm7lock").exists()


def test_writer_waits_for_the_gate_then_stores(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    with SQLiteInbox(path) as inbox:
        # Another process's writer holding the gate: a separate open file description conflicts.
        fd = os.open(f"{path}-mm7lock", os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        released = threading.Event()

        def release() -> None:
            time.sleep(0.2)
            released.set()
            fcntl.flock(fd, fcntl.LOCK_UN)

        thread = threading.Thread(target=release)
        thread.start()
        result = inbox.put(make_dr(message_id="gated"))
        # put() can only have committed after the holder released the gate.
        assert released.is_set()
        assert result.created
        thread.join()
        os.close(fd)
        assert inbox.get(result.id) is not None


def test_gate_held_past_busy_timeout_is_a_storage_error_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    with SQLiteInbox(path, busy_timeout=0.2) as inbox:
        fd = os.open(f"{path}-mm7lock", os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with pytest.raises(StorageError, match="writer gate"):
                inbox.put(make_dr(message_id="blocked"))
        finally:
            os.close(fd)
        assert inbox.list() == []
        assert inbox.put(make_dr(message_id="blocked")).created


def test_unopenable_gate_file_falls_back_to_sqlite_locking(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"
    # A directory where the lock file should be: the gate cannot open it, writes still work.
    (tmp_path / "inbox.db-mm7lock").mkdir()
    with SQLiteInbox(path) as inbox:
        assert inbox.put(make_dr()).created
        assert len(inbox.list()) == 1


def test_threads_share_the_gate_without_losing_or_duplicating(tmp_path: Path) -> None:
    with SQLiteInbox(tmp_path / "inbox.db") as inbox:
        errors: list[BaseException] = []

        def writer(k: int) -> None:
            try:
                for i in range(25):
                    inbox.put(make_dr(message_id=f"t{k}-{i}"))
                    inbox.put(make_dr(message_id=f"t{k}-{i}"))  # a retry: counted, not stored
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        items = inbox.list(limit=1000)
        assert len(items) == 150
        assert {s.times_received for s in items} == {2}
