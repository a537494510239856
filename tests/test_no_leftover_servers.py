"""The session check of tests/conftest.py can fail: a session that leaks a process is reported as failed.

An inner pytest session (its own process, with a copy of tests/conftest.py) runs a test that leaks two
sleeping processes: a direct child, and an orphan whose parent has exited (found by the session token in
its environment, not by ancestry). The inner session must fail naming both; both are then killed by pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CONFTEST = Path(__file__).with_name("conftest.py")

LEAKY_TEST = """
import subprocess, sys
from pathlib import Path

SLEEP = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_leaks_a_server():
    child = subprocess.Popen(SLEEP, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    Path("child.pid").write_text(str(child.pid))
    # A process that starts the sleeper and exits at once: the sleeper is re-parented away from pytest.
    spawn = "import subprocess as s, sys; print(s.Popen(sys.argv[1:], stdout=s.DEVNULL, stderr=-3).pid)"
    orphan = subprocess.run([sys.executable, "-c", spawn, *SLEEP], capture_output=True, text=True, check=True)
    Path("orphan.pid").write_text(orphan.stdout.strip())
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _pids(where: Path) -> list[int]:
    return [int(p.read_text()) for p in (where / "child.pid", where / "orphan.pid") if p.exists()]


def test_a_session_that_leaks_a_process_fails(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    report = tmp_path / "report.txt"
    try:
        # Output to a file, not a pipe: a leaked process holding a pipe open would block the wait for EOF.
        with report.open("w") as out:
            inner = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                 "-c", os.devnull, "--rootdir", str(tmp_path), "test_leaky.py"],
                cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, timeout=120,
            )  # fmt: skip
        output = report.read_text()
        assert inner.returncode != 0, output
        assert "processes started by the test session are still running" in output, output
        for pid in _pids(tmp_path):
            assert f"pid {pid}: " in output, output
    finally:
        pids = _pids(tmp_path)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
