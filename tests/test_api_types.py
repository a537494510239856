"""The typed public API: no ``Any`` in what ``mm7`` exports, errors that say whose fault it is.

* Every signature and field annotation of what ``mm7.__all__`` names is free of ``Any``.
* ``mypy --strict --disallow-any-expr`` on a user's snippet that uses the public API finds nothing.
* A caller's mistake is a :class:`mm7.LocalError`, what a peer sent a :class:`mm7.RemoteError`.
* Wrong-typed arguments to every public function give an ``MM7Error`` or a ``TypeError``, nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mm7_bindings import rel5_mm7_1_3 as rel5
from mm7_bindings import rel6_mm7_1_4 as rel6

import mm7
from mm7.codec import message_types
from mm7.codec.versions import REL5, REL6

ROOT = Path(__file__).resolve().parent.parent
ANY = re.compile(r"\bAny\b")


def _annotations_of(obj: object) -> list[tuple[str, str]]:
    """(where, annotation text) for a function's parameters and return, or a class's fields and methods."""
    found: list[tuple[str, str]] = []
    if inspect.isclass(obj):
        for name, value in vars(obj).items():
            if name.startswith("_") and name != "__init__":
                continue
            target = value.fget if isinstance(value, property) else value
            if isinstance(target, classmethod | staticmethod):
                target = target.__func__
            if inspect.isfunction(target):
                found += [(f".{name}{where}", text) for where, text in _annotations_of(target)]
        for name, text in getattr(obj, "__annotations__", {}).items():
            found.append((f"{obj.__name__}.{name}", str(text)))
    elif callable(obj):
        signature = inspect.signature(obj)
        for parameter in signature.parameters.values():
            if parameter.annotation is not inspect.Parameter.empty:
                found.append((f"({parameter.name})", str(parameter.annotation)))
        if signature.return_annotation is not inspect.Signature.empty:
            found.append(("(return)", str(signature.return_annotation)))
    return found


def test_no_any_in_the_public_signatures() -> None:
    offenders = [
        f"{name}{where}: {text}"
        for name in mm7.__all__
        if name != "__version__"
        for where, text in _annotations_of(getattr(mm7, name))
        if ANY.search(text)
    ]
    assert offenders == []


def test_the_message_aliases_name_every_operation_of_both_versions() -> None:
    """MM7Message is exactly the generated classes of every operation we ship (drift fails here)."""
    expected = {
        cls
        for version in (REL5, REL6)
        for operation, cls in version.element_classes.items()
        if operation in version.operations
    }
    assert set(message_types.MM7Message.__args__) == expected


USER_SNIPPET = """
from mm7_bindings import rel6_mm7_1_4 as rel6

import mm7


def build(number: str, image: bytes) -> bytes:
    request = mm7.submit_request(to=number, vasp_id="KEY", vas_id="12345mms", sender="12345", subject="Hi")
    request.priority = None
    wire = mm7.encode(request, content=[mm7.Part.from_bytes(image, "image/png"), mm7.Part.from_text("Hi")])
    headers: dict[str, str] = wire.headers
    return wire.to_bytes() + str(len(headers)).encode()


def read(body: bytes, content_type: str) -> str | None:
    received = mm7.decode(body, content_type, mode="tolerant")
    for part in received.media_parts():
        print(part.media_type, part.size)
    smil = received.smil()
    if smil is not None:
        print(smil.content_id)
    message = received.message
    if isinstance(message, rel6.DeliveryReportReq):
        return message.message_id
    answer = mm7.response_for(received, 1000)
    print(type(answer).__name__, received.deviations, received.valid)
    return None


def by_hand() -> mm7.EncodedMessage:
    request = rel6.SubmitReq(
        mm7_version="6.8.0",
        sender_identification=rel6.SenderIdType(vasp_id="KEY", vas_id="12345mms"),
        recipients=rel6.RecipientsType(to=[rel6.MultiAddressType(number=[rel6.AddressType(value="15551234567")])]),
    )
    return mm7.encode(request, content=mm7.Part.from_text("hello"))


