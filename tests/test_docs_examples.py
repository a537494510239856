"""Every fenced code block of README.md and docs/*.md runs, or the doc says why it does not.

A block that cannot run here carries an HTML comment on the line before its fence,
``<!-- not-run: REASON -->`` (a real carrier account, a PostgreSQL server, a diagram...); every other
block must be one the test can run, so a new unmarked block fails ``test_every_block_is_run_or_marked``.

* ```` ```python ```` blocks run in order, one namespace per file, in a temporary working directory.
  A block marked ``<!-- run: server -->`` blocks serving: it runs in its own process, must answer HTTP on
  127.0.0.1, and is stopped with SIGTERM.
* ```` ```sh ```` / ```` ```bash ```` / ```` ```console ```` blocks hold ``export`` lines and ``mm7 ...`` or
  ``python -m mm7...`` commands, run by bash with the ``mm7`` script beside ``sys.executable`` first on
  PATH. Each must exit 0 with no traceback. ``mm7 serve``, ``mm7 worker``, ``mm7 simulate`` and
  ``python -m mm7.server`` run until they have shown they work (serve: a delivery report posted to it is
  answered 200; worker: it prints that report's MessageID; simulate: its health page answers), then get
  SIGTERM and must exit 0.

What the test changes in a documented command, and nothing else:

* ``0.0.0.0`` becomes ``127.0.0.1`` and port ``8080`` a free port (the same one throughout a file);
* ``/var/lib/mm7/`` and ``/etc/mm7/`` move under the temporary directory (``/etc/mm7/basic-password``
  holds a password the test knows);
* the relay the examples send to is a local ``mm7 simulate`` (started the way the CLI starts it, on a
  free port): Python blocks read its URL as ``ENDPOINT``, shell blocks as ``MM7_ENDPOINT`` whatever the
  block exports;
* optional ``[...]`` parts of a command line are left out (every ``--option`` they name must still be an
  option of that command), and ``ID`` in ``mm7 inbox show ID`` is a stored notification's id.

The files the examples name (``cat.jpg``, ``capture.http``, ``captures/*.http``, ``numbers.csv``,
``mypkg.handlers``) are created in the temporary directory: the bundled demo image, valid captures from
tests/cli/fixtures, a two-number CSV, and the ``Handlers`` class the docs show.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import requests

from mm7.cli import cli
from mm7.client import MM7Client

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
CLI_FIXTURES = REPO / "tests" / "cli" / "fixtures"
SINCH_FIXTURES = REPO / "tests" / "fixtures" / "sinch"
DR_BODY = (SINCH_FIXTURES / "delivery-report.xml").read_bytes()
DR_MESSAGE_ID = "369500617770864640"
DR_HEADERS = {"Content-Type": 'multipart/related; type="text/xml";', "X-Mblox-Carrier-Id": "0001890"}
PASSWORD = "s3cret"
SHELL_LANGUAGES = {"sh", "bash", "console"}
LONG_RUNNING = ("mm7 serve", "mm7 worker", "mm7 simulate", "python -m mm7.server")
#: Seconds a process gets to start, answer, or stop.
DEADLINE = 30.0

FENCE = re.compile(r"^[ \t]*```([\w-]*)[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
MARK = re.compile(r"^<!--\s*(not-run|run)\s*:\s*(.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int
    language: str
    code: str
    mark: str | None  # "not-run", "run" or None
    reason: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").splitlines()
        mark = MARK.match(before[-1].strip()) if before else None
        found.append(
            Block(
                doc=doc,
                line=text.count("\n", 0, match.start()) + 1,
                language=match.group(1),
                code=textwrap.dedent(match.group(2)),
                mark=mark.group(1) if mark else None,
                reason=mark.group(2) if mark else "",
            )
        )
    return found


def commands(code: str) -> list[str]:
    """The shell block's command lines: continuations joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", code)
    return [line.strip() for line in joined.splitlines() if shlex.split(line, comments=True)]


def why_not_runnable(block: Block) -> str | None:
    """None when the test can run this block; else what is wrong with it."""
    if block.mark == "not-run":
        return None if block.reason else "a not-run mark needs a reason"
    if block.mark == "run" and (block.language != "python" or block.reason != "server"):
        return f"unknown mark 'run: {block.reason}'"
    if block.language == "python":
        return None
    if block.language in SHELL_LANGUAGES:
        for line in commands(block.code):
            if not line.startswith(("export ", "mm7 ", "python -m mm7")):
                return f"cannot run {line!r}: mark the block <!-- not-run: REASON -->"
        return None
    return f"a ```{block.language} block is neither run nor marked <!-- not-run: REASON -->"


