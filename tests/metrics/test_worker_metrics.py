"""Worker metrics (handled, failed, lag) and log fields: reports posted over HTTP, handled by a Worker."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from server.asgi_support import WaitressThread
from server.conftest import dr_request

from mm7.metrics import MESSAGE_ID_FIELD, TRANSACTION_ID_FIELD
from mm7.server import Received, Worker, make_app

from . import Records, captured, value

#: Seconds between storing and handling: the lag observed is at least this.
WAIT = 0.3


class Handlers:
    """Handles every report except the one whose MessageID is ``refused``."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_delivery_report(self, received: Received) -> None:
        message_id = received.message.message_id
        self.seen.append(message_id)
        if message_id == "refused":
            raise RuntimeError("the application is not ready for this one")


@pytest.fixture
def worker_log() -> Iterator[Records]:
    with captured("mm7.worker", logging.DEBUG) as records:
        yield records


def test_handled_failed_and_lag(tmp_path: Path, worker_log: Records) -> None:
    handled = value("mm7_worker_handled_total", kind="delivery_report")
    failed = value("mm7_worker_failed_total", kind="delivery_report")
    lags = value("mm7_worker_lag_seconds_count", kind="delivery_report")
    lag_sum = value("mm7_worker_lag_seconds_sum", kind="delivery_report")

    app = make_app(f"sqlite:///{tmp_path / 'inbox.db'}")
    try:
        with WaitressThread(app) as server:
            for n, message_id in enumerate(("ok-1", "ok-2", "refused")):
                request = dr_request(message_id, transaction_id=f"worker-tx-{n}")
                answer = requests.post(server.url, data=request.body, headers=request.headers, timeout=30)
                assert answer.status_code == 200
        time.sleep(WAIT)
        handlers = Handlers()
        worker = Worker(app.inbox, handlers, worker_id="metrics-worker")
        assert worker.run_once() == 3
    finally:
        app.inbox.close()

    assert sorted(handlers.seen) == ["ok-1", "ok-2", "refused"]
    assert value("mm7_worker_handled_total", kind="delivery_report") == handled + 2
    assert value("mm7_worker_failed_total", kind="delivery_report") == failed + 1
    assert value("mm7_worker_lag_seconds_count", kind="delivery_report") == lags + 2
    assert value("mm7_worker_lag_seconds_sum", kind="delivery_report") - lag_sum >= 2 * WAIT

    [record] = [r for r in worker_log.records if "handler failed" in r.getMessage()]
    assert getattr(record, TRANSACTION_ID_FIELD) == "worker-tx-2"
    assert getattr(record, MESSAGE_ID_FIELD) == "refused"
