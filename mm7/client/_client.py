"""MM7Client: send MM7 requests over HTTP and read the answers, a thin shell over the codec.

One request goes through these steps, each owned by another module:

1. the carrier profile checks and completes the message (:meth:`Profile.prepare`, before any I/O);
2. :func:`mm7.codec.messages.encode` builds and validates the SOAP-with-Attachments body;
3. the throttle hands out a slot (:class:`~mm7.client.throttle.Throttle`);
4. the transport POSTs the streamed body (:mod:`mm7.client._transport`);
5. :func:`mm7.codec.messages.decode` reads the answer (tolerant: relays are sloppy, but the schema is
   still checked) and ``raise_for_status`` turns an MM7 error status into a typed exception;
6. :class:`~mm7.client.retry.RetryPolicy` says whether a failure may be retried (steps 3-5 again with the
   same bytes and TransactionID), and how long to wait.

Every error leaving the client is an :class:`~mm7.errors.MM7Error` carrying the request's TransactionID.
"""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, cast

import requests

from mm7.client._transport import HTTPRequest, HTTPResponse, RequestsTransport, Timeout, Transport
from mm7.client.retry import RetryPolicy
from mm7.client.throttle import Rate, Throttle
from mm7.codec.messages import RESPONSE_OF, DecodedMessage, EncodedMessage, Mode, decode, encode, version_of
from mm7.codec.mime import Limits, Part
from mm7.codec.status import THREEGPP
from mm7.codec.versions import Dialect, for_mm7_version
from mm7.errors import ConfigError, MM7Error, MM7StatusError, RemoteCodecError, TransportError
from mm7.profiles.base import Prepared, Profile
from mm7.profiles.sinch import SINCH_ENDPOINT, SinchProfile

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message, MM7Request, SubmitReq

__all__ = ["ClientOptions", "MM7Client", "SubmitResult"]

_USER_AGENT = "mm7-python/0.1.0"


class ClientOptions(TypedDict, total=False):
    """:class:`MM7Client` keyword arguments a profile constructor (``MM7Client.for_sinch``) passes on."""

    auth: tuple[str, str] | None
    headers: Mapping[str, str] | None
    timeout: Timeout | None
    deadline: float | None
    verify: bool | str | Path
    cert: str | Path | tuple[str | Path, str | Path] | None
    retry: RetryPolicy | None
    throttle: Throttle | None
    throttle_timeout: float | None
    transport: Transport | None
    session: requests.Session | None
    response_limits: Limits | None
    response_mode: Mode
    dialect: Dialect | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]


# Headers the codec computes from the body; letting callers override them would desynchronise the two.
_RESERVED_HEADERS = frozenset({"content-type", "content-length", "soapaction", "transfer-encoding"})


@dataclass(frozen=True)
class SubmitResult:
    """The relay accepted a SubmitReq (accepted, not yet delivered: delivery reports tell that).

    Attributes:
        message_id: The relay's MessageID; keep it, delivery reports and cancel/replace quote it.
        status_code: The MM7 StatusCode (1xxx).
        status_text: The StatusText, if any.
        transaction_id: The TransactionID of the exchange.
        http_status: The HTTP status of the answer.
        response: The decoded SubmitRsp.
        attempts: How many times the request was sent (1 without retries).
        warnings: What the profile changed or advised before sending.
    """

    message_id: str | None
    status_code: int
    status_text: str | None
    transaction_id: str
    http_status: int
    response: DecodedMessage[MM7Message | None] = field(repr=False)
    attempts: int = 1
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Exchange:
    decoded: DecodedMessage[MM7Message | None]
    http_status: int
    attempts: int


