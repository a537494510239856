"""A relay that says "slow down" holds the account's shared throttle (issue 18: 429 / x-ratelimit-*).

The throttle runs on a fake clock whose sleep advances it, so the waits are read exactly, not timed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import mm7
from mm7.client import MM7Client, Rate, Throttle
from mm7.client.retry import RetryPolicy
from mm7.errors import TransportError
from tests.client.conftest import LoopbackServer, Received, Reply, answer


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_a_hold_makes_every_caller_wait_and_is_never_shortened() -> None:
    fake = FakeTime()
    throttle = Throttle([Rate(100, 1.0)], clock=fake.clock, sleep=fake.sleep)
    throttle.hold(2.0)
    throttle.hold(0.5)  # shorter: the 2 s stand
    assert throttle.acquire() == pytest.approx(2.0)
    assert throttle.acquire() == 0.0  # the hold is over
    throttle.hold(-1)  # nothing
    assert throttle.acquire() == 0.0


def _first_then_ok(first: Reply) -> Callable[[Received], Reply]:
    def handler(received: Received) -> Reply:
        return first if received.index == 0 else answer(received)

    return handler


@pytest.mark.parametrize(
    ("status", "headers", "hold"),
    [
        (429, {"Retry-After": "3"}, 3.0),
        (503, {"Retry-After": "2"}, 2.0),
        (429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4"}, 4.0),
        (500, {"Retry-After": "5"}, None),  # not a "slow down": no hold
    ],
)
def test_a_slow_down_answer_holds_the_shared_throttle(
    loopback: Callable[..., LoopbackServer], status: int, headers: dict[str, str], hold: float | None
) -> None:
    server = loopback(_first_then_ok((status, {"Content-Type": "text/plain", **headers}, b"slow down")))
    fake = FakeTime()
    throttle = Throttle([Rate(100, 1.0)], clock=fake.clock, sleep=fake.sleep)
    request = mm7.submit_request(to=["15551234567"], sender="12345")
    content = [mm7.Part.from_text("hi")]
    with MM7Client(server.url, throttle=throttle, retry=RetryPolicy(total_attempts=1)) as client:
        with pytest.raises(TransportError):
            client.submit(request, content=content)
        # Another caller of the same account (here: the next call) waits out the hold first.
        client.submit(request, content=content)
    assert fake.slept == ([hold] if hold is not None else [])
