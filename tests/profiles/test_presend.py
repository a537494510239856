"""Pre-send checks per profile (issue 18, part 4): every rule a profile's data states, before any I/O.

One ProfileViolation lists every problem with the status code TS 23.140 gives it; nothing reaches the relay
(a real loopback server counts the requests).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import mm7
from mm7.client import MM7Client
from mm7.profiles import Profile
from mm7.profiles.base import ProfileViolation
from tests.client.conftest import LoopbackServer, answer
from tests.client.conftest import loopback as loopback  # the fixture, shared with the client tests

STRICT = Profile(
    name="strict-carrier",
    required_ids=("VASPID", "VASID", "ShortCode"),
    number_format="e164",
    media_types=("text/plain", "image/jpeg"),
    recipients_per_request=1,
    max_message_size=4000,
)


def _request(to: list[str], *, vasp_id: str | None = "KEY", sender: str | None = "12345") -> object:
    options: dict[str, object] = {"to": to, "vasp_id": vasp_id}
    if sender is not None:
        options["sender"] = sender
    return mm7.submit_request(**options)


def test_one_violation_lists_every_problem_with_its_status_code() -> None:
    request = _request(["15551234567", "+15557654321"], vasp_id=None, sender=None)
    content = [mm7.Part.from_text("hi"), mm7.Part.from_bytes(b"GIF89a", "image/gif")]
    with pytest.raises(ProfileViolation) as refused:
        STRICT.prepare("SubmitReq", request, content)
    codes = [code for _, code in refused.value.problems]
    assert codes == [4001, 4001, 4001, 3003, 2002, 2004], refused.value.problems
    assert refused.value.status_code == 4001
    messages = " | ".join(message for message, _ in refused.value.problems)
    for expected in ("VASPID", "VASID", "ShortCode", "2 recipients", "'15551234567'", "image/gif"):
        assert expected in messages
    assert "(status 2004)" in str(refused.value)


def test_a_request_that_keeps_the_rules_is_prepared() -> None:
    profile = STRICT.__class__(**{**STRICT.__dict__, "vas_id": "12345mms"})
    prepared = profile.prepare("SubmitReq", _request(["+15551234567"]), [mm7.Part.from_text("hi")])
    assert prepared.content is not None


@pytest.mark.parametrize(
    ("number_format", "good", "bad"),
    [
        ("international", "15551234567", "+15551234567"),
        ("e164", "+15551234567", "15551234567"),
        ("national", "5551234567", "+999123456789"),  # no country 999
    ],
)
def test_number_formats(number_format: str, good: str, bad: str) -> None:
    profile = Profile(name="p", number_format=number_format, default_region="US")  # type: ignore[arg-type]
    profile.prepare("SubmitReq", _request([good]), [mm7.Part.from_text("hi")])
    with pytest.raises(ProfileViolation) as refused:
        profile.prepare("SubmitReq", _request([bad]), [mm7.Part.from_text("hi")])
    assert refused.value.status_code == 2002


def test_unknown_rules_are_not_checked() -> None:
    generic = Profile(name="unknowns")  # every rule None: nobody documents it
    request = _request(["1", "2", "3"], vasp_id=None, sender=None)
    generic.prepare("SubmitReq", request, [mm7.Part.from_bytes(b"x", "application/x-anything")])


def test_the_client_refuses_before_any_byte_is_sent(loopback: Callable[..., LoopbackServer]) -> None:
    server = loopback(answer)
    profile = Profile(name="small", max_message_size=3000, media_types=("text/plain", "image/png"))
    with MM7Client(server.url, profile=profile) as client:
        with pytest.raises(ProfileViolation) as too_big:
            client.submit(
                _request(["15551234567"]), content=[mm7.Part.from_bytes(b"\x89PNG" * 2000, "image/png")]
            )
        assert too_big.value.status_code == 2004 and "over the carrier's 3000" in str(too_big.value)
        with pytest.raises(ProfileViolation) as wrong_type:
            client.submit(_request(["15551234567"]), content=[mm7.Part.from_bytes(b"x", "video/mp4")])
        assert wrong_type.value.status_code == 2004
        assert server.count == 0
        client.submit(_request(["15551234567"]), content=[mm7.Part.from_text("small enough")])
    assert server.count == 1


def test_a_shipped_profile_with_a_size_limit_applies_it(tmp_path: Path) -> None:
    vibes = Profile.from_toml(Path(mm7.profiles.__file__).parent / "data" / "vibes.toml")
    assert vibes.max_message_size is not None
    vibes.check_size(vibes.max_message_size)
    with pytest.raises(ProfileViolation):
        vibes.check_size(vibes.max_message_size + 1)


QUOTED_NAMESPACE = f'"{mm7.codec.versions.REL6.namespace}"'


@pytest.mark.parametrize(
    ("style", "expected"),
    [("namespace", QUOTED_NAMESPACE), ("empty", '""'), ("absent", None), (None, QUOTED_NAMESPACE)],
)
def test_the_soap_action_style_goes_on_the_wire(
    style: str | None, expected: str | None, loopback: Callable[..., LoopbackServer]
) -> None:
    server = loopback(answer)
    profile = Profile(name="styled", soap_action=style)  # type: ignore[arg-type]
    with MM7Client(server.url, profile=profile) as client:
        client.submit(_request(["15551234567"]), content=[mm7.Part.from_text("hi")])
    [received] = server.requests
    sent = {name.lower(): value for name, value in received.headers.items()}.get("soapaction")
    assert sent == expected  # unknown (None): mm7's default, the namespace quoted
