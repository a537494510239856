"""Phone numbers in the form MM7 carriers want: international digits only.

Sinch (and most MM7 relays) want a recipient ``Number`` as the country code followed by the national
number, digits only: no ``+``, no ``00``/``011`` international prefix, no punctuation. A number sent
without its country code is routed to the wrong country, so :func:`normalize_msisdn` refuses to guess.

Parsing uses the ``phonenumbers`` library (Google's libphonenumber metadata). Numbers are accepted when
``phonenumbers.is_possible_number`` holds (plausible length for the country), **not**
``is_valid_number``: validity also checks number ranges against allocation data, which rejects the
fictitious 555 numbers used in docs and tests (US (555)-319-9144) and lags behind newly allocated
ranges. The carrier is the authority on whether a number exists.
"""

from __future__ import annotations

import re

import phonenumbers

from mm7.errors import ConfigError

__all__ = ["InvalidNumberError", "looks_like_short_code", "normalize_msisdn"]


class InvalidNumberError(ConfigError):
    """A phone number could not be turned into international digits.

    Attributes:
        number: The number as given.
    """

    def __init__(self, message: str, *, number: str) -> None:
        super().__init__(message)
        self.number = number


# Characters people put in numbers that carry no meaning: blanks, dashes, dots, slashes, brackets.
_PUNCTUATION = re.compile(r"[\s\-./()\[\]]")
_SHORT_CODE = re.compile(r"[0-9]{3,8}")

_POSSIBLE_REASONS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length for its country",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "only a local number (missing area code?)",
}


def normalize_msisdn(number: str, *, default_region: str | None = None) -> str:
    """Return ``number`` as international digits: country code + national number, nothing else.

    Accepted inputs: ``+64 21 111 1111``, ``0064 21 111 1111`` (``00`` international prefix),
    ``011 64 21 111 1111`` (North American ``011`` prefix, when ``default_region`` is None or a
    region dialling ``011``), national formats such as ``(555)-319-9144`` with ``default_region="US"``,
    and already-normalized digits such as ``15553199144``.

    Without ``default_region``, a digits-only input with no international prefix is read as already
    international (the carriers' own format), while a national-looking input (trunk prefix ``0`` or
    an area code in brackets) is refused: its country cannot be known. Callers holding national
    numbers must pass ``default_region``.

    Args:
        number: The number as written by a person or another system.
        default_region: ISO 3166-1 alpha-2 region (``"US"``, ``"NZ"``...) used for numbers written
            without a country code.

    Returns:
        Digits only, e.g. ``"15553199144"``.

    Raises:
        InvalidNumberError: When the number is empty, unparseable, not a possible number for its
            country, or has no country code and no ``default_region`` was given.
    """
    original = number
    text = number.strip()
    if not text:
        raise InvalidNumberError("empty phone number", number=original)
    compact = _PUNCTUATION.sub("", text)

    # "00" is the international prefix in most of the world, and no national number starts with it,
    # so it is read as "+" whatever the region. "011" (North America's prefix) is only stripped here
    # when there is no region: with a region, libphonenumber knows whether 011 is that region's
    # international prefix (US) or the start of a national number (e.g. UK area code 0114).
    explicit_country = compact.startswith(("+", "00")) or (
        default_region is None and compact.startswith("011")
    )
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif default_region is None and compact.startswith("011"):
        compact = "+" + compact[3:]

    if not compact.startswith("+") and default_region is None:
        if compact.startswith("0") or "(" in text:
            raise InvalidNumberError(
                f"phone number {original!r} has no country code; write it with +<country code> "
                "or pass default_region",
                number=original,
            )
        if compact.isascii() and compact.isdigit():
            compact = "+" + compact  # already international digits (the carrier format)

    hint = (
        "" if explicit_country or default_region is not None else " (a national number needs default_region)"
    )
    region = None if compact.startswith("+") else default_region
    try:
        parsed = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumberError(
            f"cannot read phone number {original!r}: {exc}{hint}", number=original
        ) from exc
    if parsed.extension:
        raise InvalidNumberError(
            f"phone number {original!r} has an extension; MSISDNs have none", number=original
        )
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        why = _POSSIBLE_REASONS.get(reason, "not a possible number")
        raise InvalidNumberError(f"phone number {original!r} is not usable: {why}{hint}", number=original)
    # E.164 formatting keeps significant leading zeros (Italy) that national_number alone drops.
    digits = _e164_digits(parsed)
    # The result must read back as itself, or the carrier would route another number. It does not
    # for degenerate inputs such as "+49 000000" (leading zeros where no national number has them).
    try:
        stable = _e164_digits(phonenumbers.parse("+" + digits, None)) == digits
    except phonenumbers.NumberParseException:
        stable = False
    if not stable:
        raise InvalidNumberError(
            f"phone number {original!r} has no stable international form", number=original
        )
    return digits


def _e164_digits(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def looks_like_short_code(value: str) -> bool:
    """Return True when ``value`` looks like a short code: 3 to 8 ASCII digits (blanks around ignored).

    Args:
        value: A sender or recipient address.

    Returns:
        Whether it is shaped like a short code. This is a shape check only: some short codes are
        also valid-looking national numbers, and provisioning is the carrier's business.
    """
    return _SHORT_CODE.fullmatch(value.strip()) is not None
