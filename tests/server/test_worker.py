"""Workers: handlers run outside the request, once per notification, with retries and lease takeover."""

from __future__ import annotations

import importlib
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from mm7.errors import ConfigError
from mm7.inbox import Inbox, NotificationState
from mm7.server import Received, ReceiverApp, Worker, load_handlers

from .conftest import MO_IMAGE, dr_request, mo_request, wait_until


def receive(inbox: Inbox, *requests: Any) -> None:
    client = Client(ReceiverApp(inbox))
    for request in requests:
        assert client.post("/", data=request.body, headers=request.headers).status_code == 200


class Recorder:
    """Handlers that record what they were given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Received]] = []
        self.lock = threading.Lock()

    def on_deliver(self, received: Received) -> None:
        with self.lock:
            self.calls.append(("deliver", received))

    def on_delivery_report(self, received: Received) -> None:
        with self.lock:
            self.calls.append(("delivery_report", received))


def test_handlers_get_typed_messages_once_each(inbox: Inbox) -> None:
    receive(inbox, dr_request(), mo_request(), dr_request(), dr_request("42"))
    recorder = Recorder()
    worker = Worker(inbox, recorder, worker_id="w1")
    while worker.run_once():
        pass
    kinds = sorted(kind for kind, _ in recorder.calls)
    assert kinds == ["deliver", "delivery_report", "delivery_report"]
    reports = {r.message.message_id: r for kind, r in recorder.calls if kind == "delivery_report"}
    report = reports["369500617770864640"]
    assert type(report.message).__name__ == "DeliveryReportReq"
    assert report.message.mm_status.value == "Retrieved"
    assert report.message.recipient.number.value == "16175550123"
    assert report.message.date.to_datetime().year == 2015
    assert report.notification.headers["X-Mblox-Carrier-Id"] == "0001890"
    assert report.notification.times_received == 2
    [mo] = [r for kind, r in recorder.calls if kind == "deliver"]
    assert type(mo.message).__name__ == "DeliverReq"
    assert mo.message.sender.number.value == "1617423433"
    assert mo.content is not None and mo.content.is_multipart
    assert [(p.content_id, p.media_type) for p in mo.media()] == [
        ("image_0.jpg", "image/jpeg"),
        ("text_0.txt", "text/plain"),
    ]
    assert mo.media()[0].read_bytes() == MO_IMAGE
    assert inbox.counts()[NotificationState.DONE] == 3


class FailsTwice:
    def __init__(self) -> None:
        self.attempts = 0

    def on_delivery_report(self, received: Received) -> None:
        self.attempts += 1
        if self.attempts <= 2:
            raise RuntimeError(f"downstream unavailable (attempt {self.attempts})")


def test_a_handler_exception_is_retried_later(inbox: Inbox) -> None:
    receive(inbox, dr_request())
    handler = FailsTwice()
    worker = Worker(inbox, handler, worker_id="w1", retry_base=0.05, retry_max=0.05)
    assert worker.run_once() == 1
    [item] = inbox.list()
    assert item.state is NotificationState.PENDING
    assert item.last_error is not None and "downstream unavailable (attempt 1)" in item.last_error

    def done() -> bool:
        worker.run_once()
        return inbox.list()[0].state is NotificationState.DONE

    wait_until(done, "the retried notification to be handled")
    assert handler.attempts == 3
    assert inbox.list()[0].attempts == 3


def test_a_notification_is_parked_after_max_attempts(inbox: Inbox) -> None:
    receive(inbox, dr_request())

    class AlwaysFails:
        def on_delivery_report(self, received: Received) -> None:
            raise ValueError("bad data")

    worker = Worker(inbox, AlwaysFails(), worker_id="w1", retry_base=0.01, retry_max=0.01, max_attempts=3)
    wait_until(
        lambda: worker.run_once() == 0 and inbox.list()[0].state is NotificationState.FAILED, "parking"
    )
    assert inbox.list()[0].attempts == 3


def test_a_crashed_workers_lease_expires_and_another_worker_gets_the_item(inbox: Inbox) -> None:
    receive(inbox, dr_request())
    # "Crashed" worker: it claimed the item and never acked nor failed it.
    [taken] = inbox.claim("crashed-worker", lease_seconds=0.3)
    recorder = Recorder()
    survivor = Worker(inbox, recorder, worker_id="survivor")
    assert survivor.run_once() == 0  # the lease still runs: nobody else gets it
    wait_until(lambda: survivor.run_once() == 1, "the expired lease to be taken over")
    assert [r.notification.id for _, r in recorder.calls] == [taken.id]
    assert inbox.list()[0].state is NotificationState.DONE


def test_a_worker_only_claims_kinds_it_handles(inbox: Inbox) -> None:
    receive(inbox, dr_request(), mo_request())

    class OnlyReports:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def on_delivery_report(self, received: Received) -> None:
            self.seen.append(received.kind.value)

    handlers = OnlyReports()
    worker = Worker(inbox, handlers, worker_id="w1")
    while worker.run_once():
        pass
    assert handlers.seen == ["delivery_report"]
    assert inbox.counts()[NotificationState.PENDING] == 1  # the MO waits for a worker that handles it


def test_worker_thread_processes_until_stopped(inbox: Inbox) -> None:
    recorder = Recorder()
    worker = Worker(inbox, recorder, worker_id="thread", poll_interval=0.05)
    thread = worker.start_thread()
    try:
        receive(inbox, dr_request(), mo_request())
        wait_until(lambda: len(recorder.calls) == 2, "the thread to handle both notifications")
    finally:
        worker.stop()
    assert not thread.is_alive()
    assert inbox.counts()[NotificationState.DONE] == 2


def test_handlers_from_an_import_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inbox: Inbox) -> None:
    name = f"myapp_handlers_{uuid.uuid4().hex[:8]}"  # a fresh module per run: no state shared via sys.modules
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handlers.py").write_text(
        "SEEN = []\n"
        "class Handlers:\n"
        "    def on_delivery_report(self, received):\n"
        "        SEEN.append(received.message.message_id)\n"
        "def on_deliver(received):\n"
        "    SEEN.append('mo')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    receive(inbox, dr_request(), mo_request())
    Worker(inbox, f"{name}.handlers:Handlers", worker_id="w1").run_once()
    Worker(inbox, f"{name}.handlers", worker_id="w2").run_once()
    module = importlib.import_module(f"{name}.handlers")

    assert sorted(module.SEEN) == ["369500617770864640", "mo"]


@pytest.mark.parametrize(
    "spec", ["no_such_module_xyz:Handlers", "mm7.server:NoSuchName", "mm7.errors", object()]
)
def test_unusable_handlers_are_config_errors(spec: object) -> None:
    with pytest.raises(ConfigError):
        load_handlers(spec)
