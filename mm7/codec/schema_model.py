"""What the tolerant reader needs to know about a schema, read from the XSD itself.

One source of schema knowledge: the same XSD that generates the bindings and validates every envelope. For
each complex type this gives the children it may hold (by local name, with their position in the content
model, so that children can be put back into sequence order), its attributes, and whether it holds text;
for each simple type how its value is read (whitespace handling, enumeration, primitive base). A schema
change is followed without code changes. Only the constructs our MM7 schemas use are modelled (sequences,
choices, complexContent and simpleContent extensions, attributes, wildcards, restrictions, unions); an
unknown construct makes the type *open*, so the reader leaves it to the validator instead of guessing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

__all__ = ["ComplexType", "ElementDecl", "SchemaModel", "SimpleType", "model_for"]

_XS_NS = "http://www.w3.org/2001/XMLSchema"
_XS = "{%s}" % _XS_NS

Primitive = Literal["string", "boolean", "dateTime", "duration", "integer", "decimal", "anyURI", "other"]

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


@dataclass(frozen=True)
class SimpleType:
    """How a value of a simple type is read.

    Attributes:
        name: The type's name (``priorityType``, ``xs:boolean``...).
        primitive: The primitive the value is read as.
        enumeration: The allowed values, when the type is an enumeration.
        collapses: Whether the type collapses whitespace (then surrounding spaces are not part of the value).
        members: For a union, its member types in order.
    """

    name: str
    primitive: Primitive
    enumeration: tuple[str, ...] = ()
    collapses: bool = True
    members: tuple[SimpleType, ...] = ()


@dataclass(frozen=True)
class ElementDecl:
    """A child element a complex type may hold.

    Attributes:
        name: Local name.
        position: Its place in the content model (alternatives of one choice share a position).
        type: Its type.
        required: Whether the content model requires it (minOccurs >= 1, outside any choice).
    """

    name: str
    position: int
    type: ComplexType | SimpleType
    required: bool


@dataclass
class ComplexType:
    """Children, attributes and text of a complex type.

    Attributes:
        name: The type's name.
        children: The elements it may hold, by local name.
        attributes: The attributes it defines, by local name (unqualified).
        text: The type of its text, for simple content; None for element-only or empty content.
        mixed: Whether text may stand between children.
        open: Whether it holds a wildcard or a construct the reader does not model (left to the validator).
        any_attribute: Whether it accepts attributes of other namespaces.
    """

    name: str
    children: dict[str, ElementDecl] = field(default_factory=dict)
    attributes: dict[str, SimpleType] = field(default_factory=dict)
    text: SimpleType | None = None
    mixed: bool = False
    open: bool = False
    any_attribute: bool = False

    @property
    def is_empty(self) -> bool:
        """No children and no text: only attributes (``Content``, ``UACapabilities``)."""
        return not self.children and self.text is None and not self.mixed and not self.open


class SchemaModel:
    """The global elements of one MM7 schema with their types, read from the XSD."""

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


@functools.cache
def model_for(xsd: Path) -> SchemaModel:
    """The model of one XSD file, read once per process."""
    return SchemaModel(xsd)
