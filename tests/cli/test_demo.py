"""``mm7 demo`` runs as a real process, offline, and exits 0 after the Retrieved report arrives."""

from __future__ import annotations

import re
from pathlib import Path

from mm7.inbox import open_inbox

from . import run_mm7


def test_demo_exits_0_with_message_id_and_retrieved(tmp_path: Path) -> None:
    inbox = tmp_path / "demo.db"
    result = run_mm7("demo", "--inbox", str(inbox), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"MessageID (\d{10,})", result.stdout)
    assert match, result.stdout
    message_id = match.group(1)
    assert "Retrieved" in result.stdout and "Forwarded" in result.stdout
    # The reports really are in the inbox the demo used, under that MessageID.
    with open_inbox(f"sqlite:///{inbox}") as store:
        status = store.status(message_id)
    assert status is not None and status.mm_status == "Retrieved" and status.final and status.reports == 2
