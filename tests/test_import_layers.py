"""Dependencies run one way: each mm7 package imports on its own, and the profiles never load the client.

Each import runs in a fresh interpreter, so what one test imported cannot hide another's cycle: a module
that only imports because something else was imported first fails here.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import mm7

SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(mm7.__path__, "mm7.") if m.ispkg)
PROFILE_MODULES = sorted(
    m.name for m in pkgutil.iter_modules([f"{mm7.__path__[0]}/profiles"], "mm7.profiles.")
)

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m == "mm7" or m.startswith("mm7."))))
"""


def _imported_by(module: str) -> set[str]:
    """The mm7 modules a fresh interpreter has loaded after importing ``module`` alone."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"import {module} failed in a fresh interpreter:\n{done.stderr}"
    return set(json.loads(done.stdout))


def test_the_layers_are_found() -> None:
    assert {"mm7.client", "mm7.codec", "mm7.profiles", "mm7.server", "mm7.simulator"} <= set(SUBPACKAGES)
    assert "mm7.profiles.sinch" in PROFILE_MODULES


@pytest.mark.parametrize("module", SUBPACKAGES)
def test_each_subpackage_imports_alone(module: str) -> None:
    assert module in _imported_by(module)


@pytest.mark.parametrize("module", ["mm7.profiles", *PROFILE_MODULES, "mm7.rate"])
def test_profiles_do_not_import_the_client(module: str) -> None:
    loaded = _imported_by(module)
    assert not {m for m in loaded if m == "mm7.client" or m.startswith("mm7.client.")}


def test_the_client_imports_the_profiles() -> None:
    # The one allowed direction: the client builds on the profiles (MM7Client.for_sinch).
    assert "mm7.profiles.sinch" in _imported_by("mm7.client")


def test_rate_is_one_class_wherever_it_is_imported_from() -> None:
    from mm7.client import Rate as from_client
    from mm7.client.throttle import Rate as from_throttle
    from mm7.profiles.sinch import Rate as from_profiles
    from mm7.rate import Rate

    assert from_client is from_throttle is from_profiles is Rate
