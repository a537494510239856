r"""Run the receiver: one set of settings, read the same way by every launcher; waitress with deadlines.

One machine::

    mm7 serve --port 8080                 # the CLI: ReceiverSettings.from_env(...) + serve_settings()
    python -m mm7.server --port 8080      # the same settings, from the environment only

More load (several processes, PostgreSQL shared by every process and host), with the shipped config::

    MM7_INBOX_URL=postgresql://mm7@db/mm7 \
        gunicorn -c python:mm7.server.gunicorn_config 'mm7.server:create_app()'

Environment variables (:meth:`ReceiverSettings.from_env`; ``mm7 serve`` options override them):

``MM7_INBOX_URL``            inbox URL (default ``sqlite:///mm7-inbox.db``)
``MM7_BASIC_USER``           HTTP Basic user name (Basic auth on when set, with the password)
``MM7_BASIC_PASSWORD``       HTTP Basic password
``MM7_BASIC_PASSWORD_FILE``  file holding the HTTP Basic password (first line), instead of the above
``MM7_BEARER_TOKENS``        accepted bearer tokens, comma separated (Bearer auth on when set; with Basic
                            also on, either is accepted)
``MM7_BEARER_TOKEN_FILE``    file holding the accepted bearer tokens, one per line, instead of the above
``MM7_ALLOW``                allowed client networks, comma separated CIDRs (all when unset)
``MM7_TRUSTED_PROXIES``      proxies whose ``X-Forwarded-For`` is believed, comma separated CIDRs
``MM7_TRUST_FORWARDED_FOR``  ``1``/``true`` to use ``X-Forwarded-For`` from those proxies
``MM7_MAX_BODY_SIZE``        largest request body in bytes (default 16 MiB)
``MM7_REJECT_INVALID``       ``1``/``true`` to refuse requests still invalid after tolerant repair (default:
                            store them flagged, answer success)
``MM7_HEADER_TIMEOUT``       seconds a connection may take to send a request's whole header block (10)
``MM7_BODY_TIMEOUT``         seconds a request may take to send its whole body, from the end of its headers
                            (default: the body limit at 1 MiB/s, at least 30)
``MM7_IDLE_TIMEOUT``         seconds an idle kept-alive connection is kept (30)
``MM7_CONNECTION_LIMIT``     open connections accepted at once; more wait in the listen backlog (1000)
``MM7_THREADS``              waitress worker threads (8)
``MM7_METRICS``              ``1``/``true``: Prometheus metrics on ``GET /metrics`` (needs mm7[metrics])
``MM7_TRACK``                ``1``/``true``: fold delivery reports and read replies into the tracker in the
                            inbox's database as they are stored (:mod:`mm7.tracking`, ``mm7 status``)
``MM7_PROFILE``              the carrier whose callbacks are received: a shipped profile's name or a profile
                            file (.toml); keeps its carrier-id header, notes reports outside its vocabulary
``MM7_CAPTURE_DIR``          write every exchange (request and answer, credentials redacted) to a file in
                            this directory (:mod:`mm7.capture`; 1 MiB per file, 1000 files)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from wsgiref.types import WSGIApplication

from mm7._secrets import read_password_file
from mm7.capture import Capture, as_capture
from mm7.errors import ConfigError
from mm7.inbox import Inbox, open_inbox
from mm7.server.app import DEFAULT_MAX_BODY_SIZE, ReceiverApp
from mm7.server.asgi import ASGIReceiverApp
from mm7.server.auth import AllowList, AuthPolicy, BasicAuth, BearerAuth, parse_networks
from mm7.server.core import ReceiverCore

if TYPE_CHECKING:
    from mm7.profiles.base import Profile
    from mm7.tracking import Tracker

__all__ = [
    "DEFAULT_CHANNEL_TIMEOUT",
    "DEFAULT_CONNECTION_LIMIT",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_INBOX_URL",
    "DEFAULT_MIN_BODY_RATE",
    "DEFAULT_MIN_BODY_TIMEOUT",
    "DEFAULT_THREADS",
    "ReceiverSettings",
    "create_app",
    "create_app_from_env",
    "make_app",
    "make_asgi_app",
    "make_server",
    "prepare_to_serve",
    "serve",
    "serve_settings",
]

logger = logging.getLogger("mm7.server")

DEFAULT_INBOX_URL = "sqlite:///mm7-inbox.db"
#: waitress worker threads. Each request is short (decode + one durable insert, tens of ms), so a few
#: threads keep up with an MMSC; more mostly wait on the database's commit lock.
DEFAULT_THREADS = 8
#: Seconds of silence after which an idle (kept-alive, between requests) connection is dropped.
DEFAULT_CHANNEL_TIMEOUT = 30
#: Seconds a client may take for a request's whole header block (from its connection, or from the
#: first byte of a request on a kept-alive connection). An MMSC sends its headers in one packet.
DEFAULT_HEADER_TIMEOUT = 10.0
#: Slowest body upload the default body deadline allows for, bytes per second.
DEFAULT_MIN_BODY_RATE = 1024 * 1024
#: The body deadline is never shorter than this by default, seconds.
DEFAULT_MIN_BODY_TIMEOUT = 30.0
#: Open connections waitress accepts at once; further ones wait in the listen backlog. Each costs a file
#: descriptor and a few KiB; polled with poll(), not select(), so the limit may exceed 1024.
DEFAULT_CONNECTION_LIMIT = 1000
#: How often (seconds) waitress's maintenance pass checks idle time and deadlines.
CLEANUP_INTERVAL = 1


def default_body_timeout(max_body_size: int) -> float:
    """The body deadline for a body limit: the limit at :data:`DEFAULT_MIN_BODY_RATE`, at least 30 s."""
    return max(DEFAULT_MIN_BODY_TIMEOUT, float(math.ceil(max_body_size / DEFAULT_MIN_BODY_RATE)))


def make_app(
    inbox_url: str = DEFAULT_INBOX_URL,
    *,
    username: str | None = None,
    password: str | None = None,
    bearer_tokens: Iterable[str] | str = (),
    allow: Iterable[str] | str = (),
    trusted_proxies: Iterable[str] | str = (),
    trust_forwarded_for: bool = False,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    reject_invalid: bool = False,
    profile: Profile | str | None = None,
    metrics: bool = False,
    track: bool = False,
    capture: Capture | str | os.PathLike[str] | None = None,
) -> ReceiverApp:
    """Build a receiver on the inbox at ``inbox_url``.

    Args:
        inbox_url: ``sqlite:///path.db`` or ``postgresql://...`` (see :func:`mm7.inbox.open_inbox`).
        username: HTTP Basic user name; Basic auth is on when given (with ``password``).
        password: HTTP Basic password.
        bearer_tokens: Accepted bearer tokens (RFC 6750); Bearer auth is on when any is given (with Basic
            also on, either is accepted).
        allow: Allowed client networks (CIDRs); every address when empty.
        trusted_proxies: Proxies whose ``X-Forwarded-For`` is believed.
        trust_forwarded_for: Use ``X-Forwarded-For`` when the peer is a trusted proxy.
        max_body_size: Largest request body in bytes.
        reject_invalid: Refuse (fault 4004, nothing stored) a request still invalid after tolerant repair,
            instead of storing it flagged (see :class:`~mm7.server.core.ReceiverCore`).
        profile: The carrier whose callbacks are received: a :class:`~mm7.profiles.Profile`, a shipped
            profile's name or a profile file (see :class:`~mm7.server.core.ReceiverCore`).
        metrics: Serve Prometheus metrics on ``GET /metrics`` (needs ``mm7[metrics]``; the allow-list
            applies, credentials are not asked for).
        track: Fold every stored delivery report and read reply into the tracker in the inbox's database
            (:mod:`mm7.tracking`), so that ``mm7 status`` shows it at once.
        capture: Write every exchange to a file in this directory, or with this
            :class:`~mm7.capture.Capture` (:mod:`mm7.capture`).

    Returns:
        The WSGI application.

    Raises:
        ConfigError: Inconsistent settings (user without password, bad CIDR...).
        StorageError: The inbox cannot be opened.
    """
    auth = _auth_policy(
        username, password, bearer_tokens, allow, trusted_proxies, trust_forwarded_for, max_body_size
    )
    if metrics:
        _check_metrics()
    inbox = open_inbox(inbox_url)
    return ReceiverApp(
        inbox,
        auth=auth,
        profile=_profile(profile),
        max_body_size=max_body_size,
        reject_invalid=reject_invalid,
        metrics=metrics,
        tracker=_tracker(inbox) if track else None,
        capture=as_capture(capture),
    )


def make_asgi_app(
    inbox_url: str = DEFAULT_INBOX_URL,
    *,
    username: str | None = None,
    password: str | None = None,
    bearer_tokens: Iterable[str] | str = (),
    allow: Iterable[str] | str = (),
    trusted_proxies: Iterable[str] | str = (),
    trust_forwarded_for: bool = False,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    reject_invalid: bool = False,
    profile: Profile | str | None = None,
    body_timeout: float | None = None,
    metrics: bool = False,
    track: bool = False,
    capture: Capture | str | os.PathLike[str] | None = None,
) -> ASGIReceiverApp:
    """Build the ASGI receiver on the inbox at ``inbox_url``: :func:`make_app`'s arguments, same answers.

    Mount it in FastAPI (``app.mount("/mm7", make_asgi_app(...))``) or run it with ``mm7 serve --asgi``.

    Args:
        inbox_url: ``sqlite:///path.db`` or ``postgresql://...`` (see :func:`mm7.inbox.open_inbox`).
        username: HTTP Basic user name; Basic auth is on when given (with ``password``).
        password: HTTP Basic password.
        bearer_tokens: Accepted bearer tokens (RFC 6750); Bearer auth is on when any is given (with Basic
            also on, either is accepted).
        allow: Allowed client networks (CIDRs); every address when empty.
        trusted_proxies: Proxies whose ``X-Forwarded-For`` is believed.
        trust_forwarded_for: Use ``X-Forwarded-For`` when the peer is a trusted proxy.
        max_body_size: Largest request body in bytes.
        reject_invalid: Refuse (fault 4004, nothing stored) a request still invalid after tolerant repair.
        profile: The carrier whose callbacks are received (a profile, a shipped name or a file).
        body_timeout: Seconds a request may take to send its whole body (408 after); by default the body
            limit at 1 MiB/s, at least 30 (:func:`default_body_timeout`).
        metrics: Serve Prometheus metrics on ``GET /metrics`` (needs ``mm7[metrics]``).
        track: Fold every stored delivery report and read reply into the tracker (:mod:`mm7.tracking`).
        capture: Write every exchange to a file in this directory (:mod:`mm7.capture`).

    Returns:
        The ASGI application (:class:`~mm7.server.asgi.ASGIReceiverApp`).

    Raises:
        ConfigError: Inconsistent settings (user without password, bad CIDR...).
        StorageError: The inbox cannot be opened.
    """
    auth = _auth_policy(
        username, password, bearer_tokens, allow, trusted_proxies, trust_forwarded_for, max_body_size
    )
    if body_timeout is not None and body_timeout <= 0:
        raise ConfigError(f"the body timeout must be positive, got {body_timeout}")
    if metrics:
        _check_metrics()
    inbox = open_inbox(inbox_url)
    return ASGIReceiverApp(
        inbox,
        auth=auth,
        profile=_profile(profile),
        max_body_size=max_body_size,
        reject_invalid=reject_invalid,
        body_timeout=default_body_timeout(max_body_size) if body_timeout is None else body_timeout,
        metrics=metrics,
        tracker=_tracker(inbox) if track else None,
        capture=as_capture(capture),
    )


def _profile(profile: Profile | str | None) -> Profile | None:
    """A profile given by value, shipped name or file (read before the inbox is opened: a bad file fails)."""
    if profile is None or not isinstance(profile, str):
        return profile
    from mm7.profiles.files import load

    return load(profile)


def _tracker(inbox: Inbox) -> Tracker:
    """The tracker in the inbox's own database, sharing its connections (closed with the inbox)."""
    from mm7.tracking import Tracker

    try:
        return Tracker(inbox)
    except BaseException:
        inbox.close()
        raise


