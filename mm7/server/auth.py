"""Who may post to the receiver: HTTP Basic credentials or bearer tokens, and an IP allow-list, all optional.

Sinch offers both on its side of the link ("optional extra security on the account: IP allow-list, and
HTTP Basic auth", see ``docs/sinch.md``); a VASP receiver mirrors them for the requests the
MMSC posts to it. Both checks run on the WSGI environ *before* the body is read, so a rejected request
costs nothing and stores nothing.

* :class:`BasicAuth` compares user and password in constant time (:func:`hmac.compare_digest`), so the
  response time does not reveal how much of a guess was right. A failure answers HTTP 401 with
  ``WWW-Authenticate: Basic realm=...`` (RFC 7617 §2).
* :class:`BearerAuth` accepts ``Authorization: Bearer <token>`` (RFC 6750) for any of its tokens (several
  during a rotation), compared in constant time as well. With both Basic and Bearer configured, either
  is accepted and a 401 lists both challenges.
* :class:`AllowList` accepts clients whose address is inside one of the configured networks. Behind a
  reverse proxy the socket peer is the proxy, so the client address may be taken from
  ``X-Forwarded-For`` -- but only when that is switched on *and* the peer is one of the trusted proxies:
  anybody can send that header, so trusting it from an arbitrary peer would let anybody pick their
  address. A failure answers HTTP 403.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mm7.errors import ConfigError

__all__ = ["AllowList", "AuthPolicy", "BasicAuth", "BearerAuth", "Rejection", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str] | str) -> tuple[Network, ...]:
    """Parse CIDRs (or single addresses) given as strings.

    Args:
        values: An iterable of ``"10.0.0.0/8"``, ``"2001:db8::/32"`` or ``"192.0.2.7"``, or one string
            holding several separated by commas or whitespace (the form of the ``MM7_ALLOW`` env var).

    Returns:
        The networks; a bare address becomes a /32 (or /128) network.

    Raises:
        ConfigError: A value is not an address or network.
    """
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    networks: list[Network] = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            # strict=False: "10.1.2.3/8" means the network holding that address, not a typo to reject.
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ConfigError(f"not an IP address or CIDR network: {text!r}") from exc
    return tuple(networks)


def _address(value: str) -> Address | None:
    text = value.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443" as some proxies write it
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.7:5000"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _inside(address: Address, networks: Iterable[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; match them against IPv4 networks.
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


@dataclass(frozen=True)
class Rejection:
    """Why a request was refused, as an HTTP answer.

    Attributes:
        http_status: ``"401 Unauthorized"`` or ``"403 Forbidden"``.
        reason: Short text for the log and the response body (never a credential).
        headers: Extra response headers (``WWW-Authenticate`` for 401).
    """

    http_status: str
    reason: str
    headers: tuple[tuple[str, str], ...] = ()


class _Scheme:
    """What both schemes share: a request is accepted, or refused with the scheme's challenge."""

    realm: str

    def accepts(self, environ: Mapping[str, Any]) -> bool:  # pragma: no cover - each scheme has its own
        raise NotImplementedError

    def challenge(self) -> tuple[str, str]:  # pragma: no cover - each scheme has its own
        raise NotImplementedError

    def check(self, environ: Mapping[str, Any]) -> Rejection | None:
        """Return None when the request carries the right credentials, else a 401 rejection."""
        if self.accepts(environ):
            return None
        return Rejection("401 Unauthorized", "authentication required", (self.challenge(),))

    def _check_realm(self) -> None:
        if '"' in self.realm or "\\" in self.realm:
            raise ConfigError("realm must not contain quotes or backslashes")


