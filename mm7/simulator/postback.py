"""Postbacks: the simulator's requests to the VASP (DeliveryReportReq, DeliverReq), with Sinch's retries.

Sinch's contract for notifications (``docs/sinch.md``, "Receiving"): the VASP must answer
within 10 s with HTTP 200 and an MM7 response whose TransactionID matches the request's and whose
StatusCode is 1000 (a carrier whose profile takes a blank HTTP 200 as the answer also accepts that).
Anything else (timeout, connection error, non-200, undecodable body, wrong TransactionID, another
status) is a failure, and the same notification is sent again after the retry interval (5 minutes), at
most 5 retries. Postbacks run on one background thread fed by a time-ordered queue, never inside the
request that caused them. That thread keeps one connection per receiver alive (``http.client``;
``requests`` for https and when a proxy is configured), so a load test's thousands of reports cost
little CPU.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import select
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from mm7.codec.messages import RESPONSE_OF, decode
from mm7.errors import MM7Error
from mm7.simulator.log import ExchangeLog, LogEntry

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_INTERVAL",
    "DEFAULT_TIMEOUT",
    "Outcome",
    "Postback",
    "PostbackScheduler",
    "send_postback",
]

#: Sinch waits 10 s for the VASP's answer.
DEFAULT_TIMEOUT = 10.0
#: Sinch retries a failed notification 5 minutes later.
DEFAULT_RETRY_INTERVAL = 300.0
#: ... at most 5 times (so a notification is sent at most 6 times).
DEFAULT_MAX_RETRIES = 5


@dataclass(frozen=True)
class Postback:
    """One notification to deliver to the VASP.

    Attributes:
        url: Where to POST it.
        body: The encoded MM7 request body.
        headers: HTTP headers (Content-Type, SOAPAction...).
        transaction_id: The request's TransactionID (the answer must echo it).
        operation: ``DeliveryReportReq`` or ``DeliverReq``.
        kind: Log kind: ``delivery_report`` or ``deliver``.
        message_id: The MessageID a delivery report is about.
        recipient: The recipient number a delivery report is about.
        mm_status: The MMStatus of a delivery report.
        blank_200_ack: Whether an HTTP 200 with an empty body acknowledges it (the carrier's profile
            says so: Vibes); otherwise the MM7 response is required.
    """

    url: str
    body: bytes
    headers: dict[str, str]
    transaction_id: str
    operation: str
    kind: str
    message_id: str | None = None
    recipient: str | None = None
    mm_status: str | None = None
    blank_200_ack: bool = False


@dataclass(frozen=True)
class Outcome:
    """The result of one postback attempt.

    Attributes:
        ok: True when the VASP acknowledged it as the contract requires.
        http_status: The HTTP status received (0 when none).
        status_code: The StatusCode of the VASP's answer, when it could be read.
        detail: Why it failed, or ``"acknowledged"``.
    """

    ok: bool
    http_status: int = 0
    status_code: int | None = None
    detail: str = ""


def send_postback(
    postback: Postback, *, timeout: float = DEFAULT_TIMEOUT, session: requests.Session | None = None
) -> Outcome:
    """POST one notification and judge the answer by Sinch's contract.

    Args:
        postback: The notification.
        timeout: Seconds to wait for connection and answer.
        session: A requests session to reuse (a new connection per call when None).

    Returns:
        The outcome (never raises for network or protocol failures).
    """
    poster = session or requests
    try:
        response = poster.post(postback.url, data=postback.body, headers=postback.headers, timeout=timeout)
    except requests.RequestException as exc:
        return _failed(exc)
    return _judge(postback, response.status_code, response.headers.get("Content-Type"), response.content)


def _failed(exc: Exception) -> Outcome:
    return Outcome(False, 0, None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def _judge(postback: Postback, http_status: int, content_type: str | None, content: bytes) -> Outcome:
    """The outcome of an answer by Sinch's contract."""
    if http_status != 200:
        return Outcome(False, http_status, None, f"HTTP {http_status}")
    if postback.blank_200_ack and not content.strip():
        return Outcome(True, 200, None, "acknowledged (blank HTTP 200)")
    try:
        answer = decode(content, content_type, mode="tolerant")
    except MM7Error as exc:
        return Outcome(False, 200, None, f"undecodable answer: {exc}")
    expected = RESPONSE_OF.get(postback.operation)
    code = answer.status_code
    if answer.operation != expected:
        return Outcome(False, 200, code, f"answered {answer.operation}, expected {expected}")
    if answer.transaction_id != postback.transaction_id:
        return Outcome(False, 200, code, f"TransactionID {answer.transaction_id!r} does not match")
    if code != 1000:
        return Outcome(False, 200, code, f"StatusCode {code}")
    return Outcome(True, 200, code, "acknowledged")


