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

import json
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import requests
import requests.adapters
import urllib3.exceptions

from mm7.errors import ConfigError, LimitExceededError, MM7Error, RemoteCodecError, TransportError

__all__ = [
    "REQUESTS_ERROR_MAP",
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


@dataclass(frozen=True, slots=True)
class Timeout:
    """Connect and read timeouts in seconds (None waits forever; not recommended).

    Attributes:
        connect: Longest wait to open the TCP connection and finish the TLS handshake. It also bounds
            each socket write while the body is uploaded (urllib3 keeps the connect timeout on the
            socket until the request is sent).
        read: Longest wait for each read of the response. Sinch gives itself no published bound for
            answering a SubmitReq; 60 s leaves room for large uploads being processed.
    """

    connect: float | None = 10.0
    read: float | None = 60.0

    def __post_init__(self) -> None:
        for name in ("connect", "read"):
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
    """

    url: str
    headers: Mapping[str, str]
    body: Iterable[bytes] = field(repr=False)
    content_length: int
    method: str = "POST"

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


class RequestsTransport:
    """The default transport: a pooled ``requests.Session``.

    Args:
        session: A session to use (its adapters are replaced for http/https); a new one when None.
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
        self._session = session if session is not None else requests.Session()
        # Retries belong to RetryPolicy, which knows what is safe to resend: urllib3 must never resend
        # a SubmitReq on its own (max_retries=0 also stops it retrying a refused connect).
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=pool_maxsize, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
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

        Raises:
            TransportError: Connection, TLS or timeout failure, with ``request_sent``.
            LimitExceededError: The response body is longer than ``max_response_size``.
            ConfigError: The URL or a header is invalid.
        """
        data = _SizedBody(request.body, request.content_length)
        try:
            with self._session.request(
                request.method,
                request.url,
                data=data,
                headers=dict(request.headers),
                timeout=self.timeout.as_tuple(),
                verify=self._verify,
                cert=self._cert,
                stream=True,
                allow_redirects=False,  # a redirect would need the body again, and MM7 has none
            ) as response:
                body = self._read_limited(response)
                return HTTPResponse(response.status_code, dict(response.headers), body)
        except _CAUGHT as exc:
            raise map_requests_error(exc, url=request.url) from exc

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
