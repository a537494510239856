"""Content-Type parsing: the plain-form reader agrees with the stdlib parser wherever it answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.codec.mime.model import _parse_plain, parse_content_type_shared

#: Characters that make Content-Type parsing interesting: separators, quotes, escapes, brackets, space.
_TRICKY = st.sampled_from([*";=\"\\<>/ \t*()'=-_.:@,", "a", "B", "1", "é", "\r", "\n"])
_TOKENISH = st.text(alphabet=st.sampled_from(list("abcXYZ019-_.=+*'")), min_size=0, max_size=6)


def _stdlib(value: str) -> tuple[str, dict[str, str]]:
    """The stdlib path of parse_content_type_shared, whatever the plain reader would say."""
    from email.message import Message
    from email.utils import collapse_rfc2231_value

    msg = Message()
    msg.set_raw("Content-Type", value)
    media_type = msg.get_content_type()
    params: dict[str, str] = {}
    for key, val in (msg.get_params() or [])[1:]:
        if key:
            text = collapse_rfc2231_value(val) if isinstance(val, tuple) else val
            params.setdefault(key.lower(), str(text))
    return media_type, params


@st.composite
def content_types(draw: st.DrawFn) -> str:
    """Mostly well-formed values with random noise: parameters quoted, bare, repeated, odd spacing."""
    parts = [draw(_TOKENISH) + "/" + draw(_TOKENISH)]
    for _ in range(draw(st.integers(0, 4))):
        name = draw(_TOKENISH)
        value = draw(st.one_of(_TOKENISH, _TOKENISH.map(lambda v: f'"{v}"'), st.text(_TRICKY, max_size=6)))
        space = draw(st.sampled_from(["", " ", "\t", "  "]))
        parts.append(f"{space}{name}{space}={space}{value}{space}")
    text = ";".join(parts)
    if draw(st.booleans()):
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(st.text(_TRICKY, max_size=3)) + text[position:]
    return text


@settings(max_examples=3000, deadline=None)
@given(content_types())
def test_plain_reader_agrees_with_the_stdlib(value: str) -> None:
    plain = _parse_plain(value)
    if plain is not None:
        assert plain == _stdlib(value)


@settings(max_examples=1000, deadline=None)
@given(st.text(_TRICKY, max_size=30))
def test_plain_reader_agrees_on_noise(value: str) -> None:
    plain = _parse_plain(value)
    if plain is not None:
        assert plain == _stdlib(value)


def test_what_peers_send_takes_the_plain_path() -> None:
    values = [
        'multipart/related; type="text/xml"; start="<mm7-soap>"; boundary="=_mm7_0f3a"',
        'multipart/related; boundary=----=_Part_0_1234.5678; type=text/xml; start="<soap-start>"',
        "text/xml; charset=utf-8",
        "TEXT/XML;CHARSET=UTF-8",
        "image/jpeg",
    ]
    for value in values:
        plain = _parse_plain(value)
        assert plain is not None, value
        assert plain == _stdlib(value)
        assert parse_content_type_shared(value) == plain


def test_other_forms_take_the_stdlib_path() -> None:
    # Bare start=<id> (the stdlib strips the brackets), RFC 2231, comments, escapes, no subtype.
    values = [
        "multipart/related; start=<a@b>",
        "text/plain; title*=us-ascii'en'This%20is",
        "text/plain (a comment)",
        'a/b; x="q\\"x"',
        "text",
        "a/b; bare",
    ]
    for value in values:
        assert _parse_plain(value) is None, value
        assert parse_content_type_shared(value) == _stdlib(value)
