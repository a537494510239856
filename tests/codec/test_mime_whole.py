"""A body decoded whole must read exactly as the same body fed to the decoder in pieces.

``mime.decode`` feeds the whole body to :class:`MultipartDecoder` at once (one grammar, no second parser).
These tests compare it with the decoder fed the same bytes cut at arbitrary places: the same parts (headers,
payloads, nesting) and the same deviations in the same order, or an error both ways, on valid bodies,
truncations, mutations and one tight limit at a time.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mm7.codec.mime import DecodedBody, Limits, MultipartDecoder, Part, decode, encode_related
from mm7.errors import MM7Error

from .test_mime_properties import attachment_lists, tricky_bytes

# What mutations splice in: the pieces MIME structure is made of, and the usual suspects.
_TOKENS = [
    b"\r\n",
    b"\n",
    b"\r",
    b"--",
    b" ",
    b"\t",
    b":",
    b"\r\n\r\n",
    b"\r\n--",
    b"Content-ID: <dup>\r\n",
    b"Content-ID: bare\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Transfer-Encoding: x-unknown\r\n",
    b"Content-Type: multipart/related\r\n",
    b" folded\r\n",
    b"\xff\xfe",
    b"\xc3\xa9",
    b"QUJD",
    b"=41=\r\n",
]


_DEFAULT_LIMITS = Limits()


def _in_pieces(content_type: str | None, body: bytes, limits: Limits, cuts: list[int]) -> DecodedBody:
    """The decoder fed ``body`` cut at ``cuts`` (offsets), with ``decode``'s spool threshold."""
    decoder = MultipartDecoder(content_type, limits, spool_threshold=max(len(body), 1))
    start = 0
    for cut in [*sorted(set(cuts)), len(body)]:
        decoder.feed(body[start:cut])
        start = cut
    return decoder.close()


def _cuts(body: bytes) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(min_value=0, max_value=len(body)), max_size=12)


def _outcome(run: Any) -> tuple[Any, ...]:
    try:
        result: DecodedBody = run()
    except MM7Error as exc:
        return ("error", type(exc), str(exc), getattr(exc, "limit", None))
    return ("ok", _shape(result.root), [_shape(p) for p in result.attachments], result.deviations)


def _shape(part: Part) -> tuple[Any, ...]:
    children = None if part.children is None else [_shape(c) for c in part.children]
    data = part.read_bytes() if part.children is None else None
    return (
        part.content_type,
        part.content_id,
        part.content_location,
        part.headers,
        part.start,
        data,
        children,
    )


def _assert_same(
    content_type: str | None, body: bytes, cuts: list[int], limits: Limits = _DEFAULT_LIMITS
) -> None:
    if len(body) > limits.max_body_size:
        return  # refused by decode() before the parser runs
    whole = _outcome(lambda: decode(body, content_type, limits=limits))
    pieces = _outcome(lambda: _in_pieces(content_type, body, limits, cuts))
    if whole[0] == "ok" or pieces[0] == "ok":
        assert whole == pieces
    # Else both refused the body. When it has several faults, which one is met first may depend on where
    # the pieces end (a nested part's headers are read as they arrive, its size is counted as it grows).


@st.composite
def mutated(draw: st.DrawFn, body: bytes) -> bytes:
    """``body`` with a few splices, deletions, CRLF→LF rewrites or a truncation."""
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "bare-lf", "truncate"]))
        at = draw(st.integers(min_value=0, max_value=len(body)))
        if kind == "insert":
            body = body[:at] + draw(st.sampled_from(_TOKENS)) + body[at:]
        elif kind == "delete":
            body = body[:at] + body[at + draw(st.integers(min_value=1, max_value=8)) :]
        elif kind == "replace":
            body = body[:at] + draw(st.binary(min_size=1, max_size=3)) + body[at + 1 :]
        elif kind == "bare-lf":
            crlf = body.find(b"\r\n", at)
            if crlf >= 0:
                body = body[:crlf] + body[crlf + 1 :]
        else:
            body = body[:at]
    return body


def _default_or(value: int | None, low: int, high: int) -> st.SearchStrategy[int | None]:
    # Hypothesis favours small integers: keep the default often, so that one tight limit at a time is hit.
    return st.one_of(st.just(value), st.just(value), st.integers(min_value=low, max_value=high))


_DEFAULTS = Limits()
limits_strategy = st.builds(
    Limits,
    max_body_size=_default_or(_DEFAULTS.max_body_size, 0, 4000),
    max_parts=_default_or(_DEFAULTS.max_parts, 1, 8),
    max_depth=_default_or(_DEFAULTS.max_depth, 1, 4),
    max_header_line=_default_or(_DEFAULTS.max_header_line, 10, 200),
    max_headers_per_part=_default_or(_DEFAULTS.max_headers_per_part, 0, 5),
    max_part_size=_default_or(None, 0, 300),
)


