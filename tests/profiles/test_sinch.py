"""The Sinch profile's rules, each checked before sending (facts: docs/sinch.md)."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import pytest

from mm7 import Part, decode, encode, submit_request
from mm7.codec.builders import xml_datetime
from mm7.codec.smil import mixed_content
from mm7.codec.status import SINCH
from mm7.codec.versions import REL6
from mm7.profiles.base import ProfileViolation, ProfileWarning
from mm7.profiles.sinch import SINCH_ENDPOINT, STRIPPED_ELEMENTS, SinchProfile

BINDINGS = REL6.bindings
PROFILE = SinchProfile(api_key="API-KEY", vas_id="12345mms", short_code="12345")
TEXT = [Part.from_text("Hello")]


def numbers_of(message: Any) -> list[tuple[str, bool]]:
    return [(a.value, a.display_only) for multi in message.recipients.to for a in multi.number]


def violation(call: Any) -> ProfileViolation:
    with pytest.raises(ProfileViolation) as info:
        call()
    return info.value


def test_defaults() -> None:
    assert PROFILE.endpoint == SINCH_ENDPOINT
    assert PROFILE.status_table == SINCH  # read from mm7/profiles/data/sinch.toml: same codes, same advice
    assert PROFILE.vasp_id == "API-KEY" and PROFILE.mm7_version == "6.8.0"
    assert PROFILE.http_headers() == {}
    assert SinchProfile(api_key="k", carrier_id="0001890").http_headers() == {"X-Mblox-Carrier-Id": "0001890"}


def test_prepared_submit_encodes_and_validates_with_smil() -> None:
    prepared = PROFILE.prepare_submit(PROFILE.submit_request("+1 555 319 9144", subject="Hi"), TEXT)
    wire = encode(prepared.message, content=prepared.content)
    received = decode(wire.to_bytes(), wire.content_type, mode="strict")
    assert numbers_of(received.message) == [("15553199144", False)]
    assert received.message.sender_identification.sender_address.short_code.value == "12345"
    assert received.content is not None and received.content.params["type"] == "application/smil"
    assert [p.media_type for p in received.media_parts()] == ["text/plain"]
    smil = received.smil()
    assert smil is not None and smil.media_type == "application/smil"


def test_version_5_3_0_is_supported_and_others_are_refused() -> None:
    rel5 = SinchProfile(api_key="k", short_code="12345", mm7_version="5.3.0")
    prepared = rel5.prepare_submit(rel5.submit_request("15553199144"), TEXT)
    encode(prepared.message, content=prepared.content)  # validates against REL-5-MM7-1-3
    assert violation(lambda: SinchProfile(api_key="k", mm7_version="6.3.0")).status_code == 2505


# ------------------------------------------------------------------------------------- numbers


def test_numbers_are_normalized_to_international_digits() -> None:
    prepared = PROFILE.prepare_submit(PROFILE.submit_request("0064 21 111 1111"), TEXT)
    assert numbers_of(prepared.message) == [("64211111111", False)]


def test_number_without_country_code_needs_a_default_region() -> None:
    message = PROFILE.submit_request("(555) 319-9144")
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == 2002
    us = dataclasses.replace(PROFILE, default_region="US")
    assert numbers_of(us.prepare_submit(message, TEXT).message) == [("15553199144", False)]


def test_original_message_is_not_changed() -> None:
    message = PROFILE.submit_request("+1 555 319 9144", linked_id="L1")
    with pytest.warns(ProfileWarning):
        PROFILE.prepare_submit(message, TEXT)
    assert numbers_of(message) == [("+1 555 319 9144", False)] and message.linked_id == "L1"


def test_short_code_and_email_recipients_are_refused() -> None:
    assert (
        violation(lambda: PROFILE.prepare_submit(PROFILE.submit_request("54321"), TEXT)).status_code == 2002
    )
    message = PROFILE.submit_request("someone@example.com")
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == 2002


# ------------------------------------------------------------------------------------- recipients


def test_more_than_one_recipient_is_2503_and_fan_out_splits() -> None:
    message = submit_request(
        to=["15553199144", "15553199145"], cc=["15553199146"], vasp_id="API-KEY", sender="12345"
    )
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == 2503
    singles = PROFILE.fan_out(message)
    assert [numbers_of(m) for m in singles] == [
        [("15553199144", False)],
        [("15553199145", False)],
        [("15553199146", False)],
    ]
    assert all(m.recipients.cc == [] for m in singles)
    for single in singles:
        prepared = PROFILE.prepare_submit(single, TEXT)
        encode(prepared.message, content=prepared.content)


def test_no_recipient_is_2502() -> None:
    message = PROFILE.submit_request("15553199144")
    message.recipients.to = []
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == 2502


def test_group_message_with_one_receiver_passes_and_is_not_fanned_out() -> None:
    group = ["15553199144", "15553199145", "15553199146"]
    message = PROFILE.submit_request(group, display_only=group[1:])
    prepared = PROFILE.prepare_submit(message, TEXT)
    assert numbers_of(prepared.message) == [(group[0], False), (group[1], True), (group[2], True)]
    assert len(PROFILE.fan_out(message)) == 1


def test_group_message_all_display_only_is_2571() -> None:
    group = ["15553199144", "15553199145"]
    message = PROFILE.submit_request(group, display_only=group)
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == 2571


def test_group_message_with_two_receivers_is_2572() -> None:
    group = ["15553199144", "15553199145", "15553199146"]
    message = PROFILE.submit_request(group, display_only=group[2:])
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == 2572


# ------------------------------------------------------------------------------------- subject


@pytest.mark.parametrize("subject", ["Caf\u00e9", "Party \U0001f389"])
def test_non_ascii_subject_is_refused(subject: str) -> None:
    message = PROFILE.submit_request("15553199144", subject=subject)
    exc = violation(lambda: PROFILE.prepare_submit(message, TEXT))
    assert exc.status_code is None and "non-ASCII" in str(exc)


def test_long_subject_only_warns() -> None:
    message = PROFILE.submit_request("15553199144", subject="x" * 81)
    with pytest.warns(ProfileWarning, match="81 characters"):
        prepared = PROFILE.prepare_submit(message, TEXT)
    assert prepared.message.subject == "x" * 81 and len(prepared.warnings) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert PROFILE.check(message) == list(prepared.warnings)  # check() returns, does not warn


# ------------------------------------------------------------------------------------- elements


def test_stripped_elements_are_removed_with_a_warning() -> None:
    values: dict[str, Any] = {
        "applic_id": "app",
        "aux_applic_info": "aux",
        "content_class": BINDINGS.ContentClassType("image-basic"),
        "delivery_condition": BINDINGS.DeliveryConditionType(dc=[1]),
        "distribution_indicator": True,
        "drm_content": False,
        "earliest_delivery_time": xml_datetime(),
        "linked_id": "L1",
    }
    message = PROFILE.submit_request("15553199144")
    for name, value in values.items():
        setattr(message, name, value)
    with pytest.warns(ProfileWarning) as record:
        prepared = PROFILE.prepare_submit(message, TEXT)
    assert {str(w.message).split()[0] for w in record} == set(STRIPPED_ELEMENTS.values())
    assert all(getattr(prepared.message, name) is None for name in STRIPPED_ELEMENTS)
    encode(prepared.message, content=prepared.content)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("charged_party_id", "acct-1", 3002), ("charged_party", "Sender", 3002), ("reply_charging", "rc", 2565)],
)
def test_refused_elements_never_leave(field: str, value: Any, code: int) -> None:
    message = PROFILE.submit_request("15553199144")
    if field == "charged_party":
        value = BINDINGS.ChargedPartyType(value)
    elif field == "reply_charging":
        value = BINDINGS.ReplyChargingType()
    setattr(message, field, value)
    assert violation(lambda: PROFILE.prepare_submit(message, TEXT)).status_code == code


# ------------------------------------------------------------------------------------- identity and content


def test_missing_vaspid_is_2564_and_missing_sender_is_2504() -> None:
    anonymous = SinchProfile(short_code="12345")
    message = submit_request(to="15553199144", sender="12345")
    assert violation(lambda: anonymous.prepare_submit(message, TEXT)).status_code == 2564
    no_short_code = SinchProfile(api_key="k")
    message = submit_request(to="15553199144", vasp_id="k")
    assert violation(lambda: no_short_code.prepare_submit(message, TEXT)).status_code == 2504


def test_missing_content_is_2506() -> None:
    message = PROFILE.submit_request("15553199144")
    assert violation(lambda: PROFILE.prepare_submit(message, None)).status_code == 2506
    assert violation(lambda: PROFILE.prepare_submit(message, [])).status_code == 2506


def test_content_without_smil_gets_one() -> None:
    message = PROFILE.submit_request("15553199144")
    mixed = mixed_content([Part.from_bytes(b"\xff\xd8jpeg", "image/jpeg"), Part.from_text("caption")])
    prepared = PROFILE.prepare_submit(message, mixed)
    assert prepared.content is not None and prepared.content.media_type == "multipart/related"
    assert prepared.content.children is not None
    assert prepared.content.children[0].media_type == "application/smil"
    assert prepared.content.start == prepared.content.children[0].content_id
    leaf = Part.from_bytes(b"GIF89a", "image/gif")
    single = PROFILE.prepare_submit(message, leaf).content
    assert single is not None and [c.media_type for c in single.children or []] == [
        "application/smil",
        "image/gif",
    ]


def test_only_submit_is_supported() -> None:
    assert violation(lambda: PROFILE.prepare("CancelReq", object())).status_code == 2512
