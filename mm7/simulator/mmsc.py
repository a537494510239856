"""A local MMSC that behaves like Sinch's MM7 endpoint, for development and tests.

:class:`MMSCSimulator` answers HTTP requests (:meth:`MMSCSimulator.handle`);
:meth:`MMSCSimulator.start` serves it on its own asyncio HTTP server (:mod:`mm7.simulator.loop_server`), and
it is also a WSGI application for any WSGI server. ``POST`` on any path (other than ``/_sim/...``) is the MM7
endpoint: a SubmitReq is checked with :mod:`mm7.simulator.rules` (the codec in strict mode plus Sinch's
rules) and answered with a SubmitRsp carrying a fresh numeric MessageID, or with a SOAP Fault holding
RSErrorRsp and Sinch's status code. Answers and faults are in the request's dialect (its namespace revision
and MM7Version). Accepted messages get delivery reports (Forwarded, then Retrieved, or a configured failure
per number, in the SubmitReq's dialect) posted to the DR URL by
:class:`~mm7.simulator.postback.PostbackScheduler`.
Control endpoints: ``GET /_sim/log`` (the exchange log as JSON), ``POST /_sim/mo`` (inject an MO DeliverReq
from JSON ``{"sender", "to", "text", "image"?, "subject"?}``) and ``GET /_sim/health``.

Example::

    with MMSCSimulator(SimulatorConfig(dr_url="http://127.0.0.1:8080/mm7")) as sim:
        print(sim.url)        # http://127.0.0.1:<free port>/mm7/v1/
"""

from __future__ import annotations

import base64
import binascii
import http
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from waitress import wasyncore
from waitress.server import create_server

from mm7.codec import summary
from mm7.codec.builders import deliver_request, delivery_report_request
from mm7.codec.messages import (
    DecodedMessage,
    EncodedMessage,
    answer_dialect,
    decode,
    encode,
    encode_error,
    encode_response,
)
from mm7.codec.mime import Part
from mm7.codec.smil import mixed_content
from mm7.codec.status import MMStatus
from mm7.codec.versions import (
    RECEIVE_ONLY_MM_STATUSES,
    REL6,
    Dialect,
    for_mm7_version,
)
from mm7.errors import ConfigError, MM7Error
from mm7.simulator.dialect import (
    DEFAULT_CARRIER_ID_HEADER,
    answer_code,
    profile_mm_status,
    soap_action_headers,
)
from mm7.simulator.log import ExchangeLog, LogEntry
from mm7.simulator.loop_server import Answer, LoopServer, Request
from mm7.simulator.postback import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_TIMEOUT,
    Postback,
    PostbackScheduler,
)
from mm7.simulator.rules import (
    DigestNonces,
    EveryNth,
    Rejection,
    SubmitRules,
    ThroughputGate,
    check_auth,
    check_http,
    check_soap_action,
    check_submit,
    read_submit,
    sniff_transaction_id,
)

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message
    from mm7.profiles.base import Profile

__all__ = ["MMSCSimulator", "ServerThread", "SimulatorConfig", "new_message_id", "standard_mm_status"]

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
#: The path Sinch serves MM7 on; the simulator accepts POSTs on any path, this is the one it advertises.
ENDPOINT_PATH = "/mm7/v1/"


#: Every MMStatus value some release of the standard defines (Rel-6's list includes Rel-5's).


def standard_mm_status(value: str) -> str:
    """The standard's spelling of a configured MMStatus (``"unrecognized"`` → ``"Unrecognised"``).

    Raises:
        ConfigError: The value is not one the standard defines (e.g. Sinch's ``NotSupported``): the
            simulator, like mm7's encoder, only sends the standard's values unless a profile's
            vocabulary lists more (:func:`mm7.simulator.dialect.profile_mm_status`).
    """
    return profile_mm_status(None, value)


