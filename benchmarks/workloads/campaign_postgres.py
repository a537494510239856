"""Three sender processes sharing one PostgreSQL campaign: their combined rate, with and without a limit.

A throw-away PostgreSQL cluster (``scripts/pg-server``) holds the campaign's journal and the account's
throttle (:mod:`mm7.client.postgres`); ``mm7 simulate --latency LATENCY`` (started as users start it) is the
relay, so one sender's rate is bounded by its ``max_in_flight / latency``. Each sender is a separate
process running :func:`mm7.client.async_bulk.send_many_async` with ``journal=URL, campaign=NAME`` and an
``AsyncMM7Client(throttle=PostgresThrottle(...))``, the deployment docs/client.md shows. Rates are read from
the simulator's receive times (``GET /_sim/log``): ``(n - 1) / (last - first)``.

Three runs, each a fresh campaign:

1. one process sends ``count`` messages, the account limit far above what it can reach;
2. three processes send ``3 * count`` messages together under that same high limit: their rate should be
   at least 2.5x run 1's;
3. three processes send ``3 * count`` messages under a limit below what they could reach (4 per 0.1 s):
   the combined rate must stay within the limit; the busiest one-second window is shown beside it (the
   throttle reserves slots on the database's clock, so arrivals at the relay jitter by a few ms: a burst
   reserved at the start of the next window can land inside this one).

Every message must be accepted exactly once (no recipient received twice, none missing).

Run alone: ``python -m benchmarks.workloads.campaign_postgres [--count 200]`` (needs PostgreSQL binaries,
as for the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.workloads.common import ROOT
from benchmarks.workloads.simulator import running
from benchmarks.workloads.throughput import start_postgres, stop_postgres

IN_FLIGHT = 8
LATENCY = 0.2
HIGH_LIMIT = (1000, 1.0)  # far above 3 x IN_FLIGHT / LATENCY = 120/s
LOW_LIMIT = (4, 0.1)  # 40/s: below what three senders reach


async def _send(
    endpoint: str, database: str, campaign: str, numbers: list[str], limit: tuple[int, float]
) -> int:
    """Sender mode: one process's share of the campaign; returns how many messages it sent."""
    import mm7
    from mm7.client import AsyncMM7Client, Rate
    from mm7.client.async_bulk import send_many_async
    from mm7.client.bulk import BulkItem
    from mm7.client.postgres import PostgresThrottle

    throttle = PostgresThrottle(database, f"bench:{campaign}", [Rate(*limit)])
    sent = 0
    async with AsyncMM7Client(endpoint, throttle=throttle) as client:
        items = [
            BulkItem(
                mm7.submit_request(to=n, sender="12345", subject="News"), content=[mm7.Part.from_text("Hi")]
            )
            for n in numbers
        ]
        results = send_many_async(client, items, max_in_flight=IN_FLIGHT, journal=database, campaign=campaign)
        async for result in results:
            if result.acceptance != "accepted":
                raise RuntimeError(f"{numbers[result.index]}: {result.acceptance} {result.error}")
            sent += 1
    throttle.close()
    return sent


def _rates(times: list[float], burst: int) -> dict[str, float]:
    """The rate over the run and the most requests in any one second.

    A limit of ``burst`` per window lets a burst go at once: the first burst opens the run and the last
    closes it, so ``n`` requests span the time of ``n - burst`` (``burst`` is 1 for an unlimited run).
    """
    times.sort()
    window = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))
    return {"rate": (len(times) - burst) / (times[-1] - times[0]), "busiest_second": window}


def _run(
    port: int, database: str, campaign: str, numbers: list[str], processes: int, limit: tuple[int, float]
) -> dict[str, Any]:
    endpoint = f"http://127.0.0.1:{port}/mm7/v1/"
    before = len(_submits(port))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(numbers))
    command = [sys.executable, "-m", "benchmarks.workloads.campaign_postgres", "--sender", endpoint,
               "--database", database, "--campaign", campaign, "--numbers", file.name,
               "--limit", f"{limit[0]}/{limit[1]}"]  # fmt: skip
    senders = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    shares = []
    for process in senders:
        out, err = process.communicate(timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"sender failed: {err[-2000:]}")
        shares.append(int(out.split()[-1]))
    Path(file.name).unlink()
    submits = _submits(port)[before:]
    received = Counter(e["recipient"] for e in submits)
    if sorted(received) != sorted(numbers) or max(received.values()) != 1:
        raise RuntimeError(
            f"{len(received)} recipients received, {max(received.values())} at most per recipient"
        )
    return {
        "processes": processes,
        "messages": len(numbers),
        "per_process": shares,
        "limit_per_s": limit[0] / limit[1],
        **_rates([float(e["at"]) for e in submits], limit[0] if limit == LOW_LIMIT else 1),
    }


def _submits(port: int) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sim/log", timeout=30) as answer:
        log = json.loads(answer.read())
    return [e for e in log if e["direction"] == "in" and e["operation"] == "SubmitReq"]


def measure(count: int = 200) -> dict[str, Any]:
    """Start PostgreSQL and ``mm7 simulate --latency``, then run the three campaigns."""
    state = Path(tempfile.mkdtemp(prefix="mm7-bench-pg-"))
    try:
        database = start_postgres(state)
        if database is None:
            raise RuntimeError("scripts/pg-server start failed")
        stamp = f"{int(time.time())}"
        with running(["--latency", str(LATENCY)]) as (_, port):
            one = _run(port, database, f"one-{stamp}", _numbers("1555100", count), 1, HIGH_LIMIT)
            three = _run(port, database, f"three-{stamp}", _numbers("1555200", 3 * count), 3, HIGH_LIMIT)
            capped = _run(port, database, f"capped-{stamp}", _numbers("1555300", 3 * count), 3, LOW_LIMIT)
    finally:
        stop_postgres(state)
    return {
        "in_flight": IN_FLIGHT,
        "latency": LATENCY,
        "one": one,
        "three": three,
        "speedup": three["rate"] / one["rate"],
        "capped": capped,
    }


def _numbers(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i:04d}" for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.workloads.campaign_postgres", description=__doc__
    )
    parser.add_argument("--count", type=int, default=200, help="messages of the one-process run")
    parser.add_argument("--sender", metavar="ENDPOINT", help="sender mode: send to this endpoint")
    parser.add_argument("--database")
    parser.add_argument("--campaign")
    parser.add_argument("--numbers", type=Path)
    parser.add_argument("--limit", default="1000/1.0", help="COUNT/SECONDS")
    args = parser.parse_args(argv)
    if args.sender:
        count, per = args.limit.split("/")
        numbers = args.numbers.read_text().split()
        print(
            asyncio.run(_send(args.sender, args.database, args.campaign, numbers, (int(count), float(per))))
        )
    else:
        print(json.dumps(measure(args.count), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
