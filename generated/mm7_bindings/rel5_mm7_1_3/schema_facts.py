"""Schema facts of REL-5-MM7-1-3.xsd for the tolerant reader (mm7 regenerate). Do not edit."""

from mm7.codec.schema_model import ComplexType, ElementDecl, SimpleType

NAMESPACE = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3'

_c0 = ComplexType('transactionIDType', mixed=False, open=False, any_attribute=True)
_c1 = ComplexType('submitReqType', mixed=False, open=False, any_attribute=False)
_c2 = ComplexType('submitRspType', mixed=False, open=False, any_attribute=False)
_c3 = ComplexType('deliverReqType', mixed=False, open=False, any_attribute=False)
_c4 = ComplexType('deliverRspType', mixed=False, open=False, any_attribute=False)
_c5 = ComplexType('cancelReqType', mixed=False, open=False, any_attribute=False)
_c6 = ComplexType('genericResponseType', mixed=False, open=False, any_attribute=False)
_c7 = ComplexType('replaceReqType', mixed=False, open=False, any_attribute=False)
_c8 = ComplexType('deliveryReportReqType', mixed=False, open=False, any_attribute=False)
_c9 = ComplexType('readReplyReqType', mixed=False, open=False, any_attribute=False)
_s0 = SimpleType('versionType', 'string', (), True, ())
_s1 = SimpleType('serviceCodeType', 'string', (), False, ())
_s2 = SimpleType('messageIDType', 'string', (), False, ())
_s3 = SimpleType('messageClassType', 'string', ('Personal', 'Informational', 'Advertisement', 'Auto'), False, ())
_s4 = SimpleType('xs:dateTime', 'dateTime', (), True, ())
_s5 = SimpleType('xs:duration', 'duration', (), True, ())
_s6 = SimpleType('relativeOrAbsoluteDateType', 'other', (), True, (_s4, _s5))
_s7 = SimpleType('xs:boolean', 'boolean', (), True, ())
_s8 = SimpleType('priorityType', 'string', ('Normal', 'High', 'Low'), False, ())
_s9 = SimpleType('xs:string', 'string', (), False, ())
_s10 = SimpleType('chargedPartyType', 'string', ('Sender', 'Recipient', 'Both', 'Neither'), False, ())
_s11 = SimpleType('entityIDType', 'string', (), False, ())
_s12 = SimpleType('mmDeliveryStatusType', 'string', ('Expired', 'Retrieved', 'Rejected', 'Indeterminate', 'Forwarded', 'Unrecognised', 'Deferred', 'Unrecognized', 'Unreachable', 'NotSupported'), False, ())
_s13 = SimpleType('statusCodeType', 'integer', (), True, ())
_c0.text = _s9
_c1.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c10 = ComplexType('senderIDType', mixed=False, open=False, any_attribute=False)
_c1.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c10, True)
_c11 = ComplexType('recipientsType', mixed=False, open=False, any_attribute=False)
_c1.children['Recipients'] = ElementDecl('Recipients', 2, _c11, True)
_c1.children['ServiceCode'] = ElementDecl('ServiceCode', 3, _s1, False)
_c1.children['LinkedID'] = ElementDecl('LinkedID', 4, _s2, False)
_c1.children['MessageClass'] = ElementDecl('MessageClass', 5, _s3, False)
_c1.children['TimeStamp'] = ElementDecl('TimeStamp', 6, _s4, False)
_c12 = ComplexType('replyChargingType', mixed=False, open=False, any_attribute=False)
_c1.children['ReplyCharging'] = ElementDecl('ReplyCharging', 7, _c12, False)
_c1.children['EarliestDeliveryTime'] = ElementDecl('EarliestDeliveryTime', 8, _s6, False)
_c1.children['ExpiryDate'] = ElementDecl('ExpiryDate', 9, _s6, False)
_c1.children['DeliveryReport'] = ElementDecl('DeliveryReport', 10, _s7, False)
_c1.children['ReadReply'] = ElementDecl('ReadReply', 11, _s7, False)
_c1.children['Priority'] = ElementDecl('Priority', 12, _s8, False)
_c1.children['Subject'] = ElementDecl('Subject', 13, _s9, False)
_c1.children['ChargedParty'] = ElementDecl('ChargedParty', 14, _s10, False)
_c1.children['DistributionIndicator'] = ElementDecl('DistributionIndicator', 15, _s7, False)
_c13 = ComplexType('contentReferenceType', mixed=False, open=False, any_attribute=False)
_c1.children['Content'] = ElementDecl('Content', 16, _c13, False)
_c2.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c14 = ComplexType('statusType', mixed=False, open=False, any_attribute=False)
_c2.children['Status'] = ElementDecl('Status', 1, _c14, True)
_c2.children['MessageID'] = ElementDecl('MessageID', 2, _s2, False)
_c3.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c3.children['MMSRelayServerID'] = ElementDecl('MMSRelayServerID', 1, _s11, False)
_c3.children['LinkedID'] = ElementDecl('LinkedID', 2, _s2, False)
_c15 = ComplexType('senderAddressType', mixed=False, open=False, any_attribute=False)
_c3.children['Sender'] = ElementDecl('Sender', 3, _c15, True)
_c3.children['Recipients'] = ElementDecl('Recipients', 4, _c11, False)
_c3.children['TimeStamp'] = ElementDecl('TimeStamp', 5, _s4, False)
_c3.children['ReplyChargingID'] = ElementDecl('ReplyChargingID', 6, _s2, False)
_c3.children['Priority'] = ElementDecl('Priority', 7, _s8, False)
_c3.children['Subject'] = ElementDecl('Subject', 8, _s9, False)
_c16 = ComplexType('uaCapabilitiesType', mixed=False, open=False, any_attribute=False)
_c3.children['UACapabilities'] = ElementDecl('UACapabilities', 9, _c16, False)
_c3.children['Content'] = ElementDecl('Content', 10, _c13, False)
_c4.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c4.children['Status'] = ElementDecl('Status', 1, _c14, True)
_c4.children['ServiceCode'] = ElementDecl('ServiceCode', 2, _s1, False)
_c5.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c5.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c10, True)
_c5.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c6.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c6.children['Status'] = ElementDecl('Status', 1, _c14, True)
_c7.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c7.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c10, True)
_c7.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c7.children['ServiceCode'] = ElementDecl('ServiceCode', 3, _s1, False)
_c7.children['TimeStamp'] = ElementDecl('TimeStamp', 4, _s4, False)
_c7.children['ReadReply'] = ElementDecl('ReadReply', 5, _s7, False)
_c7.children['EarliestDeliveryTime'] = ElementDecl('EarliestDeliveryTime', 6, _s6, False)
_c7.children['DistributionIndicator'] = ElementDecl('DistributionIndicator', 7, _s7, False)
_c7.children['Content'] = ElementDecl('Content', 8, _c13, False)
_c8.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c8.children['MMSRelayServerID'] = ElementDecl('MMSRelayServerID', 1, _s11, False)
_c8.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c8.children['Recipient'] = ElementDecl('Recipient', 3, _c15, True)
_c8.children['Sender'] = ElementDecl('Sender', 4, _c15, True)
_c8.children['Date'] = ElementDecl('Date', 5, _s4, True)
_c8.children['MMStatus'] = ElementDecl('MMStatus', 6, _s12, True)
_c8.children['StatusText'] = ElementDecl('StatusText', 7, _s9, False)
_c8.children['UACapabilities'] = ElementDecl('UACapabilities', 8, _c16, False)
_c9.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c9.children['MMSRelayServerID'] = ElementDecl('MMSRelayServerID', 1, _s11, False)
_c9.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c9.children['Recipient'] = ElementDecl('Recipient', 3, _c15, True)
_c9.children['Sender'] = ElementDecl('Sender', 4, _c15, True)
_c9.children['TimeStamp'] = ElementDecl('TimeStamp', 5, _s4, True)
_s14 = SimpleType('mmReadStatusType', 'string', ('Read', 'Deleted', 'Indeterminate'), False, ())
_c9.children['MMStatus'] = ElementDecl('MMStatus', 6, _s14, True)
_c9.children['StatusText'] = ElementDecl('StatusText', 7, _s9, False)
_c10.children['VASPID'] = ElementDecl('VASPID', 0, _s11, False)
_c10.children['VASID'] = ElementDecl('VASID', 1, _s11, False)
_c10.children['SenderAddress'] = ElementDecl('SenderAddress', 2, _c15, False)
_c17 = ComplexType('multiAddressType', mixed=False, open=False, any_attribute=False)
_c11.children['To'] = ElementDecl('To', 0, _c17, False)
_c11.children['Cc'] = ElementDecl('Cc', 0, _c17, False)
_c11.children['Bcc'] = ElementDecl('Bcc', 0, _c17, False)
_s15 = SimpleType('xs:positiveInteger', 'integer', (), True, ())
_c12.attributes['replyChargingSize'] = _s15
_c12.attributes['replyDeadline'] = _s6
_s16 = SimpleType('xs:anyURI', 'anyURI', (), True, ())
_c13.attributes['href'] = _s16
_c13.attributes['allowAdaptations'] = _s7
_c14.children['StatusCode'] = ElementDecl('StatusCode', 0, _s13, True)
_c14.children['StatusText'] = ElementDecl('StatusText', 1, _s9, False)
_c18 = ComplexType('statusDetailsType', mixed=True, open=True, any_attribute=False)
_c14.children['Details'] = ElementDecl('Details', 2, _c18, False)
_c19 = ComplexType('addressType', mixed=False, open=False, any_attribute=False)
_c15.children['RFC2822Address'] = ElementDecl('RFC2822Address', 0, _c19, False)
_c15.children['Number'] = ElementDecl('Number', 0, _c19, False)
_c15.children['ShortCode'] = ElementDecl('ShortCode', 0, _c19, False)
_c16.attributes['UAProf'] = _s9
_c16.attributes['TimeStamp'] = _s6
_c17.children['RFC2822Address'] = ElementDecl('RFC2822Address', 0, _c19, False)
_c17.children['Number'] = ElementDecl('Number', 0, _c19, False)
_c17.children['ShortCode'] = ElementDecl('ShortCode', 0, _c19, False)
_c19.text = _s9
_c19.attributes['displayOnly'] = _s7
_s17 = SimpleType('addressCodingType', 'string', ('encrypted', 'obfuscated'), False, ())
_c19.attributes['addressCoding'] = _s17
_c19.attributes['id'] = _s9

