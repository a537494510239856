"""What real MMSCs send that a strict reading of RFC 2046/2387/2392 would refuse, or might misread.

Every body here is wire bytes written the way the peer writes them. Each one is decoded through
:func:`mm7.codec.mime.decode` (the whole body fed to the parser at once) and through
:class:`MultipartDecoder` fed in small chunks; both must give the same parts and the same deviations.
Legal variations (a boundary starting with ``--``, header names in any letter case, extra part headers)
must be read with no deviation; repaired ones carry a :class:`~mm7.codec.deviations.Deviation` of the
right kind.
"""

from __future__ import annotations

from typing import Any

import pytest

from mm7.codec.deviations import Deviation
from mm7.codec.mime import DecodedBody, MultipartDecoder, Part, decode
from mm7.errors import MIMEError, MM7Error

ENVELOPE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\r\n'
    b'<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body/></env:Envelope>'
)
CHUNK_SIZES = (1, 2, 3, 5, 8, 64)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


def fed_in_chunks(content_type: str | None, raw: bytes, size: int) -> DecodedBody:
    decoder = MultipartDecoder(content_type)
    for i in range(0, len(raw), size):
        decoder.feed(raw[i : i + size])
    return decoder.close()


def outcome(run: Any) -> tuple[Any, ...]:
    try:
        body: DecodedBody = run()
    except MM7Error as exc:
        return ("error", type(exc), str(exc))
    return ("ok", body.root, body.attachments, body.deviations)


def decode_both_ways(content_type: str | None, raw: bytes) -> DecodedBody:
    """Decode ``raw`` whole and in chunks of several sizes; every way must give the same result."""
    body = decode(raw, content_type)
    for size in CHUNK_SIZES:
        assert outcome(lambda size=size: fed_in_chunks(content_type, raw, size)) == outcome(lambda: body)
    return body


def kinds(body: DecodedBody) -> list[tuple[str, str]]:
    return [(d.kind, d.path) for d in body.deviations]


# --------------------------------------------------------------------------------------------
# No closing delimiter
# --------------------------------------------------------------------------------------------

UNCLOSED_CT = 'multipart/related; type="text/xml"; start="<soap@mmsc>"; boundary="mmsc-b"'
UNCLOSED_HEAD = (
    crlf("--mmsc-b\nContent-Type: text/xml; charset=utf-8\nContent-ID: <soap@mmsc>\n\n")
    + ENVELOPE
    + crlf("\n--mmsc-b\nContent-Type: image/gif\nContent-ID: <logo@mmsc>\n\n")
)
GIF = b"GIF89a\x01\x00\x01\x00\x00\xff\x00,\r\n\x00"


@pytest.mark.parametrize(
    "ending",
    [
        b"\r\n",  # the last part's line break, then nothing
        b"",  # the body stops right after the payload
        b"\r\n--mmsc-b",  # the close-delimiter without its '--'
        b"\r\n--mmsc-b-",  # ... cut after one dash
        b"\r\n--mmsc-b \t",  # ... with transport padding
        b"\r\n--mmsc-b\r",  # ... cut inside the line break
        b"\r\n--mmsc-b\r\n",  # an opening delimiter line that ends the body
    ],
)
def test_no_closing_delimiter_reads_every_complete_part(ending: bytes) -> None:
    body = decode_both_ways(UNCLOSED_CT, UNCLOSED_HEAD + GIF + ending)
    assert body.root.data == ENVELOPE
    (gif,) = body.attachments
    assert gif.content_id == "logo@mmsc"
    assert gif.data == GIF
    assert kinds(body) == [("mime-framing", "MIME")]
    assert "no closing delimiter" in body.deviations[0].reason


