"""Tolerant reading's cost: ``python -m benchmarks.tolerance [--baseline REF] [--quick]``.

Measures, with pyperf, in one run on one machine:

* clean messages (DeliveryReportReq; SubmitReq with a 100 KB JPEG and SMIL) decoded strictly and
  tolerantly, by this checkout and by ``REF`` (default: the last commit before schema-guided tolerance,
  3ec0e1e), checked out in a temporary git worktree: the target is tolerant decoding of a clean message
  within 5% of the baseline;
* a deviating SubmitReq (children in Sinch's published order, body elements without namespace, a vendor
  element, ``True`` for a boolean): decoded by this checkout (the baseline refuses it).

Writes the table into ``benchmarks/RESULTS.md`` (section "7. Tolerant reading").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.workloads import contenders
from benchmarks.workloads.common import BENCH_DIR, ROOT

DEFAULT_BASELINE = "3ec0e1e"
SECTION = "## 7. Tolerant reading"
LABELS = {
    "report.strict": "DeliveryReportReq, strict",
    "report.tolerant": "DeliveryReportReq, tolerant",
    "submit.strict": "SubmitReq + 100 KB JPEG + SMIL, strict",
    "submit.tolerant": "SubmitReq + 100 KB JPEG + SMIL, tolerant",
    "submit_deviating.tolerant": "Deviating SubmitReq (order, no namespace, vendor element, True), tolerant",
}


def deviating_submit(body: bytes) -> bytes:
    """The clean SubmitReq's bytes turned into what a hand-written VASP template sends."""
    xml_start = body.index(b"<?xml")
    xml_end = body.index(b"</env:Envelope>") + len(b"</env:Envelope>")
    envelope = body[xml_start:xml_end].decode()
    # Body elements lose their namespace prefix and declaration (the TransactionID keeps it).
    envelope = re.sub(r"<(/?)mm7:(?!TransactionID)", r"<\1", envelope)
    envelope = envelope.replace("<DeliveryReport>true</DeliveryReport>", "")
    envelope = envelope.replace(
        "<SenderIdentification>",
        "<DeliveryReport>True</DeliveryReport><SenderIdentification>",
    )
    envelope = envelope.replace(
        "</SenderIdentification>",
        '<ext:Campaign xmlns:ext="urn:example:vendor">spring</ext:Campaign></SenderIdentification>',
    )
    return body[:xml_start] + envelope.encode() + body[xml_end:]


def prepare(path: Path) -> None:
    import mm7

    messages: dict[str, dict[str, str]] = {}
    for kind in ("report", "submit"):
        body, content_type = contenders.received(kind)
        for mode in ("strict", "tolerant"):
            messages[f"{kind}.{mode}"] = {"body": body.hex(), "content_type": content_type, "mode": mode}
    body, content_type = contenders.received("submit")
    deviating = deviating_submit(body)
    decoded = mm7.decode(deviating, content_type, mode="tolerant")
    assert decoded.valid and {d.kind for d in decoded.deviations} >= {"namespace", "element-order"}
    messages["submit_deviating.tolerant"] = {
        "body": deviating.hex(),
        "content_type": content_type,
        "mode": "tolerant",
    }
    path.write_text(json.dumps(messages))


def run_tree(tree: Path, messages: Path, output: Path, quick: bool) -> dict[str, float]:
    import pyperf

    options = (
        ["--processes", "2", "--values", "3", "--warmups", "1", "--min-time", "0.05"]
        if quick
        else ["--processes", "10", "--values", "5", "--warmups", "1", "--min-time", "0.1"]
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(tree / "generated")])}
    script = str(BENCH_DIR / "workloads" / "tolerance_bench.py")
    cmd = [sys.executable, script, "--quiet", "--messages", str(messages), "-o", str(output), *options]
    cmd += ["--inherit-environ", "PYTHONPATH"]  # pyperf's workers must import the same tree
    subprocess.run(cmd, cwd=tree, env=env, check=True)
    suite = pyperf.BenchmarkSuite.load(str(output))
    return {bench.get_name(): bench.median() for bench in suite.get_benchmarks()}


def _fmt(seconds: float | None) -> str:
    return "refused" if seconds is None else f"{seconds * 1e6:.1f} µs"


def table(current: dict[str, float], baseline: dict[str, float], ref: str, command: str) -> str:
    lines = [
        SECTION,
        "",
        f"`{command}`: pyperf medians, this checkout against `{ref}` (the last commit before",
        "schema-guided tolerance) checked out in a temporary worktree; both decode the same bytes.",
        "Target: tolerant decoding of a clean message within 5% of the baseline's.",
        "",
        f"| Message | this checkout | {ref} | ratio | target ≤ 1.05 |",
        "|---|---|---|---|---|",
    ]
    for name, label in LABELS.items():
        now, then = current.get(name), baseline.get(name)
        ratio = f"{now / then:.3f}" if now and then else "-"
        verdict = ""
        if name.endswith(".tolerant") and now and then:
            verdict = "met" if now / then <= 1.05 else "**MISSED**"
        lines.append(f"| {label} | {_fmt(now)} | {_fmt(then)} | {ratio} | {verdict} |")
    return "\n".join(lines) + "\n"


def write_results(section: str) -> None:
    path = BENCH_DIR / "RESULTS.md"
    text = path.read_text() if path.exists() else "# mm7 benchmarks\n"
    if SECTION in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[following + 1 :] if following != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tolerance", description=__doc__)
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.tolerance" + (" --quick" if args.quick else "")
    with tempfile.TemporaryDirectory(prefix="mm7-tolerance-") as tmp:
        work = Path(tmp)
        messages = work / "messages.json"
        prepare(messages)
        worktree = work / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(worktree), args.baseline], cwd=ROOT, check=True
        )
        try:
            current = run_tree(ROOT, messages, work / "current.json", args.quick)
            baseline = run_tree(worktree, messages, work / "baseline.json", args.quick)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    section = table(current, baseline, args.baseline, command)
    print(section)
    write_results(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
