"""cProfile evidence for targets that were missed: where the time of one mm7 operation goes."""

from __future__ import annotations

import cProfile
import os
import pstats
import tempfile
from collections.abc import Callable
from io import BytesIO
from typing import Any

from benchmarks.workloads.common import ROOT


def _where(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function  # a builtin, e.g. "<method 'join' of 'bytes' objects>"
    if "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    elif "/lib/python3" in filename:
        filename = "stdlib/" + filename.split("/lib/python3", 1)[1].split("/", 1)[1]
    elif filename.startswith(str(ROOT) + "/"):
        filename = filename[len(str(ROOT)) + 1 :]
    return f"{filename}:{line}:{function}"


def profile(func: Callable[[], Any], iterations: int, top: int = 10) -> dict[str, Any]:
    """Profile ``iterations`` calls (after one warm-up); returns the top functions by own time and by
    cumulative time, each with its share of the total, and the share of each module (own time)."""
    func()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        func()
    profiler.disable()
    return profile_stats(profiler, iterations, top)


def profile_stats(profiler: cProfile.Profile, iterations: int, top: int = 10) -> dict[str, Any]:
    """The summary :func:`profile` returns, from a profiler that ran ``iterations`` operations."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in stats.values()) or 1e-12
    own = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    cumulative = sorted(
        ((k, v) for k, v in stats.items() if "benchmarks/" not in k[0] and not k[0].startswith(("~", "<"))),
        key=lambda kv: -kv[1][3],
    )[:top]
    modules: dict[str, float] = {}
    for key, row in stats.items():
        module = _where(key).split(":", 1)[0] if key[0] != "~" else "builtins (C)"
        modules[module] = modules.get(module, 0.0) + row[2]
    return {
        "per_call_us": total / iterations * 1e6,
        "own": [(_where(k), v[2] / total * 100) for k, v in own],
        "cumulative": [(_where(k), v[3] / total * 100) for k, v in cumulative],
        "modules": sorted(((m, t / total * 100) for m, t in modules.items()), key=lambda kv: -kv[1])[:8],
    }


def receiver_call(inbox_url: str) -> Callable[[], Any]:
    """One DeliveryReportReq through the mm7 WSGI app in-process (decode, durable insert, answer)."""
    import mm7
    from benchmarks.workloads.common import REPORT
    from mm7.server import make_app

    app = make_app(inbox_url=inbox_url)
    counter = iter(range(10**9))

    def call() -> Any:
        i = next(counter)
        wire = mm7.encode(
            mm7.delivery_report_request(**{**REPORT, "message_id": f"p{os.getpid()}-{i}"}),
            transaction_id=f"p{i}",
        )
        body = wire.to_bytes()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/mm7",
            "CONTENT_TYPE": wire.content_type,
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": BytesIO(body),
            "wsgi.url_scheme": "http",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        return b"".join(app(environ, lambda status, headers, exc_info=None: None))

    return call


def receiver_profile(iterations: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mm7-bench-prof-") as tmp:
        return profile(receiver_call(f"sqlite:///{tmp}/inbox.db"), iterations)