def _check_metrics() -> None:
    """Refuse ``metrics=True`` without prometheus_client before the inbox is opened."""
    from mm7.metrics import available

    if not available():
        raise ConfigError("metrics need prometheus_client: pip install 'mm7[metrics]'")


def _auth_policy(
    username: str | None,
    password: str | None,
    bearer_tokens: Iterable[str] | str,
    allow: Iterable[str] | str,
    trusted_proxies: Iterable[str] | str,
    trust_forwarded_for: bool,
    max_body_size: int,
) -> AuthPolicy:
    """Check the settings both apps share and build their auth policy."""
    if bool(username) != bool(password):
        raise ConfigError("HTTP Basic auth needs both a user name and a password")
    if max_body_size < 1:
        raise ConfigError(f"the body limit must be at least 1 byte, got {max_body_size}")
    basic = BasicAuth(username, password) if username and password else None
    networks = parse_networks(allow)
    proxies = parse_networks(trusted_proxies)
    if not networks and (proxies or trust_forwarded_for):
        raise ConfigError("trusted proxies only matter with an allow-list (MM7_ALLOW)")
    allow_list = AllowList(networks, proxies, trust_forwarded_for) if networks else None
    tokens = _split(bearer_tokens) if isinstance(bearer_tokens, str) else tuple(bearer_tokens)
    bearer = BearerAuth(tokens) if tokens else None
    return AuthPolicy(basic, allow_list, bearer)


