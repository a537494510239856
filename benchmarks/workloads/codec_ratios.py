"""Workloads 1-3 again, as ratios measured interleaved: every contender timed back to back, round after round.

pyperf (``codec.py``) measures each contender in its own worker processes, one contender after the other:
on a shared machine whose speed drifts over minutes, the contenders are timed under different conditions
and their ratio moves with the drift. Here one process times mm7, zeep and the lxml floor alternately, a
batch each per round (``timeit`` with the process CPU clock), and keeps each contender's least time over
the rounds: all three see the same conditions within seconds, and a round slowed by a neighbour does not
count. Same contenders and inputs as ``codec.py`` (``benchmarks/workloads/contenders.py``).

Run alone: ``python -m benchmarks.workloads.codec_ratios [--rounds 25]`` (prints JSON: seconds per call).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import timeit
from typing import Any

from benchmarks.workloads.common import ROOT

#: Calls per batch: a batch takes a few milliseconds for every contender.
_BATCH = {"encode_submit": 100, "decode_submit": 100, "encode_report": 500, "decode_report": 500}


def _groups() -> dict[str, tuple[dict[str, Any], tuple[Any, ...]]]:
    from benchmarks.workloads import contenders as c

    return {
        "encode_submit": (c.ENCODE_SUBMIT, ()),
        "decode_submit": (c.DECODE, c.received("submit")),
        "encode_report": (c.ENCODE_REPORT, ()),
        "decode_report": (c.DECODE, c.received("report")),
    }


def run(rounds: int) -> dict[str, dict[str, float]]:
    """Seconds per call of each contender in each group: the least batch mean over ``rounds`` rounds."""
    from benchmarks.workloads import contenders as c

    results: dict[str, dict[str, float]] = {}
    for group, (table, args) in _groups().items():
        number = _BATCH[group]
        best = dict.fromkeys(c.CONTENDERS, float("inf"))
        for who in c.CONTENDERS:
            table[who](*args)  # caches (schema, zeep client, xsdata context) built outside the timing
        for _ in range(rounds):
            for who in c.CONTENDERS:
                func = table[who]
                seconds = timeit.timeit(lambda f=func, a=args: f(*a), number=number, timer=time.process_time)
                best[who] = min(best[who], seconds / number)
        results[group] = best
    return results


def measure(rounds: int = 25) -> dict[str, dict[str, float]]:
    """Run :func:`run` in a fresh process (as the pyperf workers are), return its result."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.workloads.codec_ratios", "--rounds", str(rounds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, dict[str, float]] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    print(json.dumps(run(parser.parse_args().rounds), indent=1))


if __name__ == "__main__":
    main()
