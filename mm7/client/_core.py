"""The sans-IO protocol core both clients drive (:class:`MM7Client` and :class:`AsyncMM7Client`).

In h11's style it performs no I/O, sleeps and reads no clock of its own: a shell hands it objects and
readings and gets decisions back. :class:`Protocol` holds a client's configuration (endpoint, profile,
headers, dialect, retry policy, decoding limits) and builds requests; :meth:`Protocol.start` turns one
prepared message into a :class:`Call`, whose methods the shell calls around each attempt:

1. :meth:`Call.throttle_wait` (how long the throttle may be waited for, from the call's deadline);
2. the shell sends :attr:`Call.request` (blocking or awaiting);
3. :meth:`Call.receive` classifies the answer: the decoded response, or a typed exception raised;
4. on an :class:`~mm7.errors.MM7Error`, :meth:`Call.after_error` decides: a delay before the next attempt,
   or None (the shell re-raises the exception, which now carries the TransactionID and a note).

The call's end (accepted, or the error given up on) and each retry are counted here, for both shells
(:mod:`mm7.metrics`: nothing without prometheus_client), and logged to ``mm7.client`` with the
TransactionID and MessageID as record fields (:func:`mm7.metrics.log_fields`). A shell reports the
seconds it waited for a throttle slot with :meth:`Call.throttled`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from mm7 import metrics
from mm7.client._transport import HTTPRequest, HTTPResponse
from mm7.client.auth import Auth, DigestAuth, as_auth
from mm7.client.retry import RetryPolicy, RetryState, parse_retry_after
from mm7.client.throttle import ThrottleTimeout
from mm7.codec import summary
from mm7.codec.messages import RESPONSE_OF, DecodedMessage, Mode, decode, encode, version_of
from mm7.codec.mime import Limits, Part
from mm7.codec.status import THREEGPP
from mm7.codec.versions import Dialect, for_mm7_version
from mm7.errors import (
    ConfigError,
    LocalCodecError,
    MM7Error,
    MM7StatusError,
    RemoteCodecError,
    TransportError,
)
from mm7.profiles.base import Prepared, Profile

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message, MM7Request

__all__ = ["Call", "Exchange", "Protocol"]

logger = logging.getLogger("mm7.client")

USER_AGENT = "mm7-python/0.1.0"

# Headers the codec computes from the body; letting callers override them would desynchronise the two.
_RESERVED_HEADERS = frozenset({"content-type", "content-length", "soapaction", "transfer-encoding"})


@dataclass(frozen=True)
class Exchange:
    """A successful exchange: the decoded answer, its HTTP status and how many attempts it took."""

    decoded: DecodedMessage[MM7Message | None]
    http_status: int
    attempts: int


class Protocol:
    """A client's configuration and the protocol rules, without I/O (see the module docstring)."""

    def __init__(
        self,
        endpoint: str | None,
        *,
        profile: Profile | None,
        auth: Auth | tuple[str, str] | None,
        headers: Mapping[str, str] | None,
        deadline: float | None,
        retry: RetryPolicy | None,
        response_limits: Limits | None,
        response_mode: Mode,
        dialect: Dialect | None,
        client_name: str = "MM7Client",
    ) -> None:
        self.profile = profile if profile is not None else Profile()
        url = endpoint or self.profile.endpoint
        if not url:
            raise ConfigError(f"{client_name} needs an endpoint (or a profile with a default endpoint)")
        self.endpoint = url
        if deadline is not None and not deadline > 0:
            raise ConfigError(f"deadline must be > 0 or None, got {deadline}")
        self.deadline = deadline
        extra = dict(headers or {})
        reserved = sorted(name for name in extra if name.lower() in _RESERVED_HEADERS)
        if reserved:
            raise ConfigError(f"headers {reserved} are computed from the body and cannot be set")
        self.auth = as_auth(auth)
        if self.auth is not None and not isinstance(self.auth, DigestAuth):
            # Basic and Bearer: the same value with every request (Digest's depends on the challenge).
            extra["Authorization"] = self.auth.authorization("POST", url) or ""
        self.headers = {"User-Agent": USER_AGENT, **self.profile.http_headers(), **extra}
        self.status_table = self.profile.status_table
        policy = retry if retry is not None else RetryPolicy()
        if policy.status_table is THREEGPP and self.status_table is not THREEGPP:
            # The carrier decides which of its codes are worth retrying (e.g. Sinch 3510, 2569).
            policy = replace(policy, status_table=self.status_table)
        self.retry = policy
        self.limits = response_limits or Limits()
        self.mode: Mode = response_mode
        self.dialect = dialect

    @property
    def mm7_version(self) -> str:
        """The MM7Version of requests: the dialect's, else the profile's."""
        return self.dialect.mm7_version if self.dialect is not None else self.profile.mm7_version

    # ------------------------------------------------------------------------------ building

    def vasp_request(self, operation: str, fields: Mapping[str, object], *, rel6: bool = False) -> MM7Request:
        """Build a CancelReq/ReplaceReq/extended... request carrying the profile's sender identification."""
        mm7_version = self.mm7_version
        version = self.dialect.schema if self.dialect is not None else for_mm7_version(mm7_version)
        if rel6 and version.release < 6:
            raise ConfigError(f"{operation} is a Rel-6 operation; MM7Version {mm7_version} is Rel-5")
        cls = version.binding_class(operation)
        if operation == "extendedReplaceReq":
            # The standard's extendedReplaceReq carries VASPID and VASID as direct children and no
            # SenderIdentification (schemas/README.md, F14; encode refuses one).
            ids = {"vasp_id": self.profile.vasp_id, "vas_id": self.profile.vas_id}
            return cast("MM7Request", cls(mm7_version=mm7_version, **{**ids, **fields}))
        ident = version.bindings.SenderIdType(vasp_id=self.profile.vasp_id, vas_id=self.profile.vas_id)
        return cast("MM7Request", cls(mm7_version=mm7_version, sender_identification=ident, **fields))

    def in_dialect(self, message: Any) -> Any:
        """The message with the dialect's MM7Version (a copy; the caller's object is not changed)."""
        dialect = self.dialect
        if dialect is None:
            return message
        version = version_of(message)
        if version is not dialect.schema:
            raise ConfigError(
                f"{type(message).__name__} is a Rel-{version.release} message; this client speaks "
                f"{dialect.revision} (Rel-{dialect.release})"
            )
        if getattr(message, "mm7_version", None) == dialect.mm7_version:
            return message
        return dataclasses.replace(message, mm7_version=dialect.mm7_version)

    def prepare(
        self, message: Any, content: Part | Sequence[Part] | None, operation: str | None = None
    ) -> tuple[str, Prepared]:
        """The message in the dialect, checked and completed by the profile: ``(operation, prepared)``."""
        message = self.in_dialect(message)
        if operation is None:
            operation = version_of(message).operation_of(message)
        return operation, self.profile.prepare(operation, message, content)

    def start(
        self,
        prepared: Prepared,
        transaction_id: str | None,
        operation: str,
        deadline: float | None,
        *,
        monotonic: float,
        now: float,
    ) -> Call:
        """Encode the prepared message and begin a call.

        Args:
            prepared: What :meth:`prepare` returned.
            transaction_id: The TransactionID; fresh when None.
            operation: The request's operation name.
            deadline: Seconds the call may take; the client's deadline when None.
            monotonic: The shell's ``time.monotonic()`` reading (the transports' deadline clock).
            now: The retry policy's clock reading.
        """
        namespace = self.dialect.namespace if self.dialect is not None else None
        encoded = encode(
            prepared.message, transaction_id=transaction_id, content=prepared.content, namespace=namespace
        )
        seconds = deadline if deadline is not None else self.deadline
        if seconds is not None and not seconds > 0:
            raise ConfigError(f"deadline must be > 0 or None, got {seconds}")
        ends_at = None if seconds is None else monotonic + seconds
        # The carrier's size limit, on the exact bytes that would be sent: refused before any I/O.
        self.profile.check_size(encoded.body.content_length)
        headers = {**self.headers, **encoded.headers}
        # SOAP 1.1 §6.1.1: SOAPAction is required, but carriers differ on its value (the profile says).
        style = self.profile.soap_action
        if style == "empty":
            headers["SOAPAction"] = '""'
        elif style == "absent":
            del headers["SOAPAction"]
        if isinstance(self.auth, DigestAuth):
            answer = self.auth.authorization("POST", self.endpoint)  # None until a challenge came
            if answer is not None:
                headers["Authorization"] = answer
        body = encoded.body
        request = HTTPRequest(
            self.endpoint, headers, body, body.content_length, deadline=ends_at, deadline_seconds=seconds
        )
        return Call(
            self,
            request=request,
            transaction_id=encoded.transaction_id,
            expected=RESPONSE_OF.get(operation, operation),
            seconds=seconds,
            ends_at=ends_at,
            state=self.retry.start(now=now),
            operation=operation,
            started=monotonic,
        )


