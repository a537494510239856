"""The ``mm7`` command line: thin click commands over the library.

Exit codes (see ``docs/cli.md``): 0 success; 1 the operation failed (a message refused or not sent, an
invalid file, an undecodable input); 2 usage or configuration error, or (``validate``) an unreadable file.
Expected failures print one line on stderr, never a traceback.
"""

from __future__ import annotations

import base64
import csv
import functools
import json
import logging
import signal
import sys
import threading
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn, ParamSpec, TypeVar

import click
from lxml import etree
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from mm7.cli.httpfile import Capture, CaptureError, read_capture
from mm7.codec.messages import DecodedMessage, Mode, decode
from mm7.codec.mime import Part
from mm7.codec.mime import decode as decode_mime
from mm7.codec.xml import parse_xml
from mm7.errors import (
    ConfigError,
    MM7Error,
    MM7ValidationError,
    RemoteCodecError,
    UnsupportedVersionError,
    ValidationProblem,
)

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "cli", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

P = ParamSpec("P")
R = TypeVar("R")
err_console = Console(stderr=True)


def out_console() -> Console:
    """A stdout console; piped output gets a wide fixed width so ids and XML lines are not cut."""
    console = Console()
    if not console.is_terminal:
        console.width = 160
    return console


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print ``mm7: <message>`` on stderr and exit with ``code``."""
    click.echo(f"mm7: {message}", err=True)
    sys.exit(code)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn expected exceptions into a one-line reason and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            fail(_one_line(exc), EXIT_USAGE)
        except MM7Error as exc:
            fail(_one_line(exc), EXIT_FAILED)
        except OSError as exc:
            fail(_one_line(exc), EXIT_USAGE)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="mm7", prog_name="mm7")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) on stderr.")
def cli(verbose: int) -> None:
    """MM7 (3GPP TS 23.140) from the command line: send MMS, validate and inspect MM7 messages,
    receive notifications, and run a local Sinch-like MMSC.

    Exit codes: 0 success, 1 failure (message refused, invalid input), 2 usage or configuration error.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``mm7`` command (the console script's entry point).

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when None.
    """
    cli.main(args=list(argv) if argv is not None else None, prog_name="mm7")


# ------------------------------------------------------------------------------------------ reading files


@dataclass
class Loaded:
    """One input file read and decoded (or the reason it could not be)."""

    name: str
    capture: Capture | None = None
    decoded: DecodedMessage | None = None
    error: MM7Error | OSError | None = None
    readable: bool = True


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def load(name: str, *, mode: Mode, content_type: str | None) -> Loaded:
    """Read a file (``-`` for stdin), recognise its shape and decode it with the codec.

    A file that is not an MM7 message at all (missing, no known shape, broken MIME or XML, no MM7 operation)
    is *unreadable*; one that is MM7 but breaks the schema or a rule is *invalid*.
    """
    try:
        capture = read_capture(_read_input(name), content_type=content_type)
    except (OSError, CaptureError) as exc:
        return Loaded(name, error=exc, readable=False)
    try:
        return Loaded(name, capture, decode(capture.body, capture.content_type, mode=mode))
    except (MM7ValidationError, UnsupportedVersionError) as exc:
        return Loaded(name, capture, error=exc)
    except RemoteCodecError as exc:
        # The envelope was read far enough to find a TransactionID: MM7, but broken (e.g. dangling href).
        return Loaded(name, capture, error=exc, readable=exc.transaction_id is not None)
    except MM7Error as exc:
        return Loaded(name, capture, error=exc, readable=False)


# ------------------------------------------------------------------------------------------ validate


def _problems(error: BaseException | None) -> list[ValidationProblem]:
    if isinstance(error, MM7ValidationError) and error.problems:
        return list(error.problems)
    if error is None:
        return []
    return [ValidationProblem(path="", line=0, reason=_one_line(error))]


def validation_record(loaded: Loaded, *, mode: Mode) -> dict[str, Any]:
    """The JSON object ``mm7 validate --format json`` prints for one file."""
    info = loaded.decoded
    if info is None and loaded.readable and loaded.capture is not None:
        # Invalid in this mode: read it tolerantly just to say what it is.
        try:
            info = decode(loaded.capture.body, loaded.capture.content_type, mode="tolerant")
        except MM7Error:
            info = None
    return {
        "file": loaded.name,
        "valid": loaded.decoded is not None,
        "readable": loaded.readable,
        "mode": mode,
        "operation": info.operation if info else None,
        "version": info.version.key if info else None,
        "mm7_version": info.mm7_version if info else None,
        "transaction_id": info.transaction_id if info else getattr(loaded.error, "transaction_id", None),
        "errors": [{"path": p.path, "line": p.line, "reason": p.reason} for p in _problems(loaded.error)],
        "deviations": list(loaded.decoded.deviations) if loaded.decoded else [],
    }


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--tolerant", is_flag=True, help="Repair the deviations real peers send, list them, then validate."
)
@click.option("--content-type", help="Content-Type for inputs that carry none (MIME bodies, envelopes).")
def validate(files: tuple[str, ...], fmt: str, tolerant: bool, content_type: str | None) -> None:
    """Validate MM7 messages strictly (files, or - for stdin).

    Each FILE may be a raw HTTP request or response capture, a MIME body, or a bare SOAP envelope.

    \b
    Exit codes: 0 every file valid, 1 some file invalid, 2 some file unreadable
    (missing, or not an MM7 message at all).
    """
    mode: Mode = "tolerant" if tolerant else "strict"
    worst = EXIT_OK
    for name in files:
        loaded = load(name, mode=mode, content_type=content_type)
        record = validation_record(loaded, mode=mode)
        if not loaded.readable:
            worst = EXIT_USAGE
        elif loaded.decoded is None:
            worst = max(worst, EXIT_FAILED)
        if fmt == "json":
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            _print_validation(record)
    sys.exit(worst)


def _print_validation(record: dict[str, Any]) -> None:
    what = ", ".join(
        str(x)
        for x in (
            record["operation"],
            record["version"],
            record["mm7_version"] and f"MM7Version {record['mm7_version']}",
        )
        if x
    )
    if record["valid"]:
        click.echo(f"{record['file']}: valid ({what})")
        for deviation in record["deviations"]:
            click.echo(f"  repaired: {deviation}")
        return
    label = "invalid" if record["readable"] else "unreadable"
    click.echo(f"{record['file']}: {label}" + (f" ({what})" if what else ""))
    for error in record["errors"]:
        where = f"{error['path']} (line {error['line']}): " if error["path"] else ""
        click.echo(f"  {where}{error['reason']}")


# ------------------------------------------------------------------------------------------ inspect


def _mime_tree(part: Part, label: str) -> Tree:
    tree = Tree(_part_label(part, label))
    for index, child in enumerate(part.children or (), 1):
        tree.add(_mime_tree(child, f"part {index}"))
    return tree


def _part_label(part: Part, label: str) -> str:
    bits = [part.content_type]
    if part.content_id:
        bits.append(f"id=<{part.content_id}>")
    if part.content_location:
        bits.append(f"location={part.content_location}")
    bits.append(f"{part.size} bytes")
    return f"[bold]{escape(label)}[/bold]  " + escape("  ".join(bits))


@cli.command()
@click.argument("file")
@click.option("--content-type", help="Content-Type for inputs that carry none (MIME bodies, envelopes).")
@click.option("--strict", is_flag=True, help="Decode strictly (default: tolerant, listing deviations).")
@handle_errors
def inspect(file: str, content_type: str | None, strict: bool) -> None:
    """Show an MM7 message: MIME tree, envelope, operation, TransactionID, version, attachments, deviations.

    FILE may be a raw HTTP request or response capture, a MIME body, or a bare SOAP envelope (- for stdin).
    Exits 1 with a one-line reason when it cannot be decoded.
    """
    loaded = load(file, mode="strict" if strict else "tolerant", content_type=content_type)
    if loaded.decoded is None or loaded.capture is None:
        fail(f"{file}: cannot decode: {_one_line(loaded.error or Exception('unknown error'))}", EXIT_FAILED)
    capture, decoded = loaded.capture, loaded.decoded
    out = out_console()
    summary = Table.grid(padding=(0, 2))
    summary.add_row("file", file)
    summary.add_row("shape", capture.kind + (f"  ({capture.start_line})" if capture.start_line else ""))
    summary.add_row("operation", decoded.operation)
    summary.add_row("TransactionID", decoded.transaction_id)
    summary.add_row("schema", f"{decoded.version.key}  (namespace {decoded.namespace})")
    summary.add_row("MM7Version", str(decoded.mm7_version))
    if decoded.status_code is not None:
        summary.add_row("status", f"{decoded.status_code} {decoded.status_text or ''}".strip())
    for name in ("message_id", "subject"):
        value = getattr(decoded.message, name, None)
        if value:
            summary.add_row(name.replace("_", " "), str(value))
    out.print(summary)
    mime = decode_mime(capture.content_type, capture.body)
    tree = Tree(
        f"[bold]body[/bold]  {capture.content_type or '(no Content-Type)'}  {len(capture.body)} bytes"
    )
    tree.add(_mime_tree(mime.root, "root (SOAP)"))
    for index, part in enumerate(mime.attachments, 1):
        tree.add(_mime_tree(part, f"attachment {index}"))
    out.print(tree)
    out.rule("envelope")
    pretty = etree.tostring(parse_xml(decoded.envelope), pretty_print=True, encoding="unicode")
    out.print(pretty.rstrip(), markup=False, highlight=False, soft_wrap=True)
    out.rule()
    media = decoded.media_parts()
    out.print(f"[bold]media parts[/bold] ({len(media)})")
    for part in media:
        out.print(f"  {part.content_type}  id=<{part.content_id or ''}>  {part.size} bytes", markup=False)
    out.print(f"[bold]deviations[/bold] ({len(decoded.deviations)})")
    for deviation in decoded.deviations:
        out.print(f"  - {deviation}", markup=False)


# ------------------------------------------------------------------------------------------ send


@dataclass
class SendConfig:
    """Where and as whom ``mm7 send`` sends."""

    endpoint: str | None = None
    vaspid: str | None = None
    vasid: str | None = None
    shortcode: str | None = None
    user: str | None = None
    password: str | None = None
    profile: str = "sinch"
    mm7_version: str = "6.8.0"


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
            raise ConfigError(f"cannot read config {path}: {_one_line(exc)}") from exc
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


def _client(config: SendConfig) -> Any:
    from mm7.client import MM7Client
    from mm7.profiles.base import Profile

    auth = (config.user, config.password or "") if config.user else None
    if config.profile == "sinch":
        if not config.vaspid or not config.shortcode:
            raise ConfigError(
                "the sinch profile needs a VASPID (API key) and a short code (MM7_VASPID, MM7_SHORTCODE)"
            )
        return MM7Client.for_sinch(
            api_key=config.vaspid,
            short_code=config.shortcode,
            vas_id=config.vasid,
            endpoint=config.endpoint,
            mm7_version=config.mm7_version,
            username=config.user,
            password=config.password,
        )
    if not config.endpoint:
        raise ConfigError("no endpoint: give --endpoint or MM7_ENDPOINT")
    profile = Profile(mm7_version=config.mm7_version, vasp_id=config.vaspid, vas_id=config.vasid)
    return MM7Client(config.endpoint, profile=profile, auth=auth)


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

    if config.profile == "sinch":
        return client.sinch.submit_request(number, subject=subject)
    return submit_request(
        to=number,
        vasp_id=config.vaspid,
        vas_id=config.vasid,
        sender=config.shortcode,
        subject=subject,
        mm7_version=config.mm7_version,
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
@click.option("--vaspid", envvar="MM7_VASPID", help="VASPID, Sinch's API key [env MM7_VASPID].")
@click.option("--vasid", envvar="MM7_VASID", help="VASID [env MM7_VASID].")
@click.option("--shortcode", envvar="MM7_SHORTCODE", help="Sender short code [env MM7_SHORTCODE].")
@click.option("--user", envvar="MM7_USER", help="HTTP Basic user [env MM7_USER].")
@click.option("--password", envvar="MM7_PASSWORD", help="HTTP Basic password [env MM7_PASSWORD].")
@click.option("--profile", type=click.Choice(["sinch", "generic"]), help="Carrier rules (default sinch).")
@click.option("--mm7-version", help="MM7Version (default 6.8.0).")
@click.option("--journal", type=click.Path(dir_okay=False), help="Resumable journal (SQLite) for bulk sends.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True)
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
    concurrency: int,
    **settings: str | None,
) -> None:
    """Send an MMS (image and/or text) to one or many numbers; prints each MessageID.

    One SubmitReq per recipient (Sinch takes exactly one). With many recipients a progress bar runs and
    the bulk sender is used; --journal makes a run resumable (numbers already accepted are skipped).

    \b
    Exit codes: 0 all sent, 1 some failed, 2 usage or configuration error.
    """
    config = load_config(config_file, **settings)
    if config.profile not in ("sinch", "generic"):
        raise ConfigError(f"unknown profile {config.profile!r}: use sinch or generic")
    numbers = _recipients(to, csv_file, csv_column)
    parts = _parts(image, text)
    client = _client(config)
    try:
        if len(numbers) == 1 and journal is None:
            results = [_send_one(client, config, numbers[0], subject, parts)]
        else:
            results = _send_bulk(client, config, numbers, subject, parts, journal, concurrency)
    finally:
        client.close()
    for row in results:
        if fmt == "json":
            click.echo(json.dumps(row))
        elif row["ok"]:
            click.echo(f"{row['to']}\t{row['outcome']}\tMessageID {row['message_id']}")
        else:
            click.echo(f"{row['to']}\t{row['outcome']}\t{row['error']}", err=fmt == "text")
    sys.exit(EXIT_OK if all(r["ok"] for r in results) else EXIT_FAILED)


def _content(config: SendConfig, parts: list[Part]) -> Part | list[Part]:
    from mm7.codec.smil import related_content

    # The Sinch profile wraps media parts itself (SMIL root); the generic profile gets the same layout.
    return parts if config.profile == "sinch" else related_content(parts)


def _send_one(
    client: Any, config: SendConfig, number: str, subject: str | None, parts: list[Part]
) -> dict[str, Any]:
    from mm7.profiles.base import ProfileViolation

    row: dict[str, Any] = {
        "to": number,
        "ok": False,
        "outcome": "failed",
        "message_id": None,
        "transaction_id": None,
    }
    try:
        message = _submit_request(client, config, number, subject)
        result = client.submit(message, content=_content(config, parts))
    except ProfileViolation as exc:
        return {**row, "error": _one_line(exc)}
    except ConfigError:
        raise
    except MM7Error as exc:
        return {**row, "transaction_id": exc.transaction_id, "error": _one_line(exc)}
    return {
        **row,
        "ok": True,
        "outcome": "sent",
        "message_id": result.message_id,
        "transaction_id": result.transaction_id,
        "status_code": result.status_code,
        "error": None,
    }


def _send_bulk(
    client: Any,
    config: SendConfig,
    numbers: list[str],
    subject: str | None,
    parts: list[Part],
    journal_path: str | None,
    concurrency: int,
) -> list[dict[str, Any]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from mm7.client.bulk import BulkItem, send_many
    from mm7.client.journal import Journal

    content = _content(config, parts)
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
            )
    finally:
        if journal is not None:
            journal.close()
    return [
        {
            "to": number,
            "ok": result.ok,
            "outcome": result.outcome,
            "message_id": result.message_id,
            "transaction_id": result.transaction_id,
            "error": None
            if result.ok
            else (result.reason or _one_line(result.error or Exception(result.outcome))),
        }
        for number, result in zip(numbers, results, strict=True)
    ]


# ------------------------------------------------------------------------------------------ serve / worker


def _stop_on_sigterm() -> None:
    """Make SIGTERM end the process like Ctrl-C, so servers shut down cleanly."""

    def raise_interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_interrupt)


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
@INBOX_OPTION
@click.option(
    "--user", envvar="MM7_BASIC_USER", help="Require HTTP Basic auth with this user [env MM7_BASIC_USER]."
)
@click.option("--password", envvar="MM7_BASIC_PASSWORD", help="... and password [env MM7_BASIC_PASSWORD].")
@click.option("--allow", multiple=True, help="Allowed client network (CIDR); repeat. Default: any.")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True)
@handle_errors
def serve(
    host: str,
    port: int,
    inbox_url: str,
    user: str | None,
    password: str | None,
    allow: tuple[str, ...],
    threads: int,
) -> None:
    """Receive DeliverReq / DeliveryReportReq / ReadReplyReq into the inbox (waitress).

    Prints "listening on URL" once bound; runs until Ctrl-C or SIGTERM.
    """
    from mm7.server import make_app, make_server

    app = make_app(inbox_url, username=user, password=password, allow=list(allow))
    server = make_server(app, host, port, threads=threads)
    click.echo(f"listening on http://{host}:{server.effective_port}/", nl=True)
    sys.stdout.flush()
    _stop_on_sigterm()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.inbox.close()


class LoggingHandlers:
    """The default ``mm7 worker`` handlers: print one line per notification received."""

    def on_deliver(self, received: Any) -> None:
        """An MO message."""
        message = received.message
        sender = _address(getattr(message, "sender", None))
        texts = [p.decode_text() for p in received.media if p.media_type == "text/plain"]
        click.echo(f"MO from {sender}: {' | '.join(texts) or '(no text)'} ({len(received.media)} part(s))")

    def on_delivery_report(self, received: Any) -> None:
        """A delivery report."""
        message = received.message
        status = getattr(message.mmstatus, "value", message.mmstatus)
        click.echo(f"DR MessageID {message.message_id} to {_address(message.recipient)}: {status}")

    def on_read_reply(self, received: Any) -> None:
        """A read reply."""
        message = received.message
        status = getattr(message.mmstatus, "value", message.mmstatus)
        click.echo(f"read reply MessageID {message.message_id}: {status}")


def _address(address: Any) -> str:
    for kind in ("number", "short_code", "rfc2822_address"):
        element = getattr(address, kind, None)
        if element is not None:
            return str(element.value)
    return "?"


@cli.command()
@INBOX_OPTION
@click.option(
    "--handlers",
    default="mm7.cli.main:LoggingHandlers",
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

    _stop_on_sigterm()
    run_worker(
        inbox_url,
        load_handlers(handlers),
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


# ------------------------------------------------------------------------------------------ simulate


def _fail_numbers(values: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for value in values:
        number, sep, status = value.partition("=")
        if not sep or not number.strip() or not status.strip():
            raise ConfigError(f"--fail-number wants NUMBER=STATUS (e.g. 15550000001=Rejected), got {value!r}")
        result[number.strip()] = status.strip()
    return result


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, show_default=True, help="Port (0 picks a free one).")
@click.option("--dr-url", help="Where delivery reports are posted (none when absent).")
@click.option("--mo-url", help="Where MO DeliverReqs are posted (default: --dr-url).")
@click.option(
    "--report",
    "reports",
    multiple=True,
    help="MMStatus posted per message, in order (default Forwarded, Retrieved).",
)
@click.option(
    "--fail-number",
    multiple=True,
    metavar="NUMBER=STATUS",
    help="Final status for a number, e.g. 15550000001=Rejected.",
)
@click.option(
    "--report-delay", type=float, default=0.2, show_default=True, help="Seconds before each report."
)
@click.option(
    "--retry-interval", type=float, default=300.0, show_default=True, help="Seconds between postback retries."
)
@click.option("--max-retries", type=click.IntRange(0), default=5, show_default=True)
@click.option("--user", help="Require HTTP Basic auth (2568 otherwise).")
@click.option("--password")
@click.option("--vaspid", help="Require this VASPID (2564 otherwise).")
@click.option("--vasid", help="Require this VASID (2562 otherwise).")
@click.option("--shortcode", help="Require this short code (2563 otherwise).")
@click.option("--max-request-size", type=click.IntRange(1), help="Largest request in bytes (2560 above).")
@click.option("--throughput", type=click.IntRange(1), help="Requests per second accepted (3510 above).")
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False),
    help="Append every exchange to this JSON-lines file.",
)
@click.option(
    "--mo",
    "mo_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Post this MO once ready: JSON {sender,to,text,image} or an MM7 capture.",
)
@handle_errors
def simulate(
    host: str,
    port: int,
    reports: tuple[str, ...],
    fail_number: tuple[str, ...],
    user: str | None,
    password: str | None,
    vaspid: str | None,
    vasid: str | None,
    shortcode: str | None,
    max_request_size: int | None,
    throughput: int | None,
    mo_files: tuple[str, ...],
    **options: Any,
) -> None:
    """Run a local Sinch-like MMSC: answers SubmitReq, posts delivery reports, injects MO messages.

    Prints the MM7 URL once bound; runs until Ctrl-C or SIGTERM. GET /_sim/log shows every exchange;
    POST /_sim/mo with JSON {"sender", "to", "text", "image"?} injects an MO message.
    """
    from mm7.simulator import MMSCSimulator, SimulatorConfig, SubmitRules
    from mm7.simulator.rules import DEFAULT_MAX_REQUEST_SIZE

    rules = SubmitRules(
        username=user,
        password=password,
        vasp_id=vaspid,
        vas_id=vasid,
        short_code=shortcode,
        max_request_size=max_request_size or DEFAULT_MAX_REQUEST_SIZE,
    )
    config = SimulatorConfig(
        rules=rules,
        reports=reports or SimulatorConfig.reports,
        fail_numbers=_fail_numbers(fail_number),
        throughput=throughput,
        **options,
    )
    sim = MMSCSimulator(config)
    url = sim.start(host, port)
    click.echo(f"MMSC simulator listening on {url}")
    click.echo(f"delivery reports -> {config.dr_url or '(none: no --dr-url)'}")
    sys.stdout.flush()
    _stop_on_sigterm()
    try:
        for mo_file in mo_files:
            tid = _inject_file(sim, mo_file)
            click.echo(f"MO {mo_file} queued (TransactionID {tid})")
        sys.stdout.flush()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


def _inject_file(sim: Any, path: str) -> str:
    data = Path(path).read_bytes()
    if path.endswith(".json"):
        try:
            spec = json.loads(data)
        except ValueError as exc:
            raise ConfigError(f"{path}: not JSON: {exc}") from exc
        if not isinstance(spec, dict) or "sender" not in spec or "to" not in spec:
            raise ConfigError(f'{path}: expected {{"sender", "to", "text", "image"?}}')
        return str(
            sim.inject_mo(
                str(spec["sender"]),
                str(spec["to"]),
                spec.get("text"),
                image=spec.get("image"),
                subject=spec.get("subject"),
            )
        )
    capture = read_capture(data)
    return str(sim.inject_mo_raw(capture.body, capture.content_type))


# ------------------------------------------------------------------------------------------ regenerate, demo


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 naming every file that would change.")
@click.option("--schemas", type=click.Path(file_okay=False), help="Directory of .xsd files.")
@click.option("--out", type=click.Path(file_okay=False), help="Directory receiving the bindings package.")
@click.option("--package", help="Top-level package name of the bindings.")
@handle_errors
def regenerate(check: bool, schemas: str | None, out: str | None, package: str | None) -> None:
    """Regenerate the xsdata bindings from the schemas (needs the mm7[regenerate] extra)."""
    try:
        from mm7 import _regenerate
    except ImportError as exc:
        fail(f"regenerate needs xsdata's generator: pip install 'mm7[regenerate]' ({exc})", EXIT_USAGE)
    argv = [*(["--check"] if check else [])]
    for flag, value in (("--schemas", schemas), ("--out", out), ("--package", package)):
        if value is not None:
            argv += [flag, value]
    sys.exit(_regenerate.main(argv))


@cli.command()
@click.option(
    "--inbox", "inbox_path", type=click.Path(dir_okay=False), help="SQLite inbox file (default: a temp dir)."
)
@click.option("--to", "to", default="15551234567", show_default=True, help="Test recipient number.")
@click.option(
    "--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for the reports."
)
@handle_errors
def demo(inbox_path: str | None, to: str, timeout: float) -> None:
    """Send an MMS through a local simulator and receive its delivery reports (no network needed).

    Starts the simulator and the receiver on free 127.0.0.1 ports, sends the bundled image and a text
    with the Sinch profile, waits for Forwarded and Retrieved in the inbox, prints a summary, and exits 0
    (1 with a reason when the reports do not arrive in time).
    """
    from mm7.cli.demo import run_demo

    sys.exit(run_demo(inbox_path=inbox_path, to=to, timeout=timeout))
