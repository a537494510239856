"""The three contenders' encode/decode functions, over the same message content (see ``common``).

* mm7: the public API (``mm7.submit_request`` / ``mm7.encode(...).to_bytes()`` / ``mm7.decode``).
* zeep: ``Client.create_message`` on ``benchmarks/zeep_mm7.wsdl`` (our schema), validation with the same
  compiled XMLSchema, SwA wrapping with requests_toolbelt's MultipartEncoder; decoding splits the MIME
  body with toolbelt's MultipartDecoder, parses and validates with lxml and binds with zeep's xsd element.
* lxml: :mod:`benchmarks.lxml_baseline`, the hand-written floor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from lxml import etree

from benchmarks import lxml_baseline
from benchmarks.workloads.common import (
    CONTENT_ID,
    IMAGE_ID,
    INNER_BOUNDARY,
    MM7_NS,
    OUTER_BOUNDARY,
    REPORT,
    ROOT_CONTENT_ID,
    SMIL_ID,
    SOAP_ENV_NS,
    SUBMIT,
    TEXT,
    TEXT_ID,
    TRANSACTION_ID,
    WSDL_PATH,
    jpeg_like,
    schema,
    secure_parser,
)

CONTENDERS = ("mm7", "zeep", "lxml")

# ---------------------------------------------------------------------------------------------- mm7


def mm7_encode_submit() -> bytes:
    """As an application calls it: mm7 draws the MIME boundaries (no need to scan the payload for them)."""
    return mm7_encode_submit_wire().to_bytes()


def mm7_encode_submit_wire(boundary: str | None = None) -> Any:
    import mm7

    req = mm7.submit_request(**SUBMIT)
    image = mm7.Part.from_bytes(jpeg_like(), "image/jpeg", content_id=IMAGE_ID)
    text = mm7.Part.from_text(TEXT, content_id=TEXT_ID)
    smil = mm7.Part.from_bytes(_smil(), "application/smil", content_id=SMIL_ID)
    content = mm7.related_content([image, text], smil=smil)
    return mm7.encode(req, transaction_id=TRANSACTION_ID, content=content, boundary=boundary)


def mm7_encode_report() -> bytes:
    import mm7

    req = mm7.delivery_report_request(**REPORT)
    return mm7.encode(req, transaction_id=TRANSACTION_ID).to_bytes()


def mm7_decode(body: bytes, content_type: str) -> Any:
    import mm7

    decoded = mm7.decode(body, content_type)
    # Touch what an application reads: the fields and every part's bytes (the others read them all too).
    _ = [part.read_bytes() for part in all_media(decoded)]
    return decoded


def all_media(decoded: Any) -> list[Any]:
    """The content's leaf parts: the media and the SMIL presentation (``media_parts()`` leaves it out)."""
    smil = decoded.smil()
    return [*decoded.media_parts(), *([smil] if smil is not None else [])]


# --------------------------------------------------------------------------------------------- zeep

_MU = {"{%s}mustUnderstand" % SOAP_ENV_NS: "1"}


@cache
def zeep_client() -> Any:
    import zeep

    return zeep.Client(str(WSDL_PATH))


def _zeep_header(client: Any) -> Any:
    return client.get_element("{%s}TransactionID" % MM7_NS)(TRANSACTION_ID, _attr_1=_MU)


def _zeep_valid_bytes(envelope: etree._Element) -> bytes:
    if not schema().validate(envelope):
        raise ValueError(str(schema().error_log))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def zeep_encode_submit() -> bytes:
    from requests_toolbelt import MultipartEncoder

    client = zeep_client()
    envelope = client.create_message(
        client.service,
        "SubmitReq",
        MM7Version=SUBMIT["mm7_version"],
        SenderIdentification={
            "VASPID": SUBMIT["vasp_id"],
            "VASID": SUBMIT["vas_id"],
            "SenderAddress": {"ShortCode": {"_value_1": SUBMIT["sender"], "displayOnly": False}},
        },
        Recipients={
            "_value_1": [{"To": {"_value_1": [{"Number": {"_value_1": SUBMIT["to"], "displayOnly": False}}]}}]
        },
        DeliveryReport=SUBMIT["delivery_report"],
        Subject=SUBMIT["subject"],
        Content={"href": f"cid:{CONTENT_ID}", "allowAdaptations": True},
        _soapheaders=[_zeep_header(client)],
    )
    xml = _zeep_valid_bytes(envelope)
    inner = MultipartEncoder(
        fields=[
            ("smil", (None, _smil(), "application/smil", {"Content-ID": f"<{SMIL_ID}>"})),
            ("image", (None, jpeg_like(), "image/jpeg", {"Content-ID": f"<{IMAGE_ID}>"})),
            ("text", (None, TEXT.encode(), "text/plain; charset=utf-8", {"Content-ID": f"<{TEXT_ID}>"})),
        ],
        boundary=INNER_BOUNDARY,
    )
    inner_type = (
        f'multipart/related; type="application/smil"; start="<{SMIL_ID}>"; boundary="{INNER_BOUNDARY}"'
    )
    outer = MultipartEncoder(
        fields=[
            ("soap", (None, xml, "text/xml; charset=utf-8", {"Content-ID": f"<{ROOT_CONTENT_ID}>"})),
            ("content", (None, inner.to_string(), inner_type, {"Content-ID": f"<{CONTENT_ID}>"})),
        ],
        boundary=OUTER_BOUNDARY,
    )
    return outer.to_string()


