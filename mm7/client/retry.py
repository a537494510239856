"""When to send an MM7 request again, and how long to wait first.

:class:`RetryPolicy` is configuration: a small frozen dataclass. :class:`RetryState` is the progress of
one request's attempts; like urllib3's ``Retry.increment()``, it is never mutated: each decision
hands back the *next* state. The loop a client runs looks like this::

    state = policy.start(now=clock())
    while True:
        try:
            return send(request)
        except MM7Error as exc:
            decision = policy.decide(attempt_state=state, error=exc, request_sent=None, now=clock())
            if not decision.retry:
                raise
            sleep(decision.delay)
            state = decision.state

Why retrying is conservative here: an MM7 ``SubmitReq`` is **not idempotent**. If the relay accepted
the message and the answer was lost (read timeout, connection reset after the body went out), sending
it again makes the recipient get the MMS twice, and pay for it twice. So a request is retried only
when it certainly did not take effect or the server said to retry:

* the connection failed before the request was sent (``request_sent=False``);
* the HTTP status is in ``retry_on_http_status`` (429 Too Many Requests, 503 Service Unavailable:
  the server refused before processing);
* the MM7 status is flagged ``retryable`` in the status table in use (e.g. Sinch 2569, 3500, 3510,
  4006), and for ``bounded`` codes (Sinch 3000) only ``max_bounded_retries`` times.

Client errors (2xxx) are not retried unless the carrier's table explicitly says so (Sinch 2569 "carrier
lookup down, retry"); 3001 never is. An *ambiguous* failure, where the request may have reached the
server and no answer came back (``request_sent`` True or None without a response), is retried only
with ``retry_ambiguous=True``: opt in only for idempotent operations, or when duplicates are acceptable.

Delays: exponential back-off ``backoff_base * 2**(n-1)`` capped at ``backoff_max``, with "full jitter"
(a uniform draw in ``[0, cap]``, which spreads many clients apart best). For statuses that demand a
real back-off (``retry_after_backoff``, 429, 503) the draw is in ``[cap/2, cap]`` so the wait is never
near zero. A ``Retry-After`` header (delta-seconds or HTTP-date, RFC 9110 section 10.2.3) replaces the
computed delay when ``respect_retry_after``; it is capped at ``backoff_max``. Nothing is retried past
``deadline`` seconds after the first attempt started.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field, replace

from mm7.codec.status import STATUS_CLASS_SUCCESS, THREEGPP, StatusTable, lookup
from mm7.errors import ConfigError, MM7StatusError, TransportError

__all__ = [
    "RetryDecision",
    "RetryPolicy",
    "RetryState",
    "parse_retry_after",
]


def parse_retry_after(value: str | None, *, now_epoch: float) -> float | None:
    """Read an HTTP ``Retry-After`` header value.

    Args:
        value: The header value: delta-seconds (``"120"``) or an HTTP-date
            (``"Wed, 21 Oct 2015 07:28:00 GMT"``).
        now_epoch: The current wall-clock time as a Unix timestamp, to turn a date into seconds.

    Returns:
        Seconds to wait (0.0 for a date in the past), or None when the value is missing, negative or
        not parseable (such a header is ignored, not an error).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        # RFC 9110: HTTP-dates are always GMT; parsedate_to_datetime gives naive for "-0000".
        return None
    return max(0.0, when.timestamp() - now_epoch)


