"""The send rules: what mm7 emits is the intersection every source accepts (schemas/README.md, F1-F21).

Each case is a message our schema *accepts* (checked here against the real XSD) that breaks one rule of what
we *send*: ``encode`` refuses it with a ``send-rule`` problem naming the row and the path, and the same
message, fixed as the reason says, encodes and decodes strictly. Properties: every message the test
strategies draw for sending passes the rules; every message of the received superset is schema-valid and
refused by ``encode`` exactly when the rules find a problem.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree
from xsdata.models.datatype import XmlDuration

from mm7.codec import builders
from mm7.codec import envelope as env
from mm7.codec.messages import decode, encode, response_for, version_of
from mm7.codec.send_rules import KIND, RULES, _has_address_id, _walk, check_outgoing
from mm7.codec.versions import REL5, REL6, SchemaVersion
from mm7.codec.xml import schema_for, schema_problems
from mm7.errors import LocalCodecError, LocalValidationError
from tests.codec import strategies as s

B6, B5 = REL6.bindings, REL5.bindings
ERROR_FAULT = env.Fault(code="Server", string="error")


def _status(code: int = 1000, text: str | None = "Success", **kw: Any) -> Any:
    return B6.StatusType(status_code=code, status_text=text, **kw)


def _number(value: str = "15551230001", **kw: Any) -> Any:
    return B6.AddressType(value=value, **kw)


def _submit(**fields: Any) -> Any:
    return dataclasses.replace(s.sample_message(REL6, "SubmitReq"), **fields)


def _deliver(**fields: Any) -> Any:
    return dataclasses.replace(s.sample_message(REL6, "DeliverReq"), **fields)


def _report(version: SchemaVersion = REL6, **fields: Any) -> Any:
    return dataclasses.replace(s.sample_message(version, "DeliveryReportReq"), **fields)


def _to(*groups: list[Any], cc: int = 0) -> Any:
    multi = [B6.MultiAddressType(number=group) for group in groups]
    extra = [B6.MultiAddressType(number=[_number(f"1555123000{n}")]) for n in range(cc)]
    return B6.RecipientsType(to=multi, cc=extra)


def _by(*sequences: int | None) -> Any:
    agents = [
        B6.SequencedAddressType(number=_number(f"1555000000{n}"), sequence=seq)
        for n, seq in enumerate(sequences)
    ]
    return B6.PreviouslySentByType(user_agent=agents)


def _when(*entries: tuple[Any, int | None]) -> Any:
    return B6.PreviouslySentDateType(
        date_time=[B6.SequencedDateTimeType(value=value, sequence=seq) for value, seq in entries]
    )


@dataclass(frozen=True)
class Case:
    """A message that breaks ``rule`` at ``path`` and the same message fixed."""

    rule: str
    name: str
    broken: Callable[[], Any]
    path: str
    fixed: Callable[[], Any]
    fault: bool = False

    def __str__(self) -> str:
        return f"{self.rule}-{self.name}"


DATE = s.SAMPLE_DATE
BODY = "/Envelope/Body"
CASES = [
    Case(
        "F1", "response-without-text",
        lambda: B6.DeliverRsp(mm7_version="6.8.0", status=_status(1000, None)),
        f"{BODY}/DeliverRsp/Status/StatusText",
        lambda: B6.DeliverRsp(mm7_version="6.8.0", status=_status(1000, "Success")),
    ),
    Case(
        "F1", "error-with-blank-text",
        lambda: B6.RSErrorRsp(mm7_version="6.8.0", status=_status(2007, "  ")),
        f"{BODY}/Fault/detail/RSErrorRsp/Status/StatusText",
        lambda: B6.RSErrorRsp(mm7_version="6.8.0", status=_status(2007, "Message format corrupt")),
        fault=True,
    ),
    Case(
        "F1", "rel5-response-without-text",
        lambda: B5.CancelRsp(mm7_version="5.3.0", status=B5.StatusType(status_code=1000)),
        f"{BODY}/CancelRsp/Status/StatusText",
        lambda: B5.CancelRsp(
            mm7_version="5.3.0", status=B5.StatusType(status_code=1000, status_text="Success")
        ),
    ),
    Case(
        "F2", "extended-cancel-with-text",
        lambda: B6.ExtendedCancelRsp(mm7_version="6.8.0", status=_status(1000, "Success")),
        f"{BODY}/extendedCancelRsp/Status/StatusText",
        lambda: B6.ExtendedCancelRsp(mm7_version="6.8.0", status=_status(1000, None)),
    ),
    Case(
        "F2", "extended-replace-with-details",
        lambda: B6.ExtendedReplaceRsp(
            mm7_version="6.8.0", message_id="m-2",
            status=_status(1000, None, details=B6.StatusDetailsType(content=["replaced"])),
        ),
        f"{BODY}/extendedReplaceRsp/Status/Details",
        lambda: B6.ExtendedReplaceRsp(mm7_version="6.8.0", message_id="m-2", status=_status(1000, None)),
    ),
    Case(
        "F3", "empty-report-text",
        lambda: _report(status_text=""),
        f"{BODY}/DeliveryReportReq/StatusText",
        lambda: _report(status_text=None),
    ),
    Case(
        "F4", "successful-submit-rsp-without-id",
        lambda: B6.SubmitRsp(mm7_version="6.8.0", status=_status(1100, "Partial success")),
        f"{BODY}/SubmitRsp/MessageID",
        lambda: B6.SubmitRsp(mm7_version="6.8.0", status=_status(1100, "Partial success"), message_id="m-1"),
    ),
    Case(
        "F5", "successful-extended-replace-rsp-without-id",
        lambda: B6.ExtendedReplaceRsp(mm7_version="6.8.0", status=_status(1000, None)),
        f"{BODY}/extendedReplaceRsp/MessageID",
        lambda: B6.ExtendedReplaceRsp(mm7_version="6.8.0", status=_status(1000, None), message_id="m-2"),
    ),
    Case(
        "F6", "receive-only-mm-status",
        lambda: _report(mm_status=B6.MmDeliveryStatusType("Unrecognized")),
        f"{BODY}/DeliveryReportReq/MMStatus",
        lambda: _report(mm_status=B6.MmDeliveryStatusType("Unrecognised")),
    ),
    Case(
        "F6", "rel6-mm-status-in-rel5",
        lambda: _report(REL5, mm_status=B5.MmDeliveryStatusType("Deferred")),
        f"{BODY}/DeliveryReportReq/MMStatus",
        lambda: _report(REL5, mm_status=B5.MmDeliveryStatusType("Indeterminate")),
    ),
    Case(
        "F7", "charged-party-other",
        lambda: _submit(charged_party=B6.ChargedPartyType("Other")),
        f"{BODY}/SubmitReq/ChargedParty",
        lambda: _submit(charged_party=B6.ChargedPartyType("Neither")),
    ),
    Case(
        "F7", "third-party-without-id",
        lambda: _submit(charged_party=B6.ChargedPartyType("ThirdParty")),
        f"{BODY}/SubmitReq/ChargedParty",
        lambda: _submit(charged_party=B6.ChargedPartyType("ThirdParty"), charged_party_id="payer-7"),
    ),
    Case(
        "F9", "status-code-above-4999",
        lambda: B6.DeliverRsp(mm7_version="6.8.0", status=_status(5001, "Vendor code")),
        f"{BODY}/DeliverRsp/Status/StatusCode",
        lambda: B6.DeliverRsp(mm7_version="6.8.0", status=_status(4501, "Vendor code")),
    ),
    Case(
        "F9", "status-code-below-1000",
        lambda: B6.VASPErrorRsp(mm7_version="6.8.0", status=_status(999, "Odd")),
        f"{BODY}/Fault/detail/VASPErrorRsp/Status/StatusCode",
        lambda: B6.VASPErrorRsp(mm7_version="6.8.0", status=_status(3000, "Server error")),
        fault=True,
    ),
    Case(
        "F11", "user-agent-without-sequence",
        lambda: _deliver(previously_sent_by=_by(1, None)),
        f"{BODY}/DeliverReq/Previouslysentby/UserAgent[2]/@sequence",
        lambda: _deliver(previously_sent_by=_by(1, 2)),
    ),
    Case(
        "F11", "user-agent-sequence-twice",
        lambda: _deliver(previously_sent_by=_by(1, 1)),
        f"{BODY}/DeliverReq/Previouslysentby/UserAgent[2]/@sequence",
        lambda: _deliver(previously_sent_by=_by(1, 2)),
    ),
    Case(
        "F11", "date-time-without-sequence",
        lambda: _deliver(previously_sent_date_and_time=_when((DATE, None))),
        f"{BODY}/DeliverReq/Previouslysentdateandtime/DateTime[1]/@sequence",
        lambda: _deliver(previously_sent_date_and_time=_when((DATE, 1))),
    ),
    Case(
        "F11", "relative-date-time",
        lambda: _deliver(previously_sent_date_and_time=_when((DATE, 1), (XmlDuration("-PT2H"), 2))),
        f"{BODY}/DeliverReq/Previouslysentdateandtime/DateTime[2]",
        lambda: _deliver(previously_sent_date_and_time=_when((DATE, 1), (DATE, 2))),
    ),
    Case(
        "F12", "relative-ua-timestamp",
        lambda: _report(ua_capabilities=B6.UaCapabilitiesType(ua_prof="ua-1", time_stamp=XmlDuration("P1D"))),
        f"{BODY}/DeliveryReportReq/UACapabilities/@TimeStamp",
        lambda: _report(ua_capabilities=B6.UaCapabilitiesType(ua_prof="ua-1", time_stamp=DATE)),
    ),
    Case(
        "F12", "rel5-relative-ua-timestamp",
        lambda: dataclasses.replace(
            s.sample_message(REL5, "DeliverReq"),
            ua_capabilities=B5.UaCapabilitiesType(time_stamp=XmlDuration("PT1H")),
        ),
        f"{BODY}/DeliverReq/UACapabilities/@TimeStamp",
        lambda: dataclasses.replace(
            s.sample_message(REL5, "DeliverReq"), ua_capabilities=B5.UaCapabilitiesType(time_stamp=DATE)
        ),
    ),
    Case(
        "F13", "delivery-condition-without-dc",
        lambda: _submit(delivery_condition=B6.DeliveryConditionType(dc=[])),
        f"{BODY}/SubmitReq/DeliveryCondition",
        lambda: _submit(delivery_condition=B6.DeliveryConditionType(dc=[1])),
    ),
    Case(
        "F14", "extended-replace-with-sender-identification",
        lambda: B6.ExtendedReplaceReq(
            mm7_version="6.8.0", sender_identification=B6.SenderIdType(vasp_id="vasp-1", vas_id="vas-1"),
            replace_id="m-1",
        ),
        f"{BODY}/extendedReplaceReq/SenderIdentification",
        lambda: B6.ExtendedReplaceReq(mm7_version="6.8.0", vasp_id="vasp", vas_id="vas-1", replace_id="m-1"),
    ),
    Case(
        "F14", "extended-replace-without-replace-id",
        lambda: B6.ExtendedReplaceReq(mm7_version="6.8.0", vasp_id="vasp-1", vas_id="vas-1"),
        f"{BODY}/extendedReplaceReq/ReplaceID",
        lambda: B6.ExtendedReplaceReq(mm7_version="6.8.0", vasp_id="vasp", vas_id="vas-1", replace_id="m-1"),
    ),
    Case(
        "F16", "two-to",
        lambda: _submit(recipients=_to([_number("15551230001")], [_number("15551230002")])),
        f"{BODY}/SubmitReq/Recipients/To[2]",
        lambda: _submit(recipients=_to([_number("15551230001"), _number("15551230002")])),
    ),
    Case(
        "F16", "two-cc",
        lambda: _submit(recipients=_to([_number()], cc=2)),
        f"{BODY}/SubmitReq/Recipients/Cc[2]",
        lambda: _submit(recipients=_to([_number()], cc=1)),
    ),
    Case(
        "F19", "id-not-an-ncname",
        lambda: _submit(recipients=_to([_number(id="1st")])),
        f"{BODY}/SubmitReq/Recipients/To[1]/Number[1]/@id",
        lambda: _submit(recipients=_to([_number(id="r1")])),
    ),
    Case(
        "F19", "id-with-colon",
        lambda: _deliver(sender=B6.SenderAddressType(number=_number(id="a:b"))),
        f"{BODY}/DeliverReq/Sender/Number/@id",
        lambda: _deliver(sender=B6.SenderAddressType(number=_number(id="a-b"))),
    ),
    Case(
        "F19", "id-twice",
        lambda: _submit(recipients=_to([_number("15551230001", id="r1"), _number("15551230002", id="r1")])),
        f"{BODY}/SubmitReq/Recipients/To[1]/Number[2]/@id",
        lambda: _submit(recipients=_to([_number("15551230001", id="r1"), _number("15551230002", id="r2")])),
    ),
]  # fmt: skip


def _schema_problems(message: Any, fault: bool) -> list[Any]:
    """Our XSD's verdict on the envelope that would carry ``message`` (the superset we accept)."""
    version = version_of(message)
    root = env.build_envelope(
        message, transaction_id="tx-rule", version=version, fault=ERROR_FAULT if fault else None
    )
    return schema_problems(schema_for(version), etree.fromstring(etree.tostring(root)))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_encode_refuses_a_schema_valid_message_that_breaks_a_send_rule(case: Case) -> None:
    message = case.broken()
    assert _schema_problems(message, case.fault) == []  # our schema accepts it: only the rule refuses it
    with pytest.raises(LocalValidationError) as info:
        encode(message, transaction_id="tx-rule", fault=ERROR_FAULT if case.fault else None)
    error = info.value
    assert error.transaction_id == "tx-rule"
    assert [(p.kind, p.path, p.reason.split(":")[0]) for p in error.problems] == [
        (KIND, case.path, case.rule)
    ]
    assert case.path in str(error) and f"{case.rule}: " in str(error)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_fixed_message_encodes_and_validates(case: Case) -> None:
    message = case.fixed()
    fault = ERROR_FAULT if case.fault else None
    assert check_outgoing(message, version_of(message), in_fault=case.fault) == []
    encoded = encode(message, transaction_id="tx-fixed", fault=fault)
    decoded = decode(encoded.to_bytes(), encoded.content_type, mode="strict")
    assert decoded.operation == encoded.operation
    assert decoded.message == message
    assert decoded.valid


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == set(RULES)


