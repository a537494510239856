"""Capture every MM7 exchange to a file: the request and its answer, as HTTP messages, secrets redacted.

``MM7Client(capture=DIR)``, ``AsyncMM7Client(capture=DIR)``, the receivers (``make_app(capture=DIR)``,
``make_asgi_app(capture=DIR)``, ``mm7 serve --capture DIR``) and ``mm7 send --capture DIR`` write one file
per exchange with a :class:`Capture`. A file holds the request (request line, headers, blank line, body)
and then the answer (status line, headers, blank line, body): the HTTP-message form ``mm7 inspect`` and
``mm7 validate`` read (they read the request; the answer follows it), and ``mm7 replay`` sends again.

What is written, and what is not:

* the bodies are the exact bytes sent and received; the headers are those the library set or saw, with
  the framing made explicit (``Content-Length`` of the body as written, no ``Transfer-Encoding``);
* ``Authorization`` and ``Proxy-Authorization`` keep their scheme word only (``Basic <redacted>``);
  ``Cookie``, ``Set-Cookie`` and any header whose name says it holds a secret (``token``, ``secret``,
  ``password``, ``api-key``), or that the caller names, become ``<redacted>``; a URL's user information
  never reaches the file (the ``Host`` header is the host and port only);
* a file is at most ``max_file_bytes``: a longer body is cut, and its message then carries
  ``X-MM7-Capture-Truncated`` with the original length (its ``Content-Length`` is that of what was kept);
* at most ``max_files`` files: the oldest are removed first. The writer lists the directory once, when it
  is made, and keeps its own list after that (no directory scan per exchange); each process counts the
  files it knows of, so processes sharing one directory each keep their own cap;
* a request that got no answer (connection refused, timeout) is written alone, with
  ``X-MM7-Capture-Note`` saying what happened.

Files are written whole (a temporary file renamed into place), readable by their owner only (0600), in a
directory made 0700 when it does not exist. A file is named so that names sort by time::

    20261205T043012.123456Z-0001234-000017-client-SubmitReq-a1b2c3.http

(UTC time, process id, sequence, ``client`` or ``receiver``, operation, TransactionID). Writing never
raises: a failure (disk full, directory gone) is logged on ``mm7.capture`` and the exchange goes on.
"""

from __future__ import annotations

import contextlib
import http
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mm7.errors import ConfigError

__all__ = [
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_FILE_BYTES",
    "Capture",
    "Message",
    "as_capture",
    "redact_headers",
]

logger = logging.getLogger("mm7.capture")

#: Largest capture file, in bytes (a longer body is cut).
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
#: Most capture files kept in a directory by one writer (the oldest are removed first).
DEFAULT_MAX_FILES = 1000
#: The header a message cut to the size cap carries: its original body length.
TRUNCATED_HEADER = "X-MM7-Capture-Truncated"
#: The header a request that got no answer carries: what happened instead.
NOTE_HEADER = "X-MM7-Capture-Note"
REDACTED = "<redacted>"

# Headers whose value is a credential with a scheme word (RFC 9110 §11.6.2, §11.7.2).
_SCHEMED = frozenset({"authorization", "proxy-authorization"})
_ALWAYS = frozenset({"cookie", "set-cookie"})
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api-key", "apikey", "api_key")
# Framing the file makes explicit: the body as written has a Content-Length and no transfer or content coding.
_FRAMING = frozenset({"content-length", "transfer-encoding", "content-encoding"})
_NAME = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-\d+-\d+-(?:client|receiver)-.*\.http$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Message:
    """One HTTP message to write: its start line, headers and body.

    Attributes:
        start_line: ``POST /mm7 HTTP/1.1`` or ``HTTP/1.1 200 OK``.
        headers: The headers, in order (redacted and reframed when written).
        body: The body bytes (cut when written if the file would be too large).
        length: The whole body's length when ``body`` holds only its start (None: ``len(body)``).
    """

    start_line: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    length: int | None = None

    @property
    def full_length(self) -> int:
        """The length of the whole body."""
        return len(self.body) if self.length is None else self.length