def handle(error: mm7.MM7Error) -> str:
    if isinstance(error, mm7.LocalError):
        return "fix the call: " + error.message
    if isinstance(error, mm7.RemoteError):
        return "the peer: " + error.message
    return str(error)


def send(client: mm7.MM7Client) -> str | None:
    result = client.submit(mm7.submit_request(to="15551234567"), content=[mm7.Part.from_text("hi")])
    return result.message_id


def sinch() -> str | None:
    with mm7.MM7Client.for_sinch(api_key="KEY", short_code="12345", endpoint="http://127.0.0.1:9/") as client:
        request = client.sinch.submit_request("15551234567", subject="Hello")
        answer = client.send(request, mm7.Part.from_text("hi"))
        cancelled = client.cancel("m-1")
        print(answer.status_code, cancelled.is_error)
        return client.submit(request, content=[mm7.Part.from_text("hi")]).message_id
"""


def test_mypy_finds_no_any_in_a_users_snippet(tmp_path: Path) -> None:
    """``mypy --strict --disallow-any-expr`` on code written against the public API, as a user would."""
    snippet = tmp_path / "user_code.py"
    snippet.write_text(textwrap.dedent(USER_SNIPPET))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--disallow-any-expr",
            "--no-incremental",
            "--follow-imports=silent",
            "--python-version",
            "3.11",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=280,
    )
    assert run.returncode == 0, run.stdout + run.stderr


# ------------------------------------------------------------------------------------------ whose fault


def _request() -> rel6.SubmitReq:
    request = mm7.submit_request(to="15551234567", vasp_id="KEY", sender="12345")
    assert isinstance(request, rel6.SubmitReq)
    return request


def test_response_for_a_response_is_the_callers_mistake() -> None:
    response = mm7.response_for(_request(), 1000, message_id="m-1")
    with pytest.raises(mm7.LocalCodecError, match="SubmitRsp is not a request") as caught:
        mm7.response_for(response)  # type: ignore[arg-type]
    assert not isinstance(caught.value, mm7.RemoteError)


def test_a_response_for_a_received_response_is_still_the_callers_mistake() -> None:
    wire = mm7.encode(mm7.response_for(_request(), 1000, message_id="m-1"))
    received = mm7.decode(wire.to_bytes(), wire.content_type)
    with pytest.raises(mm7.LocalError):
        mm7.response_for(received)


def test_encoding_something_that_is_not_a_message_is_local() -> None:
    with pytest.raises(mm7.LocalCodecError, match="not a generated MM7 message"):
        mm7.encode(object())  # type: ignore[arg-type]
    with pytest.raises(mm7.LocalCodecError):
        mm7.encode(rel6.StatusType(status_code=1000))  # type: ignore[arg-type]


def test_encode_takes_a_list_of_parts_like_the_client() -> None:
    parts = [mm7.Part.from_bytes(b"\x89PNG....", "image/png"), mm7.Part.from_text("Hello")]
    wire = mm7.encode(_request(), content=parts)
    received = mm7.decode(wire.to_bytes(), wire.content_type)
    assert [p.media_type for p in received.media_parts()] == ["image/png", "text/plain"]
    smil = received.smil()
    assert smil is not None and smil.media_type == "application/smil"
    assert received.content is not None and received.content.start == smil.content_id
    with pytest.raises(TypeError, match="Part"):
        mm7.encode(_request(), content=["not a part"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        mm7.encode(_request(), content=b"raw bytes")  # type: ignore[arg-type]


def test_a_part_list_and_related_content_give_the_same_message() -> None:
    parts = [mm7.Part.from_text("Hello")]
    by_list = mm7.encode(_request(), content=parts, transaction_id="t-1")
    by_related = mm7.encode(_request(), content=mm7.related_content(parts), transaction_id="t-1")
    assert by_list.envelope == by_related.envelope
    got = [mm7.decode(wire.to_bytes(), wire.content_type) for wire in (by_list, by_related)]
    smil = [decoded.smil() for decoded in got]
    assert smil[0] is not None and smil[1] is not None and smil[0].read_bytes() == smil[1].read_bytes()
    assert [[p.read_bytes() for p in decoded.media_parts()] for decoded in got] == [[b"Hello"]] * 2


def test_bad_framing_asked_by_the_caller_is_local() -> None:
    with pytest.raises(mm7.LocalError):
        mm7.encode(_request(), content=mm7.Part.from_text("x"), boundary="no\r\nnewlines")
    with pytest.raises(mm7.LocalError):
        mm7.encode(_request(), content=mm7.Part.from_text("x"), namespace="urn:not-a-revision")
    with pytest.raises(mm7.LocalError):
        mm7.submit_request(to="15551234567", mm7_version="9.9.9")
    with pytest.raises(mm7.LocalError, match="mm_status"):
        mm7.delivery_report_request(message_id="m", recipient="1555", sender="123", mm_status="Sent")


def test_what_a_peer_sent_is_remote() -> None:
    with pytest.raises(mm7.RemoteError) as caught:
        mm7.decode(b"<not-xml", "text/xml")
    assert not isinstance(caught.value, mm7.LocalError)


def test_storage_errors_are_neither_codec_nor_peer_errors() -> None:
    from mm7.inbox import InboxError

    assert not issubclass(InboxError, mm7.CodecError | mm7.LocalError | mm7.RemoteError)
    assert not issubclass(mm7.TransportError, mm7.LocalError | mm7.RemoteError)
    assert issubclass(mm7.ConfigError, mm7.LocalError)
    assert issubclass(mm7.MM7StatusError, mm7.RemoteError)


# ------------------------------------------------------------------------------------------ decode


def test_decode_without_a_content_type_reads_what_the_body_is() -> None:
    wire = mm7.encode(_request(), content=[mm7.Part.from_text("Hello")])
    sniffed = mm7.decode(wire.to_bytes(), mode="tolerant")
    told = mm7.decode(wire.to_bytes(), wire.content_type)
    assert sniffed.operation == told.operation == "SubmitReq" and told.deviations == []
    assert [p.read_bytes() for p in sniffed.media_parts()] == [b"Hello"]
    assert [(d.kind, d.path) for d in sniffed.deviations] == [("mime-framing", "MIME")]
    assert "multipart/related" in sniffed.deviations[0].reason
    bare = mm7.encode(mm7.response_for(_request(), 1000, message_id="m-1"))
    assert mm7.decode(bare.to_bytes(), mode="tolerant").operation == "SubmitRsp"


def test_strict_decode_without_a_content_type_says_what_to_pass() -> None:
    wire = mm7.encode(_request(), content=[mm7.Part.from_text("Hello")])
    with pytest.raises(mm7.RemoteValidationError, match="pass content_type="):
        mm7.decode(wire.to_bytes())


def test_decode_argument_order_is_the_same_at_every_level() -> None:
    from mm7.codec import decoding, messages, mime

    for function in (mm7.decode, messages.decode, decoding.decode, mime.decode):
        assert list(inspect.signature(function).parameters)[:2] == ["body", "content_type"], function


# ------------------------------------------------------------------------------------------ wrong types

WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just(object()),
    st.just(mm7.Part.from_text("x")),
    st.just(REL6),
    st.builds(dict),
)


def _valid_arguments() -> dict[str, dict[str, object]]:
    request = _request()
    wire = mm7.encode(request, content=[mm7.Part.from_text("Hello")])
    received = mm7.decode(wire.to_bytes(), wire.content_type)
    text = mm7.Part.from_text("hi")
    return {
        "decode": {"body": wire.to_bytes(), "content_type": wire.content_type, "mode": "tolerant"},
        "deliver_request": {"sender": "15551230000", "to": "12345"},
        "delivery_report_request": {
            "message_id": "m-1",
            "recipient": "15551230000",
            "sender": "12345",
            "mm_status": "Retrieved",
        },
        "encode": {"message": request, "content": text, "transaction_id": "t-1"},
        "encode_error": {"status_code": 2007, "transaction_id": "t-1"},
        "generate_smil": {"parts": [text]},
        "mixed_content": {"parts": [text]},
        "new_transaction_id": {},
        "register_schema": {"package": REL6.package, "xsd": REL6.xsd_path},  # ours: the built-in back
        "related_content": {"parts": [text]},
        "response_for": {"request": received, "status_code": 1000, "message_id": "m-1"},
        "submit_request": {"to": "15551234567", "vasp_id": "KEY"},
        "Part": {"content_type": "text/plain", "data": b"x"},
        "Limits": {"max_body_size": 10},
        "XMLLimits": {"max_size": 10},
    }


VALID = _valid_arguments()


def test_every_public_function_is_covered() -> None:
    functions = {n for n in mm7.__all__ if inspect.isfunction(getattr(mm7, n))}
    assert functions <= set(VALID), functions - set(VALID)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_arguments_work(name: str) -> None:
    target: Callable[..., object] = getattr(mm7, name)
    target(**VALID[name])


@pytest.mark.parametrize("name", sorted(VALID))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_wrong_types_give_typed_errors(name: str, data: st.DataObject) -> None:
    target: Callable[..., object] = getattr(mm7, name)
    arguments = dict(VALID[name])
    names = [p for p in inspect.signature(target).parameters if p not in ("fields",)]
    if not names:
        return
    for parameter in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
        arguments[parameter] = data.draw(WRONG, label=parameter)
    with contextlib.suppress(mm7.MM7Error, TypeError):  # anything else fails the test
        target(**arguments)


def test_exported_classes_present_themselves_as_public() -> None:
    for name in mm7.__all__:
        value = getattr(mm7, name)
        if isinstance(value, type):
            module = value.__module__
            assert not any(part.startswith("_") for part in module.split(".")), (name, module)
            assert getattr(sys.modules[module], name) is value, (name, module)


def test_the_generic_decoded_message_keeps_its_fields() -> None:
    fields = {f.name for f in dataclasses.fields(mm7.DecodedMessage)}
    assert {"operation", "message", "transaction_id", "deviations", "violations"} <= fields
    request = mm7.submit_request(to="15551234567", mm7_version="5.3.0")
    assert isinstance(request, rel5.SubmitReq) and isinstance(request, message_types.SubmitReq)


def test_the_client_takes_the_content_encode_takes() -> None:
    """A list of media parts is the same content through ``mm7.encode`` and ``MM7Client.submit``."""
    from mm7.client import FunctionTransport, HTTPRequest, HTTPResponse, MM7Client

    seen: list[mm7.DecodedMessage[mm7.MM7Message | None]] = []

    def relay(request: HTTPRequest) -> HTTPResponse:
        received = mm7.decode(b"".join(request.body), request.headers["Content-Type"])
        seen.append(received)
        answer = mm7.codec.messages.encode_response(received, 1000, message_id="m-1")
        return HTTPResponse(200, dict(answer.headers), answer.to_bytes())

    parts = [mm7.Part.from_bytes(b"\x89PNG....", "image/png"), mm7.Part.from_text("Hello")]
    with MM7Client("http://127.0.0.1:9/mm7", transport=FunctionTransport(relay)) as client:
        assert client.submit(_request(), content=parts).message_id == "m-1"
    direct = mm7.decode(mm7.encode(_request(), content=parts).to_bytes(), None, mode="tolerant")
    (through_client,) = seen
    for decoded in (through_client, direct):
        assert [p.read_bytes() for p in decoded.media_parts()] == [b"\x89PNG....", b"Hello"]
        assert decoded.smil() is not None


def test_a_value_xml_cannot_carry_is_the_callers_mistake() -> None:
    """lxml refuses control characters with a bare ValueError; in what the caller gave, that is local."""
    with pytest.raises(mm7.LocalCodecError, match="XML"):
        mm7.encode(_request(), transaction_id="\x1b")
    with pytest.raises(mm7.LocalCodecError, match="XML"):
        mm7.encode_error(2007, transaction_id="tid\x00")
    request = _request()
    request.subject = "bell \x07"
    with pytest.raises(mm7.LocalCodecError):
        mm7.encode(request)
