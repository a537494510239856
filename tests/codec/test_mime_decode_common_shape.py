"""The decoder's route for the common SwA shape reads exactly what the general parser reads, or stands aside.

:func:`mm7.codec.mime.decode` hands a whole body of the common shape (a bracketed ``start``, exact CRLF
delimiter lines, plain header blocks, identity transfer encodings, one nesting level) to a shorter reader.
These tests draw bodies in and off that shape (bare LFs, padding, preambles, missing close-delimiters,
base64, folded or odd headers, duplicate Content-IDs, cut or mutated bytes, tight limits) and compare the
two routes: the same decoded body with the same deviations, or the same error.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.codec.mime import Limits, Part, decode, encode_related
from mm7.codec.mime import decoder as decoder_module

_OUTER = "=_outer_1"
_INNER_BOUNDARIES = ["=_inner_2", "=_outer_1x", "in ner", "=_outer_1"]
_LINE_ENDS = (["\r\n"], ["\n", "\r\n \t"])
#: What may follow ``--boundary`` on a delimiter line before its line end: nothing, or transport padding.
_PADDING = ([""], [" ", "\t ", "x"])
_HEADERS = (
    [
        "Content-Type: image/jpeg",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: application/smil",
        "Content-Transfer-Encoding: binary",
        "Content-Transfer-Encoding:  8BIT ",
        "Content-Location: a.jpg",
        "X-Extra: 1",
    ],
    [
        "Content-Transfer-Encoding: base64",
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Transfer-Encoding: x-unknown",
        "Content-ID: bare@id",
        "Content-Length: 99",
        " folded continuation",
        "no colon here",
        "Content-Type: multipart/mixed",
        "Content-Type: text/plain; charset=\xe9",
        "X-Long: " + "v" * 90,
    ],
)
_PAYLOADS = (
    [b"", b"hello", b"\xff\xd8\xff\xe0" + bytes(range(256)), b"a\r\nb\r\n"],
    [b"--=_outer_1", b"x\r\n--=_outer_1 y", b"\n--=_inner_2", b"bare\nlf", b"aGVsbG8=", b"--=_inner_2--"],
)


def _pick(draw: st.DrawFn, pool: tuple[list[Any], list[Any]], awkward: bool) -> Any:
    tidy, odd = pool
    return draw(st.sampled_from(odd if awkward and draw(st.integers(0, 5)) == 0 else tidy))


@st.composite
def _headers(draw: st.DrawFn, awkward: bool, content_id: str | None) -> list[str]:
    lines = [_pick(draw, _HEADERS, awkward) for _ in range(draw(st.integers(0, 3)))]
    if content_id is not None:
        lines.insert(draw(st.integers(0, len(lines))), f"Content-ID: <{content_id}>")
    return lines


def _multipart(draw: st.DrawFn, boundary: str, parts: list[tuple[list[str], bytes]], awkward: bool) -> bytes:
    out = []
    if awkward and draw(st.integers(0, 9)) == 0:
        out.append(b"preamble\r\n")
    for index, (headers, payload) in enumerate(parts):
        end = _pick(draw, _LINE_ENDS, awkward)
        padding = _pick(draw, _PADDING, awkward)
        lead = f"{end}--{boundary}{padding}{end}" if index else f"--{boundary}{padding}\r\n"
        out.append((lead + "".join(f"{h}\r\n" for h in headers) + "\r\n").encode("utf-8", "surrogateescape"))
        out.append(payload)
    if not (awkward and draw(st.integers(0, 9)) == 0):  # now and then no close-delimiter
        out.append(f"{_pick(draw, _LINE_ENDS, awkward)}--{boundary}--\r\n".encode())
    if draw(st.booleans()):
        out.append(b"epilogue")
    return b"".join(out)


@st.composite
def bodies(draw: st.DrawFn, awkward: bool) -> tuple[bytes, str]:
    ids = iter(draw(st.permutations([f"id{n}" for n in range(12)])))
    parts: list[tuple[list[str], bytes]] = [
        (["Content-Type: text/xml; charset=utf-8", "Content-ID: <root>"], b"<Envelope/>")
    ]
    for _ in range(draw(st.integers(0, 3))):
        content_id = next(ids) if draw(st.integers(0, 4)) else None
        if draw(st.booleans()):
            inner = draw(st.sampled_from(_INNER_BOUNDARIES if awkward else _INNER_BOUNDARIES[:1]))
            children = [
                (
                    draw(_headers(awkward, next(ids) if draw(st.booleans()) else None)),
                    _pick(draw, _PAYLOADS, awkward),
                )
                for _ in range(draw(st.integers(1 if not awkward else 0, 3)))
            ]
            start = draw(st.sampled_from(["", '; start="<id0>"', "; start=<id1>", '; start="<nope>"']))
            head = [f'Content-Type: multipart/related; boundary="{inner}"{start}']
            if content_id is not None:
                head.append(f"Content-ID: <{content_id}>")
            parts.append((head, _multipart(draw, inner, children, awkward)))
        else:
            parts.append((draw(_headers(awkward, content_id)), _pick(draw, _PAYLOADS, awkward)))
    body = _multipart(draw, _OUTER, parts, awkward)
    if awkward and draw(st.integers(0, 3)) == 0:  # a byte changed, dropped or added somewhere
        at = draw(st.integers(0, len(body)))
        body = (
            body[:at]
            + draw(st.sampled_from([b"", b"\r", b"\n", b"-", b" "]))
            + body[at + draw(st.integers(0, 1)) :]
        )
    start = _pick(
        draw, (['; start="<root>"', ""], ["; start=root", '; start="<ROOT>"', '; start="<id1>"']), awkward
    )
    content_type = f'multipart/related; type="text/xml"{start}; boundary="{_OUTER}"'
    if awkward and draw(st.integers(0, 9)) == 0:
        content_type = draw(st.sampled_from(["multipart/mixed; boundary=" + _OUTER, "multipart/related"]))
    return body, content_type


#: Default limits, or one of them tight (several at once mostly stop both routes at the first).
_LIMITS = st.one_of(
    st.just(Limits()),
    st.builds(Limits, max_parts=st.integers(1, 8)),
    st.builds(Limits, max_depth=st.integers(0, 3)),
    st.builds(Limits, max_header_line=st.integers(80, 120)),
    st.builds(Limits, max_headers_per_part=st.integers(1, 4)),
    st.builds(Limits, max_part_size=st.integers(0, 400)),
)


def _outcome(body: bytes, content_type: str, limits: Limits) -> object:
    try:
        return decode(body, content_type, limits=limits)
    except Exception as exc:  # the error itself is what is compared
        return type(exc), str(exc)


def _both_routes(body: bytes, content_type: str, limits: Limits) -> object:
    common = _outcome(body, content_type, limits)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(decoder_module, "_decode_common_shape", lambda *args: None)
        general = _outcome(body, content_type, limits)
    assert common == general
    return common


@settings(max_examples=500, deadline=None)
@given(drawn=bodies(awkward=False), limits=_LIMITS)
def test_tidy_bodies_read_alike_on_both_routes(drawn: tuple[bytes, str], limits: Limits) -> None:
    _both_routes(*drawn, limits)


@settings(max_examples=600, deadline=None)
@given(drawn=bodies(awkward=True), limits=_LIMITS)
def test_awkward_bodies_read_or_fail_alike_on_both_routes(drawn: tuple[bytes, str], limits: Limits) -> None:
    _both_routes(*drawn, limits)


def test_an_encoded_mms_takes_the_common_route_and_reads_as_the_general_parser_reads() -> None:
    smil = Part.from_bytes(b"<smil/>", "application/smil", content_id="smil")
    image = Part.from_bytes(b"\xff\xd8\r\n--x" * 3000, "image/jpeg", content_id="part1.jpg")
    text = Part.from_text("Hello", content_id="part2.txt")
    content = Part(
        'multipart/related; type="application/smil"', "c", start="smil", children=[smil, image, text]
    )
    body = encode_related(b"<Envelope/>", [content], root_content_id="root")
    data = body.to_bytes()
    assert decoder_module._decode_common_shape(data, body.content_type, Limits()) is not None
    decoded = _both_routes(data, body.content_type, Limits())
    assert [p.content_id for p in decoded.iter_parts()] == ["c", "smil", "part1.jpg", "part2.txt"]  # type: ignore[attr-defined]
