"""The generated ``write_*`` functions (envelopes written as text) against the tree they stand for.

``mm7.encode`` sends the text ``envelope.write_envelope`` writes and validates it parsed back; the oracle is
the tree path: ``build_envelope`` (the generated ``fill_*`` functions, themselves checked against xsdata in
test_fastbind.py) serialized by lxml. Every check is byte equality.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import mm7
from mm7.codec import envelope as env
from mm7.codec import fastbind
from mm7.codec.bindings_runtime import WRITER_PREFIX
from mm7.codec.versions import REL5, REL6, SchemaVersion
from tests.codec import strategies as s
from tests.codec.samples import full_objects

VERSIONS = (REL5, REL6)

# Every character XML 1.0 can carry, the escaped ones often; no lone surrogates (not UTF-8 at all).
_XML_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(0x20) if c not in (0x9, 0xA, 0xD)] + ["\ufffe", "\uffff"],
)
xml_text = st.text(st.sampled_from("&<>\"'\r\n\t]]> ") | _XML_CHARS, min_size=1, max_size=40)


def tree_bytes(message: Any, transaction_id: str, version: SchemaVersion) -> bytes:
    return env.serialize(env.build_envelope(message, transaction_id=transaction_id, version=version))


def assert_written_like_the_tree(message: Any, transaction_id: str, version: SchemaVersion) -> None:
    written = env.write_envelope(message, transaction_id=transaction_id, version=version)
    assert written is not None, f"{type(message).__name__} took the tree path"
    assert written == tree_bytes(message, transaction_id, version)


def messages_of(version: SchemaVersion) -> list[Any]:
    return [obj for obj in full_objects(version) if type(obj) in version.element_classes.values()]


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
def test_full_messages_are_written_as_lxml_serializes_their_tree(
    version: SchemaVersion,
) -> None:
    messages = messages_of(version)
    assert len(messages) >= 5
    for message in messages:
        assert_written_like_the_tree(message, "tid-1", version)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.key)
def test_every_operation_has_a_writer(version: SchemaVersion) -> None:
    for operation in sorted(version.operations):
        codec = fastbind.plan_for(version.binding_class(operation)).codec
        assert codec is not None and codec.write is not None, operation


@pytest.mark.parametrize("pair", s.version_operations(), ids=s.pair_id)
def test_random_messages_are_written_as_their_tree(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message=s.messages(version, operation))
    def run(message: Any) -> None:
        assert_written_like_the_tree(message, "t-1", version)

    run()


@settings(max_examples=300, deadline=None)
@given(subject=xml_text, transaction_id=xml_text, address_id=xml_text, service_code=xml_text)
def test_any_text_xml_can_carry_is_escaped_as_lxml_escapes_it(
    subject: str, transaction_id: str, address_id: str, service_code: str
) -> None:
    b = REL6.bindings
    request = mm7.submit_request(to=["15551234567"], sender="12345", subject=subject, vasp_id="v")
    sender = request.sender_identification
    assert sender is not None and sender.sender_address is not None
    number = b.AddressType(value=subject, id=address_id, display_only=True)
    request = dataclasses.replace(
        request,
        service_code=service_code,
        sender_identification=dataclasses.replace(sender, sender_address=b.SenderAddressType(number=number)),
    )
    if address_id.startswith("{"):  # xsdata writes such attribute values as QNames: its rules, its path
        assert env.write_envelope(request, transaction_id=transaction_id, version=REL6) is None
    else:
        assert_written_like_the_tree(request, transaction_id, REL6)


def test_wildcard_attributes_are_written_as_fill_sets_them() -> None:
    b = REL6.bindings
    header = b.TransactionId(value="a&b", other_attributes={"vendor": 'x"<\n', "flag": "1"})
    codec = fastbind.plan_for(type(header)).codec
    assert codec is not None and codec.write is not None
    wrapper = etree.Element("{%s}W" % REL6.namespace, nsmap={WRITER_PREFIX: REL6.namespace})
    codec.fill(header, etree.SubElement(wrapper, codec.qname))
    whole = etree.tostring(wrapper).decode()
    inner = whole[whole.index(">") + 1 : whole.rindex("<")]
    out: list[str] = []
    codec.write(header, out, f"{WRITER_PREFIX}:TransactionID")
    assert "".join(out) == inner
    assert 'vendor="x&quot;&lt;&#10;"' in inner


def test_elements_left_empty_are_self_closing_as_lxml_writes_them() -> None:
    b = REL6.bindings
    request = b.CancelReq(mm7_version="6.8.0", message_id="", sender_identification=b.SenderIdType())
    written = env.write_envelope(request, transaction_id="t", version=REL6)
    assert written is not None
    assert b"<mm7:MessageID/>" in written and b"<mm7:SenderIdentification/>" in written
    assert written == tree_bytes(request, "t", REL6)


def test_a_value_xml_cannot_carry_is_refused_as_before() -> None:
    request = mm7.submit_request(to=["15551234567"], sender="12345", subject="bell \x07")
    written = env.write_envelope(request, transaction_id="t", version=REL6)
    assert written is not None  # the writer does not look; parsing it back does
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(written)
    with pytest.raises(mm7.LocalCodecError, match="must be XML compatible"):
        mm7.encode(request, transaction_id="t")


def test_a_value_only_xsdata_writes_takes_the_tree_path() -> None:
    class Code(str):
        pass

    request = mm7.submit_request(to=["15551234567"], sender="12345", subject="hi")
    request = dataclasses.replace(request, service_code=Code("svc"))
    assert env.write_envelope(request, transaction_id="t", version=REL6) is None
    encoded = mm7.encode(request, transaction_id="t")
    assert b"<mm7:ServiceCode>svc</mm7:ServiceCode>" in encoded.envelope


def test_encode_sends_what_it_validated() -> None:
    request = mm7.submit_request(to=["15551234567"], sender="12345", subject="a < b & c > d")
    encoded = mm7.encode(request, transaction_id="t-9")
    assert encoded.envelope == tree_bytes(request, "t-9", REL6)
    assert mm7.decode(encoded.to_bytes(), encoded.content_type).message == request
