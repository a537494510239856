"""Workload 4: peak RSS growth while a 100 MB attachment goes from the mm7 client to the mm7 receiver.

Two processes of our own: the receiver (``mm7.server.ReceiverApp`` on an SQLite inbox, served by
``wsgiref`` single-threaded so that the request is handled in the measured process) and the sender
(``mm7.MM7Client.send`` of a DeliverReq whose content is ``Part.from_file``). Each process warms up with a
small message first (imports, schema, context), reads ``VmHWM`` from ``/proc/self/status``, handles the big
message, and reads ``VmHWM`` again: the growth is what the 100 MB message cost at its peak.

Run by the entry point; by hand: ``python -m benchmarks.workloads.memory [--size-mb 100]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks.workloads.common import ROOT

MIB = 1024 * 1024


def vm_hwm() -> int:
    """Peak resident set size of this process so far, in bytes (``VmHWM``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_payload(path: Path, size: int) -> None:
    block = os.urandom(MIB)
    with path.open("wb") as out:
        written = 0
        while written < size:
            chunk = block[: min(MIB, size - written)]
            out.write(chunk)
            written += len(chunk)


class PeakTracer:
    """With ``--trace``: tracemalloc plus a sampler thread that snapshots the heap whenever the traced size
    reaches a new high (by 8 MiB or more), so that the biggest allocations at the peak can be named."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.peak = 0
        self.snapshot: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakTracer:
        if self.enabled:
            tracemalloc.start(8)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            current = tracemalloc.get_traced_memory()[0]
            if current > self.peak + 8 * MIB:
                self.peak = current
                self.snapshot = tracemalloc.take_snapshot()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._stop.set()
            self._thread.join()
            tracemalloc.stop()

    def top(self, limit: int = 6) -> list[str]:
        """The largest allocation sites at the sampled peak, as ``file:line in function: N MiB``."""
        if self.snapshot is None:
            return []
        lines = []
        for stat in self.snapshot.statistics("traceback")[:limit]:
            if stat.size < MIB:
                break
            frames = [f for f in stat.traceback if "/mm7/" in f.filename or "site-packages" in f.filename]
            frame = (frames or list(stat.traceback))[-1]
            where = frame.filename.removeprefix(f"{ROOT}/").split("site-packages/")[-1]
            chain = " <- ".join(
                f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(list(stat.traceback)[-4:])
            )
            lines.append(f"{stat.size / MIB:.0f} MiB at {where}:{frame.lineno} ({chain})")
        return lines


# -------------------------------------------------------------------------------------- receiver


def run_receiver(port: int, inbox_url: str, limit: int, requests_to_serve: int, trace: bool) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from mm7.inbox import open_inbox
    from mm7.server import ReceiverApp

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    app = ReceiverApp(open_inbox(inbox_url, max_attachment_size=limit), max_body_size=limit)
    marks: list[int] = []
    tracer = PeakTracer(trace)

    def measured(environ: dict[str, Any], start_response: Any) -> Any:
        marks.append(vm_hwm())
        if len(marks) == requests_to_serve:
            with tracer:
                return list(app(environ, start_response))
        return app(environ, start_response)

    with make_server("127.0.0.1", port, measured, handler_class=QuietHandler) as server:
        print("ready", flush=True)
        for _ in range(requests_to_serve):  # bounded: warm-up + the big message
            server.handle_request()
    # marks[-1] is the peak before the big request was handled (after the warm-up).
    result = {"before": marks[-1], "after": vm_hwm(), "requests": len(marks), "top": tracer.top()}
    print(json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------- sender


def _deliver(path: Path | None) -> tuple[Any, Any]:
    import mm7

    req = mm7.deliver_request(sender="15551234567", to="12345", subject="big")
    if path is None:
        parts = [mm7.Part.from_bytes(b"\xff\xd8small\xff\xd9", "image/jpeg")]
    else:
        parts = [mm7.Part.from_file(path, "video/mp4")]
    return req, mm7.related_content([*parts, mm7.Part.from_text("caption")])


def run_sender(url: str, path: Path, trace: bool) -> None:
    from mm7 import MM7Client

    result: dict[str, Any] = {"transport": "mm7.MM7Client.send"}
    with MM7Client(url) as client:
        client.send(*_deliver(None))  # warm-up: imports, schema, xsdata context, connection pool
        result["before"] = vm_hwm()
        started = time.perf_counter()
        tracer = PeakTracer(trace)
        with tracer:
            try:
                answer = client.send(*_deliver(path))
                result["answer"] = f"{answer.operation} {answer.status_code}"
            except Exception as exc:  # report what the receiver said, keep the measurement
                result["answer"] = f"{type(exc).__name__}: {exc}"[:300]
        result["seconds"] = time.perf_counter() - started
        result["after"] = vm_hwm()
        result["top"] = tracer.top()
    print(json.dumps(result), flush=True)


# ------------------------------------------------------------------------------------ orchestrator


def measure(size_mb: int = 100, timeout: float = 300, *, trace: bool = False) -> dict[str, Any]:
    """Run receiver and sender processes; returns their peak RSS growth in bytes and the answer.

    With ``trace``, both run under tracemalloc (slower, more memory) to name the allocation sites at the peak.
    """
    extra = ["--trace"] if trace else []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="mm7-bench-mem-") as tmp:
        payload = Path(tmp) / "big.mp4"
        write_payload(payload, size_mb * MIB)
        port = free_port()
        limit = (size_mb + 16) * MIB
        receiver = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.workloads.memory", "receiver", "--port", str(port),
             "--inbox", f"sqlite:///{tmp}/inbox.db", "--limit", str(limit), *extra],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert receiver.stdout is not None
            if receiver.stdout.readline().strip() != "ready":
                raise RuntimeError("receiver did not start")
            sender = subprocess.run(
                [sys.executable, "-m", "benchmarks.workloads.memory", "sender",
                 "--url", f"http://127.0.0.1:{port}/mm7", "--file", str(payload), *extra],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
            )  # fmt: skip
            if sender.returncode != 0:
                raise RuntimeError(f"sender failed: {sender.stderr[-2000:]}")
            sent = json.loads(sender.stdout.strip().splitlines()[-1])
            out, _ = receiver.communicate(timeout=timeout)
            got = json.loads(out.strip().splitlines()[-1])
        finally:
            if receiver.poll() is None:
                receiver.kill()
                receiver.wait()
    return {
        "size_mb": size_mb,
        "sender_growth": sent["after"] - sent["before"],
        "receiver_growth": got["after"] - got["before"],
        "sender_peak": sent["after"],
        "receiver_peak": got["after"],
        "answer": sent.get("answer"),
        "seconds": sent.get("seconds"),
        "transport": sent["transport"],
        "sender_top": sent.get("top", []),
        "receiver_top": got.get("top", []),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="role")
    rec = sub.add_parser("receiver")
    rec.add_argument("--port", type=int, required=True)
    rec.add_argument("--inbox", required=True)
    rec.add_argument("--limit", type=int, required=True)
    rec.add_argument("--requests", type=int, default=2)
    rec.add_argument("--trace", action="store_true")
    snd = sub.add_parser("sender")
    snd.add_argument("--url", required=True)
    snd.add_argument("--file", type=Path, required=True)
    snd.add_argument("--trace", action="store_true")
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "receiver":
        run_receiver(args.port, args.inbox, args.limit, args.requests, args.trace)
    elif args.role == "sender":
        run_sender(args.url, args.file, args.trace)
    else:
        print(json.dumps(measure(args.size_mb, trace=args.trace), indent=2))


if __name__ == "__main__":
    main()
