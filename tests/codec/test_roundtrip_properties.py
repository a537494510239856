"""Property tests: random schema-valid messages of every operation survive encode → decode unchanged.

Two round trips, for every operation of both schema versions:

* the whole codec: object (+ random attachments) → :func:`mm7.codec.messages.encode` → bytes →
  :func:`mm7.codec.messages.decode` in strict mode → an equal object, the same TransactionID, byte-equal
  attachment payloads, and the Content part resolved;
* the generated classes alone: object → xsdata ``XmlSerializer`` → xsdata ``XmlParser`` → an equal object,
  for every message our schema accepts (the received superset), not only for what ``encode`` sends.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.serializers import XmlSerializer

from mm7.codec import envelope as env
from mm7.codec.messages import decode, encode
from mm7.codec.mime import Part
from mm7.codec.versions import REL6, SchemaVersion
from mm7.errors import RemoteValidationError
from tests.codec import strategies as s

PAIRS = s.version_operations()
ERRORS = {"RSErrorRsp", "VASPErrorRsp"}
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

transaction_ids = s.safe_text(max_size=40).map(lambda t: t.replace(" ", "-"))


def _has_content(version: SchemaVersion, operation: str) -> bool:
    return "content" in {f.name for f in dataclasses.fields(version.binding_class(operation))}


def _payload(part: Part) -> Any:
    """A comparable view of a part: its bytes, or its children's (nested multiparts)."""
    if part.children is not None:
        return [(c.content_id, _payload(c)) for c in part.children]
    return part.read_bytes()


@st.composite
def content_parts(draw: st.DrawFn, taken: set[str]) -> Part:
    """The content: a leaf part, or a nested multipart/related or multipart/mixed of leaf parts."""
    cid = draw(s.content_ids.filter(lambda c: c not in taken))
    if draw(st.booleans()):
        return Part.from_bytes(draw(st.binary(max_size=4096)), draw(s.media_types), content_id=cid)
    children = draw(
        s.attachment_sets(min_size=1, max_size=3).filter(
            lambda parts: not {p.content_id for p in parts} & (taken | {cid})
        )
    )
    subtype = draw(st.sampled_from(["related", "mixed"]))
    return Part(f"multipart/{subtype}", content_id=cid, children=children)


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_encode_decode_round_trip(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @PROPERTY_SETTINGS
    @given(data=st.data(), transaction_id=transaction_ids)
    def run(data: st.DataObject, transaction_id: str) -> None:
        message = data.draw(s.messages(version, operation), label="message")
        attachments = data.draw(s.attachment_sets(), label="attachments")
        taken = {p.content_id or "" for p in attachments}
        content = None
        expected = message
        if _has_content(version, operation) and data.draw(st.booleans(), label="with content"):
            content = data.draw(content_parts(taken), label="content")
            allow = data.draw(st.sampled_from([None, True, False]), label="allowAdaptations")
            if allow is None:
                # encode adds Content href="cid:<content id>" itself.
                expected = dataclasses.replace(
                    message, content=version.bindings.ContentReferenceType(href=f"cid:{content.content_id}")
                )
            else:
                message = expected = dataclasses.replace(
                    message,
                    content=version.bindings.ContentReferenceType(
                        href=f"cid:{content.content_id}", allow_adaptations=allow
                    ),
                )
        fault = None
        if operation in ERRORS:
            fault = env.Fault(code=data.draw(st.sampled_from(["Client", "Server"])), string="error")
        encoded = encode(
            message, transaction_id=transaction_id, content=content, attachments=attachments, fault=fault
        )
        assert encoded.transaction_id == transaction_id
        decoded = decode(encoded.to_bytes(), encoded.content_type, mode="strict")
        assert decoded.operation == operation
        assert decoded.message == expected
        assert decoded.transaction_id == transaction_id
        assert decoded.version is version
        assert decoded.deviations == []
        sent = [*([content] if content is not None else []), *attachments]
        assert [(p.content_id, _payload(p)) for p in decoded.attachments] == [
            (p.content_id, _payload(p)) for p in sent
        ]
        if content is not None:
            assert decoded.content is not None
            assert decoded.content.content_id == content.content_id
            assert _payload(decoded.content) == _payload(content)
        else:
            assert decoded.content is None
        if fault is not None:
            assert decoded.fault is not None and decoded.fault.code_local == fault.code
            assert decoded.is_error

    run()


_serializer = XmlSerializer()
_parser = XmlParser()


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_generated_classes_round_trip(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair
    cls = version.binding_class(operation)

    # Every message our schema accepts (the received superset), not only what encode sends.
    @PROPERTY_SETTINGS
    @given(message=s.messages(version, operation, received=True))
    def run(message: Any) -> None:
        xml = _serializer.render(message, ns_map={"m": version.namespace})
        assert _parser.from_string(xml, cls) == message

    run()


# ----------------------------------------------------------------------------------- found by these tests


def test_xs_string_value_with_surrounding_spaces_round_trips_strictly() -> None:
    b = REL6.bindings
    message = s.sample_message(REL6, "SubmitReq")
    message = dataclasses.replace(message, applic_id=" app 1 ")
    encoded = encode(message, transaction_id="tx-ws")
    try:
        decoded = decode(encoded.to_bytes(), encoded.content_type, mode="strict")
    except RemoteValidationError as exc:  # pragma: no cover - the bug
        pytest.fail(f"strict decode rejected our own schema-valid output: {exc}")
    assert decoded.message.applic_id == " app 1 "
    assert isinstance(decoded.message, b.SubmitReq)


def test_collapsed_whitespace_is_not_a_deviation() -> None:
    encoded = encode(s.sample_message(REL6, "SubmitRsp"), transaction_id="tx-c")
    xml = encoded.envelope.replace(b">6.8.0<", b"> 6.8.0 <").replace(b">1000<", b">\n  1000\n<")
    decoded = decode(xml, "text/xml; charset=utf-8", mode="strict")
    assert decoded.mm7_version == "6.8.0"
    assert decoded.status_code == 1000
