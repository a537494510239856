"""SMIL presentations for MMS content, and the nested content multiparts MM7 carries.

MMS presentations use a small SMIL 1.0 subset (OMA MMS Conformance Document, "MMS SMIL"):
one ``root-layout``, an ``Image`` and a ``Text`` region, and a sequence of ``<par>`` slides
each showing at most one image or video, one text and one audio item.

Slide rule used by :func:`generate_smil`: items are taken in order and each starts a new
slide, except a ``text/plain`` item that directly follows an image or video, which joins that
slide (the usual "picture with caption" layout). Audio has no region; other media types are
shown with a region-less ``<ref>``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from lxml import etree

from mm7._checks import require, require_items
from mm7.codec.mime import Part
from mm7.errors import ConfigError, MalformedXMLError, XMLSecurityError

__all__ = [
    "SMIL_CONTENT_ID",
    "as_content",
    "generate_smil",
    "mixed_content",
    "parse_smil_refs",
    "related_content",
    "with_content_ids",
]

SMIL_MEDIA_TYPE = "application/smil"
#: Content-ID given to a generated SMIL part (suffixed when a media part already uses it).
SMIL_CONTENT_ID = "smil"
#: Display time of one slide; MMS clients commonly use 5 s.
SLIDE_DURATION = "5000ms"
#: Share of the screen height given to the Image region when a Text region sits below it.
_IMAGE_SHARE = 0.7


#: File extensions for common MMS media types (mimetypes' answers vary by platform or are missing).
_MMS_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/png": ".png",
    "text/plain": ".txt",
    "audio/amr": ".amr",
    "audio/mpeg": ".mp3",
    "video/3gpp": ".3gp",
    "video/mp4": ".mp4",
}


def _element_for(media_type: str) -> str:
    if media_type == "text/plain":
        return "text"
    major = media_type.split("/", 1)[0]
    return {"image": "img", "video": "video", "audio": "audio"}.get(major, "ref")


def _extension(part: Part) -> str:
    if part.content_location and "." in part.content_location.rsplit("/", 1)[-1]:
        return "." + part.content_location.rsplit(".", 1)[-1]
    if part.path is not None and part.path.suffix:
        return part.path.suffix
    if part.media_type in _MMS_EXTENSIONS:
        return _MMS_EXTENSIONS[part.media_type]
    return mimetypes.guess_extension(part.media_type) or ""


def with_content_ids(parts: Sequence[Part], *, reserved: Sequence[str] = ()) -> list[Part]:
    """Return the parts, giving a deterministic Content-ID to each one that has none.

    The n-th part (1-based) gets ``part<n><ext>``, e.g. ``part1.jpg``; a numeric suffix is added
    if that id is taken. The input parts are not changed.

    Args:
        parts: The media parts.
        reserved: Content-IDs that must not be assigned.

    Returns:
        New list of parts (unchanged parts are the same objects).
    """
    if all(p.content_id for p in parts):
        return list(parts)  # the usual case: nothing to give
    taken = {p.content_id for p in parts if p.content_id} | set(reserved)
    result: list[Part] = []
    for index, part in enumerate(parts, start=1):
        if part.content_id:
            result.append(part)
            continue
        base, ext = f"part{index}", _extension(part)
        candidate, n = base + ext, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}{ext}"
        taken.add(candidate)
        result.append(replace(part, content_id=candidate))
    return result


def _slides(parts: Sequence[Part]) -> list[list[tuple[str, Part]]]:
    """Group media items into slides following the module's slide rule."""
    slides: list[list[tuple[str, Part]]] = []
    previous: str | None = None
    for part in parts:
        kind = _element_for(part.media_type)
        if kind == "text" and previous in {"img", "video"}:
            slides[-1].append((kind, part))
        else:
            slides.append([(kind, part)])
        previous = kind
    return slides


def _layout(head: etree._Element, width: int, height: int, visual: bool, text: bool) -> None:
    layout = etree.SubElement(head, "layout")
    etree.SubElement(layout, "root-layout", width=str(width), height=str(height))
    image_height = round(height * _IMAGE_SHARE) if text else height
    if visual:
        etree.SubElement(
            layout,
            "region",
            id="Image",
            top="0",
            left="0",
            width=str(width),
            height=str(image_height),
            fit="meet",
        )
    if text:
        top = image_height if visual else 0
        etree.SubElement(
            layout, "region", id="Text", top=str(top), left="0", width=str(width), height=str(height - top)
        )


