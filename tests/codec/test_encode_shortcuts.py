"""Shortcuts on encode's common route give what the general way gives.

* The send rules run, per message class and operation, only the rules that can find something in it
  (``_checks_for``): over every operation's received superset (messages that break rules included), the
  problems are those of every rule run in turn.
* A generated message is copied with another field value by setting its slots (``_slot_setters``), not
  through ``__init__``: the copy equals ``dataclasses.replace``'s, for every field of every operation.
* A message without Content is encoded with its reference written beside it (``write_envelope``'s
  ``content``), not set on a copy: the envelope is the copy's, byte for byte.
* ``submit_request`` builds its recipients and sender without a closure or kwargs dicts: the same objects
  as the generated classes built field by field, and the same first error for a wrong argument.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mm7.codec import builders
from mm7.codec.envelope import _content_layout, write_envelope
from mm7.codec.messages import _slot_setters, _with_field, encode
from mm7.codec.mime import Part
from mm7.codec.send_rules import _CHECKS, _checks_for, check_outgoing
from mm7.codec.smil import with_content_ids
from mm7.codec.versions import REL5, REL6, SchemaVersion
from mm7.errors import ValidationProblem
from tests.codec import strategies as s


def _every_rule(message: Any, version: SchemaVersion, *, in_fault: bool) -> list[ValidationProblem]:
    """The problems of :func:`check_outgoing` with every rule run, whatever the message's class."""
    operation = version.operation_of(message)
    base = ("/Envelope/Body/Fault/detail" if in_fault else "/Envelope/Body") + f"/{operation}"
    problems: list[ValidationProblem] = []

    def report(rule: str, path: str, reason: str) -> None:
        problems.append(
            ValidationProblem(path=f"{base}{path}", line=0, reason=f"{rule}: {reason}", kind="send-rule")
        )

    for check, _, _ in _CHECKS:
        check(message, operation, version, report)
    return problems


def _without_address_ids(problems: list[ValidationProblem]) -> list[ValidationProblem]:
    return [problem for problem in problems if not problem.reason.startswith("F19: ")]


@pytest.mark.parametrize(("version", "operation"), s.version_operations())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), in_fault=st.booleans())
def test_the_rules_run_for_a_class_find_what_every_rule_finds(
    version: SchemaVersion, operation: str, data: st.DataObject, in_fault: bool
) -> None:
    message = data.draw(s.messages(version, operation, received=True))
    found = _without_address_ids(check_outgoing(message, version, in_fault=in_fault))
    assert found == _every_rule(message, version, in_fault=in_fault)


@pytest.mark.parametrize(("version", "operation"), s.version_operations())
def test_a_rule_is_left_out_only_where_it_reads_nothing(version: SchemaVersion, operation: str) -> None:
    cls = type(s.sample_message(version, operation))
    names = {field.name for field in dataclasses.fields(cls)}
    kept = _checks_for(cls, operation)
    for check, attributes, operations in _CHECKS:
        if check in kept:
            continue
        assert (operations is not None and operation not in operations) or (
            attributes is not None and not names & set(attributes)
        )


class _Open:
    """Not a generated class: instances may carry any attribute, so every attribute rule is kept."""


def test_a_class_with_an_instance_dict_keeps_every_rule() -> None:
    assert _checks_for(_Open, "SubmitReq") == tuple(
        check for check, _, operations in _CHECKS if operations is None or "SubmitReq" in operations
    )


@pytest.mark.parametrize(("version", "operation"), s.version_operations())
def test_generated_messages_are_copied_slot_by_slot(version: SchemaVersion, operation: str) -> None:
    message = s.sample_message(version, operation, full=True)
    assert _slot_setters(type(message)) is not None  # the route below is the one taken
    for field in dataclasses.fields(message):
        value = getattr(message, field.name)
        copied = _with_field(message, field.name, None if value is not None else value)
        expected = dataclasses.replace(message, **{field.name: None if value is not None else value})
        assert copied == expected and copied is not message
        assert all(getattr(copied, f.name) is getattr(expected, f.name) for f in dataclasses.fields(message))


@dataclasses.dataclass
class _Plain:
    a: int
    b: int = 0

    def __post_init__(self) -> None:
        self.b = self.b * 2


def test_other_dataclasses_are_copied_through_init() -> None:
    assert _slot_setters(_Plain) is None
    assert _with_field(_Plain(1, 2), "a", 5) == dataclasses.replace(_Plain(1, 2), a=5)  # type: ignore[arg-type]


_VALUES = st.sampled_from(["15551234567", "+4915112345678", "12345", "a@b.example", "1234", ""])


