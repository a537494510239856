"""The HTTP seam of the client: one request in, one response out.

:class:`Transport` is a one-method protocol modelled on httpx's ``BaseTransport``: ``send(request) ->
response``. The client only ever talks to a transport, so tests (and other HTTP stacks) can plug in
a plain function through :class:`FunctionTransport`, the way httpx's ``MockTransport`` does.

:class:`RequestsTransport` is the default: a ``requests.Session`` (connection pooling, keep-alive),
TLS settings, connect/read timeouts, and a streamed body with an exact ``Content-Length``. Every
exception requests or urllib3 can raise is caught here and re-raised as one of ours (``raise ... from
exc``), with ``request_sent`` telling the retry policy whether the request can have taken effect.
``REQUESTS_ERROR_MAP`` is the table; a test walks ``requests.exceptions`` and fails on any class
missing from it (httpx checks its httpcore mapping the same way).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from mm7.errors import ConfigError, LimitExceededError, MM7Error, RemoteCodecError, TransportError

if TYPE_CHECKING:
    from requests.sessions import _Settings

__all__ = [
    "REQUESTS_ERROR_MAP",
    "DeadlineExceeded",
    "FunctionTransport",
    "HTTPRequest",
    "HTTPResponse",
    "RequestsTransport",
    "Timeout",
    "Transport",
    "map_requests_error",
]

#: Largest response body read into memory. MM7 responses are a few hundred bytes of SOAP; 32 MiB
#: matches the codec's default ``Limits.max_body_size`` and stops a broken peer from exhausting memory.
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024
_READ_CHUNK = 64 * 1024


class DeadlineExceeded(TransportError):
    """An attempt (or the whole call, retries included) ran past its deadline and was abandoned.

    The socket is shut down at the deadline, whatever the peer is doing (silent, or dripping one byte at
    a time, which no read timeout catches).

    Attributes:
        deadline: The deadline that passed, in seconds.
        phase: How far the attempt got: ``"connecting"`` (nothing sent: ``request_sent`` is False),
            ``"sending"`` (part of the body went out: ``request_sent`` is None) or ``"sent"`` (the whole
            request went out, the answer did not come in time: ``request_sent`` is True).
    """

    def __init__(
        self,
        message: str,
        *,
        deadline: float,
        phase: str,
        request_sent: bool | None,
        transaction_id: str | None = None,
    ) -> None:
        super().__init__(message, request_sent=request_sent, transaction_id=transaction_id)
        self.deadline = deadline
        self.phase = phase

    @property
    def ambiguous(self) -> bool:
        """True when the relay may have accepted the request (it may have been sent)."""
        return self.request_sent is not False


@dataclass(frozen=True, slots=True)
class Timeout:
    """Connect and read timeouts, and a total deadline per attempt, in seconds (None: no limit).

    Attributes:
        connect: Longest wait to open the TCP connection and finish the TLS handshake. It also bounds
            each socket write while the body is uploaded (urllib3 keeps the connect timeout on the
            socket until the request is sent).
        read: Longest wait for each read of the response. Sinch gives itself no published bound for
            answering a SubmitReq; 60 s leaves room for large uploads being processed.
        total: Longest time for one whole attempt: connect, TLS, upload and the complete response. A
            relay that keeps answering slowly (one byte at a time) resets the read timeout forever; this
            deadline does not move. At the deadline the connection is shut down and the attempt raises
            :class:`DeadlineExceeded`. None (default): only ``connect`` and ``read`` apply.
    """

    connect: float | None = 10.0
    read: float | None = 60.0
    total: float | None = None

    def __post_init__(self) -> None:
        for name in ("connect", "read", "total"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ConfigError(f"Timeout.{name} must be > 0 or None, got {value}")

    def as_tuple(self) -> tuple[float | None, float | None]:
        """Return ``(connect, read)``, the form requests takes."""
        return (self.connect, self.read)


@dataclass(frozen=True)
class HTTPRequest:
    """What the client asks a transport to POST.

    Attributes:
        url: The endpoint.
        headers: Every request header, Content-Type and Content-Length included.
        body: The body as a re-iterable of byte chunks (an ``EncodedBody``: files are read lazily).
        content_length: Exact length of ``body`` in bytes.
        method: The HTTP method (MM7 only uses POST).
        deadline: ``time.monotonic()`` reading by which the exchange must be over (the client sets it from
            its per-call deadline); None for none. Transports that cannot enforce it may ignore it.
        deadline_seconds: That per-call deadline in seconds, as the caller gave it: what an error names
            when it passes (the time left for this attempt is less: encoding and earlier attempts used some).
    """

    url: str
    headers: Mapping[str, str]
    body: Iterable[bytes] = field(repr=False)
    content_length: int
    method: str = "POST"
    deadline: float | None = None
    deadline_seconds: float | None = None

    def read_body(self) -> bytes:
        """Return the whole body in memory (for function transports and tests)."""
        return b"".join(self.body)


@dataclass(frozen=True)
class HTTPResponse:
    """What a transport hands back.

    Attributes:
        status: The HTTP status code.
        headers: Response headers; look them up with :meth:`header` (case-insensitive).
        body: The response body.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)

    def header(self, name: str) -> str | None:
        """Return a header's value, matching the name case-insensitively (RFC 9110 section 5.1)."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


class Transport(Protocol):
    """Anything that can perform one HTTP exchange.

    Implementations raise :class:`~mm7.errors.TransportError` (with ``request_sent``) for network
    failures and return every HTTP answer, whatever its status, as an :class:`HTTPResponse`.
    """

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send ``request`` and return the response."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...


class FunctionTransport:
    """A transport that calls a function: for tests and for plugging in another HTTP stack.

    Args:
        handler: Called with each request; returns the response or raises TransportError.
    """

    def __init__(self, handler: Callable[[HTTPRequest], HTTPResponse]) -> None:
        self._handler = handler

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Call the handler."""
        return self._handler(request)

    def close(self) -> None:
        """Nothing to release."""


