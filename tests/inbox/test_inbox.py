"""Behaviour of the inbox, run identically against SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mm7.errors import ConfigError, LimitExceededError, MM7Error
from mm7.inbox import (
    Attachment,
    AttachmentTooLargeError,
    Inbox,
    InboxError,
    LeaseLostError,
    Notification,
    NotificationKind,
    NotificationState,
    SQLiteInbox,
    StorageError,
    dedupe_key_for,
    dedupe_key_for_delivery_report,
    open_inbox,
)

from .conftest import make_dr, make_mo

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def poll(fn: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Call fn until it returns something truthy, or fail after timeout (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


def run_sql(url: str, sql: str) -> None:
    """Run raw SQL on the inbox's database, bypassing the inbox (test setup only)."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            conn.executescript(sql)
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute(sql)


# ------------------------------------------------------------------------------------- put / get


def test_put_then_get_round_trips_every_field(inbox: Inbox) -> None:
    n = make_mo()
    result = inbox.put(n)
    assert result.created and result.times_received == 1
    got = inbox.get(result.id)
    assert got is not None
    assert got.id == result.id
    assert got.kind is NotificationKind.DELIVER
    for name in (
        "dedupe_key",
        "transaction_id",
        "mm7_version",
        "namespace",
        "message_id",
        "sender",
        "recipient",
        "mm_status",
        "status_text",
        "event_date",
        "envelope",
        "headers",
        "received_at",
    ):
        assert getattr(got, name) == getattr(n, name), name
    assert got.event_date is not None and got.event_date.tzinfo is not None
    assert got.attachments == n.attachments
    assert got.state is NotificationState.PENDING
    assert got.attempts == 0 and got.times_received == 1
    assert got.lease_owner is None and got.lease_expires_at is None and got.last_error is None


def test_get_unknown_id_is_none(inbox: Inbox) -> None:
    assert inbox.get(123456) is None


def test_headers_and_delivery_report_fields_round_trip(inbox: Inbox) -> None:
    n = make_dr()
    got = inbox.get(inbox.put(n).id)
    assert got is not None
    assert got.headers == {"X-Mblox-Carrier-Id": "0001470"}
    assert (got.message_id, got.mm_status, got.status_text) == ("msg-1", "Retrieved", "Success")
    assert got.attachments == []


def test_attachments_round_trip_bytes_exactly(inbox: Inbox) -> None:
    blob = os.urandom(1024 * 1024)
    atts = [
        Attachment(
            "smil@x", "application/smil", None, b'<smil xmlns="http://www.w3.org/2001/SMIL20/Language"/>'
        ),
        Attachment(None, "image/png", "image.png", blob),
        Attachment("empty", "application/octet-stream", None, b""),
        Attachment("nul", "application/octet-stream", None, b"\x00\xff\x00\r\n\x00"),
    ]
    n = make_mo(n_attachments=0)
    n.attachments = atts
    got = inbox.get(inbox.put(n).id)
    assert got is not None
    assert [a.content_id for a in got.attachments] == ["smil@x", None, "empty", "nul"]
    assert got.attachments == atts
    assert got.attachments[1].data == blob


def test_attachment_over_the_limit_is_refused_and_nothing_stored(inbox_url: str) -> None:
    with open_inbox(inbox_url, max_attachment_size=1000) as inbox:
        n = make_mo(n_attachments=0)
        n.attachments = [
            Attachment("a", "text/plain", None, b"x" * 1000),
            Attachment("b", "image/gif", None, b"y" * 1001),
        ]
        with pytest.raises(AttachmentTooLargeError) as info:
            inbox.put(n)
        assert isinstance(info.value, LimitExceededError) and isinstance(info.value, InboxError)
        assert info.value.limit == "max_attachment_size"
        assert inbox.list() == []


