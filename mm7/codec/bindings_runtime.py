"""What the generated codec modules (``generated/mm7_bindings/<package>/codec.py``) call at run time.

``scripts/regenerate`` writes, beside each version's dataclasses, a ``codec`` module with one straight-line
``fill_<Class>`` (object → lxml element) and ``parse_<Class>`` (lxml element → object) per class
(``mm7._codegen``). Those functions need a few value converters that must behave exactly as xsdata's; they
live here, written without any of xsdata's private modules (only ``xsdata.models.datatype``'s value types).

Whenever a converter meets a value it does not reproduce exactly, it raises :class:`Fallback` and the whole
object or element goes to xsdata's public serializer or parser instead (``mm7.codec.fastbind``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from lxml import etree
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration

__all__ = [
    "CODEC_MODULE",
    "WRITER_PREFIX",
    "XSI_NIL",
    "XSI_TYPE",
    "Codec",
    "Fallback",
    "any_attributes",
    "any_attributes_text",
    "attr",
    "enum_members",
    "escape_attr",
    "escape_text",
    "extra_attributes",
    "format_datetime",
    "mixed_text",
    "normalize_content",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_enum",
    "parse_int",
    "parse_union",
    "qualified",
    "text",
]

E = TypeVar("E", bound=Enum)

#: Name of the generated module beside each bindings package's dataclasses.
CODEC_MODULE = "codec"

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


class Fallback(Exception):
    """Raised inside generated code when xsdata must handle the whole object or element."""


@dataclass(frozen=True)
class Codec:
    """The generated binding of one class (an entry of a codec module's ``CODECS`` table).

    Attributes:
        cls: The generated dataclass.
        qname: Its element name when it is the root (``{namespace}local`` or a bare local name).
        namespaces: Namespaces of every element tag (and qualified attribute) below the root; they must be
            declared on the root for lxml to choose the prefixes xsdata would.
        fill: ``fill(obj, element)`` writes the object's attributes, text and children into ``element``.
        parse: ``parse(element)`` binds an element to a new object.
        write: ``write(obj, out, tag)`` appends the element as serialized text to ``out``, byte for byte
            what lxml writes for ``fill``'s element when :data:`WRITER_PREFIX` is bound to the root's
            namespace by an ancestor; ``tag`` is the element's prefixed name. None when the class (or one it
            reaches) has a tag in another namespace.
    """

    cls: type
    qname: str
    namespaces: frozenset[str | None]
    fill: Callable[[Any, etree._Element], None]
    parse: Callable[[etree._Element], Any]
    write: Callable[[Any, list[str], str], None] | None = None


#: The prefix ``write_*`` functions give the elements of their package's namespace: the text they write
#: belongs inside an element that declares it (mm7's SOAP envelope does).
WRITER_PREFIX = "mm7"


def qualified(namespace: str, local: str) -> str:
    """``{namespace}local``, the form lxml and xsdata give qualified names."""
    return f"{{{namespace}}}{local}"


# ------------------------------------------------------------------------------------------ encoding


def text(value: object) -> str:
    """Encode a simple value as xsdata's ``encode_primitive`` does, or refuse (:class:`Fallback`)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is XmlDateTime:
        return format_datetime(value)  # type: ignore[arg-type]
    if kind is XmlDuration or kind is XmlDate:
        return str(value)
    if isinstance(value, Enum):
        return text(value.value)
    # str subclasses, floats, lists (tokens), dataclasses (xsi:type)...: xsdata's own rules apply.
    raise Fallback


