"""pyperf script: decode the prepared messages with whatever ``mm7`` is first on ``sys.path``.

Run by :mod:`benchmarks.tolerance` once per source tree (this checkout, and a baseline commit checked out
in a temporary worktree), with ``PYTHONPATH`` pointing at that tree: both read the same bytes, prepared
once, so the ratio compares the decoders and nothing else. A message a tree refuses is recorded as such.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path


def main() -> None:
    import pyperf

    def pass_messages(cmd: list[str], args: argparse.Namespace) -> None:
        cmd.extend(("--messages", str(args.messages)))  # to pyperf's worker processes

    runner = pyperf.Runner(add_cmdline_args=pass_messages)
    runner.argparser.add_argument("--messages", required=True)
    args = runner.parse_args()
    import mm7

    messages = json.loads(Path(args.messages).read_text())
    for name, item in messages.items():
        body, content_type, mode = bytes.fromhex(item["body"]), item["content_type"], item["mode"]
        try:
            mm7.decode(body, content_type, mode=mode)
        except mm7.MM7Error as exc:
            if not runner.args.worker:
                print(f"{name}: refused by this tree ({type(exc).__name__})", file=sys.stderr)
            continue
        runner.bench_func(name, functools.partial(mm7.decode, mode=mode), body, content_type)


if __name__ == "__main__":
    main()
