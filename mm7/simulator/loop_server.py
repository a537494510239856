"""A small HTTP/1.1 server on an asyncio event loop in one background thread, for the simulator.

The simulator answers from the loop's thread: parsing, the handler and the reply take no thread handoff, and
an answer that must wait (the simulator's ``latency``) is a timer on the loop, not a sleeping thread, so
hundreds of slow requests in flight cost a socket each. What it speaks (RFC 9112): request bodies with
``Content-Length`` or ``Transfer-Encoding: chunked``, ``Expect: 100-continue``, persistent connections
(HTTP/1.1 by default, HTTP/1.0 with ``Connection: keep-alive``) and pipelined requests answered in order.

Example::

    server = LoopServer(lambda request: Answer(200, b"hello", "text/plain"))
    print(server.base_url)   # http://127.0.0.1:<free port>
    server.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["Answer", "Handler", "LoopServer", "Request"]

_log = logging.getLogger(__name__)

#: Largest request line plus header section accepted (431 above it).
MAX_HEAD_SIZE = 64 * 1024
#: Bytes buffered ahead (pipelined requests) while an answer is pending before reading pauses.
_READ_AHEAD = 1024 * 1024
_CRLF = b"\r\n"


@dataclass(frozen=True)
class Request:
    """One HTTP request, read whole.

    Attributes:
        method: The method, e.g. ``POST``.
        path: The percent-decoded path, e.g. ``/mm7/v1/``.
        query: The query string (without ``?``).
        headers: Header fields by lower-case name (repeated fields joined with ``", "``). A chunked
            body's length is given as ``content-length``.
        body: The body; empty when it was over the server's ``max_body_size`` (the connection then
            closes after the answer) or when the request had none.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Answer:
    """What the handler answers.

    Attributes:
        status: The HTTP status code.
        body: The body.
        content_type: Its Content-Type.
        headers: More header fields.
        delay: Seconds to wait before the answer is sent (the loop serves other requests meanwhile).
    """

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


#: Called on the loop's thread for every request; it must not block.
Handler = Callable[[Request], Answer]


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _plain(status: int, text: str) -> Answer:
    return Answer(status, text.encode() + b"\n", "text/plain; charset=utf-8")


class _Head:
    """A parsed request line and header section, while its body is read."""

    __slots__ = ("chunked", "close", "headers", "length", "method", "path", "query", "version")

    def __init__(self, method: str, target: str, version: str, headers: dict[str, str]) -> None:
        self.method = method
        if not target.startswith("/"):  # absolute-form (RFC 9112 section 3.2.2)
            split = urlsplit(target)
            target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        path, _, self.query = target.partition("?")
        self.path = unquote(path)
        self.version = version
        self.headers = headers
        connection = headers.get("connection", "").lower()
        self.close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
        coding = headers.get("transfer-encoding", "").lower()
        self.chunked = bool(coding)
        self.length = 0
        if not coding:
            declared = headers.get("content-length", "0").strip()
            if declared.isdigit():
                self.length = int(declared)
            else:  # the handler sees the bad header; the connection cannot be read further
                self.close = True


