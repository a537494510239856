"""Client CPU per text-only SubmitReq, both shells, against ``mm7 simulate`` on loopback.

``mm7 simulate`` is started as users start it. In this process, one client at a time sends ``count``
distinct text-only SubmitReqs one after the other over one kept-alive connection, after a warm-up:
``MM7Client`` (default transport) and ``AsyncMM7Client`` (default transport) on one event loop. The figure
is the CPU time of this process (``time.process_time()``: user + system, every thread) per submit, the
least of 5 rounds of ``count``; the simulator's CPU is not counted.

The split, measured separately in the same process on the same inputs:

* codec: ``mm7.submit_request`` + ``mm7.encode`` + reading the body out, and ``mm7.decode`` (tolerant, as
  the clients decode) of the simulator's answer;
* HTTP: the shell's own transport object (the one the client above used) sending pre-encoded requests
  with the client's headers, answers read whole;
* shell: the rest (profile preparation, header building, the protocol core's classification, retry
  bookkeeping, result objects): total - codec - HTTP.

Beside them, the HTTP cost of other stacks on the same pre-encoded requests (HTTP only, no codec), so a
transport choice can be made by the numbers: requests, urllib3 directly, http.client (the floor of a
blocking client), aiohttp without the shell, and httpx (sync and async) when it is installed.

Run alone: ``python -m benchmarks.workloads.client_cpu [--count 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import importlib.util
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from itertools import cycle
from typing import Any

from benchmarks.workloads.common import SUBMIT
from benchmarks.workloads.profiles import profile, profile_stats
from benchmarks.workloads.simulator import running

_FIELDS = {key: value for key, value in SUBMIT.items() if key != "subject"}
_PATH = "/mm7/v1/"
TARGET_MS = 0.6  # CPU per text submit, both shells (issue 17)
# Each figure is the least of this many rounds: other processes on the machine only ever add CPU time
# (cache and scheduler disturbance), so the quietest round is the closest to the code's own cost.
ROUNDS = 5


def _message(i: int) -> tuple[Any, Any]:
    import mm7

    return mm7.submit_request(**_FIELDS), mm7.Part.from_text(f"Hello {i}")


def _cpu_per_call(calls: Iterator[Callable[[], object]], count: int, warmup: int) -> float:
    """CPU milliseconds per call: the least of ``ROUNDS`` rounds of ``count`` calls, after ``warmup``."""
    for _ in range(warmup):
        next(calls)()
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(count):
            next(calls)()
        best = min(best, time.process_time() - started)
    return best / count * 1e3


async def _cpu_per_await(calls: Iterator[Callable[[], Awaitable[object]]], count: int, warmup: int) -> float:
    for _ in range(warmup):
        await next(calls)()
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(count):
            await next(calls)()
        best = min(best, time.process_time() - started)
    return best / count * 1e3


def _requests(url: str, total: int) -> list[Any]:
    """Pre-encoded requests carrying the headers the client sends (User-Agent, SOAPAction)."""
    import mm7
    from mm7.client import HTTPRequest
    from mm7.client._core import Protocol

    headers = Protocol(
        url, profile=None, auth=None, headers=None, deadline=None, retry=None,
        response_limits=None, response_mode="tolerant", dialect=None,
    ).headers  # fmt: skip
    out = []
    for i in range(total):
        message, part = _message(i)
        wire = mm7.encode(message, content=[part], transaction_id=f"cpu-{i}")
        body = wire.to_bytes()
        out.append(HTTPRequest(url, {**headers, **wire.headers}, [body], len(body)))
    return out


def _codec(answer: tuple[bytes, str], count: int, warmup: int) -> float:
    import mm7

    body, content_type = answer

    def calls() -> Iterator[Callable[[], object]]:
        i = 0
        while True:
            i += 1

            def call(i: int = i) -> object:
                message, part = _message(i)
                b"".join(mm7.encode(message, content=[part]).body)
                return mm7.decode(body, content_type, mode="tolerant")

            yield call

    return _cpu_per_call(calls(), count, warmup)


def _sync_shell(url: str, requests: list[Any], count: int, warmup: int) -> dict[str, Any]:
    from mm7.client import MM7Client, RequestsTransport

    transport = RequestsTransport()
    with MM7Client(url, transport=transport) as client:

        def submits() -> Iterator[Callable[[], object]]:
            i = 0
            while True:
                i += 1
                message, part = _message(i)
                yield lambda m=message, p=part: client.submit(m, content=p)

        total = _cpu_per_call(submits(), count, warmup)
        http_only = _cpu_per_call((lambda r=r: transport.send(r) for r in cycle(requests)), count, warmup)
        result: dict[str, Any] = {"total": total, "http": http_only, "transport": type(transport).__name__}
        if total > TARGET_MS:
            message, part = _message(0)
            result["profile"] = profile(lambda: client.submit(message, content=part), 300)
    return result


async def _async_shell(url: str, requests: list[Any], count: int, warmup: int) -> dict[str, Any]:
    from mm7.client import AiohttpTransport, AsyncMM7Client

    transport = AiohttpTransport()
    async with AsyncMM7Client(url, transport=transport) as client:

        def submits() -> Iterator[Callable[[], Awaitable[object]]]:
            i = 0
            while True:
                i += 1
                message, part = _message(i)
                yield lambda m=message, p=part: client.submit(m, content=p)

        total = await _cpu_per_await(submits(), count, warmup)
        http_only = await _cpu_per_await(
            (lambda r=r: transport.send(r) for r in cycle(requests)), count, warmup
        )
        result: dict[str, Any] = {"total": total, "http": http_only, "transport": type(transport).__name__}
        if total > TARGET_MS:
            result["profile"] = await _profile_async(client)
    return result


async def _profile_async(client: Any) -> dict[str, Any]:
    """cProfile of 300 awaited submits (the event loop's own work included)."""
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(300):
        message, part = _message(i)
        await client.submit(message, content=part)
    profiler.disable()
    return profile_stats(profiler, 300)


def _check(status: int, body: bytes) -> None:
    if status != 200 or b"SubmitRsp" not in body or b"1000" not in body:
        raise RuntimeError(f"HTTP {status}: {body[:300]!r}")


def _stacks(port: int, requests: list[Any], count: int, warmup: int) -> dict[str, float | str]:
    """HTTP-only CPU per exchange of other stacks, on the same pre-encoded requests."""
    import requests as requests_lib
    import urllib3

    url = f"http://127.0.0.1:{port}{_PATH}"
    bodies = [(r.body[0], dict(r.headers)) for r in requests]
    out: dict[str, float | str] = {}

    session = requests_lib.Session()

    def with_requests(body: bytes, headers: dict[str, str]) -> None:
        response = session.post(url, data=body, headers=headers, allow_redirects=False)
        _check(response.status_code, response.content)

    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1, retries=False)

    def with_urllib3(body: bytes, headers: dict[str, str]) -> None:
        response = pool.urlopen("POST", _PATH, body=body, headers=headers, retries=False, redirect=False)
        _check(response.status, response.data)

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def with_http_client(body: bytes, headers: dict[str, str]) -> None:
        conn.request("POST", _PATH, body=body, headers=headers)
        response = conn.getresponse()
        _check(response.status, response.read())

    sync_stacks: dict[str, Callable[[bytes, dict[str, str]], None]] = {
        "requests.Session": with_requests,
        "urllib3.HTTPConnectionPool": with_urllib3,
        "http.client (floor)": with_http_client,
    }
    if importlib.util.find_spec("httpx") is not None:
        import httpx

        client = httpx.Client()

        def with_httpx(body: bytes, headers: dict[str, str]) -> None:
            response = client.post(url, content=body, headers=headers)
            _check(response.status_code, response.content)

        sync_stacks["httpx.Client"] = with_httpx
    else:
        out["httpx.Client"] = "not installed"
    for name, func in sync_stacks.items():
        calls = (lambda b=b, h=h, f=func: f(b, h) for b, h in cycle(bodies))
        out[name] = _cpu_per_call(calls, count, warmup)
    session.close()
    pool.close()
    conn.close()
    out.update(asyncio.run(_async_stacks(url, bodies, count, warmup)))
    return out


