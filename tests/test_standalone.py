"""The project stands alone: users have the package and its docs, nothing else, so no file of the project
may cite a notes folder outside it or an absolute path of a developer's checkout (facts are restated under
docs/)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Built from pieces so that this file does not match itself.
FORBIDDEN = re.compile(
    "|".join([r"/" + "work" + r"/", r"\.\./" + "shared", "shared/" + "sinch", r"/" + "farm" + r"/"])
)


def test_no_file_cites_an_outside_folder_or_an_absolute_checkout_path() -> None:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in listed.splitlines():
        path = ROOT / name
        if name.startswith("generated/") or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if FORBIDDEN.search(line)]
    assert offenders == [], offenders
