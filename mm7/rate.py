"""A carrier's throughput limit: at most ``count`` requests in any ``per_seconds`` interval.

Carrier profiles state their limits as :class:`Rate` values and the client's
:class:`~mm7.client.throttle.Throttle` enforces them. It lives here, outside both packages, so that
:mod:`mm7.profiles` does not import :mod:`mm7.client` (the client imports the profiles, not the other
way round). ``mm7.client.Rate`` and ``mm7.client.throttle.Rate`` are the same class.
"""

from __future__ import annotations

from dataclasses import dataclass

from mm7.errors import ConfigError

__all__ = ["Rate"]


@dataclass(frozen=True, slots=True)
class Rate:
    """At most ``count`` requests in any ``per_seconds`` interval.

    Attributes:
        count: Requests allowed per window (>= 1).
        per_seconds: Window length in seconds (> 0).
    """

    count: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigError(f"Rate.count must be >= 1, got {self.count}")
        if not self.per_seconds > 0:
            raise ConfigError(f"Rate.per_seconds must be > 0, got {self.per_seconds}")

    @classmethod
    def per_second(cls, count: int) -> Rate:
        """Return ``count`` requests per second."""
        return cls(count, 1.0)

    @classmethod
    def per_minute(cls, count: int) -> Rate:
        """Return ``count`` requests per minute."""
        return cls(count, 60.0)

    @classmethod
    def per_day(cls, count: int) -> Rate:
        """Return ``count`` requests per day (86 400 s, a sliding day, not a calendar day)."""
        return cls(count, 86_400.0)

    def __str__(self) -> str:
        return f"{self.count}/{self.per_seconds:g}s"
