"""ASGI receiver throughput: ``mm7 serve --asgi`` (uvicorn, one worker, SQLite inbox) vs a bare ASGI app.

The receiver is started the way users start it: ``mm7 serve --asgi --port 0 --inbox sqlite:///...``. The
floor is :func:`bare_asgi_app` (reads the body, answers a fixed DeliveryReportRsp with 200: no decoding,
no storage) on the same server: ``mm7 serve --asgi``'s own launcher (its uvicorn settings, h11 protocol
with the header and body deadlines, keep-alive, connection limit and logging) serving the bare app, see
:func:`serve_bare`. The load is workload 5's load process (``benchmarks.workloads.throughput``, distinct
pre-encoded DeliveryReportReqs, one connection per request, every answer checked), here with 50 threads.

Run alone: ``python -m benchmarks.workloads.receiver_asgi [--count 3000] [--concurrency 50]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.workloads.common import ROOT
from benchmarks.workloads.receiver_apps import _FIXED
from benchmarks.workloads.simulator import _MM7, listening

_Scope = dict[str, Any]
_Receive = Callable[[], Awaitable[dict[str, Any]]]
_Send = Callable[[dict[str, Any]], Awaitable[None]]
_HEADERS = [(b"content-type", b"text/xml; charset=utf-8"), (b"content-length", str(len(_FIXED)).encode())]


async def bare_asgi_app(scope: _Scope, receive: _Receive, send: _Send) -> None:
    """The floor: read the whole body, answer a fixed DeliveryReportRsp (and take part in lifespan)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _FIXED})


class _NoInbox:
    def close(self) -> None:
        """Nothing to close: the floor stores nothing."""


class _BareApp:
    """:func:`bare_asgi_app` in the shape ``mm7 serve --asgi``'s launcher expects of its app."""

    inbox = _NoInbox()

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        await bare_asgi_app(scope, receive, send)


def serve_bare() -> None:
    """Serve :func:`bare_asgi_app` with ``mm7 serve --asgi``'s own launcher and default settings."""
    from mm7.server.asgi_hosting import serve_asgi_settings
    from mm7.server.hosting import ReceiverSettings

    class BareSettings(ReceiverSettings):
        def make_asgi_app(self) -> Any:
            return _BareApp()

    serve_asgi_settings(
        BareSettings(), "127.0.0.1", 0, on_listening=lambda url: print(f"listening on {url}", flush=True)
    )


def _load(
    server: subprocess.Popen[str], port: int, count: int, warmup: int, concurrency: int
) -> dict[str, Any]:
    load = subprocess.run(
        [sys.executable, "-m", "benchmarks.workloads.throughput", "--port", str(port),
         "--count", str(count), "--warmup", str(warmup), "--concurrency", str(concurrency),
         "--server-pid", str(server.pid)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if load.returncode != 0:
        raise RuntimeError(f"load process failed: {load.stderr[-2000:]}")
    return dict(json.loads(load.stdout.strip().splitlines()[-1]))


def measure(count: int = 3000, warmup: int = 200, concurrency: int = 50) -> dict[str, Any]:
    """The bare ASGI floor, then ``mm7 serve --asgi`` on a fresh SQLite inbox, under the same load."""
    results: dict[str, Any] = {}
    bare = [sys.executable, "-m", "benchmarks.workloads.receiver_asgi", "--serve-bare"]
    with listening(bare) as (server, port):
        results["bare ASGI (floor)"] = _load(server, port, count, warmup, concurrency)
    with tempfile.TemporaryDirectory(prefix="mm7-bench-asgi-") as tmp:
        serve = [*_MM7, "serve", "--asgi", "--port", "0", "--inbox", f"sqlite:///{tmp}/inbox.db"]
        with listening(serve) as (server, port):
            results["mm7 serve --asgi, SQLite"] = _load(server, port, count, warmup, concurrency)
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
