"""``mm7 serve --asgi`` as users start it: uvicorn in its own process, real posts, SIGTERM, exit 0.

On SQLite and PostgreSQL inboxes: concurrent delivery reports and an MO are stored before their 200; the
options of ``mm7 serve`` apply (Basic auth with the password from the environment, the body limit); a
SIGTERM stops the server cleanly (exit 0, no traceback) with everything acknowledged in the inbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from cli import Background, run_mm7

from mm7.inbox import open_inbox

from .conftest import dr_request, mo_request, transaction_id_and_status

USER, PASSWORD = "sinch", "s3cret"
REPORTS = 20


@pytest.fixture
def asgi_server(inbox_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Background, str]]:
    monkeypatch.setenv("MM7_BASIC_PASSWORD", PASSWORD)
    server = Background(
        ["serve", "--asgi", "--port", "0", "--inbox", inbox_url, "--user", USER, "--max-body-size", "65536"]
    )
    monkeypatch.delenv("MM7_BASIC_PASSWORD")
    try:
        yield server, server.wait_line("listening on").split()[-1]
    finally:
        if server.process.poll() is None:
            server.stop()


def test_mm7_serve_asgi_stores_then_answers_and_stops_on_sigterm(
    asgi_server: tuple[Background, str], inbox_url: str
) -> None:
    server, url = asgi_server

    def post(n: int) -> requests.Response:
        request = dr_request(f"asgi-{n}", transaction_id=f"tx-{n}")
        return requests.post(
            url, data=request.body, headers=request.headers, auth=(USER, PASSWORD), timeout=30
        )

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(REPORTS)))
    assert [transaction_id_and_status(a.content) for a in answers] == [
        (f"tx-{n}", "1000") for n in range(REPORTS)
    ]
    mo = mo_request()
    answer = requests.post(url, data=mo.body, headers=mo.headers, auth=(USER, PASSWORD), timeout=30)
    assert answer.status_code == 200 and transaction_id_and_status(answer.content) == ("mo-tx-0001", "1000")

    unauthenticated = requests.post(url, data=mo.body, headers=mo.headers, timeout=30)
    assert unauthenticated.status_code == 401 and "Basic" in unauthenticated.headers["WWW-Authenticate"]
    too_big = requests.post(
        url,
        data=b"<x>" + b"y" * 70_000,
        headers={"Content-Type": "text/xml"},
        auth=(USER, PASSWORD),
        timeout=30,
    )
    assert too_big.status_code == 413 and transaction_id_and_status(too_big.content)[1] == "2007"
    assert too_big.headers["Connection"] == "close"  # the rest of that body is not read
    assert requests.get(url, timeout=30).status_code == 200

    server.process.terminate()  # SIGTERM
    assert server.process.wait(30) == 0
    assert server.process.stderr is not None
    log = server.process.stderr.read()
    assert "Traceback" not in log and "Exception" not in log, log
    assert server.stop() == 0
    with open_inbox(inbox_url) as inbox:
        stored = inbox.list(limit=100)
    assert sorted(n.transaction_id for n in stored) == sorted(
        [f"tx-{n}" for n in range(REPORTS)] + ["mo-tx-0001"]
    )


def test_mm7_serve_asgi_without_uvicorn_says_what_to_install(tmp_path: Path) -> None:
    # A uvicorn that cannot be imported, as in an install without the extra.
    shadow = tmp_path / "shadow"
    (shadow / "uvicorn").mkdir(parents=True)
    (shadow / "uvicorn" / "__init__.py").write_text("raise ImportError('No module named uvicorn')\n")
    result = run_mm7(
        "serve",
        "--asgi",
        "--port",
        "0",
        "--inbox",
        f"sqlite:///{tmp_path}/inbox.db",
        env={"PYTHONPATH": str(shadow)},
    )
    assert result.returncode != 0
    assert "pip install 'mm7[asgi]'" in result.stderr and "Traceback" not in result.stderr, result.stderr
