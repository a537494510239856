"""Our XSDs compile (lxml, xsdata), accept valid envelopes of every operation and reject invalid ones.

Valid instances are whole SOAP envelopes (Header/TransactionID + Body) checked with the driver schema of
:func:`mm7.codec.xml.schema_for`; invalid ones must be rejected with the offending element named in the
problem's path or reason and a real line number.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lxml import etree

from mm7.codec import envelope as env
from mm7.codec.versions import REL5, REL6, SOAP_ENV_NS, VERSIONS, SchemaVersion, schemas_dir
from mm7.codec.xml import schema_for, schema_problems
from mm7.errors import ValidationProblem
from tests.codec import strategies as s

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted(schemas_dir().glob("*.xsd"))
NS6 = REL6.namespace
NS5 = REL5.namespace


def test_schema_set_is_the_expected_one() -> None:
    assert [p.name for p in SCHEMA_FILES] == [
        "REL-5-MM7-1-3.xsd",
        "REL-6-MM7-1-4.xsd",
        "soap-envelope-1.1.xsd",
    ]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_compiles_in_lxml(path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(path)))
    assert schema is not None


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
def test_driver_schema_compiles_and_is_cached(version: SchemaVersion) -> None:
    assert isinstance(schema_for(version), etree.XMLSchema)
    assert schema_for(version) is schema_for(version)


def test_xsdata_compiles_every_schema(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(REPO / "scripts" / "regenerate"), "--schemas", str(schemas_dir()), "--out", str(out),
         "--package", "schema_probe"],
        capture_output=True, text=True, check=False, env={**os.environ, "MM7_PYTHON": sys.executable},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    packages = sorted(
        p.name for p in (out / "schema_probe").iterdir() if p.is_dir() and p.name != "__pycache__"
    )
    assert packages == ["rel5_mm7_1_3", "rel6_mm7_1_4", "soap_envelope_1_1"]
    probe = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(out)!r})
        from schema_probe import rel5_mm7_1_3 as r5, rel6_mm7_1_4 as r6, soap_envelope_1_1 as soap
        assert r6.SubmitReq.Meta.namespace.endswith("REL-6-MM7-1-4")
        assert r5.SubmitReq.Meta.namespace.endswith("REL-5-MM7-1-3")
        assert hasattr(r6, "ExtendedCancelReq") and not hasattr(r5, "ExtendedCancelReq")
        assert hasattr(soap, "Envelope")
        print("ok")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


# --------------------------------------------------------------------------------------------- valid


def envelope_tree(
    message: object, version: SchemaVersion, *, fault: env.Fault | None = None
) -> etree._Element:
    """A whole envelope, pretty-printed and re-parsed so that every element has a line number."""
    root = env.build_envelope(message, transaction_id="tx-schema-1", version=version, fault=fault)
    return etree.fromstring(etree.tostring(root, pretty_print=True))


def _fault_for(operation: str) -> env.Fault | None:
    return env.Fault("Server", "failed") if operation in env.ERROR_OPERATIONS else None


@pytest.mark.parametrize("pair", s.version_operations(), ids=s.pair_id)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_valid_envelope_of_every_operation(pair: tuple[SchemaVersion, str], full: bool) -> None:
    version, operation = pair
    message = s.sample_message(version, operation, full=full)
    root = envelope_tree(message, version, fault=_fault_for(operation))
    assert schema_problems(schema_for(version), root) == []


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
@pytest.mark.parametrize("operation", sorted(REL5.operations))
def test_error_responses_also_validate_bare_in_the_body(version: SchemaVersion, operation: str) -> None:
    # Every operation (errors included) is a global element, so it validates as a plain Body entry too.
    root = envelope_tree(s.sample_message(version, operation), version)
    assert schema_problems(schema_for(version), root) == []


def test_extended_operations_exist_only_in_rel6() -> None:
    extended = {"extendedCancelReq", "extendedCancelRsp", "extendedReplaceReq", "extendedReplaceRsp"}
    assert extended <= REL6.operations
    assert not extended & REL5.operations
    rel5_elements = set(etree.parse(str(REL5.xsd_path)).getroot().xpath(
        "/xs:schema/xs:element/@name", namespaces={"xs": "http://www.w3.org/2001/XMLSchema"}
    ))  # fmt: skip
    assert not extended & rel5_elements


# Sinch's documented 6.8.0 examples, written anew with the same content (not copied).
SINCH_SUBMIT = f"""<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="{SOAP_ENV_NS}">
  <soap-env:Header>
    <mm7:TransactionID xmlns:mm7="{NS6}" soap-env:mustUnderstand="1">1000001</mm7:TransactionID>
  </soap-env:Header>
  <soap-env:Body>
    <SubmitReq xmlns="{NS6}">
      <MM7Version>6.8.0</MM7Version>
      <SenderIdentification>
        <VASPID>skfdjslkjfdslkfj434das</VASPID>
        <VASID>126273</VASID>
        <SenderAddress>
          <ShortCode>111122</ShortCode>
        </SenderAddress>
      </SenderIdentification>
      <Recipients>
        <To>
          <Number>16172383232</Number>
        </To>
      </Recipients>
      <Subject>My first MM7 Message</Subject>
      <Content allowAdaptations="false" href="cid:generic"/>
    </SubmitReq>
  </soap-env:Body>
