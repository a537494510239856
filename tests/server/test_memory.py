"""Bounded memory per request: a SOAP part over ``XMLLimits.max_size`` is refused while the body is read.

A refused request costs O(limit), not O(body): the decoder stops at the limit (1 MiB by default) instead of
reading the whole root part and then letting the XML parser refuse it.

* The decoder itself: a bare body and a multipart root are refused at the limit, fed in 64 KiB chunks;
  attachments are not subject to it and keep spooling to their sink.
* One refused 15 MiB junk ``text/xml`` POST through a real waitress server (this process, 127.0.0.1, the body
  sent with ``sendfile`` from disk): the Python heap peak (tracemalloc) of everything in the process stays
  under 4 MiB.
* 50 concurrent 15 MiB junk SOAP bodies against ``python -m mm7.server``: the server's peak RSS (``VmHWM``)
  grows by less than 64 MB, every one gets a 2007 fault, nothing is stored.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mm7.codec.mime import MultipartDecoder
from mm7.errors import LimitExceededError
from mm7.inbox import open_inbox
from mm7.server import ReceiverApp, make_server

from .conftest import dr_request, transaction_id_and_status

MiB = 1024 * 1024
JUNK_SIZE = 15 * MiB
LIMIT = 1 * MiB  # XMLLimits().max_size


def _chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _feed_until_refused(decoder: MultipartDecoder, body: bytes) -> int:
    fed = 0
    with pytest.raises(LimitExceededError) as info:
        for chunk in _chunks(body):
            fed += len(chunk)
            decoder.feed(chunk)
        decoder.close()
    assert info.value.limit == "xml.max_size"
    assert info.value.status_code == 2007
    return fed


def test_bare_soap_body_is_refused_at_the_limit() -> None:
    decoder = MultipartDecoder("text/xml", max_root_size=LIMIT)
    fed = _feed_until_refused(decoder, b"<" + b"x" * (4 * MiB))
    assert fed <= LIMIT + 64 * 1024  # refused in the chunk that crossed the limit


def test_bare_soap_body_at_the_limit_is_read() -> None:
    decoder = MultipartDecoder("text/xml", max_root_size=LIMIT)
    for chunk in _chunks(b"x" * LIMIT):
        decoder.feed(chunk)
    assert decoder.close().root.size == LIMIT


def _related(parts: list[tuple[str, str, bytes]], start: str | None) -> tuple[str, bytes]:
    body = b"".join(
        b"--b1\r\nContent-Type: "
        + ct.encode()
        + b"\r\nContent-ID: <"
        + cid.encode()
        + b">\r\n\r\n"
        + data
        + b"\r\n"
        for ct, cid, data in parts
    )
    content_type = "multipart/related; boundary=b1; type=text/xml" + (f'; start="<{start}>"' if start else "")
    return content_type, body + b"--b1--\r\n"


@pytest.mark.parametrize("start", [None, "soap"])
def test_multipart_root_is_refused_at_the_limit(start: str | None) -> None:
    content_type, body = _related(
        [("text/xml", "soap", b"x" * (4 * MiB)), ("image/jpeg", "img", b"j" * 10)], start
    )
    fed = _feed_until_refused(MultipartDecoder(content_type, max_root_size=LIMIT), body)
    assert fed <= LIMIT + 2 * 64 * 1024


def test_root_named_by_start_after_a_large_attachment_is_refused_at_the_limit() -> None:
    content_type, body = _related(
        [("image/jpeg", "img", b"j" * (3 * MiB)), ("text/xml", "soap", b"x" * (4 * MiB))], "soap"
    )
    fed = _feed_until_refused(MultipartDecoder(content_type, max_root_size=LIMIT), body)
    assert fed <= 3 * MiB + LIMIT + 2 * 64 * 1024


def test_attachments_are_not_bounded_by_the_soap_limit_and_spool_to_their_sink() -> None:
    sinks: list[io.BytesIO] = []

    def sink() -> io.BytesIO:
        sinks.append(io.BytesIO())
        return sinks[-1]

    content_type, body = _related(
        [("text/xml", "soap", b"<x/>"), ("image/jpeg", "img", b"j" * (3 * MiB))], None
    )
    decoder = MultipartDecoder(
        content_type, sink_factory=sink, spool_threshold=64 * 1024, max_root_size=LIMIT
    )
    for chunk in _chunks(body):
        decoder.feed(chunk)
    decoded = decoder.close()
    assert decoded.root.read_bytes() == b"<x/>"
    assert [a.size for a in decoded.attachments] == [3 * MiB]
    assert decoded.attachments[0].file is sinks[0]


def test_root_chosen_by_repairing_start_is_still_checked() -> None:
    # `start` names no part: tolerant reading takes the only XML part, known only at the end of the body.
    content_type, body = _related(
        [("image/jpeg", "img", b"j" * 10), ("text/xml", "soap", b"x" * (2 * MiB))], "nowhere"
    )
    _feed_until_refused(MultipartDecoder(content_type, max_root_size=LIMIT), body)


# --------------------------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def junk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("junk") / "junk.xml"
    block = b"<junk>" + bytes(range(33, 127)) * 100
    with path.open("wb") as fh:
        written = 0
        while written < JUNK_SIZE:
            piece = block[: JUNK_SIZE - written]
            fh.write(piece)
            written += len(piece)
    return path


def _post_file(port: int, path: Path, content_type: str = "text/xml; charset=utf-8") -> tuple[int, bytes]:
    """POST a file's bytes with ``socket.sendfile`` (no copy of the body in this process); (status, body)."""
    size = path.stat().st_size
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock, path.open("rb") as fh:
        sock.sendall(head)
        sock.sendfile(fh)
        answer = bytearray()
        while data := sock.recv(65536):
            answer += data
    status = int(answer.split(b" ", 2)[1])
    return status, bytes(answer.partition(b"\r\n\r\n")[2])


