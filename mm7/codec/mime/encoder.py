"""Encoding SwA bodies: ``multipart/related`` (RFC 2387) with exact Content-Length, files streamed lazily.

The result is an :class:`~mm7.codec.mime.EncodedBody`: the ``Content-Type`` value, the ``Content-Length``
computed from data lengths and file sizes (a file's size is read with ``stat()``; no file is opened here),
and segments that yield the body when iterated, file payloads 64 KiB at a time. An SwA body of the common
shape (in-memory parts, one nesting level, random boundaries) is written by a shorter route giving the same
segments (:func:`_encode_common_shape`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

from mm7._checks import require_items
from mm7.codec.mime.model import (
    CRLF,
    EncodedBody,
    Part,
    Segment,
    Stream,
    check_boundary,
    check_header_value,
    parse_content_type,
    parse_content_type_shared,
    quote_param,
    strip_angle,
)
from mm7.errors import ConfigError, LocalCodecError, MIMEError

__all__ = ["encode_multipart", "encode_related", "encode_single"]


def _token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes from the OS CSPRNG, as hex: what ``secrets.token_hex`` returns.

    ``os.urandom`` directly, so that encoding does not import :mod:`secrets` (and with it :mod:`hmac`,
    :mod:`hashlib` and :mod:`random`) for two calls.
    """
    return os.urandom(nbytes).hex()


def _new_boundary() -> str:
    # 128 random bits: content fixed before the boundary is drawn cannot contain it except by a
    # ~2**-128 accident per position, so file payloads need not be scanned (RFC 2046 §5.1.1 only
    # asks that the delimiter not occur in the encapsulated parts).
    return "=_mm7_" + _token_hex(16)


def _transfer_encoding(part: Part) -> str:
    # RFC 2045 §2.8: 8bit means CRLF lines of at most 998 octets and no NUL; else it is binary.
    if part.data is not None and part.media_type.startswith("text/") and _is_8bit(part.data):
        return "8bit"
    return "binary"


def _is_8bit(data: bytes) -> bool:
    first_lf = data.find(b"\n")
    if first_lf == 0 or (first_lf > 0 and data[first_lf - 1] != 0x0D):
        return False  # a bare LF, told at once (XML as lxml or mm7 writes it has one after its declaration)
    if b"\0" in data:
        return False
    if b"\r" not in data and first_lf < 0:  # one line (e.g. a serialized envelope): its length decides
        return len(data) <= 998
    lines = data.split(CRLF)
    return all(len(line) <= 998 and b"\r" not in line and b"\n" not in line for line in lines)


_OWN_HEADERS = frozenset({"content-type", "content-transfer-encoding", "content-id", "content-location"})


def _header_block(lead: str, part: Part, content_type: str, cte: str | None) -> bytes:
    """``lead``, then the part's header lines, each ending in CRLF, then the empty line ending the block.

    Every value is checked for CR and LF (header injection) before it is written.
    """
    check_header_value("Content-Type", content_type)
    lines = [lead, "Content-Type: ", content_type, "\r\n"]
    if cte is not None:
        lines += ("Content-Transfer-Encoding: ", cte, "\r\n")
    content_id, location = part.content_id, part.content_location
    if content_id is not None:
        check_header_value("Content-ID", content_id)
        lines += ("Content-ID: <", content_id, ">\r\n")
    if location is not None:
        check_header_value("Content-Location", location)
        lines += ("Content-Location: ", location, "\r\n")
    for name, value in part.headers:
        if name.lower() not in _OWN_HEADERS:
            check_header_value(name, value)
            lines += (name, ": ", value, "\r\n")
    lines.append("\r\n")
    return "".join(lines).encode()


def _with_params(content_type: str, extra: Sequence[tuple[str, str]]) -> str:
    """Rebuild a Content-Type value, replacing ``extra``'s parameters (boundary, start, type)."""
    kept = _without_params(content_type, tuple(key for key, _ in extra))
    return kept + "".join(f"; {k}={quote_param(v)}" for k, v in extra)


