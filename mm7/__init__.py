"""mm7: MM7 (3GPP TS 23.140) for Python.

Build, validate, send and receive MMS over MM7 (SOAP 1.1 with attachments)::

    import mm7

    req = mm7.submit_request(to="15551234567", vasp_id="KEY", vas_id="12345mms", sender="12345", subject="Hi")
    wire = mm7.encode(req, content=[mm7.Part.from_file("cat.jpg"), mm7.Part.from_text("Hello!")])
    wire.headers, wire.to_bytes()                     # validated multipart/related, SMIL generated

    received = mm7.decode(wire.to_bytes(), wire.content_type, mode="tolerant")
    received.operation, received.message, received.media_parts(), received.deviations, received.valid

Heavier pieces (client, receiver, inbox, simulator) are imported on first use, so that
``import mm7`` stays cheap.
"""

import importlib as _importlib
import typing as _typing

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
from mm7.codec.versions import REL5, REL6, Dialect, SchemaVersion, register_schema
from mm7.codec.xml import XMLLimits
from mm7.errors import (
    ClientStatusError,
    CodecError,
    ConfigError,
    LimitExceededError,
    LocalCodecError,
    LocalError,
    LocalValidationError,
    MalformedXMLError,
    MIMEError,
    MM7Error,
    MM7StatusError,
    MM7ValidationError,
    RemoteCodecError,
    RemoteError,
    RemoteValidationError,
    ServerStatusError,
    ServiceStatusError,
    TransportError,
    UnsupportedOperationError,
    UnsupportedVersionError,
    ValidationProblem,
    XMLSecurityError,
)

if _typing.TYPE_CHECKING:
    from mm7.client import AsyncMM7Client, MM7Client
    from mm7.codec.message_types import MM7Message
    from mm7.codec.smil import generate_smil, mixed_content, related_content
    from mm7.profiles import Profile

__version__ = "0.1.0"

# Imported on first use: the client pulls in requests, the SMIL helpers and the message type aliases the
# generated bindings of both versions.
_LAZY = {
    "AsyncMM7Client": "mm7.client",
    "MM7Client": "mm7.client",
    "MM7Message": "mm7.codec.message_types",
    "Profile": "mm7.profiles",
    "generate_smil": "mm7.codec.smil",
    "mixed_content": "mm7.codec.smil",
    "related_content": "mm7.codec.smil",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mm7' has no attribute {name!r}")
    value: object = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "REL5",
    "REL6",
    "AsyncMM7Client",
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
    "LocalError",
    "LocalValidationError",
    "MIMEError",
    "MM7Client",
    "MM7Error",
    "MM7Message",
    "MM7StatusError",
    "MM7ValidationError",
    "MalformedXMLError",
    "Part",
    "Profile",
    "RemoteCodecError",
    "RemoteError",
    "RemoteValidationError",
    "SchemaVersion",
    "ServerStatusError",
    "ServiceStatusError",
    "TransportError",
    "UnsupportedOperationError",
    "UnsupportedVersionError",
    "ValidationProblem",
    "XMLLimits",
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
    "register_schema",
    "related_content",
    "response_for",
    "submit_request",
]

# Exported classes present themselves as mm7's (repr, docs, tracebacks), like httpx does.
for _name in __all__:
    _value = globals().get(_name)
    if isinstance(_value, type) and _value.__module__.startswith("mm7."):
        _value.__module__ = "mm7"
del _name, _value
