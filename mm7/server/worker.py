"""Consumption: workers take stored notifications from the inbox and call the application's handlers.

The receiver acknowledges the MMSC as soon as a notification is stored (Sinch wants an answer within
10 s); the application's code runs here instead, at its own pace, with retries:

* :meth:`Worker.run_once` claims a batch with a lease, decodes each stored envelope back into the
  generated message object with the codec (:func:`~mm7.codec.messages.decode_parts`), calls the
  matching handler method, then acks it -- or, when the handler raises, gives it back with
  :meth:`~mm7.inbox.Inbox.fail` so it is retried after a growing delay.
* A worker that dies mid-batch holds leases that expire after ``lease_seconds``; another worker then
  claims those items. The handler therefore runs at least once per notification; it runs twice only when
  a handler outlives its lease or the process dies between the handler's return and the ack, so keep
  ``lease_seconds`` well above a handler's longest run and make side effects idempotent where cheap.

Handlers are any object (an instance, a class instantiated without arguments, or a module) with some of::

    on_deliver(received: Received)            # DeliverReq: an MO message
    on_delivery_report(received: Received)    # DeliveryReportReq
    on_read_reply(received: Received)         # ReadReplyReq

A worker only claims the kinds its handlers accept, so others stay in the inbox for another worker.

Metrics (:mod:`mm7.metrics`, with prometheus_client installed): notifications handled and failed by
kind, and the lag from the receiver storing one to a worker handling it; they live in the process that
runs the worker. Its log records carry the TransactionID and MessageID as record fields.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mm7 import metrics
from mm7.codec import message_types
from mm7.codec.deviations import Deviation, Extension
from mm7.codec.messages import decode_parts
from mm7.codec.mime import DecodedBody, Limits, Part
from mm7.codec.mime import decode as decode_mime
from mm7.errors import ConfigError, UnsupportedOperationError, ValidationProblem
from mm7.inbox import (
    Attachment,
    Inbox,
    LeaseLostError,
    NotificationKind,
    StorageError,
    StoredNotification,
    open_inbox,
)

if TYPE_CHECKING:
    from mm7.codec.message_types import DeliverReq, DeliveryReportReq, ReadReplyReq

__all__ = ["HANDLER_METHODS", "Received", "Worker", "decode_stored", "load_handlers", "run_worker"]

logger = logging.getLogger("mm7.worker")

#: Handler method called for each notification kind.
HANDLER_METHODS = {
    NotificationKind.DELIVER: "on_deliver",
    NotificationKind.DELIVERY_REPORT: "on_delivery_report",
    NotificationKind.READ_REPLY: "on_read_reply",
}
#: Attempts before a notification is parked as ``failed`` (kept in the inbox for inspection).
DEFAULT_MAX_ATTEMPTS = 10
#: Delay before the first retry after a handler error; doubled per attempt up to ``DEFAULT_RETRY_MAX``.
DEFAULT_RETRY_BASE = 5.0
DEFAULT_RETRY_MAX = 600.0


@dataclass
class Received:
    """What a handler gets: the typed message plus what the receiver stored with it.

    Attributes:
        message: The generated object (``DeliverReq``, ``DeliveryReportReq`` or ``ReadReplyReq`` of the
            schema version it came in), e.g. ``received.message.mm_status.value == "Retrieved"``.
        notification: The stored notification (id, sender, recipient, mm_status, headers such as
            ``X-Mblox-Carrier-Id``, times_received, attempts...).
        content: The part ``Content href`` points at (for MO: usually a multipart with the media as
            ``children``), or None.
        attachments: Every content part, as the MMSC sent them (nested multiparts keep their children).
        deviations: What the codec repaired when reading the stored envelope (each with its kind).
        violations: What is still schema-invalid after repair: the receiver stored the message flagged
            (``ReceiverApp(reject_invalid=False)``, the default) so that nothing is lost; the fields that
            could not be read are None. Empty for a valid message.
        extensions: Vendor elements and attributes, and values that could not be read, as received.
    """

    message: DeliverReq | DeliveryReportReq | ReadReplyReq
    notification: StoredNotification
    content: Part | None = None
    attachments: list[Part] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    violations: list[ValidationProblem] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether the stored message is schema-valid (after the repairs in ``deviations``)."""
        return not self.violations

    @property
    def kind(self) -> NotificationKind:
        """The notification kind."""
        return self.notification.kind

    @property
    def transaction_id(self) -> str:
        """The TransactionID of the (first) request that carried it."""
        return self.notification.transaction_id

    def media(self) -> list[Part]:
        """Every leaf part (images, text, SMIL...) in order, nested multiparts flattened."""
        return [p for top in self.attachments for p in top.walk() if not p.is_multipart]