def _content_type(boundary: str, variant: int) -> str:
    return [
        f'multipart/related; type="text/xml"; start="<root@test>"; boundary="{boundary}"',
        f'multipart/related; type="text/xml"; boundary="{boundary}"',
        f"multipart/related; start=root@test; boundary={boundary}",
        f'multipart/mixed; boundary="{boundary}"',
        f'multipart/related; start="<nobody@test>"; boundary="{boundary}"',
    ][variant]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    root=tricky_bytes,
    attachments=attachment_lists(),
    variant=st.integers(min_value=0, max_value=4),
    limits=limits_strategy,
    data=st.data(),
)
def test_whole_body_reading_equals_reading_in_pieces(
    root: bytes, attachments: list[Part], variant: int, limits: Limits, data: st.DataObject
) -> None:
    encoded = encode_related(root, attachments, root_content_id="root@test", boundary="b0undary")
    body = encoded.to_bytes()
    _assert_same(_content_type("b0undary", variant), body, data.draw(_cuts(body)), limits)
    body = data.draw(mutated(body))
    _assert_same(_content_type("b0undary", variant), body, data.draw(_cuts(body)), limits)


# Mostly well-formed pieces, so that many bodies are read to the end and their parts compared.
_HEADER_LINES = st.sampled_from(
    [
        b"Content-Type: text/plain\r\n",
        b"X-A: 1\r\n",
        b"Content-ID: <a@b>\r\n",
        b"Content-Location: f.txt\r\n",
        *_TOKENS[9:16],
    ]
)
_PAYLOADS = st.one_of(
    tricky_bytes, st.sampled_from([b"QUJD", b"QUI", b"QQ==", b"Q", b"=41=\r\nB", b"a=\r\n"])
)
_DELIMITERS = st.sampled_from([b"\r\n--b0undary"] * 4 + [b"\n--b0undary", b"--b0undary", b"\r\n--b0undar"])
_AFTER = st.sampled_from([b"\r\n"] * 4 + [b"--", b"  \r\n", b"\n", b"--\r\nepilogue", b"x\r\n", b"\r"])


@settings(max_examples=500, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    preamble=st.sampled_from(
        [b"", b"", b"\r\n", b"preamble\r\n", b"--b0undaryX\r\n", b"x\n", b"--b0undary "]
    ),
    parts=st.lists(
        st.tuples(st.lists(_HEADER_LINES, max_size=4), _PAYLOADS, _DELIMITERS, _AFTER), max_size=4
    ),
    end=st.sampled_from([b"\r\n--b0undary--\r\n", b"\r\n--b0undary--", b"\r\n--b0undary-", b""]),
    limits=limits_strategy,
)
def test_hand_built_bodies(
    cuts: list[int],
    preamble: bytes,
    parts: list[tuple[list[bytes], bytes, bytes, bytes]],
    end: bytes,
    limits: Limits,
) -> None:
    body = preamble + b"--b0undary\r\n"
    for index, (headers, payload, delimiter, after) in enumerate(parts):
        if index:
            body += delimiter + after
        body += b"".join(headers) + b"\r\n" + payload
    body += end
    for content_type in (_content_type("b0undary", 1), _content_type("b0undary", 3), "text/xml", None):
        _assert_same(content_type, body, [c for c in cuts if c <= len(body)], limits)


@settings(max_examples=200, deadline=None)
@given(
    content_type=st.one_of(st.none(), st.text(max_size=60)),
    raw=st.binary(max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=12),
)
def test_arbitrary_input(content_type: str | None, raw: bytes, cuts: list[int]) -> None:
    try:
        MultipartDecoder(content_type)
    except MM7Error:
        return  # refused from the Content-Type alone, before any byte is read
    _assert_same(content_type, raw, [c for c in cuts if c <= len(raw)])


def test_whole_body_payloads_stay_in_memory() -> None:
    """``decode`` never spools: every payload, even one over the default spool threshold, is in ``data``."""
    big = bytes(range(256)) * 8192  # 2 MiB, with CR, LF and "-" bytes
    nested = Part(
        "multipart/related",
        children=[Part.from_bytes(b"<smil/>", "application/smil", content_id="s"), Part.from_bytes(big)],
    )
    encoded = encode_related(b"<x/>", [nested], root_content_id="root@test")
    decoded = decode(encoded.to_bytes(), encoded.content_type)
    assert decoded.deviations == []
    assert decoded.root.data == b"<x/>"
    ((smil, payload),) = [part.children for part in decoded.attachments if part.children]
    assert smil.data == b"<smil/>" and smil.content_id == "s"
    assert payload.file is None and payload.data == big


@settings(max_examples=300, deadline=None)
@given(
    attachments=attachment_lists(),
    field=st.sampled_from(
        ["max_parts", "max_depth", "max_header_line", "max_headers_per_part", "max_part_size"]
    ),
    value=st.one_of(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=80)),
    data=st.data(),
)
def test_each_limit_on_clean_bodies(
    attachments: list[Part], field: str, value: int, data: st.DataObject
) -> None:
    """One tight limit on a clean body: whole or in pieces, the line is drawn at the same place."""
    body = encode_related(b"<x/>", attachments, boundary="b0undary").to_bytes()
    # A short Content-Type: the HTTP header is bounded by max_header_line too, before any part is read.
    content_type = "multipart/related; boundary=b0undary"
    _assert_same(content_type, body, data.draw(_cuts(body)), Limits(**{field: value}))
