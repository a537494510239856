"""The exception tree of mm7.

Every error mm7 raises is an :class:`MM7Error`. The tree follows the layer that failed, and whose fault
it was (h11's Local/Remote split): :class:`LocalError` is the caller's mistake (fix the call or the
configuration), :class:`RemoteError` is what the peer sent (a broken message or an error answer). Which
one is decided where the call enters mm7: building a message the caller gave is local, even when the
MIME layer underneath reports the problem; reading what a peer sent is remote. Storage
(:class:`mm7.inbox.InboxError`) and network failures (:class:`TransportError`) are neither::

    MM7Error
    ├── LocalError                     the caller's mistake: ConfigError, LocalCodecError (and subclasses)
    ├── RemoteError                    what the peer sent: RemoteCodecError, MM7StatusError (and subclasses)
    ├── ConfigError                    bad configuration or arguments given to mm7
    ├── CodecError                     a message could not be built or read
    │   ├── LocalCodecError            we tried to build something invalid
    │   │   └── LocalValidationError   ... and the schema said why
    │   └── RemoteCodecError           the peer sent something we cannot read
    │       ├── MIMEError              malformed multipart / headers / transfer encoding
    │       ├── XMLSecurityError       DOCTYPE, entities, over-deep or over-large XML
    │       ├── LimitExceededError     a configured size/count limit was hit
    │       ├── MalformedXMLError      not well-formed XML
    │       ├── UnsupportedOperationError   body is not an MM7 operation we know
    │       ├── UnsupportedVersionError     namespace / MM7Version we do not support
    │       └── RemoteValidationError  ... and the schema said why
    ├── TransportError                 network failure, timeout, unexpected HTTP answer
    └── MM7StatusError                 the peer answered with an MM7 error status
        ├── ClientStatusError          2xxx: the request was wrong
        ├── ServerStatusError          3xxx: the relay/server failed
        └── ServiceStatusError         4xxx: the service refused

``MM7ValidationError`` is the common base of the two validation errors, so callers that only care
that "the schema said no" catch that one.

Each :class:`CodecError` carries ``status_code``: the MM7 status a receiver should answer with
(TS 23.140 Annex / status code table: 2007 message format corrupt, 4002 unsupported version,
4003 unsupported operation, 4004 validation error).
"""

from __future__ import annotations

from dataclasses import dataclass

from mm7.outcome import Outcome, outcome_of_http, outcome_of_status

__all__ = [
    "ClientStatusError",
    "CodecError",
    "ConfigError",
    "LimitExceededError",
    "LocalCodecError",
    "LocalError",
    "LocalValidationError",
    "MIMEError",
    "MM7Error",
    "MM7StatusError",
    "MM7ValidationError",
    "MalformedXMLError",
    "RemoteCodecError",
    "RemoteError",
    "RemoteValidationError",
    "ServerStatusError",
    "ServiceStatusError",
    "TransportError",
    "UnsupportedOperationError",
    "UnsupportedVersionError",
    "ValidationProblem",
    "XMLSecurityError",
]


