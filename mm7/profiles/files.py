"""Profile files: the TOML a carrier profile is written in, read strictly and written back.

The shipped carriers live in ``mm7/profiles/data/<name>.toml`` (:func:`shipped_names`, :func:`load`); a
user's own file is read the same way (:meth:`mm7.profiles.Profile.from_toml`). The keys are the dialect
fields of :class:`~mm7.profiles.base.Profile` (``docs/carriers.md`` lists them), plus ``rules`` (the code
rules applied before sending: ``"3gpp"``, none beyond the standard, or ``"sinch"``) and a
``[status_codes.NNNN]`` table per vendor status code. A key left out is a fact nobody documents.

Reading is strict: an unknown key, a value of the wrong type or an impossible combination is a
:class:`~mm7.errors.ConfigError` naming the key and its line. :mod:`tomllib` gives no line numbers, so
:func:`key_lines` finds them by scanning the text (tables, dotted and quoted keys, multi-line values).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from mm7.codec.status import THREEGPP, StatusInfo, StatusTable, status_class_of
from mm7.errors import ConfigError
from mm7.outcome import OUTCOMES, Outcome

if TYPE_CHECKING:
    from mm7.profiles.base import Profile

__all__ = [
    "KEYS",
    "RULES",
    "ProfileFileError",
    "as_dict",
    "dump_toml",
    "key_lines",
    "load",
    "profile_fields",
    "read_profile",
    "read_text",
    "read_values",
    "shipped_names",
    "shipped_text",
    "vendor_codes",
]


class ProfileFileError(ConfigError):
    """A profile file is wrong: the message names the file, the key and its line.

    Attributes:
        path: The file (or ``<text>``).
        key: The dotted key at fault (``"auth"``, ``"status_codes.2569.retryable"``).
        line: The key's line (1-based), or None when the key is missing from the file.
    """

    def __init__(self, path: str, key: str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: key {key!r}: {problem}")
        self.path = path
        self.key = key
        self.line = line


# ------------------------------------------------------------------------------------------ keys

_STRINGS = (
    "name",
    "description",
    "rules",
    "endpoint",
    "mm7_version",
    "namespace",
    "soap_action",
    "auth",
    "username",
    "number_format",
    "default_region",
    "carrier_id_header",
)
_INTEGERS = ("max_message_size", "recipients_per_request")
_BOOLEANS = ("blank_200_ack",)
_STRING_LISTS = ("mm7_versions", "required_ids", "media_types", "dr_statuses")
_STATUS_KEYS = ("name", "meaning", "retryable", "backoff", "bounded", "outcome")
#: Every top-level key, in the order files are written.
KEYS = (
    "name",
    "description",
    "rules",
    "endpoint",
    "mm7_version",
    "mm7_versions",
    "namespace",
    "soap_action",
    "auth",
    "username",
    "required_ids",
    "number_format",
    "default_region",
    "max_message_size",
    "media_types",
    "recipients_per_request",
    "carrier_id_header",
    "dr_statuses",
    "blank_200_ack",
    "status_codes",
)


def _choices() -> dict[str, tuple[str, ...]]:
    from mm7.profiles.base import AUTH_SCHEMES, ID_FIELDS, NUMBER_FORMATS, SOAP_ACTION_STYLES

    return {
        "rules": RULES,
        "soap_action": SOAP_ACTION_STYLES,
        "auth": AUTH_SCHEMES,
        "number_format": NUMBER_FORMATS,
        "required_ids": ID_FIELDS,
    }


#: The code rules a file may select: ``3gpp`` (none beyond the standard) or ``sinch``.
RULES = ("3gpp", "sinch")


def _rules() -> dict[str, type[Profile]]:
    from mm7.profiles.base import Profile
    from mm7.profiles.sinch import SinchProfile

    return {cls.RULES: cls for cls in (Profile, SinchProfile)}


# ------------------------------------------------------------------------------------------ lines

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE_LINE = re.compile(rf"^\s*\[\[?\s*(?P<keys>{_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(rf"^\s*(?P<keys>{_DOTTED})\s*=")
_ONE_KEY = re.compile(_KEY_PART)
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")


def _split(keys: str) -> tuple[str, ...]:
    parts = []
    for part in _ONE_KEY.findall(keys):
        if part.startswith('"'):
            part = json.loads(part)
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line (1-based) where each key of a TOML document is written, by its full dotted path.

    Table headers (``[status_codes.2569]``) give the table's path; assignments (``auth = "basic"``,
    ``a.b = 1``) the path under the current table, and their dotted prefixes. Lines inside multi-line
    strings and arrays are not read as keys. Inline tables map to the line of their key.

    Args:
        text: The TOML document.

    Returns:
        ``{("status_codes", "2569", "retryable"): 12, ...}``, first occurrence of each path.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string: str | None = None  # the closing quotes of a multi-line string being skipped
    depth = 0  # brackets of a multi-line array or inline table still open
    for number, line in enumerate(text.splitlines(), 1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        if depth > 0:
            depth += _bracket_balance(line)
            continue
        header = _TABLE_LINE.match(line)
        if header is not None:
            table = _split(header.group("keys"))
            for end in range(1, len(table) + 1):
                found.setdefault(table[:end], number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is None:
            continue
        path = table + _split(assignment.group("keys"))
        for end in range(len(table) + 1, len(path) + 1):
            found.setdefault(path[:end], number)
        rest = line[assignment.end() :]
        for quotes in ('"""', "'''"):
            if rest.count(quotes) % 2 == 1:
                in_string = quotes
        if in_string is None:
            depth = max(0, _bracket_balance(rest))
    return found


