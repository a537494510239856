"""Argument checks at the public entry points: a wrong type is a ``TypeError`` that names the argument.

Without them, a wrong type surfaces deep inside as an ``AttributeError`` about some attribute of some
object the caller never heard of. The checks are explicit ``isinstance`` tests (no annotation reading at
run time), cheap enough for the codec's hot paths.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["require", "require_items", "require_strings"]


def _expected(types: type | tuple[type, ...], optional: bool) -> str:
    names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))]
    return " or ".join([*names, *(["None"] if optional else [])])


def require(name: str, value: object, types: type | tuple[type, ...], *, optional: bool = False) -> None:
    """Raise ``TypeError`` unless ``value`` is an instance of ``types`` (or None, when ``optional``).

    A bool is not accepted where an int is asked for (``True`` is no status code).
    """
    if type(value) is types or (value is None and optional):
        return  # the usual cases, told without isinstance (an exact type is never a bool posing as int)
    wanted = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool) and bool not in wanted and int in wanted:
        raise TypeError(f"{name} must be {_expected(types, optional)}, not bool")
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {_expected(types, optional)}, not {type(value).__name__}")


def require_items(name: str, value: object, types: type | tuple[type, ...]) -> list[object]:
    """The items of a sequence (not a str/bytes) whose every item is an instance of ``types``."""
    if (
        type(value) is not list
        and type(value) is not tuple
        and (isinstance(value, str | bytes | bytearray) or not isinstance(value, Sequence))
    ):
        raise TypeError(f"{name} must be a sequence of {_expected(types, False)}, not {type(value).__name__}")
    items = list(value)
    for item in items:
        if type(item) is not types and not isinstance(item, types):
            raise TypeError(f"{name} must hold {_expected(types, False)} only, not {type(item).__name__}")
    return items


def require_strings(name: str, value: object) -> list[str]:
    """One string or a sequence of strings, as a list."""
    if isinstance(value, str):
        return [value]
    if type(value) is tuple and not value:
        return []
    return [str(item) for item in require_items(name, value, str)]
