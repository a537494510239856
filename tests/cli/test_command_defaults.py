"""Every ``mm7`` command runs with its defaults and keeps its documented contract (docs/cli.md).

The commands are read from the click group at run time: a new command fails
``test_every_command_is_covered`` until a test here runs it. Each runs as a real process (the ``mm7``
script beside ``sys.executable``) in a temporary working directory, so default files (the inbox
``mm7-inbox.db``) land there, with no option beyond what it requires; its exit code is the documented one
and its stderr holds no traceback. Long-running commands (``serve``, ``worker``, ``simulate``) show they
work on 127.0.0.1, then get SIGINT or SIGTERM and must exit 0.

``mm7 serve`` listens on its default port 8080 when that port is free; when something else holds it
(another program on this machine), the test adds ``--port 0`` rather than fail or stop that program,
and says so in the test's output.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import requests

from mm7.cli import cli

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SCRIPT = Path(sys.executable).parent / "mm7"
MM7 = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from mm7.cli import main; main()"]
DR_BODY = (REPO / "tests" / "fixtures" / "sinch" / "delivery-report.xml").read_bytes()
DR_HEADERS = {"Content-Type": 'multipart/related; type="text/xml";'}
DR_MESSAGE_ID = "369500617770864640"
DEFAULT_PORT = 8080
#: Seconds a process gets to start, answer or stop.
DEADLINE = 30.0


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> set[str]:
    """``mm7``'s commands, subcommands of groups included (``inbox list``...)."""
    found: set[str] = set()
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            found |= leaf_commands(command, (*prefix, name))
        elif command is not None and not command.hidden:
            found.add(" ".join((*prefix, name)))
    return found


#: Each command and the test that runs it with its defaults.
COVERED = {
    "validate": "test_validate_a_valid_capture",
    "inspect": "test_inspect_a_capture",
    "send": "test_send_with_only_what_it_requires",
    "simulate": "test_simulate_with_its_defaults",
    "serve": "test_serve_worker_and_inbox_with_their_defaults",
    "worker": "test_serve_worker_and_inbox_with_their_defaults",
    "inbox list": "test_serve_worker_and_inbox_with_their_defaults",
    "inbox show": "test_serve_worker_and_inbox_with_their_defaults",
    "inbox export": "test_serve_worker_and_inbox_with_their_defaults",
    "demo": "test_demo_with_its_defaults",
    "profiles list": "test_profiles_with_their_defaults",
    "profiles show": "test_profiles_with_their_defaults",
    "regenerate": "test_regenerate_with_its_defaults_in_a_copy_of_the_checkout",
    "status": "test_status_and_messages_with_their_defaults",
    "messages": "test_status_and_messages_with_their_defaults",
    "replay": "test_replay_with_only_what_it_requires",
}


def test_every_command_is_covered() -> None:
    commands = leaf_commands()
    assert commands == set(COVERED), f"run with defaults here: {sorted(commands - set(COVERED))}"
    assert all(name in globals() for name in COVERED.values())
    listed = run("--help", cwd=REPO)
    assert listed.returncode == 0
    for name in cli.list_commands(click.Context(cli)):
        assert re.search(rf"^\s+{name}\s", listed.stdout, re.MULTILINE), listed.stdout


# ------------------------------------------------------------------------------------------ processes


