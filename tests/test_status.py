"""Tests for mm7.codec.status: tables, the TS 23.140 fallback rule, errors and MMStatus."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mm7.codec import status
from mm7.codec.status import (
    SINCH,
    THREEGPP,
    MMStatus,
    StatusInfo,
    StatusTable,
    error_for_status,
    is_final_mm_status,
    is_success,
    lookup,
    parse_mm_status,
    status_class_of,
)
from mm7.errors import ClientStatusError, MM7StatusError, ServerStatusError, ServiceStatusError

# TS 23.140 table of status codes (Rel-5 + Rel-6 additions), code -> StatusText.
STANDARD_CODES = {
    1000: "Success",
    1100: "Partial success",
    2000: "Client error",
    2001: "Operation restricted",
    2002: "Address Error",
    2003: "Address Not Found",
    2004: "Multimedia content refused",
    2005: "Message ID Not found",
    2006: "LinkedID not found",
    2007: "Message format corrupt",
    2008: "Application ID not found",
    2009: "Reply Application ID not found",
    3000: "Server Error",
    3001: "Not Possible",
    3002: "Message rejected",
    3003: "Multiple addresses not supported",
    3004: "Application Addressing not supported",
    4000: "General service error",
    4001: "Improper identification",
    4002: "Unsupported version",
    4003: "Unsupported operation",
    4004: "Validation error",
    4005: "Service error",
    4006: "Service unavailable",
    4007: "Service denied",
    4008: "Application denied",
}

# Sinch: code -> (retryable, bounded, retry_after_backoff)
SINCH_RETRY = {
    2569: (True, False, False),
    3000: (True, True, False),
    3001: (False, False, False),
    3500: (True, False, False),
    3510: (True, False, True),
    4006: (True, False, True),
}


def test_threegpp_table_has_exactly_the_standard_codes() -> None:
    assert {code: info.name for code, info in THREEGPP.items()} == STANDARD_CODES
    assert THREEGPP.name == "3gpp"
    assert THREEGPP.base is None


@pytest.mark.parametrize("code", sorted(STANDARD_CODES))
def test_threegpp_entries_are_consistent(code: int) -> None:
    info = THREEGPP[code]
    assert info.code == code
    assert info.status_class == code // 1000
    assert info.description
    # Only 4006 "Service unavailable" (temporarily busy) is retryable in the standard's table.
    assert info.retryable == (code == 4006)
    assert not info.bounded


@pytest.mark.parametrize(("code", "flags"), sorted(SINCH_RETRY.items()))
def test_sinch_retry_flags(code: int, flags: tuple[bool, bool, bool]) -> None:
    info = SINCH[code]
    assert (info.retryable, info.bounded, info.retry_after_backoff) == flags


def test_sinch_overlays_threegpp() -> None:
    assert SINCH.base is THREEGPP
    assert SINCH.name == "sinch"
    # Inherited from 3GPP (Sinch does not list them).
    assert SINCH[2001] is THREEGPP[2001]
    assert SINCH[4008] is THREEGPP[4008]
    # Replaced by Sinch.
    assert SINCH[3001].name == "Number blacklisted"
    assert 3001 in SINCH.own_entries
    assert 2001 not in SINCH.own_entries
    # Every non-retry Sinch code stays non-retryable.
    for code, info in SINCH.own_entries.items():
        if code not in SINCH_RETRY:
            assert not info.retryable, code
    assert set(THREEGPP) <= set(SINCH)


def test_all_sinch_documented_codes_present() -> None:
    documented = {
        1000, 2000, 2002, 2004, 2007, 2500, 2502, 2503, 2504, 2505, 2506, 2507, 2510, 2511, 2512,
        2513, 2514, 2515, 2550, 2551, 2560, 2561, 2562, 2563, 2564, 2565, 2566, 2567, 2568, 2569,
        2571, 2572, 3000, 3001, 3002, 3003, 3500, 3510, 3520, 4000, 4002, 4003, 4004, 4006, 4007,
    }  # fmt: skip
    assert documented <= set(SINCH)


def test_table_is_immutable_and_hashable() -> None:
    with pytest.raises(TypeError):
        THREEGPP[1000] = THREEGPP[2000]  # type: ignore[index]
    with pytest.raises(TypeError):
        THREEGPP.own_entries[1000] = THREEGPP[2000]  # type: ignore[index]
    with pytest.raises(AttributeError):
        THREEGPP[1000].retryable = True  # type: ignore[misc]
    assert hash(SINCH) == hash(SINCH)
    same = StatusTable("copy", THREEGPP.values())
    assert same == THREEGPP
    assert hash(same) == hash(THREEGPP)
    assert "3gpp" in repr(THREEGPP)
    assert "base='3gpp'" in repr(SINCH)


def test_table_rejects_bad_entries() -> None:
    info = StatusInfo(2500, "x", "y", 2)
    with pytest.raises(ValueError, match="duplicate"):
        StatusTable("t", [info, info])
    with pytest.raises(ValueError, match="outside"):
        StatusTable("t", [StatusInfo(5000, "x", "y", 0)])


def test_overlay_composes() -> None:
    custom = SINCH.overlay("custom", [StatusInfo(3001, "Custom", "retry it", 3, retryable=True)])
    assert custom.base is SINCH
    assert custom[3001].retryable
    assert custom[3510] is SINCH[3510]
    assert not SINCH[3001].retryable  # the base is untouched
    assert custom.lookup(3001) is custom[3001]


def test_lookup_known() -> None:
    assert lookup(2002) is THREEGPP[2002]
    assert lookup(3510, SINCH).retryable
    assert not lookup(3510).retryable  # 3GPP fallback: 3510 is an unknown 3xxx -> 3000


@pytest.mark.parametrize(
    ("code", "table", "base_code"),
    [
        (1999, THREEGPP, 1000),
        (2599, THREEGPP, 2000),
        (3510, THREEGPP, 3000),
        (4999, THREEGPP, 4000),
        (2999, SINCH, 2000),
        (3999, SINCH, 3000),
    ],
)
def test_lookup_unknown_code_falls_back_to_class_x000(code: int, table: StatusTable, base_code: int) -> None:
    info = lookup(code, table)
    base = table[base_code]
    assert info.code == code
    assert info.status_class == base.status_class
    assert info.name == base.name
    assert (info.retryable, info.bounded, info.retry_after_backoff) == (
        base.retryable,
        base.bounded,
        base.retry_after_backoff,
    )
    assert str(code) in info.description and str(base_code) in info.description


def test_lookup_falls_back_to_threegpp_when_table_lacks_x000() -> None:
    tiny = StatusTable("tiny", [StatusInfo(2500, "Mine", "mine", 2)])
    info = lookup(2501, tiny)
    assert info.code == 2501
    assert info.name == "Client error"


@pytest.mark.parametrize("code", [0, -1, 999, 5000, 9999, 123456])
def test_lookup_out_of_range_is_unknown_and_not_retryable(code: int) -> None:
    info = lookup(code, SINCH)
    assert info.code == code
    assert info.status_class == 0
    assert info.class_name == "unknown"
    assert not info.retryable
    assert not info.is_success


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_lookup_total_and_keeps_code(code: int) -> None:
    for table in (THREEGPP, SINCH):
        info = lookup(code, table)
        assert info.code == code
        assert info.status_class == status_class_of(code)
        if info.status_class == 0:
            assert not info.retryable


def test_is_success() -> None:
    assert is_success(1000)
    assert is_success(1100)
    assert not is_success(2000)
    assert not is_success(999)
    assert not is_success(5000)
    assert THREEGPP[1100].is_success
    assert THREEGPP[2000].class_name == "client error"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (2002, ClientStatusError),
        (2569, ClientStatusError),
        (3000, ServerStatusError),
        (3510, ServerStatusError),
        (4006, ServiceStatusError),
        (5000, MM7StatusError),
    ],
)
def test_error_for_status_class(code: int, cls: type[MM7StatusError]) -> None:
    exc = error_for_status(code, "text", table=SINCH)
    assert type(exc) is cls
    assert exc.status_code == code
    assert exc.retryable == lookup(code, SINCH).retryable


def test_error_for_status_carries_everything() -> None:
    exc = error_for_status(
        3510,
        "",
        details="slow down",
        transaction_id="tx-1",
        table=SINCH,
        http_status=500,
        fault_code="env:Server",
        fault_string="Server error",
    )
    assert exc.status_text == "Throughput exceeded"  # empty text -> table name
    assert exc.details == "slow down"
    assert exc.transaction_id == "tx-1"
    assert exc.http_status == 500
    assert exc.fault_code == "env:Server"
    assert exc.fault_string == "Server error"
    assert exc.retryable
    assert "3510" in str(exc)
    assert not error_for_status(3510, "x").retryable  # 3GPP table: 3510 is just a 3xxx
    assert not error_for_status(3001, "x", table=SINCH).retryable


FINAL = {
    "Expired", "Rejected", "Retrieved", "Unreachable", "Unrecognised", "Unrecognized",
    "DeliveryConditionNotMet", "NotSupported", "Indeterminate",
}  # fmt: skip
NON_FINAL = {"Deferred", "Forwarded"}


def test_mm_status_values() -> None:
    assert {s.value for s in MMStatus} == FINAL | NON_FINAL


def test_every_mm_status_our_schemas_accept_has_a_meaning() -> None:
    # The schemas are the receiving side's superset: each value they let through must be read.
    from mm7.codec.schema_model import model_for
    from mm7.codec.versions import REL5, REL6

    for version in (REL5, REL6):
        mm_status = model_for(version).elements["DeliveryReportReq"].children["MMStatus"].type
        assert set(mm_status.enumeration) <= {s.value for s in MMStatus}  # type: ignore[union-attr]


@pytest.mark.parametrize("value", sorted(FINAL | NON_FINAL))
def test_is_final_mm_status(value: str) -> None:
    expected = value in FINAL
    assert is_final_mm_status(value) is expected
    assert is_final_mm_status(MMStatus(value)) is expected
    assert is_final_mm_status(f"  {value.lower()} ") is expected
    assert parse_mm_status(value.upper()) is MMStatus(value)


@pytest.mark.parametrize("value", ["", "Delivered", "Success", "retrieved!"])
def test_unknown_mm_status(value: str) -> None:
    assert parse_mm_status(value) is None
    assert is_final_mm_status(value) is False


def test_public_names() -> None:
    for name in status.__all__:
        assert hasattr(status, name), name
