"""mm7: MM7 (3GPP TS 23.140) for Python.

Build, validate, send and receive MMS over MM7 (SOAP 1.1 with attachments)::

    import mm7

    req = mm7.submit_request(to="15551234567", vasp_id="KEY", vas_id="12345mms", sender="12345", subject="Hi")
    content = mm7.related_content([mm7.Part.from_file("cat.jpg"), mm7.Part.from_text("Hello!")])
    wire = mm7.encode(req, content=content)          # validated multipart/related, SMIL generated
    wire.headers, wire.to_bytes()

    received = mm7.decode(body, content_type, mode="tolerant")
    received.operation, received.message, received.media_parts(), received.deviations, received.valid

Heavier pieces (client, receiver, inbox, simulator) are imported on first use, so that
``import mm7`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mm7.codec.builders import deliver_request, delivery_report_request, submit_request
from mm7.codec.deviations import Deviation, Extension
from mm7.codec.messages import (
    DecodedMessage,
    EncodedMessage,
    decode,
    encode,
    encode_error,
    new_transaction_id,
    response_for,
)
from mm7.codec.mime import Limits, Part
from mm7.codec.versions import REL5, REL6, Dialect, SchemaVersion
from mm7.errors import (
    ClientStatusError,
    CodecError,
    ConfigError,
    LimitExceededError,
    LocalCodecError,
    LocalValidationError,
    MIMEError,
    MM7Error,
    MM7StatusError,
    MM7ValidationError,
    RemoteCodecError,
    RemoteValidationError,
    ServerStatusError,
    ServiceStatusError,
    TransportError,
    UnsupportedOperationError,
    UnsupportedVersionError,
    ValidationProblem,
    XMLSecurityError,
)

if TYPE_CHECKING:
    from mm7.client import MM7Client
    from mm7.codec.smil import generate_smil, mixed_content, related_content

__version__ = "0.1.0"

_LAZY = {
    "MM7Client": "mm7.client",
    "generate_smil": "mm7.codec.smil",
    "mixed_content": "mm7.codec.smil",
    "related_content": "mm7.codec.smil",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mm7' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "REL5",
    "REL6",
    "ClientStatusError",
    "CodecError",
    "ConfigError",
    "DecodedMessage",
    "Deviation",
    "Dialect",
    "EncodedMessage",
    "Extension",
    "LimitExceededError",
    "Limits",
    "LocalCodecError",
    "LocalValidationError",
    "MIMEError",
    "MM7Client",
    "MM7Error",
    "MM7StatusError",
    "MM7ValidationError",
    "Part",
    "RemoteCodecError",
    "RemoteValidationError",
    "SchemaVersion",
    "ServerStatusError",
    "ServiceStatusError",
    "TransportError",
    "UnsupportedOperationError",
    "UnsupportedVersionError",
    "ValidationProblem",
    "XMLSecurityError",
    "__version__",
    "decode",
    "deliver_request",
    "delivery_report_request",
    "encode",
    "encode_error",
    "generate_smil",
    "mixed_content",
    "new_transaction_id",
    "related_content",
    "response_for",
    "submit_request",
]
