"""The receiver as a pure ASGI 3 application: mount it in FastAPI or Starlette, or run it on uvicorn.

It drives the same protocol core as the WSGI receiver (:mod:`mm7.server.core`), so it keeps the same
promises with the same bytes: auth and the allow-list checked on the head, the body streamed through the
MIME decoder with the same size limits, the notification stored durably *before* the 200 and its
TransactionID-matched Rsp, duplicates acknowledged and stored once, the same faults.

It never blocks the event loop: everything that touches a disk or a database runs in threads. A small
body (at most :data:`ON_LOOP_BODY_SIZE`, as a delivery report or a short MO is) is decoded on the loop,
which takes tens of microseconds and no I/O; its notification joins those of the other requests decoded
meanwhile, and the inbox stores them together (:meth:`~mm7.inbox.Inbox.put_many`: one transaction, one
commit) in the app's writer thread while the loop goes on (:mod:`mm7.server.batching`); each request is
answered once its own outcome is known. Under load one commit acknowledges many requests (a batch
queued behind another starts ``commit_interval`` after that one started, at the earliest), and no request
holds a thread of its own while it waits for the disk. A larger body is collected on the
loop and handed to a thread of the loop's default executor in batches of
:data:`~mm7.server.core.READ_CHUNK` (the MIME decoder may spill its payloads to temporary files), which
decodes it and stores it with :meth:`~mm7.inbox.Inbox.put`; past ``max_body_size`` the request is refused
as soon as the batch that crosses the line has been fed. So are all bodies when the app has a tracker or a
capture (both write files or a database).

Deadlines: the ASGI server owns the connection, so it owns the deadline for a request's headers
(``mm7 serve --asgi`` sets one on uvicorn, as the WSGI launcher does on waitress). The app keeps a body
deadline of its own (``body_timeout``), for servers that have none: a body not received whole in time is
answered 408 with a 2007 fault and the connection is closed. ``mm7 serve --asgi`` keeps the body deadline
in its HTTP protocol (it closes the connection), and runs the app without a second clock per request.

A request answered before its body was read whole (refused by auth, size, content type) is answered with
``Connection: close``, so the server does not read the rest of a body nobody wants.

Lifespan: on ``lifespan.shutdown`` the app stores what its writer holds, then closes its inbox. Starlette
does not pass lifespan events to a mounted app, so a FastAPI app that mounts this one closes it in its own
lifespan (:meth:`aclose`, ``docs/receiver.md``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from mm7.capture import Capture
from mm7.codec.mime import Limits
from mm7.codec.xml import XMLLimits
from mm7.inbox import Inbox
from mm7.server.auth import AuthPolicy
from mm7.server.batching import COMMIT_INTERVAL, MAX_BATCH, BatchedStore, InboxWriter, Outcome

if TYPE_CHECKING:
    from mm7.profiles.base import Profile
    from mm7.tracking import Tracker
from mm7.server.core import (
    DEFAULT_KEPT_HEADERS,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_SPOOL_SIZE,
    ON_LOOP_BODY_SIZE,
    READ_CHUNK,
    Answer,
    Exchange,
    ReceiverCore,
    Storing,
    finish_storing,
)

__all__ = ["MAX_BATCH", "ON_LOOP_BODY_SIZE", "ASGIReceiverApp", "Receive", "Scope", "Send", "cgi_environ"]

logger = logging.getLogger("mm7.server")

#: An ASGI connection scope, and the receive and send callables (ASGI 3).
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_T = TypeVar("_T")


class ASGIReceiverApp(ReceiverCore):
    """ASGI 3 application receiving DeliverReq, DeliveryReportReq and ReadReplyReq into an inbox.

    Args:
        inbox: Where notifications are stored before they are acknowledged.
        auth: Optional Basic auth and IP allow-list, checked before the body is read.
        max_body_size: Largest body accepted (413 on the declared size, or as soon as it is exceeded).
        spool_size: Payload bytes per part kept in memory before spilling to a temporary file.
        limits: Further MIME limits for the codec.
        kept_headers: HTTP headers copied into the stored notification.
        profile: The carrier whose callbacks are received.
        reject_invalid: Refuse (4004) requests still invalid after tolerant repair.
        xml_limits: Limits for the SOAP part.
        body_timeout: Seconds a request may take to send its whole body, from the call of the app; None
            for no deadline of the app's own.
        commit_interval: Least seconds from the start of a batch of small requests' notifications to the
            start of the batch queued behind it (:data:`~mm7.server.batching.COMMIT_INTERVAL`; 0 starts it as
            soon as the one before is stored). A request arriving while nothing is being stored is stored at
            once.
        metrics: Serve the Prometheus metrics on ``GET /metrics`` (read off the loop); needs
            ``mm7[metrics]``.
        tracker: Fold every stored delivery report and read reply into this tracker (:mod:`mm7.tracking`).
        capture: Write every exchange whose body was read to a file (:mod:`mm7.capture`), in the worker
            thread that finishes the request.

    Attributes:
        writer: The thread that stores the batches of small requests' notifications.

    The arguments other than ``body_timeout`` and ``commit_interval`` are those of
    :class:`~mm7.server.core.ReceiverCore`.
    """

    def __init__(
        self,
        inbox: Inbox,
        *,
        auth: AuthPolicy | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        spool_size: int = DEFAULT_SPOOL_SIZE,
        limits: Limits | None = None,
        kept_headers: Iterable[str] = DEFAULT_KEPT_HEADERS,
        profile: Profile | None = None,
        reject_invalid: bool = False,
        xml_limits: XMLLimits | None = None,
        body_timeout: float | None = None,
        commit_interval: float = COMMIT_INTERVAL,
        metrics: bool = False,
        tracker: Tracker | None = None,
        capture: Capture | None = None,
    ) -> None:
        super().__init__(
            inbox,
            auth=auth,
            max_body_size=max_body_size,
            spool_size=spool_size,
            limits=limits,
            kept_headers=kept_headers,
            profile=profile,
            reject_invalid=reject_invalid,
            xml_limits=xml_limits,
            metrics=metrics,
            tracker=tracker,
            capture=capture,
        )
        self.body_timeout = body_timeout
        self.commit_interval = commit_interval
        self.writer = InboxWriter(inbox)
        self._batches: tuple[asyncio.AbstractEventLoop, BatchedStore] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope: ``http`` requests and the ``lifespan`` protocol."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the mm7 receiver serves HTTP, not {scope['type']!r}")
        environ = cgi_environ(scope)
        body_read = scope["method"] != "POST"
        answer: Answer | None
        try:
            if scope["method"] in ("GET", "HEAD") and self.is_scrape(environ):
                head: Answer | Exchange = await asyncio.to_thread(self.scrape, environ)  # the inbox's depth
            else:
                head = self.begin(environ)
            if isinstance(head, Exchange):
                answer, body_read = await self._receive_body(head, receive)
            else:
                answer = head
        except Exception:
            answer = self.internal_error(environ)
        if answer is None:
            return  # the client went away mid-body: nobody to answer
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers
        ]
        if not body_read:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else answer.body
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def aclose(self) -> None:
        """Store what the writer holds, then close the inbox, off the loop.

        The lifespan's shutdown does this when the app is not mounted.
        """
        await asyncio.to_thread(self.writer.close)
        await asyncio.to_thread(self.inbox.close)

    # ----------------------------------------------------------------------------------- body

    async def _receive_body(self, exchange: Exchange, receive: Receive) -> tuple[Answer | None, bool]:
        """Collect the body on the loop, feed it off the loop; the answer, and whether the body ended."""
        pending: list[bytes] = []
        size = 0  # collected since the last hand-over to a thread
        total = 0
        # Each receive under the one deadline: asyncio.timeout_at arms a timer (wait_for also starts a task).
        timeout = self.body_timeout
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        in_thread = False  # while a worker thread holds the exchange, it alone may close it
        try:
            while True:
                if deadline is None:  # the server keeps the body deadline (mm7 serve --asgi), or none is
                    message = await receive()
                else:
                    try:
                        async with asyncio.timeout_at(deadline):
                            message = await receive()
                    except TimeoutError:
                        exchange.close()
                        return self.too_slow(self.body_timeout or 0.0), False
                if message["type"] == "http.disconnect":
                    logger.warning("client went away before the end of its request body; nothing stored")
                    exchange.close()
                    return None, False
                chunk = message.get("body", b"")
                if chunk:
                    pending.append(chunk)
                    size += len(chunk)
                    total += len(chunk)
                if not message.get("more_body", False):
                    if self.decodes_on_loop(total):
                        return await self._finish_on_loop(exchange, pending), True
                    in_thread = True
                    return await _off_loop(exchange, _finish, exchange, pending), True
                if size >= READ_CHUNK:
                    in_thread = True
                    refused = await _off_loop(exchange, _feed, exchange, pending)
                    pending, size = [], 0
                    if refused is not None:
                        return refused, False
                    in_thread = False
        except BaseException:
            if not in_thread:  # else _off_loop closes it once the thread is done
                exchange.close()
            raise

    async def _finish_on_loop(self, exchange: Exchange, chunks: list[bytes]) -> Answer:
        """A small whole body: decode it here, store it with the other requests' (off the loop), answer."""
        decoded = exchange.storing_whole(b"".join(chunks))
        if isinstance(decoded, Answer):
            return decoded
        steps, notification = decoded
        stored: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._batched_store().put(notification, lambda outcome: _settle(stored, steps, outcome))
        # Awaited as it is, not through asyncio.shield: each future between the commit and this task costs
        # the answer one more turn of a busy loop. A cancelled request cancels the future, and _settle frees
        # the request's payloads once its batch is over.
        outcome = await stored
        return finish_storing(steps, outcome)

    def _batched_store(self) -> BatchedStore:
        """This loop's batches (the app may run on another loop once the first one has ended)."""
        loop = asyncio.get_running_loop()
        if self._batches is None or self._batches[0] is not loop:
            store = BatchedStore(
                self.writer,
                loop.call_soon_threadsafe,
                call_later=loop.call_later,
                commit_interval=self.commit_interval,
            )
            self._batches = (loop, store)
        return self._batches[1]

    # ----------------------------------------------------------------------------------- lifespan

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _settle(future: asyncio.Future[Outcome], steps: Storing, outcome: Outcome) -> None:
    """On the loop, once a batch is over: tell the waiting request its outcome.

    A request cancelled meanwhile (the client went away, the loop is ending) has nobody waiting: its
    notification may be stored unacknowledged (the MMSC sends it again: a duplicate), and its payloads are
    freed now that the commit holding them is over.
    """
    if future.cancelled():
        steps.close()
    elif not future.done():
        future.set_result(outcome)


