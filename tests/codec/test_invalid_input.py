"""Hostile and broken input: every failure of :func:`mm7.codec.messages.decode` is a typed MM7Error.

Each named case asserts the exact exception class and the MM7 status code a receiver would answer with
(2007 format corrupt, 4002 unsupported version, 4003 unsupported operation, 4004 validation error).
A loop over garbage inputs and a small mutation fuzzer assert that nothing escapes as a bare Python exception.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mm7.codec.messages import decode, encode
from mm7.codec.mime import Part
from mm7.codec.versions import NAMESPACE_PREFIX, REL5, REL6, SOAP_ENV_NS
from mm7.errors import (
    CodecError,
    LimitExceededError,
    MalformedXMLError,
    MIMEError,
    MM7Error,
    RemoteCodecError,
    RemoteValidationError,
    UnsupportedOperationError,
    UnsupportedVersionError,
    XMLSecurityError,
)
from tests.codec import strategies as s

NS6 = REL6.namespace
TID = f'<m:TransactionID xmlns:m="{NS6}" e:mustUnderstand="1">tx-1</m:TransactionID>'
SUBMIT_RSP = (
    f'<SubmitRsp xmlns="{NS6}"><MM7Version>6.8.0</MM7Version>'
    "<Status><StatusCode>1000</StatusCode></Status></SubmitRsp>"
)


def envelope(body: str, header: str = TID) -> bytes:
    head = f"<e:Header>{header}</e:Header>" if header is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<e:Envelope xmlns:e="{SOAP_ENV_NS}">{head}'
        f"<e:Body>{body}</e:Body></e:Envelope>"
    ).encode()


def _with_content() -> tuple[bytes, str]:
    message = s.sample_message(REL6, "SubmitReq")
    encoded = encode(
        message,
        transaction_id="tx-1",
        content=Part.from_bytes(b"\x00\x01payload" * 20, "image/png", content_id="img@x"),
        boundary="b0undary",
    )
    return encoded.to_bytes(), encoded.content_type


GOOD_BODY, GOOD_CT = _with_content()
REL7_NS = NAMESPACE_PREFIX + "REL-7-MM7-1-0"

CASES = [
    # (id, body, content type, exception class, status code, text in message)
    ("empty body", b"", "text/xml", MalformedXMLError, 2007, "empty"),
    ("empty multipart body", b"", 'multipart/related; boundary="b"', MIMEError, 2007, "multipart"),
    # No closing delimiter: strict names it, tolerant reads the parts that arrived (see TOLERANT below).
    ("truncated MIME", GOOD_BODY[:-40], GOOD_CT, RemoteValidationError, 4004, "no closing delimiter"),
    ("truncated inside the root part", GOOD_BODY[:200], GOOD_CT, MalformedXMLError, 2007, "well-formed"),
    (
        "start points nowhere",
        GOOD_BODY,
        GOOD_CT.replace("<mm7-soap-envelope>", "<no-such-part@x>"),
        RemoteValidationError,
        4004,
        "names no part",
    ),
    ("broken XML", envelope(SUBMIT_RSP)[:-30], "text/xml", MalformedXMLError, 2007, "well-formed"),
    ("undefined prefix", b"<e:Envelope/>", "text/xml", MalformedXMLError, 2007, "well-formed"),
    ("not SOAP", b"<html><body>hello</body></html>", "text/xml", RemoteCodecError, 2007, "not a SOAP"),
    (
        "SOAP 1.2 envelope",
        b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
        "text/xml",
        RemoteCodecError,
        2007,
        "not a SOAP 1.1",
    ),
    (
        "no Body",
        f'<e:Envelope xmlns:e="{SOAP_ENV_NS}"><e:Header/></e:Envelope>'.encode(),
        "text/xml",
        RemoteCodecError,
        2007,
        "no Body",
    ),
    ("empty Body", envelope(""), "text/xml", RemoteCodecError, 2007, "exactly one"),
    ("two Body entries", envelope(SUBMIT_RSP * 2), "text/xml", RemoteCodecError, 2007, "exactly one"),
    (
        "unknown operation in the MM7 namespace",
        envelope(f'<FooReq xmlns="{NS6}"><MM7Version>6.8.0</MM7Version></FooReq>'),
        "text/xml",
        UnsupportedOperationError,
        4003,
        "FooReq",
    ),
    (
        "Rel-6-only operation in the REL-5 namespace",
        envelope(
            f'<extendedCancelReq xmlns="{REL5.namespace}"><MM7Version>5.3.0</MM7Version>'
            "<SenderIdentification/><CancelID>1</CancelID></extendedCancelReq>"
        ).replace(NS6.encode(), REL5.namespace.encode()),
        "text/xml",
        UnsupportedOperationError,
        4003,
        "extendedCancelReq",
    ),
    (
        "element from another namespace in the Body",
        envelope('<x:Order xmlns:x="urn:example:shop"><x:Item>1</x:Item></x:Order>', header=""),
        "text/xml",
        UnsupportedOperationError,
        4003,
        "urn:example:shop",
    ),
    (
        "MM7 operation name in another namespace",
        envelope('<x:SubmitRsp xmlns:x="urn:example:shop"/>'),
        "text/xml",
        RemoteValidationError,
        4004,
        "urn:example:shop",
    ),
    (
        "REL-7 namespace",
        envelope(f'<SubmitRsp xmlns="{REL7_NS}"><MM7Version>7.0.0</MM7Version></SubmitRsp>'),
        "text/xml",
        UnsupportedVersionError,
        4002,
        "REL-7-MM7-1-0",
    ),
    (
        "MM7Version 7.0.0 in the REL-6 namespace",
        envelope(SUBMIT_RSP.replace("6.8.0", "7.0.0")),
        "text/xml",
        UnsupportedVersionError,
        4002,
        "7.0.0",
    ),
    (
        "MM7Version 6.8.0 in the REL-5 namespace",
        envelope(SUBMIT_RSP.replace(NS6, REL5.namespace)).replace(NS6.encode(), REL5.namespace.encode()),
        "text/xml",
        UnsupportedVersionError,
        4002,
        "6.8.0",
    ),
    (
        "no namespace and MM7Version 7.0.0",
        envelope(
            "<SubmitRsp><MM7Version>7.0.0</MM7Version><Status><StatusCode>1000</StatusCode></Status></SubmitRsp>",
            header="",
        ),
        "text/xml",
        UnsupportedVersionError,
        4002,
        "7.0.0",
    ),
    (
        "missing TransactionID",
        envelope(SUBMIT_RSP, header=""),
        "text/xml",
        RemoteValidationError,
        4004,
        "TransactionID",
    ),
    (
        "empty TransactionID",
        envelope(SUBMIT_RSP, header=TID.replace("tx-1", "")),
        "text/xml",
        RemoteValidationError,
        4004,
        "TransactionID",
    ),
    (
        "DOCTYPE with an entity",
        b'<?xml version="1.0"?><!DOCTYPE e:Envelope [<!ENTITY x "boom">]>' + envelope(SUBMIT_RSP)[22:],
        "text/xml",
        XMLSecurityError,
        2007,
        "DOCTYPE",
    ),
    (
        "external entity",
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
        "text/xml",
        XMLSecurityError,
        2007,
        "DOCTYPE",
    ),
    (
        "billion laughs",
        b'<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
        "text/xml",
        XMLSecurityError,
        2007,
        "",
    ),
    (
        "Fault detail holding a non-error operation",
        envelope(
            "<e:Fault><faultcode>e:Server</faultcode><faultstring>x</faultstring>"
            f"<detail>{SUBMIT_RSP}</detail></e:Fault>"
        ),
        "text/xml",
        UnsupportedOperationError,
        4003,
        "SubmitRsp",
    ),
    (
        "schema violation: StatusCode missing",
        envelope(f'<SubmitRsp xmlns="{NS6}"><MM7Version>6.8.0</MM7Version><Status/></SubmitRsp>'),
        "text/xml",
        RemoteValidationError,
        4004,
        "StatusCode",
    ),
    (
        "Content href pointing at no part",
        # Strict only: tolerant reading takes the one attachment as the content (a deviation).
        GOOD_BODY.replace(b'href="cid:img@x"', b'href="cid:gone@x"'),
        GOOD_CT,
        RemoteValidationError,
        4004,
        "gone@x",
    ),
    (
        "unsupported Content-Type",
        envelope(SUBMIT_RSP),
        "application/json",
        MIMEError,
        2007,
        "application/json",
    ),
    ("too deep", b"<a>" * 100 + b"</a>" * 100, "text/xml", LimitExceededError, 2007, "deeper"),
]


# Cases strict mode refuses but tolerant mode reads (keyed by the strict error's text): the deviation kinds
# repaired, and a violation still reported (None: valid after repair).
TOLERANT: dict[str, tuple[set[str], str | None]] = {
    "no closing delimiter": ({"mime-framing"}, None),
    "names no part": ({"content-reference"}, None),
    "urn:example:shop": ({"namespace"}, "MM7Version"),
    "StatusCode": (set(), "StatusCode"),
    "gone@x": ({"content-reference"}, None),
}


@pytest.mark.parametrize(
    ("body", "content_type", "error", "status", "text"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
@pytest.mark.parametrize("mode", ["strict", "tolerant"])
def test_typed_error(
    body: bytes, content_type: str, error: type[CodecError], status: int, text: str, mode
) -> None:  # type: ignore[no-untyped-def]
    tolerated = TOLERANT.get(text) if error is RemoteValidationError else None
    if mode == "tolerant" and tolerated is not None:
        # What real MMSCs send is read: repaired and listed, or returned with what is still invalid.
        decoded = decode(body, content_type, mode=mode)
        kinds, violation = tolerated
        assert {d.kind for d in decoded.deviations} == kinds
        assert decoded.valid is (violation is None)
        assert violation is None or any(violation in v.reason for v in decoded.violations)
        return
    with pytest.raises(MM7Error) as info:
        decode(body, content_type, mode=mode)
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    assert info.value.status_code == status
    assert text in str(info.value)


def test_errors_carry_the_transaction_id_when_known() -> None:
    with pytest.raises(UnsupportedOperationError) as info:
        decode(envelope(f'<FooReq xmlns="{NS6}"/>'), "text/xml")
    assert info.value.transaction_id == "tx-1"


def test_validation_error_lists_problems_with_lines() -> None:
    body = envelope(f'<SubmitRsp xmlns="{NS6}">\n<MM7Version>6.8.0</MM7Version>\n<Status/>\n</SubmitRsp>')
    with pytest.raises(RemoteValidationError) as info:
        decode(body, "text/xml")
    (problem,) = info.value.problems
    assert problem.path == "/Envelope/Body/SubmitRsp/Status"
    assert problem.line == 4
    assert "StatusCode" in problem.reason


GARBAGE: list[tuple[bytes, str | None]] = [
    (b"", None),
    (b"\x00\x01\x02", None),
    (b"\xff\xfe<\x00", "text/xml"),
    (b"<", "text/xml"),
    (b"<?xml version='1.0' encoding='bogus'?><a/>", "text/xml"),
    (b"<?xml version='1.0' encoding='utf-16'?><a/>", "text/xml"),
    (b"--b\r\n\r\n--b--", 'multipart/related; boundary="b"'),
    (b"--b\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--b--", 'multipart/related; boundary="b"; start="<x>"'),
    (b"--b\r\nno colon here\r\n\r\n<a/>\r\n--b--", 'multipart/related; boundary="b"'),
    (b"--b\r\n Content-Type: folded-first\r\n\r\n<a/>\r\n--b--", 'multipart/related; boundary="b"'),
    (
        b"--b\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n--b--",
        'multipart/related; boundary="b"',
    ),
    (b"--b\r\nContent-Type: multipart/related\r\n\r\nnothing\r\n--b--", 'multipart/related; boundary="b"'),
    (b"plain words", "multipart/related"),
    (b"<a/>", "multipart/related; boundary="),
    (b"<a/>", 'multipart/related; boundary="' + b"x".decode() * 200 + '"'),
    (b"<a/>", "text/xml; charset=nonexistent"),
    (b"<a/>", "\x00garbage/\x01"),
    (b"<a/>", ";;;===;;"),
    (b"<a/>", "multipart/related; boundary*=utf-8''%FF%FE"),
    (envelope("<e:Fault/>"), "text/xml"),
    (envelope("<e:Fault><detail><x/></detail></e:Fault>"), "text/xml"),
    (envelope(f'<SubmitRsp xmlns="{NS6}"><MM7Version/></SubmitRsp>'), "text/xml"),
    (
        envelope(
            f'<SubmitRsp xmlns="{NS6}"><MM7Version>6.8.0</MM7Version>'
            f"<Status><StatusCode>99999999999999999999999</StatusCode></Status></SubmitRsp>"
        ),
        "text/xml",
    ),
    (
        envelope(
            f'<SubmitReq xmlns="{NS6}"><MM7Version>6.8.0</MM7Version><Content href="cid:x"/></SubmitReq>'
        ),
        "text/xml",
    ),
    (
        envelope(
            f'<DeliveryReportReq xmlns="{NS6}"><MM7Version>6.8.0</MM7Version>'
            "<Date>not a date</Date></DeliveryReportReq>"
        ),
        "text/xml",
    ),
    (envelope(f'<m:SubmitRsp xmlns:m="{NAMESPACE_PREFIX}REL-6-MM7-9-9"/>'), "text/xml"),
    (envelope(f'<m:SubmitRsp xmlns:m="{NAMESPACE_PREFIX}garbage"/>'), "text/xml"),
]


@pytest.mark.parametrize("mode", ["strict", "tolerant"])
def test_garbage_only_ever_raises_mm7_errors(mode: str) -> None:
    for body, content_type in GARBAGE:
        try:
            decode(body, content_type, mode=mode)  # type: ignore[arg-type]
        except MM7Error:
            continue
        except Exception as exc:  # pragma: no cover - the failure being tested for
            pytest.fail(f"{body[:60]!r} / {content_type!r} raised bare {type(exc).__name__}: {exc}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(0, len(GOOD_BODY)),
    flips=st.lists(st.tuples(st.integers(0, len(GOOD_BODY) - 1), st.integers(0, 255)), max_size=4),
    mode=st.sampled_from(["strict", "tolerant"]),
)
def test_mutated_messages_only_ever_raise_mm7_errors(
    cut: int, flips: list[tuple[int, int]], mode: str
) -> None:
    body = bytearray(GOOD_BODY)
    for index, value in flips:
        body[index] = value
    with contextlib.suppress(MM7Error):  # anything else fails the test
        decode(bytes(body[:cut] if flips else body[: max(cut, 1)]), GOOD_CT, mode=mode)  # type: ignore[arg-type]


def test_unknown_must_understand_header_is_refused_in_strict_mode() -> None:
    extra = '<x:Auth xmlns:x="urn:example:auth" e:mustUnderstand="1">secret</x:Auth>'
    with pytest.raises(RemoteCodecError, match="Auth"):
        decode(envelope(SUBMIT_RSP, header=TID + extra), "text/xml", mode="strict")


def test_strict_mode_validates_a_bare_fault() -> None:
    body = envelope(
        "<e:Fault><e:faultcode>e:Client</e:faultcode><e:faultstring>bad</e:faultstring></e:Fault>"
    )
    with pytest.raises(RemoteValidationError, match="faultcode"):
        decode(body, "text/xml", mode="strict")
