"""Tests of mm7.metrics: the client, receiver and worker metrics and the structured log fields."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families


def value(name: str, **labels: str) -> float:
    """A sample of this process's default registry (0 when the series does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def series(names: Iterable[str], prefix: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every (sample name, labels) of the metrics whose name starts with ``prefix``."""
    return {(name, labels) for name, labels in names if name.startswith(prefix)}


def process_series(prefix: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """The series of this process's default registry whose name starts with ``prefix``."""
    return series(
        ((s.name, tuple(sorted(s.labels.items()))) for m in REGISTRY.collect() for s in m.samples), prefix
    )


def scraped(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A Prometheus text exposition as {(sample name, sorted labels): value} (parsed by prometheus_client)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def sample(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """One sample of a scrape (0 when absent)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def has_no_id(text: str, ids: Iterable[str]) -> bool:
    """Whether none of ``ids`` appears anywhere in an exposition."""
    return not any(re.search(re.escape(i), text) for i in ids)


class Records(logging.Handler):
    """A handler keeping every record it is given."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured(name: str, level: int = logging.DEBUG) -> Iterator[Records]:
    """The records of logger ``name`` at ``level`` and above while the block runs."""
    logger = logging.getLogger(name)
    handler, before = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)
