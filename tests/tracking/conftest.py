"""Fixtures of the tracker tests: each store test runs on SQLite and on PostgreSQL (never skipped)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mm7.tracking import Tracker
from tests.inbox.conftest import pg_admin_dsn, pg_url  # noqa: F401 - the PostgreSQL fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh inbox database of the backend under test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'inbox.db'}"
    url = str(request.getfixturevalue("pg_url"))
    assert url.startswith("postgresql://")
    return url


@pytest.fixture
def tracker(store_url: str) -> Iterator[Tracker]:
    """An open tracker in a fresh database."""
    with Tracker.open(store_url) as opened:
        yield opened
