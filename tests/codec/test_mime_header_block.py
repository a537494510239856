"""A whole header block read at once reads exactly as the line-by-line reader reads it."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.codec.mime.decoder import _Context, _MultipartParser
from mm7.codec.mime.model import Limits
from mm7.errors import RemoteCodecError

_NAME_CHARS = st.sampled_from([*"Content-TypeIDxX-_.1", ":", " ", "\t", "\x0b", "é"])
_VALUE_CHARS = st.sampled_from([*"text/xml; charset=utf-8<>@ \t:", "\r", "\x0b", "é", "\u2003"])


def _parser(limits: Limits) -> _MultipartParser:
    return _MultipartParser("b", _Context(limits, io.BytesIO, 1), 1)


def _line_by_line(text: str, limits: Limits) -> list[tuple[str, str]] | str:
    parser = _parser(limits)
    try:
        parser._add_header_texts(text.split("\r\n"))
    except RemoteCodecError as exc:
        return type(exc).__name__
    return parser._headers


@st.composite
def header_blocks(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.text(_VALUE_CHARS, min_size=1, max_size=12)))  # noise, folding, no colon
        else:
            name = draw(st.text(_NAME_CHARS, min_size=0, max_size=10))
            value = draw(st.text(_VALUE_CHARS, max_size=20))
            lines.append(f"{name}:{value}")
    return "\r\n".join(line for line in lines if line)


@settings(max_examples=3000, deadline=None)
@given(header_blocks(), st.integers(1, 8))
def test_block_at_once_reads_as_line_by_line(text: str, max_headers: int) -> None:
    if not text:
        return
    limits = Limits(max_headers_per_part=max_headers)
    parser = _parser(limits)
    if parser._add_plain_block(text):
        assert parser._headers == _line_by_line(text, limits)
    else:
        assert parser._headers == []  # nothing added: the line-by-line reader takes the block


@pytest.mark.parametrize(
    "text",
    [
        "Content-Type: text/xml; charset=utf-8\r\nContent-ID: <soap@x>",
        "Content-Type:image/jpeg\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <a>\r\nX-Vendor :  v ",
    ],
)
def test_what_peers_send_is_read_at_once(text: str) -> None:
    parser = _parser(Limits())
    assert parser._add_plain_block(text)
    assert parser._headers == _line_by_line(text, Limits())


@pytest.mark.parametrize(
    "text",
    ["Content-Type: a/b\r\n continued", "Bad Name: x", ": no name", "Content-ID: <a>\rb", "No colon"],
)
def test_other_blocks_are_left_to_the_line_reader(text: str) -> None:
    assert not _parser(Limits())._add_plain_block(text)
