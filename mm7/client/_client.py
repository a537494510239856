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

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

import requests

from mm7.capture import Capture, as_capture
from mm7.client._core import Exchange, Protocol
from mm7.client._shell import ShellBase, sinch_setup
from mm7.client._transport import HTTPResponse, RequestsTransport, Timeout, Transport
from mm7.client.auth import Auth
from mm7.client.retry import RetryPolicy
from mm7.client.throttle import Rate, Throttle
from mm7.codec.messages import DecodedMessage, Mode
from mm7.codec.mime import Limits, Part
from mm7.codec.versions import Dialect
from mm7.errors import MM7Error
from mm7.outcome import Outcome
from mm7.profiles.base import Prepared, Profile

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message, MM7Request, SubmitReq
    from mm7.tracking import Tracker

__all__ = ["ClientOptions", "MM7Client", "SubmitResult"]


class ClientOptions(TypedDict, total=False):
    """:class:`MM7Client` keyword arguments a profile constructor (``MM7Client.for_sinch``) passes on."""

    auth: Auth | tuple[str, str] | None
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
    tracker: Tracker | None
    capture: Capture | str | Path | None


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

    @property
    def acceptance(self) -> Literal["accepted"]:
        """Did the relay take the request? A result always says ``accepted`` (a failure raises)."""
        return "accepted"

    @property
    def outcome(self) -> Outcome:
        """What to do next (:mod:`mm7.outcome`): ``success``; a failure's is on the exception."""
        return "success"


class MM7Client(ShellBase):
    """A VASP-side MM7 client: SubmitReq, CancelReq, ReplaceReq and the Rel-6 extended operations.

    Thread-safe for concurrent sends (the bulk sender shares one client between threads): it holds
    only configuration, a pooled session and a throttle that is itself thread-safe.

    Args:
        endpoint: The relay's URL; the profile's default when None.
        profile: Carrier rules and identity (:class:`~mm7.profiles.sinch.SinchProfile`...).
        auth: How to authenticate: :class:`~mm7.client.BasicAuth` (a ``(username, password)`` pair means
            Basic too), :class:`~mm7.client.DigestAuth` or :class:`~mm7.client.BearerAuth`.
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
        tracker: Record every accepted SubmitReq in this tracker (:mod:`mm7.tracking`: MessageID, each
            recipient, the profile's name, whether a delivery report was asked for). A record that fails
            is logged, never raised: the relay has taken the message.
        capture: Write every attempt's request and answer to a file in this directory (a path, or a
            :class:`~mm7.capture.Capture` with its own caps): credentials redacted, 1 MiB per file and
            1000 files by default, the oldest removed first (:mod:`mm7.capture`). Read them with
            ``mm7 inspect``, send one again with ``mm7 replay``.

    Raises:
        ConfigError: No endpoint, or a reserved header in ``headers``.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        profile: Profile | None = None,
        auth: Auth | tuple[str, str] | None = None,
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
        tracker: Tracker | None = None,
        capture: Capture | str | Path | None = None,
    ) -> None:
        self._core = Protocol(
            endpoint,
            profile=profile,
            auth=auth,
            headers=headers,
            deadline=deadline,
            retry=retry,
            response_limits=response_limits,
            response_mode=response_mode,
            dialect=dialect,
            client_name=type(self).__name__,
        )
        self.profile = self._core.profile
        self.endpoint = self._core.endpoint
        self.deadline = self._core.deadline
        self.status_table = self._core.status_table
        self.retry = self._core.retry
        self.throttle = throttle
        self._throttle_timeout = throttle_timeout
        self._transport: Transport = (
            transport
            if transport is not None
            else RequestsTransport(session, timeout=timeout, verify=verify, cert=cert)
        )
        self.dialect = dialect
        self._sleep = sleep
        self._clock = clock
        self.tracker = tracker
        self.capture = as_capture(capture)

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
        profile = sinch_setup(
            options,
            api_key=api_key,
            short_code=short_code,
            vas_id=vas_id,
            endpoint=endpoint,
            mm7_version=mm7_version,
            carrier_id=carrier_id,
            default_region=default_region,
            rates=rates,
            username=username,
            password=password,
        )
        return cls(profile.endpoint, profile=profile, **options)

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
        _, prepared = self._core.prepare(message, content, "SubmitReq")
        exchange = self._exchange(prepared, transaction_id, "SubmitReq", deadline)
        decoded = exchange.decoded
        result = SubmitResult(
            message_id=getattr(decoded.message, "message_id", None),
            status_code=decoded.status_code or 1000,
            status_text=decoded.status_text,
            transaction_id=decoded.transaction_id,
            http_status=exchange.http_status,
            response=decoded,
            attempts=exchange.attempts,
            warnings=prepared.warnings,
        )
        self._track(message, result)
        return result

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
            self._core.vasp_request("CancelReq", {**fields, "message_id": message_id}),
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
        message = self._core.vasp_request("ReplaceReq", {**fields, "message_id": message_id})
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
        message = self._core.vasp_request("extendedCancelReq", {**fields, "cancel_id": cancel_id}, rel6=True)
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
        fields = {**fields, "replace_id": replace_id}
        message = self._core.vasp_request("extendedReplaceReq", fields, rel6=True)
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
        operation, prepared = self._core.prepare(message, content)
        return self._exchange(prepared, transaction_id, operation, deadline).decoded

    # ------------------------------------------------------------------------------ plumbing

    def _exchange(
        self, prepared: Prepared, transaction_id: str | None, operation: str, deadline: float | None = None
    ) -> Exchange:
        # The transport measures the deadline on time.monotonic(), whatever clock the retry policy uses.
        call = self._core.start(
            prepared, transaction_id, operation, deadline, monotonic=time.monotonic(), now=self._clock()
        )
        while True:
            response: HTTPResponse | None = None
            sending = False
            try:
                if self.throttle is not None:
                    call.throttled(
                        self.throttle.acquire(call.throttle_wait(self._throttle_timeout, time.monotonic()))
                    )
                sending = True
                response = self._transport.send(call.request)
                self._capture(call, response)
                return call.receive(response, time.monotonic())
            except MM7Error as exc:
                if sending and response is None:
                    self._capture(call, None, exc)
                delay = call.after_error(
                    exc, response, monotonic=time.monotonic(), now=self._clock(), now_epoch=time.time()
                )
                if call.hold and self.throttle is not None:
                    self.throttle.hold(call.hold)  # the relay asked the whole account to slow down
                if delay is None:
                    raise
                self._sleep(delay)

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