def load_handlers(spec: object) -> object:
    """Resolve handlers given as an object, a class or an import path.

    Args:
        spec: ``"package.module:Name"`` (a class is instantiated without arguments), ``"package.module"``
            (the module's functions are the handlers), a class, or an object.

    Returns:
        The object whose ``on_*`` methods are called.

    Raises:
        ConfigError: The path cannot be imported or has no handler method.
    """
    target: object = spec
    if isinstance(spec, str):
        module_name, _, attr = spec.partition(":")
        try:
            target = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(f"cannot import handlers module {module_name!r}: {exc}") from exc
        for name in filter(None, attr.split(".")):
            try:
                target = getattr(target, name)
            except AttributeError as exc:
                raise ConfigError(f"{module_name!r} has no attribute {attr!r}") from exc
    if isinstance(target, type):
        target = target()
    if not any(callable(getattr(target, m, None)) for m in HANDLER_METHODS.values()):
        raise ConfigError(f"{spec!r} has none of the handler methods {', '.join(HANDLER_METHODS.values())}")
    return target


def _part(attachment: Attachment) -> Part:
    """Rebuild a codec Part from a stored attachment (nested multiparts are stored as MIME, see app)."""
    data = attachment.data if isinstance(attachment.data, bytes) else attachment.data.read_all()
    if attachment.content_type.lower().lstrip().startswith("multipart/"):
        body = decode_mime(data, attachment.content_type, limits=Limits(max_body_size=max(len(data), 1)))
        children = [body.root, *body.attachments]
        ctype = attachment.content_type
        return Part(ctype, attachment.content_id, attachment.content_location, children=children)
    return Part(attachment.content_type, attachment.content_id, attachment.content_location, data=data)


def decode_stored(item: StoredNotification) -> Received:
    """Decode a stored notification's envelope and attachments back into typed objects.

    Args:
        item: A notification from :meth:`~mm7.inbox.Inbox.claim` or :meth:`~mm7.inbox.Inbox.get`.

    Returns:
        The typed message with its content.

    Raises:
        CodecError: The stored envelope no longer decodes (e.g. a schema version removed).
    """
    parts = [_part(a) for a in item.attachments]
    body = DecodedBody(root=Part.from_bytes(item.envelope, "text/xml; charset=utf-8"), attachments=parts)
    decoded = decode_parts(body, mode="tolerant")
    message = decoded.message
    if not isinstance(
        message, message_types.DeliverReq | message_types.DeliveryReportReq | message_types.ReadReplyReq
    ):
        raise UnsupportedOperationError(
            f"a stored notification holds {decoded.operation}, not a relay request"
        )
    return Received(
        message,
        item,
        decoded.content,
        parts,
        decoded.deviations,
        decoded.violations,
        decoded.extensions,
    )


