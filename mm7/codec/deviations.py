"""What a peer sent that deviates from the standard: the vocabulary shared by every layer of the decoder.

A :class:`Deviation` is one repair tolerant decoding made (or, in strict mode, one reason to refuse), with a
stable :data:`DeviationKind` so that users can count and filter them; an :class:`Extension` is data that has
no place in the schema (a vendor element or attribute), removed from the tree that is validated but kept,
raw, on the decoded message. Nothing a peer sent is dropped without one of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from mm7.errors import ValidationProblem

__all__ = ["DEVIATION_KINDS", "Deviation", "DeviationKind", "Extension"]

DeviationKind = Literal[
    "namespace",  # an element in no namespace, another revision's namespace, or a foreign one
    "element-order",  # children out of the schema's sequence order
    "qualified-attribute",  # an attribute the schema leaves unqualified, sent with a prefix
    "unknown-element",  # an element the schema has no place for: kept in extensions
    "unknown-attribute",  # an attribute the schema does not define (xsi:type, vendor, misspelt): kept
    "whitespace",  # whitespace around a value whose type does not allow it
    "value-format",  # a value in another notation than the type's canonical one (True, 2024-01-01 10:00)
    "encoding",  # XML character encoding: legacy charset, mislabelled bytes, BOM or text before <?xml
    "mime-framing",  # multipart structure: bare LF, missing closing delimiter, header spelling...
    "content-reference",  # start/Content-ID/href references that do not match exactly
    "header-entry",  # SOAP header entries other than TransactionID
    "fault-format",  # SOAP Fault children qualified or otherwise off SOAP 1.1 section 4.4
]
DEVIATION_KINDS: tuple[str, ...] = get_args(DeviationKind)


@dataclass(frozen=True, slots=True)
class Deviation:
    """One deviation from the standard, repaired in tolerant mode.

    Attributes:
        kind: What class of deviation it is (stable, for counting and filtering).
        reason: One sentence saying what arrived and how it was read.
        path: Where: an element path (``/Envelope/Body/SubmitReq/Priority``) or ``MIME``.
        line: Line in the SOAP part (1-based), or 0 when not applicable.
    """

    kind: DeviationKind
    reason: str
    path: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = f" (at {self.path}" + (f", line {self.line})" if self.line else ")") if self.path else ""
        return f"{self.reason}{where}"

    def as_problem(self) -> ValidationProblem:
        """This deviation as a problem, the way strict mode reports it."""
        return ValidationProblem(path=self.path or "/", line=self.line, reason=self.reason, kind=self.kind)


@dataclass(frozen=True, slots=True)
class Extension:
    """Data the schema has no place for, kept as it arrived.

    Attributes:
        path: The parent element's path, e.g. ``/Envelope/Body/SubmitReq/SenderIdentification``.
        name: The element or attribute name in Clark notation (``{urn:vendor}Tariff``, ``{xsi}type``).
        xml: For an element, its XML as received (namespaces declared); for an attribute, its value.
        line: Line in the SOAP part, or 0.
        is_attribute: Whether it was an attribute of the element at ``path``.
    """

    path: str
    name: str
    xml: str
    line: int = 0
    is_attribute: bool = False
