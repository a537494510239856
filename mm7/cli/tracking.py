"""``mm7 status`` and ``mm7 messages``: what finally happened to sent messages (docs/tracking.md).

Both read the tracker's tables in the inbox database (``--inbox`` / ``MM7_INBOX_URL``, as ``mm7 serve``),
read-only. ``mm7 status`` exits 0 when every recipient is final, 3 while any is not, 1 for an unknown
MessageID.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import click

from mm7.cli._app import EXIT_FAILED, cli, fail, handle_errors
from mm7.cli.serving import INBOX_OPTION

if TYPE_CHECKING:
    from mm7.tracking import MessageStatus, Tracker

__all__ = ["EXIT_NOT_FINAL", "messages", "parse_duration", "status"]

#: ``mm7 status``: some recipient has no final state yet.
EXIT_NOT_FINAL = 3

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_STATE_CHOICES = [
    "open",
    "final",
    "pending",
    "forwarded",
    "deferred",
    "retrieved",
    "rejected",
    "expired",
    "unreachable",
    "unrecognised",
    "condition_not_met",
    "not_supported",
    "indeterminate",
    "no_report",
]


def parse_duration(text: str) -> timedelta:
    """Read a duration such as ``90s``, ``15m``, ``1h``, ``3d``, ``2w`` or ``1h30m``.

    Raises:
        ValueError: ``text`` is not such a duration.
    """
    cleaned = text.strip().lower()
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"{text!r} is not a duration like 90s, 15m, 1h, 3d or 1h30m")
    return timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _open(url: str) -> Tracker:
    from mm7.tracking import Tracker

    return Tracker.open(url, read_only=True)


def _print_status(found: MessageStatus) -> None:
    waiting = sum(not r.final for r in found.recipients)
    known = "" if found.submitted else " (no submit recorded: reports only)"
    click.echo(
        f"MessageID {found.message_id}{known}: {len(found.recipients)} recipient(s), "
        f"{len(found.recipients) - waiting} final, {waiting} not final"
    )
    for r in found.recipients:
        extra = [f"read: {r.read}"] if r.read is not None else []
        if r.no_report_reason is not None:
            extra.append(str(r.no_report_reason))
        if r.conflicts:
            extra.append("conflicting finals: " + ", ".join(str(c.mm_status) for c in r.conflicts))
        click.echo(f"{r.recipient}\t{r.state}" + "".join(f"\t{e}" for e in extra))
        for entry in r.history:
            date = entry.date.isoformat() if entry.date is not None else "(no date)"
            fields = [date, entry.kind.value, entry.mm_status or "(no MMStatus)", entry.status_text or ""]
            fields.append(f"TransactionID {entry.transaction_id}" if entry.transaction_id else "")
            click.echo("  " + "\t".join(fields).rstrip())
        for problem in r.problems:
            click.echo(f"  problem: {problem}")


@cli.command("status")
@click.argument("message_id")
@INBOX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@handle_errors
def status(message_id: str, inbox_url: str, as_json: bool) -> None:
    """Show each recipient's delivery state and report history for MESSAGE_ID.

    Exit codes: 0 every recipient is final, 3 some recipient is not final yet, 1 unknown MessageID.
    """
    with _open(inbox_url) as tracker:
        found = tracker.status(message_id)
    if found is None:
        fail(f"no submit or report known for MessageID {message_id} in {inbox_url}", EXIT_FAILED)
    if as_json:
        click.echo(json.dumps(found.as_dict(), indent=1, ensure_ascii=False))
    else:
        _print_status(found)
    if not found.final:
        raise SystemExit(EXIT_NOT_FINAL)


@cli.command("messages")
@INBOX_OPTION
@click.option(
    "--state",
    type=click.Choice(_STATE_CHOICES),
    default=None,
    help="Only recipients in this state ('open': any not final yet; 'final': any final).",
)
@click.option(
    "--older-than",
    callback=_duration,
    default=None,
    metavar="DURATION",
    help="Only submits at least this old (90s, 15m, 1h, 3d, 1h30m).",
)
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@handle_errors
def messages(
    inbox_url: str, state: str | None, older_than: timedelta | None, limit: int, as_json: bool
) -> None:
    """List tracked (MessageID, recipient) pairs and their states, oldest submit first."""
    with _open(inbox_url) as tracker:
        rows = tracker.messages(state=state, older_than=older_than, limit=limit)
    if as_json:
        listed = [
            {
                "message_id": r.message_id,
                "recipient": r.recipient,
                "state": r.state.value,
                "read": None if r.read is None else r.read.value,
                "submitted_at": None if r.submitted_at is None else r.submitted_at.isoformat(),
                "profile": r.profile,
            }
            for r in rows
        ]
        click.echo(json.dumps(listed, indent=1, ensure_ascii=False))
        return
    for r in rows:
        submitted = r.submitted_at.isoformat() if r.submitted_at is not None else "(no submit)"
        click.echo(f"{r.message_id}\t{r.recipient}\t{r.state}\t{submitted}\t{r.profile or ''}".rstrip())
