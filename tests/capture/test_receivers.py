"""``mm7 serve --capture DIR`` (waitress and ``--asgi``, as users start them): every exchange in a file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

import mm7
from mm7.cli.httpfile import read_exchange
from mm7.server.hosting import ReceiverSettings
from tests.cli import Background, run_mm7

REPO = Path(__file__).resolve().parents[2]
DR_BODY = (REPO / "tests" / "fixtures" / "sinch" / "delivery-report.xml").read_bytes()
DR_HEADERS = {"Content-Type": 'multipart/related; type="text/xml";', "SOAPAction": '""'}
USER, PASSWORD = "sinch", "rcv-s3cret"
Starter = Callable[[list[str], Path], str]
SERVERS = [pytest.param([], id="waitress"), pytest.param(["--asgi"], id="asgi")]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Starter]:
    """Start ``mm7 serve OPTIONS --capture DIR`` with Basic auth; yields a starter returning the URL."""
    started: list[Background] = []
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")

    def start(options: list[str], capture: Path) -> str:
        inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
        args = ["serve", *options, "--port", "0", "--inbox", inbox, "--user", USER]
        server = Background([*args, "--password-file", str(secret), "--capture", str(capture)])
        started.append(server)
        return server.wait_line("listening on").split()[-1]

    yield start
    for server in started:
        assert server.stop() == 0


@pytest.mark.parametrize("options", SERVERS)
def test_each_exchange_is_captured_with_the_password_redacted(
    serve: Starter, options: list[str], tmp_path: Path
) -> None:
    folder = tmp_path / "captures"
    url = serve(options, folder)
    auth = (USER, PASSWORD)
    stored = requests.post(url, data=DR_BODY, headers=DR_HEADERS, auth=auth, timeout=30)
    assert stored.status_code == 200
    broken = requests.post(
        url, data=b"<not-mm7/>", headers={"Content-Type": "text/xml"}, auth=auth, timeout=30
    )
    assert broken.status_code == 500
    files = sorted(folder.glob("*.http"))
    assert len(files) == 2, files
    report, garbage = files
    assert re.search(r"-receiver-DeliveryReportReq-dr-tx-0001\.http$", report.name), report.name
    data = report.read_bytes()
    assert b"Authorization: Basic <redacted>\r\n" in data and b"rcv-s3cret" not in data
    assert b'\r\nSOAPAction: ""\r\n' in data  # as the header is usually spelled
    sent, answer = read_exchange(data)
    assert sent.body == DR_BODY  # the exact bytes received
    assert sent.start_line is not None and sent.start_line.startswith("POST / HTTP/1.")
    assert answer is not None and answer.start_line == "HTTP/1.1 200 OK"
    assert answer.body == stored.content  # the exact bytes answered
    assert mm7.decode(answer.body, answer.content_type).operation == "DeliveryReportRsp"
    sent, answer = read_exchange(garbage.read_bytes())
    assert "-receiver-unknown-" in garbage.name and sent.body == b"<not-mm7/>"
    assert (
        answer is not None and answer.start_line.startswith("HTTP/1.1 500") and answer.body == broken.content
    )

    # The same report sent again from its capture: a duplicate, acknowledged again.
    replayed = run_mm7("replay", str(report), "--to", url, env={"MM7_USER": USER, "MM7_PASSWORD": PASSWORD})
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "DeliveryReportRsp\tTransactionID dr-tx-0001\tstatus 1000" in replayed.stdout


@pytest.mark.parametrize("options", SERVERS)
def test_a_capture_that_cannot_be_written_never_stops_the_ack(
    serve: Starter, options: list[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file, not a directory")
    url = serve(options, blocker / "captures")
    answer = requests.post(url, data=DR_BODY, headers=DR_HEADERS, auth=(USER, PASSWORD), timeout=30)
    assert answer.status_code == 200 and b"1000" in answer.content


def test_every_launcher_reads_the_capture_directory_from_the_environment(tmp_path: Path) -> None:
    """``MM7_CAPTURE_DIR`` (gunicorn, python -m mm7.server) as ``--capture`` (mm7 serve): one setting."""
    settings = ReceiverSettings.from_env(
        {"MM7_CAPTURE_DIR": str(tmp_path / "env"), "MM7_INBOX_URL": f"sqlite:///{tmp_path / 'i.db'}"}
    )
    assert settings.capture == str(tmp_path / "env")
    assert ReceiverSettings.from_env({"MM7_CAPTURE_DIR": "x"}, capture="y").capture == "y"
    app = settings.make_app()
    try:
        assert app.capture is not None and app.capture.directory == tmp_path / "env"
    finally:
        app.inbox.close()
