"""What a carrier profile is: identity, defaults, and the carrier's rules checked before sending.

A :class:`Profile` is a frozen value the client consults for every request:

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
from typing import TYPE_CHECKING, Any, cast

from mm7.codec.mime import Part
from mm7.codec.smil import as_content
from mm7.codec.status import THREEGPP, StatusTable
from mm7.codec.summary import sender_identification
from mm7.errors import ConfigError

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Request

__all__ = ["Prepared", "Profile", "ProfileViolation", "ProfileWarning"]


def _element_name(message: Any) -> str | None:
    """The element name of a generated message object (``extendedReplaceReq``...), None for anything else."""
    name = getattr(getattr(type(message), "Meta", None), "name", None)
    return name if isinstance(name, str) else None


class ProfileViolation(ConfigError):
    """The message breaks a carrier rule; it was not sent.

    Attributes:
        status_code: The carrier's status code for this mistake (what it would have answered), or None
            when the carrier documents no code for it.
        profile: Name of the profile whose rule was broken.
    """

    def __init__(self, message: str, *, status_code: int | None, profile: str) -> None:
        code = f" (status {status_code})" if status_code is not None else ""
        super().__init__(f"{profile}: {message}{code}")
        self.status_code = status_code
        self.profile = profile


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
    """A carrier's identity and rules. This base applies no carrier rule.

    Attributes:
        name: Short name used in messages and throttle keys.
        endpoint: Default endpoint URL, if the carrier has one.
        mm7_version: Default ``MM7Version`` for messages the profile builds.
        vasp_id: VASPID filled into requests that have none.
        vas_id: VASID filled into requests that have none.
        status_table: What the carrier's status codes mean (retryable or not).
    """

    name: str = "generic"
    endpoint: str | None = None
    mm7_version: str = "6.8.0"
    vasp_id: str | None = None
    vas_id: str | None = None
    status_table: StatusTable = field(default=THREEGPP)

    def http_headers(self) -> dict[str, str]:
        """Extra HTTP headers the carrier wants on every request."""
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
        return Prepared(self.fill_identification(message), as_content(content))

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


def _caller_stacklevel() -> int:
    """The ``stacklevel`` pointing at the first frame outside mm7, so warnings name the caller's line."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("mm7."):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
