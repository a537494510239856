"""Tests for mm7.profiles.numbers: MSISDN normalization and short-code shape."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mm7.errors import ConfigError
from mm7.profiles.numbers import InvalidNumberError, looks_like_short_code, normalize_msisdn


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        # Sinch's own examples.
        ("(555)-319-9144", "US", "15553199144"),  # fictitious 555 number: possible, not "valid"
        ("642111111", None, "642111111"),
        # International notations.
        ("+64 21 111 1111", None, "64211111111"),
        ("+64 21 111 1111", "US", "64211111111"),  # '+' wins over the region
        ("0064 21 111 1111", None, "64211111111"),
        ("0064211111111", "NZ", "64211111111"),
        ("0064211111111", "US", "64211111111"),  # 00 read as '+' even where IDD is 011
        ("011 64 21 111 1111", None, "64211111111"),
        ("011 64 21 111 1111", "US", "64211111111"),
        ("+1 (212) 555-0123", None, "12125550123"),
        ("+44 20 7946 0958", None, "442079460958"),
        ("+39 06 1234 5678", None, "390612345678"),  # Italian leading zero kept
        # National notations with a region.
        ("021 111 1111", "NZ", "64211111111"),
        ("020 7946 0958", "GB", "442079460958"),
        ("555.319.9144", "US", "15553199144"),
        ("1-555-319-9144", "US", "15553199144"),
        # Already normalized (idempotent).
        ("15553199144", None, "15553199144"),
        ("15553199144", "US", "15553199144"),
        ("64211111111", None, "64211111111"),
        ("64211111111", "NZ", "64211111111"),
        ("  +64 21 111 1111\t", None, "64211111111"),
    ],
)
def test_normalize(number: str, region: str | None, expected: str) -> None:
    assert normalize_msisdn(number, default_region=region) == expected


@pytest.mark.parametrize(
    ("number", "region", "match"),
    [
        ("(555)-319-9144", None, "no country code"),
        ("021 111 1111", None, "no country code"),
        ("0 21 111 1111", None, "no country code"),
        ("", None, "empty"),
        ("   ", "US", "empty"),
        ("abc", None, "cannot read"),
        ("hello", "US", "cannot read"),
        ("+1 555", None, "too short"),
        ("+64 21 111 1111 1111 1111", None, "too long"),
        ("+999 123456", None, "cannot read|unknown country"),
        ("+1 212 555 0123 ext. 5", None, "extension"),
        ("555", "US", "not usable"),
    ],
)
def test_normalize_rejects(number: str, region: str | None, match: str) -> None:
    with pytest.raises(InvalidNumberError, match=match) as info:
        normalize_msisdn(number, default_region=region)
    assert info.value.number == number
    assert number.strip() == "" or repr(number) in str(info.value)


def test_hint_only_for_numbers_without_country_code() -> None:
    with pytest.raises(InvalidNumberError) as info:
        normalize_msisdn("+1 555")
    assert "default_region" not in str(info.value)
    with pytest.raises(InvalidNumberError) as info:
        normalize_msisdn("12")
    assert "default_region" in str(info.value)


def test_invalid_number_error_is_a_config_error() -> None:
    assert issubclass(InvalidNumberError, ConfigError)


@given(
    country=st.sampled_from(["1", "44", "64", "33", "49"]),
    rest=st.text(alphabet="0123456789", min_size=6, max_size=12),
    style=st.sampled_from(["+{c} {r}", "00{c}{r}", "+{c}-{r}", "{c}{r}"]),
)
def test_result_is_digits_and_idempotent(country: str, rest: str, style: str) -> None:
    number = style.format(c=country, r=rest)
    try:
        out = normalize_msisdn(number)
    except InvalidNumberError:
        return
    assert out.isascii() and out.isdigit()
    assert out.startswith(country)
    assert normalize_msisdn(out) == out
    assert normalize_msisdn("+" + out) == out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123", True),
        ("12345", True),
        ("12345678", True),
        (" 12345 ", True),
        ("12", False),
        ("123456789", False),
        ("", False),
        ("12a45", False),
        ("+12345", False),
        ("12 345", False),
        ("١٢٣٤٥", False),  # non-ASCII digits
    ],
)
def test_looks_like_short_code(value: str, expected: bool) -> None:
    assert looks_like_short_code(value) is expected
