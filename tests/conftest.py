"""Session-wide checks: no process the test session started outlives it.

Every test that starts a server (``mm7 serve``, ``python -m mm7.server``, gunicorn, waitress, the
simulator, a PostgreSQL cluster) must stop it and wait for it. At the end of the session, any process
still running that the session started is an error naming it. "Started by the session" means: a
descendant of the pytest process, or a process whose environment carries this session's token (set in
``os.environ`` at session start, so inherited by every subprocess launched with the usual environment,
even one that has been orphaned and re-parented since).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Environment variable carrying the session token into every subprocess.
SESSION_TOKEN_VAR = "MM7_TEST_SESSION"
#: Seconds a process that is shutting down (e.g. gunicorn workers after their master) may take to go.
GRACE_SECONDS = 5.0


def _processes() -> dict[int, tuple[int, str]]:
    """``pid -> (ppid, state)`` for every process in /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def _carries(pid: int, marker: bytes) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return marker in b"\0" + environ


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def leftover_processes(token: str) -> dict[int, str]:
    """Live processes the session started (descendants of this process, or carrying ``token``)."""
    me = os.getpid()
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _state) in table.items():
        children.setdefault(ppid, []).append(pid)
    descendants: set[int] = set()
    todo = list(children.get(me, []))
    while todo:
        pid = todo.pop()
        if pid not in descendants:
            descendants.add(pid)
            todo.extend(children.get(pid, []))
    marker = f"\0{SESSION_TOKEN_VAR}={token}\0".encode()
    found = {}
    for pid, (_ppid, state) in table.items():
        if pid == me or state in ("Z", "X"):  # a zombie runs nothing (its parent has not reaped it yet)
            continue
        if pid in descendants or _carries(pid, marker):
            found[pid] = _cmdline(pid)
    return found


@pytest.fixture(scope="session", autouse=True)
def no_leftover_processes() -> Iterator[None]:
    """Fail the session if a process it started is still running once every other fixture is torn down."""
    if not Path("/proc/self/stat").exists():  # no procfs: nothing to scan
        yield
        return
    token = f"{os.getpid()}-{uuid.uuid4().hex}"
    previous = os.environ.get(SESSION_TOKEN_VAR)
    os.environ[SESSION_TOKEN_VAR] = token
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(SESSION_TOKEN_VAR, None)
        else:
            os.environ[SESSION_TOKEN_VAR] = previous
    deadline = time.monotonic() + GRACE_SECONDS
    while (left := leftover_processes(token)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        listing = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in sorted(left.items()))
        pytest.fail(f"processes started by the test session are still running:\n{listing}", pytrace=False)
