"""Simulator cost: CPU seconds the ``mm7 simulate`` process spends per SubmitReq it answers.

``mm7 simulate`` is started as users start it (the ``mm7`` script, a free port, no delivery reports), and
this process sends ``count`` pre-encoded, distinct text-only SubmitReqs one after the other over one
kept-alive ``http.client`` connection, after a warm-up. Every answer is checked (HTTP 200, a SubmitRsp
with StatusCode 1000). The simulator's CPU time (user + system, from ``/proc/<pid>/stat``) across the
measured requests, divided by ``count``, is the number reported; the wall time per round trip is shown
beside it. The load generator's own CPU is not counted.

Run alone: ``python -m benchmarks.workloads.simulator [--count 2000] [--latency 0]``.
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


def measure(count: int = 2000, warmup: int = 100, latency: float = 0.0) -> dict[str, Any]:
    """Start ``mm7 simulate``, send ``warmup`` then ``count`` SubmitReqs, return the simulator's cost."""
    bodies = _submits(warmup + count)
    command = [*_MM7, "simulate", "--port", "0"]
    if latency:
        command += ["--latency", str(latency)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        match = None
        while match is None:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("mm7 simulate exited before listening")
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=30)
        for body, headers in bodies[:warmup]:
            _send(conn, body, headers)
        cpu_before, wall_before = _cpu_seconds(process.pid), time.perf_counter()
        for body, headers in bodies[warmup:]:
            _send(conn, body, headers)
        wall = time.perf_counter() - wall_before
        cpu = _cpu_seconds(process.pid) - cpu_before
        conn.close()
    finally:
        process.terminate()
        process.wait(30)
    return {
        "count": count,
        "latency": latency,
        "cpu_seconds": cpu,
        "cpu_ms_per_submit": cpu / count * 1e3,
        "wall_ms_per_submit": wall / count * 1e3,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workloads.simulator", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.count, args.warmup, args.latency), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
