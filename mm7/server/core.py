"""The receiver's protocol core, free of I/O: a request's head and body bytes in, an HTTP answer out.

Both receivers drive it: the WSGI app (:class:`~mm7.server.app.ReceiverApp`) reads ``wsgi.input`` on a
server thread; the ASGI app (:class:`~mm7.server.asgi.ASGIReceiverApp`) awaits ``receive()`` on the event
loop, decodes small bodies there and has their notifications stored in batches by a thread (large bodies
are decoded and stored in a thread). The gunicorn worker we ship (:mod:`mm7.server.gunicorn_config`)
serves the WSGI app's small requests on its loop the same way. What is checked, in which order,
what is stored and what is answered lives here only, so both answer the same request with the same bytes.

A request goes through three steps, in the manner of h11:

1. :meth:`ReceiverCore.begin` takes the request head as CGI variables (``REQUEST_METHOD``, ``REMOTE_ADDR``,
   ``CONTENT_TYPE``, ``CONTENT_LENGTH``, ``HTTP_*``: a WSGI environ, or one built from an ASGI scope). It
   answers at once what the head decides (health check, method, auth, declared size, content type), or
   returns an :class:`Exchange` for the body;
2. :meth:`Exchange.feed` takes body bytes as the server reads them, streaming them through the codec's
   :class:`~mm7.codec.mime.MultipartDecoder` (large payloads spill to temporary files); it answers early
   when the body is refused (over ``max_body_size``, malformed MIME), and the server reads no more;
3. :meth:`Exchange.finish`, at the end of the body (or :meth:`Exchange.storing`, the same steps with the
   put left to the caller), decodes it in tolerant mode
   (:func:`~mm7.codec.messages.decode_parts`), **stores the notification durably**
   (:meth:`~mm7.inbox.Inbox.put`, deduplicated; this blocks on the inbox) and only then returns the Rsp
   built by :func:`~mm7.codec.messages.response_for`.

The MMSC (Sinch) posts ``DeliverReq`` (mobile-originated messages), ``DeliveryReportReq`` and
``ReadReplyReq``. Its contract (``docs/sinch.md``, "Receiving"): answer within 10 s with HTTP 200 and the
matching Rsp carrying the request's TransactionID and StatusCode 1000; anything else is retried 5 minutes
later, up to 5 times. The application's own handlers never run here: workers (:mod:`mm7.server.worker`)
take notifications from the inbox later. Every protocol rule lives in the codec; this module maps
outcomes to HTTP.

Answers (TS 23.140 §8.7 for the faults; the VASP answers errors with a SOAP Fault holding VASPErrorRsp):

======================================  ====  ==========================================
situation                               HTTP  MM7 StatusCode in the answer
======================================  ====  ==========================================
stored (or a duplicate of a stored one)  200  1000 in DeliverRsp/DeliveryReportRsp/...
malformed MIME or XML                    500  2007 message format corrupt
schema violation                         500  4004 validation error
valid MM7 but not for a receiver         500  4003 unsupported operation
unknown namespace / MM7Version           500  4002 unsupported version
Content-Type not XML nor multipart       415  2007 (fault)
body larger than ``max_body_size``       413  2007 (fault, "request too large")
body unreadable (bad chunking, client    400  2007 (fault; a warning in the log, no traceback)
gone mid-body, over-long chunk line,
shorter than its Content-Length)
inbox failed (disk full, read-only...)   500  3000 system error -- the MMSC retries
any other failure                        500  3000 (generic fault; details only in our log)
wrong credentials / address              401 / 403, plain text, body not read
GET or HEAD                              200  health text; other methods 405
GET /metrics (``metrics=True``)          200  Prometheus text; 404 when metrics are off,
                                              403 outside the allow-list
======================================  ====  ==========================================

Metrics (:mod:`mm7.metrics`, with prometheus_client installed): every POST answered is counted by
operation and HTTP status, every fault by its MM7 code, duplicates by operation, and the inbox's store
time; each log record about a request carries its TransactionID and MessageID as record fields
(:func:`mm7.metrics.log_fields`). ``/metrics`` obeys the allow-list but asks for no credentials: a
scraper is not the MMSC and should not hold its password (put the scraper's address in the allow-list, or
keep ``/metrics`` behind the proxy).
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from xsdata.models.datatype import XmlDateTime

from mm7 import metrics
from mm7.capture import Capture, Message, status_line
from mm7.codec import summary
from mm7.codec.builders import delivery_report_request
from mm7.codec.messages import (
    DecodedMessage,
    answer_dialect,
    decode,
    decode_parts,
    encode,
    encode_error,
    encode_response,
    new_transaction_id,
    sniff_dialect,
)
from mm7.codec.mime import DecodedBody, Limits, MultipartDecoder, Part, encode_multipart
from mm7.codec.versions import REL6, Dialect, SchemaVersion
from mm7.codec.xml import XMLLimits
from mm7.errors import CodecError, ConfigError, LimitExceededError, MIMEError, MM7Error
from mm7.inbox import (
    Attachment,
    Inbox,
    Notification,
    NotificationKind,
    PutResult,
    StorageError,
    StreamedData,
    dedupe_key_for,
)
from mm7.server.auth import AuthPolicy

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message
    from mm7.profiles.base import Profile
    from mm7.tracking import Tracker

__all__ = [
    "DEFAULT_KEPT_HEADERS",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_SPOOL_SIZE",
    "DEVIATIONS_HEADER",
    "KINDS",
    "READ_CHUNK",
    "VIOLATIONS_HEADER",
    "Answer",
    "Exchange",
    "ReceiverCore",
]

logger = logging.getLogger("mm7.server")


#: Largest request body accepted. Carriers cap an MMS well below 5 MB (Sinch: a few hundred KB to
#: ~5 MB); 16 MiB leaves room for base64 overhead and odd peers while bounding what one request costs.
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024
#: Payload bytes kept in memory per part before spilling to a temporary file.
DEFAULT_SPOOL_SIZE = 256 * 1024
#: Body bytes a server reads (and feeds to an :class:`Exchange`) at a time.
READ_CHUNK = 64 * 1024
#: Largest body an event-loop server decodes on its loop (bytes): a delivery report is about 1-2 KB, and a
#: MIME body this size decodes in well under a millisecond, in memory (:meth:`ReceiverCore.decodes_on_loop`).
ON_LOOP_BODY_SIZE = 32 * 1024
#: HTTP headers copied into the stored notification. Sinch sends the carrier as ``X-Mblox-Carrier-Id``
#: on MO and delivery reports (e.g. Verizon ``0001890``); it is needed to answer on the same route.
DEFAULT_KEPT_HEADERS = ("X-Mblox-Carrier-Id", "SOAPAction", "User-Agent")
#: Key under which the codec's tolerated deviations are kept in :attr:`Notification.headers`
#: (the inbox has no field of its own for them yet; "; "-separated sentences).
DEVIATIONS_HEADER = "X-MM7-Deviations"
#: Key under which what is still schema-invalid after repair is kept: the message is stored *flagged*
#: (``ReceiverApp(reject_invalid=False)``, the default) so that nothing an MMSC sent is lost.
VIOLATIONS_HEADER = "X-MM7-Violations"

#: The requests a VASP receives (TS 23.140 §8.7: the relay originates these three).
KINDS = {
    "DeliverReq": NotificationKind.DELIVER,
    "DeliveryReportReq": NotificationKind.DELIVERY_REPORT,
    "ReadReplyReq": NotificationKind.READ_REPLY,
}

# StatusText for the status codes this app answers (TS 23.140 Table 23, "Request Status Codes").
_STATUS_TEXT = {
    2007: "Message format corrupt",
    4002: "Unsupported version",
    4003: "Unsupported operation",
    4004: "Validation error",
    3000: "System error",
}
_HEALTH = b"mm7 receiver: ok\n"
#: The path Prometheus scrapes (relative to where the app is mounted).
METRICS_PATH = "/metrics"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer.

    Attributes:
        status: The status line's code and reason, ``"200 OK"`` (the WSGI form).
        headers: Response headers (Content-Type and Content-Length always among them).
        body: The body, sent in full (a HEAD request gets the headers only).
    """

    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_code(self) -> int:
        """The status as a number (``200``)."""
        return int(self.status.split(" ", 1)[0])


