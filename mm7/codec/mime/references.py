"""Resolving MM7's ``Content href`` to a decoded part (RFC 2392 ``cid:`` URLs, RFC 2557 Content-Location).

Exact references first, then the repairs real peers need, never a guess between two parts.

:meth:`mm7.codec.mime.DecodedBody.resolve` documents the rules; this module holds them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from mm7.codec.mime.model import Part

__all__ = ["resolve_reference"]


def resolve_reference(parts: Sequence[Part], ref: str) -> tuple[Part | None, str | None]:
    """Resolve ``ref`` among ``parts`` as :meth:`~mm7.codec.mime.DecodedBody.resolve` describes.

    Args:
        parts: Every part a reference may name (nested ones included).
        ref: The reference, e.g. the ``href`` of MM7's ``Content`` element.

    Returns:
        ``(part, None)`` for an exact reference; ``(part, reason)`` for a repaired one, ``reason`` saying
        what was wrong; ``(None, None)`` when no part, or more than one, matches.
    """
    by_id: dict[str, Part] = {}
    for part in parts:
        if part.content_id is not None:
            by_id.setdefault(part.content_id, part)
    # Exact: a cid: URL (RFC 2392) or a Content-Location (RFC 2557).
    if ref[:4].lower() == "cid:":
        for want in _distinct(unquote(ref[4:]), ref[4:]):
            if want in by_id:
                return by_id[want], None
    else:
        wanted = _distinct(ref, unquote(ref))
        located = [p for p in parts if p.content_location is not None and p.content_location in wanted]
        if located:
            return (located[0], None) if len(located) == 1 else (None, None)
    # 1. Stray spaces and angle brackets around the Content-ID.
    problems: list[str] = []
    text = ref.strip()
    if text != ref:
        _note(problems, "has stray spaces")
    has_scheme = text[:4].lower() == "cid:"
    value = text[4:] if has_scheme else text
    if value != value.strip():
        _note(problems, "has stray spaces")
        value = value.strip()
    if len(value) >= 2 and value[0] == "<" and value[-1] == ">":
        _note(problems, "puts the Content-ID in angle brackets")
        if value[1:-1] != value[1:-1].strip():
            _note(problems, "has stray spaces")
        value = value[1:-1].strip()
    values = _distinct(unquote(value), value)
    if has_scheme:
        for want in values:
            if want in by_id:
                return by_id[want], _repair_reason(ref, problems, f"Content-ID {want!r}")
    else:
        as_id = next((by_id[want] for want in values if want in by_id), None)
        # 2. `cid` without its colon, unless the whole text is a Content-ID of another part too.
        if text[:3].lower() == "cid":
            rest = text[3:]
            colon = next((by_id[w] for w in _distinct(unquote(rest), rest) if w in by_id), None)
            if colon is not None:
                if as_id is not None and as_id is not colon:
                    return None, None
                found = colon.content_id
                return colon, _repair_reason(
                    ref, [*problems, "lacks the ':' after 'cid'"], f"Content-ID {found!r}"
                )
        # 3. No scheme at all.
        if as_id is not None:
            found = as_id.content_id
            return as_id, _repair_reason(ref, ["has no cid: scheme", *problems], f"Content-ID {found!r}")
    if has_scheme:
        _note(problems, "names a Content-Location as a cid: URL")
    # 4. A Content-Location equal to the repaired reference.
    located = [p for p in parts if p.content_location is not None and p.content_location in values]
    if len(located) > 1:
        return None, None
    if located:
        return located[0], _repair_reason(ref, problems, f"Content-Location {located[0].content_location!r}")
    # 5. Weak matches: the same file name, or a Content-ID in other letter case; one part or none.
    weak: dict[int, tuple[Part, list[str], str]] = {}
    names = {name for name in (posixpath.basename(v) for v in values) if name}
    for part in parts:
        location = part.content_location
        if location and posixpath.basename(location) in names:
            why = [*problems, "matches a Content-Location only by file name"]
            weak.setdefault(id(part), (part, why, f"Content-Location {location!r}"))
    folded = {v.casefold() for v in values}
    for part in parts:
        if part.content_id is not None and part.content_id.casefold() in folded:
            why = [p for p in problems if "Content-Location" not in p]
            why = [*why, "names the Content-ID in other letter case"]
            if not has_scheme:
                why.insert(0, "has no cid: scheme")
            weak.setdefault(id(part), (part, why, f"Content-ID {part.content_id!r}"))
    if len(weak) != 1:
        return None, None
    ((part, why, target),) = weak.values()
    return part, _repair_reason(ref, why, target)


def _distinct(*values: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _note(problems: list[str], problem: str) -> None:
    if problem not in problems:
        problems.append(problem)


def _repair_reason(ref: str, problems: list[str], target: str) -> str | None:
    """What was repaired to resolve ``ref``, or None when nothing was."""
    if not problems:
        return None
    return f"Content href {ref!r} {' and '.join(problems)}; read as the part with {target}"
