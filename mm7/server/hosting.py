"""Run the receiver: build a :class:`ReceiverApp` from settings or environment, serve it with waitress.

One machine::

    mm7 serve --port 8080                 # the CLI calls serve(make_app(...), ...)
    python -m mm7.server --port 8080

More load (several processes, PostgreSQL shared by every process and host)::

    MM7_INBOX_URL=postgresql://mm7@db/mm7 gunicorn -w 4 -b 0.0.0.0:8080 'mm7.server:create_app()'

Environment variables read by :func:`create_app_from_env`:

``MM7_INBOX_URL``          inbox URL (default ``sqlite:///mm7-inbox.db``)
``MM7_BASIC_USER``         HTTP Basic user name (Basic auth on when set, with the password)
``MM7_BASIC_PASSWORD``     HTTP Basic password
``MM7_ALLOW``              allowed client networks, comma separated CIDRs (all when unset)
``MM7_TRUSTED_PROXIES``    proxies whose ``X-Forwarded-For`` is believed, comma separated CIDRs
``MM7_TRUST_FORWARDED_FOR`` ``1``/``true`` to use ``X-Forwarded-For`` from those proxies
``MM7_MAX_BODY_SIZE``      largest request body in bytes (default 16 MiB)
``MM7_REJECT_INVALID``     ``1``/``true`` to refuse requests still invalid after tolerant repair (default:
                          store them flagged, answer success)
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mm7.errors import ConfigError
from mm7.inbox import open_inbox
from mm7.server.app import DEFAULT_MAX_BODY_SIZE, ReceiverApp
from mm7.server.auth import AllowList, AuthPolicy, BasicAuth, parse_networks

__all__ = [
    "DEFAULT_CHANNEL_TIMEOUT",
    "DEFAULT_INBOX_URL",
    "DEFAULT_THREADS",
    "create_app",
    "create_app_from_env",
    "make_app",
    "make_server",
    "serve",
]

logger = logging.getLogger("mm7.server")

DEFAULT_INBOX_URL = "sqlite:///mm7-inbox.db"
#: waitress worker threads. Each request is short (decode + one durable insert, tens of ms), so a few
#: threads keep up with an MMSC; more mostly wait on the database's commit lock.
DEFAULT_THREADS = 8
#: Seconds of silence after which waitress drops a connection. Sinch gives up on an answer after 10 s
#: and retries later anyway, so a peer that trickles its body slower than this only ties up a channel.
DEFAULT_CHANNEL_TIMEOUT = 30


def make_app(
    inbox_url: str = DEFAULT_INBOX_URL,
    *,
    username: str | None = None,
    password: str | None = None,
    allow: Iterable[str] | str = (),
    trusted_proxies: Iterable[str] | str = (),
    trust_forwarded_for: bool = False,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    reject_invalid: bool = False,
) -> ReceiverApp:
    """Build a receiver on the inbox at ``inbox_url``.

    Args:
        inbox_url: ``sqlite:///path.db`` or ``postgresql://...`` (see :func:`mm7.inbox.open_inbox`).
        username: HTTP Basic user name; Basic auth is on when given (with ``password``).
        password: HTTP Basic password.
        allow: Allowed client networks (CIDRs); every address when empty.
        trusted_proxies: Proxies whose ``X-Forwarded-For`` is believed.
        trust_forwarded_for: Use ``X-Forwarded-For`` when the peer is a trusted proxy.
        max_body_size: Largest request body in bytes.
        reject_invalid: Refuse (fault 4004, nothing stored) a request still invalid after tolerant repair,
            instead of storing it flagged (see :class:`~mm7.server.app.ReceiverApp`).

    Returns:
        The WSGI application.

    Raises:
        ConfigError: Inconsistent settings (user without password, bad CIDR...).
        StorageError: The inbox cannot be opened.
    """
    if bool(username) != bool(password):
        raise ConfigError("HTTP Basic auth needs both a user name and a password")
    basic = BasicAuth(username, password) if username and password else None
    networks = parse_networks(allow)
    proxies = parse_networks(trusted_proxies)
    if not networks and (proxies or trust_forwarded_for):
        raise ConfigError("trusted proxies only matter with an allow-list (MM7_ALLOW)")
    allow_list = AllowList(networks, proxies, trust_forwarded_for) if networks else None
    inbox = open_inbox(inbox_url)
    return ReceiverApp(
        inbox,
        auth=AuthPolicy(basic, allow_list),
        max_body_size=max_body_size,
        reject_invalid=reject_invalid,
    )


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def create_app_from_env(environ: Mapping[str, str] | None = None) -> ReceiverApp:
    """Build a receiver from ``MM7_*`` environment variables (listed in this module's docstring).

    Args:
        environ: The variables; ``os.environ`` when None.

    Returns:
        The WSGI application.

    Raises:
        ConfigError: A variable has an invalid value.
    """
    env = os.environ if environ is None else environ
    raw_size = env.get("MM7_MAX_BODY_SIZE", "").strip()
    if raw_size and not raw_size.isdigit():
        raise ConfigError(f"MM7_MAX_BODY_SIZE must be a number of bytes, got {raw_size!r}")
    return make_app(
        env.get("MM7_INBOX_URL") or DEFAULT_INBOX_URL,
        username=env.get("MM7_BASIC_USER") or None,
        password=env.get("MM7_BASIC_PASSWORD") or None,
        allow=env.get("MM7_ALLOW", ""),
        trusted_proxies=env.get("MM7_TRUSTED_PROXIES", ""),
        trust_forwarded_for=_flag(env.get("MM7_TRUST_FORWARDED_FOR")),
        max_body_size=int(raw_size) if raw_size else DEFAULT_MAX_BODY_SIZE,
        reject_invalid=_flag(env.get("MM7_REJECT_INVALID")),
    )


def create_app() -> ReceiverApp:
    """Application factory for WSGI servers: ``gunicorn 'mm7.server:create_app()'``."""
    return create_app_from_env()


def make_server(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    threads: int = DEFAULT_THREADS,
    channel_timeout: int = DEFAULT_CHANNEL_TIMEOUT,
    max_request_body_size: int | None = None,
) -> Any:
    """Create (bind, not run) a waitress server for ``app``.

    waitress reads each request completely before handing it to a thread, so a slow client never holds
    a worker thread; ``channel_timeout`` bounds how long its connection may idle. The body limit is also
    given to waitress (the app's ``max_body_size`` by default), which answers 413 on the declared
    Content-Length without reading the body.

    Args:
        app: The WSGI application.
        host: Address to listen on.
        port: Port (0 picks a free one: read ``server.effective_port``).
        threads: Worker threads.
        channel_timeout: Seconds an idle connection is kept.
        max_request_body_size: Largest body waitress accepts; the app's limit when None.

    Returns:
        The waitress server; call ``.run()`` to serve, ``.close()`` to stop.
    """
    import waitress.server

    if max_request_body_size is None:
        max_request_body_size = getattr(app, "max_body_size", DEFAULT_MAX_BODY_SIZE)
    return waitress.server.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        channel_timeout=channel_timeout,
        max_request_body_size=max_request_body_size,
        ident="mm7",
        clear_untrusted_proxy_headers=False,
    )


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    threads: int = DEFAULT_THREADS,
    channel_timeout: int = DEFAULT_CHANNEL_TIMEOUT,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve ``app`` on waitress until interrupted (see :func:`make_server`).

    Args:
        app: The WSGI application.
        host: Address to listen on.
        port: Port (0 picks a free one).
        threads: Worker threads.
        channel_timeout: Seconds an idle connection is kept.
        on_listening: Called with ``http://HOST:PORT/`` once the socket is bound (port 0 resolved).
    """
    server = make_server(app, host, port, threads=threads, channel_timeout=channel_timeout)
    url = f"http://{host}:{server.effective_port}/"
    logger.info("mm7 receiver listening on %s", url)
    if on_listening is not None:
        on_listening(url)
    try:
        server.run()
    finally:
        server.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mm7.server``: serve the app configured by ``MM7_*`` variables.

    Prints ``listening on http://HOST:PORT/`` on stdout once the socket is bound (port 0 picks one).
    """
    parser = argparse.ArgumentParser(prog="python -m mm7.server", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app_from_env()
    try:
        serve(app, args.host, args.port, threads=args.threads, on_listening=_print_listening)
    except KeyboardInterrupt:
        pass
    finally:
        app.inbox.close()
    return 0


def _print_listening(url: str) -> None:
    print(f"listening on {url}", flush=True)
