"""Tests for mm7.codec.mime: SwA encode/decode with wire bytes written in the style of real peers."""

from __future__ import annotations

import base64
import random
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from mm7.codec.deviations import Deviation
from mm7.codec.mime import (
    DecodedBody,
    Limits,
    MultipartDecoder,
    Part,
    decode,
    encode_multipart,
    encode_related,
    encode_single,
)
from mm7.errors import ConfigError, LimitExceededError, LocalCodecError, MIMEError, MM7Error

ENVELOPE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b'<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header>'
    b'<mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/'
    b'REL-6-MM7-1-4" env:mustUnderstand="1">tx-1</mm7:TransactionID></env:Header>'
    b"<env:Body/></env:Envelope>"
)


def crlf(text: str) -> bytes:
    """Fixture helper: write fixtures with \\n, send them with CRLF."""
    return text.replace("\n", "\r\n").encode("latin-1")


# --------------------------------------------------------------------------------------------
# Fixtures in the style of real peers
# --------------------------------------------------------------------------------------------

# Openwave/JavaMail style: unquoted boundary with '=', quoted start with <>, nested related + SMIL.
OPENWAVE_CT = 'multipart/related; boundary=----=_Part_0_1234.5678; type="text/xml"; start="<soap-start>"'
OPENWAVE = crlf(
    """This is a preamble that must be ignored.
------=_Part_0_1234.5678
Content-Type: text/xml; charset=utf-8
Content-ID: <soap-start>

<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body/></env:Envelope>
------=_Part_0_1234.5678
Content-Type: multipart/related; start="<smil>"; type="application/smil";
\tboundary="----=_Part_1_inner"
Content-ID: <content>

------=_Part_1_inner
Content-Type: application/smil
Content-ID: <smil>

<smil><body><par dur="5000ms"><text src="cid:text1"/></par></body></smil>
------=_Part_1_inner
Content-Type: text/plain; charset=utf-8
Content-ID: <text1>
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 soft=
break
------=_Part_1_inner--

------=_Part_0_1234.5678--
This is an epilogue."""
)

# Nokia style: base64 image with line breaks, Content-Location instead of Content-ID, lowercase
# header names, start without <> (a deviation), no final CRLF after the close-delimiter.
NOKIA_IMAGE = bytes(range(256)) * 3
NOKIA_CT = 'Multipart/Related; Type="text/xml"; Start=soap; Boundary="nokia-boundary"'
NOKIA = (
    crlf(
        """--nokia-boundary
content-type: text/xml
content-id: <soap>

<Envelope/>
--nokia-boundary
content-type: image/jpeg
content-location: images/photo.jpg
content-transfer-encoding: BASE64

"""
    )
    + base64.encodebytes(NOKIA_IMAGE).replace(b"\n", b"\r\n")
    + crlf("--nokia-boundary--")
)

# Huawei/NowSMS style: bare LF everywhere, no start (first part is root), Content-ID without <>,
# 7bit and 8bit parts, nested multipart/mixed.
NOWSMS_CT = 'multipart/related; boundary="nowsms"; type="text/xml"'
NOWSMS = (
    b"--nowsms\n"
    b"Content-Type: text/xml\n"
    b"Content-ID: root\n"
    b"\n"
    b"<Envelope/>\n"
    b"--nowsms\n"
    b"Content-Type: multipart/mixed; boundary=inner\n"
    b"\n"
    b"--inner\n"
    b"Content-Type: text/plain\n"
    b"Content-Transfer-Encoding: 7bit\n"
    b"Content-ID: <t1>\n"
    b"\n"
    b"hello\n"
    b"--inner\n"
    b"Content-Type: text/plain; charset=iso-8859-1\n"
    b"Content-Transfer-Encoding: 8bit\n"
    b"Content-Location: t2.txt\n"
    b"\n"
    b"caf\xe9\n"
    b"--inner--\n"
    b"--nowsms--\n"
)


