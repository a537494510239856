"""What a carrier profile is: identity, defaults, and the carrier's rules checked before sending.

A :class:`Profile` is a frozen value the client consults for every request. It is also a declarative
record of the carrier's dialect (MM7Version and namespace, SOAPAction style, auth scheme, identification
fields, number format, limits, carrier-id header, vendor status codes, delivery-report vocabulary): the
shipped carriers are TOML files under ``mm7/profiles/data/`` and users write their own
(:meth:`Profile.from_toml`, :mod:`mm7.profiles.files`). A field left None is a fact nobody documents.


* :meth:`Profile.prepare` turns the caller's message and content into what goes on the wire, applying
  the carrier's rules (fill in identity, normalize numbers, strip or refuse elements). It raises
  :class:`ProfileViolation` for anything the carrier would reject, *before* a byte is sent, so the
  caller gets the same status code the carrier would have answered without paying for a request.
* :meth:`Profile.http_headers` adds carrier headers (Sinch's ``X-Mblox-Carrier-Id``).
* ``status_table`` tells the client and the retry policy what the carrier's status codes mean.

The base class applies no rule and fills the SenderIdentification (an extendedReplaceReq's VASPID and
VASID) only where the message leaves it empty; :mod:`mm7.profiles.sinch` shows how a carrier adds its own.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from mm7.codec.mime import Part
from mm7.codec.smil import as_content
from mm7.codec.status import THREEGPP, StatusTable, parse_mm_status
from mm7.codec.summary import sender_identification
from mm7.errors import ConfigError

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Request

__all__ = [
    "AUTH_SCHEMES",
    "ID_FIELDS",
    "NUMBER_FORMATS",
    "SOAP_ACTION_STYLES",
    "AuthScheme",
    "IdField",
    "InvalidProfileError",
    "NumberFormat",
    "Prepared",
    "Profile",
    "ProfileViolation",
    "ProfileWarning",
    "SoapActionStyle",
]

#: How the ``SOAPAction`` HTTP header is written: the namespace URI quoted, ``""``, or no header at all.
SoapActionStyle = Literal["namespace", "empty", "absent"]
#: The HTTP authentication scheme the carrier uses (declared here; not every scheme is spoken yet).
AuthScheme = Literal["none", "basic", "digest", "bearer"]
#: How recipient numbers are written: international digits without ``+``, E.164 with ``+``, or national
#: numbers of ``default_region``.
NumberFormat = Literal["international", "e164", "national"]
#: The SenderIdentification fields a carrier may require.
IdField = Literal["VASPID", "VASID", "ShortCode"]
SOAP_ACTION_STYLES: tuple[SoapActionStyle, ...] = ("namespace", "empty", "absent")
AUTH_SCHEMES: tuple[AuthScheme, ...] = ("none", "basic", "digest", "bearer")
NUMBER_FORMATS: tuple[NumberFormat, ...] = ("international", "e164", "national")
ID_FIELDS: tuple[IdField, ...] = ("VASPID", "VASID", "ShortCode")


def _element_name(message: Any) -> str | None:
    """The element name of a generated message object (``extendedReplaceReq``...), None for anything else."""
    name = getattr(getattr(type(message), "Meta", None), "name", None)
    return name if isinstance(name, str) else None


class InvalidProfileError(ConfigError):
    """A profile states something impossible (bearer auth with a user name, a Rel-5 version in Rel-6...).

    Attributes:
        key: The profile key at fault (``"namespace"``, ``"status_codes.2569"``...).
        problem: What is wrong, without the profile's name and the key.
    """

    def __init__(self, problem: str, *, key: str, profile: str) -> None:
        super().__init__(f"profile {profile!r}: {key}: {problem}")
        self.key = key
        self.problem = problem


class ProfileViolation(ConfigError):
    """The message breaks a carrier rule; it was not sent.

    Attributes:
        status_code: The carrier's status code for this mistake (what it would have answered), or None
            when the carrier documents no code for it; the first problem's when there are several.
        profile: Name of the profile whose rule was broken.
        key: The profile key the rule comes from, when the profile itself is at fault (``"mm7_version"``).
        problems: Every rule broken, as ``(message, status code)`` pairs, the first one first.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None,
        profile: str,
        key: str | None = None,
        problems: Sequence[tuple[str, int | None]] = (),
    ) -> None:
        self.problems: tuple[tuple[str, int | None], ...] = tuple(problems) or ((message, status_code),)
        text = "; ".join(f"{m} (status {c})" if c is not None else m for m, c in self.problems)
        super().__init__(f"{profile}: {text}")
        self.status_code = status_code
        self.profile = profile
        self.key = key


