"""gunicorn ``--preload``: the app (and its inbox, migrated, with a connection open) is made in the master
before the workers fork. Each worker must store through connections of its own: two ``sync`` workers
(which handle requests on the thread that forked) sharing the master's PostgreSQL session would interleave
their statements on one socket.

gunicorn started as users start it, real HTTP on 127.0.0.1, both backends; every post answered 200 + 1000
and stored once.
"""

from __future__ import annotations

import os
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

CLIENTS = 8
POSTS_PER_CLIENT = 25


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("worker_class", ["sync", "shipped"])
def test_preloaded_app_workers_store_through_their_own_connections(
    inbox_url: str, worker_class: str, tmp_path: Path
) -> None:
    port = _free_port()
    config = ["-k", "sync"] if worker_class == "sync" else ["-c", "python:mm7.server.gunicorn_config"]
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *config, "--preload", "-w", "2", "-b", f"127.0.0.1:{port}",
             "mm7.server:create_app()"],
            env={**os.environ, "MM7_INBOX_URL": inbox_url}, cwd=ROOT, stdout=log, stderr=log,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    answers: list[tuple[str, int, tuple[str | None, str | None]]] = []
    lock = threading.Lock()

    def healthy() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}; log:\n{log_path.read_text()}")
        try:
            return requests.get(base, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def client(n: int) -> None:
        for i in range(POSTS_PER_CLIENT):
            message_id = f"preload-{n}-{i}"
            request = dr_request(message_id, transaction_id=f"tx-{message_id}")
            response = requests.post(base, data=request.body, headers=request.headers, timeout=30)
            with lock:
                answers.append(
                    (message_id, response.status_code, transaction_id_and_status(response.content))
                )

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        wait_until(healthy, f"gunicorn on port {port}")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DEADLINE)
    finally:
        proc.terminate()
        try:
            proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(DEADLINE)
    assert not any(t.is_alive() for t in threads)
    wrong = [a for a in answers if a[1:] != (200, (f"tx-{a[0]}", "1000"))]
    assert not wrong, f"{len(wrong)} posts not acknowledged, e.g. {wrong[:3]}; log:\n{log_path.read_text()}"
    assert len(answers) == CLIENTS * POSTS_PER_CLIENT
    inbox = open_inbox(inbox_url)
    try:
        stored = Counter(n.message_id for n in inbox.list(limit=10_000))
    finally:
        inbox.close()
    assert stored == Counter(a[0] for a in answers)
