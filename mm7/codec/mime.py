"""SOAP-with-Attachments MIME layer: ``multipart/related`` encode and decode, sans-IO.

MM7 (3GPP TS 23.140 §8.4 / Annex) carries a SOAP 1.1 envelope as the root part of a
``multipart/related`` body (RFC 2387) and the message content as further parts referenced
from the envelope by ``cid:`` URLs (RFC 2392).

Encoding produces an :class:`EncodedBody`: the ``Content-Type`` header value, an exact
``Content-Length`` computed without reading any file, and an iterator of byte chunks in which
file payloads are read lazily, 64 KiB at a time.

Decoding is incremental: :class:`MultipartDecoder` is fed chunks and never buffers more than a
boundary line, one header line, or a payload below ``spool_threshold``; larger payloads go to a
caller-supplied sink (e.g. :class:`tempfile.SpooledTemporaryFile`). Every :class:`Limits` value is
checked while parsing. Malformed input only ever raises :class:`~mm7.errors.MM7Error` subclasses
(:class:`~mm7.errors.MIMEError`, :class:`~mm7.errors.LimitExceededError`). Tolerated deviations
from the RFCs (bare LF, ``start`` without ``<>``, no closing delimiter ...) are listed in
:attr:`DecodedBody.deviations` as :class:`~mm7.codec.deviations.Deviation` values with path ``MIME`` and kind
``mime-framing`` (structure, line ends, headers, transfer encodings) or ``content-reference`` (``start``,
Content-ID and ``href`` references that do not match exactly).
"""

from __future__ import annotations

import binascii
import functools
import io
import mimetypes
import posixpath
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value
from enum import Enum
from pathlib import Path
from typing import IO, Protocol, overload
from urllib.parse import unquote

from mm7.codec.deviations import Deviation, DeviationKind
from mm7.errors import ConfigError, LimitExceededError, LocalCodecError, MIMEError

__all__ = [
    "DecodedBody",
    "EncodedBody",
    "Limits",
    "MultipartDecoder",
    "Part",
    "decode",
    "encode_multipart",
    "encode_related",
    "encode_single",
]

CRLF = b"\r\n"
#: Files are streamed in chunks of this size; never read whole.
CHUNK_SIZE = 64 * 1024
#: Media types a non-multipart body may have and still be read as a bare SOAP envelope.
XML_MEDIA_TYPES = frozenset({"text/xml", "application/soap+xml", "application/xml"})
#: RFC 5322 §2.2: a header field name is printable US-ASCII except the colon.
_HEADER_NAME_RE = re.compile(r"[\x21-\x39\x3b-\x7e]+")
#: RFC 2046 §5.1.1: boundaries are at most 70 characters.
_MAX_BOUNDARY = 70
#: RFC 2046 §5.1.1 bchars: the characters allowed in a boundary (the last one must not be a space).
_BCHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")

BinarySink = IO[bytes]


# --------------------------------------------------------------------------------------------
# Header helpers
# --------------------------------------------------------------------------------------------


def _parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into a lower-case media type and its parameters (a copy, cached)."""
    media_type, params = _parse_content_type_cached(value)
    return media_type, dict(params)


@functools.lru_cache(maxsize=512)
def _parse_content_type_cached(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into a lower-case media type and its parameters.

    Uses the stdlib compat32 parser, which is lenient the way peers need it to be: it accepts
    unquoted values with tspecials (``boundary=----=_Part_1``, ``start=<a@b>``) and RFC 2231
    encoded/continued parameters. A missing or invalid type becomes ``text/plain`` (RFC 2045 §5.2).
    """
    msg = Message()
    msg.set_raw("Content-Type", value)
    try:
        media_type = msg.get_content_type()
        raw_params = msg.get_params() or []
    except Exception as exc:  # the stdlib parser is not hardened against every garbage input
        raise MIMEError(f"unparsable Content-Type {value[:80]!r}") from exc
    params: dict[str, str] = {}
    for key, val in raw_params[1:]:
        if not key:
            continue
        text = collapse_rfc2231_value(val) if isinstance(val, tuple) else val
        params.setdefault(key.lower(), str(text))
    return media_type, params


