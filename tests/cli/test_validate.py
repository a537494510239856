"""``mm7 validate`` exit codes and JSON output, and the capture reader (mm7/cli/httpfile.py) it uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import mm7
from mm7.cli import cli
from mm7.cli.httpfile import CaptureError, read_capture

from . import FIXTURES, run_mm7

VALID = ["submit_request.http", "submit_body.mime", "submit_response.http", "delivery_report.xml"]
INVALID = ["invalid_delivery_report.xml", "submit_request_lf.http"]
UNREADABLE = ["garbage.txt", "not_soap.xml"]


def _validate(*args: str, input: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args], input=input)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "code"), [*((n, 0) for n in VALID), *((n, 1) for n in INVALID), *((n, 2) for n in UNREADABLE)]
)
def test_exit_code_per_file(name: str, code: int) -> None:
    exit_code, output = _validate(str(FIXTURES / name))
    assert exit_code == code, output


def test_json_lines_for_many_files_in_one_run() -> None:
    names = [*VALID, *INVALID, *UNREADABLE]
    exit_code, output = _validate("--format", "json", *(str(FIXTURES / n) for n in names))
    assert exit_code == 2  # the worst outcome wins: an unreadable file
    records = {Path(r["file"]).name: r for r in map(json.loads, output.splitlines())}
    assert set(records) == set(names)
    keys = {"file", "valid", "operation", "version", "mm7_version", "transaction_id", "errors", "deviations"}
    assert all(keys <= set(r) for r in records.values())
    submit = records["submit_request.http"]
    assert (
        submit["valid"]
        and submit["operation"] == "SubmitReq"
        and submit["transaction_id"] == "tid-submit-0001"
    )
    assert (
        submit["version"] == "REL-6-MM7-1-4" and submit["mm7_version"] == "6.8.0" and submit["errors"] == []
    )
    bad = records["invalid_delivery_report.xml"]
    assert not bad["valid"] and bad["readable"] and bad["transaction_id"] == "tid-dr-0001"
    [error] = bad["errors"]
    assert (
        error["path"].endswith("/DeliveryReportReq/MMStatus")
        and error["line"] == 17
        and "Delivered" in error["reason"]
    )
    lf = records["submit_request_lf.http"]
    assert lf["operation"] == "SubmitReq" and "bare LF" in lf["errors"][0]["reason"]
    assert not records["garbage.txt"]["readable"] and records["garbage.txt"]["errors"]


def test_invalid_without_unreadable_exits_1() -> None:
    exit_code, _ = _validate(
        str(FIXTURES / "submit_request.http"), str(FIXTURES / "invalid_delivery_report.xml")
    )
    assert exit_code == 1


def test_tolerant_repairs_and_reports_deviations() -> None:
    exit_code, output = _validate("--tolerant", "--format", "json", str(FIXTURES / "submit_request_lf.http"))
    record = json.loads(output)
    assert exit_code == 0 and record["valid"] and record["mode"] == "tolerant"
    [deviation] = record["deviations"]
    assert deviation["kind"] == "mime-framing" and "bare LF line endings" in deviation["reason"]


# A DeliveryReportReq as an MMSC in the 3GPP example's style sends it: children out of order, body elements
# unqualified, MMStatus in lower case, and one value that has no reading (Date "yesterday").
_DEVIATING_DR = b"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header>
    <mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
        env:mustUnderstand="1">dr-cli-1</mm7:TransactionID>
  </env:Header>
  <env:Body>
    <DeliveryReportReq>
      <MM7Version>6.8.0</MM7Version>
      <MessageID>m-1</MessageID>
      <Sender><Number>12345</Number></Sender>
      <Recipient><Number>15551230000</Number></Recipient>
      <Date>%s</Date>
      <MMStatus>retrieved</MMStatus>
    </DeliveryReportReq>
  </env:Body>
</env:Envelope>
"""


def test_strict_names_each_deviation_and_the_schema_errors_behind_them(tmp_path: Path) -> None:
    path = tmp_path / "dr.xml"
    path.write_bytes(_DEVIATING_DR % b"2024-05-01T10:00:00Z")
    exit_code, output = _validate("--format", "json", str(path))
    record = json.loads(output)
    assert exit_code == 1 and not record["valid"]
    kinds = {error["kind"] for error in record["errors"]}
    assert {"namespace", "element-order", "value-format"} <= kinds
    assert record["operation"] == "DeliveryReportReq" and record["version"] == "REL-6-MM7-1-4"
    exit_code, text = _validate(str(path))
    assert "[element-order]" in text and "[namespace]" in text
    # Qualified, the same message also fails the schema (order, MMStatus): strict shows both.
    qualified = (_DEVIATING_DR % b"2024-05-01T10:00:00Z").replace(
        b"<DeliveryReportReq>",
        b'<DeliveryReportReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">',
    )
    path.write_bytes(qualified)
    exit_code, output = _validate("--format", "json", str(path))
    errors = json.loads(output)["errors"]
    assert exit_code == 1 and {"element-order", "value-format", "schema"} <= {e["kind"] for e in errors}
    assert any("Recipient" in e["reason"] for e in errors if e["kind"] == "schema")


