"""Tests for mm7.client.retry: what is retried, back-off, Retry-After and the deadline."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mm7.client.retry import RetryDecision, RetryPolicy, RetryState, parse_retry_after
from mm7.codec.status import SINCH, THREEGPP, error_for_status
from mm7.errors import ConfigError, TransportError

NOW = 1000.0
EPOCH = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()


def policy(**kw: object) -> RetryPolicy:
    defaults: dict[str, object] = {"jitter": False, "rng": random.Random(0), "status_table": SINCH}
    defaults.update(kw)
    return RetryPolicy(**defaults)  # type: ignore[arg-type]


def decide(p: RetryPolicy, state: RetryState | None = None, **kw: object) -> RetryDecision:
    state = state or p.start(now=NOW)
    kw.setdefault("now", NOW)
    kw.setdefault("now_epoch", EPOCH)
    return p.decide(attempt_state=state, **kw)  # type: ignore[arg-type]


# --- the policy object ---------------------------------------------------------------------------


def test_policy_is_frozen_hashable_and_readable() -> None:
    p = RetryPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.total_attempts = 9  # type: ignore[misc]
    assert hash(p) == hash(RetryPolicy())
    text = repr(p)
    assert text.startswith("RetryPolicy(total_attempts=4")
    assert "retry_ambiguous=False" in text
    assert "StatusTable('3gpp'" in text
    assert "rng" not in text
    assert p.retry_on_http_status == frozenset({429, 503})
    assert p.retry_ambiguous is False
    assert p.respect_retry_after is True


def test_policy_accepts_a_plain_set_of_statuses() -> None:
    p = RetryPolicy(retry_on_http_status={502, 503})  # type: ignore[arg-type]
    assert p.retry_on_http_status == frozenset({502, 503})
    hash(p)


@pytest.mark.parametrize(
    "kw",
    [
        {"total_attempts": 0},
        {"backoff_base": -1.0},
        {"backoff_max": -0.1},
        {"deadline": -5.0},
        {"max_bounded_retries": -1},
    ],
)
def test_policy_validation(kw: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        RetryPolicy(**kw)  # type: ignore[arg-type]


def test_state_advances_by_returning_new_objects() -> None:
    s0 = RetryState(started_at=5.0)
    s1 = s0.advance()
    s2 = s1.advance(bounded=True)
    assert (s0.attempts, s0.bounded_retries) == (1, 0)
    assert (s1.attempts, s1.bounded_retries) == (2, 0)
    assert (s2.attempts, s2.bounded_retries, s2.started_at) == (3, 1, 5.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s0.attempts = 2  # type: ignore[misc]


def test_no_retry_policy() -> None:
    d = decide(RetryPolicy.no_retry(), request_sent=False)
    assert not d.retry
    assert "attempts" in d.reason


# --- what is retried -----------------------------------------------------------------------------


def test_connection_failure_before_sending_is_retried() -> None:
    d = decide(policy(), request_sent=False)
    assert d.retry
    assert d.delay == 0.5
    assert d.state.attempts == 2
    assert "not sent" in d.reason


@pytest.mark.parametrize("sent", [True, None])
def test_ambiguous_failure_not_retried_by_default(sent: bool | None) -> None:
    d = decide(policy(), request_sent=sent)
    assert not d.retry
    assert "duplicate" in d.reason
    assert d.state.attempts == 1  # unchanged
    assert d.delay == 0.0


@pytest.mark.parametrize("sent", [True, None])
def test_ambiguous_failure_retried_when_opted_in(sent: bool | None) -> None:
    d = decide(policy(retry_ambiguous=True), request_sent=sent)
    assert d.retry


@pytest.mark.parametrize("http", [429, 503])
def test_retryable_http_status(http: int) -> None:
    d = decide(policy(), http_status=http, request_sent=True)
    assert d.retry
    assert str(http) in d.reason


@pytest.mark.parametrize("http", [400, 401, 404, 500, 502, 504])
def test_other_http_status_not_retried(http: int) -> None:
    assert not decide(policy(), http_status=http, request_sent=True).retry


def test_custom_http_statuses() -> None:
    p = policy(retry_on_http_status=frozenset({502}))
    assert decide(p, http_status=502).retry
    assert not decide(p, http_status=503).retry


@pytest.mark.parametrize("code", [2569, 3500, 3510, 4006, 3000])
def test_sinch_retryable_statuses(code: int) -> None:
    d = decide(policy(), mm7_status=code, http_status=500, request_sent=True)
    assert d.retry, d.reason
    assert "sinch" in d.reason


@pytest.mark.parametrize("code", [2000, 2002, 2007, 2505, 2568, 3001, 3002, 4004, 4007, 1000, 1100, 5000, 42])
def test_sinch_non_retryable_statuses(code: int) -> None:
    d = decide(policy(retry_ambiguous=True), mm7_status=code, http_status=503, request_sent=False)
    assert not d.retry, d.reason


def test_3001_never_retried_even_with_everything_permissive() -> None:
    p = policy(retry_ambiguous=True, total_attempts=100, max_bounded_retries=100)
    assert not decide(p, mm7_status=3001, http_status=503, request_sent=False).retry


def test_mm7_status_decides_over_http_status() -> None:
    # A 503 carrying a validation error: the MM7 status says the request is wrong.
    assert not decide(policy(), mm7_status=4004, http_status=503).retry
    # A 500 (how Sinch sends Faults) carrying 3510: retry.
    assert decide(policy(), mm7_status=3510, http_status=500).retry


def test_table_matters() -> None:
    assert decide(policy(status_table=SINCH), mm7_status=3500).retry
    assert not decide(policy(status_table=THREEGPP), mm7_status=3500).retry  # a plain 3xxx in 3GPP
    assert decide(policy(status_table=THREEGPP), mm7_status=4006).retry


def test_bounded_status_retried_at_most_max_bounded_retries() -> None:
    p = policy(total_attempts=10, max_bounded_retries=2)
    state = p.start(now=NOW)
    retries = 0
    while True:
        d = decide(p, state, mm7_status=3000)
        if not d.retry:
            break
        retries += 1
        state = d.state
    assert retries == 2
    assert state.bounded_retries == 2
    assert "at most 2" in d.reason
    # Unbounded retryable statuses are still allowed after the bounded budget is spent.
    assert decide(p, state, mm7_status=3500).retry


def test_zero_bounded_retries() -> None:
    assert not decide(policy(max_bounded_retries=0), mm7_status=3000).retry


def test_total_attempts_counts_the_first() -> None:
    p = policy(total_attempts=3)
    state = p.start(now=NOW)
    attempts = 1
    while (d := decide(p, state, request_sent=False)).retry:
        state = d.state
        attempts += 1
    assert attempts == 3


def test_information_taken_from_error() -> None:
    p = policy()
    assert decide(p, error=TransportError("refused", request_sent=False)).retry
    assert not decide(p, error=TransportError("read timeout", request_sent=True)).retry
    assert not decide(p, error=TransportError("read timeout")).retry
    assert decide(p, error=TransportError("busy", http_status=503, request_sent=True)).retry
    assert decide(p, error=error_for_status(3510, "x", table=SINCH)).retry
    assert not decide(p, error=error_for_status(3001, "x", table=SINCH)).retry
    assert not decide(p, error=ValueError("bug")).retry
    # Explicit arguments win over the error's attributes.
    assert not decide(p, error=TransportError("x", request_sent=False), request_sent=True).retry


# --- delays --------------------------------------------------------------------------------------


def test_exponential_backoff_without_jitter() -> None:
    p = policy(backoff_base=0.5, backoff_max=3.0, total_attempts=10, deadline=None)
    state = p.start(now=NOW)
    delays = []
    for _ in range(6):
        d = decide(p, state, request_sent=False)
        delays.append(d.delay)
        state = d.state
    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_backoff_huge_retry_number_does_not_overflow() -> None:
    assert policy(backoff_max=7.0).backoff(10_000) == 7.0


def test_full_jitter_uses_injected_rng() -> None:
    a = RetryPolicy(rng=random.Random(42))
    b = RetryPolicy(rng=random.Random(42))
    da = [a.backoff(n) for n in range(1, 8)]
    db = [b.backoff(n) for n in range(1, 8)]
    assert da == db
    assert all(0 <= x <= min(30.0, 0.5 * 2 ** (n - 1)) for n, x in enumerate(da, 1))
    assert len(set(da)) > 1


def test_forceful_backoff_draws_upper_half() -> None:
    p = RetryPolicy(rng=random.Random(1), backoff_base=4.0)
    for _ in range(200):
        assert 2.0 <= p.backoff(1, forceful=True) <= 4.0


def test_throttling_status_gets_a_real_backoff() -> None:
    p = RetryPolicy(rng=random.Random(3), status_table=SINCH, backoff_base=2.0)
    for _ in range(100):
        d = p.decide(attempt_state=p.start(now=0.0), mm7_status=3510, now=0.0)
        assert 1.0 <= d.delay <= 2.0


# --- Retry-After ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 120 ", 120.0),
        (None, None),
        ("", None),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("٣", None),  # non-ASCII digit
        ("Wed, 01 May 2024 12:00:30 GMT", 30.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past
        ("Wed, 01 May 2024 12:00:30 -0000", None),  # naive: not an HTTP-date
        ("Wed, 99 Foo 2024 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now_epoch=EPOCH) == expected


def test_retry_after_seconds_used_and_capped() -> None:
    p = policy(backoff_max=30.0)
    assert decide(p, http_status=429, retry_after_header="12").delay == 12.0
    assert decide(p, http_status=429, retry_after_header="100").delay == 30.0
    assert decide(p, http_status=429, retry_after_header="garbage").delay == 0.5  # ignored -> backoff
    assert decide(p, http_status=429, retry_after_header="-3").delay == 0.5


def test_retry_after_http_date() -> None:
    when = datetime.fromtimestamp(EPOCH, UTC) + timedelta(seconds=20)
    d = decide(policy(), http_status=503, retry_after_header=format_datetime(when, usegmt=True))
    assert d.retry
    assert d.delay == 20.0
    assert "Retry-After" in d.reason


def test_retry_after_ignored_when_not_respected() -> None:
    d = decide(policy(respect_retry_after=False), http_status=503, retry_after_header="20")
    assert d.delay == 0.5


def test_retry_after_does_not_make_a_non_retryable_failure_retryable() -> None:
    assert not decide(policy(), http_status=500, retry_after_header="1").retry
    assert not decide(policy(), mm7_status=2002, retry_after_header="1").retry


def test_retry_after_beyond_deadline_stops() -> None:
    p = policy(deadline=60.0)
    state = p.start(now=NOW)
    d = decide(p, state, http_status=503, retry_after_header="25", now=NOW + 50)
    assert not d.retry
    assert "deadline" in d.reason


# --- deadline ------------------------------------------------------------------------------------


def test_no_retry_after_deadline() -> None:
    p = policy(deadline=10.0)
    state = p.start(now=NOW)
    assert decide(p, state, request_sent=False, now=NOW + 9.9).retry
    d = decide(p, state, request_sent=False, now=NOW + 10.0)
    assert not d.retry
    assert "deadline" in d.reason


def test_backoff_capped_to_remaining_time() -> None:
    p = policy(deadline=10.0, backoff_base=8.0)
    d = decide(p, p.start(now=NOW), request_sent=False, now=NOW + 9.0)
    assert d.retry
    assert d.delay == pytest.approx(1.0)


def test_no_deadline() -> None:
    p = policy(deadline=None, total_attempts=2)
    assert decide(p, p.start(now=0.0), request_sent=False, now=1e9).retry


@given(
    base=st.floats(min_value=0, max_value=100, allow_nan=False),
    cap=st.floats(min_value=0, max_value=300, allow_nan=False),
    deadline=st.one_of(st.none(), st.floats(min_value=0, max_value=1000, allow_nan=False)),
    elapsed=st.floats(min_value=0, max_value=2000, allow_nan=False),
    attempts=st.integers(min_value=1, max_value=200),
    seed=st.integers(min_value=0, max_value=2**32),
    jitter=st.booleans(),
    header=st.one_of(st.none(), st.integers(min_value=-100, max_value=10_000).map(str), st.text(max_size=10)),
    kind=st.sampled_from(["unsent", "http429", "sinch3510", "sinch3000", "sinch2569"]),
)
def test_delay_always_within_bounds_and_deadline(
    base: float,
    cap: float,
    deadline: float | None,
    elapsed: float,
    attempts: int,
    seed: int,
    jitter: bool,
    header: str | None,
    kind: str,
) -> None:
    p = RetryPolicy(
        total_attempts=1000,
        backoff_base=base,
        backoff_max=cap,
        deadline=deadline,
        jitter=jitter,
        rng=random.Random(seed),
        status_table=SINCH,
        max_bounded_retries=1000,
    )
    state = RetryState(started_at=NOW, attempts=attempts)
    kinds: dict[str, dict[str, object]] = {
        "unsent": {"request_sent": False},
        "http429": {"http_status": 429},
        "sinch3510": {"mm7_status": 3510},
        "sinch3000": {"mm7_status": 3000},
        "sinch2569": {"mm7_status": 2569},
    }
    args = kinds[kind]
    now = NOW + elapsed
    d = p.decide(attempt_state=state, retry_after_header=header, now=now, now_epoch=EPOCH, **args)  # type: ignore[arg-type]
    assert 0.0 <= d.delay <= cap
    if deadline is not None:
        if elapsed >= deadline:
            assert not d.retry
        if d.retry:
            assert now + d.delay <= NOW + deadline + 1e-9
    if d.retry:
        assert d.state.attempts == attempts + 1
    else:
        assert d.delay == 0.0
        assert d.state is state
