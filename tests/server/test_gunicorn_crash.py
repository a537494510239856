"""A gunicorn receiver (the shipped configuration, 2 workers of 8 threads) killed with SIGKILL right after
acknowledging loses nothing it acknowledged, with group commit on and off, on SQLite and PostgreSQL.

gunicorn is started as the configuration's docstring tells users to start it
(``gunicorn -c python:mm7.server.gunicorn_config 'mm7.server:create_app()'``, settings from ``MM7_*``), in a
session of its own; 8 client threads post distinct delivery reports, and as soon as enough were answered
200 + 1000 the client thread that saw the last of them kills the whole session (master and workers,
mid-commit) with SIGKILL while the other clients keep posting. Every acknowledged report must then be in the
inbox, once. A receiver answering before its row is committed fails this test whenever the kill lands
between the answer and the commit (about one run in four when the group commit woke followers before
committing their batch).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import requests

from mm7.inbox import open_inbox

from .conftest import DEADLINE, ROOT, dr_request, transaction_id_and_status, wait_until

#: Acknowledged posts to wait for before the kill: enough for the workers' threads to share commits.
ACKNOWLEDGED_BEFORE_KILL = 150


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("group_commit", ["on", "off"])
def test_every_acknowledged_notification_survives_a_sigkill_of_gunicorn(
    inbox_url: str, group_commit: str, tmp_path: Path
) -> None:
    url = f"{inbox_url}{'&' if '?' in inbox_url else '?'}group_commit={group_commit}"
    open_inbox(url).close()  # created (and migrated) before the workers race to do it
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:mm7.server.gunicorn_config",
             "mm7.server:create_app()"],
            env={**os.environ, "MM7_INBOX_URL": url, "MM7_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
                 "MM7_THREADS": "8"},
            cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    pgid = proc.pid
    base = f"http://127.0.0.1:{port}/"
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()
    killed = threading.Event()

    def healthy() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}; log:\n{log_path.read_text()}")
        try:
            return requests.get(base, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            message_id = f"gkill-{n}-{i}"
            i += 1
            request = dr_request(message_id, transaction_id=f"tx-{message_id}")
            try:
                response = requests.post(base, data=request.body, headers=request.headers, timeout=10)
            except requests.RequestException:
                continue  # the server is gone: unacknowledged, the MMSC would retry it
            if response.status_code == 200 and transaction_id_and_status(response.content) == (
                f"tx-{message_id}",
                "1000",
            ):
                with lock:
                    acknowledged.add(message_id)
                    if len(acknowledged) == ACKNOWLEDGED_BEFORE_KILL:
                        # At once, from the thread that saw the answer: the commits still running
                        # now are the ones an early answer would lose.
                        os.killpg(pgid, signal.SIGKILL)
                        killed.set()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(8)]
    try:
        wait_until(healthy, f"gunicorn on port {port}")
        for thread in threads:
            thread.start()
        # The kill: master and workers at once, while the other clients keep posting.
        wait_until(killed.is_set, "a burst of acknowledged posts")
        proc.wait(DEADLINE)
        wait_until(lambda: _session_gone(pgid), "gunicorn's workers to be gone")
    finally:
        stop.set()
        for thread in threads:
            thread.join(DEADLINE)
        if proc.poll() is None:
            os.killpg(pgid, signal.SIGKILL)
            proc.wait(DEADLINE)
    assert not any(t.is_alive() for t in threads)
    with lock:
        acked = set(acknowledged)
    assert len(acked) >= ACKNOWLEDGED_BEFORE_KILL

    inbox = open_inbox(inbox_url)  # new connections: SQLite recovers its WAL, PostgreSQL a new session
    try:
        stored = Counter(n.message_id for n in inbox.list(limit=100_000))
    finally:
        inbox.close()
    missing = acked - set(stored)
    assert not missing, f"{len(missing)} acknowledged notifications were lost: {sorted(missing)[:5]}"
    assert all(count == 1 for count in stored.values()), "a notification was stored twice"
