"""The FastAPI example of docs/receiver.md, exactly as printed, under a real uvicorn process.

The example is copied from the doc into ``service.py`` and started as users start it
(``python -m uvicorn service:app``). ``mm7.simulator.MMSCSimulator`` accepts messages sent by ``MM7Client``
and posts their delivery reports (Forwarded, then Retrieved) to the mounted receiver; every postback must
be acknowledged on its first attempt, every report stored, and the example's own route must read them
back. SIGTERM: uvicorn shuts down gracefully and FastAPI's lifespan closes the receiver's inbox.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

import mm7
from mm7.client import MM7Client
from mm7.inbox import NotificationKind, open_inbox
from mm7.simulator import MMSCSimulator, SimulatorConfig

from .asgi_support import listening_socket

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "receiver.md"
DEADLINE = 30.0
MESSAGES = 5


def documented_example() -> str:
    """The doc's python block that mounts the receiver in FastAPI (exactly one)."""
    blocks = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    [example] = [block for block in blocks if 'app.mount("/mm7", receiver)' in block]
    return str(example)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited {process.returncode}: {log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    pytest.fail(f"uvicorn did not answer on {url}: {log.read_text()}")


def test_the_documented_fastapi_app_receives_the_simulators_delivery_reports(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(documented_example(), encoding="utf-8")
    with listening_socket() as probe:
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(process, f"{base}/reports/none", log)
        config = SimulatorConfig(dr_url=f"{base}/mm7/", report_delay=0.01, retry_interval=0.2, max_retries=1)
        with MMSCSimulator(config) as sim, MM7Client(sim.url) as client:
            message_ids = [
                client.submit(
                    mm7.submit_request(to=f"1555123000{n}", vasp_id="KEY", sender="12345"),
                    content=mm7.Part.from_text(f"hello {n}"),
                ).message_id
                for n in range(MESSAGES)
            ]
            assert sim.postbacks.wait_idle(DEADLINE)
            postbacks = sim.log.entries(kind="delivery_report")
        assert len(postbacks) == 2 * MESSAGES, postbacks
        assert all(entry.ok and entry.http_status == 200 and entry.attempt == 1 for entry in postbacks), (
            postbacks
        )
        for message_id in message_ids:
            answer = requests.get(f"{base}/reports/{message_id}", timeout=DEADLINE)
            assert answer.json() == {"message_id": message_id, "status": "Retrieved"}
        assert requests.get(f"{base}/reports/unknown", timeout=DEADLINE).json()["status"] is None
        process.terminate()  # SIGTERM
        # uvicorn shuts down gracefully, then re-raises the signal it caught (its exit says SIGTERM).
        assert process.wait(DEADLINE) in (0, -signal.SIGTERM), log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(DEADLINE)
    assert "Application shutdown complete" in log.read_text()  # FastAPI's lifespan ran: inbox closed
    assert "Traceback" not in log.read_text(), log.read_text()
    with open_inbox(f"sqlite:///{tmp_path / 'mm7-inbox.db'}") as inbox:
        stored = inbox.list(limit=100)
    assert {(n.kind, n.message_id, n.mm_status) for n in stored} == {
        (NotificationKind.DELIVERY_REPORT, message_id, status)
        for message_id in message_ids
        for status in ("Forwarded", "Retrieved")
    }
