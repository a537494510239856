"""Decoding SwA bodies, sans-IO: one bounded, incremental ``multipart/*`` parser (RFC 2046 §5.1.1).

:class:`MultipartDecoder` is fed chunks and never buffers more than a boundary line, one header line, or a
payload below ``spool_threshold``; larger payloads go to a caller-supplied sink (e.g.
:class:`tempfile.SpooledTemporaryFile`). :func:`decode` reads a body held whole in memory with the same
parser, fed once. Every :class:`~mm7.codec.mime.Limits` value is checked while parsing. Malformed input
only ever raises :class:`~mm7.errors.MM7Error` subclasses (:class:`~mm7.errors.MIMEError`,
:class:`~mm7.errors.LimitExceededError`). Tolerated deviations from the RFCs (bare LF, ``start`` without
``<>``, no closing delimiter ...) are listed in :attr:`~mm7.codec.mime.DecodedBody.deviations` as
:class:`~mm7.codec.deviations.Deviation` values with path ``MIME`` and kind ``mime-framing`` (structure,
line ends, headers, transfer encodings) or ``content-reference`` (``start``, Content-ID and ``href``
references that do not match exactly).
"""

from __future__ import annotations

import binascii
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from mm7.codec.deviations import Deviation, DeviationKind
from mm7.codec.mime.model import (
    BCHARS,
    CRLF,
    HEADER_NAME_RE,
    MAX_BOUNDARY,
    MIME_PATH,
    XML_MEDIA_TYPES,
    BinarySink,
    DecodedBody,
    Limits,
    Part,
    parse_content_type_shared,
    strip_angle,
)
from mm7.errors import ConfigError, LimitExceededError, MIMEError

__all__ = ["DEFAULT_SPOOL_THRESHOLD", "MultipartDecoder", "decode"]


# --------------------------------------------------------------------------------------------
# Decoder: transfer encodings (RFC 2045 §6), each incremental
# --------------------------------------------------------------------------------------------


class _Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def close(self) -> bytes:
        return b""


_IDENTITY = _Identity()


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
        return _IDENTITY
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


class _Deviations(list[Deviation]):
    """The deviations met so far, each once, in the order they were met."""

    def add(self, kind: DeviationKind, reason: str) -> None:
        deviation = Deviation(kind, reason, MIME_PATH)
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
    """Reads a leaf part's body: undoes its transfer encoding and collects the payload.

    The payload is kept in memory and moved to a sink once it passes the threshold. A payload that
    arrives in one piece (a body decoded whole) is kept as that piece, not copied.
    """

    def __init__(self, ctx: _Context, head: _PartHead, limit: int | None = None) -> None:
        self._ctx = ctx
        self._head = head
        # None: the bytes are the payload (told without a call in the usual cases, no header or "binary").
        cte = head.transfer_encoding
        decoder = _IDENTITY if cte is None or cte == "binary" else _transfer_decoder(cte, ctx.deviations)
        self._decoder = None if decoder is _IDENTITY else decoder
        self._data: bytes | bytearray = b""
        self._sink: BinarySink | None = None
        self._limit = limit  # the SOAP part's size limit when this payload is the root part
        self._size = 0

    def feed(self, data: bytes) -> None:
        if self._decoder is not None:
            data = self._decoder.feed(data)
        self._size += len(data)
        if self._limit is not None and self._size > self._limit:
            raise _root_too_large(self._limit)
        if self._sink is not None:
            self._sink.write(data)
            return
        if data:
            if not self._data:
                self._data = data  # immutable bytes: kept without a copy
            else:
                if isinstance(self._data, bytes):
                    self._data = bytearray(self._data)
                self._data += data
        if len(self._data) > self._ctx.spool_threshold:
            self._sink = self._ctx.sink_factory()
            self._sink.write(self._data)
            self._data = b""

    def finish(self) -> Part:
        if self._decoder is not None:
            decoder, self._decoder = self._decoder, None
            self.feed(decoder.close())
        h = self._head
        if self._sink is None:
            data = self._data if isinstance(self._data, bytes) else bytes(self._data)
            return Part._trusted(h.content_type, h.content_id, h.content_location, h.extra, data=data)
        self._sink.seek(0)
        return Part._trusted(h.content_type, h.content_id, h.content_location, h.extra, file=self._sink)


