"""The wheel a user installs: our import names only, the schemas inside the package, typed markers."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("mm7-*.whl")
    return zipfile.ZipFile(built)


def test_only_our_top_level_packages(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/", 1)[0] for name in wheel.namelist() if not name.startswith("mm7-")}
    assert tops == {"mm7", "mm7_bindings"}  # no bare generated/, scripts/ or tests/


def test_schemas_and_markers_ship(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for required in (
        "mm7/schemas/REL-6-MM7-1-4.xsd",
        "mm7/schemas/REL-5-MM7-1-3.xsd",
        "mm7/schemas/soap-envelope-1.1.xsd",
        "mm7/py.typed",
        "mm7_bindings/py.typed",
        "mm7_bindings/rel6_mm7_1_4/__init__.py",
        "mm7_bindings/rel5_mm7_1_3/__init__.py",
    ):
        assert required in names, required


def test_console_script_declared(wheel: zipfile.ZipFile) -> None:
    entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    assert "mm7 = mm7.cli:main" in wheel.read(entry_points).decode()