@functools.lru_cache(maxsize=256)
def _without_params(content_type: str, keys: tuple[str, ...]) -> str:
    """``content_type`` rebuilt (media type, parameters quoted) without the parameters named in ``keys``."""
    media_type, params = parse_content_type(content_type)
    for key in keys:
        params.pop(key, None)
    return "; ".join([media_type, *(f"{k}={quote_param(v)}" for k, v in params.items())])


def _encode_part(part: Part, lead: str, out: list[Segment]) -> int:
    """Append one part to ``out`` and return the length appended.

    The part's first segment is ``lead`` (the delimiter line before it) and its header block, built as
    one string and encoded once; then come its payload (bytes, or a :class:`Stream` for a file) or, for a
    multipart, its children's segments. Nothing is joined here: the body is joined once, by
    :meth:`EncodedBody.to_bytes` (or run by run while it is streamed).
    """
    if part.children is None:
        head_bytes = _header_block(lead, part, part.content_type, _transfer_encoding(part))
        if part.data is not None:
            out += (head_bytes, part.data)
            return len(head_bytes) + len(part.data)
        size = part.size  # one stat() now; streaming checks the file still has this size
        out += (head_bytes, Stream(part, size))
        return len(head_bytes) + size
    slot = len(out)
    out.append(b"")  # the header block: it names the boundary, and is checked after the children
    content_type, length = _encode_children(part, out)
    # RFC 2045 §6.4: a multipart entity may only be 7bit/8bit/binary; we leave the header out.
    head_bytes = _header_block(lead, part, content_type, None)
    out[slot] = head_bytes
    return len(head_bytes) + length


def _encode_children(part: Part, out: list[Segment], boundary: str | None = None) -> tuple[str, int]:
    """Append a multipart's delimiter lines and children to ``out``; return its Content-Type and length.

    Delimiter lines follow RFC 2046 §5.1.1; the CRLF before a delimiter belongs to the delimiter, not to
    the previous part.
    """
    children = part.children or []
    if not children:
        raise LocalCodecError("a multipart part needs at least one child (RFC 2046 §5.1.1)")
    extra: list[tuple[str, str]] = []
    if part.media_type == "multipart/related":
        # RFC 2387 §3.1/§3.2: `type` is the root's media type, `start` its Content-ID.
        root = _related_root(part, children)
        if "type" not in part.params:
            extra.append(("type", root.media_type))
        if root.content_id is not None:
            extra.append(("start", f"<{root.content_id}>"))
    given = boundary is not None
    if boundary is None:
        # 128 random bits from the OS CSPRNG: content fixed before the draw contains it with probability
        # ~2**-128, so scanning every in-memory payload for it (the dominant encode cost) buys nothing.
        boundary = _new_boundary()
    first = len(out)
    length = 0
    leads: dict[int, int] = {}  # index in ``out`` of each child's first segment → its lead's length
    for index, child in enumerate(children):
        lead = f"\r\n--{boundary}\r\n" if index else f"--{boundary}\r\n"
        leads[len(out)] = len(lead)
        length += _encode_part(child, lead, out)
    if given:
        check_boundary(boundary)
        _check_absent(boundary, out, first, leads)
    close = f"\r\n--{boundary}--\r\n".encode("ascii")
    out.append(close)
    content_type = _with_params(part.content_type, [*extra, ("boundary", boundary)])
    return content_type, length + len(close)


def _check_absent(boundary: str, out: Sequence[Segment], first: int, leads: dict[int, int]) -> None:
    """Refuse a caller-given boundary that occurs in the content: ``out[first:]`` but for its own leads.

    Segments are scanned one by one: an occurrence cannot straddle two of them, since each joint between
    segments is next to a CR or LF (header block end, delimiter line) and bchars have none. For the same
    reason an occurrence in a header block cannot begin in the delimiter line before it.
    """
    needle = b"--" + boundary.encode("ascii")
    for index in range(first, len(out)):
        segment = out[index]
        if isinstance(segment, bytes) and segment.find(needle, leads.get(index, 0)) >= 0:
            raise LocalCodecError(f"boundary {boundary!r} occurs in the content")