def cgi_environ(scope: Scope) -> dict[str, str]:
    """The head of an ASGI ``http`` scope as the CGI variables the core reads (as a WSGI server sets them).

    ``PATH_INFO`` is the path below the app's mount point (``root_path``), as WSGI's is below
    ``SCRIPT_NAME``. Header names holding an underscore are dropped, as waitress and gunicorn drop them:
    ``X_Forwarded_For`` would otherwise land on ``HTTP_X_FORWARDED_FOR`` beside (or instead of) the proxy's
    own header.
    Repeated headers are joined with ``", "``.
    """
    client = scope.get("client")
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    environ: dict[str, str] = {
        "REQUEST_METHOD": str(scope["method"]),
        "PATH_INFO": path,
        "REMOTE_ADDR": str(client[0]) if client else "",
    }
    for raw_name, raw_value in scope.get("headers", ()):
        name = bytes(raw_name).decode("latin-1")
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        value = bytes(raw_value).decode("latin-1")
        environ[key] = f"{environ[key]}, {value}" if key in environ else value
    return environ


def _feed(exchange: Exchange, chunks: list[bytes]) -> Answer | None:
    return exchange.feed(b"".join(chunks))


def _finish(exchange: Exchange, chunks: list[bytes]) -> Answer:
    if chunks:
        refused = _feed(exchange, chunks)
        if refused is not None:
            return refused
    return exchange.finish()


async def _off_loop(exchange: Exchange, function: Callable[..., _T], *args: Any) -> _T:
    """Run ``function`` in a worker thread, which owns ``exchange`` until it is done.

    If the request is cancelled meanwhile, the thread still finishes and the exchange is closed after it:
    its spooled files are never closed under the thread's feet.
    """
    task = asyncio.ensure_future(asyncio.to_thread(function, *args))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(lambda done: _abandoned(exchange, done))
        raise


def _abandoned(exchange: Exchange, done: asyncio.Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.warning("an abandoned request failed: %s", done.exception())
    exchange.close()
