"""Durable, deduplicating inbox for received MM7 notifications, with leased work items.

The receiver calls :meth:`Inbox.put` before it acknowledges the MMSC; workers later
:meth:`Inbox.claim` items and :meth:`Inbox.ack` or :meth:`Inbox.fail` them. Two backends:
:class:`SQLiteInbox` (stdlib) and ``PostgresInbox`` (needs ``pip install 'mm7[postgres]'``;
imported lazily so that the SQLite backend works without psycopg).

Example::

    from mm7.inbox import open_inbox

    with open_inbox("sqlite:///var/mm7/inbox.db") as inbox:
        for item in inbox.claim("worker-1", lease_seconds=120):
            handle(item)
            inbox.ack(item.id, "worker-1")
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from mm7.errors import ConfigError
from mm7.inbox.base import (
    DEFAULT_MAX_ATTACHMENT_SIZE,
    FINAL_MM_STATUSES,
    NON_FINAL_MM_STATUSES,
    Attachment,
    AttachmentTooLargeError,
    DeliveryStatus,
    Inbox,
    InboxError,
    LeaseLostError,
    Notification,
    NotificationKind,
    NotificationState,
    PutResult,
    StorageError,
    StoredNotification,
    StreamedData,
    dedupe_key_for,
    dedupe_key_for_deliver,
    dedupe_key_for_delivery_report,
    dedupe_key_for_read_reply,
)
from mm7.inbox.sqlite import SQLiteInbox

if TYPE_CHECKING:
    from mm7.inbox.postgres import PostgresInbox as PostgresInbox

# PostgresInbox is reachable as mm7.inbox.PostgresInbox (lazily, see __getattr__) but is not in
# __all__: "from mm7.inbox import *" must keep working without the optional psycopg.
__all__ = [
    "DEFAULT_MAX_ATTACHMENT_SIZE",
    "FINAL_MM_STATUSES",
    "NON_FINAL_MM_STATUSES",
    "Attachment",
    "AttachmentTooLargeError",
    "DeliveryStatus",
    "Inbox",
    "InboxError",
    "LeaseLostError",
    "Notification",
    "NotificationKind",
    "NotificationState",
    "PutResult",
    "SQLiteInbox",
    "StorageError",
    "StoredNotification",
    "StreamedData",
    "dedupe_key_for",
    "dedupe_key_for_deliver",
    "dedupe_key_for_delivery_report",
    "dedupe_key_for_read_reply",
    "open_inbox",
]


def __getattr__(name: str) -> Any:
    # PostgresInbox needs psycopg, an optional dependency: import it only when asked for.
    if name == "PostgresInbox":
        from mm7.inbox.postgres import PostgresInbox

        return PostgresInbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_TRUE = {"1", "true", "yes", "on"}
_CONNINFO = re.compile(r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode)\s*=", re.IGNORECASE)


def open_inbox(
    url: str,
    *,
    max_attachment_size: int = DEFAULT_MAX_ATTACHMENT_SIZE,
    read_only: bool = False,
) -> Inbox:
    """Open (and create or migrate) the inbox at ``url``.

    Accepted forms:

    * ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db`` (SQLAlchemy's
      convention: the path is what follows ``sqlite:///``); ``?mode=ro`` opens it read-only.
    * A bare filesystem path (no ``scheme://``): an SQLite file.
    * ``postgresql://...`` or ``postgres://...``: a libpq URL, passed to psycopg (without mm7's own
      ``group_commit`` parameter).

    Both URL forms take ``group_commit=on`` or ``off`` (also ``1``/``0``, ``true``/``false``, ``yes``/``no``)
    in the query string: whether concurrent puts share commits (see :class:`SQLiteInbox`); by default on
    for SQLite, off for PostgreSQL.

    Args:
        url: Where the inbox lives.
        max_attachment_size: Largest attachment stored, in bytes.
        read_only: Open without write access (no schema creation or migration).

    Returns:
        A :class:`SQLiteInbox` or ``PostgresInbox``.

    Raises:
        ConfigError: Unknown URL scheme, or psycopg missing for a PostgreSQL URL.
        StorageError: The database cannot be opened or migrated.
    """
    url, group_commit = _take_group_commit(url)
    extra: dict[str, Any] = {} if group_commit is None else {"group_commit": group_commit}
    if "://" not in url:
        if not url or url == ":memory:":
            # Each thread would get its own empty in-memory database: not an inbox.
            raise ConfigError(f"an inbox needs a file path or database URL, got {url!r}")
        if _CONNINFO.match(url):
            # "host=... dbname=..." is a libpq string, not a file name: refuse rather than
            # silently create an SQLite file with that name.
            raise ConfigError(f"use a postgresql:// URL instead of a key=value connection string: {url!r}")
        return SQLiteInbox(url, max_attachment_size=max_attachment_size, read_only=read_only, **extra)
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise ConfigError(f"SQLite inbox URL must look like sqlite:///path.db, got {url!r}")
        path, _, query = rest[1:].partition("?")
        options = urllib.parse.parse_qs(query)
        ro = read_only or options.get("mode", [""])[-1] == "ro"
        ro = ro or options.get("read_only", [""])[-1].lower() in _TRUE
        if not path or path == ":memory:":
            raise ConfigError(f"an inbox needs a file path, got {url!r}")
        return SQLiteInbox(
            urllib.parse.unquote(path),
            max_attachment_size=max_attachment_size,
            read_only=ro,
            **extra,
        )
    if scheme in ("postgresql", "postgres"):
        from mm7.inbox.postgres import PostgresInbox  # raises ConfigError without psycopg

        return PostgresInbox(url, max_attachment_size=max_attachment_size, read_only=read_only, **extra)
    raise ConfigError(f"unknown inbox URL scheme {scheme!r} in {url!r}: use sqlite:/// or postgresql://")


_FALSE = {"0", "false", "no", "off"}


def _take_group_commit(url: str) -> tuple[str, bool | None]:
    """``url`` without its ``group_commit`` query parameter, and that parameter's value (None: absent)."""
    if "://" not in url or "?" not in url:
        return url, None
    base, _, query = url.partition("?")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    values = [v.strip().lower() for k, v in pairs if k == "group_commit"]
    if not values:
        return url, None
    if values[-1] not in _TRUE | _FALSE:
        raise ConfigError(f"group_commit must be on or off, got {values[-1]!r} in {url!r}")
    rest = urllib.parse.urlencode([(k, v) for k, v in pairs if k != "group_commit"])
    return (f"{base}?{rest}" if rest else base), values[-1] in _TRUE
