"""Hostile MIME through ``mm7.decode``: sizes, counts, depth, header lines, broken framing and encodings.

Every case ends in a typed :class:`~mm7.errors.MM7Error` (the class, MM7 status code and, for limits, the
limit's name are checked), in bounded time and Python heap, in strict and in tolerant mode. The limits are
shown to be configurable both ways: a borderline message passes at the smallest value that admits it and
is refused one below it. The framing real MMSCs send (no closing delimiter, a ``start`` naming no part)
is the exception: strict mode refuses it, tolerant mode reads every complete part and names the deviation.
"""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable

import pytest

import mm7
from mm7.codec.mime import Limits
from mm7.codec.mime import decode as decode_mime
from mm7.errors import LimitExceededError, MIMEError, MM7Error, RemoteValidationError
from tests.security import (
    FIXTURES,
    assert_bounded,
    assert_rejected,
    decode_outcome,
    envelope,
    multipart,
    part,
)

MODES = ["strict", "tolerant"]


def deliver_envelope(href: str = "cid:content") -> bytes:
    """The Sinch-like DeliverReq envelope (from the MO fixture), pointing at ``href``."""
    raw = (FIXTURES / "mo-deliver.bin").read_bytes()
    soap = raw.split(b"------=_Part_0_mo_outer")[1].split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n")
    return soap.replace(b"cid:default.cid", href.encode())


def content_part(cid: str = "<content>", extra_children: list[bytes] | None = None) -> bytes:
    """A nested multipart/mixed content part: a text and a base64 image."""
    children = [
        part(b"Hello from a hostile test", "text/plain; charset=utf-8", "<text0>"),
        part(
            base64.encodebytes(b"\xff\xd8\xff\xe0" + bytes(range(256))),
            "image/jpeg",
            "<img0>",
            extra=b"Content-Transfer-Encoding: base64\r\n",
        ),
        *(extra_children or []),
    ]
    inner, inner_type = multipart(children, boundary="inner-b", start=None)
    inner_type = inner_type.replace("multipart/related", "multipart/mixed").replace('type="text/xml"; ', "")
    return part(inner, inner_type, cid)


def good_message(**kwargs: object) -> tuple[bytes, str]:
    """A strict-valid DeliverReq with nested content (3 levels of parts)."""
    return multipart([part(deliver_envelope()), content_part(**kwargs)])  # type: ignore[arg-type]


def test_good_message_decodes_strictly() -> None:
    body, content_type = good_message()
    outcome = decode_outcome(body, content_type)
    assert outcome.error is None, repr(outcome.error)
    decoded = outcome.result
    assert decoded.operation == "DeliverReq"  # type: ignore[attr-defined]
    assert [p.content_id for p in decoded.media_parts()] == ["text0", "img0"]  # type: ignore[attr-defined]


def nested(depth: int) -> bytes:
    """A content part made of ``depth`` nested multipart/mixed levels around one text part."""
    inner = part(b"x", "text/plain", "<leaf>")
    for level in range(depth):
        boundary = f"n{level}"
        body = b"--" + boundary.encode() + b"\r\n" + inner + b"\r\n--" + boundary.encode() + b"--"
        inner = part(
            body, f'multipart/mixed; boundary="{boundary}"', "<content>" if level == depth - 1 else None
        )
    return inner


def with_header(extra: bytes) -> tuple[bytes, str]:
    return multipart([part(deliver_envelope(), extra=extra), content_part()])


def replace_boundary_param(content_type: str, new: str) -> str:
    return content_type.replace('boundary="sec-boundary"', new)


def _big_body() -> tuple[bytes, str]:
    return multipart([part(envelope()), part(b"a" * (33 * 1024 * 1024), "application/octet-stream", "<big>")])


def _tiny_parts(count: int) -> tuple[bytes, str]:
    return multipart([part(envelope())] + [part(b"x", "text/plain", f"<p{i}>") for i in range(count)])


def _dup_ids() -> tuple[bytes, str]:
    dup = part(b"again", "text/plain", "<text0>")
    return multipart([part(deliver_envelope()), content_part(extra_children=[dup])])


def _bad_base64() -> tuple[bytes, str]:
    broken = part(
        b"!!!! not base64 @@@@", "image/png", "<png>", extra=b"Content-Transfer-Encoding: base64\r\n"
    )
    return multipart([part(deliver_envelope()), content_part(extra_children=[broken])])


def _truncated_base64() -> tuple[bytes, str]:
    broken = part(b"QUJD" * 10 + b"Q", "image/png", "<png>", extra=b"Content-Transfer-Encoding: base64\r\n")
    return multipart([part(deliver_envelope()), content_part(extra_children=[broken])])