def format_datetime(value: XmlDateTime) -> str:
    """``str(value)`` in one step (xsdata's three helper calls cost ~3 µs per dateTime).

    Same output as xsdata: a signed 4-digit year, fractional seconds as 3, 6 or 9 digits (the shortest exact
    form), and ``Z`` / ``±hh:mm`` / nothing for the offset.
    """
    year, month, day, hour, minute, second, fraction, offset = value
    sign = ""
    if year < 0:
        sign, year = "-", -year
    if not fraction:
        frac = ""
    elif fraction % 1000:
        frac = f".{fraction:09d}"
    elif fraction % 1_000_000:
        frac = f".{fraction // 1000:06d}"
    else:
        frac = f".{fraction // 1_000_000:03d}"
    if offset is None:
        zone = ""
    elif offset == 0:
        zone = "Z"
    else:
        hours, minutes = divmod(abs(offset), 60)
        zone = f"{'-' if offset < 0 else '+'}{hours:02d}:{minutes:02d}"
    return f"{sign}{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{frac}{zone}"


def attr(value: object) -> str:
    """Encode an attribute value; xsdata turns ``{ns}name`` strings into prefixed QNames, so refuse those."""
    encoded = text(value)
    if encoded[:1] == "{":
        raise Fallback
    return encoded


def any_attributes(values: object, element: etree._Element) -> None:
    """Write a wildcard-attributes dict (plain names and string values only)."""
    if type(values) is not dict:
        raise Fallback
    for key, value in values.items():
        if type(key) is not str or type(value) is not str or key[:1] == "{" or value[:1] == "{":
            raise Fallback
        element.set(key, value)


def mixed_text(value: object) -> str:
    """The text of a mixed-content field (``list[object]``) holding one string or none; else Fallback.

    Any other content (elements, several strings) is xsdata's to write.
    """
    if value is None:
        return ""
    if type(value) is not list:
        raise Fallback
    if not value:
        return ""
    if len(value) != 1 or type(value[0]) is not str:
        raise Fallback
    return value[0]


def escape_text(value: str) -> str:
    """Character data as lxml serializes it: ``&``, ``<``, ``>`` and CR escaped, nothing else."""
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return value


_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def escape_attr(value: str) -> str:
    """An attribute value as lxml serializes it between double quotes (whitespace kept as references)."""
    return value.translate(_ATTRIBUTE_ESCAPES)


def any_attributes_text(values: object) -> str:
    """Wildcard attributes as serialized text: `` name="value"`` each, as :func:`any_attributes` sets them."""
    if type(values) is not dict:
        raise Fallback
    out = []
    for key, value in values.items():
        if type(key) is not str or type(value) is not str or key[:1] == "{" or value[:1] == "{":
            raise Fallback
        out.append(f' {key}="{escape_attr(value)}"')
    return "".join(out)


# ------------------------------------------------------------------------------------------ decoding


def parse_int(value: str) -> int:
    """An ``xs:int``-like value as xsdata's int converter reads it."""
    try:
        return int(value)
    except (ValueError, TypeError):
        raise Fallback from None


def parse_bool(value: str) -> bool:
    """An ``xs:boolean`` (``true``/``1``/``false``/``0``, surrounding whitespace ignored)."""
    stripped = value.strip()
    if stripped == "true" or stripped == "1":
        return True
    if stripped == "false" or stripped == "0":
        return False
    raise Fallback


def parse_date(value: str) -> XmlDate:
    """An ``xs:date`` through xsdata's own value type."""
    try:
        return XmlDate.from_string(value)
    except ValueError:
        raise Fallback from None


def parse_duration(value: str) -> XmlDuration:
    """An ``xs:duration`` through xsdata's own value type."""
    try:
        return XmlDuration(value)
    except ValueError:
        raise Fallback from None


_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid(year: int, month: int, day: int, hour: int, minute: int, second: int, nanos: int) -> bool:
    """The date and time checks xsdata applies to a parsed dateTime (24:00:00 allowed, leap years)."""
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = 29 if month == 2 and leap else _DAYS[month - 1]
    if not 1 <= day <= days:
        return False
    if hour == 24:
        return minute == 0 and second == 0 and nanos == 0
    return hour < 24 and minute <= 59 and second <= 59


