"""The lifecycle state machine: every MMStatus mapped, copies, order, conflicts, read replies, the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.codec.status import MMStatus, is_final_mm_status
from mm7.errors import ConfigError
from mm7.inbox import FINAL_MM_STATUSES, NON_FINAL_MM_STATUSES
from mm7.tracking import (
    FINAL_STATES,
    STATE_OF_MM_STATUS,
    DeliveryState,
    HistoryEntry,
    ReadStatus,
    Report,
    ReportKind,
    derive,
    fold,
    recipient_key,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DR = ReportKind.DELIVERY_REPORT


def dr(status: str, minutes: int | None = 0, *, text: str | None = None, tx: str = "tx") -> Report:
    date = None if minutes is None else T0 + timedelta(minutes=minutes)
    return Report(DR, "m1", "15551234567", status, text, date, tx, T0 + timedelta(hours=1))


def rr(status: str, minutes: int = 0) -> Report:
    return Report(ReportKind.READ_REPLY, "m1", "15551234567", status, None, T0 + timedelta(minutes=minutes))


def state_of(*reports: Report, no_report: bool = False) -> DeliveryState:
    return derive((r.entry() for r in reports), no_report=no_report).state


def test_every_mm_status_has_a_state_and_finality_agrees_with_the_codec_and_the_inbox() -> None:
    assert set(STATE_OF_MM_STATUS) == set(MMStatus)
    for status, state in STATE_OF_MM_STATUS.items():
        assert state.final == is_final_mm_status(status), status
        assert (status.value in FINAL_MM_STATUSES) == state.final
        assert (status.value in NON_FINAL_MM_STATUSES) == (not state.final)
        assert state_of(dr(status.value)) is state
    assert STATE_OF_MM_STATUS[MMStatus.UNRECOGNIZED] is STATE_OF_MM_STATUS[MMStatus.UNRECOGNISED]
    assert DeliveryState.NO_REPORT in FINAL_STATES
    assert not {DeliveryState.PENDING, DeliveryState.FORWARDED, DeliveryState.DEFERRED} & FINAL_STATES


def test_nothing_received_is_pending_and_progress_never_goes_back() -> None:
    assert state_of() is DeliveryState.PENDING
    assert state_of(dr("Forwarded")) is DeliveryState.FORWARDED
    assert state_of(dr("Deferred", 5), dr("Forwarded", 0)) is DeliveryState.DEFERRED
    assert state_of(dr("Forwarded", 10), dr("Deferred", 5)) is DeliveryState.DEFERRED


def test_a_final_report_wins_over_non_final_ones_in_any_order() -> None:
    assert state_of(dr("Retrieved", 5), dr("Forwarded", 9)) is DeliveryState.RETRIEVED
    assert state_of(dr("Forwarded", 9), dr("Retrieved", 5)) is DeliveryState.RETRIEVED


def test_two_different_finals_keep_the_earliest_event_and_record_the_conflict() -> None:
    derived = derive([dr("Expired", 60).entry(), dr("Retrieved", 30).entry()])
    assert derived.state is DeliveryState.RETRIEVED
    assert derived.final_report is not None and derived.final_report.mm_status == "Retrieved"
    assert [c.mm_status for c in derived.conflicts] == ["Expired"]
    assert len(derived.history) == 2
    # An undated final ranks after a dated one.
    assert state_of(dr("Rejected", None), dr("Expired", 500)) is DeliveryState.EXPIRED


def test_copies_change_nothing_whatever_their_transaction_id_or_spelling() -> None:
    history, new = fold((), dr("Retrieved", tx="a"))
    assert new
    again, new = fold(history, dr("Retrieved", tx="b", text="other text"))
    assert not new and again == history
    assert again[0].transaction_id == "a"
    spelled, new = fold(fold((), dr("Unrecognized"))[0], dr(" unrecognised "))
    assert not new and [e.mm_status for e in spelled] == ["Unrecognised"]
    # The same instant in another zone is the same report.
    shifted = Report(DR, "m1", "x", "Retrieved", None, T0.astimezone(timezone(timedelta(hours=2))))
    assert not fold(fold((), dr("Retrieved"))[0], shifted)[1]


def test_unknown_statuses_are_kept_and_move_nothing() -> None:
    derived = derive([dr("Delivered-ish").entry()])
    assert derived.state is DeliveryState.PENDING and derived.history[0].mm_status == "Delivered-ish"
    assert derived.history[0].state is None
    assert derive([dr("").entry()]).history[0].mm_status is None


def test_read_replies_are_read_information_not_delivery_states() -> None:
    derived = derive([rr("Read", 9).entry(), rr("deleted", 20).entry()])
    assert derived.state is DeliveryState.PENDING and derived.read is ReadStatus.READ
    assert {e.mm_status for e in derived.history} == {"Read", "Deleted"}
    assert derive([rr("Indeterminate").entry(), dr("Retrieved").entry()]).read is ReadStatus.INDETERMINATE


def test_the_sweep_gives_no_report_but_a_late_final_still_wins() -> None:
    assert state_of(no_report=True) is DeliveryState.NO_REPORT
    assert state_of(dr("Forwarded"), no_report=True) is DeliveryState.NO_REPORT
    assert state_of(dr("Forwarded"), dr("Expired", 4000), no_report=True) is DeliveryState.EXPIRED


@pytest.mark.parametrize(
    ("sent", "reported"),
    [("+15551234567", "15551234567"), ("tel:+15551234567", "15551234567/TYPE=PLMN"), ("A@x.org", "a@x.org")],
)
def test_recipient_addresses_match_however_the_mmsc_writes_them(sent: str, reported: str) -> None:
    assert recipient_key(sent) == recipient_key(reported)
    assert recipient_key("15551234567") != recipient_key("15551234568")
    assert recipient_key(None) == ""


def test_reports_refuse_naive_times_and_missing_message_ids() -> None:
    with pytest.raises(ConfigError):
        Report(DR, "", "x", "Retrieved")
    with pytest.raises(ConfigError):
        Report(DR, "m", "x", "Retrieved", date=datetime(2026, 1, 1))


# --------------------------------------------------------------------------- order independence

STATUSES = [s.value for s in MMStatus] + ["Read", "Deleted", "Vendor-Specific", ""]
reports = st.builds(
    lambda kind, status, minutes, text, tx: Report(
        kind,
        "m1",
        "15551234567",
        status,
        text,
        None if minutes is None else T0 + timedelta(minutes=minutes),
        tx,
    ),
    st.sampled_from([DR, DR, DR, ReportKind.READ_REPLY]),
    st.sampled_from(STATUSES),
    st.one_of(st.none(), st.integers(0, 5000)),
    st.one_of(st.none(), st.sampled_from(["ok", "Success", "later"])),
    st.sampled_from(["t1", "t2", "t3"]),
)


def identities(history: tuple[HistoryEntry, ...]) -> set[tuple[str, str, str]]:
    return {e.identity for e in history}


@settings(max_examples=300, deadline=None)
@given(
    sequence=st.lists(reports, min_size=0, max_size=8),
    data=st.data(),
    no_report=st.booleans(),
)
def test_any_permutation_and_duplication_ends_in_the_same_state_and_history(
    sequence: list[Report], data: st.DataObject, no_report: bool
) -> None:
    expected = derive((r.entry() for r in sequence), no_report=no_report)
    # Any order, any number of extra copies (copies may come from retries with other TransactionIDs).
    copies = data.draw(st.lists(st.sampled_from(sequence), max_size=8)) if sequence else []
    shuffled = data.draw(st.permutations([*sequence, *copies]))
    history: tuple[HistoryEntry, ...] = ()
    for report in shuffled:
        history, _ = fold(history, report)
    got = derive(history, no_report=no_report)
    assert got.state is expected.state
    assert got.read is expected.read
    assert identities(got.history) == identities(expected.history) == {r.entry().identity for r in sequence}
    assert (got.final_report is None) == (expected.final_report is None)
    if got.final_report is not None and expected.final_report is not None:
        assert got.final_report.identity == expected.final_report.identity
    assert {c.identity for c in got.conflicts} == {c.identity for c in expected.conflicts}
    # A final state is never left for a non-final one, whatever comes after it.
    seen_final = False
    running: tuple[HistoryEntry, ...] = ()
    for report in shuffled:
        running, _ = fold(running, report)
        state = derive(running, no_report=no_report).state
        assert not (seen_final and not state.final)
        seen_final = seen_final or (state.final and state is not DeliveryState.NO_REPORT)
