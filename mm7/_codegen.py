"""Write a bindings package's ``codec`` module from xsdata's binding metadata (generation time only).

``scripts/regenerate`` runs this once per schema package, in a fresh interpreter whose ``sys.path`` starts
with the freshly generated tree (``python -m mm7._codegen --path DIR PACKAGE``, source on stdout). For every
dataclass of the package it reads the metadata xsdata's own serializer and parser use
(``XmlContext().build``) and writes two straight-line, typed functions:

* ``fill_<Class>(obj, el)``: the object's attributes, text and children into an lxml element, in xsdata's
  order;
* ``parse_<Class>(el)``: an lxml element into a new object (children dispatched by tag to one small
  handler per field);
* ``write_<Class>(obj, out, tag)``: the element ``fill`` builds, as the text lxml serializes for it, appended
  to a list of strings (elements of the package's namespace under ``WRITER_PREFIX``); only for classes whose
  every tag is in that namespace. mm7 sends this text and parses it for the schema check, which costs about
  half of building the tree element by element.

``CODECS`` maps each class to its :class:`mm7.codec.bindings_runtime.Codec`; ``FALLBACK`` names the classes
left to xsdata and why (shapes whose output the generated code would not reproduce exactly: wildcards other
than the mixed ``list[object]`` of ``statusDetailsType``, compound/wrapper/nillable/token fields, types
without an exact converter, text beside child elements, or a class reaching one of these). At run time
``mm7.codec.fastbind`` imports the module; nothing here runs then. This module may import xsdata's internals;
the code it writes may not.

The output depends only on the metadata (classes in definition order, names sorted where order is free), so
running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, is_dataclass
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.elements import XmlMeta, XmlVar
from xsdata.models.datatype import XmlDate, XmlDateTime, XmlDuration

from mm7.codec.bindings_runtime import CODEC_MODULE, WRITER_PREFIX

__all__ = ["render_codec"]
_SKIP_MODULES = {CODEC_MODULE, "schema_facts"}
_PARSERS = {
    int: "_rt.parse_int",
    bool: "_rt.parse_bool",
    XmlDateTime: "_rt.parse_datetime",
    XmlDate: "_rt.parse_date",
    XmlDuration: "_rt.parse_duration",
}


class Unsupported(Exception):
    """A class (or a class it reaches) the generated code does not handle: xsdata does the work."""


@dataclass
class _Generated:
    cls: type
    qname: str
    namespaces: frozenset[str | None]
    lines: list[str]
    writes: bool  # a write_<Class> function was generated (every tag in the package's namespace)


@dataclass
class _Module:
    """Names the generated module defines or imports, allocated in a fixed order."""

    class_names: dict[type, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    enums: dict[type, str] = field(default_factory=dict)
    value_types: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    def func(self, cls: type) -> str:
        """The suffix of a class's ``fill_``/``parse_`` functions (its name here, dots as underscores)."""
        return self.class_names[cls].replace(".", "_")

    def ref(self, kind: type) -> str:
        """The expression naming a package class in the generated module (its import is then kept)."""
        name = self.class_names[kind]
        self.used.add(name.split(".")[0])
        return name

    def tag(self, qname: str) -> str:
        name = self.tags.get(qname)
        if name is None:
            local = qname.rpartition("}")[2]
            base = "Q_" + "".join(ch if ch.isalnum() else "_" for ch in local)
            name, n = base, 1
            taken = set(self.tags.values())
            while name in taken:
                n += 1
                name = f"{base}_{n}"
            self.tags[qname] = name
        return name

    def enum(self, kind: type) -> str:
        name = self.enums.get(kind)
        if name is None:
            self.ref(kind)
            name = self.enums[kind] = "_ENUM_" + self.class_names[kind].replace(".", "_")
        return name


def _classes(module: ModuleType) -> Iterator[type]:
    """Dataclasses and enums defined in ``module``, nested ones after their owner, in definition order."""

    def walk(owner: Any, prefix: str) -> Iterator[type]:
        for value in vars(owner).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and value.__qualname__ == (prefix + value.__name__)
            ):
                if is_dataclass(value) or issubclass(value, Enum):
                    yield value
                yield from walk(value, value.__qualname__ + ".")

    yield from walk(module, "")