def _unknown_cte() -> tuple[bytes, str]:
    odd = part(b"uryyb", "text/plain", "<rot>", extra=b"Content-Transfer-Encoding: x-rot13\r\n")
    return multipart([part(deliver_envelope()), content_part(extra_children=[odd])])


def _boundary_in_content() -> tuple[bytes, str]:
    sneaky = part(b"before\r\n--sec-boundary\r\nnot a header line\r\n", "text/plain", "<sneaky>")
    return multipart([part(deliver_envelope()), content_part(), sneaky])


def _unterminated() -> tuple[bytes, str]:
    body, content_type = good_message()
    return body[: -len(b"--sec-boundary--\r\n")], content_type


def _unterminated_inner() -> tuple[bytes, str]:
    body, content_type = good_message()
    return body.replace(b"--inner-b--", b""), content_type


def _cut_in_headers() -> tuple[bytes, str]:
    body, content_type = good_message()
    return body[: body.index(b"Content-ID: <content>") + 5], content_type


def _start_nowhere() -> tuple[bytes, str]:
    return multipart([part(deliver_envelope()), content_part()], start="<nowhere>")


def _href_missing() -> tuple[bytes, str]:
    return multipart([part(deliver_envelope("cid:missing")), content_part()])


def _wrong_boundary() -> tuple[bytes, str]:
    body, content_type = good_message()
    return body, replace_boundary_param(content_type, 'boundary="other"')


def _nested_without_boundary() -> tuple[bytes, str]:
    inner = part(b"--x\r\n\r\nhi\r\n--x--", "multipart/mixed", "<content>")
    return multipart([part(deliver_envelope()), inner])


def _header_without_colon() -> tuple[bytes, str]:
    return with_header(b"this is no header\r\n")


def _continuation_first() -> tuple[bytes, str]:
    body, content_type = multipart([b" folded first\r\n" + part(deliver_envelope()), content_part()])
    return body, content_type


def _non_ascii_boundary() -> tuple[bytes, str]:
    body, content_type = good_message()
    return body, replace_boundary_param(content_type, 'boundary="b\u00e9"')


# (name, builder, expected class, MM7 status, limit name or None)
CASES: list[tuple[str, Callable[[], tuple[bytes, str]], type[MM7Error], int, str | None]] = [
    ("body-over-32MiB", _big_body, LimitExceededError, 2007, "max_body_size"),
    ("10k-tiny-parts", lambda: _tiny_parts(10_000), LimitExceededError, 2007, "max_parts"),
    (
        "nesting-100-deep",
        lambda: multipart([part(deliver_envelope()), nested(100)]),
        LimitExceededError,
        2007,
        "max_depth",
    ),
    (
        "1MB-header-line",
        lambda: with_header(b"X-Big: " + b"a" * 1_000_000 + b"\r\n"),
        LimitExceededError,
        2007,
        "max_header_line",
    ),
    (
        "1MB-folded-header",
        lambda: with_header(b"X-Big: a\r\n" + b" a\r\n" * 250_000),
        LimitExceededError,
        2007,
        "max_header_line",
    ),
    (
        "1000-headers",
        lambda: with_header(b"".join(b"X-H%d: 1\r\n" % i for i in range(1000))),
        LimitExceededError,
        2007,
        "max_headers_per_part",
    ),
    ("cut-inside-headers", _cut_in_headers, MIMEError, 2007, None),
    ("wrong-boundary", _wrong_boundary, MIMEError, 2007, None),
    ("boundary-in-content", _boundary_in_content, MIMEError, 2007, None),
    ("non-ascii-boundary", _non_ascii_boundary, MIMEError, 2007, None),
    ("nested-multipart-without-boundary", _nested_without_boundary, MIMEError, 2007, None),
    ("duplicated-content-id", _dup_ids, MIMEError, 2007, None),
    ("bad-base64", _bad_base64, MIMEError, 2007, None),
    ("truncated-base64", _truncated_base64, MIMEError, 2007, None),
    ("unknown-transfer-encoding", _unknown_cte, MIMEError, 2007, None),
    ("header-without-colon", _header_without_colon, MIMEError, 2007, None),
    ("continuation-line-first", _continuation_first, MIMEError, 2007, None),
    ("empty-body", lambda: (b"", 'multipart/related; boundary="b"'), MIMEError, 2007, None),
    (
        "close-delimiter-only",
        lambda: (b"--b--\r\n", 'multipart/related; boundary="b"'),
        MIMEError,
        2007,
        None,
    ),
    ("preamble-only", lambda: (b"just text\r\n", 'multipart/related; boundary="b"'), MIMEError, 2007, None),
    ("not-a-soap-media-type", lambda: (envelope(), "image/png"), MIMEError, 2007, None),
    (
        "multipart-without-boundary-and-garbage",
        lambda: (b"\x00\x01garbage", 'multipart/related; type="text/xml"'),
        MIMEError,
        2007,
        None,
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "build", "expected", "status", "limit"), CASES, ids=[c[0] for c in CASES])
def test_hostile_mime_is_refused(
    name: str,
    build: Callable[[], tuple[bytes, str]],
    expected: type[MM7Error],
    status: int,
    limit: str | None,
    mode: str,
) -> None:
    body, content_type = build()
    outcome = decode_outcome(body, content_type, mode=mode)
    assert_rejected(outcome, expected, status_code=status, limit=limit)


