"""The ``mm7`` command line: thin click commands over the library.

Exit codes (see ``docs/cli.md``): 0 success; 1 the operation failed (a message refused or not sent, an
invalid file, an undecodable input); 2 usage or configuration error, or (``validate``) an unreadable file.
Expected failures print one line on stderr, never a traceback.

Each command lives in its own module (check, profiles, replay, send, serving, simulate, tools, tracking);
importing them registers them on the ``cli`` group.
"""

from __future__ import annotations

from collections.abc import Sequence

from mm7.cli import check, profiles, replay, send, serving, simulate, tools, tracking
from mm7.cli._app import EXIT_FAILED, EXIT_OK, EXIT_USAGE, cli

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "cli", "main"]

_COMMAND_MODULES = (check, profiles, replay, send, serving, simulate, tools, tracking)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``mm7`` command (the console script's entry point).

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when None.
    """
    cli.main(args=list(argv) if argv is not None else None, prog_name="mm7")
