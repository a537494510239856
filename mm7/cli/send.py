"""``mm7 send``: one MMS or many (with a journal and a progress bar) through MM7Client."""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from mm7.cli._app import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_RETRY_LATER,
    capture_option,
    cli,
    err_console,
    handle_errors,
    one_line,
    password_options,
)
from mm7.codec.mime import Part
from mm7.errors import (
    ConfigError,
)

if TYPE_CHECKING:
    from mm7.profiles.base import Profile

# ------------------------------------------------------------------------------------------ send


@dataclass
class SendConfig:
    """Where and as whom ``mm7 send`` sends."""

    endpoint: str | None = None
    vasp_id: str | None = None
    vas_id: str | None = None
    short_code: str | None = None
    user: str | None = None
    password: str | None = None
    profile: str = "sinch"
    mm7_version: str | None = None


def load_config(path: str | None, **given: str | None) -> SendConfig:
    """Merge ``--config`` TOML (top level or an ``[mm7]`` table) under options and environment variables.

    Raises:
        ConfigError: The file cannot be read or parsed, or has unknown keys.
    """
    values: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config {path}: {one_line(exc)}") from exc
        table = data.get("mm7", data)
        known = set(SendConfig.__dataclass_fields__)
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"unknown keys in {path}: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        values.update({k: str(v) for k, v in table.items()})
    values.update({k: v for k, v in given.items() if v is not None})
    return SendConfig(**values)


def _recipients(to: tuple[str, ...], csv_file: str | None, column: str | None) -> list[str]:
    numbers = list(to)
    if csv_file is not None:
        with open(csv_file, newline="", encoding="utf-8-sig") as fh:
            numbers.extend(_csv_numbers(fh, column))
    numbers = [n.strip() for n in numbers if n.strip()]
    if not numbers:
        raise ConfigError("no recipients: give --to NUMBER or --csv FILE")
    return list(dict.fromkeys(numbers))


def _csv_numbers(fh: IO[str], column: str | None) -> Iterator[str]:
    rows = list(csv.reader(fh))
    if not rows:
        return
    header = [cell.strip().lower() for cell in rows[0]]
    wanted = [column.lower()] if column else ["number", "msisdn", "to", "phone", "recipient"]
    index = next((header.index(name) for name in wanted if name in header), None)
    if index is None:
        if column:
            raise ConfigError(f"CSV has no column {column!r} (columns: {', '.join(rows[0])})")
        index, body = 0, rows  # no header row: the first column holds the numbers
    else:
        body = rows[1:]
    for row in body:
        if len(row) > index:
            yield row[index]


def _profile(name: str) -> Profile:
    """``generic`` (no carrier rules), a shipped profile's name, or a profile file (``*.toml``)."""
    from mm7.profiles.base import Profile
    from mm7.profiles.files import load

    return Profile() if name == "generic" else load(name)


def _auth(profile: Profile, config: SendConfig) -> Any:
    """The credentials in the profile's scheme: Basic (the default), Digest, or Bearer (password = token)."""
    from mm7.client import BearerAuth, DigestAuth

    if profile.auth == "bearer":
        return BearerAuth(config.password) if config.password else None
    user = config.user or profile.username
    if not user:
        return None
    if profile.auth == "digest":
        return DigestAuth(user, config.password or "")
    return (user, config.password or "")


def _tracker(inbox_url: str | None) -> Any:
    """The tracker of the inbox database at ``inbox_url`` (None: nothing is recorded)."""
    if not inbox_url:
        return None
    from mm7.tracking import Tracker

    return Tracker.open(inbox_url)


