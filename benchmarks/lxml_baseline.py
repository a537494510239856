"""Hand-written lxml contender: the practical floor for a validated MM7 codec in Python.

It builds the envelope directly with lxml, validates it with the same compiled schema mm7 uses, serializes
it and wraps it in SwA MIME by plain byte concatenation; decoding splits the MIME body at its boundaries,
parses the SOAP part with a hardened parser, validates it and reads the fields into dicts. No object
binding, no deviation checks, no limits beyond the parser's: what is left is the unavoidable work.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from benchmarks.workloads.common import (
    CONTENT_ID,
    DATE_TEXT,
    IMAGE_ID,
    INNER_BOUNDARY,
    MM7_NS,
    OUTER_BOUNDARY,
    REPORT,
    ROOT_CONTENT_ID,
    SMIL_ID,
    SOAP_ENV_NS,
    SUBMIT,
    TEXT_ID,
    boundary_of,
    schema,
    secure_parser,
)

_M = "{%s}" % MM7_NS
_E = "{%s}" % SOAP_ENV_NS
_NSMAP = {"env": SOAP_ENV_NS, "mm7": MM7_NS}
_PARSER = secure_parser()
CRLF = b"\r\n"


class ValidationFailed(Exception):
    pass


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, _M + name, attrib)
    if text is not None:
        element.text = text
    return element


def _envelope(transaction_id: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_E + "Envelope", nsmap=_NSMAP)
    header = etree.SubElement(root, _E + "Header")
    tid = etree.SubElement(header, _M + "TransactionID", {_E + "mustUnderstand": "1"})
    tid.text = transaction_id
    return root, etree.SubElement(root, _E + "Body")


def _serialize_valid(root: etree._Element) -> bytes:
    if not schema().validate(root):
        raise ValidationFailed(str(schema().error_log))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def submit_envelope(transaction_id: str) -> bytes:
    root, body = _envelope(transaction_id)
    req = _sub(body, "SubmitReq")
    _sub(req, "MM7Version", SUBMIT["mm7_version"])
    ident = _sub(req, "SenderIdentification")
    _sub(ident, "VASPID", SUBMIT["vasp_id"])
    _sub(ident, "VASID", SUBMIT["vas_id"])
    _sub(_sub(ident, "SenderAddress"), "ShortCode", SUBMIT["sender"], displayOnly="false")
    _sub(_sub(_sub(req, "Recipients"), "To"), "Number", SUBMIT["to"], displayOnly="false")
    _sub(req, "DeliveryReport", "true")
    _sub(req, "Subject", SUBMIT["subject"])
    _sub(req, "Content", href=f"cid:{CONTENT_ID}", allowAdaptations="true")
    return _serialize_valid(root)


def report_envelope(transaction_id: str) -> bytes:
    root, body = _envelope(transaction_id)
    req = _sub(body, "DeliveryReportReq")
    _sub(req, "MM7Version", REPORT["mm7_version"])
    _sub(req, "MessageID", REPORT["message_id"])
    _sub(_sub(req, "Recipient"), "Number", REPORT["recipient"], displayOnly="false")
    _sub(_sub(req, "Sender"), "ShortCode", REPORT["sender"], displayOnly="false")
    _sub(req, "Date", DATE_TEXT)
    _sub(req, "MMStatus", REPORT["mm_status"])
    _sub(req, "StatusText", REPORT["status_text"])
    return _serialize_valid(root)


def _part(headers: list[tuple[str, str]], payload: bytes) -> list[bytes]:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return [head.encode(), CRLF, payload]


def _multipart(boundary: str, parts: list[list[bytes]]) -> list[bytes]:
    delimiter = b"--" + boundary.encode()
    out: list[bytes] = []
    for part in parts:
        out += [delimiter, CRLF, *part, CRLF]
    out += [delimiter, b"--", CRLF]
    return out


def encode_submit(image: bytes, text: str, smil: bytes, transaction_id: str) -> tuple[bytes, str]:
    """SubmitReq with SMIL + image + text as validated SwA bytes; returns (body, Content-Type).

    The segments are collected in a list and joined once: the 100 KB payload is copied a single time.
    """
    xml = submit_envelope(transaction_id)
    inner = _multipart(
        INNER_BOUNDARY,
        [
            _part([("Content-Type", "application/smil"), ("Content-ID", f"<{SMIL_ID}>")], smil),
            _part([("Content-Type", "image/jpeg"), ("Content-ID", f"<{IMAGE_ID}>")], image),
            _part(
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-ID", f"<{TEXT_ID}>")], text.encode()
            ),
        ],
    )
    inner_type = (
        f'multipart/related; type="application/smil"; start="<{SMIL_ID}>"; boundary="{INNER_BOUNDARY}"'
    )
    root_part = _part(
        [("Content-Type", "text/xml; charset=utf-8"), ("Content-ID", f"<{ROOT_CONTENT_ID}>")], xml
    )
    content_head = _part([("Content-Type", inner_type), ("Content-ID", f"<{CONTENT_ID}>")], b"")[:-1]
    body = b"".join(_multipart(OUTER_BOUNDARY, [root_part, content_head + inner]))
    content_type = (
        f'multipart/related; type="text/xml"; start="<{ROOT_CONTENT_ID}>"; boundary="{OUTER_BOUNDARY}"'
    )
    return body, content_type


def encode_report(transaction_id: str) -> tuple[bytes, str]:
    return report_envelope(transaction_id), "text/xml; charset=utf-8"


# ------------------------------------------------------------------------------------------ decode


def split_multipart(body: bytes, content_type: str) -> list[tuple[dict[str, str], bytes]]:
    """Split a multipart body at its boundary lines into (lower-cased headers, payload) pairs."""
    delimiter = b"--" + boundary_of(content_type).encode()
    start = body.index(delimiter)
    end = body.index(CRLF + delimiter + b"--", start)
    parts = []
    for chunk in body[start + len(delimiter) : end].split(CRLF + delimiter):
        head, _, payload = chunk.partition(CRLF + CRLF)
        headers = {}
        for line in head.split(CRLF):
            name, sep, value = line.partition(b":")
            if sep:
                headers[name.strip().lower().decode()] = value.strip().decode()
        parts.append((headers, payload))
    return parts


def _to_dict(element: etree._Element) -> Any:
    if len(element) == 0:
        if element.attrib:
            return {"_value": element.text, **element.attrib}
        return element.text
    out: dict[str, Any] = dict(element.attrib)
    for child in element:
        name = etree.QName(child).localname
        value = _to_dict(child)
        if name in out:
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out


def decode(body: bytes, content_type: str) -> dict[str, Any]:
    """Received body → {'operation', 'transaction_id', 'fields', 'attachments': {cid: (type, bytes)}}."""
    if content_type.lower().startswith("multipart/"):
        parts = split_multipart(body, content_type)
        xml = parts[0][1]
        by_id = {
            headers.get("content-id", "").strip("<>"): (headers, payload) for headers, payload in parts[1:]
        }
    else:
        xml, by_id = body, {}
    root = etree.fromstring(xml, parser=_PARSER)
    if root.getroottree().docinfo.doctype:
        raise ValidationFailed("DOCTYPE refused")
    if not schema().validate(root):
        raise ValidationFailed(str(schema().error_log))
    transaction_id = root.findtext(f"{_E}Header/{_M}TransactionID")
    payload = root.find(f"{_E}Body")[0]
    fields = _to_dict(payload)
    attachments: dict[str, tuple[str, bytes]] = {}
    content = payload.find(_M + "Content")
    if content is not None:
        headers, data = by_id[content.get("href", "")[4:]]
        inner_type = headers.get("content-type", "")
        if inner_type.lower().startswith("multipart/"):
            for inner_headers, inner_data in split_multipart(data, inner_type):
                cid = inner_headers.get("content-id", "").strip("<>")
                attachments[cid] = (inner_headers.get("content-type", ""), inner_data)
        else:
            attachments[CONTENT_ID] = (inner_type, data)
    return {
        "operation": etree.QName(payload).localname,
        "transaction_id": transaction_id,
        "fields": fields,
        "attachments": attachments,
    }
