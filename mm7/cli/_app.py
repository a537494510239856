"""Shared pieces of the ``mm7`` command line: the click group, console helpers and error handling."""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import NoReturn, ParamSpec, TypeVar

import click
from rich.console import Console

from mm7.errors import (
    ConfigError,
    MM7Error,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "cli",
    "err_console",
    "fail",
    "handle_errors",
    "one_line",
    "out_console",
    "stop_on_sigterm",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

P = ParamSpec("P")
R = TypeVar("R")
err_console = Console(stderr=True)


def out_console() -> Console:
    """A stdout console; piped output gets a wide fixed width so ids and XML lines are not cut."""
    console = Console()
    if not console.is_terminal:
        console.width = 160
    return console


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print ``mm7: <message>`` on stderr and exit with ``code``."""
    click.echo(f"mm7: {message}", err=True)
    sys.exit(code)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn expected exceptions into a one-line reason and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            fail(one_line(exc), EXIT_USAGE)
        except MM7Error as exc:
            fail(one_line(exc), EXIT_FAILED)
        except OSError as exc:
            fail(one_line(exc), EXIT_USAGE)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="mm7", prog_name="mm7")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) on stderr.")
def cli(verbose: int) -> None:
    """MM7 (3GPP TS 23.140) from the command line: send MMS, validate and inspect MM7 messages,
    receive notifications, and run a local Sinch-like MMSC.

    Exit codes: 0 success, 1 failure (message refused, invalid input), 2 usage or configuration error.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def stop_on_sigterm() -> None:
    """Make SIGTERM end the process like Ctrl-C, so servers shut down cleanly."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_interrupt)