def test_openwave_nested_related_with_preamble_epilogue_folding_and_qp() -> None:
    body = decode(OPENWAVE, OPENWAVE_CT)
    assert body.deviations == []
    assert body.root.content_id == "soap-start"
    assert body.root.data is not None and body.root.data.startswith(b"<env:Envelope")
    (content,) = body.attachments
    assert content.content_id == "content"
    assert content.media_type == "multipart/related"
    assert content.start == "smil"
    assert content.children is not None
    smil, text = content.children
    assert smil.media_type == "application/smil"
    assert text.text() == "Café softbreak"
    assert body.find("cid:text1") is text
    assert body.find("cid:content") is content


def test_nokia_base64_content_location_lowercase_headers_start_without_brackets() -> None:
    body = decode(NOKIA, NOKIA_CT)
    assert body.root.data == b"<Envelope/>"
    assert body.deviations == [
        Deviation("content-reference", "start parameter without angle brackets (RFC 2387 §3.2)", "MIME")
    ]
    (image,) = body.attachments
    assert image.data == NOKIA_IMAGE
    assert image.content_location == "images/photo.jpg"
    assert body.find("images/photo.jpg") is image
    assert body.find("photo.jpg") is image  # by basename
    assert body.find("cid:photo.jpg") is image  # cid: falling back to Content-Location
    assert body.find("cid:nothing") is None


def test_nowsms_bare_lf_no_start_cid_without_brackets_nested_mixed() -> None:
    body = decode(NOWSMS, NOWSMS_CT)
    assert body.root.content_id == "root"
    assert body.root.data == b"<Envelope/>"
    assert set(body.deviations) == {
        Deviation("mime-framing", "bare LF line endings instead of CRLF", "MIME"),
        Deviation("content-reference", "Content-ID without angle brackets (RFC 2392 wants <...>)", "MIME"),
    }
    (mixed,) = body.attachments
    assert mixed.media_type == "multipart/mixed"
    assert mixed.children is not None
    t1, t2 = mixed.children
    assert t1.text() == "hello"
    assert t2.text() == "café"
    assert body.find("<t1>") is t1
    assert body.find("t2.txt") is t2


def test_sinch_multipart_without_boundary_and_bare_xml_body() -> None:
    body = decode(b"\xef\xbb\xbf \r\n" + ENVELOPE, 'multipart/related; type="text/xml"')
    assert body.root.data is not None and body.root.data.endswith(ENVELOPE)
    assert body.attachments == []
    assert body.deviations == [
        Deviation("mime-framing", "multipart/related without boundary; body read as bare XML", "MIME")
    ]


def test_multipart_without_boundary_param_taken_from_first_line() -> None:
    raw = crlf("--guessme\nContent-Type: text/xml\n\n<a/>\n--guessme--\n")
    body = decode(raw, "multipart/related")
    assert body.root.data == b"<a/>"
    assert body.deviations == [
        Deviation(
            "mime-framing",
            "multipart/related without boundary; boundary taken from the first delimiter line",
            "MIME",
        )
    ]


def test_multipart_without_boundary_and_not_multipart_is_an_error() -> None:
    with pytest.raises(MIMEError):
        decode(b"hello there", "multipart/related")


@pytest.mark.parametrize(
    "content_type", [None, "text/xml", "application/soap+xml; charset=utf-8", "application/xml"]
)
def test_bare_xml_bodies(content_type: str | None) -> None:
    body = decode(ENVELOPE, content_type)
    assert body.root.data == ENVELOPE
    assert body.attachments == []
    no_type = Deviation("mime-framing", "no Content-Type; body read as bare XML", "MIME")
    assert (no_type in body.deviations) == (content_type is None)


def test_unsupported_top_level_type() -> None:
    with pytest.raises(MIMEError):
        decode(b"\xff\xd8", "image/jpeg")


def multipart(boundary: str, *parts: tuple[str, bytes], close: bool = True) -> bytes:
    out = b""
    for headers, payload in parts:
        out += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + payload + b"\r\n"
    if close:
        out += f"--{boundary}--\r\n".encode()
    return out


def test_start_with_brackets_picks_a_later_part_as_root() -> None:
    raw = multipart("b", ("Content-Type: image/gif\r\nContent-ID: <g>", b"GIF"), ("Content-ID: <r>", b"<x/>"))
    body = decode(raw, 'multipart/related; boundary=b; start="<r>"')
    assert body.root.data == b"<x/>"
    assert body.root.media_type == "text/plain"  # RFC 2046 default for a part without Content-Type
    assert [p.content_id for p in body.attachments] == ["g"]
    assert body.deviations == []