# What real MMSCs send and tolerant decoding reads: (name, builder, kind, words of the deviation's reason).
TOLERATED: list[tuple[str, Callable[[], tuple[bytes, str]], str, str]] = [
    ("missing-closing-delimiter", _unterminated, "mime-framing", "no closing delimiter"),
    ("unterminated-nested", _unterminated_inner, "mime-framing", "no closing delimiter"),
    ("start-points-nowhere", _start_nowhere, "content-reference", "names no part"),
]


@pytest.mark.parametrize(("name", "build", "kind", "words"), TOLERATED, ids=[c[0] for c in TOLERATED])
def test_framing_real_peers_send_is_refused_strictly_and_read_tolerantly(
    name: str, build: Callable[[], tuple[bytes, str]], kind: str, words: str
) -> None:
    """Every complete part is read, with one deviation; strict mode names it as an error (4004)."""
    body, content_type = build()
    assert_rejected(decode_outcome(body, content_type), RemoteValidationError, status_code=4004)
    tolerant = decode_outcome(body, content_type, mode="tolerant")
    assert tolerant.error is None, repr(tolerant.error)
    assert_bounded(tolerant)
    decoded = tolerant.result
    assert [p.content_id for p in decoded.media_parts()] == ["text0", "img0"]  # type: ignore[attr-defined]
    assert [d for d in decoded.deviations if words in str(d)]  # type: ignore[attr-defined]
    mime = decode_mime(body, content_type)
    assert [(d.kind, d.path) for d in mime.deviations if words in d.reason] == [(kind, "MIME")]


def test_href_to_missing_part() -> None:
    """Strict refuses a dangling ``Content href`` (4004); tolerant reads the only attachment as the content
    (a ``content-reference`` deviation), or, with two, returns the message with a violation and no content."""
    body, content_type = _href_missing()
    assert_rejected(decode_outcome(body, content_type), RemoteValidationError, status_code=4004)
    one = decode_outcome(body, content_type, mode="tolerant")
    assert one.error is None, repr(one.error)
    assert [d.kind for d in one.result.deviations] == ["content-reference"]  # type: ignore[attr-defined]
    assert one.result.content is not None and one.result.valid  # type: ignore[attr-defined]
    body, content_type = multipart(
        [part(deliver_envelope("cid:missing")), content_part(), part(b"x", "text/plain", "<other>")]
    )
    two = decode_outcome(body, content_type, mode="tolerant")
    assert two.error is None, repr(two.error)
    assert two.result.content is None and not two.result.valid  # type: ignore[attr-defined]
    [violation] = two.result.violations  # type: ignore[attr-defined]
    assert violation.kind == "content-reference" and "cid:missing" in violation.reason


def test_part_size_limit() -> None:
    body, content_type = multipart(
        [part(deliver_envelope()), content_part(), part(b"a" * 100_000, "application/octet-stream", "<big>")]
    )
    outcome = decode_outcome(body, content_type, limits=Limits(max_part_size=50_000))
    assert_rejected(outcome, LimitExceededError, limit="max_part_size")
    assert decode_outcome(body, content_type, limits=Limits(max_part_size=200_000)).error is None


def test_missing_boundary_parameter() -> None:
    """Sinch sends ``multipart/related`` without boundary: strict refuses (4004), tolerant sniffs it."""
    body, content_type = good_message()
    content_type = replace_boundary_param(content_type, "x=y")
    assert_rejected(decode_outcome(body, content_type), RemoteValidationError, status_code=4004)
    tolerant = decode_outcome(body, content_type, mode="tolerant")
    assert tolerant.error is None, repr(tolerant.error)
    assert any("boundary" in str(d) for d in tolerant.result.deviations)  # type: ignore[attr-defined]


def test_bad_quoted_printable_is_decoded_leniently() -> None:
    """RFC 2045 §6.7 asks decoders to be robust: a stray '=' stays as is, nothing crashes."""
    qp = part(
        b"caf=C3=A9 =ZZ end=",
        "text/plain; charset=utf-8",
        "<qp>",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
    )
    body, content_type = multipart([part(deliver_envelope()), content_part(extra_children=[qp])])
    outcome = decode_outcome(body, content_type)
    assert outcome.error is None, repr(outcome.error)
    found = [p for p in outcome.result.media_parts() if p.content_id == "qp"]  # type: ignore[attr-defined]
    assert found[0].text() == "café =ZZ end"


