"""Tests for mm7.client.throttle: multi-window limits, blocking, timeouts, sharing, threads."""

from __future__ import annotations

import bisect
import threading
import time
import uuid
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.client.throttle import Rate, Throttle, ThrottleTimeout
from mm7.errors import ConfigError, MM7Error


class FakeClock:
    """A clock that only moves when someone sleeps (or the test advances it). Thread-safe."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def __call__(self) -> float:
        with self._lock:
            value = self.now
        # The throttle records the clock value it read last under its lock; remembering it per
        # thread gives the tests the exact acquisition timestamps.
        self._local.last = value
        return value

    @property
    def last_read(self) -> float:
        value: float = self._local.last
        return value

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def max_in_any_window(timestamps: Sequence[float], per: float) -> int:
    """Most timestamps in any half-open interval [t, t + per)."""
    ts = sorted(timestamps)
    return max((bisect.bisect_left(ts, t + per) - i for i, t in enumerate(ts)), default=0)


def assert_within(timestamps: Sequence[float], rates: Sequence[Rate]) -> None:
    for rate in rates:
        assert max_in_any_window(timestamps, rate.per_seconds) <= rate.count, rate


# --- Rate ----------------------------------------------------------------------------------------


def test_rate_helpers_and_validation() -> None:
    assert Rate.per_second(5) == Rate(5, 1.0)
    assert Rate.per_minute(100) == Rate(100, 60.0)
    assert Rate.per_day(10_000) == Rate(10_000, 86_400.0)
    assert str(Rate(5, 1.0)) == "5/1s"
    for bad in [(0, 1.0), (-1, 1.0), (1, 0.0), (1, -2.0), (1, float("nan"))]:
        with pytest.raises(ConfigError):
            Rate(*bad)


def test_throttle_timeout_is_an_mm7_error() -> None:
    assert issubclass(ThrottleTimeout, MM7Error)


# --- single thread, fake clock -------------------------------------------------------------------


def test_try_acquire_respects_every_window() -> None:
    clock = FakeClock()
    t = Throttle([Rate(2, 1.0), Rate(3, 10.0)], clock=clock, sleep=clock.sleep)
    assert t.try_acquire()
    assert t.try_acquire()
    assert not t.try_acquire()  # per-second window full
    clock.advance(1.0)
    assert t.try_acquire()
    assert not t.try_acquire()  # per-10s window full (3 taken)
    clock.advance(8.999)
    assert not t.try_acquire()
    clock.advance(0.001)  # now 10.0: the first two leave the 10 s window
    assert t.try_acquire()
    assert t.try_acquire()
    assert not t.try_acquire()


def test_acquire_waits_until_every_window_has_room() -> None:
    clock = FakeClock()
    t = Throttle([Rate(1, 1.0), Rate(2, 5.0)], clock=clock, sleep=clock.sleep)
    assert t.acquire() == 0.0
    assert t.acquire() == pytest.approx(1.0)  # per-second window
    assert clock.now == pytest.approx(1.0)
    assert t.acquire() == pytest.approx(4.0)  # per-5s window: free again at t=5
    assert clock.now == pytest.approx(5.0)
    assert not t.try_acquire()


def test_acquire_never_rejects_without_timeout() -> None:
    clock = FakeClock()
    t = Throttle([Rate(3, 1.0)], clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(30):
        t.acquire()
        stamps.append(clock.last_read)
    assert clock.now == pytest.approx(9.0)
    assert_within(stamps, t.rates)


def test_acquire_timeout_raises_without_sleeping_in_vain() -> None:
    clock = FakeClock()
    t = Throttle([Rate(1, 60.0)], clock=clock, sleep=clock.sleep, name="acct")
    t.acquire()
    with pytest.raises(ThrottleTimeout) as info:
        t.acquire(timeout=10.0)
    assert clock.sleeps == []  # knew at once that 60 s > 10 s
    assert info.value.wait_needed == pytest.approx(60.0)
    assert info.value.waited == 0.0
    assert "acct" in str(info.value)
    with pytest.raises(ThrottleTimeout):
        t.acquire(timeout=0)
    assert t.acquire(timeout=60.0) == pytest.approx(60.0)


def test_acquire_with_enough_timeout_succeeds() -> None:
    clock = FakeClock()
    t = Throttle([Rate(1, 2.0)], clock=clock, sleep=clock.sleep)
    t.acquire()
    assert t.acquire(timeout=2.0) == pytest.approx(2.0)


def test_no_rates_never_throttles() -> None:
    clock = FakeClock()
    t = Throttle([], clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        assert t.acquire(timeout=0) == 0.0
    assert clock.sleeps == []


def test_repr() -> None:
    assert repr(Throttle([Rate(5, 1.0), Rate(100, 60.0)], name="x")) == "Throttle('x', [5/1s, 100/60s])"


@settings(max_examples=200, deadline=None)
@given(
    rates=st.lists(
        st.builds(
            Rate,
            st.integers(min_value=1, max_value=6),
            st.sampled_from([0.1, 0.25, 1.0, 3.0, 7.5]),
        ),
        min_size=1,
        max_size=3,
    ),
    ops=st.lists(
        st.tuples(st.sampled_from(["try", "acquire", "advance"]), st.floats(min_value=0, max_value=2)),
        max_size=150,
    ),
)
def test_never_exceeds_any_window_property(rates: list[Rate], ops: list[tuple[str, float]]) -> None:
    """Many simulated callers interleaving try/acquire with time passing: no window overflows."""
    clock = FakeClock()
    t = Throttle(rates, clock=clock, sleep=clock.sleep)
    stamps: list[float] = []
    for op, value in ops:
        if op == "advance":
            clock.advance(value)
        elif op == "try":
            if t.try_acquire():
                stamps.append(clock.last_read)
        else:
            t.acquire()
            stamps.append(clock.last_read)
    assert_within(stamps, rates)


# --- many threads --------------------------------------------------------------------------------


def test_many_threads_fake_clock_never_exceed() -> None:
    clock = FakeClock()
    rates = [Rate(4, 1.0), Rate(10, 5.0)]
    t = Throttle(rates, clock=clock, sleep=clock.sleep)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            t.acquire()
            stamp = clock.last_read
            with lock:
                stamps.append(stamp)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert not any(th.is_alive() for th in threads)
    assert len(stamps) == 60
    assert_within(stamps, rates)


@pytest.mark.timeout(30)
def test_many_threads_real_time_upper_bound() -> None:
    """Real threads, real sleeping, tiny windows. Only the per-window upper bound is asserted,
    on the exact timestamps the throttle used, so scheduling delays cannot make it flake."""
    local = threading.local()

    def clock() -> float:
        local.last = time.monotonic()
        return float(local.last)

    rates = [Rate(5, 0.05), Rate(12, 0.2)]
    t = Throttle(rates, clock=clock)
    stamps: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                t.acquire(timeout=20)
                stamp = local.last
                with lock:
                    stamps.append(stamp)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=25)
    assert not errors
    assert len(stamps) == 40
    assert_within(stamps, rates)


# --- process-wide registry -----------------------------------------------------------------------


def test_shared_returns_one_throttle_per_key() -> None:
    key = f"test:{uuid.uuid4()}"
    rates = [Rate(5, 1.0)]
    try:
        a = Throttle.shared(key, rates)
        b = Throttle.shared(key, list(rates))
        assert a is b
        assert a.name == key
        assert Throttle.shared(f"{key}-other", rates) is not a
        with pytest.raises(ConfigError, match="already exists"):
            Throttle.shared(key, [Rate(6, 1.0)])
    finally:
        Throttle.forget_shared(key)
        Throttle.forget_shared(f"{key}-other")
    assert Throttle.shared(key, [Rate(6, 1.0)]) is not a
    Throttle.forget_shared(key)
    Throttle.forget_shared("never-registered")  # no error


def test_shared_is_thread_safe() -> None:
    key = f"test:{uuid.uuid4()}"
    got: list[Throttle] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        th = Throttle.shared(key, [Rate(1, 1.0)])
        with lock:
            got.append(th)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=10)
    Throttle.forget_shared(key)
    assert len(got) == 16
    assert all(g is got[0] for g in got)


def test_shared_limit_applies_across_threads() -> None:
    key = f"test:{uuid.uuid4()}"
    clock = FakeClock()
    try:
        first = Throttle.shared(key, [Rate(3, 60.0)], clock=clock, sleep=clock.sleep)
        results: list[bool] = []
        lock = threading.Lock()

        def worker() -> None:
            ok = Throttle.shared(key, [Rate(3, 60.0)]).try_acquire()
            with lock:
                results.append(ok)

        threads = [threading.Thread(target=worker) for _ in range(10)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=10)
        assert results.count(True) == 3
        assert not first.try_acquire()
    finally:
        Throttle.forget_shared(key)
