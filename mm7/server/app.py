"""The receiver as a plain WSGI application, for what the MMSC posts to a VASP.

A thin shell around the protocol core (:mod:`mm7.server.core`, where the answers are listed): it hands
the WSGI environ to :meth:`~mm7.server.core.ReceiverCore.begin`, reads ``wsgi.input`` into the
:class:`~mm7.server.core.Exchange` chunk by chunk (stopping as soon as the body is refused), finishes it
(decode, store, answer) on the server's thread, and sends the answer. The ASGI receiver
(:mod:`mm7.server.asgi`) drives the same core, so both answer the same request with the same bytes.

What only a WSGI server can tell: PEP 3333 gives no end of body without Content-Length unless the server
promises one (``wsgi.input_terminated``), and the server's own read errors (bad chunking, client gone
mid-body, a body shorter than its Content-Length) surface from ``wsgi.input.read()``: 400 with 2007.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mm7.server.core import (
    DEFAULT_KEPT_HEADERS,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_SPOOL_SIZE,
    DEVIATIONS_HEADER,
    KINDS,
    READ_CHUNK,
    VIOLATIONS_HEADER,
    Answer,
    Exchange,
    ReceiverCore,
)

__all__ = [
    "DEFAULT_KEPT_HEADERS",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_SPOOL_SIZE",
    "DEVIATIONS_HEADER",
    "KINDS",
    "VIOLATIONS_HEADER",
    "ReceiverApp",
]

StartResponse = Callable[..., Any]


class ReceiverApp(ReceiverCore):
    """WSGI application receiving DeliverReq, DeliveryReportReq and ReadReplyReq into an inbox.

    Takes the arguments of :class:`~mm7.server.core.ReceiverCore` (the inbox, auth, limits...).
    """

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Handle one WSGI request (PEP 3333)."""
        try:
            answer = self.begin(environ)
            if isinstance(answer, Exchange):
                answer = _read_body(answer, environ)
        except Exception:
            answer = self.internal_error(environ)
        start_response(answer.status, answer.headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [answer.body]


def _read_body(exchange: Exchange, environ: dict[str, Any]) -> Answer:
    """Stream ``wsgi.input`` into the exchange, then finish it (decode, store, answer)."""
    try:
        length = exchange.content_length
        if length is None and not environ.get("wsgi.input_terminated"):
            # PEP 3333: without Content-Length, reading may block forever unless the server promises an
            # EOF (wsgi.input_terminated, set by waitress and gunicorn for chunked bodies): read nothing.
            length = 0
        stream = environ["wsgi.input"]
        remaining = length
        while remaining is None or remaining > 0:
            want = READ_CHUNK if remaining is None else min(READ_CHUNK, remaining)
            try:
                chunk = bytes(stream.read(want))
            except Exception as exc:  # any server stack's error type; none of our own code runs in read()
                # gunicorn raises its own parse errors (InvalidChunkSize, ChunkMissingTerminator, a
                # chunk-size line over its limit...) and NoMoreData or a socket error when the client goes
                # away mid-body: the request as sent cannot be read.
                reason = str(exc) or type(exc).__name__
                return exchange.unreadable(
                    f"request body could not be read ({type(exc).__name__}: {reason[:200]})"
                )
            if not chunk:
                if remaining:
                    return exchange.unreadable(f"body ended {remaining} bytes before its Content-Length")
                break
            if remaining is not None:
                remaining -= len(chunk)
            refused = exchange.feed(chunk)  # past max_body_size: reading stops here
            if refused is not None:
                return refused
        return exchange.finish()
    except BaseException:
        exchange.close()
        raise