class _Connection(asyncio.Protocol):
    """One client connection: reads requests, answers them in order."""

    def __init__(self, server: LoopServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._head: _Head | None = None
        self._chunks = bytearray()  # a chunked body read so far
        self._pending: asyncio.TimerHandle | None = None
        self._closing = False
        self._paused = False

    # -- asyncio.Protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        if self._server._stopping:  # accepted while the server closes
            transport.abort()
            return
        self._server._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._server._connections.discard(self)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._pending is None:
            self._serve()
        elif len(self._buffer) > _READ_AHEAD and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()

    def abort(self) -> None:
        """Close the connection now, answered or not."""
        if self._transport is not None:
            self._transport.abort()

    # -- requests -----------------------------------------------------------------------------------

    def _serve(self) -> None:
        """Answer every complete request in the buffer, in order, until one answer has to wait."""
        while not self._closing and self._pending is None:
            request, close = self._read()
            if request is None:
                return
            try:
                answer = self._server.handler(request)
            except Exception:  # a handler bug answers 500 and is logged; the server keeps serving
                _log.exception("the handler failed on %s %s", request.method, request.path)
                answer = _plain(500, "internal error")
            if answer.delay > 0:
                loop = asyncio.get_running_loop()
                self._pending = loop.call_later(answer.delay, self._send, request.method, answer, close)
                return
            self._send(request.method, answer, close)

    def _read(self) -> tuple[Request | None, bool]:
        """The next complete request in the buffer (None when more bytes are needed), and whether to close.

        A request the server cannot read is answered here (400, 431, 501, 505) and the connection closed.
        """
        head = self._head
        if head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD_SIZE:
                    self._refuse(431, "request header fields too large")
                return None, True
            head = self._parse_head(bytes(self._buffer[:end]))
            del self._buffer[: end + 4]
            if head is None:
                return None, True
            self._head = head
            if head.headers.get("expect", "").lower() == "100-continue" and head.version == "HTTP/1.1":
                self._write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self._read_chunked(head) if head.chunked else self._read_sized(head)
        if body is None:
            return None, head.close
        self._head = None
        headers = head.headers
        if head.chunked:
            headers = {**headers, "content-length": str(len(body) or len(self._chunks))}
            self._chunks = bytearray()
        return Request(head.method, head.path, head.query, headers, body), head.close

    def _parse_head(self, raw: bytes) -> _Head | None:
        lines = raw.decode("latin-1").split("\r\n")
        while lines and not lines[0]:  # RFC 9112 section 2.2: empty lines before a request line
            lines.pop(0)
        parts = lines[0].split(" ") if lines else []
        if len(parts) != 3:
            self._refuse(400, "malformed request line")
            return None
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            self._refuse(505, f"{version} is not supported")
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():  # no colon, obs-fold, space before colon
                self._refuse(400, f"malformed header field {line[:100]!r}")
                return None
            key = name.lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        coding = headers.get("transfer-encoding", "").lower()
        if coding and coding.rsplit(",", 1)[-1].strip() != "chunked":
            self._refuse(501, f"transfer coding {coding!r} is not supported")
            return None
        return _Head(method, target, version, headers)

    def _read_sized(self, head: _Head) -> bytes | None:
        if head.length > self._server.max_body_size:
            head.close = True
            return b""  # not read: the handler refuses by the declared length
        if len(self._buffer) < head.length:
            return None
        body = bytes(self._buffer[: head.length])
        del self._buffer[: head.length]
        return body

    def _read_chunked(self, head: _Head) -> bytes | None:
        """Move whole chunks from the buffer to the body; the body once the last chunk and trailers came."""
        buffer = self._buffer
        while True:
            line_end = buffer.find(_CRLF)
            if line_end < 0:
                if len(buffer) > MAX_HEAD_SIZE:
                    self._refuse_body(400, "malformed chunk")
                return None
            size_text = bytes(buffer[:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                self._refuse_body(400, "malformed chunk size")
                return None
            if size == 0:  # the last chunk, then trailer fields up to an empty line
                end = buffer.find(b"\r\n\r\n", line_end)
                if end < 0:
                    return None
                del buffer[: end + 4]
                return bytes(self._chunks)
            if len(buffer) < line_end + 2 + size + 2:
                return None
            data_start = line_end + 2
            self._chunks += buffer[data_start : data_start + size]
            del buffer[: data_start + size + 2]
            if len(self._chunks) > self._server.max_body_size:
                head.close = True
                return b""  # the synthetic content-length says how much came: the handler refuses

    def _refuse(self, status: int, text: str) -> None:
        self._send("GET", _plain(status, text), close=True)

    def _refuse_body(self, status: int, text: str) -> None:
        self._head = None
        self._refuse(status, text)

    # -- answers ------------------------------------------------------------------------------------

    def _send(self, method: str, answer: Answer, close: bool) -> None:
        self._pending = None
        if self._closing:
            return
        lines = [
            f"HTTP/1.1 {answer.status} {_reason(answer.status)}",
            f"Content-Type: {answer.content_type}",
            f"Content-Length: {len(answer.body)}",
            *(f"{name}: {value}" for name, value in answer.headers),
        ]
        if close:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._write(head if method == "HEAD" else head + answer.body)
        if close:
            self._closing = True
            if self._transport is not None:
                self._transport.close()
            return
        if self._paused and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        if self._buffer:
            self._serve()

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)


class LoopServer:
    """Serve ``handler`` over HTTP/1.1 from an asyncio loop on a background thread (port 0: a free port).

    Args:
        handler: Called on the loop's thread for each request; must not block.
        host: Interface to bind (loopback by default).
        port: Port to bind; 0 lets the OS pick a free one.
        max_body_size: Largest body read; a larger one is not read (see :attr:`Request.body`).
        backlog: Connections the OS queues before they are accepted.

    Raises:
        OSError: The address cannot be bound.
    """

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_body_size: int = 5 * 1024 * 1024,
        backlog: int = 2048,
    ) -> None:
        self.handler = handler
        self.max_body_size = max_body_size
        self._connections: set[_Connection] = set()
        self._stopping = False
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
            listener.listen(backlog)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self.host: str = str(listener.getsockname()[0])
        self.port: int = int(listener.getsockname()[1])
        self._loop = asyncio.new_event_loop()
        self._stopped = asyncio.Event()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(listener,), name=f"mm7-loop-{self.port}", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join()
            raise self._failure

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the bound socket."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _run(self, listener: socket.socket) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(listener))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self, listener: socket.socket) -> None:
        try:
            server = await self._loop.create_server(lambda: _Connection(self), sock=listener)
        except BaseException as exc:
            listener.close()
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stopped.wait()
        finally:
            self._stopping = True
            # Stop accepting first, and let the accepts under way make their transports (which abort
            # themselves): closing the asyncio server while one is under way leaks its socket (3.11).
            self._loop.remove_reader(listener)
            under_way = asyncio.all_tasks() - {asyncio.current_task()}
            if under_way:
                await asyncio.wait(under_way, timeout=1.0)
            for connection in list(self._connections):
                connection.abort()
            server.close()  # closes the listening socket: connections still queued in the OS are reset
            for _ in range(10):  # the aborted transports close their sockets in connection_lost
                await asyncio.sleep(0)
                if not self._connections:
                    break
            await server.wait_closed()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening socket and every connection (answers not yet sent are dropped)."""
        if self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(timeout)