def test_start_naming_no_part_makes_the_first_part_the_root() -> None:
    raw = multipart("b", ("Content-ID: <r>", b"<x/>"), ("Content-ID: <g>", b"GIF"))
    body = decode(raw, 'multipart/related; boundary=b; start="<other>"')
    assert body.root.data == b"<x/>"
    assert [p.content_id for p in body.attachments] == ["g"]
    assert [(d.kind, d.path) for d in body.deviations] == [("content-reference", "MIME")]
    assert "names no part" in body.deviations[0].reason


@pytest.mark.parametrize(
    ("cte", "payload", "expected"),
    [
        ("base64", b"aGVs\r\nbG8=", b"hello"),
        ("Base64", b"aGVsbG8", b"hello"),  # missing padding tolerated (deviation)
        ("quoted-printable", b"a=3Db=\r\nc", b"a=bc"),
        ("binary", b"\x00\xff\r\n--", b"\x00\xff\r\n--"),
        ("8bit", b"caf\xc3\xa9", b"caf\xc3\xa9"),
        ("7bit", b"plain", b"plain"),
    ],
)
def test_transfer_encodings(cte: str, payload: bytes, expected: bytes) -> None:
    raw = multipart("b", (f"Content-Transfer-Encoding: {cte}", payload))
    assert decode(raw, "multipart/related; boundary=b").root.data == expected


@pytest.mark.parametrize(
    ("cte", "payload"), [("base64", b"a*b$"), ("base64", b"abcde"), ("x-uuencode", b"x")]
)
def test_bad_transfer_encodings(cte: str, payload: bytes) -> None:
    raw = multipart("b", (f"Content-Transfer-Encoding: {cte}", payload))
    with pytest.raises(MIMEError):
        decode(raw, "multipart/related; boundary=b")


def test_unterminated_multipart() -> None:
    raw = multipart("b", ("Content-Type: text/xml", b"<x/>"), close=False)
    body = decode(raw, "multipart/related; boundary=b")
    assert body.root.data == b"<x/>"
    assert [(d.kind, "no closing delimiter" in d.reason) for d in body.deviations] == [("mime-framing", True)]
    with pytest.raises(MIMEError, match="unterminated multipart"):
        decode(raw[: raw.index(b"text/xml")], "multipart/related; boundary=b")


def test_close_delimiter_without_final_crlf_and_with_padding() -> None:
    raw = b"--b \t\r\nContent-Type: text/xml\r\n\r\n<x/>\r\n--b--"
    assert decode(raw, "multipart/related; boundary=b").root.data == b"<x/>"


def test_header_says_multipart_but_body_is_not() -> None:
    with pytest.raises(MIMEError, match="not multipart"):
        decode(ENVELOPE, "multipart/related; boundary=b")


def test_duplicate_content_ids() -> None:
    raw = multipart("b", ("Content-ID: <a>", b"1"), ("Content-ID: <a>", b"2"))
    with pytest.raises(MIMEError, match="duplicate"):
        decode(raw, "multipart/related; boundary=b")


def test_line_starting_with_boundary_prefix_is_content() -> None:
    raw = multipart("b", ("Content-Type: text/plain", b"x\r\n--bogus\r\n--b-"))
    assert decode(raw, "multipart/related; boundary=b").root.data == b"x\r\n--bogus\r\n--b-"


def test_empty_part_body_directly_followed_by_delimiter() -> None:
    raw = b"--b\r\nContent-Type: text/xml\r\n\r\n<x/>\r\n--b\r\nContent-ID: <e>\r\n\r\n--b--\r\n"
    body = decode(raw, "multipart/related; boundary=b")
    assert body.attachments[0].data == b""


def test_find_percent_decodes_cid_urls() -> None:
    raw = multipart("b", ("Content-Type: text/xml", b"<x/>"), ("Content-ID: <my image@host>", b"i"))
    body = decode(raw, "multipart/related; boundary=b")
    assert body.find("cid:my%20image@host") is body.attachments[0]
    assert body.find("cid:<my image@host>") is body.attachments[0]


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------