def test_one_refused_15mib_post_peaks_under_4mib_of_python_heap(junk_file: Path, tmp_path: Path) -> None:
    inbox = open_inbox(f"sqlite:///{tmp_path / 'inbox.db'}")
    server = make_server(ReceiverApp(inbox), port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        _post_file(server.effective_port, junk_file)  # warm-up: imports, lxml, the fault's encoder
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            status, body = _post_file(server.effective_port, junk_file)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        print(f"Python heap peak for one refused 15 MiB post: {peak / MiB:.2f} MiB")
        assert status == 500
        assert transaction_id_and_status(body)[1] == "2007"
        assert b"limit" in body
        assert peak < 4 * MiB, f"Python heap peak {peak / MiB:.1f} MiB for one refused 15 MiB post"
        assert inbox.list() == []
    finally:
        server.close()
        thread.join(10)
        inbox.close()


def _rss(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(value) * 1024 for key, value in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}


def test_50_concurrent_15mib_junk_posts_grow_server_rss_under_64mb(
    junk_file: Path, tmp_path: Path, start_server: object
) -> None:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = start_server(url)  # type: ignore[operator]
    assert server.proc is not None
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    # Warm-up: a stored request and a refused one, so that imports and caches are not counted as growth.
    assert server.post(dr_request()).status_code == 200
    assert _post_file(port, junk_file)[0] == 500
    before = _rss(server.proc.pid)["VmRSS"]
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda _: _post_file(port, junk_file), range(50)))
    peak = _rss(server.proc.pid)["VmHWM"]
    growth = peak - before
    print(f"server RSS before {before / MiB:.1f} MiB, peak after 50 x 15 MiB {peak / MiB:.1f} MiB")
    assert [status for status, _ in answers] == [500] * 50
    assert {transaction_id_and_status(body)[1] for _, body in answers} == {"2007"}
    assert growth < 64 * 1_000_000, f"server RSS grew {growth / MiB:.1f} MiB"
    inbox = open_inbox(url)
    try:
        assert len(inbox.list()) == 1  # only the warm-up delivery report
    finally:
        inbox.close()