def _bracket_balance(text: str) -> int:
    bare = _STRING.sub("", text).split("#", 1)[0]
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


def _line_of(lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> int | None:
    """The line of ``path``, else of its nearest written parent (an inline table's key)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


# ------------------------------------------------------------------------------------------ reading


class _Reader:
    """Checks one parsed document, raising :class:`ProfileFileError` at the first problem."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = key_lines(text)

    def fail(self, path: tuple[str, ...], problem: str) -> ProfileFileError:
        return ProfileFileError(self.source, ".".join(path), _line_of(self.lines, path), problem)

    def values(self, data: Mapping[str, object]) -> tuple[str, dict[str, object]]:
        choices = _choices()
        values: dict[str, object] = {}
        for key, value in data.items():
            if key not in KEYS:
                raise self.fail((key,), f"unknown key (known: {', '.join(KEYS)})")
            if key == "status_codes":
                continue
            values[key] = self.value(key, value, choices.get(key))
        if "name" not in values:
            raise self.fail(("name",), "missing: every profile has a name")
        rules = str(values.pop("rules", "3gpp"))
        if "status_codes" in data:
            values["status_table"] = self.status_table(str(values["name"]), data["status_codes"])
        return rules, values

    def value(self, key: str, value: object, choices: tuple[str, ...] | None) -> object:
        path = (key,)
        if key in _STRINGS:
            if not isinstance(value, str):
                raise self.fail(path, f"must be a string, not {_toml_type(value)}")
            if choices is not None and value not in choices:
                raise self.fail(path, f"{value!r} is not one of {', '.join(choices)}")
            return value
        if key in _INTEGERS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(path, f"must be an integer, not {_toml_type(value)}")
            return value
        if key in _BOOLEANS:
            if not isinstance(value, bool):
                raise self.fail(path, f"must be true or false, not {_toml_type(value)}")
            return value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(path, f"must be an array of strings, not {_toml_type(value)}")
        for item in value:
            if choices is not None and item not in choices:
                raise self.fail(path, f"{item!r} is not one of {', '.join(choices)}")
        return tuple(value)

    def status_table(self, name: str, table: object) -> StatusTable:
        if not isinstance(table, dict):
            raise self.fail(("status_codes",), f"must be a table of codes, not {_toml_type(table)}")
        infos = []
        for code_text, entry in table.items():
            path = ("status_codes", code_text)
            if not code_text.isdigit() or not 1000 <= int(code_text) <= 4999:
                raise self.fail(path, "a status code is a number from 1000 to 4999")
            if not isinstance(entry, dict):
                raise self.fail(path, f"must be a table (meaning, retryable...), not {_toml_type(entry)}")
            infos.append(self.status_info(int(code_text), path, entry))
        return StatusTable(name, infos, base=THREEGPP)

    def status_info(self, code: int, path: tuple[str, ...], entry: Mapping[str, object]) -> StatusInfo:
        for key, value in entry.items():
            if key not in _STATUS_KEYS:
                raise self.fail((*path, key), f"unknown key (known: {', '.join(_STATUS_KEYS)})")
            wanted = str if key in ("name", "meaning", "outcome") else bool
            if not isinstance(value, wanted):
                kind = "a string" if wanted is str else "true or false"
                raise self.fail((*path, key), f"must be {kind}, not {_toml_type(value)}")
            if key == "outcome" and value not in OUTCOMES:
                raise self.fail((*path, key), f"{value!r} is not one of {', '.join(OUTCOMES)}")
        if "meaning" not in entry:
            raise self.fail(path, "missing key 'meaning'")
        meaning = str(entry["meaning"])
        standard = THREEGPP.get(code)
        return StatusInfo(
            code=code,
            name=str(entry.get("name", standard.name if standard is not None else meaning)),
            description=meaning,
            status_class=status_class_of(code),
            retryable=bool(entry.get("retryable", False)),
            retry_after_backoff=bool(entry.get("backoff", False)),
            bounded=bool(entry.get("bounded", False)),
            fixed_outcome=_outcome(entry.get("outcome")),
        )


def _outcome(value: object) -> Outcome | None:
    return next((outcome for outcome in OUTCOMES if outcome == value), None)


def _toml_type(value: object) -> str:
    kinds: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (list, "an array"),
        (dict, "a table"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), "a date or time")