def nested(depth: int) -> tuple[str, bytes]:
    inner = multipart("b0", ("Content-Type: text/plain", b"leaf"))
    for level in range(1, depth):
        inner = multipart(f"b{level}", (f"Content-Type: multipart/mixed; boundary=b{level - 1}", inner))
    return f"multipart/related; boundary=b{depth - 1}", inner


@pytest.mark.parametrize(
    ("limits", "limit_name", "body"),
    [
        (Limits(max_body_size=10), "max_body_size", ("multipart/related; boundary=b", b"x" * 11)),
        (
            Limits(max_parts=2),
            "max_parts",
            (
                "multipart/related; boundary=b",
                multipart("b", *[(f"Content-ID: <{i}>", b"x") for i in range(3)]),
            ),
        ),
        (Limits(max_depth=3), "max_depth", nested(4)),
        (
            Limits(max_header_line=100),
            "max_header_line",
            ("multipart/related; boundary=b", multipart("b", ("X-Long: " + "a" * 200, b"x"))),
        ),
        (
            Limits(max_headers_per_part=3),
            "max_headers_per_part",
            (
                "multipart/related; boundary=b",
                multipart("b", ("\r\n".join(f"X-{i}: v" for i in range(4)), b"x")),
            ),
        ),
        (
            Limits(max_part_size=100),
            "max_part_size",
            ("multipart/related; boundary=b", multipart("b", ("Content-Type: text/xml", b"x" * 101))),
        ),
    ],
)
def test_limits(limits: Limits, limit_name: str, body: tuple[str, bytes]) -> None:
    with pytest.raises(LimitExceededError) as info:
        decode(body[1], body[0], limits=limits)
    assert info.value.limit == limit_name


def test_depth_within_limit() -> None:
    content_type, raw = nested(4)
    assert decode(raw, content_type, limits=Limits(max_depth=4)).root.children is not None


def test_header_line_limit_hits_before_buffering_the_whole_line() -> None:
    decoder = MultipartDecoder("multipart/related; boundary=b", Limits(max_header_line=1000))
    decoder.feed(b"--b\r\nX-Long: ")
    with pytest.raises(LimitExceededError):
        for _ in range(100):
            decoder.feed(b"a" * 100)  # raises after ~1 KB, not after 10 KB


def test_part_count_limit_hits_while_streaming() -> None:
    decoder = MultipartDecoder("multipart/related; boundary=b", Limits(max_parts=5))
    with pytest.raises(LimitExceededError):
        for i in range(10):
            decoder.feed(f"--b\r\nContent-ID: <{i}>\r\n\r\nx\r\n".encode())


# --------------------------------------------------------------------------------------------
# Robustness: only MM7Error subclasses for garbage and truncations
# --------------------------------------------------------------------------------------------


def mutations(seed: int) -> Iterator[tuple[str | None, bytes]]:
    rng = random.Random(seed)
    samples = [(OPENWAVE_CT, OPENWAVE), (NOKIA_CT, NOKIA), (NOWSMS_CT, NOWSMS)]
    for content_type, raw in samples:
        for cut in range(0, len(raw), 7):
            yield content_type, raw[:cut]
        for _ in range(150):
            data = bytearray(raw)
            for _ in range(rng.randint(1, 8)):
                pos = rng.randrange(len(data))
                data[pos : pos + rng.randint(0, 4)] = rng.randbytes(rng.randint(0, 4))
            yield content_type, bytes(data)
    types: list[str | None] = [
        None,
        "multipart/related",
        "multipart/related; boundary=x",
        "text/xml",
        'a/b;;="',
    ]
    for _ in range(300):
        yield (
            rng.choice(types),
            rng.randbytes(rng.randint(0, 300)) + rng.choice([b"", b"\n--x--", b"--x\r\n"]),
        )


@pytest.mark.parametrize("seed", range(3))
def test_garbage_and_truncations_raise_only_mm7_errors(seed: int) -> None:
    for content_type, raw in mutations(seed):
        try:
            body = decode(raw, content_type)
        except MM7Error:
            continue
        assert isinstance(body, DecodedBody)


