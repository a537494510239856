"""Tests for mm7.codec.smil."""

from __future__ import annotations

import pytest
from lxml import etree

from mm7.codec.mime import Part, decode, encode_related
from mm7.codec.smil import generate_smil, mixed_content, parse_smil_refs, related_content, with_content_ids
from mm7.errors import ConfigError, MalformedXMLError, XMLSecurityError

JPEG = Part.from_bytes(b"\xff\xd8\xff", "image/jpeg")
CAPTION = Part.text("A caption")
AUDIO = Part.from_bytes(b"#!AMR\n", "audio/amr")
VIDEO = Part.from_bytes(b"\x00\x00\x00\x18ftyp3gp4", "video/3gpp", content_id="clip")


def slides(smil: Part) -> list[list[tuple[str, str | None, str | None]]]:
    root = etree.fromstring(smil.read_bytes())
    return [[(el.tag, el.get("src"), el.get("region")) for el in par] for par in root.iter("par")]


def test_image_then_text_share_a_slide_audio_and_lone_text_do_not() -> None:
    smil = generate_smil([JPEG, CAPTION, AUDIO, Part.text("bye")])
    assert smil.media_type == "application/smil"
    assert smil.content_id == "smil"
    assert slides(smil) == [
        [("img", "cid:part1.jpg", "Image"), ("text", "cid:part2.txt", "Text")],
        [("audio", "cid:part3.amr", None)],
        [("text", "cid:part4.txt", "Text")],
    ]
    root = etree.fromstring(smil.read_bytes())
    assert [el.get("dur") for el in root.iter("par")] == ["5000ms"] * 3
    layout = root.find("head/layout/root-layout")
    assert layout is not None and (layout.get("width"), layout.get("height")) == ("176", "208")
    assert [r.get("id") for r in root.iter("region")] == ["Image", "Text"]


def test_video_uses_image_region_and_keeps_its_content_id() -> None:
    smil = generate_smil([VIDEO, CAPTION], width=320, height=240)
    assert slides(smil) == [[("video", "cid:clip", "Image"), ("text", "cid:part2.txt", "Text")]]
    region = etree.fromstring(smil.read_bytes()).find("head/layout/region")
    assert region is not None and region.get("width") == "320"


def test_text_only_gets_a_full_screen_text_region() -> None:
    root = etree.fromstring(generate_smil([CAPTION]).read_bytes())
    regions = list(root.iter("region"))
    assert [(r.get("id"), r.get("top"), r.get("height")) for r in regions] == [("Text", "0", "208")]


def test_with_content_ids_is_deterministic_and_does_not_mutate() -> None:
    taken = Part.from_bytes(b"x", "image/gif", content_id="part2.txt")
    parts = [JPEG, taken, Part.text("t")]
    first, second = with_content_ids(parts), with_content_ids(parts)
    assert [p.content_id for p in first] == ["part1.jpg", "part2.txt", "part3.txt"]
    assert first == second
    assert JPEG.content_id is None


def test_related_content_layout_roundtrips_through_mime() -> None:
    content = related_content([JPEG, CAPTION])
    assert content.media_type == "multipart/related"
    assert content.params["type"] == "application/smil"
    assert content.start == "smil"
    assert content.children is not None
    smil, *media = content.children
    assert parse_smil_refs(smil.read_bytes()) == [f"cid:{p.content_id}" for p in media]
    wire = encode_related(b"<x/>", [replace_cid(content, "content")])
    body = decode(wire.to_bytes(), wire.content_type)
    nested = body.find("cid:content")
    assert nested is not None and nested.start == "smil"
    for ref in parse_smil_refs(smil.read_bytes()):
        assert body.find(ref) is not None


def replace_cid(part: Part, cid: str) -> Part:
    return Part(part.content_type, cid, children=part.children, start=part.start)


def test_related_content_with_given_smil_and_without_smil() -> None:
    own = Part.from_bytes(b"<smil/>", "application/smil")
    content = related_content([JPEG], smil=own)
    assert content.children is not None and content.children[0].content_id == "smil"
    assert content.start == "smil"
    bare = related_content([JPEG, CAPTION], generate_smil=False)
    assert bare.start is None and bare.children is not None and len(bare.children) == 2


def test_mixed_content_and_errors() -> None:
    mixed = mixed_content([CAPTION])
    assert mixed.media_type == "multipart/mixed" and mixed.children == [CAPTION]
    with pytest.raises(ConfigError):
        mixed_content([])
    with pytest.raises(ConfigError):
        related_content([])
    with pytest.raises(ConfigError):
        generate_smil([])


def test_parse_smil_refs_from_a_peer_smil_with_namespace() -> None:
    smil = (
        b'<?xml version="1.0"?><smil xmlns="http://www.w3.org/2001/SMIL20/Language"><head/><body>'
        b'<par dur="4s"><img src="cid:a.jpg" region="Image"/><text src="b.txt"/></par>'
        b'<!-- comment --><par><audio src="cid:c%20d.amr"/></par></body></smil>'
    )
    assert parse_smil_refs(smil) == ["cid:a.jpg", "b.txt", "cid:c%20d.amr"]


def test_parse_smil_refs_refuses_doctype_and_garbage() -> None:
    with pytest.raises(XMLSecurityError):
        parse_smil_refs(b'<!DOCTYPE smil [<!ENTITY x "y">]><smil><img src="&x;"/></smil>')
    with pytest.raises(XMLSecurityError):
        parse_smil_refs(b'<!DOCTYPE smil SYSTEM "http://example.invalid/smil.dtd"><smil/>')
    with pytest.raises(MalformedXMLError):
        parse_smil_refs(b"<smil><unclosed></smil>")