def _bearer_tokens(env: Mapping[str, str], token_file: str | None) -> tuple[str, ...]:
    """The accepted bearer tokens: from ``token_file`` (an option), else the environment."""
    token_file = token_file or env.get("MM7_BEARER_TOKEN_FILE") or None
    if token_file and env.get("MM7_BEARER_TOKENS") and token_file == env.get("MM7_BEARER_TOKEN_FILE"):
        raise ConfigError("set MM7_BEARER_TOKENS or MM7_BEARER_TOKEN_FILE, not both")
    if not token_file:
        return _split(env.get("MM7_BEARER_TOKENS"))
    try:
        text = Path(token_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the bearer token file {token_file!r}: {exc.strerror or exc}"
        ) from None
    tokens = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not tokens:
        raise ConfigError(f"the bearer token file {token_file!r} holds no token")
    return tokens


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


@dataclass(frozen=True)
class ReceiverSettings:
    """Every receiver setting, read the same way by every launcher.

    The launchers: ``mm7 serve``, ``python -m mm7.server``, :func:`create_app` and the shipped gunicorn
    configuration (:meth:`from_env`).

    ``body_timeout`` None means sized from the body limit (:func:`default_body_timeout`).
    """

    inbox_url: str = DEFAULT_INBOX_URL
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    bearer_tokens: tuple[str, ...] = field(default=(), repr=False)
    allow: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    trust_forwarded_for: bool = False
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    reject_invalid: bool = False
    profile: str | None = None
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float | None = None
    idle_timeout: float = DEFAULT_CHANNEL_TIMEOUT
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    threads: int = DEFAULT_THREADS
    metrics: bool = False
    track: bool = False
    capture: str | None = None

    @property
    def effective_body_timeout(self) -> float:
        """The body deadline in seconds (given, or sized from the body limit)."""
        if self.body_timeout is not None:
            return self.body_timeout
        return default_body_timeout(self.max_body_size)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ReceiverSettings:
        """Read the ``MM7_*`` variables (module docstring); ``overrides`` not None replace them.

        Raises:
            ConfigError: A variable has an invalid value, or both a password and a password file are set.
        """
        env = os.environ if environ is None else environ
        password = env.get("MM7_BASIC_PASSWORD") or None
        password_file = env.get("MM7_BASIC_PASSWORD_FILE") or None
        if overrides.get("password_file") is not None:
            password_file, password = overrides["password_file"], None
        overrides.pop("password_file", None)
        if password and password_file:
            raise ConfigError("set MM7_BASIC_PASSWORD or MM7_BASIC_PASSWORD_FILE, not both")
        if password_file:
            password = read_password_file(password_file)
        tokens = _bearer_tokens(env, overrides.pop("bearer_token_file", None))
        values: dict[str, Any] = {
            "inbox_url": env.get("MM7_INBOX_URL") or DEFAULT_INBOX_URL,
            "username": env.get("MM7_BASIC_USER") or None,
            "password": password,
            "bearer_tokens": tokens,
            "allow": _split(env.get("MM7_ALLOW")),
            "trusted_proxies": _split(env.get("MM7_TRUSTED_PROXIES")),
            "trust_forwarded_for": _flag(env.get("MM7_TRUST_FORWARDED_FOR")),
            "reject_invalid": _flag(env.get("MM7_REJECT_INVALID")),
            "metrics": _flag(env.get("MM7_METRICS")),
            "track": _flag(env.get("MM7_TRACK")),
            "profile": env.get("MM7_PROFILE") or None,
            "capture": env.get("MM7_CAPTURE_DIR") or None,
        }
        for name, key, kind in (
            ("MM7_MAX_BODY_SIZE", "max_body_size", int),
            ("MM7_HEADER_TIMEOUT", "header_timeout", float),
            ("MM7_BODY_TIMEOUT", "body_timeout", float),
            ("MM7_IDLE_TIMEOUT", "idle_timeout", float),
            ("MM7_CONNECTION_LIMIT", "connection_limit", int),
            ("MM7_THREADS", "threads", int),
        ):
            value = _number(env, name, kind)
            if value is not None:
                values[key] = value
        values.update({key: value for key, value in overrides.items() if value is not None})
        for key in ("allow", "trusted_proxies"):
            if isinstance(values[key], str):
                values[key] = _split(values[key])
            values[key] = tuple(values[key])
        return cls(**values)

    def _app_options(self) -> dict[str, Any]:
        """The arguments :func:`make_app` and :func:`make_asgi_app` share, from these settings."""
        return {
            "username": self.username,
            "password": self.password,
            "bearer_tokens": self.bearer_tokens,
            "allow": self.allow,
            "trusted_proxies": self.trusted_proxies,
            "trust_forwarded_for": self.trust_forwarded_for,
            "max_body_size": self.max_body_size,
            "reject_invalid": self.reject_invalid,
            "profile": self.profile,
            "metrics": self.metrics,
            "track": self.track,
            "capture": self.capture,
        }

    def make_app(self) -> ReceiverApp:
        """The WSGI application these settings describe (:func:`make_app`)."""
        return make_app(self.inbox_url, **self._app_options())

    def make_asgi_app(self) -> ASGIReceiverApp:
        """The ASGI application these settings describe (:func:`make_asgi_app`), with their body deadline."""
        return make_asgi_app(self.inbox_url, **self._app_options(), body_timeout=self.effective_body_timeout)