def _basic_auth(username: str, password: str) -> str:
    # RFC 7617: base64 of "user:pass"; UTF-8 is the charset the RFC suggests servers announce.
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class MM7Client:
    """A VASP-side MM7 client: SubmitReq, CancelReq, ReplaceReq and the Rel-6 extended operations.

    Thread-safe for concurrent sends (the bulk sender shares one client between threads): it holds
    only configuration, a pooled session and a throttle that is itself thread-safe.

    Args:
        endpoint: The relay's URL; the profile's default when None.
        profile: Carrier rules and identity (:class:`~mm7.profiles.sinch.SinchProfile`...).
        auth: ``(username, password)`` for HTTP Basic authentication.
        headers: Extra headers on every request (not Content-Type/Content-Length/SOAPAction).
        timeout: Connect and read timeouts, and ``total``, the deadline of each attempt (connect, upload and
            the whole answer).
        deadline: Seconds one call (``submit()``, ``send()``...) may take, retries and waits between them
            included; None (default) for no limit. Each attempt ends at the call's deadline at the latest
            and raises :class:`~mm7.client.DeadlineExceeded` (ambiguous once the request was sent, so not
            retried by default); no retry starts when its back-off would pass it.
        verify: Certificate verification: True (system CAs), a CA bundle path, or False (tests only).
        cert: Client certificate for mutual TLS (PEM file, or ``(cert, key)`` files).
        retry: When to retry; by default :class:`RetryPolicy` with the profile's status table.
        throttle: Client-side rate limit; each attempt takes a slot first.
        throttle_timeout: Longest wait for a throttle slot (None: as long as needed).
        transport: Another transport (tests, other HTTP stacks); then ``timeout``/``verify``/``cert``/
            ``session`` are not used.
        session: A ``requests.Session`` for the default transport.
        response_limits: Limits for decoding answers.
        response_mode: ``"tolerant"`` (default: repair what real relays get wrong, still validate; answers
            in any revision of the release are read) or ``"strict"`` (answers in our schemas' revisions
            only).
        dialect: The namespace revision and MM7Version the relay expects, e.g.
            ``Dialect.for_revision("REL-5-MM7-1-0", "5.3.0")``: every request goes out in that namespace
            (SOAPAction too) with that MM7Version, whatever the message object says. None (default): our
            schema's namespace and each message's own MM7Version.
        sleep: Waits between attempts; inject a recorder in tests.
        clock: Monotonic clock for the retry deadline.

    Raises:
        ConfigError: No endpoint, or a reserved header in ``headers``.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        profile: Profile | None = None,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
        deadline: float | None = None,
        verify: bool | str | Path = True,
        cert: str | Path | tuple[str | Path, str | Path] | None = None,
        retry: RetryPolicy | None = None,
        throttle: Throttle | None = None,
        throttle_timeout: float | None = None,
        transport: Transport | None = None,
        session: requests.Session | None = None,
        response_limits: Limits | None = None,
        response_mode: Mode = "tolerant",
        dialect: Dialect | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.profile = profile if profile is not None else Profile()
        url = endpoint or self.profile.endpoint
        if not url:
            raise ConfigError("MM7Client needs an endpoint (or a profile with a default endpoint)")
        self.endpoint = url
        if deadline is not None and not deadline > 0:
            raise ConfigError(f"deadline must be > 0 or None, got {deadline}")
        self.deadline = deadline
        extra = dict(headers or {})
        reserved = sorted(name for name in extra if name.lower() in _RESERVED_HEADERS)
        if reserved:
            raise ConfigError(f"headers {reserved} are computed from the body and cannot be set")
        if auth is not None:
            extra["Authorization"] = _basic_auth(*auth)
        self._headers = {"User-Agent": _USER_AGENT, **self.profile.http_headers(), **extra}
        self.status_table = self.profile.status_table
        policy = retry if retry is not None else RetryPolicy()
        if policy.status_table is THREEGPP and self.status_table is not THREEGPP:
            # The carrier decides which of its codes are worth retrying (e.g. Sinch 3510, 2569).
            policy = replace(policy, status_table=self.status_table)
        self.retry = policy
        self.throttle = throttle
        self._throttle_timeout = throttle_timeout
        self._transport: Transport = (
            transport
            if transport is not None
            else RequestsTransport(session, timeout=timeout, verify=verify, cert=cert)
        )
        self._limits = response_limits or Limits()
        self._mode: Mode = response_mode
        self.dialect = dialect
        self._sleep = sleep
        self._clock = clock

    @classmethod
    def for_sinch(
        cls,
        *,
        api_key: str,
        short_code: str,
        vas_id: str | None = None,
        endpoint: str | None = None,
        mm7_version: str = "6.8.0",
        carrier_id: str | None = None,
        default_region: str | None = None,
        rates: Sequence[Rate] = (),
        username: str | None = None,
        password: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> MM7Client:
        """A client for Sinch's MM7 service with the Sinch profile.

        Args:
            api_key: The account's API key (VASPID).
            short_code: The provisioned short code (SenderAddress).
            vas_id: Service id of the short code (VASID).
            endpoint: Another endpoint (e.g. a simulator); Sinch's production URL by default.
            mm7_version: ``6.8.0`` (default) or ``5.3.0``.
            carrier_id: Operator id sent as ``X-Mblox-Carrier-Id``.
            default_region: Region for numbers written without country code.
            rates: The account's throughput limits; enforced by a throttle shared by every client of this
                API key in the process (``Throttle.shared("sinch:<api_key>")``).
            username: HTTP Basic user, when the account has Basic authentication turned on.
            password: HTTP Basic password.
            **options: Further :class:`MM7Client` arguments.

        Returns:
            The client.
        """
        profile = SinchProfile(
            api_key=api_key,
            vas_id=vas_id,
            short_code=short_code,
            endpoint=endpoint or SINCH_ENDPOINT,
            mm7_version=mm7_version,
            carrier_id=carrier_id,
            default_region=default_region,
            rates=tuple(rates),
        )
        if profile.rates and "throttle" not in options:
            options["throttle"] = Throttle.shared(f"sinch:{api_key}", profile.rates)
        if username is not None:
            options["auth"] = (username, password or "")
        return cls(profile.endpoint, profile=profile, **options)

    @property
    def mm7_version(self) -> str:
        """The MM7Version of requests this client builds: the dialect's, else the profile's."""
        return self.dialect.mm7_version if self.dialect is not None else self.profile.mm7_version

    @property
    def sinch(self) -> SinchProfile:
        """The profile, as a SinchProfile (ConfigError when the client has another profile)."""
        if not isinstance(self.profile, SinchProfile):
            raise ConfigError(f"this client's profile is {self.profile.name!r}, not sinch")
        return self.profile

    # ------------------------------------------------------------------------------ operations

    def submit(
        self,
        message: SubmitReq,
        *,
        content: Part | Sequence[Part] | None = None,
        transaction_id: str | None = None,
        deadline: float | None = None,
    ) -> SubmitResult:
        """Send a SubmitReq and return the relay's MessageID.

        Args:
            message: The generated SubmitReq (see :func:`mm7.submit_request`).
            content: The content part (e.g. from :func:`mm7.related_content`), or media parts the profile
                wraps (Sinch: with a generated SMIL).
            transaction_id: The TransactionID; a fresh one when None. The bulk sender passes the one it
                recorded in its journal.
            deadline: Seconds this call may take, retries included; the client's ``deadline`` when None.

        Returns:
            The result with MessageID and status.

        Raises:
            ProfileViolation: The carrier's rules refuse the message (nothing was sent).
            MM7StatusError: The relay answered with an error status (subclass by class of code).
            TransportError: No usable HTTP answer (``request_sent`` says whether it may have arrived);
                :class:`~mm7.client.DeadlineExceeded` when a deadline passed.
            RemoteCodecError: The answer is not a valid MM7 message.
        """
        prepared = self.profile.prepare("SubmitReq", self._in_dialect(message), content)
        exchange = self._exchange(prepared, transaction_id, "SubmitReq", deadline)
        decoded = exchange.decoded
        return SubmitResult(
            message_id=getattr(decoded.message, "message_id", None),
            status_code=decoded.status_code or 1000,
            status_text=decoded.status_text,
            transaction_id=decoded.transaction_id,
            http_status=exchange.http_status,
            response=decoded,
            attempts=exchange.attempts,
            warnings=prepared.warnings,
        )

    def cancel(
        self, message_id: str, *, transaction_id: str | None = None, **fields: object
    ) -> DecodedMessage[MM7Message | None]:
        """Cancel a submitted message that has not been delivered yet (CancelReq, TS 23.140 8.5).

        Args:
            message_id: The MessageID from the SubmitRsp.
            transaction_id: The TransactionID; fresh when None.
            **fields: Further CancelReq fields.

        Returns:
            The decoded CancelRsp.
        """
        return self.send(
            self._vasp_request("CancelReq", {**fields, "message_id": message_id}),
            transaction_id=transaction_id,
        )

    def replace(
        self,
        message_id: str,
        *,
        content: Part | Sequence[Part],
        transaction_id: str | None = None,
        **fields: object,
    ) -> DecodedMessage[MM7Message | None]:
        """Replace the content of a submitted, undelivered message (ReplaceReq, TS 23.140 8.6).

        Args:
            message_id: The MessageID from the SubmitRsp.
            content: The new content part.
            transaction_id: The TransactionID; fresh when None.
            **fields: Further ReplaceReq fields.

        Returns:
            The decoded ReplaceRsp.
        """
        message = self._vasp_request("ReplaceReq", {**fields, "message_id": message_id})
        return self.send(message, content, transaction_id=transaction_id)

    def extended_cancel(
        self, cancel_id: str, *, transaction_id: str | None = None, **fields: object
    ) -> DecodedMessage[MM7Message | None]:
        """Cancel a message by its CancelID (Rel-6 extendedCancelReq).

        Args:
            cancel_id: The MessageID of the message to cancel.
            transaction_id: The TransactionID; fresh when None.
            **fields: Further extendedCancelReq fields.

        Returns:
            The decoded extendedCancelRsp.

        Raises:
            ConfigError: The profile's MM7Version is Rel-5, which has no extended operations.
        """
        message = self._vasp_request("extendedCancelReq", {**fields, "cancel_id": cancel_id}, rel6=True)
        return self.send(message, transaction_id=transaction_id)

    def extended_replace(
        self,
        replace_id: str,
        *,
        content: Part | Sequence[Part],
        transaction_id: str | None = None,
        **fields: object,
    ) -> DecodedMessage[MM7Message | None]:
        """Replace a message by its ReplaceID (Rel-6 extendedReplaceReq).

        Args:
            replace_id: The MessageID of the message to replace.
            content: The new content part.
            transaction_id: The TransactionID; fresh when None.
            **fields: Further extendedReplaceReq fields. VASPID and VASID, the profile's by default, are
                direct children of extendedReplaceReq (``vasp_id=``, ``vas_id=``), as in the standard; it has
                no SenderIdentification.

        Returns:
            The decoded extendedReplaceRsp.

        Raises:
            ConfigError: The profile's MM7Version is Rel-5, which has no extended operations.
        """
        message = self._vasp_request("extendedReplaceReq", {**fields, "replace_id": replace_id}, rel6=True)
        return self.send(message, content, transaction_id=transaction_id)

    def send(
        self,
        message: MM7Request,
        content: Part | Sequence[Part] | None = None,
        *,
        transaction_id: str | None = None,
        deadline: float | None = None,
    ) -> DecodedMessage[MM7Message | None]:
        """Send any MM7 request object and return the decoded answer.

        Args:
            message: A generated request object.
            content: Its content part, if any.
            transaction_id: The TransactionID; fresh when None.
            deadline: Seconds this call may take, retries included; the client's ``deadline`` when None.

        Returns:
            The decoded response (never an error: those are raised).

        Raises:
            ProfileViolation: The carrier's rules refuse the request (nothing was sent).
            MM7StatusError: The relay answered with an error status.
            TransportError: No usable HTTP answer.
            RemoteCodecError: The answer is not a valid MM7 message.
        """
        message = self._in_dialect(message)
        operation = version_of(message).operation_of(message)
        prepared = self.profile.prepare(operation, message, content)
        return self._exchange(prepared, transaction_id, operation, deadline).decoded

    # ------------------------------------------------------------------------------ plumbing

    def _vasp_request(
        self, operation: str, fields: Mapping[str, object], *, rel6: bool = False
    ) -> MM7Request:
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

    def _in_dialect(self, message: Any) -> Any:
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

    def _request(self, encoded: EncodedMessage) -> HTTPRequest:
        headers = {**self._headers, **encoded.headers}
        return HTTPRequest(self.endpoint, headers, encoded.body, encoded.body.content_length)

    def _exchange(
        self, prepared: Prepared, transaction_id: str | None, operation: str, deadline: float | None = None
    ) -> _Exchange:
        namespace = self.dialect.namespace if self.dialect is not None else None
        encoded = encode(
            prepared.message, transaction_id=transaction_id, content=prepared.content, namespace=namespace
        )
        tid = encoded.transaction_id
        request = self._request(encoded)
        expected = RESPONSE_OF.get(operation, operation)
        seconds = deadline if deadline is not None else self.deadline
        if seconds is not None and not seconds > 0:
            raise ConfigError(f"deadline must be > 0 or None, got {seconds}")
        # The transport measures the deadline on time.monotonic(), whatever clock the retry policy uses.
        ends_at = None if seconds is None else time.monotonic() + seconds
        if ends_at is not None:
            request = replace(request, deadline=ends_at)
        state = self.retry.start(now=self._clock())
        while True:
            retry_after: str | None = None
            try:
                if self.throttle is not None:
                    wait = self._throttle_timeout
                    if ends_at is not None:
                        left = max(0.0, ends_at - time.monotonic())
                        wait = left if wait is None else min(wait, left)
                    self.throttle.acquire(wait)
                response = self._transport.send(request)
                retry_after = response.header("Retry-After")
                decoded = self._interpret(response, tid, expected)
                return _Exchange(decoded, response.status, state.attempts)
            except (TransportError, MM7StatusError) as exc:
                if exc.transaction_id is None:
                    exc.transaction_id = tid
                decision = self.retry.decide(
                    attempt_state=state, error=exc, retry_after_header=retry_after, now=self._clock()
                )
                reason = decision.reason
                if decision.retry and ends_at is not None and time.monotonic() + decision.delay >= ends_at:
                    decision = replace(decision, retry=False)
                    reason += f", but the call's {seconds:g}s deadline would pass before the retry"
                if not decision.retry:
                    exc.add_note(f"mm7: not retried after attempt {state.attempts}: {reason}")
                    raise
                self._sleep(decision.delay)
                state = decision.state
            except MM7Error as exc:
                if exc.transaction_id is None:
                    exc.transaction_id = tid
                raise

    def _interpret(
        self, response: HTTPResponse, tid: str, expected: str
    ) -> DecodedMessage[MM7Message | None]:
        status = response.status
        try:
            decoded = decode(
                response.body, response.header("Content-Type"), mode=self._mode, limits=self._limits
            )
        except RemoteCodecError as exc:
            if 200 <= status < 300:
                raise  # garbage with a success status: the request may have taken effect
            # No MM7 answer at all (an HTML error page, a proxy's 503...): the HTTP status is all we know,
            # and RetryPolicy decides on it (429/503 retry).
            raise TransportError(
                f"HTTP {status} from {self.endpoint} without an MM7 answer ({exc.message})",
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
            decoded.raise_for_status(table=self.status_table, http_status=status)
        if decoded.operation != expected:
            raise RemoteCodecError(f"answer is {decoded.operation}, expected {expected}", transaction_id=tid)
        # A success answer under a non-2xx HTTP status is still a success: the relay says it took the
        # request, and reporting a failure would invite a duplicate resend.
        return decoded

    def close(self) -> None:
        """Close the transport's pooled connections."""
        self._transport.close()

    def __enter__(self) -> MM7Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        dialect = f", dialect={self.dialect.revision}/{self.dialect.mm7_version}" if self.dialect else ""
        return f"MM7Client({self.endpoint!r}, profile={self.profile.name!r}{dialect})"
