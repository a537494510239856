"""``mm7 validate`` and ``mm7 inspect``: read captures, envelopes and MIME bodies; report strictly."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click
from lxml import etree
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from mm7.cli._app import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    cli,
    fail,
    handle_errors,
    one_line,
    out_console,
)
from mm7.cli.httpfile import Capture, CaptureError, read_capture
from mm7.cli.inputs import STDIN, Input, find_inputs
from mm7.cli.junit import JUnitCase, junit_report
from mm7.codec.messages import DecodedMessage, Mode, decode
from mm7.codec.mime import Part
from mm7.codec.mime import decode as decode_mime
from mm7.codec.summary import Address, summarize
from mm7.codec.versions import SOAP_ENV_NS, register_schema, registered_schemas
from mm7.codec.xml import parse_xml
from mm7.errors import (
    ConfigError,
    MM7Error,
    MM7ValidationError,
    RemoteCodecError,
    UnsupportedVersionError,
    ValidationProblem,
)

if TYPE_CHECKING:
    from mm7.codec.message_types import MM7Message

# ------------------------------------------------------------------------------------------ reading files


@dataclass
class Loaded:
    """One input file read and decoded (or the reason it could not be)."""

    name: str
    capture: Capture | None = None
    decoded: DecodedMessage[MM7Message | None] | None = None
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


# ------------------------------------------------------------------------------------------ user schemas

F = TypeVar("F", bound=Callable[..., Any])


def schema_options(command: F) -> F:
    """``--bindings PACKAGE [--xsd FILE]`` and ``--schemas DIR``: read with a schema set of the user's."""
    command = click.option(
        "--schemas",
        "schema_folder",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        metavar="DIR",
        help="A folder of your XSDs: compiled on the fly (as mm7 regenerate does) and registered.",
    )(command)
    command = click.option(
        "--xsd",
        "xsds",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        metavar="FILE",
        help="The XSD of each --bindings package, in the same order (default: the one .xsd in its folder).",
    )(command)
    return click.option(
        "--bindings",
        multiple=True,
        metavar="PACKAGE",
        help="Register generated bindings (mm7 regenerate --package NAME: NAME.<schema>) before reading.",
    )(command)


