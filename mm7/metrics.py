"""Prometheus metrics of the client, the receiver and the worker, and the structured fields of their logs.

Every metric lives here, named as Prometheus asks (``mm7_<part>_<what>_<unit>``, counters ending in
``_total``). They are recorded when ``prometheus_client`` is installed (``pip install 'mm7[metrics]'``),
in its default registry; without it every hook below does nothing and nothing is imported. The receivers
serve them on ``GET /metrics`` when asked (``make_app(..., metrics=True)``, ``MM7_METRICS=1``,
``mm7 serve --metrics``); a process that only sends exposes them its own way (e.g.
``prometheus_client.start_http_server``).

No label takes an unbounded value: operations come from the fixed set of MM7 operations (anything else
is ``other``), HTTP statuses are counted by class (``2xx``... ``none`` when no answer came) or, for the
receiver's own answers, by the few codes it gives; MM7 fault codes from the receiver's fixed set. Never a
number, an address, a TransactionID or a MessageID: those go to the log records instead, as the fields
named by :data:`TRANSACTION_ID_FIELD` and :data:`MESSAGE_ID_FIELD` (see :func:`log_fields`).

Several apps in one process share the metrics (one default registry; the inbox depth is read per app on
each scrape). Under a pre-forking server (gunicorn with several workers) each worker process counts for
itself: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before the server starts and every worker's
``/metrics`` answers the sum over all of them (prometheus_client's multiprocess mode; docs/receiver.md).

========================================  =========  ===========================  =====================
metric                                    type       labels                       what
========================================  =========  ===========================  =====================
mm7_client_requests_total                 counter    operation, acceptance,       calls ended: acceptance
                                                     status                       accepted/failed/unknown,
                                                                                  status the last HTTP
                                                                                  answer's class
mm7_client_retries_total                  counter    operation                    attempts sent again
mm7_client_throttle_wait_seconds          histogram                               waits for a throttle slot
mm7_client_request_duration_seconds       histogram  operation                    a call, retries included
mm7_receiver_requests_total               counter    operation, status            POSTs answered (HTTP code)
mm7_receiver_faults_total                 counter    code                         faults answered (MM7 code)
mm7_receiver_duplicates_total             counter    operation                    posts already stored
mm7_receiver_store_duration_seconds       histogram                               Inbox.put
mm7_worker_handled_total                  counter    kind                         handled and acknowledged
mm7_worker_failed_total                   counter    kind                         handler raised
mm7_worker_lag_seconds                    histogram  kind                         received to handled
mm7_inbox_notifications                   gauge      state                        inbox depth, on scrape
========================================  =========  ===========================  =====================
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client.metrics_core import Metric

    from mm7.inbox import Inbox

__all__ = [
    "FAULT_CODES",
    "MESSAGE_ID_FIELD",
    "OPERATIONS",
    "TRANSACTION_ID_FIELD",
    "available",
    "client_finished",
    "client_retry",
    "client_throttle_wait",
    "exposition",
    "log_fields",
    "operation_label",
    "receiver_answered",
    "receiver_stored",
    "status_class",
    "worker_failed",
    "worker_handled",
]

#: Log record attribute holding the TransactionID of the send or receive the record is about.
TRANSACTION_ID_FIELD: Final = "mm7_transaction_id"
#: Log record attribute holding the MessageID (the relay's id of the message), None when not known yet.
MESSAGE_ID_FIELD: Final = "mm7_message_id"

#: MM7 operations (TS 23.140 §8), the only values of an ``operation`` label besides ``other``/``unknown``.
OPERATIONS: Final = frozenset(
    {
        *("SubmitReq", "DeliverReq", "CancelReq", "ReplaceReq", "DeliveryReportReq", "ReadReplyReq"),
        *("extendedCancelReq", "extendedReplaceReq"),
    }
)
#: The MM7 codes the receiver answers faults with (mm7.server.core); any other is counted as ``other``.
FAULT_CODES: Final = frozenset({2007, 3000, 4002, 4003, 4004})
#: The HTTP statuses the receiver answers a POST with; any other is counted as ``other``.
_RECEIVER_STATUSES: Final = frozenset({200, 400, 401, 403, 408, 413, 415, 500})

_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_LAG_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 24 * 3600.0)


def log_fields(transaction_id: str | None, message_id: str | None = None) -> dict[str, object]:
    """The ``extra=`` of a log record about one send or receive: TransactionID and MessageID fields.

    Both are always present (None when not known), so a JSON log handler sees the same keys every time.
    """
    return {TRANSACTION_ID_FIELD: transaction_id, MESSAGE_ID_FIELD: message_id}


def operation_label(operation: str | None) -> str:
    """An ``operation`` label: the MM7 operation, ``other`` for any other name, ``unknown`` for none."""
    if operation is None:
        return "unknown"
    return operation if operation in OPERATIONS else "other"


def status_class(status: int | None) -> str:
    """An HTTP status as a label: ``2xx``, ``4xx``..., ``none`` when no answer came."""
    if status is None:
        return "none"
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


class _Metrics:
    """The metric objects, made once per process when prometheus_client is importable."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.client_requests = Counter(
            "mm7_client_requests_total",
            "MM7 calls ended, by operation, acceptance (accepted/failed/unknown) and last HTTP status class",
            ["operation", "acceptance", "status"],
        )
        self.client_retries = Counter(
            "mm7_client_retries_total", "MM7 requests sent again by the retry policy", ["operation"]
        )
        self.client_throttle_wait = Histogram(
            "mm7_client_throttle_wait_seconds",
            "Seconds an attempt waited for a client-side throttle slot",
            buckets=_SECONDS_BUCKETS,
        )
        self.client_duration = Histogram(
            "mm7_client_request_duration_seconds",
            "Seconds an MM7 call took, retries and waits included",
            ["operation"],
            buckets=_SECONDS_BUCKETS,
        )
        self.receiver_requests = Counter(
            "mm7_receiver_requests_total",
            "POSTs the receiver answered, by operation and HTTP status",
            ["operation", "status"],
        )
        self.receiver_faults = Counter(
            "mm7_receiver_faults_total", "SOAP faults the receiver answered, by MM7 status code", ["code"]
        )
        self.receiver_duplicates = Counter(
            "mm7_receiver_duplicates_total",
            "Notifications posted again after they were stored (acknowledged, stored once)",
            ["operation"],
        )
        self.receiver_store = Histogram(
            "mm7_receiver_store_duration_seconds",
            "Seconds the inbox took to store a notification durably",
            buckets=_SECONDS_BUCKETS,
        )
        self.worker_handled = Counter(
            "mm7_worker_handled_total", "Notifications handled and acknowledged by a worker", ["kind"]
        )
        self.worker_failed = Counter(
            "mm7_worker_failed_total", "Handler runs that raised (the notification is retried)", ["kind"]
        )
        self.worker_lag = Histogram(
            "mm7_worker_lag_seconds",
            "Seconds from the receiver storing a notification to a worker handling it",
            ["kind"],
            buckets=_LAG_BUCKETS,
        )


