"""docs/client.md's deadline example runs as written, against a relay on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import mm7
from tests.client.conftest import Drip, LoopbackServer, Received, Reply, answer

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"
Loopback = Callable[..., LoopbackServer]


def deadline_example() -> str:
    section = DOC.read_text(encoding="utf-8").split("## Deadlines", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def dripping(received: Received) -> Reply:
    status, headers, body = answer(received)
    assert isinstance(body, bytes)
    return status, headers, Drip(body)


def test_deadline_example_against_a_dripping_relay(loopback: Loopback) -> None:
    server = loopback(dripping)
    namespace = {"ENDPOINT": server.url, "mm7": mm7}
    exec(deadline_example(), namespace)
    assert namespace["acceptance"] == "unknown" and server.count == 1


def test_deadline_example_against_a_quick_relay(loopback: Loopback) -> None:
    server = loopback(answer)
    namespace = {"ENDPOINT": server.url, "mm7": mm7}
    exec(deadline_example(), namespace)
    assert namespace["acceptance"] == "accepted"