</soap-env:Envelope>
"""

SINCH_DELIVERY_REPORT = f"""<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="{SOAP_ENV_NS}" xmlns="{NS6}">
  <soap-env:Header>
    <TransactionID soap-env:mustUnderstand="1">2000001</TransactionID>
  </soap-env:Header>
  <soap-env:Body>
    <DeliveryReportReq>
      <MM7Version>6.8.0</MM7Version>
      <MessageID>369500617770864640</MessageID>
      <Recipient>
        <Number>16175550123</Number>
      </Recipient>
      <Sender>
        <Number>111122</Number>
      </Sender>
      <Date>2015-03-16T14:03:51.749Z</Date>
      <MMStatus>Retrieved</MMStatus>
      <StatusText>Success</StatusText>
      <UACapabilities UAProf="Samsung Galaxy"/>
    </DeliveryReportReq>
  </soap-env:Body>
</soap-env:Envelope>
"""


@pytest.mark.parametrize(
    "document", [SINCH_SUBMIT, SINCH_DELIVERY_REPORT], ids=["SubmitReq", "DeliveryReportReq"]
)
def test_sinch_documented_examples_validate(document: str) -> None:
    root = etree.fromstring(document.encode())
    assert schema_problems(schema_for(REL6), root) == []


# --------------------------------------------------------------------------------------------- invalid


def _mm7(root: etree._Element, path: str, ns: str = NS6) -> etree._Element:
    found = root.xpath(path, namespaces={"m": ns, "env": SOAP_ENV_NS})
    assert found, path
    return found[0]


def _submit(version: SchemaVersion = REL6) -> etree._Element:
    message = s.sample_message(version, "SubmitReq", full=True)
    return envelope_tree(message, version)


def _relined(root: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(root, pretty_print=True))


def _missing_recipients() -> tuple[SchemaVersion, etree._Element]:
    root = _submit()
    recipients = _mm7(root, "//m:SubmitReq/m:Recipients")
    recipients.getparent().remove(recipients)
    return REL6, root


def _wrong_order() -> tuple[SchemaVersion, etree._Element]:
    root = _submit()
    subject = _mm7(root, "//m:SubmitReq/m:Subject")
    subject.getparent().insert(1, subject)  # right after MM7Version, before SenderIdentification
    return REL6, root


def _bad_enum() -> tuple[SchemaVersion, etree._Element]:
    root = envelope_tree(s.sample_message(REL6, "DeliveryReportReq"), REL6)
    _mm7(root, "//m:MMStatus").text = "Delivered"
    return REL6, root


def _foreign_namespace_child() -> tuple[SchemaVersion, etree._Element]:
    root = _submit()
    subject = _mm7(root, "//m:SubmitReq/m:Subject")
    subject.tag = "{urn:example:other}Subject"
    return REL6, root


def _rel6_element_in_rel5() -> tuple[SchemaVersion, etree._Element]:
    root = _submit(REL5)
    subject = _mm7(root, "//m:SubmitReq/m:Subject", NS5)
    applic = etree.Element(f"{{{NS5}}}ApplicID")
    applic.text = "app-1"
    subject.addnext(applic)  # ApplicID follows Subject... in Rel-6 only
    return REL5, root


def _missing_status_code() -> tuple[SchemaVersion, etree._Element]:
    root = envelope_tree(s.sample_message(REL5, "RSErrorRsp"), REL5, fault=env.Fault("Client", "bad"))
    code = _mm7(root, "//m:StatusCode", NS5)
    code.getparent().remove(code)
    return REL5, root


def _status_code_not_positive() -> tuple[SchemaVersion, etree._Element]:
    # StatusCode is any positive integer (the standard's type); 5000 is valid and read as 3000, 0 is not.
    root = envelope_tree(s.sample_message(REL6, "SubmitRsp"), REL6)
    _mm7(root, "//m:StatusCode").text = "0"
    return REL6, root


def _bad_mm7_version() -> tuple[SchemaVersion, etree._Element]:
    root = envelope_tree(s.sample_message(REL6, "CancelReq"), REL6)
    _mm7(root, "//m:MM7Version").text = "six"
    return REL6, root


def _extended_in_rel5_namespace() -> tuple[SchemaVersion, etree._Element]:
    # ReplaceID is a child known only in Rel-6's extendedReplaceReq; in a Rel-5 ReplaceReq it is unexpected.
    root = envelope_tree(s.sample_message(REL5, "ReplaceReq"), REL5)
    message_id = _mm7(root, "//m:MessageID", NS5)
    message_id.tag = f"{{{NS5}}}ReplaceID"
    return REL5, root


INVALID = [
    ("missing mandatory Recipients", _missing_recipients, "Recipients"),
    ("wrong order", _wrong_order, "Subject"),
    ("bad enumeration value", _bad_enum, "MMStatus"),
    ("child in another namespace", _foreign_namespace_child, "Subject"),
    ("Rel-6-only element in Rel-5", _rel6_element_in_rel5, "ApplicID"),
    ("missing StatusCode in a Fault detail", _missing_status_code, "StatusCode"),
    ("StatusCode not a positive integer", _status_code_not_positive, "StatusCode"),
    ("MM7Version not x.y.z", _bad_mm7_version, "MM7Version"),
    ("Rel-6 child in a Rel-5 operation", _extended_in_rel5_namespace, "ReplaceID"),
]


@pytest.mark.parametrize(("name", "build", "element"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_envelopes_are_rejected_with_element_and_line(name: str, build, element: str) -> None:  # type: ignore[no-untyped-def]
    version, root = build()
    root = _relined(root)
    problems = schema_problems(schema_for(version), root)
    assert problems, f"{name} was accepted"
    assert all(isinstance(p, ValidationProblem) for p in problems)
    named = [p for p in problems if element in p.path or element in p.reason]
    assert named, f"{element} not named in {[str(p) for p in problems]}"
    assert all(p.line > 0 for p in named)
    assert all(p.path.startswith("/Envelope/Body/") for p in named)


def test_missing_element_problem_points_at_the_parent() -> None:
    version, root = _missing_recipients()
    problems = schema_problems(schema_for(version), _relined(root))
    assert problems[0].path.startswith("/Envelope/Body/SubmitReq")
    assert "Recipients" in problems[0].reason


def test_sinch_submit_without_recipients_is_rejected_on_its_line() -> None:
    lines = [line for line in SINCH_SUBMIT.splitlines() if "Recipients" not in line and "To>" not in line
             and "<Number>" not in line]  # fmt: skip
    root = etree.fromstring("\n".join(lines).encode())
    problems = schema_problems(schema_for(REL6), root)
    assert len(problems) == 1
    subject_line = next(i for i, line in enumerate(lines, 1) if "<Subject>" in line)
    assert problems[0].line == subject_line
    assert problems[0].path == "/Envelope/Body/SubmitReq/Subject"
    assert "Recipients" in problems[0].reason
