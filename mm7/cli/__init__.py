"""The ``mm7`` command line (see ``docs/cli.md``); ``main`` is the console script's entry point."""

from __future__ import annotations

from mm7.cli.main import cli, main

__all__ = ["cli", "main"]
