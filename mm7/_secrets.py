"""Secrets (HTTP Basic passwords) come from an environment variable or a file, never from argv.

A value on the command line is visible to every user of the host in the process list, so the CLI refuses it
and points at the two forms that are not.
"""

from __future__ import annotations

from pathlib import Path

from mm7.errors import ConfigError

__all__ = ["read_password_file"]


def read_password_file(path: str | Path) -> str:
    """The password in ``path``: its first line, without the line end.

    Raises:
        ConfigError: The file cannot be read or is empty.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the password file {str(path)!r}: {exc.strerror or exc}") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise ConfigError(f"the password file {str(path)!r} is empty")
    return password
