"""Shared pieces of the ``mm7`` command line: the click group, console helpers and error handling."""

from __future__ import annotations

import functools
import logging
import os
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
    "EXIT_RETRY_LATER",
    "EXIT_USAGE",
    "capture_option",
    "cli",
    "err_console",
    "fail",
    "handle_errors",
    "one_line",
    "out_console",
    "password_options",
    "refuse_password_on_argv",
    "stop_on_sigterm",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
#: ``mm7 send``: nothing failed for good, but something should be sent again later (busy, throttled).
EXIT_RETRY_LATER = 3

P = ParamSpec("P")
R = TypeVar("R")
err_console = Console(stderr=True)


def refuse_password_on_argv(value: str | None, env_var: str, file_env_var: str) -> None:
    """A usage error for ``--password VALUE``: the process list would show it; name the two forms instead."""
    if value is not None:
        raise click.UsageError(
            "--password is not accepted: a password on the command line is visible in the process list. "
            f"Set {env_var} or give --password-file (or {file_env_var})."
        )


def password_options(env_var: str, file_env_var: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--password-file`` (or ``file_env_var``) or ``env_var`` gives a password; ``--password`` is refused.

    The command receives ``password`` (from the file, else the variable, else None). A password on the
    command line is visible in the process list, so ``--password VALUE`` is a usage error naming both forms.
    """

    def resolve(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        from mm7._secrets import read_password_file

        refuse_password_on_argv(ctx.params.pop("password_argv", None), env_var, file_env_var)
        path = value or os.environ.get(file_env_var) or None
        if path is not None and os.environ.get(env_var):
            raise click.UsageError(f"give the password once: {env_var} or a password file, not both")
        if path is not None:
            try:
                return read_password_file(path)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from None
        return os.environ.get(env_var) or None

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        command = click.option(
            "--password-file",
            "password",
            type=click.Path(dir_okay=False),
            callback=resolve,
            help=f"File holding the HTTP Basic password (first line) [env {file_env_var}]; or set "
            f"{env_var}. Never on the command line.",
        )(command)
        # Declared after --password-file so that click parses it first (is_eager) and resolve() sees it.
        return click.option("--password", "password_argv", default=None, hidden=True, is_eager=True)(command)

    return decorate


def capture_option(env_var: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--capture DIR``: every exchange to a file in DIR (:mod:`mm7.capture`), as ``capture``."""
    source = f" [env {env_var}]" if env_var else ""
    return click.option(
        "--capture",
        type=click.Path(file_okay=False),
        metavar="DIR",
        help="Write every exchange (request and answer, credentials redacted) to a file in DIR, for mm7 "
        f"inspect and mm7 replay; 1 MiB per file, the oldest removed past 1000 files{source}.",
    )


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
    """MM7 (3GPP TS 23.140) from the command line.

    Send MMS, validate and inspect MM7 messages, receive notifications, and run a local Sinch-like MMSC.

    Exit codes: 0 success, 1 failure (message refused, invalid input), 2 usage or configuration error.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def stop_event_on_signals() -> threading.Event:
    """An event that SIGINT (Ctrl-C) and SIGTERM set, for loops that wait on it and end cleanly.

    Instead of a KeyboardInterrupt, which can land inside ``Event.wait`` while it holds its condition's
    lock and leave that lock broken ("release unlocked lock"). The handler sets the event from a new thread:
    the interrupted code may hold the very lock ``Event.set`` takes.
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=stop.set, name="mm7-stop", daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
    return stop


def stop_on_sigterm() -> None:
    """Make SIGTERM end the process like Ctrl-C, so servers shut down cleanly."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_interrupt)
