"""``mm7 regenerate`` and ``mm7 demo``."""

from __future__ import annotations

import sys

import click

from mm7.cli._app import (
    EXIT_USAGE,
    cli,
    fail,
    handle_errors,
)

# ------------------------------------------------------------------------------------------ regenerate, demo


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 naming every file that would change.")
@click.option("--schemas", type=click.Path(file_okay=False), help="Directory of .xsd files.")
@click.option("--out", type=click.Path(file_okay=False), help="Directory receiving the bindings package.")
@click.option("--package", help="Top-level package name of the bindings.")
@click.option(
    "--no-codecs",
    is_flag=True,
    help="Leave out the generated codec.py modules (the codec then binds with xsdata, slower).",
)
@handle_errors
def regenerate(
    check: bool, schemas: str | None, out: str | None, package: str | None, no_codecs: bool
) -> None:
    """Regenerate the bindings, codecs and schema facts from the schemas (needs the mm7[regenerate] extra)."""
    try:
        from mm7 import _regenerate
    except ImportError as exc:
        fail(f"regenerate needs xsdata's generator: pip install 'mm7[regenerate]' ({exc})", EXIT_USAGE)
    argv = [*(["--check"] if check else []), *(["--no-codecs"] if no_codecs else [])]
    for flag, value in (("--schemas", schemas), ("--out", out), ("--package", package)):
        if value is not None:
            argv += [flag, value]
    sys.exit(_regenerate.main(argv))


@cli.command()
@click.option(
    "--inbox", "inbox_path", type=click.Path(dir_okay=False), help="SQLite inbox file (default: a temp dir)."
)
@click.option("--to", "to", default="15551234567", show_default=True, help="Test recipient number.")
@click.option(
    "--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for the reports."
)
@handle_errors
def demo(inbox_path: str | None, to: str, timeout: float) -> None:
    """Send an MMS through a local simulator and receive its delivery reports (no network needed).

    Starts the simulator and the receiver on free 127.0.0.1 ports, sends the bundled image and a text
    with the Sinch profile, waits for Forwarded and Retrieved in the inbox, prints a summary, and exits 0
    (1 with a reason when the reports do not arrive in time).
    """
    from mm7.cli.demo import run_demo

    sys.exit(run_demo(inbox_path=inbox_path, to=to, timeout=timeout))