def test_no_closing_delimiter_in_a_bare_lf_body() -> None:
    raw = b"--nowsms\nContent-Type: text/xml\n\n<Envelope/>\n--nowsms\nContent-Type: text/plain\n\nhello\n"
    body = decode_both_ways('multipart/related; boundary="nowsms"', raw)
    assert body.root.data == b"<Envelope/>"
    assert [p.data for p in body.attachments] == [b"hello"]
    assert kinds(body) == [("mime-framing", "MIME")] * 2
    assert "bare LF line endings" in body.deviations[0].reason
    assert "no closing delimiter" in body.deviations[1].reason


def test_no_closing_delimiter_on_a_base64_last_part() -> None:
    raw = UNCLOSED_HEAD.replace(b"image/gif\r\n", b"image/gif\r\nContent-Transfer-Encoding: base64\r\n")
    body = decode_both_ways(UNCLOSED_CT, raw + b"R0lGODlh\r\nAQABAA==\r\n")
    assert body.attachments[0].data == b"GIF89a\x01\x00\x01\x00"
    assert [d.kind for d in body.deviations] == ["mime-framing"]


def test_nested_multipart_without_its_closing_delimiter() -> None:
    raw = (
        crlf("--outer\nContent-Type: text/xml\nContent-ID: <soap>\n\n")
        + ENVELOPE
        + crlf(
            "\n--outer\nContent-Type: multipart/mixed; boundary=inner\nContent-ID: <content>\n\n"
            "--inner\nContent-Type: text/plain\nContent-ID: <t1>\n\nHello\n"
            "--inner\nContent-Type: text/plain\nContent-ID: <t2>\n\nWorld\n"
            "--outer--\n"
        )
    )
    body = decode_both_ways('multipart/related; boundary=outer; start="<soap>"', raw)
    (content,) = body.attachments
    assert [(c.content_id, c.data) for c in content.children or []] == [("t1", b"Hello"), ("t2", b"World")]
    assert kinds(body) == [("mime-framing", "MIME")]
    assert "no closing delimiter" in body.deviations[0].reason


def test_truncation_inside_a_header_block_is_still_an_error() -> None:
    raw = UNCLOSED_HEAD + GIF + b"\r\n--mmsc-b\r\nContent-Type: text/plain\r\nContent-ID: <t@mmsc>\r\n"
    start = len(UNCLOSED_HEAD + GIF + b"\r\n--mmsc-b\r\n")
    for cut in range(start + 1, len(raw) + 1):
        with pytest.raises(MIMEError, match="ends inside a part's header block"):
            decode(raw[:cut], UNCLOSED_CT)
        with pytest.raises(MIMEError, match="ends inside a part's header block"):
            fed_in_chunks(UNCLOSED_CT, raw[:cut], 3)


def test_a_body_holding_only_a_delimiter_line_is_an_error() -> None:
    with pytest.raises(MIMEError, match="unterminated multipart"):
        decode_both_ways(UNCLOSED_CT, b"--mmsc-b\r\n")


def test_a_last_part_shorter_than_its_own_content_length_is_truncated() -> None:
    head = UNCLOSED_HEAD.replace(b"image/gif\r\n", b"image/gif\r\nContent-Length: 40\r\n")
    with pytest.raises(MIMEError, match="truncated multipart"):
        decode_both_ways(UNCLOSED_CT, head + GIF)
    complete = head.replace(b"Content-Length: 40", f"Content-Length: {len(GIF)}".encode())
    assert decode_both_ways(UNCLOSED_CT, complete + GIF).attachments[0].data == GIF


def test_every_truncation_reads_the_same_whole_and_in_chunks() -> None:
    """Cut anywhere, the one-pass reading and the incremental parser agree (parts, deviations, errors)."""
    raw = (
        UNCLOSED_HEAD.replace(b"image/gif\r\n", b"multipart/mixed; boundary=in\r\n")
        + crlf("--in\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--in--")
        + crlf("\n--mmsc-b--\n")
    )
    for cut in range(len(raw) + 1):
        expected = outcome(lambda cut=cut: decode(raw[:cut], UNCLOSED_CT))
        for size in (1, 4, 9):
            assert outcome(lambda cut=cut, size=size: fed_in_chunks(UNCLOSED_CT, raw[:cut], size)) == expected