def test_problems_accumulate_across_rules() -> None:
    message = _submit(
        charged_party=B6.ChargedPartyType("Other"),
        recipients=_to([_number(id="9")], [_number()]),
        delivery_condition=B6.DeliveryConditionType(dc=[]),
    )
    problems = check_outgoing(message, REL6)
    assert sorted(p.reason.split(":")[0] for p in problems) == ["F13", "F16", "F19", "F7"]
    assert all(p.kind == KIND and p.line == 0 for p in problems)


# ------------------------------------------------------------------------- rows the schema or builder keep


def test_f10_a_second_content_is_refused_by_the_schema_itself() -> None:
    message = _submit(content=B6.ContentReferenceType(href="cid:one"))
    root = env.build_envelope(message, transaction_id="tx-c", version=REL6)
    payload = root[-1][0]
    payload.append(etree.fromstring(etree.tostring(payload[-1])))  # a second <Content>
    problems = schema_problems(schema_for(REL6), etree.fromstring(etree.tostring(root)))
    assert [(p.kind, p.path) for p in problems] == [("schema", f"{BODY}/SubmitReq/Content[2]")]


def test_f18_the_transaction_id_carries_must_understand_only() -> None:
    encoded = encode(s.sample_message(REL6, "SubmitReq"), transaction_id="tx-h")
    header = etree.fromstring(encoded.envelope)[0]
    [tid] = list(header)
    assert dict(tid.attrib) == {f"{{{env.SOAP_ENV_NS}}}mustUnderstand": "1"}


