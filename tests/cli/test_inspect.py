"""``mm7 inspect``: a readable report on good input; one line and exit 1 (no traceback) on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

import mm7
from mm7.cli.httpfile import read_capture

from . import FIXTURES, run_mm7


def test_inspect_request_capture_shows_everything() -> None:
    result = run_mm7("inspect", str(FIXTURES / "submit_request_lf.http"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        "SubmitReq",
        "tid-submit-0001",
        "REL-6-MM7-1-4",
        "6.8.0",
        "http-request",
        "POST /mm7/v1/ HTTP/1.1",
        "id=<mm7-soap-envelope>",
        'multipart/related; type="application/smil"',
        "application/smil",
        "text/plain; charset=utf-8",
        "<mm7:Recipients>",  # pretty-printed envelope
        "bare LF line endings instead of CRLF",  # deviations
    ):
        assert expected in out, expected


def test_inspect_response_and_envelope() -> None:
    response = run_mm7("inspect", str(FIXTURES / "submit_response.http"))
    assert (
        response.returncode == 0
        and "SubmitRsp" in response.stdout
        and "1234567890123456789" in response.stdout
    )
    envelope = run_mm7("inspect", str(FIXTURES / "delivery_report.xml"))
    assert (
        envelope.returncode == 0
        and "DeliveryReportReq" in envelope.stdout
        and "deviations (0)" in envelope.stdout
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("garbage.txt", "not an HTTP capture"),
        ("not_soap.xml", "not a SOAP 1.1 envelope"),
        ("missing.http", "No such file"),
    ],
)
def test_bad_input_is_one_line_exit_1(name: str, reason: str) -> None:
    result = run_mm7("inspect", str(FIXTURES / name))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mm7: ") and reason in lines[0]


def test_invalid_message_is_shown_with_its_violations_and_exits_1() -> None:
    # Tolerant reading returns a message that is still invalid after repair: inspect shows it, names what
    # is invalid, and exits 1 so that scripts notice.
    result = run_mm7("inspect", str(FIXTURES / "invalid_delivery_report.xml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert "DeliveryReportReq" in result.stdout and "violations (1)" in result.stdout
    assert "Delivered" in result.stdout
    assert "does not validate" in result.stderr
    strict = run_mm7("inspect", "--strict", str(FIXTURES / "invalid_delivery_report.xml"))
    assert strict.returncode == 1 and "does not validate" in strict.stderr


def test_strict_inspect_refuses_deviations() -> None:
    result = run_mm7("inspect", "--strict", str(FIXTURES / "submit_request_lf.http"))
    assert result.returncode == 1 and "bare LF" in result.stderr


CORPUS = FIXTURES.parents[1] / "fixtures" / "corpus"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.http")), ids=lambda p: p.name[:2])
def test_inspect_reads_every_message_of_the_interop_corpus(path: Path) -> None:
    """What real MMSCs send, read from the raw capture as a user would: shown, every repair listed."""
    from click.testing import CliRunner

    from mm7.cli import cli

    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert "cannot decode" not in result.output, result.output[-500:]
    decoded = mm7.decode(*_body_and_type(path), mode="tolerant")
    assert f"deviations ({len(decoded.deviations)})" in result.output
    # Exit 0 for a message valid after repair; 1 (after showing it) for one stored flagged.
    assert result.exit_code == (0 if decoded.valid else 1), result.output[-500:]
    if not decoded.valid:
        assert f"violations ({len(decoded.violations)})" in result.output


def _body_and_type(path: Path) -> tuple[bytes, str | None]:
    capture = read_capture(path.read_bytes())
    return capture.body, capture.content_type
