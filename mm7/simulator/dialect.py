"""What the simulator takes from a carrier profile (``mm7 simulate --profile NAME|FILE.toml``).

A :class:`~mm7.profiles.Profile` states a carrier's dialect; the simulator speaks it:

* **Accepting:** the profile's MM7Versions and namespace, its auth scheme (Basic, Bearer, Digest), its
  ``SOAPAction`` style, its required identification fields, its recipients per request and its largest
  request (:func:`submit_rules`).
* **Answering:** the simulator's checks are Sinch's and name Sinch's codes; a profile with Sinch's rules
  answers them as they are, any other answers the TS 23.140 code of the same mistake
  (:data:`STANDARD_CODE_OF`), with the StatusText of the profile's status table.
* **Reporting:** delivery reports carry only MMStatus values of the profile's vocabulary, spelled as the
  profile spells them (Sinch's ``Unrecognized``, ``Unreachable``...); they go out with the profile's
  ``SOAPAction`` style and carrier-id header, and a blank HTTP 200 acknowledges them only when the
  profile says the carrier takes one.

Facts a profile leaves unknown keep the simulator's defaults (``docs/simulator.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from mm7.codec.status import MMStatus, parse_mm_status
from mm7.codec.versions import NAMESPACE_PREFIX, REL5, REL6, REVISIONS, Dialect, for_mm7_version
from mm7.errors import ConfigError
from mm7.profiles.base import Profile
from mm7.simulator.rules import DEFAULT_MAX_REQUEST_SIZE, SINCH_MM7_VERSIONS, SubmitRules

__all__ = [
    "DEFAULT_CARRIER_ID_HEADER",
    "STANDARD_CODE_OF",
    "answer_code",
    "profile_mm_status",
    "soap_action_headers",
    "submit_rules",
]

#: The carrier-id header of postbacks when no profile names one (Sinch's).
DEFAULT_CARRIER_ID_HEADER = "X-Mblox-Carrier-Id"

#: For each Sinch code the simulator's checks raise, the TS 23.140 code of the same mistake: what a
#: profile without Sinch's rules answers (a code not listed is answered as it is).
STANDARD_CODE_OF: Mapping[int, int] = MappingProxyType(
    {
        2500: 2000,  # Content-Length / Content-Type: Client error
        2502: 2002,  # no recipient: Address error
        2503: 3003,  # several recipients: Multiple addresses not supported
        2505: 4002,  # MM7Version: Unsupported version
        2506: 2007,  # no Content: Message format corrupt
        2507: 4002,  # namespace: Unsupported version
        2510: 2007,  # SOAP header: Message format corrupt
        2511: 4004,  # schema: Validation error
        2512: 4003,  # operation: Unsupported operation
        2560: 2004,  # too large: Multimedia refused
        2561: 4001,  # identification: Improper identification
        2562: 4001,
        2563: 4001,
        2564: 4001,
        2568: 4001,  # authentication
        2571: 2002,  # displayOnly misuse: Address error
        2572: 2002,
        3002: 2001,  # ChargedParty: Operation restricted
        3510: 4006,  # throughput: Service unavailable
    }
)


def _sinch_codes(profile: Profile | None) -> bool:
    return profile is None or profile.RULES == "sinch"


def answer_code(profile: Profile | None, sinch_code: int) -> tuple[int, str]:
    """The status code and StatusText answered for a check that names ``sinch_code``.

    Args:
        profile: The profile spoken (None: the simulator's Sinch default).
        sinch_code: The code of the check that failed (Sinch's).

    Returns:
        ``(code, text)``: Sinch's code for a profile with Sinch's rules, else the standard's; the text from
        the profile's status table.
    """
    if _sinch_codes(profile):
        from mm7.codec.status import SINCH

        return sinch_code, SINCH.lookup(sinch_code).name
    assert profile is not None
    code = STANDARD_CODE_OF.get(sinch_code, sinch_code)
    return code, profile.status_table.lookup(code).name


def submit_rules(profile: Profile, **account: Any) -> SubmitRules:
    """The account rules of a simulator speaking ``profile``; ``account`` (credentials, ids) is kept.

    The profile's MM7Versions (unknown: 5.3.0 and 6.8.0 plus its own), its namespace for its release
    (unknown, or another release: every revision of that release), its auth scheme, ``SOAPAction`` style,
    required identification fields, recipients per request (unknown: no limit), largest request (unknown:
    the default) and user name.
    ``account`` values not None replace the profile's (``max_request_size`` from the command line).
    """
    versions = frozenset(profile.mm7_versions) or SINCH_MM7_VERSIONS | {profile.mm7_version}
    namespaces: set[str] = set()
    for version in versions:
        release = for_mm7_version(version)
        if profile.namespace is not None and release is for_mm7_version(profile.mm7_version):
            namespaces.add(Dialect(profile.namespace, profile.mm7_version).namespace)
        else:  # the namespace of this release is unknown: every revision TS 23.140 published for it
            namespaces.update(NAMESPACE_PREFIX + key for key in REVISIONS[release.release])
    values: dict[str, Any] = {
        "mm7_versions": versions,
        "namespaces": frozenset(namespaces),
        "max_request_size": profile.max_message_size or DEFAULT_MAX_REQUEST_SIZE,
        "auth": profile.auth or "basic",
        "recipients_per_request": 1 if _sinch_codes(profile) else profile.recipients_per_request,
        "required_ids": tuple(profile.required_ids or ()),
        "soap_action": profile.soap_action,
        "username": profile.username,
    }
    values.update({key: value for key, value in account.items() if value is not None})
    return SubmitRules(**values)


def profile_mm_status(profile: Profile | None, value: str) -> str:
    """A configured delivery-report MMStatus, spelled as ``profile``'s vocabulary spells it.

    Without a profile, or with a profile whose vocabulary is unknown, only the standard's values are
    sent (``Unrecognized`` as the standard's ``Unrecognised``). A profile that lists its vocabulary
    sends exactly its words, Sinch's ``NotSupported`` and ``Unreachable`` included.

    Raises:
        ConfigError: The value is not in the profile's vocabulary (or not a standard value).
    """
    parsed = parse_mm_status(value)
    vocabulary = profile.dr_statuses if profile is not None else None
    if vocabulary:
        for word in vocabulary:
            if parsed is not None and _same_status(parse_mm_status(word), parsed):
                return word
        raise ConfigError(
            f"{value!r} is not in the {profile.name if profile else ''} profile's delivery-report "
            f"vocabulary ({', '.join(vocabulary)})"
        )
    standard = REL5.standard_mm_statuses | REL6.standard_mm_statuses
    if parsed is MMStatus.UNRECOGNIZED:
        return MMStatus.UNRECOGNISED.value
    if parsed is None or parsed.value not in standard:
        raise ConfigError(
            f"{value!r} is not an MMStatus value the standard defines ({', '.join(sorted(standard))})"
        )
    return parsed.value


def _same_status(a: MMStatus | None, b: MMStatus) -> bool:
    spellings = {MMStatus.UNRECOGNISED, MMStatus.UNRECOGNIZED}
    return a is b or (a in spellings and b in spellings)


def soap_action_headers(headers: Mapping[str, str], profile: Profile | None) -> dict[str, str]:
    """``headers`` with ``SOAPAction`` written in the profile's style (unknown: as the codec wrote it)."""
    out = dict(headers)
    style = profile.soap_action if profile is not None else None
    if style == "empty":
        out["SOAPAction"] = '""'
    elif style == "absent":
        out.pop("SOAPAction", None)
    return out
