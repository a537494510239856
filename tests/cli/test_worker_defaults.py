"""``mm7 worker`` with its defaults (the logging handlers) takes what ``mm7 serve`` stored, in processes."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.server.conftest import dr_request

from . import Background


def test_worker_with_its_default_handlers_prints_each_stored_report(tmp_path: Path) -> None:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = Background(["serve", "--port", "0", "--inbox", inbox])
    worker: Background | None = None
    try:
        url = server.wait_line("listening on").split()[-1]
        report = dr_request("4711")
        answer = requests.post(url, data=report.body, headers=report.headers, timeout=30)
        assert answer.status_code == 200, answer.text
        worker = Background(["worker", "--inbox", inbox, "--poll-interval", "0.1"])
        line = worker.wait_line("DR MessageID 4711")
        assert "Retrieved" in line
    finally:
        codes = [process.stop() for process in (server, worker) if process is not None]
    assert codes == [0] * len(codes)
