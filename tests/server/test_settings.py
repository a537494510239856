"""One set of receiver settings, read the same way by every launcher, each launched as users launch it.

Launchers: ``mm7 serve`` (settings from the environment), ``python -m mm7.server`` and gunicorn with the
configuration we ship (``-c python:mm7.server.gunicorn_config``, which serves ``create_app()``). Each
setting is checked over HTTP on 127.0.0.1 by its effect, not by reading it back.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from mm7.errors import ConfigError
from mm7.server.hosting import ReceiverSettings, default_body_timeout

from .conftest import DEADLINE, dr_request, transaction_id_and_status, wait_until

MM7 = [sys.executable, "-c", "from mm7.cli import main; main()"]
LAUNCHERS = ["mm7 serve", "python -m mm7.server", "gunicorn"]


class Launched:
    """A receiver process started by one launcher with an environment; stopped by SIGTERM."""

    def __init__(self, launcher: str, env: dict[str, str], tmp: Path, extra: tuple[str, ...] = ()) -> None:
        self.log_path = tmp / f"{launcher.replace(' ', '-')}.log"
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        with self.log_path.open("w") as log:  # the child writes to its own copy of the descriptor
            if launcher == "gunicorn":
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", 0))
                    port = probe.getsockname()[1]
                cmd = [
                    sys.executable, "-m", "gunicorn", "-c", "python:mm7.server.gunicorn_config",
                    "-b", f"127.0.0.1:{port}", "-w", "1", "mm7.server:create_app()",
                ]  # fmt: skip
                self.proc = subprocess.Popen(cmd, env=full_env, stdout=log, stderr=log, cwd=tmp)
                self.url = f"http://127.0.0.1:{port}/"
            else:
                args = ["serve"] if launcher == "mm7 serve" else []
                cmd = [*MM7, *args] if args else [sys.executable, "-m", "mm7.server"]
                self.proc = subprocess.Popen(
                    [*cmd, "--port", "0", *extra],
                    env=full_env,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    cwd=tmp,
                    text=True,
                )
        if launcher != "gunicorn":
            lines: list[str] = []
            out = self.proc.stdout
            reader = threading.Thread(target=lambda: lines.append(out.readline() if out else ""), daemon=True)
            reader.start()
            reader.join(DEADLINE)
            match = re.search(r"listening on (http://\S+)", lines[0] if lines else "")
            if not match:
                self.stop()
                pytest.fail(f"{launcher} did not start: {lines!r}; log: {self.log_path.read_text()}")
            self.url = match.group(1)
        wait_until(self._up, f"{launcher} at {self.url}")

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"exited {self.proc.returncode}: {self.log_path.read_text()}")
        try:
            requests.get(self.url, timeout=2)
        except requests.RequestException:
            return False
        return True

    def post(self, body: bytes, headers: dict[str, str], **kwargs: object) -> requests.Response:
        return requests.post(self.url, data=body, headers=headers, timeout=10, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(DEADLINE)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., Launched]]:
    started: list[Launched] = []

    def start(launcher: str, env: dict[str, str], *args: str) -> Launched:
        started.append(
            Launched(launcher, {"MM7_INBOX_URL": f"sqlite:///{tmp_path / 'inbox.db'}", **env}, tmp_path, args)
        )
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_auth_body_limit_and_reject_invalid(
    launcher: str, launch: Callable[[str, dict[str, str]], Launched], tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    server = launch(
        launcher,
        {
            "MM7_BASIC_USER": "sinch",
            "MM7_BASIC_PASSWORD_FILE": str(secret),
            "MM7_MAX_BODY_SIZE": "5000",
            "MM7_REJECT_INVALID": "1",
        },
    )
    dr = dr_request()
    assert server.post(dr.body, dr.headers).status_code == 401
    assert server.post(dr.body, dr.headers, auth=("sinch", "wrong")).status_code == 401
    ok = server.post(dr.body, dr.headers, auth=("sinch", "s3cret"))  # the file's first line, no newline
    assert ok.status_code == 200 and transaction_id_and_status(ok.content) == ("dr-tx-0001", "1000")
    too_big = server.post(dr.body + b" " * (5001 - len(dr.body)), dr.headers, auth=("sinch", "s3cret"))
    assert too_big.status_code == 413
    invalid = dr.body.replace(b"<MessageID>369500617770864640</MessageID>", b"")
    refused = server.post(invalid, dr.headers, auth=("sinch", "s3cret"))
    assert refused.status_code == 500 and transaction_id_and_status(refused.content)[1] == "4004"


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_bearer_tokens_from_a_file_beside_basic(
    launcher: str, launch: Callable[[str, dict[str, str]], Launched], tmp_path: Path
) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("old-token\nnew-token\n")
    server = launch(
        launcher,
        {"MM7_BASIC_USER": "sinch", "MM7_BASIC_PASSWORD": "s3cret", "MM7_BEARER_TOKEN_FILE": str(tokens)},
    )
    dr = dr_request()
    refused = server.post(dr.body, dr.headers)
    assert refused.status_code == 401
    assert "Bearer" in refused.headers["WWW-Authenticate"] and "Basic" in refused.headers["WWW-Authenticate"]
    assert server.post(dr.body, {**dr.headers, "Authorization": "Bearer other"}).status_code == 401
    for token in ("old-token", "new-token"):
        assert server.post(dr.body, {**dr.headers, "Authorization": f"Bearer {token}"}).status_code == 200
    assert server.post(dr.body, dr.headers, auth=("sinch", "s3cret")).status_code == 200


@pytest.mark.parametrize("asgi", [False, True], ids=["waitress", "asgi"])
def test_serve_takes_the_bearer_token_file_as_an_option(
    asgi: bool, launch: Callable[..., Launched], tmp_path: Path
) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("cli-token\n")
    args = ("--bearer-token-file", str(tokens), *(["--asgi"] if asgi else []))
    server = launch("mm7 serve", {"MM7_BEARER_TOKENS": "env-token"}, *args)
    dr = dr_request()
    assert server.post(dr.body, {**dr.headers, "Authorization": "Bearer env-token"}).status_code == 401
    assert server.post(dr.body, {**dr.headers, "Authorization": "Bearer cli-token"}).status_code == 200


def test_bearer_token_settings(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("a\n\nb\n")
    assert ReceiverSettings.from_env({"MM7_BEARER_TOKENS": "x, y"}).bearer_tokens == ("x", "y")
    assert ReceiverSettings.from_env({"MM7_BEARER_TOKEN_FILE": str(tokens)}).bearer_tokens == ("a", "b")
    given = ReceiverSettings.from_env({"MM7_BEARER_TOKENS": "x"}, bearer_token_file=str(tokens))
    assert given.bearer_tokens == ("a", "b")  # the option replaces the variables
    with pytest.raises(ConfigError, match="not both"):
        ReceiverSettings.from_env({"MM7_BEARER_TOKENS": "x", "MM7_BEARER_TOKEN_FILE": str(tokens)})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ConfigError, match="no token"):
        ReceiverSettings.from_env({"MM7_BEARER_TOKEN_FILE": str(tmp_path / "empty")})
    with pytest.raises(ConfigError, match="cannot read"):
        ReceiverSettings.from_env({"MM7_BEARER_TOKEN_FILE": str(tmp_path / "missing")})
    assert "x-secret" not in repr(ReceiverSettings.from_env({"MM7_BEARER_TOKENS": "x-secret"}))


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_allow_list_trusted_proxies_and_forwarded_for(
    launcher: str, launch: Callable[[str, dict[str, str]], Launched]
) -> None:
    server = launch(
        launcher,
        {
            "MM7_ALLOW": "10.9.9.9/32",
            "MM7_TRUSTED_PROXIES": "127.0.0.1/32",
            "MM7_TRUST_FORWARDED_FOR": "1",
        },
    )
    dr = dr_request()
    assert server.post(dr.body, dr.headers).status_code == 403  # 127.0.0.1 itself is not allowed
    relayed = server.post(dr.body, {**dr.headers, "X-Forwarded-For": "10.9.9.9"})
    assert relayed.status_code == 200
    assert server.post(dr.body, {**dr.headers, "X-Forwarded-For": "10.1.1.1"}).status_code == 403


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_header_deadline(launcher: str, launch: Callable[[str, dict[str, str]], Launched]) -> None:
    server = launch(launcher, {"MM7_HEADER_TIMEOUT": "1"})
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as sock:
        began = time.monotonic()
        sock.sendall(b"POST / HTTP/1.1\r\n")  # and never the rest
        assert sock.recv(100) == b""  # dropped
        held = time.monotonic() - began
    assert 0.9 <= held <= 3.5, held


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_body_deadline(launcher: str, launch: Callable[[str, dict[str, str]], Launched]) -> None:
    server = launch(launcher, {"MM7_BODY_TIMEOUT": "1"})
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<")
        began = time.monotonic()
        assert sock.recv(100) == b""
        held = time.monotonic() - began
    assert 0.9 <= held <= 3.5, held


def test_password_and_password_file_together_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("x")
    with pytest.raises(ConfigError, match="not both"):
        ReceiverSettings.from_env({"MM7_BASIC_PASSWORD": "x", "MM7_BASIC_PASSWORD_FILE": str(secret)})


def test_unreadable_or_empty_password_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        ReceiverSettings.from_env({"MM7_BASIC_PASSWORD_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("")
    with pytest.raises(ConfigError, match="empty"):
        ReceiverSettings.from_env({"MM7_BASIC_PASSWORD_FILE": str(tmp_path / "empty")})


@pytest.mark.parametrize(
    "name", ["MM7_MAX_BODY_SIZE", "MM7_HEADER_TIMEOUT", "MM7_BODY_TIMEOUT", "MM7_CONNECTION_LIMIT"]
)
@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_bad_numbers_are_config_errors(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        ReceiverSettings.from_env({name: value})


def test_body_deadline_is_sized_from_the_body_limit() -> None:
    assert ReceiverSettings.from_env({}).effective_body_timeout == 30.0  # 16 MiB at 1 MiB/s is under 30 s
    assert ReceiverSettings.from_env({"MM7_MAX_BODY_SIZE": str(64 * 2**20)}).effective_body_timeout == 64.0
    assert default_body_timeout(1) == 30.0
    assert ReceiverSettings.from_env({"MM7_BODY_TIMEOUT": "5"}).effective_body_timeout == 5.0


def test_the_gunicorn_config_reads_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    monkeypatch.setenv("MM7_CONNECTION_LIMIT", "123")
    monkeypatch.setenv("MM7_THREADS", "7")
    monkeypatch.setenv("MM7_IDLE_TIMEOUT", "9")
    import mm7.server.gunicorn_config as config

    config = importlib.reload(config)
    assert (config.worker_connections, config.threads, config.keepalive) == (123, 7, 9)
    assert config.worker_class == "mm7.server.gunicorn_config.BufferingThreadWorker"


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_chunked_and_pipelined_requests_are_answered(
    launcher: str, launch: Callable[[str, dict[str, str]], Launched]
) -> None:
    # The gunicorn worker reads whole requests before a thread sees them: chunked bodies and two
    # requests in one packet must still come out right.
    server = launch(launcher, {})
    dr = dr_request()
    chunked = server.post(iter([dr.body[:100], dr.body[100:]]), dr.headers)  # type: ignore[arg-type]
    assert chunked.status_code == 200
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    one = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(dr.body)
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as sock:
        sock.sendall(one + dr.body + one.replace(b"Host: x", b"Host: x\r\nConnection: close") + dr.body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200 ") == 2, answer[:300]


# ------------------------------------------------------------------------------------ docs/receiver.md

DOC = Path(__file__).resolve().parents[2] / "docs" / "receiver.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def _doc_env(block: str, tmp_path: Path) -> dict[str, str]:
    """The ``export`` lines of a shell block, with the documented paths moved under ``tmp_path``."""
    (tmp_path / "basic-password").write_text("s3cret\n")
    env: dict[str, str] = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for name, value in re.findall(r"(\w+)=(\S+)", line.split("#")[0]):
                env[name] = value
    env["MM7_INBOX_URL"] = f"sqlite:///{tmp_path / 'inbox.db'}"  # the documented one may be postgresql
    if "MM7_BASIC_PASSWORD_FILE" in env:
        env["MM7_BASIC_PASSWORD_FILE"] = str(tmp_path / "basic-password")
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serves(cmd: list[str], env: dict[str, str], url: str, tmp_path: Path) -> None:
    """Run a documented command; it must answer 401 (Basic auth on, from the file) then be stopped."""
    with (tmp_path / "doc.log").open("w") as log:  # the child writes to its own copy of the descriptor
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=log, stderr=log, cwd=tmp_path)
    try:

        def up() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"{cmd} exited: {(tmp_path / 'doc.log').read_text()}")
            try:
                return requests.post(url, data=b"<x/>", timeout=2).status_code == 401
            except requests.RequestException:
                return False

        wait_until(up, f"{cmd} to answer")
    finally:
        proc.terminate()
        try:
            proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(DEADLINE)


def _serving_shell_blocks() -> list[str]:
    """The doc's shell blocks that start a receiver (``mm7 serve``, ``mm7 serve --asgi``, gunicorn)."""
    return [
        block
        for block in _blocks("sh")
        if any(line.startswith(("mm7 serve", "gunicorn")) for line in block.splitlines())
    ]


