"""Workload 6: cold start, measured in fresh subprocesses (median of ``runs``).

* ``python -c pass`` (the interpreter alone), ``python -c "import mm7"``, ``python -c "import zeep"``:
  wall time of the whole process; the table also shows the import cost net of the bare interpreter.
* ``python -X importtime -c "import mm7"``: the cumulative time of ``import mm7`` as the interpreter counts it
  (interpreter start left out), median and min of ``runs``, and how many modules the import loads.
* In one fresh process: the first ``mm7.encode`` of a DeliveryReportReq (pays schema compilation and the
  xsdata context), the second one, and the steady state (median of 200 more). The second encode is also run
  under cProfile to check that it calls neither the schema compiler nor xsdata's metadata builder.

The package is compiled to bytecode before the first run (:func:`write_bytecode`), as an installed one is.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.workloads.common import ROOT

_PROBE = r"""
import cProfile, json, pstats, statistics, time
t0 = time.perf_counter()
import mm7
from datetime import datetime, timezone
t1 = time.perf_counter()
fields = dict(message_id="m1", recipient="15551234567", sender="12345", mm_status="Retrieved",
              date=datetime(2024, 5, 1, tzinfo=timezone.utc))
mm7.encode(mm7.delivery_report_request(**fields), transaction_id="t1").to_bytes()
t2 = time.perf_counter()
profile = cProfile.Profile()
profile.enable()
mm7.encode(mm7.delivery_report_request(**fields), transaction_id="t2").to_bytes()
profile.disable()
t3 = time.perf_counter()
steady = []
for i in range(200):
    s = time.perf_counter()
    mm7.encode(mm7.delivery_report_request(**fields), transaction_id="t3").to_bytes()
    steady.append(time.perf_counter() - s)
stats = pstats.Stats(profile).stats
builders = sorted({f"{k[0].rsplit('/', 3)[-1]}:{k[2]}" for k in stats
                   if k[2] in ("compile_schema", "XMLSchema")
                   or ("xsdata" in k[0] and k[0].endswith("builders.py")
                       and k[2] in ("build", "build_vars"))})
# The second encode timed again without the profiler:
s = time.perf_counter()
mm7.encode(mm7.delivery_report_request(**fields), transaction_id="t4").to_bytes()
print(json.dumps({"import": t1 - t0, "first_encode": t2 - t1, "steady_encode": statistics.median(steady),
                  "builders_in_second": builders}))
"""

_PROBE_SECOND = r"""
import time
import mm7
from datetime import datetime, timezone
fields = dict(message_id="m1", recipient="15551234567", sender="12345", mm_status="Retrieved",
              date=datetime(2024, 5, 1, tzinfo=timezone.utc))
t1 = time.perf_counter()
mm7.encode(mm7.delivery_report_request(**fields), transaction_id="t1").to_bytes()
t2 = time.perf_counter()
mm7.encode(mm7.delivery_report_request(**fields), transaction_id="t2").to_bytes()
t3 = time.perf_counter()
print(t2 - t1, t3 - t2)
"""


def _wall(code: str, runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def import_profile(top: int = 8) -> list[tuple[str, float]]:
    """Top-level packages by cumulative import time (``-X importtime``), in milliseconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import mm7"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    per_package: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.split(":", 1)[1].split("|")
        package = name.strip().split(".")[0]
        per_package[package] = per_package.get(package, 0.0) + int(self_us) / 1000
    return sorted(per_package.items(), key=lambda kv: -kv[1])[:top]


def import_time(runs: int) -> dict[str, float]:
    """``import mm7``'s cumulative time from ``-X importtime`` (seconds): median, min and max of ``runs``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import mm7"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        for line in done.stderr.splitlines():
            fields = line.split("|")
            if len(fields) == 3 and fields[2].strip() == "mm7":
                times.append(int(fields[1]) / 1e6)
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def modules_loaded() -> int:
    """How many modules ``import mm7`` adds to a fresh interpreter's ``sys.modules``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys; before = len(sys.modules); import mm7; print(len(sys.modules) - before)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip())


def write_bytecode() -> None:
    """Compile mm7 and its generated bindings to bytecode first, as installing a package does.

    Otherwise a source file changed since its last import (or a checkout run under
    ``PYTHONDONTWRITEBYTECODE``) is compiled again by every timed process, which is not a cold start
    users see.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "mm7"), str(ROOT / "generated")],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip


def measure(runs: int = 10) -> dict[str, Any]:
    write_bytecode()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result: dict[str, Any] = {"runs": runs}
    for label, code in (("python", "pass"), ("import mm7", "import mm7"), ("import zeep", "import zeep")):
        times = _wall(code, runs)
        result[label] = {"median": statistics.median(times), "min": min(times), "max": max(times)}
    firsts, seconds = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE_SECOND],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        firsts.append(float(out[0]))
        seconds.append(float(out[1]))
    result["first_encode"] = {"median": statistics.median(firsts), "min": min(firsts), "max": max(firsts)}
    result["second_encode"] = {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds)}
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    detail = json.loads(probe.stdout.strip().splitlines()[-1])
    result["steady_encode"] = detail["steady_encode"]
    result["builders_in_second"] = detail["builders_in_second"]
    result["import_top"] = import_profile()
    result["importtime mm7"] = import_time(runs)
    result["modules loaded by import mm7"] = modules_loaded()
    return result


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10), indent=2))