@dataclass(slots=True)
class _PartHead:
    content_type: str
    media_type: str
    params: dict[str, str]
    content_id: str | None
    content_location: str | None
    transfer_encoding: str | None
    extra: tuple[tuple[str, str], ...]


#: Whether a whole string is a header field name (a match) or not (None).
_VALID_NAME = HEADER_NAME_RE.fullmatch
#: A header block (line ends CRLF) whose every line is a valid field name, optional blanks, a colon and a
#: value without CR or LF: no folded line (a line starting with a blank does not match).
_PLAIN_HEADER_LINE = r"[\x21-\x39\x3b-\x7e]+[ \t]*:[^\r\n]*"
_PLAIN_HEADER_BLOCK = re.compile(rf"{_PLAIN_HEADER_LINE}(?:\r\n{_PLAIN_HEADER_LINE})*")
_KNOWN_HEADERS = frozenset({"content-type", "content-id", "content-location", "content-transfer-encoding"})


def _part_head(headers: list[tuple[str, str]], ctx: _Context) -> _PartHead:
    """Read a part's header block; every value in ``headers`` is already stripped of surrounding space."""
    # The first of each known header (lower-case name) is read; the others are kept, in order.
    found: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    for name, value in headers:
        key = name.lower()  # RFC 2045 §3 / RFC 822: header names are case-insensitive
        if key in _KNOWN_HEADERS:
            if key not in found:
                found[key] = value
        else:
            extra.append((name, value))
    # RFC 2046 §5.1.1: a part without Content-Type is text/plain; charset=us-ascii.
    content_type = found.get("content-type") or "text/plain"
    media_type, params = parse_content_type_shared(content_type)
    content_id = found.get("content-id")
    if content_id is not None:
        if content_id[:1] == "<" and content_id[-1:] == ">":  # has_angle, on a stripped value
            content_id = content_id[1:-1].strip()
        else:
            ctx.deviations.add(
                "content-reference", "Content-ID without angle brackets (RFC 2392 wants <...>)"
            )
            content_id = strip_angle(content_id)
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
        tuple(extra),
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


#: A delimiter search result ``(kind, content_end, after)``: the content ends at ``content_end``, the next
#: state starts at ``after``. Offsets are into the parser's buffer; ``content_end`` is -1 when no delimiter
#: begins in it. A plain tuple: one is made per delimiter line looked at.
_Match = tuple[_Kind, int, int]

_NO_MATCH: _Match = (_Kind.NEED_MORE, -1, 0)


class _Consumer(Protocol):
    def feed(self, data: bytes) -> None: ...
    def finish(self) -> Part: ...


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
        return Part._trusted(
            h.content_type, h.content_id, h.content_location, h.extra, children=children, start=start
        )


