"""The capture writer on real files: redaction, the size cap, the count cap with rotation, failures."""

from __future__ import annotations

import logging
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mm7.capture import Capture, Message, redact_headers, request_target
from mm7.cli.httpfile import read_capture, read_exchange
from mm7.errors import ConfigError

BODY = b"<?xml version='1.0'?><env:Envelope>...</env:Envelope>"


def request(headers: list[tuple[str, str]], body: bytes = BODY) -> Message:
    return Message("POST /mm7 HTTP/1.1", [("Host", "relay.example:8080"), *headers], body)


ANSWER = Message("HTTP/1.1 200 OK", [("Content-Type", "text/xml"), ("Set-Cookie", "sid=abc123")], b"<ok/>")


@pytest.mark.parametrize(
    ("header", "value", "kept"),
    [
        ("Authorization", "Basic dmFzcDpzM2NyZXQ=", "Basic <redacted>"),
        ("Authorization", "Bearer eyJhbGciOi.secret.token", "Bearer <redacted>"),
        (
            "Authorization",
            'Digest username="vasp", realm="mm7", nonce="n1", uri="/mm7", response="6629fae49393a053"',
            "Digest <redacted>",
        ),
        ("Proxy-Authorization", "Basic cHJveHk6cHc=", "Basic <redacted>"),
        ("Cookie", "session=s3cret", "<redacted>"),
        ("X-Api-Key", "k-12345", "<redacted>"),
        ("X-Auth-Token", "t-12345", "<redacted>"),
    ],
)
def test_secrets_are_redacted_and_the_scheme_word_kept(
    tmp_path: Path, header: str, value: str, kept: str
) -> None:
    path = Capture(tmp_path).write("client", "SubmitReq", "t1", request([(header, value)]), ANSWER)
    assert path is not None
    data = path.read_bytes()
    secret = value.split(" ", 1)[-1] if header.endswith("Authorization") else value
    assert secret.encode() not in data
    assert f"{header}: {kept}\r\n".encode() in data
    assert b"sid=abc123" not in data and b"Set-Cookie: <redacted>" in data
    assert BODY in data  # the body is written as it was


def test_a_header_named_by_the_caller_is_redacted(tmp_path: Path) -> None:
    headers = [("X-Carrier-Key", "ck-999"), ("X-Mblox-Carrier-Id", "0001890")]
    assert redact_headers(headers, ["x-carrier-key"]) == [
        ("X-Carrier-Key", "<redacted>"),
        ("X-Mblox-Carrier-Id", "0001890"),
    ]
    path = Capture(tmp_path, redact=["X-Carrier-Key"]).write(
        "client", "SubmitReq", "t", request(headers), None
    )
    assert path is not None and b"ck-999" not in path.read_bytes()


def test_the_user_information_of_a_url_never_reaches_the_host_line() -> None:
    assert request_target("https://vasp:s3cret@relay.example:8443/mm7/v1?x=1") == (
        "/mm7/v1?x=1",
        "relay.example:8443",
    )
    assert request_target("http://[::1]:8080") == ("/", "[::1]:8080")


def test_a_file_holds_the_request_then_the_answer_readable_by_its_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "captures"
    path = Capture(folder).write("receiver", "DeliveryReportReq", "dr/1 x", request([]), ANSWER)
    assert path is not None and path.parent == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.name.endswith("-receiver-DeliveryReportReq-dr_1_x.http")  # the TransactionID made safe
    sent, answer = read_exchange(path.read_bytes())
    assert sent.start_line == "POST /mm7 HTTP/1.1" and sent.body == BODY
    assert answer is not None and answer.start_line == "HTTP/1.1 200 OK" and answer.body == b"<ok/>"
    assert [name for name in os.listdir(folder)] == [path.name]  # no temporary file left


def test_a_request_without_an_answer_says_why(tmp_path: Path) -> None:
    path = Capture(tmp_path).write("client", "SubmitReq", "t", request([]), None, "no answer: refused")
    assert path is not None
    sent, answer = read_exchange(path.read_bytes())
    assert answer is None and sent.header("X-MM7-Capture-Note") == "no answer: refused"


