"""Benchmarks: mm7 against zeep and a hand-written lxml baseline.

Run ``python -m benchmarks [--quick]`` (or ``scripts/bench``); it writes ``benchmarks/RESULTS.md`` and
``benchmarks/ratios.png``. See ``benchmarks/README.md`` for what is measured and how.
"""
