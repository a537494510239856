"""Read the facts of an XSD the tolerant reader needs, and write them as a Python module (code generation).

Used by :mod:`mm7._regenerate` only: each schema's facts (:class:`mm7.codec.schema_model.SchemaModel`) are
written as ``schema_facts.py`` beside the dataclasses xsdata generates from the same XSD, so that at run
time the codec reads generated facts, never the XSD.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from mm7.codec.schema_model import ComplexType, ElementDecl, Primitive, SchemaModel, SimpleType

__all__ = ["read_schema", "render_facts"]

_XS_NS = "http://www.w3.org/2001/XMLSchema"
_XS = "{%s}" % _XS_NS

_PRIMITIVES: dict[str, Primitive] = {
    "string": "string",
    "normalizedString": "string",
    "token": "string",
    "anyType": "string",
    "anySimpleType": "string",
    "boolean": "boolean",
    "dateTime": "dateTime",
    "duration": "duration",
    "integer": "integer",
    "int": "integer",
    "long": "integer",
    "short": "integer",
    "positiveInteger": "integer",
    "nonNegativeInteger": "integer",
    "negativeInteger": "integer",
    "nonPositiveInteger": "integer",
    "unsignedInt": "integer",
    "unsignedLong": "integer",
    "unsignedShort": "integer",
    "decimal": "decimal",
    "anyURI": "anyURI",
}
# Built-in types whose whitespace facet is "preserve" (XSD part 2, 4.3.6): surrounding spaces are data.
_PRESERVING = frozenset({"string", "anyType", "anySimpleType"})


def read_schema(xsd: Path) -> SchemaModel:
    """The model of one XSD file."""
    reader = _Reader(xsd)
    return SchemaModel(reader.namespace, reader.elements, reader.leaf_types)


class _Reader:
    """Reads the global elements of one MM7 schema with their types from the XSD."""

    def __init__(self, xsd: Path) -> None:
        self._tree = etree.parse(str(xsd))
        root = self._tree.getroot()
        self.namespace = root.get("targetNamespace", "")
        self._complex = {el.get("name"): el for el in root.iterfind(_XS + "complexType")}
        self._simple = {el.get("name"): el for el in root.iterfind(_XS + "simpleType")}
        self._complex_cache: dict[str, ComplexType] = {}
        self._simple_cache: dict[str, SimpleType] = {}
        self.elements: dict[str, ComplexType | SimpleType] = {}
        for element in root.iterfind(_XS + "element"):
            name, type_ref = element.get("name"), element.get("type")
            if name and type_ref:
                self.elements[name] = self._type(type_ref)
        #: The simple type of every element declared with one, by local name (the fast path's value trim).
        self.leaf_types: dict[str, SimpleType] = {}
        for element in root.iter(_XS + "element"):
            name, type_ref = element.get("name"), element.get("type")
            if name and type_ref:
                declared = self._type(type_ref)
                if isinstance(declared, SimpleType):
                    self.leaf_types.setdefault(name, declared)

    # ------------------------------------------------------------------ types

    def _type(self, ref: str) -> ComplexType | SimpleType:
        prefix, _, local = ref.rpartition(":")
        if self._tree.getroot().nsmap.get(prefix or None) == _XS_NS:
            return _builtin(local)
        if local in self._complex:
            return self._complex_type(local)
        return self._simple_type(local)

    def _simple_type(self, name: str) -> SimpleType:
        cached = self._simple_cache.get(name)
        if cached is None:
            cached = self._read_simple(name, self._simple[name])
            self._simple_cache[name] = cached
        return cached

    def _read_simple(self, name: str, node: etree._Element) -> SimpleType:
        restriction = node.find(_XS + "restriction")
        if restriction is not None:
            base = self._type(restriction.get("base", "xs:string"))
            assert isinstance(base, SimpleType)
            values = tuple(e.get("value", "") for e in restriction.iterfind(_XS + "enumeration"))
            return SimpleType(name, base.primitive, values, base.collapses, base.members)
        union = node.find(_XS + "union")
        if union is not None:
            members = []
            for ref in union.get("memberTypes", "").split():
                member = self._type(ref)
                assert isinstance(member, SimpleType)
                members.append(member)
            return SimpleType(name, "other", (), all(m.collapses for m in members), tuple(members))
        return SimpleType(name, "other")  # lists and other constructs: the validator decides

    def _complex_type(self, name: str) -> ComplexType:
        cached = self._complex_cache.get(name)
        if cached is None:
            cached = ComplexType(name)
            self._complex_cache[name] = cached  # before reading: recursive types see the object
            self._read_complex(cached, self._complex[name])
        return cached

    def _read_complex(self, into: ComplexType, node: etree._Element) -> None:
        into.mixed = node.get("mixed") == "true"
        for child in node:
            tag = child.tag
            if tag in (_XS + "sequence", _XS + "choice"):
                self._read_particles(into, child, in_choice=False)
            elif tag == _XS + "complexContent":
                self._read_extension(into, child, simple=False)
            elif tag == _XS + "simpleContent":
                self._read_extension(into, child, simple=True)
            elif tag in (_XS + "attribute", _XS + "anyAttribute"):
                self._read_attribute(into, child)
            elif tag != _XS + "annotation" and isinstance(tag, str):
                into.open = True

    def _read_extension(self, into: ComplexType, node: etree._Element, *, simple: bool) -> None:
        extension = node.find(_XS + "extension")
        if extension is None:
            into.open = True
            return
        base = self._type(extension.get("base", ""))
        if isinstance(base, SimpleType):
            into.text = base
        else:
            into.children.update(base.children)
            into.attributes.update(base.attributes)
            into.text, into.open = base.text, into.open or base.open
            into.any_attribute = into.any_attribute or base.any_attribute
        for child in extension:
            if child.tag in (_XS + "sequence", _XS + "choice"):
                self._read_particles(into, child, in_choice=False)
            elif child.tag in (_XS + "attribute", _XS + "anyAttribute"):
                self._read_attribute(into, child)

    def _read_attribute(self, into: ComplexType, node: etree._Element) -> None:
        if node.tag == _XS + "anyAttribute":
            into.any_attribute = True
            return
        name = node.get("name")
        if name:
            into.attributes[name] = self._type(node.get("type", "xs:string"))  # type: ignore[assignment]

    def _read_particles(self, into: ComplexType, node: etree._Element, *, in_choice: bool) -> None:
        is_choice = node.tag == _XS + "choice"
        position = len({decl.position for decl in into.children.values()})
        for child in node:
            if child.tag == _XS + "element":
                name = child.get("name")
                if not name:  # element refs do not occur in MM7's schemas
                    into.open = True
                    continue
                required = not (in_choice or is_choice) and child.get("minOccurs", "1") != "0"
                into.children[name] = ElementDecl(
                    name, position, self._type(child.get("type", "xs:string")), required
                )
                if not is_choice:
                    position += 1
            elif child.tag in (_XS + "sequence", _XS + "choice"):
                self._read_particles(into, child, in_choice=in_choice or is_choice)
                position = len({decl.position for decl in into.children.values()})
            elif child.tag == _XS + "any":
                into.open = True


@functools.cache
def _builtin(local: str) -> SimpleType:
    return SimpleType("xs:" + local, _PRIMITIVES.get(local, "other"), (), local not in _PRESERVING)


def render_facts(model: SchemaModel, source: str) -> str:
    """The Python source of a ``schema_facts`` module holding ``model``.

    Args:
        model: The facts of one schema.
        source: The XSD's file name, named in the module's docstring.

    Returns:
        Deterministic source (same model, same bytes): types are named in the order they are first met.
    """
    writer = _Writer()
    elements = {name: writer.type_ref(t) for name, t in model.elements.items()}
    leaf_types = {name: writer.simple(t) for name, t in model.leaf_types.items()}
    writer.fill_complex()
    lines = [
        f'"""Schema facts of {source} for the tolerant reader (mm7 regenerate). Do not edit."""',
        "",
        "from mm7.codec.schema_model import ComplexType, ElementDecl, SimpleType",
        "",
        f"NAMESPACE = {model.namespace!r}",
        "",
        *writer.lines,
        "",
        "ELEMENTS: dict[str, ComplexType | SimpleType] = {",
        *(f"    {name!r}: {ref}," for name, ref in elements.items()),
        "}",
        "LEAF_TYPES: dict[str, SimpleType] = {",
        *(f"    {name!r}: {ref}," for name, ref in leaf_types.items()),
        "}",
        "",
    ]
    return "\n".join(lines)


class _Writer:
    """Names each type once (``_s0``, ``_c0``...) and writes its definition after the ones it uses."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._simple: dict[SimpleType, str] = {}
        self._complex: dict[int, tuple[str, ComplexType]] = {}
        self._filled: set[int] = set()

    def type_ref(self, t: ComplexType | SimpleType) -> str:
        return self.simple(t) if isinstance(t, SimpleType) else self.complex(t)

    def simple(self, t: SimpleType) -> str:
        name = self._simple.get(t)
        if name is None:
            members = ", ".join(self.simple(m) for m in t.members)
            members_tuple = f"({members},)" if len(t.members) == 1 else f"({members})"
            name = f"_s{len(self._simple)}"
            self._simple[t] = name
            self.lines.append(
                f"{name} = SimpleType({t.name!r}, {t.primitive!r}, {t.enumeration!r}, {t.collapses!r}, "
                f"{members_tuple})"
            )
        return name

    def complex(self, t: ComplexType) -> str:
        known = self._complex.get(id(t))
        if known is None:
            known = (f"_c{len(self._complex)}", t)
            self._complex[id(t)] = known
            self.lines.append(
                f"{known[0]} = ComplexType({t.name!r}, mixed={t.mixed!r}, open={t.open!r}, "
                f"any_attribute={t.any_attribute!r})"
            )
        return known[0]

    def fill_complex(self) -> None:
        """Children, attributes and text of every complex type met (which may name further types)."""
        while len(self._filled) < len(self._complex):
            for key, (name, t) in list(self._complex.items()):
                if key in self._filled:
                    continue
                self._filled.add(key)
                if t.text is not None:
                    self.lines.append(f"{name}.text = {self.simple(t.text)}")
                for child in t.children.values():
                    ref = self.type_ref(child.type)
                    self.lines.append(
                        f"{name}.children[{child.name!r}] = ElementDecl({child.name!r}, {child.position}, "
                        f"{ref}, {child.required!r})"
                    )
                for attribute, simple in t.attributes.items():
                    self.lines.append(f"{name}.attributes[{attribute!r}] = {self.simple(simple)}")
