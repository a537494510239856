"""The names docs/receiver.md imports from mm7.server are the functions, in any import order."""

from __future__ import annotations

import subprocess
import sys


def test_documented_imports_are_functions_in_a_fresh_process() -> None:
    code = (
        "import inspect\n"
        "from mm7.server import make_app, serve, run_worker, create_app\n"
        "assert all(inspect.isfunction(f) for f in (make_app, serve, run_worker, create_app)), serve\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)


def test_python_dash_m_mm7_server_shows_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mm7.server", "--help"], check=True, capture_output=True, text=True, timeout=60
    )
    assert "python -m mm7.server" in done.stdout
