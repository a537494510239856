"""ASGI receiver throughput: ``mm7 serve --asgi`` (uvicorn, one worker, SQLite inbox) vs a bare ASGI app.

The receiver is started the way users start it: ``mm7 serve --asgi --port 0 --inbox sqlite:///...``. The
floor is :func:`bare_asgi_app` (reads the body, answers a fixed DeliveryReportRsp with 200: no decoding,
no storage) on the same server: one uvicorn process configured as ``mm7 serve --asgi`` configures it (its
h11 protocol with the header and body deadlines, the same keep-alive, connection limit and logging), see
:func:`serve_bare`. The load is workload 5's load process (``benchmarks.workloads.throughput``, distinct
pre-encoded DeliveryReportReqs, one connection per request, every answer checked), here with 50 threads.

Run alone: ``python -m benchmarks.workloads.receiver_asgi [--count 3000] [--concurrency 50]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.workloads.common import ROOT
from benchmarks.workloads.receiver_apps import _FIXED
from benchmarks.workloads.simulator import _MM7

_Scope = dict[str, Any]
_Receive = Callable[[], Awaitable[dict[str, Any]]]
_Send = Callable[[dict[str, Any]], Awaitable[None]]
_HEADERS = [(b"content-type", b"text/xml; charset=utf-8"), (b"content-length", str(len(_FIXED)).encode())]


async def bare_asgi_app(scope: _Scope, receive: _Receive, send: _Send) -> None:
    """The floor: read the whole body, answer a fixed DeliveryReportRsp."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _FIXED})


def serve_bare() -> None:
    """Serve :func:`bare_asgi_app` on uvicorn with ``mm7 serve --asgi``'s settings; prints the URL."""
    import uvicorn

    from mm7.server.asgi_hosting import GRACEFUL_SHUTDOWN, _listen, deadline_protocol
    from mm7.server.hosting import ReceiverSettings

    settings = ReceiverSettings()
    sock = _listen("127.0.0.1", 0)
    config = uvicorn.Config(
        bare_asgi_app,
        http=deadline_protocol(settings.header_timeout, settings.effective_body_timeout),
        lifespan="off",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=settings.idle_timeout,  # type: ignore[arg-type]
        limit_concurrency=settings.connection_limit,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,  # type: ignore[arg-type]
    )
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}/", flush=True)
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


@contextmanager
def _server(command: list[str]) -> Iterator[int]:
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
        yield int(match.group(1))
    finally:
        process.terminate()
        process.wait(30)


def _load(port: int, count: int, warmup: int, concurrency: int) -> dict[str, Any]:
    load = subprocess.run(
        [sys.executable, "-m", "benchmarks.workloads.throughput", "--port", str(port),
         "--count", str(count), "--warmup", str(warmup), "--concurrency", str(concurrency)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if load.returncode != 0:
        raise RuntimeError(f"load process failed: {load.stderr[-2000:]}")
    return dict(json.loads(load.stdout.strip().splitlines()[-1]))


def measure(count: int = 3000, warmup: int = 200, concurrency: int = 50) -> dict[str, Any]:
    """The bare ASGI floor, then ``mm7 serve --asgi`` on a fresh SQLite inbox, under the same load."""
    results: dict[str, Any] = {}
    bare = [sys.executable, "-m", "benchmarks.workloads.receiver_asgi", "--serve-bare"]
    with _server(bare) as port:
        results["bare ASGI (floor)"] = _load(port, count, warmup, concurrency)
    with tempfile.TemporaryDirectory(prefix="mm7-bench-asgi-") as tmp:
        serve = [*_MM7, "serve", "--asgi", "--port", "0", "--inbox", f"sqlite:///{tmp}/inbox.db"]
        with _server(serve) as port:
            results["mm7 serve --asgi, SQLite"] = _load(port, count, warmup, concurrency)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workloads.receiver_asgi", description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve-bare", action="store_true", help="server mode: serve the bare ASGI app")
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare()
    else:
        print(json.dumps(measure(args.count, args.warmup, args.concurrency), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
