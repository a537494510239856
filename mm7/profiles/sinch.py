"""The Sinch profile: Sinch's MM7 identity, defaults and rules, checked before anything is sent.

The dialect (endpoint, versions, SOAPAction, auth, carrier-id header, status codes, delivery-report
vocabulary) is data: ``mm7/profiles/data/sinch.toml``, whose values are this class's defaults, so
``MM7Client.for_sinch`` and ``mm7 send --profile sinch`` read the same file. The rules are code.

Every rule below is a fact from Sinch's public MM7 documentation (summarised in ``docs/sinch.md``); each
raises :class:`~mm7.profiles.base.ProfileViolation` carrying the status code Sinch would have answered,
so a mistake costs no request and reads the same as the carrier's own answer:

* ``MM7Version`` is ``5.3.0`` or ``6.8.0`` (else 2505); SubmitReq is the only operation (2512).
* Exactly one delivering recipient per SubmitReq: none → 2502, several → 2503. :meth:`SinchProfile.fan_out`
  turns a multi-recipient request into one request per recipient.
* Group messaging (US 10DLC): recipients carry ``displayOnly``; exactly one must be ``false``.
  All ``true`` → 2571, more than one ``false`` → 2572.
* Numbers are international digits without ``+``/``00`` (:func:`~mm7.profiles.numbers.normalize_msisdn`);
  a number without country code is refused (2002) unless ``default_region`` says which country.
* ``Subject``: non-ASCII (emoji included) is refused, because carriers reject it (Sinch documents no
  status code for that, so the violation carries None); more than 80 characters only warns.
* Elements Sinch silently strips are removed here with a warning, so what is sent is what Sinch uses:
  ApplicID, AuxApplicInfo, ContentClass, DeliveryCondition, DistributionIndicator, DRMContent,
  EarliestDeliveryTime, LinkedID. ChargedParty/ChargedPartyID are refused (3002), ReplyCharging too (2565).
* SMIL is required: the content is a ``multipart/related`` whose root is ``application/smil``. Media
  parts given without one are wrapped with :func:`~mm7.codec.smil.related_content`, which generates it.
* SenderIdentification: VASPID is the API key (missing → 2564), SenderAddress is the short code
  (missing → 2504), VASID the service id (optional on dedicated short codes).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from mm7.codec import message_types, summary
from mm7.codec.builders import submit_request
from mm7.codec.mime import Part
from mm7.codec.smil import SMIL_MEDIA_TYPE, related_content
from mm7.codec.status import StatusTable
from mm7.codec.versions import for_mm7_version
from mm7.profiles.base import (
    AuthScheme,
    IdField,
    NumberFormat,
    Prepared,
    Profile,
    ProfileViolation,
    SoapActionStyle,
)
from mm7.profiles.files import KEYS, read_values, shipped_text
from mm7.profiles.numbers import InvalidNumberError, normalize_msisdn
from mm7.rate import Rate

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Request, SubmitReq

__all__ = [
    "CONTENT_ID",
    "MAX_SUBJECT_LENGTH",
    "REFUSED_ELEMENTS",
    "SINCH_ENDPOINT",
    "STRIPPED_ELEMENTS",
    "SUPPORTED_VERSIONS",
    "SinchProfile",
]

#: The shipped ``sinch`` profile file's values (the defaults of :class:`SinchProfile`).
#: (Every key is present: None where the file says nothing.)
_DATA: dict[str, Any] = (
    dict.fromkeys(KEYS) | read_values(shipped_text("sinch"), "mm7/profiles/data/sinch.toml")[1]
)
#: Sinch's MM7 endpoint (HTTPS only).
SINCH_ENDPOINT: str = _DATA["endpoint"]
#: The ``MM7Version`` values Sinch accepts (anything else: 2505).
SUPPORTED_VERSIONS = frozenset(_DATA["mm7_versions"])
#: Sinch's recommended longest Subject; longer ones are sent, with a warning.
MAX_SUBJECT_LENGTH = 80
#: Content-ID given to the content multipart when it has none (``Content href="cid:mms-content"``).
CONTENT_ID = "mms-content"

#: SubmitReq elements Sinch removes without telling (generated field name → element name).
STRIPPED_ELEMENTS = {
    "applic_id": "ApplicID",
    "aux_applic_info": "AuxApplicInfo",
    "content_class": "ContentClass",
    "delivery_condition": "DeliveryCondition",
    "distribution_indicator": "DistributionIndicator",
    "drm_content": "DRMContent",
    "earliest_delivery_time": "EarliestDeliveryTime",
    "linked_id": "LinkedID",
}
#: SubmitReq elements Sinch answers with an error (field → (element, status code)).
REFUSED_ELEMENTS = {
    "charged_party": ("ChargedParty", 3002),
    "charged_party_id": ("ChargedPartyID", 3002),
    "reply_charging": ("ReplyCharging", 2565),
}


@dataclass(frozen=True, kw_only=True)
class SinchProfile(Profile):
    """Sinch's MM7 service: the dialect of ``mm7/profiles/data/sinch.toml`` and Sinch's rules.

    Attributes:
        api_key: The account's API key, sent as VASPID.
        short_code: The provisioned short code, sent as ``SenderAddress/ShortCode``.
        vas_id: The service id of the short code (mandatory on shared short codes).
        rates: The account's published throughput limits, enforced client-side by the client's throttle.
    """

    RULES = "sinch"

    name: str = _DATA["name"]
    description: str = _DATA["description"] or ""
    endpoint: str | None = SINCH_ENDPOINT
    mm7_version: str = _DATA["mm7_version"]
    mm7_versions: tuple[str, ...] = _DATA["mm7_versions"]
    namespace: str | None = _DATA["namespace"]
    soap_action: SoapActionStyle | None = _DATA["soap_action"]
    auth: AuthScheme | None = _DATA["auth"]
    required_ids: tuple[IdField, ...] | None = _DATA["required_ids"]
    number_format: NumberFormat | None = _DATA["number_format"]
    max_message_size: int | None = _DATA["max_message_size"]
    media_types: tuple[str, ...] | None = _DATA["media_types"]
    recipients_per_request: int | None = _DATA["recipients_per_request"]
    #: ``X-Mblox-Carrier-Id``; its value (``carrier_id``, e.g. AT&T ``0001470``) saves Sinch a paid lookup
    #: and gives the best throughput.
    carrier_id_header: str | None = _DATA["carrier_id_header"]
    status_table: StatusTable = field(default=_DATA["status_table"])
    dr_statuses: tuple[str, ...] | None = _DATA["dr_statuses"]
    blank_200_ack: bool | None = _DATA["blank_200_ack"]
    api_key: str = ""
    short_code: str | None = None
    rates: tuple[Rate, ...] = ()

    def __post_init__(self) -> None:
        if self.mm7_version not in SUPPORTED_VERSIONS:
            raise ProfileViolation(
                f"MM7Version {self.mm7_version!r} is not one of {sorted(SUPPORTED_VERSIONS)}",
                status_code=2505,
                profile=self.name,
                key="mm7_version",
            )
        super().__post_init__()
        if self.api_key and self.vasp_id is None:
            object.__setattr__(self, "vasp_id", self.api_key)
        object.__setattr__(self, "rates", tuple(self.rates))

    # ------------------------------------------------------------------------------ building

    def submit_request(
        self, to: str | Sequence[str], *, subject: str | None = None, **fields: object
    ) -> SubmitReq:
        """Build a SubmitReq with this account's identity (VASPID, VASID, short code) and version.

        Args:
            to: The recipient number(s); normalized when the request is prepared.
            subject: Subject (ASCII, at most 80 characters recommended).
            **fields: Further arguments of :func:`mm7.codec.builders.submit_request`.

        Returns:
            The generated SubmitReq.
        """
        fields.setdefault("vasp_id", self.vasp_id)
        fields.setdefault("vas_id", self.vas_id)
        fields.setdefault("sender", self.short_code)
        fields.setdefault("mm7_version", self.mm7_version)
        return submit_request(to=to, subject=subject, **cast("dict[str, Any]", fields))

    def content(self, parts: Part | Sequence[Part]) -> Part:
        """Return the content Sinch requires: ``multipart/related`` with a SMIL root and a Content-ID.

        Args:
            parts: Media parts (a SMIL is generated), or a content part (kept when it has a SMIL root).

        Returns:
            The content part.
        """
        if isinstance(parts, Part):
            if _has_smil_root(parts):
                content = parts
            else:
                content = related_content(parts.children if parts.children is not None else [parts])
        else:
            content = related_content(list(parts))
        if not content.content_id:
            content = dataclasses.replace(content, content_id=CONTENT_ID)
        return content

    # ------------------------------------------------------------------------------ rules

    def prepare(
        self,
        operation: str,
        message: MM7Request,
        content: Part | Sequence[Part] | None = None,
        *,
        warn: bool = True,
    ) -> Prepared:
        """Apply Sinch's rules; SubmitReq is the only operation Sinch takes (2512 otherwise).

        Raises:
            ProfileViolation: A Sinch rule is broken.
        """
        if operation != "SubmitReq":
            raise self.violation(f"{operation} is not supported; SubmitReq is Sinch's only operation", 2512)
        if not isinstance(message, message_types.SubmitReq):
            raise self.violation(f"{type(message).__name__} is not a SubmitReq", 2512)
        return self.prepare_submit(message, content, warn=warn)

    def check(self, message: MM7Request, content: Part | Sequence[Part] | None = None) -> list[str]:
        """Check a SubmitReq against Sinch's rules without sending or warning.

        Args:
            message: The SubmitReq.
            content: Its content (optional: without it, the content rules are not checked).

        Returns:
            The warnings (stripped elements, long subject).

        Raises:
            ProfileViolation: A rule is broken.
        """
        return list(self._prepare(message, content, warn=False, check_content=content is not None).warnings)

    def prepare_submit(
        self, message: SubmitReq, content: Part | Sequence[Part] | None = None, *, warn: bool = True
    ) -> Prepared:
        """Return a copy of a SubmitReq made ready for Sinch, with its content.

        Args:
            message: The SubmitReq (not modified).
            content: The content part, or media parts to wrap with a generated SMIL.
            warn: Also emit the warnings as :class:`~mm7.profiles.base.ProfileWarning`.

        Returns:
            The message to send, its content and the warnings.

        Raises:
            ProfileViolation: A Sinch rule is broken (the status code says which).
        """
        return self._prepare(message, content, warn=warn, check_content=True)

    def _prepare(
        self, message: Any, content: Part | Sequence[Part] | None, *, warn: bool, check_content: bool
    ) -> Prepared:
        version = getattr(message, "mm7_version", None)
        if version not in SUPPORTED_VERSIONS:
            raise self.violation(f"MM7Version {version!r} is not one of {sorted(SUPPORTED_VERSIONS)}", 2505)
        msg: Any = copy.deepcopy(self.fill_identification(message))
        notes: list[str] = []
        self._refuse_and_strip(msg, notes)
        self._check_sender(msg)
        self._check_recipients(msg)
        self._check_subject(msg.subject, notes)
        prepared_content = self._check_content(msg, content) if check_content else None
        return Prepared(msg, prepared_content, self.emit(notes, warn=warn))

    def fan_out(self, message: SubmitReq) -> list[SubmitReq]:
        """Split a SubmitReq with several delivering recipients into one SubmitReq per recipient (2503).

        A group message (some recipients ``displayOnly="true"``) is one SubmitReq by design and is
        returned whole; its rules are checked when it is prepared.

        Args:
            message: The SubmitReq (not modified).

        Returns:
            One copy per recipient (To, Cc and Bcc numbers, in order), each with a single ``To/Number``.
        """
        addresses = summary.recipients(message)
        if any(a.display_only for a in addresses) or len(addresses) <= 1:
            return [copy.deepcopy(message)]
        bindings = for_mm7_version(message.mm7_version).bindings
        out = []
        for address in addresses:
            single = copy.deepcopy(message)
            single.recipients = bindings.RecipientsType(
                to=[bindings.MultiAddressType(**{address.kind: [copy.deepcopy(address.element)]})]
            )
            out.append(single)
        return out

    def _refuse_and_strip(self, msg: Any, notes: list[str]) -> None:
        for attr, (element, code) in REFUSED_ELEMENTS.items():
            if getattr(msg, attr, None) is not None:
                raise self.violation(f"{element} is not supported", code)
        for attr, element in STRIPPED_ELEMENTS.items():
            if getattr(msg, attr, None) is not None:
                setattr(msg, attr, None)
                notes.append(f"{element} removed: Sinch strips it from SubmitReq")

    def _check_sender(self, msg: Any) -> None:
        ident = msg.sender_identification
        if not ident.vasp_id:
            raise self.violation("SenderIdentification/VASPID (the API key) is missing", 2564)
        if ident.sender_address is None:
            if not self.short_code:
                raise self.violation("SenderAddress is missing and the profile has no short_code", 2504)
            bindings = for_mm7_version(msg.mm7_version).bindings
            ident.sender_address = bindings.SenderAddressType(
                short_code=bindings.AddressType(value=self.short_code)
            )

    def _check_recipients(self, msg: Any) -> None:
        delivering = 0
        display_only = 0
        for address in summary.recipients(msg):
            if address.kind != "number":
                raise self.violation(
                    f"recipient {address.value!r} is not a Number; Sinch delivers to numbers", 2002
                )
            try:
                address.element.value = normalize_msisdn(address.value, default_region=self.default_region)
            except InvalidNumberError as exc:
                raise self.violation(exc.message, 2002) from exc
            if address.display_only:
                display_only += 1
            else:
                delivering += 1
        if display_only:
            # Group messaging: exactly one recipient receives, the others are shown.
            if delivering == 0:
                raise self.violation("group message: every recipient is displayOnly=true", 2571)
            if delivering > 1:
                raise self.violation(f"group message: {delivering} recipients are displayOnly=false", 2572)
        elif delivering == 0:
            raise self.violation("no recipient number", 2502)
        elif delivering > 1:
            raise self.violation(
                f"{delivering} recipients in one SubmitReq; send one per recipient (SinchProfile.fan_out)",
                2503,
            )

    def _check_subject(self, subject: str | None, notes: list[str]) -> None:
        if subject is None:
            return
        if not subject.isascii():
            # Carriers reject non-ASCII subjects (emoji included); Sinch documents no status code for it.
            raise self.violation(f"Subject {subject!r} has non-ASCII characters; carriers reject them", None)
        if len(subject) > MAX_SUBJECT_LENGTH:
            notes.append(
                f"Subject has {len(subject)} characters; Sinch recommends at most {MAX_SUBJECT_LENGTH}"
            )

    def _check_content(self, msg: Any, content: Part | Sequence[Part] | None) -> Part:
        if content is None or (not isinstance(content, Part) and not content):
            raise self.violation("no content: Sinch requires Content with a SMIL presentation", 2506)
        prepared = self.content(content)
        reference = getattr(getattr(msg, "content", None), "href", None)
        if reference is not None and reference != f"cid:{prepared.content_id}":
            raise self.violation(f"Content href {reference!r} does not point at the content part", 2506)
        return prepared


def _has_smil_root(part: Part) -> bool:
    if part.media_type != "multipart/related" or not part.children:
        return False
    root = next((c for c in part.children if c.content_id == part.start), None) if part.start else None
    root = root or part.children[0]
    return root.media_type == SMIL_MEDIA_TYPE
