"""The simulator speaking a carrier profile (``SimulatorConfig(profile=...)``, ``mm7 simulate --profile``).

Over loopback HTTP: the profile's status codes and StatusText in faults, its SOAPAction style required,
Bearer and Digest answered with HTTP 401 challenges (Digest's stale nonce included), its delivery-report
vocabulary and spelling on the wire, its carrier-id header and SOAPAction style on postbacks, a blank
HTTP 200 taken as an acknowledgement only where the profile says so, MO messages in its namespace.
What the simulator sent is read with lxml from the raw bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import time
from collections.abc import Iterator

import pytest
from lxml import etree

import mm7
from mm7.client import DigestAuth, MM7Client
from mm7.codec.versions import NAMESPACE_PREFIX, Dialect
from mm7.errors import ConfigError
from mm7.profiles import Profile, load
from mm7.simulator import MMSCSimulator, ServerThread, SimulatorConfig
from mm7.simulator.dialect import STANDARD_CODE_OF, answer_code, submit_rules
from mm7.simulator.rules import DigestNonces, Rejection

from . import Receiver, post, status_of, submit_wire


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def simulator(profile: Profile, **config: object) -> MMSCSimulator:
    account = config.pop("account", {})
    assert isinstance(account, dict)
    rules = submit_rules(profile, **account)
    return MMSCSimulator(SimulatorConfig(profile=profile, rules=rules, report_delay=0.01, **config))  # type: ignore[arg-type]


def fault_status(content: bytes) -> tuple[str | None, str | None]:
    root = etree.fromstring(content)
    code = str(root.xpath("string(//*[local-name()='StatusCode'])")) or None
    text = str(root.xpath("string(//*[local-name()='StatusText'])")) or None
    return code, text


# ------------------------------------------------------------------------------------------ answers


def test_a_sinch_ruled_profile_answers_sinchs_codes_others_the_standards() -> None:
    wire = submit_wire(mm7_version="6.8.0")
    body = wire.to_bytes().replace(b">6.8.0<", b">6.9.9<")  # an MM7Version nobody takes
    answers = {}
    for name in ("sinch", "vibes", "3gpp-rel6"):
        with simulator(load(name)) as sim:
            response = post(sim.url, body, wire.headers)
            assert response.status_code == 500
            answers[name] = fault_status(response.content)
    assert answers["sinch"] == ("2505", "Missing or unsupported MM7Version")
    assert answers["vibes"] == ("4002", "Unsupported version")  # Vibes' own StatusText for 4002
    assert answers["3gpp-rel6"] == ("4002", "Unsupported version")


def test_every_sinch_check_has_a_standard_code_of_the_same_class_or_a_documented_move() -> None:
    profile = load("3gpp-rel6")
    for sinch_code, standard in STANDARD_CODE_OF.items():
        code, text = answer_code(profile, sinch_code)
        assert (code, bool(text)) == (standard, True)
        assert 2000 <= code < 5000 and code % 1000 < 500  # a code the standard defines, not a vendor's


def test_recipients_per_request_of_a_non_sinch_profile(receiver: Receiver) -> None:
    # Telnyx takes To and Cc (no published limit): every number gets its reports.
    with simulator(load("telnyx"), dr_url=receiver.url) as sim:
        response = post(sim.url, *_headers(submit_wire(["15551230001", "15551230002"])))
        assert status_of(response) == 1000
        assert receiver.wait_for(lambda calls: len(calls) == 4)
    recipient = re.compile(rb"<mm7:Recipient><mm7:Number[^>]*>(\d+)<")
    reported = {m.group(1) for c in receiver.calls if (m := recipient.search(c.body))}
    assert reported == {b"15551230001", b"15551230002"}
    # Vibes takes one recipient: 3003 (Sinch would say 2503).
    with simulator(load("vibes")) as sim:
        response = post(sim.url, *_headers(submit_wire(["15551230001", "15551230002"]), soap_action=None))
        assert fault_status(response.content) == ("3003", "Multiple recipients not supported")


def _headers(wire: mm7.EncodedMessage, soap_action: str | None = "keep") -> tuple[bytes, dict[str, str]]:
    headers = dict(wire.headers)
    if soap_action is None:
        headers.pop("SOAPAction", None)
    elif soap_action != "keep":
        headers["SOAPAction"] = soap_action
    return wire.to_bytes(), headers


@pytest.mark.parametrize(
    ("name", "right", "wrong"),
    [
        ("openmarket", '""', "keep"),  # empty
        ("vibes", None, '""'),  # absent
        ("skycore", "keep", '""'),  # the namespace URI, quoted
    ],
)
def test_the_profiles_soap_action_style_is_required(name: str, right: str | None, wrong: str) -> None:
    with simulator(load(name)) as sim:
        assert status_of(post(sim.url, *_headers(submit_wire(), right))) == 1000
        refused = post(sim.url, *_headers(submit_wire(), wrong))
        assert refused.status_code == 500 and fault_status(refused.content)[0] == "2000"


def test_a_profiles_namespace_revision_is_taken_and_answered_in() -> None:
    # Vibes: 6.8.0 in REL-6-MM7-1-4 (stated); 5.5.0's namespace is not in the profile, so any Rel-5 revision
    # is taken (Vibes documents REL-5-MM7-1-2) and answered in.
    request = mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345", mm7_version="5.5.0")
    wire = mm7.encode(request, content=mm7.Part.from_text("x"), namespace="REL-5-MM7-1-2")
    with simulator(load("vibes")) as sim:
        response = post(sim.url, *_headers(wire, None))
    assert response.status_code == 200
    namespace = NAMESPACE_PREFIX + "REL-5-MM7-1-2"
    root = etree.fromstring(response.content)
    assert root.find(f".//{{{namespace}}}SubmitRsp") is not None


def test_a_revision_other_than_the_stated_one_is_refused() -> None:
    # Skycore: 6.8.0 takes REL-6-MM7-1-4 only.
    request = mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345", mm7_version="6.8.0")
    wire = mm7.encode(request, content=mm7.Part.from_text("x"), namespace="REL-6-MM7-1-0")
    with simulator(load("skycore")) as sim:
        response = post(sim.url, *_headers(wire))
    assert response.status_code == 500 and fault_status(response.content)[0] == "4002"


# ------------------------------------------------------------------------------------------ auth


def test_bearer_is_answered_401_with_a_challenge_until_the_token_is_right() -> None:
    with simulator(load("telnyx"), account={"password": "the-token"}) as sim:
        body, headers = _headers(submit_wire())
        missing = post(sim.url, body, headers)
        wrong = post(sim.url, body, {**headers, "Authorization": "Bearer nope"})
        right = post(sim.url, body, {**headers, "Authorization": "Bearer the-token"})
    assert (missing.status_code, missing.headers["WWW-Authenticate"]) == (401, 'Bearer realm="mm7"')
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert status_of(right) == 1000


def test_basic_on_a_standard_profile_is_a_fault_with_the_standards_code() -> None:
    with simulator(load("vibes"), account={"username": "u", "password": "p"}) as sim:
        body, headers = _headers(submit_wire(), None)
        refused = post(
            sim.url, body, {**headers, "Authorization": "Basic " + base64.b64encode(b"u:x").decode()}
        )
        taken = post(
            sim.url, body, {**headers, "Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
        )
    assert fault_status(refused.content) == ("4001", "Authentication failed")  # Vibes' 4001
    assert status_of(taken) == 1000


def test_digest_is_challenged_answered_and_a_stale_nonce_is_challenged_again() -> None:
    profile = dataclasses.replace(load("3gpp-rel6"), auth="digest", username="vasp")
    with simulator(profile, account={"password": "pw"}) as sim:
        body, headers = _headers(submit_wire())
        first = post(sim.url, body, headers)
        assert first.status_code == 401
        challenge = first.headers["WWW-Authenticate"]
        assert challenge.startswith("Digest ") and 'qop="auth"' in challenge and "stale" not in challenge
        with MM7Client(
            sim.url, auth=DigestAuth("vasp", "pw"), dialect=Dialect.for_revision("REL-6-MM7-1-4")
        ) as client:
            result = client.submit(
                mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345"),
                content=mm7.Part.from_text("x"),
            )
        assert result.message_id
        with MM7Client(sim.url, auth=DigestAuth("vasp", "wrong")) as client, pytest.raises(mm7.MM7Error):
            client.submit(
                mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345"),
                content=mm7.Part.from_text("x"),
            )


def test_an_old_nonce_is_stale_and_a_foreign_one_is_refused() -> None:
    nonces = DigestNonces(lifetime=0.05)
    params = dict(re.findall(r'(\w+)="?([^",]+)"?', nonces.challenge().removeprefix("Digest ")))
    auth = DigestAuth("vasp", "pw")
    assert auth.answer_challenge(nonces.challenge().replace(params["nonce"], params["nonce"]))
    answer = auth.authorization("POST", "http://127.0.0.1/mm7")
    nonces.check(answer, "vasp", "pw")  # fresh: accepted
    time.sleep(0.1)
    with pytest.raises(Rejection) as stale:
        nonces.check(answer, "vasp", "pw")
    assert stale.value.challenge is not None and "stale=true" in stale.value.challenge
    other = DigestNonces()
    with pytest.raises(Rejection) as foreign:
        other.check(answer, "vasp", "pw")
    assert foreign.value.challenge is not None and "stale" not in foreign.value.challenge


# ------------------------------------------------------------------------------------------ reports


def test_sinch_reports_carry_its_own_words_as_it_spells_them(receiver: Receiver) -> None:
    fail = {"15550000001": "unreachable", "15550000002": "Unrecognised"}
    with simulator(load("sinch"), dr_url=receiver.url, fail_numbers=fail) as sim:
        for number in fail:
            assert status_of(post(sim.url, *_headers(submit_wire(number)))) == 1000
        assert receiver.wait_for(lambda calls: len(calls) == 4)
    finals = {re.search(rb"MMStatus>(\w+)<", c.body).group(1) for c in receiver.calls} - {b"Forwarded"}  # type: ignore[union-attr]
    assert finals == {b"Unreachable", b"Unrecognized"}  # Sinch's words, not the standard's Unrecognised
    assert all(c.decoded is not None and not c.decoded.violations for c in receiver.calls)


def test_a_word_outside_the_profiles_vocabulary_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="vibes profile's delivery-report vocabulary"):
        SimulatorConfig(profile=load("vibes"), fail_numbers={"15550000001": "Deferred"})
    with pytest.raises(ConfigError, match="standard defines"):
        SimulatorConfig(fail_numbers={"15550000001": "Unreachable"})  # no profile: the standard's only


def test_postbacks_use_the_profiles_carrier_header_and_soap_action(receiver: Receiver) -> None:
    with simulator(load("openmarket"), dr_url=receiver.url, carrier_id="310-410") as sim:
        assert status_of(post(sim.url, *_headers(submit_wire(), '""'))) == 1000
        assert receiver.wait_for(lambda calls: len(calls) == 2)
        sim.inject_mo("15551230000", "12345", "hi")
        assert receiver.wait_for(lambda calls: len(calls) == 3)
    for call in receiver.calls:
        assert call.headers["X-OpenMarket-Carrier-Id"] == "310-410"
        assert "X-Mblox-Carrier-Id" not in call.headers
        assert call.headers["SOAPAction"] == '""'


def test_mo_messages_go_out_in_the_profiles_namespace(receiver: Receiver) -> None:
    profile = dataclasses.replace(load("3gpp-rel5"))
    with simulator(profile, dr_url=receiver.url) as sim:
        sim.inject_mo("15551230000", "12345", "hi")
        assert receiver.wait_for(lambda calls: len(calls) == 1)
    [call] = receiver.calls
    namespace = NAMESPACE_PREFIX + "REL-5-MM7-1-3"
    root = etree.fromstring(call.body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
    assert root.find(f".//{{{namespace}}}DeliverReq/{{{namespace}}}MM7Version").text == "5.3.0"  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "acknowledged"), [("vibes", True), ("sinch", False), ("3gpp-rel6", False)])
def test_a_blank_200_acknowledges_only_where_the_profile_says_so(name: str, acknowledged: bool) -> None:
    blank = Receiver(lambda decoded, n: (200, b"", "text/plain"))
    try:
        with simulator(load(name), dr_url=blank.url, reports=("Retrieved",), max_retries=0) as sim:
            body, headers = _headers(submit_wire())
            if load(name).soap_action == "absent":
                headers.pop("SOAPAction")
            assert status_of(post(sim.url, body, headers)) == 1000
            assert sim.postbacks.wait_idle(10)
            [entry] = sim.log.entries(kind="delivery_report")
    finally:
        blank.close()
    assert entry.ok is acknowledged


def test_the_profiles_required_ids_are_checked() -> None:
    with simulator(load("openmarket")) as sim:  # VASPID and VASID required
        request = mm7.submit_request(to="15551230000", vasp_id="KEY", sender="12345")
        without_vas_id = mm7.encode(request, content=mm7.Part.from_text("x"))
        refused = post(sim.url, *_headers(without_vas_id, '""'))
        assert fault_status(refused.content)[0] == "4001"
        assert status_of(post(sim.url, *_headers(submit_wire(), '""'))) == 1000


def test_the_wsgi_app_speaks_the_profile_too() -> None:
    """The simulator as a WSGI app (on waitress) runs the same handler: the same 401 challenge and codes."""
    sim = simulator(load("telnyx"), account={"password": "the-token"})
    server = ServerThread(sim)
    try:
        body, headers = _headers(submit_wire())
        missing = post(server.base_url + "/mm7/v1/", body, headers)
        right = post(server.base_url + "/mm7/v1/", body, {**headers, "Authorization": "Bearer the-token"})
    finally:
        server.stop()
        sim.stop()
    assert (missing.status_code, missing.headers["WWW-Authenticate"]) == (401, 'Bearer realm="mm7"')
    assert status_of(right) == 1000
