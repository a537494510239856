"""As a new user: ``mm7 simulate`` + ``mm7 send --capture DIR``, then ``mm7 inspect`` and ``mm7 replay``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

import mm7
from mm7.capture import Capture, Message
from mm7.cli.httpfile import read_exchange
from mm7.cli.replay import with_fresh_transaction_id
from tests.cli import Background, run_mm7

ACCOUNT = {"MM7_VASP_ID": "KEY", "MM7_SHORT_CODE": "12345", "MM7_USER": "vasp", "MM7_PASSWORD": "snd-s3cret"}


@pytest.fixture(scope="module")
def captured(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The capture file ``mm7 send --capture`` wrote for one message."""
    folder = tmp_path_factory.mktemp("captures")
    sent = run_mm7(
        "send",
        "--to",
        "15551234567",
        "--text",
        "Hi",
        "--endpoint",
        endpoint,
        "--capture",
        str(folder),
        env=ACCOUNT,
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    [path] = folder.glob("*-client-SubmitReq-*.http")
    return path


def replay(path: Path, url: str, *options: str) -> tuple[int, dict[str, object]]:
    result = run_mm7("replay", str(path), "--to", url, "--json", *options, env=ACCOUNT)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_capture_holds_the_exchange_without_the_password(captured: Path) -> None:
    data = captured.read_bytes()
    assert b"snd-s3cret" not in data and b"Authorization: Basic <redacted>\r\n" in data
    inspected = run_mm7("inspect", str(captured))
    assert inspected.returncode == 0, inspected.stderr
    assert "SubmitReq" in inspected.stdout and "answered       HTTP/1.1 200 OK" in inspected.stdout
    validated = run_mm7("validate", str(captured))
    assert validated.returncode == 0 and "valid (SubmitReq" in validated.stdout, validated.stdout


def test_replay_sends_the_same_request_again(captured: Path, endpoint: str) -> None:
    sent, _ = read_exchange(captured.read_bytes())
    original = mm7.decode(sent.body, sent.content_type).transaction_id
    code, answer = replay(captured, endpoint)
    assert code == 0, answer
    assert answer["operation"] == "SubmitRsp" and answer["status_code"] == 1000
    assert answer["transaction_id"] == original and answer["outcome"] == "success"


def test_replay_with_a_fresh_transaction_id(captured: Path, endpoint: str) -> None:
    sent, _ = read_exchange(captured.read_bytes())
    original = mm7.decode(sent.body, sent.content_type).transaction_id
    code, answer = replay(captured, endpoint, "--fresh-transaction-id")
    assert code == 0, answer
    assert answer["replaced_transaction_id"] == original
    assert answer["transaction_id"] == answer["sent_transaction_id"] != original
    # Only the TransactionID changes: every other byte of the body is the captured one.
    body, old, new = with_fresh_transaction_id(sent.body)
    assert old == original and body == sent.body.replace(original.encode(), new.encode(), 1)
    assert mm7.decode(body, sent.content_type).transaction_id == new


def test_an_answer_with_an_error_exits_1(captured: Path, tmp_path: Path) -> None:
    """A SubmitReq replayed to a receiver (mm7 serve) is not for a VASP: 4003, exit 1."""
    server = Background(["serve", "--port", "0", "--inbox", f"sqlite:///{tmp_path / 'inbox.db'}"])
    try:
        url = server.wait_line("listening on").split()[-1]
        code, answer = replay(captured, url)
    finally:
        assert server.stop() == 0
    assert code == 1 and answer["status_code"] == 4003 and answer["outcome"] != "success", answer


def test_no_answer_exits_3(captured: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_mm7("replay", str(captured), "--to", f"http://127.0.0.1:{port}/mm7")
    assert result.returncode == 3 and result.stderr.startswith("mm7: no answer: ConnectionError"), (
        result.stderr
    )


def test_a_cut_capture_is_not_replayed(tmp_path: Path) -> None:
    body = b"<env:Envelope>" + b"x" * 5000 + b"</env:Envelope>"
    request = Message("POST /mm7 HTTP/1.1", [("Content-Type", "text/xml")], body)
    path = Capture(tmp_path, max_file_bytes=2048).write("client", "SubmitReq", "t", request, None)
    assert path is not None
    result = run_mm7("replay", str(path), "--to", "http://127.0.0.1:9/mm7")
    assert result.returncode == 2 and "holds only part of the body" in result.stderr, result.stderr


DIGEST_PROFILE = (
    'name = "digest-relay"\nmm7_version = "6.8.0"\nnamespace = "REL-6-MM7-1-4"\nauth = "digest"\n'
)


@pytest.mark.parametrize("scheme", ["bearer", "digest"])
def test_replay_sends_the_credentials_in_the_profiles_scheme(scheme: str, tmp_path: Path) -> None:
    """Telnyx's Bearer token and a Digest relay: the capture holds neither; replay --profile sends them."""
    secret = tmp_path / "secret"
    secret.write_text("cred-s3cret\n")
    profile = "telnyx"
    user: list[str] = []
    if scheme == "digest":
        profile = str(tmp_path / "digest.toml")
        Path(profile).write_text(DIGEST_PROFILE)
        user = ["--user", "vasp"]
    simulator = Background(
        ["simulate", "--port", "0", "--profile", profile, *user, "--password-file", str(secret)]
    )
    try:
        url = simulator.wait_line("listening on").split()[-1]
        account = {"MM7_USER": "vasp", "MM7_PASSWORD": "cred-s3cret"}
        sent = run_mm7(
            "send", "--profile", profile, "--endpoint", url, "--vasp-id", "V", "--short-code", "12345",
            "--to", "15551234567", "--text", "Hi", "--capture", str(tmp_path / "sent"), env=account,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stdout + sent.stderr
        path = sorted((tmp_path / "sent").glob("*.http"))[-1]  # Digest: the challenged attempt came first
        data = path.read_bytes()
        assert f"Authorization: {scheme.capitalize()} <redacted>\r\n".encode() in data
        assert b"cred-s3cret" not in data
        without = run_mm7("replay", str(path), "--to", url)
        assert without.returncode == 1 and without.stdout.startswith("HTTP 401"), without.stdout
        replayed = run_mm7("replay", str(path), "--to", url, "--profile", profile, env=account)
        assert replayed.returncode == 0 and "SubmitRsp" in replayed.stdout, replayed.stdout + replayed.stderr
    finally:
        assert simulator.stop() == 0