def redact_headers(headers: Iterable[tuple[str, str]], extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The headers with every secret replaced (module docstring); ``extra`` names more headers to hide."""
    hidden = {name.lower() for name in extra}
    redacted: list[tuple[str, str]] = []
    for name, value in headers:
        lower = name.lower()
        if lower in _SCHEMED:
            scheme = value.strip().split(" ", 1)[0] if value.strip() else ""
            redacted.append((name, f"{scheme} {REDACTED}" if scheme else REDACTED))
        elif lower in _ALWAYS or lower in hidden or any(word in lower for word in _SECRET_WORDS):
            redacted.append((name, REDACTED))
        else:
            redacted.append((name, value))
    return redacted


def request_target(url: str) -> tuple[str, str]:
    """The request line's target (path and query) and the ``Host`` value of ``url``, without user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return target, host


def status_line(status: int, reason: str | None = None) -> str:
    """``HTTP/1.1 200 OK``: the status line of an answer, with the standard reason when none is given."""
    if reason is None:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"HTTP/1.1 {status} {reason}".rstrip()


class Capture:
    """Writes one file per exchange into a directory, with a size cap per file and a count cap.

    Thread-safe: one writer serves every thread of a client or a receiver.

    Args:
        directory: Where the files go (made, 0700, when missing).
        max_file_bytes: Largest file; a longer body is cut (``X-MM7-Capture-Truncated``).
        max_files: Most files kept; the oldest are removed first.
        redact: Further header names whose values never reach a file (e.g. a carrier's key header).

    Raises:
        ConfigError: A cap is too small (``max_files`` under 1, ``max_file_bytes`` under 1024).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_files: int = DEFAULT_MAX_FILES,
        redact: Iterable[str] = (),
    ) -> None:
        if max_file_bytes < 1024:
            raise ConfigError(f"max_file_bytes must be at least 1024, got {max_file_bytes}")
        if max_files < 1:
            raise ConfigError(f"max_files must be at least 1, got {max_files}")
        self.directory = Path(directory)
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.redact = tuple(redact)
        self._lock = threading.Lock()
        self._sequence = 0
        self._files: deque[str] | None = None  # listed at the first write
        self._pending: set[str] = set()  # names being written
        self._doomed: set[str] = set()  # names being written that rotation has already removed

    def __repr__(self) -> str:
        limits = f"max_file_bytes={self.max_file_bytes}, max_files={self.max_files}"
        return f"Capture({str(self.directory)!r}, {limits})"

    # ------------------------------------------------------------------------------ writing

    def write(
        self,
        side: str,
        operation: str,
        transaction_id: str,
        request: Message,
        response: Message | None,
        note: str | None = None,
    ) -> Path | None:
        """Write one exchange; the file's path, or None when it could not be written (logged).

        Args:
            side: ``client`` or ``receiver``.
            operation: The request's operation (``SubmitReq``), for the file name.
            transaction_id: Its TransactionID, for the file name.
            request: The request as sent or received.
            response: The answer, or None when none came.
            note: Why there is no answer (``X-MM7-Capture-Note`` on the request).
        """
        try:
            data = self.render(request, response, note)
            with self._lock:
                files = self._known_files()
                self._sequence += 1
                name = _file_name(side, operation, transaction_id, self._sequence)
                files.append(name)  # counted now: the oldest go before the new file appears
                self._pending.add(name)
                for _ in range(max(0, len(files) - self.max_files)):
                    old = files.popleft()
                    if old in self._pending:  # still being written: its writer drops it when done
                        self._doomed.add(old)
                    else:  # removed under the lock, so no rename can add a file meanwhile
                        with contextlib.suppress(FileNotFoundError):
                            (self.directory / old).unlink()
            return self._finish(name, data, files)
        except Exception as exc:  # a capture never breaks an exchange: whatever failed, log it
            logger.error(
                "capture of %s %s not written to %s: %s", operation, transaction_id, self.directory, exc
            )
            return None

    def render(self, request: Message, response: Message | None, note: str | None = None) -> bytes:
        """The file's bytes: the request then the answer, redacted, framed, within ``max_file_bytes``."""
        extra = [(NOTE_HEADER, note[:300])] if note else []
        heads = len(request.start_line) + sum(len(k) + len(v) + 4 for k, v in request.headers) + 520
        if response is not None:
            heads += len(response.start_line) + sum(len(k) + len(v) + 4 for k, v in response.headers) + 200
        budget = max(0, self.max_file_bytes - heads)
        answer_body = response.body if response is not None else b""
        # The answer keeps what it needs up to half the budget; the request gets the rest.
        answer_keep = min(len(answer_body), max(budget // 2, budget - len(request.body)))
        request_keep = budget - answer_keep
        data = self._message(request, request_keep, extra)
        if response is not None:
            data += b"\r\n" + self._message(response, answer_keep, [])
        return data[: self.max_file_bytes]

    def _message(self, message: Message, keep: int, extra: list[tuple[str, str]]) -> bytes:
        body = message.body[:keep]
        headers = [
            (k, v) for k, v in redact_headers(message.headers, self.redact) if k.lower() not in _FRAMING
        ]
        headers.append(("Content-Length", str(len(body))))
        if len(body) < message.full_length:
            headers.append((TRUNCATED_HEADER, f"body cut to {len(body)} of {message.full_length} bytes"))
        headers += extra
        head = "".join(f"{name}: {_one_line(value)}\r\n" for name, value in headers)
        return f"{message.start_line}\r\n{head}\r\n".encode("latin-1", "replace") + body + b"\r\n"

    def _known_files(self) -> deque[str]:
        """The capture files already in the directory, oldest first (listed once; call under the lock)."""
        if self._files is None:
            if not self.directory.exists():
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            names = sorted(entry.name for entry in os.scandir(self.directory) if _NAME.match(entry.name))
            self._files = deque(names)
        return self._files

    def _finish(self, name: str, data: bytes, files: deque[str]) -> Path | None:
        """Write ``data`` to a temporary file and rename it into place, unless rotated out meanwhile."""
        temporary = self.directory / f".{name}.tmp"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            with self._lock:
                self._pending.discard(name)
                if name in self._doomed:  # more writers at once than max_files: already the oldest
                    self._doomed.discard(name)
                    temporary.unlink()
                    return None
                os.replace(temporary, self.directory / name)
            return self.directory / name
        except BaseException:
            with self._lock:
                self._pending.discard(name)
                self._doomed.discard(name)
                with contextlib.suppress(ValueError):
                    files.remove(name)
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise


def as_capture(capture: Capture | str | os.PathLike[str] | None) -> Capture | None:
    """A :class:`Capture` from what a ``capture=`` argument may be: a writer, a directory, or None."""
    if capture is None or isinstance(capture, Capture):
        return capture
    return Capture(capture)


def read_prefix(chunks: Iterable[bytes], limit: int) -> bytes:
    """The first ``limit`` bytes of a stream of chunks (the rest is not read)."""
    kept = bytearray()
    iterator = iter(chunks)
    try:
        for chunk in iterator:
            kept += chunk[: limit - len(kept)]
            if len(kept) >= limit:
                break
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # a file part's generator closes its file now
    return bytes(kept)


def headers_of(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """A header mapping as the ordered pairs a :class:`Message` holds."""
    return [(str(name), str(value)) for name, value in headers.items()]


def _file_name(side: str, operation: str, transaction_id: str, sequence: int) -> str:
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now % 1 * 1_000_000):06d}Z"
    operation = _UNSAFE.sub("_", operation)[:40] or "unknown"
    tid = _UNSAFE.sub("_", transaction_id)[:64] or "none"
    return f"{stamp}-{os.getpid():07d}-{sequence:06d}-{side}-{operation}-{tid}.http"


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")
