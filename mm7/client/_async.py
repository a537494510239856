"""AsyncMM7Client: the asyncio shell over the same sans-IO protocol core as :class:`MM7Client`.

Request building, answer classification and retry decisions come from :mod:`mm7.client._core`; this
module only does the I/O: an aiohttp session (chosen over httpx by measurement: 200 concurrent small
POSTs to a local server, aiohttp about 3 000/s, httpx.AsyncClient about 140/s), ``asyncio.sleep`` between
attempts and :meth:`Throttle.acquire_async` for the account's rate limit.

aiohttp is imported with this module only, so ``import mm7`` and ``import mm7.client`` stay cheap.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, TypedDict, Unpack

import aiohttp

from mm7.capture import Capture, as_capture
from mm7.client._client import SubmitResult
from mm7.client._core import Exchange
from mm7.client._core import Protocol as _Core
from mm7.client._shell import ShellBase, sinch_setup
from mm7.client._transport import (
    DEFAULT_MAX_RESPONSE_SIZE,
    DeadlineExceeded,
    HTTPRequest,
    HTTPResponse,
    Timeout,
    _attempt_seconds,
)
from mm7.client.auth import Auth
from mm7.client.retry import RetryPolicy
from mm7.client.throttle import Rate, Throttle
from mm7.codec.messages import DecodedMessage, Mode
from mm7.codec.mime import Limits, Part
from mm7.codec.mime.model import EncodedBody
from mm7.codec.versions import Dialect
from mm7.errors import ConfigError, LimitExceededError, MM7Error, TransportError
from mm7.profiles.base import Prepared, Profile

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message, MM7Request, SubmitReq
    from mm7.tracking import Tracker

__all__ = ["AiohttpTransport", "AsyncClientOptions", "AsyncMM7Client", "AsyncTransport"]

_READ_CHUNK = 64 * 1024


class AsyncTransport(Protocol):
    """Anything that can perform one HTTP exchange from a coroutine (the async :class:`Transport`)."""

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send ``request`` and return the response (every HTTP status; TransportError otherwise)."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...


class _Phase:
    """How far an attempt got: connecting, sending (the body is being read out) or sent."""

    def __init__(self) -> None:
        self.value = "connecting"


async def _body(body: Iterable[bytes], phase: _Phase) -> AsyncIterator[bytes]:
    """The request body as an async stream; file parts are read in a worker thread, one chunk at a time."""
    phase.value = "sending"
    reads_files = isinstance(body, EncodedBody) and not all(isinstance(s, bytes) for s in body.segments)
    iterator: Iterator[bytes] = iter(body)
    if reads_files:
        done = object()
        while True:
            chunk = await asyncio.to_thread(next, iterator, done)
            if chunk is done:
                break
            assert isinstance(chunk, bytes)
            yield chunk
    else:
        for chunk in iterator:
            yield chunk
    phase.value = "sent"


def _ssl_context(
    verify: bool | str | Path, cert: str | Path | tuple[str | Path, str | Path] | None
) -> object:
    if verify is False and cert is None:
        return False
    if verify is True or verify is False:
        context = ssl.create_default_context()
        if verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    else:
        where = Path(verify)
        if where.is_dir():
            context = ssl.create_default_context(capath=str(where))
        else:
            context = ssl.create_default_context(cafile=str(where))
    if isinstance(cert, tuple):
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    elif cert is not None:
        context.load_cert_chain(str(cert))
    return context


class AiohttpTransport:
    """The default async transport: a pooled ``aiohttp.ClientSession``.

    Args:
        session: A session to use; a new one (created in the running loop at the first send) when None.
        timeout: Connect and read timeouts, and ``total``, the deadline of each attempt.
        verify: True (system CAs), a CA bundle file or directory, or False (tests only).
        cert: Client certificate for mutual TLS (PEM file, or ``(cert, key)`` files).
        pool_limit: Most connections open at once (requests beyond wait for one to free up).
        max_response_size: Longest response body read; longer ones raise LimitExceededError.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        timeout: Timeout | None = None,
        verify: bool | str | Path = True,
        cert: str | Path | tuple[str | Path, str | Path] | None = None,
        pool_limit: int = 100,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self._session = session
        self._own_session = session is None
        self.timeout = timeout or Timeout()
        self._ssl = _ssl_context(verify, cert)
        self._pool_limit = pool_limit
        self._max_response_size = max_response_size

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._pool_limit, ssl=self._ssl)  # type: ignore[arg-type]
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=True)
        return self._session

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """POST the request, streaming its body, and read the whole (bounded) response.

        Raises:
            DeadlineExceeded: ``timeout.total`` or ``request.deadline`` passed.
            TransportError: Connection, TLS or timeout failure, with ``request_sent``.
            LimitExceededError: The response body is longer than ``max_response_size``.
            ConfigError: The URL is invalid.
        """
        seconds, named = _attempt_seconds(self.timeout.total, request)
        phase = _Phase()
        if seconds is not None and seconds <= 0:
            raise _deadline_error(phase, named if named is not None else 0.0, request.url)
        try:
            async with asyncio.timeout(seconds):
                return await self._send(request, phase)
        except TimeoutError as exc:
            if seconds is None:
                raise
            raise _deadline_error(phase, named if named is not None else seconds, request.url) from exc

    async def _send(self, request: HTTPRequest, phase: _Phase) -> HTTPResponse:
        session = self._get_session()
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self.timeout.connect, sock_read=self.timeout.read
        )
        try:
            async with session.request(
                request.method,
                request.url,
                data=_body(request.body, phase),
                headers=dict(request.headers),
                timeout=timeout,
                allow_redirects=False,  # a redirect would need the body again, and MM7 has none
            ) as response:
                phase.value = "sent"
                body = await self._read_limited(response)
                return HTTPResponse(response.status, dict(response.headers), body)
        except aiohttp.InvalidURL as exc:
            raise ConfigError(f"invalid URL {request.url!r}: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise _map_error(exc, phase, request.url) from exc
        except TimeoutError as exc:  # aiohttp's sock_read/sock_connect timeouts
            raise _map_error(exc, phase, request.url) from exc

    async def _read_limited(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_response_size:
            raise LimitExceededError(
                f"response of {declared} bytes exceeds {self._max_response_size}", limit="max_response_size"
            )
        buffer = bytearray()
        while chunk := await response.content.read(_READ_CHUNK):
            buffer += chunk
            if len(buffer) > self._max_response_size:
                raise LimitExceededError(
                    f"response exceeds {self._max_response_size} bytes", limit="max_response_size"
                )
        return bytes(buffer)

    async def aclose(self) -> None:
        """Close the session, if this transport made it."""
        if self._session is not None and self._own_session:
            await self._session.close()
            self._session = None


def _map_error(exc: BaseException, phase: _Phase, url: str) -> TransportError:
    """An aiohttp/OS failure as a TransportError; ``request_sent`` from how far the attempt got."""
    if isinstance(exc, aiohttp.ClientConnectorError) or phase.value == "connecting":
        sent: bool | None = False
    elif phase.value == "sending":
        sent = None
    else:
        sent = True
    return TransportError(
        f"{type(exc).__name__} talking to {url or 'the MM7 server'}: {exc}", request_sent=sent
    )


def _deadline_error(phase: _Phase, seconds: float, url: str) -> DeadlineExceeded:
    sent = {"connecting": False, "sending": None}.get(phase.value, True)
    what = {
        "connecting": "while connecting (nothing was sent)",
        "sending": "while sending the request (it may have arrived)",
    }.get(phase.value, "awaiting the answer to the whole request (it may have been accepted)")
    return DeadlineExceeded(
        f"deadline of {seconds:.3g}s passed talking to {url or 'the MM7 server'} {what}",
        deadline=seconds,
        phase=phase.value,
        request_sent=sent,
    )


class AsyncClientOptions(TypedDict, total=False):
    """:class:`AsyncMM7Client` keyword arguments a profile constructor passes on."""

    auth: Auth | tuple[str, str] | None
    headers: Mapping[str, str] | None
    timeout: Timeout | None
    deadline: float | None
    verify: bool | str | Path
    cert: str | Path | tuple[str | Path, str | Path] | None
    retry: RetryPolicy | None
    throttle: Throttle | None
    throttle_timeout: float | None
    transport: AsyncTransport | None
    session: aiohttp.ClientSession | None
    pool_limit: int
    response_limits: Limits | None
    response_mode: Mode
    dialect: Dialect | None
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]
    tracker: Tracker | None
    capture: Capture | str | Path | None


class AsyncMM7Client(ShellBase):
    """The asyncio twin of :class:`MM7Client`: the same arguments, operations as coroutines.

    Use it as ``async with``; one client serves any number of concurrent tasks (the pool holds
    ``pool_limit`` connections). Arguments are :class:`MM7Client`'s, except: ``transport`` is an
    :class:`AsyncTransport`, ``session`` an ``aiohttp.ClientSession``, ``sleep`` a coroutine function
    (``asyncio.sleep``), and ``pool_limit`` bounds the connections open at once. A throttle is awaited
    (:meth:`Throttle.acquire_async`), never slept on. Captures (``capture=``) are written in a worker
    thread, off the event loop.

    Raises:
        ConfigError: No endpoint, or a reserved header in ``headers``.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        profile: Profile | None = None,
        auth: Auth | tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
        deadline: float | None = None,
        verify: bool | str | Path = True,
        cert: str | Path | tuple[str | Path, str | Path] | None = None,
        retry: RetryPolicy | None = None,
        throttle: Throttle | None = None,
        throttle_timeout: float | None = None,
        transport: AsyncTransport | None = None,
        session: aiohttp.ClientSession | None = None,
        pool_limit: int = 100,
        response_limits: Limits | None = None,
        response_mode: Mode = "tolerant",
        dialect: Dialect | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        tracker: Tracker | None = None,
        capture: Capture | str | Path | None = None,
    ) -> None:
        self._core = _Core(
            endpoint,
            profile=profile,
            auth=auth,
            headers=headers,
            deadline=deadline,
            retry=retry,
            response_limits=response_limits,
            response_mode=response_mode,
            dialect=dialect,
            client_name=type(self).__name__,
        )
        self.profile = self._core.profile
        self.endpoint = self._core.endpoint
        self.deadline = self._core.deadline
        self.status_table = self._core.status_table
        self.retry = self._core.retry
        self.dialect = dialect
        self.throttle = throttle
        self._throttle_timeout = throttle_timeout
        self._transport: AsyncTransport = (
            transport
            if transport is not None
            else AiohttpTransport(session, timeout=timeout, verify=verify, cert=cert, pool_limit=pool_limit)
        )
        self._sleep = sleep
        self._clock = clock
        self.tracker = tracker
        self.capture = as_capture(capture)

    @classmethod
    def for_sinch(
        cls,
        *,
        api_key: str,
        short_code: str,
        vas_id: str | None = None,
        endpoint: str | None = None,
        mm7_version: str = "6.8.0",
        carrier_id: str | None = None,
        default_region: str | None = None,
        rates: Sequence[Rate] = (),
        username: str | None = None,
        password: str | None = None,
        **options: Unpack[AsyncClientOptions],
    ) -> AsyncMM7Client:
        """A client for Sinch's MM7 service; the arguments of :meth:`MM7Client.for_sinch`.

        ``rates`` are enforced by ``Throttle.shared("sinch:<api_key>")``, the same throttle the sync
        clients of that account use, so every thread and task of the process shares the limit.
        """
        profile = sinch_setup(
            options,
            api_key=api_key,
            short_code=short_code,
            vas_id=vas_id,
            endpoint=endpoint,
            mm7_version=mm7_version,
            carrier_id=carrier_id,
            default_region=default_region,
            rates=rates,
            username=username,
            password=password,
        )
        return cls(profile.endpoint, profile=profile, **options)

    # ------------------------------------------------------------------------------ operations

    async def submit(
        self,
        message: SubmitReq,
        *,
        content: Part | Sequence[Part] | None = None,
        transaction_id: str | None = None,
        deadline: float | None = None,
    ) -> SubmitResult:
        """Send a SubmitReq and return the relay's MessageID (see :meth:`MM7Client.submit`)."""
        return await self._submit(message, content, transaction_id, deadline)

    async def _submit(
        self,
        message: SubmitReq,
        content: Part | Sequence[Part] | None,
        transaction_id: str | None,
        deadline: float | None,
        before_first_send: Callable[[], Awaitable[None]] | None = None,
    ) -> SubmitResult:
        """:meth:`submit`; ``before_first_send`` is awaited once the first attempt has its throttle slot.

        The bulk sender records "sending" there: after the wait for the slot, right before any byte goes
        out, so a run killed while waiting leaves the message unsent rather than in doubt.
        """
        _, prepared = self._core.prepare(message, content, "SubmitReq")
        exchange = await self._exchange(prepared, transaction_id, "SubmitReq", deadline, before_first_send)
        decoded = exchange.decoded
        result = SubmitResult(
            message_id=getattr(decoded.message, "message_id", None),
            status_code=decoded.status_code or 1000,
            status_text=decoded.status_text,
            transaction_id=decoded.transaction_id,
            http_status=exchange.http_status,
            response=decoded,
            attempts=exchange.attempts,
            warnings=prepared.warnings,
        )
        if self.tracker is not None:
            await asyncio.to_thread(self._track, message, result)  # database I/O, off the loop
        return result

    async def cancel(
        self, message_id: str, *, transaction_id: str | None = None, **fields: object
    ) -> DecodedMessage[MM7Message | None]:
        """Cancel a submitted, undelivered message (see :meth:`MM7Client.cancel`)."""
        message = self._core.vasp_request("CancelReq", {**fields, "message_id": message_id})
        return await self.send(message, transaction_id=transaction_id)

    async def replace(
        self,
        message_id: str,
        *,
        content: Part | Sequence[Part],
        transaction_id: str | None = None,
        **fields: object,
    ) -> DecodedMessage[MM7Message | None]:
        """Replace the content of a submitted, undelivered message (see :meth:`MM7Client.replace`)."""
        message = self._core.vasp_request("ReplaceReq", {**fields, "message_id": message_id})
        return await self.send(message, content, transaction_id=transaction_id)

    async def extended_cancel(
        self, cancel_id: str, *, transaction_id: str | None = None, **fields: object
    ) -> DecodedMessage[MM7Message | None]:
        """Cancel a message by its CancelID (see :meth:`MM7Client.extended_cancel`)."""
        fields = {**fields, "cancel_id": cancel_id}
        message = self._core.vasp_request("extendedCancelReq", fields, rel6=True)
        return await self.send(message, transaction_id=transaction_id)

    async def extended_replace(
        self,
        replace_id: str,
        *,
        content: Part | Sequence[Part],
        transaction_id: str | None = None,
        **fields: object,
    ) -> DecodedMessage[MM7Message | None]:
        """Replace a message by its ReplaceID (see :meth:`MM7Client.extended_replace`)."""
        fields = {**fields, "replace_id": replace_id}
        message = self._core.vasp_request("extendedReplaceReq", fields, rel6=True)
        return await self.send(message, content, transaction_id=transaction_id)

    async def send(
        self,
        message: MM7Request,
        content: Part | Sequence[Part] | None = None,
        *,
        transaction_id: str | None = None,
        deadline: float | None = None,
    ) -> DecodedMessage[MM7Message | None]:
        """Send any MM7 request object and return the decoded answer (see :meth:`MM7Client.send`)."""
        operation, prepared = self._core.prepare(message, content)
        return (await self._exchange(prepared, transaction_id, operation, deadline)).decoded

    # ------------------------------------------------------------------------------ plumbing

    async def _exchange(
        self,
        prepared: Prepared,
        transaction_id: str | None,
        operation: str,
        deadline: float | None,
        before_first_send: Callable[[], Awaitable[None]] | None = None,
    ) -> Exchange:
        call = self._core.start(
            prepared, transaction_id, operation, deadline, monotonic=time.monotonic(), now=self._clock()
        )
        while True:
            response: HTTPResponse | None = None
            sending = False
            try:
                if self.throttle is not None:
                    wait = call.throttle_wait(self._throttle_timeout, time.monotonic())
                    call.throttled(await self.throttle.acquire_async(wait))
                if before_first_send is not None:
                    await before_first_send()
                    before_first_send = None
                sending = True
                response = await self._transport.send(call.request)
                if self.capture is not None:
                    await asyncio.to_thread(self._capture, call, response)  # file I/O, off the loop
                return call.receive(response, time.monotonic())
            except MM7Error as exc:
                if sending and response is None and self.capture is not None:
                    await asyncio.to_thread(self._capture, call, None, exc)
                delay = call.after_error(
                    exc, response, monotonic=time.monotonic(), now=self._clock(), now_epoch=time.time()
                )
                if call.hold and self.throttle is not None:
                    self.throttle.hold(call.hold)  # the relay asked the whole account to slow down
                if delay is None:
                    raise
                await self._sleep(delay)

    async def aclose(self) -> None:
        """Close the transport's pooled connections."""
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncMM7Client:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        dialect = f", dialect={self.dialect.revision}/{self.dialect.mm7_version}" if self.dialect else ""
        return f"AsyncMM7Client({self.endpoint!r}, profile={self.profile.name!r}{dialect})"