class _MultipartParser:
    """Splits one multipart body into parts, feeding each part's body to a consumer as it arrives.

    The unread input is ``_buf[_pos:]``. A chunk fed when nothing is left over is read where it is (a body
    fed whole is never copied, and each payload is sliced out of it once); left-over bytes (a delimiter,
    header line or padding cut by the chunk's end) are joined with the next chunk in a bytearray.
    """

    def __init__(self, boundary: str, ctx: _Context, depth: int) -> None:
        if depth > ctx.limits.max_depth:
            raise LimitExceededError(
                f"multipart nesting deeper than {ctx.limits.max_depth}", limit="max_depth"
            )
        try:
            self._delimiter = b"--" + boundary.encode("ascii")
        except UnicodeEncodeError as exc:
            raise MIMEError(f"non-ASCII multipart boundary {boundary[:80]!r}") from exc
        if not 1 <= len(boundary) <= MAX_BOUNDARY:
            # RFC 2046 §5.1.1: a boundary is 1 to 70 characters; a longer one only costs the scanner.
            raise MIMEError(f"multipart boundary of {len(boundary)} characters (RFC 2046 allows 1-70)")
        self._needle = b"\n" + self._delimiter
        self.boundary = boundary
        self._ctx = ctx
        self._part_limit = ctx.limits.part_size
        self._depth = depth
        self._buf: bytes | bytearray = b""
        self._pos = 0
        self._state = _State.PREAMBLE
        self._at_start = True  # the first delimiter may open the body without a preceding CRLF
        self._headers: list[tuple[str, str]] = []
        self._head: _PartHead | None = None
        self._consumer: _Consumer | None = None
        self._part_bytes = 0
        self._parts: list[Part] = []

    # -- public ------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse the next chunk (immutable bytes: it is read where it is, not copied)."""
        if self._state is _State.EPILOGUE:
            return  # RFC 2046 §5.1.1: the epilogue is ignored
        buf = self._buf
        if self._pos >= len(buf):
            self._buf = data
        elif isinstance(buf, bytearray):
            del buf[: self._pos]
            buf += data
        else:
            self._buf = bytearray(buf[self._pos :]) + data
        self._pos = 0
        # Each step returns True when it made progress and the next state may read on.
        while True:
            state = self._state
            if state is _State.BODY:
                if not self._step_body():
                    break
            elif state is _State.HEADERS:
                if not self._step_headers():
                    break
            elif state is _State.PREAMBLE:
                if not self._step_preamble():
                    break
            else:
                break
        # Keep only the unread bytes (a cut delimiter or header line), not the caller's whole chunk.
        buf, pos = self._buf, self._pos
        if pos >= len(buf):  # all read (the epilogue, once reached, is released as it comes)
            self._release()
        elif pos and isinstance(buf, bytes):
            self._buf, self._pos = buf[pos:], 0

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
            if self._headers or self._pos < len(self._buf) or not self._parts:
                raise MIMEError("unterminated multipart: the body ends inside a part's header block")
            # `--boundary` CRLF and then nothing: a close-delimiter without its final `--`.
            self._ctx.deviations.add("mime-framing", _NO_CLOSE_DASHES)
        return self._parts

    def _finish_unclosed_part(self) -> None:
        """End the last part at the end of the body (no close-delimiter came)."""
        buf = self._buf
        kind, content_end, _ = self._find_delimiter()
        if kind is not _Kind.NEED_MORE:  # pragma: no cover - feed() consumes every whole delimiter
            raise MIMEError("unterminated multipart: unread delimiter at the end of the body")
        if content_end >= 0:
            # A delimiter line cut short (`--boundary`, `--boundary-`, padding, a lone CR) ends the part.
            end = content_end
            bare_lf = buf[end : end + 1] == b"\n"
        else:
            # The line break that would have come before the delimiter is not the part's content.
            unread = len(buf) - self._pos
            end = len(buf)
            bare_lf = False
            if unread >= 2 and buf[-2:] == CRLF:
                end -= 2
            elif unread >= 1 and buf[-1] == 0x0A:
                end -= 1
                bare_lf = True
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
        self._release()
        self._state = _State.EPILOGUE

    def _release(self) -> None:
        self._buf, self._pos = b"", 0

    # -- steps: each returns True when it made progress and may be called again ---------------

    def _find_delimiter(self) -> _Match:
        """Find the first delimiter line in the unread bytes (RFC 2046 §5.1.1); offsets are into ``_buf``.

        A delimiter is CRLF (or a tolerated bare LF) + ``--boundary`` + transport padding + CRLF;
        a close-delimiter ends in ``--`` instead. At the very start of a body the leading line
        break is absent. A line merely starting with ``--boundary`` and going on with other
        characters is content.
        """
        buf, delim, pos = self._buf, self._delimiter, self._pos
        if self._at_start and buf.startswith(delim[: len(buf) - pos], pos):
            if len(buf) - pos < len(delim):
                return _Kind.NEED_MORE, pos, 0
            match = self._classify(pos + len(delim), pos)
            if match[0] is not _Kind.NOT_DELIMITER:
                return match
        needle, skip = self._needle, 1 + len(delim)
        search = pos
        while True:
            i = buf.find(needle, search)
            if i < 0:
                return _NO_MATCH
            crlf = i > pos and buf[i - 1] == 0x0D
            match = self._classify(i + skip, i - 1 if crlf else i)
            kind = match[0]
            if kind is _Kind.OPEN or kind is _Kind.CLOSE:
                if not crlf:
                    self._ctx.deviations.add("mime-framing", _BARE_LF)
                return match
            if kind is _Kind.NEED_MORE:
                return match
            search = i + 1

    def _classify(self, j: int, content_end: int) -> _Match:
        """Classify what follows ``--boundary`` at offset ``j``."""
        buf = self._buf
        following = buf[j : j + 2]  # a bytearray slice compares equal to bytes
        if following == CRLF:  # the usual case, the delimiter line without padding
            return _Kind.OPEN, content_end, j + 2
        if following == b"--":
            return _Kind.CLOSE, content_end, j + 2
        if following in (b"", b"-"):
            return _Kind.NEED_MORE, content_end, 0
        # Transport padding (LWSP) may sit between the boundary and the line break.
        k = j
        while k < len(buf) and buf[k] in b" \t":
            k += 1
        if k - j > self._ctx.limits.max_header_line:
            raise LimitExceededError("boundary line padding too long", limit="max_header_line")
        rest = buf[k : k + 2]
        if rest in (b"", b"\r"):
            return _Kind.NEED_MORE, content_end, 0
        if rest == CRLF:
            return _Kind.OPEN, content_end, k + 2
        if rest[:1] == b"\n":
            self._ctx.deviations.add("mime-framing", _BARE_LF)
            return _Kind.OPEN, content_end, k + 1
        return _Kind.NOT_DELIMITER, content_end, 0

    def _step_preamble(self) -> bool:
        kind, content_end, after = self._find_delimiter()
        if kind is _Kind.NEED_MORE:
            keep = len(self._delimiter) + 1  # only what could begin a delimiter line is kept
            if content_end < 0 and len(self._buf) - self._pos > keep:
                self._pos = len(self._buf) - keep
                self._at_start = False
            return False
        if kind is _Kind.CLOSE:
            raise MIMEError("multipart body has no parts (close-delimiter first)")
        self._pos = after
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
        """Read the header lines at hand; True once the empty line ending the block was read.

        A whole header block at hand whose every line ends in CRLF is split at once: the same lines, read
        in the same order with the same checks, only the line ends found in one search. A block shorter
        than ``max_header_line`` that is UTF-8 throughout is decoded in one go (each of its lines then is
        too, and none can be too long). Otherwise (the block is not whole yet, or has a bare LF) the lines
        are read one by one.
        """
        buf, limit, pos = self._buf, self._ctx.limits.max_header_line, self._pos
        if buf.startswith(CRLF, pos):  # no headers at all
            self._pos = pos + 2
            self._start_body()
            return True
        end = buf.find(b"\r\n\r\n", pos)
        if end >= 0:
            block = buf[pos:end]  # the last header line's CRLF left out
            if block.count(b"\n") == block.count(CRLF):
                text = _utf8(block) if len(block) < limit else None  # None: each line on its own
                if text is None:
                    self._add_header_lines(block.split(CRLF), check_length=True)
                elif not self._add_plain_block(text):
                    self._add_header_texts(text.split("\r\n"))
                self._pos = end + 4
                self._start_body()
                return True
        while True:
            start = self._pos
            nl = buf.find(b"\n", start)
            if nl < 0:
                if len(buf) - start > limit:
                    raise LimitExceededError("header line too long", limit="max_header_line")
                return False
            if nl - start > limit:
                raise LimitExceededError("header line too long", limit="max_header_line")
            end = nl
            if nl > start and buf[nl - 1] == 0x0D:
                end -= 1
            else:
                self._ctx.deviations.add("mime-framing", _BARE_LF)
            self._pos = nl + 1
            if end == start:
                self._start_body()
                return True
            self._add_header_lines((buf[start:end],), check_length=False)

    def _add_header_lines(self, lines: Sequence[bytes | bytearray], *, check_length: bool) -> None:
        """Add header lines (line ends removed), each checked and decoded on its own, in order.

        Args:
            lines: The lines.
            check_length: Check each line against ``max_header_line`` counting its CR (a line read as part
                of a whole block); False when the caller checked it already.
        """
        limits = self._ctx.limits
        for raw in lines:
            if check_length and len(raw) + 1 > limits.max_header_line:
                raise LimitExceededError("header line too long", limit="max_header_line")
            line = _utf8(raw)
            if line is None:
                self._ctx.deviations.add("mime-framing", "header bytes that are not UTF-8, read as Latin-1")
                line = raw.decode("latin-1")
            self._add_header_texts((line,))

    def _add_plain_block(self, text: str) -> bool:
        """Add a whole decoded header block at once when it is plain; False (nothing added) otherwise.

        Plain: every line is ``name: value`` with a valid name (blanks allowed before the colon), no folded
        line, no lone CR, and not more headers than allowed. Those lines are read exactly as
        :meth:`_add_header_texts` reads them; any other block is left to it (which also raises its errors).
        """
        if _PLAIN_HEADER_BLOCK.fullmatch(text) is None:
            return False
        lines = text.split("\r\n")
        headers = self._headers
        if len(headers) + len(lines) > self._ctx.limits.max_headers_per_part:
            return False
        for line in lines:
            name, _, value = line.partition(":")
            headers.append((name.rstrip(), value.strip()))
        return True

    def _add_header_texts(self, lines: Sequence[str]) -> None:
        """Add decoded, non-empty header lines to the current part's headers, in order."""
        limits = self._ctx.limits
        max_line, max_headers, valid_name = limits.max_header_line, limits.max_headers_per_part, _VALID_NAME
        headers = self._headers
        for line in lines:
            if line[0] in " \t":  # RFC 5322 §2.2.3 folding: a continuation of the previous header
                if not headers:
                    raise MIMEError("header block starts with a continuation line")
                name, value = headers[-1]
                value = f"{value} {line.strip()}".strip()
                if len(value) > max_line:
                    raise LimitExceededError("unfolded header too long", limit="max_header_line")
                headers[-1] = (name, value)
                continue
            name, sep, value = line.partition(":")
            name = name.rstrip()
            if not sep or valid_name(name) is None:
                raise MIMEError(f"malformed header line {line[:80]!r}")
            if len(headers) >= max_headers:
                raise LimitExceededError(
                    f"more than {max_headers} headers in a part", limit="max_headers_per_part"
                )
            headers.append((name, value.strip()))  # the name, all visible characters, needs no strip

    def _start_body(self) -> None:
        head = self._head = _part_head(self._headers, self._ctx)
        consumer: _Consumer
        if head.media_type.startswith("multipart/"):
            consumer = _NestedConsumer(head, self._ctx, self._depth + 1)
        else:
            root_limit = None if self._ctx.max_root_size is None else self._root_limit(head)
            consumer = _Payload(self._ctx, head, root_limit)
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
        kind, content_end, after = self._find_delimiter()
        if kind is _Kind.NEED_MORE:
            keep = len(self._delimiter) + 2  # a partial CRLF--boundary stays buffered
            if content_end < 0 and len(self._buf) - self._pos > keep:
                self._emit(len(self._buf) - keep)
                self._at_start = False
            return False
        self._emit(content_end)
        assert self._consumer is not None
        self._parts.append(self._consumer.finish())
        self._consumer = None
        self._pos = after
        if kind is _Kind.CLOSE:
            # RFC 2046 §5.1.1: everything after the close-delimiter is epilogue, ignored; a
            # missing CRLF after it is therefore harmless.
            self._state = _State.EPILOGUE
            self._release()
            return False
        self._open_part()
        return True

    def _emit(self, end: int) -> None:
        """Hand the unread bytes up to offset ``end`` to the part's consumer."""
        start = self._pos
        n = end - start
        if n <= 0:
            return
        self._part_bytes += n
        if self._part_bytes > self._part_limit:
            raise LimitExceededError(f"part larger than {self._part_limit} bytes", limit="max_part_size")
        buf = self._buf
        chunk = buf[start:end] if isinstance(buf, bytes) else bytes(buf[start:end])
        self._pos = end
        assert self._consumer is not None
        self._consumer.feed(chunk)