# --------------------------------------------------------------------------------------------
# Legal variations: no deviation, one-pass reading
# --------------------------------------------------------------------------------------------

# JavaMail (Openwave, Ericsson MMSCs): a boundary that itself starts with "--".
JAVAMAIL_CT = 'multipart/related; type="text/xml"; start="<soap-start>"; boundary="--=_Part_0_123.456"'
JAVAMAIL = crlf(
    "----=_Part_0_123.456\n"
    "Content-Type: text/xml; charset=utf-8\n"
    "Content-ID: <soap-start>\n"
    "\n"
    "<env:Envelope/>\n"
    "----=_Part_0_123.456\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-ID: <text0>\n"
    "\n"
    "----=_Part_0_123 is not the boundary\n"
    "----=_Part_0_123.456--\n"
)


def test_boundary_starting_with_two_dashes() -> None:
    body = decode_both_ways(JAVAMAIL_CT, JAVAMAIL)
    assert body.deviations == []
    assert body.root.data == b"<env:Envelope/>"
    (text,) = body.attachments
    assert text.data == b"----=_Part_0_123 is not the boundary"


# Lower-, upper- and mixed-case header names (Nokia, some Huawei builds).
CASES_CT = 'multipart/related; boundary="case"; start="<root>"'
CASES = crlf(
    "--case\n"
    "content-type: text/xml\n"
    "CONTENT-ID: <root>\n"
    "\n"
    "<Envelope/>\n"
    "--case\n"
    "CONTENT-TYPE: image/png\n"
    "content-transfer-encoding: BASE64\n"
    "Content-id: <img>\n"
    "content-LOCATION: pic.png\n"
    "\n"
    "iVBORw0KGgo=\n"
    "--case--\n"
)


def test_header_names_in_any_letter_case() -> None:
    body = decode_both_ways(CASES_CT, CASES)
    assert body.deviations == []
    assert body.root.content_id == "root"
    assert body.root.media_type == "text/xml"
    (image,) = body.attachments
    assert (image.media_type, image.content_id, image.content_location) == ("image/png", "img", "pic.png")
    assert image.data == b"\x89PNG\r\n\x1a\n"
    assert image.headers == ()


EXTRA_CT = 'multipart/related; boundary="extra"; type="text/xml"'
EXTRA = crlf(
    "--extra\n"
    "Content-Type: text/xml\n"
    "Content-ID: <soap>\n"
    "Content-Length: 11\n"
    "\n"
    "<Envelope/>\n"
    "--extra\n"
    "Content-Type: audio/amr\n"
    "Content-ID: <voice>\n"
    'Content-Disposition: attachment; filename="voice.amr"\n'
    "Content-Description: Voice note\n"
    "X-Vendor-Foo: bar;\n"
    "\tbaz\n"
    "Content-Length: 9\n"
    "\n"
    "#!AMR\n\x00\x01\n"
    "--extra--\n"
)


def test_extra_part_headers_are_kept_without_deviation() -> None:
    body = decode_both_ways(EXTRA_CT, EXTRA)
    assert body.deviations == []
    assert body.root.data == b"<Envelope/>"
    assert body.root.headers == (("Content-Length", "11"),)
    (voice,) = body.attachments
    assert voice.data == b"#!AMR\r\n\x00\x01"
    assert voice.headers == (
        ("Content-Disposition", 'attachment; filename="voice.amr"'),
        ("Content-Description", "Voice note"),
        ("X-Vendor-Foo", "bar; baz"),
        ("Content-Length", "9"),
    )


# --------------------------------------------------------------------------------------------
# The root part
# --------------------------------------------------------------------------------------------

NO_CID = crlf(
    "--r\nContent-Type: text/xml\n\n<Envelope/>\n"
    "--r\nContent-Type: text/plain\nContent-ID: <t>\n\nhi\n--r--\n"
)