def read_values(text: str, source: str = "<text>") -> tuple[str, dict[str, object]]:
    """Parse and check a profile document: the ``rules`` it selects, and its field values.

    Only the keys, types and values are checked here; combinations are checked by the class.

    Args:
        text: The TOML text.
        source: Named in error messages (the file's path).

    Raises:
        ConfigError: Not TOML (tomllib's message, with its line), or a :class:`ProfileFileError`.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not TOML: {exc}") from exc
    return _Reader(text, source).values(data)


def read_text(text: str, source: str = "<text>") -> Profile:
    """Build the profile a TOML document describes (see :func:`read_profile`)."""
    rules, values = read_values(text, source)
    cls = _rules()[rules]
    try:
        return cls(**values)  # type: ignore[arg-type]
    except ConfigError as exc:
        key = getattr(exc, "key", None)
        if key is None:
            raise
        path = tuple(key.split("."))
        problem = getattr(exc, "problem", exc.message)
        raise ProfileFileError(source, key, _line_of(key_lines(text), path), problem) from exc


def read_profile(path: Path) -> Profile:
    """Read a profile file.

    Args:
        path: The TOML file.

    Returns:
        The profile.

    Raises:
        ConfigError: The file cannot be read or is not TOML; :class:`ProfileFileError` (naming the key
            and its line) for an unknown key, a wrong type or an impossible combination.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read profile {path}: {exc}") from exc
    return read_text(text, str(path))


# ------------------------------------------------------------------------------------------ shipped


def shipped_names() -> list[str]:
    """The names of the profiles shipped with mm7, sorted."""
    data = resources.files("mm7.profiles") / "data"
    return sorted(
        entry.name.removesuffix(".toml") for entry in data.iterdir() if entry.name.endswith(".toml")
    )


def shipped_text(name: str) -> str:
    """The text of the shipped profile ``name`` (ConfigError when there is none)."""
    if name not in shipped_names():
        raise ConfigError(f"no shipped profile {name!r} (shipped: {', '.join(shipped_names())})")
    return (resources.files("mm7.profiles") / "data" / f"{name}.toml").read_text(encoding="utf-8")


def load(name_or_path: str | Path) -> Profile:
    """A shipped profile by name (``"sinch"``), or a profile file by path (anything ending ``.toml``).

    Raises:
        ConfigError: No such shipped profile, or the file is wrong (see :func:`read_profile`).
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text:
        return read_profile(Path(name_or_path))
    return read_text(shipped_text(text), f"mm7/profiles/data/{text}.toml")


# ------------------------------------------------------------------------------------------ writing


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def profile_fields(profile: Profile) -> dict[str, object]:
    """The file keys of ``profile`` with a known value, in file order (``status_codes`` aside)."""
    out: dict[str, object] = {}
    for key in KEYS:
        if key == "rules":
            if type(profile).RULES != "3gpp":
                out[key] = type(profile).RULES
        elif key != "status_codes":
            value = getattr(profile, key)
            unset = value is None or (key, value) in (("mm7_versions", ()), ("description", ""))
            if not unset:
                out[key] = value
    return out


def vendor_codes(profile: Profile) -> dict[int, StatusInfo]:
    """The status codes ``profile`` adds to or changes in the 3GPP table, by code."""
    table = profile.status_table
    return {code: info for code, info in sorted(table.items()) if THREEGPP.get(code) != info}


def as_dict(profile: Profile) -> dict[str, object]:
    """``profile`` as JSON-ready data: the file's keys, with ``status_codes`` keyed by code as text."""
    out: dict[str, object] = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in profile_fields(profile).items()
    }
    codes = {
        str(code): {
            "name": info.name,
            "meaning": info.description,
            "retryable": info.retryable,
            "backoff": info.retry_after_backoff,
            "bounded": info.bounded,
            "outcome": info.outcome,
        }
        for code, info in vendor_codes(profile).items()
    }
    if codes:
        out["status_codes"] = codes
    return out


def dump_toml(profile: Profile) -> str:
    """``profile`` as a profile file.

    Unknown facts (None) are left out; the vendor codes are those the profile's status table adds to or
    changes in the 3GPP table.
    """
    lines = [f"{key} = {_toml_value(value)}" for key, value in profile_fields(profile).items()]
    for code, info in vendor_codes(profile).items():
        lines += ["", f"[status_codes.{code}]", f"name = {_toml_value(info.name)}"]
        lines.append(f"meaning = {_toml_value(info.description)}")
        for key, value in (
            ("retryable", info.retryable),
            ("backoff", info.retry_after_backoff),
            ("bounded", info.bounded),
        ):
            if value:
                lines.append(f"{key} = true")
        if info.fixed_outcome is not None:
            lines.append(f"outcome = {_toml_value(info.fixed_outcome)}")
    return "\n".join(lines) + "\n"
