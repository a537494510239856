"""encode_response answers from a validated template: the same bytes as encoding each answer afresh.

The first answer for a (schema, namespace, MM7Version, operation, status) key is encoded and validated in
full; later answers fill the TransactionID into a template of it. The properties compare every answer with
the full path (``response_for`` + ``encode`` in the request's dialect), byte for byte, for many
TransactionIDs, dialects and statuses, and read each answer back strictly (schema-validated).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mm7.codec import builders, messages
from mm7.codec.messages import (
    RESPONSE_OF,
    EncodedMessage,
    answer_dialect,
    decode,
    encode,
    encode_response,
    response_for,
)
from mm7.codec.versions import REVISIONS, SchemaVersion
from mm7.codec.xml import parse_xml, schema_for
from mm7.errors import LocalCodecError, MM7Error
from tests.codec import strategies as s

PAIRS = [pair for pair in s.version_operations(requests_only=True) if pair[1] in RESPONSE_OF]
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Plain IDs (template path), IDs with what XML escapes, and IDs the full path handles (non-ASCII, control
# characters lxml refuses, surrounding blanks).
transaction_ids = st.lists(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20)
    | st.text("<>&\"' ab", min_size=1, max_size=8)
    | st.text(min_size=0, max_size=6),
    min_size=1,
    max_size=8,
)
statuses = st.tuples(
    st.sampled_from([1000, 1100, 2000, 3001, 4004]),
    st.none() | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=12),
)


def _fresh(request: Any, code: int, text: str | None) -> EncodedMessage:
    response = response_for(request, code, text)
    return encode(
        response, transaction_id=request.transaction_id, namespace=answer_dialect(request).namespace
    )


def _outcome(call: Any) -> EncodedMessage | type[BaseException]:
    try:
        result: EncodedMessage = call()
    except (MM7Error, ValueError, TypeError) as exc:
        return type(exc)
    return result


def _same(cached: EncodedMessage, fresh: EncodedMessage) -> None:
    assert cached.to_bytes() == fresh.to_bytes()
    assert cached.envelope == fresh.envelope
    assert cached.headers == fresh.headers
    assert (cached.transaction_id, cached.operation, cached.version, cached.namespace) == (
        fresh.transaction_id,
        fresh.operation,
        fresh.version,
        fresh.namespace,
    )


@pytest.mark.parametrize("pair", PAIRS, ids=s.pair_id)
def test_cached_answers_equal_fresh_ones_and_validate(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @PROPERTY
    @given(
        message=s.messages(version, operation),
        revision=st.sampled_from(REVISIONS[version.release]),
        mm7_version=s.mm7_versions(version),
        ids=transaction_ids,
        status=statuses,
    )
    def run(
        message: Any, revision: str, mm7_version: str, ids: list[str], status: tuple[int, str | None]
    ) -> None:
        if hasattr(message, "mm7_version"):
            message = dataclasses.replace(message, mm7_version=mm7_version)
        sent = encode(message, transaction_id="request-1", namespace=revision)
        request = decode(sent.to_bytes(), sent.content_type, mode="tolerant")
        code, text = status
        messages._RESPONSE_TEMPLATES.clear()
        for transaction_id in ids:
            answered = dataclasses.replace(request, transaction_id=transaction_id)
            fresh = _outcome(lambda answered=answered: _fresh(answered, code, text))
            cached = _outcome(lambda answered=answered: encode_response(answered, code, text))
            if not isinstance(fresh, EncodedMessage):
                assert cached is fresh or (isinstance(cached, type) and issubclass(cached, LocalCodecError))
                continue
            assert isinstance(cached, EncodedMessage)
            _same(cached, fresh)
            # The answer validates against our schema (in our namespace: the wire revision's elements
            # renamed, as encode validates them), and reads back with the TransactionID intact.
            root = parse_xml(cached.envelope)
            if cached.namespace != version.namespace:
                root = messages._in_namespace(root, cached.namespace, version.namespace)
            assert schema_for(version).validate(root), schema_for(version).error_log
            back = decode(cached.to_bytes(), cached.content_type, mode="tolerant")
            assert (back.transaction_id, back.operation, back.namespace) == (
                transaction_id,
                RESPONSE_OF[operation],
                request.namespace,
            )
            assert back.valid
            assert back.message.status.status_code == code

    run()


def test_later_answers_come_from_the_template() -> None:
    request = decode(*_encoded_report())
    messages._RESPONSE_TEMPLATES.clear()
    first = encode_response(dataclasses.replace(request, transaction_id="a-1"))
    assert len(messages._RESPONSE_TEMPLATES) == 1
    (template,) = messages._RESPONSE_TEMPLATES.values()
    second = encode_response(dataclasses.replace(request, transaction_id="b&<2>"))
    assert second.envelope == template.head + b"b&amp;&lt;2&gt;" + template.tail
    assert first.envelope.replace(b">a-1<", b">b&amp;&lt;2&gt;<") == second.envelope
    # A TransactionID XML cannot carry is refused (full path), never filled into the template.
    with pytest.raises(LocalCodecError):
        encode_response(dataclasses.replace(request, transaction_id="bad\x01id"))
    with pytest.raises(MM7Error):
        encode_response(dataclasses.replace(request, transaction_id=" padded "))


def _encoded_report() -> tuple[bytes, str]:
    report = builders.delivery_report_request(
        message_id="m-1", recipient="15551230001", sender="12345", mm_status="Retrieved"
    )
    sent = encode(report, transaction_id="report-1")
    return sent.to_bytes(), sent.content_type