def _related_root(part: Part, children: Sequence[Part]) -> Part:
    if part.start is None:
        return children[0]
    for child in children:
        if child.content_id == part.start:
            return child
    raise LocalCodecError(f"start {part.start!r} names no child part")


def _check_unique_ids(parts: Sequence[Part]) -> None:
    seen: set[str] = set()
    for p in parts:
        for sub in p.walk():
            if sub.content_id is not None:
                if sub.content_id in seen:
                    raise LocalCodecError(f"duplicate Content-ID {sub.content_id!r}")
                seen.add(sub.content_id)


def encode_multipart(part: Part, *, boundary: str | None = None) -> EncodedBody:
    """Encode a multipart :class:`Part` as a top-level body.

    Args:
        part: A part with ``children``.
        boundary: The boundary to use; random when None.

    Returns:
        The encoded body.

    Raises:
        ConfigError: The part is not multipart, or the boundary or a header value is invalid.
        LocalCodecError: Duplicate Content-IDs, a dangling ``start``, or the boundary occurs in data.
    """
    if part.children is None:
        raise ConfigError("encode_multipart needs a Part with children")
    _check_unique_ids(part.children)  # every part of the body, nested ones included
    segments: list[Segment] = []
    content_type, length = _encode_children(part, segments, boundary)
    return EncodedBody(content_type, length, tuple(segments))


def encode_related(
    root: bytes,
    attachments: Sequence[Part],
    *,
    root_content_id: str | None = None,
    boundary: str | None = None,
) -> EncodedBody:
    """Encode a SOAP envelope and its attachments as SwA ``multipart/related`` (RFC 2387).

    The outer Content-Type is ``multipart/related; type="text/xml"; start="<root-cid>";
    boundary="..."``; the root part is ``text/xml; charset=utf-8`` with a Content-ID.

    Args:
        root: The serialized SOAP envelope (UTF-8).
        attachments: Further parts (leaf or nested multipart), in order.
        root_content_id: Content-ID of the root part; a random one when None.
        boundary: The outer boundary; random when None.

    Returns:
        The encoded body.

    Raises:
        ConfigError: Invalid boundary or header value.
        LocalCodecError: Duplicate Content-IDs, a dangling nested ``start``, or a boundary in data.
    """
    root_id = root_content_id or f"soap-{_token_hex(8)}@mm7"
    if type(root_id) is str:  # the checks of Part(...) hold: skip them
        root_part = Part._trusted(_ROOT_CONTENT_TYPE, root_id, data=bytes(root))
    else:  # Part(...) names the wrong type
        root_part = Part(_ROOT_CONTENT_TYPE, root_id, data=bytes(root))
    children = [root_part, *attachments]
    require_items("attachments", children[1:], Part)
    if boundary is None:
        common = _encode_common_shape(children)
        if common is not None:
            return common
    envelope = Part._trusted(
        'multipart/related; type="text/xml"', start=root_part.content_id, children=children
    )
    return encode_multipart(envelope, boundary=boundary)


# ------------------------------------------------------------------------------------------------------
# The common shape, written lean
# ------------------------------------------------------------------------------------------------------

_ROOT_CONTENT_TYPE = "text/xml; charset=utf-8"
_ENVELOPE_CONTENT_TYPE = 'multipart/related; type="text/xml"'


def _encode_common_shape(children: list[Part]) -> EncodedBody | None:
    """The body :func:`encode_multipart` writes for an SwA envelope, by a shorter route; None off that route.

    The route covers what mm7 sends nearly always: random boundaries; the root part, then parts of exactly
    the :class:`Part` type that are in-memory payloads or multiparts of such payloads (one nesting level),
    without further headers. Anything else (files, extra headers, deeper nesting, and every input the
    general path refuses: duplicate Content-IDs, CR or LF in a header value, an unparsable Content-Type, a
    dangling ``start``, an empty multipart) gives None, and the general path encodes it or raises. The
    segments, Content-Type and length are those of the general path (the tests compare both), boundaries
    drawn in the same order.
    """
    if not _unique_leaf_ids(children):
        return None
    try:
        return _write_common_shape(children)
    except _OffRoute:
        return None


