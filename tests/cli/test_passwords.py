"""Passwords never on argv: ``mm7 send`` and ``mm7 simulate`` refuse ``--password VALUE`` and take the
environment or a file, in real processes (a password on the command line shows in the process list)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import Background, run_mm7

ACCOUNT = ["--vasp-id", "KEY", "--vas-id", "12345mms", "--short-code", "12345"]


@pytest.mark.parametrize(
    ("command", "variable"),
    [
        (["send", "--to", "15551230000", "--text", "hi"], "MM7_PASSWORD"),
        (["simulate"], "MM7_SIMULATOR_PASSWORD"),
    ],
)
def test_password_on_the_command_line_is_refused(command: list[str], variable: str) -> None:
    result = run_mm7(*command, "--password", "s3cret")
    assert result.returncode == 2
    assert (
        "process list" in result.stderr and variable in result.stderr and "--password-file" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_the_password_comes_from_a_file_or_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "simulator-password"
    secret.write_text("s3cret\n")
    simulator = Background(
        ["simulate", "--port", "0", "--user", "vasp", "--password-file", str(secret), *ACCOUNT]
    )
    try:
        url = simulator.wait_line("listening on").split()[-1]
        send = [
            "send",
            "--to",
            "15551230000",
            "--text",
            "hi",
            "--endpoint",
            url,
            "--user",
            "vasp",
            "--format",
            "json",
        ]
        wrong = run_mm7(*send, *ACCOUNT, env={"MM7_PASSWORD": "nope"})
        # Refused (2568); the simulator checks credentials before reading the body, so its fault cannot echo
        # the TransactionID and the client reports the answer as not its own ("unknown"), never "accepted".
        assert wrong.returncode == 1 and json.loads(wrong.stdout.splitlines()[0])["acceptance"] != "accepted"
        by_env = run_mm7(*send, *ACCOUNT, env={"MM7_PASSWORD": "s3cret"})
        assert by_env.returncode == 0, by_env.stdout + by_env.stderr
        assert json.loads(by_env.stdout.splitlines()[0])["acceptance"] == "accepted"
        client_file = tmp_path / "client-password"
        client_file.write_text("s3cret")
        by_file = run_mm7(*send, *ACCOUNT, "--password-file", str(client_file))
        assert by_file.returncode == 0, by_file.stdout + by_file.stderr
    finally:
        assert simulator.stop() == 0
