"""zeep as an independent SOAP stack: it reads what we write, and we read what it writes.

Two test-only WSDLs (``tests/codec/wsdl/mm7-rel5.wsdl``, ``mm7-rel6.wsdl``) import our schemas and bind
every MM7 request as a document/literal operation answered by its Rsp, with the TransactionID as a SOAP
header. Nothing is mocked and no transport is used:

* zeep parses the envelopes :func:`mm7.codec.messages.encode` produces (``SoapMessage.deserialize`` on the
  request or response side, ``Soap11Binding.process_error`` for faults) and finds the same field values; its
  parsed value, rendered back by zeep and bound with our generated classes, equals the object we sent;
* we decode, in strict mode, the envelopes zeep serializes (``Client.create_message`` and
  ``SoapMessage.serialize``), and get the objects zeep was given.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.exceptions
from hypothesis import HealthCheck, given, settings
from lxml import etree

from mm7.codec import envelope as env
from mm7.codec.messages import RESPONSE_OF, decode, encode
from mm7.codec.mime import Part, encode_related
from mm7.codec.versions import REL5, REL6, SOAP_ENV_NS, SchemaVersion
from tests.codec import strategies as s

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"
WSDL = {REL5.key: WSDL_DIR / "mm7-rel5.wsdl", REL6.key: WSDL_DIR / "mm7-rel6.wsdl"}
REQUESTS = s.version_operations(requests_only=True)
RESPONSES = [(v, RESPONSE_OF[op]) for v, op in REQUESTS]


@cache
def client(version: SchemaVersion) -> zeep.Client:
    # A local file path: zeep reads the WSDL and the imported XSDs from disk, never the network.
    return zeep.Client(str(WSDL[version.key]))


def binding(version: SchemaVersion) -> Any:
    (only,) = client(version).wsdl.bindings.values()
    return only


def zeep_operation(version: SchemaVersion, operation: str) -> tuple[Any, str]:
    """The zeep operation whose input or output is ``operation``, and which side it is on."""
    request = next((req for req, rsp in RESPONSE_OF.items() if operation in (req, rsp)), None)
    assert request is not None, operation
    return binding(version)._operations[request[:-3]], "input" if operation == request else "output"


def our_object_from_zeep(version: SchemaVersion, operation: str, value: Any) -> Any:
    """Render a zeep value with zeep, then bind the XML with our generated class."""
    element = client(version).get_element(f"{{{version.namespace}}}{operation}")
    holder = etree.Element("holder")
    element.render(holder, value)
    (rendered,) = holder
    return env.object_from_element(rendered, version.binding_class(operation))


# Complex types whose children and attributes are all optional, and one value to keep each non-empty.
_NEVER_EMPTY = {"sender_identification": ("vasp_id", "vasp"), "ua_capabilities": ("ua_prof", "ua"),
                "reply_charging": ("reply_charging_size", 1)}  # fmt: skip


def zeep_friendly(message: Any) -> Any:
    """Avoid two zeep limitations so that the comparison is about values.

    zeep reads an empty element of an all-optional complex type (``<UACapabilities/>``) as absent, then drops
    it, or refuses to render it when mandatory: such elements are kept non-empty. zeep drops the text of the
    mixed-content Details element: Details is left out.
    """
    for name, (child, value) in _NEVER_EMPTY.items():
        element = getattr(message, name, None)
        if element is not None and all(getattr(element, f) is None for f in element.__slots__):
            setattr(element, child, value)
    status = getattr(message, "status", None)
    if status is not None:
        # Details is mixed content (text and any elements); zeep keeps the elements and drops the text.
        status.details = None
    return message


def _body_entry(root: etree._Element) -> etree._Element:
    return root.find(f"{{{SOAP_ENV_NS}}}Body")[0]  # type: ignore[index]


# ----------------------------------------------------------------------------------- zeep reads ours


def _zeep_reads(version: SchemaVersion, operation: str, message: Any) -> None:
    encoded = encode(message, transaction_id="tx-to-zeep")
    root = etree.fromstring(encoded.envelope)
    op, side = zeep_operation(version, operation)
    result = getattr(op, side).deserialize(root)
    assert result.header.TransactionID["_value_1"] == "tx-to-zeep"
    body = result.body
    value = body[next(iter(body))] if not hasattr(body, "MM7Version") else body
    assert value.MM7Version == message.mm7_version
    assert our_object_from_zeep(version, operation, value) == message


@pytest.mark.parametrize("pair", REQUESTS + RESPONSES, ids=s.pair_id)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_zeep_reads_our_envelopes(pair: tuple[SchemaVersion, str], full: bool) -> None:
    version, operation = pair
    _zeep_reads(version, operation, s.sample_message(version, operation, full=full))


@pytest.mark.parametrize("pair", REQUESTS + RESPONSES, ids=s.pair_id)
def test_zeep_reads_our_random_envelopes(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message=s.messages(version, operation).map(zeep_friendly))
    def run(message: Any) -> None:
        _zeep_reads(version, operation, message)

    run()


def test_zeep_sees_the_field_values_of_a_sinch_submit() -> None:
    message = s.sample_message(REL6, "SubmitReq", full=True)
    message.subject = "My first MM7 Message"
    message.content = REL6.bindings.ContentReferenceType(href="cid:generic", allow_adaptations=False)

    encoded = encode(message, transaction_id="1000001", content=None, attachments=[
        Part.from_bytes(b"smil", "application/smil", content_id="generic")
    ])  # fmt: skip
    op, _ = zeep_operation(REL6, "SubmitReq")
    result = op.input.deserialize(etree.fromstring(encoded.envelope))
    body = result.body
    submit = body[next(iter(body))] if not hasattr(body, "MM7Version") else body
    assert submit.MM7Version == "6.8.0"
    assert submit.SenderIdentification.VASPID == "vasp-1"
    assert submit.SenderIdentification.SenderAddress.ShortCode["_value_1"] == "111122"
    (to,) = submit.Recipients["_value_1"]
    assert to["To"]["_value_1"][0]["Number"]["_value_1"] == "16172383232"
    assert submit.Subject == "My first MM7 Message"
    assert submit.ApplicID == "app-1"
    assert submit.Content.href == "cid:generic"
    assert submit.Content.allowAdaptations is False


@pytest.mark.parametrize("version", [REL5, REL6], ids=lambda v: v.key)
@pytest.mark.parametrize("operation", ["RSErrorRsp", "VASPErrorRsp"])
def test_zeep_reads_our_faults(version: SchemaVersion, operation: str) -> None:
    message = s.sample_message(version, operation)
    message.status.details = version.bindings.StatusDetailsType(content=["see the manual"])
    encoded = encode(message, transaction_id="tx-fault", fault=env.Fault("Client", "bad request"))
    with pytest.raises(zeep.exceptions.Fault) as info:
        binding(version).process_error(etree.fromstring(encoded.envelope), None)
    fault = info.value
    assert fault.message == "bad request"
    assert fault.code == "env:Client"
    (detail,) = fault.detail
    value = (
        client(version)
        .get_element(f"{{{version.namespace}}}{operation}")
        .parse(detail, client(version).wsdl.types)
    )
    assert value.MM7Version == version.default_mm7_version
    assert value.Status.StatusCode == message.status.status_code
    assert value.Status.StatusText == message.status.status_text
    assert (
        detail.findtext(f"{{{version.namespace}}}Status/{{{version.namespace}}}Details") == "see the manual"
    )
    assert our_object_from_zeep(version, operation, value) == zeep_friendly(message)


# ----------------------------------------------------------------------------------- we read zeep's


def _zeep_kwargs(version: SchemaVersion, operation: str, message: Any) -> dict[str, Any]:
    """The keyword arguments zeep wants for ``message``: zeep's own reading of our XML of it."""
    element = client(version).get_element(f"{{{version.namespace}}}{operation}")
    body = _body_entry(env.build_envelope(message, transaction_id="x", version=version))
    value = element.parse(body, client(version).wsdl.types)
    return {name: value[name] for name in value}