def create_app_from_env(environ: Mapping[str, str] | None = None) -> ReceiverApp:
    """Build a receiver from ``MM7_*`` environment variables (listed in this module's docstring).

    Args:
        environ: The variables; ``os.environ`` when None.

    Returns:
        The WSGI application.

    Raises:
        ConfigError: A variable has an invalid value.
    """
    return ReceiverSettings.from_env(environ).make_app()


def create_app() -> ReceiverApp:
    """Application factory for WSGI servers: ``gunicorn 'mm7.server:create_app()'``."""
    return create_app_from_env()


# ------------------------------------------------------------------------------------------ waitress


def _deadline_server_classes() -> tuple[type[Any], type[Any]]:
    """The TCP server and channel of waitress, with a deadline for a request's headers and for its body.

    waitress buffers a whole request before a thread sees it, and its ``channel_timeout`` only fires on
    silence: a client sending one byte a second is never dropped. These subclasses note when a request
    began and when its headers ended, and waitress's maintenance pass (every :data:`CLEANUP_INTERVAL`
    seconds, on the event loop's thread) closes a channel past its deadline.
    """
    from waitress.channel import HTTPChannel
    from waitress.server import TcpWSGIServer

    class DeadlineChannel(HTTPChannel):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The first request's header clock starts at accept: a connection that sends nothing is
            # held no longer than one that sends its headers slowly.
            self.request_began: float | None = time.monotonic()
            self.body_began: float | None = None
            self._tracked: Any = None
            super().__init__(*args, **kwargs)

        def received(self, data: bytes) -> bool:
            if self.request is None and self.request_began is None:
                self.request_began = time.monotonic()  # a new request on a kept-alive connection
            result: bool = super().received(data)
            now = time.monotonic()
            if self.request is None:  # nothing partial: idle (channel_timeout applies)
                self.request_began = self.body_began = None
            else:
                if self.request is not self._tracked and self._tracked is not None:
                    self.request_began, self.body_began = now, None  # the next pipelined request
                if self.request.headers_finished and self.body_began is None:
                    self.body_began = now
            self._tracked = self.request
            return result

    class DeadlineServer(TcpWSGIServer):  # type: ignore[misc]
        channel_class = DeadlineChannel
        header_timeout = DEFAULT_HEADER_TIMEOUT
        body_timeout = DEFAULT_MIN_BODY_TIMEOUT

        def maintenance(self, now: float) -> None:
            super().maintenance(now)
            mono = time.monotonic()
            for channel in list(self.active_channels.values()):
                if channel.requests or channel.will_close:
                    continue  # being answered, or already closing
                if channel.body_began is not None:
                    late = mono - channel.body_began > self.body_timeout
                    what = "body"
                else:
                    late = (
                        channel.request_began is not None
                        and mono - channel.request_began > self.header_timeout
                    )
                    what = "headers"
                if late:
                    logger.info(
                        "dropping %s: request %s not received within the deadline", channel.addr, what
                    )
                    channel.will_close = True

    return DeadlineServer, DeadlineChannel