def generate_smil(
    parts: Sequence[Part], *, width: int = 176, height: int = 208, content_id: str | None = None
) -> Part:
    """Build an MMS SMIL presentation showing the parts in order.

    Parts without a Content-ID get the same deterministic ids :func:`with_content_ids` gives, so
    call that first to obtain the parts the SMIL refers to (:func:`related_content` does both).
    SMIL parts in ``parts`` are skipped.

    Args:
        parts: The media parts, in presentation order.
        width: ``root-layout`` width in pixels (176x208 fits the smallest common MMS screens).
        height: ``root-layout`` height in pixels.
        content_id: Content-ID of the SMIL part; ``smil`` unless a media part already uses it.

    Returns:
        An ``application/smil`` part.

    Raises:
        ConfigError: No media part was given, or the size is not positive.
    """
    parts = _parts(parts)
    require("width", width, int)
    require("height", height, int)
    require("content_id", content_id, str, optional=True)
    media = with_content_ids([p for p in parts if p.media_type != SMIL_MEDIA_TYPE])
    if not media:
        raise ConfigError("a SMIL presentation needs at least one media part")
    if width <= 0 or height <= 0:
        raise ConfigError("SMIL width and height must be positive")
    slides = _slides(media)
    kinds = {kind for slide in slides for kind, _ in slide}
    smil = etree.Element("smil")
    _layout(etree.SubElement(smil, "head"), width, height, bool(kinds & {"img", "video"}), "text" in kinds)
    body = etree.SubElement(smil, "body")
    regions = {"img": "Image", "video": "Image", "text": "Text"}
    for slide in slides:
        par = etree.SubElement(body, "par", dur=SLIDE_DURATION)
        for kind, part in slide:
            item = etree.SubElement(par, kind, src=f"cid:{part.content_id}")
            if kind in regions:
                item.set("region", regions[kind])
    data = etree.tostring(smil, encoding="utf-8", xml_declaration=False, pretty_print=True)
    used = {p.content_id for p in media}
    cid = content_id or _free_id(SMIL_CONTENT_ID, used)
    return Part(SMIL_MEDIA_TYPE, cid, "presentation.smil", data=data)


def _free_id(base: str, used: set[str | None]) -> str:
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def related_content(parts: Sequence[Part], *, smil: Part | None = None, generate_smil: bool = True) -> Part:
    """Wrap media parts in a ``multipart/related`` part whose root (``start``) is a SMIL.

    This is the content layout Sinch requires in a SubmitReq: the ``Content href`` points at this
    part, its ``start`` is the SMIL, and the SMIL refers to the media by ``cid:``.

    Args:
        parts: The media parts, in presentation order.
        smil: A ready SMIL part to use instead of a generated one.
        generate_smil: When False and ``smil`` is None, no SMIL is added and the first part is
            the root.

    Returns:
        The nested multipart part (new Part objects; the inputs are not changed).

    Raises:
        ConfigError: No parts were given.
    """
    parts = _parts(parts)
    require("smil", smil, Part, optional=True)
    require("generate_smil", generate_smil, bool)
    if not parts:
        raise ConfigError("related_content needs at least one part")
    media = [p for p in parts if p.media_type != SMIL_MEDIA_TYPE]
    if smil is None and not generate_smil:
        return Part("multipart/related", children=with_content_ids(parts))
    if smil is None:
        media = with_content_ids(media)
        smil = _generate(media)
    elif not smil.content_id:
        smil = replace(smil, content_id=_free_id(SMIL_CONTENT_ID, {p.content_id for p in media}))
    media = with_content_ids(media, reserved=[smil.content_id or ""])
    # The Part(...) checks hold by construction (a str type, Parts as children, a Content-ID as start).
    return Part._trusted(_RELATED_SMIL_TYPE, start=smil.content_id, children=[smil, *media])


_RELATED_SMIL_TYPE = f'multipart/related; type="{SMIL_MEDIA_TYPE}"'
_generate = generate_smil  # related_content's keyword argument shadows the function's name


def _parts(parts: object, *, name: str = "parts") -> list[Part]:
    return cast("list[Part]", require_items(name, parts, Part))  # each item checked to be a Part


def as_content(content: Part | Sequence[Part] | None) -> Part | None:
    """The one content part to carry, from what a caller gives :func:`mm7.encode` or a client.

    Args:
        content: A content part (kept as it is), media parts (wrapped with :func:`related_content`, which
            generates the SMIL), or None (no content).

    Returns:
        The content part, or None.

    Raises:
        TypeError: ``content`` is neither a Part nor a sequence of Parts.
        ConfigError: ``content`` is an empty sequence.
    """
    if content is None or isinstance(content, Part):
        return content
    return related_content(_parts(content, name="content"))


def mixed_content(parts: Sequence[Part]) -> Part:
    """Wrap parts in a ``multipart/mixed`` part (content without a presentation).

    Args:
        parts: The parts, in order.

    Returns:
        The nested multipart part.

    Raises:
        ConfigError: No parts were given.
    """
    parts = _parts(parts)
    if not parts:
        raise ConfigError("mixed_content needs at least one part")
    return Part("multipart/mixed", children=list(parts))


def _secure_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )


def parse_smil_refs(smil_bytes: bytes) -> list[str]:
    """Return the ``src`` references of a SMIL document, in document order.

    Args:
        smil_bytes: The SMIL part's payload.

    Returns:
        Every ``src`` attribute value (e.g. ``cid:part1.jpg``), namespaces ignored.

    Raises:
        XMLSecurityError: The document has a DOCTYPE (refused like defusedxml does).
        MalformedXMLError: The document is not well-formed XML.
    """
    try:
        root = etree.fromstring(smil_bytes, _secure_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedXMLError(f"SMIL is not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise XMLSecurityError("SMIL with a DOCTYPE is refused")
    return [src for el in root.iter(etree.Element) if (src := el.get("src")) is not None]
