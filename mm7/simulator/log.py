"""The simulator's exchange log: every request it answered and every postback attempt it made.

Entries live in memory (:meth:`ExchangeLog.entries`, also served as JSON on ``GET /_sim/log``) and can be
appended to a JSON-lines file as they happen, so that users can ``tail -f`` what the MMSC did.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = ["Direction", "ExchangeLog", "LogEntry"]

#: ``in``: a request the simulator received; ``out``: a request the simulator sent (postback).
Direction = Literal["in", "out"]


@dataclass(frozen=True)
class LogEntry:
    """One exchange.

    Attributes:
        direction: ``"in"`` for requests received, ``"out"`` for postbacks sent.
        kind: What it was: ``submit``, ``delivery_report``, ``deliver`` (MO) or ``trigger``.
        operation: The MM7 operation (``SubmitReq``, ``DeliveryReportReq``...), when known.
        transaction_id: The request's TransactionID, when known.
        status_code: The MM7 StatusCode answered (in) or received (out), when known.
        http_status: The HTTP status answered (in) or received (out); 0 when no answer came.
        ok: Whether the exchange succeeded.
        message_id: The MessageID involved (SubmitRsp / DeliveryReportReq), if any.
        recipient: The recipient number involved, if any.
        mm_status: The MMStatus of a delivery report, if any.
        attempt: The postback attempt (1 = first try, 2 = first retry...); 1 for requests received.
        detail: A one-line explanation (error reason, URL...).
        at: Unix time of the exchange.
    """

    direction: Direction
    kind: str
    operation: str | None = None
    transaction_id: str | None = None
    status_code: int | None = None
    http_status: int = 0
    ok: bool = False
    message_id: str | None = None
    recipient: str | None = None
    mm_status: str | None = None
    attempt: int = 1
    detail: str = ""
    at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        return {name: getattr(self, name) for name in _FIELD_NAMES}


#: LogEntry's fields, in order (every value is a JSON scalar: no deep copy needed, unlike ``asdict``).
_FIELD_NAMES = tuple(f.name for f in fields(LogEntry))


class ExchangeLog:
    """A thread-safe, append-only list of :class:`LogEntry`, optionally mirrored to a JSON-lines file.

    Args:
        path: A file to append one JSON object per entry to (created if missing), or None.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self._entries: list[LogEntry] = []
        self._lock = threading.Condition()
        self._path = Path(path) if path is not None else None

    def add(self, entry: LogEntry) -> LogEntry:
        """Append an entry (and write it to the file, if any).

        Args:
            entry: The entry.

        Returns:
            The same entry.
        """
        with self._lock:
            self._entries.append(entry)
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry.to_dict(), sort_keys=True) + "\n")
            self._lock.notify_all()
        return entry

    def entries(self, **match: Any) -> list[LogEntry]:
        """Return a copy of the entries, optionally only those whose attributes equal ``match``.

        Args:
            **match: Attribute values to filter on, e.g. ``kind="delivery_report", ok=True``.

        Returns:
            The matching entries, oldest first.
        """
        with self._lock:
            entries = list(self._entries)
        return [e for e in entries if all(getattr(e, k) == v for k, v in match.items())]

    def to_json(self) -> list[dict[str, Any]]:
        """All entries as JSON-ready dicts."""
        return [entry.to_dict() for entry in self.entries()]

    def wait_for(self, predicate: Callable[[list[LogEntry]], bool], timeout: float) -> bool:
        """Block until ``predicate(entries)`` is true or ``timeout`` seconds pass.

        Args:
            predicate: Called with a snapshot of the entries after each new entry.
            timeout: Deadline in seconds.

        Returns:
            Whether the predicate became true in time.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(list(self._entries)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
