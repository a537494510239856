"""Encoding SwA bodies: ``multipart/related`` (RFC 2387) with exact Content-Length, files streamed lazily.

The result is an :class:`~mm7.codec.mime.EncodedBody`: the ``Content-Type`` value, the ``Content-Length``
computed from data lengths and file sizes (a file's size is read with ``stat()``; no file is opened here),
and segments that yield the body when iterated, file payloads 64 KiB at a time.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from mm7.codec.mime.model import (
    CRLF,
    EncodedBody,
    Part,
    Segment,
    Stream,
    check_boundary,
    check_header_value,
    parse_content_type,
    quote_param,
)
from mm7.errors import ConfigError, LocalCodecError

__all__ = ["encode_multipart", "encode_related", "encode_single"]


def _new_boundary() -> str:
    # 128 random bits: content fixed before the boundary is drawn cannot contain it except by a
    # ~2**-128 accident per position, so file payloads need not be scanned (RFC 2046 §5.1.1 only
    # asks that the delimiter not occur in the encapsulated parts).
    return "=_mm7_" + secrets.token_hex(16)


def _transfer_encoding(part: Part) -> str:
    # RFC 2045 §2.8: 8bit means CRLF lines of at most 998 octets and no NUL; else it is binary.
    if part.data is not None and part.media_type.startswith("text/") and _is_8bit(part.data):
        return "8bit"
    return "binary"


def _is_8bit(data: bytes) -> bool:
    if b"\0" in data:
        return False
    lines = data.split(CRLF)
    return all(len(line) <= 998 and b"\r" not in line and b"\n" not in line for line in lines)


def _header_block(headers: Sequence[tuple[str, str]]) -> bytes:
    out = bytearray()
    for name, value in headers:
        check_header_value(name, value)
        out += f"{name}: {value}".encode() + CRLF
    return bytes(out + CRLF)


def _part_headers(part: Part, content_type: str, cte: str | None) -> list[tuple[str, str]]:
    headers = [("Content-Type", content_type)]
    if cte is not None:
        headers.append(("Content-Transfer-Encoding", cte))
    if part.content_id is not None:
        headers.append(("Content-ID", f"<{part.content_id}>"))
    if part.content_location is not None:
        headers.append(("Content-Location", part.content_location))
    skip = {"content-type", "content-transfer-encoding", "content-id", "content-location"}
    headers.extend((k, v) for k, v in part.headers if k.lower() not in skip)
    return headers


def _with_params(content_type: str, extra: Sequence[tuple[str, str]]) -> str:
    """Rebuild a Content-Type value, replacing ``extra``'s parameters (boundary, start, type)."""
    media_type, params = parse_content_type(content_type)
    for key, _ in extra:
        params.pop(key, None)
    items = [*params.items(), *extra]
    return "; ".join([media_type, *(f"{k}={quote_param(v)}" for k, v in items)])


def _encode_part(part: Part) -> tuple[list[Segment], int]:
    """Return the segments for one part (headers + payload) and their total length."""
    if part.children is None:
        head = _header_block(_part_headers(part, part.content_type, _transfer_encoding(part)))
        if part.data is not None:
            return [head, part.data], len(head) + len(part.data)
        size = part.size  # one stat() now; streaming checks the file still has this size
        return [head, Stream(part, size)], len(head) + size
    content_type, segments, length = _encode_children(part)
    # RFC 2045 §6.4: a multipart entity may only be 7bit/8bit/binary; we leave the header out.
    head = _header_block(_part_headers(part, content_type, None))
    return [head, *segments], len(head) + length


def _encode_children(part: Part, boundary: str | None = None) -> tuple[str, list[Segment], int]:
    children = part.children or []
    if not children:
        raise LocalCodecError("a multipart part needs at least one child (RFC 2046 §5.1.1)")
    _check_unique_ids(children)
    extra: list[tuple[str, str]] = []
    if part.media_type == "multipart/related":
        # RFC 2387 §3.1/§3.2: `type` is the root's media type, `start` its Content-ID.
        root = _related_root(part, children)
        if "type" not in part.params:
            extra.append(("type", root.media_type))
        if root.content_id is not None:
            extra.append(("start", f"<{root.content_id}>"))
    encoded = [_encode_part(child) for child in children]
    body, boundary = _frame(encoded, boundary)
    content_type = _with_params(part.content_type, [*extra, ("boundary", boundary)])
    return content_type, body, sum(len(s) if isinstance(s, bytes) else s.size for s in body)


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


def _frame(encoded: Sequence[tuple[list[Segment], int]], boundary: str | None) -> tuple[list[Segment], str]:
    """Join encoded parts with delimiter lines (RFC 2046 §5.1.1), choosing a safe boundary."""
    if boundary is None:
        # 128 random bits from secrets: content fixed before the draw contains it with probability
        # ~2**-128, so scanning every in-memory payload for it (the dominant encode cost) buys nothing.
        boundary = _new_boundary()
    else:
        check_boundary(boundary)
        # Segments are scanned one by one: an occurrence cannot straddle two of them, since each joint
        # between segments is next to a CR or LF (header block end, delimiter line) and bchars have none.
        needle = b"--" + boundary.encode()
        for segments, _ in encoded:
            for s in segments:
                if isinstance(s, bytes) and needle in s:
                    raise LocalCodecError(f"boundary {boundary!r} occurs in the content")
    delimiter = b"--" + boundary.encode("ascii")
    body: list[Segment] = []
    for index, (segments, _) in enumerate(encoded):
        # The CRLF before a delimiter belongs to the delimiter, not to the previous part.
        body.append((CRLF if index else b"") + delimiter + CRLF)
        body.extend(segments)
    body.append(CRLF + delimiter + b"--" + CRLF)
    return _merge_bytes(body), boundary


#: In-memory payloads at least this large stay segments of their own when runs of bytes are merged.
_MERGE_LIMIT = 8 * 1024


def _merge_bytes(segments: Sequence[Segment]) -> list[Segment]:
    """Join each run of small byte segments into one (fewer, larger writes when streaming).

    A large payload is kept as it is: joining it with its neighbours here, and again at every nesting
    level, would copy it each time; ``to_bytes`` copies it once.
    """
    merged: list[Segment] = []
    run: list[bytes] = []
    for seg in segments:
        if isinstance(seg, bytes) and len(seg) < _MERGE_LIMIT:
            run.append(seg)
            continue
        if run:
            merged.append(b"".join(run))
            run = []
        merged.append(seg)
    if run:
        merged.append(b"".join(run))
    return merged


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
    content_type, segments, length = _encode_children(part, boundary)
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
    root_id = root_content_id or f"soap-{secrets.token_hex(8)}@mm7"
    root_part = Part("text/xml; charset=utf-8", root_id, data=bytes(root))
    envelope = Part(
        'multipart/related; type="text/xml"', start=root_part.content_id, children=[root_part, *attachments]
    )
    return encode_multipart(envelope, boundary=boundary)


def encode_single(root: bytes) -> EncodedBody:
    """Encode a bare ``text/xml; charset=utf-8`` body (a SOAP message without attachments).

    Args:
        root: The serialized SOAP envelope (UTF-8).

    Returns:
        The encoded body.
    """
    data = bytes(root)
    return EncodedBody("text/xml; charset=utf-8", len(data), (data,))