def test_tolerant_lists_repairs_even_when_the_file_still_fails(tmp_path: Path) -> None:
    path = tmp_path / "dr.xml"
    path.write_bytes(_DEVIATING_DR % b"yesterday")
    exit_code, output = _validate("--tolerant", "--format", "json", str(path))
    record = json.loads(output)
    assert exit_code == 1 and not record["valid"] and record["readable"]
    assert record["operation"] == "DeliveryReportReq" and record["version"] == "REL-6-MM7-1-4"
    assert {d["kind"] for d in record["deviations"]} == {"namespace", "element-order", "value-format"}
    [error] = record["errors"]
    assert error["path"].endswith("/DeliveryReportReq/Date") and "yesterday" in error["reason"]
    assert [x["value"] for x in record["extensions"]] and "yesterday" in record["extensions"][0]["value"]
    path.write_bytes(_DEVIATING_DR % b"2024-05-01 10:00:00")
    exit_code, output = _validate("--tolerant", "--format", "json", str(path))
    assert exit_code == 0 and json.loads(output)["valid"]


def test_stdin_and_missing_file() -> None:
    body = (FIXTURES / "delivery_report.xml").read_bytes()
    assert _validate("-", input=body)[0] == 0
    exit_code, output = _validate(str(FIXTURES / "no-such-file.xml"))
    assert exit_code == 2 and "No such file" in output


def test_content_type_option_for_bodies_without_headers() -> None:
    wire = mm7.encode(
        mm7.delivery_report_request(
            message_id="1", recipient="15551230000", sender="12345", mm_status="Retrieved"
        )
    )
    # A MIME body given with its real Content-Type (start included) instead of one sniffed from the boundary.
    body = mm7.encode(
        mm7.deliver_request(sender="15551230000", to="12345"),
        content=mm7.Part.from_text("hi", content_id="t"),
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "--content-type", body.content_type, "-"], input=body.to_bytes())
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["validate", "-"], input=wire.to_bytes()).exit_code == 0


def test_real_process_exit_codes_and_json() -> None:
    ok = run_mm7("validate", "--format", "json", str(FIXTURES / "submit_request.http"))
    assert ok.returncode == 0 and json.loads(ok.stdout)["valid"] is True
    bad = run_mm7("validate", str(FIXTURES / "garbage.txt"))
    assert bad.returncode == 2 and "Traceback" not in bad.stdout + bad.stderr


# ------------------------------------------------------------------------------------------ read_capture


def test_capture_keeps_an_unquoted_boundary_with_equals_signs() -> None:
    # JavaMail-based relays write boundary=----=_Part_7_1357.2468 without quotes (RFC 2045 wants them).
    raw = (
        b'POST /mm7 HTTP/1.1\r\nContent-Type: multipart/related; type="text/xml";\r\n'
        b" boundary=----=_Part_7_1357.2468\r\n\r\n------=_Part_7_1357.2468\r\n"
    )
    capture = read_capture(raw)
    assert capture.content_type == 'multipart/related; type="text/xml"; boundary=----=_Part_7_1357.2468'


def test_request_capture_crlf_and_lf() -> None:
    for name in ("submit_request.http", "submit_request_lf.http"):
        capture = read_capture((FIXTURES / name).read_bytes())
        assert capture.kind == "http-request" and capture.start_line == "POST /mm7/v1/ HTTP/1.1"
        assert capture.content_type is not None and capture.content_type.startswith("multipart/related")
        assert capture.header("soapaction") is not None
        assert capture.body.startswith(b"--=_capture_outer")


def test_response_capture() -> None:
    capture = read_capture((FIXTURES / "submit_response.http").read_bytes())
    assert capture.kind == "http-response" and capture.start_line == "HTTP/1.1 200 OK"
    assert mm7.decode(capture.body, capture.content_type).operation == "SubmitRsp"


def test_mime_body_boundary_from_first_line() -> None:
    capture = read_capture((FIXTURES / "submit_body.mime").read_bytes())
    assert capture.kind == "mime-body"
    assert capture.content_type == 'multipart/related; type="text/xml"; boundary="=_capture_outer"'
    given = read_capture(b"--x\r\n", content_type="multipart/related; boundary=x")
    assert given.content_type == "multipart/related; boundary=x"


def test_bare_envelope_and_bom() -> None:
    capture = read_capture(b"\xef\xbb\xbf\n  <env:Envelope/>")
    assert capture.kind == "envelope" and capture.content_type == "text/xml; charset=utf-8"
    assert capture.body == b"<env:Envelope/>"


def test_mime_entity_with_headers() -> None:
    capture = read_capture(b'Content-Type: multipart/related; boundary="b"\nMIME-Version: 1.0\n\n--b\r\nrest')
    assert capture.kind == "mime-entity" and capture.content_type == 'multipart/related; boundary="b"'
    assert capture.body == b"--b\r\nrest"


def test_chunked_and_trailing_newline_after_content_length() -> None:
    head = b"POST / HTTP/1.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked = head + b"3\r\n<a>\r\n4\r\n</a>\r\n0\r\n\r\n"
    assert read_capture(chunked).body == b"<a></a>"
    sized = b"POST / HTTP/1.1\nContent-Type: text/xml\nContent-Length: 7\n\n<a></a>\n\n"
    assert read_capture(sized).body == b"<a></a>"


@pytest.mark.parametrize(
    "data",
    [b"", b"  \n", b"hello world", b"POST / HTTP/1.1\r\nHost: x\r\n", b"Content-Type: text/xml\n", b"--\n"],
)
def test_unrecognised_inputs(data: bytes) -> None:
    with pytest.raises(CaptureError):
        read_capture(data)
