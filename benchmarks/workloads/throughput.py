"""Workload 5: receiver throughput and latency for DeliveryReportReq over 127.0.0.1.

gunicorn with the shipped configuration (``mm7/server/gunicorn_config.py``: 2 workers of
``BufferingThreadWorker``, ``MM7_THREADS`` threads each; the workers' loops serve the receiver's small
POSTs and one writer thread per worker stores them in batches) serves the mm7 receiver on SQLite, on
PostgreSQL (a throw-away cluster from ``scripts/pg-server``), and a bare WSGI app returning a fixed answer
(the floor, under the same configuration: a thread answers each request). ``--burst N`` measures the floor
and both receivers again with N posters (an MMSC's burst of delivery reports; 50 in ``scripts/bench``, as
the ASGI workload). ``--sync`` uses gunicorn's plain ``sync`` workers instead (one request at a
time per worker: the inbox's group commit then has nothing to group). A separate load process
posts pre-encoded, distinct DeliveryReportReqs (distinct TransactionID and MessageID, so that nothing is
deduplicated) from ``concurrency`` threads with ``http.client``, after a warm-up, and reports requests per
second and latency percentiles. Every answer is checked (HTTP 200 and a DeliveryReportRsp).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.workloads.common import REPORT, ROOT, cpu_per_request, process_tree_cpu


def _bodies(count: int, prefix: str) -> list[tuple[bytes, dict[str, str]]]:
    import mm7

    out = []
    for i in range(count):
        fields = {**REPORT, "message_id": f"{prefix}{i:08d}"}
        wire = mm7.encode(mm7.delivery_report_request(**fields), transaction_id=f"{prefix}-t{i}")
        out.append((wire.to_bytes(), wire.headers))
    return out


def _post_all(
    port: int, bodies: list[tuple[bytes, dict[str, str]]], concurrency: int
) -> tuple[float, list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    position = iter(range(len(bodies)))

    def worker() -> None:
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            body, headers = bodies[index]
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/mm7", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                conn.close()
                ok = response.status == 200 and b"DeliveryReportRsp" in answer and b"1000" in answer
                problem = None if ok else f"HTTP {response.status}: {answer[:200]!r}"
            except OSError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def run_load(
    port: int, count: int, warmup: int, concurrency: int, server_pid: int | None = None
) -> dict[str, Any]:
    """Post the warm-up, then the measured requests; with ``server_pid``, the server's CPU over the latter."""
    prefix = f"b{os.getpid()}x{int(time.time() * 1000) % 10**8}"
    warm = _bodies(warmup, prefix + "w")
    bodies = _bodies(count, prefix + "m")
    _post_all(port, warm, concurrency)
    before = process_tree_cpu(server_pid) if server_pid else None
    seconds, latencies, errors = _post_all(port, bodies, concurrency)
    cpu = cpu_per_request(before, process_tree_cpu(server_pid), count) if server_pid and before else {}
    latencies.sort()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        **cpu,
        "requests": count,
        "concurrency": concurrency,
        "seconds": seconds,
        "rps": count / seconds,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": latencies[-1] * 1000,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


# ------------------------------------------------------------------------------------ orchestrator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start listening")


def measure(
    app: str,
    *,
    count: int,
    warmup: int,
    concurrency: int,
    inbox_url: str | None = None,
    sync: bool = False,
) -> dict[str, Any]:
    """Serve ``app`` (a gunicorn app spec) with 2 workers and run the load process against it."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if inbox_url:
        env["MM7_BENCH_INBOX_URL"] = inbox_url
    config = [] if sync else ["-c", "python:mm7.server.gunicorn_config"]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *config, "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--chdir", str(ROOT), app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_port(port, server, time.monotonic() + 60)
        load = subprocess.run(
            [sys.executable, "-m", "benchmarks.workloads.throughput", "--port", str(port),
             "--count", str(count), "--warmup", str(warmup), "--concurrency", str(concurrency),
             "--server-pid", str(server.pid)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if load.returncode != 0:
            raise RuntimeError(f"load process failed: {load.stderr[-2000:]}")
        return dict(json.loads(load.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def start_postgres(state_dir: Path) -> str | None:
    """Start a throw-away cluster with scripts/pg-server; returns its DSN, or None when it cannot start."""
    started = subprocess.run(
        [str(ROOT / "scripts" / "pg-server"), "start", str(state_dir)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if started.returncode != 0:
        sys.stderr.write(started.stderr[-2000:])
        return None
    for line in started.stdout.splitlines():
        if line.startswith("export MM7_TEST_POSTGRES_DSN="):
            return line.split("=", 1)[1].strip("'")
    return None


def stop_postgres(state_dir: Path) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "pg-server"), "stop", str(state_dir)], capture_output=True, check=False
    )


#: A row that is not a contender: the mm7 receiver with an inbox that stores nothing, to tell the receiver's
#: own cost (decoding, answering, the server's threads) from the inbox's.
DIAGNOSTIC = "mm7 receiver, inbox storing nothing (diagnostic)"


#: The floor's row at each load: its name starts with this.
FLOOR = "bare WSGI (floor)"


def measure_all(
    *,
    count: int,
    warmup: int,
    concurrency: int,
    burst: int | None = None,
    postgres: bool = True,
    sync: bool = False,
) -> dict[str, Any]:
    """The floor, the receiver on SQLite, the diagnostic and the receiver on PostgreSQL at ``concurrency``
    posters; with ``burst``, the floor and both receivers again at that many posters (rows named so)."""
    results: dict[str, Any] = {}
    state = Path(tempfile.mkdtemp(prefix="mm7-bench-pg-"))
    dsn = start_postgres(state) if postgres else None
    try:
        loads = [(concurrency, "")] + ([(burst, f", {burst} posters")] if burst else [])
        for posters, suffix in loads:
            kw: dict[str, Any] = {"count": count, "warmup": warmup, "concurrency": posters, "sync": sync}
            results[FLOOR + suffix] = measure("benchmarks.workloads.receiver_apps:bare_app", **kw)
            with tempfile.TemporaryDirectory(prefix="mm7-bench-rx-") as tmp:
                results["mm7 receiver, SQLite" + suffix] = measure(
                    "benchmarks.workloads.receiver_apps:mm7_app()",
                    inbox_url=f"sqlite:///{tmp}/inbox.db",
                    **kw,
                )
            if not suffix:
                results[DIAGNOSTIC] = measure(
                    "benchmarks.workloads.receiver_apps:mm7_app_storing_nothing()", **kw
                )
            if postgres:
                results["mm7 receiver, PostgreSQL" + suffix] = (
                    measure("benchmarks.workloads.receiver_apps:mm7_app()", inbox_url=dsn, **kw)
                    if dsn
                    else {"error": "scripts/pg-server start failed"}
                )
    finally:
        if postgres:
            stop_postgres(state)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, help="load-process mode: post to this port")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--burst", type=int, help="also measure with this many posters")
    parser.add_argument("--server-pid", type=int, help="load-process mode: report this server's CPU")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--sync", action="store_true", help="gunicorn's sync workers, not the shipped config")
    args = parser.parse_args(argv)
    if args.port:
        print(json.dumps(run_load(args.port, args.count, args.warmup, args.concurrency, args.server_pid)))
    else:
        result = measure_all(
            count=args.count,
            warmup=args.warmup,
            concurrency=args.concurrency,
            burst=args.burst,
            postgres=not args.no_postgres,
            sync=args.sync,
        )
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
