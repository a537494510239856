"""Part: what its repr shows (never the payload), and that the codec opens a file only to stream it."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest

from mm7.codec.mime import MultipartDecoder, Part, decode, encode_related
from mm7.errors import ConfigError

ENVELOPE = b"<env:Envelope/>"
SECRET = b"\xff\xd8 the picture's bytes \xff\xd9"
N = len(SECRET)


def open_fds_to(path: Path) -> int:
    """How many of this process's file descriptors are open on ``path`` (Linux /proc)."""
    fd_dir = Path("/proc/self/fd")
    count = 0
    for entry in fd_dir.iterdir():
        try:
            if os.readlink(entry) == str(path):
                count += 1
        except OSError:
            continue  # the descriptor listing the directory itself, gone by now
    return count


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")


# --------------------------------------------------------------------------------------------
# repr
# --------------------------------------------------------------------------------------------


def test_repr_of_a_data_part_names_it_without_the_payload() -> None:
    part = Part.from_bytes(SECRET, "image/jpeg", content_id="<pic@x>", content_location="pic.jpg")
    text = repr(part)
    assert text == f"Part('image/jpeg', content_id='pic@x', content_location='pic.jpg', size={N})"
    assert "picture" not in text and "\\xff" not in text


def test_repr_of_a_text_part_hides_the_text() -> None:
    text = repr(Part.text("my one-time code is 123456"))
    assert "123456" not in text
    assert text == "Part('text/plain; charset=utf-8', size=26)"


def test_repr_of_a_file_part_shows_the_file_and_touches_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "not-yet.mp4"
    part = Part.from_file(missing, content_id="clip")
    # No stat(), no open(): the file need not exist for the part, or its repr, to be made.
    assert repr(part) == f"Part('video/mp4', content_id='clip', file={str(missing)!r})"


def test_repr_of_an_open_file_part_shows_its_size_and_keeps_its_position() -> None:
    fh = io.BytesIO(SECRET)
    fh.seek(5)
    part = Part("application/octet-stream", file=fh)
    assert repr(part) == f"Part('application/octet-stream', size={N}, file=<BytesIO>)"
    assert fh.tell() == 5
    fh.close()
    assert repr(part) == "Part('application/octet-stream', size=?, file=<BytesIO>)"


def test_repr_of_a_named_file_object_gives_its_name() -> None:
    with tempfile.NamedTemporaryFile() as fh:
        fh.write(SECRET)
        fh.flush()
        assert repr(Part("image/jpeg", file=fh)) == f"Part('image/jpeg', size={N}, file={fh.name!r})"


def test_repr_of_a_multipart_lists_its_children_and_no_bytes() -> None:
    nested = Part(
        "multipart/related",
        content_id="content",
        start="smil",
        children=[
            Part.from_bytes(b"<smil>secret layout</smil>", "application/smil", content_id="smil"),
            Part.from_bytes(SECRET, "image/jpeg", content_id="pic"),
        ],
    )
    assert repr(nested) == (
        "Part('multipart/related', content_id='content', start='smil', children=["
        "Part('application/smil', content_id='smil', size=26), "
        f"Part('image/jpeg', content_id='pic', size={N})])"
    )


def test_repr_of_decoded_parts_spooled_or_not() -> None:
    attachment = Part("image/jpeg", "pic", headers=(("X-Note", "kept"),), data=SECRET)
    body = encode_related(ENVELOPE, [attachment])
    raw = body.to_bytes()
    decoded = decode(raw, body.content_type)
    (pic,) = decoded.attachments
    assert repr(pic) == f"Part('image/jpeg', content_id='pic', headers=(('X-Note', 'kept'),), size={N})"
    decoder = MultipartDecoder(body.content_type, spool_threshold=4)
    decoder.feed(raw)
    spooled = decoder.close()
    (pic,) = spooled.attachments
    assert pic.file is not None
    head = "Part('image/jpeg', content_id='pic', headers=(('X-Note', 'kept'),)"
    assert repr(pic) == head + f", size={N}, file=<BytesIO>)"
    spooled.close()
    assert repr(pic) == head + ", size=?, file=<BytesIO>)"


# --------------------------------------------------------------------------------------------
# Files: opened only while the body is streamed
# --------------------------------------------------------------------------------------------


def test_from_file_does_not_need_the_file_until_encoding(tmp_path: Path) -> None:
    path = tmp_path / "later.jpg"
    part = Part.from_file(path, content_id="pic")
    assert part.media_type == "image/jpeg"  # guessed from the name, not the contents
    path.write_bytes(SECRET)
    body = encode_related(ENVELOPE, [part])
    assert body.content_length == len(body.to_bytes())
    assert decode(body.to_bytes(), body.content_type).find("cid:pic") == Part(
        "image/jpeg", "pic", data=SECRET
    )


@needs_proc
def test_the_file_is_open_only_while_its_bytes_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    payload = os.urandom(200 * 1024)  # several 64 KiB chunks
    path.write_bytes(payload)
    part = Part.from_file(path, content_id="clip")
    body = encode_related(ENVELOPE, [part])
    assert open_fds_to(path) == 0  # encoding read the size only
    seen = []
    chunks = iter(body)
    received = bytearray()
    for chunk in chunks:
        received += chunk
        seen.append(open_fds_to(path))
    assert open_fds_to(path) == 0  # closed once streamed
    assert 1 in seen  # open while its chunks were read
    assert seen[0] == 0  # not yet open while the headers went out
    assert bytes(received) == body.to_bytes() and payload in received
    assert max(len(c) for c in part.iter_bytes()) == 64 * 1024  # read in chunks, never whole


def test_a_missing_file_is_a_config_error_naming_it_at_encoding(tmp_path: Path) -> None:
    path = tmp_path / "gone.jpg"
    part = Part.from_file(path)
    with pytest.raises(ConfigError, match=r"gone\.jpg"):
        encode_related(ENVELOPE, [part])
    with pytest.raises(ConfigError, match=r"gone\.jpg"):
        part.read_bytes()


def test_a_file_removed_before_sending_is_a_config_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "brief.jpg"
    path.write_bytes(SECRET)
    body = encode_related(ENVELOPE, [Part.from_file(path)])
    path.unlink()
    with pytest.raises(ConfigError, match=r"cannot read attachment file .*brief\.jpg"):
        body.to_bytes()


def test_an_open_binary_file_is_streamed_from_its_start() -> None:
    fh = io.BytesIO(b"xx" + SECRET)
    fh.seek(2)
    part = Part("image/jpeg", content_id="pic", file=fh)
    body = encode_related(ENVELOPE, [part])
    raw = body.to_bytes()
    assert len(raw) == body.content_length
    assert decode(raw, body.content_type).find("cid:pic") == Part("image/jpeg", "pic", data=b"xx" + SECRET)
