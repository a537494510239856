"""Fixtures for the inbox tests: the same suite runs on SQLite and on PostgreSQL.

PostgreSQL: set ``MM7_TEST_POSTGRES_DSN`` to a server where the user may CREATE DATABASE; each
test gets its own fresh database. Without it, ``scripts/pg-server`` starts a throw-away server
for the session. If that fails, the PostgreSQL tests FAIL (they are never skipped: a missing
database must not look like a passing suite).
"""

from __future__ import annotations

import os
import re
import subprocess
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mm7.inbox import Attachment, Inbox, Notification, NotificationKind, PutResult, dedupe_key_for, open_inbox

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = ROOT / "scripts" / "pg-server"
NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """DSN of a PostgreSQL server for the session (from the environment, or started here)."""
    dsn = os.environ.get("MM7_TEST_POSTGRES_DSN")
    if dsn:
        yield dsn
        return
    try:
        proc = subprocess.run(
            [str(PG_SERVER), "start"],
            capture_output=True,
            text=True,
            timeout=600,
            env={k: v for k, v in os.environ.items() if k != "MM7_PG_STATE_DIR"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"could not run {PG_SERVER} start: {exc}", pytrace=False)
    if proc.returncode != 0:
        pytest.fail(
            f"{PG_SERVER} start failed (exit {proc.returncode}); MM7_TEST_POSTGRES_DSN is not set.\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}",
            pytrace=False,
        )
    exports = dict(re.findall(r"^export (\w+)='([^']*)'$", proc.stdout, re.MULTILINE))
    state_dir = exports.get("MM7_PG_STATE_DIR")
    dsn = exports.get("MM7_TEST_POSTGRES_DSN")
    if not dsn or not state_dir:
        pytest.fail(f"{PG_SERVER} start printed no DSN:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    try:
        yield dsn
    finally:
        stopped = subprocess.run(
            [str(PG_SERVER), "stop", state_dir], capture_output=True, text=True, timeout=120
        )
    if stopped.returncode != 0:  # e.g. the postmaster would not exit: its data directory was kept
        pytest.fail(f"{PG_SERVER} stop failed (exit {stopped.returncode}):\n{stopped.stderr}", pytrace=False)


def _with_dbname(dsn: str, dbname: str) -> str:
    """Return a ``postgresql://`` URL for database ``dbname`` on the server of ``dsn``.

    Every other connection parameter goes in the query string (libpq accepts any keyword there),
    so this works whether ``dsn`` is a URL or a ``key=value`` string.
    """
    from psycopg.conninfo import conninfo_to_dict

    params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if k != "dbname"}
    query = urllib.parse.urlencode(params)
    return f"postgresql:///{urllib.parse.quote(dbname)}" + (f"?{query}" if query else "")


@pytest.fixture
def pg_url(pg_admin_dsn: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    try:
        import psycopg
    except ImportError as exc:
        pytest.fail(f"psycopg is not installed (pip install 'mm7[postgres]'): {exc}", pytrace=False)
    name = f"mm7_inbox_{uuid.uuid4().hex[:16]}"
    try:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.fail(f"cannot create a test database on {pg_admin_dsn}: {exc}", pytrace=False)
    try:
        yield _with_dbname(pg_admin_dsn, name)
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the backend under test."""
    return str(request.param)


@pytest.fixture
def inbox_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh, empty inbox of the backend under test (not opened yet)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'inbox' / 'inbox.db'}"
    url = str(request.getfixturevalue("pg_url"))
    assert url.startswith("postgresql://")
    return url


@pytest.fixture
def inbox(inbox_url: str, backend: str) -> Iterator[Inbox]:
    """An open, empty inbox of the backend under test."""
    ib = open_inbox(inbox_url)
    assert type(ib).__name__ == {"sqlite": "SQLiteInbox", "postgres": "PostgresInbox"}[backend]
    try:
        yield ib
    finally:
        ib.close()


def make_dr(
    message_id: str = "msg-1",
    mm_status: str = "Retrieved",
    date: datetime | None = None,
    *,
    recipient: str = "15553199144",
    transaction_id: str = "tx-dr-1",
) -> Notification:
    """A delivery report notification."""
    date = date or datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    return Notification(
        kind=NotificationKind.DELIVERY_REPORT,
        dedupe_key=dedupe_key_for(
            NotificationKind.DELIVERY_REPORT,
            transaction_id=transaction_id,
            message_id=message_id,
            recipient=recipient,
            mm_status=mm_status,
            date=date,
        ),
        transaction_id=transaction_id,
        mm7_version="6.8.0",
        namespace=NS,
        message_id=message_id,
        sender="12345",
        recipient=recipient,
        mm_status=mm_status,
        status_text="Success" if mm_status == "Retrieved" else None,
        event_date=date,
        envelope=b"<env:Envelope>dr</env:Envelope>",
        headers={"X-Mblox-Carrier-Id": "0001470"},
    )


def make_mo(
    linked_id: str = "link-1", *, transaction_id: str = "tx-mo-1", n_attachments: int = 2
) -> Notification:
    """A mobile-originated DeliverReq notification with binary attachments."""
    return Notification(
        kind=NotificationKind.DELIVER,
        dedupe_key=dedupe_key_for(
            NotificationKind.DELIVER, transaction_id=transaction_id, linked_id=linked_id, sender="15553199144"
        ),
        transaction_id=transaction_id,
        mm7_version="5.3.0",
        namespace=NS,
        sender="15553199144",
        recipient="12345",
        event_date=datetime(2024, 5, 1, 11, 59, 30, 123456, tzinfo=UTC),
        envelope=b'<?xml version="1.0"?><env:Envelope>\xc3\xa9</env:Envelope>',
        attachments=[
            Attachment(
                f"part{i}@mm7",
                "image/jpeg" if i else "text/plain; charset=utf-8",
                None,
                bytes(range(256)) * (i + 1),
            )
            for i in range(n_attachments)
        ],
    )


def count_batches(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the multi-row transactions (``_put_batch``) the SQL inbox runs from now on."""
    from mm7.inbox._sql import SQLInbox, _PendingPut

    assert isinstance(inbox, SQLInbox)
    sizes: list[int] = []
    batch = inbox._put_batch

    def counted(items: Sequence[_PendingPut]) -> list[PutResult]:
        sizes.append(len(items))
        return batch(items)

    monkeypatch.setattr(inbox, "_put_batch", counted)
    return sizes