class _OffRoute(Exception):
    """The input leaves the common shape: the general path takes it."""


def _unique_leaf_ids(children: list[Part]) -> bool:
    """Whether the parts are of the common shape as to nesting and type, their Content-IDs all distinct."""
    seen: set[str] = set()

    def unseen(content_id: str | None) -> bool:
        if content_id is None:
            return True
        if content_id in seen:
            return False
        seen.add(content_id)
        return True

    for part in children:
        if type(part) is not Part or part.headers or not unseen(part.content_id):
            return False
        nested = part.children
        if nested is None:
            if part.data is None:
                return False
            continue
        for child in nested:
            if type(child) is not Part or child.children is not None or child.data is None or child.headers:
                return False
            if not unseen(child.content_id):
                return False
    return True


def _write_common_shape(children: list[Part]) -> EncodedBody:
    """The segments of :func:`_encode_children` for the envelope (raises :class:`_OffRoute` off the route)."""
    root_id = children[0].content_id
    if root_id is None or strip_angle(root_id) != root_id:
        raise _OffRoute  # the envelope's `start` would not name the root part
    # The envelope's `start` names its first child, the root part, and its `type` is already given.
    boundary = _new_boundary()
    delimiter = b"\r\n--" + boundary.encode()
    out: list[Segment] = []
    length = 0
    lead = delimiter[2:] + b"\r\n"
    for part in children:
        nested = part.children
        if nested is None:
            length += _append_leaf(part, lead, out)
        else:
            length += _append_multipart(part, nested, lead, out)
        lead = delimiter + b"\r\n"
    close = delimiter + b"--\r\n"
    out.append(close)
    content_type = _envelope_type_before_boundary(root_id) + f"; boundary={quote_param(boundary)}"
    return EncodedBody(content_type, length + len(close), tuple(out))


def _append_leaf(part: Part, lead: bytes, out: list[Segment]) -> int:
    data = part.data
    assert data is not None  # by the route's shape
    binary_head, text_head = _leaf_heads(part.content_type, part.content_id, part.content_location)
    head = lead + (text_head if text_head is not None and _is_8bit(data) else binary_head)
    out += (head, data)
    return len(head) + len(data)


def _append_multipart(part: Part, nested: list[Part], lead: bytes, out: list[Segment]) -> int:
    if not nested:
        raise _OffRoute
    content_type = part.content_type
    root_type = root_id = None
    if _media_type_and_params(content_type)[0] == "multipart/related":
        start = part.start
        root = nested[0] if start is None else _child_with_id(nested, start)
        root_type, root_id = root.content_type, root.content_id
    opening, closing = _multipart_head(
        content_type, root_type, root_id, part.content_id, part.content_location
    )
    boundary = _new_boundary()
    delimiter = b"\r\n--" + boundary.encode()
    slot = len(out)
    out.append(b"")  # the header block, written once the Content-Type is known
    length = 0
    child_lead = delimiter[2:] + b"\r\n"
    for child in nested:
        length += _append_leaf(child, child_lead, out)
        child_lead = delimiter + b"\r\n"
    close = delimiter + b"--\r\n"
    out.append(close)
    head = b"".join((lead, opening, quote_param(boundary).encode(), closing))
    out[slot] = head
    return len(head) + length + len(close)


def _child_with_id(nested: list[Part], content_id: str) -> Part:
    """The first of ``nested`` with this Content-ID (a ``start``); off the route when none has it."""
    for child in nested:
        if child.content_id == content_id:
            return child
    raise _OffRoute