def _client(config: SendConfig, timeout: float, tracker: Any = None, capture: str | None = None) -> Any:
    from mm7.client import MM7Client, Timeout
    from mm7.profiles.sinch import SinchProfile

    profile = _profile(config.profile)
    if isinstance(profile, SinchProfile) and (not config.vasp_id or not config.short_code):
        raise ConfigError(
            "the sinch profile needs a VASPID (API key) and a short code (MM7_VASP_ID, MM7_SHORT_CODE)"
        )
    if config.profile == "sinch":
        return MM7Client.for_sinch(
            api_key=config.vasp_id or "",
            short_code=config.short_code or "",
            vas_id=config.vas_id,
            endpoint=config.endpoint,
            mm7_version=config.mm7_version or profile.mm7_version,
            username=config.user,
            password=config.password,
            timeout=Timeout(read=timeout),
            deadline=timeout,
            tracker=tracker,
            capture=capture,
        )
    changes: dict[str, Any] = {"vas_id": config.vas_id}
    changes["mm7_version"] = config.mm7_version or profile.mm7_version
    if isinstance(profile, SinchProfile):
        changes |= {"api_key": config.vasp_id, "vasp_id": config.vasp_id, "short_code": config.short_code}
    else:
        changes["vasp_id"] = config.vasp_id
    profile = dataclasses.replace(profile, **changes)
    endpoint = config.endpoint or profile.endpoint
    if not endpoint:
        raise ConfigError(
            f"no endpoint: the {profile.name} profile has none; give --endpoint or MM7_ENDPOINT"
        )
    from mm7.codec.versions import Dialect

    # The profile's namespace goes on the wire (with its MM7Version); unset, the schema's of the release.
    dialect = Dialect(profile.namespace, profile.mm7_version) if profile.namespace else None
    return MM7Client(
        endpoint,
        profile=profile,
        dialect=dialect,
        auth=_auth(profile, config),
        timeout=Timeout(read=timeout),
        deadline=timeout,
        tracker=tracker,
        capture=capture,
    )


def _parts(images: tuple[str, ...], text: str | None) -> list[Part]:
    parts = [Part.from_file(image) for image in images]
    for image in images:
        if not Path(image).is_file():
            raise ConfigError(f"no such image file: {image}")
    if text:
        parts.append(Part.from_text(text))
    if not parts:
        raise ConfigError("nothing to send: give --image and/or --text")
    return parts


def _submit_request(client: Any, config: SendConfig, number: str, subject: str | None) -> Any:
    from mm7.codec.builders import submit_request
    from mm7.profiles.sinch import SinchProfile

    if isinstance(client.profile, SinchProfile):
        return client.sinch.submit_request(number, subject=subject)
    return submit_request(
        to=number,
        vasp_id=config.vasp_id,
        vas_id=config.vas_id,
        sender=config.short_code,
        subject=subject,
        mm7_version=client.profile.mm7_version,
    )


