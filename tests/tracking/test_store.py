"""The tracker's store on real SQLite and PostgreSQL: submits, folding, joins, the sweep, reasons, listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import mm7
from mm7.errors import ConfigError
from mm7.inbox import Notification, NotificationKind, dedupe_key_for, open_inbox
from mm7.tracking import DeliveryState, NoReportReason, ReadStatus, Report, ReportKind, Tracker, report_from

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DR = ReportKind.DELIVERY_REPORT
A, B = "15551230001", "15551230002"


def dr(status: str, minutes: int, recipient: str = A, *, message_id: str = "m1", tx: str = "tx") -> Report:
    return Report(DR, message_id, recipient, status, None, T0 + timedelta(minutes=minutes), tx, T0)


def states(tracker: Tracker, message_id: str = "m1", now: datetime = T0) -> dict[str, DeliveryState]:
    found = tracker.status(message_id, now=now)
    assert found is not None
    return {r.recipient: r.state for r in found.recipients}


def test_a_submit_is_pending_then_follows_its_reports(tracker: Tracker) -> None:
    tracker.record_submit("m1", [A, B], report_requested=True, profile="sinch", at=T0)
    assert states(tracker) == {A: DeliveryState.PENDING, B: DeliveryState.PENDING}
    assert tracker.fold(dr("Forwarded", 1))
    assert tracker.fold(dr("Retrieved", 5, tx="tx2"))
    assert tracker.fold(dr("Expired", 4000, B))
    found = tracker.status("m1", now=T0)
    assert found is not None and found.final and found.submitted
    first, second = found.recipients
    assert (first.recipient, first.state, first.profile) == (A, DeliveryState.RETRIEVED, "sinch")
    assert [e.mm_status for e in first.history] == ["Forwarded", "Retrieved"]
    assert [e.transaction_id for e in first.history] == ["tx", "tx2"]
    assert first.final_report is not None and first.final_report.mm_status == "Retrieved"
    assert first.submitted_at == T0 and first.deadline == T0 + timedelta(hours=72)
    assert second.state is DeliveryState.EXPIRED
    assert found.as_dict()["recipients"][0]["history"][1]["mm_status"] == "Retrieved"


def test_copies_and_late_non_final_reports_change_nothing(tracker: Tracker) -> None:
    tracker.record_submit("m1", [A], report_requested=True, at=T0)
    assert tracker.fold(dr("Retrieved", 5))
    assert not tracker.fold(dr("Retrieved", 5, tx="retry-with-another-tx"))
    assert tracker.fold(dr("Forwarded", 1))  # out of order: kept in the history, the state stays final
    tracker.record_submit("m1", [A], report_requested=False, at=T0 + timedelta(hours=1))  # a repeat
    found = tracker.status("m1", now=T0)
    assert found is not None
    [r] = found.recipients
    assert r.state is DeliveryState.RETRIEVED and r.report_requested and r.submitted_at == T0
    assert [(e.mm_status, e.transaction_id) for e in r.history] == [("Forwarded", "tx"), ("Retrieved", "tx")]


def test_two_different_finals_keep_the_first_and_show_the_conflict(tracker: Tracker) -> None:
    tracker.record_submit("m1", [A], report_requested=True, at=T0)
    tracker.fold(dr("Expired", 4000))
    tracker.fold(dr("Retrieved", 30))
    found = tracker.status("m1", now=T0)
    assert found is not None
    [r] = found.recipients
    assert r.state is DeliveryState.RETRIEVED and [c.mm_status for c in r.conflicts] == ["Expired"]


def test_reports_before_the_submit_are_kept_and_joined(tracker: Tracker) -> None:
    assert tracker.status("m1") is None
    tracker.fold(dr("Retrieved", 5, "+15551230001"))
    early = tracker.status("m1", now=T0)
    assert early is not None and not early.submitted
    assert [(r.recipient, r.state, r.submitted_at) for r in early.recipients] == [
        ("+15551230001", DeliveryState.RETRIEVED, None)
    ]
    assert [m.state for m in tracker.messages()] == [DeliveryState.RETRIEVED]
    tracker.record_submit("m1", ["tel:+15551230001", B], report_requested=True, at=T0)
    joined = tracker.status("m1", now=T0)
    assert joined is not None and joined.submitted and not joined.final
    assert [(r.recipient, r.state) for r in joined.recipients] == [
        ("tel:+15551230001", DeliveryState.RETRIEVED),
        (B, DeliveryState.PENDING),
    ]
    listed = {(m.recipient, m.state) for m in tracker.messages(now=T0)}
    assert listed == {("tel:+15551230001", DeliveryState.RETRIEVED), (B, DeliveryState.PENDING)}


def test_a_report_without_recipient_joins_a_single_recipient_submit(tracker: Tracker) -> None:
    tracker.record_submit("m1", [A], report_requested=True, at=T0)
    tracker.fold(Report(DR, "m1", None, "Rejected", "blocked", T0))
    assert states(tracker) == {A: DeliveryState.REJECTED}


def test_the_sweep_marks_no_report_after_the_window_and_a_late_final_still_wins(tracker: Tracker) -> None:
    tracker.record_submit("m1", [A, B], report_requested=True, at=T0)
    tracker.record_submit("m2", [A], report_requested=True, at=T0, report_window=timedelta(hours=1))
    tracker.fold(dr("Retrieved", 5, B))
    tracker.fold(dr("Forwarded", 5, A))
    assert tracker.sweep(T0 + timedelta(minutes=59)) == 0
    assert tracker.sweep(T0 + timedelta(hours=2)) == 1  # m2 only: its window was one hour
    assert states(tracker, "m2", T0) == {A: DeliveryState.NO_REPORT}
    assert states(tracker, "m1", T0) == {A: DeliveryState.FORWARDED, B: DeliveryState.RETRIEVED}
    assert tracker.sweep(T0 + timedelta(hours=72)) == 1  # m1/A; B is final
    assert tracker.sweep(T0 + timedelta(hours=80)) == 0  # nothing left to mark
    assert states(tracker, "m1", T0) == {A: DeliveryState.NO_REPORT, B: DeliveryState.RETRIEVED}
    assert [m.message_id for m in tracker.messages(state="no_report", now=T0)] == ["m1", "m2"]
    tracker.fold(dr("Expired", 4300, A))  # came late after all
    assert states(tracker, "m1", T0) == {A: DeliveryState.EXPIRED, B: DeliveryState.RETRIEVED}


def test_report_windows_per_profile(store_url: str) -> None:
    windows = {"slow-carrier": timedelta(days=7)}
    with Tracker.open(store_url, report_window=timedelta(hours=24), profile_windows=windows) as tracker:
        tracker.record_submit("slow", [A], report_requested=True, profile="slow-carrier", at=T0)
        tracker.record_submit("other", [A], report_requested=True, profile="sinch", at=T0)
        own = timedelta(hours=1)
        tracker.record_submit(
            "own", [A], report_requested=True, profile="slow-carrier", at=T0, report_window=own
        )
        deadlines = {}
        for message_id in ("slow", "other", "own"):
            found = tracker.status(message_id, now=T0)
            assert found is not None
            deadlines[message_id] = found.recipients[0].deadline
        assert deadlines == {
            "slow": T0 + timedelta(days=7),
            "other": T0 + timedelta(hours=24),
            "own": T0 + timedelta(hours=1),
        }
        assert tracker.sweep(T0 + timedelta(days=2)) == 2  # other and own; slow still has five days
    with pytest.raises(ConfigError):
        Tracker.open(store_url, profile_windows={"x": timedelta(0)})


def test_past_the_deadline_reads_as_no_report_before_any_sweep(tracker: Tracker) -> None:
    tracker.record_submit("m1", [A], report_requested=True, at=T0, report_window=timedelta(hours=1))
    assert states(tracker, now=T0) == {A: DeliveryState.PENDING}
    later = T0 + timedelta(hours=2)
    assert states(tracker, now=later) == {A: DeliveryState.NO_REPORT}
    assert [m.state for m in tracker.messages(now=later)] == [DeliveryState.NO_REPORT]
    assert tracker.messages(state="pending", now=later) == []


def test_messages_filter_by_state_and_age(tracker: Tracker) -> None:
    now = T0 + timedelta(hours=5)
    tracker.record_submit("old", [A], report_requested=True, at=T0)
    tracker.record_submit("new", [A], report_requested=True, at=now - timedelta(minutes=10))
    tracker.record_submit("done", [A], report_requested=True, at=T0)
    tracker.fold(dr("Retrieved", 5, message_id="done"))
    tracker.fold(dr("Forwarded", 5, message_id="old"))
    assert [m.message_id for m in tracker.messages(state="open", older_than=timedelta(hours=1), now=now)] == [
        "old"
    ]
    assert {m.message_id for m in tracker.messages(state="open", now=now)} == {"old", "new"}
    assert [m.message_id for m in tracker.messages(state="pending", now=now)] == ["new"]
    assert [m.message_id for m in tracker.messages(state="final", now=now)] == ["done"]
    assert len(tracker.messages(now=now, limit=2)) == 2
    with pytest.raises(ConfigError):
        tracker.messages(state="lost")


def test_why_no_report(tracker: Tracker) -> None:
    tracker.record_submit("quiet", [A], report_requested=True, at=T0)
    tracker.record_submit("unasked", [A], report_requested=False, at=T0)

    def reason(message_id: str) -> NoReportReason | None:
        found = tracker.status(message_id, now=T0)
        assert found is not None
        return found.recipients[0].no_report_reason

    assert reason("unasked") is NoReportReason.NOT_REQUESTED
    assert reason("quiet") is NoReportReason.NONE_RECEIVED
    # A delivery report for another message reached this receiver: the receiver works, nothing to blame.
    tracker.inbox.put(notification("other", "Retrieved"))
    assert reason("quiet") is None
    # A report for this message was stored flagged, its MMStatus unreadable.
    tracker.inbox.put(notification("quiet", None, violations="MMStatus: 'Delivered' is not an allowed value"))
    assert reason("quiet") is NoReportReason.ANSWERED_WITH_ERROR
    found = tracker.status("quiet", now=T0)
    assert found is not None and "Delivered" in found.recipients[0].problems[0]
    # Once a final report is folded there is nothing to explain.
    tracker.fold(dr("Retrieved", 5, message_id="quiet"))
    assert reason("quiet") is None


def notification(message_id: str, mm_status: str | None, *, violations: str | None = None) -> Notification:
    headers = {"X-MM7-Violations": violations} if violations else {}
    kind = NotificationKind.DELIVERY_REPORT
    return Notification(
        kind=kind,
        dedupe_key=dedupe_key_for(
            kind, transaction_id=f"tx-{message_id}", message_id=message_id, recipient=A, mm_status=mm_status
        ),
        transaction_id=f"tx-{message_id}",
        mm7_version="6.8.0",
        namespace="ns",
        message_id=message_id,
        recipient=A,
        mm_status=mm_status,
        event_date=T0,
        headers=headers,
        received_at=T0 + timedelta(minutes=1),
    )


def test_fold_takes_what_the_receiver_has(tracker: Tracker) -> None:
    """A decoded DeliveryReportReq, a decoded ReadReplyReq and an inbox notification."""
    tracker.record_submit("m1", [A], report_requested=True, at=T0)
    request = mm7.delivery_report_request(
        message_id="m1", recipient=A, sender="12345", mm_status="Forwarded", date=T0
    )
    wire = mm7.encode(request)
    assert tracker.fold(mm7.decode(wire.to_bytes(), wire.content_type))
    assert tracker.fold(notification("m1", "Retrieved"))
    capture = (ROOT / "tests/fixtures/corpus/38-spec-readreplyreq-rel5-1-0.http").read_bytes()
    body = capture.split(b"\r\n\r\n", 1)[-1] if b"\r\n\r\n" in capture else capture.split(b"\n\n", 1)[1]
    read_reply = mm7.decode(body, "text/xml; charset=utf-8", mode="tolerant")
    report = report_from(read_reply)
    assert (report.kind, report.message_id, report.mm_status) == (
        ReportKind.READ_REPLY,
        "rs-msg-0038",
        "Read",
    )
    tracker.record_submit("rs-msg-0038", ["7255550038@mms.operator.example"], report_requested=True, at=T0)
    assert tracker.fold(read_reply)
    found = tracker.status("rs-msg-0038", now=T0)
    assert found is not None and found.recipients[0].read is ReadStatus.READ
    assert found.recipients[0].state is DeliveryState.PENDING
    assert states(tracker) == {A: DeliveryState.RETRIEVED}
    submit = mm7.decode(*_wire(mm7.submit_request(to=A, vasp_id="K", vas_id="V", sender="1")))
    with pytest.raises(ConfigError):
        tracker.fold(submit)


def _wire(request: object) -> tuple[bytes, str]:
    encoded = mm7.encode(request)  # type: ignore[arg-type]
    return encoded.to_bytes(), encoded.content_type


def test_a_read_only_database_without_tracking_tables_reads_as_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    open_inbox(url).close()  # an inbox made before tracking existed
    with Tracker.open(url, read_only=True) as reader:
        assert reader.status("m1") is None
        assert reader.messages() == []
        assert reader.sweep(T0) == 0
    with Tracker.open(url) as writer:
        writer.record_submit("m1", [A], report_requested=True, at=T0)
    with Tracker.open(url, read_only=True) as reader:
        assert states(reader) == {A: DeliveryState.PENDING}


def test_tables_are_created_once_by_any_number_of_openers(store_url: str) -> None:
    for _ in range(3):
        with Tracker.open(store_url) as tracker:
            tracker.record_submit("m1", [A], report_requested=True, at=T0)
    with Tracker.open(store_url) as tracker:
        assert states(tracker) == {A: DeliveryState.PENDING}


def test_wrong_arguments_are_refused(tracker: Tracker) -> None:
    with pytest.raises(ConfigError):
        tracker.record_submit("", [A], report_requested=True)
    with pytest.raises(ConfigError):
        tracker.record_submit("m1", [], report_requested=True)
    with pytest.raises(ConfigError):
        tracker.record_submit("m1", [A], report_requested=True, at=datetime(2026, 1, 1))
    with pytest.raises(ConfigError):
        tracker.record_submit("m1", [A], report_requested=True, report_window=timedelta(0))
    with pytest.raises(ConfigError):
        Tracker(tracker.inbox, report_window=timedelta(seconds=-1))