class MM7Error(Exception):
    """Root of every error raised by mm7.

    Attributes:
        message: Human-readable reason.
        transaction_id: The TransactionID of the exchange, when known.
    """

    def __init__(self, message: str, *, transaction_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.transaction_id = transaction_id

    def __str__(self) -> str:
        return self.message

    @property
    def outcome(self) -> Outcome:
        """What to do next (:mod:`mm7.outcome`): ``give_up`` unless a subclass knows better."""
        return "give_up"


class LocalError(MM7Error):
    """The caller's mistake: a call or configuration mm7 cannot carry out. Fix the call, not the peer."""

    @property
    def outcome(self) -> Outcome:
        """``fix_request``: the same call fails the same way."""
        return "fix_request"


class RemoteError(MM7Error):
    """What the peer sent: bytes that are not a valid MM7 message, or an MM7 error status."""


class ConfigError(LocalError):
    """Invalid configuration or arguments given to mm7 itself."""


class CodecError(MM7Error):
    """A message could not be built (local) or read (remote).

    Attributes:
        status_code: The MM7 status code a receiver answers this error with.
    """

    status_code: int = 2007

    def __init__(
        self,
        message: str,
        *,
        transaction_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, transaction_id=transaction_id)
        if status_code is not None:
            self.status_code = status_code


class LocalCodecError(CodecError, LocalError):
    """We were asked to build a message that is not valid MM7."""

    status_code = 4004


class RemoteCodecError(CodecError, RemoteError):
    """The peer sent bytes that are not a valid MM7 message."""

    status_code = 2007  # "Message format corrupt"


class MIMEError(RemoteCodecError):
    """Malformed MIME: headers, boundaries, parts, Content-IDs or transfer encodings."""


class XMLSecurityError(RemoteCodecError):
    """XML refused for safety: DOCTYPE/entities, excessive depth or size."""


class LimitExceededError(RemoteCodecError):
    """A configured limit (body size, parts, depth, header length...) was exceeded.

    Attributes:
        limit: Name of the limit, e.g. ``"max_body_size"``.
    """

    def __init__(self, message: str, *, limit: str, transaction_id: str | None = None) -> None:
        super().__init__(message, transaction_id=transaction_id)
        self.limit = limit


class MalformedXMLError(RemoteCodecError):
    """The SOAP part is not well-formed XML."""


class UnsupportedOperationError(RemoteCodecError):
    """The SOAP Body does not hold an MM7 operation this library knows."""

    status_code = 4003


class UnsupportedVersionError(RemoteCodecError):
    """The namespace or MM7Version is not one this library supports."""

    status_code = 4002


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    """One problem with a message: a schema violation, or (strict mode) a deviation from the standard.

    Attributes:
        path: XPath-like location of the offending element, e.g. ``/Envelope/Body/SubmitReq/Recipients``.
        line: Line number in the serialized XML (1-based), or 0 when unknown.
        reason: The validator's message.
        kind: ``"schema"`` for what the schema rejects; for a deviation named by strict mode, its
            :data:`~mm7.codec.deviations.DeviationKind` (``"element-order"``, ``"namespace"``...);
            ``"send-rule"`` for a schema-valid message mm7 will not send (:mod:`mm7.codec.send_rules`).
    """

    path: str
    line: int
    reason: str
    kind: str = "schema"

    def __str__(self) -> str:
        return f"{self.path} (line {self.line}): {self.reason}"


class MM7ValidationError(CodecError):
    """The envelope does not validate against the MM7 schema.

    Attributes:
        problems: Every violation found, each with element path, line and reason.
    """

    status_code = 4004

    def __init__(
        self,
        message: str,
        problems: list[ValidationProblem],
        *,
        transaction_id: str | None = None,
    ) -> None:
        detail = "; ".join(str(p) for p in problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{message}: {detail}{more}" if problems else message, transaction_id=transaction_id)
        self.problems = problems


class LocalValidationError(MM7ValidationError, LocalCodecError):
    """A message we built does not validate (a bug in the caller's data)."""


class RemoteValidationError(MM7ValidationError, RemoteCodecError):
    """A message we received does not validate."""

    status_code = 4004


class TransportError(MM7Error):
    """The HTTP exchange failed: connection, TLS, timeout, or an unexpected HTTP answer.

    Attributes:
        http_status: HTTP status code when a response was received.
        request_sent: False when the request certainly did not reach the server
            (safe to retry), True or None when it may have.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        request_sent: bool | None = None,
        transaction_id: str | None = None,
    ) -> None:
        super().__init__(message, transaction_id=transaction_id)
        self.http_status = http_status
        self.request_sent = request_sent

    @property
    def outcome(self) -> Outcome:
        """From the HTTP status, else whether the request was sent (:func:`mm7.outcome.outcome_of_http`)."""
        return outcome_of_http(self.http_status, request_sent=self.request_sent)


class MM7StatusError(RemoteError):
    """The peer answered with an MM7 error status (RSErrorRsp/VASPErrorRsp or an error Rsp).

    Attributes:
        status_code: The MM7 StatusCode.
        status_text: The StatusText the peer gave (or the standard's meaning).
        details: The Details element's text, if any.
        retryable: Whether retrying later may succeed (from the status tables).
        http_status: HTTP status of the response, when it came over HTTP.
        fault_code: SOAP faultcode (e.g. ``env:Client``) when the error came in a Fault.
        fault_string: SOAP faultstring when the error came in a Fault.
        outcome: What to do next (:mod:`mm7.outcome`): the status table's word on the code when the
            error was built from one, else derived from the code and ``retryable``.
    """

    def __init__(
        self,
        status_code: int,
        status_text: str = "",
        *,
        details: str | None = None,
        retryable: bool = False,
        transaction_id: str | None = None,
        http_status: int | None = None,
        fault_code: str | None = None,
        fault_string: str | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        super().__init__(
            f"MM7 status {status_code}: {status_text}".rstrip(": "), transaction_id=transaction_id
        )
        self._outcome = outcome or outcome_of_status(status_code, retryable=retryable)
        self.status_code = status_code
        self.status_text = status_text
        self.details = details
        self.retryable = retryable
        self.http_status = http_status
        self.fault_code = fault_code
        self.fault_string = fault_string

    @property
    def outcome(self) -> Outcome:
        """What to do next: ``retry_later``, ``fix_request`` or ``give_up`` (:mod:`mm7.outcome`)."""
        return self._outcome

    @staticmethod
    def for_code(status_code: int) -> type[MM7StatusError]:
        """Return the subclass matching the status code's class (2xxx, 3xxx, 4xxx)."""
        return {2: ClientStatusError, 3: ServerStatusError, 4: ServiceStatusError}.get(
            status_code // 1000, MM7StatusError
        )


class ClientStatusError(MM7StatusError):
    """2xxx: the request was in error (do not retry unchanged)."""


class ServerStatusError(MM7StatusError):
    """3xxx: the server failed to process a valid request."""


class ServiceStatusError(MM7StatusError):
    """4xxx: the service refused (version, operation, validation, capacity...)."""