@cli.command()
@click.option("--to", "to", multiple=True, metavar="NUMBER", help="Recipient (repeat for several).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), help="CSV file with a column of numbers.")
@click.option(
    "--csv-column", help="CSV column holding the numbers (default: number/msisdn/to/phone, else the first)."
)
@click.option("--image", multiple=True, type=click.Path(dir_okay=False), help="Image (or other media) file.")
@click.option("--text", help="Text part.")
@click.option("--subject", help="Subject (ASCII, up to 80 characters for Sinch).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML file with endpoint/ids/credentials.",
)
@click.option("--endpoint", envvar="MM7_ENDPOINT", help="MM7 URL [env MM7_ENDPOINT].")
@click.option("--vasp-id", envvar="MM7_VASP_ID", help="VASPID, Sinch's API key [env MM7_VASP_ID].")
@click.option("--vas-id", envvar="MM7_VAS_ID", help="VASID [env MM7_VAS_ID].")
@click.option("--short-code", envvar="MM7_SHORT_CODE", help="Sender short code [env MM7_SHORT_CODE].")
@click.option("--user", envvar="MM7_USER", help="HTTP Basic user [env MM7_USER].")
@password_options("MM7_PASSWORD", "MM7_PASSWORD_FILE")
@click.option(
    "--profile",
    metavar="NAME|FILE",
    help="Carrier profile: a shipped one (mm7 profiles), a profile file (.toml), or generic (no carrier "
    "rules). Default sinch.",
)
@click.option("--mm7-version", help="MM7Version (default: the profile's, 6.8.0 for sinch).")
@click.option("--journal", type=click.Path(dir_okay=False), help="Resumable journal (SQLite) for bulk sends.")
@click.option(
    "--status",
    "show_status",
    is_flag=True,
    help="With --journal: list the journal's messages and their outcome (sends nothing).",
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="With --journal: send again the messages an earlier run left 'unknown' (MAY DUPLICATE an MMS).",
)
@click.option(
    "--inbox",
    "inbox_url",
    envvar="MM7_INBOX_URL",
    metavar="URL",
    help="Record every accepted message (MessageID, recipients, report requested) in the tracker of this "
    "inbox database, the one mm7 serve stores reports in, so mm7 status shows what became of it "
    "[env MM7_INBOX_URL]. Nothing is recorded when unset.",
)
@capture_option()
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Deadline for each message: connect, upload, answer and retries. A message whose request went "
    "out but got no answer in time is 'unknown' (it may have been accepted).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def send(
    to: tuple[str, ...],
    csv_file: str | None,
    csv_column: str | None,
    image: tuple[str, ...],
    text: str | None,
    subject: str | None,
    config_file: str | None,
    fmt: str,
    journal: str | None,
    show_status: bool,
    resend_unknown: bool,
    inbox_url: str | None,
    capture: str | None,
    concurrency: int,
    timeout: float,
    **settings: str | None,
) -> None:
    """Send an MMS (image and/or text) to one or many numbers; prints each one's acceptance and outcome.

    One SubmitReq per recipient (Sinch takes exactly one). Each recipient is "accepted" (with the
    MessageID), "failed" (certainly not accepted: safe to send again) or "unknown" (the request went out
    but no answer came back: it may have been accepted, and sending again may duplicate the MMS); and its
    outcome says what to do next: success, retry_later, fix_request or give_up.
    --journal makes a run resumable: numbers already accepted are not sent again, "unknown" ones are not
    resent unless --resend-unknown; --journal J --status lists what the journal knows.

    \b
    Exit codes: 0 all accepted; 3 the others are all retry_later (send them again later); 1 some
    failed otherwise (fix_request, give_up); 2 usage or configuration error.
    """  # noqa: D301  (click's paragraph marker is the backspace character "\b", not a backslash)
    if show_status:
        if journal is None:
            raise ConfigError("--status needs --journal FILE")
        _print_status(journal, fmt)
        return
    if resend_unknown and journal is None:
        raise ConfigError(
            "--resend-unknown needs --journal FILE (the journal knows which messages are unknown)"
        )
    config = load_config(config_file, **settings)
    numbers = _recipients(to, csv_file, csv_column)
    parts = _parts(image, text)
    tracker = _tracker(inbox_url)
    try:
        client = _client(config, timeout, tracker, capture)
    except BaseException:
        if tracker is not None:
            tracker.close()
        raise
    if resend_unknown:
        click.echo(
            "mm7: warning: --resend-unknown sends again messages an earlier run left unknown; the relay may "
            "have accepted them already, so their recipients may get the MMS twice",
            err=True,
        )
    try:
        results = _send_all(client, config, numbers, subject, parts, journal, concurrency, resend_unknown)
    finally:
        client.close()
        if tracker is not None:
            tracker.close()
    for row in results:
        if fmt == "json":
            click.echo(json.dumps(row))
        else:
            click.echo(_text_line(row), err=not row["ok"])
    sys.exit(_exit_code([r["outcome"] for r in results]))


