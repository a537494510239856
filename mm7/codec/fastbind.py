"""Generated bindings: serialize and bind generated MM7 dataclasses with straight-line lxml code.

xsdata's generic serializer and parser walk each object through an event pipeline (about 100-150 µs for a
small message). ``scripts/regenerate`` writes, beside each version's dataclasses, a ``codec`` module
(``mm7._codegen``) with two readable, typed functions per class, generated from the metadata xsdata's own
serializer and parser use: ``fill_<Class>`` (object → attributes/text/children of an lxml element) and
``parse_<Class>`` (lxml element → object). This module finds the codec of a class's package and runs it;
nothing is compiled at run time and none of xsdata's private modules is imported (only the value types of
``xsdata.models.datatype``, and the documented ``XmlSerializer``/``XmlParser`` on the fallback path).

Equivalence with xsdata is the contract: ``to_element`` matches xsdata's rendering and ``from_element``
matches ``XmlParser().parse(element, cls)`` (with the codec's parser config: unknown elements fail, unknown
attributes are ignored). Where the generated code meets a shape it does not reproduce exactly, it never
guesses; it hands the whole object (or element) to xsdata's public ``XmlSerializer`` / ``XmlParser`` instead:

* per class (``plan_for(cls).reason`` says why): a package without a generated ``codec`` module (a schema set
  compiled without one), a class the generator left to xsdata (its ``FALLBACK`` table: wildcards other than
  the mixed ``list[object]`` of ``statusDetailsType``, compound/wrapper/nillable/token/sequence fields, QName
  or other types without an exact converter, text mixed with child elements, or any reachable class with one
  of these, e.g. the SOAP ``Envelope``), or a class defined outside a bindings package;
* per call, at run time: a value whose type is not the declared one (a subclass would need ``xsi:type``),
  mixed content holding anything but one string (``AnyElement`` children, consecutive strings), attribute
  values xsdata would treat as QNames (``{ns}name``), namespaced wildcard attributes, namespaces not declared
  on the root; on parse, ``xsi:type``/``xsi:nil``, comments or unknown/out-of-place children, element
  children in mixed content, text that does not convert.

The xsdata fallback for parsing reads a copy of the element (xsdata's lxml handler empties every element it
has read), so ``from_element`` never modifies its input.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from lxml import etree

from mm7.codec.bindings_runtime import CODEC_MODULE, Codec, Fallback

if TYPE_CHECKING:  # the fallback imports them on first use: the fast path never loads them
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.serializers import XmlSerializer

__all__ = ["Plan", "detached_copy", "from_element", "plan_for", "to_element", "xsdata_parser"]

T = TypeVar("T")


# ------------------------------------------------------------------------------------------ xsdata fallback

_local = threading.local()


def xsdata_parser(*, class_factory: Callable[[type[Any], dict[str, Any]], Any] | None = None) -> XmlParser:
    """A new xsdata ``XmlParser`` with the codec's configuration (unknown elements fail, attributes not).

    Imported on first use: only the fallback path loads xsdata's parser.
    """
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.parsers.config import ParserConfig

    if class_factory is None:
        config = ParserConfig(fail_on_unknown_properties=True, fail_on_unknown_attributes=False)
    else:
        config = ParserConfig(
            fail_on_unknown_properties=True, fail_on_unknown_attributes=False, class_factory=class_factory
        )
    return XmlParser(config=config)


def _xsdata_serializer() -> XmlSerializer:
    serializer: XmlSerializer | None = getattr(_local, "serializer", None)
    if serializer is None:
        from xsdata.formats.dataclass.serializers import XmlSerializer
        from xsdata.formats.dataclass.serializers.config import SerializerConfig

        serializer = _local.serializer = XmlSerializer(config=SerializerConfig(xml_declaration=False))
    return serializer


def _reparse(data: bytes) -> etree._Element:
    # Text mm7 itself just wrote from a tree or an object: no DTD, no entities, nothing to fetch.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def detached_copy(element: etree._Element) -> etree._Element:
    """A standalone copy of ``element`` for xsdata's parser, which empties every element it has read.

    Serialized and parsed back rather than ``deepcopy``-ed: that keeps every namespace declaration in scope
    (``xsi:type`` values may use a prefix declared on an ancestor and nowhere else).
    """
    return _reparse(etree.tostring(element, with_tail=False))


def _xsdata_render(obj: object, nsmap: dict[str | None, str] | None) -> etree._Element:
    return _reparse(_xsdata_serializer().render(obj, ns_map=nsmap).encode("utf-8"))


def _xsdata_parse(element: etree._Element, cls: type[T]) -> T:
    parser: XmlParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = xsdata_parser()
    return parser.parse(detached_copy(element), cls)


# ------------------------------------------------------------------------------------------ plans


@dataclass(frozen=True)
class Plan:
    """How one class is bound.

    Attributes:
        cls: The generated class.
        reason: Why the class is handled by xsdata instead, or None when its generated codec is used.
        codec: The generated functions (``fill``/``parse``), or None.
    """

    cls: type
    reason: str | None
    codec: Codec | None = None

    @property
    def fill(self) -> Callable[[Any, etree._Element], None] | None:
        """``fill(obj, element)`` of the generated codec, or None."""
        return self.codec.fill if self.codec is not None else None

    @property
    def parse(self) -> Callable[[etree._Element], Any] | None:
        """``parse(element)`` of the generated codec, or None."""
        return self.codec.parse if self.codec is not None else None


_plans: dict[type, Plan] = {}
_plans_lock = threading.Lock()


def plan_for(cls: type) -> Plan:
    """Return the (cached) plan of a class: its generated codec, or why xsdata binds it."""
    plan = _plans.get(cls)
    if plan is None:
        plan = _find_plan(cls)
        with _plans_lock:
            plan = _plans.setdefault(cls, plan)
    return plan


def _codec_module(cls: type) -> Any:
    module = sys.modules.get(cls.__module__)
    package = getattr(module, "__package__", None) or cls.__module__.rpartition(".")[0]
    if not package:
        return None
    name = f"{package}.{CODEC_MODULE}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _find_plan(cls: type) -> Plan:
    codecs = _codec_module(cls)
    if codecs is None:
        return Plan(cls, f"{cls.__module__} has no generated {CODEC_MODULE} module (scripts/regenerate)")
    codec: Codec | None = getattr(codecs, "CODECS", {}).get(cls)
    if codec is not None:
        return Plan(cls, None, codec)
    reason = getattr(codecs, "FALLBACK", {}).get(cls)
    return Plan(cls, reason or f"{cls.__qualname__} is not in {codecs.__name__}")


# ------------------------------------------------------------------------------------------ public API

# The prefixes xsdata gives these namespaces when it has to declare them itself (others get ``ns<N>``).
_STANDARD_PREFIXES = {
    "http://www.w3.org/2001/XMLSchema": "xs",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://www.w3.org/1998/Math/MathML": "mathml3",
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/1999/xhtml": "xhtml",
    "http://schemas.xmlsoap.org/wsdl/soap/": "soap",
    "http://schemas.xmlsoap.org/wsdl/soap12/": "soap12",
    "http://schemas.xmlsoap.org/soap/envelope/": "soapenv",
    "http://schemas.xmlsoap.org/soap/encoding/": "soapenc",
}


def _clean_prefixes(nsmap: dict[str | None, str]) -> dict[str | None, str]:
    """The declarations xsdata keeps: empty URIs dropped, the default dropped when a prefix has its URI."""
    result: dict[str | None, str] = {}
    for prefix, namespace in nsmap.items():
        if namespace:
            result.setdefault(prefix or None, namespace)
    default = result.get(None)
    if default and any(prefix and namespace == default for prefix, namespace in result.items()):
        del result[None]
    return result


def _namespace_of(qname: str) -> str | None:
    if qname[:1] == "{":
        namespace, _, _ = qname[1:].partition("}")
        if namespace:
            return namespace
    return None


_root_maps: dict[tuple[type, tuple[tuple[str | None, str], ...]], dict[str | None, str] | None] = {}


def _root_nsmap(codec: Codec, nsmap: dict[str | None, str] | None) -> dict[str | None, str] | None:
    """The namespace declarations xsdata puts on the root, or None when our children would differ."""
    key = (codec.cls, tuple(nsmap.items()) if nsmap else ())
    try:
        return _root_maps[key]
    except KeyError:
        pass
    ns_map = _clean_prefixes(dict(nsmap)) if nsmap else {}
    root_ns = _namespace_of(codec.qname)
    result: dict[str | None, str] | None = ns_map
    if root_ns:
        if root_ns not in ns_map.values():
            ns_map[_STANDARD_PREFIXES.get(root_ns) or f"ns{len(ns_map)}"] = root_ns
    elif None in ns_map:
        result = None  # xsdata would write xmlns="" on an unqualified root
    in_scope = set(ns_map.values())
    for namespace in codec.namespaces:
        if (namespace is None and None in ns_map) or (namespace is not None and namespace not in in_scope):
            result = None  # xsdata would declare it on each child: let it
    _root_maps[key] = result
    return result


def to_element(obj: object, *, nsmap: dict[str | None, str] | None = None) -> etree._Element:
    """Serialize a generated object into a new lxml element, as xsdata's serializer would.

    Args:
        obj: An instance of a generated class (its class's ``Meta`` gives the root element name).
        nsmap: Namespace prefix → URI declarations for the root (``{None: namespace}`` makes it the default).

    Returns:
        The root element, with the same tags, attributes, text and child order as xsdata's rendering.
    """
    codec = plan_for(type(obj)).codec
    if codec is None:
        return _xsdata_render(obj, nsmap)
    ns_map = _root_nsmap(codec, nsmap)
    if ns_map is None:
        return _xsdata_render(obj, nsmap)
    root = etree.Element(codec.qname, nsmap=ns_map)  # type: ignore[arg-type]
    try:
        codec.fill(obj, root)
    except Fallback:
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
    codec = plan_for(cls).codec
    if codec is None:
        return _xsdata_parse(element, cls)
    try:
        return cast(T, codec.parse(element))
    except (Fallback, TypeError, ValueError):
        # TypeError: a required field missing; ValueError: text int() does not read. xsdata reports (or
        # reads) those its own way.
        return _xsdata_parse(element, cls)
