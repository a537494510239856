"""gunicorn configuration for the receiver, reading the same ``MM7_*`` settings as ``mm7 serve``.

Use it as::

    gunicorn -c python:mm7.server.gunicorn_config -b 127.0.0.1:8080 'mm7.server:create_app()'

The settings are read (and checked: a bad value or an unreadable password file stops gunicorn before it
forks) when gunicorn loads this file; each worker's ``create_app()`` reads the same environment.

* Workers are :class:`BufferingThreadWorker`: gunicorn's ``gthread`` worker, except that a request is read
  completely by the worker's event loop (no thread held) before a thread handles it, within
  ``MM7_HEADER_TIMEOUT`` for the header block and ``MM7_BODY_TIMEOUT`` for the body (checked about once a
  second); a connection past its deadline is closed. A body declared larger than ``MM7_MAX_BODY_SIZE`` is
  handed over at once (the application answers 413 without reading it). Plain HTTP only: with gunicorn's
  own TLS the worker behaves like ``gthread`` (terminate TLS in a proxy instead).
* ``threads``: ``MM7_THREADS`` per worker; ``worker_connections``: ``MM7_CONNECTION_LIMIT`` per worker.
* ``keepalive``: ``MM7_IDLE_TIMEOUT`` seconds.
* ``timeout``: a worker silent for 30 s is restarted; ``graceful_timeout`` 10 s on shutdown.
* ``bind``: ``MM7_BIND`` (default ``127.0.0.1:8080``); ``-b`` on the command line wins.
* ``workers``: ``WEB_CONCURRENCY`` (default 2); ``-w`` wins.
* ``post_worker_init``: each worker warms its receiver's codec and freezes its heap before its first
  request (:func:`~mm7.server.hosting.prepare_to_serve`).
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from mm7.server.hosting import ReceiverSettings, prepare_to_serve

settings = ReceiverSettings.from_env()

bind = [os.environ.get("MM7_BIND") or "127.0.0.1:8080"]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "mm7.server.gunicorn_config.BufferingThreadWorker"
threads = settings.threads
worker_connections = settings.connection_limit
keepalive = max(1, round(settings.idle_timeout))
timeout = 30
graceful_timeout = 10
# Request line and headers: gunicorn's own limits (4094 bytes per line, 100 fields) refuse oversized heads.
limit_request_line = 4094
limit_request_fields = 100

#: A header block longer than this is handed to gunicorn's parser, which refuses it.
_MAX_HEAD = 64 * 1024
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.I)


class _Pending:
    """A request being read by the event loop."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.began = time.monotonic()
        self.body_began: float | None = None
        self.head_end = -1


class BufferingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """``gthread``, but a thread only ever handles a completely received request (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mm7_settings = ReceiverSettings.from_env()
        self.reading: dict[Any, _Pending] = {}

    def enqueue_req(self, conn: Any) -> None:
        """Read ``conn``'s request on the event loop first; hand it to a thread once complete."""
        ready = getattr(conn, "mm7_ready", False)
        conn.mm7_ready = False
        leftover = conn.parser is not None and conn.parser.unreader.buf.getvalue()
        if ready or leftover or self.cfg.is_ssl or not self.alive:
            super().enqueue_req(conn)
            return
        conn.sock.setblocking(False)
        self.reading[conn] = _Pending()
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: Any, _sock: Any) -> None:
        pending = self.reading[conn]
        try:
            data = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        pending.data += data
        if pending.head_end < 0:
            end = pending.data.find(b"\r\n\r\n")
            if end < 0:
                if len(pending.data) > _MAX_HEAD:
                    self._hand_over(conn)
                return
            pending.head_end = end + 4
            pending.body_began = time.monotonic()
        if self._complete(pending):
            self._hand_over(conn)

    def _complete(self, pending: _Pending) -> bool:
        head = bytes(pending.data[: pending.head_end])
        body = len(pending.data) - pending.head_end
        if body > self.mm7_settings.max_body_size:
            return True  # the application refuses it
        length = _CONTENT_LENGTH.search(head)
        if _CHUNKED.search(head):
            return pending.data.endswith(b"0\r\n\r\n")
        if length:
            declared = int(length.group(1))
            return declared > self.mm7_settings.max_body_size or body >= declared
        return True

    def _hand_over(self, conn: Any) -> None:
        pending = self.reading.pop(conn)
        self.poller.unregister(conn.sock)
        conn.init()
        conn.sock.setblocking(True)
        conn.parser.unreader.unread(bytes(pending.data))
        conn.data_ready = True
        conn.mm7_ready = True
        self.enqueue_req(conn)

    def _drop(self, conn: Any) -> None:
        self.reading.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        self.nr_conns -= 1
        conn.close()

    def murder_keepalived(self, *args: Any, **kwargs: Any) -> None:
        """Close idle kept-alive connections (gthread), and connections past their read deadline."""
        # Called by the worker's loop about once a second, in every gunicorn version's gthread worker.
        super().murder_keepalived(*args, **kwargs)
        now = time.monotonic()
        header_timeout = self.mm7_settings.header_timeout
        body_timeout = self.mm7_settings.effective_body_timeout
        for conn, pending in list(self.reading.items()):
            if not self.alive:  # stopping: a request not received yet is not waited for
                late = True
            elif pending.body_began is None:
                late = now - pending.began > header_timeout
            else:
                late = now - pending.body_began > body_timeout
            if late:
                self.log.info("dropping %s: request not received within the deadline", conn.client)
                self._drop(conn)


def post_worker_init(worker: Any) -> None:
    """In each worker once its app is loaded (a gunicorn hook): warm the codec and freeze the heap."""
    prepare_to_serve(worker.wsgi)
