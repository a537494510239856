"""Property tests for mm7.codec.mime: encode → decode round trips and exact Content-Length."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mm7.codec.mime import MultipartDecoder, Part, decode, encode_related
from mm7.errors import MM7Error

# Data biased towards what breaks multipart parsers: dashes, CR, LF and boundary-like prefixes.
tricky_bytes = st.lists(
    st.one_of(
        st.binary(max_size=40), st.sampled_from([b"--", b"\r\n", b"\n", b"\r", b"\r\n--", b"--=_mm7_", b"="])
    ),
    max_size=12,
).map(b"".join)
content_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@$-]{0,20}", fullmatch=True)
media_types = st.sampled_from(
    ["image/jpeg", "text/plain; charset=utf-8", "application/octet-stream", "audio/amr"]
)


@st.composite
def leaves(draw: st.DrawFn) -> Part:
    return Part(draw(media_types), data=draw(tricky_bytes))


def trees() -> st.SearchStrategy[Part]:
    return st.recursive(
        leaves(),
        lambda children: st.builds(
            lambda kind, kids: Part(kind, children=kids),
            st.sampled_from(["multipart/related", "multipart/mixed"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        max_leaves=6,
    )


@st.composite
def attachment_lists(draw: st.DrawFn) -> list[Part]:
    parts = draw(st.lists(trees(), max_size=4))
    ids = iter(draw(st.lists(content_ids, unique=True, min_size=40, max_size=40)))
    return [_with_ids(p, ids, draw(st.booleans())) for p in parts]


def _with_ids(part: Part, ids: Iterator[str], give: bool) -> Part:
    cid = next(ids) if give else None
    if part.children is None:
        return Part(part.content_type, cid, data=part.data)
    kids = [_with_ids(c, ids, True) for c in part.children]
    return Part(part.content_type, cid, children=kids)


def same(a: Part, b: Part) -> None:
    assert a.media_type == b.media_type
    assert a.content_id == b.content_id
    if a.children is None:
        assert a.read_bytes() == b.read_bytes()
    else:
        assert b.children is not None
        assert len(a.children) == len(b.children)
        for x, y in zip(a.children, b.children, strict=True):
            same(x, y)


@settings(max_examples=200, deadline=None)
@given(root=tricky_bytes, attachments=attachment_lists())
def test_round_trip(root: bytes, attachments: list[Part]) -> None:
    body = encode_related(root, attachments, root_content_id="root@test")
    raw = body.to_bytes()
    assert len(raw) == body.content_length
    decoded = decode(raw, body.content_type)
    assert decoded.deviations == []
    assert decoded.root.data == root
    assert len(decoded.attachments) == len(attachments)
    for original, got in zip(attachments, decoded.attachments, strict=True):
        same(original, got)


@settings(max_examples=100, deadline=None)
@given(attachments=attachment_lists(), chunk=st.integers(min_value=1, max_value=50))
def test_any_chunking_gives_the_same_result(attachments: list[Part], chunk: int) -> None:
    body = encode_related(b"<x/>", attachments)
    raw = body.to_bytes()
    decoder = MultipartDecoder(body.content_type)
    for i in range(0, len(raw), chunk):
        decoder.feed(raw[i : i + chunk])
    chunked = decoder.close()
    whole = decode(raw, body.content_type)
    assert chunked.attachments == whole.attachments


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(min_value=0, max_value=70_000), max_size=3), data=tricky_bytes)
def test_content_length_with_files(tmp_path: Path, sizes: list[int], data: bytes) -> None:
    parts = [Part.from_bytes(data, "image/gif")]
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(b"\r\n--" * (size // 4) + b"x" * (size % 4))
        parts.append(Part.from_file(path, content_id=f"f{i}"))
    body = encode_related(b"<x/>", parts)
    assert sum(len(c) for c in body) == body.content_length
    decoded = decode(body.to_bytes(), body.content_type)
    for i, size in enumerate(sizes):
        found = decoded.find(f"cid:f{i}")
        assert found is not None and found.size == size


@settings(max_examples=300, deadline=None)
@given(content_type=st.one_of(st.none(), st.text(max_size=60)), raw=st.binary(max_size=300))
def test_arbitrary_input_raises_only_mm7_errors(content_type: str | None, raw: bytes) -> None:
    try:
        decode(raw, content_type)
    except MM7Error:
        return  # any other exception type fails the test
