"""Microbenchmark: xsdata vs mm7.codec.fastbind, µs per operation (serialize to an lxml element, and bind).

Run: ``.venv/bin/python benchmarks/bench_fastbind.py [--number N]``. Messages are the fixed samples of
``tests/codec/strategies.py`` (``full=True``) plus a fully populated SubmitReq built here. The parse timings
bind a fresh copy of the element per call (xsdata's lxml handler empties the tree it reads), and the copy's
cost is measured separately and subtracted.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.serializers.tree import TreeSerializer
from xsdata.models.datatype import XmlDateTime, XmlDuration

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mm7.codec import fastbind
from mm7.codec.versions import REL6
from tests.codec.strategies import sample_message


def full_submit() -> Any:
    """A SubmitReq with most optional fields set (three recipients, reply charging, conditions...)."""
    b = REL6.bindings
    when = XmlDateTime(2024, 5, 1, 12, 0, 0, 0, 0)
    return b.SubmitReq(
        mm7_version="6.8.0",
        sender_identification=b.SenderIdType(
            vasp_id="vasp",
            vas_id="vas",
            sender_address=b.SenderAddressType(short_code=b.AddressType(value="1234")),
        ),
        recipients=b.RecipientsType(
            to=[b.MultiAddressType(number=[b.AddressType(value="15551230001", display_only=True)])],
            cc=[b.MultiAddressType(rfc2822_address=[b.AddressType(value="a@example.com", id="x")])],
            bcc=[b.MultiAddressType(short_code=[b.AddressType(value="4321")])],
        ),
        service_code="svc",
        linked_id="link",
        message_class=b.MessageClassType.INFORMATIONAL,
        time_stamp=when,
        reply_charging=b.ReplyChargingType(reply_charging_size=100, reply_deadline=XmlDuration("P2D")),
        earliest_delivery_time=when,
        expiry_date=XmlDuration("P7D"),
        delivery_report=True,
        read_reply=False,
        priority=b.PriorityType.HIGH,
        subject="Hello",
        charged_party=b.ChargedPartyType.SENDER,
        distribution_indicator=True,
        delivery_condition=b.DeliveryConditionType(dc=[1, 2]),
        applic_id="app",
        content_class=b.ContentClassType.IMAGE_RICH,
        drm_content=False,
        content=b.ContentReferenceType(href="cid:c1", allow_adaptations=True),
    )


def per_op(func: Callable[[], Any], number: int) -> float:
    """Best-of-5 µs per call."""
    return min(timeit.repeat(func, number=number, repeat=5)) / number * 1e6


def main() -> None:
    """Print a table of µs per operation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    context = XmlContext()
    serializer = TreeSerializer(context=context)
    xs_parser = XmlParser(
        context=context,
        handler=LxmlEventHandler,
        config=ParserConfig(fail_on_unknown_properties=True, fail_on_unknown_attributes=False),
    )
    nsmap: dict[str | None, str] = {None: REL6.namespace}
    messages = {
        "SubmitReq (sample)": sample_message(REL6, "SubmitReq", full=True),
        "SubmitReq (full)": full_submit(),
        "DeliveryReportReq": sample_message(REL6, "DeliveryReportReq", full=True),
        "SubmitRsp": sample_message(REL6, "SubmitRsp", full=True),
    }
    print(f"{'message':22} {'op':6} {'xsdata µs':>10} {'fastbind µs':>12} {'speed-up':>9}")
    for name, message in messages.items():
        cls = type(message)
        element = fastbind.to_element(message, nsmap=nsmap)
        assert fastbind.from_element(element, cls) == message
        xs_ser = per_op(lambda m=message: serializer.render(m, ns_map=nsmap), args.number)
        fb_ser = per_op(lambda m=message: fastbind.to_element(m, nsmap=nsmap), args.number)
        xml = etree.tostring(element)
        copy_cost = per_op(lambda x=xml: etree.fromstring(x), args.number)
        xs_par = per_op(lambda x=xml, c=cls: xs_parser.parse(etree.fromstring(x), c), args.number) - copy_cost
        fb_par = per_op(lambda e=element, c=cls: fastbind.from_element(e, c), args.number)
        print(f"{name:22} {'encode':6} {xs_ser:10.1f} {fb_ser:12.1f} {xs_ser / fb_ser:8.1f}x")
        print(f"{name:22} {'decode':6} {xs_par:10.1f} {fb_par:12.1f} {xs_par / fb_par:8.1f}x")


if __name__ == "__main__":
    main()
