"""Several receiver processes fold different reports of one message at the same moment.

Four processes meet at a barrier before each message and then fold, together, its Retrieved, its read
reply, its Forwarded and its Deferred (one each; the first also records the submit at that moment), then
meet again and fold copies of each other's reports. The state kept for listing must be the one the whole
set of reports gives: a fold that read a partial set (another process's report not yet committed) and
wrote its state last would leave a stale state behind.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mm7.tracking import DeliveryState, ReadStatus, Tracker

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MESSAGES = 30
RECEIVERS = 4


#: One receiver process: folds its report of each message when all four reach the same point (a barrier of
#: files in a shared folder), then a copy of the next receiver's report.
_RECEIVER = """
import sys, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from mm7.tracking import Report, ReportKind, Tracker

url, role, meeting, messages = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
steps = [
    (ReportKind.DELIVERY_REPORT, "Retrieved", 3),
    (ReportKind.READ_REPLY, "Read", 9),
    (ReportKind.DELIVERY_REPORT, "Forwarded", 1),
    (ReportKind.DELIVERY_REPORT, "Deferred", 2),
]


def report(message, step, tx):
    kind, status, minutes = steps[step]
    return Report(kind, f"m{message}", "+15551230001", status, None, t0 + timedelta(minutes=minutes), tx, t0)


def meet(point):
    (meeting / f"{point}-{role}").touch()
    deadline = time.monotonic() + 60
    while len(list(meeting.glob(f"{point}-*"))) < len(steps):
        if time.monotonic() > deadline:
            sys.exit(f"receiver {role}: the others never reached {point}")
        time.sleep(0.0005)


with Tracker.open(url) as tracker:
    for message in range(messages):
        meet(f"m{message}")
        if role == 0:
            tracker.record_submit(f"m{message}", ["15551230001"], report_requested=True, at=t0)
        tracker.fold(report(message, role, f"tx-{role}"))
        meet(f"c{message}")
        tracker.fold(report(message, (role + 1) % len(steps), f"copy-{role}"))
"""


def test_concurrent_receivers_leave_the_state_the_whole_history_gives(store_url: str, tmp_path: Path) -> None:
    with Tracker.open(store_url):
        pass  # tables created before the race
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    receivers = [
        subprocess.Popen(
            [sys.executable, "-c", _RECEIVER, store_url, str(role), str(meeting), str(MESSAGES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in range(RECEIVERS)
    ]
    for receiver in receivers:
        _, err = receiver.communicate(timeout=300)
        assert receiver.returncode == 0, err
    with Tracker.open(store_url) as tracker:
        listed = tracker.messages(now=T0)
        assert len(listed) == MESSAGES
        assert {(m.state, m.read) for m in listed} == {(DeliveryState.RETRIEVED, ReadStatus.READ)}, listed
        for message in range(MESSAGES):
            found = tracker.status(f"m{message}", now=T0)
            assert found is not None and found.submitted
            [recipient] = found.recipients
            assert recipient.state is DeliveryState.RETRIEVED
            assert [e.mm_status for e in recipient.history] == ["Forwarded", "Deferred", "Retrieved", "Read"]
            assert {e.transaction_id for e in recipient.history} <= {f"tx-{role}" for role in range(4)} | {
                f"copy-{role}" for role in range(4)
            }
        # A sweep long after finds nothing to mark: every recipient has its final report.
        assert tracker.sweep(T0 + timedelta(days=30)) == 0
