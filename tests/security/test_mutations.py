"""Mutation properties: damage valid messages and check that only typed MM7 errors come out, cheaply.

Starting points are our own valid messages (a strict DeliverReq with nested content, the Sinch-like MO and
delivery report). Hypothesis drops, duplicates and reorders parts, flips bytes in header blocks, changes
or cuts boundaries, truncates and splices. Whatever it builds, :func:`mm7.decode` either returns a message
or raises an :class:`~mm7.errors.MM7Error`, within a time and heap bound.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mm7.codec.mime import Limits
from tests.security import assert_bounded, decode_outcome, envelope, mo_message
from tests.security.test_mime_attacks import good_message


def _seeds() -> list[tuple[bytes, str]]:
    return [good_message(), mo_message(), (envelope(), "text/xml; charset=utf-8")]


SEEDS = _seeds()
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')


def split_parts(body: bytes, content_type: str) -> tuple[bytes, list[bytes], bytes] | None:
    """(delimiter, parts, closing) of a multipart body, or None for a bare one."""
    found = _BOUNDARY.search(content_type)
    if not found:
        return None
    delimiter = b"--" + found.group(1).encode()
    pieces = body.split(delimiter)
    return delimiter, pieces[1:-1], pieces[-1]


def join_parts(delimiter: bytes, parts: list[bytes], closing: bytes) -> bytes:
    return b"".join(delimiter + p for p in parts) + delimiter + closing


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    body, content_type = draw(st.sampled_from(SEEDS))
    kind = draw(
        st.sampled_from(
            ["drop", "duplicate", "reorder", "flip-header", "boundary", "truncate", "splice", "insert", "ct"]
        )
    )
    split = split_parts(body, content_type)
    if kind in ("drop", "duplicate", "reorder") and split and split[1]:
        delimiter, parts, closing = split
        parts = list(parts)
        if kind == "drop":
            del parts[draw(st.integers(0, len(parts) - 1))]
        elif kind == "duplicate":
            index = draw(st.integers(0, len(parts) - 1))
            parts.insert(draw(st.integers(0, len(parts))), parts[index])
        else:
            parts = draw(st.permutations(parts))
        return join_parts(delimiter, parts, closing), content_type
    if kind == "flip-header":
        # Flip bytes inside a header block (the bytes before the first blank line of a part).
        end = body.find(b"\r\n\r\n")
        end = end if end > 0 else min(len(body), 200)
        data = bytearray(body)
        for _ in range(draw(st.integers(1, 8))):
            pos = draw(st.integers(0, max(0, end - 1)))
            if data:
                data[pos] ^= draw(st.integers(1, 255))
        return bytes(data), content_type
    if kind == "boundary" and split:
        new = draw(st.sampled_from(["", "x", "sec", "--", "b" * 80, "inner-b", "sec-boundary-", "é"]))
        return body, _BOUNDARY.sub(f'boundary="{new}"', content_type, count=1)
    if kind == "truncate":
        return body[: draw(st.integers(0, len(body)))], content_type
    if kind == "splice":
        a = draw(st.integers(0, len(body)))
        b = draw(st.integers(0, len(body)))
        return body[: min(a, b)] + body[max(a, b) :] + body[min(a, b) : max(a, b)], content_type
    if kind == "insert":
        junk = draw(
            st.sampled_from(
                [b"\r\n", b"--", b"\x00", b"<!DOCTYPE x>", b"Content-Type: multipart/mixed\r\n", b"="]
            )
            | st.binary(max_size=32)
        )
        pos = draw(st.integers(0, len(body)))
        return body[:pos] + junk + body[pos:], content_type
    if kind == "ct":
        return body, draw(
            st.sampled_from(
                [
                    "",
                    "multipart/related",
                    "multipart/mixed; boundary=sec-boundary",
                    "text/plain",
                    content_type + '; start="<nowhere>"',
                    content_type.replace("multipart/related", "multipart/related; charset=x"),
                    "multipart/related; boundary*=utf-8''%e9",
                    'multipart/related; boundary="unterminated',
                ]
            )
            | st.text(max_size=60)
        )
    return body, content_type


SMALL = Limits(max_body_size=256 * 1024, max_parts=20, max_depth=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=mutated(), mode=st.sampled_from(["strict", "tolerant"]))
def test_mutated_messages_raise_only_mm7_errors(message: tuple[bytes, str], mode: str) -> None:
    body, content_type = message
    outcome = decode_outcome(body, content_type, mode=mode, limits=SMALL)
    assert_bounded(outcome, max_seconds=2.0, max_peak=20 * 1024 * 1024)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2048), content_type=st.sampled_from([None, "text/xml", SEEDS[0][1]]))
def test_random_bytes_raise_only_mm7_errors(data: bytes, content_type: str | None) -> None:
    assert_bounded(decode_outcome(data, content_type))