_lock = threading.Lock()
_made = False
_metrics: _Metrics | None = None


def _get() -> _Metrics | None:
    """The metrics, made at the first call; None when prometheus_client is not installed."""
    global _made, _metrics
    if _made:
        return _metrics
    with _lock:
        if not _made:
            try:
                _metrics = _Metrics()
            except ImportError:
                _metrics = None
            _made = True
    return _metrics


#: Each labelled child once looked up, by metric and label values (every label takes a bounded set of values).
_CHILDREN: dict[tuple[object, tuple[str, ...]], Any] = {}


def _labelled(metric: Any, *values: str) -> Any:
    """``metric.labels(*values)``, looked up in prometheus_client once (1.5 µs a call, 0.4 from here)."""
    child = _CHILDREN.get((metric, values))
    if child is None:
        child = _CHILDREN[metric, values] = metric.labels(*values)
    return child


def available() -> bool:
    """Whether metrics are recorded (prometheus_client is installed)."""
    return _get() is not None


# ------------------------------------------------------------------------------------------ client


def client_finished(operation: str, acceptance: str, http_status: int | None, seconds: float) -> None:
    """A client call ended: ``acceptance`` is ``accepted``, ``failed`` or ``unknown``."""
    metrics = _get()
    if metrics is None:
        return
    label = operation_label(operation)
    _labelled(metrics.client_requests, label, acceptance, status_class(http_status)).inc()
    _labelled(metrics.client_duration, label).observe(max(0.0, seconds))