def parse_datetime(value: str) -> XmlDateTime:
    """``XmlDateTime.from_string`` with a fast path for the usual lexical form (xsdata's takes ~11 µs).

    Only strings the regular expression accepts take the fast path, and for those xsdata's parser yields the
    same fields; everything else goes through ``from_string`` itself.
    """
    stripped = value.strip()  # as xsdata does before parsing
    match = _DATETIME.fullmatch(stripped)
    if match is None:
        if stripped[:1] == "P" or stripped[:2] == "-P":
            raise Fallback  # a duration: from_string fails on its year digits, skip the slow attempt
        try:
            return XmlDateTime.from_string(value)
        except ValueError:
            raise Fallback from None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    offset: int | None
    if zone is None:
        offset = None
    elif zone == "Z":
        offset = 0
    else:
        offset = int(zone[1:3]) * 60 + int(zone[4:6])
        if zone[0] == "-":
            offset = -offset
    fields = (int(year), int(month), int(day), int(hour), int(minute), int(second), nanos)
    if not _valid(*fields):
        raise Fallback
    return XmlDateTime(*fields, offset)


def parse_union(parsers: tuple[Callable[[str], Any], ...], value: str) -> Any:
    """The first of ``parsers`` (declared order, as xsdata tries a union's types) that reads ``value``."""
    for parse in parsers:
        try:
            return parse(value)
        except Fallback:
            continue
    raise Fallback


def enum_members(enum: type[E]) -> dict[str, E]:
    """Value → member of an enumeration whose values are distinct, non-empty strings without whitespace."""
    return {member.value: member for member in enum}


def parse_enum(members: Mapping[str, E], value: str) -> E:
    """The member named by ``value`` (surrounding whitespace ignored), as xsdata's enum converter finds it."""
    member = members.get(value)
    if member is None:
        member = members.get(value.strip())
        if member is None:
            raise Fallback
    return member


def normalize_content(value: str | None) -> str | None:
    """Mixed-content text as xsdata keeps it: None when empty or only whitespace, else unchanged."""
    if value and value.strip():
        return value
    return None


def _target_namespace(qname: str) -> str | None:
    return qname[1:].partition("}")[0] if qname[:1] == "{" else None


def _matches(namespaces: tuple[str, ...], qname: str) -> bool:
    """Whether a wildcard with these namespace constraints accepts ``qname`` (xsdata's rules)."""
    uri = _target_namespace(qname)
    if not namespaces and uri is None:
        return True
    for check in namespaces:
        if (not check and uri is None) or check in (uri, "##any") or (check[:1] == "!" and check[1:] != uri):
            return True
    return False


def _expand(value: str, nsmap: Mapping[str | None, str]) -> str:
    """A wildcard attribute's value with a ``prefix:`` expanded as xsdata does (URLs left alone)."""
    prefix, colon, suffix = value.partition(":")
    if colon and prefix and suffix and prefix in nsmap and not suffix.startswith("//"):
        return f"{{{nsmap[prefix]}}}{suffix}"
    return value


def extra_attributes(
    element: etree._Element,
    kw: dict[str, Any],
    declared: frozenset[str],
    wildcard: str | None,
    namespaces: tuple[str, ...],
) -> None:
    """The slow path for attributes beyond the declared ones (run only when some are present).

    ``xsi:type``/``xsi:nil`` change how xsdata binds (:class:`Fallback`); attributes the class's wildcard
    field (``wildcard``, accepting ``namespaces``) matches are collected into it; others are ignored.
    """
    collected: dict[str, str] | None = None
    for raw_key, raw_value in element.items():
        key, value = str(raw_key), str(raw_value)
        if key in (XSI_TYPE, XSI_NIL):
            raise Fallback
        if key in declared:
            continue
        if wildcard is not None and _matches(namespaces, key):
            if collected is None:
                collected = kw[wildcard] = {}
            collected[key] = _expand(value, element.nsmap)