def _exit_code(outcomes: list[str]) -> int:
    """0 all success; 3 only retry_later besides; 1 anything else (fix_request, give_up)."""
    if all(o == "success" for o in outcomes):
        return EXIT_OK
    if all(o in ("success", "retry_later") for o in outcomes):
        return EXIT_RETRY_LATER
    return EXIT_FAILED


_UNKNOWN_HINT = "it may have been accepted: check before sending again"


def _text_line(row: dict[str, Any]) -> str:
    if row["acceptance"] == "accepted":
        earlier = " (by an earlier run)" if row["earlier"] else ""
        return f"{row['to']}\taccepted\tMessageID {row['message_id']}{earlier}"
    if row["acceptance"] == "unknown":
        return f"{row['to']}\tunknown\t{row['outcome']}\t{row['error']} ({_UNKNOWN_HINT})"
    return f"{row['to']}\tfailed\t{row['outcome']}\t{row['error']}"


def _print_status(path: str, fmt: str) -> None:
    from mm7.client.journal import Journal

    if not Path(path).is_file():
        raise ConfigError(f"no journal at {path}")
    with Journal(path) as journal:
        entries = list(journal.entries())
    for entry in entries:
        row = {
            "to": entry.key.removeprefix("to:"),
            "acceptance": entry.acceptance,
            "state": entry.state,
            "message_id": entry.message_id,
            "transaction_id": entry.transaction_id,
            "error": entry.error,
            "attempts": entry.attempts,
        }
        if fmt == "json":
            click.echo(json.dumps(row))
            continue
        detail = {
            "accepted": f"MessageID {entry.message_id}",
            "failed": entry.error or "",
            "unknown": (
                f"TransactionID {entry.transaction_id}: "
                + ("in flight when the run ended" if entry.state == "sending" else entry.error or "")
                + f" ({_UNKNOWN_HINT})"
            ),
        }[entry.acceptance]
        click.echo(f"{row['to']}\t{entry.acceptance}\t{detail}")
    counts = {a: sum(e.acceptance == a for e in entries) for a in ("accepted", "failed", "unknown")}
    if fmt == "text":
        click.echo(
            f"{counts['accepted']} accepted, {counts['failed']} failed, {counts['unknown']} unknown", err=True
        )


def _content(client: Any, parts: list[Part]) -> Part | list[Part]:
    from mm7.codec.smil import related_content
    from mm7.profiles.sinch import SinchProfile

    # The Sinch rules wrap media parts themselves (SMIL root); other profiles get the same layout.
    return parts if isinstance(client.profile, SinchProfile) else related_content(parts)


def _send_all(
    client: Any,
    config: SendConfig,
    numbers: list[str],
    subject: str | None,
    parts: list[Part],
    journal_path: str | None,
    concurrency: int,
    resend_unknown: bool,
) -> list[dict[str, Any]]:
    """Send through the bulk sender whatever the number of recipients: one vocabulary for every row."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from mm7.client.bulk import BulkItem, send_many
    from mm7.client.journal import Journal

    content = _content(client, parts)
    items = [BulkItem(_submit_request(client, config, n, subject), content, key=f"to:{n}") for n in numbers]
    journal = Journal(journal_path) if journal_path else None
    columns = (TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err_console, transient=True, disable=len(numbers) < 2) as progress:
            task = progress.add_task("send", total=len(items))
            results = send_many(
                client,
                items,
                concurrency=concurrency,
                journal=journal,
                progress=lambda result, done, total: progress.update(task, completed=done),
                resend_unknown=resend_unknown,
            )
    finally:
        if journal is not None:
            journal.close()
    return [
        {
            "to": number,
            "ok": result.ok,
            "acceptance": result.acceptance,
            "outcome": result.outcome,
            "earlier": result.earlier,
            "message_id": result.message_id,
            "transaction_id": result.transaction_id,
            "error": None
            if result.ok
            else (one_line(result.error) if result.error is not None else result.reason or result.acceptance),
        }
        for number, result in zip(numbers, results, strict=True)
    ]