def _utf8(raw: bytes | bytearray) -> str | None:
    """``raw`` decoded as UTF-8, or None when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _declared_length(head: _PartHead) -> int | None:
    """A part's own ``Content-Length`` header (not needed by MIME, some peers send it), or None."""
    for name, value in head.extra:
        if name.lower() == "content-length":
            value = value.strip()
            return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None
    return None


# --------------------------------------------------------------------------------------------
# Decoder: the public entry points
# --------------------------------------------------------------------------------------------

#: RFC 2387 §3.2: ``start`` holds a Content-ID, i.e. a value in angle brackets (RFC 2392).
_START_IN_BRACKETS = re.compile(r'(?:^|;)\s*start\s*=\s*"?\s*<', re.IGNORECASE)
_NO_BOUNDARY_XML = "multipart/related without boundary; body read as bare XML"
_NO_BOUNDARY_SNIFFED = "multipart/related without boundary; boundary taken from the first delimiter line"
#: The bounds a decoder enforces when given none.
_DEFAULT_LIMITS = Limits()
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
        limits: Limits = _DEFAULT_LIMITS,
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
        media_type, params = parse_content_type_shared(content_type)  # read only: the cache's own dict
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
        self._ctx.root_id = None if self._start is None else strip_angle(self._start)
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
        head = _PartHead(self._root_type, "", {}, None, None, None, ())
        self._payload = _Payload(self._ctx, head, self._ctx.max_root_size)
        return _Mode.BARE

    def feed(self, chunk: bytes) -> None:
        """Parse the next chunk of the body.

        Args:
            chunk: The next bytes of the body (a bytearray or memoryview is copied once; bytes are not).

        Raises:
            MIMEError: The body is malformed.
            LimitExceededError: A limit was hit.
            ConfigError: Called after :meth:`close`.
        """
        if self._closed:
            raise ConfigError("feed() after close()")
        if type(chunk) is not bytes:
            chunk = bytes(chunk)  # kept and sliced by the parser, so it must not change afterwards
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
        self._payload.feed(chunk)

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
        if not 1 <= len(boundary) <= 70 or not set(boundary) <= BCHARS:
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
            return DecodedBody(self._payload.finish(), [], deviations)
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
    wanted = strip_angle(start)
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