def _readable(sock: socket.socket) -> bool:
    """Whether ``sock`` has something to read now (poll: no limit on the descriptor's number)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])  # pragma: no cover (platforms without poll)


class _Poster:
    """The postback thread's HTTP: one kept-alive ``http.client`` connection per plain-HTTP receiver.

    A https URL, or any URL when the environment configures an HTTP proxy (read once), goes through a
    ``requests`` session instead (certificate bundle, proxies). A kept-alive connection is checked
    before reuse, as urllib3 does: one the receiver closed (readable before a request) is replaced.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.session = requests.Session()
        proxies = urllib.request.getproxies()
        self._direct_http = not (proxies.get("http") or proxies.get("all"))
        self._open: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def send(self, postback: Postback) -> Outcome:
        split = urlsplit(postback.url)
        if split.scheme != "http" or not self._direct_http or not split.hostname:
            return send_postback(postback, timeout=self.timeout, session=self.session)
        try:
            key = (split.hostname, split.port or 80)
        except ValueError as exc:  # a port that is not a number
            return _failed(exc)
        target = (split.path or "/") + (f"?{split.query}" if split.query else "")
        connection = self._connection(key)
        try:
            connection.request("POST", target, body=postback.body, headers=postback.headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._drop(key)
            return _failed(exc)
        if response.will_close:
            self._drop(key)
        return _judge(postback, response.status, response.getheader("Content-Type"), content)

    def _connection(self, key: tuple[str, int]) -> http.client.HTTPConnection:
        connection = self._open.get(key)
        if connection is not None and connection.sock is not None and _readable(connection.sock):
            self._drop(key)  # closed by the receiver (or it sent something unasked): start afresh
            connection = None
        if connection is None:
            connection = self._open[key] = http.client.HTTPConnection(key[0], key[1], timeout=self.timeout)
        return connection

    def _drop(self, key: tuple[str, int]) -> None:
        connection = self._open.pop(key, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Close every connection."""
        for key in list(self._open):
            self._drop(key)
        self.session.close()


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    attempt: int = field(compare=False)
    postback: Postback = field(compare=False)


class PostbackScheduler:
    """A background thread that sends postbacks when they are due and retries failures.

    Args:
        log: Where every attempt is recorded.
        retry_interval: Seconds between a failed attempt and its retry.
        max_retries: Retries after the first attempt.
        timeout: Seconds to wait for each answer.
    """

    def __init__(
        self,
        log: ExchangeLog,
        *,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.log = log
        self.retry_interval = retry_interval
        self.max_retries = max_retries
        self.timeout = timeout
        self._queue: list[_Job] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._busy = 0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the sending thread (idempotent)."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="mm7-sim-postbacks", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the thread; postbacks not yet sent are dropped.

        Args:
            timeout: Seconds to wait for an attempt in flight to finish.
        """
        with self._cond:
            self._stopping = True
            self._queue.clear()
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def schedule(self, postback: Postback, delay: float = 0.0) -> None:
        """Queue a notification to be sent ``delay`` seconds from now.

        Args:
            postback: The notification.
            delay: Seconds to wait before the first attempt.
        """
        self._push(postback, time.monotonic() + max(delay, 0.0), 1)

    def _push(self, postback: Postback, due: float, attempt: int) -> None:
        with self._cond:
            heapq.heappush(self._queue, _Job(due, next(self._seq), attempt, postback))
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Notifications queued or being sent."""
        with self._cond:
            return len(self._queue) + self._busy

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is queued or in flight.

        Args:
            timeout: Deadline in seconds.

        Returns:
            Whether the scheduler became idle in time.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                if self._queue:
                    wait = self._queue[0].due - time.monotonic()
                    if wait <= 0:
                        self._busy += 1
                        return heapq.heappop(self._queue)
                    self._cond.wait(wait)
                else:
                    self._cond.wait()
            return None

    def _run(self) -> None:
        poster = _Poster(self.timeout)
        try:
            while (job := self._next_job()) is not None:
                try:
                    self._attempt(job, poster)
                finally:
                    with self._cond:
                        self._busy -= 1
                        self._cond.notify_all()
        finally:
            poster.close()

    def _attempt(self, job: _Job, poster: _Poster) -> None:
        postback = job.postback
        outcome = poster.send(postback)
        retry = not outcome.ok and job.attempt <= self.max_retries
        detail = outcome.detail
        if not outcome.ok:
            detail += f"; retry in {self.retry_interval:g}s" if retry else "; giving up"
        # Queue the retry before logging, so that a reader who sees this entry also sees the retry pending.
        if retry:
            self._push(postback, time.monotonic() + self.retry_interval, job.attempt + 1)
        self.log.add(
            LogEntry(
                direction="out",
                kind=postback.kind,
                operation=postback.operation,
                transaction_id=postback.transaction_id,
                status_code=outcome.status_code,
                http_status=outcome.http_status,
                ok=outcome.ok,
                message_id=postback.message_id,
                recipient=postback.recipient,
                mm_status=postback.mm_status,
                attempt=job.attempt,
                detail=f"{postback.url}: {detail}",
            )
        )
