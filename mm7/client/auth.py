"""HTTP authentication for the MM7 clients: Basic, Bearer and Digest, without I/O.

MM7 itself says nothing about authentication (TS 23.140 leaves it to the transport); relays use HTTP
Basic (RFC 7617, the common case), a bearer token (RFC 6750; e.g. aggregators with API tokens) or HTTP
Digest (RFC 7616; older MMSCs). Each scheme here only computes ``Authorization`` header values; the
client's protocol core (both shells) asks for one before each attempt and hands Digest its challenges.

Digest answers a ``401`` challenge once per call, then keeps the challenge and sends its answer with
every later request (the nonce count incremented), so a steady sender pays no extra round trip. A
``stale=true`` challenge (an expired nonce) is answered the same way; a second ``401`` in one call means
the credentials are wrong, and the call fails with the 401.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.request import parse_http_list, parse_keqv_list

from mm7._checks import require
from mm7.errors import ConfigError

__all__ = ["Auth", "BasicAuth", "BearerAuth", "DigestAuth", "DigestChallenge", "as_auth", "digest_params"]


class Auth:
    """An authentication scheme: the ``Authorization`` value for a request, and how to meet a challenge."""

    scheme = ""

    def authorization(self, method: str, url: str) -> str | None:
        """The ``Authorization`` header value to send with a request, or None to send none."""
        raise NotImplementedError

    def answer_challenge(self, www_authenticate: str | None) -> bool:
        """Take a ``401``'s ``WWW-Authenticate`` value; True when resending the request may now succeed."""
        del www_authenticate
        return False


@dataclass(frozen=True, repr=False)
class BasicAuth(Auth):
    """HTTP Basic (RFC 7617): ``user:password`` in base64 with every request (use it over TLS).

    Args:
        username: The user (for Sinch: the account's user, when Basic is turned on).
        password: The password.
    """

    username: str
    password: str
    scheme = "basic"

    def __post_init__(self) -> None:
        require("username", self.username, str)
        require("password", self.password, str)
        if ":" in self.username:
            raise ConfigError("a Basic auth username cannot contain ':' (RFC 7617 §2)")

    def authorization(self, method: str, url: str) -> str:
        """``Basic <base64(user:password)>``, UTF-8 (the charset RFC 7617 lets servers announce)."""
        del method, url
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=***)"


@dataclass(frozen=True, repr=False)
class BearerAuth(Auth):
    """A bearer token (RFC 6750 §2.1): ``Authorization: Bearer <token>`` with every request.

    Args:
        token: The token, as the relay issued it.
    """

    token: str
    scheme = "bearer"

    def __post_init__(self) -> None:
        require("token", self.token, str)
        if not self.token or any(c in self.token for c in " \t\r\n"):
            raise ConfigError("a bearer token must be non-empty and hold no white space (RFC 6750 §2.1)")

    def authorization(self, method: str, url: str) -> str:
        """``Bearer <token>``."""
        del method, url
        return f"Bearer {self.token}"

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


# RFC 7616 §3.2 / §6.1: the algorithms and their hashlib names ("-sess" variants use the same hash).
_HASHES = {"MD5": "md5", "SHA-256": "sha256"}


@dataclass
class DigestChallenge:
    """A Digest challenge's parameters (RFC 7616 §3.3), as :meth:`DigestAuth.response_header` answers them."""

    realm: str
    nonce: str
    opaque: str | None
    algorithm: str  # as the server wrote it (compared ignoring case): MD5, SHA-256, maybe with "-sess"
    qop: str | None  # "auth", or None for an RFC 2069 challenge without qop
    count: int = 0  # the nonce count of the last request answered with this nonce


def digest_params(value: str) -> dict[str, str] | None:
    """The parameters (names lower-cased) of the Digest challenge or answer in a header value.

    A ``WWW-Authenticate`` value may list several challenges; an ``Authorization`` value holds one answer.
    None when the value holds no Digest one.
    """
    # Challenges are separated by commas, as are their parameters; a new challenge starts with a scheme
    # token followed by white space. parse_http_list splits at commas outside quoted strings.
    params: dict[str, str] | None = None
    for item in parse_http_list(value):
        item = item.strip()
        head, _, rest = item.partition(" ")
        if "=" not in head:  # a scheme name: a new challenge starts
            if params is not None:
                break  # the Digest challenge ended
            if head.lower() == "digest":
                params = {}
                item = rest.strip()
            else:
                continue
        if params is not None and "=" in item:
            params.update({k.lower(): v for k, v in parse_keqv_list([item]).items()})
    return params


