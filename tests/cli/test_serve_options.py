"""``mm7 serve`` options, each checked by its effect on a real ``mm7 serve`` process on 127.0.0.1.

An option given on the command line replaces its ``MM7_*`` variable; a password never comes from argv.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from . import FIXTURES, Background, run_mm7

DR = (FIXTURES / "delivery_report.xml").read_bytes()
INVALID_DR = DR.replace(b"<mm7:MessageID>1234567890123456789</mm7:MessageID>", b"")
XML = {"Content-Type": "text/xml"}
Start = Callable[..., str]


@pytest.fixture
def start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Start]:
    """``start(*options, **env)`` runs ``mm7 serve --port 0 OPTIONS`` and returns its URL."""
    running: list[Background] = []

    def run(*options: str, **env: str) -> str:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        server = Background(
            ["serve", "--port", "0", "--inbox", f"sqlite:///{tmp_path / 'inbox.db'}", *options]
        )
        running.append(server)
        for name in env:
            monkeypatch.delenv(name)
        return server.wait_line("listening on").split()[-1]

    yield run
    assert [server.stop() for server in running] == [0] * len(running)


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    return host, int(port)


def test_password_on_the_command_line_is_refused() -> None:
    result = run_mm7("serve", "--port", "0", "--user", "sinch", "--password", "s3cret")
    assert result.returncode == 2
    assert "MM7_BASIC_PASSWORD" in result.stderr and "--password-file" in result.stderr


def test_password_from_the_environment(start: Start) -> None:
    url = start("--user", "sinch", MM7_BASIC_PASSWORD="s3cret")
    assert requests.post(url, data=DR, headers=XML, timeout=10).status_code == 401
    assert requests.post(url, data=DR, headers=XML, auth=("sinch", "s3cret"), timeout=10).status_code == 200


def test_password_file(start: Start, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret\n")
    url = start("--user", "sinch", "--password-file", str(tmp_path / "pw"))
    assert requests.post(url, data=DR, headers=XML, auth=("sinch", "s3cret\n"), timeout=10).status_code == 401
    assert requests.post(url, data=DR, headers=XML, auth=("sinch", "s3cret"), timeout=10).status_code == 200


def test_unreadable_password_file_stops_serve(tmp_path: Path) -> None:
    result = run_mm7("serve", "--port", "0", "--user", "u", "--password-file", str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "cannot read the password file" in result.stderr


def test_allow_trusted_proxy_and_forwarded_for(start: Start) -> None:
    url = start("--allow", "10.9.9.9/32", "--trusted-proxy", "127.0.0.1/32", "--trust-forwarded-for")
    assert requests.post(url, data=DR, headers=XML, timeout=10).status_code == 403
    relayed = requests.post(url, data=DR, headers={**XML, "X-Forwarded-For": "10.9.9.9"}, timeout=10)
    assert relayed.status_code == 200


def test_forwarded_for_is_ignored_without_the_flag(start: Start) -> None:
    url = start("--allow", "10.9.9.9/32", "--trusted-proxy", "127.0.0.1/32")
    relayed = requests.post(url, data=DR, headers={**XML, "X-Forwarded-For": "10.9.9.9"}, timeout=10)
    assert relayed.status_code == 403


def test_max_body_size_option_replaces_the_variable(start: Start) -> None:
    url = start("--max-body-size", "900", MM7_MAX_BODY_SIZE="100")
    assert requests.post(url, data=DR, headers=XML, timeout=10).status_code == 200  # 865 bytes
    assert requests.post(url, data=DR + b" " * 100, headers=XML, timeout=10).status_code == 413


def test_reject_invalid(start: Start) -> None:
    url = start("--reject-invalid")
    assert requests.post(url, data=INVALID_DR, headers=XML, timeout=10).status_code == 500
    plain = start()
    assert requests.post(plain, data=INVALID_DR, headers=XML, timeout=10).status_code == 200  # stored flagged


def _held(url: str, first: bytes) -> float:
    """Seconds until the server closes a connection that sent ``first`` and then nothing."""
    with socket.create_connection(_address(url), timeout=30) as sock:
        sock.sendall(first)
        began = time.monotonic()
        while sock.recv(65536):  # an answer (keep-alive), then the close
            pass
        return time.monotonic() - began


def test_header_and_body_timeouts(start: Start) -> None:
    url = start("--header-timeout", "1", "--body-timeout", "2")
    assert 0.9 <= _held(url, b"POST / HTTP/1.1\r\nHost: x\r\n") <= 3.5
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 10\r\n\r\n<"
    assert 1.9 <= _held(url, head) <= 4.5


def test_idle_timeout(start: Start) -> None:
    url = start("--idle-timeout", "2")
    assert 1.9 <= _held(url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") <= 4.5  # answered, then idle


def test_connection_limit(start: Start) -> None:
    # Two silent connections fill a limit of 2: a third waits in the backlog until the header deadline
    # drops them, then is served.
    url = start("--connection-limit", "2", "--header-timeout", "2")
    silent = [socket.create_connection(_address(url), timeout=30) for _ in range(2)]
    try:
        time.sleep(0.5)  # let the server accept both
        began = time.monotonic()
        assert requests.post(url, data=DR, headers=XML, timeout=30).status_code == 200
        waited = time.monotonic() - began
    finally:
        for sock in silent:
            sock.close()
    assert 1.0 <= waited <= 5.0, waited


def test_serve_help_lists_every_setting() -> None:
    result = run_mm7("serve", "--help")
    assert result.returncode == 0
    for option in (
        "--password-file", "--trusted-proxy", "--trust-forwarded-for", "--max-body-size", "--header-timeout",
        "--body-timeout", "--idle-timeout", "--connection-limit", "--reject-invalid", "--allow", "--user",
    ):  # fmt: skip
        assert option in result.stdout
    assert "--password " not in result.stdout


def test_post_without_content_type_is_read_as_xml(start: Start) -> None:
    # As documented in docs/receiver.md: no Content-Type at all is read as text/xml.
    url = start()
    with socket.create_connection(_address(url), timeout=30) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(DR) + DR
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"StatusCode>1000<" in answer
