"""``mm7 replay``: send a captured request again (``--capture`` files, or any HTTP request capture)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from mm7.cli._app import cli, fail, handle_errors, one_line, password_options
from mm7.cli.httpfile import CaptureError, read_capture
from mm7.cli.send import SendConfig, _auth, _exit_code, _profile
from mm7.errors import ConfigError, MM7Error, RemoteCodecError

__all__ = ["replay", "with_fresh_transaction_id"]

# Headers not sent again: framing and hop-by-hop (recomputed or the transport's), the capture's own notes,
# and credentials (the capture redacted them; the environment gives them again).
_NOT_RESENT = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "accept-encoding",
        "expect",
        "authorization",
        "proxy-authorization",
        "cookie",
    }
)
# The first TransactionID element (the SOAP Header's, TS 23.140 §8.2), prefixed or not.
_TRANSACTION_ID = re.compile(
    rb"(<(?:[\w.-]+:)?TransactionID\b[^>]*>)([^<]*)(</(?:[\w.-]+:)?TransactionID\s*>)"
)


def with_fresh_transaction_id(body: bytes) -> tuple[bytes, str, str]:
    """The body with a new TransactionID in its SOAP header; every other byte is left as it was.

    Returns:
        ``(body, old, new)``: the new body, and the TransactionID replaced and its replacement.

    Raises:
        ConfigError: The body holds no TransactionID element.
    """
    from mm7.codec.messages import new_transaction_id

    found = _TRANSACTION_ID.search(body)
    if found is None:
        raise ConfigError("the captured request has no TransactionID element to replace")
    new = new_transaction_id()
    start, end = found.span(2)
    return (
        body[:start] + new.encode("ascii") + body[end:],
        found.group(2).decode("utf-8", "replace").strip(),
        new,
    )


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--to", "url", required=True, metavar="URL", help="Where to send it (the relay or receiver URL)."
)
@click.option(
    "--fresh-transaction-id",
    is_flag=True,
    help="Replace the TransactionID in the SOAP header with a new one (the rest of the bytes unchanged); "
    "without it the request goes with the captured one, and a receiver sees a duplicate.",
)
@click.option("--user", envvar="MM7_USER", help="HTTP user (Basic or Digest) [env MM7_USER].")
@password_options("MM7_PASSWORD", "MM7_PASSWORD_FILE")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0, help="Seconds (60).")
@click.option(
    "--profile",
    "profile_name",
    metavar="NAME|FILE",
    help="Send the credentials in this profile's auth scheme, as mm7 send does (Digest answers the "
    "challenge; Bearer takes the password as token). Default: HTTP Basic.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@handle_errors
def replay(
    file: str,
    url: str,
    fresh_transaction_id: bool,
    user: str | None,
    password: str | None,
    profile_name: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Send the request of a capture FILE (mm7 send/serve --capture) to URL again; show the answer.

    The body goes byte for byte, with its Content-Type, SOAPAction and other headers; credentials are
    not in a capture: they come from --user and MM7_PASSWORD / MM7_PASSWORD_FILE, as for mm7 send, in
    the --profile's auth scheme (HTTP Basic by default).

    \b
    Exit codes: 0 the answer is a success; 3 retry later (busy, throttled); 1 any other failure; 2 usage
    error, or a FILE that is no whole request capture.
    """  # noqa: D301  (click's paragraph marker is the backspace character "\b", not a backslash)
    from mm7.client import Timeout
    from mm7.client._transport import HTTPRequest, HTTPResponse, RequestsTransport
    from mm7.client.auth import as_auth
    from mm7.profiles.base import Profile

    try:
        capture = read_capture(Path(file).read_bytes())
    except CaptureError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    if capture.kind != "http-request":
        raise ConfigError(f"{file}: not an HTTP request capture ({capture.kind})")
    if capture.header("X-MM7-Capture-Truncated"):
        raise ConfigError(
            f"{file}: the capture holds only part of the body ({capture.header('X-MM7-Capture-Truncated')})"
        )
    body = capture.body
    sent_id = old_id = None
    if fresh_transaction_id:
        body, old_id, sent_id = with_fresh_transaction_id(body)
    headers = {
        name: value
        for name, value in capture.headers
        if name.lower() not in _NOT_RESENT and not name.lower().startswith("x-mm7-capture-")
    }
    profile = _profile(profile_name) if profile_name else Profile()
    auth = as_auth(_auth(profile, SendConfig(user=user, password=password)))
    transport = RequestsTransport(timeout=Timeout(read=timeout, total=timeout))

    def attempt() -> HTTPResponse:
        value = auth.authorization("POST", url) if auth is not None else None
        sent = {**headers, "Authorization": value} if value else headers
        return transport.send(HTTPRequest(url, sent, [body], len(body)))

    try:
        response = attempt()
        if (
            response.status == 401
            and auth is not None
            and auth.answer_challenge(response.header("WWW-Authenticate"))
        ):
            response = attempt()  # a Digest challenge, answered once
    except MM7Error as exc:
        _show({"http_status": None, "outcome": exc.outcome, "error": one_line(exc)}, as_json)
        sys.exit(_exit_code([exc.outcome]))
    finally:
        transport.close()
    row = _answer(response.status, response.body, response.header("Content-Type"))
    row |= {"replaced_transaction_id": old_id, "sent_transaction_id": sent_id} if sent_id else {}
    _show(row, as_json)
    sys.exit(_exit_code([row["outcome"]]))


def _answer(status: int, body: bytes, content_type: str | None) -> dict[str, Any]:
    """What the answer says: its operation, TransactionID, status and MessageID, and the outcome."""
    from mm7.codec import summary
    from mm7.codec.messages import decode
    from mm7.outcome import outcome_of_http

    row: dict[str, Any] = {"http_status": status}
    try:
        decoded = decode(body, content_type, mode="tolerant")
    except RemoteCodecError as exc:
        # Not an MM7 answer: the HTTP status says what to do (a success status over garbage: give up).
        return row | {"outcome": outcome_of_http(status, request_sent=True), "error": one_line(exc)}
    read = summary.summarize(decoded.message) if decoded.message is not None else None
    row |= {
        "operation": decoded.operation,
        "transaction_id": decoded.transaction_id,
        "status_code": decoded.status_code,
        "status_text": decoded.status_text,
        "message_id": read.message_id if read is not None else None,
        "outcome": "success",
        "error": None,
    }
    try:
        decoded.raise_for_status(http_status=status)
    except MM7Error as exc:
        row |= {"outcome": exc.outcome, "error": one_line(exc)}
    return row


def _show(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row))
        return
    if row.get("sent_transaction_id"):
        click.echo(
            f"sent with TransactionID {row['sent_transaction_id']} (was {row['replaced_transaction_id']})"
        )
    if row["http_status"] is None:
        fail(f"no answer: {row['error']}", _exit_code([row["outcome"]]))
    line = f"HTTP {row['http_status']}"
    if row.get("operation"):
        line += f"\t{row['operation']}\tTransactionID {row['transaction_id']}"
        line += f"\tstatus {row['status_code']} {row['status_text'] or ''}".rstrip()
    if row.get("message_id"):
        line += f"\tMessageID {row['message_id']}"
    click.echo(line)
    click.echo(
        f"outcome {row['outcome']}" + (f": {row['error']}" if row["error"] else ""), err=bool(row["error"])
    )
