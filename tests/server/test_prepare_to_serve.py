"""Before their first request, the launchers warm the receiver's codec, freeze the process's heap and raise
the cyclic collector's youngest threshold (YOUNG_COLLECTION_THRESHOLD).

``mm7 serve`` (waitress) and ``mm7 serve --asgi`` (uvicorn) are started as users start them and say so in
their log before they listen; the shipped gunicorn configuration's ``post_worker_init`` hook does it in
each worker (called here with the attribute gunicorn gives it, the worker's loaded app). The warm-up
stores nothing and counts nothing: the inbox stays empty and the Prometheus samples do not move.
"""

from __future__ import annotations

import gc
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from simulator import MM7  # the mm7 command as installed

from mm7.server import gunicorn_config, make_app
from mm7.server.hosting import YOUNG_COLLECTION_THRESHOLD, prepare_to_serve

from .conftest import ROOT, dr_request, transaction_id_and_status

READY = re.compile(
    r"receiver ready in \d+ ms \(codec loaded; (\d+) objects frozen.*; young objects collected every (\d+) "
)


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Give this test process its heap back to the collector, and its collection thresholds, afterwards."""
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def _serve(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [*MM7, "-v", "serve", *options, "--port", "0",
         "--inbox", f"sqlite:///{tmp_path / 'inbox.db'}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        pytest.fail(f"mm7 serve did not start: {line!r} {process.communicate()[1]}")
    return process, line.removeprefix("listening on ").strip()


@pytest.mark.parametrize("options", [(), ("--asgi",)], ids=["waitress", "uvicorn"])
def test_mm7_serve_warms_up_and_freezes_before_it_listens(tmp_path: Path, options: tuple[str, ...]) -> None:
    process, url = _serve(tmp_path, *options)
    try:
        request = dr_request("ready-1", transaction_id="ready-tx")
        answer = requests.post(url, data=request.body, headers=request.headers, timeout=30)
    finally:
        process.terminate()
        _, log = process.communicate(timeout=30)
    assert answer.status_code == 200 and transaction_id_and_status(answer.content) == ("ready-tx", "1000")
    ready = READY.search(log)
    assert ready is not None, log
    assert int(ready.group(1)) > 10_000  # the interpreter, mm7, lxml and the schemas
    assert int(ready.group(2)) == YOUNG_COLLECTION_THRESHOLD
    listening = log.index("receiver listening on")
    assert ready.start() < listening  # before the first request can arrive


def test_the_gunicorn_hook_warms_the_workers_app_and_freezes_its_heap(
    tmp_path: Path, unfrozen: None, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'inbox.db'}")
    try:
        caplog.set_level("INFO", logger="mm7.server")
        gunicorn_config.post_worker_init(SimpleNamespace(wsgi=app))
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD
        assert READY.search(caplog.text), caplog.text
        assert sum(app.inbox.counts().values()) == 0
    finally:
        app.inbox.close()


def test_warm_up_loads_both_releases_and_stores_and_counts_nothing(
    tmp_path: Path, unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prometheus_client import REGISTRY, generate_latest

    from mm7.codec import xml as codec_xml
    from mm7.codec.versions import REL5, REL6

    def mm7_samples() -> list[str]:  # the process and GC collectors' samples move on their own
        return [line for line in generate_latest(REGISTRY).decode().splitlines() if line.startswith("mm7_")]

    monkeypatch.setattr(codec_xml, "_schemas", {})  # as in a fresh process: no schema compiled yet
    app = make_app(f"sqlite:///{tmp_path / 'inbox.db'}", metrics=True)
    try:
        before = mm7_samples()
        app.warm_up()
        assert {key for key, _ in codec_xml._schemas} == {REL5.key, REL6.key}
        assert mm7_samples() == before
        assert sum(app.inbox.counts().values()) == 0
        prepare_to_serve(app)
        assert gc.get_freeze_count() > 0
    finally:
        app.inbox.close()