def zeep_encode_report() -> bytes:
    client = zeep_client()
    envelope = client.create_message(
        client.service,
        "DeliveryReportReq",
        MM7Version=REPORT["mm7_version"],
        MessageID=REPORT["message_id"],
        Recipient={"Number": {"_value_1": REPORT["recipient"], "displayOnly": False}},
        Sender={"ShortCode": {"_value_1": REPORT["sender"], "displayOnly": False}},
        Date=REPORT["date"],
        MMStatus=REPORT["mm_status"],
        StatusText=REPORT["status_text"],
        _soapheaders=[_zeep_header(client)],
    )
    return _zeep_valid_bytes(envelope)


_ZEEP_PARSER = secure_parser()


def zeep_decode(body: bytes, content_type: str) -> dict[str, Any]:
    from requests_toolbelt import MultipartDecoder

    client = zeep_client()
    by_id: dict[str, Any] = {}
    if content_type.lower().startswith("multipart/"):
        parts = MultipartDecoder(body, content_type).parts
        xml = parts[0].content
        by_id = {p.headers.get(b"Content-ID", b"").decode().strip("<>"): p for p in parts[1:]}
    else:
        xml = body
    root = etree.fromstring(xml, parser=_ZEEP_PARSER)
    if not schema().validate(root):
        raise ValueError(str(schema().error_log))
    header = root.find("{%s}Header" % SOAP_ENV_NS)
    transaction_id = header[0].text if header is not None and len(header) else None
    payload = root.find("{%s}Body" % SOAP_ENV_NS)[0]
    message = client.get_element(payload.tag).parse(payload, client.wsdl.types)
    attachments: dict[str, tuple[str, bytes]] = {}
    content = getattr(message, "Content", None)
    if content is not None:
        part = by_id[content.href[4:]]
        inner_type = part.headers.get(b"Content-Type", b"").decode()
        for inner in MultipartDecoder(part.content, inner_type).parts:
            cid = inner.headers.get(b"Content-ID", b"").decode().strip("<>")
            attachments[cid] = (inner.headers.get(b"Content-Type", b"").decode(), inner.content)
    return {"message": message, "transaction_id": transaction_id, "attachments": attachments}


# --------------------------------------------------------------------------------------------- lxml


def lxml_encode_submit() -> bytes:
    return lxml_baseline.encode_submit(jpeg_like(), TEXT, _smil(), TRANSACTION_ID)[0]


def lxml_encode_report() -> bytes:
    return lxml_baseline.encode_report(TRANSACTION_ID)[0]


def lxml_decode(body: bytes, content_type: str) -> dict[str, Any]:
    return lxml_baseline.decode(body, content_type)


# ------------------------------------------------------------------------------------------- tables


def _smil() -> bytes:
    from benchmarks.workloads.common import smil_bytes

    return smil_bytes()


ENCODE_SUBMIT: dict[str, Callable[[], bytes]] = {
    "mm7": mm7_encode_submit,
    "zeep": zeep_encode_submit,
    "lxml": lxml_encode_submit,
}
ENCODE_REPORT: dict[str, Callable[[], bytes]] = {
    "mm7": mm7_encode_report,
    "zeep": zeep_encode_report,
    "lxml": lxml_encode_report,
}
DECODE: dict[str, Callable[[bytes, str], Any]] = {"mm7": mm7_decode, "zeep": zeep_decode, "lxml": lxml_decode}


@cache
def received(kind: str) -> tuple[bytes, str]:
    """The wire form every decoder reads: what mm7 sends (same bytes for every contender)."""
    import mm7

    if kind == "submit":
        wire = mm7_encode_submit_wire(OUTER_BOUNDARY)
    else:
        wire = mm7.encode(mm7.delivery_report_request(**REPORT), transaction_id=TRANSACTION_ID)
    return wire.to_bytes(), wire.content_type


def check_equivalence() -> list[str]:
    """Check that the contenders do the same work: each encoder's output decodes (strictly, by mm7) to the
    same fields and media, and each decoder reads the same fields and media from mm7's bytes.
    Returns notes; raises AssertionError on a mismatch."""
    import mm7

    notes = []
    for kind, encoders in (("submit", ENCODE_SUBMIT), ("report", ENCODE_REPORT)):
        ref_body, ref_type = received(kind)
        reference = mm7.decode(ref_body, ref_type)
        ref_media = sorted((p.content_id, p.read_bytes()) for p in all_media(reference))
        for name, encoder in encoders.items():
            if name == "mm7" and kind == "submit":
                wire = mm7_encode_submit_wire()  # the timed call: boundaries of mm7's choosing
                body, content_type = wire.to_bytes(), wire.content_type
            else:
                body = encoder()
                content_type = ref_type if name == "mm7" else _content_type_for(name, kind)
            decoded = mm7.decode(body, content_type)
            assert decoded.message == reference.message, f"{name} {kind}: fields differ"
            media = sorted((p.content_id, p.read_bytes()) for p in all_media(decoded))
            assert media == ref_media, f"{name} {kind}: media differ"
            notes.append(f"{name} encode {kind}: {len(body)} bytes, decodes strictly to the same message")
        for name, decoder in DECODE.items():
            result = decoder(ref_body, ref_type)
            if name == "mm7":
                continue
            media = sorted((cid, data) for cid, (_t, data) in result["attachments"].items())
            assert media == ref_media, f"{name} decode {kind}: media differ"
            assert result["transaction_id"] == TRANSACTION_ID
    return notes


def _content_type_for(name: str, kind: str) -> str:
    if kind == "report":
        return "text/xml; charset=utf-8"
    return f'multipart/related; type="text/xml"; start="<{ROOT_CONTENT_ID}>"; boundary="{OUTER_BOUNDARY}"'