@dataclass(frozen=True)
class BasicAuth(_Scheme):
    """HTTP Basic authentication with one user name and password (RFC 7617).

    Attributes:
        username: The expected user name.
        password: The expected password.
        realm: The realm announced in ``WWW-Authenticate``.
    """

    username: str
    password: str = field(repr=False)
    realm: str = "mm7"

    def __post_init__(self) -> None:
        if not self.username or ":" in self.username:
            # RFC 7617 §2: the user-id cannot contain a colon (it separates user and password).
            raise ConfigError("HTTP Basic user name must be non-empty and contain no ':'")
        if not self.password:
            raise ConfigError("HTTP Basic password must not be empty")
        self._check_realm()

    def accepts(self, environ: Mapping[str, Any]) -> bool:
        """Whether the request's ``Authorization`` header holds these Basic credentials."""
        scheme, token = _authorization(environ)
        return scheme == "basic" and self._matches(token)

    def challenge(self) -> tuple[str, str]:
        """The ``WWW-Authenticate`` header a 401 carries (RFC 7617 §2)."""
        return ("WWW-Authenticate", f'Basic realm="{self.realm}", charset="UTF-8"')

    def _matches(self, token: str) -> bool:
        try:
            decoded = base64.b64decode(token.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            decoded = b""
        user, sep, password = decoded.partition(b":")
        # Both comparisons always run, on bytes, so timing depends on neither which part was wrong
        # nor how long a matching prefix was (hmac.compare_digest is constant-time for equal lengths).
        user_ok = hmac.compare_digest(user, self.username.encode("utf-8"))
        password_ok = hmac.compare_digest(password, self.password.encode("utf-8"))
        return bool(sep) and user_ok and password_ok


def _authorization(environ: Mapping[str, Any]) -> tuple[str, str]:
    """The ``Authorization`` header's scheme (lower case) and credentials."""
    scheme, _, credentials = str(environ.get("HTTP_AUTHORIZATION", "")).strip().partition(" ")
    return scheme.lower(), credentials.strip()


@dataclass(frozen=True)
class BearerAuth(_Scheme):
    """Bearer tokens (RFC 6750 §2.1): ``Authorization: Bearer <token>`` with one of ``tokens``.

    Attributes:
        tokens: The accepted tokens (more than one while a token is being rotated).
        realm: The realm announced in ``WWW-Authenticate``.
    """

    tokens: tuple[str, ...] = field(repr=False)
    realm: str = "mm7"

    def __post_init__(self) -> None:
        if isinstance(self.tokens, str):
            object.__setattr__(self, "tokens", (self.tokens,))
        if not self.tokens or any(not t or any(c in t for c in " \t\r\n") for t in self.tokens):
            raise ConfigError("bearer tokens must be non-empty and hold no white space")
        self._check_realm()

    def __repr__(self) -> str:
        return f"BearerAuth(tokens=<{len(self.tokens)}>, realm={self.realm!r})"

    def accepts(self, environ: Mapping[str, Any]) -> bool:
        """Whether the request's ``Authorization`` header is ``Bearer`` with one of the tokens."""
        scheme, token = _authorization(environ)
        given = token.encode("utf-8", "replace")
        # Every token is compared, in constant time: the timing tells neither which one matched nor how
        # much of a guess was right.
        matches = [hmac.compare_digest(given, expected.encode("utf-8")) for expected in self.tokens]
        return scheme == "bearer" and any(matches)

    def challenge(self) -> tuple[str, str]:
        """The ``WWW-Authenticate`` header a 401 carries (RFC 6750 §3)."""
        return ("WWW-Authenticate", f'Bearer realm="{self.realm}"')


@dataclass(frozen=True)
class AllowList:
    """Accept only clients whose address is in one of ``networks``.

    Attributes:
        networks: The allowed networks.
        trusted_proxies: Peers whose ``X-Forwarded-For`` is believed (only with ``trust_forwarded_for``).
        trust_forwarded_for: Take the client address from ``X-Forwarded-For`` when the peer is trusted.
    """

    networks: tuple[Network, ...]
    trusted_proxies: tuple[Network, ...] = ()
    trust_forwarded_for: bool = False

    def __post_init__(self) -> None:
        if not self.networks:
            raise ConfigError("an allow-list needs at least one network")
        if self.trust_forwarded_for and not self.trusted_proxies:
            raise ConfigError("trust_forwarded_for needs the list of trusted proxies")

    @classmethod
    def from_strings(
        cls,
        allow: Iterable[str] | str,
        *,
        trusted_proxies: Iterable[str] | str = (),
        trust_forwarded_for: bool = False,
    ) -> AllowList:
        """Build an allow-list from CIDR strings (see :func:`parse_networks`)."""
        return cls(parse_networks(allow), parse_networks(trusted_proxies), trust_forwarded_for)

    def client_address(self, environ: Mapping[str, Any]) -> Address | None:
        """The address the request comes from, or None when it cannot be told.

        Without proxy trust this is ``REMOTE_ADDR``. With it, and only when ``REMOTE_ADDR`` is a trusted
        proxy, ``X-Forwarded-For`` is read from the right (the hop nearest to us) and the first address
        that is not itself a trusted proxy is the client: entries further left were written by the
        client or by hops we do not trust.
        """
        peer = _address(str(environ.get("REMOTE_ADDR", "")))
        if peer is None or not self.trust_forwarded_for or not _inside(peer, self.trusted_proxies):
            return peer
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [h for h in (x.strip() for x in forwarded.split(",")) if h]
        if not hops:
            return peer
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None  # a garbled chain: refuse rather than guess
            if not _inside(address, self.trusted_proxies):
                return address
        return _address(hops[0])

    def check(self, environ: Mapping[str, Any]) -> Rejection | None:
        """Return None when the client address is allowed, else a 403 rejection."""
        address = self.client_address(environ)
        if address is not None and _inside(address, self.networks):
            return None
        return Rejection("403 Forbidden", f"client address {address or 'unknown'} is not allowed")


@dataclass(frozen=True)
class AuthPolicy:
    """Both optional checks together; the allow-list runs first (it is the cheaper and less chatty one).

    Attributes:
        basic: HTTP Basic credentials, or None.
        allow: IP allow-list, or None to accept every address.
        bearer: Bearer tokens, or None. With neither ``basic`` nor ``bearer`` nobody is asked to
            authenticate; with both, either is accepted.
    """

    basic: BasicAuth | None = None
    allow: AllowList | None = None
    bearer: BearerAuth | None = None

    def check(self, environ: Mapping[str, Any]) -> Rejection | None:
        """Return the first rejection, or None when the request may proceed."""
        if self.allow is not None:
            rejection = self.allow.check(environ)
            if rejection is not None:
                return rejection
        schemes = [scheme for scheme in (self.basic, self.bearer) if scheme is not None]
        if not schemes or any(scheme.accepts(environ) for scheme in schemes):
            return None
        challenges = tuple(scheme.challenge() for scheme in schemes)
        return Rejection("401 Unauthorized", "authentication required", challenges)
