"""Who may post to the receiver: HTTP Basic credentials and an IP allow-list, both optional.

Sinch offers both on its side of the link ("optional extra security on the account: IP allow-list, and
HTTP Basic auth", see ``docs/sinch.md``); a VASP receiver mirrors them for the requests the
MMSC posts to it. Both checks run on the WSGI environ *before* the body is read, so a rejected request
costs nothing and stores nothing.

* :class:`BasicAuth` compares user and password in constant time (:func:`hmac.compare_digest`), so the
  response time does not reveal how much of a guess was right. A failure answers HTTP 401 with
  ``WWW-Authenticate: Basic realm=...`` (RFC 7617 §2).
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

__all__ = ["AllowList", "AuthPolicy", "BasicAuth", "Rejection", "parse_networks"]

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


@dataclass(frozen=True)
class BasicAuth:
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
        if '"' in self.realm or "\\" in self.realm:
            raise ConfigError("realm must not contain quotes or backslashes")

    def check(self, environ: Mapping[str, Any]) -> Rejection | None:
        """Return None when the request carries the right credentials, else a 401 rejection."""
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() == "basic" and self._matches(token.strip()):
            return None
        challenge = ("WWW-Authenticate", f'Basic realm="{self.realm}", charset="UTF-8"')
        return Rejection("401 Unauthorized", "authentication required", (challenge,))

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
        basic: HTTP Basic credentials, or None for no authentication.
        allow: IP allow-list, or None to accept every address.
    """

    basic: BasicAuth | None = None
    allow: AllowList | None = None

    def check(self, environ: Mapping[str, Any]) -> Rejection | None:
        """Return the first rejection, or None when the request may proceed."""
        if self.allow is not None:
            rejection = self.allow.check(environ)
            if rejection is not None:
                return rejection
        if self.basic is not None:
            return self.basic.check(environ)
        return None
