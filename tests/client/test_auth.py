"""Client authentication schemes against a real loopback server: Basic, Bearer and Digest (RFC 7616).

The Digest server here checks answers with its own arithmetic (hashlib, written out from RFC 7616 §3.4),
tracks nonce counts, and can declare a nonce stale; both client shells run against it.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.request import parse_http_list, parse_keqv_list

import pytest

import mm7
from mm7.client import AsyncMM7Client, BasicAuth, BearerAuth, DigestAuth, MM7Client
from mm7.client.auth import DigestChallenge
from mm7.errors import ConfigError, TransportError

REALM = "mm7-test@example.org"
USER, PASSWORD = "vasp", "s3cret pass"


def _hash(algorithm: str, text: str) -> str:
    name = {"MD5": "md5", "SHA-256": "sha256"}[algorithm.removesuffix("-sess")]
    return hashlib.new(name, text.encode()).hexdigest()


@dataclass
class DigestServer:
    """An MMSC that wants HTTP Digest: 401 with a challenge until a request carries a right answer."""

    algorithm: str = "SHA-256"
    stale_after: int | None = None  # a nonce used this many times is declared stale
    auth_headers: list[str | None] = field(default_factory=list)
    nonces: int = 0
    bearer: str | None = None  # when set: want "Bearer <token>" instead of Digest

    def __post_init__(self) -> None:
        self._nonce = self._new_nonce()
        self._last_nc = 0
        self._uses = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                authorization = self.headers.get("Authorization")
                server.auth_headers.append(authorization)
                verdict = server.check(authorization, self.path)
                if verdict != "ok":
                    self.send_response(401)
                    challenge = f'Bearer realm="{REALM}"' if server.bearer else server.challenge(verdict)
                    self.send_header("WWW-Authenticate", challenge)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                decoded = mm7.decode(body, self.headers.get("Content-Type"))
                rsp = mm7.response_for(decoded, 1000, "Success", message_id=f"m-{len(server.auth_headers)}")
                wire = mm7.encode(rsp, transaction_id=decoded.transaction_id)
                payload = wire.to_bytes()
                self.send_response(200)
                self.send_header("Content-Type", wire.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/mm7/vasp?x=1"

    def _new_nonce(self) -> str:
        self.nonces += 1
        return f"nonce-{self.nonces}-{hashlib.sha256(str(self.nonces).encode()).hexdigest()[:12]}"

    def challenge(self, verdict: str) -> str:
        stale = ", stale=true" if verdict == "stale" else ""
        return (
            f'Digest realm="{REALM}", qop="auth, auth-int", algorithm={self.algorithm}, '
            f'nonce="{self._nonce}", opaque="op-aq-ue"{stale}, Basic realm="{REALM}"'
        )

    def check(self, authorization: str | None, path: str) -> str:
        if self.bearer is not None:
            return "ok" if authorization == f"Bearer {self.bearer}" else "no"
        if not authorization or not authorization.startswith("Digest "):
            return "no"
        params = parse_keqv_list(parse_http_list(authorization[len("Digest ") :]))
        if params.get("nonce") != self._nonce:
            return "no"
        if self.stale_after is not None and self._uses >= self.stale_after:
            self._nonce, self._last_nc, self._uses = self._new_nonce(), 0, 0
            return "stale"
        nc = int(params["nc"], 16)
        if nc <= self._last_nc:
            return "no"  # a replayed nonce count
        ha1 = _hash(self.algorithm, f"{USER}:{REALM}:{PASSWORD}")
        if self.algorithm.endswith("-sess"):
            ha1 = _hash(self.algorithm, f"{ha1}:{self._nonce}:{params['cnonce']}")
        ha2 = _hash(self.algorithm, f"POST:{path}")
        expected = _hash(self.algorithm, f"{ha1}:{self._nonce}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
        if (
            params.get("response") != expected
            or params.get("uri") != path
            or params.get("opaque") != "op-aq-ue"
        ):
            return "no"
        self._last_nc, self._uses = nc, self._uses + 1
        return "ok"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def digest_server(request: pytest.FixtureRequest) -> Iterator[DigestServer]:
    server = DigestServer(**getattr(request, "param", {}))
    yield server
    server.close()


def _request() -> Any:
    return mm7.submit_request(to=["15551234567"], sender="12345", subject="auth")


CONTENT = [mm7.Part.from_text("hi")]


# ------------------------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc_7616_worked_examples(algorithm: str, response: str) -> None:
    # RFC 7616 §3.9.1: the two Authorization headers of the worked example.
    auth = DigestAuth("Mufasa", "Circle of Life")
    challenge = DigestChallenge(
        realm="http-auth@example.org",
        nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
        algorithm=algorithm,
        qop="auth",
    )
    header = auth.response_header(
        challenge, "GET", "/dir/index.html", 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
    )
    assert f'response="{response}"' in header
    assert 'username="Mufasa"' in header and "nc=00000001" in header and "qop=auth" in header


def test_a_challenge_it_cannot_answer_is_refused() -> None:
    auth = DigestAuth(USER, PASSWORD)
    assert not auth.answer_challenge('Basic realm="x"')
    assert not auth.answer_challenge('Digest realm="x", nonce="n", algorithm=SHA-512-256')
    assert not auth.answer_challenge('Digest realm="x", nonce="n", qop="auth-int"')
    assert not auth.answer_challenge(None)
    assert auth.authorization("POST", "http://h/p") is None


def test_secrets_stay_out_of_reprs() -> None:
    for auth in (BasicAuth(USER, PASSWORD), DigestAuth(USER, PASSWORD), BearerAuth("tok-123")):
        assert PASSWORD not in repr(auth) and "tok-123" not in repr(auth)
    with pytest.raises(ConfigError):
        BearerAuth("two words")
    with pytest.raises(ConfigError):
        BasicAuth("a:b", "c")


# ------------------------------------------------------------------------------------ Digest, sync


@pytest.mark.parametrize(
    "digest_server",
    [{"algorithm": "SHA-256"}, {"algorithm": "MD5"}, {"algorithm": "MD5-sess"}],
    indirect=True,
)
def test_digest_answers_the_challenge_once_then_sends_its_answer_first(digest_server: DigestServer) -> None:
    with MM7Client(digest_server.url, auth=DigestAuth(USER, PASSWORD)) as client:
        first = client.submit(_request(), content=CONTENT)
        assert first.message_id == "m-2"  # the challenge, then the answer
        second = client.submit(_request(), content=CONTENT)
        assert second.message_id == "m-3" and second.attempts == 1  # no new round trip
    headers = digest_server.auth_headers
    assert headers[0] is None
    assert headers[1] is not None and "nc=00000001" in headers[1]
    assert headers[2] is not None and "nc=00000002" in headers[2]


@pytest.mark.parametrize("digest_server", [{"stale_after": 1}], indirect=True)
def test_a_stale_nonce_is_answered_again_once(digest_server: DigestServer) -> None:
    with MM7Client(digest_server.url, auth=DigestAuth(USER, PASSWORD)) as client:
        client.submit(_request(), content=CONTENT)  # challenge + answer (nonce 1 used once)
        result = client.submit(_request(), content=CONTENT)  # nonce 1 stale: new challenge + answer
    assert result.message_id == "m-4"
    assert digest_server.nonces == 2
    assert "nonce-2-" in (digest_server.auth_headers[3] or "")


def test_wrong_credentials_fail_after_one_answer(digest_server: DigestServer) -> None:
    with (
        MM7Client(digest_server.url, auth=DigestAuth(USER, "wrong")) as client,
        pytest.raises(TransportError) as failure,
    ):
        client.submit(_request(), content=CONTENT)
    assert failure.value.http_status == 401
    assert len(digest_server.auth_headers) == 2  # asked, answered wrongly, gave up: no loop


# ------------------------------------------------------------------------------------ both shells


def test_the_async_client_speaks_digest_the_same_way(digest_server: DigestServer) -> None:
    async def run() -> list[str | None]:
        async with AsyncMM7Client(digest_server.url, auth=DigestAuth(USER, PASSWORD)) as client:
            results = [await client.submit(_request(), content=CONTENT) for _ in range(2)]
        return [r.message_id for r in results]

    assert asyncio.run(run()) == ["m-2", "m-3"]
    assert ["nc=" in (h or "") for h in digest_server.auth_headers] == [False, True, True]


@pytest.mark.parametrize("digest_server", [{"bearer": "tok-123"}], indirect=True)
def test_bearer_tokens_go_with_every_request(digest_server: DigestServer) -> None:
    with MM7Client(digest_server.url, auth=BearerAuth("tok-123")) as client:
        assert client.submit(_request(), content=CONTENT).message_id == "m-1"

    async def run() -> str | None:
        async with AsyncMM7Client(digest_server.url, auth=BearerAuth("tok-123")) as client:
            return (await client.submit(_request(), content=CONTENT)).message_id

    assert asyncio.run(run()) == "m-2"
    assert digest_server.auth_headers == ["Bearer tok-123", "Bearer tok-123"]


@pytest.mark.parametrize("digest_server", [{"bearer": "tok-123"}], indirect=True)
def test_a_wrong_bearer_token_is_a_401_not_a_retry_loop(digest_server: DigestServer) -> None:
    with (
        MM7Client(digest_server.url, auth=BearerAuth("other")) as client,
        pytest.raises(TransportError) as failure,
    ):
        client.submit(_request(), content=CONTENT)
    assert failure.value.http_status == 401
    assert len(digest_server.auth_headers) == 1