class ProfileWarning(UserWarning):
    """Something the carrier accepts but changes or may handle badly (e.g. an element it strips)."""


@dataclass(frozen=True)
class Prepared:
    """A message made ready by a profile.

    Attributes:
        message: The (copied, possibly changed) message object to encode.
        content: The content part to send with it, if any.
        warnings: What the profile changed or advises, one sentence each.
    """

    message: MM7Request
    content: Part | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Profile:
    """A carrier's dialect, identity and rules. This base applies no carrier rule.

    Every dialect field left None is unknown: no public document states it (``docs/carriers.md``).

    Attributes:
        name: Short name used in messages and throttle keys.
        description: One line saying who the carrier is.
        endpoint: Default endpoint URL, if the carrier publishes one.
        mm7_version: Default ``MM7Version`` for messages the profile builds.
        mm7_versions: Every ``MM7Version`` the carrier accepts; empty when unknown.
        namespace: The MM7 namespace the carrier expects (URI or revision key such as ``REL-6-MM7-1-4``).
        soap_action: How the carrier writes ``SOAPAction``: ``namespace`` (the URI, quoted), ``empty``
            (``""``) or ``absent``.
        auth: HTTP authentication scheme: ``none``, ``basic``, ``digest`` or ``bearer``.
        username: User name for Basic or Digest (never a secret: those come from the environment or a file).
        required_ids: The SenderIdentification fields the carrier requires (``VASPID``, ``VASID``,
            ``ShortCode``).
        number_format: How recipient numbers are written (``international``, ``e164``, ``national``).
        default_region: ISO 3166-1 region of national numbers (``"US"``).
        max_message_size: Largest request the carrier takes, in bytes.
        media_types: Media types the carrier accepts.
        recipients_per_request: Most recipients one request may carry.
        carrier_id_header: HTTP header naming the destination operator (``X-Mblox-Carrier-Id``).
        carrier_id: The operator id sent in ``carrier_id_header``.
        vasp_id: VASPID filled into requests that have none.
        vas_id: VASID filled into requests that have none.
        status_table: What the carrier's status codes mean (retryable or not).
        dr_statuses: The ``MMStatus`` values the carrier's delivery reports carry.
        blank_200_ack: Whether the carrier takes an HTTP 200 with an empty body as the answer to its
            delivery reports and MO messages.
    """

    #: The code rules a profile file's ``rules`` key selects (``"3gpp"``: none beyond the standard).
    RULES: ClassVar[str] = "3gpp"

    name: str = "generic"
    description: str = ""
    endpoint: str | None = None
    mm7_version: str = "6.8.0"
    mm7_versions: tuple[str, ...] = ()
    namespace: str | None = None
    soap_action: SoapActionStyle | None = None
    auth: AuthScheme | None = None
    username: str | None = None
    required_ids: tuple[IdField, ...] | None = None
    number_format: NumberFormat | None = None
    default_region: str | None = None
    max_message_size: int | None = None
    media_types: tuple[str, ...] | None = None
    recipients_per_request: int | None = None
    carrier_id_header: str | None = None
    carrier_id: str | None = None
    vasp_id: str | None = None
    vas_id: str | None = None
    status_table: StatusTable = field(default=THREEGPP)
    dr_statuses: tuple[str, ...] | None = None
    blank_200_ack: bool | None = None

    def __post_init__(self) -> None:
        for key, problem in self.problems():
            raise InvalidProfileError(problem, key=key, profile=self.name)

    def problems(self) -> list[tuple[str, str]]:
        """The impossible combinations in this profile, as ``(key, problem)`` pairs (empty when none)."""
        from mm7.codec.versions import Dialect

        found: list[tuple[str, str]] = []
        if self.username is not None and self.auth not in ("basic", "digest"):
            found.append(
                ("username", f"a user name needs basic or digest auth, not {self.auth or 'unknown'}")
            )
        if self.mm7_versions and self.mm7_version not in self.mm7_versions:
            found.append(
                ("mm7_version", f"{self.mm7_version} is not in mm7_versions {list(self.mm7_versions)}")
            )
        if self.namespace is not None:
            try:
                Dialect(self.namespace, self.mm7_version)
            except ConfigError as exc:
                found.append(("namespace", exc.message))
        if self.number_format == "national" and not self.default_region:
            found.append(("number_format", "national numbers need default_region"))
        if self.carrier_id is not None and not self.carrier_id_header:
            found.append(("carrier_id", "a carrier id needs carrier_id_header"))
        for key in ("max_message_size", "recipients_per_request"):
            value = getattr(self, key)
            if value is not None and value < 1:
                found.append((key, f"must be at least 1, got {value}"))
        for status in self.dr_statuses or ():
            if parse_mm_status(status) is None:
                found.append(("dr_statuses", f"{status!r} is not an MMStatus value"))
        return found

    @classmethod
    def from_toml(cls, path: str | Path) -> Profile:
        """Read a profile file (TOML; see ``docs/carriers.md`` for its keys).

        Args:
            path: The file.

        Returns:
            The profile: a :class:`~mm7.profiles.sinch.SinchProfile` when the file says ``rules = "sinch"``.

        Raises:
            ConfigError: The file cannot be read, or has an unknown key, a value of the wrong type or an
                impossible combination; the message names the key and its line.
        """
        from mm7.profiles.files import read_profile

        return read_profile(Path(path))

    def to_toml(self) -> str:
        """This profile as a TOML profile file (what :meth:`from_toml` reads back as an equal profile)."""
        from mm7.profiles.files import dump_toml

        return dump_toml(self)

    def http_headers(self) -> dict[str, str]:
        """Extra HTTP headers the carrier wants on every request: the carrier id, when one is set."""
        if self.carrier_id and self.carrier_id_header:
            return {self.carrier_id_header: self.carrier_id}
        return {}

    def prepare(
        self,
        operation: str,
        message: MM7Request,
        content: Part | Sequence[Part] | None = None,
        *,
        warn: bool = True,
    ) -> Prepared:
        """Make a request ready to send under this profile.

        Args:
            operation: The Body element name (``SubmitReq``, ``CancelReq``...).
            message: The generated request object; it is not modified.
            content: The content part, or media parts (wrapped in ``multipart/related`` with a generated
                SMIL, as :func:`mm7.encode` does).
            warn: Also emit each warning with :func:`warnings.warn` (category :class:`ProfileWarning`).

        Returns:
            What to encode.

        Raises:
            ProfileViolation: The request breaks a rule of the carrier.
        """
        # Media parts are wrapped with a generated SMIL, as mm7.encode does: the same content either way.
        prepared = Prepared(self.fill_identification(message), as_content(content))
        problems = self.presend_problems(operation, prepared.message, prepared.content)
        if problems:
            raise ProfileViolation(
                problems[0][0], status_code=problems[0][1], profile=self.name, problems=problems
            )
        return prepared

    def presend_problems(
        self, operation: str, message: MM7Request, content: Part | None
    ) -> list[tuple[str, int | None]]:
        """Every rule of this profile's data a request breaks, before any I/O: ``(problem, status code)``.

        The rules the profile states (None: unknown, not checked): ``required_ids``, ``number_format``
        and ``recipients_per_request`` for a SubmitReq's addresses, ``media_types`` for its content's
        parts. The status code is the one TS 23.140 gives the mistake (4001 identification, 2002 address,
        3003 too many recipients, 2004 content); the encoded size is checked once the request is encoded
        (:meth:`check_size`).
        """
        found: list[tuple[str, int | None]] = []
        ident = sender_identification(message)
        for field_name in self.required_ids or ():
            if not has_sender_id(ident, field_name):
                found.append((f"{field_name} is required and missing", 4001))
        if operation == "SubmitReq":
            found += self._recipient_problems(message)
            found += self._media_problems(content)
        return found

    def _recipient_problems(self, message: MM7Request) -> list[tuple[str, int | None]]:
        from mm7.codec import summary

        found: list[tuple[str, int | None]] = []
        addresses = summary.recipients(message)
        if self.recipients_per_request is not None and len(addresses) > self.recipients_per_request:
            found.append(
                (f"{len(addresses)} recipients; at most {self.recipients_per_request} per request", 3003)
            )
        for address in addresses:
            if address.kind == "number" and self.number_format is not None:
                problem = _number_problem(address.value, self.number_format, self.default_region)
                if problem:
                    found.append((f"recipient {address.value!r}: {problem}", 2002))
        return found

    def _media_problems(self, content: Part | None) -> list[tuple[str, int | None]]:
        if self.media_types is None or content is None:
            return []
        accepted = {media_type.lower() for media_type in self.media_types}
        return [
            (f"media type {part.media_type} is not one the carrier accepts", 2004)
            for part in content.walk()
            if part.children is None
            and part.media_type != "application/smil"
            and part.media_type not in accepted
        ]

    def check_size(self, size: int) -> None:
        """Refuse an encoded request larger than ``max_message_size`` (2004), before it is sent.

        Raises:
            ProfileViolation: The request is too large for the carrier.
        """
        if self.max_message_size is not None and size > self.max_message_size:
            raise self.violation(
                f"the request is {size} bytes, over the carrier's {self.max_message_size}", 2004
            )

    def fill_identification(self, message: MM7Request) -> MM7Request:
        """Return a copy of ``message`` whose empty VASPID/VASID are filled from the profile.

        Args:
            message: A generated VASP request (with ``sender_identification``; an extendedReplaceReq, whose
                VASPID and VASID are direct children) or any other message.

        Returns:
            The same object when nothing needed filling, else a changed copy.
        """
        ident = sender_identification(message)
        if ident is None:
            if _element_name(message) != "extendedReplaceReq":
                return message
            # The standard's extendedReplaceReq has no SenderIdentification (schemas/README.md, F14).
            changes = self._missing_ids(message)
            return (
                cast("MM7Request", dataclasses.replace(cast(Any, message), **changes)) if changes else message
            )
        changes = self._missing_ids(ident)
        if not changes:
            return message
        filled = dataclasses.replace(
            ident,
            vasp_id=changes.get("vasp_id", ident.vasp_id),
            vas_id=changes.get("vas_id", ident.vas_id),
        )
        return cast("MM7Request", dataclasses.replace(cast(Any, message), sender_identification=filled))

    def _missing_ids(self, holder: Any) -> dict[str, str]:
        """The profile's VASPID/VASID for those ``holder`` leaves empty."""
        changes = {}
        if not holder.vasp_id and self.vasp_id:
            changes["vasp_id"] = self.vasp_id
        if not holder.vas_id and self.vas_id:
            changes["vas_id"] = self.vas_id
        return changes

    def violation(self, message: str, status_code: int | None) -> ProfileViolation:
        """Build a :class:`ProfileViolation` for this profile (the caller raises it)."""
        return ProfileViolation(message, status_code=status_code, profile=self.name)

    @staticmethod
    def emit(notes: Sequence[str], *, warn: bool) -> tuple[str, ...]:
        """Return ``notes`` as a tuple, also warning about each one when ``warn``."""
        if warn:
            level = _caller_stacklevel()
            for note in notes:
                warnings.warn(note, ProfileWarning, stacklevel=level)
        return tuple(notes)


