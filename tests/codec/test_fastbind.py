"""mm7.codec.fastbind (the generated codec modules under generated/mm7_bindings/*/codec.py) against its
oracle, xsdata itself.

Every check renders the same object with xsdata's ``TreeSerializer`` and with ``to_element`` (byte-equal and
C14N-equal), and binds xsdata's element with xsdata's ``XmlParser`` and with ``from_element`` (equal objects,
equal to the original). xsdata's lxml handler empties the tree it reads, so it always gets its own copy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import mm7_bindings.soap_envelope_1_1 as soap
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.generics import AnyElement
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.serializers.tree import TreeSerializer
from xsdata.models.datatype import XmlDateTime

from mm7.codec import bindings_runtime, fastbind
from mm7.codec.versions import REL5, REL6, SchemaVersion
from tests.codec import strategies as s
from tests.codec.samples import WHEN, full_objects

CONTEXT = XmlContext()
SERIALIZER = TreeSerializer(context=CONTEXT)
VERSIONS = (REL5, REL6)
PAIRS = s.version_operations()
NSMAPS = st.sampled_from(["default", "prefixed", "none"])


def nsmap_of(kind: str, version: SchemaVersion) -> dict[str | None, str] | None:
    return {"default": {None: version.namespace}, "prefixed": {"mm7": version.namespace}, "none": None}[kind]


def xsdata_render(obj: object, nsmap: dict[str | None, str] | None) -> etree._Element:
    root: Any = SERIALIZER.render(obj, ns_map=nsmap)
    return root.getroot()  # type: ignore[no-any-return]


def xsdata_parse(element: etree._Element, cls: type[Any]) -> Any:
    parser = XmlParser(
        context=CONTEXT,
        handler=LxmlEventHandler,
        config=ParserConfig(fail_on_unknown_properties=True, fail_on_unknown_attributes=False),
    )
    return parser.parse(etree.fromstring(etree.tostring(element)), cls)


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")


def assert_equivalent(obj: Any, nsmap: dict[str | None, str] | None) -> None:
    """to_element == xsdata's tree, and from_element(xsdata's tree) == xsdata's parse == obj."""
    ours = fastbind.to_element(obj, nsmap=nsmap)
    theirs = xsdata_render(obj, nsmap)
    assert c14n(ours) == c14n(theirs)
    assert etree.tostring(ours) == etree.tostring(theirs)
    before = etree.tostring(theirs)
    bound = fastbind.from_element(theirs, type(obj))
    assert etree.tostring(theirs) == before, "from_element modified its input"
    assert bound == xsdata_parse(theirs, type(obj)) == obj


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each use of the xsdata fallback ("render" / "parse")."""
    calls: list[str] = []
    render, parse = fastbind._xsdata_render, fastbind._xsdata_parse

    def counting_render(obj: object, nsmap: Any) -> etree._Element:
        calls.append("render")
        return render(obj, nsmap)

    def counting_parse(element: etree._Element, cls: type[Any]) -> Any:
        calls.append("parse")
        return parse(element, cls)

    monkeypatch.setattr(fastbind, "_xsdata_render", counting_render)
    monkeypatch.setattr(fastbind, "_xsdata_parse", counting_parse)
    return calls


# ------------------------------------------------------------------------------------------ every operation


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
def test_every_global_element_class_has_a_generated_codec(version: SchemaVersion) -> None:
    codecs = __import__(f"{version.bindings.__name__}.codec", fromlist=["CODECS"])
    assert codecs.FALLBACK == {}
    for name, cls in version.element_classes.items():
        plan = fastbind.plan_for(cls)
        assert plan.reason is None, (name, plan.reason)
        assert plan.codec is codecs.CODECS[cls]
        assert plan.fill is not None and plan.parse is not None
        assert plan.fill.__module__ == codecs.__name__
        assert fastbind.plan_for(cls) is plan  # cached


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
@pytest.mark.parametrize("full", [False, True], ids=["mandatory", "full"])
@pytest.mark.parametrize("nsmap_kind", ["default", "prefixed", "none"])
def test_sample_messages_match_xsdata(
    pair: tuple[SchemaVersion, str], full: bool, nsmap_kind: str, fallbacks: list[str]
) -> None:
    version, operation = pair
    assert_equivalent(s.sample_message(version, operation, full=full), nsmap_of(nsmap_kind, version))
    assert fallbacks == []


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
def test_transaction_id(version: SchemaVersion, fallbacks: list[str]) -> None:
    cls = version.element_classes["TransactionID"]
    assert_equivalent(cls(value="tx-1"), {None: version.namespace})
    assert_equivalent(cls(value="tx-2", other_attributes={"plain": "1"}), {"mm7": version.namespace})
    assert fallbacks == []


# ------------------------------------------------------------------------------------------ full objects


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
@pytest.mark.parametrize("nsmap_kind", ["default", "prefixed", "none"])
def test_full_objects_match_xsdata(version: SchemaVersion, nsmap_kind: str, fallbacks: list[str]) -> None:
    for obj in full_objects(version):
        assert_equivalent(obj, nsmap_of(nsmap_kind, version))
    assert fallbacks == []


# ------------------------------------------------------------------------------------------ fallbacks


def test_details_with_an_element_falls_back_to_xsdata(fallbacks: list[str]) -> None:
    b = REL6.bindings
    extra = AnyElement(qname="{urn:vendor}Reason", text="quota", attributes={"code": "7"}, tail=" after")
    details = b.StatusDetailsType(content=["before ", extra])
    obj = b.RSErrorRsp(mm7_version="6.8.0", status=b.StatusType(status_code=3001, details=details))
    assert_equivalent(obj, {None: REL6.namespace})
    assert fallbacks == ["render", "parse"]


def test_several_strings_in_mixed_content_fall_back(fallbacks: list[str]) -> None:
    # xsdata writes the second string as the tail of Details (its writer defers it): we let it.
    b = REL6.bindings
    status = b.StatusType(status_code=2000, details=b.StatusDetailsType(content=["a", "b"]))
    obj = b.VASPErrorRsp(mm7_version="6.8.0", status=status)
    ours = fastbind.to_element(obj, nsmap={None: REL6.namespace})
    assert c14n(ours) == c14n(xsdata_render(obj, {None: REL6.namespace}))
    assert fallbacks == ["render"]


def test_soap_envelope_class_is_handled_by_xsdata(fallbacks: list[str]) -> None:
    plan = fastbind.plan_for(soap.Envelope)
    assert plan.reason is not None and "wildcard" in plan.reason
    envelope = soap.Envelope(body=soap.Body(any_element=[AnyElement(qname="{urn:x}Ping", text="1")]))
    ours = fastbind.to_element(envelope)
    assert c14n(ours) == c14n(xsdata_render(envelope, None))
    assert fastbind.from_element(ours, soap.Envelope) == xsdata_parse(ours, soap.Envelope)
    assert fallbacks == ["render", "parse"]


def test_subclass_value_needs_xsi_type_and_falls_back(fallbacks: list[str]) -> None:
    b = REL6.bindings
    sequenced = b.SequencedAddressType(number=b.AddressType(value="1"), sequence=4)
    obj = b.DeliveryReportReq(
        mm7_version="6.8.0",
        message_id="m",
        recipient=sequenced,
        sender=b.SenderAddressType(number=b.AddressType(value="2")),
        date=WHEN,
        mm_status=b.MmDeliveryStatusType.RETRIEVED,
    )
    assert_equivalent(obj, {None: REL6.namespace})
    assert "xsi:type" in etree.tostring(fastbind.to_element(obj)).decode()
    assert fallbacks.count("render") == 2 and fallbacks.count("parse") == 1


def test_qname_like_attribute_values_fall_back(fallbacks: list[str]) -> None:
    b = REL6.bindings
    obj = s.sample_message(REL6, "SubmitReq")
    obj.content = b.ContentReferenceType(href="{http://www.w3.org/2001/XMLSchema}string")
    ours = fastbind.to_element(obj, nsmap={None: REL6.namespace})
    assert c14n(ours) == c14n(xsdata_render(obj, {None: REL6.namespace}))
    assert fallbacks == ["render"]


def test_namespaced_wildcard_attribute_falls_back(fallbacks: list[str]) -> None:
    tid = REL6.element_classes["TransactionID"](
        value="t", other_attributes={"{http://schemas.xmlsoap.org/soap/envelope/}mustUnderstand": "1"}
    )
    assert_equivalent(tid, {None: REL6.namespace})
    assert fallbacks == ["render"]


XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _report_xml(recipient: str, extra: str = "") -> bytes:
    return (
        f'<DeliveryReportReq xmlns="{REL6.namespace}" xmlns:xsi="{XSI}">{extra}'
        "<MM7Version>6.8.0</MM7Version><MessageID> m-1 </MessageID>"
        f"<Recipient>{recipient}</Recipient>"
        '<Sender><ShortCode displayOnly="1">123</ShortCode></Sender>'
        "<Date> 2015-03-16T14:03:51.7+02:00 </Date><MMStatus> Retrieved </MMStatus>"
        "<UACapabilities UAProf='p' TimeStamp='2015-03-16T14:03:51'/>"
        "</DeliveryReportReq>"
    ).encode()


@pytest.mark.parametrize(
    ("recipient", "extra", "falls_back"),
    [
        ("<Number>1</Number>", "", False),
        ('<Number displayOnly="true" foreign="ignored">1</Number>', "", False),
        ("\n  <Number/>\n  ", "", False),
        ('<Number xsi:type="addressType">1</Number>', "", True),
        ('<ShortCode xsi:type="addressType">1</ShortCode>', "", True),
        ("<Number>1</Number><!-- a comment -->", "", True),
    ],
)
def test_parse_matches_xsdata_on_unusual_input(
    recipient: str, extra: str, falls_back: bool, fallbacks: list[str]
) -> None:
    element = etree.fromstring(_report_xml(recipient, extra))
    cls = REL6.binding_class("DeliveryReportReq")
    try:
        expected: Any = xsdata_parse(element, cls)
    except Exception as exc:  # xsdata refuses: so must we, the same way
        with pytest.raises(type(exc)):
            fastbind.from_element(element, cls)
    else:
        assert fastbind.from_element(element, cls) == expected
    assert fallbacks == (["parse"] if falls_back else [])


def test_fallback_keeps_prefixes_declared_on_ancestors(fallbacks: list[str]) -> None:
    # xsi:type="m:addressType" uses a prefix declared only on the enclosing element: the copy xsdata reads
    # must keep it in scope.
    body = _report_xml('<Number xsi:type="m:addressType">1</Number>').decode()
    wrapper = f'<Wrapper xmlns:m="{REL6.namespace}" xmlns:xsi="{XSI}">{body}</Wrapper>'
    element = etree.fromstring(wrapper.encode())[0]
    cls = REL6.binding_class("DeliveryReportReq")
    bound = fastbind.from_element(element, cls)
    assert bound == xsdata_parse(element, cls)
    assert bound.recipient.number.value == "1"
    assert fallbacks == ["parse"]


def test_interleaved_choice_children_and_pretty_printing() -> None:
    xml = (
        f'<To xmlns="{REL6.namespace}">\n'
        "  <Number>1</Number>\n  <RFC2822Address>a@b</RFC2822Address>\n  <Number>2</Number>\n"
        "</To>"
    ).encode()
    element = etree.fromstring(xml)
    cls = REL6.bindings.MultiAddressType
    assert fastbind.from_element(element, cls) == xsdata_parse(element, cls)


def test_details_text_and_whitespace() -> None:
    cls = REL6.bindings.StatusType
    for details in ("<Details>  </Details>", "<Details> spaced text </Details>", "<Details/>", ""):
        xml = f'<Status xmlns="{REL6.namespace}"><StatusCode>2000</StatusCode>{details}</Status>'
        element = etree.fromstring(xml.encode())
        assert fastbind.from_element(element, cls) == xsdata_parse(element, cls)


LEXICAL_DATES = st.one_of(
    s.xml_datetimes().map(str),
    s.durations.map(str),
    st.sampled_from(
        ["2015-03-16T14:03:51.", "2015-02-29T00:00:00", "2016-02-29T24:00:00Z", "0000-01-01T00:00:00"]
    ),
    st.sampled_from(["-0001-01-01T00:00:00", "2015-03-16T14:03:51.1234567891", "-P1D", "P", "2015-03-16"]),
)


@given(
    text=st.tuples(st.sampled_from(["", " ", "\n\t"]), LEXICAL_DATES, st.sampled_from(["", " ", "\n"])).map(
        "".join
    )
)
@settings(max_examples=300, deadline=None)
@pytest.mark.filterwarnings("ignore::xsdata.exceptions.ConverterWarning")
def test_relative_or_absolute_dates_convert_like_xsdata(text: str) -> None:
    cls = REL6.bindings.ReplyChargingType
    element = etree.Element(f"{{{REL6.namespace}}}ReplyCharging")
    element.set("replyDeadline", text)
    try:
        expected = xsdata_parse(element, cls)
    except Exception as exc:
        with pytest.raises(type(exc)):
            fastbind.from_element(element, cls)
        return
    with pytest.warns() if isinstance(expected.reply_deadline, str) else _no_warning():
        assert fastbind.from_element(element, cls) == expected


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


@given(
    value=st.builds(
        XmlDateTime,
        st.integers(-9999, 99999),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
        st.integers(0, 999_999_999) | st.sampled_from([0, 5_000_000, 123_456_000]),
        st.none() | st.integers(-14 * 60, 14 * 60),
    )
)
@settings(max_examples=400, deadline=None)
def test_datetime_format_and_parse_equal_xsdata(value: XmlDateTime) -> None:
    assert bindings_runtime.format_datetime(value) == str(value)
    assert bindings_runtime.parse_datetime(str(value)) == XmlDateTime.from_string(str(value))


# ------------------------------------------------------------------------------------------ properties


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_random_messages_match_xsdata(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message=s.messages(version, operation), nsmap_kind=NSMAPS)
    def run(message: Any, nsmap_kind: str) -> None:
        assert_equivalent(message, nsmap_of(nsmap_kind, version))
        ours = fastbind.to_element(message, nsmap=nsmap_of(nsmap_kind, version))
        assert fastbind.from_element(ours, type(message)) == message

    run()


# ------------------------------------------------------------------------------------------ no codec module


@dataclass(slots=True, kw_only=True)
class Leaf:
    """A class outside any bindings package (no generated codec module beside it)."""

    class Meta:
        name = "Leaf"
        namespace = "urn:fastbind-test"

    count: int = field(metadata={"type": "Attribute"})
    items: list[str] = field(default_factory=list, metadata={"name": "Item", "type": "Element"})


def test_a_class_without_a_generated_codec_goes_to_xsdata(fallbacks: list[str]) -> None:
    plan = fastbind.plan_for(Leaf)
    assert plan.codec is None and plan.reason is not None and "no generated codec" in plan.reason
    assert_equivalent(Leaf(count=2, items=["a", "", "c"]), None)
    assert fallbacks == ["render", "parse"]


def test_plans_are_found_once_under_concurrency() -> None:
    cls = REL5.binding_class("CancelReq")
    fastbind._plans.pop(cls, None)
    barrier = threading.Barrier(8)
    plans: list[fastbind.Plan] = []

    def build() -> None:
        barrier.wait()
        plans.append(fastbind.plan_for(cls))

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(plan) for plan in plans}) == 1
    assert plans[0].reason is None
