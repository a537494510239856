"""Concurrency: duplicates racing each other, workers racing for items (threads and processes)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from mm7.inbox import Inbox, NotificationState, PutResult, open_inbox

from .conftest import ROOT, make_mo


def test_eight_threads_putting_the_same_notification_store_it_once(inbox: Inbox) -> None:
    barrier = threading.Barrier(8)

    def put() -> PutResult:
        barrier.wait()
        return inbox.put(make_mo())

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: put(), range(8)))
    assert sum(r.created for r in results) == 1
    assert len({r.id for r in results}) == 1
    assert sorted(r.times_received for r in results) == list(range(1, 9))
    [stored] = inbox.list()
    assert stored.times_received == 8
    assert len(stored.attachments) == 2


def test_many_threads_putting_distinct_and_duplicate_notifications(inbox: Inbox) -> None:
    # 4 threads each put the same 20 notifications: 20 rows, each received 4 times.
    barrier = threading.Barrier(4)

    def work(_: int) -> list[PutResult]:
        barrier.wait()
        return [inbox.put(make_mo(f"link-{i}")) for i in range(20)]

    with ThreadPoolExecutor(4) as pool:
        results = [r for rs in pool.map(work, range(4)) for r in rs]
    assert sum(r.created for r in results) == 20
    stored = inbox.list()
    assert len(stored) == 20
    assert {s.times_received for s in stored} == {4}


_CHILD = """
import sys, time
from mm7.inbox import open_inbox
sys.path.insert(0, sys.argv[3])
from inbox.conftest import make_mo
url, start_at = sys.argv[1], float(sys.argv[2])
inbox = open_inbox(url)
while time.time() < start_at:
    time.sleep(0.001)
created = [inbox.put(make_mo()).created for _ in range(2)]
inbox.close()
print(sum(created))
"""


def test_three_processes_putting_the_same_notification_store_it_once(inbox_url: str) -> None:
    # Like three gunicorn workers receiving the MMSC's retries at the same moment. Each process
    # opens the inbox (so migrations race too), then all put at the same instant.
    start_at = time.time() + 2.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, inbox_url, str(start_at), str(ROOT / "tests")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append(int(out.strip()))
    assert sum(outputs) == 1  # exactly one put in one process created it
    with open_inbox(inbox_url) as inbox:
        [stored] = inbox.list()
        assert stored.times_received == 6
        assert len(stored.attachments) == 2


def test_two_workers_never_get_the_same_item(inbox: Inbox) -> None:
    ids = {inbox.put(make_mo(f"item-{i}")).id for i in range(60)}
    claimed: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        while True:
            items = inbox.claim(name, limit=3, lease_seconds=60)
            if not items:
                return
            with lock:
                claimed.update(s.id for s in items)
            for s in items:
                assert s.lease_owner == name
                inbox.ack(s.id, name)

    with ThreadPoolExecutor(4) as pool:
        for f in [pool.submit(worker, f"w{i}") for i in range(4)]:
            f.result()
    assert set(claimed) == ids
    assert max(claimed.values()) == 1
    assert inbox.counts()[NotificationState.DONE] == 60


def test_claims_while_puts_are_arriving(inbox: Inbox) -> None:
    # The receiver keeps putting while workers drain: every item is handled exactly once.
    total = 40
    done: Counter[int] = Counter()
    lock = threading.Lock()
    producer_done = threading.Event()

    def producer() -> None:
        for i in range(total):
            inbox.put(make_mo(f"live-{i}", n_attachments=1))
        producer_done.set()

    def worker(name: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            items = inbox.claim(name, limit=2)
            for s in items:
                inbox.ack(s.id, name)
                with lock:
                    done[s.id] += 1
            if not items and producer_done.is_set():
                return
            if not items:
                time.sleep(0.005)
        pytest.fail("worker did not finish")

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(producer)] + [pool.submit(worker, f"w{i}") for i in range(3)]
        for f in futures:
            f.result()
    assert len(done) == total and set(done.values()) == {1}
    assert inbox.counts()[NotificationState.DONE] == total


def test_concurrent_first_open_migrates_once(inbox_url: str) -> None:
    barrier = threading.Barrier(4)

    def opener(_: int) -> int:
        barrier.wait()
        with open_inbox(inbox_url) as inbox:
            return inbox.put(make_mo()).times_received

    with ThreadPoolExecutor(4) as pool:
        counts = sorted(pool.map(opener, range(4)))
    assert counts == [1, 2, 3, 4]