def client_retry(operation: str) -> None:
    """A client call sends its request again."""
    metrics = _get()
    if metrics is not None:
        _labelled(metrics.client_retries, operation_label(operation)).inc()


def client_throttle_wait(seconds: float) -> None:
    """An attempt waited ``seconds`` for its throttle slot."""
    metrics = _get()
    if metrics is not None:
        metrics.client_throttle_wait.observe(max(0.0, seconds))


# ------------------------------------------------------------------------------------------ receiver


def receiver_answered(operation: str | None, http_status: int, fault_code: int | None = None) -> None:
    """The receiver answered a POST (``fault_code``: the MM7 code of the fault it carries, if any)."""
    metrics = _get()
    if metrics is None:
        return
    status = str(http_status) if http_status in _RECEIVER_STATUSES else "other"
    _labelled(metrics.receiver_requests, operation_label(operation), status).inc()
    if fault_code is not None:
        _labelled(metrics.receiver_faults, str(fault_code) if fault_code in FAULT_CODES else "other").inc()


def receiver_stored(operation: str, seconds: float, *, duplicate: bool) -> None:
    """The inbox stored a notification in ``seconds`` (``duplicate``: it was stored before)."""
    metrics = _get()
    if metrics is None:
        return
    metrics.receiver_store.observe(max(0.0, seconds))
    if duplicate:
        _labelled(metrics.receiver_duplicates, operation_label(operation)).inc()


# ------------------------------------------------------------------------------------------ worker


def worker_handled(kind: str, lag_seconds: float) -> None:
    """A worker handled and acknowledged a notification of ``kind`` stored ``lag_seconds`` ago."""
    metrics = _get()
    if metrics is not None:
        _labelled(metrics.worker_handled, kind).inc()
        _labelled(metrics.worker_lag, kind).observe(max(0.0, lag_seconds))


def worker_failed(kind: str) -> None:
    """A handler raised on a notification of ``kind``."""
    metrics = _get()
    if metrics is not None:
        _labelled(metrics.worker_failed, kind).inc()


# ------------------------------------------------------------------------------------------ exposition


class _InboxDepth:
    """A collector reading the inbox depth (one ``counts()`` query) when it is collected."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def collect(self) -> Iterator[Metric]:
        """The ``mm7_inbox_notifications`` gauge."""
        yield _inbox_depth(self.inbox)


def _inbox_depth(inbox: Inbox) -> Metric:
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily(
        "mm7_inbox_notifications", "Notifications in the inbox, by processing state", labels=["state"]
    )
    for state, count in sorted(inbox.counts().items()):
        family.add_metric([state.value], count)
    return family


def exposition(inbox: Inbox | None = None) -> tuple[bytes, str]:
    """The Prometheus text exposition of this process's metrics and ``inbox``'s depth (one query).

    With ``PROMETHEUS_MULTIPROC_DIR`` set, the sum over every process of the server
    (prometheus_client's multiprocess mode).

    Returns:
        The body and its Content-Type.

    Raises:
        ImportError: prometheus_client is not installed.
    """
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    _get()  # the mm7 metrics exist (at zero) even before the first request
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    body = generate_latest(registry)
    if inbox is not None:
        depth = CollectorRegistry(auto_describe=False)
        depth.register(_InboxDepth(inbox))
        body += generate_latest(depth)
    return body, CONTENT_TYPE_LATEST
