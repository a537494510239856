"""Helpers for the CLI tests: run ``mm7`` as a real subprocess, and long-running commands with a deadline."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
#: ``python -c`` with the console script's entry point: the same code path as the installed ``mm7``.
MM7 = [sys.executable, "-c", "from mm7.cli import main; main()"]


def run_mm7(
    *args: str, input: bytes | None = None, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``mm7 ARGS`` to completion and capture its output as text (``env`` adds variables)."""
    return subprocess.run(
        [*MM7, *args],
        input=input.decode() if input is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
    )


class Background:
    """A long-running ``mm7`` command (serve, simulate) whose stdout lines are collected on a thread."""

    def __init__(self, args: Sequence[str]) -> None:
        self.process = subprocess.Popen(
            [*MM7, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        stdout = self.process.stdout
        self.reader = threading.Thread(target=lambda: [self.lines.put(line) for line in stdout], daemon=True)
        self.reader.start()

    def wait_line(self, contains: str, timeout: float = 30.0) -> str:
        """Return the first stdout line containing ``contains``, waiting at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.process.poll() is not None and self.lines.empty()):
                err = (
                    self.process.stderr.read()
                    if self.process.poll() is not None and self.process.stderr
                    else ""
                )
                raise AssertionError(f"no line with {contains!r} from {self.process.args!r}; stderr: {err}")
            try:
                line = self.lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if contains in line:
                return line.strip()

    def stop(self) -> int:
        """Interrupt (SIGTERM, handled like Ctrl-C), wait for a clean exit, and close the pipes."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.reader.join(timeout=10)  # the process is gone: the reader meets end of file
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        return code
