"""A receiver told which carrier's callbacks it takes (``MM7_PROFILE`` / ``mm7 serve --profile``).

A real receiver process (``python -m mm7.server``) on both inbox backends: it keeps the profile's
carrier-id header with the stored report, stores every report of the profile's vocabulary without a note
(Sinch's own words ``Unreachable`` and ``Unrecognized`` included) and a word outside it with one (never
refused), and answers a request whose dialect it cannot read in the profile's namespace and MM7Version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mm7.codec.versions import NAMESPACE_PREFIX
from mm7.inbox import Inbox

from .conftest import Request, ServerProcess
from .test_dialect import delivery_report, read_answer, text

StartServer = Callable[..., ServerProcess]


def _report(mm_status: str, transaction_id: str, carrier: str | None = None) -> Request:
    request = delivery_report("REL-6-MM7-1-4", "6.8.0", transaction_id, message_id=f"MID-{transaction_id}")
    body = request.body.replace(b">Retrieved<", f">{mm_status}<".encode())
    headers = {**request.headers, **({"X-Vibes-CarrierCode": carrier} if carrier else {})}
    return Request(body, headers)


def _stored(inbox: Inbox, transaction_id: str) -> dict[str, str]:
    [item] = [n for n in inbox.list(kind="delivery_report") if n.transaction_id == transaction_id]
    return item.headers


def test_the_profiles_vocabulary_is_stored_without_a_note(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url, MM7_PROFILE="sinch")
    for word in ("Unreachable", "Unrecognized", "NotSupported", "Deferred", "Retrieved"):
        assert server.post(_report(word, f"in-{word}")).status_code == 200
        assert "X-MM7-Deviations" not in _stored(inbox, f"in-{word}"), word


def test_a_word_outside_the_vocabulary_is_stored_with_a_note_and_the_carrier_header_kept(
    start_server: StartServer, inbox_url: str, inbox: Inbox
) -> None:
    server = start_server(inbox_url, MM7_PROFILE="vibes")
    assert server.post(_report("Deferred", "out-1", carrier="ATT")).status_code == 200  # never refused
    headers = _stored(inbox, "out-1")
    assert headers["X-Vibes-CarrierCode"] == "ATT"
    assert "[vocabulary] MMStatus 'Deferred' is not in the vibes profile's" in headers["X-MM7-Deviations"]
    assert server.post(_report("Expired", "in-1", carrier="ATT")).status_code == 200
    assert "X-MM7-Deviations" not in _stored(inbox, "in-1")


def test_without_a_profile_nothing_is_noted(start_server: StartServer, inbox_url: str, inbox: Inbox) -> None:
    server = start_server(inbox_url)
    assert server.post(_report("Deferred", "none-1", carrier="ATT")).status_code == 200
    stored = _stored(inbox, "none-1")
    assert "X-MM7-Deviations" not in stored
    assert "X-Vibes-CarrierCode" not in stored  # not a kept header without the profile


def test_an_unreadable_request_is_answered_in_the_profiles_dialect(
    start_server: StartServer, inbox_url: str, tmp_path: Path
) -> None:
    profile = tmp_path / "acme.toml"
    profile.write_text(
        'name = "acme"\nmm7_version = "5.3.0"\nnamespace = "REL-5-MM7-1-2"\n', encoding="utf-8"
    )
    server = start_server(inbox_url, MM7_PROFILE=str(profile))
    response = server.post(Request(b"<not-xml", {"Content-Type": "text/xml"}))
    assert response.status_code == 500
    namespace = NAMESPACE_PREFIX + "REL-5-MM7-1-2"
    error = read_answer(response.content, namespace, "VASPErrorRsp", fault=True)
    assert text(error, namespace, "Status/StatusCode") == "2007"
    assert text(error, namespace, "MM7Version") == "5.3.0"