def has_sender_id(ident: Any, field_name: str) -> bool:
    """Whether a SenderIdentification carries ``field_name`` (``VASPID``, ``VASID`` or ``ShortCode``)."""
    if ident is None:
        return False
    if field_name == "VASPID":
        return bool(ident.vasp_id)
    if field_name == "VASID":
        return bool(ident.vas_id)
    address = ident.sender_address
    return address is not None and address.short_code is not None and bool(address.short_code.value)


def _number_problem(value: str, number_format: str, default_region: str | None) -> str | None:
    """Why a recipient number is not written in ``number_format``, or None when it is."""
    from mm7.profiles.numbers import InvalidNumberError, normalize_msisdn

    digits = value[1:] if value.startswith("+") else value
    if number_format == "international" and (value.startswith("+") or not value.isdigit()):
        return "write it as international digits without '+' (e.g. 15551234567)"
    if number_format == "e164" and not (value.startswith("+") and digits.isdigit()):
        return "write it in E.164 with '+' (e.g. +15551234567)"
    try:
        normalize_msisdn(value, default_region=default_region if number_format == "national" else None)
    except InvalidNumberError as exc:
        return exc.message
    return None


def _caller_stacklevel() -> int:
    """The ``stacklevel`` pointing at the first frame outside mm7, so warnings name the caller's line."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("mm7."):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