def _bare_xml_type(content_type: str | None, limits: Limits) -> str | None:
    """The root part's Content-Type when ``content_type`` declares a bare XML body, else None."""
    if content_type is None or len(content_type) > limits.max_header_line:
        return None
    value = content_type.strip()
    if not value or parse_content_type_shared(value)[0] not in XML_MEDIA_TYPES:
        return None
    return value


def decode(body: bytes, content_type: str | None, *, limits: Limits = _DEFAULT_LIMITS) -> DecodedBody:
    """Decode a whole SwA (or bare XML) body held in memory.

    The body goes through :class:`MultipartDecoder` in one :meth:`~MultipartDecoder.feed`: the one parser
    that reads bodies fed in chunks, with the same limits and deviations. A body of the common shape (no
    deviation, one nesting level at most) is read by a shorter route that gives the same result (see
    :func:`_decode_common_shape`). Payloads are sliced out of ``body`` once; none is spooled. The arguments
    come in :func:`mm7.decode`'s order.

    Args:
        body: The body bytes.
        content_type: The HTTP Content-Type value, or None when absent.
        limits: Bounds enforced while parsing.

    Returns:
        The decoded body; every payload is in :attr:`Part.data`.

    Raises:
        MIMEError: The body is malformed.
        LimitExceededError: A limit was hit.
    """
    if len(body) > limits.max_body_size:
        raise LimitExceededError(f"body larger than {limits.max_body_size} bytes", limit="max_body_size")
    bare_type = _bare_xml_type(content_type, limits)
    if bare_type is not None and type(body) is bytes:
        # A bare envelope (text/xml, no attachments): what MultipartDecoder's bare mode returns, without it.
        if len(body) > limits.part_size:
            raise LimitExceededError("root part too large", limit="max_part_size")
        return DecodedBody(Part._trusted(bare_type, data=body), [], [])
    if type(body) is bytes and content_type is not None:
        common = _decode_common_shape(body, content_type, limits)
        if common is not None:
            return common
    decoder = MultipartDecoder(content_type, limits, spool_threshold=max(len(body), 1))
    decoder.feed(body)
    return decoder.close()


