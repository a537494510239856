"""The MIME data model: :class:`Part`, :class:`Limits`, the encoded and decoded bodies, Content-Type helpers.

Nothing here parses or frames a body (see :mod:`mm7.codec.mime.encoder` and :mod:`mm7.codec.mime.decoder`)
and nothing here opens a file: a part built with :meth:`Part.from_file` holds a path, whose file is opened
only when the part's bytes are iterated (by the transport, while it sends).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol, overload

from mm7._checks import require, require_items
from mm7.codec.deviations import Deviation
from mm7.errors import ConfigError, LocalCodecError, MIMEError

__all__ = ["DecodedBody", "EncodedBody", "Limits", "Part"]

CRLF = b"\r\n"
#: Files are streamed in chunks of this size; never read whole.
CHUNK_SIZE = 64 * 1024
#: Media types a non-multipart body may have and still be read as a bare SOAP envelope.
XML_MEDIA_TYPES = frozenset({"text/xml", "application/soap+xml", "application/xml"})
#: RFC 5322 §2.2: a header field name is printable US-ASCII except the colon.
HEADER_NAME_RE = re.compile(r"[\x21-\x39\x3b-\x7e]+")
#: RFC 2046 §5.1.1: boundaries are at most 70 characters.
MAX_BOUNDARY = 70
#: RFC 2046 §5.1.1 bchars: the characters allowed in a boundary (the last one must not be a space).
BCHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
#: The ``path`` of every deviation the MIME layer reports.
MIME_PATH = "MIME"

BinarySink = IO[bytes]


# --------------------------------------------------------------------------------------------
# Header helpers
# --------------------------------------------------------------------------------------------


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into a lower-case media type and its parameters (a copy, cached).

    Uses the stdlib compat32 parser, which is lenient the way peers need it to be: it accepts
    unquoted values with tspecials (``boundary=----=_Part_1``, ``start=<a@b>``) and RFC 2231
    encoded/continued parameters. A missing or invalid type becomes ``text/plain`` (RFC 2045 §5.2).

    Args:
        value: The header value.

    Returns:
        The media type and the parameters (lower-case names, unquoted values).

    Raises:
        MIMEError: The stdlib parser failed on the value.
    """
    media_type, params = parse_content_type_shared(value)
    return media_type, dict(params)


#: RFC 2045 §5.1 token characters; a parameter name without ``*`` (RFC 2231's marker).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_NAME = r"[!#$%&'+.^_`|~0-9A-Za-z-]+"
#: Quoted text: printable US-ASCII and blanks, no quote, no backslash.
_QUOTED_TEXT = r"[\t\x20\x21\x23-\x5b\x5d-\x7e]*"
#: A bare value: printable US-ASCII but for ``;``, ``"`` and ``\``; no ``<`` first.
_BARE_VALUE = r"[\x21\x23-\x3a\x3d-\x5b\x5d-\x7e][\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*"
#: A parameter in the plain form: ``name=token-ish`` or ``name="text without quotes or backslashes"``. An
#: unquoted value may hold ``=`` (``boundary=----=_Part_1``, as peers send it) but no ``<`` first: the
#: stdlib strips a value's angle brackets, which this form leaves to it.
_PLAIN_PARAM = rf";[ \t]*({_NAME})[ \t]*=[ \t]*(?:\"({_QUOTED_TEXT})\"|({_BARE_VALUE}))[ \t]*"
_PLAIN_CONTENT_TYPE = re.compile(rf"[ \t]*({_TOKEN}/{_TOKEN})[ \t]*((?:{_PLAIN_PARAM})*)")
_PLAIN_PARAM_RE = re.compile(_PLAIN_PARAM)


def _parse_plain(value: str) -> tuple[str, dict[str, str]] | None:
    """A Content-Type in the plain form nearly every peer sends, read as the stdlib reads it; else None.

    The form: ``type/subtype`` and parameters, US-ASCII, no comments, no RFC 2231 encoding, no escapes,
    no bare attributes. For these the stdlib parser (used for everything else) gives the same result, at
    a tenth of the cost: it matters because boundaries are random, so a receiver meets a new value with
    every message.
    """
    match = _PLAIN_CONTENT_TYPE.fullmatch(value)
    if match is None:
        return None
    params: dict[str, str] = {}
    for name, quoted, bare in _PLAIN_PARAM_RE.findall(match.group(2)):
        params.setdefault(name.lower(), bare or quoted)
    return match.group(1).lower(), params


@functools.lru_cache(maxsize=512)
def parse_content_type_shared(value: str) -> tuple[str, dict[str, str]]:
    """:func:`parse_content_type` without the copy: the parameters are the cache's own, not to be changed."""
    plain = _parse_plain(value)
    if plain is not None:
        return plain
    # Imported here, once per distinct value (the result is cached): ``import mm7`` does not load the
    # email package.
    from email.message import Message
    from email.utils import collapse_rfc2231_value

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


