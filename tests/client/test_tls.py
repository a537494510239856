"""TLS: verification on by default, custom CA bundles, mutual TLS; with certificates made by trustme."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from mm7 import Part
from mm7.client import DeadlineExceeded, MM7Client, Timeout
from mm7.client.retry import RetryPolicy
from mm7.errors import ConfigError, TransportError
from tests.client.conftest import Drip, LoopbackServer, Received, Reply, answer

Loopback = Callable[..., LoopbackServer]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    yield path


def server_context(ca: trustme.CA, *, require_client_cert: bool = False) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(context)
    return context


def client(url: str, **options: object) -> MM7Client:
    return MM7Client.for_sinch(
        api_key="K",
        short_code="12345",
        endpoint=url,
        **{"retry": RetryPolicy.no_retry(), "timeout": Timeout(connect=5, read=10), **options},  # type: ignore[arg-type]
    )


def submit(c: MM7Client) -> str | None:
    request = c.sinch.submit_request("15553199144", subject="tls")
    return c.submit(request, content=[Part.from_text("secure")]).message_id


def test_verification_is_on_by_default_and_fails_without_our_ca(loopback: Loopback, ca: trustme.CA) -> None:
    server = loopback(answer, ssl_context=server_context(ca))
    with pytest.raises(TransportError) as info:
        submit(client(server.url))
    # The handshake failed: the relay cannot have seen the request, so a retry would be safe.
    assert info.value.request_sent is False
    assert server.count == 0


def test_verification_passes_with_a_custom_ca_bundle(
    loopback: Loopback, ca: trustme.CA, ca_file: Path
) -> None:
    server = loopback(answer, ssl_context=server_context(ca))
    assert submit(client(server.url, verify=ca_file)) == "MID-0"
    assert server.requests[0].decoded().operation == "SubmitReq"


def test_mutual_tls_presents_the_client_certificate(
    loopback: Loopback, ca: trustme.CA, ca_file: Path, tmp_path: Path
) -> None:
    server = loopback(answer, ssl_context=server_context(ca, require_client_cert=True))
    client_cert = ca.issue_cert("vasp.example.com")
    pem = tmp_path / "client.pem"
    client_cert.private_key_and_cert_chain_pem.write_to_path(str(pem))

    assert submit(client(server.url, verify=ca_file, cert=pem)) == "MID-0"
    peer = server.requests[0].peer_cert
    assert peer is not None
    names = [value for kind, value in peer.get("subjectAltName", ()) if kind == "DNS"]
    assert names == ["vasp.example.com"]


def test_mutual_tls_without_a_client_certificate_fails(
    loopback: Loopback, ca: trustme.CA, ca_file: Path
) -> None:
    server = loopback(answer, ssl_context=server_context(ca, require_client_cert=True))
    with pytest.raises(TransportError):
        submit(client(server.url, verify=ca_file))
    assert server.count == 0


def test_timeout_is_a_validated_value() -> None:
    assert Timeout(connect=1.5, read=None).as_tuple() == (1.5, None)
    assert repr(Timeout()) == "Timeout(connect=10.0, read=60.0, total=None)"
    with pytest.raises(ConfigError):
        Timeout(connect=0)


def test_deadline_cuts_a_tls_relay_dripping_its_answer(
    loopback: Loopback, ca: trustme.CA, ca_file: Path
) -> None:
    def dripping(received: Received) -> Reply:
        status, headers, body = answer(received)
        assert isinstance(body, bytes)
        return status, headers, Drip(body, interval=2.0)

    server = loopback(dripping, ssl_context=server_context(ca))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        submit(client(server.url, verify=ca_file, deadline=1.0))
    assert time.monotonic() - started < 2.0
    assert info.value.phase == "sent" and info.value.request_sent is True and server.count == 1


def test_deadline_during_a_stalled_tls_handshake_is_not_ambiguous(ca_file: Path) -> None:
    with socket.socket() as listener:  # accepts TCP connections (backlog) but never speaks TLS
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/mm7"
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            submit(client(url, verify=ca_file, timeout=Timeout(connect=5, read=5, total=1.0)))
        assert time.monotonic() - started < 2.0
    assert info.value.phase == "connecting" and info.value.request_sent is False
    assert not info.value.ambiguous
