"""Without prometheus_client (``mm7[metrics]`` not installed) nothing imports it and nothing breaks.

A fresh interpreter whose ``sys.meta_path`` refuses ``prometheus_client`` (as if it were not installed)
imports mm7, sends with both clients to the simulator, and receives over HTTP with both receivers; asking
for metrics there is a clear configuration error, from the API and from ``mm7 serve --metrics``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

BLOCKER = """
import sys

class NoPrometheus:
    def find_spec(self, name, path=None, target=None):
        if name == "prometheus_client" or name.startswith("prometheus_client."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, NoPrometheus())
"""

SCRIPT = """
import asyncio, sys, tempfile, threading
sys.path.insert(0, TESTS)
import requests

import mm7
from mm7 import metrics
from mm7.client import AsyncMM7Client, MM7Client
from mm7.errors import ConfigError
from mm7.server import make_app, make_asgi_app
from mm7.server.hosting import make_server
from mm7.simulator import MMSCSimulator
from server.asgi_support import UvicornThread
from server.conftest import dr_request

assert not metrics.available()
options = dict(api_key="KEY", vas_id="12345mms", short_code="12345")
with MMSCSimulator() as sim:
    with MM7Client.for_sinch(endpoint=sim.url, **options) as client:
        request = client.sinch.submit_request("15553199144", subject="no metrics")
        assert client.submit(request, content=[mm7.Part.from_text("hi")]).message_id

    async def send():
        async with AsyncMM7Client.for_sinch(endpoint=sim.url, **options) as client:
            request = client.sinch.submit_request("15553199144", subject="no metrics")
            return await client.submit(request, content=[mm7.Part.from_text("hi")])

    assert asyncio.run(send()).message_id

with tempfile.TemporaryDirectory() as tmp:
    for n, (make, kind) in enumerate(((make_app, "wsgi"), (make_asgi_app, "asgi"))):
        url = f"sqlite:///{tmp}/inbox-{n}.db"
        try:
            make(url, metrics=True)
        except ConfigError as exc:
            assert "mm7[metrics]" in str(exc), exc
        else:
            raise AssertionError("metrics=True without prometheus_client")
        app = make(url)
        if kind == "wsgi":
            server = make_server(app, "127.0.0.1", 0, threads=2)
            threading.Thread(target=server.run, daemon=True).start()
            base = f"http://127.0.0.1:{server.effective_port}/"
        else:
            running = UvicornThread(app).__enter__()
            base = running.url
        report = dr_request()
        answer = requests.post(base, data=report.body, headers=report.headers, timeout=30)
        assert answer.status_code == 200, answer.text
        assert requests.get(base + "metrics", timeout=30).status_code == 404
        if kind == "asgi":
            running.__exit__(None, None, None)
        assert app.inbox.counts()["pending"] == 1
        app.inbox.close()

assert "prometheus_client" not in sys.modules
print("ok")
"""


def test_everything_works_without_prometheus_client() -> None:
    code = BLOCKER + f"TESTS = {str(TESTS)!r}\n" + SCRIPT
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "ok"


def test_mm7_serve_metrics_says_what_to_install(tmp_path: Path) -> None:
    code = BLOCKER + "from mm7.cli import main\nmain()\n"
    args = ["serve", "--metrics", "--port", "0", "--inbox", f"sqlite:///{tmp_path / 'inbox.db'}"]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "mm7[metrics]" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "inbox.db").exists()  # refused before the inbox is opened


def test_importing_the_library_does_not_import_prometheus_client() -> None:
    code = "import sys, mm7, mm7.client, mm7.server, mm7.metrics\nprint('prometheus_client' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
