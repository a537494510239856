"""ASGI receiver throughput: ``mm7 serve --asgi`` (uvicorn, one worker, SQLite inbox) vs a bare ASGI app.

The receiver is started the way users start it: ``mm7 serve --asgi --port 0 --inbox sqlite:///...``. The
floor is :func:`bare_asgi_app` (reads the body, answers a fixed DeliveryReportRsp with 200: no decoding,
no storage) on the same server: ``mm7 serve --asgi``'s own launcher (its uvicorn settings, its HTTP
protocol (httptools when installed) with the header and body deadlines, keep-alive, connection limit and
logging) serving the bare app, see
:func:`serve_bare`. The load is workload 5's load process (``benchmarks.workloads.throughput``, distinct
pre-encoded DeliveryReportReqs, one connection per request, every answer checked), here with 50 threads.

A diagnostic row serves the same mm7 app on an inbox that stores nothing (:func:`serve_storing_nothing`):
what decoding and answering cost on this server without the durable store. The three are measured nine
times, alternating (``--rounds``), and the round with the median share is reported, with every round's
numbers beside it: the machine's speed drifts within seconds.

Run alone: ``python -m benchmarks.workloads.receiver_asgi [--count 3000] [--concurrency 50] [--rounds 9]``.
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


def serve_storing_nothing() -> None:
    """Serve the mm7 ASGI app on an inbox that stores nothing, with ``mm7 serve --asgi``'s launcher.

    Diagnostic: what the receiver's decoding and answering cost on this server without the durable store.
    """
    from benchmarks.workloads.receiver_apps import _StoringNothing
    from mm7.server import ASGIReceiverApp
    from mm7.server.asgi_hosting import serve_asgi_settings
    from mm7.server.hosting import ReceiverSettings

    class StoringNothingSettings(ReceiverSettings):
        def make_asgi_app(self) -> Any:
            return ASGIReceiverApp(_StoringNothing())  # type: ignore[arg-type]

    serve_asgi_settings(
        StoringNothingSettings(),
        "127.0.0.1",
        0,
        on_listening=lambda url: print(f"listening on {url}", flush=True),
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


#: Rounds of the three servers. One round's share of the floor ranges over 25 points on this machine (61% to
#: 98% for the same code within an hour): the median of nine moves less than the median of five did.
ROUNDS = 9
FLOOR = "bare ASGI (floor)"
RECEIVER = "mm7 serve --asgi, SQLite"
#: Diagnostic row: the same app and launcher on an inbox that stores nothing (not a target).
STORING_NOTHING = "diagnostic: the mm7 app storing nothing"
ROWS = (FLOOR, STORING_NOTHING, RECEIVER)


def measure(
    count: int = 3000, warmup: int = 200, concurrency: int = 50, rounds: int = ROUNDS
) -> dict[str, Any]:
    """The bare ASGI floor, the mm7 app storing nothing, then ``mm7 serve --asgi`` on a fresh SQLite inbox.

    All under the same load, ``rounds`` times, alternating, because this machine's speed drifts within
    seconds: the round whose receiver share of the floor is the median is returned (its rows), each row
    carrying every round's requests/s (``round_rps``) so the spread is reported too.
    """
    pairs: list[dict[str, Any]] = []
    bare = [sys.executable, "-m", "benchmarks.workloads.receiver_asgi", "--serve-bare"]
    nothing = [sys.executable, "-m", "benchmarks.workloads.receiver_asgi", "--serve-storing-nothing"]
    for _ in range(rounds):
        pair: dict[str, Any] = {}
        with listening(bare) as (server, port):
            pair[FLOOR] = _load(server, port, count, warmup, concurrency)
        with listening(nothing) as (server, port):
            pair[STORING_NOTHING] = _load(server, port, count, warmup, concurrency)
        with tempfile.TemporaryDirectory(prefix="mm7-bench-asgi-") as tmp:
            serve = [*_MM7, "serve", "--asgi", "--port", "0", "--inbox", f"sqlite:///{tmp}/inbox.db"]
            with listening(serve) as (server, port):
                pair[RECEIVER] = _load(server, port, count, warmup, concurrency)
        pairs.append(pair)
    ranked = sorted(pairs, key=lambda pair: pair[RECEIVER]["rps"] / pair[FLOOR]["rps"])
    chosen = ranked[len(ranked) // 2]
    every = {name: [pair[name]["rps"] for pair in pairs] for name in ROWS}
    return {name: {**chosen[name], "round_rps": every[name]} for name in ROWS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workloads.receiver_asgi", description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of the three servers, alternating")
    parser.add_argument("--serve-bare", action="store_true", help="server mode: serve the bare ASGI app")
    parser.add_argument(
        "--serve-storing-nothing",
        action="store_true",
        help="server mode: mm7 app, null inbox",
    )
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare()
    elif args.serve_storing_nothing:
        serve_storing_nothing()
    else:
        print(json.dumps(measure(args.count, args.warmup, args.concurrency, args.rounds), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