async def _async_stacks(
    url: str, bodies: list[tuple[bytes, dict[str, str]]], count: int, warmup: int
) -> dict[str, float | str]:
    import aiohttp

    out: dict[str, float | str] = {}
    async with aiohttp.ClientSession() as session:

        async def with_aiohttp(body: bytes, headers: dict[str, str]) -> None:
            async with session.post(url, data=body, headers=headers) as response:
                _check(response.status, await response.read())

        out["aiohttp.ClientSession"] = await _cpu_per_await(
            (lambda b=b, h=h: with_aiohttp(b, h) for b, h in cycle(bodies)), count, warmup
        )
    if importlib.util.find_spec("httpx") is not None:
        import httpx

        async with httpx.AsyncClient() as client:

            async def with_httpx(body: bytes, headers: dict[str, str]) -> None:
                response = await client.post(url, content=body, headers=headers)
                _check(response.status_code, response.content)

            out["httpx.AsyncClient"] = await _cpu_per_await(
                (lambda b=b, h=h: with_httpx(b, h) for b, h in cycle(bodies)), count, warmup
            )
    else:
        out["httpx.AsyncClient"] = "not installed"
    return out


def measure(count: int = 2000, warmup: int = 100) -> dict[str, Any]:
    """Start ``mm7 simulate`` and measure both shells' CPU per submit, with the split and other stacks."""
    with running([]) as (_, port):
        url = f"http://127.0.0.1:{port}{_PATH}"
        requests = _requests(url, warmup + count)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        first = requests[0]
        conn.request("POST", _PATH, body=first.body[0], headers=dict(first.headers))
        response = conn.getresponse()
        answer = (response.read(), response.getheader("Content-Type") or "")
        conn.close()
        _check(response.status, answer[0])
        codec = _codec(answer, count, warmup)
        shells = {
            "MM7Client": _sync_shell(url, requests, count, warmup),
            "AsyncMM7Client": asyncio.run(_async_shell(url, requests, count, warmup)),
        }
        stacks = _stacks(port, requests, count, warmup)
    for shell in shells.values():
        shell["codec"] = codec
        shell["shell"] = shell["total"] - codec - shell["http"]
    return {"count": count, "shells": shells, "stacks": stacks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workloads.client_cpu", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.count, args.warmup), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
