"""Every shipped profile end to end, in real processes on 127.0.0.1, each in its own dialect.

``mm7 simulate --profile X`` (the carrier), ``mm7 serve --profile X --track`` (the VASP's receiver) and
``mm7 send --profile X`` (the VASP), with the secrets in files as the CLI demands: the SubmitReq is
accepted in the profile's namespace and MM7Version, with its SOAPAction style and auth scheme; the
simulator posts the delivery reports in that dialect; the receiver stores them and ``mm7 status`` shows the
recipient's final state. The profiles are read from the package, so a new shipped profile is covered
without touching this file. A TOML profile for an aggregator mm7 does not ship (Digest auth, a Rel-5
revision, ``SOAPAction: ""``, its own status code) goes the same way without code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from mm7.codec.versions import Dialect, for_mm7_version
from mm7.inbox import open_inbox
from mm7.profiles import Profile, load, shipped_names
from tests.cli import Background, run_mm7

SECRET = "s3cret-for-tests"
USER = "vasp-user"
NUMBER = "15551230000"
FAILING = "15550000001"

#: An aggregator mm7 does not ship, written as a user would: no code, only this file.
UNLISTED = """\
name = "acme"
description = "ACME Mobile MM7 relay (a made-up aggregator for this test)"
mm7_version = "5.3.0"
mm7_versions = ["5.3.0"]
namespace = "REL-5-MM7-1-2"
soap_action = "empty"
auth = "digest"
username = "vasp-user"
required_ids = ["VASPID", "VASID"]
number_format = "international"
recipients_per_request = 1
carrier_id_header = "X-Acme-Operator"
dr_statuses = ["Forwarded", "Retrieved", "Rejected", "Expired"]
blank_200_ack = false

[status_codes.4510]
name = "Quota exhausted"
meaning = "The account's daily quota is used up; retry tomorrow."
retryable = true
"""


@dataclass
class Stack:
    profile: Profile
    profile_arg: str
    inbox: str
    endpoint: str
    sim_base: str
    secret_file: str


def _profile_arg(name: str, tmp_path: Path) -> str:
    if name != "unlisted":
        return name
    path = tmp_path / "acme.toml"
    path.write_text(UNLISTED, encoding="utf-8")
    return str(path)


def _credentials(profile: Profile, secret_file: str) -> list[str]:
    """The options giving each side the profile's credentials (the secret always in a file)."""
    if profile.auth in ("basic", "digest"):
        user = [] if profile.username else ["--user", USER]
        return [*user, "--password-file", secret_file]
    if profile.auth == "bearer":
        return ["--password-file", secret_file]  # the token: Bearer takes the password as its token
    return []


