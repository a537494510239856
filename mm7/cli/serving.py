"""``mm7 serve``, ``mm7 worker`` and ``mm7 inbox``: the receiving side."""

from __future__ import annotations

import base64
import contextlib
import json
import sys
from datetime import datetime
from typing import IO, Any

import click
from lxml import etree
from rich.table import Table

from mm7.cli._app import (
    EXIT_FAILED,
    capture_option,
    cli,
    fail,
    handle_errors,
    out_console,
    refuse_password_on_argv,
    stop_event_on_signals,
    stop_on_sigterm,
)
from mm7.codec import summary
from mm7.codec.xml import parse_xml
from mm7.errors import (
    MM7Error,
)

# ------------------------------------------------------------------------------------------ serve / worker


INBOX_OPTION = click.option(
    "--inbox",
    "inbox_url",
    envvar="MM7_INBOX_URL",
    default="sqlite:///mm7-inbox.db",
    show_default=True,
    help="Inbox URL: sqlite:///path.db or postgresql://... [env MM7_INBOX_URL].",
)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8080, show_default=True, help="Port (0 picks a free one).")
@click.option(
    "--inbox",
    "inbox_url",
    default=None,
    help="Inbox URL: sqlite:///path.db or postgresql://... [env MM7_INBOX_URL; default sqlite:///mm7-inbox.db].",
)
@click.option("--user", default=None, help="Require HTTP Basic auth with this user [env MM7_BASIC_USER].")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="File holding the Basic password (first line) [env MM7_BASIC_PASSWORD_FILE]; or set "
    "MM7_BASIC_PASSWORD. Never on the command line.",
)
@click.option("--password", "password_argv", default=None, hidden=True)
@click.option(
    "--bearer-token-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="File holding the accepted bearer tokens, one per line [env MM7_BEARER_TOKEN_FILE]; or set "
    "MM7_BEARER_TOKENS. With --user too, either scheme is accepted. Never on the command line.",
)
@click.option(
    "--allow", multiple=True, help="Allowed client network (CIDR); repeat [env MM7_ALLOW]. Default: any."
)
@click.option(
    "--trusted-proxy",
    multiple=True,
    help="Proxy whose X-Forwarded-For is believed (CIDR); repeat [env MM7_TRUSTED_PROXIES].",
)
@click.option(
    "--trust-forwarded-for",
    is_flag=True,
    default=None,
    help="Read the client address from X-Forwarded-For (trusted proxies only) [env MM7_TRUST_FORWARDED_FOR].",
)
@click.option(
    "--max-body-size",
    type=click.IntRange(1),
    default=None,
    help="Largest request body, bytes [env MM7_MAX_BODY_SIZE; default 16 MiB].",
)
@click.option(
    "--reject-invalid",
    is_flag=True,
    default=None,
    help="Refuse (fault 4004, store nothing) requests still invalid after tolerant repair; by default "
    "they are stored flagged and answered with success [env MM7_REJECT_INVALID].",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds for a request's whole header block [env MM7_HEADER_TIMEOUT; default 10].",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds for a request's whole body [env MM7_BODY_TIMEOUT; default: body limit at 1 MiB/s, "
    "at least 30].",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds an idle kept-alive connection is kept [env MM7_IDLE_TIMEOUT; default 30].",
)
@click.option(
    "--connection-limit",
    type=click.IntRange(1),
    default=None,
    help="Open connections at once; more wait [env MM7_CONNECTION_LIMIT; default 1000].",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker threads [env MM7_THREADS; default 8].",
)
@click.option(
    "--asgi",
    is_flag=True,
    default=False,
    help="Run the ASGI receiver on uvicorn (needs mm7[asgi]) instead of the WSGI one on waitress; same "
    "answers, limits and deadlines.",
)
@click.option(
    "--metrics",
    is_flag=True,
    default=None,
    help="Serve Prometheus metrics on GET /metrics (needs mm7[metrics]; the allow-list applies, no "
    "credentials asked) [env MM7_METRICS; default off].",
)
@click.option(
    "--track",
    is_flag=True,
    default=None,
    help="Fold delivery reports and read replies into the tracker in the inbox database as they are "
    "stored, for mm7 status [env MM7_TRACK; default off].",
)
@click.option(
    "--profile",
    metavar="NAME|FILE",
    default=None,
    help="The carrier whose callbacks arrive: a shipped profile (mm7 profiles) or a profile file (.toml); "
    "its carrier-id header is kept and a report outside its vocabulary is noted [env MM7_PROFILE].",
)
@capture_option("MM7_CAPTURE_DIR")
@handle_errors
def serve(
    host: str,
    port: int,
    inbox_url: str | None,
    user: str | None,
    password_file: str | None,
    password_argv: str | None,
    bearer_token_file: str | None,
    allow: tuple[str, ...],
    trusted_proxy: tuple[str, ...],
    trust_forwarded_for: bool | None,
    max_body_size: int | None,
    reject_invalid: bool | None,
    header_timeout: float | None,
    body_timeout: float | None,
    idle_timeout: float | None,
    connection_limit: int | None,
    threads: int | None,
    asgi: bool,
    metrics: bool | None,
    track: bool | None,
    profile: str | None,
    capture: str | None,
) -> None:
    """Receive DeliverReq / DeliveryReportReq / ReadReplyReq into the inbox (waitress; uvicorn: --asgi).

    Settings come from the MM7_* environment variables (as for python -m mm7.server, create_app() and
    the shipped gunicorn configuration); an option given here replaces its variable. Prints
    "listening on URL" once bound; runs until Ctrl-C or SIGTERM.
    """
    from mm7.server.hosting import ReceiverSettings, serve_settings

    refuse_password_on_argv(password_argv, "MM7_BASIC_PASSWORD", "MM7_BASIC_PASSWORD_FILE")

    def announce(url: str) -> None:
        click.echo(f"listening on {url}")
        sys.stdout.flush()

    settings = ReceiverSettings.from_env(
        inbox_url=inbox_url,
        username=user,
        password_file=password_file,
        bearer_token_file=bearer_token_file,
        allow=allow or None,
        trusted_proxies=trusted_proxy or None,
        trust_forwarded_for=trust_forwarded_for,
        max_body_size=max_body_size,
        reject_invalid=reject_invalid,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        idle_timeout=idle_timeout,
        connection_limit=connection_limit,
        threads=threads,
        metrics=metrics,
        track=track,
        profile=profile,
        capture=capture,
    )
    stop_on_sigterm()
    if asgi:
        from mm7.server.asgi_hosting import serve_asgi_settings

        launch = serve_asgi_settings
    else:
        launch = serve_settings
    with contextlib.suppress(KeyboardInterrupt):
        launch(settings, host, port, on_listening=announce)


class LoggingHandlers:
    """The default ``mm7 worker`` handlers: print one line per notification received.

    A notification stored flagged (still invalid after tolerant repair) gets a second line naming what
    could not be read.
    """

    def _flagged(self, received: Any) -> None:
        if received.violations:
            click.echo(f"  FLAGGED: {'; '.join(map(str, received.violations))}")

    def on_deliver(self, received: Any) -> None:
        """An MO message."""
        sender = _address(summary.sender(received.message))
        texts = [p.decode_text() for p in received.media if p.media_type == "text/plain"]
        click.echo(f"MO from {sender}: {' | '.join(texts) or '(no text)'} ({len(received.media)} part(s))")
        self._flagged(received)

    def on_delivery_report(self, received: Any) -> None:
        """A delivery report."""
        read = summary.summarize(received.message)
        click.echo(f"DR MessageID {read.message_id} to {_address(read.recipient)}: {read.mm_status}")
        self._flagged(received)

    def on_read_reply(self, received: Any) -> None:
        """A read reply."""
        read = summary.summarize(received.message)
        click.echo(f"read reply MessageID {read.message_id}: {read.mm_status}")
        self._flagged(received)


def _address(address: summary.Address | None) -> str:
    return address.value if address is not None else "?"


@cli.command()
@INBOX_OPTION
@click.option(
    "--handlers",
    default="mm7.cli.serving:LoggingHandlers",
    show_default=True,
    help="module:Class (or module) with on_deliver / on_delivery_report / on_read_reply.",
)
@click.option("--worker-id", help="Unique worker name (default: host and pid).")
@click.option("--poll-interval", type=float, default=1.0, show_default=True)
@click.option("--lease", type=float, default=60.0, show_default=True, help="Lease per claimed item, seconds.")
@handle_errors
def worker(inbox_url: str, handlers: str, worker_id: str | None, poll_interval: float, lease: float) -> None:
    """Hand stored notifications to your handlers (at least once, with retries); runs until Ctrl-C."""
    from mm7.server import load_handlers, run_worker

    stop = stop_event_on_signals()  # the current batch is finished, then the worker exits 0
    run_worker(
        inbox_url,
        load_handlers(handlers),
        stop_event=stop,
        worker_id=worker_id,
        lease_seconds=lease,
        poll_interval=poll_interval,
    )


# ------------------------------------------------------------------------------------------ inbox


@cli.group()
def inbox() -> None:
    """Read the inbox the receiver fills."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": str(item.kind),
        "state": str(item.state),
        "transaction_id": item.transaction_id,
        "message_id": item.message_id,
        "sender": item.sender,
        "recipient": item.recipient,
        "mm_status": item.mm_status,
        "status_text": item.status_text,
        "event_date": _iso(item.event_date),
        "received_at": _iso(item.received_at),
        "times_received": item.times_received,
        "attempts": item.attempts,
        "mm7_version": item.mm7_version,
        "attachments": len(item.attachments),
    }


def _open(url: str) -> Any:
    from mm7.inbox import open_inbox

    return open_inbox(url, read_only=True)


@inbox.command("list")
@INBOX_OPTION
@click.option("--state", type=click.Choice(["pending", "leased", "done", "failed"]))
@click.option("--kind", type=click.Choice(["deliver", "delivery_report", "read_reply"]))
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@handle_errors
def inbox_list(
    inbox_url: str, state: str | None, kind: str | None, limit: int, offset: int, fmt: str
) -> None:
    """List stored notifications (a table, or a JSON array)."""
    with _open(inbox_url) as store:
        rows = [_row(item) for item in store.list(state=state, kind=kind, limit=limit, offset=offset)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=1))
        return
    table = Table(
        "id", "kind", "state", "MessageID", "sender", "recipient", "status", "received", "TransactionID"
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["kind"],
            r["state"],
            r["message_id"] or "",
            r["sender"] or "",
            r["recipient"] or "",
            r["mm_status"] or "",
            (r["received_at"] or "")[:19],
            r["transaction_id"],
        )
    out_console().print(table)


@inbox.command("show")
@click.argument("notification_id", type=int)
@INBOX_OPTION
@handle_errors
def inbox_show(notification_id: int, inbox_url: str) -> None:
    """Show one notification with its envelope and attachments."""
    with _open(inbox_url) as store:
        item = store.get(notification_id)
    if item is None:
        fail(f"no notification {notification_id} in {inbox_url}", EXIT_FAILED)
    out = out_console()
    grid = Table.grid(padding=(0, 2))
    for key, value in _row(item).items():
        grid.add_row(key, "" if value is None else str(value))
    out.print(grid)
    out.rule("envelope")
    try:
        text = etree.tostring(parse_xml(item.envelope), pretty_print=True, encoding="unicode")
    except MM7Error:
        text = item.envelope.decode("utf-8", "replace")
    out.print(text.rstrip(), markup=False, highlight=False, soft_wrap=True)
    out.rule("attachments")
    for attachment in item.attachments:
        out.print(
            f"{attachment.content_type}  id=<{attachment.content_id or ''}>  {len(attachment.data)} bytes",
            markup=False,
        )


@inbox.command("export")
@INBOX_OPTION
@click.option("--state", type=click.Choice(["pending", "leased", "done", "failed"]))
@click.option("--kind", type=click.Choice(["deliver", "delivery_report", "read_reply"]))
@click.option("--with-attachments", is_flag=True, help="Include attachment bytes (base64).")
@click.option(
    "-o", "--out", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout)."
)
@handle_errors
def inbox_export(
    inbox_url: str, state: str | None, kind: str | None, with_attachments: bool, out: IO[str]
) -> None:
    """Export notifications as JSON lines (one object each, envelope included)."""
    page = 500
    with _open(inbox_url) as store:
        offset = 0
        while batch := store.list(state=state, kind=kind, limit=page, offset=offset):
            for listed in batch:
                item = store.get(listed.id) or listed
                record = _row(item)
                record["envelope"] = item.envelope.decode("utf-8", "replace")
                record["attachments"] = [
                    {
                        "content_id": a.content_id,
                        "content_type": a.content_type,
                        "content_location": a.content_location,
                        "size": len(a.data),
                        **(
                            {"data_base64": base64.b64encode(a.data).decode("ascii")}
                            if with_attachments
                            else {}
                        ),
                    }
                    for a in item.attachments
                ]
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            offset += len(batch)
