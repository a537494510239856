"""Read the files users actually have: HTTP captures, bare MIME bodies and bare SOAP envelopes.

:func:`read_capture` sniffs the bytes and returns the HTTP body and Content-Type to give the codec:

* a raw HTTP **request** capture (``POST /mm7 HTTP/1.1`` + headers + blank line + body), CRLF or LF;
* a raw HTTP **response** capture (``HTTP/1.1 200 OK`` + headers + body);
* a **MIME entity with its headers** (``Content-Type: multipart/related; ...`` + blank line + body);
* a **MIME body with no headers** (starts with ``--boundary``): the boundary is taken from that first
  delimiter line, unless a Content-Type is given;
* a **bare SOAP envelope** (starts with ``<``): read as ``text/xml``.

A capture file of ``mm7 send --capture`` / ``mm7 serve --capture`` (:mod:`mm7.capture`) is a request
capture followed by the response capture: :func:`read_capture` reads the request, :func:`read_exchange`
both.

Only the framing is handled here (start line, header block, chunked transfer coding); every MIME and
SOAP rule is the codec's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import HTTP
from typing import Literal

from mm7.errors import MM7Error

__all__ = ["Capture", "CaptureError", "CaptureKind", "read_capture", "read_exchange"]

CaptureKind = Literal["http-request", "http-response", "mime-entity", "mime-body", "envelope"]

_REQUEST_LINE = re.compile(rb"^[A-Z]{3,10} \S+ HTTP/\d(?:\.\d)?\r?$")
_STATUS_LINE = re.compile(rb"^HTTP/\d(?:\.\d)? \d{3}(?: .*)?\r?$")
_HEADER_LINE = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+:")
_BOM = b"\xef\xbb\xbf"
#: The XML media type given to a bare envelope (TS 23.140 §8.4: the SOAP part is ``text/xml``).
ENVELOPE_CONTENT_TYPE = "text/xml; charset=utf-8"


class CaptureError(MM7Error):
    """The bytes are none of the shapes :func:`read_capture` knows (or their framing is broken)."""


@dataclass(frozen=True)
class Capture:
    """What a capture file holds.

    Attributes:
        kind: Which shape was recognised.
        body: The HTTP body (the MIME entity's body, or the envelope).
        content_type: The Content-Type to decode it with (None when the capture had none).
        start_line: The request or status line of an HTTP capture, else None.
        headers: The capture's headers, in order (empty for bodies without headers).
        rest: What follows an HTTP message's body of declared Content-Length (a capture file's answer).
    """

    kind: CaptureKind
    body: bytes
    content_type: str | None
    start_line: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    rest: bytes = field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def read_capture(data: bytes, *, content_type: str | None = None) -> Capture:
    """Recognise a capture and extract the body and Content-Type the codec needs.

    Args:
        data: The file's bytes.
        content_type: A Content-Type to use instead of the one in the capture (or derived from it).

    Returns:
        The capture.

    Raises:
        CaptureError: Empty input, a broken HTTP framing, or bytes of no known shape.
    """
    text = data[len(_BOM) :] if data.startswith(_BOM) else data
    text = text.lstrip(b"\r\n\t ")
    if not text:
        raise CaptureError("the input is empty")
    first_line = text.split(b"\n", 1)[0]
    if _REQUEST_LINE.match(first_line) or _STATUS_LINE.match(first_line):
        kind: CaptureKind = "http-request" if _REQUEST_LINE.match(first_line) else "http-response"
        headers, body = _split_headers(text[len(first_line) + 1 :])
        return _http_capture(kind, first_line.decode("latin-1").strip(), headers, body, content_type)
    if text.startswith(b"--"):
        return Capture("mime-body", text, content_type or _content_type_from_delimiter(first_line))
    if text.startswith(b"<"):
        return Capture("envelope", text, content_type or ENVELOPE_CONTENT_TYPE)
    if _HEADER_LINE.match(first_line):
        headers, body = _split_headers(text)
        found = _find(headers, "Content-Type")
        if found is None and content_type is None:
            raise CaptureError("the header block has no Content-Type")
        return Capture("mime-entity", body, content_type or found, None, headers)
    raise CaptureError("not an HTTP capture, a MIME body or a SOAP envelope")


def read_exchange(data: bytes) -> tuple[Capture, Capture | None]:
    """A capture file's request and the answer that follows it (None when no HTTP answer follows).

    Raises:
        CaptureError: The request cannot be read (as :func:`read_capture`), or what follows it is broken.
    """
    request = read_capture(data)
    following = request.rest.lstrip(b"\r\n")
    if request.kind != "http-request" or not _STATUS_LINE.match(following.split(b"\n", 1)[0]):
        return request, None
    return request, read_capture(following)


def _split_headers(data: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """Split a header block (ended by an empty line, CRLF or LF) from the body that follows it."""
    match = re.search(rb"\r?\n\r?\n", data)
    if data.startswith((b"\r\n", b"\n")):
        return [], data[2 if data.startswith(b"\r\n") else 1 :]
    if match is None:
        raise CaptureError("the header block is not ended by an empty line")
    block, body = data[: match.start()], data[match.end() :]
    message: Message = BytesHeaderParser(policy=HTTP).parsebytes(block.replace(b"\r\n", b"\n") + b"\n\n")
    if message.defects:
        raise CaptureError(f"malformed header block: {message.defects[0]}")
    # Raw values, unfolded: the header objects would re-render parameters, and an unquoted
    # ``boundary=----=_Part_7_1357`` (as JavaMail-based relays send it) would lose everything after "=".
    return [(key, _UNFOLD.sub(" ", value).strip()) for key, value in message.raw_items()], body


_UNFOLD = re.compile(r"\r?\n[ \t]+")


def _find(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name.lower()), None)


def _http_capture(
    kind: CaptureKind, start_line: str, headers: list[tuple[str, str]], body: bytes, content_type: str | None
) -> Capture:
    if (_find(headers, "Transfer-Encoding") or "").lower().strip() == "chunked":
        body = _dechunk(body)
    else:
        length = (_find(headers, "Content-Length") or "").strip()
        if length.isdigit() and len(body) > int(length):
            # Editors and copy-paste add a newline after the body; the declared length says where it ends.
            return Capture(
                kind,
                body[: int(length)],
                content_type or _find(headers, "Content-Type"),
                start_line,
                headers,
                body[int(length) :],
            )
    return Capture(kind, body, content_type or _find(headers, "Content-Type"), start_line, headers)


def _dechunk(data: bytes) -> bytes:
    """Undo the chunked transfer coding (RFC 9112 §7.1) of a captured body."""
    out, rest = bytearray(), data
    while True:
        line, sep, rest = rest.partition(b"\n")
        if not sep:
            raise CaptureError("truncated chunked body")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise CaptureError(f"bad chunk size {size_text[:20]!r}") from exc
        if size == 0:
            return bytes(out)
        if len(rest) < size:
            raise CaptureError("truncated chunked body")
        out += rest[:size]
        rest = rest[size:].removeprefix(b"\r\n").removeprefix(b"\n")


def _content_type_from_delimiter(first_line: bytes) -> str:
    boundary = first_line[2:].rstrip(b"\r \t").decode("ascii", "replace")
    if not boundary or len(boundary) > 70:
        raise CaptureError(f"first line {first_line[:80]!r} is not a MIME boundary delimiter")
    escaped = boundary.replace("\\", "\\\\").replace('"', '\\"')
    return f'multipart/related; type="text/xml"; boundary="{escaped}"'