def test_every_block_is_run_or_marked() -> None:
    every = [block for doc in DOCS for block in blocks(doc)]
    assert len(every) > 20  # the parser found the docs' blocks
    problems = [f"{block.where}: {why}" for block in every if (why := why_not_runnable(block))]
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """A long-running command; stdout and stderr lines collected on threads."""

    def __init__(self, command: str | list[str], cwd: Path, env: dict[str, str]) -> None:
        argv = ["bash", "-c", f"exec {command}"] if isinstance(command, str) else command
        self.command = command
        self.popen = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers: list[threading.Thread] = []
        for stream, sink in ((self.popen.stdout, self.out), (self.popen.stderr, self.err)):
            assert stream is not None
            reader = threading.Thread(target=lambda s=stream, k=sink: k.extend(s), daemon=True)
            reader.start()
            self.readers.append(reader)

    def wait_for(self, ready: object, what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if callable(ready) and ready():
                return
            if self.popen.poll() is not None:
                self.close()  # its whole output, for the message
                pytest.fail(f"{self.command!r} exited {self.popen.returncode} before {what}: {self.output()}")
            time.sleep(0.05)
        pytest.fail(f"{self.command!r}: no {what} within {DEADLINE} s: {self.output()}")

    def output(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(DEADLINE)
            pytest.fail(f"{self.command!r} did not stop on SIGTERM: {self.output()}")
        finally:
            self.close()
        return code

    def close(self) -> None:
        """Kill the process if it still runs; collect the rest of its output; close the pipes."""
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(DEADLINE)
        for reader in self.readers:
            reader.join(DEADLINE)
        for stream in (self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()


def base_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # MM7_* variables would configure the commands; the test session's MM7_TEST_* ones stay.
        if not key.startswith("MM7_") or key.startswith("MM7_TEST_")
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200"}


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mm7 simulate`` on a free 127.0.0.1 port: the relay the examples send to."""
    process = Process(f"{BIN / 'mm7'} simulate --port 0", tmp_path_factory.mktemp("sim"), base_env())
    try:
        process.wait_for(lambda: "listening on" in "".join(process.out), "listening line")
        url = re.search(r"listening on (\S+)", "".join(process.out))
        assert url is not None
        yield url.group(1)
    finally:
        code = process.stop()
    assert code == 0 and "Traceback" not in process.output(), process.output()


def handlers_source() -> str:
    """The ``Handlers`` class the docs show (docs/receiver.md): what ``mypkg.handlers`` holds."""
    for doc in DOCS:
        for block in blocks(doc):
            if block.language == "python" and "class Handlers" in block.code:
                return block.code
    raise AssertionError("no documented Handlers class")


def workdir(tmp_path: Path) -> Path:
    """The files the examples name."""
    shutil.copy(REPO / "mm7" / "demo" / "smiley.png", tmp_path / "cat.jpg")
    shutil.copy(CLI_FIXTURES / "submit_request.http", tmp_path / "capture.http")
    (tmp_path / "captures").mkdir()
    for name in ("submit_request.http", "submit_response.http"):
        shutil.copy(CLI_FIXTURES / name, tmp_path / "captures" / name)
    (tmp_path / "numbers.csv").write_text("number\n15551230001\n15551230002\n")
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    (tmp_path / "mypkg" / "handlers.py").write_text(handlers_source())
    for folder in ("var/lib/mm7", "etc/mm7"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "etc/mm7/basic-password").write_text(PASSWORD + "\n")
    return tmp_path


class DocRun:
    """Runs one doc's blocks in order in ``cwd``."""

    def __init__(self, doc: Path, cwd: Path, endpoint: str) -> None:
        self.doc, self.cwd, self.endpoint = doc, cwd, endpoint
        self.port = free_port()
        self.namespace: dict[str, object] = {"__name__": "__doc_example__", "ENDPOINT": endpoint}
        self.env = base_env()
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(cwd), os.environ.get("PYTHONPATH")]))
        self.exported: dict[str, str] = {}  # what the shell blocks' export lines set
        self.stored = False  # a delivery report reached an inbox through a documented receiver

    def substitute(self, code: str) -> str:
        code = code.replace("0.0.0.0", "127.0.0.1").replace("8080", str(self.port))
        return code.replace("/var/lib/mm7/", f"{self.cwd}/var/lib/mm7/").replace(
            "/etc/mm7/", f"{self.cwd}/etc/mm7/"
        )

    def close(self) -> None:
        """Close the clients the examples opened."""
        for value in self.namespace.values():
            if isinstance(value, MM7Client):
                value.close()

    def run(self, block: Block) -> None:
        if block.mark == "not-run":
            return
        if block.language == "python" and block.mark == "run":
            self.python_server(block)
        elif block.language == "python":
            self.python(block)
        else:
            for line in commands(block.code):
                self.shell(block, line)

    # -- python

    def python(self, block: Block) -> None:
        out = io.StringIO()
        code = compile(self.substitute(block.code), block.where, "exec")
        with contextlib.chdir(self.cwd), contextlib.redirect_stdout(out):
            exec(code, self.namespace)

    def python_server(self, block: Block) -> None:
        code = self.substitute(block.code)
        process = Process([sys.executable, "-c", code], self.cwd, {**self.env, **self.exported})
        try:
            self.serves(process)
        finally:
            # A library call installs no signal handler: SIGTERM ends the process the default way.
            self.stopped(process, codes=(0, -signal.SIGTERM))

    # -- shell

    def shell(self, block: Block, line: str) -> None:
        if line.startswith("export "):
            for assignment in shlex.split(line, comments=True)[1:]:
                name, _, value = assignment.partition("=")
                self.exported = {**self.exported, name: self.substitute(value)}
            return
        self.check_options(block, line)
        line = self.substitute(re.sub(r"\s*\[[^\]]*\]", "", line))
        if line.startswith("mm7 inbox show"):
            line = re.sub(r"\bID\b", str(self.first_notification_id(block)), line)
        env = {**self.env, **self.exported, "MM7_ENDPOINT": self.endpoint}
        if line.startswith(LONG_RUNNING):
            process = Process(line, self.cwd, env)
            try:
                if line.startswith("mm7 worker"):
                    assert self.stored, f"{block.where}: the worker would find nothing to hand over"
                    process.wait_for(lambda: DR_MESSAGE_ID in "".join(process.out), "the report handled")
                elif line.startswith("mm7 simulate"):
                    process.wait_for(lambda: "listening on" in "".join(process.out), "listening line")
                    url = re.search(r"listening on (http://[^/\s]+)", "".join(process.out))
                    assert url is not None
                    health = requests.get(f"{url.group(1)}/_sim/health", timeout=DEADLINE)
                    assert health.status_code == 200, health.text
                else:
                    self.serves(process)
            finally:
                self.stopped(process)
            return
        result = subprocess.run(
            ["bash", "-c", line], cwd=self.cwd, env=env, capture_output=True, text=True, timeout=DEADLINE * 2
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, (
            f"{block.where}: {line!r} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )

    def check_options(self, block: Block, line: str) -> None:
        """Every ``--option`` the line names, optional parts included, is an option of its command."""
        words = shlex.split(line.replace("[", " ").replace("]", " "), comments=True)
        if words[0] != "mm7":
            return
        command: click.Command = cli
        path: list[str] = []
        for word in words[1:]:
            if not isinstance(command, click.Group) or word.startswith("-"):
                break
            sub = command.get_command(click.Context(command), word)
            if sub is None:
                break
            command, path = sub, [*path, word]
        known = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]}
        unknown = [w.split("=")[0] for w in words if w.startswith("--") and w.split("=")[0] not in known]
        assert not unknown, f"{block.where}: mm7 {' '.join(path)} has no option {unknown}"

    def first_notification_id(self, block: Block) -> int:
        env = {**self.env, **self.exported}
        listed = subprocess.run(
            ["bash", "-c", "mm7 inbox list --format json"],
            cwd=self.cwd, env=env, capture_output=True, text=True, timeout=DEADLINE,
        )  # fmt: skip
        ids = re.findall(r'"id": (\d+)', listed.stdout)
        assert ids, f"{block.where}: nothing stored to show: {listed.stdout}{listed.stderr}"
        return int(ids[0])

    # -- receivers

    def serves(self, process: Process) -> None:
        """A documented receiver answers on the port, and stores a delivery report posted to it."""
        url = f"http://127.0.0.1:{self.port}/mm7"
        argv = process.command if isinstance(process.command, str) else ""
        option = re.search(r"--user (\S+)", argv)
        user = option.group(1) if option else self.exported.get("MM7_BASIC_USER")
        auth = (user, PASSWORD) if user else None
        answer: list[requests.Response] = []

        def answered() -> bool:
            try:
                answer.append(requests.post(url, data=DR_BODY, headers=DR_HEADERS, auth=auth, timeout=5))
            except requests.ConnectionError:
                return False
            return True

        process.wait_for(answered, f"an answer on {url}")
        assert answer[-1].status_code == 200 and b"1000" in answer[-1].content, answer[-1].text
        self.stored = True

    def stopped(self, process: Process, codes: tuple[int, ...] = (0,)) -> None:
        code = process.stop()
        assert code in codes and "Traceback" not in process.output(), (
            f"{process.command!r} exited {code} on SIGTERM: {process.output()}"
        )


@pytest.mark.timeout(240)
@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(REPO)))
def test_the_doc_examples_run(doc: Path, tmp_path: Path, simulator: str) -> None:
    run = DocRun(doc, workdir(tmp_path), simulator)
    try:
        for block in blocks(doc):
            run.run(block)
    finally:
        run.close()
