"""Run the ASGI receiver on uvicorn (``mm7 serve --asgi``), with the WSGI launcher's limits.

The same :class:`~mm7.server.hosting.ReceiverSettings` as the waitress launcher, mapped onto uvicorn:

* **HTTP parser**: httptools (C; in the ``asgi`` extra) when installed, else h11 (pure Python, always
  there with uvicorn): :func:`http_parser`. httptools costs the server less CPU per request;
* **header deadline** (``header_timeout``): uvicorn has none, so its protocol is subclassed
  (:func:`deadline_protocol`): a connection whose request head is not complete ``header_timeout``
  seconds after it began (at accept, or at the first byte of a request on a kept-alive connection) is
  closed, as the waitress launcher closes it;
* **head size**: a request head over :data:`MAX_HEAD_SIZE` bytes is answered 400 (h11's limit in
  uvicorn, applied to httptools too, which has none of its own);
* **body deadline** (``body_timeout``): the same protocol closes a connection whose body is not complete
  ``body_timeout`` seconds after its head. The app's own body deadline, for servers that have none
  (:class:`~mm7.server.asgi.ASGIReceiverApp`), would run out after the protocol's (it starts later), so
  the launcher turns it off: one clock per request, not two;
* **body limit**: enforced by the app (413 on the declared size, or as soon as it is exceeded);
* **idle kept-alive connections**: uvicorn's ``timeout_keep_alive`` (``idle_timeout``);
* **connections**: uvicorn's ``limit_concurrency`` (``connection_limit``): past it uvicorn answers 503,
  which an MMSC retries, where waitress leaves further connections in the listen backlog;
* **threads**: the size of the loop's default executor, where the app decodes and stores large requests.

Requires the ``asgi`` extra (``pip install 'mm7[asgi]'``): uvicorn is imported only when serving.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from mm7.errors import ConfigError
from mm7.server.asgi import ASGIReceiverApp
from mm7.server.hosting import ReceiverSettings, prepare_to_serve

if TYPE_CHECKING:
    import uvicorn

__all__ = ["GRACEFUL_SHUTDOWN", "MAX_HEAD_SIZE", "deadline_protocol", "http_parser", "serve_asgi_settings"]

logger = logging.getLogger("mm7.server")

#: Seconds requests still running at shutdown (SIGTERM) get to finish before they are cancelled.
GRACEFUL_SHUTDOWN = 10.0

#: Most bytes of one request head (request line and header fields), for either parser (uvicorn's h11 default).
MAX_HEAD_SIZE = 16 * 1024


class _Deadlines:
    """The head and body deadlines of one connection, mixed into a uvicorn HTTP protocol.

    The protocol tells :meth:`_enter` which phase its peer is in: ``head`` (a request head is due: from
    accept, or from the first byte of a request on a kept-alive connection), ``body`` (the head is in, its
    body is due) or None (the request is in: answering it is no longer the client's pace). A phase's clock
    runs from when the phase began; past its deadline the connection is closed, and a request task
    waiting for the body then receives ``http.disconnect`` and stores nothing.

    One timer per connection: a phase that begins moves the deadline, and the timer, when it fires early
    for the phase now running, waits again for that phase's deadline (no timer is cancelled and made anew
    at each phase of each request).
    """

    header_timeout: float
    body_timeout: float
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _phase: str | None = None
    _deadline = 0.0
    _timer: asyncio.TimerHandle | None = None

    def _enter(self, phase: str | None) -> None:
        if phase == self._phase:
            return  # the clock keeps running from when this phase began
        self._phase = phase
        if phase is None:
            return  # a timer still set finds no phase to end when it fires
        timeout = self.header_timeout if phase == "head" else self.body_timeout
        self._deadline = deadline = self.loop.time() + timeout
        if self._timer is None or self._timer.when() > deadline:
            self._stop_timer()
            self._timer = self.loop.call_at(deadline, self._expired)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self._phase is None or self.transport.is_closing():
            return
        if self.loop.time() < self._deadline:  # a phase that began after the timer was set
            self._timer = self.loop.call_at(self._deadline, self._expired)
            return
        peer = self.transport.get_extra_info("peername")
        logger.info("dropping %s: request %s not received within the deadline", peer, self._phase)
        self.transport.close()


def http_parser() -> str:
    """The HTTP/1.1 parser uvicorn runs under the launcher: ``httptools`` when installed, else ``h11``.

    httptools (a C parser, part of the ``asgi`` extra) costs the server less CPU per request than h11 (pure
    Python), measured in benchmarks/RESULTS.md; h11 always comes with uvicorn.
    """
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "h11"
    return "httptools"


def deadline_protocol(
    header_timeout: float, body_timeout: float, parser: str | None = None
) -> type[asyncio.Protocol]:
    """The uvicorn HTTP protocol for ``parser`` (default :func:`http_parser`), with the two deadlines.

    With either parser the connection is closed once a request head is not complete ``header_timeout``
    seconds after it began, or its body ``body_timeout`` seconds after its head; a head longer than
    :data:`MAX_HEAD_SIZE` bytes is answered 400 and its connection closed (h11's own limit in uvicorn, kept
    for httptools, which has none).
    """
    chosen = parser or http_parser()
    if chosen == "httptools":
        return _httptools_protocol(header_timeout, body_timeout)
    if chosen == "h11":
        return _h11_protocol(header_timeout, body_timeout)
    raise ConfigError(f"unknown HTTP parser {chosen!r}: httptools or h11")


def _h11_protocol(header_timeout: float, body_timeout: float) -> type[asyncio.Protocol]:
    """The h11 protocol of uvicorn with the deadlines, following h11's view of the peer (public h11 API)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class DeadlineH11Protocol(_Deadlines, H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # The first request's head clock starts at accept: a connection that sends nothing is held
            # no longer than one that sends its head slowly.
            self._enter("head")

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            state = self.conn.their_state
            if state is h11.SEND_BODY:
                self._enter("body")
            elif state is h11.IDLE and self.conn.trailing_data[0]:
                self._enter("head")
            elif state is not h11.IDLE:
                self._enter(None)

        def connection_lost(self, exc: Exception | None) -> None:
            self._enter(None)
            self._stop_timer()
            super().connection_lost(exc)

    DeadlineH11Protocol.header_timeout = header_timeout
    DeadlineH11Protocol.body_timeout = body_timeout
    return DeadlineH11Protocol