# --------------------------------------------------------------------------------------------- errors

# What each requests/urllib3 exception becomes. ``request_sent``: False when the request certainly
# did not reach the server (safe to retry a non-idempotent SubmitReq), True when it did, None when it
# may have. ``"inspect"`` means: look at the chained cause (a ConnectionError may be a refused connect
# or a reset in mid-upload).
_Sent = bool | None | str
REQUESTS_ERROR_MAP: dict[type[BaseException], tuple[type[MM7Error], _Sent]] = {
    # Timeouts: ConnectTimeout fires before anything was written; ReadTimeout after the whole body.
    requests.exceptions.ConnectTimeout: (TransportError, False),
    requests.exceptions.ReadTimeout: (TransportError, True),
    requests.exceptions.Timeout: (TransportError, None),
    # An SSLError is usually a failed handshake (nothing sent), but may hit a live connection.
    requests.exceptions.SSLError: (TransportError, "inspect"),
    requests.exceptions.ProxyError: (TransportError, "inspect"),
    requests.exceptions.ConnectionError: (TransportError, "inspect"),
    # Failures while reading the response: the request went out.
    requests.exceptions.ChunkedEncodingError: (TransportError, True),
    requests.exceptions.ContentDecodingError: (RemoteCodecError, True),
    requests.exceptions.TooManyRedirects: (TransportError, True),
    requests.exceptions.HTTPError: (TransportError, True),
    requests.exceptions.InvalidJSONError: (RemoteCodecError, True),
    requests.exceptions.JSONDecodeError: (RemoteCodecError, True),
    json.JSONDecodeError: (RemoteCodecError, True),
    # Bad configuration: nothing was sent, and retrying cannot help.
    requests.exceptions.URLRequired: (ConfigError, False),
    requests.exceptions.MissingSchema: (ConfigError, False),
    requests.exceptions.InvalidSchema: (ConfigError, False),
    requests.exceptions.InvalidURL: (ConfigError, False),
    requests.exceptions.InvalidProxyURL: (ConfigError, False),
    requests.exceptions.InvalidHeader: (ConfigError, False),
    # Cannot happen with our settings (no urllib3 retries, no rewinding, body read once), mapped anyway.
    requests.exceptions.RetryError: (TransportError, None),
    requests.exceptions.UnrewindableBodyError: (TransportError, None),
    requests.exceptions.StreamConsumedError: (TransportError, None),
    requests.exceptions.RequestException: (TransportError, None),
    urllib3.exceptions.HTTPError: (TransportError, None),
}
_CAUGHT = tuple(REQUESTS_ERROR_MAP)