@settings(max_examples=150, deadline=None)
@given(
    version=st.sampled_from([REL5, REL6]),
    to=st.lists(_VALUES, max_size=3),
    cc=st.lists(_VALUES, max_size=2),
    shown=st.lists(_VALUES, max_size=2),
    sender=st.none() | _VALUES,
    kind=st.sampled_from(["auto", "number", "short_code", "email"]),
)
def test_recipients_and_addresses_are_the_objects_built_field_by_field(
    version: SchemaVersion, to: list[str], cc: list[str], shown: list[str], sender: str | None, kind: Any
) -> None:
    bindings = version.bindings

    def multi(values: list[str]) -> Any:
        lists: dict[str, list[Any]] = {"number": [], "short_code": [], "rfc2822_address": []}
        for value in values:
            attrs: dict[str, Any] = {"value": value}
            if shown:
                attrs["display_only"] = value in shown
            lists[builders._FIELD_OF_KIND[builders._kind_of(value, kind)]].append(
                bindings.AddressType(**attrs)
            )
        return bindings.MultiAddressType(**{k: v for k, v in lists.items() if v})

    fields: dict[str, Any] = {}
    if to:
        fields["to"] = [multi(to)]
    if cc:
        fields["cc"] = [multi(cc)]
    made = builders.recipients(version, to, cc=cc, display_only=shown, kind=kind)
    assert made == bindings.RecipientsType(**fields)
    if sender is not None:
        field = builders._FIELD_OF_KIND[builders._kind_of(sender, kind)]
        expected = bindings.SenderAddressType(**{field: bindings.AddressType(value=sender)})
        assert builders.address(version, sender, kind=kind) == expected
        flagged = bindings.SenderAddressType(**{field: bindings.AddressType(value=sender, display_only=True)})
        assert builders.address(version, sender, kind=kind, display_only=True) == flagged


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"vasp_id": 1, "vas_id": 2}, "vasp_id"),
        ({"vas_id": 2, "sender": 3}, "vas_id"),
        ({"sender": 3, "subject": 4}, "sender"),
        ({"subject": 4, "delivery_report": "yes"}, "subject"),
    ],
)
def test_submit_request_names_the_first_wrong_argument(fields: dict[str, Any], named: str) -> None:
    with pytest.raises(TypeError, match=named):
        builders.submit_request(to="15551234567", **fields)


def _operations_with_content() -> list[tuple[SchemaVersion, str]]:
    return [
        (version, operation)
        for version, operation in s.version_operations()
        if "content" in {field.name for field in dataclasses.fields(version.binding_class(operation))}  # type: ignore[arg-type]
    ]


def test_every_message_with_content_gets_it_without_a_copy() -> None:
    assert (
        len(_operations_with_content()) == 7
    )  # SubmitReq, DeliverReq, ReplaceReq (and extended) per release
    for version, operation in _operations_with_content():
        cls = version.binding_class(operation)
        assert _content_layout(cls, version.bindings.ContentReferenceType) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(("version", "operation"), _operations_with_content())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), href=st.sampled_from(["cid:mm7-content", "cid:a&b<c>\"'", "cid:\u00e9"]))
def test_content_written_beside_the_message_is_the_copy_written(
    version: SchemaVersion, operation: str, data: st.DataObject, href: str
) -> None:
    message = _with_field(data.draw(s.messages(version, operation)), "content", None)
    reference = version.bindings.ContentReferenceType(
        href=href, allow_adaptations=data.draw(st.none() | st.booleans())
    )
    copied = _with_field(message, "content", reference)
    beside = write_envelope(message, transaction_id="t-1", version=version, content=reference)
    assert beside == write_envelope(copied, transaction_id="t-1", version=version)
    part = Part.from_bytes(b"x", "image/jpeg")
    sent = encode(message, transaction_id="t-1", content=part, boundary="b1")
    referenced = _with_field(
        message, "content", version.bindings.ContentReferenceType(href="cid:mm7-content")
    )
    assert sent.envelope == encode(referenced, transaction_id="t-1", content=part, boundary="b1").envelope


def test_content_of_another_class_goes_the_copy_way() -> None:
    message = _with_field(s.sample_message(REL6, "SubmitReq"), "content", None)
    foreign = REL5.bindings.ContentReferenceType(href="cid:x")
    assert write_envelope(message, transaction_id="t", version=REL6, content=foreign) is None


@settings(max_examples=100, deadline=None)
@given(ids=st.lists(st.none() | st.sampled_from(["a", "b", "part1.jpg", "part2"]), max_size=4))
def test_parts_that_all_have_a_content_id_are_kept_as_they_are(ids: list[str | None]) -> None:
    parts = [Part.from_bytes(b"x", "image/jpeg", content_id=cid) for cid in ids]
    given_ids = with_content_ids(parts, reserved=["part1.jpg"])
    assert given_ids is not parts and len(given_ids) == len(parts)
    for before, after in zip(parts, given_ids, strict=True):
        assert after is before if before.content_id else after.content_id
    if all(cid for cid in ids):
        assert given_ids == parts
