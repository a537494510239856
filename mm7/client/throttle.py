"""Client-side rate limiting: stay under a carrier's per-second/minute/day limits by waiting.

Sinch publishes per-account limits over several windows (per second, per minute, per day) and answers
3510 "throughput exceeded" to requests over them. A :class:`Throttle` holds one limit per window
(:class:`Rate`) and :meth:`Throttle.acquire` blocks until a request fits under *every* limit; it
waits rather than rejects, so callers just call it before each send.

Implementation: a small, self-written limiter; no third-party package. ``limits`` and
``pyrate-limiter`` were considered, but neither is installed here and neither gives a blocking wait
across several windows with an injectable clock *and* sleep as simply as the ~100 lines below.

Each window is a **sliding-window log** (a strict token bucket): it remembers the times of its last
``count`` acquisitions and admits a new one only when the oldest of them is at least ``per_seconds``
old. This guarantees at most ``count`` acquisitions in *any* interval of ``per_seconds``. A classic
refilling token bucket does not: a full bucket plus the refill during one window lets through up to
``2 * count``, which is exactly what a carrier counting per window rejects. The cost is memory: one
float per allowed request per window (a 100 000/day limit keeps 100 000 floats, about 3 MB).

Thread safety: one lock per throttle guards all its windows; the check and the recording happen
under it, so concurrent threads can never overshoot. Waiting (``sleep``) happens outside the lock.
Waiters are not served in FIFO order. :meth:`Throttle.shared` returns one throttle per key for the
whole process, so every client thread using the same account shares the same limits.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import ClassVar

from mm7.errors import ConfigError, MM7Error
from mm7.rate import Rate  # re-exported: Rate lives in mm7.rate so profiles need not import the client

__all__ = ["Rate", "Throttle", "ThrottleTimeout"]


class ThrottleTimeout(MM7Error):
    """:meth:`Throttle.acquire` could not get a slot within its timeout.

    Attributes:
        waited: Seconds spent waiting before giving up.
        wait_needed: Seconds that would still have been needed, at the moment of giving up.
    """

    def __init__(self, message: str, *, waited: float, wait_needed: float) -> None:
        super().__init__(message)
        self.waited = waited
        self.wait_needed = wait_needed


class _Window:
    """Sliding-window log for one :class:`Rate` (not thread-safe; the Throttle's lock guards it)."""

    __slots__ = ("log", "rate")

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        # At most `count` entries; appending to a full deque drops the oldest, which is exactly the
        # entry that has just aged out of the window when we admit a new acquisition.
        self.log: deque[float] = deque(maxlen=rate.count)

    def wait_needed(self, now: float) -> float:
        if len(self.log) < self.rate.count:
            return 0.0
        return max(0.0, self.log[0] + self.rate.per_seconds - now)


class Throttle:
    """Blocks callers so requests stay under every one of several rate limits.

    Args:
        rates: The limits; all must be satisfied. An empty list never throttles.
        clock: Monotonic clock in seconds (default ``time.monotonic``); inject a fake in tests.
        sleep: Sleep function (default ``time.sleep``); inject one that advances a fake clock in tests.
        name: Label used in reprs and error messages.
    """

    _registry: ClassVar[dict[str, Throttle]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        rates: Iterable[Rate],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        name: str = "throttle",
    ) -> None:
        self._rates = tuple(rates)
        self._windows = [_Window(rate) for rate in self._rates]
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._held_until = float("-inf")
        self.name = name

    @classmethod
    def shared(
        cls,
        key: str,
        rates: Iterable[Rate],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Throttle:
        """Return the process-wide throttle for ``key``, creating it on first use.

        Use one key per carrier account (e.g. ``"sinch:<VASPID>"``) so that all threads and clients
        sending for that account share one set of limits.

        Args:
            key: Registry key.
            rates: The limits; must be the same on every call for the same key.
            clock: Clock for a newly created throttle (ignored when it already exists).
            sleep: Sleep function for a newly created throttle (ignored when it already exists).

        Returns:
            The shared throttle.

        Raises:
            ConfigError: When ``key`` is already registered with different rates.
        """
        wanted = tuple(rates)
        with cls._registry_lock:
            existing = cls._registry.get(key)
            if existing is None:
                existing = cls(wanted, clock=clock, sleep=sleep, name=key)
                cls._registry[key] = existing
            elif existing.rates != wanted:
                have = ", ".join(map(str, existing.rates)) or "none"
                got = ", ".join(map(str, wanted)) or "none"
                raise ConfigError(f"shared throttle {key!r} already exists with rates {have}; got {got}")
            return existing

    @classmethod
    def forget_shared(cls, key: str) -> None:
        """Drop ``key`` from the process-wide registry (for tests and reconfiguration).

        Args:
            key: Registry key; unknown keys are ignored.
        """
        with cls._registry_lock:
            cls._registry.pop(key, None)

    @property
    def rates(self) -> tuple[Rate, ...]:
        """The limits this throttle enforces."""
        return self._rates

    def _wait_needed(self, now: float) -> float:
        held = self._held_until - now
        return max(held, *(w.wait_needed(now) for w in self._windows), 0.0)

    def hold(self, seconds: float) -> None:
        """Give no slot for ``seconds``, to every caller sharing this throttle.

        For when the relay said to slow down (HTTP 429 with ``Retry-After``, or ``X-RateLimit-Remaining:
        0`` with its reset). A later, shorter hold does not shorten an earlier one. A
        :class:`~mm7.client.postgres.PostgresThrottle` holds this process's callers only.

        Args:
            seconds: How long from now; zero or less changes nothing.
        """
        if seconds <= 0:
            return
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)

    def _hold_left(self) -> float:
        """Seconds left of the current :meth:`hold` (0 when none)."""
        return max(0.0, self._held_until - self._clock())

    def _take(self, now: float) -> None:
        for window in self._windows:
            window.log.append(now)

    def try_acquire(self) -> bool:
        """Take a slot if one is free in every window right now; never wait.

        Returns:
            True when a slot was taken, False when some window is full.
        """
        with self._lock:
            now = self._clock()
            if self._wait_needed(now) > 0:
                return False
            self._take(now)
            return True

    def acquire(self, timeout: float | None = None) -> float:
        """Wait until a slot is free in every window, then take it.

        Args:
            timeout: Longest wait in seconds; None waits as long as needed.

        Returns:
            Seconds waited (0.0 when a slot was free at once).

        Raises:
            ThrottleTimeout: When no slot can be had within ``timeout``. This is raised as soon as
                the needed wait is known to exceed what is left, without sleeping in vain.
        """
        start = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                needed = self._wait_needed(now)
                if needed <= 0:
                    self._take(now)
                    return max(0.0, now - start)
            waited = max(0.0, now - start)
            if timeout is not None and waited + needed > timeout:
                raise ThrottleTimeout(
                    f"{self.name}: no slot within {timeout:g}s "
                    f"(waited {waited:.3f}s, {needed:.3f}s more needed)",
                    waited=waited,
                    wait_needed=needed,
                )
            # Other threads may take the slot first; the loop re-checks under the lock.
            self._sleep(needed)

    async def acquire_async(self, timeout: float | None = None) -> float:
        """:meth:`acquire` for asyncio tasks: awaits ``asyncio.sleep``, never blocks the event loop.

        The windows are the same as :meth:`acquire`'s, so threads and tasks sharing one throttle
        (``Throttle.shared("sinch:<api_key>")``) share one limit. The lock is held only to check and
        record, never across a wait.

        Args:
            timeout: Longest wait in seconds; None waits as long as needed.

        Returns:
            Seconds waited.

        Raises:
            ThrottleTimeout: When no slot can be had within ``timeout``.
        """
        start = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                needed = self._wait_needed(now)
                if needed <= 0:
                    self._take(now)
                    return max(0.0, now - start)
            waited = max(0.0, now - start)
            if timeout is not None and waited + needed > timeout:
                raise ThrottleTimeout(
                    f"{self.name}: no slot within {timeout:g}s "
                    f"(waited {waited:.3f}s, {needed:.3f}s more needed)",
                    waited=waited,
                    wait_needed=needed,
                )
            await asyncio.sleep(needed)

    def __repr__(self) -> str:
        return f"Throttle({self.name!r}, [{', '.join(map(str, self._rates))}])"