def test_a_body_over_the_size_cap_is_cut_and_marked(tmp_path: Path) -> None:
    big = b"<x>" + b"a" * 50_000 + b"</x>"
    capture = Capture(tmp_path, max_file_bytes=8192)
    path = capture.write("client", "SubmitReq", "t", request([], big), ANSWER)
    assert path is not None
    data = path.read_bytes()
    assert len(data) <= 8192
    sent, answer = read_exchange(data)
    assert sent.header("X-MM7-Capture-Truncated") == f"body cut to {len(sent.body)} of {len(big)} bytes"
    assert big.startswith(sent.body) and len(sent.body) > 4000
    assert answer is not None and answer.body == b"<ok/>"  # the answer is whole after a cut request
    small = capture.write("client", "SubmitReq", "t", request([]), ANSWER)
    assert small is not None and b"X-MM7-Capture-Truncated" not in small.read_bytes()


def test_a_large_answer_keeps_half_the_file(tmp_path: Path) -> None:
    large = Message("HTTP/1.1 500 Internal Server Error", [], b"e" * 20_000)
    path = Capture(tmp_path, max_file_bytes=4096).write(
        "client", "SubmitReq", "t", request([], b"r" * 20_000), large
    )
    assert path is not None and len(path.read_bytes()) <= 4096
    sent, answer = read_exchange(path.read_bytes())
    assert answer is not None and answer.header("X-MM7-Capture-Truncated")
    assert len(sent.body) > 1000 and len(answer.body) > 1000


def test_the_count_cap_removes_the_oldest_first_and_survives_a_restart(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a capture")
    capture = Capture(tmp_path, max_files=3)
    written = []
    for number in range(7):
        path = capture.write("client", "SubmitReq", f"t{number}", request([]), ANSWER)
        assert path is not None
        written.append(path.name)
        files = sorted(p.name for p in tmp_path.glob("*.http"))
        assert len(files) <= 3
        assert files == sorted(written[-3:])  # the newest three, in name (time) order
    again = Capture(tmp_path, max_files=3)  # a new writer (a restart) lists the directory once
    path = again.write("client", "SubmitReq", "t7", request([]), ANSWER)
    assert path is not None
    assert sorted(p.name for p in tmp_path.glob("*.http")) == sorted([*written[-2:], path.name])
    assert (tmp_path / "notes.txt").exists()  # files that are not captures are never removed
    assert written == sorted(written)  # names sort by time


def test_a_write_that_fails_is_logged_never_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    with caplog.at_level(logging.ERROR, logger="mm7.capture"):
        assert Capture(blocker / "sub").write("client", "SubmitReq", "t9", request([]), ANSWER) is None
    assert "capture of SubmitReq t9 not written" in caplog.text


def test_caps_must_be_sane(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_files"):
        Capture(tmp_path, max_files=0)
    with pytest.raises(ConfigError, match="max_file_bytes"):
        Capture(tmp_path, max_file_bytes=10)


def test_a_capture_file_reads_as_its_request(tmp_path: Path) -> None:
    path = Capture(tmp_path).write("client", "SubmitReq", "t", request([]), ANSWER)
    assert path is not None
    sent = read_capture(path.read_bytes())
    assert (
        sent.kind == "http-request" and sent.body == BODY and sent.rest.lstrip().startswith(b"HTTP/1.1 200")
    )


def test_threads_writing_at_once_never_leave_more_files_than_the_cap(tmp_path: Path) -> None:
    capture = Capture(tmp_path, max_files=5)
    seen: list[int] = []
    stop = threading.Event()

    def count() -> None:  # watches the directory while the writers run
        while not stop.is_set():
            seen.append(len(list(tmp_path.glob("*.http"))))

    watcher = threading.Thread(target=count)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            paths = list(
                pool.map(
                    lambda n: capture.write("client", "SubmitReq", f"t{n}", request([]), ANSWER), range(600)
                )
            )
    finally:
        stop.set()
        watcher.join()
    written = [path for path in paths if path is not None]  # None: rotated out before it was renamed in
    assert len(set(written)) == len(written) >= 5  # every exchange got a name of its own
    assert sorted(tmp_path.glob("*.http")) == sorted(written)[-5:]  # the newest five remain
    assert seen and max(seen) <= 5
    assert not list(tmp_path.glob(".*.tmp"))