def test_same_notification_six_times_is_stored_once(inbox: Inbox) -> None:
    # Sinch: 1 delivery + up to 5 retries of an unacknowledged notification.
    results = [inbox.put(make_mo()) for _ in range(6)]
    assert [r.created for r in results] == [True] + [False] * 5
    assert len({r.id for r in results}) == 1
    assert [r.times_received for r in results] == [1, 2, 3, 4, 5, 6]
    stored = inbox.list()
    assert len(stored) == 1
    assert stored[0].times_received == 6
    assert len(stored[0].attachments) == 2  # attachments were not duplicated


def test_retry_with_a_new_transaction_id_is_still_a_duplicate(inbox: Inbox) -> None:
    first = inbox.put(make_dr(transaction_id="tx-a"))
    again = inbox.put(make_dr(transaction_id="tx-b"))
    assert again.id == first.id and not again.created
    got = inbox.get(first.id)
    assert got is not None and got.transaction_id == "tx-a"


def test_distinct_reports_for_one_message_are_all_kept(inbox: Inbox) -> None:
    inbox.put(make_dr(mm_status="Forwarded", date=T0))
    inbox.put(make_dr(mm_status="Retrieved", date=T0 + timedelta(minutes=1)))
    assert len(inbox.list(kind="delivery_report")) == 2


def test_list_filters_and_pages(inbox: Inbox) -> None:
    ids = [inbox.put(make_mo(f"l{i}")).id for i in range(5)]
    dr = inbox.put(make_dr()).id
    assert [s.id for s in inbox.list()] == [*ids, dr]
    assert [s.id for s in inbox.list(kind=NotificationKind.DELIVERY_REPORT)] == [dr]
    assert [s.id for s in inbox.list(kind="deliver", limit=2, offset=1)] == ids[1:3]
    claimed = inbox.claim("w", limit=1)
    assert [s.id for s in inbox.list(state="leased")] == [claimed[0].id]
    assert len(inbox.list(state=NotificationState.PENDING)) == 5


def test_counts_has_every_state(inbox: Inbox) -> None:
    assert inbox.counts() == {s: 0 for s in NotificationState}
    for i in range(3):
        inbox.put(make_mo(f"c{i}"))
    [a, b] = inbox.claim("w", limit=2)
    inbox.ack(a.id, "w")
    assert inbox.fail(b.id, "w", "boom", max_attempts=1) is NotificationState.FAILED
    assert inbox.counts() == {
        NotificationState.PENDING: 1,
        NotificationState.LEASED: 0,
        NotificationState.DONE: 1,
        NotificationState.FAILED: 1,
    }


# ------------------------------------------------------------------------------------- claim / ack


def test_claim_leases_oldest_first(inbox: Inbox) -> None:
    ids = [inbox.put(make_mo(f"o{i}")).id for i in range(5)]
    first = inbox.claim("w1", limit=2, lease_seconds=30)
    assert [s.id for s in first] == ids[:2]
    for s in first:
        assert s.state is NotificationState.LEASED
        assert s.lease_owner == "w1" and s.attempts == 1
        soon = datetime.now(UTC) + timedelta(seconds=20)
        assert s.lease_expires_at is not None and s.lease_expires_at > soon
        assert len(s.attachments) == 2
    second = inbox.claim("w2", limit=10)
    assert [s.id for s in second] == ids[2:]
    assert inbox.claim("w3") == []


def test_claim_filters_by_kind(inbox: Inbox) -> None:
    mo = inbox.put(make_mo()).id
    dr = inbox.put(make_dr()).id
    assert [s.id for s in inbox.claim("w", kinds={NotificationKind.DELIVERY_REPORT})] == [dr]
    assert inbox.claim("w", kinds=set()) == []
    assert [s.id for s in inbox.claim("w", kinds=["deliver", "read_reply"])] == [mo]


def test_claim_rejects_bad_arguments(inbox: Inbox) -> None:
    with pytest.raises(ConfigError):
        inbox.claim("", limit=1)
    with pytest.raises(ConfigError):
        inbox.claim("w", limit=0)
    with pytest.raises(ConfigError):
        inbox.claim("w", lease_seconds=0)