@dataclass(frozen=True, slots=True)
class RetryState:
    """Progress of one request's attempts. Immutable: :meth:`advance` returns the next state.

    Attributes:
        attempts: Attempts made so far, counting the one being judged (1 after the first).
        bounded_retries: Retries already spent on ``bounded`` statuses (e.g. Sinch 3000).
        started_at: Clock reading when the first attempt started (same clock as ``now``).
    """

    started_at: float
    attempts: int = 1
    bounded_retries: int = 0

    def advance(self, *, bounded: bool = False) -> RetryState:
        """Return the state for the next attempt.

        Args:
            bounded: Whether this retry is spent on a bounded status.

        Returns:
            A new state with one more attempt (and one more bounded retry when ``bounded``).
        """
        return replace(self, attempts=self.attempts + 1, bounded_retries=self.bounded_retries + int(bounded))


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """The answer of :meth:`RetryPolicy.decide`.

    Attributes:
        retry: Whether to send the request again.
        delay: Seconds to wait before the next attempt (0.0 when not retrying).
        reason: Why, for logs and exception notes.
        state: The state for the next attempt when retrying; the unchanged state otherwise.
    """

    retry: bool
    delay: float
    reason: str
    state: RetryState


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how to retry an MM7 request (see the module docstring for the reasoning).

    Attributes:
        total_attempts: Most attempts in all, the first included (1 disables retrying).
        backoff_base: Back-off before the first retry, doubled for each further one (seconds).
        backoff_max: Longest wait between attempts, Retry-After included (seconds).
        jitter: Randomise delays ("full jitter"); False gives the plain exponential delays.
        deadline: No retry starts later than this many seconds after the first attempt; None for no limit.
        retry_on_http_status: HTTP statuses meaning "refused before processing, try again".
        respect_retry_after: Use the server's Retry-After header instead of the computed back-off.
        retry_ambiguous: Also retry when the request may have reached the server and no answer came
            back. Off by default: SubmitReq is not idempotent, so this risks a duplicate MMS.
        max_bounded_retries: Most retries spent on ``bounded`` statuses (e.g. Sinch 3000).
        status_table: Status table deciding which MM7 statuses are retryable.
        rng: Random source for jitter; inject a seeded ``random.Random`` in tests.
    """

    total_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    jitter: bool = True
    deadline: float | None = 120.0
    retry_on_http_status: frozenset[int] = frozenset({429, 503})
    respect_retry_after: bool = True
    retry_ambiguous: bool = False
    max_bounded_retries: int = 2
    status_table: StatusTable = field(default=THREEGPP)
    rng: random.Random | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.total_attempts < 1:
            raise ConfigError(f"RetryPolicy.total_attempts must be >= 1, got {self.total_attempts}")
        if self.backoff_base < 0 or self.backoff_max < 0:
            raise ConfigError("RetryPolicy.backoff_base and backoff_max must be >= 0")
        if self.deadline is not None and self.deadline < 0:
            raise ConfigError(f"RetryPolicy.deadline must be >= 0 or None, got {self.deadline}")
        if self.max_bounded_retries < 0:
            raise ConfigError(f"RetryPolicy.max_bounded_retries must be >= 0, got {self.max_bounded_retries}")
        # Accept any iterable of ints (a set literal, a list) but store a hashable frozenset.
        object.__setattr__(self, "retry_on_http_status", frozenset(self.retry_on_http_status))

    @classmethod
    def no_retry(cls) -> RetryPolicy:
        """Return a policy that never retries."""
        return cls(total_attempts=1)

    def start(self, *, now: float) -> RetryState:
        """Return the state of a request whose first attempt starts at ``now``.

        Args:
            now: Current reading of the clock used for the deadline (e.g. ``time.monotonic()``).

        Returns:
            The initial :class:`RetryState`.
        """
        return RetryState(started_at=now)

    def backoff(self, retry_number: int, *, forceful: bool = False) -> float:
        """Return the delay before retry number ``retry_number`` (1 for the first retry).

        Args:
            retry_number: Which retry this is, starting at 1.
            forceful: The peer demands a real back-off: jitter draws from the upper half only.

        Returns:
            Seconds in ``[0, backoff_max]``.
        """
        exponent = max(0, retry_number - 1)
        # Cap the exponent so huge attempt counts cannot overflow float arithmetic.
        cap = min(self.backoff_max, self.backoff_base * (2.0 ** min(exponent, 64)))
        if not self.jitter or cap <= 0:
            return cap
        rng = self.rng if self.rng is not None else random
        low = cap / 2 if forceful else 0.0
        return min(cap, max(0.0, rng.uniform(low, cap)))

    def decide(
        self,
        *,
        attempt_state: RetryState,
        http_status: int | None = None,
        mm7_status: int | None = None,
        retry_after_header: str | None = None,
        request_sent: bool | None = None,
        error: BaseException | None = None,
        now: float,
        now_epoch: float | None = None,
    ) -> RetryDecision:
        """Decide whether the failed attempt ``attempt_state.attempts`` should be retried.

        What is known about the failure comes from the keyword arguments; ``error`` fills in what
        was not given: a :class:`~mm7.errors.TransportError` supplies ``http_status`` and
        ``request_sent``, an :class:`~mm7.errors.MM7StatusError` supplies ``mm7_status`` (and
        ``http_status``). An MM7 status, when known, decides over the HTTP status.

        Args:
            attempt_state: State of the attempt that just failed.
            http_status: HTTP status of the response, if one was received.
            mm7_status: MM7 StatusCode of the response, if one was read.
            retry_after_header: The response's ``Retry-After`` header value, if any.
            request_sent: False when the request certainly did not reach the server; True or None
                when it may have. Only consulted when no response was received.
            error: The exception the attempt raised, if any.
            now: Current reading of the same clock as ``attempt_state.started_at``.
            now_epoch: Current Unix time, for HTTP-date Retry-After values (default ``time.time()``).

        Returns:
            The decision, carrying the next state when retrying.
        """
        if isinstance(error, TransportError):
            http_status = http_status if http_status is not None else error.http_status
            request_sent = request_sent if request_sent is not None else error.request_sent
        elif isinstance(error, MM7StatusError):
            mm7_status = mm7_status if mm7_status is not None else error.status_code
            http_status = http_status if http_status is not None else error.http_status

        def no(reason: str) -> RetryDecision:
            return RetryDecision(retry=False, delay=0.0, reason=reason, state=attempt_state)

        # 1. Is the failure of a retryable kind at all?
        bounded = False
        forceful = False
        if mm7_status is not None:
            info = lookup(mm7_status, self.status_table)
            label = f"MM7 status {mm7_status} ({info.name}, table {self.status_table.name!r})"
            if info.status_class == STATUS_CLASS_SUCCESS:
                return no(f"{label} is a success")
            if not info.retryable:
                return no(f"{label} is not retryable")
            bounded = info.bounded
            forceful = info.retry_after_backoff
            if bounded and attempt_state.bounded_retries >= self.max_bounded_retries:
                return no(f"{label} is retried at most {self.max_bounded_retries} times")
            reason = f"{label} is retryable"
        elif http_status is not None:
            if http_status not in self.retry_on_http_status:
                return no(f"HTTP {http_status} is not a retryable HTTP status")
            forceful = True
            reason = f"HTTP {http_status} asks to retry"
        elif request_sent is False:
            reason = "the request was not sent"
        elif self.retry_ambiguous:
            reason = "no response (the request may have taken effect; retry_ambiguous is on)"
        else:
            return no("no response and the request may have taken effect (a retry could duplicate it)")

        # 2. Is there budget left?
        if attempt_state.attempts >= self.total_attempts:
            return no(f"{reason}, but all {self.total_attempts} attempts are used")
        remaining = None if self.deadline is None else attempt_state.started_at + self.deadline - now
        if remaining is not None and remaining <= 0:
            return no(f"{reason}, but the {self.deadline:g}s deadline has passed")

        # 3. How long to wait?
        server_delay = None
        if self.respect_retry_after:
            epoch = time.time() if now_epoch is None else now_epoch
            server_delay = parse_retry_after(retry_after_header, now_epoch=epoch)
        if server_delay is not None:
            delay = min(server_delay, self.backoff_max)
            if remaining is not None and delay > remaining:
                return no(f"{reason}, but Retry-After ({delay:g}s) goes past the deadline")
            reason += f"; Retry-After {delay:g}s"
        else:
            delay = self.backoff(attempt_state.attempts, forceful=forceful)
            if remaining is not None:
                delay = min(delay, remaining)
        return RetryDecision(
            retry=True,
            delay=delay,
            reason=reason,
            state=attempt_state.advance(bounded=bounded),
        )
