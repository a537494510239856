"""The relay the capture tests send to: ``mm7 simulate`` started the way users start it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli import Background


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """``mm7 simulate --port 0``: its MM7 URL."""
    simulator = Background(["simulate", "--port", "0"])
    try:
        yield simulator.wait_line("listening on").split()[-1]
    finally:
        assert simulator.stop() == 0
