from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import QName

__NAMESPACE__ = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(slots=True, kw_only=True)
class BodyType:
    class Meta:
        name = "bodyType"

    any_element: list[object] = field(
        default_factory=list,
        metadata={
            "type": "Wildcard",
            "namespace": "##any",
        },
    )
    any_attributes: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "type": "Attributes",
            "namespace": "##any",
        },
    )


@dataclass(slots=True, kw_only=True)
class DetailType:
    class Meta:
        name = "detailType"

    any_element: list[object] = field(
        default_factory=list,
        metadata={
            "type": "Wildcard",
            "namespace": "##any",
        },
    )
    any_attributes: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "type": "Attributes",
            "namespace": "##any",
        },
    )


@dataclass(slots=True, kw_only=True)
class HeaderType:
    class Meta:
        name = "headerType"

    other_element: list[object] = field(
        default_factory=list,
        metadata={
            "type": "Wildcard",
            "namespace": "##other",
        },
    )
    other_attributes: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "type": "Attributes",
            "namespace": "##other",
        },
    )


@dataclass(slots=True, kw_only=True)
class Body(BodyType):
    class Meta:
        namespace = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(slots=True, kw_only=True)
class Header(HeaderType):
    class Meta:
        namespace = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(slots=True, kw_only=True)
class FaultType:
    class Meta:
        name = "faultType"

    faultcode: QName = field(
        metadata={
            "type": "Element",
            "namespace": "",
        }
    )
    faultstring: str = field(
        metadata={
            "type": "Element",
            "namespace": "",
        }
    )
    faultactor: None | str = field(
        default=None,
        metadata={
            "type": "Element",
            "namespace": "",
        },
    )
    detail: None | DetailType = field(
        default=None,
        metadata={
            "type": "Element",
            "namespace": "",
        },
    )


@dataclass(slots=True, kw_only=True)
class Fault(FaultType):
    class Meta:
        namespace = "http://schemas.xmlsoap.org/soap/envelope/"


@dataclass(slots=True, kw_only=True)
class EnvelopeType:
    class Meta:
        name = "envelopeType"

    header: None | Header = field(
        default=None,
        metadata={
            "name": "Header",
            "type": "Element",
            "namespace": "http://schemas.xmlsoap.org/soap/envelope/",
        },
    )
    body: Body = field(
        metadata={
            "name": "Body",
            "type": "Element",
            "namespace": "http://schemas.xmlsoap.org/soap/envelope/",
        }
    )
    other_element: list[object] = field(
        default_factory=list,
        metadata={
            "type": "Wildcard",
            "namespace": "##other",
        },
    )
    other_attributes: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "type": "Attributes",
            "namespace": "##other",
        },
    )


@dataclass(slots=True, kw_only=True)
class Envelope(EnvelopeType):
    class Meta:
        namespace = "http://schemas.xmlsoap.org/soap/envelope/"
