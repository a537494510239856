"""``import mm7`` and ``import mm7.server`` load no ASGI server or framework: uvicorn only when serving."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Optional packages of the ``asgi`` and ``test`` extras (each with its submodules).
OPTIONAL = ("uvicorn", "httptools", "fastapi", "starlette", "h11", "anyio")

PROBE = """
import json, sys
import mm7
import mm7.server
from mm7.server import make_asgi_app
app = make_asgi_app("sqlite:///" + sys.argv[1])
app.inbox.close()
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    path = tmp_path_factory.mktemp("imports") / "inbox.db"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("package", OPTIONAL)
def test_building_the_asgi_app_imports_no(package: str, loaded: set[str]) -> None:
    assert "mm7.server.asgi" in loaded
    assert not {m for m in loaded if m == package or m.startswith(package + ".")}
