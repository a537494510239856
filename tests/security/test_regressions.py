"""Replay every saved fuzz crash / hostile input in ``tests/security/regressions/``.

File format (shared with ``fuzz/fuzz_decode.py``): the first line is the HTTP Content-Type (an empty line
means none), the rest is the body. ``scripts/fuzz`` saves crashing inputs here; once the bug is fixed the
file stays as a regression test. Only :class:`~mm7.errors.MM7Error` subclasses may come out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security import REGRESSIONS, assert_bounded, decode_outcome, read_regression

FILES = sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p.name != "README.md")


def test_there_are_regression_fixtures() -> None:
    assert FILES, f"no fixtures in {REGRESSIONS}"


@pytest.mark.parametrize("mode", ["strict", "tolerant"])
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_regression_input_raises_only_mm7_errors(path: Path, mode: str) -> None:
    body, content_type = read_regression(path)
    assert_bounded(decode_outcome(body, content_type, mode=mode), max_seconds=5.0)
