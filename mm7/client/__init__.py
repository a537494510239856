"""MM7 client: send MM7 requests over HTTP, with carrier profiles, safe retries, throttling and bulk sends.

::

    from mm7.client import MM7Client

    with MM7Client.for_sinch(api_key="KEY", vas_id="12345mms", short_code="12345") as client:
        request = client.sinch.submit_request("15551234567", subject="Hello")
        result = client.submit(request, content=[mm7.Part.from_text("Hi!")])
        result.message_id

See ``docs/client.md`` for TLS, retries, throttling, the resumable bulk sender, and pinning the namespace
revision and MM7Version a relay expects (``MM7Client(..., dialect=Dialect.for_revision("REL-5-MM7-1-0"))``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mm7.client._client import ClientOptions, MM7Client, SubmitResult
from mm7.client._transport import (
    DeadlineExceeded,
    FunctionTransport,
    HTTPRequest,
    HTTPResponse,
    RequestsTransport,
    Timeout,
    Transport,
)
from mm7.client.auth import Auth, BasicAuth, BearerAuth, DigestAuth
from mm7.client.retry import RetryDecision, RetryPolicy, RetryState
from mm7.client.throttle import Rate, Throttle, ThrottleTimeout
from mm7.codec.versions import Dialect

if TYPE_CHECKING:
    from mm7.client._async import AiohttpTransport, AsyncClientOptions, AsyncMM7Client, AsyncTransport

__all__ = [
    "AiohttpTransport",
    "AsyncClientOptions",
    "AsyncMM7Client",
    "AsyncTransport",
    "Auth",
    "BasicAuth",
    "BearerAuth",
    "ClientOptions",
    "DeadlineExceeded",
    "Dialect",
    "DigestAuth",
    "FunctionTransport",
    "HTTPRequest",
    "HTTPResponse",
    "MM7Client",
    "Rate",
    "RequestsTransport",
    "RetryDecision",
    "RetryPolicy",
    "RetryState",
    "SubmitResult",
    "Throttle",
    "ThrottleTimeout",
    "Timeout",
    "Transport",
]

# Imported on first use: they need aiohttp, which a sync-only user never loads.
_LAZY = {"AsyncMM7Client", "AsyncClientOptions", "AsyncTransport", "AiohttpTransport"}


def _present(value: object) -> None:
    """Classes defined in private modules present themselves as this package's (repr, docs, pickling)."""
    if isinstance(value, type) and value.__module__.startswith("mm7.client._"):
        value.__module__ = __name__


for _name in __all__:
    if _name not in _LAZY:
        _present(globals()[_name])
del _name


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from mm7.client import _async
    except ModuleNotFoundError as exc:  # pragma: no cover - the test extra installs aiohttp
        if exc.name != "aiohttp":
            raise
        raise ImportError(f"mm7.client.{name} needs aiohttp: pip install 'mm7[async]'") from exc

    value = getattr(_async, name)
    _present(value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