def _xsd_beside(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    folder = Path(spec.origin).parent if spec is not None and spec.origin else None
    found = sorted(folder.glob("*.xsd")) if folder is not None else []
    if len(found) != 1:
        raise ConfigError(f"--bindings {package}: give its XSD with --xsd FILE")
    return found[0]


def use_schemas(
    bindings: tuple[str, ...], xsds: tuple[Path, ...], folder: Path | None
) -> list[tuple[str, Path]]:
    """Register the schema sets named on the command line (a usage error when they are wrong).

    Returns:
        The bindings package and XSD of each schema registered here (not those an ``mm7.schemas`` entry
        point registers), for worker processes to register the same.
    """
    if len(xsds) > len(bindings):
        fail("--xsd is given once per --bindings package", EXIT_USAGE)
    made: list[tuple[str, Path]] = []
    try:
        known = {version.package for version in registered_schemas()}
        for index, package in enumerate(bindings):
            if index >= len(xsds) and package in known:
                continue  # registered already (an mm7.schemas entry point)
            xsd = xsds[index] if index < len(xsds) else _xsd_beside(package)
            register_schema(package=package, xsd=xsd)
            made.append((package, xsd))
        if folder is not None:
            made.extend(_compile_and_register(folder))
    except ConfigError as exc:
        fail(one_line(exc), EXIT_USAGE)
    return made


def _compile_and_register(folder: Path) -> list[tuple[str, Path]]:
    from mm7._regenerate import compile_schemas, package_name_for  # needs mm7[regenerate]

    out = Path(click.get_current_context().with_resource(tempfile.TemporaryDirectory(prefix="mm7-schemas-")))
    root = "mm7_user_schemas"
    compile_schemas(folder, out, root_package=root)
    sys.path.insert(0, str(out))
    made = []
    for xsd in sorted(folder.glob("*.xsd")):
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        if etree.parse(str(xsd), parser).getroot().get("targetNamespace") == SOAP_ENV_NS:
            continue  # the SOAP envelope schema, not an MM7 one
        package = f"{root}.{package_name_for(xsd)}"
        register_schema(package=package, xsd=xsd)
        made.append((package, xsd))
    return made


# ------------------------------------------------------------------------------------------ records


def _problems(loaded: Loaded) -> list[ValidationProblem]:
    error = loaded.error
    if isinstance(error, MM7ValidationError) and error.problems:
        return list(error.problems)
    if error is not None:
        return [ValidationProblem(path="", line=0, reason=one_line(error), kind="unreadable")]
    return list(loaded.decoded.violations) if loaded.decoded else []


def is_valid(loaded: Loaded) -> bool:
    """Decoded in the mode asked for, and schema-valid (after the repairs listed, in tolerant mode)."""
    return loaded.decoded is not None and loaded.decoded.valid


def validation_record(loaded: Loaded, *, mode: Mode) -> dict[str, Any]:
    """The JSON object ``mm7 validate --format json`` prints for one file.

    ``errors`` carry a ``kind``: ``schema`` for what the schema rejects, the deviation kind for what strict
    mode refuses (``element-order``, ``namespace``...). ``deviations`` are the repairs tolerant reading made,
    listed even when the file still fails; ``operation`` and ``version`` are given whenever they were
    identified.
    """
    info = loaded.decoded
    if info is None and loaded.readable and loaded.capture is not None:
        # Invalid in this mode: read it tolerantly just to say what it is.
        try:
            info = decode(loaded.capture.body, loaded.capture.content_type, mode="tolerant")
        except MM7Error:
            info = None
    repaired = loaded.decoded if mode == "tolerant" else None
    return {
        "file": loaded.name,
        "valid": is_valid(loaded),
        "readable": loaded.readable,
        "mode": mode,
        "operation": info.operation if info else None,
        "version": info.version.key if info else None,
        "mm7_version": info.mm7_version if info else None,
        "transaction_id": info.transaction_id if info else getattr(loaded.error, "transaction_id", None),
        "errors": [
            {"path": p.path, "line": p.line, "reason": p.reason, "kind": p.kind} for p in _problems(loaded)
        ],
        "deviations": [
            {"kind": d.kind, "path": d.path, "line": d.line, "reason": d.reason}
            for d in (repaired.deviations if repaired else [])
        ],
        "extensions": [
            {"path": x.path, "name": x.name, "value": x.xml, "attribute": x.is_attribute}
            for x in (repaired.extensions if repaired else [])
        ],
    }


# ------------------------------------------------------------------------------------------ many files


@dataclass(frozen=True)
class Checked:
    """One input's validation record (the ``--format json`` object) and how long it took."""

    record: dict[str, Any]
    seconds: float


def check_file(name: str, *, mode: Mode, content_type: str | None) -> Checked:
    """Read and validate one file (``-`` for stdin): what a worker process does for each file."""
    started = time.perf_counter()
    record = validation_record(load(name, mode=mode, content_type=content_type), mode=mode)
    return Checked(record, time.perf_counter() - started)


def _check_input(item: Input, *, mode: Mode, content_type: str | None) -> Checked:
    if item.problem is None:
        return check_file(item.name, mode=mode, content_type=content_type)
    nothing = Loaded(item.name, error=FileNotFoundError(item.problem), readable=False)
    return Checked(validation_record(nothing, mode=mode), 0.0)


def _goes_to_a_worker(item: Input) -> bool:
    return item.problem is None and item.name != STDIN


def _start_worker(path: list[str], schemas: list[tuple[str, Path]]) -> None:
    """Prepare a worker process: the parent's import path, and the schemas the command line registered."""
    sys.path.extend(entry for entry in path if entry not in sys.path)
    for package, xsd in schemas:
        register_schema(package=package, xsd=xsd)


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))  # the cores this process may run on
    return os.cpu_count() or 1