def test_f8_rel5_cancel_has_no_recipients() -> None:
    assert "recipients" not in {f.name for f in dataclasses.fields(B5.CancelReq)}
    assert "recipients" in {f.name for f in dataclasses.fields(B6.CancelReq)}


# ------------------------------------------------------------------------------------ response_for


def test_response_for_refuses_a_successful_extended_replace_rsp_without_message_id() -> None:
    request = s.sample_message(REL6, "extendedReplaceReq")
    with pytest.raises(LocalCodecError, match="MessageID"):
        response_for(request)
    response = response_for(request, 1000, "Replaced", message_id="m-2")
    assert response.message_id == "m-2"
    assert response.status.status_text is None  # F2: StatusCode only, whatever text was offered
    assert response_for(request, 2002, message_id=None).message_id is None  # an error names no message


def test_response_for_refuses_a_status_code_outside_the_classes() -> None:
    with pytest.raises(LocalValidationError) as info:
        response_for(s.sample_message(REL6, "DeliverReq"), 5000, "Vendor")
    assert info.value.problems[0].reason.startswith("F9: ")


# ------------------------------------------------------------------------------------ builders


@pytest.mark.parametrize("version", [REL5, REL6], ids=lambda v: v.key)
def test_builders_produce_sendable_messages(version: SchemaVersion) -> None:
    mm7_version = version.default_mm7_version
    built = [
        builders.submit_request(
            to=["15551230001", "15551230002"], cc=["a@example.com"], bcc=["12345"],
            display_only=["15551230002"],
            vasp_id="v", vas_id="s", sender="12345", subject="hi", mm7_version=mm7_version,
        ),
        builders.deliver_request(sender="15551230001", to=["12345", "15551230002"], mm7_version=mm7_version),
        builders.delivery_report_request(
            message_id="m", recipient="15551230001", sender="12345", mm_status="Retrieved",
            status_text="Delivered", mm7_version=mm7_version,
        ),
    ]  # fmt: skip
    for message in built:
        assert check_outgoing(message, version) == []
        encode(message)


