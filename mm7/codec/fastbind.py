"""Compiled bindings: serialize and bind generated MM7 dataclasses with straight-line lxml code.

xsdata's generic serializer and parser walk each object through an event pipeline (about 100-150 µs for a
small message); this module reads the *same* xsdata metadata (``XmlContext().build(cls)``) once per class and
compiles it into two small Python functions per class: ``fill`` (object → attributes/text/children of an lxml
element) and ``parse`` (lxml element → object). The functions are generated as Python source and
``compile()``-d, so a field costs one attribute read and one ``is None`` test when absent.

Equivalence with xsdata is the contract: ``to_element`` matches ``TreeSerializer.render(...).getroot()`` and
``from_element`` matches ``XmlParser(handler=LxmlEventHandler).parse(element, cls)`` (with the codec's
parser config: unknown elements fail, unknown attributes are ignored). Where the compiled code meets a shape
it does not reproduce exactly, it never guesses; it hands the whole object (or element) to xsdata instead:

* per class, at plan time (``plan_for(cls).reason`` says why): wildcards other than the mixed ``list[object]``
  of ``statusDetailsType``, compound/wrapper/nillable/token/sequence fields, QName or other types without a
  fast converter, text mixed with child elements, or any reachable class with one of these (e.g. the SOAP
  ``Envelope``);
* per call, at run time: a value whose type is not the declared one (a subclass would need ``xsi:type``),
  mixed content holding anything but one string (``AnyElement`` children, consecutive strings), attribute
  values xsdata would treat as QNames (``{ns}name``), namespaced wildcard attributes, namespaces not declared
  on the root; on parse, ``xsi:type``/``xsi:nil``, comments or unknown/out-of-place children, element
  children in mixed content, text that does not convert.

The xsdata fallback for parsing walks the tree without clearing it (xsdata's own lxml handler empties every
element it has read), so ``from_element`` never modifies its input.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar, cast

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.elements import XmlMeta, XmlVar
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.parsers.utils import ParserUtils
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.formats.dataclass.serializers.tree import TreeSerializer
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration
from xsdata.utils.dates import validate_date, validate_time
from xsdata.utils.namespaces import clean_prefixes, generate_prefix, split_qname

__all__ = ["KeepTreeHandler", "Plan", "from_element", "plan_for", "to_element", "xml_context"]

T = TypeVar("T")

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_XSI_TYPE = _XSI + "type"
_XSI_NIL = _XSI + "nil"


class _Fallback(Exception):
    """Raised inside compiled code when xsdata must handle the whole object or element."""


# ------------------------------------------------------------------------------------------ xsdata fallback

_context_lock = threading.Lock()
_context: XmlContext | None = None
_local = threading.local()


def xml_context() -> XmlContext:
    """The process-wide xsdata context (costly to build: built once, shared by the codec)."""
    global _context
    if _context is None:
        with _context_lock:
            if _context is None:
                _context = XmlContext()
    return _context


class KeepTreeHandler(LxmlEventHandler):
    """Feeds xsdata's parser from ``iterwalk`` like its lxml handler, but leaves the elements intact.

    xsdata's handler calls ``element.clear()`` after each end event, which is right for streaming input but
    would empty the caller's tree here.
    """

    def process_context(self, context: Iterable[tuple[str, Any]], ns_map: dict[str | None, str]) -> Any:
        """Feed the ``iterwalk`` events of ``context`` to the parser, without clearing any element."""
        parser = self.parser
        for event, item in context:
            if event == "start":
                parser.start(self.clazz, self.queue, self.objects, item.tag, item.attrib, item.nsmap)
            elif event == "end":
                parser.end(self.queue, self.objects, item.tag, item.text, item.tail)
            else:  # "start-ns": (prefix, uri)
                parser.register_namespace(ns_map, item[0] or None, item[1])
        return self.objects[-1][1] if self.objects else None


def _xsdata_parser() -> XmlParser:
    parser: XmlParser | None = getattr(_local, "parser", None)
    if parser is None:
        # The codec's configuration (mm7.codec.envelope): unknown elements are errors, unknown attributes not.
        config = ParserConfig(fail_on_unknown_properties=True, fail_on_unknown_attributes=False)
        parser = _local.parser = XmlParser(context=xml_context(), handler=KeepTreeHandler, config=config)
    return parser


def _xsdata_render(obj: object, nsmap: dict[str | None, str] | None) -> etree._Element:
    serializer: TreeSerializer | None = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = TreeSerializer(context=xml_context(), config=SerializerConfig())
    tree: Any = serializer.render(obj, ns_map=nsmap)
    return cast(etree._Element, tree.getroot())


def _xsdata_parse(element: etree._Element, cls: type[T]) -> T:
    return _xsdata_parser().parse(element, cls)


# ------------------------------------------------------------------------------------------ value encoding


def _text(value: Any) -> str:
    """Encode a simple value as xsdata's ``encode_primitive`` does, or refuse (``_Fallback``)."""
    kind = type(value)
    if kind is str:
        return cast(str, value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is XmlDateTime:
        return _format_datetime(value)
    if kind is XmlDuration or kind is XmlDate:
        return str(value)
    if isinstance(value, Enum):
        return _text(value.value)
    # str subclasses, floats, lists (tokens), dataclasses (xsi:type)...: xsdata's own rules apply.
    raise _Fallback


def _format_datetime(value: XmlDateTime) -> str:
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


def _attr(value: Any) -> str:
    """Encode an attribute value; xsdata turns ``{ns}name`` strings into prefixed QNames, so refuse those."""
    text = _text(value)
    if text[:1] == "{":
        raise _Fallback
    return text


def _any_attributes(values: Any, element: etree._Element) -> None:
    """Write a wildcard-attributes dict (plain names and string values only)."""
    if type(values) is not dict:
        raise _Fallback
    for key, value in values.items():
        if type(key) is not str or type(value) is not str or key[:1] == "{" or value[:1] == "{":
            raise _Fallback
        element.set(key, value)


# ------------------------------------------------------------------------------------------ value decoding


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except (ValueError, TypeError):
        raise _Fallback from None


def _parse_bool(text: str) -> bool:
    value = text.strip()
    if value == "true" or value == "1":
        return True
    if value == "false" or value == "0":
        return False
    raise _Fallback


def _proxy(factory: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return factory(text)
        except ValueError:  # what xsdata's ProxyConverter treats as "not this type"
            raise _Fallback from None

    return convert


_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _parse_datetime(text: str) -> XmlDateTime:
    """``XmlDateTime.from_string`` with a fast path for the usual lexical form (xsdata's takes ~11 µs).

    Only strings the regular expression accepts take the fast path, and for those xsdata's parser yields the
    same fields; everything else goes through ``from_string`` itself.
    """
    value = text.strip()  # as xsdata does before parsing
    match = _DATETIME.fullmatch(value)
    if match is None:
        if value[:1] == "P" or value[:2] == "-P":
            raise _Fallback  # a duration: from_string fails on its year digits, skip the slow attempt
        try:
            return XmlDateTime.from_string(text)
        except ValueError:
            raise _Fallback from None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if zone is None:
        offset = None
    elif zone == "Z":
        offset = 0
    else:
        offset = int(zone[1:3]) * 60 + int(zone[4:6])
        if zone[0] == "-":
            offset = -offset
    args = (int(year), int(month), int(day), int(hour), int(minute), int(second), nanos)
    try:
        validate_date(args[0], args[1], args[2])
        validate_time(args[3], args[4], args[5], nanos)
    except ValueError:
        raise _Fallback from None
    return XmlDateTime(*args, offset)


def _enum_parser(enum: type[Enum]) -> Callable[[str], Any] | None:
    members: dict[str, Enum] = {}
    for member in enum:
        value = member.value
        if type(value) is not str or not value or value != "".join(value.split()) or value in members:
            return None  # xsdata's token/first-match rules would matter: no fast path
        members[value] = member

    def convert(text: str) -> Any:
        member = members.get(text)
        if member is None:
            member = members.get(text.strip())
            if member is None:
                raise _Fallback
        return member

    return convert


def _single_parser(kind: type) -> Callable[[str], Any] | None:
    if kind is int:
        return _parse_int
    if kind is bool:
        return _parse_bool
    if kind is XmlDateTime:
        return _parse_datetime
    if kind is XmlDate:
        return _proxy(XmlDate.from_string)
    if kind is XmlDuration:
        return _proxy(XmlDuration)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum_parser(kind)
    return None


def _union_parser(parsers: list[Callable[[str], Any]]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        for parse in parsers:  # declared order, as xsdata's converter tries them
            try:
                return parse(text)
            except _Fallback:
                continue
        raise _Fallback

    return convert


# ------------------------------------------------------------------------------------------ plans


@dataclass(frozen=True)
class Plan:
    """The compiled binding of one class.

    Attributes:
        cls: The generated class.
        qname: Its element name when it is the root (``{namespace}local`` or a bare local name).
        reason: Why the class is handled by xsdata instead, or None when it is compiled.
        namespaces: Namespaces of every element tag (and qualified attribute) below the root, which must be
            declared on the root for lxml to choose the prefixes xsdata would.
        fill: ``fill(obj, element)`` writes the object's attributes, text and children into ``element``.
        parse: ``parse(element)`` binds an element to a new object.
        source: The generated Python source (for debugging).
    """

    cls: type
    qname: str
    reason: str | None
    namespaces: frozenset[str | None] = frozenset()
    fill: Callable[[Any, etree._Element], None] | None = None
    parse: Callable[[etree._Element], Any] | None = None
    source: str = ""


class _Unsupported(Exception):
    """A class (or a class it reaches) the compiler does not handle: xsdata does the work."""


_plans: dict[type, Plan] = {}
_build_lock = threading.RLock()
_globals: dict[str, Any] = {
    "_Fallback": _Fallback,
    "_text": _text,
    "_attr": _attr,
    "_any_attributes": _any_attributes,
    "_SubElement": etree.SubElement,
    "_normalize": ParserUtils.normalize_content,
}
_counter = [0]


def plan_for(cls: type) -> Plan:
    """Return the (cached) plan of a generated class, building it on first use.

    Building is serialized by a lock; reading the cache is lock-free (a dict lookup).
    """
    plan = _plans.get(cls)
    if plan is None:
        with _build_lock:
            plan = _plans.get(cls)
            if plan is None:
                plan = _Compiler().plan(cls)
    return plan


class _Compiler:
    """Builds plans for a class and every class it reaches (under ``_build_lock``)."""

    def __init__(self) -> None:
        self.context = xml_context()
        self.building: set[type] = set()

    def plan(self, cls: type) -> Plan:
        known = _plans.get(cls)
        if known is not None:
            return known
        meta = self.context.build(cls)
        try:
            plan = self._compile(cls, meta)
        except _Unsupported as exc:
            plan = Plan(cls=cls, qname=meta.qname, reason=str(exc))
        _plans[cls] = plan
        return plan

    def _child(self, parent: type, var: XmlVar, namespace: str | None) -> tuple[int, Plan]:
        clazz = var.clazz
        if clazz is None:  # pragma: no cover - only called for vars with a class
            raise _Unsupported(f"{parent.__name__}.{var.name}: no class")
        if clazz in self.building:
            raise _Unsupported(f"{parent.__name__}.{var.name}: recursive type {clazz.__name__}")
        # xsdata builds a child's metadata in the context of the parent's namespace; our generated fields
        # all carry explicit namespaces, so refuse any class whose metadata would depend on it.
        plain = self.context.build(clazz)
        scoped = self.context.build(clazz, namespace)
        if [(v.name, v.qname) for v in plain.get_all_vars()] != [
            (v.name, v.qname) for v in scoped.get_all_vars()
        ]:
            raise _Unsupported(f"{clazz.__name__}: metadata depends on the parent namespace")
        plan = self.plan(clazz)
        if plan.reason is not None:
            raise _Unsupported(f"{parent.__name__}.{var.name} -> {plan.reason}")
        return _globals["_ids"][clazz], plan

    def _compile(self, cls: type, meta: XmlMeta) -> Plan:
        if meta.nillable:
            raise _Unsupported(f"{cls.__name__}: nillable")
        self.building.add(cls)
        try:
            return self._generate(cls, meta)
        finally:
            self.building.discard(cls)

    def _generate(self, cls: type, meta: XmlMeta) -> Plan:
        _counter[0] += 1
        k = _counter[0]
        ids: dict[type, int] = _globals.setdefault("_ids", {})
        ids[cls] = k
        g = _globals
        g[f"_C{k}"] = cls
        g[f"_M{k}"] = meta
        namespaces: set[str | None] = set()
        fill: list[str] = [f"def _fill_{k}(obj, el):"]
        parse: list[str] = [f"def _parse_{k}(el):", "    kw = {}"]
        handlers: list[str] = []
        dispatch: dict[str, str] = {}

        def fail(what: str) -> _Unsupported:
            return _Unsupported(f"{cls.__name__}.{what}")

        def converter(var: XmlVar) -> str:
            """Name of the parse function for a simple var ('' for str: the text itself)."""
            if var.format or var.tokens:
                raise fail(f"{var.name}: format/tokens")
            types = list(var.types)
            if types == [str]:
                return ""
            parsers = []
            for kind in types:
                parser = _single_parser(kind)
                if parser is None:
                    raise fail(f"{var.name}: no fast converter for {getattr(kind, '__name__', kind)}")
                parsers.append(parser)
            name = f"_P{k}_{var.index}"
            g[name] = parsers[0] if len(parsers) == 1 else _union_parser(parsers)
            return name

        def convert(var: XmlVar, expr: str) -> str:
            name = converter(var)
            return f"{name}({expr})" if name else expr

        # ---- attributes, in xsdata's order
        declared = 0
        any_attrs: XmlVar | None = None
        for var in meta.get_attribute_vars():
            if not var.init:
                raise fail(f"{var.name}: fixed value")
            if var.is_attributes:
                any_attrs = var
                fill += [f"    v = obj.{var.name}", "    if v:", "        _any_attributes(v, el)"]
                continue
            if var.list_element:
                raise fail(f"{var.name}: list attribute")
            declared += 1
            tag = f"_A{k}_{var.index}"
            g[tag] = var.qname
            if var.qname.startswith("{"):
                namespaces.add(split_qname(var.qname)[0])
            fill += [
                f"    v = obj.{var.name}",
                "    if v is not None:",
                f"        el.set({tag}, v if type(v) is str and v[:1] != '{{' else _attr(v))",
            ]
            parse += [
                f"    v = el.get({tag})",
                "    if v is not None:",
                "        n += 1",
                f"        kw[{var.name!r}] = {convert(var, 'v')}",
            ]
        # Anything else on the element: xsi:type/nil change how xsdata binds (fall back); wildcard
        # attributes are collected with xsdata's own matching; unknown attributes are ignored.
        g[f"_X{k}"] = _extra_attributes(meta, any_attrs)
        if declared:
            parse.insert(2, "    n = 0")
            parse += ["    if len(el.keys()) != n:", f"        _X{k}(el, kw)"]
        else:
            parse += ["    if el.keys():", f"        _X{k}(el, kw)"]

        # ---- text, children, wildcards
        element_vars = meta.get_element_vars()
        has_children = any(not v.is_text for v in element_vars)
        for var in element_vars:
            if not var.init:
                raise fail(f"{var.name}: fixed value")
            if var.is_text:
                if has_children:
                    raise fail(f"{var.name}: text beside child elements")
                fill += [
                    f"    v = obj.{var.name}",
                    "    if v is not None:",
                    "        s = v if type(v) is str else _text(v)",
                    "        if s:",
                    "            el.text = s",
                ]
                parse += [
                    "    t = el.text",
                    "    if t is not None:",
                    f"        kw[{var.name!r}] = {convert(var, 't')}",
                ]
            elif var.is_wildcard:
                if not (var.mixed and var.list_element) or len(element_vars) != 1:
                    raise fail(f"{var.name}: wildcard")
                # Mixed content: the one shape we write ourselves is a single string (the element's text);
                # AnyElement children and other mixes go to xsdata whole.
                fill += [
                    f"    v = obj.{var.name}",
                    "    if v is not None:",
                    "        if type(v) is not list:",
                    "            raise _Fallback",
                    "        if v:",
                    "            if len(v) != 1 or type(v[0]) is not str:",
                    "                raise _Fallback",
                    "            if v[0]:",
                    "                el.text = v[0]",
                ]
                parse += [
                    "    if len(el):",
                    "        raise _Fallback",
                    "    t = _normalize(el.text)",
                    f"    kw[{var.name!r}] = [t] if t is not None else []",
                ]
            elif var.is_element:
                if var.is_elements or var.wrapper_qname or var.nillable or var.sequence or var.any_type:
                    raise fail(f"{var.name}: compound/wrapper/nillable/sequence/anyType element")
                if var.is_clazz_union:
                    raise fail(f"{var.name}: union of classes")
                tag = f"_T{k}_{var.index}"
                g[tag] = var.qname
                namespaces.add(split_qname(var.qname)[0])
                handler = f"_H{k}_{var.index}"
                dispatch[var.qname] = handler
                if var.clazz is not None:
                    child, child_plan = self._child(cls, var, split_qname(var.qname)[0])
                    namespaces |= child_plan.namespaces
                    item_fill = [
                        f"if type(x) is not _C{child}:",
                        "    raise _Fallback",
                        f"_fill_{child}(x, _SubElement(el, {tag}))",
                    ]
                    item_parse = f"_parse_{child}(c)"
                else:
                    empty = var.default if not callable(var.default) else None
                    if empty is None:
                        empty = b"" if bytes in var.types else ""
                    g[f"_E{k}_{var.index}"] = empty
                    item_fill = [
                        "s = x if type(x) is str else _text(x)",
                        f"e = _SubElement(el, {tag})",
                        "if s:",
                        "    e.text = s",
                    ]
                    t_expr = convert(var, "t")
                    item_parse = f"{t_expr} if (t := c.text) is not None else _E{k}_{var.index}"
                if var.list_element:
                    fill += [
                        f"    v = obj.{var.name}",
                        "    if v is not None:",
                        "        if type(v) is not list:",
                        "            raise _Fallback",
                        "        for x in v:",
                        "            if x is None:",
                        f"                _SubElement(el, {tag})",
                        "                continue",
                    ]
                    fill += ["            " + line for line in item_fill]
                    handlers += [
                        f"def {handler}(c, kw):",
                        f"    v = kw.get({var.name!r})",
                        "    if v is None:",
                        f"        kw[{var.name!r}] = v = []",
                        f"    v.append({item_parse})",
                    ]
                else:
                    fill += [f"    x = obj.{var.name}", "    if x is not None:"]
                    fill += ["        " + line for line in item_fill]
                    handlers += [
                        f"def {handler}(c, kw):",
                        f"    if {var.name!r} in kw:",
                        "        raise _Fallback",
                        f"    kw[{var.name!r}] = {item_parse}",
                    ]
            else:
                raise fail(f"{var.name}: unsupported field kind")
        if dispatch:
            g[f"_D{k}"] = dispatch
            parse += [
                "    for c in el:",
                f"        h = _D{k}.get(c.tag)",
                "        if h is None:",
                "            raise _Fallback",
                "        h(c, kw)",
            ]
        if len(fill) == 1:
            fill.append("    pass")
        parse.append(f"    return _C{k}(**kw)")
        source = "\n".join([*handlers, *fill, *parse]) + "\n"
        exec(compile(source, f"<mm7.codec.fastbind {cls.__qualname__}>", "exec"), g)
        # Handlers reference their targets by name, so the dispatch dict can only be filled after exec.
        if dispatch:
            g[f"_D{k}"] = {qname: g[name] for qname, name in dispatch.items()}
        return Plan(
            cls=cls,
            qname=meta.qname,
            reason=None,
            namespaces=frozenset(namespaces),
            fill=g[f"_fill_{k}"],
            parse=g[f"_parse_{k}"],
            source=source,
        )


def _extra_attributes(
    meta: XmlMeta, any_attrs: XmlVar | None
) -> Callable[[etree._Element, dict[str, Any]], None]:
    """The slow path for attributes beyond the declared ones (run only when some are present)."""
    declared = {var.qname for var in meta.attributes.values()}

    def extra(element: etree._Element, kw: dict[str, Any]) -> None:
        collected: dict[str, str] | None = None
        for raw_key, raw_value in element.items():
            key, value = str(raw_key), str(raw_value)
            if key in (_XSI_TYPE, _XSI_NIL):
                raise _Fallback
            if key in declared:
                continue
            if any_attrs is not None and meta.find_any_attributes(key) is any_attrs:
                if collected is None:
                    collected = kw[any_attrs.name] = {}
                collected[key] = ParserUtils.parse_any_attribute(value, element.nsmap)

    return extra


# ------------------------------------------------------------------------------------------ public API

_root_maps: dict[tuple[type, tuple[tuple[str | None, str], ...]], dict[str | None, str] | None] = {}


def _root_nsmap(plan: Plan, nsmap: dict[str | None, str] | None) -> dict[str | None, str] | None:
    """The namespace declarations xsdata puts on the root, or None when our children would differ."""
    key = (plan.cls, tuple(nsmap.items()) if nsmap else ())
    try:
        return _root_maps[key]
    except KeyError:
        pass
    ns_map: dict[str | None, str] = clean_prefixes(dict(nsmap)) if nsmap else {}
    root_ns = split_qname(plan.qname)[0]
    result: dict[str | None, str] | None = ns_map
    if root_ns:
        if root_ns not in ns_map.values():
            generate_prefix(root_ns, ns_map)
    elif None in ns_map:
        result = None  # xsdata would write xmlns="" on an unqualified root
    in_scope = set(ns_map.values())
    for namespace in plan.namespaces:
        if (namespace is None and None in ns_map) or (namespace is not None and namespace not in in_scope):
            result = None  # xsdata would declare it on each child: let it
    _root_maps[key] = result
    return result


def to_element(obj: object, *, nsmap: dict[str | None, str] | None = None) -> etree._Element:
    """Serialize a generated object into a new lxml element, as xsdata's ``TreeSerializer`` would.

    Args:
        obj: An instance of a generated class (its class's ``Meta`` gives the root element name).
        nsmap: Namespace prefix → URI declarations for the root (``{None: namespace}`` makes it the default).

    Returns:
        The root element, with the same tags, attributes, text and child order as xsdata's rendering.
    """
    plan = plan_for(type(obj))
    fill = plan.fill
    if fill is None:
        return _xsdata_render(obj, nsmap)
    ns_map = _root_nsmap(plan, nsmap)
    if ns_map is None:
        return _xsdata_render(obj, nsmap)
    root = etree.Element(plan.qname, nsmap=ns_map)  # type: ignore[arg-type]
    try:
        fill(obj, root)
    except _Fallback:
        return _xsdata_render(obj, nsmap)
    return root


def from_element(element: etree._Element, cls: type[T]) -> T:
    """Bind a (schema-validated) element to a generated class, as xsdata's ``XmlParser`` would.

    The element's own name is not checked (xsdata binds the root to ``cls`` whatever its tag). The input tree
    is never modified.

    Args:
        element: The element to read.
        cls: The generated class to build.

    Returns:
        A new instance of ``cls``, equal to what xsdata produces.
    """
    parse = plan_for(cls).parse
    if parse is None:
        return _xsdata_parse(element, cls)
    try:
        return cast(T, parse(element))
    except (_Fallback, TypeError):
        # TypeError: a required field missing; xsdata reports that its own way.
        return _xsdata_parse(element, cls)