# --------------------------------------------------------------------------------------------
# Decoder: the common shape, read lean
# --------------------------------------------------------------------------------------------


class _OffRoute(Exception):
    """The body leaves the common shape: the general parser reads it."""


def _decode_common_shape(body: bytes, content_type: str, limits: Limits) -> DecodedBody | None:
    """What :class:`MultipartDecoder` gives for a whole body of the common shape; None off that shape.

    The shape is what mm7 and most peers send: ``multipart/related`` with a boundary and a bracketed
    ``start``; no preamble; delimiter lines exactly ``CRLF--boundary CRLF`` (``--`` for the last); header
    blocks of plain ``name: value`` lines; identity transfer encodings; at most one nested multipart level,
    read as a window of ``body`` (not copied). Any deviation the general parser would report, any error it
    would raise and any other shape gives None, and the general parser reads the body (the tests compare
    both on drawn bodies): so the result, when there is one, is the general parser's.
    """
    try:
        return _read_common_shape(body, content_type, limits)
    except (_OffRoute, MIMEError, LimitExceededError):
        return None


_IDENTITY_ENCODINGS = frozenset({"7bit", "8bit", "binary"})


def _read_common_shape(body: bytes, content_type: str, limits: Limits) -> DecodedBody:
    if len(content_type) > limits.max_header_line:
        raise _OffRoute
    media_type, params = parse_content_type_shared(content_type)  # read only: the cache's own dict
    if media_type != "multipart/related":
        raise _OffRoute
    start = params.get("start")
    if start is not None and not _START_IN_BRACKETS.search(content_type):
        raise _OffRoute
    ctx = _Context(limits, io.BytesIO, len(body))
    parts = _read_parts(body, 0, len(body), _delimiter_of(params.get("boundary"), 1, limits), ctx, 1)
    if ctx.deviations or ctx.part_count > limits.max_parts:
        raise _OffRoute
    index = 0
    if start is not None:
        index, reason = _locate_root(start, parts, nested=False)
        if reason is not None:
            raise _OffRoute
    return DecodedBody(parts[index], parts[:index] + parts[index + 1 :], [])