def test_chunked_feeding_matches_whole_decode() -> None:
    whole = decode(OPENWAVE, OPENWAVE_CT)
    for size in (1, 2, 3, 7, 64):
        decoder = MultipartDecoder(OPENWAVE_CT)
        for i in range(0, len(OPENWAVE), size):
            decoder.feed(OPENWAVE[i : i + size])
        chunked = decoder.close()
        assert chunked.root == whole.root
        assert chunked.attachments == whole.attachments
        assert chunked.deviations == whole.deviations


def test_feed_after_close() -> None:
    decoder = MultipartDecoder("text/xml")
    decoder.close()
    with pytest.raises(ConfigError):
        decoder.feed(b"x")


# --------------------------------------------------------------------------------------------
# Encoder
# --------------------------------------------------------------------------------------------


def test_encode_related_wire_format() -> None:
    image = Part.from_bytes(b"\xff\xd8--\r\n", "image/jpeg", content_id="<img1>", content_location="a.jpg")
    text = Part.text("hi", content_id="t1")
    body = encode_related(ENVELOPE, [image, text], root_content_id="root@x", boundary="BOUNDARY")
    assert body.content_type == 'multipart/related; type="text/xml"; start="<root@x>"; boundary="BOUNDARY"'
    expected = (
        b"--BOUNDARY\r\n"
        b"Content-Type: text/xml; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"Content-ID: <root@x>\r\n\r\n" + ENVELOPE + b"\r\n"
        b"--BOUNDARY\r\n"
        b"Content-Type: image/jpeg\r\n"
        b"Content-Transfer-Encoding: binary\r\n"
        b"Content-ID: <img1>\r\n"
        b"Content-Location: a.jpg\r\n\r\n"
        b"\xff\xd8--\r\n\r\n"
        b"--BOUNDARY\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"Content-ID: <t1>\r\n\r\n"
        b"hi\r\n"
        b"--BOUNDARY--\r\n"
    )
    assert body.to_bytes() == expected
    assert body.content_length == len(expected)
    assert body.http_headers["Content-Length"] == str(len(expected))


def test_encode_nested_related_gets_type_and_start() -> None:
    smil = Part.from_bytes(b"<smil/>", "application/smil", content_id="smil")
    img = Part.from_bytes(b"GIF89a", "image/gif", content_id="g")
    content = Part("multipart/related", content_id="content", children=[img, smil], start="smil")
    body = encode_related(ENVELOPE, [content])
    raw = body.to_bytes()
    assert b'Content-Type: multipart/related; type="application/smil"; start="<smil>"; boundary=' in raw
    decoded = decode(raw, body.content_type)
    assert decoded.deviations == []
    (nested_part,) = decoded.attachments
    assert nested_part.start == "smil"
    assert [c.content_id for c in nested_part.children or []] == ["g", "smil"]


def test_encode_file_part_and_reiterate(tmp_path: Path) -> None:
    path = tmp_path / "clip.3gp"
    path.write_bytes(b"\x00" * 100_000)
    part = Part.from_file(path, "video/3gpp", content_id="clip")
    body = encode_related(ENVELOPE, [part])
    first, second = body.to_bytes(), body.to_bytes()
    assert first == second
    assert len(first) == body.content_length
    assert decode(first, body.content_type).find("cid:clip") == Part(
        "video/3gpp", "clip", headers=(), data=b"\x00" * 100_000
    )


def test_encode_single() -> None:
    body = encode_single(ENVELOPE)
    assert body.content_type == "text/xml; charset=utf-8"
    assert body.to_bytes() == ENVELOPE
    assert body.content_length == len(ENVELOPE)


def test_encode_errors() -> None:
    with pytest.raises(LocalCodecError, match="duplicate"):
        encode_related(b"<x/>", [Part.text("a", content_id="r")], root_content_id="r")
    with pytest.raises(LocalCodecError, match="occurs in the content"):
        encode_related(b"<x/>", [Part.from_bytes(b"\r\n--BB\r\n")], boundary="BB")
    with pytest.raises(ConfigError):
        encode_related(b"<x/>", [], boundary="bad\x00boundary")
    with pytest.raises(ConfigError):
        encode_related(b"<x/>", [Part.from_bytes(b"x", content_location="a\r\nX-Injected: 1")])
    with pytest.raises(LocalCodecError, match="names no child"):
        encode_multipart(Part("multipart/related", children=[Part.text("a")], start="missing"))
    with pytest.raises(ConfigError):
        Part("text/plain")  # no payload
    with pytest.raises(ConfigError):
        Part("text/plain", data=b"x", path=Path("x"))


