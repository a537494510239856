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
* A small MM7 POST (a delivery report, a short MO: a body of at most
  :data:`~mm7.server.core.ON_LOOP_BODY_SIZE` with a Content-Length) to the mm7 receiver takes no thread of
  its own: the loop decodes it (tens of microseconds, in memory), hands its notification to the worker's
  one writer thread, which stores the notifications of the requests decoded meanwhile together
  (:mod:`mm7.server.batching`: one transaction, one commit), and answers each request once its own row is
  committed, with the same bytes a thread would have answered. The threads serve everything else (large
  bodies, GET, a receiver with a tracker or a capture, other applications).
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
import errno
import os
import re
import selectors
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from gunicorn.http import wsgi
from gunicorn.http.errors import NoMoreData
from gunicorn.workers import gthread
from gunicorn.workers.gthread import ThreadWorker

from mm7.server.batching import BatchedStore, InboxWriter, Outcome
from mm7.server.core import Answer, Exchange, ReceiverCore, Storing, finish_storing
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
_EXPECT = re.compile(rb"\r\nexpect:", re.I)
#: Seconds the loop may wait to hand an answer to the kernel (a few hundred bytes: the socket buffer takes
#: them at once unless the client stopped reading, and then the connection is closed).
_ANSWER_WRITE_TIMEOUT = 1.0
#: Whether gthread keeps a kept-alive connection open for a while when stopping (since gunicorn 27.0.1).
_LINGERS_WHEN_STOPPING = hasattr(gthread, "STOP_KEEPALIVE_LINGER")


