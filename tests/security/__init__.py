"""Hostile-input and fault tests (GitHub issue "Hostile input and faults"); helpers shared by the modules.

Everything here builds real bytes by hand: no mocks of our own code. The helpers measure what an attack
costs (wall time, Python heap peak through :mod:`tracemalloc`), prove that no network connection is made
(a listening socket on 127.0.0.1 that must stay silent) and that no local file is opened (a FIFO whose
reader side the parser would have to open: we detect that from the writer side without ever blocking).

The table of attacks and the tests that prove each outcome is ``tests/SECURITY.md``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import mm7
from mm7.errors import MM7Error

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sinch"
REGRESSIONS = Path(__file__).resolve().parent / "regressions"

#: Generous bounds: a hostile message must be refused well within the MMSC's 10 s answer window,
#: and must not make the process allocate more than a small multiple of the limits.
MAX_SECONDS = 2.0
MAX_PEAK_BYTES = 50 * 1024 * 1024

NS6 = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


def envelope() -> bytes:
    """A strict-valid DeliveryReportReq envelope (UTF-8, with XML declaration)."""
    return (FIXTURES / "delivery-report.xml").read_bytes()


def envelope_body() -> str:
    """The same envelope as text, without its XML declaration (for prepending DOCTYPEs)."""
    return envelope().decode("utf-8").split("\n", 1)[1]


def mo_message() -> tuple[bytes, str]:
    """The Sinch-like MO DeliverReq: (body, content type); decodes in tolerant mode."""
    body = (FIXTURES / "mo-deliver.bin").read_bytes()
    content_type = (FIXTURES / "mo-deliver.content-type").read_text().strip()
    return body, content_type


def part(
    data: bytes,
    content_type: str = "text/xml; charset=utf-8",
    content_id: str | None = "<root>",
    extra: bytes = b"",
) -> bytes:
    """One MIME body part (headers, blank line, payload), CRLF line ends."""
    head = f"Content-Type: {content_type}\r\n".encode()
    if content_id is not None:
        head += f"Content-ID: {content_id}\r\n".encode()
    return head + extra + b"\r\n" + data


def multipart(
    parts: Sequence[bytes], boundary: str = "sec-boundary", start: str | None = "<root>"
) -> tuple[bytes, str]:
    """A ``multipart/related`` body from already-built parts: (body, HTTP Content-Type)."""
    content_type = f'multipart/related; type="text/xml"; boundary="{boundary}"'
    if start is not None:
        content_type += f'; start="{start}"'
    delimiter = b"--" + boundary.encode()
    body = b"".join(delimiter + b"\r\n" + p + b"\r\n" for p in parts) + delimiter + b"--\r\n"
    return body, content_type


def as_root(xml: bytes) -> tuple[bytes, str]:
    """``xml`` as the SOAP root part of a multipart/related body."""
    return multipart([part(xml)])


def as_bare(xml: bytes) -> tuple[bytes, str]:
    """``xml`` as a bare ``text/xml`` HTTP body."""
    return xml, "text/xml; charset=utf-8"


@dataclass
class Outcome:
    """What one decode did: the error (None when it decoded), the wall time and the heap peak."""

    error: BaseException | None
    result: object
    seconds: float
    peak_bytes: int


def measure(fn: Callable[[], object]) -> Outcome:
    """Run ``fn`` once under :mod:`tracemalloc`; never lets a non-MM7 exception escape unnoticed."""
    started_tracing = not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    error: BaseException | None = None
    result: object = None
    try:
        result = fn()
    except Exception as exc:
        error = exc
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    if started_tracing:
        tracemalloc.stop()
    return Outcome(error, result, seconds, peak)


def decode_outcome(body: bytes, content_type: str | None, **kwargs: object) -> Outcome:
    """Measure ``mm7.decode(body, content_type, **kwargs)``."""
    return measure(lambda: mm7.decode(body, content_type, **kwargs))  # type: ignore[arg-type]


def assert_rejected(
    outcome: Outcome,
    expected: type[MM7Error],
    *,
    status_code: int | None = None,
    limit: str | None = None,
    max_seconds: float = MAX_SECONDS,
    max_peak: int = MAX_PEAK_BYTES,
) -> MM7Error:
    """The decode failed with ``expected`` (and status/limit), quickly and within the memory bound."""
    error = outcome.error
    assert isinstance(error, expected), f"expected {expected.__name__}, got {error!r}"
    if status_code is not None:
        assert getattr(error, "status_code", None) == status_code, error
    if limit is not None:
        assert getattr(error, "limit", None) == limit, error
    assert_bounded(outcome, max_seconds=max_seconds, max_peak=max_peak)
    return error


def assert_bounded(
    outcome: Outcome, *, max_seconds: float = MAX_SECONDS, max_peak: int = MAX_PEAK_BYTES
) -> None:
    """Elapsed time and heap peak stay under the bounds; any error is an MM7Error."""
    assert outcome.error is None or isinstance(outcome.error, MM7Error), repr(outcome.error)
    assert outcome.seconds < max_seconds, f"took {outcome.seconds:.2f} s"
    assert outcome.peak_bytes < max_peak, f"heap peak {outcome.peak_bytes / 1e6:.1f} MB"


class SilentListener:
    """A TCP socket listening on 127.0.0.1 that must never be connected to.

    Attributes:
        port: The port to put in hostile URLs.
    """

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.setblocking(False)
        self.port: int = self._sock.getsockname()[1]

    @property
    def url(self) -> str:
        """An http URL on the listener."""
        return f"http://127.0.0.1:{self.port}/evil.dtd"

    def connections(self) -> int:
        """How many connections are waiting in the accept queue (each is accepted and closed)."""
        count = 0
        while True:
            try:
                conn, _ = self._sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def close(self) -> None:
        """Stop listening."""
        self._sock.close()


@contextlib.contextmanager
def silent_listener() -> Iterator[SilentListener]:
    """Yield a :class:`SilentListener`; on exit, fail if anything connected to it."""
    listener = SilentListener()
    try:
        yield listener
        assert listener.connections() == 0, "the decoder opened a network connection"
    finally:
        listener.close()


class FifoSentinel:
    """A named pipe that records whether anyone opened it for reading.

    A parser that follows ``file:///…/sentinel`` has to ``open()`` it; opening a FIFO for reading blocks
    until a writer comes, so a watcher thread keeps trying a non-blocking open for writing (which succeeds
    only while a reader has it open). When it succeeds it records the fact and closes at once, so the
    reader sees end-of-file: the test never hangs, and the evidence comes from the kernel, not from us.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / "sentinel.fifo"
        os.mkfifo(self.path)
        self.opened = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """A file URL naming the FIFO."""
        return self.path.as_uri()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                time.sleep(0.001)
                continue
            self.opened.set()
            os.close(fd)

    def close(self) -> None:
        """Stop watching (waits for the watcher thread)."""
        self._stop.set()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def fifo_sentinel(directory: Path) -> Iterator[FifoSentinel]:
    """Yield a :class:`FifoSentinel` in ``directory``; always stopped on exit."""
    sentinel = FifoSentinel(directory)
    try:
        yield sentinel
    finally:
        sentinel.close()


def read_regression(path: Path) -> tuple[bytes, str | None]:
    """Split a fuzz/regression input: first line = Content-Type (empty: None), the rest = body.

    The same format is used by ``fuzz/fuzz_decode.py`` and the seed corpus, so any crash file the fuzzer
    saves can be replayed as it was found.
    """
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    content_type = head.decode("latin-1").strip() or None
    return body, content_type