def test_file_that_changes_size_while_streaming(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"1234")
    body = encode_related(b"<x/>", [Part.from_file(path)])
    path.write_bytes(b"123456")
    with pytest.raises(LocalCodecError, match="changed size"):
        body.to_bytes()


# --------------------------------------------------------------------------------------------
# Part helpers
# --------------------------------------------------------------------------------------------


def test_part_properties() -> None:
    part = Part.text("héllo", charset="iso-8859-1", subtype="html")
    assert part.content_type == "text/html; charset=iso-8859-1"
    assert part.media_type == "text/html"
    assert part.charset == "iso-8859-1"
    assert part.params == {"charset": "iso-8859-1"}
    assert part.text() == "héllo"
    assert part.size == 5
    unlabelled = Part("text/plain", data="héllo".encode())
    assert unlabelled.text() == "héllo"  # us-ascii fails, utf-8 fallback
    latin = Part("TEXT/Plain; CHARSET=bogus", data=b"caf\xe9")
    assert latin.media_type == "text/plain"
    assert latin.text() == "café"  # unknown charset, utf-8 fails, latin-1 fallback
    params = Part("multipart/related; boundary=----=_Part_1; start=<a@b>", children=[part]).params
    assert params["boundary"] == "----=_Part_1"
    assert params["start"] == "a@b"


def test_part_from_file_guesses_type(tmp_path: Path) -> None:
    (tmp_path / "x.unknownext").write_bytes(b"1")
    assert Part.from_file(tmp_path / "x.unknownext").media_type == "application/octet-stream"
    (tmp_path / "p.png").write_bytes(b"1")
    assert Part.from_file(tmp_path / "p.png").media_type == "image/png"


# --------------------------------------------------------------------------------------------
# Memory: streaming large attachments both ways
# --------------------------------------------------------------------------------------------

BIG = 50 * 1024 * 1024


def test_streaming_encode_of_a_50_mb_file_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    block = random.Random(1).randbytes(1024 * 1024)
    with path.open("wb") as fh:
        for _ in range(BIG // len(block)):
            fh.write(block)
    body = encode_related(ENVELOPE, [Part.from_file(path, "video/mp4", content_id="big")])
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == body.content_length
    assert peak < 2 * 1024 * 1024


def test_incremental_decode_of_a_50_mb_attachment_spools(tmp_path: Path) -> None:
    boundary = "big-boundary-0123456789"
    block = bytes(range(256)) * 256  # 64 KiB, containing CRLF and "-" bytes

    def chunks() -> Iterator[bytes]:
        yield multipart(boundary, ("Content-Type: text/xml\r\nContent-ID: <r>", ENVELOPE), close=False)
        yield f"--{boundary}\r\nContent-Type: video/mp4\r\nContent-ID: <big>\r\n\r\n".encode()
        for _ in range(BIG // len(block)):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    def sink() -> tempfile.SpooledTemporaryFile[bytes]:
        return tempfile.SpooledTemporaryFile(max_size=1024 * 1024, dir=str(tmp_path))

    limits = Limits(max_body_size=BIG * 2)
    tracemalloc.start()
    try:
        decoder = MultipartDecoder(f'multipart/related; boundary="{boundary}"; start="<r>"', limits, sink)
        for chunk in chunks():
            decoder.feed(chunk)
        body = decoder.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    big = body.find("cid:big")
    assert big is not None and big.file is not None
    assert big.size == BIG
    big.file.seek(0)
    assert big.file.read(len(block)) == block
    assert body.root.data == ENVELOPE
    body.close()


def test_spooled_part_can_be_reencoded() -> None:
    raw = multipart("b", ("Content-Type: text/xml", b"<x/>"), ("Content-ID: <a>", b"z" * 5000))
    decoder = MultipartDecoder("multipart/related; boundary=b", spool_threshold=1000)
    decoder.feed(raw)
    body = decoder.close()
    assert body.attachments[0].file is not None
    again = encode_related(b"<x/>", body.attachments)
    assert decode(again.to_bytes(), again.content_type).attachments[0].data == b"z" * 5000