@functools.lru_cache(maxsize=256)
def _multipart_head(
    content_type: str,
    root_type: str | None,
    root_id: str | None,
    content_id: str | None,
    location: str | None,
) -> tuple[bytes, bytes]:
    """A nested multipart's header block, as :func:`_header_block` writes it, cut around its boundary value.

    ``root_type`` and ``root_id`` are its root part's, for a ``multipart/related`` (RFC 2387's ``type`` and
    ``start``), else None. Cached: the content parts mm7 sends repeat; only the boundary differs.
    """
    params = _media_type_and_params(content_type)[1]
    extra: tuple[tuple[str, str], ...] = ()
    if root_type is not None:
        if "type" not in params:
            extra += (("type", _media_type_and_params(root_type)[0]),)
        if root_id is not None:
            extra += (("start", f"<{root_id}>"),)
    # The boundary holds no CR or LF: the block has one exactly when its text around the boundary has one.
    head_text = _head_text(_params_before_boundary(content_type, extra), None, content_id, location)
    if head_text is None:
        raise _OffRoute
    end = head_text.index("\r\n")  # the end of the Content-Type line, after the boundary parameter
    return _encoded(head_text[:end] + "; boundary="), _encoded(head_text[end:])


@functools.lru_cache(maxsize=64)
def _envelope_type_before_boundary(root_id: str) -> str:
    """The SwA envelope's Content-Type up to its boundary: its ``start`` names the root part."""
    return _params_before_boundary(_ENVELOPE_CONTENT_TYPE, (("start", f"<{root_id}>"),))


@functools.lru_cache(maxsize=256)
def _params_before_boundary(content_type: str, extra: tuple[tuple[str, str], ...]) -> str:
    """What :func:`_with_params` gives for ``extra`` then a boundary, up to the boundary parameter."""
    kept = _without_params(content_type, (*(key for key, _ in extra), "boundary"))
    return kept + "".join(f"; {k}={quote_param(v)}" for k, v in extra)


def _media_type_and_params(content_type: str) -> tuple[str, dict[str, str]]:
    """The shared parse (not to be changed); an unparsable value is the general path's to report."""
    try:
        return parse_content_type_shared(content_type)
    except MIMEError:
        raise _OffRoute from None


@functools.lru_cache(maxsize=512)
def _leaf_heads(
    content_type: str, content_id: str | None, location: str | None
) -> tuple[bytes, bytes | None]:
    """A leaf's header block without its lead, as :func:`_header_block` writes it (cached: parts repeat).

    Two variants: with ``Content-Transfer-Encoding: binary``, and for a ``text/*`` type with ``8bit``
    (None for other types); which one applies depends on the payload (:func:`_transfer_encoding`).
    """
    text_type = _media_type_and_params(content_type)[0].startswith("text/")
    binary = _head_text(content_type, "binary", content_id, location)
    if binary is None:
        raise _OffRoute
    eight_bit = _head_text(content_type, "8bit", content_id, location) if text_type else None
    return _encoded(binary), None if eight_bit is None else _encoded(eight_bit)


def _encoded(text: str) -> bytes:
    try:
        return text.encode()
    except UnicodeEncodeError:  # the general path's error names the position in its whole block
        raise _OffRoute from None


def _head_text(
    content_type: str, cte: str | None, content_id: str | None, location: str | None
) -> str | None:
    """The header lines of a part without further headers, then the empty line; None for a CR or LF."""
    if _has_line_break(content_type):
        return None
    lines = ["Content-Type: ", content_type, "\r\n"]
    if cte is not None:
        lines += ("Content-Transfer-Encoding: ", cte, "\r\n")
    if content_id is not None:
        if _has_line_break(content_id):
            return None
        lines += ("Content-ID: <", content_id, ">\r\n")
    if location is not None:
        if _has_line_break(location):
            return None
        lines += ("Content-Location: ", location, "\r\n")
    lines.append("\r\n")
    return "".join(lines)


def _has_line_break(value: str) -> bool:
    return "\r" in value or "\n" in value


def encode_single(root: bytes) -> EncodedBody:
    """Encode a bare ``text/xml; charset=utf-8`` body (a SOAP message without attachments).

    Args:
        root: The serialized SOAP envelope (UTF-8).

    Returns:
        The encoded body.
    """
    data = bytes(root)
    return EncodedBody("text/xml; charset=utf-8", len(data), (data,))
