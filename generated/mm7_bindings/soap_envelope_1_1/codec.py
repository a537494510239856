"""Generated encoders and decoders for mm7_bindings.soap_envelope_1_1 (scripts/regenerate, mm7._codegen). Do not edit.

``fill_<Class>(obj, el)`` writes an object into an lxml element and ``parse_<Class>(el)`` binds an
element to a new object, with the same output as xsdata's serializer and parser; ``Fallback`` means
xsdata must handle the whole object or element. ``write_<Class>(obj, out, tag)`` appends the
element as the text lxml would write for it, ``mm7`` the prefix of the package's
namespace. ``CODECS`` maps each class to its functions; ``FALLBACK`` names the classes always left
to xsdata, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree
from lxml.etree import SubElement

from mm7.codec import bindings_runtime as _rt
from mm7.codec.bindings_runtime import Fallback

from .soap_envelope_1_1 import (
    Body,
    BodyType,
    DetailType,
    Envelope,
    EnvelopeType,
    Fault,
    FaultType,
    Header,
    HeaderType,
)

__all__ = ["CODECS", "FALLBACK"]

NS = "http://schemas.xmlsoap.org/soap/envelope/"

Q_Header = _rt.qualified(NS, "Header")
Q_faultcode = "faultcode"


CODECS: dict[type, _rt.Codec] = {
}

FALLBACK: dict[type, str] = {
    BodyType: "BodyType.any_element: wildcard",
    DetailType: "DetailType.any_element: wildcard",
    HeaderType: "HeaderType.other_element: wildcard",
    Body: "Body.any_element: wildcard",
    Header: "Header.other_element: wildcard",
    FaultType: "FaultType.faultcode: no exact converter for QName",
    Fault: "Fault.faultcode: no exact converter for QName",
    EnvelopeType: "EnvelopeType.header -> Header.other_element: wildcard",
    Envelope: "Envelope.header -> Header.other_element: wildcard",
}