# ------------------------------------------------------------------------------------ properties

PAIRS = s.version_operations()
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IN_FAULT = {"RSErrorRsp", "VASPErrorRsp"}


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_every_message_the_strategies_send_passes_the_rules(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @PROPERTY
    @given(message=s.messages(version, operation))
    def run(message: Any) -> None:
        assert check_outgoing(message, version, in_fault=operation in IN_FAULT) == []

    run()


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_the_received_superset_is_schema_valid_and_only_the_rules_refuse_it(
    pair: tuple[SchemaVersion, str],
) -> None:
    version, operation = pair
    fault = ERROR_FAULT if operation in IN_FAULT else None

    @PROPERTY
    @given(message=s.messages(version, operation, received=True))
    def run(message: Any) -> None:
        assert _schema_problems(message, fault is not None) == []
        problems = check_outgoing(message, version, in_fault=fault is not None)
        assert all(p.kind == KIND and p.reason.split(":")[0] in RULES for p in problems)
        if not problems:
            encode(message, transaction_id="tx-p", fault=fault)
            return
        with pytest.raises(LocalValidationError) as info:
            encode(message, transaction_id="tx-p", fault=fault)
        assert info.value.problems == problems

    run()


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_the_address_id_shortcut_agrees_with_the_full_walk(pair: tuple[SchemaVersion, str]) -> None:
    # F19's check walks every object only when some address carries an id; the shortcut visits the fields
    # whose declared types can reach an address. Both must see the same addresses.
    version, operation = pair
    address = version.bindings.AddressType

    @PROPERTY
    @given(message=s.messages(version, operation, received=True))
    def run(message: Any) -> None:
        walked = any(
            isinstance(node, address) and node.id is not None for _, node in _walk(message, "", version)
        )
        assert _has_address_id(message, address, version.package) == walked

    run()