class Worker:
    """Claims notifications from an inbox and calls handlers outside any HTTP request.

    Args:
        inbox: The inbox the receiver writes to.
        handlers: An object, class or ``"module:Name"`` path (see :func:`load_handlers`).
        worker_id: A name unique among workers (default ``host:pid:object-id``).
        lease_seconds: How long a claimed item is ours; must exceed the longest handler run.
        poll_interval: Seconds to wait when the inbox has nothing to claim.
        batch_size: Items claimed at once.
        max_attempts: Attempts before an item is parked as failed.
        retry_base: First retry delay after a handler error (doubled per attempt).
        retry_max: Longest retry delay.
    """

    def __init__(
        self,
        inbox: Inbox,
        handlers: object,
        *,
        worker_id: str | None = None,
        lease_seconds: float = 60.0,
        poll_interval: float = 1.0,
        batch_size: int = 10,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: float = DEFAULT_RETRY_BASE,
        retry_max: float = DEFAULT_RETRY_MAX,
    ) -> None:
        if lease_seconds <= 0 or poll_interval <= 0 or batch_size < 1:
            raise ConfigError("lease_seconds and poll_interval must be positive, batch_size at least 1")
        self.inbox = inbox
        self.handlers = load_handlers(handlers)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.kinds = [k for k, m in HANDLER_METHODS.items() if callable(getattr(self.handlers, m, None))]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Worker({self.worker_id!r}, kinds={[k.value for k in self.kinds]})"

    def run_once(self) -> int:
        """Claim one batch and process it.

        Returns:
            How many notifications were claimed (handled or failed).

        Raises:
            StorageError: The inbox failed while claiming.
        """
        items = self.inbox.claim(
            self.worker_id, limit=self.batch_size, lease_seconds=self.lease_seconds, kinds=self.kinds
        )
        for item in items:
            self._process(item)
        return len(items)

    def _process(self, item: StoredNotification) -> None:
        method = getattr(self.handlers, HANDLER_METHODS[item.kind])
        try:
            method(decode_stored(item))
        except Exception as exc:
            metrics.worker_failed(item.kind.value)
            self._fail(item, exc)
            return
        try:
            self.inbox.ack(item.id, self.worker_id)
        except LeaseLostError:
            # The handler outlived its lease and another worker took the item: it will run again there.
            logger.warning(
                "lease on #%d lost before ack (handler slower than %ss)",
                item.id,
                self.lease_seconds,
                extra=_fields(item),
            )
            return
        lag = (datetime.now(UTC) - item.received_at).total_seconds()
        metrics.worker_handled(item.kind.value, lag)

    def _fail(self, item: StoredNotification, exc: Exception) -> None:
        delay = min(self.retry_base * 2 ** max(item.attempts - 1, 0), self.retry_max)
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        logger.warning(
            "handler failed on #%d (attempt %d), retry in %.0fs: %s",
            item.id,
            item.attempts,
            delay,
            error,
            extra=_fields(item),
        )
        try:
            state = self.inbox.fail(
                item.id, self.worker_id, error[:2000], retry_in=delay, max_attempts=self.max_attempts
            )
        except LeaseLostError:
            logger.warning("lease on #%d lost before fail", item.id, extra=_fields(item))
            return
        if state == "failed":
            logger.error("#%d failed %d times; parked as failed", item.id, item.attempts, extra=_fields(item))

    def run_forever(self, stop_event: threading.Event | None = None) -> None:
        """Process batches until ``stop_event`` (or :meth:`stop`) is set.

        Inbox failures are logged and retried after ``poll_interval``; they never end the loop.
        """
        stop = stop_event or self._stop
        while not stop.is_set() and not self._stop.is_set():
            try:
                claimed = self.run_once()
            except StorageError as exc:
                logger.error("inbox failed: %s", exc)
                claimed = 0
            if claimed == 0:
                stop.wait(self.poll_interval)

    def start_thread(self) -> threading.Thread:
        """Run :meth:`run_forever` in a daemon thread of this process; :meth:`stop` ends it."""
        if self._thread is not None and self._thread.is_alive():
            raise ConfigError("this worker is already running in a thread")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.run_forever, name=f"mm7-worker-{self.worker_id}", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the loop to stop after the current item, and wait for the thread started here."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def _fields(item: StoredNotification) -> dict[str, object]:
    return metrics.log_fields(item.transaction_id, item.message_id)


def run_worker(
    inbox_url: str,
    handlers: object,
    *,
    stop_event: threading.Event | None = None,
    worker_id: str | None = None,
    lease_seconds: float = 60.0,
    poll_interval: float = 1.0,
) -> None:
    """Open the inbox at ``inbox_url`` and run a :class:`Worker` until ``stop_event`` is set.

    Used by ``mm7 worker --handlers mypkg.handlers:Handlers``. Without a stop event it runs until the
    process is interrupted (KeyboardInterrupt ends it cleanly).

    Args:
        inbox_url: The inbox (``sqlite:///...`` or ``postgresql://...``).
        handlers: An object, class or ``"module:Name"`` path.
        stop_event: Set it to stop.
        worker_id: Unique worker name.
        lease_seconds: Lease per claimed item.
        poll_interval: Idle wait between polls.
    """
    inbox = open_inbox(inbox_url)
    try:
        worker = Worker(
            inbox, handlers, worker_id=worker_id, lease_seconds=lease_seconds, poll_interval=poll_interval
        )
        logger.info("%r polling %r", worker, inbox)
        try:
            worker.run_forever(stop_event)
        except KeyboardInterrupt:
            logger.info("worker interrupted")
    finally:
        inbox.close()
