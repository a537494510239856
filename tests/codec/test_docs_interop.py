"""docs/interop.md's example runs as written and prints what the page says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "interop.md"


def test_the_python_example_runs_and_prints_the_kinds_it_shows() -> None:
    text = DOC.read_text(encoding="utf-8")
    [block] = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, str(DOC), "exec"), {})
    lines = out.getvalue().splitlines()
    shown = re.search(r"^# (\[.*\])$", block, flags=re.MULTILINE)
    assert shown is not None and lines[0] == shown.group(1)
    # Strict mode names each of those deviations as an error.
    assert set(eval(lines[0])) <= set(eval(lines[1]))