# Causes that only occur while connecting: the server cannot have seen a byte of the request.
_CONNECT_PHASE: tuple[type[BaseException], ...] = (
    urllib3.exceptions.NewConnectionError,  # refused, unreachable, DNS (NameResolutionError)
    urllib3.exceptions.ConnectTimeoutError,
    ConnectionRefusedError,
    socket.gaierror,
    ssl.SSLCertVerificationError,  # handshake: the server's certificate was refused by us
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Yield ``exc`` and everything chained to it: args, urllib3's ``reason``, cause and context."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        stack.extend(item for item in linked if isinstance(item, BaseException))


def _request_sent(exc: BaseException) -> bool | None:
    if any(isinstance(cause, _CONNECT_PHASE) for cause in _causes(exc)):
        return False
    return None


def map_requests_error(exc: BaseException, *, url: str = "") -> MM7Error:
    """Translate a requests/urllib3 exception into an mm7 error (the caller raises it ``from exc``).

    Args:
        exc: The exception requests raised.
        url: The endpoint, for the message.

    Returns:
        A :class:`~mm7.errors.TransportError` (with ``request_sent``), a
        :class:`~mm7.errors.RemoteCodecError` for an undecodable response, or a
        :class:`~mm7.errors.ConfigError` for an invalid URL or header.
    """
    for cls in type(exc).__mro__:
        if cls in REQUESTS_ERROR_MAP:
            target, sent = REQUESTS_ERROR_MAP[cls]
            break
    else:
        target, sent = TransportError, None
    text = f"{type(exc).__name__} talking to {url or 'the MM7 server'}: {exc}"
    if target is TransportError:
        request_sent = _request_sent(exc) if sent == "inspect" else sent
        assert not isinstance(request_sent, str)
        return TransportError(text, request_sent=request_sent)
    return target(text)


# --------------------------------------------------------------------------------------------- deadlines

# How long after the deadline the per-operation socket timeouts of an attempt end (a safety net only).
_DEADLINE_MARGIN = 0.5

# The attempt running on this thread, so the connection classes below (called deep inside requests and
# urllib3 on the same thread) can tell it which socket to shut down at the deadline.
_current = threading.local()


class _Attempt:
    """One attempt's deadline: a timer that shuts the connection's socket down when it fires."""

    def __init__(self, seconds: float, named: float | None = None) -> None:
        self.seconds = seconds
        self.named = seconds if named is None else named
        self.phase = "connecting"
        self.expired = False
        self._lock = threading.Lock()
        self._connection: Any = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def bind(self, connection: Any) -> None:
        """Note the connection in use; shut it at once if the deadline already passed."""
        with self._lock:
            self._connection = connection
            if self.expired:
                _shutdown(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._connection is not None:
                _shutdown(self._connection)


def _shutdown(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    # socket.socket.shutdown, not SSLSocket.shutdown (which drops the TLS state under a reading thread): a
    # blocked recv/send returns at once, with EOF or an error. OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _DeadlineMixin:
    """urllib3 connection hooks: report the socket and the phase to the attempt running on this thread."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        attempt: _Attempt | None = getattr(_current, "attempt", None)
        if attempt is not None:
            attempt.bind(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        attempt: _Attempt | None = getattr(_current, "attempt", None)
        if attempt is not None:
            attempt.bind(self)  # a pooled keep-alive connection is already connected
            attempt.phase = "sending"
        super().request(*args, **kwargs)  # type: ignore[misc]
        if attempt is not None:
            attempt.phase = "sent"


class _HTTPConnection(_DeadlineMixin, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, urllib3.connection.HTTPSConnection):
    pass


class _HTTPConnectionPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter whose connections take part in :class:`_Attempt` deadlines.

    It also remembers the connection pool of each endpoint and TLS setting: requests looks it up from the
    URL on every request (proxy selection, URL parsing, the pool manager's key), a tenth of a text
    submit's CPU, always with the same answer for an MM7 client. A pool the manager has since closed
    (evicted) is looked up again.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
        self._pools: dict[tuple[object, ...], urllib3.connectionpool.HTTPConnectionPool] = {}

    def _pool(self, key: tuple[object, ...], lookup: Callable[[], Any]) -> Any:
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # urllib3 sets .pool to None when it closes a pool
            pool = lookup()
            if len(self._pools) < 64:  # one entry per endpoint in practice; bounded all the same
                self._pools[key] = pool
        return pool

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: Any, proxies: Any = None, cert: Any = None
    ) -> Any:
        """The pool for ``request`` (requests >= 2.32.2), remembered per URL, TLS setting and proxies."""
        key = (request.url, verify, cert, tuple(sorted((proxies or {}).items())))
        parent = super().get_connection_with_tls_context
        return self._pool(key, lambda: parent(request, verify, proxies, cert))

    def get_connection(self, url: Any, proxies: Any = None) -> Any:
        """The pool for ``url`` (what requests < 2.32.2 calls), remembered per URL and proxies."""
        key = (url, tuple(sorted((proxies or {}).items())))
        parent = super().get_connection
        return self._pool(key, lambda: parent(url, proxies))

    def close(self) -> None:
        """Forget the pools, then close them."""
        self._pools.clear()
        super().close()


def _attempt_seconds(total: float | None, request: HTTPRequest) -> tuple[float | None, float | None]:
    """Seconds this attempt may take, and the deadline an error names: the call's when it is the tighter."""
    seconds, named = total, total
    if request.deadline is not None:
        remaining = request.deadline - time.monotonic()
        if seconds is None or remaining < seconds:
            seconds = remaining
            named = request.deadline_seconds if request.deadline_seconds is not None else remaining
    return seconds, named


def _deadline_error(attempt: _Attempt, url: str) -> DeadlineExceeded:
    sent = {"connecting": False, "sending": None}.get(attempt.phase, True)
    what = {
        "connecting": "while connecting (nothing was sent)",
        "sending": "while sending the request (it may have arrived)",
    }.get(attempt.phase, "awaiting the answer to the whole request (it may have been accepted)")
    return DeadlineExceeded(
        f"deadline of {attempt.named:.3g}s passed talking to {url or 'the MM7 server'} {what}",
        deadline=attempt.named,
        phase=attempt.phase,
        request_sent=sent,
    )


# --------------------------------------------------------------------------------------------- requests


class _SizedBody:
    """An iterable body that knows its length, so requests streams it with a Content-Length.

    requests treats an iterable with ``__len__`` as a stream of known size: it sends ``Content-Length``
    and hands the chunks to urllib3 as they come. A bare generator would make it switch to chunked
    transfer-encoding, which Sinch answers with 2500 (Content-Length required).

    requests-toolbelt's ``StreamingIterator`` was tried first for this; it re-buffers the chunks in a
    ``BytesIO`` whose peak grew with the upload (about 150 MiB traced for a 100 MB attachment), which
    defeats streaming, so this two-method adapter is used instead.
    """

    def __init__(self, body: Iterable[bytes], length: int) -> None:
        self._body = body
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        # A fresh pass over the EncodedBody per attempt: it is re-iterable, so a retry resends the
        # same bytes, reading files again from the start.
        return iter(self._body)


class _Session(requests.Session):
    """A session that reads the environment's proxy and CA settings once per URL, not once per request.

    ``requests`` scans ``os.environ`` for proxies (and ``no_proxy``) and CA bundles on every request, which
    cost a third of a text submit's CPU. An MM7 client sends to one endpoint for its whole life: the
    settings in force when it first sends there are kept (set the variables before creating the client).
    """

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[object, ...], _Settings] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> _Settings:
        key = (url, tuple(sorted((proxies or {}).items())), stream, verify, cert)
        merged = self._environment.get(key)
        if merged is None:
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if len(self._environment) < 64:  # one entry per endpoint in practice; bounded all the same
                self._environment[key] = merged
        fresh = merged.copy()  # the caller may change the proxies mapping it gets
        fresh["proxies"] = dict(merged["proxies"])
        return fresh


class RequestsTransport:
    """The default transport: a pooled ``requests.Session``.

    Args:
        session: A session to use (its adapters are replaced for http/https), sent through with
            ``Session.request``; a new one when None, which prepares a request (environment proxy and CA
            settings, headers, cookies) once per endpoint and sends straight through its adapter.
        timeout: Connect and read timeouts.
        verify: True to verify the server's certificate against the system CAs (the default; MM7 carries
            credentials and personal data), a path to a CA bundle file or directory, or False (tests only).
        cert: Client certificate for mutual TLS: a PEM file holding certificate and key, or a
            ``(cert_file, key_file)`` pair.
        pool_maxsize: Connections kept per host; should be at least the bulk sender's concurrency.
        max_response_size: Longest response body read; longer ones raise LimitExceededError.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: Timeout | None = None,
        verify: bool | str | Path = True,
        cert: str | Path | tuple[str | Path, str | Path] | None = None,
        pool_maxsize: int = 16,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self._session = session if session is not None else _Session()
        # Retries belong to RetryPolicy, which knows what is safe to resend: urllib3 must never resend
        # a SubmitReq on its own (max_retries=0 also stops it retrying a refused connect).
        adapter = _DeadlineAdapter(pool_maxsize=pool_maxsize, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        # A session made here has no hooks, auth or adapters of the caller's: its requests go straight to
        # the adapter from a request prepared once per endpoint (see _send_prepared).
        self._direct = session is None
        self._prepared: dict[str, tuple[requests.PreparedRequest, _Settings]] = {}
        self.timeout = timeout or Timeout()
        self._verify: bool | str = str(verify) if isinstance(verify, Path) else verify
        if isinstance(cert, tuple):
            self._cert: str | tuple[str, str] | None = (str(cert[0]), str(cert[1]))
        else:
            self._cert = str(cert) if cert is not None else None
        self._max_response_size = max_response_size

    @property
    def session(self) -> requests.Session:
        """The underlying session."""
        return self._session

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """POST the request, streaming its body, and read the whole (bounded) response.

        The attempt ends at ``timeout.total`` or ``request.deadline``, whichever comes first.

        Raises:
            DeadlineExceeded: The deadline passed (``request_sent`` and ``phase`` tell how far it got).
            TransportError: Connection, TLS or timeout failure, with ``request_sent``.
            LimitExceededError: The response body is longer than ``max_response_size``.
            ConfigError: The URL or a header is invalid.
        """
        seconds, named = _attempt_seconds(self.timeout.total, request)
        if seconds is None:
            return self._send(request, self.timeout.as_tuple())
        attempt = _Attempt(max(seconds, 0.0), named)
        if seconds <= 0:
            raise _deadline_error(attempt, request.url)
        # Neither per-operation timeout needs to outlast the deadline; each ends a little after it, so
        # that the deadline's timer, not a socket timeout racing it, ends the attempt (and names it).
        limit = seconds + _DEADLINE_MARGIN
        connect, read = (None if t is None else min(t, limit) for t in self.timeout.as_tuple())
        _current.attempt = attempt
        attempt.start()
        try:
            return self._send(request, (connect if connect is not None else limit, read))
        except (MM7Error, OSError) as exc:
            if attempt.expired:
                raise _deadline_error(attempt, request.url) from exc
            raise
        finally:
            attempt.cancel()
            _current.attempt = None

    def _send(self, request: HTTPRequest, timeout: tuple[float | None, float | None]) -> HTTPResponse:
        data = _SizedBody(request.body, request.content_length)
        try:
            with (
                self._send_prepared(request, data, timeout)
                if self._direct
                else self._session.request(
                    request.method,
                    request.url,
                    data=data,
                    headers=dict(request.headers),
                    timeout=timeout,
                    verify=self._verify,
                    cert=self._cert,
                    stream=True,
                    allow_redirects=False,  # a redirect would need the body again, and MM7 has none
                )
            ) as response:
                try:
                    body = self._read_limited(response)
                except _CAUGHT as exc:
                    # The answer's head arrived, so the whole request was sent: a failure while reading the
                    # body (a read timeout, a reset) leaves it possibly accepted, never unsent.
                    error = map_requests_error(exc, url=request.url)
                    if isinstance(error, TransportError):
                        error.request_sent = True
                    raise error from exc
                return HTTPResponse(response.status_code, dict(response.headers), body)
        except _CAUGHT as exc:
            raise map_requests_error(exc, url=request.url) from exc

    def _send_prepared(
        self, request: HTTPRequest, data: _SizedBody, timeout: tuple[float | None, float | None]
    ) -> requests.Response:
        """What ``Session.request`` does for our own session, with its per-endpoint work done once.

        ``Session.request`` prepares every request from scratch: it parses the URL, merges the session's
        headers and cookies, looks for a ``.netrc`` entry and the environment's proxy and CA settings,
        then resolves redirects and dispatches hooks: about a third of a text submit's CPU. An MM7 client
        posts to one endpoint for its life, so the request prepared for the endpoint's first send (same
        headers, cookies, proxies and CA bundle as ``Session.request`` would use) is copied for each
        send, given its headers and body, and handed to the same adapter. Cookies the relay sets are
        kept in the session, as ``Session.request`` keeps them, and used from the next request on.
        """
        key = f"{request.method} {request.url}"
        cached = self._prepared.get(key)
        if cached is None:
            base = self._session.prepare_request(requests.Request(request.method, request.url))
            del base.headers["Content-Length"]  # set from the body below
            settings = self._session.merge_environment_settings(
                request.url, {}, True, self._verify, self._cert
            )
            cached = self._prepared[key] = (base, settings)
        base, settings = cached
        prepared = base.copy()
        headers = base.headers.copy()
        headers.update(request.headers)
        headers["Content-Length"] = str(request.content_length)  # as requests sets it for a sized body
        prepared.headers = headers
        prepared.body = data  # type: ignore[assignment]
        # Any: the stubs type timeout and verify narrower than Session.request passes them at runtime.
        adapter: Any = self._session.get_adapter(request.url)
        response: requests.Response = adapter.send(
            prepared,
            stream=True,
            timeout=timeout,
            verify=settings["verify"],
            cert=settings["cert"],
            proxies=settings["proxies"],
        )
        if "set-cookie" in response.headers:
            jar = self._session.cookies
            requests.cookies.extract_cookies_to_jar(jar, prepared, response.raw)  # type: ignore[no-untyped-call]
            self._prepared.clear()  # the next request carries them
        return response

    def _read_limited(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_response_size:
            raise LimitExceededError(
                f"response of {declared} bytes exceeds {self._max_response_size}", limit="max_response_size"
            )
        buffer = bytearray()
        for chunk in response.iter_content(_READ_CHUNK):
            buffer += chunk
            if len(buffer) > self._max_response_size:
                raise LimitExceededError(
                    f"response exceeds {self._max_response_size} bytes", limit="max_response_size"
                )
        return bytes(buffer)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()
