"""``mm7 simulate``: the local MMSC, Sinch-like or speaking a carrier profile's dialect."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import click

from mm7.cli._app import (
    cli,
    handle_errors,
    password_options,
    stop_on_sigterm,
)
from mm7.cli.httpfile import read_capture
from mm7.errors import (
    ConfigError,
)

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
@click.option(
    "--profile",
    metavar="NAME|FILE",
    help="Speak this carrier's dialect: a shipped profile (mm7 profiles) or a profile file (.toml). "
    "Default: Sinch's behaviour.",
)
@click.option(
    "--user",
    help="Require HTTP Basic auth (2568 otherwise), or Digest when the profile says digest.",
)
@password_options("MM7_SIMULATOR_PASSWORD", "MM7_SIMULATOR_PASSWORD_FILE")
@click.option("--vasp-id", help="Require this VASPID (2564 otherwise).")
@click.option("--vas-id", help="Require this VASID (2562 otherwise).")
@click.option("--short-code", help="Require this short code (2563 otherwise).")
@click.option("--max-request-size", type=click.IntRange(1), help="Largest request in bytes (2560 above).")
@click.option("--throughput", type=click.IntRange(1), help="Requests per second accepted (3510 above).")
@click.option(
    "--latency",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds every MM7 answer waits (other requests are served meanwhile).",
)
@click.option(
    "--http-429-every",
    type=click.IntRange(1),
    metavar="N",
    help="Answer every Nth MM7 request with HTTP 429 and Retry-After.",
)
@click.option(
    "--busy-every",
    type=click.IntRange(1),
    metavar="N",
    help="Answer every Nth acceptable SubmitReq with 4006 (carrier capacity reached).",
)
@click.option(
    "--retry-after",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Seconds in the Retry-After header of a 429.",
)
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
    vasp_id: str | None,
    vas_id: str | None,
    short_code: str | None,
    max_request_size: int | None,
    throughput: int | None,
    mo_files: tuple[str, ...],
    profile: str | None,
    **options: Any,
) -> None:
    """Run a local Sinch-like MMSC: answers SubmitReq, posts delivery reports, injects MO messages.

    Prints the MM7 URL once bound; runs until Ctrl-C or SIGTERM. GET /_sim/log shows every exchange;
    POST /_sim/mo with JSON {"sender", "to", "text", "image"?} injects an MO message. With --profile it
    speaks that carrier's dialect (versions, namespace, SOAPAction, auth scheme, status codes, delivery
    reports); a Bearer profile takes the password (MM7_SIMULATOR_PASSWORD[_FILE]) as the token.
    """
    from mm7.profiles.files import load
    from mm7.simulator import MMSCSimulator, SimulatorConfig, SubmitRules
    from mm7.simulator.dialect import submit_rules
    from mm7.simulator.rules import DEFAULT_MAX_REQUEST_SIZE

    account: dict[str, Any] = {
        "username": user,
        "password": password,
        "vasp_id": vasp_id,
        "vas_id": vas_id,
        "short_code": short_code,
        "max_request_size": max_request_size,
    }
    spoken = load(profile) if profile is not None else None
    if spoken is None:
        rules = SubmitRules(**{**account, "max_request_size": max_request_size or DEFAULT_MAX_REQUEST_SIZE})
    else:
        rules = submit_rules(spoken, **account)
    config = SimulatorConfig(
        profile=spoken,
        rules=rules,
        reports=reports or SimulatorConfig.reports,
        fail_numbers=_fail_numbers(fail_number),
        throughput=throughput,
        **options,
    )
    sim = MMSCSimulator(config)
    url = sim.start(host, port)
    dialect = f" speaking {spoken.name}" if spoken is not None else ""
    click.echo(f"MMSC simulator{dialect} listening on {url}")
    click.echo(f"delivery reports -> {config.dr_url or '(none: no --dr-url)'}")
    sys.stdout.flush()
    stop_on_sigterm()
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
