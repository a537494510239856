"""WSGI apps that gunicorn loads for workload 5 (``module:factory()`` syntax).

* ``mm7_app()``: the mm7 receiver, ``mm7.server.make_app(inbox_url=$MM7_BENCH_INBOX_URL)``.
* ``bare_app``: the floor: reads the body and returns a fixed DeliveryReportRsp, no decoding, no storage.
* ``mm7_app_storing_nothing()``: a diagnostic, the mm7 receiver on an inbox that stores nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

_FIXED = (
    b"<?xml version='1.0' encoding='UTF-8'?>\n"
    b'<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" '
    b'xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">'
    b'<env:Header><mm7:TransactionID env:mustUnderstand="1">fixed</mm7:TransactionID></env:Header>'
    b"<env:Body><mm7:DeliveryReportRsp><mm7:MM7Version>6.8.0</mm7:MM7Version><mm7:Status>"
    b"<mm7:StatusCode>1000</mm7:StatusCode><mm7:StatusText>Success</mm7:StatusText></mm7:Status>"
    b"</mm7:DeliveryReportRsp></env:Body></env:Envelope>"
)


def mm7_app() -> Any:
    from mm7.server import make_app

    return make_app(inbox_url=os.environ["MM7_BENCH_INBOX_URL"])


class _StoringNothing:
    """An inbox that acknowledges every notification without storing it (diagnostic only: never durable)."""

    def put(self, notification: Any) -> Any:
        from mm7.inbox import PutResult

        return PutResult(id=1, created=True)

    def put_many(self, notifications: Any) -> list[Any]:
        return [self.put(n) for n in notifications]

    def close(self) -> None:
        """Nothing to close."""


def mm7_app_storing_nothing() -> Any:
    """The mm7 receiver on an inbox that stores nothing: what the receiver costs without its storage."""
    from mm7.server import ReceiverApp

    return ReceiverApp(_StoringNothing())  # type: ignore[arg-type]


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response(
        "200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(_FIXED)))]
    )
    return [_FIXED]
