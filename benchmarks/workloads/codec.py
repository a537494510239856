"""Workloads 1-3 (encode, decode, small messages) as a pyperf script.

Run by the entry point as ``python benchmarks/workloads/codec.py -o results.json [pyperf options]``; pyperf
spawns worker processes, calibrates loops, discards warm-ups and stores every value (gc stays enabled,
as in a real process).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # pyperf re-runs this file as a script in its workers
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.workloads import contenders as c

#: (benchmark name prefix, table of contender → callable, arguments)
GROUPS = {
    "encode_submit": (c.ENCODE_SUBMIT, ()),
    "decode_submit": (c.DECODE, "submit"),
    "encode_report": (c.ENCODE_REPORT, ()),
    "decode_report": (c.DECODE, "report"),
}


def names() -> list[str]:
    return [f"{group}.{who}" for group in GROUPS for who in c.CONTENDERS]


def main() -> None:
    import pyperf

    runner = pyperf.Runner()
    for group, (table, what) in GROUPS.items():
        args = c.received(what) if isinstance(what, str) else ()
        for who in c.CONTENDERS:
            func = table[who]
            func(*args)  # build caches (schema, zeep client, xsdata context) outside the timing
            runner.bench_func(f"{group}.{who}", func, *args)


if __name__ == "__main__":
    main()
