"""The encoder's route for the common SwA shape writes exactly what the general path writes, or stands aside.

:func:`encode_related` hands a body of the common shape (random boundaries, in-memory parts of exactly the
:class:`Part` type, one nesting level, no further headers) to a shorter writer; everything else, and every
input the general path refuses, goes the general way. These tests draw bodies in and off that shape, with
awkward values, and compare the two routes: same segments, Content-Type and length, or the same error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.codec.mime import Part, encode_related
from mm7.codec.mime import encoder as encoder_module

# Each pool: tidy values, then awkward ones (drawn now and then) the general path treats its own way.
_CONTENT_TYPES = (
    ["image/jpeg", "application/smil", "text/plain; charset=utf-8", "TEXT/Plain;charset=us-ascii"],
    [
        'text/html; charset="utf-8"; name="a \\"b\\".html"',
        "application/octet-stream; name=x.bin",
        "text/plain; charset=utf-8\r\nX-Injected: 1",
        "not a type",
        "image/png; name*=UTF-8''%C3%A9.png",
        "text/plain; charset=utf-8; é=1",
        "image/gif; name=\ud800",
    ],
)
_MULTIPART_TYPES = (
    ["multipart/related", 'multipart/related; type="application/smil"', "multipart/mixed"],
    [
        'multipart/related; start="<x>"',
        "multipart/alternative; boundary=given",
        "multipart/related; type=a/b\n",
    ],
)
_IDS = (
    [f"id{n}@mm7" for n in range(40)],
    ["smil", "<a@b>", " c ", "<<d>>", "", "x\ry", "é@mm7", "\udc80"],
)
_LOCATIONS = (["a.jpg", "dir/b.txt", "é.txt"], ["bad\nname", "\udc80"])
_PAYLOADS = (
    [b"", b"Hello from mm7", b"line one\r\nline two\r\n", b"\xff\xd8\xff\xe0JFIF" + bytes(range(256)) * 3],
    [b"bare\nlinefeed", b"nul\0byte", b"x" * 999, b"y" * 998],
)


def _pick(
    draw: st.DrawFn, pool: tuple[list[Any], list[Any]], awkward: bool, *, optional: bool = False
) -> Any:
    """A value of ``pool``: None at times when ``optional``; an odd one one time in 8 when ``awkward``."""
    if optional and draw(st.booleans()):
        return None
    tidy, odd = pool
    return draw(st.sampled_from(odd if awkward and draw(st.integers(0, 7)) == 0 else tidy))


@st.composite
def leaves(draw: st.DrawFn, awkward: bool) -> Part:
    headers = (("X-Extra", "1"),) if awkward and draw(st.integers(0, 9)) == 0 else ()
    return Part(
        _pick(draw, _CONTENT_TYPES, awkward),
        _pick(draw, _IDS, awkward, optional=True),
        _pick(draw, _LOCATIONS, awkward, optional=True),
        headers,
        data=_pick(draw, _PAYLOADS, awkward),
    )


@st.composite
def multiparts(draw: st.DrawFn, awkward: bool) -> Part:
    children = leaves(awkward)
    if awkward:
        children |= leaves(awkward).map(lambda leaf: Part("multipart/mixed", children=[leaf]))
    return Part(
        _pick(draw, _MULTIPART_TYPES, awkward),
        _pick(draw, _IDS, awkward, optional=True),
        draw(st.none() | st.sampled_from(["content.mm7", "bad\rname" if awkward else "c.mm7"])),
        children=draw(st.lists(children, min_size=0 if awkward else 1, max_size=4)),
        start=draw(st.none() | st.sampled_from(["id1@mm7", "id2@mm7", "<id3@mm7>", "missing"])),
    )


def bodies(awkward: bool) -> st.SearchStrategy[list[Part]]:
    """The attachments of an SwA body: leaves and multiparts."""
    return st.lists(leaves(awkward) | multiparts(awkward), max_size=4)


def _numbered_boundaries() -> Callable[[], str]:
    counter = iter(range(1_000_000))
    return lambda: f"=_mm7_{next(counter):032x}"


@contextmanager
def _general_path_only() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoder_module, "_encode_common_shape", lambda children: None)
        yield


def _outcome(attachments: list[Part], root_content_id: str) -> object:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoder_module, "_new_boundary", _numbered_boundaries())
        try:
            body = encode_related(b"<Envelope/>\n", attachments, root_content_id=root_content_id)
        except Exception as exc:  # the error itself is what is compared
            return type(exc), str(exc)
    return body.content_type, body.content_length, body.segments


def _both_routes(attachments: list[Part], root_content_id: str) -> None:
    common = _outcome(attachments, root_content_id)
    with _general_path_only():
        general = _outcome(attachments, root_content_id)
    assert common == general


@settings(max_examples=300, deadline=None)
@given(
    attachments=bodies(awkward=False),
    root_content_id=st.sampled_from(["mm7-soap-envelope", "<root@x>", " s "]),
)
def test_tidy_bodies_are_written_alike_on_both_routes(attachments: list[Part], root_content_id: str) -> None:
    _both_routes(attachments, root_content_id)


@settings(max_examples=300, deadline=None)
@given(
    attachments=bodies(awkward=True), root_content_id=st.sampled_from(["mm7-soap-envelope", "<<r>>", "r\nx"])
)
def test_awkward_bodies_are_written_or_refused_alike_on_both_routes(
    attachments: list[Part], root_content_id: str
) -> None:
    _both_routes(attachments, root_content_id)


def test_an_mms_takes_the_common_route_and_writes_the_general_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    smil = Part.from_bytes(b"<smil/>", "application/smil", content_id="smil")
    image = Part.from_bytes(b"\xff\xd8" * 5000, "image/jpeg", content_id="part1.jpg")
    text = Part.from_text("Hello", content_id="part2.txt")
    content = Part(
        'multipart/related; type="application/smil"',
        "mm7-content",
        start="smil",
        children=[smil, image, text],
    )
    taken: list[object] = []
    real = encoder_module._encode_common_shape

    def spy(children: list[Part]) -> object:
        taken.append(real(children))
        return taken[-1]

    monkeypatch.setattr(encoder_module, "_encode_common_shape", spy)
    _both_routes([content], "mm7-soap-envelope")
    assert taken and taken[0] is not None


def _eight_bit_by_definition(data: bytes) -> bool:
    """RFC 2045 §2.8: CRLF-separated lines of at most 998 octets, no NUL, no CR or LF elsewhere."""
    lines = data.split(b"\r\n")
    return b"\0" not in data and all(
        len(line) <= 998 and b"\r" not in line and b"\n" not in line for line in lines
    )


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"a", b"\r\n", b"\n", b"\r", b"\0", b"x" * 500, b"<?xml?>", b"\xe9"]), max_size=8
    ).map(b"".join)
)
def test_the_8bit_test_follows_rfc_2045(data: bytes) -> None:
    assert encoder_module._is_8bit(data) == _eight_bit_by_definition(data)