def _strip_angle(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "<" and value[-1] == ">":
        return value[1:-1].strip()
    return value


def _has_angle(value: str) -> bool:
    value = value.strip()
    return value.startswith("<") and value.endswith(">")


def _quote_param(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_header_value(name: str, value: str) -> None:
    # A CR or LF in a header value would let data inject headers or end the header block.
    if "\r" in value or "\n" in value:
        raise ConfigError(f"{name} must not contain CR or LF: {value!r}")


def _check_boundary(boundary: str) -> None:
    # RFC 2046 §5.1.1: 1 to 70 bchars, not ending with a space.
    if not 1 <= len(boundary) <= 70 or not set(boundary) <= _BCHARS or boundary.endswith(" "):
        raise ConfigError(f"invalid multipart boundary {boundary!r} (RFC 2046 §5.1.1)")


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


class _TextFactory(Protocol):
    def __call__(
        self, text: str, charset: str = "utf-8", subtype: str = "plain", *, content_id: str | None = None
    ) -> Part: ...


class _TextAccessor:
    """``Part.text(...)`` builds a text part; ``part.text()`` decodes a part's payload."""

    @overload
    def __get__(self, obj: None, owner: type[Part]) -> _TextFactory: ...
    @overload
    def __get__(self, obj: Part, owner: type[Part]) -> Callable[[], str]: ...
    def __get__(self, obj: Part | None, owner: type[Part]) -> _TextFactory | Callable[[], str]:
        if obj is None:
            return owner.from_text
        return obj.decode_text


@dataclass(frozen=True)
class Part:
    """One MIME body part: a leaf payload or a nested multipart.

    Exactly one of ``data``, ``path``, ``file`` or ``children`` holds the payload.

    Attributes:
        content_type: The full Content-Type value, parameters included.
        content_id: Content-ID without angle brackets (RFC 2392), or None.
        content_location: Content-Location value, or None.
        headers: Further headers as (name, value) pairs, emitted after the standard ones.
        data: In-memory payload.
        path: A file whose bytes are the payload; streamed lazily when encoding.
        file: A seekable binary file object holding the payload (the decoder uses this for
            payloads it spooled to a sink); read from offset 0.
        children: Sub-parts of a nested ``multipart/related`` or ``multipart/mixed`` part.
        start: For a nested ``multipart/related``: the Content-ID (no brackets) of its root part;
            None means the first child (RFC 2387 §3.2).
    """

    content_type: str
    content_id: str | None = None
    content_location: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    data: bytes | None = None
    path: Path | None = None
    file: BinarySink | None = field(default=None, compare=False, repr=False)
    children: list[Part] | None = None
    start: str | None = None

    text = _TextAccessor()

    def __post_init__(self) -> None:
        given = [x is not None for x in (self.data, self.path, self.file, self.children)]
        if sum(given) != 1:
            raise ConfigError("a Part needs exactly one of data, path, file or children")
        if self.content_id is not None:
            object.__setattr__(self, "content_id", _strip_angle(self.content_id))
        if self.start is not None:
            object.__setattr__(self, "start", _strip_angle(self.start))
        if self.children is not None and not self.media_type.startswith("multipart/"):
            raise ConfigError(f"a Part with children must be multipart/*, not {self.media_type}")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        content_id: str | None = None,
        content_location: str | None = None,
    ) -> Part:
        """Build a part from in-memory bytes.

        Args:
            data: The payload.
            content_type: Full Content-Type value.
            content_id: Content-ID, with or without angle brackets.
            content_location: Content-Location (often the file name).

        Returns:
            The new part.
        """
        return cls(content_type, content_id, content_location, data=bytes(data))

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        content_type: str | None = None,
        *,
        content_id: str | None = None,
        content_location: str | None = None,
    ) -> Part:
        """Build a part whose payload is read lazily from a file when encoding.

        Args:
            path: The file.
            content_type: Full Content-Type value; guessed from the file name when None.
            content_id: Content-ID, with or without angle brackets.
            content_location: Content-Location (often the file name).

        Returns:
            The new part.
        """
        path = Path(path)
        if content_type is None:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(content_type, content_id, content_location, path=path)

    @classmethod
    def from_text(
        cls, text: str, charset: str = "utf-8", subtype: str = "plain", *, content_id: str | None = None
    ) -> Part:
        """Build a ``text/<subtype>; charset=<charset>`` part (also reachable as ``Part.text(...)``).

        Args:
            text: The text.
            charset: Encoding used for the payload and declared in the header.
            subtype: Text subtype, ``plain`` by default.
            content_id: Content-ID, with or without angle brackets.

        Returns:
            The new part.

        Raises:
            ConfigError: The text cannot be encoded in ``charset``.
        """
        try:
            data = text.encode(charset)
        except (LookupError, UnicodeEncodeError) as exc:
            raise ConfigError(f"cannot encode text as {charset}: {exc}") from exc
        return cls(f"text/{subtype}; charset={charset}", content_id, data=data)

    # -- header views --------------------------------------------------------------------------

    @property
    def media_type(self) -> str:
        """Lower-case ``type/subtype`` without parameters."""
        return _parse_content_type(self.content_type)[0]

    @property
    def params(self) -> dict[str, str]:
        """Content-Type parameters (lower-case names, unquoted values)."""
        return _parse_content_type(self.content_type)[1]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter, or None."""
        return self.params.get("charset")

    @property
    def is_multipart(self) -> bool:
        """True when the part holds children."""
        return self.children is not None

    # -- payload -------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Payload size in bytes (for a multipart: the sum of its children's payloads)."""
        if self.data is not None:
            return len(self.data)
        if self.path is not None:
            return self.path.stat().st_size
        if self.file is not None:
            return self.file.seek(0, io.SEEK_END)
        return sum(child.size for child in self.children or ())

    def iter_bytes(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the payload in chunks (files are never read whole).

        Raises:
            ConfigError: Called on a multipart part.
        """
        if self.data is not None:
            yield self.data
        elif self.path is not None:
            with self.path.open("rb") as fh:
                yield from iter(lambda: fh.read(chunk_size), b"")
        elif self.file is not None:
            self.file.seek(0)
            yield from iter(lambda: self.file.read(chunk_size) if self.file else b"", b"")
        else:
            raise ConfigError("a multipart Part has no payload of its own; use children")

    def read_bytes(self) -> bytes:
        """Return the whole payload in memory."""
        return b"".join(self.iter_bytes())

    def decode_text(self) -> str:
        """Decode the payload as text (also reachable as ``part.text()``).

        The declared charset is tried first; without one, RFC 2046 §4.1.2 says ``us-ascii`` for
        ``text/*`` (XML defaults to UTF-8). If that fails, UTF-8 and then Latin-1 are tried, so
        this never raises for bad bytes.
        """
        raw = self.read_bytes()
        declared = self.charset
        if declared is None:
            declared = "us-ascii" if self.media_type.startswith("text/") else "utf-8"
        for charset in (declared, "utf-8"):
            try:
                return raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
        return raw.decode("latin-1")

    def walk(self) -> Iterator[Part]:
        """Yield this part and every nested part, depth first."""
        yield self
        for child in self.children or ():
            yield from child.walk()


@dataclass(frozen=True)
class Limits:
    """Bounds enforced while decoding untrusted bodies (each hit raises LimitExceededError).

    Attributes:
        max_body_size: Total bytes accepted. 32 MiB is well above what carriers accept for an MMS
            (Sinch: a few hundred KB to ~5 MB) and small enough to keep in memory; a server that
            spools to disk may raise it.
        max_parts: Parts counted over every nesting level. An MMS has a SMIL plus a handful of
            media items; 100 leaves room while stopping "millions of empty parts" bodies.
        max_depth: Multipart nesting levels (the outer body is level 1). MM7 needs 2
            (envelope + content multipart); 4 tolerates odd peers, and stops recursion bombs.
        max_header_line: Length of one header line (and of one unfolded header), and of a
            boundary line's transport padding. 8 KiB is the usual HTTP server limit.
        max_headers_per_part: Headers in one part header block; real parts have 2-6.
        max_part_size: Bytes of one part's encoded body; None means ``max_body_size``.
    """

    max_body_size: int = 32 * 1024 * 1024
    max_parts: int = 100
    max_depth: int = 4
    max_header_line: int = 8 * 1024
    max_headers_per_part: int = 64
    max_part_size: int | None = None

    @property
    def part_size(self) -> int:
        """The effective per-part limit."""
        return self.max_body_size if self.max_part_size is None else self.max_part_size


# --------------------------------------------------------------------------------------------
# Encoder
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stream:
    """A leaf payload streamed at send time; ``size`` is fixed when the body is encoded."""

    part: Part
    size: int


_Segment = bytes | _Stream


@dataclass(frozen=True)
class EncodedBody:
    """A body ready to send: header values plus a re-iterable stream of chunks.

    Attributes:
        content_type: The full Content-Type header value.
        content_length: Exact byte length, computed from data lengths and file sizes.
    """

    content_type: str
    content_length: int
    segments: tuple[_Segment, ...] = field(repr=False)

    def __iter__(self) -> Iterator[bytes]:
        """Yield the body in chunks; files are read 64 KiB at a time, never whole.

        Raises:
            LocalCodecError: A file changed size between encoding and streaming.
        """
        for segment in self.segments:
            if isinstance(segment, bytes):
                yield segment
                continue
            expected, sent = segment.size, 0
            for chunk in segment.part.iter_bytes():
                sent += len(chunk)
                yield chunk
            if sent != expected:
                raise LocalCodecError(f"attachment changed size while streaming ({expected} → {sent})")

    def to_bytes(self) -> bytes:
        """Return the whole body in memory."""
        segments = self.segments
        if all(isinstance(segment, bytes) for segment in segments):
            return b"".join(segments)  # type: ignore[arg-type]  # all bytes, checked just above
        return b"".join(self)

    @property
    def http_headers(self) -> dict[str, str]:
        """``Content-Type`` and ``Content-Length`` as HTTP headers."""
        return {"Content-Type": self.content_type, "Content-Length": str(self.content_length)}


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
        _check_header_value(name, value)
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
    media_type, params = _parse_content_type(content_type)
    for key, _ in extra:
        params.pop(key, None)
    items = [*params.items(), *extra]
    return "; ".join([media_type, *(f"{k}={_quote_param(v)}" for k, v in items)])


def _encode_part(part: Part) -> tuple[list[_Segment], int]:
    """Return the segments for one part (headers + payload) and their total length."""
    if part.children is None:
        head = _header_block(_part_headers(part, part.content_type, _transfer_encoding(part)))
        if part.data is not None:
            return [head, part.data], len(head) + len(part.data)
        size = part.size  # one stat() now; streaming checks the file still has this size
        return [head, _Stream(part, size)], len(head) + size
    content_type, segments, length = _encode_children(part)
    # RFC 2045 §6.4: a multipart entity may only be 7bit/8bit/binary; we leave the header out.
    head = _header_block(_part_headers(part, content_type, None))
    return [head, *segments], len(head) + length


def _encode_children(part: Part, boundary: str | None = None) -> tuple[str, list[_Segment], int]:
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


def _frame(encoded: Sequence[tuple[list[_Segment], int]], boundary: str | None) -> tuple[list[_Segment], str]:
    """Join encoded parts with delimiter lines (RFC 2046 §5.1.1), choosing a safe boundary."""
    if boundary is None:
        # 128 random bits from secrets: content fixed before the draw contains it with probability
        # ~2**-128, so scanning every in-memory payload for it (the dominant encode cost) buys nothing.
        boundary = _new_boundary()
    else:
        _check_boundary(boundary)
        # Segments are scanned one by one: an occurrence cannot straddle two of them, since each joint
        # between segments is next to a CR or LF (header block end, delimiter line) and bchars have none.
        needle = b"--" + boundary.encode()
        for segments, _ in encoded:
            for s in segments:
                if isinstance(s, bytes) and needle in s:
                    raise LocalCodecError(f"boundary {boundary!r} occurs in the content")
    delimiter = b"--" + boundary.encode("ascii")
    body: list[_Segment] = []
    for index, (segments, _) in enumerate(encoded):
        # The CRLF before a delimiter belongs to the delimiter, not to the previous part.
        body.append((CRLF if index else b"") + delimiter + CRLF)
        body.extend(segments)
    body.append(CRLF + delimiter + b"--" + CRLF)
    return _merge_bytes(body), boundary


#: In-memory payloads at least this large stay segments of their own when runs of bytes are merged.
_MERGE_LIMIT = 8 * 1024


def _merge_bytes(segments: Sequence[_Segment]) -> list[_Segment]:
    """Join each run of small byte segments into one (fewer, larger writes when streaming).

    A large payload is kept as it is: joining it with its neighbours here, and again at every nesting
    level, would copy it each time; ``to_bytes`` copies it once.
    """
    merged: list[_Segment] = []
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


# --------------------------------------------------------------------------------------------
# Decoder: results
# --------------------------------------------------------------------------------------------


@dataclass
class DecodedBody:
    """A decoded SwA body.

    Attributes:
        root: The SOAP part.
        attachments: Every other top-level part, nested multiparts kept with their children.
        deviations: Each tolerated deviation from the RFCs, in the order met: path ``MIME``, kind
            ``mime-framing`` or ``content-reference``.
    """

    root: Part
    attachments: list[Part] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)

    def iter_parts(self) -> Iterator[Part]:
        """Yield the attachments and every nested part, depth first (the root excluded)."""
        for part in self.attachments:
            yield from part.walk()

    def find(self, ref: str) -> Part | None:
        """Resolve an ``href`` to a part as :meth:`resolve` does, without saying what was repaired.

        Args:
            ref: The reference, e.g. the ``href`` of MM7's ``Content`` element.

        Returns:
            The part, or None when nothing matches or two parts would.
        """
        return self.resolve(ref)[0]

    def resolve(self, ref: str) -> tuple[Part | None, Deviation | None]:
        """Resolve an ``href`` to a part, searching nested parts too, and say which repair it needed.

        Exact references come first and need no repair: ``cid:x`` naming Content-ID ``x`` (the scheme in any
        letter case, ``x`` percent-decoded, RFC 2392) and a reference equal to a part's Content-Location
        (RFC 2557). Otherwise these repairs are tried in order, the first that finds a part winning:

        1. stray spaces (``cid: x``, `` cid:x ``) and angle brackets (``cid:<x>``) around the Content-ID;
        2. ``cid`` without its colon (``cidx``), when ``x`` is a Content-ID and ``cidx`` is not;
        3. no ``cid:`` scheme at all (``x``, ``<x>``);
        4. a Content-Location equal to the repaired reference (also behind a ``cid:`` scheme);
        5. a Content-Location with the same file name, or a Content-ID equal but for letter case: these
           weak matches are taken only when together they point at one part.

        It never picks between two candidates: two parts with the matching Content-Location, or weak
        matches on two parts, give ``(None, None)``.

        Args:
            ref: The reference, e.g. the ``href`` of MM7's ``Content`` element.

        Returns:
            ``(part, None)`` for an exact reference; ``(part, deviation)`` for a repaired one, the deviation
            (kind ``content-reference``, path ``MIME``) saying what was wrong; ``(None, None)`` when no part,
            or more than one, matches.
        """
        return _resolve(list(self.iter_parts()), ref)

    def close(self) -> None:
        """Close every spooled sink held by the parts."""
        for part in [self.root, *self.iter_parts()]:
            if part.file is not None:
                part.file.close()


def _resolve(parts: Sequence[Part], ref: str) -> tuple[Part | None, Deviation | None]:
    """:meth:`DecodedBody.resolve` over ``parts``."""
    by_id: dict[str, Part] = {}
    for part in parts:
        if part.content_id is not None:
            by_id.setdefault(part.content_id, part)
    # Exact: a cid: URL (RFC 2392) or a Content-Location (RFC 2557).
    if ref[:4].lower() == "cid:":
        for want in _distinct(unquote(ref[4:]), ref[4:]):
            if want in by_id:
                return by_id[want], None
    else:
        wanted = _distinct(ref, unquote(ref))
        located = [p for p in parts if p.content_location is not None and p.content_location in wanted]
        if located:
            return (located[0], None) if len(located) == 1 else (None, None)
    # 1. Stray spaces and angle brackets around the Content-ID.
    problems: list[str] = []
    text = ref.strip()
    if text != ref:
        _note(problems, "has stray spaces")
    has_scheme = text[:4].lower() == "cid:"
    value = text[4:] if has_scheme else text
    if value != value.strip():
        _note(problems, "has stray spaces")
        value = value.strip()
    if len(value) >= 2 and value[0] == "<" and value[-1] == ">":
        _note(problems, "puts the Content-ID in angle brackets")
        if value[1:-1] != value[1:-1].strip():
            _note(problems, "has stray spaces")
        value = value[1:-1].strip()
    values = _distinct(unquote(value), value)
    if has_scheme:
        for want in values:
            if want in by_id:
                return by_id[want], _reference_deviation(ref, problems, f"Content-ID {want!r}")
    else:
        as_id = next((by_id[want] for want in values if want in by_id), None)
        # 2. `cid` without its colon, unless the whole text is a Content-ID of another part too.
        if text[:3].lower() == "cid":
            rest = text[3:]
            colon = next((by_id[w] for w in _distinct(unquote(rest), rest) if w in by_id), None)
            if colon is not None:
                if as_id is not None and as_id is not colon:
                    return None, None
                found = colon.content_id
                return colon, _reference_deviation(
                    ref, [*problems, "lacks the ':' after 'cid'"], f"Content-ID {found!r}"
                )
        # 3. No scheme at all.
        if as_id is not None:
            found = as_id.content_id
            return as_id, _reference_deviation(
                ref, ["has no cid: scheme", *problems], f"Content-ID {found!r}"
            )
    if has_scheme:
        _note(problems, "names a Content-Location as a cid: URL")
    # 4. A Content-Location equal to the repaired reference.
    located = [p for p in parts if p.content_location is not None and p.content_location in values]
    if len(located) > 1:
        return None, None
    if located:
        return located[0], _reference_deviation(
            ref, problems, f"Content-Location {located[0].content_location!r}"
        )
    # 5. Weak matches: the same file name, or a Content-ID in other letter case; one part or none.
    weak: dict[int, tuple[Part, list[str], str]] = {}
    names = {name for name in (posixpath.basename(v) for v in values) if name}
    for part in parts:
        location = part.content_location
        if location and posixpath.basename(location) in names:
            why = [*problems, "matches a Content-Location only by file name"]
            weak.setdefault(id(part), (part, why, f"Content-Location {location!r}"))
    folded = {v.casefold() for v in values}
    for part in parts:
        if part.content_id is not None and part.content_id.casefold() in folded:
            why = [p for p in problems if "Content-Location" not in p]
            why = [*why, "names the Content-ID in other letter case"]
            if not has_scheme:
                why.insert(0, "has no cid: scheme")
            weak.setdefault(id(part), (part, why, f"Content-ID {part.content_id!r}"))
    if len(weak) != 1:
        return None, None
    ((part, why, target),) = weak.values()
    return part, _reference_deviation(ref, why, target)


def _distinct(*values: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _note(problems: list[str], problem: str) -> None:
    if problem not in problems:
        problems.append(problem)


def _reference_deviation(ref: str, problems: list[str], target: str) -> Deviation | None:
    if not problems:
        return None
    reason = f"Content href {ref!r} {' and '.join(problems)}; read as the part with {target}"
    return Deviation("content-reference", reason, _MIME_PATH)


# --------------------------------------------------------------------------------------------
# Decoder: transfer encodings (RFC 2045 §6), each incremental
# --------------------------------------------------------------------------------------------


class _Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def close(self) -> bytes:
        return b""


class _Base64:
    """RFC 2045 §6.8; line breaks and other whitespace between characters are ignored."""

    def __init__(self, deviations: _Deviations) -> None:
        self._pending = b""
        self._deviations = deviations

    def feed(self, data: bytes) -> bytes:
        data = self._pending + data.translate(None, b" \t\r\n")
        cut = len(data) - len(data) % 4
        self._pending = data[cut:]
        return self._decode(data[:cut])

    def close(self) -> bytes:
        if not self._pending:
            return b""
        if len(self._pending) == 1:
            raise MIMEError("bad base64: truncated data")
        self._deviations.add("mime-framing", "base64 part without '=' padding")
        return self._decode(self._pending + b"=" * (-len(self._pending) % 4))

    @staticmethod
    def _decode(data: bytes) -> bytes:
        try:
            return binascii.a2b_base64(data, strict_mode=True)
        except binascii.Error as exc:
            raise MIMEError(f"bad base64: {exc}") from exc


class _QuotedPrintable:
    """RFC 2045 §6.7, decoded a line at a time so soft breaks never straddle chunks."""

    _MAX_PENDING = 64 * 1024

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        data = self._pending + data
        cut = data.rfind(b"\n") + 1
        if not cut and len(data) > self._MAX_PENDING:
            # Over-long line (RFC 2045 says 76): decode all but a possibly split "=XX" escape.
            eq = data.rfind(b"=", len(data) - 2)
            cut = eq if eq >= 0 else len(data)
        self._pending = data[cut:]
        return binascii.a2b_qp(data[:cut])

    def close(self) -> bytes:
        data, self._pending = self._pending, b""
        return binascii.a2b_qp(data)


class _Decoder(Protocol):
    def feed(self, data: bytes) -> bytes: ...
    def close(self) -> bytes: ...


def _transfer_decoder(name: str | None, deviations: _Deviations) -> _Decoder:
    cte = (name or "7bit").strip().lower()
    if cte in {"7bit", "8bit", "binary"}:
        return _Identity()
    if cte == "base64":
        return _Base64(deviations)
    if cte == "quoted-printable":
        return _QuotedPrintable()
    raise MIMEError(f"unknown Content-Transfer-Encoding {cte!r} (RFC 2045 §6.1)")


# --------------------------------------------------------------------------------------------
# Decoder: shared state and payload collection
# --------------------------------------------------------------------------------------------


_BARE_LF = "bare LF line endings instead of CRLF"
_NO_CLOSE = (
    "no closing delimiter: the multipart ends after its last part without --boundary-- (RFC 2046 §5.1.1)"
)
_NO_CLOSE_DASHES = "no closing delimiter: the last delimiter line lacks the final '--' (RFC 2046 §5.1.1)"


#: The ``path`` of every deviation the MIME layer reports.
_MIME_PATH = "MIME"


class _Deviations(list[Deviation]):
    """The deviations met so far, each once, in the order they were met."""

    def add(self, kind: DeviationKind, reason: str) -> None:
        deviation = Deviation(kind, reason, _MIME_PATH)
        if deviation not in self:
            self.append(deviation)


@dataclass
class _Context:
    limits: Limits
    sink_factory: Callable[[], BinarySink]
    spool_threshold: int
    deviations: _Deviations = field(default_factory=_Deviations)
    part_count: int = 0
    content_ids: set[str] = field(default_factory=set)
    #: Largest SOAP (root) part, in decoded bytes, refused while reading; None: only ``part_size``.
    max_root_size: int | None = None
    #: The outer ``start`` parameter (no brackets), which names the root part; None: the first part.
    root_id: str | None = None


def _root_too_large(limit: int) -> LimitExceededError:
    # The same limit name as the XML parser's size check (mm7.codec.xml.parse_xml), enforced earlier.
    return LimitExceededError(
        f"SOAP part over the {limit}-byte limit (refused while reading)", limit="xml.max_size"
    )


class _Payload:
    """Collects a leaf payload in memory, moving it to a sink once it passes the threshold."""

    def __init__(self, ctx: _Context, limit: int | None = None) -> None:
        self._ctx = ctx
        self._buffer = bytearray()
        self._sink: BinarySink | None = None
        self._limit = limit  # the SOAP part's size limit when this payload is the root part
        self._size = 0

    def write(self, data: bytes) -> None:
        self._size += len(data)
        if self._limit is not None and self._size > self._limit:
            raise _root_too_large(self._limit)
        if self._sink is not None:
            self._sink.write(data)
            return
        self._buffer += data
        if len(self._buffer) > self._ctx.spool_threshold:
            self._sink = self._ctx.sink_factory()
            self._sink.write(bytes(self._buffer))
            self._buffer = bytearray()

    def finish(self, head: _PartHead) -> Part:
        h = head
        if self._sink is None:
            return Part(h.content_type, h.content_id, h.content_location, h.extra, data=bytes(self._buffer))
        self._sink.seek(0)
        return Part(h.content_type, h.content_id, h.content_location, h.extra, file=self._sink)


@dataclass
class _PartHead:
    content_type: str
    media_type: str
    params: dict[str, str]
    content_id: str | None
    content_location: str | None
    transfer_encoding: str | None
    extra: tuple[tuple[str, str], ...]


_KNOWN_HEADERS = frozenset({"content-type", "content-id", "content-location", "content-transfer-encoding"})


def _sort_headers(headers: list[tuple[str, str]]) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Split a part's headers into the first of each known one (lower-case name) and the others, in order."""
    found: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for name, value in headers:
        key = name.lower()  # RFC 2045 §3 / RFC 822: header names are case-insensitive
        if key in _KNOWN_HEADERS:
            found.setdefault(key, value.strip())
        else:
            extra.append((name, value.strip()))
    return found, tuple(extra)


def _part_head(headers: list[tuple[str, str]], ctx: _Context) -> _PartHead:
    found, extra = _sort_headers(headers)
    # RFC 2046 §5.1.1: a part without Content-Type is text/plain; charset=us-ascii.
    content_type = found.get("content-type") or "text/plain"
    media_type, params = _parse_content_type(content_type)
    content_id = found.get("content-id")
    if content_id is not None:
        if not _has_angle(content_id):
            ctx.deviations.add(
                "content-reference", "Content-ID without angle brackets (RFC 2392 wants <...>)"
            )
        content_id = _strip_angle(content_id)
        if content_id in ctx.content_ids:
            raise MIMEError(f"duplicate Content-ID {content_id!r}")
        ctx.content_ids.add(content_id)
    return _PartHead(
        content_type,
        media_type,
        params,
        content_id,
        found.get("content-location"),
        found.get("content-transfer-encoding"),
        extra,
    )


# --------------------------------------------------------------------------------------------
# Decoder: the bounded multipart state machine (RFC 2046 §5.1.1)
# --------------------------------------------------------------------------------------------


class _State(Enum):
    PREAMBLE = "preamble"
    HEADERS = "headers"
    BODY = "body"
    EPILOGUE = "epilogue"


class _Kind(Enum):
    NEED_MORE = "need more bytes"
    NOT_DELIMITER = "not a delimiter"
    OPEN = "delimiter"
    CLOSE = "close-delimiter"


@dataclass(frozen=True)
class _Match:
    """A delimiter search result: the content ends at ``content_end``, the next state starts at ``after``."""

    kind: _Kind
    content_end: int = 0
    after: int = 0


_NO_MATCH = _Match(_Kind.NEED_MORE, -1)


class _Consumer(Protocol):
    def feed(self, data: bytes) -> None: ...
    def finish(self) -> Part: ...


class _LeafConsumer:
    def __init__(self, head: _PartHead, ctx: _Context, root_limit: int | None = None) -> None:
        self._head = head
        self._decoder = _transfer_decoder(head.transfer_encoding, ctx.deviations)
        self._payload = _Payload(ctx, root_limit)

    def feed(self, data: bytes) -> None:
        self._payload.write(self._decoder.feed(data))

    def finish(self) -> Part:
        self._payload.write(self._decoder.close())
        return self._payload.finish(self._head)


class _NestedConsumer:
    def __init__(self, head: _PartHead, ctx: _Context, depth: int) -> None:
        boundary = head.params.get("boundary")
        if not boundary:
            raise MIMEError(f"nested {head.media_type} without a boundary parameter")
        self._head = head
        self._ctx = ctx
        self._decoder = _transfer_decoder(head.transfer_encoding, ctx.deviations)
        self._parser = _MultipartParser(boundary, ctx, depth)

    def feed(self, data: bytes) -> None:
        self._parser.feed(self._decoder.feed(data))

    def finish(self) -> Part:
        self._parser.feed(self._decoder.close())
        children = self._parser.finish()
        h = self._head
        start = h.params.get("start")
        if start is not None:
            index, reason = _locate_root(start, children, nested=True)
            if reason is not None:
                self._ctx.deviations.add("content-reference", reason)
                start = children[index].content_id  # None: the first child, RFC 2387's default
        return Part(h.content_type, h.content_id, h.content_location, h.extra, children=children, start=start)


class _MultipartParser:
    """Splits one multipart body into parts, feeding each part's body to a consumer as it arrives."""

    def __init__(self, boundary: str, ctx: _Context, depth: int) -> None:
        if depth > ctx.limits.max_depth:
            raise LimitExceededError(
                f"multipart nesting deeper than {ctx.limits.max_depth}", limit="max_depth"
            )
        try:
            self._delimiter = b"--" + boundary.encode("ascii")
        except UnicodeEncodeError as exc:
            raise MIMEError(f"non-ASCII multipart boundary {boundary[:80]!r}") from exc
        if not 1 <= len(boundary) <= _MAX_BOUNDARY:
            # RFC 2046 §5.1.1: a boundary is 1 to 70 characters; a longer one only costs the scanner.
            raise MIMEError(f"multipart boundary of {len(boundary)} characters (RFC 2046 allows 1-70)")
        self.boundary = boundary
        self._ctx = ctx
        self._depth = depth
        self._buf = bytearray()
        self._state = _State.PREAMBLE
        self._at_start = True  # the first delimiter may open the body without a preceding CRLF
        self._headers: list[tuple[str, str]] = []
        self._head: _PartHead | None = None
        self._consumer: _Consumer | None = None
        self._part_bytes = 0
        self._parts: list[Part] = []

    # -- public ------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if self._state is _State.EPILOGUE:
            return  # RFC 2046 §5.1.1: the epilogue is ignored
        self._buf += data
        while self._step():
            pass

    def finish(self) -> list[Part]:
        """Return the parts once the whole body was fed.

        A body that ends after its last part without the close-delimiter (``--boundary--``) is read with a
        deviation: the last part ends where the body does (a cut-short delimiter line and a final line
        break dropped). A body that ends inside a part's header block, or whose last part is shorter than
        its own ``Content-Length`` header, is truncated: an error.
        """
        if self._state is _State.PREAMBLE:
            raise MIMEError("body is not multipart: no boundary delimiter found")
        if self._state is _State.BODY:
            self._finish_unclosed_part()
        elif self._state is _State.HEADERS:
            if self._headers or self._buf or not self._parts:
                raise MIMEError("unterminated multipart: the body ends inside a part's header block")
            # `--boundary` CRLF and then nothing: a close-delimiter without its final `--`.
            self._ctx.deviations.add("mime-framing", _NO_CLOSE_DASHES)
        return self._parts

    def _finish_unclosed_part(self) -> None:
        """End the last part at the end of the body (no close-delimiter came)."""
        buf = self._buf
        match = self._find_delimiter()
        if match.kind is not _Kind.NEED_MORE:  # pragma: no cover - feed() consumes every whole delimiter
            raise MIMEError("unterminated multipart: unread delimiter at the end of the body")
        if match.content_end >= 0:
            # A delimiter line cut short (`--boundary`, `--boundary-`, padding, a lone CR) ends the part.
            end = match.content_end
            bare_lf = buf[end : end + 1] == b"\n"
        else:
            # The line break that would have come before the delimiter is not the part's content.
            bare_lf = buf.endswith(b"\n") and not buf.endswith(CRLF)
            end = len(buf) - (2 if buf.endswith(CRLF) else 1 if bare_lf else 0)
        self._ctx.deviations.add("mime-framing", _NO_CLOSE)
        if bare_lf:
            self._ctx.deviations.add("mime-framing", _BARE_LF)
        self._emit(end)
        head, consumer = self._head, self._consumer
        assert head is not None and consumer is not None
        declared = _declared_length(head)
        if declared is not None and self._part_bytes < declared:
            raise MIMEError(
                f"truncated multipart: the last part has {self._part_bytes} of the {declared} bytes"
                " its Content-Length declares"
            )
        self._parts.append(consumer.finish())
        self._consumer = None
        self._buf.clear()
        self._state = _State.EPILOGUE

    # -- steps: each returns True when it made progress and may be called again ---------------

    def _step(self) -> bool:
        if self._state is _State.PREAMBLE:
            return self._step_preamble()
        if self._state is _State.HEADERS:
            return self._step_headers()
        if self._state is _State.BODY:
            return self._step_body()
        self._buf.clear()
        return False

    def _find_delimiter(self) -> _Match:
        """Find the first delimiter line in the buffer (RFC 2046 §5.1.1).

        A delimiter is CRLF (or a tolerated bare LF) + ``--boundary`` + transport padding + CRLF;
        a close-delimiter ends in ``--`` instead. At the very start of a body the leading line
        break is absent. A line merely starting with ``--boundary`` and going on with other
        characters is content.
        """
        buf, delim = self._buf, self._delimiter
        if self._at_start and buf.startswith(delim[: len(buf)]):
            if len(buf) < len(delim):
                return _Match(_Kind.NEED_MORE, 0)
            match = self._classify(len(delim), content_end=0)
            if match.kind is not _Kind.NOT_DELIMITER:
                return match
        pos = 0
        while True:
            i = buf.find(b"\n" + delim, pos)
            if i < 0:
                return _NO_MATCH
            crlf = i > 0 and buf[i - 1] == 0x0D
            match = self._classify(i + 1 + len(delim), content_end=i - 1 if crlf else i)
            if match.kind is _Kind.OPEN or match.kind is _Kind.CLOSE:
                if not crlf:
                    self._ctx.deviations.add("mime-framing", _BARE_LF)
                return match
            if match.kind is _Kind.NEED_MORE:
                return match
            pos = i + 1

    def _classify(self, j: int, content_end: int) -> _Match:
        """Classify what follows ``--boundary`` at offset ``j``."""
        buf = self._buf
        following = bytes(buf[j : j + 2])
        if following == b"--":
            return _Match(_Kind.CLOSE, content_end, j + 2)
        if following in (b"", b"-"):
            return _Match(_Kind.NEED_MORE, content_end)
        # Transport padding (LWSP) may sit between the boundary and the line break.
        k = j
        while k < len(buf) and buf[k] in b" \t":
            k += 1
        if k - j > self._ctx.limits.max_header_line:
            raise LimitExceededError("boundary line padding too long", limit="max_header_line")
        rest = bytes(buf[k : k + 2])
        if rest in (b"", b"\r"):
            return _Match(_Kind.NEED_MORE, content_end)
        if rest == CRLF:
            return _Match(_Kind.OPEN, content_end, k + 2)
        if rest[:1] == b"\n":
            self._ctx.deviations.add("mime-framing", _BARE_LF)
            return _Match(_Kind.OPEN, content_end, k + 1)
        return _Match(_Kind.NOT_DELIMITER, content_end)

    def _step_preamble(self) -> bool:
        match = self._find_delimiter()
        if match.kind is _Kind.NEED_MORE:
            keep = len(self._delimiter) + 1  # only what could begin a delimiter line is kept
            if match.content_end < 0 and len(self._buf) > keep:
                del self._buf[: len(self._buf) - keep]
                self._at_start = False
            return False
        if match.kind is _Kind.CLOSE:
            raise MIMEError("multipart body has no parts (close-delimiter first)")
        del self._buf[: match.after]
        self._at_start = False
        self._open_part()
        return True

    def _open_part(self) -> None:
        ctx = self._ctx
        ctx.part_count += 1
        if ctx.part_count > ctx.limits.max_parts:
            raise LimitExceededError(f"more than {ctx.limits.max_parts} parts", limit="max_parts")
        self._state = _State.HEADERS
        self._headers = []
        self._part_bytes = 0

    def _step_headers(self) -> bool:
        limits = self._ctx.limits
        nl = self._buf.find(b"\n")
        if nl < 0:
            if len(self._buf) > limits.max_header_line:
                raise LimitExceededError("header line too long", limit="max_header_line")
            return False
        if nl > limits.max_header_line:
            raise LimitExceededError("header line too long", limit="max_header_line")
        line = bytes(self._buf[:nl])
        del self._buf[: nl + 1]
        if line.endswith(b"\r"):
            line = line[:-1]
        else:
            self._ctx.deviations.add("mime-framing", _BARE_LF)
        if not line:
            self._start_body()
        else:
            self._add_header_line(line)
        return True

    def _add_header_line(self, raw: bytes) -> None:
        limits = self._ctx.limits
        line = _decode_header_bytes(raw, self._ctx.deviations)
        if line[0] in " \t":  # RFC 5322 §2.2.3 folding: a continuation of the previous header
            if not self._headers:
                raise MIMEError("header block starts with a continuation line")
            name, value = self._headers[-1]
            value = f"{value} {line.strip()}"
            if len(value) > limits.max_header_line:
                raise LimitExceededError("unfolded header too long", limit="max_header_line")
            self._headers[-1] = (name, value)
            return
        name, sep, value = line.partition(":")
        name = name.rstrip()
        if not sep or _HEADER_NAME_RE.fullmatch(name) is None:
            raise MIMEError(f"malformed header line {line[:80]!r}")
        if len(self._headers) >= limits.max_headers_per_part:
            raise LimitExceededError(
                f"more than {limits.max_headers_per_part} headers in a part", limit="max_headers_per_part"
            )
        self._headers.append((name.strip(), value.strip()))

    def _start_body(self) -> None:
        head = self._head = _part_head(self._headers, self._ctx)
        consumer: _Consumer
        if head.media_type.startswith("multipart/"):
            consumer = _NestedConsumer(head, self._ctx, self._depth + 1)
        else:
            consumer = _LeafConsumer(head, self._ctx, self._root_limit(head))
        self._consumer = consumer
        self._state = _State.BODY
        self._at_start = True  # an empty body may be followed by the delimiter without a CRLF

    def _root_limit(self, head: _PartHead) -> int | None:
        """The SOAP part's size limit when the part starting now is certainly the root, else None.

        RFC 2387 §3.2: the root is the part whose Content-ID is ``start``, else the first part. A part is
        certainly the root when ``start`` names its Content-ID exactly (Content-IDs are unique), or when
        there is no ``start`` and it is the first part; any other part that may still become the root by
        tolerant repair is checked by :meth:`MultipartDecoder.close` (it spools to a sink meanwhile).
        """
        ctx = self._ctx
        if ctx.max_root_size is None or self._depth != 1:
            return None
        wanted = ctx.root_id
        if (wanted is None and not self._parts) or (wanted is not None and head.content_id == wanted):
            return ctx.max_root_size
        return None

    def _step_body(self) -> bool:
        match = self._find_delimiter()
        if match.kind is _Kind.NEED_MORE:
            keep = len(self._delimiter) + 2  # a partial CRLF--boundary stays buffered
            if match.content_end < 0 and len(self._buf) > keep:
                self._emit(len(self._buf) - keep)
                self._at_start = False
            return False
        self._emit(match.content_end)
        assert self._consumer is not None
        self._parts.append(self._consumer.finish())
        self._consumer = None
        del self._buf[: match.after - match.content_end]
        if match.kind is _Kind.CLOSE:
            # RFC 2046 §5.1.1: everything after the close-delimiter is epilogue, ignored; a
            # missing CRLF after it is therefore harmless.
            self._state = _State.EPILOGUE
            self._buf.clear()
            return False
        self._open_part()
        return True

    def _emit(self, n: int) -> None:
        if n <= 0:
            return
        self._part_bytes += n
        if self._part_bytes > self._ctx.limits.part_size:
            raise LimitExceededError(
                f"part larger than {self._ctx.limits.part_size} bytes", limit="max_part_size"
            )
        chunk = bytes(self._buf[:n])
        del self._buf[:n]
        assert self._consumer is not None
        self._consumer.feed(chunk)


def _declared_length(head: _PartHead) -> int | None:
    """A part's own ``Content-Length`` header (not needed by MIME, some peers send it), or None."""
    for name, value in head.extra:
        if name.lower() == "content-length":
            value = value.strip()
            return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None
    return None


def _decode_header_bytes(raw: bytes, deviations: _Deviations) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        deviations.add("mime-framing", "header bytes that are not UTF-8, read as Latin-1")
        return raw.decode("latin-1")


# --------------------------------------------------------------------------------------------
# Decoder: the public entry points
# --------------------------------------------------------------------------------------------

#: RFC 2387 §3.2: ``start`` holds a Content-ID, i.e. a value in angle brackets (RFC 2392).
_START_IN_BRACKETS = re.compile(r'(?:^|;)\s*start\s*=\s*"?\s*<', re.IGNORECASE)
_NO_BOUNDARY_XML = "multipart/related without boundary; body read as bare XML"
_NO_BOUNDARY_SNIFFED = "multipart/related without boundary; boundary taken from the first delimiter line"
#: Default payload size kept in memory before moving to a sink from ``sink_factory``.
DEFAULT_SPOOL_THRESHOLD = 1024 * 1024


class _Mode(Enum):
    BARE = "bare"  # the whole body is the root part
    SNIFF = "sniff"  # multipart without boundary: decided from the first bytes
    MULTIPART = "multipart"


class MultipartDecoder:
    """Incremental SwA body decoder: ``feed()`` chunks, then ``close()``.

    Memory stays bounded: besides payloads below ``spool_threshold`` only a header line or a
    boundary line is buffered; larger payloads are written to sinks from ``sink_factory``.

    Args:
        content_type: The HTTP Content-Type value, or None when the request had none.
        limits: Bounds enforced while parsing.
        sink_factory: Returns a fresh binary, seekable file object for a large payload
            (a server passes ``tempfile.SpooledTemporaryFile``). Decoded parts keep it as
            :attr:`Part.file`; :meth:`DecodedBody.close` closes them.
        spool_threshold: Payload bytes held in memory before moving to a sink.
        max_root_size: Largest SOAP part (the bare body, or the multipart's root part) in decoded bytes;
            a larger one raises :class:`~mm7.errors.LimitExceededError` (``limit="xml.max_size"``) as soon
            as it is exceeded, so a refused body costs this many bytes, not the body's size. None: only
            ``limits.part_size`` applies (the XML parser checks its own limit later).

    Raises:
        MIMEError: The Content-Type is neither multipart nor XML.
    """

    def __init__(
        self,
        content_type: str | None,
        limits: Limits = Limits(),
        sink_factory: Callable[[], BinarySink] = io.BytesIO,
        *,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
        max_root_size: int | None = None,
    ) -> None:
        if max_root_size is not None and max_root_size < 0:
            raise ConfigError(f"max_root_size must be >= 0, not {max_root_size}")
        self._ctx = _Context(limits, sink_factory, spool_threshold, max_root_size=max_root_size)
        self._received = 0
        self._closed = False
        self._root_type = "text/xml"
        self._start: str | None = None
        self._sniff_buf = bytearray()
        self._parser: _MultipartParser | None = None
        self._payload: _Payload | None = None
        self._mode = self._choose_mode(content_type)

    @property
    def deviations(self) -> list[Deviation]:
        """Deviations noticed so far."""
        return list(self._ctx.deviations)

    def _choose_mode(self, content_type: str | None) -> _Mode:
        if content_type is not None and len(content_type) > self._ctx.limits.max_header_line:
            # The HTTP Content-Type is a header like any other: bounded before its parameters are parsed.
            raise LimitExceededError(
                f"Content-Type longer than {self._ctx.limits.max_header_line} bytes", limit="max_header_line"
            )
        if content_type is None or not content_type.strip():
            self._ctx.deviations.add("mime-framing", "no Content-Type; body read as bare XML")
            return self._bare()
        media_type, params = _parse_content_type(content_type)
        if media_type in XML_MEDIA_TYPES:
            self._root_type = content_type.strip()
            return self._bare()
        if not media_type.startswith("multipart/"):
            raise MIMEError(f"unsupported Content-Type {media_type!r} for a SOAP message")
        if media_type != "multipart/related":
            self._ctx.deviations.add(
                "mime-framing", f"{media_type} body instead of multipart/related (RFC 2387)"
            )
        self._start = params.get("start")
        self._ctx.root_id = None if self._start is None else _strip_angle(self._start)
        if self._start is not None and not _START_IN_BRACKETS.search(content_type):
            self._ctx.deviations.add(
                "content-reference", "start parameter without angle brackets (RFC 2387 §3.2)"
            )
        boundary = params.get("boundary")
        if not boundary:
            return _Mode.SNIFF
        self._parser = _MultipartParser(boundary, self._ctx, 1)
        return _Mode.MULTIPART

    def _bare(self) -> _Mode:
        self._payload = _Payload(self._ctx, self._ctx.max_root_size)
        return _Mode.BARE

    def feed(self, chunk: bytes) -> None:
        """Parse the next chunk of the body.

        Raises:
            MIMEError: The body is malformed.
            LimitExceededError: A limit was hit.
            ConfigError: Called after :meth:`close`.
        """
        if self._closed:
            raise ConfigError("feed() after close()")
        limits = self._ctx.limits
        self._received += len(chunk)
        if self._received > limits.max_body_size:
            raise LimitExceededError(f"body larger than {limits.max_body_size} bytes", limit="max_body_size")
        if self._mode is _Mode.SNIFF:
            self._sniff_buf += chunk
            self._sniff(final=False)
        elif self._mode is _Mode.BARE:
            self._feed_bare(chunk)
        elif self._parser is not None:
            self._parser.feed(chunk)

    def _feed_bare(self, chunk: bytes) -> None:
        if self._received > self._ctx.limits.part_size:
            raise LimitExceededError("root part too large", limit="max_part_size")
        assert self._payload is not None
        self._payload.write(chunk)

    def _sniff(self, final: bool) -> None:
        """Decide how to read a ``multipart/*`` body declared without a boundary parameter."""
        buf = bytes(self._sniff_buf)
        text = buf.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
        limit = self._ctx.limits.max_header_line
        if text.startswith(b"<"):
            # Sinch's published examples declare multipart/related and send a bare envelope.
            self._ctx.deviations.add("mime-framing", _NO_BOUNDARY_XML)
            self._mode = self._bare()
            self._feed_bare(buf)
        elif text.startswith(b"--"):
            newline = text.find(b"\n")
            if newline < 0:
                if len(buf) > limit:
                    raise LimitExceededError("first delimiter line too long", limit="max_header_line")
                if final:
                    raise MIMEError("unterminated multipart: body holds only a delimiter")
                return
            self._start_sniffed_parser(text[2:newline].rstrip(b"\r \t"), buf)
        elif final or len(text) >= 2 or len(buf) > limit:
            raise MIMEError("Content-Type says multipart but the body is neither multipart nor XML")
        else:
            return
        self._sniff_buf = bytearray()

    def _start_sniffed_parser(self, token: bytes, buf: bytes) -> None:
        boundary = token.decode("ascii", "replace")
        if not 1 <= len(boundary) <= 70 or not set(boundary) <= _BCHARS:
            raise MIMEError(f"first line {token[:80]!r} is not a boundary delimiter")
        self._ctx.deviations.add("mime-framing", _NO_BOUNDARY_SNIFFED)
        self._parser = _MultipartParser(boundary, self._ctx, 1)
        self._mode = _Mode.MULTIPART
        self._parser.feed(buf)

    def close(self) -> DecodedBody:
        """Finish decoding and return the parts.

        Returns:
            The decoded body.

        Raises:
            MIMEError: The body is empty, not multipart, or ends inside a part's header block.
        """
        if self._closed:
            raise ConfigError("close() called twice")
        self._closed = True
        if self._mode is _Mode.SNIFF:
            if not self._sniff_buf.strip():
                raise MIMEError("empty body")
            self._sniff(final=True)
        deviations = list(self._ctx.deviations)
        if self._mode is _Mode.BARE:
            assert self._payload is not None
            head = _PartHead(self._root_type, "", {}, None, None, None, ())
            return DecodedBody(self._payload.finish(head), [], deviations)
        assert self._parser is not None
        parts = self._parser.finish()
        index = self._root_index(parts)
        root = parts[index]
        self._check_root_size(root)
        return DecodedBody(root, parts[:index] + parts[index + 1 :], list(self._ctx.deviations))

    def _check_root_size(self, root: Part) -> None:
        """Refuse a root chosen only at the end (``start`` repaired) that is over ``max_root_size``."""
        limit = self._ctx.max_root_size
        if limit is not None and not root.is_multipart and root.size > limit:
            raise _root_too_large(limit)

    def _decode_whole(self, body: bytes) -> DecodedBody | None:
        """Decode a whole body in one pass (:class:`_WholeBody`); None when the incremental parser must.

        Called on a fresh decoder only; it changes no state before it has a result (a ``start`` that must
        be repaired is noted only then), so ``feed()``/``close()`` may follow a None.
        """
        if type(body) is not bytes:
            return None
        if self._mode is _Mode.BARE:
            if len(body) > self._ctx.limits.part_size or len(body) > self._ctx.spool_threshold:
                return None
            self._check_root_size(Part(self._root_type, None, None, (), data=body))
            root = Part(self._root_type, None, None, (), data=body)
            return DecodedBody(root, [], list(self._ctx.deviations))
        if self._mode is not _Mode.MULTIPART or self._parser is None:
            return None
        whole = _WholeBody(self._ctx.limits, self._ctx.spool_threshold)
        try:
            parts = whole.parts(body, self._parser.boundary, 1)
        except (_Bail, MIMEError):
            return None
        index = self._root_index(parts)
        root = parts[index]
        self._check_root_size(root)
        return DecodedBody(root, parts[:index] + parts[index + 1 :], list(self._ctx.deviations))

    def _root_index(self, parts: list[Part]) -> int:
        # RFC 2387 §3.2: the root is the part whose Content-ID is `start`, else the first part.
        if self._start is None:
            return 0
        index, reason = _locate_root(self._start, parts, nested=False)
        if reason is not None:
            self._ctx.deviations.add("content-reference", reason)
        return index


def _locate_root(start: str, parts: Sequence[Part], *, nested: bool) -> tuple[int, str | None]:
    """Find the part a ``start`` parameter names: (index, None), or (index, reason) when repaired.

    RFC 2387 §3.2: the root is the part whose Content-ID is ``start``. When none is, a unique Content-ID
    equal but for letter case is taken; else, for the outer body, the only XML part when the first part is
    not XML; else the first part, which RFC 2387 makes the root when ``start`` is absent.
    """
    wanted = _strip_angle(start)
    for index, part in enumerate(parts):
        if part.content_id == wanted:
            return index, None
    label = "nested multipart start" if nested else "start"
    folded = wanted.casefold()
    same = [i for i, p in enumerate(parts) if p.content_id is not None and p.content_id.casefold() == folded]
    if len(same) == 1:
        found = parts[same[0]].content_id
        return same[0], f"{label} {start!r} matches Content-ID {found!r} only ignoring letter case"
    if not nested and parts[0].media_type not in XML_MEDIA_TYPES:
        xml = [i for i, p in enumerate(parts) if p.media_type in XML_MEDIA_TYPES]
        if len(xml) == 1:
            return xml[0], f"{label} {start!r} names no part; the only XML part is read as the root"
    first = "its first part is read as its root" if nested else "the first part is read as the root"
    return 0, f"{label} {start!r} names no part; {first} (RFC 2387 §3.2)"


# --------------------------------------------------------------------------------------------
# Decoder: one pass over a body held whole in memory
# --------------------------------------------------------------------------------------------


class _Bail(Exception):
    """The in-memory pass met something only the incremental parser handles (or reports) exactly."""


class _WholeBody:
    """One pass over a whole in-memory multipart body, for the common, clean case.

    It reads the same grammar as :class:`_MultipartParser` fed the body in one chunk: the same delimiter
    rules (RFC 2046 §5.1.1), header folding (RFC 5322 §2.2.3), limits and Content-ID bookkeeping. It works
    on offsets with ``bytes.find`` and one ``find(b"\r\n\r\n")`` per header block instead of a line-by-line
    state machine, so a payload is scanned once per boundary and copied once. It never reports anything:
    at the first deviation, limit, error or unusual construct (transport padding, bare LF, truncation...)
    it raises :class:`_Bail` and :func:`decode` runs the incremental parser from scratch, which then
    raises or reports exactly as it always has. Its result, when it has one, equals that parser's.
    """

    def __init__(self, limits: Limits, spool_threshold: int) -> None:
        self._limits = limits
        self._spool_threshold = spool_threshold
        self._part_count = 0
        self._content_ids: set[str] = set()

    def parts(self, data: bytes, boundary: str, depth: int) -> list[Part]:
        """Split one multipart body into parts, recursing into nested multiparts."""
        limits = self._limits
        if depth > limits.max_depth or not 1 <= len(boundary) <= _MAX_BOUNDARY or not boundary.isascii():
            raise _Bail
        delim = b"--" + boundary.encode("ascii")
        content_end, pos, close = self._delimiter(data, delim, 0)  # the preamble is skipped
        if close:
            raise _Bail
        parts: list[Part] = []
        while True:
            self._part_count += 1
            if self._part_count > limits.max_parts:
                raise _Bail
            head, body_start = self._head(data, pos)
            content_end, pos, close = self._delimiter(data, delim, body_start)
            if content_end - body_start > limits.part_size:
                raise _Bail
            parts.append(self._part(head, data[body_start:content_end], depth))
            if close:
                # RFC 2046 §5.1.1: what follows the close-delimiter is epilogue, ignored.
                return parts

    def _delimiter(self, data: bytes, delim: bytes, pos: int) -> tuple[int, int, bool]:
        """(content end, offset after the line, is close-delimiter) of the first delimiter from ``pos`` on.

        Mirrors :meth:`_MultipartParser._find_delimiter` with the part's start as the buffer start.
        """
        size = len(delim)
        if delim.startswith(data[pos : pos + size]):
            # At the start of a body the delimiter may come without the CRLF before it.
            if len(data) - pos < size:
                raise _Bail
            kind = self._classify(data, pos + size)
            if kind is not None:
                return pos, kind[0], kind[1]
        needle = b"\n" + delim
        search = pos
        while True:
            i = data.find(needle, search)
            if i < 0:
                raise _Bail  # truncated: the incremental parser says which way
            kind = self._classify(data, i + 1 + size)
            if kind is not None:
                if i <= pos or data[i - 1] != 0x0D:
                    raise _Bail  # bare LF before the delimiter: a deviation to report
                return i - 1, kind[0], kind[1]
            search = i + 1

    @staticmethod
    def _classify(data: bytes, j: int) -> tuple[int, bool] | None:
        """What follows ``--boundary`` at ``j``: (offset after the line, is close) or None for content."""
        following = data[j : j + 2]
        if following == b"--":
            return j + 2, True
        if following == CRLF:
            return j + 2, False
        if len(following) < 2 or following[0] in b" \t\n":
            raise _Bail  # truncation, transport padding or a bare LF: left to the incremental parser
        return None

    def _head(self, data: bytes, pos: int) -> tuple[_PartHead, int]:
        """Read a part's header block at ``pos``; return it and the offset where the body starts."""
        limits = self._limits
        headers: list[tuple[str, str]] = []
        if data.startswith(CRLF, pos):
            return self._part_head(headers), pos + 2
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            raise _Bail
        block = data[pos:end]
        if block.count(b"\n") != block.count(CRLF):
            raise _Bail  # a bare LF line ending
        max_line = limits.max_header_line
        # The incremental parser bounds each raw line, its CR included.
        if len(block) >= max_line and any(len(raw) + 1 > max_line for raw in block.split(CRLF)):
            raise _Bail
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            raise _Bail from None  # read as Latin-1 with a deviation by the incremental parser
        for line in text.split("\r\n"):
            if line[0] in " \t":  # RFC 5322 §2.2.3 folding
                if not headers:
                    raise _Bail
                name, value = headers[-1]
                value = f"{value} {line.strip()}"
                if len(value) > max_line:
                    raise _Bail
                headers[-1] = (name, value)
                continue
            name, sep, value = line.partition(":")
            name = name.rstrip()
            if (
                not sep
                or _HEADER_NAME_RE.fullmatch(name) is None
                or len(headers) >= limits.max_headers_per_part
            ):
                raise _Bail
            headers.append((name.strip(), value.strip()))
        return self._part_head(headers), end + 4

    def _part_head(self, headers: list[tuple[str, str]]) -> _PartHead:
        found, extra = _sort_headers(headers)
        content_type = found.get("content-type") or "text/plain"
        try:
            media_type, params = _parse_content_type(content_type)
        except MIMEError:
            raise _Bail from None
        content_id = found.get("content-id")
        if content_id is not None:
            if not _has_angle(content_id):
                raise _Bail
            content_id = _strip_angle(content_id)
            if content_id in self._content_ids:
                raise _Bail
            self._content_ids.add(content_id)
        location, cte = found.get("content-location"), found.get("content-transfer-encoding")
        return _PartHead(content_type, media_type, params, content_id, location, cte, extra)

    def _part(self, head: _PartHead, raw: bytes, depth: int) -> Part:
        h = head
        deviations = _Deviations()
        try:
            decoder = _transfer_decoder(h.transfer_encoding, deviations)
            payload = raw if isinstance(decoder, _Identity) else decoder.feed(raw) + decoder.close()
        except MIMEError:
            raise _Bail from None
        if deviations:
            raise _Bail
        if not h.media_type.startswith("multipart/"):
            if len(payload) > self._spool_threshold:
                raise _Bail  # the incremental parser would spool it to a sink
            return Part(h.content_type, h.content_id, h.content_location, h.extra, data=payload)
        boundary = h.params.get("boundary")
        if not boundary or payload is not raw:
            # A nested multipart may not be base64/quoted-printable (RFC 2045 §6.4); the incremental
            # parser feeds such a decoded body in two pieces, so it is left to it.
            raise _Bail
        children = self.parts(payload, boundary, depth + 1)
        start = h.params.get("start")
        if start is not None and not any(c.content_id == _strip_angle(start) for c in children):
            raise _Bail
        return Part(h.content_type, h.content_id, h.content_location, h.extra, children=children, start=start)


def decode(content_type: str | None, body: bytes, *, limits: Limits = Limits()) -> DecodedBody:
    """Decode a whole SwA (or bare XML) body held in memory.

    Args:
        content_type: The HTTP Content-Type value, or None when absent.
        body: The body bytes.
        limits: Bounds enforced while parsing.

    Returns:
        The decoded body; every payload is in :attr:`Part.data`.

    Raises:
        MIMEError: The body is malformed.
        LimitExceededError: A limit was hit.
    """
    if len(body) > limits.max_body_size:
        raise LimitExceededError(f"body larger than {limits.max_body_size} bytes", limit="max_body_size")
    decoder = MultipartDecoder(content_type, limits, spool_threshold=max(len(body), 1))
    whole = decoder._decode_whole(body)
    if whole is not None:
        return whole
    decoder.feed(body)
    return decoder.close()