@pytest.mark.parametrize("index", range(len(_serving_shell_blocks())))
def test_documented_shell_commands_run(index: int, tmp_path: Path) -> None:
    block = _serving_shell_blocks()[index]
    env = _doc_env(block, tmp_path)
    [line] = [ln for ln in block.splitlines() if ln.startswith(("mm7 serve", "gunicorn"))]
    port = _free_port()
    command = line.split("#")[0].replace("0.0.0.0", "127.0.0.1").replace("8080", str(port))
    argv = re.findall(r"'[^']*'|\S+", command)
    argv = [arg.strip("'") for arg in argv]
    argv = [*MM7, *argv[1:]] if argv[0] == "mm7" else [sys.executable, "-m", *argv]
    _serves(argv, env, f"http://127.0.0.1:{port}/", tmp_path)


def test_documented_python_examples_run(tmp_path: Path) -> None:
    [serving] = [block for block in _blocks("python") if "serve_settings(" in block]
    [handlers] = [block for block in _blocks("python") if "class Handlers" in block]
    port = _free_port()
    code = serving.replace('"0.0.0.0", 8080', f'"127.0.0.1", {port}')
    env = _doc_env(_blocks("sh")[0], tmp_path)
    _serves([sys.executable, "-c", code], env, f"http://127.0.0.1:{port}/", tmp_path)
    subprocess.run([sys.executable, "-c", handlers], check=True, timeout=DEADLINE)
