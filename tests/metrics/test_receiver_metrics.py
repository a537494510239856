"""``/metrics`` on the receivers as users start them: ``mm7 serve --metrics`` (waitress) and with ``--asgi``.

Real processes, real posts (Sinch's delivery report and MO captures, a malformed body, an unauthenticated
post), then a scrape over HTTP parsed by prometheus_client's own parser. Off by default (404); the
allow-list applies to the scrape, credentials do not. Label cardinality: many distinct TransactionIDs
later, the set of series is the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cli import Background
from server.asgi_support import UvicornThread, WaitressThread
from server.conftest import Request, ServerProcess, dr_request, mo_request, transaction_id_and_status

from mm7.metrics import MESSAGE_ID_FIELD, TRANSACTION_ID_FIELD
from mm7.server import make_app, make_asgi_app
from mm7.server.core import ReceiverCore

from . import Records, captured, sample, scraped, series

USER, PASSWORD = "sinch", "s3cret"
LAUNCHERS = {"waitress": ["serve"], "uvicorn": ["serve", "--asgi"]}


def start(args: list[str], monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[Background, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    server = Background([*args, "--port", "0"])
    for name in env:
        monkeypatch.delenv(name)
    return server, server.wait_line("listening on").split()[-1]


@pytest.fixture(params=sorted(LAUNCHERS))
def launcher(request: pytest.FixtureRequest) -> list[str]:
    return LAUNCHERS[request.param]


@pytest.fixture
def metrics_server(launcher: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    server, url = start(
        [*launcher, "--metrics", "--inbox", inbox, "--user", USER],
        monkeypatch,
        MM7_BASIC_PASSWORD=PASSWORD,
    )
    try:
        yield url
    finally:
        assert server.stop() == 0


def post(url: str, request: Request, auth: tuple[str, str] | None = (USER, PASSWORD)) -> requests.Response:
    return requests.post(url, data=request.body, headers=request.headers, auth=auth, timeout=30)


def scrape(url: str) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    answer = requests.get(url + "metrics", timeout=30)  # no credentials: a scraper is not the MMSC
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    return answer.text, scraped(answer.text)


def test_posts_faults_duplicates_and_depth_are_scraped(metrics_server: str) -> None:
    url = metrics_server
    _, empty = scrape(url)
    assert sample(empty, "mm7_receiver_store_duration_seconds_count") == 0
    assert sample(empty, "mm7_inbox_notifications", state="pending") == 0

    report = dr_request("metrics-1", transaction_id="metrics-tx-1")
    assert [post(url, report).status_code for _ in range(2)] == [200, 200]  # the second one a duplicate
    assert post(url, mo_request()).status_code == 200
    malformed = post(url, Request(b"<Envelope", {"Content-Type": "text/xml"}))
    assert (malformed.status_code, transaction_id_and_status(malformed.content)[1]) == (500, "2007")
    assert post(url, report, auth=None).status_code == 401

    text, samples = scrape(url)
    answered = "mm7_receiver_requests_total"
    assert sample(samples, answered, operation="DeliveryReportReq", status="200") == 2
    assert sample(samples, answered, operation="DeliverReq", status="200") == 1
    assert sample(samples, answered, operation="unknown", status="500") == 1
    assert sample(samples, answered, operation="unknown", status="401") == 1
    assert sample(samples, "mm7_receiver_faults_total", code="2007") == 1
    assert sample(samples, "mm7_receiver_duplicates_total", operation="DeliveryReportReq") == 1
    assert sample(samples, "mm7_receiver_store_duration_seconds_count") == 3
    assert sample(samples, "mm7_inbox_notifications", state="pending") == 2  # the report once, the MO
    assert sample(samples, "mm7_inbox_notifications", state="done") == 0
    assert "metrics-tx-1" not in text and "metrics-1" not in text

    # Label cardinality: 20 more reports, each with its own TransactionID and MessageID, add no series.
    before = series(samples, "mm7_")
    for n in range(20):
        assert post(url, dr_request(f"card-{n}", transaction_id=f"card-tx-{n}")).status_code == 200
    text, samples = scrape(url)
    assert series(samples, "mm7_") == before
    assert sample(samples, answered, operation="DeliveryReportReq", status="200") == 22
    assert sample(samples, "mm7_inbox_notifications", state="pending") == 22
    assert "card-" not in text


def test_metrics_are_off_by_default(
    launcher: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, url = start([*launcher, "--inbox", f"sqlite:///{tmp_path / 'inbox.db'}"], monkeypatch)
    try:
        assert requests.get(url + "metrics", timeout=30).status_code == 404
        assert requests.get(url, timeout=30).status_code == 200  # the health check is still there
        assert post(url, dr_request(), auth=None).status_code == 200
    finally:
        assert server.stop() == 0


def test_the_allow_list_applies_to_the_scrape(
    launcher: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    server, url = start([*launcher, "--inbox", inbox, "--allow", "10.0.0.0/8"], monkeypatch, MM7_METRICS="1")
    try:
        assert requests.get(url + "metrics", timeout=30).status_code == 403  # 127.0.0.1 is not allowed
    finally:
        assert server.stop() == 0


# ------------------------------------------------------------------------------------- in-process apps


@pytest.fixture
def server_log() -> Iterator[Records]:
    with captured("mm7.server", logging.INFO) as records:
        yield records


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_receive_log_records_carry_the_transaction_and_message_ids(
    kind: str, tmp_path: Path, server_log: Records
) -> None:
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    app: ReceiverCore
    if kind == "wsgi":
        app = make_app(inbox)
        running: WaitressThread | UvicornThread = WaitressThread(app)
    else:
        app = make_asgi_app(inbox)
        running = UvicornThread(app)
    with running as server:
        url = server.url
        assert post(url, dr_request("log-msg-1", transaction_id="log-tx-1"), auth=None).status_code == 200
        assert post(url, Request(b"<Envelope", {"Content-Type": "text/xml"}), auth=None).status_code == 500
    app.inbox.close()
    ours = [r for r in server_log.records if r.name == "mm7.server" and hasattr(r, TRANSACTION_ID_FIELD)]
    stored = [r for r in ours if "stored" in r.getMessage()]
    assert [(getattr(r, TRANSACTION_ID_FIELD), getattr(r, MESSAGE_ID_FIELD)) for r in stored] == [
        ("log-tx-1", "log-msg-1")
    ]
    fault = [r for r in ours if "answering 500" in r.getMessage()]
    assert len(fault) == 1 and getattr(fault[0], MESSAGE_ID_FIELD) is None


# ------------------------------------------------------------------------------------- gunicorn, mounted


def test_gunicorn_workers_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two gunicorn workers, PROMETHEUS_MULTIPROC_DIR set: whichever answers the scrape, it counts all."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {"MM7_METRICS": "1", "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    server = ServerProcess(
        {"MM7_INBOX_URL": f"sqlite:///{tmp_path / 'inbox.db'}", **env},
        gunicorn_workers=2,
        log_path=tmp_path / "gunicorn.log",
    )
    server.start()
    try:
        with requests.Session() as session:  # new connections spread over the workers
            for n in range(12):
                request = dr_request(f"gunicorn-{n}", transaction_id=f"gunicorn-tx-{n}")
                answer = requests.post(server.url, data=request.body, headers=request.headers, timeout=30)
                assert answer.status_code == 200
            counts = set()
            for _ in range(6):
                text = session.get(server.url + "metrics", timeout=30, headers={"Connection": "close"}).text
                samples = scraped(text)
                counts.add(
                    sample(
                        samples, "mm7_receiver_requests_total", operation="DeliveryReportReq", status="200"
                    )
                )
        assert counts == {12.0}
        assert sample(samples, "mm7_inbox_notifications", state="pending") == 12
    finally:
        server.stop()


def test_a_mounted_receiver_serves_metrics_under_its_mount_point(tmp_path: Path) -> None:
    from fastapi import FastAPI

    receiver = make_asgi_app(f"sqlite:///{tmp_path / 'inbox.db'}", metrics=True)
    service = FastAPI()
    service.mount("/mm7", receiver)
    try:
        with UvicornThread(service) as server:
            report = dr_request("mounted-1", transaction_id="mounted-tx-1")
            assert post(server.url + "mm7/", report, auth=None).status_code == 200
            answer = requests.get(server.url + "mm7/metrics", timeout=30)
            assert answer.status_code == 200
            assert sample(scraped(answer.text), "mm7_inbox_notifications", state="pending") == 1
            assert requests.get(server.url + "mm7/", timeout=30).text.startswith("mm7 receiver: ok")
    finally:
        receiver.inbox.close()
