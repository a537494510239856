"""The message content every contender encodes and decodes, so that all of them do the same work."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "benchmarks"
WSDL_PATH = BENCH_DIR / "zeep_mm7.wsdl"

MM7_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"

TRANSACTION_ID = "bench-transaction-0001"
ROOT_CONTENT_ID = "mm7-soap-envelope"
CONTENT_ID = "mm7-content"
SMIL_ID = "smil"
IMAGE_ID = "part1.jpg"
TEXT_ID = "part2.txt"
OUTER_BOUNDARY = "=_bench_outer_7c1e0f"
INNER_BOUNDARY = "=_bench_inner_42aa9d"

# SubmitReq fields (the same values for every contender).
SUBMIT = {
    "mm7_version": "6.8.0",
    "vasp_id": "KEY",
    "vas_id": "12345mms",
    "sender": "12345",
    "to": "15551234567",
    "subject": "Benchmark picture",
    "delivery_report": True,
}
# DeliveryReportReq fields.
REPORT = {
    "mm7_version": "6.8.0",
    "message_id": "041502073667",
    "recipient": "15551234567",
    "sender": "12345",
    "mm_status": "Retrieved",
    "status_text": "Delivered",
    "date": datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC),
}
DATE_TEXT = "2024-05-01T12:30:15Z"
TEXT = "Hello from the mm7 benchmarks! Here is the picture."
IMAGE_SIZE = 100_000


@cache
def jpeg_like(size: int = IMAGE_SIZE) -> bytes:
    """``size`` bytes shaped like a JPEG (SOI/APP0 header, incompressible body, EOI); deterministic."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = random.Random(7).randbytes(size - len(head) - 2)
    return head + body + b"\xff\xd9"


@cache
def smil_bytes() -> bytes:
    """The SMIL presentation (image + caption on one slide), generated once and given to every contender."""
    from mm7.codec.mime import Part
    from mm7.codec.smil import generate_smil

    image = Part.from_bytes(b"x", "image/jpeg", content_id=IMAGE_ID)
    text = Part.from_text("x", content_id=TEXT_ID)
    smil = generate_smil([image, text], content_id=SMIL_ID)
    return smil.read_bytes()


_BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def boundary_of(content_type: str) -> str:
    match = _BOUNDARY_RE.search(content_type)
    if match is None:
        raise ValueError(f"no boundary in {content_type!r}")
    return match.group(1)


def secure_parser() -> etree.XMLParser:
    """The same hardening mm7 uses: no DTD, no entities, no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


@cache
def schema() -> etree.XMLSchema:
    """The envelope + MM7 REL-6 schema mm7 validates with; every contender validates with it too."""
    from mm7.codec.versions import REL6
    from mm7.codec.xml import schema_for

    return schema_for(REL6)


def process_tree_cpu(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of process ``pid`` and its living descendants (Linux ``/proc``)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float, float]] = {}  # pid -> (parent, user, system)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        stats[int(entry)] = (int(fields[1]), int(fields[11]) / tick, int(fields[12]) / tick)
    tree, changed = {pid}, True
    while changed:
        children = {child for child, (parent, _, _) in stats.items() if parent in tree} - tree
        tree |= children
        changed = bool(children)
    user = sum(stats[member][1] for member in tree if member in stats)
    system = sum(stats[member][2] for member in tree if member in stats)
    return user, system


def cpu_per_request(
    before: tuple[float, float], after: tuple[float, float], requests: int
) -> dict[str, float]:
    """Milliseconds of user and system CPU per request between two :func:`process_tree_cpu` readings."""
    return {
        "server_user_ms": (after[0] - before[0]) * 1000 / requests,
        "server_sys_ms": (after[1] - before[1]) * 1000 / requests,
    }
