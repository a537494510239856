"""``mm7 validate`` in pipelines: folders, patterns, worker processes, JUnit reports, the pre-commit hook.

Every run is the installed ``mm7`` script in a real process, on real files: the CLI fixtures and the
interoperability corpus (tests/fixtures/corpus, messages in the style of real peers, valid and invalid).
The JUnit reports are validated against tests/cli/fixtures/junit.xsd, the structure CI systems read.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from . import FIXTURES

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "fixtures" / "corpus"
SCRIPT = Path(sys.executable).parent / "mm7"
JUNIT_XSD = etree.XMLSchema(etree.parse(str(FIXTURES / "junit.xsd")))
VALID_CAPTURE = (FIXTURES / "submit_request.http").read_bytes()
INVALID_CAPTURE = (FIXTURES / "invalid_delivery_report.xml").read_bytes()
OURS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
TEST_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-5-test"


def mm7(
    *args: str | Path, cwd: Path = REPO, input: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``mm7 ARGS`` through the installed script (``env``: more variables); a traceback fails."""
    result = subprocess.run(
        [str(SCRIPT), *map(str, args)],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **env},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def records(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def files(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [record["file"] for record in records(result)]


def write(root: Path, layout: dict[str, bytes]) -> None:
    for name, data in layout.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def timeless(report: bytes) -> bytes:
    """A JUnit report without its clock readings (times, timestamp, host), the rest byte for byte."""
    return re.sub(rb' (time|timestamp|hostname)="[^"]*"', b"", report)


# ------------------------------------------------------------------------------------------ what is read


def test_a_folder_is_walked_for_files_with_an_mm7_extension(tmp_path: Path) -> None:
    envelope = (FIXTURES / "delivery_report.xml").read_bytes()
    body = (FIXTURES / "submit_body.mime").read_bytes()
    write(
        tmp_path / "captures",
        {
            "a.http": VALID_CAPTURE,
            "sub/b.xml": envelope,
            "sub/deeper/c.mime": body,
            "sub/d.eml": body,
            "sub/E.HTTP": VALID_CAPTURE,
            "notes.txt": b"not a message",
            "README.md": b"# captures",
            ".hidden/f.http": b"not read",
            ".g.http": b"not read",
        },
    )
    result = mm7("validate", "--format", "json", "captures", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert files(result) == [
        "captures/a.http",
        "captures/sub/E.HTTP",
        "captures/sub/b.xml",
        "captures/sub/d.eml",
        "captures/sub/deeper/c.mime",
    ]
    assert all(record["valid"] for record in records(result))


def test_a_file_named_outright_is_always_read(tmp_path: Path) -> None:
    write(tmp_path, {"only/notes.txt": b"not a message", "only/.hidden.http": VALID_CAPTURE})
    named = mm7("validate", "--format", "json", "only/notes.txt", "only/.hidden.http", cwd=tmp_path)
    assert named.returncode == 2, named.stdout  # notes.txt was read: not an MM7 message at all
    assert [(r["file"], r["readable"]) for r in records(named)] == [
        ("only/.hidden.http", True),
        ("only/notes.txt", False),
    ]
    folder = mm7("validate", "--format", "json", "only", cwd=tmp_path)
    assert folder.returncode == 2, folder.stdout  # a folder with nothing to validate is not a success
    [record] = records(folder)
    assert record["file"] == "only" and not record["readable"]
    assert "no MM7 files (.eml, .http, .mime, .xml) in this folder" in record["errors"][0]["reason"]


def test_patterns_are_expanded_by_mm7(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.http": VALID_CAPTURE,
            "b.http": VALID_CAPTURE,
            "sub/c.http": VALID_CAPTURE,
            "sub/notes.txt": b"not a message",
            "sub/deeper/d.http": VALID_CAPTURE,
            "sub/deeper/e.xml": INVALID_CAPTURE,
        },
    )
    top = mm7("validate", "--format", "json", "*.http", cwd=tmp_path)
    assert files(top) == ["a.http", "b.http"] and top.returncode == 0
    anywhere = mm7("validate", "--format", "json", "**/*.http", cwd=tmp_path)
    assert files(anywhere) == ["a.http", "b.http", "sub/c.http", "sub/deeper/d.http"]
    single = mm7("validate", "--format", "json", "?.http", cwd=tmp_path)
    assert files(single) == ["a.http", "b.http"]
    # The files a pattern matches are read whatever their extension; the folders it matches are walked.
    inside = mm7("validate", "--format", "json", "sub/*", cwd=tmp_path)
    assert files(inside) == ["sub/c.http", "sub/deeper/d.http", "sub/deeper/e.xml", "sub/notes.txt"]
    assert inside.returncode == 2  # notes.txt is unreadable; e.xml invalid
    nothing = mm7("validate", "--format", "json", "a.http", "missing/**/*.http", cwd=tmp_path)
    assert nothing.returncode == 2
    assert [(r["file"], r["readable"]) for r in records(nothing)] == [
        ("a.http", True),
        ("missing/**/*.http", False),
    ]
    assert records(nothing)[1]["errors"][0]["reason"] == "no file matches this pattern"


def test_each_file_is_validated_once_in_path_order(tmp_path: Path) -> None:
    write(tmp_path, {"b.http": VALID_CAPTURE, "sub/a.xml": INVALID_CAPTURE, "sub/z.http": VALID_CAPTURE})
    (tmp_path / "link.http").symlink_to(tmp_path / "b.http")
    arguments = ["sub", "b.http", "./b.http", "*.http", "sub/a.xml", "sub/z.http"]
    result = mm7("validate", "--format", "json", *arguments, cwd=tmp_path)
    # Under the name first reached: sub/a.xml through the folder, b.http as named (link.http is b.http).
    assert files(result) == ["b.http", "sub/a.xml", "sub/z.http"]
    assert result.returncode == 1
    backwards = mm7("validate", "--format", "json", *reversed(arguments), cwd=tmp_path)
    assert files(backwards) == files(result) and backwards.stdout == result.stdout


def test_standard_input_comes_first_and_is_read_once() -> None:
    capture = VALID_CAPTURE.decode()
    result = mm7(
        "validate",
        "--format",
        "json",
        "--jobs",
        "2",
        FIXTURES,
        "-",
        "-",
        FIXTURES / "garbage.txt",
        input=capture,
    )
    names = files(result)
    assert names[0] == "-" and names.count("-") == 1 and records(result)[0]["valid"]
    assert names[1:] == sorted(names[1:], key=lambda name: Path(name).parts)
    assert Path(names[-1]).name == "submit_response.http" and result.returncode == 2


# ------------------------------------------------------------------------------------------ worker processes


def test_jobs_2_gives_the_report_of_jobs_1() -> None:
    inputs = [CORPUS, FIXTURES, FIXTURES / "garbage.txt"]
    one = mm7("validate", "--format", "json", *inputs)
    two = mm7("validate", "--format", "json", "--jobs", "2", *inputs)
    assert two.stdout == one.stdout and two.returncode == one.returncode == 2
    read = records(one)
    assert len(read) == 99 + 7 + 1  # the corpus' .http files, the fixtures' messages, garbage.txt
    assert {(r["valid"], r["readable"]) for r in read} == {(True, True), (False, True), (False, False)}
    every_core = mm7("validate", "--format", "json", "--jobs", "0", *inputs)
    assert every_core.stdout == one.stdout and every_core.returncode == 2
    text_one = mm7("validate", *inputs)
    text_two = mm7("validate", "--jobs", "2", *inputs)
    assert text_two.stdout == text_one.stdout and text_two.returncode == 2
    junit_one = mm7("validate", "--format", "junit", *inputs)
    junit_two = mm7("validate", "--format", "junit", "--jobs", "2", *inputs)
    assert timeless(junit_two.stdout.encode()) == timeless(junit_one.stdout.encode())


def test_workers_read_with_the_schemas_given_on_the_command_line(tmp_path: Path) -> None:
    """Bindings registered with --bindings/--xsd are registered in each worker process too.

    The user's schema set is mm7's own Rel-6 bindings and XSD moved to another namespace: without it, a
    message of that namespace is not one mm7 can validate.
    """
    package = tmp_path / "userbindings" / "rel6_mm7_1_5_test"
    shutil.copytree(
        REPO / "generated" / "mm7_bindings" / "rel6_mm7_1_4",
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (package.parent / "__init__.py").write_text("")
    for module in package.glob("*.py"):
        module.write_text(module.read_text(encoding="utf-8").replace(OURS, TEST_NS), encoding="utf-8")
    xsd = tmp_path / "REL-6-MM7-1-5-test.xsd"
    xsd.write_text(
        (REPO / "schemas" / "REL-6-MM7-1-4.xsd").read_text(encoding="utf-8").replace(OURS, TEST_NS)
    )
    envelope = INVALID_CAPTURE.decode().replace(OURS, TEST_NS)
    write(
        tmp_path / "messages",
        {
            "a.xml": (FIXTURES / "delivery_report.xml").read_bytes().replace(OURS.encode(), TEST_NS.encode()),
            "b.xml": envelope.encode(),
            "c.http": VALID_CAPTURE,
        },
    )
    schema = ["--bindings", "userbindings.rel6_mm7_1_5_test", "--xsd", str(xsd)]
    without = mm7("validate", "--format", "json", "messages", cwd=tmp_path)
    assert "unsupported MM7 namespace" in records(without)[0]["errors"][0]["reason"]
    one = mm7("validate", "--format", "json", *schema, "messages", cwd=tmp_path, PYTHONPATH=str(tmp_path))
    two = mm7(
        "validate",
        "--format",
        "json",
        "--jobs",
        "2",
        *schema,
        "messages",
        cwd=tmp_path,
        PYTHONPATH=str(tmp_path),
    )
    assert two.stdout == one.stdout and two.returncode == one.returncode == 1, two.stdout + two.stderr
    assert [(r["version"], r["valid"]) for r in records(two)] == [
        ("REL-6-MM7-1-5-test", True),
        ("REL-6-MM7-1-5-test", False),  # the MMStatus its schema refuses
        ("REL-6-MM7-1-4", True),
    ]


# ------------------------------------------------------------------------------------------ JUnit reports


def test_junit_report_validates_and_carries_each_files_verdict() -> None:
    inputs = [CORPUS, FIXTURES, FIXTURES / "garbage.txt"]
    expected = records(mm7("validate", "--format", "json", *inputs))
    result = mm7("validate", "--format", "junit", *inputs)
    assert result.returncode == 2 and result.stderr == ""
    report = etree.fromstring(result.stdout.encode())
    JUNIT_XSD.assertValid(report)
    assert report.tag == "testsuites"
    [suite] = report
    invalid = [r for r in expected if r["readable"] and not r["valid"]]
    unreadable = [r for r in expected if not r["readable"]]
    counts = {"tests": len(expected), "failures": len(invalid), "errors": len(unreadable)}
    for element in (report, suite):
        assert {key: int(element.get(key)) for key in counts} == counts
    assert float(suite.get("time")) >= 0 and suite.get("skipped") == "0"
    assert [(p.get("name"), p.get("value")) for p in suite.iterfind("properties/property")] == [
        ("mode", "strict")
    ]
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [r["file"] for r in expected]
    for case, record in zip(cases, expected, strict=True):
        assert case.get("classname") == "mm7.validate.strict" and float(case.get("time")) >= 0
        lines = [_error_line(error) for error in record["errors"]]
        output = case.findtext("system-out")
        assert output.startswith(f"{record['file']}: ") and all(line in output for line in lines)
        if record["valid"]:
            assert case.find("failure") is None and case.find("error") is None
            continue
        [problem] = case.findall("failure" if record["readable"] else "error")
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        assert problem.get("message") == lines[0] + more
        assert problem.get("type") == record["errors"][0]["kind"]
        assert problem.text == "\n".join(lines)
    # What mm7 reports for the fixture with a wrong MMStatus: element path, line and reason.
    [bad] = [c for c in cases if c.get("name").endswith("invalid_delivery_report.xml")]
    failure = bad.find("failure")
    assert failure.get("message").startswith("/Envelope/Body/DeliveryReportReq/MMStatus (line 17): ")
    assert "'Delivered'" in failure.get("message") and failure.get("type") == "schema"
    [garbage] = [c for c in cases if c.get("name").endswith("garbage.txt")]
    assert garbage.find("error").get("type") == "unreadable"


def _error_line(error: dict[str, Any]) -> str:
    where = f"{error['path']} (line {error['line']}): " if error["path"] else ""
    kind = f"[{error['kind']}] " if error["kind"] not in ("schema", "unreadable") else ""
    return f"{kind}{where}{error['reason']}"


def test_junit_report_of_tolerant_reading_names_the_mode() -> None:
    result = mm7("validate", "--format", "junit", "--tolerant", FIXTURES / "submit_request_lf.http")
    assert result.returncode == 0
    report = etree.fromstring(result.stdout.encode())
    JUNIT_XSD.assertValid(report)
    [case] = report.iter("testcase")
    assert case.get("classname") == "mm7.validate.tolerant" and case.find("failure") is None
    assert "repaired [mime-framing]: bare LF line endings" in case.findtext("system-out")


# ------------------------------------------------------------------------------------ output and exit codes


@pytest.mark.parametrize("fmt", ["junit", "json", "text"])
def test_output_writes_the_report_to_a_file(tmp_path: Path, fmt: str) -> None:
    inputs = [FIXTURES / "submit_request.http", FIXTURES / "invalid_delivery_report.xml"]
    to_stdout = mm7("validate", "--format", fmt, *inputs)
    result = mm7("validate", "--format", fmt, "--output", tmp_path / "report", *inputs)
    assert result.returncode == to_stdout.returncode == 1 and result.stdout == ""
    written = (tmp_path / "report").read_bytes()
    if fmt == "junit":
        JUNIT_XSD.assertValid(etree.fromstring(written))
        assert timeless(written) == timeless(to_stdout.stdout.encode())
    else:
        assert written.decode() == to_stdout.stdout
    summary = "2 files: 1 valid, 1 invalid, 0 unreadable"
    assert result.stderr == f"mm7 validate: {summary}; report written to {tmp_path / 'report'}\n"


def test_an_output_file_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    result = mm7("validate", "--format", "junit", "-o", tmp_path / "no" / "such" / "report.xml", FIXTURES)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("mm7: --output ") and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ([FIXTURES / "submit_request.http", FIXTURES / "delivery_report.xml"], 0),
        ([FIXTURES / "submit_request.http", FIXTURES / "invalid_delivery_report.xml"], 1),
        ([FIXTURES / "invalid_delivery_report.xml", FIXTURES / "not_soap.xml"], 2),
        ([CORPUS], 1),
        (["--jobs", "-1", FIXTURES], 2),
        (["--format", "xml", FIXTURES], 2),
        ([], 2),
    ],
)
def test_exit_codes_are_the_same_in_every_format(arguments: list[str | Path], code: int) -> None:
    for options in (["--format", "text"], ["--format", "json"], ["--format", "junit"], ["--jobs", "2"]):
        result = mm7("validate", *options, *arguments)
        assert result.returncode == code, (options, result.stdout, result.stderr)


# ------------------------------------------------------------------------------------------ pre-commit


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    [found] = [item for item in hooks if item["id"] == "mm7-validate"]
    return dict(found)


def test_pre_commit_hook_is_declared_as_pre_commit_reads_it() -> None:
    found = hook()
    assert {"id", "name", "entry", "language"} <= set(found)
    assert found["language"] == "python" and found["pass_filenames"] is True
    assert shlex.split(found["entry"])[:2] == ["mm7", "validate"]
    pattern = re.compile(found["files"])
    names = ("a.http", "dir/b.mime", "c.eml", "d.xml", "notes.txt", "e.http.orig")
    chosen = {name for name in names if pattern.search(name)}
    assert chosen == {"a.http", "dir/b.mime", "c.eml"}


def test_pre_commit_hook_runs_mm7_validate_on_the_staged_files(tmp_path: Path) -> None:
    """The hook's entry and args with the matching file names appended, run from the repository root."""
    found = hook()
    write(
        tmp_path,
        {
            "captures/ok.http": VALID_CAPTURE,
            "captures/body.mime": (FIXTURES / "submit_body.mime").read_bytes(),
            "captures/broken.http": (FIXTURES / "submit_request_lf.http").read_bytes(),
            "pom.xml": b"<project/>",
            "notes.txt": b"not a message",
        },
    )
    staged = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    pattern = re.compile(found["files"])
    chosen = [name for name in staged if pattern.search(name)]
    assert chosen == ["captures/body.mime", "captures/broken.http", "captures/ok.http"]
    command = [*shlex.split(found["entry"]), *found.get("args", [])]
    assert command[0] == "mm7"
    command[0] = str(SCRIPT)

    def run(names: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *names], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    passing = run([name for name in chosen if "broken" not in name])
    assert passing.returncode == 0, passing.stdout + passing.stderr
    failing = run(chosen)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "captures/broken.http: invalid" in failing.stdout and "bare LF" in failing.stdout


def test_the_documented_pre_commit_configuration_uses_the_hook() -> None:
    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)
    [repo] = yaml.safe_load(block)["repos"]
    [used] = repo["hooks"]
    assert used["id"] == hook()["id"]
    assert set(used) <= {"id", "files", "args"}
    if "files" in used:
        assert re.compile(used["files"]).search("captures/envelope.xml")