def _delimiter_of(boundary: str | None, depth: int, limits: Limits) -> bytes:
    """``--boundary``, for a boundary :class:`_MultipartParser` takes at ``depth`` without a word."""
    if not boundary or not boundary.isascii() or len(boundary) > MAX_BOUNDARY or depth > limits.max_depth:
        raise _OffRoute
    return b"--" + boundary.encode("ascii")


def _read_parts(body: bytes, pos: int, end: int, delimiter: bytes, ctx: _Context, depth: int) -> list[Part]:
    """The parts of the multipart at ``depth`` in ``body[pos:end]``, as :class:`_MultipartParser` reads."""
    if not body.startswith(delimiter + CRLF, pos, end):  # no preamble, an exact first delimiter line
        raise _OffRoute
    limits = ctx.limits
    needle = b"\n" + delimiter
    pos += len(delimiter) + 2
    parts: list[Part] = []
    while True:
        ctx.part_count += 1
        pos, head = _read_head(body, pos, end, ctx)
        cte = head.transfer_encoding
        if cte is not None and cte != "binary" and cte.strip().lower() not in _IDENTITY_ENCODINGS:
            raise _OffRoute
        if body.startswith(delimiter[: end - pos], pos, end):  # would be read as an empty payload
            raise _OffRoute
        found = body.find(needle, pos, end)
        if found <= pos or body[found - 1] != 0x0D:  # none, or a bare LF before it
            raise _OffRoute
        after = found + len(needle) + 2
        following = body[after - 2 : after] if after <= end else b""
        if following != CRLF and following != b"--":
            raise _OffRoute
        content_end = found - 1
        if content_end - pos > limits.part_size:
            raise _OffRoute
        if head.media_type.startswith("multipart/"):
            if depth > 1:
                raise _OffRoute  # a second nesting level: the general parser reads it
            parts.append(_read_nested(body, pos, content_end, head, ctx))
        else:
            parts.append(
                Part._trusted(
                    head.content_type,
                    head.content_id,
                    head.content_location,
                    head.extra,
                    data=body[pos:content_end],
                )
            )
        if following == b"--":
            return parts  # RFC 2046 §5.1.1: what follows the close-delimiter is epilogue, ignored
        pos = after


