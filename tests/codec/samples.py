"""Hand-built message objects with (nearly) every optional field set, shared by the codec tests.

A module of its own: test modules are imported by pytest under its own names, so importing one test module
from another would run it twice (and define its classes twice).
"""

from __future__ import annotations

from typing import Any

from xsdata.models.datatype import XmlDateTime, XmlDuration

from mm7.codec.versions import REL6, SchemaVersion

WHEN = XmlDateTime(2024, 2, 29, 23, 59, 58, 123_456_000, -330)


def address(b: Any, value: str, n: int) -> Any:
    return b.AddressType(
        value=value, display_only=bool(n % 2), address_coding=list(b.AddressCodingType)[n % 2], id=f"id-{n}"
    )


def multi(b: Any, n: int) -> Any:
    return b.MultiAddressType(
        rfc2822_address=[address(b, f"u{n}@example.com", n), address(b, f"v{n}@example.com", n + 1)],
        number=[address(b, f"1555000{n}", n)],
        short_code=[address(b, f"99{n}", n + 1)],
    )


def full_objects(version: SchemaVersion) -> list[Any]:
    """Hand-built objects with (nearly) every optional field set."""
    b = version.bindings
    sender = b.SenderAddressType(number=address(b, "+15550001", 3))
    sender_id = b.SenderIdType(vasp_id="vasp", vas_id="vas", sender_address=sender)
    recipients = b.RecipientsType(to=[multi(b, 1), multi(b, 2)], cc=[multi(b, 3)], bcc=[multi(b, 4)])
    content = b.ContentReferenceType(href="cid:part-1@x", allow_adaptations=False)
    common: dict[str, Any] = {"mm7_version": version.default_mm7_version}
    submit: dict[str, Any] = {
        **common,
        "sender_identification": sender_id,
        "recipients": recipients,
        "service_code": "svc & <code>",
        "linked_id": "link",
        "message_class": b.MessageClassType.ADVERTISEMENT,
        "time_stamp": WHEN,
        "reply_charging": b.ReplyChargingType(
            reply_charging_size=2048, reply_deadline=XmlDuration("P1Y2M3DT4H5M6S")
        ),
        "earliest_delivery_time": XmlDuration("PT30M"),
        "expiry_date": XmlDateTime(2030, 1, 1, 0, 0, 0, 0, 0),
        "delivery_report": True,
        "read_reply": False,
        "priority": b.PriorityType.LOW,
        "subject": "Quotes \" and ' and \t tabs",
        "charged_party": list(b.ChargedPartyType)[-1],
        "distribution_indicator": False,
        "content": content,
    }
    if version is REL6:
        submit.update(
            charged_party_id="cp",
            applic_id="app",
            reply_applic_id="reply-app",
            aux_applic_info="aux",
            delivery_condition=b.DeliveryConditionType(dc=[1, 22, 333]),
            content_class=b.ContentClassType.VIDEO_RICH,
            drm_content=True,
        )
    objects = [b.SubmitReq(**submit)]
    deliver: dict[str, Any] = {
        **common,
        "mms_relay_server_id": "relay",
        "linked_id": "link",
        "sender": sender,
        "recipients": recipients,
        "time_stamp": WHEN,
        "reply_charging_id": "rc",
        "priority": b.PriorityType.HIGH,
        "subject": "subject",
        "content": content,
    }
    if version is REL6:
        deliver.update(
            vasp_id="vasp",
            vas_id="vas",
            previously_sent_by=b.PreviouslySentByType(
                user_agent=[
                    b.SequencedAddressType(rfc2822_address=address(b, "a@b.c", 1), sequence=1),
                    b.SequencedAddressType(short_code=address(b, "1234", 2), sequence=2),
                ]
            ),
            previously_sent_date_and_time=b.PreviouslySentDateType(
                date_time=[
                    b.SequencedDateTimeType(value=WHEN, sequence=1),
                    b.SequencedDateTimeType(value=XmlDateTime(2001, 10, 26, 21, 32, 52), sequence=2),
                ]
            ),
            sender_spi="sspi",
            recipient_spi="rspi",
            applic_id="app",
            reply_applic_id="rapp",
            aux_applic_info="aux",
            ua_capabilities=b.UaCapabilitiesType(ua_prof="http://ua/prof", time_stamp=WHEN),
        )
    objects.append(b.DeliverReq(**deliver))
    report: dict[str, Any] = {
        **common,
        "mms_relay_server_id": "relay",
        "message_id": "m-1",
        "recipient": b.SenderAddressType(rfc2822_address=address(b, "r@x.y", 0)),
        "sender": b.SenderAddressType(short_code=address(b, "12345", 1)),
        "date": XmlDateTime(2015, 3, 16, 14, 3, 51, 749_000_000, 0),
        "mm_status": b.MmDeliveryStatusType.FORWARDED,
        "status_text": "ok",
    }
    if version is REL6:
        report.update(
            mm_status_extension=b.MmStatusExtensionType.REJECTION_BY_OTHER_RS,
            applic_id="app",
            ua_capabilities=b.UaCapabilitiesType(ua_prof="p", time_stamp=None),
        )
    objects.append(b.DeliveryReportReq(**report))
    details = b.StatusDetailsType(content=["free text detail"])
    status = b.StatusType(status_code=4004, status_text="Validation error", details=details)
    objects += [
        b.RSErrorRsp(mm7_version=version.default_mm7_version, status=status),
        b.SubmitRsp(mm7_version=version.default_mm7_version, status=status, message_id="m-2"),
        b.ReplaceReq(
            **common,
            sender_identification=sender_id,
            message_id="m-3",
            earliest_delivery_time=WHEN,
            content=b.ContentReferenceType(href="cid:x"),
        ),
    ]
    return objects