def _sorted_namespaces(namespaces: frozenset[str | None]) -> list[str | None]:
    return sorted(namespaces, key=lambda ns: (ns is not None, ns or ""))


class _Generator:
    def __init__(self, names: _Module, namespace: str | None) -> None:
        self.context = XmlContext()
        self.names = names
        self.namespace = namespace  # the package's namespace: WRITER_PREFIX stands for it in write_*
        self.done: dict[type, _Generated | Unsupported] = {}
        self.building: set[type] = set()

    # -------------------------------------------------------------------------------------- per class

    def generate(self, cls: type) -> _Generated | Unsupported:
        known = self.done.get(cls)
        if known is not None:
            return known
        meta = self.context.build(cls)
        result: _Generated | Unsupported
        try:
            if cls not in self.names.class_names:
                raise Unsupported(f"{cls.__name__}: defined outside the package")
            if meta.nillable:
                raise Unsupported(f"{cls.__name__}: nillable")
            self.building.add(cls)
            try:
                result = self._generate(cls, meta)
            finally:
                self.building.discard(cls)
        except Unsupported as exc:
            result = exc
        self.done[cls] = result
        return result

    def _child(self, parent: type, var: XmlVar) -> _Generated:
        clazz = var.clazz
        if clazz is None:  # pragma: no cover - only called for vars with a class
            raise Unsupported(f"{parent.__name__}.{var.name}: no class")
        if clazz in self.building:
            raise Unsupported(f"{parent.__name__}.{var.name}: recursive type {clazz.__name__}")
        # xsdata builds a child's metadata in the context of the parent's namespace; refuse any class whose
        # metadata would depend on it (our generated fields all carry explicit namespaces).
        namespace = _namespace_of(var.qname)
        plain = self.context.build(clazz)
        scoped = self.context.build(clazz, namespace)
        if [(v.name, v.qname) for v in plain.get_all_vars()] != [
            (v.name, v.qname) for v in scoped.get_all_vars()
        ]:
            raise Unsupported(f"{clazz.__name__}: metadata depends on the parent namespace")
        child = self.generate(clazz)
        if isinstance(child, Unsupported):
            raise Unsupported(f"{parent.__name__}.{var.name} -> {child}")
        return child

    def _generate(self, cls: type, meta: XmlMeta) -> _Generated:
        n = self.names
        name = n.ref(cls)
        fname = n.func(cls)

        def fail(what: str) -> Unsupported:
            return Unsupported(f"{cls.__name__}.{what}")

        namespaces: set[str | None] = set()
        fill = [f"def fill_{fname}(obj: {name}, el: etree._Element) -> None:"]
        # write_<Class>: the same element as text (see bindings_runtime.Codec.write); ``writes`` turns
        # False at the first tag outside the package's namespace.
        write = [f"def write_{fname}(obj: {name}, out: list[str], tag: str) -> None:"]
        writes = True

        def prefixed(qname: str, *, attribute: bool) -> str:
            nonlocal writes
            namespace = _namespace_of(qname)
            local = qname.rpartition("}")[2]
            if namespace is None and attribute:
                return local
            if namespace is None or namespace != self.namespace:
                writes = False
            return f"{WRITER_PREFIX}:{local}"

        attribute_vars = meta.get_attribute_vars()
        if attribute_vars:
            write.append('    a = ""')
        parse = [f"def parse_{fname}(el: etree._Element) -> {name}:", "    kw: dict[str, Any] = {}"]
        handlers: list[str] = []
        dispatch: list[tuple[str, str]] = []

        # ---- attributes, in xsdata's order
        declared: list[str] = []
        attributes: list[str] = []
        wildcard: XmlVar | None = None
        for var in attribute_vars:
            if not var.init:
                raise fail(f"{var.name}: fixed value")
            if var.is_attributes:
                wildcard = var
                fill += [f"    v = obj.{var.name}", "    if v:", "        _rt.any_attributes(v, el)"]
                write += [f"    v = obj.{var.name}", "    if v:", "        a += _rt.any_attributes_text(v)"]
                continue
            if var.list_element:
                raise fail(f"{var.name}: list attribute")
            declared.append(var.qname)
            tag = n.tag(var.qname)
            if var.qname.startswith("{"):
                namespaces.add(_namespace_of(var.qname))
            fill += [
                f"    v = obj.{var.name}",
                "    if v is not None:",
                f"        el.set({tag}, {self._encode(cls, var, 'v', attribute=True)})",
            ]
            opening = " " + prefixed(var.qname, attribute=True) + '="'
            if self._simple_types(cls, var) == [bool]:
                # "true"/"false" need no escaping: the whole attribute is a constant.
                escaped = (
                    f"({_lit(opening + 'true' + chr(34))} if v else {_lit(opening + 'false' + chr(34))})"
                )
                encoded = (
                    f"{escaped} if type(v) is bool else {_lit(opening)} + _rt.escape_attr(_rt.attr(v)) + '\"'"
                )
            else:
                encoded = (
                    f"{_lit(opening)} + _rt.escape_attr({self._encode(cls, var, 'v', attribute=True)}) + '\"'"
                )
            write += [f"    v = obj.{var.name}", "    if v is not None:", f"        a += {encoded}"]
            attributes += [
                f"        v = el.get({tag})",
                "        if v is not None:",
                "            n += 1",
                f"            kw[{_lit(var.name)}] = {self._decode(cls, var, 'v')}",
            ]
        # Anything else on the element: xsi:type/nil change how xsdata binds (fall back); wildcard
        # attributes are collected with xsdata's matching rules; unknown attributes are ignored.
        every = sorted(v.qname for v in meta.attributes.values())
        known = f"frozenset({{{', '.join(_lit(q) for q in every)}}})" if every else "frozenset()"
        accepted = "".join(f"{_lit(ns)}, " for ns in (wildcard.namespaces if wildcard else ()))
        extra = (
            f"_rt.extra_attributes(el, kw, {known}, "
            f"{_lit(wildcard.name) if wildcard else None}, ({accepted.rstrip()}))"
        )
        if declared:
            # Elements without attributes (the usual case) skip the lookups.
            parse += ["    keys = el.keys()", "    if keys:", "        n = 0", *attributes]
            parse += ["        if len(keys) != n:", f"            {extra}"]
        else:
            parse += ["    if el.keys():", f"        {extra}"]

        # ---- text, children, wildcards
        element_vars = meta.get_element_vars()
        has_children = any(not v.is_text for v in element_vars)
        open_tag = '"<" + tag + a + ">"' if attribute_vars else '"<" + tag + ">"'
        empty_tag = '"<" + tag + a + "/>"' if attribute_vars else '"<" + tag + "/>"'
        text_lines: list[str] = []  # write_: the lines setting ``s``, the element's text (text-only classes)
        children: list[str] = []  # write_: the lines appending the child elements
        for var in element_vars:
            if not var.init:
                raise fail(f"{var.name}: fixed value")
            if var.is_text:
                if has_children:
                    raise fail(f"{var.name}: text beside child elements")
                fill += [
                    f"    v = obj.{var.name}",
                    "    if v is not None:",
                    f"        s = {self._encode(cls, var, 'v', attribute=False)}",
                    "        if s:",
                    "            el.text = s",
                ]
                text_lines += [
                    f"    v = obj.{var.name}",
                    f'    s = ({self._encode(cls, var, "v", attribute=False)}) if v is not None else ""',
                ]
                parse += [
                    "    t = el.text",
                    "    if t is not None:",
                    f"        kw[{_lit(var.name)}] = {self._decode(cls, var, 't')}",
                ]
            elif var.is_wildcard:
                if not (var.mixed and var.list_element) or len(element_vars) != 1:
                    raise fail(f"{var.name}: wildcard")
                # Mixed content: the one shape written here is a single string (the element's text);
                # AnyElement children and other mixes go to xsdata whole.
                fill += [f"    s = _rt.mixed_text(obj.{var.name})", "    if s:", "        el.text = s"]
                text_lines += [f"    s = _rt.mixed_text(obj.{var.name})"]
                parse += [
                    "    if len(el):",
                    "        raise Fallback",
                    "    t = _rt.normalize_content(el.text)",
                    f"    kw[{_lit(var.name)}] = [t] if t is not None else []",
                ]
            elif var.is_element:
                if var.is_elements or var.wrapper_qname or var.nillable or var.sequence or var.any_type:
                    raise fail(f"{var.name}: compound/wrapper/nillable/sequence/anyType element")
                if var.is_clazz_union:
                    raise fail(f"{var.name}: union of classes")
                tag = n.tag(var.qname)
                namespaces.add(_namespace_of(var.qname))
                written = prefixed(var.qname, attribute=False)
                handler = f"_{fname}_{var.name}"
                dispatch.append((tag, handler))
                if var.clazz is not None:
                    child = self._child(cls, var)
                    namespaces |= child.namespaces
                    child_name = n.ref(child.cls)
                    child_f = n.func(child.cls)
                    item_fill = [
                        f"if type(x) is not {child_name}:",
                        "    raise Fallback",
                        f"fill_{child_f}(x, SubElement(el, {tag}))",
                    ]
                    item_parse = f"parse_{child_f}(c)"
                    writes = writes and child.writes
                    item_write = [
                        f"if type(x) is not {child_name}:",
                        "    raise Fallback",
                        f"write_{child_f}(x, out, {_lit(written)})",
                    ]
                else:
                    empty = self._empty(cls, var)
                    item_fill = [
                        f"s = {self._encode(cls, var, 'x', attribute=False)}",
                        "if s:",
                        f"    SubElement(el, {tag}).text = s",
                        "else:",
                        f"    SubElement(el, {tag})",
                    ]
                    item_parse = f"{self._decode(cls, var, 't')} if (t := c.text) is not None else {empty}"
                    item_write = [
                        f"s = {self._encode(cls, var, 'x', attribute=False)}",
                        "if s:",
                        f"    out.append({_lit('<' + written + '>')} + _rt.escape_text(s)"
                        f" + {_lit('</' + written + '>')})",
                        "else:",
                        f"    out.append({_lit('<' + written + '/>')})",
                    ]
                if var.list_element:
                    fill += [
                        f"    v = obj.{var.name}",
                        "    if v is not None:",
                        "        if type(v) is not list:",
                        "            raise Fallback",
                        "        for x in v:",
                        "            if x is None:",
                        f"                SubElement(el, {tag})",
                        "                continue",
                    ]
                    fill += ["            " + line for line in item_fill]
                    children += [
                        f"    v = obj.{var.name}",
                        "    if v is not None:",
                        "        if type(v) is not list:",
                        "            raise Fallback",
                        "        for x in v:",
                        "            if x is None:",
                        f"                out.append({_lit('<' + written + '/>')})",
                        "                continue",
                    ]
                    children += ["            " + line for line in item_write]
                    handlers += [
                        "",
                        "",
                        f"def {handler}(c: etree._Element, kw: dict[str, Any]) -> None:",
                        f"    v = kw.get({_lit(var.name)})",
                        "    if v is None:",
                        f"        kw[{_lit(var.name)}] = v = []",
                        f"    v.append({item_parse})",
                    ]
                else:
                    fill += [f"    x = obj.{var.name}", "    if x is not None:"]
                    fill += ["        " + line for line in item_fill]
                    children += [f"    x = obj.{var.name}", "    if x is not None:"]
                    children += ["        " + line for line in item_write]
                    handlers += [
                        "",
                        "",
                        f"def {handler}(c: etree._Element, kw: dict[str, Any]) -> None:",
                        f"    if {_lit(var.name)} in kw:",
                        "        raise Fallback",
                        f"    kw[{_lit(var.name)}] = {item_parse}",
                    ]
            else:
                raise fail(f"{var.name}: unsupported field kind")
        table: list[str] = []
        if dispatch:
            table = [
                "",
                "",
                f"_CHILDREN_{fname}: dict[str, Callable[[etree._Element, dict[str, Any]], None]] = {{",
                *(f"    {tag}: {handler}," for tag, handler in dispatch),
                "}",
            ]
            parse += [
                "    for c in el:",
                f"        h = _CHILDREN_{fname}.get(c.tag)",
                "        if h is None:",
                "            raise Fallback",
                "        h(c, kw)",
            ]
        if len(fill) == 1:
            fill.append("    pass")
        else:
            # Field values are checked at run time (a value of another type goes to xsdata): typed as Any.
            used = [name for name in ("v", "x") if any(line.startswith(f"    {name} = ") for line in fill)]
            fill[1:1] = [f"    {name}: Any" for name in used]
        parse.append(f"    return {name}(**kw)")
        if children:
            write += [f"    out.append({open_tag})", "    n = len(out)", *children]
            write += ["    if len(out) == n:", f"        out[n - 1] = {empty_tag}", "    else:"]
            write += ['        out.append("</" + tag + ">")']
        elif text_lines:
            write += text_lines
            write += ["    if s:", f'        out.append({open_tag} + _rt.escape_text(s) + "</" + tag + ">")']
            write += ["    else:", f"        out.append({empty_tag})"]
        else:
            write.append(f"    out.append({empty_tag})")
        declared_any = [v for v in ("v", "x") if any(line.startswith(f"    {v} = ") for line in write)]
        write[1:1] = [f"    {v}: Any" for v in declared_any]
        lines = [f"# ---- {name}", *handlers, *table, "", "", *fill, "", "", *parse]
        if writes:
            lines += ["", "", *write]
        return _Generated(cls, meta.qname, frozenset(namespaces), lines, writes)

    # -------------------------------------------------------------------------------------- values

    def _simple_types(self, cls: type, var: XmlVar) -> list[type]:
        if var.format or var.tokens:
            raise Unsupported(f"{cls.__name__}.{var.name}: format/tokens")
        types = list(var.types)
        for kind in types:
            if kind is str or kind in _PARSERS:
                continue
            if isinstance(kind, type) and issubclass(kind, Enum) and self._plain_enum(kind):
                continue
            raise Unsupported(
                f"{cls.__name__}.{var.name}: no exact converter for {getattr(kind, '__name__', kind)}"
            )
        return types

    def _plain_enum(self, kind: type[Enum]) -> bool:
        """An enumeration of distinct, non-empty string values without whitespace, defined in the package."""
        if kind not in self.names.class_names or issubclass(kind, (str, int)):
            return False
        values = [member.value for member in kind]
        return len(set(values)) == len(values) and all(
            type(value) is str and value and value == "".join(value.split()) for value in values
        )

    def _encode(self, cls: type, var: XmlVar, expr: str, *, attribute: bool) -> str:
        """An expression encoding ``expr`` (not None) as text, with a fast path for the declared type."""
        types = self._simple_types(cls, var)
        slow = f"_rt.{'attr' if attribute else 'text'}({expr})"
        if len(types) != 1:
            return slow
        kind = types[0]
        if kind is str:
            check = f" and {expr}[:1] != '{{'" if attribute else ""
            return f"{expr} if type({expr}) is str{check} else {slow}"
        if kind is int:
            return f"str({expr}) if type({expr}) is int else {slow}"
        if kind is bool:
            return f'("true" if {expr} else "false") if type({expr}) is bool else {slow}'
        if kind is XmlDateTime:
            self.names.value_types.add("XmlDateTime")
            return f"_rt.format_datetime({expr}) if type({expr}) is XmlDateTime else {slow}"
        if isinstance(kind, type) and issubclass(kind, Enum):
            if attribute and any(member.value[:1] == "{" for member in kind):
                return slow
            return f"{expr}.value if type({expr}) is {self.names.ref(kind)} else {slow}"
        return slow

    def _decode(self, cls: type, var: XmlVar, expr: str) -> str:
        """An expression converting the text ``expr`` to the declared type (``Fallback`` when it cannot)."""
        types = self._simple_types(cls, var)
        if types == [str]:
            return expr
        if len(types) == 1:
            # The common values inline; anything unusual goes through the runtime's converters. (int() raises
            # ValueError on what xsdata would not read as an int either: fastbind then hands over to xsdata.)
            kind = types[0]
            if kind is int:
                return f"int({expr})"
            if kind is bool:
                return f'({expr} == "true" or _rt.parse_bool({expr}))'
            known = _PARSERS.get(kind)
            if known is not None:
                return f"{known}({expr})"
            members = self.names.enum(kind)  # a plain Enum: every member is truthy
            return f"({members}.get({expr}) or _rt.parse_enum({members}, {expr}))"
        if any(kind not in _PARSERS for kind in types):
            raise Unsupported(f"{cls.__name__}.{var.name}: union with a string or an enumeration")
        # Declared order, as xsdata's converter tries them.
        return f"_rt.parse_union(({', '.join(_PARSERS[kind] for kind in types)}), {expr})"

    def _empty(self, cls: type, var: XmlVar) -> str:
        """What xsdata binds for an empty simple element: the field's default, else an empty string/bytes."""
        default = var.default if not callable(var.default) else None
        if default is None:
            return 'b""' if bytes in var.types else '""'
        if type(default) in (str, bytes, int, bool):
            return repr(default)
        if isinstance(default, Enum) and type(default) in self.names.class_names:
            return f"{self.names.ref(type(default))}.{default.name}"
        raise Unsupported(f"{cls.__name__}.{var.name}: default {default!r}")