def test_root_without_content_id_and_no_start_is_the_first_part() -> None:
    body = decode_both_ways('multipart/related; boundary="r"; type="text/xml"', NO_CID)
    assert body.root.data == b"<Envelope/>" and body.root.content_id is None
    assert body.deviations == []


def test_start_naming_nothing_makes_the_first_part_the_root() -> None:
    content_type = 'multipart/related; boundary="r"; start="<soap@mmsc>"'
    body = decode_both_ways(content_type, NO_CID)
    assert body.root.data == b"<Envelope/>"
    assert [p.content_id for p in body.attachments] == ["t"]
    assert kinds(body) == [("content-reference", "MIME")]
    assert "'<soap@mmsc>' names no part; the first part is read as the root" in body.deviations[0].reason


def test_start_in_other_letter_case_finds_its_part() -> None:
    raw = crlf(
        "--r\nContent-Type: text/plain\nContent-ID: <t>\n\nhi\n"
        "--r\nContent-Type: text/xml\nContent-ID: <SOAP@MMSC>\n\n<Envelope/>\n--r--\n"
    )
    body = decode_both_ways('multipart/related; boundary="r"; start="<soap@mmsc>"', raw)
    assert body.root.data == b"<Envelope/>"
    assert kinds(body) == [("content-reference", "MIME")]
    assert "only ignoring letter case" in body.deviations[0].reason


def test_start_naming_nothing_and_a_first_part_that_is_not_xml() -> None:
    raw = crlf(
        "--r\nContent-Type: image/gif\nContent-ID: <g>\n\nGIF\n"
        "--r\nContent-Type: text/xml\n\n<Envelope/>\n--r--\n"
    )
    body = decode_both_ways('multipart/related; boundary="r"; start="<soap>"', raw)
    assert body.root.data == b"<Envelope/>"
    assert [p.content_id for p in body.attachments] == ["g"]
    assert kinds(body) == [("content-reference", "MIME")]
    assert "the only XML part is read as the root" in body.deviations[0].reason


def test_nested_start_naming_nothing() -> None:
    raw = crlf(
        "--r\nContent-Type: text/xml\n\n<Envelope/>\n"
        '--r\nContent-Type: multipart/related; boundary=n; start="<pres>"; type="application/smil"\n'
        "Content-ID: <content>\n\n"
        "--n\nContent-Type: application/smil\nContent-ID: <smil>\n\n<smil/>\n"
        "--n\nContent-Type: text/plain\nContent-ID: <t>\n\nhi\n--n--\n"
        "--r--\n"
    )
    body = decode_both_ways('multipart/related; boundary="r"', raw)
    (content,) = body.attachments
    assert content.start == "smil"  # the first child, RFC 2387's default root
    assert kinds(body) == [("content-reference", "MIME")]
    assert "nested multipart start '<pres>' names no part" in body.deviations[0].reason


# --------------------------------------------------------------------------------------------
# DecodedBody.resolve: Content href references
# --------------------------------------------------------------------------------------------


def resolve_fixture() -> DecodedBody:
    parts = [
        ("text/xml", "<soap@mmsc>", None, b"<Envelope/>"),
        ("text/plain", "<text-1@mmsc>", "text-1.txt", b"A"),
        ("image/jpeg", "<img@mmsc>", "images/photo.jpg", b"B"),
        ("audio/amr", "<voice@mmsc>", None, b"C"),
        ("application/smil", "<cidsmil>", None, b"D"),
        ("application/smil", "<smil>", None, b"E"),
        ("image/gif", None, "a/logo.gif", b"F"),
        ("image/gif", None, "b/logo.gif", b"G"),
        ("text/plain", "<dup@x>", "same.txt", b"H"),
        ("text/plain", "<DUP@x>", "same.txt", b"I"),
        ("audio/mpeg", "<song.mp3>", None, b"J"),
        ("audio/mpeg", None, "music/Song.mp3", b"K"),
        ("text/plain", "<my image@host>", None, b"L"),
    ]
    raw = b""
    for content_type, cid, location, data in parts:
        raw += b"--res\r\nContent-Type: " + content_type.encode() + b"\r\n"
        raw += b"Content-ID: " + cid.encode() + b"\r\n" if cid else b""
        raw += b"Content-Location: " + location.encode() + b"\r\n" if location else b""
        raw += b"\r\n" + data + b"\r\n"
    raw += b"--res--\r\n"
    body = decode_both_ways('multipart/related; boundary="res"; start="<soap@mmsc>"', raw)
    assert body.deviations == []
    return body