def _we_read(version: SchemaVersion, operation: str, message: Any) -> None:
    op, side = zeep_operation(version, operation)
    kwargs = _zeep_kwargs(version, operation, message)
    headers = {"TransactionID": {"_value_1": "tx-from-zeep"}}
    if side == "input":
        root = client(version).create_message(
            client(version).service, op.name, _soapheaders=headers, **kwargs
        )
    else:
        root = op.output.serialize(_soapheaders=headers, **kwargs).content
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert b"ns0:" in xml or b"xmlns=" in xml  # zeep's own prefixes, not ours
    decoded = decode(xml, "text/xml; charset=utf-8", mode="strict")
    assert decoded.operation == operation
    assert decoded.transaction_id == "tx-from-zeep"
    assert decoded.version is version
    assert decoded.deviations == []
    assert decoded.message == message


@pytest.mark.parametrize("pair", REQUESTS + RESPONSES, ids=s.pair_id)
@pytest.mark.parametrize("full", [False, True], ids=["minimal", "full"])
def test_we_decode_what_zeep_serializes(pair: tuple[SchemaVersion, str], full: bool) -> None:
    version, operation = pair
    _we_read(version, operation, s.sample_message(version, operation, full=full))


@pytest.mark.parametrize("pair", REQUESTS, ids=s.pair_id)
def test_we_decode_random_messages_zeep_serializes(pair: tuple[SchemaVersion, str]) -> None:
    version, operation = pair

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message=s.messages(version, operation).map(zeep_friendly))
    def run(message: Any) -> None:
        _we_read(version, operation, message)

    run()


def test_we_decode_a_sinch_submit_built_by_zeep_from_keywords() -> None:
    c = client(REL6)
    root = c.create_message(
        c.service,
        "Submit",
        _soapheaders={"TransactionID": {"_value_1": "1000001"}},
        MM7Version="6.8.0",
        SenderIdentification={
            "VASPID": "skfdjslkjfdslkfj434das",
            "VASID": "126273",
            "SenderAddress": {"ShortCode": {"_value_1": "111122"}},
        },
        Recipients={"_value_1": [{"To": {"_value_1": [{"Number": {"_value_1": "16172383232"}}]}}]},
        Subject="My first MM7 Message",
        Content={"href": "cid:generic", "allowAdaptations": False},
    )
    xml = etree.tostring(root)
    # Content href="cid:generic" names no part in a bare text/xml body; give zeep's envelope its part.

    body = encode_related(xml, [Part.from_bytes(b"<smil/>", "application/smil", content_id="generic")])
    decoded = decode(body.to_bytes(), body.content_type, mode="strict")
    submit = decoded.message
    assert decoded.transaction_id == "1000001"
    assert submit.sender_identification.vasp_id == "skfdjslkjfdslkfj434das"
    assert submit.sender_identification.vas_id == "126273"
    assert submit.sender_identification.sender_address.short_code.value == "111122"
    assert submit.recipients.to[0].number[0].value == "16172383232"
    assert submit.subject == "My first MM7 Message"
    assert submit.content.allow_adaptations is False
    assert decoded.content is not None and decoded.content.read_bytes() == b"<smil/>"