def _raise_fd_limit(wanted: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (OSError, ValueError):
            target = soft
        if target < wanted:
            logger.warning(
                "open files limit %d is below the connection limit's needs (%d): lower the connection "
                "limit or raise ulimit -n",
                target,
                wanted,
            )


class ReceiverServer(Protocol):
    """The bound waitress server :func:`make_server` returns (deadlines included)."""

    effective_port: int
    effective_host: str
    header_timeout: float
    body_timeout: float

    def run(self) -> None:
        """Serve until closed or interrupted."""

    def close(self) -> None:
        """Stop listening and close every connection."""


def make_server(
    app: WSGIApplication,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    threads: int = DEFAULT_THREADS,
    channel_timeout: float = DEFAULT_CHANNEL_TIMEOUT,
    max_request_body_size: int | None = None,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    body_timeout: float | None = None,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
) -> ReceiverServer:
    """Create (bind, not run) a waitress server for ``app``, with deadlines for slow clients.

    waitress reads each request completely before handing it to a thread, so a slow client never holds
    a worker thread; it holds a connection, which the deadlines bound: a request whose header block is
    not complete ``header_timeout`` seconds after it began, or whose body is not complete
    ``body_timeout`` seconds after its headers, is dropped (checked every second). At most
    ``connection_limit`` connections are open at once; more wait in the listen backlog. The body limit
    is also given to waitress (the app's ``max_body_size`` by default), which answers 413 on the
    declared Content-Length without reading the body.

    Args:
        app: The WSGI application.
        host: Address to listen on (one address: a name resolving to several is refused).
        port: Port (0 picks a free one: read ``server.effective_port``).
        threads: Worker threads.
        channel_timeout: Seconds an idle connection is kept.
        max_request_body_size: Largest body waitress accepts; the app's limit when None.
        header_timeout: Seconds for a request's whole header block.
        body_timeout: Seconds for a request's whole body; sized from the body limit when None.
        connection_limit: Open connections at once.

    Returns:
        The waitress server; call ``.run()`` to serve, ``.close()`` to stop.

    Raises:
        ConfigError: ``host`` resolves to several addresses, or a limit is not positive.
    """
    from waitress.adjustments import Adjustments
    from waitress.task import ThreadedTaskDispatcher

    if max_request_body_size is None:
        max_request_body_size = getattr(app, "max_body_size", DEFAULT_MAX_BODY_SIZE)
    if body_timeout is None:
        body_timeout = default_body_timeout(max_request_body_size)
    if min(header_timeout, body_timeout, channel_timeout, connection_limit, threads) <= 0:
        raise ConfigError("timeouts, the connection limit and threads must be positive")
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        channel_timeout=max(1, math.ceil(channel_timeout)),
        max_request_body_size=max_request_body_size,
        # waitress counts its listening socket and its trigger pipe among the open connections
        connection_limit=connection_limit + 2,
        cleanup_interval=CLEANUP_INTERVAL,
        asyncore_use_poll=True,
        ident="mm7",
        clear_untrusted_proxy_headers=False,
    )
    if len(adj.listen) != 1:
        raise ConfigError(f"{host!r} resolves to {len(adj.listen)} addresses: give one address")
    _raise_fd_limit(connection_limit + threads + 64)
    server_class, _ = _deadline_server_classes()
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    server = server_class(app, {}, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
    server.header_timeout = header_timeout
    server.body_timeout = body_timeout
    bound: ReceiverServer = server
    return bound


def serve(
    app: WSGIApplication,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    threads: int = DEFAULT_THREADS,
    channel_timeout: float = DEFAULT_CHANNEL_TIMEOUT,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    body_timeout: float | None = None,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve ``app`` on waitress until interrupted (see :func:`make_server`).

    Args:
        app: The WSGI application.
        host: Address to listen on.
        port: Port (0 picks a free one).
        threads: Worker threads.
        channel_timeout: Seconds an idle connection is kept.
        header_timeout: Seconds for a request's whole header block.
        body_timeout: Seconds for a request's whole body; sized from the body limit when None.
        connection_limit: Open connections at once.
        on_listening: Called with ``http://HOST:PORT/`` once the socket is bound (port 0 resolved).
    """
    server = make_server(
        app,
        host,
        port,
        threads=threads,
        channel_timeout=channel_timeout,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        connection_limit=connection_limit,
    )
    url = f"http://{host}:{server.effective_port}/"
    logger.info(
        "mm7 receiver listening on %s (header deadline %gs, body deadline %gs, %d connections)",
        url,
        server.header_timeout,
        server.body_timeout,
        connection_limit,
    )
    if on_listening is not None:
        on_listening(url)
    try:
        server.run()
    finally:
        server.close()


#: The cyclic collector's threshold for its youngest generation in a serving process (see prepare_to_serve).
YOUNG_COLLECTION_THRESHOLD = 10_000


def prepare_to_serve(app: object) -> None:
    """Ready a freshly built receiver's process for traffic: warm its codec, freeze the heap, collect less.

    :meth:`ReceiverCore.warm_up <mm7.server.core.ReceiverCore.warm_up>` loads the schemas and codecs the
    first requests would load; :func:`gc.freeze` then moves every object alive (modules, schemas,
    bindings: tens of thousands) out of the cyclic garbage collector's sight, so that its full
    collections, which otherwise walk them all (about 25 ms each on the benchmark machine, in the middle
    of some request), only walk what requests left behind; and the youngest generation is collected after
    :data:`YOUNG_COLLECTION_THRESHOLD` net allocations instead of 700, since under load those are the
    requests in flight, not garbage. The launchers (``mm7 serve``, ``--asgi``, the
    shipped gunicorn configuration) call it before they take requests; an app that is not an mm7 receiver
    is not warmed up.
    """
    started = time.perf_counter()
    if isinstance(app, ReceiverCore):
        app.warm_up()
    gc.freeze()
    # The youngest generation is collected when allocations outnumber deallocations by the threshold: under
    # load that is the requests in flight growing, not garbage (a request leaves none of its own; asyncio's
    # selector transport leaves one small cycle per connection), and each collection walks every object of
    # every request in flight. Measured with gc.callbacks in mm7 serve --asgi under benchmarks/ section
    # 10's load (5,400 requests): at 700 (Python's default) 331 collections, 51 ms of CPU; at 10,000, 5
    # collections, 9.5 ms.
    threshold, *older = gc.get_threshold()
    gc.set_threshold(max(threshold, YOUNG_COLLECTION_THRESHOLD), *older)
    logger.info(
        "receiver ready in %.0f ms (codec loaded; %d objects frozen out of the garbage collector's walk; "
        "young objects collected every %d allocations)",
        (time.perf_counter() - started) * 1000,
        gc.get_freeze_count(),
        gc.get_threshold()[0],
    )


def serve_settings(
    settings: ReceiverSettings,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Build the app ``settings`` describe and serve it on waitress with their deadlines until interrupted."""
    app = settings.make_app()
    prepare_to_serve(app)
    try:
        serve(
            app,
            host,
            port,
            threads=settings.threads,
            channel_timeout=settings.idle_timeout,
            header_timeout=settings.header_timeout,
            body_timeout=settings.effective_body_timeout,
            connection_limit=settings.connection_limit,
            on_listening=on_listening,
        )
    finally:
        app.inbox.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mm7.server``: serve the app configured by ``MM7_*`` variables.

    Prints ``listening on http://HOST:PORT/`` on stdout once the socket is bound (port 0 picks one).
    """
    parser = argparse.ArgumentParser(prog="python -m mm7.server", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=None, help="worker threads (default MM7_THREADS, 8)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = ReceiverSettings.from_env(threads=args.threads)
    with contextlib.suppress(KeyboardInterrupt):
        serve_settings(settings, args.host, args.port, on_listening=_print_listening)
    return 0


def _print_listening(url: str) -> None:
    print(f"listening on {url}", flush=True)
