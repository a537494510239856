"""Which files ``mm7 validate FILE|DIR|GLOB...`` reads: arguments expanded, deduplicated, sorted.

* A **file** named on the command line is always read, whatever its name (a missing one is reported as
  unreadable, like any file that cannot be read).
* A **directory** is walked recursively; the files in it that count as MM7 messages are those whose
  extension is one of :data:`MESSAGE_SUFFIXES` (HTTP captures, MIME bodies, SOAP envelopes). Hidden files
  and folders (a name starting with ``.``, such as ``.git``) are skipped, and symbolic links to folders
  are not followed. Other files (``.txt`` among them: capture folders also hold notes) are left alone.
* A **pattern** (``*``, ``?`` or ``[...]``, quoted so that the shell leaves it alone) is expanded here, with
  ``**`` matching any number of folders: every file it matches is read (the pattern chose them), and every
  folder it matches is walked like a directory argument.
* ``-`` is standard input.

A file reached twice (named twice, or by a pattern and a directory) is read once, under the name it was
first reached by. The result is sorted by path (standard input first), so the report is in the same order
whatever order the shell or the file system gives.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MESSAGE_SUFFIXES", "STDIN", "Input", "find_inputs"]

#: Extensions of the files a directory walk reads: HTTP captures (``.http``, the form ``mm7 inspect``
#: reads), MIME entities or bodies (``.mime``, ``.eml``) and bare SOAP envelopes (``.xml``).
MESSAGE_SUFFIXES = frozenset({".http", ".mime", ".eml", ".xml"})
#: The argument that means standard input.
STDIN = "-"


@dataclass(frozen=True)
class Input:
    """One thing to validate.

    Attributes:
        name: The file's name as reported (as given, or the directory or pattern joined with the rest of
            its path), or ``-``.
        problem: Why there is nothing to read under this name (a directory holding no MM7 files, a
            pattern matching nothing); None for a file to read.
    """

    name: str
    problem: str | None = None


def _is_pattern(argument: str) -> bool:
    return any(char in argument for char in "*?[")


def _hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _walk(folder: str) -> list[str]:
    """The MM7 files under ``folder``, hidden entries skipped, symbolic links to folders not followed."""
    found: list[str] = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not _hidden(name))
        found.extend(
            os.path.join(top, name)
            for name in files
            if not _hidden(name) and Path(name).suffix.lower() in MESSAGE_SUFFIXES
        )
    return found


def _expand(argument: str) -> list[Input]:
    """One command-line argument as the inputs it names, in no particular order."""
    if argument == STDIN:
        return [Input(STDIN)]
    if os.path.isdir(argument):
        suffixes = ", ".join(sorted(MESSAGE_SUFFIXES))
        found = [Input(name) for name in _walk(argument)]
        return found or [Input(argument, f"no MM7 files ({suffixes}) in this folder")]
    if os.path.lexists(argument) or not _is_pattern(argument):
        return [Input(argument)]
    matches = glob.glob(argument, recursive=True)
    inputs = [Input(name) for match in matches if os.path.isdir(match) for name in _walk(match)]
    inputs += [Input(match) for match in matches if not os.path.isdir(match)]
    return inputs or [Input(argument, "no file matches this pattern")]


def _sort_key(item: Input) -> tuple[bool, tuple[str, ...]]:
    return item.name != STDIN, Path(item.name).parts


def find_inputs(arguments: tuple[str, ...] | list[str]) -> list[Input]:
    """Expand files, directories and patterns into the inputs to validate: deduplicated, sorted by path.

    Args:
        arguments: The command line's FILE arguments (files, directories, patterns, ``-``).

    Returns:
        The inputs, each file once (under the first name it was reached by), standard input first, then
        sorted by path components.
    """
    seen: dict[tuple[str, str], Input] = {}
    for argument in arguments:
        for item in sorted(_expand(argument), key=_sort_key):
            if item.problem is not None or item.name == STDIN:
                key = ("argument", item.name)
            else:
                key = ("file", os.path.realpath(item.name))
            seen.setdefault(key, item)
    return sorted(seen.values(), key=_sort_key)