@pytest.mark.parametrize(
    ("ref", "payload", "problem"),
    [
        # exact: no deviation
        ("cid:text-1@mmsc", b"A", None),
        ("CID:text-1@mmsc", b"A", None),
        ("cid:my%20image@host", b"L", None),
        ("text-1.txt", b"A", None),
        ("images/photo.jpg", b"B", None),
        # repaired, in resolve()'s order
        ("cid: text-1@mmsc", b"A", "has stray spaces"),
        ("cid:text-1@mmsc ", b"A", "has stray spaces"),
        ("  cid:text-1@mmsc", b"A", "has stray spaces"),
        ("cid:<text-1@mmsc>", b"A", "puts the Content-ID in angle brackets"),
        ("cid:< text-1@mmsc >", b"A", "puts the Content-ID in angle brackets and has stray spaces"),
        ("cidtext-1@mmsc", b"A", "lacks the ':' after 'cid'"),
        ("text-1@mmsc", b"A", "'text-1@mmsc' has no cid: scheme"),
        ("<voice@mmsc>", b"C", "has no cid: scheme and puts the Content-ID in angle brackets"),
        ("cid:images/photo.jpg", b"B", "names a Content-Location as a cid: URL"),
        ("photo.jpg", b"B", "matches a Content-Location only by file name"),
        ("http://mmsc.example/store/photo.jpg", b"B", "matches a Content-Location only by file name"),
        ("cid:TEXT-1@MMSC", b"A", "names the Content-ID in other letter case"),
        ("Voice@MMSC", b"C", "has no cid: scheme and names the Content-ID in other letter case"),
        # nothing, or more than one candidate: no guess
        ("cid:nothing@mmsc", None, None),
        ("cid//text-1@mmsc", None, None),
        ("", None, None),
        ("cidsmil", None, None),  # Content-ID 'cidsmil', or 'smil' without the colon
        ("logo.gif", None, None),  # two Content-Locations with that file name
        ("same.txt", None, None),  # two parts with that Content-Location
        ("cid:Dup@x", None, None),  # two Content-IDs equal but for letter case
        ("cid:Song.mp3", None, None),  # a Content-ID in other case, and another part's file name
    ],
)
def test_resolve(ref: str, payload: bytes | None, problem: str | None) -> None:
    body = resolve_fixture()
    part, deviation = body.resolve(ref)
    assert body.find(ref) is part
    if payload is None:
        assert (part, deviation) == (None, None)
        return
    assert part is not None and part.data == payload
    if problem is None:
        assert deviation is None
    else:
        assert deviation is not None
        assert (deviation.kind, deviation.path) == ("content-reference", "MIME")
        assert deviation.reason.startswith(f"Content href {ref!r} ")
        assert problem in deviation.reason, deviation.reason


def test_resolve_searches_nested_parts_and_find_is_its_part() -> None:
    smil = Part.from_bytes(b"<smil/>", "application/smil", content_id="s")
    nested = Part("multipart/related", content_id="content", children=[smil], start="s")
    body = DecodedBody(Part.from_bytes(b"<x/>", "text/xml"), [nested])
    assert body.resolve("cid:s") == (smil, None)
    part, deviation = body.resolve("cid:<s>")
    assert part is smil and deviation == Deviation(
        "content-reference",
        "Content href 'cid:<s>' puts the Content-ID in angle brackets; read as the part with Content-ID 's'",
        "MIME",
    )
    assert body.find("s") is smil
