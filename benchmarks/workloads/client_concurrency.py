"""Many submits in flight against a slow relay: AsyncMM7Client on one thread vs MM7Client on threads.

``mm7 simulate --latency 0.25`` (started as users start it) delays every answer by 0.25 s without blocking
other requests. This process sends ``count`` SubmitReqs, each with a 10 KB JPEG-like image, every answer
checked (an accepted SubmitResult with a MessageID):

* ``AsyncMM7Client`` with ``in_flight`` tasks on one event loop (``pool_limit=in_flight``);
* ``MM7Client`` shared by ``in_flight`` threads (``RequestsTransport(pool_maxsize=in_flight)``).

Reported per run: throughput (submits/s), its share of the ideal ``in_flight / latency``, this process's
CPU seconds per submit (``time.process_time()``, every thread), the simulator's (``/proc``), how busy the
machine's cores were with the two together (near 100%: CPU-bound; on a machine shared with other work the
two can also be starved well below it), the most file descriptors this process held (sampled every 50 ms)
and the errors. ``--in-flight 1000 --only async`` is the "1 000 in flight on one event loop" run: it must
finish without a file-descriptor or pool exhaustion error.

Run alone: ``python -m benchmarks.workloads.client_concurrency [--count 2000] [--in-flight 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.workloads.common import SUBMIT, jpeg_like
from benchmarks.workloads.simulator import _cpu_seconds, running

_FIELDS = {key: value for key, value in SUBMIT.items() if key != "subject"}
IMAGE_BYTES = 10 * 1024


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class _FdPeak:
    """Samples this process's open file descriptors every 50 ms in a thread; keeps the highest count."""

    def __init__(self) -> None:
        self.peak = _open_fds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _open_fds())

    def __enter__(self) -> _FdPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _message(i: int) -> tuple[Any, Any]:
    import mm7

    image = mm7.Part.from_bytes(jpeg_like(IMAGE_BYTES), "image/jpeg", content_id=f"img{i}.jpg")
    return mm7.submit_request(**_FIELDS), [image]


def _result(
    kind: str,
    count: int,
    in_flight: int,
    latency: float,
    wall: float,
    cpu: tuple[float, float],
    fds: int,
    errors: list[str],
) -> dict[str, Any]:
    rate = count / wall
    mine, relay = cpu
    return {
        "client": kind,
        "count": count,
        "in_flight": in_flight,
        "latency": latency,
        "seconds": wall,
        "submits_per_s": rate,
        "share_of_ideal": rate / (in_flight / latency),
        "cpu_ms_per_submit": mine / count * 1e3,
        "relay_cpu_ms_per_submit": relay / count * 1e3,
        "cpu_busy": (mine + relay) / wall / (os.cpu_count() or 1),
        "peak_fds": fds,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


async def _async_run(
    url: str, count: int, in_flight: int, latency: float, relay: Callable[[], float]
) -> dict[str, Any]:
    from mm7.client import AsyncMM7Client

    errors: list[str] = []
    async with AsyncMM7Client(url, pool_limit=in_flight) as client:

        async def worker(todo: Iterator[int]) -> None:
            for i in todo:
                message, content = _message(i)
                try:
                    result = await client.submit(message, content=content)
                    if not result.message_id:
                        raise RuntimeError(f"no MessageID: {result}")
                except Exception as exc:  # a failure is counted and shown, the run goes on
                    errors.append(f"{type(exc).__name__}: {exc}")

        warm = iter(range(in_flight))  # opens the connections before timing
        await asyncio.gather(*(worker(warm) for _ in range(in_flight)))
        todo = iter(range(count))
        with _FdPeak() as fds:
            cpu, relay_cpu, started = time.process_time(), relay(), time.perf_counter()
            await asyncio.gather(*(worker(todo) for _ in range(in_flight)))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            relay_cpu = relay() - relay_cpu
    return _result(
        "AsyncMM7Client, one event loop", count, in_flight, latency, wall, (cpu, relay_cpu), fds.peak, errors
    )


def _threads_run(
    url: str, count: int, in_flight: int, latency: float, relay: Callable[[], float]
) -> dict[str, Any]:
    from mm7.client import MM7Client, RequestsTransport

    errors: list[str] = []
    lock = threading.Lock()
    todo = iter(range(count))
    client = MM7Client(url, transport=RequestsTransport(pool_maxsize=in_flight))

    def run(indexes: Callable[[], int | None]) -> None:
        while (i := indexes()) is not None:
            message, content = _message(i)
            try:
                result = client.submit(message, content=content)
                if not result.message_id:
                    raise RuntimeError(f"no MessageID: {result}")
            except Exception as exc:  # a failure is counted and shown, the run goes on
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    def take() -> int | None:
        with lock:
            return next(todo, None)

    def threads(target: Callable[[], None]) -> None:
        pool = [threading.Thread(target=target) for _ in range(in_flight)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()

    with client:
        warm = iter(range(in_flight))
        threads(lambda: run(lambda: next(warm, None)))  # opens the connections before timing
        with _FdPeak() as fds:
            cpu, relay_cpu, started = time.process_time(), relay(), time.perf_counter()
            threads(lambda: run(take))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            relay_cpu = relay() - relay_cpu
    return _result(
        f"MM7Client, {in_flight} threads", count, in_flight, latency, wall, (cpu, relay_cpu), fds.peak, errors
    )


def measure(
    count: int = 2000, in_flight: int = 200, latency: float = 0.25, only: str | None = None
) -> list[dict[str, Any]]:
    """Start ``mm7 simulate --latency LATENCY`` and run the async client, then the threaded sync client."""
    results = []
    with running(["--latency", str(latency)]) as (simulator, port):
        url = f"http://127.0.0.1:{port}/mm7/v1/"

        def relay() -> float:
            return _cpu_seconds(simulator.pid)

        if only in (None, "async"):
            results.append(asyncio.run(_async_run(url, count, in_flight, latency, relay)))
        if only in (None, "threads"):
            results.append(_threads_run(url, count, in_flight, latency, relay))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.workloads.client_concurrency", description=__doc__
    )
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--only", choices=["async", "threads"])
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.count, args.in_flight, args.latency, args.only), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
