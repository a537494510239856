"""Sinch's acceptance rules for a SubmitReq, as the simulator applies them.

Each check raises :class:`Rejection` carrying the exact Sinch status code (see ``docs/sinch.md``
and :data:`mm7.codec.status.SINCH`). The order follows the request from the outside in: HTTP authentication,
HTTP headers and size, throughput, then the SOAP envelope (header, operation, namespace, MM7Version), then the
strict schema decode, then the SubmitReq's fields. Every MIME/SOAP/schema rule itself lives in
:mod:`mm7.codec`; this module only maps the codec's findings to Sinch's codes and adds Sinch's own rules.

A request is decoded once (:func:`read_submit`): the envelope rules of an accepted request are read off the
decoded message, and only a request the codec refuses has its SOAP part looked at again, to find which
rule Sinch would name first.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from lxml import etree

from mm7.codec import envelope as env
from mm7.codec import message_types, summary
from mm7.codec.messages import DecodedMessage, decode_parts
from mm7.codec.mime import DecodedBody, Limits
from mm7.codec.mime import decode as decode_mime
from mm7.codec.status import SINCH, lookup
from mm7.codec.versions import REL5, REL6
from mm7.codec.xml import parse_xml
from mm7.errors import (
    ConfigError,
    LimitExceededError,
    MM7Error,
    RemoteValidationError,
    UnsupportedOperationError,
    UnsupportedVersionError,
)
from mm7.profiles.base import has_sender_id

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message

__all__ = [
    "DEFAULT_MAX_REQUEST_SIZE",
    "SINCH_MM7_VERSIONS",
    "SINCH_NAMESPACES",
    "DigestNonces",
    "EnvelopeOutline",
    "EveryNth",
    "Rejection",
    "SubmitRules",
    "ThroughputGate",
    "check_envelope",
    "check_submit",
    "read_submit",
]

#: MM7Version values Sinch accepts (anything else: 2505).
SINCH_MM7_VERSIONS = frozenset({"5.3.0", "6.8.0"})
#: Namespaces the simulator accepts (anything else: 2507): the two schemas mm7 validates against strictly.
SINCH_NAMESPACES = frozenset({REL5.namespace, REL6.namespace})
#: Largest request accepted by default (2560 above it). Carriers take a few hundred KB to ~5 MB per MMS.
DEFAULT_MAX_REQUEST_SIZE = 5 * 1024 * 1024
_SUBMIT_CONTENT_TYPES = frozenset({"multipart/related", "text/xml"})


class Rejection(Exception):
    """A request Sinch would refuse, with the status code it answers.

    Attributes:
        status_code: The Sinch StatusCode, e.g. 2503.
        status_text: The StatusText (the code's short name from the SINCH table).
        details: What exactly was wrong, one line.
        transaction_id: The request's TransactionID when it was read before the rejection.
        mm7_version: The request's MM7Version when known (echoed in RSErrorRsp).
        namespace: The request's MM7 namespace when it was read (the RSErrorRsp is answered in it).
        challenge: A ``WWW-Authenticate`` value: the request is answered HTTP 401 with it instead of a
            SOAP Fault (Bearer and Digest authentication).
    """

    def __init__(
        self,
        status_code: int,
        details: str,
        *,
        transaction_id: str | None = None,
        mm7_version: str | None = None,
        namespace: str | None = None,
        challenge: str | None = None,
    ) -> None:
        super().__init__(f"{status_code}: {details}")
        self.status_code = status_code
        self.status_text = lookup(status_code, SINCH).name
        self.details = details
        self.transaction_id = transaction_id
        self.mm7_version = mm7_version
        self.namespace = namespace
        self.challenge = challenge


class EnvelopeOutline(NamedTuple):
    """What :func:`check_envelope` read of a request before any schema check."""

    transaction_id: str | None
    mm7_version: str | None
    namespace: str | None


@dataclass(frozen=True)
class SubmitRules:
    """What the simulated account accepts.

    Attributes:
        username: Basic or Digest user; None turns those schemes off (2568 when Basic fails).
        password: Basic or Digest password, or the accepted Bearer token.
        auth: The HTTP authentication scheme asked for: ``basic`` (with ``username``), ``digest`` (with
            ``username``: HTTP 401 and a challenge until answered), ``bearer`` (with ``password`` as the
            token: HTTP 401 otherwise) or ``none``.
        vasp_id: The account's VASPID (API key); None accepts any (2564 on mismatch).
        vas_id: The VASID of the short code; None accepts any (2562 on mismatch).
        short_code: The provisioned short code; None accepts any (2563 on mismatch).
        mm7_versions: Accepted MM7Version values (2505).
        namespaces: Accepted MM7 namespaces (2507).
        max_request_size: Largest body in bytes (2560).
        group_messaging: Accept several To numbers when exactly one has ``displayOnly="false"``.
        recipients_per_request: Most recipient numbers (To, Cc, Bcc) a SubmitReq may carry; 1 applies
            Sinch's rule (exactly one To number, ``displayOnly`` groups); None: no limit.
        required_ids: SenderIdentification fields that must be present (2561 otherwise).
        soap_action: The ``SOAPAction`` style required (``namespace``, ``empty``, ``absent``; 2000
            otherwise); None accepts any.
    """

    username: str | None = None
    password: str | None = None
    vasp_id: str | None = None
    vas_id: str | None = None
    short_code: str | None = None
    mm7_versions: frozenset[str] = SINCH_MM7_VERSIONS
    namespaces: frozenset[str] = SINCH_NAMESPACES
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE
    group_messaging: bool = True
    auth: str = "basic"
    recipients_per_request: int | None = 1
    required_ids: tuple[str, ...] = ()
    soap_action: str | None = None


@dataclass
class ThroughputGate:
    """A sliding-window request counter: at most ``limit`` requests per ``window`` seconds (3510 above).

    Attributes:
        limit: Requests allowed per window; None means unlimited.
        window: Window length in seconds.
    """

    limit: int | None = None
    window: float = 1.0
    _times: collections.deque[float] = field(default_factory=collections.deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def admit(self) -> bool:
        """Count one request; False when it is over the limit (it is then not counted)."""
        if self.limit is None:
            return True
        now = time.monotonic()
        with self._lock:
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            if len(self._times) >= self.limit:
                return False
            self._times.append(now)
            return True


@dataclass
class EveryNth:
    """Counts events; every ``n``-th one is due (the simulator's ``http_429_every`` and ``busy_every``).

    Attributes:
        n: The period; None means never.
    """

    n: int | None = None
    _count: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def due(self) -> bool:
        """Count one event; True when it is the ``n``-th, ``2n``-th...."""
        if self.n is None:
            return False
        with self._lock:
            self._count += 1
            return self._count % self.n == 0


def check_auth(authorization: str | None, rules: SubmitRules, nonces: DigestNonces | None = None) -> None:
    """Check HTTP authentication in the account's scheme, when the account requires it.

    Basic (RFC 7617) is checked when ``rules.username`` is set, Bearer (RFC 6750) when ``rules.password``
    is, Digest (RFC 7616) against ``nonces`` when ``rules.username`` is.

    Raises:
        Rejection: 2568 when the credentials are missing or wrong; for Bearer and Digest it carries the
            challenge to answer HTTP 401 with.
    """
    if rules.auth == "bearer":
        if rules.password is not None:
            _check_bearer(authorization, rules.password)
        return
    if rules.username is None or rules.auth == "none":
        return
    if rules.auth == "digest":
        if nonces is None:
            raise ConfigError("Digest authentication needs DigestNonces")
        nonces.check(authorization, rules.username, rules.password or "")
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        raise Rejection(2568, "no HTTP Basic credentials")
    try:
        user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Rejection(2568, "malformed Basic credentials") from exc
    if user != rules.username or password != (rules.password or ""):
        raise Rejection(2568, "wrong user name or password")


def _check_bearer(authorization: str | None, token: str) -> None:
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Rejection(2568, "no Bearer token", challenge='Bearer realm="mm7"')
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Rejection(2568, "wrong Bearer token", challenge='Bearer realm="mm7", error="invalid_token"')


class DigestNonces:
    """The simulator's HTTP Digest server side (RFC 7616, ``qop=auth``, MD5 or SHA-256).

    Nonces are stateless: a time stamp signed with a per-simulator key, good for ``lifetime`` seconds; an
    answer to an older nonce of ours is refused with a fresh challenge marked ``stale=true``.

    Args:
        algorithm: ``MD5`` or ``SHA-256``, offered in the challenge.
        lifetime: Seconds a nonce is accepted.
        realm: The realm named in the challenge.
    """

    def __init__(self, algorithm: str = "SHA-256", lifetime: float = 300.0, realm: str = "mm7") -> None:
        self.algorithm = algorithm
        self.lifetime = lifetime
        self.realm = realm
        self._key = secrets.token_bytes(32)

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._key, stamp.encode(), hashlib.sha256).hexdigest()[:32]

    def challenge(self, *, stale: bool = False) -> str:
        """A fresh ``WWW-Authenticate`` Digest challenge."""
        stamp = f"{time.time():.6f}"
        nonce = base64.b64encode(f"{stamp} {self._sign(stamp)}".encode()).decode("ascii")
        return f'Digest realm="{self.realm}", qop="auth", algorithm={self.algorithm}, nonce="{nonce}"' + (
            ", stale=true" if stale else ""
        )

    def _nonce_age(self, nonce: str) -> float | None:
        """Seconds since one of our nonces was issued; None for a nonce we did not issue."""
        try:
            stamp, _, signature = base64.b64decode(nonce, validate=True).decode("ascii").partition(" ")
            issued = float(stamp)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        if not hmac.compare_digest(signature, self._sign(stamp)):
            return None
        return time.time() - issued

    def check(self, authorization: str | None, username: str, password: str) -> None:
        """Check a Digest answer to one of our challenges.

        Raises:
            Rejection: 2568 with a challenge when there is no answer, a wrong one or a stale nonce.
        """
        from mm7.client.auth import DigestAuth, DigestChallenge, digest_params

        params = digest_params(authorization or "")
        if params is None:
            raise Rejection(2568, "no HTTP Digest credentials", challenge=self.challenge())
        age = self._nonce_age(params.get("nonce", ""))
        if age is None:
            raise Rejection(2568, "not a nonce of this server", challenge=self.challenge())
        if age > self.lifetime:
            raise Rejection(2568, "stale nonce", challenge=self.challenge(stale=True))
        qop = params.get("qop")
        try:
            count = int(params.get("nc", "0"), 16)
        except ValueError:
            count = -1
        expected = DigestAuth(username, password).response_header(
            DigestChallenge(
                realm=params.get("realm", ""),
                nonce=params["nonce"],
                opaque=params.get("opaque"),
                algorithm=params.get("algorithm", "MD5"),
                qop=qop,
            ),
            "POST",
            params.get("uri", ""),
            count,
            params.get("cnonce", ""),
        )
        wanted = (digest_params(expected) or {}).get("response", "")
        if (
            params.get("username") != username
            or params.get("realm") != self.realm
            or qop != "auth"
            or params.get("algorithm", "MD5").upper() != self.algorithm.upper()
            or not hmac.compare_digest(params.get("response", ""), wanted)
        ):
            raise Rejection(2568, "wrong Digest answer", challenge=self.challenge())


def check_http(content_type: str | None, content_length: str | None, rules: SubmitRules) -> None:
    """Check the HTTP headers Sinch requires: Content-Length, and a SOAP/SwA Content-Type.

    Raises:
        Rejection: 2500 for a missing or invalid header, 2560 when the declared length is too large.
    """
    if not content_length or not content_length.strip().isdigit():
        raise Rejection(2500, "Content-Length is missing or invalid")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in _SUBMIT_CONTENT_TYPES:
        raise Rejection(2500, f"Content-Type {media_type or '(none)'!r} is not multipart/related or text/xml")
    if int(content_length) > rules.max_request_size:
        raise Rejection(2560, f"request of {int(content_length)} bytes exceeds {rules.max_request_size}")


def _child_text(element: etree._Element, localname: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == localname:
            return (child.text or "").strip()
    return None


def check_envelope(mime: DecodedBody, rules: SubmitRules) -> EnvelopeOutline:
    """Read the envelope's outline (with the codec's XML reader) and apply Sinch's envelope rules.

    :func:`read_submit` calls it only for a request the codec refused, to answer the code Sinch gives first.

    Returns:
        The TransactionID, MM7Version and MM7 namespace found (any may be None).

    Raises:
        Rejection: 2007 unparsable, 2510 extra header entries, 2512 not a SubmitReq, 2507 namespace,
            2505 MM7Version.
    """
    try:
        read = env.read_envelope(parse_xml(mime.root.read_bytes(), charset=mime.root.charset))
    except LimitExceededError as exc:
        raise Rejection(2560, str(exc)) from exc
    except MM7Error as exc:
        raise Rejection(2007, str(exc)) from exc
    tid = read.transaction_id
    if read.other_headers:
        raise Rejection(2510, f"SOAP header holds {', '.join(read.other_headers)}", transaction_id=tid)
    payload = read.payload
    if payload is None or read.fault is not None:
        raise _not_a_submit(None, transaction_id=tid)
    qname = etree.QName(payload)
    outline = EnvelopeOutline(tid, _child_text(payload, "MM7Version"), qname.namespace)
    _check_outline(qname.localname, outline, rules)
    return outline


def _not_a_submit(operation: str | None, **known: str | None) -> Rejection:
    if operation is None:
        return Rejection(2512, "the SOAP Body holds a Fault, not a SubmitReq", **known)
    return Rejection(2512, f"{operation} is not supported", **known)


def _check_outline(operation: str, outline: EnvelopeOutline, rules: SubmitRules) -> None:
    """Sinch's envelope rules after the header: the operation (2512), namespace (2507), MM7Version (2505)."""
    tid, mm7_version, namespace = outline
    if operation != "SubmitReq":
        raise _not_a_submit(operation, transaction_id=tid, mm7_version=mm7_version, namespace=namespace)
    if namespace not in rules.namespaces:
        raise Rejection(
            2507,
            f"namespace {namespace or '(none)'} is not supported",
            transaction_id=tid,
            namespace=namespace,
        )
    if mm7_version not in rules.mm7_versions:
        raise Rejection(
            2505,
            f"MM7Version {mm7_version or '(missing)'} is not supported",
            transaction_id=tid,
            namespace=namespace,
        )


def read_submit(
    body: bytes, content_type: str | None, rules: SubmitRules
) -> DecodedMessage[MM7Message | None]:
    """Decode the request once, strictly, and apply Sinch's envelope rules to it.

    The body is split by the MIME decoder once and its SOAP part parsed once, by the codec's strict decode;
    an accepted request's envelope rules are read off the decoded message (a strictly decoded message has no
    header entry but its TransactionID). Only when the codec refuses the request is the SOAP part of the same
    MIME body read again (:func:`check_envelope`), so that an envelope rule answers before the schema: the
    order Sinch checks in.

    Raises:
        Rejection: 2560 and 2007 (unreadable), 2510, 2512, 2507, 2505 (envelope); 2502 (no Recipients),
            2511 (schema violation).
    """
    try:
        mime = decode_mime(body, content_type, limits=Limits(max_body_size=max(rules.max_request_size, 1)))
    except LimitExceededError as exc:
        raise Rejection(2560, str(exc)) from exc
    except MM7Error as exc:
        raise Rejection(2007, str(exc)) from exc
    try:
        decoded = decode_parts(mime, mode="strict")
    except MM7Error as exc:
        outline = check_envelope(mime, rules)  # raises when the envelope breaks a rule Sinch checks first
        revision = _accepted_revision(mime, outline, rules)
        if revision is not None:
            return revision
        rejection = _codec_rejection(exc)
        rejection.namespace = rejection.namespace or outline.namespace
        raise rejection from exc
    if decoded.fault is not None:
        raise _not_a_submit(None, transaction_id=decoded.transaction_id)
    outline = EnvelopeOutline(decoded.transaction_id, decoded.mm7_version, decoded.namespace)
    _check_outline(decoded.operation, outline, rules)
    return decoded


def _accepted_revision(
    mime: DecodedBody, outline: EnvelopeOutline, rules: SubmitRules
) -> DecodedMessage[MM7Message | None] | None:
    """The request, when the account takes its namespace revision and that revision is all that differs.

    The strict decode reads only the revision of each release mm7's schema has (REL-5-MM7-1-3,
    REL-6-MM7-1-4); a carrier that takes another revision of the same release (Vibes' REL-5-MM7-1-2) gets
    its request read tolerantly, and accepted when moving it to our revision was the only repair.
    """
    if outline.namespace is None or outline.namespace in SINCH_NAMESPACES:
        return None
    decoded = decode_parts(mime, mode="tolerant")
    if decoded.violations or any(d.kind != "namespace" for d in decoded.deviations):
        return None
    return decoded


def _codec_rejection(exc: MM7Error) -> Rejection:
    """The Sinch code for the codec's reason to refuse a request whose envelope passed Sinch's rules."""
    tid = exc.transaction_id
    if isinstance(exc, RemoteValidationError):
        code = 2502 if any("Recipients" in f"{p.path} {p.reason}" for p in exc.problems) else 2511
    elif isinstance(exc, UnsupportedVersionError):
        code = 2505
    elif isinstance(exc, UnsupportedOperationError):
        code = 2512
    elif isinstance(exc, LimitExceededError):
        code = 2560
    else:
        code = 2007
    return Rejection(code, str(exc), transaction_id=tid)


def check_submit(decoded: DecodedMessage[MM7Message | None], rules: SubmitRules) -> list[str]:
    """Apply the account's SubmitReq rules (Sinch's by default) to a strictly decoded request.

    Returns:
        The numbers that receive the message (one under Sinch's rule).

    Raises:
        Rejection: 3002, 2561-2564, 2502, 2503, 2571, 2572, 2506.
    """
    message = decoded.message
    tid, version = decoded.transaction_id, decoded.mm7_version

    def reject(code: int, details: str) -> Rejection:
        return Rejection(code, details, transaction_id=tid, mm7_version=version, namespace=decoded.namespace)

    if not isinstance(message, message_types.SubmitReq):
        raise reject(2512, f"{decoded.operation} is not a SubmitReq")

    if message.charged_party is not None or getattr(message, "charged_party_id", None) is not None:
        raise reject(3002, "ChargedParty/ChargedPartyID are not supported")
    _check_sender(message, reject, rules)
    numbers = [a for a in summary.recipients(message) if a.kind == "number"]
    if rules.recipients_per_request == 1:
        receivers = _one_to_number(numbers, reject, rules)
    else:
        receivers = [n.value for n in numbers if not n.display_only]
        if not receivers:
            raise reject(2502, "no recipient number")
        if rules.recipients_per_request is not None and len(numbers) > rules.recipients_per_request:
            raise reject(2503, f"{len(numbers)} recipients; at most {rules.recipients_per_request}")
    if message.content is None:
        raise reject(2506, "no Content element")
    return receivers


def _one_to_number(
    numbers: list[summary.Address], reject: Callable[[int, str], Rejection], rules: SubmitRules
) -> list[str]:
    """Sinch's rule: exactly one To/Number receives (a Cc/Bcc number is one destination too many)."""
    to = [a for a in numbers if a.group == "to"]
    if not to:
        raise reject(2502, "no To/Number recipient")
    if len(to) < len(numbers):
        raise reject(2503, "Cc/Bcc recipients; Sinch takes exactly one To/Number")
    receiving = [n for n in to if not n.display_only]
    if len(to) > 1:
        shown = len(to) - len(receiving)
        if not rules.group_messaging or shown == 0:
            raise reject(2503, f"{len(to)} destinations; Sinch takes exactly one")
        if not receiving:
            raise reject(2571, "every To/Number has displayOnly=true")
        if len(receiving) > 1:
            raise reject(2572, f"{len(receiving)} To/Number elements have displayOnly=false")
    return [receiving[0].value]


def check_soap_action(value: str | None, namespace: str | None, rules: SubmitRules) -> None:
    """Check the request's ``SOAPAction`` header against the style the account requires, if any.

    Raises:
        Rejection: 2000 when the header is not written in that style.
    """
    style = rules.soap_action
    expected = {"namespace": f'"{namespace}"', "empty": '""', "absent": None}.get(style or "")
    if style is None or (value.strip() if value is not None else None) == expected:
        return
    wanted = "no SOAPAction header" if expected is None else f"SOAPAction: {expected}"
    raise Rejection(2000, f"SOAPAction {value!r}: this carrier expects {wanted}", namespace=namespace)


def _check_sender(
    message: summary.Message | None, reject: Callable[[int, str], Rejection], rules: SubmitRules
) -> None:
    sender_id = summary.sender_identification(message)
    if sender_id is None or (
        not sender_id.vasp_id and not sender_id.vas_id and sender_id.sender_address is None
    ):
        raise reject(2561, "SenderIdentification is missing or empty")
    missing = [name for name in rules.required_ids if not has_sender_id(sender_id, name)]
    if missing:
        raise reject(2561, f"SenderIdentification lacks {', '.join(missing)}")
    if rules.vasp_id is not None and sender_id.vasp_id != rules.vasp_id:
        raise reject(2564, f"VASPID {sender_id.vasp_id!r} is not this account's")
    if rules.vas_id is not None and (sender_id.vas_id or "") != rules.vas_id:
        raise reject(2562, f"VASID {sender_id.vas_id!r} is not provisioned")
    if rules.short_code is not None:
        address = summary.sender(message)
        short_code = address.value if address is not None and address.kind == "short_code" else None
        if short_code != rules.short_code:
            raise reject(2563, f"source address {short_code!r} is not the provisioned short code")


def sniff_transaction_id(body: bytes, content_type: str | None, rules: SubmitRules) -> str | None:
    """The TransactionID of a request refused before it was read (auth, headers), to echo in the fault.

    Returns:
        The TransactionID, or None when the body cannot be read that far.
    """
    try:
        mime = decode_mime(body, content_type, limits=Limits(max_body_size=max(rules.max_request_size, 1)))
        return env.read_envelope(parse_xml(mime.root.read_bytes(), charset=mime.root.charset)).transaction_id
    except MM7Error:
        return None


def basic_auth_header(username: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP Basic authentication (for clients and tests)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


__all__ += ["basic_auth_header", "check_auth", "check_http", "check_soap_action", "sniff_transaction_id"]
