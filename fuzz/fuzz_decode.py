#!/usr/bin/env python3
"""atheris harness over ``mm7.decode``.

Input format (the same as ``fuzz/seeds/*`` and ``tests/security/regressions/*``): the first line is the
HTTP Content-Type (empty: None), the rest is the body. Both modes are tried. Any exception that is not an
:class:`mm7.errors.MM7Error` is a finding: atheris writes the input to ``crash-<sha1>`` (see
``-artifact_prefix``) and exits non-zero.

Run::

    .venv/bin/python fuzz/fuzz_decode.py -atheris_runs=20000 fuzz/seeds
    # or scripts/fuzz, which also installs atheris and files crashes under tests/security/regressions/

Small limits keep every iteration cheap; the codec's own limits are tested in tests/security/.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["mm7"]):
    import mm7
    from mm7.codec.mime import Limits
    from mm7.codec.xml import XMLLimits

LIMITS = Limits(max_body_size=256 * 1024, max_parts=32)
XML_LIMITS = XMLLimits(max_size=128 * 1024, max_elements=2_000)
SEEDS = Path(__file__).resolve().parent / "seeds"


def split_input(data: bytes) -> tuple[bytes, str | None]:
    """First line: Content-Type; the rest: body (see tests/security/__init__.py read_regression)."""
    head, _, body = data.partition(b"\n")
    return body, head.decode("latin-1").strip() or None


def test_one_input(data: bytes) -> None:
    """One fuzz iteration: only MM7Error may escape."""
    body, content_type = split_input(data)
    for mode in ("strict", "tolerant"):
        with contextlib.suppress(mm7.MM7Error):
            mm7.decode(body, content_type, mode=mode, limits=LIMITS, xml_limits=XML_LIMITS)


def main(argv: list[str]) -> None:
    """Start atheris; with no corpus directory given, start from fuzz/seeds."""
    args = list(argv)
    if not any(not a.startswith("-") for a in args[1:]):
        args.append(str(SEEDS))
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