def _lit(value: str | None) -> str:
    """A string literal, double-quoted when that needs no escaping (as ruff would write it)."""
    text = repr(value)
    if value is not None and text[0] == "'" and '"' not in value and "\\" not in text:
        return f'"{text[1:-1]}"'
    return text


def _package_namespace(classes: list[type]) -> str | None:
    """The namespace most of a package's classes are declared in (a schema's target namespace)."""
    counts: dict[str, int] = {}
    for cls in classes:
        namespace = getattr(getattr(cls, "Meta", None), "namespace", None)
        if is_dataclass(cls) and namespace:
            counts[namespace] = counts.get(namespace, 0) + 1
    return max(sorted(counts), key=counts.__getitem__) if counts else None


def _namespace_of(qname: str) -> str | None:
    return qname[1:].partition("}")[0] if qname.startswith("{") else None


def render_codec(package: str) -> str:
    """Return the source of ``<package>.codec`` for an importable bindings package."""
    root = importlib.import_module(package)
    modules = [
        importlib.import_module(f"{package}.{info.name}")
        for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda info: info.name)
        if info.name not in _SKIP_MODULES and not info.ispkg
    ]
    names = _Module()
    imports: list[tuple[str, list[tuple[str, str]]]] = []
    taken: set[str] = set()
    order: list[type] = []
    for index, module in enumerate(modules):
        imported: dict[str, str] = {}
        for cls in _classes(module):
            top = cls.__qualname__.split(".")[0]
            alias = imported.get(top)
            if alias is None:
                alias = top if top not in taken else f"{top}_{index}"
                imported[top] = alias
                taken.add(alias)
            names.class_names[cls] = alias + cls.__qualname__[len(top) :]
            order.append(cls)
        imports.append((module.__name__.rpartition(".")[2], list(imported.items())))
    generator = _Generator(names, _package_namespace(order))
    results = [(cls, generator.generate(cls)) for cls in order if is_dataclass(cls)]
    done = [result for _, result in results]
    # Namespaces get constants (NS, or NS_1, NS_2... in sorted order) so that tags read as names.
    namespaces = sorted(
        {ns for result in done if isinstance(result, _Generated) for ns in result.namespaces if ns}
        | {ns for q in names.tags for ns in [_namespace_of(q)] if ns}
        | {
            ns
            for result in done
            if isinstance(result, _Generated)
            for ns in [_namespace_of(result.qname)]
            if ns
        }
    )
    ns_names = (
        {namespaces[0]: "NS"}
        if len(namespaces) == 1
        else {ns: f"NS_{i}" for i, ns in enumerate(namespaces, 1)}
    )

    def ns_name(namespace: str | None) -> str:
        return "None" if namespace is None else ns_names[namespace]

    body: list[str] = []
    codecs: list[str] = []
    fallback: list[str] = []
    for cls, result in results:
        name = names.ref(cls)
        if isinstance(result, Unsupported):
            fallback.append(f"    {name}: {_lit(str(result))},")
            continue
        body += ["", "", *result.lines]
        spaces = ", ".join(ns_name(ns) for ns in _sorted_namespaces(result.namespaces))
        fname = names.func(cls)
        within = f"frozenset({{{spaces}}})" if spaces else "frozenset()"
        root_tag = names.tag(result.qname)
        write = f", write_{fname}" if result.writes else ""
        functions = f"fill_{fname}, parse_{fname}{write}"
        codecs.append(f"    {name}: _rt.Codec({name}, {root_tag}, {within}, {functions}),")
    out = [
        f'"""Generated encoders and decoders for {package} (scripts/regenerate, mm7._codegen). Do not edit.',
        "",
        "``fill_<Class>(obj, el)`` writes an object into an lxml element and ``parse_<Class>(el)`` binds an",
        "element to a new object, with the same output as xsdata's serializer and parser; ``Fallback`` means",
        "xsdata must handle the whole object or element. ``write_<Class>(obj, out, tag)`` appends the",
        f"element as the text lxml would write for it, ``{WRITER_PREFIX}`` the prefix of the package's",
        "namespace. ``CODECS`` maps each class to its functions; ``FALLBACK`` names the classes always left",
        "to xsdata, and why.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Callable",
        "from typing import Any",
        "",
        "from lxml import etree",
        "from lxml.etree import SubElement",
    ]
    if names.value_types:
        out.append(f"from xsdata.models.datatype import {', '.join(sorted(names.value_types))}")
    out += [
        "",
        "from mm7.codec import bindings_runtime as _rt",
        "from mm7.codec.bindings_runtime import Fallback",
        "",
    ]
    for module_name, pairs in imports:
        used = sorted((top, alias) for top, alias in pairs if alias in names.used)
        if not used:
            continue
        out.append(f"from .{module_name} import (")
        out += [f"    {top}," if top == alias else f"    {top} as {alias}," for top, alias in used]
        out.append(")")
    out += ["", '__all__ = ["CODECS", "FALLBACK"]', ""]
    for namespace, constant in sorted(ns_names.items(), key=lambda item: item[1]):
        out.append(f"{constant} = {_lit(namespace)}")
    out.append("")
    for qname, tag in sorted(names.tags.items(), key=lambda item: item[1]):
        tag_ns = _namespace_of(qname)
        if tag_ns is None:
            out.append(f"{tag} = {_lit(qname)}")
        else:
            out.append(f"{tag} = _rt.qualified({ns_names[tag_ns]}, {_lit(qname.rpartition('}')[2])})")
    for kind, enum_name in sorted(names.enums.items(), key=lambda item: item[1]):
        out.append(f"{enum_name} = _rt.enum_members({names.class_names[kind]})")
    out += body
    out += ["", "", "CODECS: dict[type, _rt.Codec] = {", *codecs, "}"]
    out += ["", "FALLBACK: dict[type, str] = {", *fallback, "}", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the codec module of PACKAGE, importing it from --path first."""
    parser = argparse.ArgumentParser(prog="mm7._codegen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, required=True, help="directory holding the package's root")
    parser.add_argument("package", help="dotted name of one bindings package")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.path.resolve()))
    module = importlib.import_module(args.package)
    where = Path(module.__file__ or "").resolve()
    if args.path.resolve() not in where.parents:
        raise SystemExit(f"codegen: {args.package} was imported from {where}, not from {args.path}")
    sys.stdout.write(render_codec(args.package))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