def _read_head(body: bytes, pos: int, end: int, ctx: _Context) -> tuple[int, _PartHead]:
    """A part's header block read as :meth:`_MultipartParser._step_headers` reads a plain one."""
    if body.startswith(CRLF, pos, end):
        return pos + 2, _part_head([], ctx)
    block_end = body.find(b"\r\n\r\n", pos, end)
    if block_end < 0:
        raise _OffRoute
    block = body[pos:block_end]
    if len(block) >= ctx.limits.max_header_line or block.count(b"\n") != block.count(CRLF):
        raise _OffRoute
    text = _utf8(block)
    if text is None or _PLAIN_HEADER_BLOCK.fullmatch(text) is None:
        raise _OffRoute
    lines = text.split("\r\n")
    if len(lines) > ctx.limits.max_headers_per_part:
        raise _OffRoute
    headers = []
    for line in lines:
        name, _, value = line.partition(":")
        headers.append((name.rstrip(), value.strip()))
    return block_end + 4, _part_head(headers, ctx)


def _read_nested(body: bytes, pos: int, end: int, head: _PartHead, ctx: _Context) -> Part:
    """A nested multipart read as :class:`_NestedConsumer` reads it, its parts as leaves of ``body``."""
    delimiter = _delimiter_of(head.params.get("boundary"), 2, ctx.limits)
    children = _read_parts(body, pos, end, delimiter, ctx, 2)
    start = head.params.get("start")
    if start is not None and _locate_root(start, children, nested=True)[1] is not None:
        raise _OffRoute
    return Part._trusted(
        head.content_type, head.content_id, head.content_location, head.extra, children=children, start=start
    )
