"""Simulator cost: CPU seconds the ``mm7 simulate`` process spends per SubmitReq it answers.

``mm7 simulate`` is started as users start it (the ``mm7`` script, a free port, no delivery reports), and
this process sends ``count`` pre-encoded, distinct text-only SubmitReqs one after the other over one
kept-alive ``http.client`` connection, after a warm-up. Every answer is checked (HTTP 200, a SubmitRsp
with StatusCode 1000). The simulator's CPU time (user + system, from ``/proc/<pid>/stat``) across the
measured requests, divided by ``count``, is the number reported; the wall time per round trip is shown
beside it. The load generator's own CPU is not counted.

With ``reports=True`` the simulator also posts its two delivery reports per message (Forwarded, Retrieved)
to a receiver in this process (an acknowledging loop server, whose CPU is not counted), and the simulator's
CPU is read once every report was acknowledged: answer plus postbacks.

Run alone: ``python -m benchmarks.workloads.simulator [--count 2000] [--latency 0] [--reports]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from benchmarks.workloads.common import ROOT, SUBMIT

_SCRIPT = Path(sys.executable).parent / "mm7"
_MM7 = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-c", "from mm7.cli import main; main()"]
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@contextmanager
def listening(command: list[str]) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """Run ``command`` until it prints ``listening on http://127.0.0.1:PORT/``; yield it and the port.

    The process is terminated (and waited for) on the way out.
    """
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        match = None
        while match is None:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"{command} exited before listening")
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        yield process, int(match.group(1))
    finally:
        process.terminate()
        process.wait(30)


def running(arguments: list[str]) -> AbstractContextManager[tuple[subprocess.Popen[str], int]]:
    """Run ``mm7 simulate --port 0 ARGUMENTS`` as users start it; yields the process and its port."""
    return listening([*_MM7, "simulate", "--port", "0", *arguments])


def _submits(count: int) -> list[tuple[bytes, dict[str, str]]]:
    import mm7

    fields = {key: value for key, value in SUBMIT.items() if key != "subject"}
    out = []
    for i in range(count):
        request = mm7.submit_request(**fields)
        wire = mm7.encode(request, content=[mm7.Part.from_text(f"Hello {i}")], transaction_id=f"sim-{i}")
        out.append((wire.to_bytes(), dict(wire.headers)))
    return out


def _send(conn: http.client.HTTPConnection, body: bytes, headers: dict[str, str]) -> None:
    conn.request("POST", "/mm7/v1/", body=body, headers=headers)
    response = conn.getresponse()
    answer = response.read()
    if response.status != 200 or b"SubmitRsp" not in answer or b"1000" not in answer:
        raise RuntimeError(f"HTTP {response.status}: {answer[:300]!r}")


def _acknowledge(request: Any) -> Any:
    import mm7
    from mm7.simulator.loop_server import Answer

    decoded = mm7.decode(request.body, request.headers.get("content-type"), mode="tolerant")
    wire = mm7.encode(mm7.response_for(decoded, 1000, "Success"), transaction_id=decoded.transaction_id)
    return Answer(200, wire.to_bytes(), wire.content_type)


def _wait_for_reports(port: int, deadline: float = 120.0) -> None:
    limit = time.monotonic() + deadline
    while time.monotonic() < limit:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/_sim/health")
        pending = json.loads(conn.getresponse().read())["pending_postbacks"]
        conn.close()
        if not pending:
            return
        time.sleep(0.05)
    raise RuntimeError("the delivery reports were not all acknowledged in time")


def measure(
    count: int = 2000, warmup: int = 100, latency: float = 0.0, reports: bool = False
) -> dict[str, Any]:
    """Start ``mm7 simulate``, send ``warmup`` then ``count`` SubmitReqs, return the simulator's cost."""
    from mm7.simulator.loop_server import LoopServer

    bodies = _submits(warmup + count)
    arguments = ["--latency", str(latency)] if latency else []
    receiver = LoopServer(_acknowledge) if reports else None
    if receiver is not None:
        arguments += ["--dr-url", receiver.base_url + "/mm7", "--report-delay", "0"]
    try:
        with running(arguments) as (process, port):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for body, headers in bodies[:warmup]:
                _send(conn, body, headers)
            if reports:
                _wait_for_reports(port)
            cpu_before, wall_before = _cpu_seconds(process.pid), time.perf_counter()
            for body, headers in bodies[warmup:]:
                _send(conn, body, headers)
            wall = time.perf_counter() - wall_before
            if reports:
                _wait_for_reports(port)
            cpu = _cpu_seconds(process.pid) - cpu_before
            conn.close()
    finally:
        if receiver is not None:
            receiver.stop()
    return {
        "count": count,
        "latency": latency,
        "reports": reports,
        "cpu_seconds": cpu,
        "cpu_ms_per_submit": cpu / count * 1e3,
        "wall_ms_per_submit": wall / count * 1e3,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workloads.simulator", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--reports", action="store_true", help="post delivery reports to a local receiver")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.count, args.warmup, args.latency, args.reports), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
