"""ServerThread (the waitress thread behind the simulator and the demo receiver) stops cleanly."""

from __future__ import annotations

import socket
import time

import requests

from mm7.simulator import ServerThread


def _hello(environ: object, start_response: object) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
    return [b"hello"]


def _port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_stop_frees_the_port_and_ends_the_thread() -> None:
    server = ServerThread(_hello)
    assert requests.get(server.base_url, timeout=5).text == "hello"
    server.stop()
    assert not server._thread.is_alive()
    assert _port_is_closed(server.port)


def test_stop_works_when_waitress_has_already_closed_its_wake_up_trigger() -> None:
    # waitress closes its trigger itself when handling it fails; stop() used to write to the closed
    # pipe and raise OSError (EBADF), leaving the listening socket open.
    server = ServerThread(_hello)
    trigger = server._server.trigger
    trigger.pull_trigger(trigger.close)
    deadline = time.monotonic() + 5
    while not trigger._closed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert trigger._closed
    assert requests.get(server.base_url, timeout=5).text == "hello"  # still serving without it
    server.stop()
    assert not server._thread.is_alive()
    assert _port_is_closed(server.port)