def test_unknown_charset_never_raises() -> None:
    odd = part("Grüße".encode("latin-1"), "text/plain; charset=x-klingon", "<odd>")
    body, content_type = multipart([part(deliver_envelope()), content_part(extra_children=[odd])])
    outcome = decode_outcome(body, content_type)
    assert outcome.error is None, repr(outcome.error)
    found = [p for p in outcome.result.media_parts() if p.content_id == "odd"]  # type: ignore[attr-defined]
    assert found[0].text() == "Grüße"  # falls back to UTF-8, then Latin-1


def test_unknown_charset_on_root_is_ignored_for_xml() -> None:
    body, content_type = multipart([part(deliver_envelope(), "text/xml; charset=x-klingon"), content_part()])
    outcome = decode_outcome(body, content_type)
    assert outcome.error is None, repr(outcome.error)


def test_content_type_with_100k_parameters_is_refused() -> None:
    body, content_type = good_message()
    content_type += "".join(f"; p{i}=v" for i in range(100_000))
    start = time.perf_counter()  # no tracemalloc: it would multiply the (already long) parse time
    with pytest.raises(LimitExceededError):
        mm7.decode(body, content_type)
    assert time.perf_counter() - start < 0.5


def test_content_type_with_many_parameters_is_bounded() -> None:
    """What the decoder does today with 10^4 parameters: bounded and harmless."""
    body, content_type = good_message()
    content_type += "".join(f"; p{i}=v" for i in range(10_000))
    assert_bounded(decode_outcome(body, content_type))


def test_boundary_10kb_is_refused() -> None:
    body, content_type = multipart([part(deliver_envelope()), content_part()], boundary="b" * 10_000)
    outcome = decode_outcome(body, content_type)
    assert isinstance(outcome.error, MIMEError | LimitExceededError), repr(outcome.error)


def test_boundary_10kb_is_bounded() -> None:
    body, content_type = multipart([part(deliver_envelope()), content_part()], boundary="b" * 10_000)
    assert_bounded(decode_outcome(body, content_type))


# --------------------------------------------------------------------------------------------- limits


def smallest_passing(body: bytes, content_type: str, field: str, high: int) -> int:
    """Binary search of the smallest value of Limits.<field> with which the message decodes."""
    assert (
        decode_outcome(body, content_type, limits=dataclasses.replace(Limits(), **{field: high})).error
        is None
    )
    low = 1
    while low < high:
        mid = (low + high) // 2
        limits = dataclasses.replace(Limits(), **{field: mid})
        if decode_outcome(body, content_type, limits=limits).error is None:
            high = mid
        else:
            low = mid + 1
    return low


@pytest.mark.parametrize(
    "field",
    ["max_body_size", "max_parts", "max_depth", "max_header_line", "max_headers_per_part", "max_part_size"],
)
def test_each_limit_admits_at_and_refuses_below_the_borderline(field: str) -> None:
    body, content_type = good_message()
    border = smallest_passing(body, content_type, field, high=len(body) + 1)
    assert border >= 1
    if border == 1:
        pytest.fail(f"{field}=1 still admits the message: the limit is not enforced")
    below = dataclasses.replace(Limits(), **{field: border - 1})
    outcome = decode_outcome(body, content_type, limits=below)
    assert_rejected(outcome, LimitExceededError, limit=field)


@pytest.mark.parametrize(
    ("build", "raised", "limit"),
    [
        (lambda: _tiny_parts(150), Limits(max_parts=200), "max_parts"),
        (lambda: multipart([part(deliver_envelope()), nested(6)]), Limits(max_depth=8), "max_depth"),
        (
            lambda: with_header(b"X-Big: " + b"a" * 10_000 + b"\r\n"),
            Limits(max_header_line=16_384),
            "max_header_line",
        ),
        (
            lambda: with_header(b"".join(b"X-H%d: 1\r\n" % i for i in range(80))),
            Limits(max_headers_per_part=100),
            "max_headers_per_part",
        ),
    ],
    ids=["parts", "depth", "header-line", "headers-per-part"],
)
def test_raising_a_limit_lets_a_borderline_message_through(
    build: Callable[[], tuple[bytes, str]], raised: Limits, limit: str
) -> None:
    body, content_type = build()
    assert_rejected(decode_outcome(body, content_type, mode="tolerant"), LimitExceededError, limit=limit)
    outcome = decode_outcome(body, content_type, mode="tolerant", limits=raised)
    assert outcome.error is None or not isinstance(outcome.error, LimitExceededError), repr(outcome.error)
    assert_bounded(outcome)
