"""Read a raw HTTP message stored as a fixture file: start line, headers, blank line, body.

Line endings may be CRLF or bare LF (the fixture's own choice is kept in the body). Headers are returned with
their names as written; lookups are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEAD_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class HTTPMessage:
    """One stored HTTP request or response.

    Attributes:
        start_line: ``POST /mm7 HTTP/1.1`` or ``HTTP/1.1 200 OK``.
        headers: (name, value) pairs in order.
        body: The body bytes, exactly as stored.
        crlf: Whether the head used CRLF line endings.
    """

    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    crlf: bool

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def is_request(self) -> bool:
        """True for a request, False for a response."""
        return not self.start_line.startswith("HTTP/")

    @property
    def status(self) -> int | None:
        """The HTTP status code of a response."""
        return None if self.is_request else int(self.start_line.split()[1])


def parse_http(raw: bytes) -> HTTPMessage:
    """Split raw HTTP bytes into start line, headers and body.

    Raises:
        ValueError: no blank line ends the head, or a header line has no colon.
    """
    match = _HEAD_END.search(raw)
    if match is None:
        raise ValueError("no blank line after the HTTP head")
    head, body = raw[: match.start()], raw[match.end() :]
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"malformed header line {line!r}")
        headers.append((name.strip(), value.strip()))
    length = next((v for k, v in headers if k.lower() == "content-length"), None)
    if length is not None and int(length) != len(body):
        raise ValueError(f"Content-Length {length} but the body has {len(body)} bytes")
    return HTTPMessage(lines[0], tuple(headers), body, crlf=b"\r\n" in head)


def read_http(path: Path) -> HTTPMessage:
    """Read and parse one ``.http`` fixture file."""
    return parse_http(path.read_bytes())