def test_ack_marks_done_and_done_items_are_not_claimed(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    [item] = inbox.claim("w1")
    inbox.ack(item.id, "w1")
    got = inbox.get(nid)
    assert got is not None and got.state is NotificationState.DONE
    assert inbox.claim("w1") == []
    # A late duplicate of a handled notification is counted, not handled again.
    assert not inbox.put(make_mo()).created
    assert inbox.claim("w1") == []


def test_ack_by_the_wrong_worker_raises_lease_lost(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    inbox.claim("w1")
    with pytest.raises(LeaseLostError) as info:
        inbox.ack(nid, "w2")
    assert info.value.notification_id == nid
    assert "w1" in str(info.value)
    got = inbox.get(nid)
    assert got is not None and got.state is NotificationState.LEASED  # untouched
    inbox.ack(nid, "w1")
    with pytest.raises(LeaseLostError):
        inbox.ack(nid, "w1")  # already done
    with pytest.raises(LeaseLostError, match="does not exist"):
        inbox.ack(999999, "w1")


def test_ack_of_a_pending_item_raises_lease_lost(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    with pytest.raises(LeaseLostError):
        inbox.ack(nid, "w1")
    with pytest.raises(LeaseLostError):
        inbox.fail(nid, "w1", "nope")


def test_expired_lease_returns_the_item_to_another_worker(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    [item] = inbox.claim("crashed", lease_seconds=0.2)
    [again] = poll(lambda: inbox.claim("w2", lease_seconds=30))
    assert again.id == nid == item.id
    assert again.lease_owner == "w2" and again.attempts == 2
    with pytest.raises(LeaseLostError):
        inbox.ack(nid, "crashed")  # the crashed worker came back too late
    inbox.ack(nid, "w2")


def test_expired_lease_not_taken_by_anyone_can_still_be_acked(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    inbox.claim("slow", lease_seconds=0.05)
    poll(
        lambda: (
            (s := inbox.get(nid)) is not None
            and s.lease_expires_at is not None
            and s.lease_expires_at < datetime.now(UTC) - timedelta(seconds=0.5)
        )
    )
    inbox.ack(nid, "slow")
    got = inbox.get(nid)
    assert got is not None and got.state is NotificationState.DONE


# ------------------------------------------------------------------------------------- fail / retry


def test_fail_retries_later_then_gives_up_after_max_attempts(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    [item] = inbox.claim("w")
    state = inbox.fail(item.id, "w", "handler crashed", retry_in=3600, max_attempts=3)
    assert state is NotificationState.PENDING
    got = inbox.get(nid)
    assert got is not None
    assert got.state is NotificationState.PENDING and got.last_error == "handler crashed"
    assert got.available_at is not None and got.available_at > datetime.now(UTC) + timedelta(minutes=50)
    assert inbox.claim("w") == []  # not before retry_in
    assert got.attempts == 1 and got.lease_owner == "w" and got.lease_expires_at is None


def test_fail_with_short_retry_comes_back_and_ends_failed(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    states = []
    for attempt in range(1, 4):
        [item] = poll(lambda: inbox.claim("w"))
        assert item.id == nid and item.attempts == attempt
        states.append(inbox.fail(nid, "w", f"error {attempt}", retry_in=0.1, max_attempts=3))
    assert states == [NotificationState.PENDING, NotificationState.PENDING, NotificationState.FAILED]
    got = inbox.get(nid)
    assert got is not None
    assert got.state is NotificationState.FAILED and got.attempts == 3 and got.last_error == "error 3"
    time.sleep(0.2)
    assert inbox.claim("w") == []  # failed is final


def test_fail_by_the_wrong_worker_raises_lease_lost(inbox: Inbox) -> None:
    nid = inbox.put(make_mo()).id
    inbox.claim("w1")
    with pytest.raises(LeaseLostError):
        inbox.fail(nid, "w2", "not mine")
    with pytest.raises(ConfigError):
        inbox.fail(nid, "w1", "x", retry_in=-1)


# ------------------------------------------------------------------------------------- status


def test_status_unknown_message_is_none(inbox: Inbox) -> None:
    assert inbox.status("nope") is None
    inbox.put(make_mo())
    assert inbox.status("nope") is None


def test_status_non_final_then_final(inbox: Inbox) -> None:
    inbox.put(make_dr(mm_status="Forwarded", date=T0))
    st = inbox.status("msg-1")
    assert st is not None and st.mm_status == "Forwarded" and not st.final and st.reports == 1
    inbox.put(make_dr(mm_status="Retrieved", date=T0 + timedelta(minutes=2)))
    st = inbox.status("msg-1")
    assert st is not None
    assert (st.mm_status, st.final, st.status_text, st.reports) == ("Retrieved", True, "Success", 2)
    assert st.event_date == T0 + timedelta(minutes=2)
    assert st.recipient == "15553199144"


def test_status_out_of_order_report_does_not_override_newer_event(inbox: Inbox) -> None:
    # Retrieved (12:05) arrives first; a delayed retry of Forwarded (12:00) arrives after it.
    retrieved = inbox.put(make_dr(mm_status="Retrieved", date=T0 + timedelta(minutes=5))).id
    inbox.put(make_dr(mm_status="Forwarded", date=T0))
    inbox.put(make_dr(mm_status="Deferred", date=T0 + timedelta(minutes=1)))
    st = inbox.status("msg-1")
    assert st is not None
    assert st.mm_status == "Retrieved" and st.final and st.notification_id == retrieved
    assert st.reports == 3


def test_status_compares_dates_as_instants_across_time_zones(inbox: Inbox) -> None:
    plus2 = timezone(timedelta(hours=2))
    # 13:30+02:00 is 11:30 UTC: older than the Forwarded at 12:00 UTC.
    inbox.put(make_dr(mm_status="Forwarded", date=T0))
    inbox.put(make_dr(mm_status="Expired", date=datetime(2024, 5, 1, 13, 30, tzinfo=plus2)))
    st = inbox.status("msg-1")
    assert st is not None and st.mm_status == "Forwarded" and not st.final


def test_status_same_date_is_decided_by_arrival_and_undated_ranks_last(inbox: Inbox) -> None:
    inbox.put(make_dr(mm_status="Forwarded", date=T0))
    inbox.put(make_dr(mm_status="Rejected", date=T0))
    st = inbox.status("msg-1")
    assert st is not None and st.mm_status == "Rejected" and st.final
    undated = make_dr(mm_status="Deferred")
    undated.event_date = None
    undated.dedupe_key = "delivery_report:undated"
    inbox.put(undated)
    st = inbox.status("msg-1")
    assert st is not None and st.mm_status == "Rejected"


def test_status_per_recipient(inbox: Inbox) -> None:
    inbox.put(make_dr(mm_status="Retrieved", date=T0, recipient="111"))
    inbox.put(make_dr(mm_status="Forwarded", date=T0 + timedelta(minutes=1), recipient="222"))
    a = inbox.status("msg-1", recipient="111")
    b = inbox.status("msg-1", recipient="222")
    latest = inbox.status("msg-1")
    assert a is not None and (a.mm_status, a.final, a.reports) == ("Retrieved", True, 1)
    assert b is not None and (b.mm_status, b.final) == ("Forwarded", False)
    assert latest is not None and latest.recipient == "222" and latest.reports == 2
    assert inbox.status("msg-1", recipient="333") is None


# ------------------------------------------------------------------------------------- durability


def test_close_and_reopen_keeps_everything(inbox_url: str) -> None:
    with open_inbox(inbox_url) as inbox:
        mo = inbox.put(make_mo()).id
        dr = inbox.put(make_dr()).id
        inbox.put(make_dr())
        [claimed] = inbox.claim("w", limit=1, lease_seconds=600)
        before = inbox.list()
    with open_inbox(inbox_url) as inbox:
        after = inbox.list()
        assert after == before
        assert claimed.id == mo
        got = inbox.get(dr)
        assert got is not None and got.times_received == 2
        st = inbox.status("msg-1")
        assert st is not None and st.mm_status == "Retrieved"
        inbox.ack(mo, "w")  # the lease survived the restart


def test_opening_twice_runs_migrations_once(inbox_url: str) -> None:
    first = open_inbox(inbox_url)
    nid = first.put(make_mo()).id
    second = open_inbox(inbox_url)  # while the first is open
    third = open_inbox(inbox_url)
    try:
        assert second.get(nid) is not None and third.counts()[NotificationState.PENDING] == 1
    finally:
        for ib in (first, second, third):
            ib.close()
    if inbox_url.startswith("sqlite:///"):
        conn = sqlite3.connect(inbox_url.removeprefix("sqlite:///"))
        try:
            assert conn.execute("PRAGMA user_version").fetchone() == (1,)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(inbox_url) as pg:
            rows = pg.execute("SELECT version FROM inbox_schema_migrations ORDER BY version").fetchall()
        assert rows == [(1,)]


def test_closed_inbox_refuses_calls(inbox_url: str) -> None:
    inbox = open_inbox(inbox_url)
    inbox.close()
    inbox.close()  # idempotent
    with pytest.raises(InboxError, match="closed"):
        inbox.put(make_mo())


def test_read_only_database_raises_storage_error_and_stores_nothing(inbox_url: str) -> None:
    # Honest as root: file permissions do not stop root, so the database itself refuses writes
    # (SQLite opened with mode=ro; PostgreSQL sessions with default_transaction_read_only).
    with open_inbox(inbox_url) as inbox:
        existing = inbox.put(make_dr()).id
    if inbox_url.startswith("sqlite:///"):
        ro = open_inbox(inbox_url + "?mode=ro")
    else:
        ro = open_inbox(inbox_url, read_only=True)
    with ro:
        assert ro.get(existing) is not None  # reading works
        with pytest.raises(StorageError) as info:
            ro.put(make_mo())
        assert isinstance(info.value.__cause__, Exception)
        assert isinstance(info.value, MM7Error)
        with pytest.raises(StorageError):
            ro.put(make_dr())  # not even a duplicate's counter
        with pytest.raises(StorageError):
            ro.claim("w")
    with open_inbox(inbox_url) as inbox:
        assert [s.id for s in inbox.list()] == [existing]
        got = inbox.get(existing)
        assert got is not None and got.times_received == 1 and got.state is NotificationState.PENDING


def test_failure_midway_through_a_put_leaves_nothing_half_stored(inbox_url: str, backend: str) -> None:
    # A storage failure injected by the database itself on the 2nd attachment row (after the
    # notification row and the 1st attachment were written in the same transaction), like a disk
    # filling up mid-request. The whole put must roll back.
    with open_inbox(inbox_url):
        pass  # create the schema
    if backend == "sqlite":
        run_sql(
            inbox_url,
            "CREATE TRIGGER disk_full BEFORE INSERT ON inbox_attachments WHEN NEW.position = 1 "
            "BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END;",
        )
    else:
        run_sql(
            inbox_url,
            """
            CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'simulated disk full' USING ERRCODE = 'disk_full'; END $$;
            CREATE TRIGGER disk_full BEFORE INSERT ON inbox_attachments
                FOR EACH ROW WHEN (NEW.position = 1) EXECUTE FUNCTION disk_full();
            """,
        )
    with open_inbox(inbox_url) as inbox:
        with pytest.raises(StorageError, match="simulated disk full"):
            inbox.put(make_mo(n_attachments=2))
        assert inbox.list() == []
        assert inbox.counts() == {s: 0 for s in NotificationState}
        # The inbox still works after the failure (connection not left in a broken transaction).
        assert inbox.put(make_mo("other", n_attachments=1)).created
    with open_inbox(inbox_url) as inbox:
        [only] = inbox.list()
        assert len(only.attachments) == 1


def test_unwritable_location_raises_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError):
        open_inbox(str(blocker / "sub" / "inbox.db"))


# ------------------------------------------------------------------------------------- open_inbox


def test_open_inbox_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_inbox("sqlite:///rel/dir/a.db") as a:
        assert isinstance(a, SQLiteInbox) and a.path == tmp_path / "rel" / "dir" / "a.db"
    with open_inbox(f"sqlite:///{tmp_path}/abs.db") as b:
        assert isinstance(b, SQLiteInbox) and b.path == tmp_path / "abs.db"
    with open_inbox("bare/c.db") as c:
        assert isinstance(c, SQLiteInbox) and c.path == tmp_path / "bare" / "c.db"
    assert (tmp_path / "rel" / "dir" / "a.db").exists() and (tmp_path / "abs.db").exists()
    for bad in (
        "host=localhost dbname=x",
        "mysql://x/y",
        "sqlite://",
        "sqlite:///",
        "",
        ":memory:",
        "sqlite:///:memory:",
    ):
        with pytest.raises(ConfigError):
            open_inbox(bad)


def test_missing_psycopg_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes "import psycopg" raise ImportError
    monkeypatch.delitem(sys.modules, "mm7.inbox.postgres", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'mm7\[postgres\]'"):
        open_inbox("postgresql://localhost/nothing")
    with pytest.raises(ConfigError, match=r"pip install 'mm7\[postgres\]'"):
        open_inbox("postgres://localhost/nothing")


# ------------------------------------------------------------------------------------- values


def test_dedupe_keys() -> None:
    utc = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    local = utc.astimezone(timezone(timedelta(hours=-5)))
    assert dedupe_key_for_delivery_report("m", "r", "Retrieved", utc) == dedupe_key_for_delivery_report(
        "m", "r", "Retrieved", local
    )
    keys = {
        dedupe_key_for_delivery_report("m", "r", "Retrieved", utc),
        dedupe_key_for_delivery_report("m", "r", "Forwarded", utc),
        dedupe_key_for_delivery_report("m", "r2", "Retrieved", utc),
        dedupe_key_for_delivery_report("m", "r", "Retrieved", None),
        dedupe_key_for_delivery_report("m", None, "Retrieved", utc),
    }
    assert len(keys) == 5
    assert all(k.startswith("delivery_report:") for k in keys)
    mo = dedupe_key_for("deliver", transaction_id="t1", linked_id="L", sender="s")
    assert mo == dedupe_key_for("deliver", transaction_id="t2", linked_id="L", sender="other")
    assert dedupe_key_for("deliver", transaction_id="t1", sender="a") != dedupe_key_for(
        "deliver", transaction_id="t1", sender="b"
    )
    rr = dedupe_key_for("read_reply", transaction_id="t1", linked_id="L")
    assert rr != mo and rr.startswith("read_reply:")
    # Part boundaries are unambiguous.
    ab_c = dedupe_key_for_delivery_report("ab", "c", "X", None)
    assert ab_c != dedupe_key_for_delivery_report("a", "bc", "X", None)
    # A report stored flagged without MessageID/MMStatus: keyed by TransactionID and sender, like MO.
    flagged = dedupe_key_for("delivery_report", transaction_id="t", sender="s")
    assert flagged.startswith("delivery_report:") and flagged not in keys
    assert flagged == dedupe_key_for("delivery_report", transaction_id="t", sender="s", mm_status="Retrieved")
    assert flagged != dedupe_key_for("delivery_report", transaction_id="t2", sender="s")


def test_notification_validates_times_and_kind() -> None:
    with pytest.raises(ConfigError):
        Notification(
            kind=NotificationKind.DELIVER,
            dedupe_key="k",
            transaction_id="t",
            mm7_version="5.3.0",
            namespace="ns",
            event_date=datetime(2024, 1, 1),  # naive
        )
    n = Notification(
        kind="read_reply",  # type: ignore[arg-type]
        dedupe_key="k",
        transaction_id="t",
        mm7_version="5.3.0",
        namespace="ns",
        event_date=datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2))),
    )
    assert n.kind is NotificationKind.READ_REPLY
    assert n.event_date == datetime(2024, 1, 1, 12, tzinfo=UTC) and n.event_date.tzinfo is UTC
    assert n.received_at.tzinfo is UTC
    with pytest.raises(ConfigError):
        Notification(
            kind=NotificationKind.DELIVER, dedupe_key="", transaction_id="t", mm7_version="v", namespace="n"
        )
