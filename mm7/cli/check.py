"""``mm7 validate`` and ``mm7 inspect``: read captures, envelopes and MIME bodies; report strictly."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

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
from mm7.codec.messages import DecodedMessage, Mode, decode
from mm7.codec.mime import Part
from mm7.codec.mime import decode as decode_mime
from mm7.codec.summary import Address, summarize
from mm7.codec.versions import SOAP_ENV_NS, SchemaVersion, register_schema, registered_schemas
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
) -> list[SchemaVersion]:
    """Register the schema sets named on the command line; return them (a usage error when they are wrong)."""
    if len(xsds) > len(bindings):
        fail("--xsd is given once per --bindings package", EXIT_USAGE)
    used: list[SchemaVersion] = []
    try:
        known = {version.package: version for version in registered_schemas()}
        for index, package in enumerate(bindings):
            if index >= len(xsds) and package in known:
                used.append(known[package])  # registered already (an mm7.schemas entry point)
                continue
            xsd = xsds[index] if index < len(xsds) else _xsd_beside(package)
            used.append(register_schema(package=package, xsd=xsd))
        if folder is not None:
            used.extend(_compile_and_register(folder))
    except ConfigError as exc:
        fail(one_line(exc), EXIT_USAGE)
    return used


def _compile_and_register(folder: Path) -> list[SchemaVersion]:
    from mm7._regenerate import compile_schemas, package_name_for  # needs mm7[regenerate]

    out = Path(click.get_current_context().with_resource(tempfile.TemporaryDirectory(prefix="mm7-schemas-")))
    root = "mm7_user_schemas"
    compile_schemas(folder, out, root_package=root)
    sys.path.insert(0, str(out))
    used = []
    for xsd in sorted(folder.glob("*.xsd")):
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        if etree.parse(str(xsd), parser).getroot().get("targetNamespace") == SOAP_ENV_NS:
            continue  # the SOAP envelope schema, not an MM7 one
        used.append(register_schema(package=f"{root}.{package_name_for(xsd)}", xsd=xsd))
    return used


# ------------------------------------------------------------------------------------------ validate


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


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--tolerant", is_flag=True, help="Repair the deviations real peers send, list them, then validate."
)
@click.option("--content-type", help="Content-Type for inputs that carry none (MIME bodies, envelopes).")
@schema_options
def validate(
    files: tuple[str, ...],
    fmt: str,
    tolerant: bool,
    content_type: str | None,
    bindings: tuple[str, ...],
    xsds: tuple[Path, ...],
    schema_folder: Path | None,
) -> None:
    """Validate MM7 messages strictly (files, or - for stdin).

    Each FILE may be a raw HTTP request or response capture, a MIME body, or a bare SOAP envelope.
    --bindings (or --schemas) reads them with a schema set of yours as well as mm7's own.

    \b
    Exit codes: 0 every file valid, 1 some file invalid, 2 some file unreadable
    (missing, or not an MM7 message at all).
    """  # noqa: D301  (click's paragraph marker is the backspace character "\b", not a backslash)
    mode: Mode = "tolerant" if tolerant else "strict"
    use_schemas(bindings, xsds, schema_folder)
    worst = EXIT_OK
    for name in files:
        loaded = load(name, mode=mode, content_type=content_type)
        record = validation_record(loaded, mode=mode)
        if not loaded.readable:
            worst = EXIT_USAGE
        elif not is_valid(loaded):
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
    label = "valid" if record["valid"] else "invalid" if record["readable"] else "unreadable"
    click.echo(f"{record['file']}: {label}" + (f" ({what})" if what else ""))
    for error in record["errors"]:
        where = f"{error['path']} (line {error['line']}): " if error["path"] else ""
        kind = f"[{error['kind']}] " if error["kind"] not in ("schema", "unreadable") else ""
        click.echo(f"  {kind}{where}{error['reason']}")
    for deviation in record["deviations"]:
        where = f" (at {deviation['path']})" if deviation["path"] else ""
        click.echo(f"  repaired [{deviation['kind']}]: {deviation['reason']}{where}")
    for extension in record["extensions"]:
        what_kept = "attribute" if extension["attribute"] else "element"
        click.echo(f"  kept {what_kept} {extension['name']} (at {extension['path']})")


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

    FILE may be a raw HTTP request or response capture, a MIME body, or a bare SOAP envelope (- for stdin).
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
