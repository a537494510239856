"""Shortcuts that skip re-checking values mm7 already checked build exactly what the checked way builds.

``Part.from_bytes`` and ``Part.from_text`` build a part without ``Part(...)``'s checks when the values are of
the declared types; ``encode`` gives a part without a Content-ID its id, and a message without ``Content``
its reference, without running the checks again. Each must equal what the checked construction gives, and
the checked one must still report a wrong type.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mm7.codec.messages import _with_content_id, _with_field
from mm7.codec.mime import Part
from mm7.codec.versions import SchemaVersion
from tests.codec.strategies import sample_message, version_operations

_IDS = st.none() | st.sampled_from(["a@b", "<a@b>", " <c> ", "<<d>>", "", "é", "x\r\ny"])
_TYPES = st.sampled_from(["image/jpeg", "text/plain; charset=utf-8", "", "multipart/related"])


def _fields(part: Part) -> dict[str, Any]:
    return {field.name: getattr(part, field.name) for field in dataclasses.fields(part)}


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=20), content_type=_TYPES, content_id=_IDS, location=_IDS)
def test_from_bytes_builds_what_part_builds(
    data: bytes, content_type: str, content_id: str | None, location: str | None
) -> None:
    made = Part.from_bytes(data, content_type, content_id=content_id, content_location=location)
    checked = Part(content_type, content_id, location, data=data)
    assert type(made) is Part and _fields(made) == _fields(checked)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=10), subtype=st.sampled_from(["plain", "html"]), content_id=_IDS)
def test_from_text_builds_what_part_builds(text: str, subtype: str, content_id: str | None) -> None:
    made = Part.from_text(text, subtype=subtype, content_id=content_id)
    checked = Part(f"text/{subtype}; charset=utf-8", content_id, data=text.encode())
    assert _fields(made) == _fields(checked)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Part.from_bytes(b"x", 5), "content_type"),  # type: ignore[arg-type]
        (lambda: Part.from_bytes(b"x", content_id=5), "content_id"),  # type: ignore[arg-type]
        (lambda: Part.from_bytes(b"x", content_location=b"a"), "content_location"),  # type: ignore[arg-type]
        (lambda: Part.from_text("x", content_id=["a"]), "content_id"),  # type: ignore[arg-type]
    ],
)
def test_a_wrong_type_is_still_named(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


class _Subpart(Part):
    pass


def test_a_subclass_is_built_the_checked_way() -> None:
    assert type(_Subpart.from_bytes(b"x", content_id="<a>")) is _Subpart
    assert type(_Subpart.from_text("x")) is _Subpart


@pytest.mark.parametrize(
    "part",
    [
        Part.from_bytes(b"x", "image/png", content_location="a.png"),
        Part("multipart/related", start="<<s>>", children=[Part.from_bytes(b"x", content_id="s")]),
        Part("application/octet-stream", headers=(("X-A", "1"),), data=b"y"),
    ],
)
def test_a_part_given_a_content_id_is_the_part_replace_builds(part: Part) -> None:
    given_id = _with_content_id(part, "mm7-content")
    assert _fields(given_id) == _fields(
        Part(**{**_fields(part), "content_id": "mm7-content"})  # the checks and normalization run again
    )


@pytest.mark.parametrize(("version", "operation"), version_operations())
def test_setting_a_field_gives_what_dataclasses_replace_gives(version: SchemaVersion, operation: str) -> None:
    message = sample_message(version, operation, full=True)
    for field in dataclasses.fields(message):
        value = getattr(message, field.name)
        assert _with_field(message, field.name, value) == dataclasses.replace(message, **{field.name: value})
    with pytest.raises(TypeError):
        _with_field(message, "no_such_field", 1)
