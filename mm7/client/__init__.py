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
from mm7.client.retry import RetryDecision, RetryPolicy, RetryState
from mm7.client.throttle import Rate, Throttle, ThrottleTimeout
from mm7.codec.versions import Dialect

__all__ = [
    "ClientOptions",
    "DeadlineExceeded",
    "Dialect",
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

# The classes defined in private modules present themselves as this package's (repr, docs, pickling).
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) and _value.__module__.startswith("mm7.client._"):
        _value.__module__ = __name__
del _name, _value