def strip_angle(value: str) -> str:
    """Return ``value`` without surrounding whitespace and one pair of angle brackets (``<id>`` → ``id``)."""
    first, last = value[:1], value[-1:]
    if first and first != "<" and last != ">" and not first.isspace() and not last.isspace():
        return value  # the usual case, told without copying: nothing to strip
    value = value.strip()
    if len(value) >= 2 and value[0] == "<" and value[-1] == ">":
        return value[1:-1].strip()
    return value


def has_angle(value: str) -> bool:
    """Whether ``value`` (whitespace aside) is enclosed in angle brackets, as RFC 2392 wants a Content-ID."""
    value = value.strip()
    return value.startswith("<") and value.endswith(">")


def quote_param(value: str) -> str:
    """Quote a Content-Type parameter value (RFC 2045 §5.1 quoted-string)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_header_value(name: str, value: str) -> None:
    """Refuse a header value holding CR or LF, which would inject headers or end the header block.

    Raises:
        ConfigError: The value holds CR or LF.
    """
    if "\r" in value or "\n" in value:
        raise ConfigError(f"{name} must not contain CR or LF: {value!r}")


def check_boundary(boundary: str) -> None:
    """Refuse a boundary that RFC 2046 §5.1.1 does not allow: 1 to 70 bchars, not ending with a space.

    Raises:
        ConfigError: The boundary is invalid.
    """
    if not 1 <= len(boundary) <= MAX_BOUNDARY or not set(boundary) <= BCHARS or boundary.endswith(" "):
        raise ConfigError(f"invalid multipart boundary {boundary!r} (RFC 2046 §5.1.1)")


# --------------------------------------------------------------------------------------------
# Part
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


def _plain_headers(headers: tuple[object, ...]) -> bool:
    """Whether every header is a (str, str) tuple (exact types)."""
    for h in headers:
        if type(h) is not tuple or len(h) != 2 or type(h[0]) is not str or type(h[1]) is not str:
            return False
    return True


def _optional_texts(content_type: object, content_id: object, location: object) -> bool:
    """Whether ``content_type`` is exactly a str, and ``content_id`` and ``location`` a str or None."""
    return (
        type(content_type) is str
        and (content_id is None or type(content_id) is str)
        and (location is None or type(location) is str)
    )


def _unreadable(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(f"cannot read attachment file {str(path)!r}: {exc.strerror or exc}")


@dataclass(frozen=True, repr=False)
class Part:
    """One MIME body part: a leaf payload or a nested multipart.

    Exactly one of ``data``, ``path``, ``file`` or ``children`` holds the payload. Its ``repr`` names the
    part (type, Content-ID, Content-Location, size, file) and never shows the payload.

    Attributes:
        content_type: The full Content-Type value, parameters included.
        content_id: Content-ID without angle brackets (RFC 2392), or None.
        content_location: Content-Location value, or None.
        headers: Further headers as (name, value) pairs, emitted after the standard ones.
        data: In-memory payload.
        path: A file whose bytes are the payload. The part does not open it: it is opened when the
            payload is iterated (while the body is sent) and its size read when the body is encoded.
        file: An open, seekable binary file object holding the payload (the decoder uses this for
            payloads it spooled to a sink); read from offset 0. The caller keeps it open.
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
    file: BinarySink | None = field(default=None, compare=False)
    children: list[Part] | None = None
    start: str | None = None

    text = _TextAccessor()

    def __post_init__(self) -> None:
        if not self._exact_types():
            self._check_types()
        data, path, file, children = self.data, self.path, self.file, self.children
        if (data is not None) + (path is not None) + (file is not None) + (children is not None) != 1:
            raise ConfigError("a Part needs exactly one of data, path, file or children")
        if self.content_id is not None:
            object.__setattr__(self, "content_id", strip_angle(self.content_id))
        if self.start is not None:
            object.__setattr__(self, "start", strip_angle(self.start))
        if self.children is not None and not self.media_type.startswith("multipart/"):
            raise ConfigError(f"a Part with children must be multipart/*, not {self.media_type}")

    def _exact_types(self) -> bool:
        """Whether every field has exactly the type it is declared with, as the decoder builds parts.

        This is the common case, told by ``type(x) is`` tests alone (a Part is built per decoded part);
        anything else, subclasses and wrong types alike, goes through :meth:`_check_types`.
        """
        cid, location, start, data, children, headers = (
            self.content_id,
            self.content_location,
            self.start,
            self.data,
            self.children,
            self.headers,
        )
        return (
            type(self.content_type) is str
            and (cid is None or type(cid) is str)
            and (location is None or type(location) is str)
            and (start is None or type(start) is str)
            and (data is None or type(data) is bytes)
            and self.path is None
            and self.file is None
            and (children is None or (type(children) is list and all(type(c) is Part for c in children)))
            and type(headers) is tuple
            and (not headers or _plain_headers(headers))
        )

    def _check_types(self) -> None:
        """A wrong argument type is a TypeError naming the argument (not an AttributeError later on)."""
        require("content_type", self.content_type, str)
        for name in ("content_id", "content_location", "start"):
            require(name, getattr(self, name), str, optional=True)
        require("data", self.data, bytes, optional=True)
        require("path", self.path, Path, optional=True)
        if self.file is not None and not callable(getattr(self.file, "read", None)):
            raise TypeError(f"file must be a binary file object, not {type(self.file).__name__}")
        if self.children is not None:
            require("children", self.children, list)
            require_items("children", self.children, Part)
        for header in require_items("headers", self.headers, tuple):
            if not (
                isinstance(header, tuple) and len(header) == 2 and all(isinstance(x, str) for x in header)
            ):
                raise TypeError("headers must be (name, value) pairs of str")

    def __repr__(self) -> str:
        # Never the payload: a repr lands in logs and tracebacks. A path part is not stat()ed either.
        fields = [repr(self.content_type)]
        for name in ("content_id", "content_location", "start"):
            value = getattr(self, name)
            if value is not None:
                fields.append(f"{name}={value!r}")
        if self.headers:
            fields.append(f"headers={self.headers!r}")
        if self.data is not None:
            fields.append(f"size={len(self.data)}")
        elif self.path is not None:
            fields.append(f"file={str(self.path)!r}")
        elif self.file is not None:
            fields.append(f"size={self._file_size()}")
            file_name = getattr(self.file, "name", None)
            kind = type(self.file).__name__
            fields.append(f"file={file_name!r}" if isinstance(file_name, str) else f"file=<{kind}>")
        else:
            fields.append(f"children={self.children!r}")
        return f"Part({', '.join(fields)})"

    def _file_size(self) -> int | str:
        """The open file's size, its position kept; ``"?"`` when it cannot be told (e.g. closed)."""
        assert self.file is not None
        try:
            here = self.file.tell()
            size = self.file.seek(0, io.SEEK_END)
            self.file.seek(here)
        except (OSError, ValueError):
            return "?"
        return size

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def _trusted(
        cls,
        content_type: str,
        content_id: str | None = None,
        content_location: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        *,
        data: bytes | None = None,
        path: Path | None = None,
        file: BinarySink | None = None,
        children: list[Part] | None = None,
        start: str | None = None,
    ) -> Part:
        """A part mm7 itself puts together (the MIME codec), its fields of the declared types by construction.

        The same part ``Part(...)`` builds, without the type checks of ``__post_init__`` (the caller
        guarantees them, and exactly one payload); Content-ID and ``start`` are normalized the same way.
        Written to the instance's ``__dict__``: a frozen dataclass's ``__init__`` sets each field through
        ``object.__setattr__``, which costs more than the checks on a decoder's hot path.
        """
        part = cls.__new__(cls)
        part.__dict__.update(
            content_type=content_type,
            content_id=None if content_id is None else strip_angle(content_id),
            content_location=content_location,
            headers=headers,
            data=data,
            path=path,
            file=file,
            children=children,
            start=None if start is None else strip_angle(start),
        )
        return part

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
        payload = bytes(data)
        if cls is Part and _optional_texts(content_type, content_id, content_location):
            return cls._trusted(
                content_type, content_id, content_location, data=payload
            )  # Part(...)'s checks hold
        return cls(content_type, content_id, content_location, data=payload)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        content_type: str | None = None,
        *,
        content_id: str | None = None,
        content_location: str | None = None,
    ) -> Part:
        """Build a part whose payload is a file, without touching the file.

        The file is opened only when the payload is iterated (the transport streams it 64 KiB at a time
        while it sends); encoding a body reads its size for the Content-Length. A file that is missing or
        unreadable then raises :class:`~mm7.errors.ConfigError` naming the path.

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
            import mimetypes  # here: only guessing a type needs it (and its tables)

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
        content_type = f"text/{subtype}; charset={charset}"
        if cls is Part and (content_id is None or type(content_id) is str):
            return cls._trusted(content_type, content_id, data=data)  # Part(...)'s checks hold
        return cls(content_type, content_id, data=data)

    # -- header views --------------------------------------------------------------------------

    @property
    def media_type(self) -> str:
        """Lower-case ``type/subtype`` without parameters."""
        return parse_content_type_shared(self.content_type)[0]

    @property
    def params(self) -> dict[str, str]:
        """Content-Type parameters (lower-case names, unquoted values)."""
        return parse_content_type(self.content_type)[1]

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
        """Payload size in bytes (for a multipart: the sum of its children's payloads).

        Raises:
            ConfigError: A ``path`` part's file is missing or unreadable (the message names the path).
        """
        if self.data is not None:
            return len(self.data)
        if self.path is not None:
            try:
                return self.path.stat().st_size
            except OSError as exc:
                raise _unreadable(self.path, exc) from exc
        if self.file is not None:
            return self.file.seek(0, io.SEEK_END)
        return sum(child.size for child in self.children or ())

    def iter_bytes(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the payload in chunks (files are never read whole).

        A ``path`` part's file is opened here, when the first chunk is asked for, and closed when the
        iteration ends.

        Args:
            chunk_size: Largest chunk read from a file.

        Yields:
            The payload's bytes, in order.

        Raises:
            ConfigError: Called on a multipart part, or a ``path`` part's file cannot be opened or read
                (the message names the path).
        """
        if self.data is not None:
            yield self.data
        elif self.path is not None:
            yield from _read_file(self.path, chunk_size)
        elif self.file is not None:
            self.file.seek(0)
            yield from iter(lambda: self.file.read(chunk_size) if self.file else b"", b"")
        else:
            raise ConfigError("a multipart Part has no payload of its own; use children")

    def read_bytes(self) -> bytes:
        """Return the whole payload in memory."""
        if self.data is not None:
            return self.data
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


def _read_file(path: Path, chunk_size: int) -> Iterator[bytes]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    with fh:
        while True:
            try:
                chunk = fh.read(chunk_size)
            except OSError as exc:
                raise _unreadable(path, exc) from exc
            if not chunk:
                return
            yield chunk


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------


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
# Bodies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """A leaf payload streamed at send time, in an :class:`EncodedBody`.

    Attributes:
        part: The part whose payload is streamed (a file, or an open file object).
        size: The payload's size when the body was encoded; streaming checks it still is.
    """

    part: Part
    size: int


#: A piece of an encoded body: bytes ready to send, or a payload streamed at send time.
Segment = bytes | Stream
#: While an :class:`EncodedBody` is streamed, runs of byte segments shorter than this are joined into one
#: chunk; longer ones are chunks of their own, not copied.
_MERGE_LIMIT = 8 * 1024


@dataclass(frozen=True)
class EncodedBody:
    """A body ready to send: header values plus a re-iterable stream of chunks.

    Attributes:
        content_type: The full Content-Type header value.
        content_length: Exact byte length, computed from data lengths and file sizes.
        segments: The body's pieces, in order, as the encoder made them (a delimiter line with the next
            part's header block, a payload, ...); file payloads are read only when iterated.
    """

    content_type: str
    content_length: int
    segments: tuple[Segment, ...] = field(repr=False)

    def __iter__(self) -> Iterator[bytes]:
        """Yield the body in chunks; files are opened now and read 64 KiB at a time, never whole.

        Runs of small segments (delimiter lines, header blocks, short payloads) are joined into one chunk
        each, for fewer and larger writes; a large in-memory payload is yielded as it is, not copied.

        Raises:
            LocalCodecError: A file changed size between encoding and streaming.
            ConfigError: A file cannot be opened or read (the message names the path).
        """
        run: list[bytes] = []
        for segment in self.segments:
            if isinstance(segment, bytes):
                if len(segment) < _MERGE_LIMIT:
                    run.append(segment)
                    continue
                if run:
                    yield b"".join(run)
                    run = []
                yield segment
                continue
            if run:
                yield b"".join(run)
                run = []
            expected, sent = segment.size, 0
            for chunk in segment.part.iter_bytes():
                sent += len(chunk)
                yield chunk
            if sent != expected:
                raise LocalCodecError(f"attachment changed size while streaming ({expected} → {sent})")
        if run:
            yield b"".join(run)

    def to_bytes(self) -> bytes:
        """Return the whole body in memory: one join, which copies each payload once."""
        try:
            # The usual body: bytes segments only. A Stream among them stops the join before it copies.
            return b"".join(self.segments)  # type: ignore[arg-type]
        except TypeError:
            return b"".join(self)

    @property
    def http_headers(self) -> dict[str, str]:
        """``Content-Type`` and ``Content-Length`` as HTTP headers."""
        return {"Content-Type": self.content_type, "Content-Length": str(self.content_length)}


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
        parts = list(self.iter_parts())
        if ref[:4] == "cid:" and "%" not in ref:
            # The usual case: a cid: URL naming a Content-ID exactly (nothing to percent-decode).
            for part in parts:
                if part.content_id == ref[4:]:
                    return part, None
        from mm7.codec.mime.references import resolve_reference  # only a received message's href needs it

        found, reason = resolve_reference(parts, ref)
        return found, None if reason is None else Deviation("content-reference", reason, MIME_PATH)

    def close(self) -> None:
        """Close every spooled sink held by the parts."""
        for part in [self.root, *self.iter_parts()]:
            if part.file is not None:
                part.file.close()