def check_all(
    inputs: list[Input],
    *,
    mode: Mode,
    content_type: str | None,
    jobs: int,
    schemas: list[tuple[str, Path]],
) -> Iterator[Checked]:
    """Validate the inputs, in ``jobs`` worker processes (0: one per core); results in the inputs' order.

    Standard input and the arguments that name nothing are handled here; files go to the workers, started
    fresh (``spawn``, the same on every platform) with the schemas registered for this run.
    """
    in_workers = [item.name for item in inputs if _goes_to_a_worker(item)]
    workers = min(jobs or _cores(), len(in_workers))
    if workers <= 1:
        for item in inputs:
            yield _check_input(item, mode=mode, content_type=content_type)
        return
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(list(sys.path), schemas),
    ) as pool:
        chunk = max(1, min(64, len(in_workers) // (workers * 4)))
        work = functools.partial(check_file, mode=mode, content_type=content_type)
        done = pool.map(work, in_workers, chunksize=chunk)
        for item in inputs:
            yield (
                next(done)
                if _goes_to_a_worker(item)
                else _check_input(item, mode=mode, content_type=content_type)
            )


# ------------------------------------------------------------------------------------------ validate


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="text: a report to read; json: one object per file (JSON lines); junit: a JUnit XML report.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Write the report to FILE instead of standard output (and a one-line summary on stderr).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    metavar="N",
    help="Validate in N worker processes (0: one per core); the report is the same, in the same order.",
)
@click.option(
    "--tolerant", is_flag=True, help="Repair the deviations real peers send, list them, then validate."
)
@click.option("--content-type", help="Content-Type for inputs that carry none (MIME bodies, envelopes).")
@schema_options
def validate(
    files: tuple[str, ...],
    fmt: str,
    output: Path | None,
    jobs: int,
    tolerant: bool,
    content_type: str | None,
    bindings: tuple[str, ...],
    xsds: tuple[Path, ...],
    schema_folder: Path | None,
) -> None:
    """Validate MM7 messages strictly: files, folders (recursively), quoted patterns, or - for stdin.

    Each file may be a raw HTTP request or response capture, a MIME body, or a bare SOAP envelope. A folder
    contributes its .http, .mime, .eml and .xml files (hidden ones skipped); a pattern such as
    'captures/**/*.http' is expanded by mm7 (** spans folders); a file named outright is always read. Each
    file is validated once, in path order. --bindings (or --schemas) reads them with a schema set of yours
    as well as mm7's own.

    \b
    Exit codes: 0 every file valid, 1 some file invalid, 2 some file unreadable
    (missing, or not an MM7 message at all; a folder or pattern with no file) or a usage error.
    """  # noqa: D301  (click's paragraph marker is the backspace character "\b", not a backslash)
    mode: Mode = "tolerant" if tolerant else "strict"
    schemas = use_schemas(bindings, xsds, schema_folder)
    inputs = find_inputs(files)
    with contextlib.ExitStack() as stack:
        try:
            sink: IO[bytes] | None = stack.enter_context(output.open("wb")) if output is not None else None
        except OSError as exc:
            fail(f"--output {output}: {one_line(exc)}", EXIT_USAGE)
        started, clock = datetime.now(), time.perf_counter()
        results = check_all(inputs, mode=mode, content_type=content_type, jobs=jobs, schemas=schemas)
        checked: list[Checked] = []
        for result in results:
            checked.append(result)
            for line in _report_lines(result.record, fmt):  # text and JSON go out file by file
                click.echo(line.encode() if sink else line, file=sink)
        if fmt == "junit":
            report = _junit(checked, mode=mode, seconds=time.perf_counter() - clock, started=started)
            out: IO[bytes] = sink if sink is not None else sys.stdout.buffer
            out.write(report)
            out.flush()
    records = [result.record for result in checked]
    if output is not None:
        click.echo(f"mm7 validate: {_summary(records)}; report written to {output}", err=True)
    sys.exit(_exit_code(records))


def _report_lines(record: dict[str, Any], fmt: str) -> list[str]:
    if fmt == "json":
        return [json.dumps(record, ensure_ascii=False)]
    return report_lines(record) if fmt == "text" else []  # junit: one report at the end


def _exit_code(records: list[dict[str, Any]]) -> int:
    """The worst outcome: 2 when some file is unreadable, else 1 when some is invalid, else 0."""
    if not all(record["readable"] for record in records):
        return EXIT_USAGE
    return EXIT_OK if all(record["valid"] for record in records) else EXIT_FAILED


def _label(record: dict[str, Any]) -> str:
    return "valid" if record["valid"] else "invalid" if record["readable"] else "unreadable"


def _summary(records: list[dict[str, Any]]) -> str:
    labels = [_label(record) for record in records]
    counts = ", ".join(f"{labels.count(label)} {label}" for label in ("valid", "invalid", "unreadable"))
    return f"{len(records)} file{'s' if len(records) != 1 else ''}: {counts}"


def _error_line(error: dict[str, Any]) -> str:
    where = f"{error['path']} (line {error['line']}): " if error["path"] else ""
    kind = f"[{error['kind']}] " if error["kind"] not in ("schema", "unreadable") else ""
    return f"{kind}{where}{error['reason']}"


def _description(record: dict[str, Any]) -> str:
    """``SubmitReq, REL-6-MM7-1-4, MM7Version 6.8.0``: what the file was read as, as far as known."""
    return ", ".join(
        str(x)
        for x in (
            record["operation"],
            record["version"],
            record["mm7_version"] and f"MM7Version {record['mm7_version']}",
        )
        if x
    )


def report_lines(record: dict[str, Any]) -> list[str]:
    """The ``--format text`` report of one file: its verdict, then one indented line per finding."""
    what = _description(record)
    lines = [f"{record['file']}: {_label(record)}" + (f" ({what})" if what else "")]
    lines += [f"  {_error_line(error)}" for error in record["errors"]]
    for deviation in record["deviations"]:
        where = f" (at {deviation['path']})" if deviation["path"] else ""
        lines.append(f"  repaired [{deviation['kind']}]: {deviation['reason']}{where}")
    for extension in record["extensions"]:
        what_kept = "attribute" if extension["attribute"] else "element"
        lines.append(f"  kept {what_kept} {extension['name']} (at {extension['path']})")
    return lines


def _junit_case(checked: Checked) -> JUnitCase:
    """A file as a JUnit test case: invalid is a failure, unreadable an error; the errors as mm7 reports them.

    The message is the first error (element path, line, reason), with the number of further ones; the
    text lists every error; system-out holds the whole text report of the file.
    """
    record = checked.record
    case = JUnitCase(
        name=record["file"],
        classname=f"mm7.validate.{record['mode']}",
        seconds=checked.seconds,
        output="\n".join(report_lines(record)),
    )
    if record["valid"]:
        return case
    errors: list[dict[str, Any]] = record["errors"] or [
        {"path": "", "line": 0, "reason": _label(record), "kind": "schema"}
    ]
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return dataclasses.replace(
        case,
        outcome="failure" if record["readable"] else "error",
        message=_error_line(first) + more,
        type=first["kind"],
        details="\n".join(_error_line(error) for error in errors),
    )


def _junit(checked: list[Checked], *, mode: Mode, seconds: float, started: datetime) -> bytes:
    return junit_report(
        [_junit_case(result) for result in checked],
        suite="mm7 validate",
        seconds=seconds,
        properties=[("mode", mode)],
        timestamp=started,
    )


# ------------------------------------------------------------------------------------------ inspect


def _mime_tree(part: Part, label: str) -> Tree:
    tree = Tree(_part_label(part, label))
    for index, child in enumerate(part.children or (), 1):
        tree.add(_mime_tree(child, f"part {index}"))
    return tree


def _address_label(address: Address) -> str:
    """``to:number 15551234567``: a recipient's group, then the kind and text of the address."""
    group = f"{address.group}:" if address.group else ""
    shown = " (displayOnly)" if address.display_only else ""
    return f"{group}{address.kind} {address.value}{shown}"


def _part_label(part: Part, label: str) -> str:
    bits = [part.content_type]
    if part.content_id:
        bits.append(f"id=<{part.content_id}>")
    if part.content_location:
        bits.append(f"location={part.content_location}")
    bits.append(f"{part.size} bytes")
    return f"[bold]{escape(label)}[/bold]  " + escape("  ".join(bits))


def _answer_line(capture: Capture) -> str | None:
    """The status line of the answer a capture file holds after its request (``mm7 send --capture``)."""
    following = capture.rest.lstrip(b"\r\n").split(b"\n", 1)[0].strip()
    return following.decode("latin-1") if following.startswith(b"HTTP/") else None


@cli.command()
@click.argument("file")
@click.option("--content-type", help="Content-Type for inputs that carry none (MIME bodies, envelopes).")
@click.option("--strict", is_flag=True, help="Decode strictly (default: tolerant, listing deviations).")
@schema_options
@handle_errors
def inspect(
    file: str,
    content_type: str | None,
    strict: bool,
    bindings: tuple[str, ...],
    xsds: tuple[Path, ...],
    schema_folder: Path | None,
) -> None:
    """Show an MM7 message: MIME tree, envelope, operation, TransactionID, version, attachments, deviations.

    FILE may be a raw HTTP request or response capture, a MIME body, or a bare SOAP envelope (- for stdin);
    a capture file of --capture shows its request and the status line of its answer.
    The schema it was read with is named (key, bindings package, namespace), and the registered schemas
    (--bindings, --schemas, mm7.schemas entry points) are listed. Exits 1 with a one-line reason when it
    cannot be decoded.
    """
    use_schemas(bindings, xsds, schema_folder)
    loaded = load(file, mode="strict" if strict else "tolerant", content_type=content_type)
    if loaded.decoded is None or loaded.capture is None:
        fail(f"{file}: cannot decode: {one_line(loaded.error or Exception('unknown error'))}", EXIT_FAILED)
    capture, decoded = loaded.capture, loaded.decoded
    out = out_console()
    summary = Table.grid(padding=(0, 2))
    summary.add_row("file", file)
    summary.add_row("shape", capture.kind + (f"  ({capture.start_line})" if capture.start_line else ""))
    answer = _answer_line(capture)
    if answer:
        summary.add_row("answered", answer)
    summary.add_row("operation", decoded.operation)
    summary.add_row("TransactionID", decoded.transaction_id)
    version = decoded.version
    summary.add_row("schema", f"{version.key}  (package {version.package}, namespace {decoded.namespace})")
    summary.add_row("MM7Version", str(decoded.mm7_version))
    if decoded.status_code is not None:
        summary.add_row("status", f"{decoded.status_code} {decoded.status_text or ''}".strip())
    read = summarize(decoded.message)
    one_recipient = read.recipient if not read.recipients else None
    for label, value in (
        ("message id", read.message_id),
        ("linked id", read.linked_id),
        ("sender", _address_label(read.sender) if read.sender else None),
        ("recipients", ", ".join(map(_address_label, read.recipients))),
        ("recipient", _address_label(one_recipient) if one_recipient else None),
        ("MMStatus", read.mm_status),
        ("subject", read.subject),
    ):
        if value:
            summary.add_row(label, value)
    out.print(summary)
    mime = decode_mime(capture.body, capture.content_type)
    tree = Tree(
        f"[bold]body[/bold]  {capture.content_type or '(no Content-Type)'}  {len(capture.body)} bytes"
    )
    tree.add(_mime_tree(mime.root, "root (SOAP)"))
    for index, part in enumerate(mime.attachments, 1):
        tree.add(_mime_tree(part, f"attachment {index}"))
    out.print(tree)
    out.rule("envelope")
    envelope = parse_xml(decoded.envelope, charset=mime.root.charset, deviations=[])
    pretty = etree.tostring(envelope, pretty_print=True, encoding="unicode")
    out.print(pretty.rstrip(), markup=False, highlight=False, soft_wrap=True)
    out.rule()
    media = decoded.media_parts()
    out.print(f"[bold]media parts[/bold] ({len(media)})")
    for part in media:
        out.print(f"  {part.content_type}  id=<{part.content_id or ''}>  {part.size} bytes", markup=False)
    out.print(f"[bold]deviations[/bold] ({len(decoded.deviations)})")
    for deviation in decoded.deviations:
        out.print(f"  - [{deviation.kind}] {deviation}", markup=False)
    if decoded.extensions:
        out.print(f"[bold]kept, not in the schema[/bold] ({len(decoded.extensions)})")
        for extension in decoded.extensions:
            out.print(f"  - {extension.path}: {extension.xml}", markup=False)
    registered = registered_schemas()
    out.print(f"[bold]registered schemas[/bold] ({len(registered)})")
    for schema in registered:
        values = ", ".join(sorted(schema.mm7_versions)) or "by namespace only"
        namespaces = ", ".join(schema.revisions)
        out.print(f"  - {schema.key}: {schema.package}  {namespaces}  (MM7Version {values})", markup=False)
    if not decoded.valid:
        out.print(f"[bold]violations[/bold] ({len(decoded.violations)})")
        for problem in decoded.violations:
            out.print(f"  - {problem}", markup=False)
        fail(f"{file}: {decoded.operation} does not validate after repair", EXIT_FAILED)