def new_message_id() -> str:
    """A fresh MessageID shaped like Sinch's: a long decimal number (19 digits)."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated MMSC behaves.

    Attributes:
        rules: What the simulated account accepts (credentials, ids, versions, size).
        dr_url: Where delivery reports are posted; None sends none.
        mo_url: Where MO DeliverReqs are posted; None means ``dr_url``.
        reports: MMStatus values posted, in order, for each accepted message (the standard's values;
            ``Unrecognized`` is sent as the standard's ``Unrecognised``; a Rel-6-only value is sent as
            ``Indeterminate`` to a Rel-5 submitter).
        fail_numbers: Recipient number → MMStatus that replaces the final report, e.g.
            ``{"15550000001": "Rejected"}``.
        report_delay: Seconds between the SubmitRsp and the first report, and between reports.
        retry_interval: Seconds before a failed postback is retried (Sinch: 5 minutes).
        max_retries: Retries after the first attempt (Sinch: 5).
        postback_timeout: Seconds the VASP has to answer a postback (Sinch: 10).
        throughput: Requests accepted per ``throughput_window``; None means unlimited (3510 above).
        throughput_window: The throughput window in seconds.
        carrier_id: ``X-Mblox-Carrier-Id`` header added to postbacks, if any.
        log_path: A JSON-lines file mirroring the exchange log, if any.
        latency: Seconds every answer on the MM7 endpoint waits before it is sent. The simulator's own
            server keeps serving other requests meanwhile; a WSGI server hosting the app holds a thread.
        http_429_every: Answer every Nth request on the MM7 endpoint with HTTP 429 Too Many Requests
            and a ``Retry-After`` header, before any other check; None never does.
        busy_every: Answer every Nth SubmitReq that would be accepted with status 4006 (carrier capacity
            reached, retry later) instead of 1000; None never does.
        retry_after: Seconds in the ``Retry-After`` header of a 429.
        profile: The carrier dialect spoken (:mod:`mm7.simulator.dialect`): its status codes in answers,
            its delivery-report vocabulary (``reports`` and ``fail_numbers`` must be in it), its
            ``SOAPAction`` style and carrier-id header on postbacks, whether a blank HTTP 200
            acknowledges them, and its namespace and MM7Version for MO messages. ``rules`` should come
            from :func:`mm7.simulator.dialect.submit_rules` of the same profile. None: Sinch's behaviour.
    """

    rules: SubmitRules = field(default_factory=SubmitRules)
    dr_url: str | None = None
    mo_url: str | None = None
    reports: tuple[str, ...] = (MMStatus.FORWARDED.value, MMStatus.RETRIEVED.value)
    fail_numbers: Mapping[str, str] = field(default_factory=dict)
    report_delay: float = 0.2
    retry_interval: float = DEFAULT_RETRY_INTERVAL
    max_retries: int = DEFAULT_MAX_RETRIES
    postback_timeout: float = DEFAULT_TIMEOUT
    throughput: int | None = None
    throughput_window: float = 1.0
    carrier_id: str | None = None
    log_path: str | Path | None = None
    latency: float = 0.0
    http_429_every: int | None = None
    busy_every: int | None = None
    retry_after: int = 1
    profile: Profile | None = None

    def __post_init__(self) -> None:
        for status in (*self.reports, *self.fail_numbers.values()):
            profile_mm_status(self.profile, status)  # ConfigError for a value outside the vocabulary
        if self.max_retries < 0 or self.retry_interval < 0 or self.report_delay < 0:
            raise ConfigError("max_retries, retry_interval and report_delay must not be negative")
        if self.latency < 0 or self.retry_after < 0:
            raise ConfigError("latency and retry_after must not be negative")
        for name in ("http_429_every", "busy_every"):
            every = getattr(self, name)
            if every is not None and every < 1:
                raise ConfigError(f"{name} must be at least 1 (or None), got {every}")