ELEMENTS: dict[str, ComplexType | SimpleType] = {
    'TransactionID': _c0,
    'SubmitReq': _c1,
    'SubmitRsp': _c2,
    'DeliverReq': _c3,
    'DeliverRsp': _c4,
    'CancelReq': _c5,
    'CancelRsp': _c6,
    'ReplaceReq': _c7,
    'ReplaceRsp': _c6,
    'DeliveryReportReq': _c8,
    'DeliveryReportRsp': _c6,
    'ReadReplyReq': _c9,
    'ReadReplyRsp': _c6,
    'RSErrorRsp': _c6,
    'VASPErrorRsp': _c6,
}
LEAF_TYPES: dict[str, SimpleType] = {
    'MM7Version': _s0,
    'ServiceCode': _s1,
    'LinkedID': _s2,
    'MessageClass': _s3,
    'TimeStamp': _s4,
    'EarliestDeliveryTime': _s6,
    'ExpiryDate': _s6,
    'DeliveryReport': _s7,
    'ReadReply': _s7,
    'Priority': _s8,
    'Subject': _s9,
    'ChargedParty': _s10,
    'DistributionIndicator': _s7,
    'MessageID': _s2,
    'MMSRelayServerID': _s11,
    'ReplyChargingID': _s2,
    'Date': _s4,
    'MMStatus': _s12,
    'StatusText': _s9,
    'VASPID': _s11,
    'VASID': _s11,
    'StatusCode': _s13,
}