@dataclass(repr=False, eq=False)
class DigestAuth(Auth):
    """HTTP Digest (RFC 7616; RFC 2617 servers too): MD5, SHA-256 and their ``-sess`` forms, ``qop=auth``.

    The password never travels. One instance serves every request of a client (it keeps the server's
    current nonce, shared by all threads and tasks under a lock).

    Args:
        username: The user.
        password: The password.
    """

    username: str
    password: str
    scheme = "digest"
    _challenge: DigestChallenge | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        require("username", self.username, str)
        require("password", self.password, str)

    def __repr__(self) -> str:
        return f"DigestAuth(username={self.username!r}, password=***)"

    def answer_challenge(self, www_authenticate: str | None) -> bool:
        """Keep a Digest challenge this client can answer; False when there is none (or none it can)."""
        params = digest_params(www_authenticate or "")
        if params is None or "nonce" not in params:
            return False
        algorithm = params.get("algorithm", "MD5")
        if algorithm.upper().removesuffix("-SESS") not in _HASHES:
            return False
        qops = [q.strip().lower() for q in params.get("qop", "").split(",") if q.strip()]
        if qops and "auth" not in qops:
            return False  # auth-int only: the body's hash would be needed (the body may be streamed)
        challenge = DigestChallenge(
            realm=params.get("realm", ""),
            nonce=params["nonce"],
            opaque=params.get("opaque"),
            algorithm=algorithm,
            qop="auth" if qops else None,
        )
        with self._lock:
            self._challenge = challenge
        return True

    def authorization(self, method: str, url: str) -> str | None:
        """The answer to the kept challenge for this request (None before any challenge came)."""
        with self._lock:
            challenge = self._challenge
            if challenge is None:
                return None
            challenge.count += 1
            count = challenge.count
        return self.response_header(challenge, method, _request_uri(url), count, os.urandom(16).hex())

    def response_header(
        self, challenge: DigestChallenge, method: str, uri: str, count: int, cnonce: str
    ) -> str:
        """The ``Authorization`` value answering ``challenge`` (RFC 7616 §3.4), for a given cnonce."""
        algorithm = challenge.algorithm
        hash_name = _HASHES[algorithm.upper().removesuffix("-SESS")]

        def digest(text: str) -> str:
            return hashlib.new(hash_name, text.encode()).hexdigest()

        nc = f"{count:08x}"
        ha1 = digest(f"{self.username}:{challenge.realm}:{self.password}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = digest(f"{ha1}:{challenge.nonce}:{cnonce}")
        ha2 = digest(f"{method}:{uri}")
        if challenge.qop is None:  # RFC 2069 compatibility: no qop, no cnonce, no nonce count
            response = digest(f"{ha1}:{challenge.nonce}:{ha2}")
        else:
            response = digest(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{ha2}")
        fields = [
            f'username="{_quote(self.username)}"',
            f'realm="{_quote(challenge.realm)}"',
            f'nonce="{_quote(challenge.nonce)}"',
            f'uri="{_quote(uri)}"',
            f"algorithm={algorithm}",
            f'response="{response}"',
        ]
        if challenge.opaque is not None:
            fields.append(f'opaque="{_quote(challenge.opaque)}"')
        if challenge.qop is not None:
            fields += [f"qop={challenge.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(fields)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _request_uri(url: str) -> str:
    """The request-target a Digest answer names (RFC 7616 §3.4: the ``uri`` parameter)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def as_auth(auth: Auth | tuple[str, str] | None) -> Auth | None:
    """The scheme a client option names: a ``(user, password)`` pair is Basic, as it always was."""
    if auth is None or isinstance(auth, Auth):
        return auth
    if isinstance(auth, tuple) and len(auth) == 2:
        return BasicAuth(*auth)
    raise TypeError(
        "auth must be an Auth (BasicAuth, DigestAuth, BearerAuth) or a (user, password) pair, "
        f"not {type(auth).__name__}"
    )