class ServerThread:
    """Serve a WSGI app with waitress on a background thread (port 0 picks a free port).

    Args:
        app: The WSGI application.
        host: Interface to bind (loopback by default).
        port: Port to bind; 0 lets the OS pick a free one.
        threads: Waitress worker threads.
    """

    def __init__(
        self, app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, *, threads: int = 4
    ) -> None:
        self._server: Any = create_server(
            app, host=host, port=port, threads=threads, ident="mm7", asyncore_loop_timeout=0.2
        )
        self.host: str = str(self._server.effective_host)
        self.port: int = int(self._server.effective_port)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"waitress-{self.port}", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # waitress's own run() loops until its socket map is empty; this loop also ends when stop() asks,
        # and it is the only thread that closes the sockets (closing them while select() watches them races).
        server = self._server
        try:
            while not self._stopping.is_set() and server._map:
                wasyncore.loop(
                    timeout=server.adj.asyncore_loop_timeout,
                    map=server._map,
                    count=1,
                    use_poll=server.adj.asyncore_use_poll,
                )
        finally:
            server.close()
            for channel in list(server._map.values()):
                channel.close()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the bound socket."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening socket and every connection, then wait for the loop to end.

        The loop's own thread closes the sockets; the trigger only wakes it early (without it the loop
        notices within its poll timeout). A trigger that waitress already closed is not written to.
        """
        server = self._server
        self._stopping.set()
        trigger = server.trigger
        if self._thread.is_alive() and not trigger._closed:
            with suppress(OSError):
                trigger.pull_trigger()
        self._thread.join(timeout)
        server.task_dispatcher.shutdown()


class MMSCSimulator:
    """A Sinch-like MMSC: an HTTP handler (and WSGI app) plus a postback thread and an exchange log.

    Args:
        config: The behaviour; defaults accept any credentials and send no reports.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.log = ExchangeLog(self.config.log_path)
        self.postbacks = PostbackScheduler(
            self.log,
            retry_interval=self.config.retry_interval,
            max_retries=self.config.max_retries,
            timeout=self.config.postback_timeout,
        )
        self._gate = ThroughputGate(self.config.throughput, self.config.throughput_window)
        self._too_many = EveryNth(self.config.http_429_every)
        self._busy = EveryNth(self.config.busy_every)
        self._nonces = DigestNonces() if self.config.rules.auth == "digest" else None
        self._server: LoopServer | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port) from an event loop on a background thread.

        Returns:
            The MM7 endpoint URL, e.g. ``http://127.0.0.1:43121/mm7/v1/``.
        """
        if self._server is None:
            self.postbacks.start()
            self._server = LoopServer(
                self.handle, host, port, max_body_size=max(self.config.rules.max_request_size, 1)
            )
        return self.url

    @property
    def url(self) -> str:
        """The MM7 endpoint URL (after :meth:`start`)."""
        if self._server is None:
            raise ConfigError("the simulator is not started")
        return self._server.base_url + ENDPOINT_PATH

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._server is None:
            raise ConfigError("the simulator is not started")
        return self._server.port

    def stop(self) -> None:
        """Stop serving and drop postbacks not yet sent."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        self.postbacks.stop()

    def __enter__(self) -> MMSCSimulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        """Answer one HTTP request; the answer's ``delay`` is the configured latency on the MM7 endpoint.

        Args:
            request: The request, body included.

        Returns:
            The answer (it does not block: waiting out the latency is the server's job).
        """
        if request.path.startswith("/_sim/"):
            return self._control(request)
        if request.method != "POST":
            answer = Answer(405, b"MM7 endpoint: POST a SubmitReq\n", "text/plain", (("Allow", "POST"),))
        elif self._too_many.due():
            answer = self._too_many_requests()
        else:
            answer = self._submit(request)
        return replace(answer, delay=self.config.latency) if self.config.latency else answer

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point (the latency, if any, is slept in the calling thread)."""
        answer = self.handle(_wsgi_request(environ, self.config.rules.max_request_size))
        if answer.delay:
            time.sleep(answer.delay)
        headers = [
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
            *answer.headers,
        ]
        start_response(f"{answer.status} {http.HTTPStatus(answer.status).phrase}", headers)
        return [answer.body]

    def _too_many_requests(self) -> Answer:
        self.log.add(
            LogEntry(
                direction="in",
                kind="submit",
                http_status=429,
                detail=f"HTTP 429: every {self.config.http_429_every}th request (http_429_every)",
            )
        )
        retry_after = (("Retry-After", str(self.config.retry_after)),)
        return Answer(429, b"Too Many Requests\n", "text/plain; charset=utf-8", retry_after)

    def _submit(self, request: Request) -> Answer:
        rules = self.config.rules
        headers = request.headers
        content_type = headers.get("content-type")
        try:
            check_auth(headers.get("authorization"), rules, self._nonces)
            check_http(content_type, headers.get("content-length"), rules)
            if not self._gate.admit():
                raise Rejection(3510, "throughput limit exceeded")
            decoded = read_submit(request.body, content_type, rules)  # decoded once; the rules read it
            try:
                check_soap_action(headers.get("soapaction"), decoded.namespace, rules)
            except Rejection as rejection:
                rejection.transaction_id = decoded.transaction_id
                rejection.mm7_version = decoded.mm7_version
                raise
            recipients = check_submit(decoded, rules)
            if self._busy.due():
                raise Rejection(
                    4006,
                    f"busy: every {self.config.busy_every}th SubmitReq is refused (busy_every)",
                    transaction_id=decoded.transaction_id,
                    mm7_version=decoded.mm7_version,
                    namespace=decoded.namespace,
                )
        except Rejection as rejection:
            if rejection.transaction_id is None and rejection.challenge is None and request.body:
                # Refused before the body was read (auth, HTTP headers): the fault still echoes its id.
                rejection.transaction_id = sniff_transaction_id(request.body, content_type, rules)
            return self._reject(rejection)
        message_id = new_message_id()
        # In the SubmitReq's dialect: its namespace revision, MM7Version and TransactionID.
        answer = encode_response(decoded, 1000, "Success", message_id=message_id)
        self.log.add(
            LogEntry(
                direction="in",
                kind="submit",
                operation="SubmitReq",
                transaction_id=decoded.transaction_id,
                status_code=1000,
                http_status=200,
                ok=True,
                message_id=message_id,
                recipient=", ".join(recipients),
                detail=f"{len(decoded.media_parts())} media part(s)",
            )
        )
        if getattr(decoded.message, "delivery_report", None) is not False:
            for recipient in recipients:
                self._schedule_reports(decoded, message_id, recipient)
        return Answer(200, answer.to_bytes(), answer.content_type)

    def _reject(self, rejection: Rejection) -> Answer:
        code, text = answer_code(self.config.profile, rejection.status_code)
        if rejection.challenge is not None:  # Bearer and Digest: HTTP 401 with the challenge (RFC 9110)
            self.log.add(
                LogEntry(direction="in", kind="submit", http_status=401, ok=False, detail=rejection.details)
            )
            challenge = (("WWW-Authenticate", rejection.challenge),)
            return Answer(401, b"Unauthorized\n", "text/plain; charset=utf-8", challenge)
        answer = encode_error(
            code,
            text,
            transaction_id=rejection.transaction_id or "",
            request_operation="SubmitReq",
            details=rejection.details[:500],
            **self._fault_dialect(rejection),
        )
        self.log.add(
            LogEntry(
                direction="in",
                kind="submit",
                operation="SubmitReq",
                transaction_id=rejection.transaction_id,
                status_code=code,
                http_status=500,
                ok=False,
                detail=rejection.details,
            )
        )
        # SOAP 1.1 section 6.2: a Fault travels with HTTP 500.
        return Answer(500, answer.to_bytes(), answer.content_type)

    def _fault_dialect(self, rejection: Rejection) -> dict[str, Any]:
        """``encode_error`` arguments answering in the request's namespace, when it could be read.

        The MM7Version is echoed only when the account accepts it (a 2505 is not answered in the refused
        version); otherwise the release's default is sent.
        """
        accepted = rejection.mm7_version if rejection.mm7_version in self.config.rules.mm7_versions else None
        spoken = Dialect.from_peer(rejection.namespace, accepted)
        if spoken is not None:
            return {"namespace": spoken.namespace, "mm7_version": spoken.mm7_version}
        if accepted is not None:  # no readable namespace: the release of the MM7Version picks the schema
            return {"version": for_mm7_version(accepted), "mm7_version": accepted}
        return {}

    # -- delivery reports --------------------------------------------------------------------------

    def report_statuses(self, recipient: str) -> list[str]:
        """The MMStatus values this simulator posts for a message to ``recipient``.

        Spelled as the profile's vocabulary spells them; without one, the standard's spelling.
        """
        profile = self.config.profile
        statuses = [profile_mm_status(profile, s) for s in self.config.reports]
        failure = self.config.fail_numbers.get(recipient)
        if failure is not None:
            statuses = [s for s in statuses if s == MMStatus.FORWARDED.value]
            statuses.append(profile_mm_status(profile, failure))
        return statuses

    def _schedule_reports(
        self, decoded: DecodedMessage[MM7Message | None], message_id: str, recipient: str
    ) -> None:
        url = self.config.dr_url
        if url is None:
            return
        sender = _short_code_of(decoded) or self.config.rules.short_code or "0"
        dialect = answer_dialect(decoded)  # reports go out in the dialect the VASP submitted in
        for index, configured in enumerate(self.report_statuses(recipient)):
            # A Rel-6 value (Deferred, Unrecognised, DeliveryConditionNotMet) has no Rel-5 form: a Rel-5
            # submit gets Indeterminate ("no delivery report can be given") in its place.
            in_release = configured in dialect.schema.standard_mm_statuses
            # A word the carrier's vocabulary lists but no release defines (Sinch's Unreachable) goes out
            # as the carrier writes it, though mm7's encoder never emits it: written after encoding.
            vendor_word = not in_release and configured in RECEIVE_ONLY_MM_STATUSES
            mm_status = configured if in_release or vendor_word else MMStatus.INDETERMINATE.value
            report = delivery_report_request(
                message_id=message_id,
                recipient=recipient,
                sender=sender,
                mm_status=MMStatus.INDETERMINATE.value if vendor_word else mm_status,
                status_text="Success" if mm_status == MMStatus.RETRIEVED.value else mm_status,
                mm7_version=dialect.mm7_version,
            )
            wire = encode(report, namespace=dialect.namespace)
            body = wire.to_bytes()
            if vendor_word:
                body = body.replace(b"MMStatus>Indeterminate<", f"MMStatus>{mm_status}<".encode(), 1)
            postback = self._postback(url, wire, "delivery_report", message_id, recipient, mm_status, body)
            self.postbacks.start()
            self.postbacks.schedule(postback, delay=self.config.report_delay * (index + 1))

    def _postback(
        self,
        url: str,
        wire: EncodedMessage,
        kind: str,
        message_id: str | None = None,
        recipient: str | None = None,
        mm_status: str | None = None,
        body: bytes | None = None,
    ) -> Postback:
        profile = self.config.profile
        headers = soap_action_headers(wire.headers, profile)
        data = wire.to_bytes() if body is None else body
        headers["Content-Length"] = str(len(data))
        if self.config.carrier_id:
            name = (profile.carrier_id_header if profile is not None else None) or DEFAULT_CARRIER_ID_HEADER
            headers[name] = self.config.carrier_id
        return Postback(
            url=url,
            body=data,
            headers=headers,
            transaction_id=wire.transaction_id,
            operation=wire.operation,
            kind=kind,
            message_id=message_id,
            recipient=recipient,
            mm_status=mm_status,
            blank_200_ack=bool(profile is not None and profile.blank_200_ack),
        )

    # -- MO messages -------------------------------------------------------------------------------

    def _mo_url(self, url: str | None) -> str:
        target = url or self.config.mo_url or self.config.dr_url
        if not target:
            raise ConfigError("no URL to post MO messages to (set mo_url or dr_url)")
        return target

    def inject_mo(
        self,
        sender: str,
        to: str,
        text: str | None = None,
        *,
        image: str | Path | bytes | None = None,
        image_type: str | None = None,
        subject: str | None = None,
        url: str | None = None,
        mm7_version: str | None = None,
        dialect: Dialect | None = None,
    ) -> str:
        """Post an MO DeliverReq (an end user's message to the short code) to the VASP, with retries.

        The content is a nested ``multipart/mixed`` part, as Sinch sends it. The DeliverReq carries
        ``Priority`` ``Normal``: the schema makes it optional, but some VASP stacks fail without it.

        Args:
            sender: The end user's number.
            to: The short code (or number) the user wrote to.
            text: A text part, if any.
            image: An image file path or its bytes, if any.
            image_type: The image's Content-Type (guessed from the file name when None).
            subject: The Subject, if any.
            url: Where to post (default: ``mo_url``, else ``dr_url``).
            mm7_version: MM7Version of the DeliverReq (default: the profile's, else 6.8.0).
            dialect: Namespace revision and MM7Version to send in (replaces ``mm7_version``); by default
                the profile's namespace, else our schema's namespace of ``mm7_version``'s release.

        Returns:
            The DeliverReq's TransactionID.

        Raises:
            ConfigError: No URL, or neither text nor image.
        """
        parts: list[Part] = []
        if text is not None:
            parts.append(Part.from_text(text, content_id="text1.txt"))
        if isinstance(image, bytes):
            parts.append(Part.from_bytes(image, image_type or "image/jpeg", content_id="image1"))
        elif image is not None:
            parts.append(Part.from_file(image, image_type, content_id=Path(image).name))
        if not parts:
            raise ConfigError("an MO message needs a text or an image")
        profile = self.config.profile
        if dialect is None and mm7_version is None and profile is not None and profile.namespace:
            dialect = Dialect(profile.namespace, profile.mm7_version)
        if dialect is not None:
            mm7_version = dialect.mm7_version
        elif mm7_version is None:
            mm7_version = profile.mm7_version if profile is not None else REL6.default_mm7_version
        bindings = for_mm7_version(mm7_version).bindings
        request = deliver_request(
            sender=sender,
            to=to,
            subject=subject,
            mm7_version=mm7_version,
            priority=bindings.PriorityType.NORMAL,
        )
        namespace = dialect.namespace if dialect is not None else None
        wire = encode(request, content=mixed_content(parts), namespace=namespace)
        postback = self._postback(self._mo_url(url), wire, "deliver", recipient=to)
        self.postbacks.start()
        self.postbacks.schedule(postback)
        return wire.transaction_id

    def inject_mo_raw(self, body: bytes, content_type: str | None, *, url: str | None = None) -> str:
        """Post a ready MM7 request (e.g. a captured DeliverReq) to the VASP as is, with retries.

        Args:
            body: The request body.
            content_type: Its Content-Type.
            url: Where to post (default: ``mo_url``, else ``dr_url``).

        Returns:
            The request's TransactionID.

        Raises:
            RemoteCodecError: The body is not a readable MM7 request.
        """
        decoded = decode(body, content_type, mode="tolerant")
        headers = {
            "Content-Type": content_type or "text/xml; charset=utf-8",
            "SOAPAction": f'"{decoded.namespace}"',
        }
        kind = "delivery_report" if decoded.operation == "DeliveryReportReq" else "deliver"
        postback = Postback(self._mo_url(url), body, headers, decoded.transaction_id, decoded.operation, kind)
        self.postbacks.start()
        self.postbacks.schedule(postback)
        return decoded.transaction_id

    # -- control endpoints ---------------------------------------------------------------------------

    def _control(self, request: Request) -> Answer:
        method, path = request.method, request.path
        if path == "/_sim/log" and method == "GET":
            return _json(200, self.log.to_json())
        if path == "/_sim/health" and method == "GET":
            return _json(200, {"ok": True, "pending_postbacks": self.postbacks.pending})
        if path == "/_sim/mo" and method == "POST":
            try:
                tid = self.inject_mo(**_mo_arguments(json.loads(request.body or b"{}")))
            except (ValueError, TypeError, MM7Error) as exc:
                return _json(400, {"error": str(exc)})
            self.log.add(
                LogEntry(
                    direction="in",
                    kind="trigger",
                    operation="DeliverReq",
                    transaction_id=tid,
                    ok=True,
                    http_status=200,
                )
            )
            return _json(200, {"transaction_id": tid})
        return _json(404, {"error": f"no control endpoint {method} {path}"})


def _mo_arguments(spec: Any) -> dict[str, Any]:
    """Arguments of :meth:`MMSCSimulator.inject_mo` from the JSON of ``POST /_sim/mo``."""
    if not isinstance(spec, dict) or not spec.get("sender") or not spec.get("to"):
        raise ValueError('expected a JSON object with "sender" and "to"')
    image: str | bytes | None = spec.get("image")
    if spec.get("image_base64"):
        try:
            image = base64.b64decode(spec["image_base64"], validate=True)
        except binascii.Error as exc:
            raise ValueError("image_base64 is not base64") from exc
    return {
        "sender": str(spec["sender"]),
        "to": str(spec["to"]),
        "text": spec.get("text"),
        "image": image,
        "image_type": spec.get("image_type"),
        "subject": spec.get("subject"),
        "url": spec.get("url"),
    }


def _short_code_of(decoded: DecodedMessage[MM7Message | None]) -> str | None:
    address = summary.sender(decoded.message)
    return address.value if address is not None and address.kind in ("short_code", "number") else None


def _wsgi_request(environ: Environ, max_body_size: int) -> Request:
    """The :class:`Request` a WSGI environ describes; a body longer than ``max_body_size`` is not read."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    declared = headers.get("content-length", "").strip()
    length = int(declared) if declared.isdigit() else 0
    body = _read_body(environ, length) if length <= max_body_size else b""
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=str(environ.get("PATH_INFO") or "/"),
        query=str(environ.get("QUERY_STRING", "")),
        headers=headers,
        body=body,
    )


def _read_body(environ: Environ, length: int) -> bytes:
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _json(status: int, value: Any) -> Answer:
    return Answer(status, json.dumps(value, indent=1).encode(), "application/json")
