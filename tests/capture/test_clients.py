"""``MM7Client(capture=DIR)`` and ``AsyncMM7Client(capture=DIR)`` against a real ``mm7 simulate``."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

import mm7
from mm7.capture import Capture
from mm7.cli.httpfile import read_exchange
from mm7.client import AsyncMM7Client, BearerAuth, MM7Client, RetryPolicy, SubmitResult
from mm7.errors import TransportError


def message() -> mm7.SubmitReq:
    return mm7.submit_request(to="15551230001", sender="12345")


def only_file(folder: Path) -> Path:
    [path] = list(folder.glob("*.http"))
    return path


def check_exchange(path: Path, transaction_id: str, message_id: str | None) -> bytes:
    """The file holds the SubmitReq as sent and the SubmitRsp as answered; returns its bytes."""
    data = path.read_bytes()
    sent, answer = read_exchange(data)
    request = mm7.decode(sent.body, sent.content_type)
    assert request.operation == "SubmitReq" and request.transaction_id == transaction_id
    assert (
        sent.header("SOAPAction")
        and sent.header(
            "Host",
        )
        and "@" not in (sent.header("Host") or "")
    )
    assert answer is not None and answer.start_line == "HTTP/1.1 200 OK"
    response = mm7.decode(answer.body, answer.content_type)
    assert response.operation == "SubmitRsp" and response.transaction_id == transaction_id
    assert getattr(response.message, "message_id", None) == message_id
    assert f"-client-SubmitReq-{transaction_id}.http" in path.name
    return data


def test_the_sync_client_captures_each_exchange_with_its_password_redacted(
    endpoint: str, tmp_path: Path
) -> None:
    with MM7Client(endpoint, auth=("vasp", "pa55-word"), capture=tmp_path) as client:
        result = client.submit(message(), content=[mm7.Part.from_text("hello")])
    data = check_exchange(only_file(tmp_path), result.transaction_id, result.message_id)
    assert b"Authorization: Basic <redacted>\r\n" in data
    assert b"pa55-word" not in data and b"dmFzcDpwYTU1LXdvcmQ=" not in data  # nor its base64
    assert b"hello" in data


def test_a_password_in_the_url_never_reaches_the_file(endpoint: str, tmp_path: Path) -> None:
    with_password = endpoint.replace("http://", "http://vasp:url-s3cret@")
    with MM7Client(with_password, capture=Capture(tmp_path)) as client:
        result = client.submit(message(), content=[mm7.Part.from_text("x")])
    data = check_exchange(only_file(tmp_path), result.transaction_id, result.message_id)
    assert b"url-s3cret" not in data and b"vasp:" not in data


def test_the_async_client_captures_off_the_loop(endpoint: str, tmp_path: Path) -> None:
    async def main() -> SubmitResult:
        async with AsyncMM7Client(endpoint, auth=BearerAuth("tok-777"), capture=str(tmp_path)) as client:
            return await client.submit(message(), content=[mm7.Part.from_text("async")])

    result = asyncio.run(main())
    data = check_exchange(only_file(tmp_path), result.transaction_id, result.message_id)
    assert b"Authorization: Bearer <redacted>\r\n" in data and b"tok-777" not in data


def test_a_request_without_an_answer_is_captured_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    retry = RetryPolicy(total_attempts=2, backoff_base=0.01, backoff_max=0.01)
    with (
        MM7Client(f"http://127.0.0.1:{port}/mm7", retry=retry, capture=tmp_path) as client,
        pytest.raises(TransportError),
    ):
        client.submit(message(), content=[mm7.Part.from_text("x")])
    files = sorted(tmp_path.glob("*.http"))
    assert len(files) == 2  # one file per attempt, each with the reason
    for path in files:
        sent, answer = read_exchange(path.read_bytes())
        assert answer is None and "no answer: ConnectionError" in (sent.header("X-MM7-Capture-Note") or "")
        assert mm7.decode(sent.body, sent.content_type).operation == "SubmitReq"


def test_a_capture_that_cannot_be_written_does_not_stop_the_send(
    endpoint: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    with caplog.at_level(logging.ERROR, logger="mm7.capture"), MM7Client(endpoint, capture=blocker) as client:
        result = client.submit(message(), content=[mm7.Part.from_text("x")])
    assert result.message_id
    assert f"capture of SubmitReq {result.transaction_id} not written" in caplog.text


class ThreadRecordingCapture(Capture):
    """A real writer that also notes which thread wrote each file."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.threads: list[int] = []

    def write(self, *args: Any, **kwargs: Any) -> Path | None:
        self.threads.append(threading.get_ident())
        return super().write(*args, **kwargs)


def test_the_async_client_never_writes_on_the_event_loop(endpoint: str, tmp_path: Path) -> None:
    capture = ThreadRecordingCapture(tmp_path)

    async def main() -> int:
        async with AsyncMM7Client(endpoint, capture=capture) as client:
            await asyncio.gather(
                *(client.submit(message(), content=[mm7.Part.from_text(str(n))]) for n in range(3))
            )
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert len(capture.threads) == 3 and loop_thread not in capture.threads
    assert len(list(tmp_path.glob("*.http"))) == 3
