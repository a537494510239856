"""Worker handlers that fold the receiver's delivery reports and read replies into the tracker.

``mm7 serve`` stores every report in the inbox; a worker started with these handlers folds each one into
the tracker in the same database::

    MM7_INBOX_URL=sqlite:////var/lib/mm7/inbox.db mm7 worker --handlers mm7.tracking:FoldReports

Handlers of your own fold with one line: ``tracker.fold(received)``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from mm7.tracking.store import Tracker, report_from

if TYPE_CHECKING:
    from mm7.server.worker import Received

__all__ = ["DEFAULT_INBOX_URL", "FoldReports"]

#: The inbox ``mm7 serve`` and ``mm7 worker`` use without ``--inbox`` or ``MM7_INBOX_URL``.
DEFAULT_INBOX_URL = "sqlite:///mm7-inbox.db"


class FoldReports:
    """``on_delivery_report`` and ``on_read_reply`` that fold each report into a tracker and print a line.

    Args:
        tracker: The tracker to fold into; by default the one in the database of ``MM7_INBOX_URL`` (the
            setting ``mm7 worker`` reads too), else ``sqlite:///mm7-inbox.db``.
    """

    def __init__(self, tracker: Tracker | None = None) -> None:
        self.tracker = tracker or Tracker.open(os.environ.get("MM7_INBOX_URL") or DEFAULT_INBOX_URL)

    def on_delivery_report(self, received: Received) -> None:
        """Fold a DeliveryReportReq."""
        self._fold("DR", received)

    def on_read_reply(self, received: Received) -> None:
        """Fold a ReadReplyReq."""
        self._fold("Read reply", received)

    def _fold(self, what: str, received: Received) -> None:
        # One line per report on stdout, as the default handlers of mm7 worker print.
        report = report_from(received)
        new = self.tracker.fold(report)
        print(
            f"{what} MessageID {report.message_id} to {report.recipient or '?'}: {report.mm_status} "
            f"({'folded' if new else 'a copy, nothing changed'})",
            flush=True,
        )
