"""How the MIME encoder assembles a body: one header block per part, one join, streaming kept.

The encoder appends each part's delimiter line and header block (built as one string, encoded once) and its
payload to one flat list of segments; :meth:`EncodedBody.to_bytes` joins them once, and iterating the body
joins each run of small segments into one chunk while large payloads and files go out as they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mm7.codec.mime import EncodedBody, Part, decode, encode_multipart, encode_related
from mm7.codec.mime.model import Stream
from mm7.errors import LocalCodecError

ENVELOPE = b"<?xml version='1.0'?><Envelope/>"
BIG = bytes(range(256)) * 400  # 100 KiB, held in memory


def _nested(*parts: Part) -> Part:
    return Part('multipart/related; type="application/smil"', "content", children=list(parts))


def _small_parts() -> list[Part]:
    return [
        Part.text("hello", content_id="t"),
        Part.from_bytes(b"<smil/>", "application/smil", content_id="s"),
    ]


def test_each_part_is_its_delimiter_line_and_header_block_then_its_payload() -> None:
    body = encode_related(ENVELOPE, [_nested(*_small_parts())], root_content_id="root", boundary="OUT")
    data = [s for s in body.segments if isinstance(s, bytes)]
    # root, text, SMIL: a header block and a payload each; the nested multipart a header block; 2 closes
    assert len(body.segments) == len(data) == 3 * 2 + 1 + 2
    assert data[0].startswith(b"--OUT\r\nContent-Type: text/xml") and data[0].endswith(b"\r\n\r\n")
    assert data[1] == ENVELOPE
    assert data[2].startswith(b"\r\n--OUT\r\nContent-Type: multipart/related")
    assert data[-1] == b"\r\n--OUT--\r\n"
    assert body.content_length == len(body.to_bytes())


def test_to_bytes_is_one_join_and_iteration_joins_runs_of_small_segments() -> None:
    body = encode_related(ENVELOPE, [Part.from_bytes(BIG, "image/jpeg", content_id="big"), *_small_parts()])
    chunks = list(body)
    assert b"".join(chunks) == body.to_bytes()
    assert len(chunks) == 3  # root part and the image's header, the image, the rest
    assert chunks[1] is BIG  # a large in-memory payload goes out as it is, not copied
    assert body.content_length == sum(map(len, chunks))


def test_a_file_is_still_streamed_lazily(tmp_path: Path) -> None:
    path = tmp_path / "clip.bin"
    path.write_bytes(BIG * 2)
    body = encode_related(ENVELOPE, [Part.from_file(path, "video/mp4", content_id="clip"), *_small_parts()])
    assert [type(s) for s in body.segments].count(Stream) == 1
    chunks = list(body)
    assert [len(c) for c in chunks[1:-1]] == [64 * 1024] * 3 + [len(BIG) * 2 - 3 * 64 * 1024]
    assert b"".join(chunks) == body.to_bytes() and body.content_length == len(body.to_bytes())


def test_a_given_boundary_in_a_nested_part_or_a_header_is_refused() -> None:
    with pytest.raises(LocalCodecError, match="occurs in the content"):
        encode_related(ENVELOPE, [_nested(Part.from_bytes(b"x\r\n--BB\r\n"))], boundary="BB")
    with pytest.raises(LocalCodecError, match="occurs in the content"):
        encode_related(ENVELOPE, [Part.from_bytes(b"x", content_location="a--BB")], boundary="BB")
    with pytest.raises(LocalCodecError, match="occurs in the content"):
        # A nested multipart's own delimiter lines are content of the outer body.
        encode_multipart(Part("multipart/mixed", children=[_nested(Part.text("a"))]), boundary="=_mm7_")


def test_a_given_boundary_is_not_found_in_its_own_delimiter_lines() -> None:
    body = encode_related(ENVELOPE, [_nested(*_small_parts()), Part.text("z")], boundary="BB")
    decoded = decode(body.to_bytes(), body.content_type)
    assert [p.content_id for p in decoded.iter_parts()][:3] == ["content", "t", "s"]
    assert body.content_length == len(body.to_bytes())


def test_content_length_is_exact_for_nested_bodies_and_empty_payloads() -> None:
    parts = [_nested(Part.from_bytes(b"", content_id="e"), _nested_inner()), Part.from_bytes(b"")]
    body = encode_related(ENVELOPE, parts)
    assert isinstance(body, EncodedBody)
    assert body.content_length == len(body.to_bytes()) == sum(map(len, body))


def _nested_inner() -> Part:
    return Part("multipart/mixed", "inner", children=[Part.text("deep", content_id="d")])
