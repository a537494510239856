"""scripts/pg-server stop: waits for the postmaster to exit, and never deletes a data directory under one."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = ROOT / "scripts" / "pg-server"
ENV = {k: v for k, v in os.environ.items() if k != "MM7_PG_STATE_DIR"}


def pg_server(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PG_SERVER), *map(str, args)], capture_output=True, text=True, timeout=300, env=ENV
    )


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_stop_refuses_to_delete_a_running_cluster_then_stops_it(tmp_path: Path) -> None:
    state = tmp_path / "pg"
    started = pg_server("start", state)
    assert started.returncode == 0, started.stderr
    assert re.search(r"MM7_TEST_POSTGRES_DSN='postgresql://", started.stdout)
    data = Path((state / "datadir").read_text().strip())
    bindir = (state / "bindir").read_text().strip()
    pid = int((data / "postmaster.pid").read_text().split()[0])
    try:
        # A pg_ctl that claims success but stops nothing: the postmaster keeps running.
        fake = tmp_path / "fakebin"
        fake.mkdir()
        (fake / "pg_ctl").write_text("#!/bin/sh\nexit 0\n")
        (fake / "pg_ctl").chmod(0o755)
        (state / "bindir").write_text(f"{fake}\n")
        refused = pg_server("stop", state)
        assert refused.returncode != 0
        assert "still runs" in refused.stderr and "NOT removing" in refused.stderr
        assert alive(pid) and (data / "postmaster.pid").exists() and state.is_dir()
    finally:
        (state / "bindir").write_text(f"{bindir}\n")
        stopped = pg_server("stop", state)
    assert stopped.returncode == 0, stopped.stderr
    assert not alive(pid), "pg-server stop returned before the postmaster exited"
    assert not data.exists() and not state.exists()
