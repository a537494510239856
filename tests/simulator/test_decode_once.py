"""The simulator decodes an accepted SubmitReq once: one MIME split, one parse of the SOAP part.

Counted with the interpreter's profiler hook (``sys.setprofile``): every Python-level call of the codec's
MIME decoder and XML parser is seen, nothing is replaced, and the code runs as it does in production.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import mm7
from mm7.codec import xml as codec_xml
from mm7.codec.mime import decode as decode_mime
from mm7.simulator import MMSCSimulator, SimulatorConfig

from . import submit_wire

_WATCHED = {decode_mime.__code__: "mime", codec_xml.parse_xml.__code__: "xml"}


def _count(call: Callable[[], object]) -> dict[str, int]:
    """How often ``call`` entered the MIME decoder and the XML parser."""
    seen = {"mime": 0, "xml": 0}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in _WATCHED:
            seen[_WATCHED[frame.f_code]] += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(previous)
    return seen


def _post(simulator: MMSCSimulator, body: bytes, content_type: str) -> tuple[list[str], bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/mm7/v1/",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    statuses: list[str] = []
    answer = b"".join(simulator(environ, lambda status, headers: statuses.append(status)))
    return statuses, answer


def test_an_accepted_submit_is_decoded_once() -> None:
    wire = submit_wire()
    body, content_type = wire.to_bytes(), wire.content_type
    codec_alone = _count(lambda: mm7.decode(body, content_type))
    assert codec_alone == {"mime": 1, "xml": 1}  # what one decode costs; guards the count itself

    simulator = MMSCSimulator(SimulatorConfig())  # no dr_url: nothing else is posted
    result: list[tuple[list[str], bytes]] = []
    in_simulator = _count(lambda: result.append(_post(simulator, body, content_type)))

    statuses, answer = result[0]
    assert statuses == ["200 OK"]
    assert mm7.decode(answer, "text/xml").status_code == 1000
    assert in_simulator == codec_alone