class _Pending:
    """A request being read by the event loop, and what its header block says of its body."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.began = time.monotonic()
        self.body_began: float | None = None
        self.head_end = -1
        #: The declared Content-Length, once the header block is in (None: none declared).
        self.declared: int | None = None
        self.chunked = False
        self.expects = False

    def head_ends_at(self, end: int) -> None:
        """The header block ends at ``end`` (its blank line included): read what it says of the body."""
        self.head_end = end
        self.body_began = time.monotonic()
        head = bytes(self.data[:end])
        length = _CONTENT_LENGTH.search(head)
        self.declared = int(length.group(1)) if length else None
        self.chunked = _CHUNKED.search(head) is not None
        self.expects = _EXPECT.search(head) is not None


@dataclass(slots=True)
class _OnLoop:
    """A request the worker's loop serves: gunicorn's request, response and environ for it."""

    conn: Any
    req: Any
    resp: Any
    environ: dict[str, Any]
    began: datetime


class BufferingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """``gthread``, but threads only handle completely received requests; the loop serves small MM7 POSTs.

    See the module doc.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mm7_settings = ReceiverSettings.from_env()
        self.reading: dict[Any, _Pending] = {}
        self.mm7_store: BatchedStore | None = None

    def run(self) -> None:
        """Serve (gthread's loop); once it ends, store what the writer thread still holds."""
        try:
            super().run()
        finally:
            if self.mm7_store is not None:
                self.mm7_store.writer.close()

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
            pending.head_ends_at(end + 4)
        if self._complete(pending):
            self._hand_over(conn)

    def _complete(self, pending: _Pending) -> bool:
        body = len(pending.data) - pending.head_end
        if body > self.mm7_settings.max_body_size:
            return True  # the application refuses it
        if pending.chunked:
            return pending.data.endswith(b"0\r\n\r\n")
        if pending.declared is not None:
            return pending.declared > self.mm7_settings.max_body_size or body >= pending.declared
        return True

    def _hand_over(self, conn: Any) -> None:
        pending = self.reading.pop(conn)
        self.poller.unregister(conn.sock)
        conn.init()
        if self._serves_on_loop(pending):
            self._serve_on_loop(conn, bytes(pending.data))
            return
        conn.sock.setblocking(True)
        conn.parser.unreader.unread(bytes(pending.data))
        conn.data_ready = True
        conn.mm7_ready = True
        self.enqueue_req(conn)

    # ------------------------------------------------------------------------ small MM7 POSTs on the loop

    def _serves_on_loop(self, pending: _Pending) -> bool:
        """A complete POST to the mm7 receiver, with a Content-Length and a body small enough for the loop."""
        app = self.wsgi
        declared = pending.declared
        return (
            isinstance(app, ReceiverCore)
            and pending.head_end >= 0
            and pending.data.startswith(b"POST ")
            and declared is not None
            and not (pending.chunked or pending.expects)
            and declared == len(pending.data) - pending.head_end
            and app.decodes_on_loop(declared)
        )

    def _serve_on_loop(self, conn: Any, data: bytes) -> None:
        """Parse the buffered request as a thread would (gunicorn's parser), decode it, queue its store."""
        conn.sock.setblocking(False)  # the request is in the buffer: the parser never waits for the socket
        conn.parser.unreader.unread(data)
        req = None
        try:
            req = next(conn.parser)
            if not req:  # as gthread's handle(): no request after all
                self._finish_on_loop(conn, keep_alive=False)
                return
            self.cfg.pre_request(self, req)
            began = datetime.now()
            resp, environ = wsgi.create(req, conn.sock, conn.client, conn.server, self.cfg)
            environ["wsgi.multithread"] = True
            self._count_request(resp)
        except Exception as exc:
            self._unparsed(conn, req, exc)
            return
        request = _OnLoop(conn, req, resp, environ, began)
        app: ReceiverCore = self.wsgi
        exchange = None
        try:
            head = app.begin(environ)
            if not isinstance(head, Exchange):
                self._answer(request, head)
                return
            exchange = head
            decoded = exchange.storing_whole(environ["wsgi.input"].read())
        except Exception:
            if exchange is not None:
                exchange.close()
            self._answer(request, app.internal_error(environ))
            return
        if isinstance(decoded, Answer):
            self._answer(request, decoded)
            return
        steps, notification = decoded
        if self.mm7_store is None:
            self.mm7_store = BatchedStore(InboxWriter(app.inbox), self.method_queue.defer)
        self.mm7_store.put(notification, partial(self._stored, request, steps))

    def _count_request(self, resp: Any) -> None:
        """Count a request as gthread does: ``max_requests``, no keep-alive while stopping or when full."""
        self.nr += 1
        if self.nr >= self.max_requests:
            if self.alive:  # type: ignore[has-type]
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
            resp.force_close()
        if not self.alive or not self.cfg.keepalive or len(self.keepalived_conns) >= self.max_keepalived:
            resp.force_close()

    def _unparsed(self, conn: Any, req: Any, exc: Exception) -> None:
        """The request could not be parsed: answer as gthread's threads do (400...), then close."""
        if isinstance(exc, NoMoreData | StopIteration):
            self.log.debug("Closing connection. %s", exc)
        elif isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
            self.log.debug("Ignoring socket error: %s", exc)
        else:
            conn.sock.settimeout(_ANSWER_WRITE_TIMEOUT)
            self.handle_error(req, conn.sock, conn.client, exc)
        self._finish_on_loop(conn, keep_alive=False)

    def _stored(self, request: _OnLoop, steps: Storing, outcome: Outcome) -> None:
        """On the loop: the request's notification was stored (or not): answer it."""
        try:
            answer = finish_storing(steps, outcome)
        except Exception:
            answer = self.wsgi.internal_error(request.environ)
        self._answer(request, answer)

    def _answer(self, request: _OnLoop, answer: Answer) -> None:
        """Send ``answer`` (gunicorn's response object: the same headers a thread sends), log, keep alive."""
        resp = request.resp
        keep_alive = False
        try:
            request.conn.sock.settimeout(_ANSWER_WRITE_TIMEOUT)
            resp.start_response(answer.status, answer.headers)
            resp.write(answer.body)
            resp.close()
            keep_alive = not resp.should_close()
        except OSError as exc:
            self.log.debug("Could not send the answer: %s", exc)
        except Exception:
            self.log.exception("Error sending the answer")
        finally:
            self.log.access(resp, request.req, request.environ, datetime.now() - request.began)
            try:
                self.cfg.post_request(self, request.req, request.environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")
        self._finish_on_loop(request.conn, keep_alive=keep_alive)

    def _finish_on_loop(self, conn: Any, *, keep_alive: bool) -> None:
        """What gthread does when a thread is done with a request: keep the connection alive, or close it.

        While stopping, gunicorn 27.0.0 closes a connection whose answer announced keep-alive "gracefully":
        it shuts its side and waits up to 2 s for the client to close first, on the loop, where that would
        hold back every answer still to send (later versions keep it open briefly instead, not blocking).
        Such a connection is closed at once here: the request on it is answered, nothing is left unread.
        """
        if not self.alive and keep_alive and not _LINGERS_WHEN_STOPPING:
            self.nr_conns -= 1
            conn.close()
            return
        done: Future[bool] = Future()
        done.set_result(keep_alive)
        self.finish_request(conn, done)

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
