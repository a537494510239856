"""What finally happened to each message: submits and delivery reports folded into one state per recipient.

The client records every accepted submit (:meth:`Tracker.record_submit`); the receiver folds every
DeliveryReportReq and ReadReplyReq (:meth:`Tracker.fold`); :meth:`Tracker.status` tells, per recipient,
the lifecycle state, the full history and, when no report came, why as far as it can tell. The data
lives in the inbox's database (SQLite or PostgreSQL). The lifecycle itself is :mod:`mm7.tracking.state`
(pure functions, no I/O). See ``docs/tracking.md``.
"""

from __future__ import annotations

from mm7.tracking.handlers import FoldReports
from mm7.tracking.state import (
    DEFAULT_REPORT_WINDOW,
    FINAL_STATES,
    STATE_OF_MM_STATUS,
    DeliveryState,
    HistoryEntry,
    ReadStatus,
    RecipientState,
    Report,
    ReportKind,
    derive,
    fold,
    recipient_key,
)
from mm7.tracking.store import (
    MessageStatus,
    NoReportReason,
    RecipientStatus,
    ReportSource,
    TrackedRecipient,
    Tracker,
    report_from,
)

__all__ = [
    "DEFAULT_REPORT_WINDOW",
    "FINAL_STATES",
    "STATE_OF_MM_STATUS",
    "DeliveryState",
    "FoldReports",
    "HistoryEntry",
    "MessageStatus",
    "NoReportReason",
    "ReadStatus",
    "RecipientState",
    "RecipientStatus",
    "Report",
    "ReportKind",
    "ReportSource",
    "TrackedRecipient",
    "Tracker",
    "derive",
    "fold",
    "recipient_key",
    "report_from",
]
