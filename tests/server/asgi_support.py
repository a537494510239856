"""Servers on 127.0.0.1 for the ASGI receiver tests: uvicorn and waitress in threads of the test process."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from mm7.server.hosting import make_server

#: Seconds a server gets to start or stop.
DEADLINE = 30.0


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    return sock


class UvicornThread:
    """An ASGI app on a real uvicorn server, on its own event loop in a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = listening_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        # As mm7 serve --asgi runs it: the peer is the socket's; X-Forwarded-For is the app's to judge.
        config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False, proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> UvicornThread:
        self.thread.start()
        end = time.monotonic() + DEADLINE
        while not self.server.started:
            if time.monotonic() > end or not self.thread.is_alive():
                pytest.fail("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(DEADLINE)
        self.sock.close()
        assert not self.thread.is_alive(), "uvicorn did not stop"


class WaitressThread:
    """A WSGI app on waitress (mm7's make_server) in a thread; the app answers oversize bodies itself."""

    def __init__(self, app: Any) -> None:
        # waitress would answer a declared oversize body with its own page: let the app see it, so the
        # answers compared are the app's.
        self.server = make_server(app, "127.0.0.1", 0, threads=4, max_request_body_size=1 << 30)
        self.url = f"http://127.0.0.1:{self.server.effective_port}/"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> WaitressThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        from waitress import wasyncore

        server: Any = self.server
        # Closed from waitress's own loop thread: every socket of its map, so that its loop ends. A trigger
        # waitress already closed (it does when reading it fails) is not written to: the loop is told to
        # end by closing the map from here once it no longer runs a poll on it.
        if not server.trigger._closed:
            try:
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            except OSError:
                wasyncore.close_all(server._map)
        else:
            wasyncore.close_all(server._map)
        self.thread.join(DEADLINE)
        server.task_dispatcher.shutdown()
        assert not self.thread.is_alive(), "waitress did not stop"