class _RequestError(Exception):
    """An outcome that ends the request early with a given HTTP status and MM7 fault."""

    def __init__(self, http_status: str, status_code: int, text: str, details: str | None = None) -> None:
        super().__init__(text)
        self.http_status = http_status
        self.status_code = status_code
        self.text = text
        self.details = details


class ReceiverCore:
    """What a receiver does with a request, whatever server it runs on (no I/O of its own).

    Args:
        inbox: Where notifications are stored before they are acknowledged.
        auth: Optional Basic auth and IP allow-list, checked before the body is read.
        max_body_size: Largest body accepted, checked against Content-Length before reading and
            enforced while reading (413 either way).
        spool_size: Payload bytes per part kept in memory before spilling to a temporary file.
        limits: Further MIME limits for the codec; its ``max_body_size`` is replaced by ``max_body_size``.
        xml_limits: Limits for the SOAP part. Its ``max_size`` (1 MiB by default) is enforced while the body
            is read: a larger SOAP part (bare body or multipart root) is refused as soon as it is exceeded,
            so a refused request holds at most about that many bytes in memory, whatever its body size.
        kept_headers: HTTP headers copied into the stored notification.
        profile: The carrier whose callbacks this receiver takes (``mm7 serve --profile``): its
            carrier-id header is kept too, a delivery report whose MMStatus is outside the profile's
            vocabulary is stored with a note saying so (never refused), and a request whose dialect
            cannot be read is answered in the profile's namespace and MM7Version.
        reject_invalid: Answer a SOAP Fault (4004) and store nothing when a request is still invalid
            after tolerant repair. By default such a request is stored flagged (its violations under
            ``X-MM7-Violations``), answered with success and handed to the worker with its violations:
            refusing it would lose it, since the MMSC would send the same bytes again.
        metrics: Serve the Prometheus metrics (:mod:`mm7.metrics`) on ``GET /metrics``; needs
            prometheus_client (``mm7[metrics]``). Off by default: ``/metrics`` is then a 404.
        tracker: Fold every delivery report and read reply into this tracker (:mod:`mm7.tracking`) once it
            is stored, before answering. A fold that fails is logged and the request still answered: the
            report is safe in the inbox.
        capture: Write every POST whose body was read (the request, then the answer) to a file in this
            writer's directory (:mod:`mm7.capture`), before the answer goes out. Requests answered on their
            head alone (401, 403, 405, a declared size over the limit, 415) are not captured.
    """

    def __init__(
        self,
        inbox: Inbox,
        *,
        auth: AuthPolicy | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        spool_size: int = DEFAULT_SPOOL_SIZE,
        limits: Limits | None = None,
        kept_headers: Iterable[str] = DEFAULT_KEPT_HEADERS,
        profile: Profile | None = None,
        reject_invalid: bool = False,
        xml_limits: XMLLimits | None = None,
        metrics: bool = False,
        tracker: Tracker | None = None,
        capture: Capture | None = None,
    ) -> None:
        if metrics and not _metrics_installed():
            raise ConfigError("metrics=True needs prometheus_client: pip install 'mm7[metrics]'")
        self.metrics = metrics
        self.tracker = tracker
        self.capture = capture
        base = limits or Limits()
        self.inbox = inbox
        self.auth = auth or AuthPolicy()
        self.max_body_size = max_body_size
        self.spool_size = spool_size
        self.limits = Limits(
            max_body_size=max_body_size,
            max_parts=base.max_parts,
            max_depth=base.max_depth,
            max_header_line=base.max_header_line,
            max_headers_per_part=base.max_headers_per_part,
            max_part_size=base.max_part_size,
        )
        self.profile = profile
        carrier_header = profile.carrier_id_header if profile is not None else None
        self.kept_headers = tuple(kept_headers) + ((carrier_header,) if carrier_header else ())
        self.reject_invalid = reject_invalid
        self.xml_limits = xml_limits or XMLLimits()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.inbox!r}, max_body_size={self.max_body_size})"

    # ----------------------------------------------------------------------------------- the head

    def warm_up(self) -> None:
        """Load now what the first requests would: the schemas and generated codecs of both releases.

        A delivery report of each release is encoded, decoded as a request is (tolerant, validated,
        summarized) and answered, in memory; nothing is stored, nothing is counted. The launchers call it
        before they listen (:func:`~mm7.server.hosting.prepare_to_serve`), so that the MMSC's first
        request does not wait for a schema to compile.
        """
        for mm7_version in ("5.3.0", "6.8.0"):
            report = delivery_report_request(
                message_id="warm-up",
                recipient="15550100",
                sender="12345",
                mm_status="Retrieved",
                mm7_version=mm7_version,
            )
            wire = encode(report, transaction_id="warm-up")
            decoded = decode(wire.to_bytes(), wire.content_type, mode="tolerant", xml_limits=self.xml_limits)
            self._notification(NotificationKind.DELIVERY_REPORT, decoded, {})
            encode_response(decoded).to_bytes()

    def decodes_on_loop(self, body_size: int) -> bool:
        """Whether a whole body of ``body_size`` bytes may be decoded on a server's event loop.

        True for a small body (at most :data:`ON_LOOP_BODY_SIZE`, and below ``spool_size``, so no payload
        touches a disk) when the receiver has no tracker and no capture (both write files or a database);
        its notification is then stored in a batch (:mod:`mm7.server.batching`).
        """
        return (
            self.tracker is None
            and self.capture is None
            and body_size <= min(ON_LOOP_BODY_SIZE, self.spool_size)
        )

    def begin(self, environ: Mapping[str, Any]) -> Answer | Exchange:
        """Take a request's head: answer what it decides alone, or return the :class:`Exchange` for its body.

        Args:
            environ: The head as CGI variables (a WSGI environ, or one made from an ASGI scope).

        Returns:
            The answer (health check, 405, 401/403, 400 bad Content-Length, 413 declared size, 415), or
            the exchange to feed the body into.
        """
        method = environ.get("REQUEST_METHOD", "GET")
        if method in ("GET", "HEAD"):
            if self.is_scrape(environ):
                return self.scrape(environ)
            return Answer("200 OK", _text_headers(_HEALTH), _HEALTH)
        if method != "POST":
            body = b"method not allowed: POST MM7 requests, GET for health\n"
            return Answer(
                "405 Method Not Allowed", [*_text_headers(body), ("Allow", "GET, HEAD, POST")], body
            )
        rejection = self.auth.check(environ)
        if rejection is not None:
            logger.warning(
                "rejected request from %s: %s",
                environ.get("REMOTE_ADDR"),
                rejection.reason,
                extra=metrics.log_fields(None),
            )
            body = f"{rejection.reason}\n".encode()
            answer = Answer(rejection.http_status, [*_text_headers(body), *rejection.headers], body)
            metrics.receiver_answered(None, answer.status_code)
            return answer
        try:
            length = _content_length(environ)
            if length is not None and length > self.max_body_size:
                # Refused on the declared size alone: nothing of the body is read.
                raise _too_large(f"Content-Length {length} exceeds {self.max_body_size} bytes")
            return Exchange(self, environ, length)
        except _RequestError as exc:
            return self._refusal(exc)

    def internal_error(self, environ: Mapping[str, Any]) -> Answer:
        """The answer to a failure of our own (call from an ``except`` block: the traceback is logged).

        Whatever went wrong, the peer gets a generic fault and no traceback; the traceback goes to our
        log. 3000 is retryable, so the MMSC tries again later.
        """
        logger.exception(
            "receiver failed on %s %s",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            extra=metrics.log_fields(None),
        )
        answer = _fault("500 Internal Server Error", 3000, _STATUS_TEXT[3000])
        metrics.receiver_answered(None, answer.status_code, 3000)
        return answer

    def is_scrape(self, environ: Mapping[str, Any]) -> bool:
        """Whether a GET or HEAD asks for the metrics (``/metrics`` where the app is mounted)."""
        return environ.get("PATH_INFO") == METRICS_PATH

    def scrape(self, environ: Mapping[str, Any]) -> Answer:
        """The answer to ``GET /metrics``: the exposition (reads the inbox depth), 404 when metrics are off.

        The allow-list applies (403 outside it); credentials are not asked for (module docstring).
        """
        if not self.metrics:
            body = b"not found: metrics are off (make_app(metrics=True), MM7_METRICS=1)\n"
            return Answer("404 Not Found", _text_headers(body), body)
        rejection = self.auth.allow.check(environ) if self.auth.allow is not None else None
        if rejection is not None:
            body = f"{rejection.reason}\n".encode()
            return Answer(rejection.http_status, _text_headers(body), body)
        try:
            body, content_type = metrics.exposition(self.inbox)
        except StorageError as exc:  # the inbox's depth could not be read: no partial scrape
            logger.error("metrics: inbox depth unavailable: %s", exc, extra=metrics.log_fields(None))
            body = b"metrics unavailable: the inbox failed\n"
            return Answer("503 Service Unavailable", _text_headers(body), body)
        return Answer("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))], body)

    def too_slow(self, seconds: float) -> Answer:
        """The answer to a body not received whole within ``seconds`` (408 with 2007)."""
        return self._refusal(
            _RequestError(
                "408 Request Timeout",
                2007,
                _STATUS_TEXT[2007],
                f"request body not received within {seconds:g} seconds",
            )
        )

    # ----------------------------------------------------------------------------------- the body

    def _sink(self) -> IO[bytes]:
        # Large MO attachments must not sit in memory: past spool_size a payload rolls over to a
        # temporary file, deleted when DecodedBody.close() closes it.
        return tempfile.SpooledTemporaryFile(max_size=self.spool_size)

    def _refusal(self, exc: Exception) -> Answer:
        """The answer to a body refused before it could be read whole (no dialect known yet)."""
        if isinstance(exc, _RequestError):
            return self._error(exc, None)
        if isinstance(exc, LimitExceededError) and exc.limit in ("max_body_size", "max_attachment_size"):
            return self._error(_too_large(str(exc)), None)
        assert isinstance(exc, CodecError)
        return self._codec_error(exc, None)

    def _storing(
        self, mime: DecodedBody, environ: Mapping[str, Any], seen: list[str] | None = None
    ) -> Storing:
        """Decode a whole body, have it stored, answer; the body's spooled payloads are closed in any case.

        Free of I/O: the steps yield the :class:`~mm7.inbox.Notification` to store, and are sent the
        inbox's :class:`~mm7.inbox.PutResult` (or thrown its error); they return the answer (see
        :func:`store_with`). ``seen`` gets the request's operation and TransactionID once they are read
        (for a capture's name).
        """
        decoded: DecodedMessage[MM7Message | None] | None = None
        try:
            decoded = decode_parts(mime, mode="tolerant", xml_limits=self.xml_limits)
            if seen is not None:
                seen[:] = [decoded.operation, decoded.transaction_id]
            kind = KINDS.get(decoded.operation)
            if kind is None:
                # Valid MM7, but a request the relay handles (SubmitReq...) or an answer: not ours.
                raise _RequestError(
                    "500 Internal Server Error",
                    4003,
                    _STATUS_TEXT[4003],
                    f"a VASP does not accept {decoded.operation}",
                )
            if self.reject_invalid and not decoded.valid:
                raise _RequestError(
                    "500 Internal Server Error",
                    4004,
                    _STATUS_TEXT[4004],
                    f"{decoded.operation} does not validate: " + "; ".join(map(str, decoded.violations)),
                )
            notification = self._notification(kind, decoded, environ)
            fields = metrics.log_fields(decoded.transaction_id, notification.message_id)
            started = time.perf_counter()
            try:
                result = yield notification
            except StorageError as exc:
                # Not stored, so not acknowledged: a non-200 makes the MMSC retry in 5 minutes.
                logger.error(
                    "inbox refused %s %s: %s", decoded.operation, decoded.transaction_id, exc, extra=fields
                )
                raise _RequestError("500 Internal Server Error", 3000, _STATUS_TEXT[3000]) from exc
            metrics.receiver_stored(
                decoded.operation, time.perf_counter() - started, duplicate=not result.created
            )
            if self.tracker is not None and kind is not NotificationKind.DELIVER and notification.message_id:
                self._fold(notification, fields)
            logger.info(
                "%s %s stored as #%d (%s)%s",
                decoded.operation,
                decoded.transaction_id,
                result.id,
                "new" if result.created else f"duplicate, received {result.times_received} times",
                _flags(decoded),
                extra=fields,
            )
            # In the request's dialect: its namespace revision and MM7Version, its TransactionID.
            response = encode_response(decoded)
            body = response.to_bytes()
            metrics.receiver_answered(decoded.operation, 200)
            return Answer("200 OK", _xml_headers(body), body)
        except _RequestError as exc:
            return self._error(exc, decoded, mime=mime)
        except LimitExceededError as exc:
            if exc.limit in ("max_body_size", "max_attachment_size"):
                return self._error(_too_large(str(exc)), decoded, mime=mime)
            return self._codec_error(exc, decoded, mime)
        except CodecError as exc:
            return self._codec_error(exc, decoded, mime)
        finally:
            mime.close()

    # ----------------------------------------------------------------------------------- storing

    def _notification(
        self, kind: NotificationKind, decoded: DecodedMessage[MM7Message | None], environ: Mapping[str, Any]
    ) -> Notification:
        # The codec knows where each operation keeps them: a DeliverReq's recipient is its first
        # Recipients address (the VASP's short code), a report's is its Recipient; a DR's date is Date.
        # (The few fields a notification keeps, read one by one: summarize() reads every field.)
        message = decoded.message
        party = summary.sender(message)
        sender = party.value if party is not None else None
        party = summary.recipient(message)
        recipient = party.value if party is not None else None
        mm_status = summary.mm_status(message)
        when = _datetime(summary.event_date(message))
        message_id = summary.message_id(message)
        linked_id = summary.linked_id(message)
        headers = self._kept_headers(environ)
        if decoded.deviations:
            headers[DEVIATIONS_HEADER] = "; ".join(f"[{d.kind}] {d}" for d in decoded.deviations)
        if decoded.violations:
            headers[VIOLATIONS_HEADER] = "; ".join(map(str, decoded.violations))
        report = kind is NotificationKind.DELIVERY_REPORT
        unlisted = _outside_vocabulary(self.profile, mm_status) if report else None
        if unlisted:
            headers[DEVIATIONS_HEADER] = "; ".join(filter(None, (headers.get(DEVIATIONS_HEADER), unlisted)))
        return Notification(
            kind=kind,
            dedupe_key=dedupe_key_for(
                kind,
                transaction_id=decoded.transaction_id,
                message_id=message_id,
                linked_id=linked_id,
                sender=sender,
                recipient=recipient,
                mm_status=mm_status,
                date=when,
            ),
            transaction_id=decoded.transaction_id,
            mm7_version=decoded.mm7_version or decoded.version.default_mm7_version,
            namespace=decoded.namespace,
            message_id=message_id,
            sender=sender,
            recipient=recipient,
            mm_status=mm_status,
            status_text=summary.status_text(message),
            event_date=when,
            envelope=decoded.envelope,
            attachments=[_attachment(part) for part in decoded.attachments],
            headers=headers,
        )

    def _fold(self, notification: Notification, fields: Mapping[str, object]) -> None:
        """Fold a stored report into the tracker; a failure is logged (the report is in the inbox)."""
        assert self.tracker is not None
        try:
            self.tracker.fold(notification)
        except MM7Error as exc:
            logger.error(
                "tracker could not fold %s %s: %s",
                notification.kind,
                notification.transaction_id,
                exc,
                extra=fields,
            )

    def _kept_headers(self, environ: Mapping[str, Any]) -> dict[str, str]:
        kept: dict[str, str] = {}
        for name in self.kept_headers:
            value = environ.get(_environ_key(name))
            if value is not None:
                kept[name] = str(value)
        return kept

    # ----------------------------------------------------------------------------------- errors

    def _codec_error(
        self,
        exc: CodecError,
        decoded: DecodedMessage[MM7Message | None] | None,
        mime: DecodedBody | None = None,
    ) -> Answer:
        status = exc.status_code if exc.status_code in _STATUS_TEXT else 2007
        return self._error(
            _RequestError("500 Internal Server Error", status, _STATUS_TEXT[status], str(exc)),
            decoded,
            transaction_id=exc.transaction_id,
            mime=mime,
        )

    def _error(
        self,
        exc: _RequestError,
        decoded: DecodedMessage[MM7Message | None] | None,
        transaction_id: str | None = None,
        mime: DecodedBody | None = None,
    ) -> Answer:
        tid = transaction_id or (decoded.transaction_id if decoded is not None else "")
        logger.warning(
            "answering %s / MM7 %d: %s",
            exc.http_status,
            exc.status_code,
            exc.details or exc.text,
            extra=metrics.log_fields(tid or None),
        )
        # Answer in the request's dialect (namespace revision, MM7Version) whenever it can be read: from the
        # decoded request, else from its SOAP part read without validation.
        if decoded is not None:
            dialect: Dialect | None = answer_dialect(decoded)
        else:
            dialect = sniff_dialect(mime.root.read_bytes()) if mime is not None else None
        if dialect is None and self.profile is not None and self.profile.namespace is not None:
            dialect = Dialect(self.profile.namespace, self.profile.mm7_version)  # the carrier's, then
        answer = _fault(
            exc.http_status,
            exc.status_code,
            exc.text,
            details=exc.details,
            transaction_id=tid,
            version=dialect.schema if dialect is not None else REL6,
            mm7_version=dialect.mm7_version if dialect is not None else None,
            namespace=dialect.namespace if dialect is not None else None,
        )
        metrics.receiver_answered(
            decoded.operation if decoded is not None else None, answer.status_code, exc.status_code
        )
        return answer


#: The steps that store one request's notification and answer it (:meth:`Exchange.storing`): a generator
#: that yields the :class:`~mm7.inbox.Notification` to store, is sent the inbox's
#: :class:`~mm7.inbox.PutResult` (or thrown its error) and returns the :class:`Answer`. Closing it unfinished
#: frees the request's spooled payloads.
Storing = Generator[Notification, PutResult, Answer]


def start_storing(steps: Storing) -> Notification | Answer:
    """Run ``steps`` to the notification they want stored, or to their answer when they store nothing."""
    try:
        return next(steps)
    except StopIteration as done:
        answer: Answer = done.value
        return answer


def store_with(steps: Storing, put: Callable[[Notification], PutResult]) -> Answer:
    """Run ``steps`` to their answer with a blocking ``put`` (an :meth:`~mm7.inbox.Inbox.put`)."""
    notification = start_storing(steps)
    if isinstance(notification, Answer):
        return notification
    try:
        result = put(notification)
    except Exception as exc:
        return finish_storing(steps, exc)
    except BaseException:
        steps.close()
        raise
    return finish_storing(steps, result)


def finish_storing(steps: Storing, outcome: PutResult | Exception) -> Answer:
    """Tell ``steps``, which yielded a notification, the inbox's outcome for it: their answer."""
    try:
        if isinstance(outcome, PutResult):
            steps.send(outcome)
        else:
            steps.throw(outcome)
    except StopIteration as done:
        answer: Answer = done.value
        return answer
    steps.close()
    raise RuntimeError("the storing steps yielded a second notification")


class Exchange:
    """One POST whose head was accepted: its body is fed in as it arrives, then finished into an answer.

    Made by :meth:`ReceiverCore.begin`. It does no I/O of its own: the server reads, the exchange parses,
    and :meth:`finish` stores (blocking on the inbox, so an event loop runs it in a thread). Every way
    out (an answer from :meth:`feed`, :meth:`finish`, :meth:`unreadable`, or :meth:`close` when the
    client is gone) frees what the body spooled so far.

    Attributes:
        content_length: The declared Content-Length, or None when the body is not delimited by one.
    """

    def __init__(self, core: ReceiverCore, environ: Mapping[str, Any], content_length: int | None) -> None:
        self.content_length = content_length
        self._core = core
        self._environ = environ
        #: The payloads spooled so far (until the decoded body takes them over).
        self._sinks: list[IO[bytes]] = []
        # With a capture: the body's first bytes (up to the file cap) and its whole length so far.
        self._captured = bytearray() if core.capture is not None else None
        self._length = 0
        try:
            self._decoder = MultipartDecoder(
                environ.get("CONTENT_TYPE") or None,
                core.limits,
                _spooling_into(self._sinks, core._sink),
                spool_threshold=core.spool_size,
                max_root_size=core.xml_limits.max_size,
            )
        except MIMEError as exc:
            # Neither XML nor multipart: no MM7 peer sends that, so say so at the HTTP level too.
            raise _RequestError("415 Unsupported Media Type", 2007, _STATUS_TEXT[2007], str(exc)) from exc

    def feed(self, data: bytes) -> Answer | None:
        """Take the next body bytes; an answer means the body is refused and no more should be read.

        Past ``max_body_size`` (or a SOAP part over its limit, or broken MIME) the answer comes as soon
        as the bytes that cross the line arrive.
        """
        capture = self._core.capture
        if capture is not None and self._captured is not None:
            self._length += len(data)
            self._captured += data[: max(0, capture.max_file_bytes - len(self._captured))]
        try:
            self._decoder.feed(data)
        except BaseException as exc:
            self.close()
            if isinstance(exc, CodecError):
                return self._captures(self._core._refusal(exc))
            raise
        return None

    def finish(self) -> Answer:
        """The body has ended: decode it, store the notification, and answer (blocks on the inbox)."""
        steps = self.storing()
        return steps if isinstance(steps, Answer) else store_with(steps, self._core.inbox.put)

    def storing(self) -> Answer | Storing:
        """The body has ended: decode it; the answer at once (refused), or the steps that store it.

        The steps (see :data:`Storing`) yield the notification to store and return the answer once they
        are told the inbox's outcome: :meth:`finish` runs them with a blocking :meth:`Inbox.put`, the
        ASGI app with puts batched off its event loop. They do no I/O of their own, but for a tracker's
        update (:mod:`mm7.tracking`) and a capture's file.
        """
        try:
            mime = self._decoder.close()
        except BaseException as exc:
            self.close()
            if isinstance(exc, CodecError):
                return self._captures(self._core._refusal(exc))
            raise
        self._sinks.clear()  # owned by the decoded body now, closed by the steps
        seen: list[str] = []
        return self._capture_after(self._core._storing(mime, self._environ, seen), seen)

    def storing_whole(self, body: bytes) -> Answer | tuple[Storing, Notification]:
        """The whole body at once, held in memory: decode it and run its storing steps to the notification.

        For a server that has read a small body whole (see :meth:`ReceiverCore.decodes_on_loop`). The answer
        at once when the body is refused or nothing is to be stored; else the steps and the notification
        they wait to hear the inbox's outcome for (tell them with :func:`finish_storing`).
        """
        refused = self.feed(body)
        if refused is not None:
            return refused
        steps = self.storing()
        if isinstance(steps, Answer):
            return steps
        notification = start_storing(steps)
        if isinstance(notification, Answer):
            return notification
        return steps, notification

    def _capture_after(self, steps: Storing, seen: list[str]) -> Storing:
        answer = yield from steps
        return self._captures(answer, *seen)

    def unreadable(self, details: str) -> Answer:
        """The server could not read the body as sent (bad chunking, client gone, short body): a 400.

        Sending the same request again unchanged cannot help, so 2007, never 3000 (kept for our own
        failures).
        """
        self.close()
        return self._captures(self._core._refusal(_unreadable(details)))

    def _captures(self, answer: Answer, operation: str = "unknown", transaction_id: str = "") -> Answer:
        """Write the request and ``answer`` to the capture, if any (before the answer goes out)."""
        capture = self._core.capture
        if capture is None or self._captured is None:
            return answer
        environ = self._environ
        target = str(environ.get("PATH_INFO") or "/")
        if environ.get("QUERY_STRING"):
            target += f"?{environ['QUERY_STRING']}"
        protocol = str(environ.get("SERVER_PROTOCOL") or "HTTP/1.1")
        request = Message(
            f"{environ.get('REQUEST_METHOD', 'POST')} {target} {protocol}",
            _environ_headers(environ),
            bytes(self._captured),
            self._length,
        )
        reason = answer.status.split(" ", 1)[1] if " " in answer.status else None
        response = Message(status_line(answer.status_code, reason), answer.headers, answer.body)
        capture.write("receiver", operation, transaction_id, request, response)
        return answer

    def close(self) -> None:
        """Free the payloads spooled so far (a spilled one's temporary file is deleted now)."""
        sinks = list(self._sinks)
        self._sinks.clear()
        for spooled in sinks:
            spooled.close()


# --------------------------------------------------------------------------------------------- helpers


def _spooling_into(sinks: list[IO[bytes]], make: Callable[[], IO[bytes]]) -> Callable[[], IO[bytes]]:
    """The decoder's sink factory: ``make()``, each new sink also kept in ``sinks``.

    A function holding the list, not a method of the exchange: the decoder the exchange holds must not
    hold the exchange in turn, or every request leaves a reference cycle that only the cyclic garbage
    collector frees (its collections then walk every live object of the requests in flight).
    """

    def sink() -> IO[bytes]:
        spooled = make()
        sinks.append(spooled)
        return spooled

    return sink


def _environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A request's headers from its CGI variables (names in their usual capitalisation)."""
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key
        elif key.startswith("HTTP_"):
            name = key[5:]
        else:
            continue
        spelled = "SOAPAction" if name == "SOAPACTION" else "-".join(w.capitalize() for w in name.split("_"))
        headers.append((spelled, str(value)))
    return headers


def _metrics_installed() -> bool:
    return metrics.available()


def _unreadable(details: str) -> _RequestError:
    return _RequestError("400 Bad Request", 2007, _STATUS_TEXT[2007], details)


def _too_large(details: str) -> _RequestError:
    # Sinch calls this "request too large" (its 2560); in 3GPP terms the message cannot be taken as sent.
    return _RequestError("413 Request Entity Too Large", 2007, "Request too large", details)


def _fault(
    http_status: str,
    status_code: int,
    text: str,
    *,
    details: str | None = None,
    transaction_id: str = "",
    version: SchemaVersion = REL6,
    mm7_version: str | None = None,
    namespace: str | None = None,
) -> Answer:
    # Errors to relay-originated requests are VASPErrorRsp inside a SOAP Fault (TS 23.140 §8.7.9);
    # request_operation="DeliverReq" selects that kind for every request this app receives.
    attempts = [
        (transaction_id, version, mm7_version, details, namespace),
        (new_transaction_id(), REL6, None, None, None),
    ]
    for tid, schema, mm7_ver, detail, ns in attempts:
        try:
            body = encode_error(
                status_code,
                text,
                # The request's TransactionID when it could be read (TS 23.140 §8.2: answers echo it);
                # a hostile one (empty, padded, invalid for the schema) falls back to a fresh one.
                transaction_id=tid or new_transaction_id(),
                version=schema,
                request_operation="DeliverReq",
                mm7_version=mm7_ver,
                details=(detail or "")[:500] or None,
                namespace=ns,
            ).to_bytes()
        except MM7Error:
            logger.warning("could not echo TransactionID %r / details in a fault; answering a plain one", tid)
            continue
        return Answer(http_status, _xml_headers(body), body)
    body = b"system error\n"  # unreachable unless the codec cannot encode its own constant fault
    return Answer("500 Internal Server Error", _text_headers(body), body)


@functools.lru_cache(maxsize=256)
def _environ_key(header: str) -> str:
    """The CGI variable holding an HTTP header (``X-Mblox-Carrier-Id`` -> ``HTTP_X_MBLOX_CARRIER_ID``)."""
    return "HTTP_" + header.upper().replace("-", "_")


def _xml_headers(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]


def _flags(decoded: DecodedMessage[MM7Message | None]) -> str:
    """What the log line adds for a message that needed repair or is stored flagged."""
    text = f"; deviations: {'; '.join(map(str, decoded.deviations))}" if decoded.deviations else ""
    if decoded.violations:
        text += f"; FLAGGED, invalid after repair: {'; '.join(map(str, decoded.violations))}"
    return text


def _text_headers(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]


def _content_length(environ: Mapping[str, Any]) -> int | None:
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise _RequestError(
            "400 Bad Request", 2007, _STATUS_TEXT[2007], f"invalid Content-Length {raw[:40]!r}"
        )
    return int(raw)


def _outside_vocabulary(profile: Profile | None, mm_status: str | None) -> str | None:
    """A note when a report's MMStatus is not in the profile's delivery-report vocabulary, else None."""
    if profile is None or not profile.dr_statuses or mm_status is None:
        return None
    from mm7.codec.status import MMStatus, parse_mm_status

    def read(value: str) -> MMStatus | None:  # one word in two spellings: Unrecognised, Unrecognized
        found = parse_mm_status(value)
        return MMStatus.UNRECOGNISED if found is MMStatus.UNRECOGNIZED else found

    status = read(mm_status)
    if status is not None and any(read(word) is status for word in profile.dr_statuses):
        return None
    return f"[vocabulary] MMStatus {mm_status!r} is not in the {profile.name} profile's delivery reports"


def _attachment(part: Part) -> Attachment:
    """An inbox attachment for one top-level MIME part after the SOAP envelope.

    A nested multipart (Sinch's MO content is a ``multipart/mixed`` with the media inside) is kept whole,
    re-encoded as MIME by the codec, so the worker can give handlers back the same tree with the same
    Content-IDs and the ``Content href`` still resolves.
    """
    if part.is_multipart:
        encoded = encode_multipart(part)
        # Streamed: the re-encoded MIME is read from the spooled parts while the inbox writes it.
        data = StreamedData(encoded.content_length, lambda: iter(encoded))
        return Attachment(part.content_id, encoded.content_type, part.content_location, data)
    if part.file is not None:
        return Attachment(
            part.content_id,
            part.content_type,
            part.content_location,
            StreamedData(part.size, part.iter_bytes),
        )
    return Attachment(part.content_id, part.content_type, part.content_location, part.read_bytes())


def _datetime(value: XmlDateTime | None) -> datetime | None:
    if value is None:
        return None
    result = value.to_datetime()
    if not isinstance(result, datetime) or result.tzinfo is None:
        return None  # a Date without zone cannot be placed in time; keep it only in the envelope
    return result