@pytest.fixture(params=[*shipped_names(), "unlisted"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    name: str = request.param
    profile_arg = _profile_arg(name, tmp_path)
    profile = load(profile_arg)
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    receiver = Background(["serve", "--port", "0", "--inbox", inbox, "--profile", profile_arg, "--track"])
    processes = [receiver]
    try:
        receiver_url = receiver.wait_line("listening on").split()[-1]
        simulator = Background(
            [
                "simulate", "--port", "0", "--profile", profile_arg,
                "--dr-url", receiver_url + "mm7/inbound", "--report-delay", "0.05", "--retry-interval", "0.2",
                "--fail-number", f"{FAILING}=Rejected",
                *_credentials(profile, str(secret_file)),
            ]
        )  # fmt: skip
        processes.append(simulator)
        line = simulator.wait_line("listening on")
        assert f"speaking {profile.name}" in line
        endpoint = line.split()[-1]
        yield Stack(profile, profile_arg, inbox, endpoint, endpoint.split("/mm7/")[0], str(secret_file))
    finally:
        codes = [p.stop() for p in processes]
    assert codes == [0] * len(codes)  # SIGTERM shuts both down cleanly


def _send(stack: Stack, number: str, *extra: str) -> Any:
    return run_mm7(
        "send", "--profile", stack.profile_arg, "--endpoint", stack.endpoint,
        "--vasp-id", "KEY", "--vas-id", "12345mms", "--short-code", "12345",
        "--to", number, "--text", "hello", "--subject", "dialect", "--format", "json", "--inbox", stack.inbox,
        *_credentials(stack.profile, stack.secret_file), *extra,
    )  # fmt: skip


def _final_status(inbox: str, message_id: str) -> dict[str, Any]:
    """``mm7 status MESSAGE_ID --json`` once it exits 0 (every recipient final); 3 meanwhile."""
    deadline = time.monotonic() + 60
    while True:
        shown = run_mm7("status", message_id, "--json", env={"MM7_INBOX_URL": inbox})
        assert shown.returncode in (0, 3), shown.stderr
        if shown.returncode == 0:
            found: dict[str, Any] = json.loads(shown.stdout)
            return found
        assert time.monotonic() < deadline, shown.stdout
        time.sleep(0.2)


def _spoken_namespace(profile: Profile) -> str:
    if profile.namespace is not None:
        return Dialect(profile.namespace, profile.mm7_version).namespace
    return for_mm7_version(profile.mm7_version).namespace


def test_send_answer_and_delivery_reports_in_the_profiles_dialect(stack: Stack) -> None:
    profile = stack.profile
    sent = _send(stack, NUMBER)
    assert sent.returncode == 0, sent.stderr
    [record] = [json.loads(line) for line in sent.stdout.splitlines()]
    assert (record["acceptance"], record["outcome"]) == ("accepted", "success")
    message_id = record["message_id"]

    status = _final_status(stack.inbox, message_id)
    [recipient] = status["recipients"]
    assert (recipient["recipient"], recipient["state"]) == (NUMBER, "retrieved")
    assert [e["mm_status"] for e in recipient["history"]] == ["Forwarded", "Retrieved"]

    # The receiver stored the reports as they came: in the profile's namespace, MM7Version and SOAPAction.
    namespace = _spoken_namespace(profile)
    with open_inbox(stack.inbox, read_only=True) as inbox:
        reports = [n for n in inbox.list(kind="delivery_report") if n.message_id == message_id]
    assert sorted(str(n.mm_status) for n in reports) == ["Forwarded", "Retrieved"]
    for report in reports:
        assert (report.namespace, report.mm7_version) == (namespace, profile.mm7_version)
        expected_action = {"empty": '""', "absent": None}.get(profile.soap_action or "", f'"{namespace}"')
        assert report.headers.get("SOAPAction") == expected_action
        # Every word is in the profile's vocabulary: no note (a Rel-5 revision other than mm7's schema's is
        # noted as read in that schema's, as always).
        assert "[vocabulary]" not in report.headers.get("X-MM7-Deviations", "")

    # The simulator saw the submit in that dialect and had its reports acknowledged.
    log = requests.get(f"{stack.sim_base}/_sim/log", timeout=10).json()
    submits = [e for e in log if e["kind"] == "submit"]
    challenged = [e for e in submits if e["http_status"] == 401]
    assert len(challenged) == (1 if profile.auth == "digest" else 0)  # Digest: one challenge, then answers
    [submit] = [e for e in submits if e["http_status"] != 401]
    assert (submit["status_code"], submit["ok"], submit["recipient"]) == (1000, True, NUMBER)
    posted = [e for e in log if e["kind"] == "delivery_report" and e["message_id"] == message_id]
    assert [e["mm_status"] for e in posted if e["ok"]] == ["Forwarded", "Retrieved"]


def test_a_failing_number_ends_rejected_and_wrong_credentials_are_refused(stack: Stack) -> None:
    sent = _send(stack, FAILING)
    assert sent.returncode == 0, sent.stderr
    [record] = [json.loads(line) for line in sent.stdout.splitlines()]
    status = _final_status(stack.inbox, record["message_id"])
    assert [r["state"] for r in status["recipients"]] == ["rejected"]

    if stack.profile.auth not in ("basic", "digest", "bearer"):
        return
    wrong = Path(stack.secret_file).with_name("wrong")
    wrong.write_text("not-the-secret\n", encoding="utf-8")
    stack.secret_file = str(wrong)
    refused = _send(stack, NUMBER)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    [record] = [json.loads(line) for line in refused.stdout.splitlines()]
    assert record["outcome"] == "fix_request" and not record["message_id"]
    if stack.profile.auth == "basic":  # a SOAP fault with the profile's code for it, echoing the request
        assert record["acceptance"] == "failed"
        assert ("2568" if stack.profile.RULES == "sinch" else "4001") in record["error"]
    else:  # Bearer and Digest: HTTP 401 with a challenge, no MM7 answer
        assert "HTTP 401" in record["error"]
    log = requests.get(f"{stack.sim_base}/_sim/log", timeout=10).json()
    assert sum(1 for e in log if e["kind"] == "submit" and e["ok"]) == 1  # only the first send


@pytest.mark.parametrize(
    ("word", "state"), [("Unreachable", "unreachable"), ("NotSupported", "not_supported")]
)
def test_sinchs_own_report_words_reach_their_tracker_state(tmp_path: Path, word: str, state: str) -> None:
    """Sinch's reports carry words no release of TS 23.140 defines; both ends take them as Sinch's."""
    inbox = f"sqlite:///{tmp_path / 'inbox.db'}"
    receiver = Background(["serve", "--port", "0", "--inbox", inbox, "--profile", "sinch", "--track"])
    processes = [receiver]
    try:
        receiver_url = receiver.wait_line("listening on").split()[-1]
        simulator = Background(
            [
                "simulate", "--port", "0", "--profile", "sinch", "--dr-url", receiver_url + "mm7/inbound",
                "--report-delay", "0.05", "--fail-number", f"{FAILING}={word}",
            ]
        )  # fmt: skip
        processes.append(simulator)
        endpoint = simulator.wait_line("listening on").split()[-1]
        sent = run_mm7(
            "send", "--profile", "sinch", "--endpoint", endpoint, "--vasp-id", "KEY", "--short-code", "12345",
            "--to", FAILING, "--text", "hi", "--format", "json", "--inbox", inbox,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        [record] = [json.loads(line) for line in sent.stdout.splitlines()]
        status = _final_status(inbox, record["message_id"])
        [recipient] = status["recipients"]
        assert recipient["state"] == state
        assert [e["mm_status"] for e in recipient["history"]] == ["Forwarded", word]
        with open_inbox(inbox, read_only=True) as stored:
            reports = stored.list(kind="delivery_report")
        assert all("X-MM7-Deviations" not in n.headers for n in reports)  # Sinch's own word: no note
    finally:
        codes = [p.stop() for p in processes]
    assert codes == [0] * len(codes)
