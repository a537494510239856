"""Crashes: a receiver killed with SIGKILL mid-burst loses nothing it acknowledged; a killed worker's items
come back to another worker."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

from mm7.inbox import Inbox, NotificationState
from mm7.server import Received, Worker

from .conftest import DEADLINE, ROOT, ServerProcess, dr_request, transaction_id_and_status, wait_until

StartServer = Callable[..., ServerProcess]


def test_every_acknowledged_notification_survives_a_sigkill(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url)
    acknowledged: set[str] = set()
    attempted: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            message_id = f"crash-{n}-{i}"
            i += 1
            with lock:
                attempted.add(message_id)
            try:
                response = server.post(dr_request(message_id, transaction_id=f"tx-{message_id}"), timeout=10)
            except requests.RequestException:
                continue  # the server is gone: unacknowledged, the MMSC would retry it
            if response.status_code == 200 and transaction_id_and_status(response.content) == (
                f"tx-{message_id}",
                "1000",
            ):
                with lock:
                    acknowledged.add(message_id)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(acknowledged) >= 60, "a burst of acknowledged posts")
        server.kill()  # SIGKILL while the clients keep posting
    finally:
        stop.set()
        for thread in threads:
            thread.join(DEADLINE)
    assert not any(t.is_alive() for t in threads)

    # Every notification that got a 200 is stored, exactly once.
    stored = Counter(n.message_id for n in inbox.list(limit=100_000))
    missing = acknowledged - set(stored)
    assert not missing, f"{len(missing)} acknowledged notifications were lost: {sorted(missing)[:5]}"
    assert all(count == 1 for count in stored.values())

    # A restarted server on the same database accepts the MMSC's retries of everything, storing nothing twice.
    restarted = start_server(inbox_url)
    for message_id in sorted(attempted):
        response = restarted.post(dr_request(message_id, transaction_id=f"retry-{message_id}"))
        assert response.status_code == 200
    stored = Counter(n.message_id for n in inbox.list(limit=100_000))
    assert stored == Counter(attempted)


_WORKER_PROCESS = """
import sys
from pathlib import Path
from mm7.server import run_worker

marker = Path(sys.argv[2])

class Handlers:
    def on_delivery_report(self, received):
        marker.write_text(str(received.notification.id))
        threading_event = __import__("threading").Event()
        threading_event.wait()  # hang until killed, holding the lease

run_worker(sys.argv[1], Handlers, worker_id="doomed", lease_seconds=float(sys.argv[3]), poll_interval=0.05)
"""


def test_a_killed_workers_item_goes_to_another_worker(inbox_url: str, inbox: Inbox, tmp_path: Path) -> None:
    from werkzeug.test import Client

    from mm7.server import ReceiverApp

    request = dr_request()
    assert Client(ReceiverApp(inbox)).post("/", data=request.body, headers=request.headers).status_code == 200
    marker = tmp_path / "handler-started"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WORKER_PROCESS, inbox_url, str(marker), "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: marker.exists() or proc.poll() is not None, "the worker process to take the item")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
        [leased] = inbox.list()
        assert leased.state is NotificationState.LEASED and leased.lease_owner == "doomed"
        proc.kill()
        proc.wait(DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(DEADLINE)
        if proc.stderr is not None:
            proc.stderr.close()

    handled: list[Received] = []

    class Handlers:
        def on_delivery_report(self, received: Received) -> None:
            handled.append(received)

    survivor = Worker(inbox, Handlers(), worker_id="survivor", poll_interval=0.05)
    wait_until(lambda: survivor.run_once() > 0, "the dead worker's lease to expire")
    assert [r.notification.id for r in handled] == [int(marker.read_text())]
    assert handled[0].notification.attempts == 2
    assert inbox.list()[0].state is NotificationState.DONE
