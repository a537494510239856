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

__all__ = [
    "Body",
    "Envelope",
    "Fault",
    "Header",
    "BodyType",
    "DetailType",
    "EnvelopeType",
    "FaultType",
    "HeaderType",
]