def env(**extra: str) -> dict[str, str]:
    base = {
        key: value
        for key, value in os.environ.items()
        # MM7_* variables would configure the commands; the test session's MM7_TEST_* ones stay.
        if not key.startswith("MM7_") or key.startswith("MM7_TEST_")
    }
    return {**base, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200", **extra}


def run(*args: str, cwd: Path, timeout: float = 60, **extra: str) -> subprocess.CompletedProcess[str]:
    """``mm7 ARGS`` to completion; a traceback on stderr fails whatever the exit code."""
    result = subprocess.run(
        [*MM7, *args], cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=timeout
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


class Running:
    """A long-running ``mm7`` command; its stdout and stderr collected on threads."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.args = args
        self.process = subprocess.Popen(
            [*MM7, *args], cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers: list[threading.Thread] = []
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            assert stream is not None
            reader = threading.Thread(target=lambda s=stream, k=sink: k.extend(s), daemon=True)
            reader.start()
            self.readers.append(reader)

    def wait_line(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            found = re.search(pattern, "".join(self.out))
            if found:
                return found
            if self.process.poll() is not None:
                self.kill()  # its whole output, for the message
                pytest.fail(f"mm7 {' '.join(self.args)} exited {self.process.returncode}: {self.output()}")
            time.sleep(0.05)
        pytest.fail(f"mm7 {' '.join(self.args)}: no line matching {pattern!r}: {self.output()}")

    def output(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def stop(self, signum: signal.Signals) -> int:
        """Send ``signum`` and wait; killed (and failed) when it does not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"mm7 {' '.join(self.args)} did not stop on {signum.name}: {self.output()}")
        finally:
            self.kill()

    def kill(self) -> None:
        """Kill the process if it still runs; collect the rest of its output; close the pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(DEADLINE)
        for reader in self.readers:
            reader.join(DEADLINE)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def stopped_cleanly(process: Running, signum: signal.Signals) -> None:
    code = process.stop(signum)
    assert code == 0, f"exit {code} on {signum.name}: {process.output()}"
    assert "Traceback" not in process.output(), process.output()


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# ------------------------------------------------------------------------------------------ short commands


def test_validate_a_valid_capture(tmp_path: Path) -> None:
    result = run("validate", str(FIXTURES / "submit_request.http"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid (SubmitReq" in result.stdout


#: ``mm7 validate``'s options and their defaults (docs/cli.md); a new option fails here until listed, and
#: tests/cli/test_validate_pipeline.py runs each one.
VALIDATE_DEFAULTS = {
    "fmt": "text",
    "output": None,
    "jobs": 1,
    "tolerant": False,
    "content_type": None,
    "bindings": (),
    "xsds": (),
    "schema_folder": None,
}


def test_validate_a_folder_with_its_defaults(tmp_path: Path) -> None:
    """A folder is walked; the report goes to stdout as text, from one process; no file is written."""
    command = cli.get_command(click.Context(cli), "validate")
    assert command is not None
    parsed = command.make_context("validate", ["captures"]).params
    assert parsed == {"files": ("captures",), **VALIDATE_DEFAULTS}
    (tmp_path / "captures" / "sub").mkdir(parents=True)
    shutil.copy(FIXTURES / "submit_request.http", tmp_path / "captures" / "sub" / "submit.http")
    before = sorted(tmp_path.rglob("*"))
    result = run("validate", "captures", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("captures/sub/submit.http: valid (SubmitReq") and result.stderr == ""
    assert sorted(tmp_path.rglob("*")) == before


def test_profiles_with_their_defaults(tmp_path: Path) -> None:
    """``mm7 profiles`` (= ``profiles list``) lists the shipped profiles; ``show`` needs NAME|FILE."""
    listed = run("profiles", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("3gpp-rel5 "), listed.stdout + listed.stderr
    assert run("profiles", "list", cwd=tmp_path).stdout == listed.stdout
    bare = run("profiles", "show", cwd=tmp_path)
    assert bare.returncode == 2 and "NAME|FILE.toml" in bare.stderr
    shown = run("profiles", "show", "sinch", cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.startswith('name = "sinch"\n'), shown.stdout + shown.stderr


def test_inspect_a_capture(tmp_path: Path) -> None:
    result = run("inspect", str(FIXTURES / "submit_request.http"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "SubmitReq" in result.stdout and "REL-6-MM7-1-4" in result.stdout


def test_status_and_messages_with_their_defaults(tmp_path: Path) -> None:
    """Both read ./mm7-inbox.db (the inbox ``mm7 serve`` fills); ``status`` exits 3 until all are final."""
    from mm7.tracking import Report, ReportKind, Tracker

    missing = run("status", "m1", cwd=tmp_path)  # no inbox yet: a failure named in one line
    assert missing.returncode == 1 and missing.stderr.startswith("mm7: "), missing.stderr
    assert "mm7-inbox.db" in missing.stderr and len(missing.stderr.splitlines()) == 1
    with Tracker.open(f"sqlite:///{tmp_path / 'mm7-inbox.db'}") as tracker:
        tracker.record_submit("m1", ["15551230001"], report_requested=True)
        pending = run("status", "m1", cwd=tmp_path)
        assert pending.returncode == 3 and "15551230001\tpending" in pending.stdout, pending.stderr
        listed = run("messages", cwd=tmp_path)
        assert listed.returncode == 0 and listed.stdout.startswith("m1\t15551230001\tpending\t"), (
            listed.stderr
        )
        tracker.fold(Report(ReportKind.DELIVERY_REPORT, "m1", "15551230001", "Retrieved"))
    final = run("status", "m1", cwd=tmp_path)
    assert final.returncode == 0 and "15551230001\tretrieved" in final.stdout, final.stdout + final.stderr
    unknown = run("status", "m2", cwd=tmp_path)
    assert unknown.returncode == 1 and unknown.stderr.startswith("mm7: no submit or report"), unknown.stderr


def test_demo_with_its_defaults(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Retrieved" in result.stdout
    assert list(tmp_path.iterdir()) == []  # its inbox went to a temporary directory


def test_regenerate_with_its_defaults_in_a_copy_of_the_checkout(tmp_path: Path) -> None:
    """Without options ``mm7 regenerate`` rewrites the checkout's generated/ from its schemas/.

    Run in a copy (mm7/, schemas/, generated/), imported first, so this test never rewrites the checkout
    other tests import; the defaults resolve to the copy's folders and must reproduce the committed tree.
    """
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("mm7", "schemas", "generated"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=skip)
    shutil.copytree(REPO / "generated", tmp_path / "committed", ignore=skip)
    path = os.pathsep.join([str(tmp_path), str(tmp_path / "generated")])
    result = run("regenerate", cwd=tmp_path, PYTHONPATH=path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"under {tmp_path / 'generated' / 'mm7_bindings'}" in result.stdout
    differences = filecmp.dircmp(tmp_path / "committed", tmp_path / "generated", ignore=["__pycache__"])
    assert not _differ(differences), "regenerate changed the generated tree"


def _differ(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files, *comparison.funny_files]
    for sub in comparison.subdirs.values():
        found += _differ(sub)
    return found


# ------------------------------------------------------------------------------------------ simulator, send


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[Running, str]]:
    """``mm7 simulate`` with its defaults (a free port on 127.0.0.1)."""
    process = Running("simulate", cwd=tmp_path)
    try:
        url = process.wait_line(r"listening on (http://127\.0\.0\.1:\d+/\S*)").group(1)
        yield process, url
    finally:
        process.kill()


def test_simulate_with_its_defaults(simulator: tuple[Running, str]) -> None:
    process, url = simulator
    base = re.match(r"http://[^/]+", url)
    assert base is not None
    health = requests.get(f"{base.group(0)}/_sim/health", timeout=DEADLINE)
    assert health.status_code == 200, health.text
    stopped_cleanly(process, signal.SIGINT)


def test_send_with_only_what_it_requires(tmp_path: Path, simulator: tuple[Running, str]) -> None:
    """Recipients, content, the endpoint and (Sinch profile) VASPID and short code; nothing else."""
    bare = run("send", cwd=tmp_path)
    assert bare.returncode == 2 and bare.stderr.startswith("mm7: ") and len(bare.stderr.splitlines()) == 1
    process, url = simulator
    needed = ["--to", "15551234567", "--text", "Hi", "--endpoint", url, "--vasp-id", "KEY"]
    result = run("send", *needed, "--short-code", "12345", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.match(r"15551234567\taccepted\tMessageID \d+$", result.stdout.strip()), result.stdout
    stopped_cleanly(process, signal.SIGTERM)


def test_replay_with_only_what_it_requires(tmp_path: Path, simulator: tuple[Running, str]) -> None:
    """A capture FILE and --to URL: the request of ``mm7 send --capture`` goes again, answered 1000."""
    bare = run("replay", cwd=tmp_path)
    assert bare.returncode == 2 and bare.stderr.startswith("Usage:"), bare.stderr
    process, url = simulator
    needed = ["--to", "15551234567", "--text", "Hi", "--endpoint", url, "--vasp-id", "KEY"]
    sent = run("send", *needed, "--short-code", "1", "--capture", "captures", cwd=tmp_path)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    [capture] = (tmp_path / "captures").glob("*.http")
    result = run("replay", str(capture), "--to", url, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.match(
        r"HTTP 200\tSubmitRsp\tTransactionID \w+\tstatus 1000 Success\tMessageID \d+\noutcome success\n$",
        result.stdout,
    )
    stopped_cleanly(process, signal.SIGTERM)


# ------------------------------------------------------------------------------------------ receiver


def test_serve_worker_and_inbox_with_their_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``serve`` stores a report in ./mm7-inbox.db, the default ``worker`` prints it, ``inbox`` reads it."""
    missing = run("inbox", "list", cwd=tmp_path)  # no inbox yet: a failure named in one line
    assert missing.returncode == 1 and missing.stderr.startswith("mm7: "), missing.stderr
    assert "mm7-inbox.db" in missing.stderr and len(missing.stderr.splitlines()) == 1

    port_args = [] if port_is_free(DEFAULT_PORT) else ["--port", "0"]
    if port_args:
        with capsys.disabled():
            print(f"\n127.0.0.1:{DEFAULT_PORT} is taken by another program: mm7 serve --port 0 instead")
    server = Running("serve", *port_args, cwd=tmp_path)
    try:
        url = server.wait_line(r"listening on (http://127\.0\.0\.1:(\d+)/)")
        assert port_args or url.group(2) == str(DEFAULT_PORT)
        health = requests.get(url.group(1), timeout=DEADLINE)
        assert health.status_code == 200
        answer = requests.post(url.group(1), data=DR_BODY, headers=DR_HEADERS, timeout=DEADLINE)
        assert answer.status_code == 200 and b"1000" in answer.content, answer.text
        stopped_cleanly(server, signal.SIGTERM)
    finally:
        server.kill()
    assert (tmp_path / "mm7-inbox.db").is_file()

    worker = Running("worker", cwd=tmp_path)
    try:
        line = worker.wait_line(rf"DR MessageID {DR_MESSAGE_ID}\b.*")
        assert "Retrieved" in line.group(0)
        stopped_cleanly(worker, signal.SIGINT)
    finally:
        worker.kill()

    listed = run("inbox", "list", cwd=tmp_path)
    assert listed.returncode == 0 and DR_MESSAGE_ID in listed.stdout, listed.stdout + listed.stderr
    exported = run("inbox", "export", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    [row] = [json.loads(line) for line in exported.stdout.splitlines()]
    assert row["message_id"] == DR_MESSAGE_ID and row["state"] == "done", row
    shown = run("inbox", "show", str(row["id"]), cwd=tmp_path)
    assert shown.returncode == 0 and DR_MESSAGE_ID in shown.stdout, shown.stdout + shown.stderr
    unknown = run("inbox", "show", str(row["id"] + 1000), cwd=tmp_path)
    assert unknown.returncode == 1 and unknown.stderr.startswith("mm7: "), unknown.stdout + unknown.stderr


def test_serve_asgi_with_its_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``serve --asgi`` (uvicorn) with nothing else: ./mm7-inbox.db, port 8080, a report stored, SIGTERM."""
    port_args = [] if port_is_free(DEFAULT_PORT) else ["--port", "0"]
    if port_args:
        with capsys.disabled():
            print(f"\n127.0.0.1:{DEFAULT_PORT} is taken: mm7 serve --asgi --port 0 instead")
    server = Running("serve", "--asgi", *port_args, cwd=tmp_path)
    try:
        url = server.wait_line(r"listening on (http://127\.0\.0\.1:(\d+)/)")
        assert port_args or url.group(2) == str(DEFAULT_PORT)
        assert requests.get(url.group(1), timeout=DEADLINE).status_code == 200
        answer = requests.post(url.group(1), data=DR_BODY, headers=DR_HEADERS, timeout=DEADLINE)
        assert answer.status_code == 200 and b"1000" in answer.content, answer.text
        stopped_cleanly(server, signal.SIGTERM)
    finally:
        server.kill()
    listed = run("inbox", "list", cwd=tmp_path)
    assert listed.returncode == 0 and DR_MESSAGE_ID in listed.stdout, listed.stdout + listed.stderr


def test_simulate_and_serve_take_a_profile(tmp_path: Path) -> None:
    """``--profile NAME|FILE.toml`` on ``simulate`` and ``serve``: a shipped name works, a wrong one: 2."""
    simulator = Running("simulate", "--profile", "vibes", cwd=tmp_path)
    try:
        url = simulator.wait_line(r"simulator speaking vibes listening on (http://127\.0\.0\.1:\d+/\S*)")
        assert requests.get(url.group(1).split("/mm7/")[0] + "/_sim/health", timeout=DEADLINE).ok
        stopped_cleanly(simulator, signal.SIGINT)
    finally:
        simulator.kill()
    receiver = Running("serve", "--port", "0", "--profile", "sinch", cwd=tmp_path)
    try:
        url = receiver.wait_line(r"listening on (http://127\.0\.0\.1:(\d+)/)")
        answer = requests.post(url.group(1), data=DR_BODY, headers=DR_HEADERS, timeout=DEADLINE)
        assert answer.status_code == 200 and b"1000" in answer.content, answer.text
        stopped_cleanly(receiver, signal.SIGTERM)
    finally:
        receiver.kill()
    unknown = run("simulate", "--profile", "no-such-carrier", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.startswith("mm7: "), unknown.stderr
    assert len(unknown.stderr.splitlines()) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nauth = "bearer"\nusername = "x"\n', encoding="utf-8")
    refused = run("serve", "--port", "0", "--profile", str(bad), cwd=tmp_path)
    assert refused.returncode == 2 and "bad.toml:3: key 'username'" in refused.stderr, refused.stderr