def _slow_down(response: HTTPResponse | None, *, now_epoch: float | None) -> float | None:
    """Seconds the relay asked to wait: ``Retry-After`` on a 429/503, or an exhausted rate-limit window.

    ``X-RateLimit-Reset`` is read as seconds from now, or as a Unix time when it is that large (both forms
    are in use); only with ``X-RateLimit-Remaining: 0``, which says the window is spent.
    """
    if response is None:
        return None
    epoch = time.time() if now_epoch is None else now_epoch
    if response.status in (429, 503):
        seconds = parse_retry_after(response.header("Retry-After"), now_epoch=epoch)
        if seconds is not None:
            return seconds
    remaining = (response.header("X-RateLimit-Remaining") or "").strip()
    reset = (response.header("X-RateLimit-Reset") or "").strip()
    if remaining == "0" and reset.replace(".", "", 1).isdigit():
        value = float(reset)
        return max(0.0, value - epoch) if value > 1_000_000_000 else value
    return None


class Call:
    """One call's progress: the request to send, and the decisions between attempts (no I/O)."""

    def __init__(
        self,
        protocol: Protocol,
        *,
        request: HTTPRequest,
        transaction_id: str,
        expected: str,
        seconds: float | None,
        ends_at: float | None,
        state: RetryState,
        operation: str = "",
        started: float | None = None,
    ) -> None:
        self._protocol = protocol
        self.operation = operation or expected
        self.started = time.monotonic() if started is None else started
        self.request = request
        self.transaction_id = transaction_id
        self.expected = expected
        self.seconds = seconds
        self.ends_at = ends_at
        self.state = state
        self._challenge_answered = False
        #: Seconds the relay asked every sender of this account to wait (set by :meth:`after_error`).
        self.hold: float | None = None

    @property
    def attempts(self) -> int:
        """Attempts made so far (the current one included)."""
        return self.state.attempts

    def throttle_wait(self, throttle_timeout: float | None, monotonic: float) -> float | None:
        """Longest wait for a throttle slot: the client's limit, cut to what is left of the deadline."""
        wait = throttle_timeout
        if self.ends_at is not None:
            left = max(0.0, self.ends_at - monotonic)
            wait = left if wait is None else min(wait, left)
        return wait

    def throttled(self, seconds: float) -> None:
        """The shell waited ``seconds`` for this attempt's throttle slot (counted in the metrics)."""
        metrics.client_throttle_wait(seconds)

    def receive(self, response: HTTPResponse, monotonic: float | None = None) -> Exchange:
        """Classify an HTTP answer: the exchange when it is a success, else the typed error raised.

        Args:
            response: The HTTP answer.
            monotonic: The shell's ``time.monotonic()`` reading when the answer was read, for the call's
                duration (read here when not given).
        """
        exchange = self._classify(response)
        self._finished("accepted", response.status, monotonic)
        if not logger.isEnabledFor(logging.DEBUG):
            return exchange
        decoded = exchange.decoded
        message_id = summary.summarize(decoded.message).message_id if decoded.message is not None else None
        logger.debug(
            "%s %s accepted (HTTP %d, attempt %d)%s",
            self.operation,
            self.transaction_id,
            response.status,
            self.state.attempts,
            f", MessageID {message_id}" if message_id else "",
            extra=metrics.log_fields(self.transaction_id, message_id),
        )
        return exchange

    def _finished(self, outcome: str, http_status: int | None, monotonic: float | None) -> None:
        ended = time.monotonic() if monotonic is None else monotonic
        metrics.client_finished(self.operation, outcome, http_status, ended - self.started)

    def _classify(self, response: HTTPResponse) -> Exchange:
        tid = self.transaction_id
        protocol = self._protocol
        status = response.status
        try:
            decoded = decode(
                response.body, response.header("Content-Type"), mode=protocol.mode, limits=protocol.limits
            )
        except RemoteCodecError as exc:
            if 200 <= status < 300:
                raise  # garbage with a success status: the request may have taken effect
            # No MM7 answer at all (an HTML error page, a proxy's 503...): the HTTP status is all we know,
            # and RetryPolicy decides on it (429/503 retry).
            raise TransportError(
                f"HTTP {status} from {protocol.endpoint} without an MM7 answer ({exc.message})",
                http_status=status,
                request_sent=True,
                transaction_id=tid,
            ) from exc
        if decoded.transaction_id and decoded.transaction_id != tid:
            # TS 23.140: a response echoes the request's TransactionID. Another value means this
            # answer may belong to another request; trusting its MessageID could mislabel a message.
            raise RemoteCodecError(
                f"answer carries TransactionID {decoded.transaction_id!r}, expected {tid!r}",
                transaction_id=tid,
            )
        if decoded.is_error:
            # Errors come as HTTP 200 or 500 with a SOAP Fault holding RSErrorRsp (Sinch); the MM7 status
            # is the truth, whatever the HTTP status.
            decoded.raise_for_status(table=protocol.status_table, http_status=status)
        if decoded.operation != self.expected:
            raise RemoteCodecError(
                f"answer is {decoded.operation}, expected {self.expected}", transaction_id=tid
            )
        # A success answer under a non-2xx HTTP status is still a success: the relay says it took the
        # request, and reporting a failure would invite a duplicate resend.
        return Exchange(decoded, status, self.state.attempts)

    def _answer_challenge(self, response: HTTPResponse) -> bool:
        """Answer a Digest challenge once per call: True when the request goes again with the answer."""
        auth = self._protocol.auth
        if self._challenge_answered or not isinstance(auth, DigestAuth):
            return False
        if not auth.answer_challenge(response.header("WWW-Authenticate")):
            return False
        answer = auth.authorization("POST", self.request.url)
        if answer is None:  # pragma: no cover - answer_challenge just kept a challenge
            return False
        self._challenge_answered = True
        self.request = replace(self.request, headers={**self.request.headers, "Authorization": answer})
        return True

    def after_error(
        self,
        exc: MM7Error,
        response: HTTPResponse | None,
        *,
        monotonic: float,
        now: float,
        now_epoch: float | None = None,
    ) -> float | None:
        """Decide after a failed attempt: seconds to wait before the next one, or None to give up.

        The exception gets the TransactionID (and, when not retried, a note saying why); the shell
        re-raises it on None. When the relay asked to slow down (HTTP 429 or 503 with ``Retry-After``, or
        ``X-RateLimit-Remaining: 0`` with ``X-RateLimit-Reset``), :attr:`hold` says for how long, and the
        shell holds its throttle, so every caller sharing the account's limit waits too.

        Args:
            exc: What the attempt raised.
            response: The HTTP answer, when one came (its Retry-After counts).
            monotonic: The shell's ``time.monotonic()`` reading.
            now: The retry policy's clock reading.
            now_epoch: The Unix time, for HTTP-date and epoch-time headers (``time.time()`` when None).
        """
        if exc.transaction_id is None:
            exc.transaction_id = self.transaction_id
        if response is not None and response.status == 401 and self._answer_challenge(response):
            return 0.0  # the same request again, now with the challenge's answer (not a retry)
        self.hold = _slow_down(response, now_epoch=now_epoch)
        if not isinstance(exc, (TransportError, MM7StatusError)):
            self._give_up(exc, response, monotonic)
            return None
        retry = self._protocol.retry
        retry_after = response.header("Retry-After") if response is not None else None
        decision = retry.decide(attempt_state=self.state, error=exc, retry_after_header=retry_after, now=now)
        reason = decision.reason
        if decision.retry and self.ends_at is not None and monotonic + decision.delay >= self.ends_at:
            decision = replace(decision, retry=False)
            reason += f", but the call's {self.seconds:g}s deadline would pass before the retry"
        if not decision.retry:
            exc.add_note(f"mm7: not retried after attempt {self.state.attempts}: {reason}")
            self._give_up(exc, response, monotonic)
            return None
        logger.info(
            "%s %s attempt %d failed, retrying in %.3gs: %s",
            self.operation,
            self.transaction_id,
            self.state.attempts,
            decision.delay,
            exc,
            extra=metrics.log_fields(self.transaction_id),
        )
        metrics.client_retry(self.operation)
        self.state = decision.state
        return decision.delay

    def _give_up(self, exc: MM7Error, response: HTTPResponse | None, monotonic: float) -> None:
        """The call ends with ``exc``: counted as ``failed`` or ``unknown`` (:func:`acceptance`), logged."""
        outcome = acceptance(exc)
        self._finished(outcome, response.status if response is not None else None, monotonic)
        logger.warning(
            "%s %s %s after %d attempt(s): %s",
            self.operation,
            self.transaction_id,
            outcome,
            self.state.attempts,
            exc,
            extra=metrics.log_fields(self.transaction_id),
        )


def acceptance(error: MM7Error) -> str:
    """Did the relay take a request that ended in ``error``? ``failed`` (certainly not) or ``unknown``.

    ``failed``: the relay answered with an error status or refused the request at the HTTP level (a 4xx
    status: credentials, size, rate; the request was not processed), or nothing reached it (the request
    was refused here, a throttle slot never came, the connection failed before sending). ``unknown``: it
    may have.
    """
    if isinstance(error, MM7StatusError):
        return "failed"
    if isinstance(error, TransportError):
        refused = error.http_status is not None and 400 <= error.http_status < 500
        return "failed" if refused or error.request_sent is False else "unknown"
    return "failed" if isinstance(error, ConfigError | LocalCodecError | ThrottleTimeout) else "unknown"