def _httptools_protocol(header_timeout: float, body_timeout: float) -> type[asyncio.Protocol]:
    """The httptools protocol of uvicorn, with the deadlines (the parser's callbacks) and a head limit."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class DeadlineHttpToolsProtocol(_Deadlines, HttpToolsProtocol):
        _head_size = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._enter("head")  # from accept, as with h11

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._phase == "head" and not self.transport.is_closing():
                # Still in a head after the parser took ``data``: all of it (bar the end of a request
                # before it, on a kept-alive connection) is head, which the parser buffers.
                self._head_size += len(data)
                if self._head_size > MAX_HEAD_SIZE:
                    self.logger.warning("request head over %d bytes", MAX_HEAD_SIZE)
                    self.send_400_response("Request head too large.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._phase != "head":
                self._head_size = 0
            self._enter("head")  # from a kept-alive request's first byte

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self._enter("body")

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._enter(None)

        def connection_lost(self, exc: Exception | None) -> None:
            self._enter(None)
            self._stop_timer()
            super().connection_lost(exc)

    DeadlineHttpToolsProtocol.header_timeout = header_timeout
    DeadlineHttpToolsProtocol.body_timeout = body_timeout
    return DeadlineHttpToolsProtocol


def serve_asgi_settings(
    settings: ReceiverSettings,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Build the ASGI app ``settings`` describe and serve it on uvicorn with their limits until stopped.

    uvicorn handles SIGINT and SIGTERM itself: it stops accepting, lets running requests finish (at most
    :data:`GRACEFUL_SHUTDOWN` seconds), runs the app's lifespan shutdown (which closes the inbox) and
    returns.

    Args:
        settings: The receiver's settings.
        host: Address to listen on (one address: a name resolving to several is refused).
        port: Port (0 picks a free one).
        on_listening: Called with ``http://HOST:PORT/`` once the server accepts requests.

    Raises:
        ConfigError: uvicorn is not installed, or ``host`` resolves to several addresses.
    """
    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigError(f"the ASGI receiver runs on uvicorn: pip install 'mm7[asgi]' ({exc})") from exc

    parser = http_parser()
    sock = _listen(host, port)
    app = settings.make_asgi_app()
    if isinstance(app, ASGIReceiverApp):
        app.body_timeout = None  # the protocol below keeps the body deadline
    try:
        prepare_to_serve(app)
        config = uvicorn.Config(
            app,
            http=deadline_protocol(settings.header_timeout, settings.effective_body_timeout, parser),
            h11_max_incomplete_event_size=MAX_HEAD_SIZE,  # the head limit, when the parser is h11
            lifespan="on",
            log_config=None,
            access_log=False,
            # The peer is the socket's: X-Forwarded-For is judged by the app's allow-list, which believes
            # it only from the trusted proxies configured (uvicorn would believe it from 127.0.0.1).
            proxy_headers=False,
            server_header=False,
            timeout_keep_alive=settings.idle_timeout,  # type: ignore[arg-type]
            limit_concurrency=settings.connection_limit,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,  # type: ignore[arg-type]
        )
        server = uvicorn.Server(config)
        url = f"http://{host}:{sock.getsockname()[1]}/"
        asyncio.run(_serve(server, sock, settings, url, on_listening, parser))
    finally:
        sock.close()
        app.inbox.close()


async def _serve(
    server: uvicorn.Server,
    sock: socket.socket,
    settings: ReceiverSettings,
    url: str,
    on_listening: Callable[[str], None] | None,
    parser: str,
) -> None:
    loop = asyncio.get_running_loop()
    # asyncio.run shuts this executor down (waiting for its threads) when the loop ends.
    loop.set_default_executor(
        concurrent.futures.ThreadPoolExecutor(settings.threads, thread_name_prefix="mm7-receiver")
    )
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.01)
    if server.started:
        logger.info(
            "mm7 ASGI receiver listening on %s (uvicorn, %s; header deadline %gs, body deadline %gs, "
            "%d connections)",
            url,
            parser,
            settings.header_timeout,
            settings.effective_body_timeout,
            settings.connection_limit,
        )
        if on_listening is not None:
            on_listening(url)
    await serving


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on one address of ``host`` (the WSGI launcher's rule: one address)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    addresses = {info[4] for info in infos}
    if len(addresses) != 1:
        raise ConfigError(f"{host!r} resolves to {len(addresses)} addresses: give one address")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
