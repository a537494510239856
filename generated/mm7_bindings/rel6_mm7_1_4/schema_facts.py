"""Schema facts of REL-6-MM7-1-4.xsd for the tolerant reader (mm7 regenerate). Do not edit."""

from mm7.codec.schema_model import ComplexType, ElementDecl, SimpleType

NAMESPACE = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4'

_c0 = ComplexType('transactionIDType', mixed=False, open=False, any_attribute=True)
_c1 = ComplexType('submitReqType', mixed=False, open=False, any_attribute=False)
_c2 = ComplexType('submitRspType', mixed=False, open=False, any_attribute=False)
_c3 = ComplexType('deliverReqType', mixed=False, open=False, any_attribute=False)
_c4 = ComplexType('deliverRspType', mixed=False, open=False, any_attribute=False)
_c5 = ComplexType('cancelReqType', mixed=False, open=False, any_attribute=False)
_c6 = ComplexType('genericResponseType', mixed=False, open=False, any_attribute=False)
_c7 = ComplexType('replaceReqType', mixed=False, open=False, any_attribute=False)
_c8 = ComplexType('extendedCancelReqType', mixed=False, open=False, any_attribute=False)
_c9 = ComplexType('extendedReplaceReqType', mixed=False, open=False, any_attribute=False)
_c10 = ComplexType('extendedReplaceRspType', mixed=False, open=False, any_attribute=False)
_c11 = ComplexType('deliveryReportReqType', mixed=False, open=False, any_attribute=False)
_c12 = ComplexType('readReplyReqType', mixed=False, open=False, any_attribute=False)
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
_s10 = SimpleType('chargedPartyType', 'string', ('Sender', 'Recipient', 'Both', 'Neither', 'ThirdParty', 'Other'), False, ())
_s11 = SimpleType('chargedPartyIDType', 'string', (), False, ())
_s12 = SimpleType('contentClassType', 'string', ('text', 'image-basic', 'image-rich', 'video-basic', 'video-rich', 'megapixel', 'content-basic', 'content-rich'), False, ())
_s13 = SimpleType('entityIDType', 'string', (), False, ())
_s14 = SimpleType('mmDeliveryStatusType', 'string', ('Expired', 'Retrieved', 'Rejected', 'Indeterminate', 'Forwarded', 'Unrecognised', 'Deferred', 'DeliveryConditionNotMet', 'Unrecognized', 'Unreachable', 'NotSupported'), False, ())
_s15 = SimpleType('mmStatusExtensionType', 'string', ('RejectionByMMSRecipient', 'RejectionByOtherRS'), False, ())
_s16 = SimpleType('statusCodeType', 'integer', (), True, ())
_s17 = SimpleType('xs:positiveInteger', 'integer', (), True, ())
_c0.text = _s9
_c1.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c13 = ComplexType('senderIDType', mixed=False, open=False, any_attribute=False)
_c1.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c13, True)
_c14 = ComplexType('recipientsType', mixed=False, open=False, any_attribute=False)
_c1.children['Recipients'] = ElementDecl('Recipients', 2, _c14, True)
_c1.children['ServiceCode'] = ElementDecl('ServiceCode', 3, _s1, False)
_c1.children['LinkedID'] = ElementDecl('LinkedID', 4, _s2, False)
_c1.children['MessageClass'] = ElementDecl('MessageClass', 5, _s3, False)
_c1.children['TimeStamp'] = ElementDecl('TimeStamp', 6, _s4, False)
_c15 = ComplexType('replyChargingType', mixed=False, open=False, any_attribute=False)
_c1.children['ReplyCharging'] = ElementDecl('ReplyCharging', 7, _c15, False)
_c1.children['EarliestDeliveryTime'] = ElementDecl('EarliestDeliveryTime', 8, _s6, False)
_c1.children['ExpiryDate'] = ElementDecl('ExpiryDate', 9, _s6, False)
_c1.children['DeliveryReport'] = ElementDecl('DeliveryReport', 10, _s7, False)
_c1.children['ReadReply'] = ElementDecl('ReadReply', 11, _s7, False)
_c1.children['Priority'] = ElementDecl('Priority', 12, _s8, False)
_c1.children['Subject'] = ElementDecl('Subject', 13, _s9, False)
_c1.children['ChargedParty'] = ElementDecl('ChargedParty', 14, _s10, False)
_c1.children['ChargedPartyID'] = ElementDecl('ChargedPartyID', 15, _s11, False)
_c1.children['DistributionIndicator'] = ElementDecl('DistributionIndicator', 16, _s7, False)
_c16 = ComplexType('deliveryConditionType', mixed=False, open=False, any_attribute=False)
_c1.children['DeliveryCondition'] = ElementDecl('DeliveryCondition', 17, _c16, False)
_c1.children['ApplicID'] = ElementDecl('ApplicID', 18, _s9, False)
_c1.children['ReplyApplicID'] = ElementDecl('ReplyApplicID', 19, _s9, False)
_c1.children['AuxApplicInfo'] = ElementDecl('AuxApplicInfo', 20, _s9, False)
_c1.children['ContentClass'] = ElementDecl('ContentClass', 21, _s12, False)
_c1.children['DRMContent'] = ElementDecl('DRMContent', 22, _s7, False)
_c17 = ComplexType('contentReferenceType', mixed=False, open=False, any_attribute=False)
_c1.children['Content'] = ElementDecl('Content', 23, _c17, False)
_c2.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c18 = ComplexType('statusType', mixed=False, open=False, any_attribute=False)
_c2.children['Status'] = ElementDecl('Status', 1, _c18, True)
_c2.children['MessageID'] = ElementDecl('MessageID', 2, _s2, False)
_c3.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c3.children['MMSRelayServerID'] = ElementDecl('MMSRelayServerID', 1, _s13, False)
_c3.children['VASPID'] = ElementDecl('VASPID', 2, _s13, False)
_c3.children['VASID'] = ElementDecl('VASID', 3, _s13, False)
_c3.children['LinkedID'] = ElementDecl('LinkedID', 4, _s2, False)
_c19 = ComplexType('senderAddressType', mixed=False, open=False, any_attribute=False)
_c3.children['Sender'] = ElementDecl('Sender', 5, _c19, True)
_c3.children['Recipients'] = ElementDecl('Recipients', 6, _c14, False)
_c20 = ComplexType('previouslySentByType', mixed=False, open=False, any_attribute=False)
_c3.children['Previouslysentby'] = ElementDecl('Previouslysentby', 7, _c20, False)
_c21 = ComplexType('previouslySentDateType', mixed=False, open=False, any_attribute=False)
_c3.children['Previouslysentdateandtime'] = ElementDecl('Previouslysentdateandtime', 8, _c21, False)
_c3.children['SenderSPI'] = ElementDecl('SenderSPI', 9, _s9, False)
_c3.children['RecipientSPI'] = ElementDecl('RecipientSPI', 10, _s9, False)
_c3.children['TimeStamp'] = ElementDecl('TimeStamp', 11, _s4, False)
_c3.children['ReplyChargingID'] = ElementDecl('ReplyChargingID', 12, _s2, False)
_c3.children['Priority'] = ElementDecl('Priority', 13, _s8, False)
_c3.children['Subject'] = ElementDecl('Subject', 14, _s9, False)
_c3.children['ApplicID'] = ElementDecl('ApplicID', 15, _s9, False)
_c3.children['ReplyApplicID'] = ElementDecl('ReplyApplicID', 16, _s9, False)
_c3.children['AuxApplicInfo'] = ElementDecl('AuxApplicInfo', 17, _s9, False)
_c22 = ComplexType('uaCapabilitiesType', mixed=False, open=False, any_attribute=False)
_c3.children['UACapabilities'] = ElementDecl('UACapabilities', 18, _c22, False)
_c3.children['Content'] = ElementDecl('Content', 19, _c17, False)
_c4.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c4.children['Status'] = ElementDecl('Status', 1, _c18, True)
_c4.children['ServiceCode'] = ElementDecl('ServiceCode', 2, _s1, False)
_c5.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c5.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c13, True)
_c5.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c5.children['Recipients'] = ElementDecl('Recipients', 3, _c14, False)
_c5.children['ApplicID'] = ElementDecl('ApplicID', 4, _s9, False)
_c5.children['ReplyApplicID'] = ElementDecl('ReplyApplicID', 5, _s9, False)
_c5.children['AuxApplicInfo'] = ElementDecl('AuxApplicInfo', 6, _s9, False)
_c6.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c6.children['Status'] = ElementDecl('Status', 1, _c18, True)
_c7.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c7.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c13, True)
_c7.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c7.children['ServiceCode'] = ElementDecl('ServiceCode', 3, _s1, False)
_c7.children['TimeStamp'] = ElementDecl('TimeStamp', 4, _s4, False)
_c7.children['ReadReply'] = ElementDecl('ReadReply', 5, _s7, False)
_c7.children['EarliestDeliveryTime'] = ElementDecl('EarliestDeliveryTime', 6, _s6, False)
_c7.children['DistributionIndicator'] = ElementDecl('DistributionIndicator', 7, _s7, False)
_c7.children['ContentClass'] = ElementDecl('ContentClass', 8, _s12, False)
_c7.children['DRMContent'] = ElementDecl('DRMContent', 9, _s7, False)
_c7.children['ApplicID'] = ElementDecl('ApplicID', 10, _s9, False)
_c7.children['ReplyApplicID'] = ElementDecl('ReplyApplicID', 11, _s9, False)
_c7.children['AuxApplicInfo'] = ElementDecl('AuxApplicInfo', 12, _s9, False)
_c7.children['Content'] = ElementDecl('Content', 13, _c17, False)
_c8.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c8.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c13, True)
_c8.children['CancelID'] = ElementDecl('CancelID', 2, _s2, True)
_c9.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c9.children['SenderIdentification'] = ElementDecl('SenderIdentification', 1, _c13, False)
_c9.children['VASPID'] = ElementDecl('VASPID', 2, _s13, False)
_c9.children['VASID'] = ElementDecl('VASID', 3, _s13, False)
_c9.children['ServiceCode'] = ElementDecl('ServiceCode', 4, _s1, False)
_c9.children['ReplaceID'] = ElementDecl('ReplaceID', 5, _s2, False)
_c9.children['TimeStamp'] = ElementDecl('TimeStamp', 6, _s4, False)
_c9.children['EarliestDeliveryTime'] = ElementDecl('EarliestDeliveryTime', 7, _s6, False)
_c9.children['ExpiryDate'] = ElementDecl('ExpiryDate', 8, _s6, False)
_c9.children['ReadReply'] = ElementDecl('ReadReply', 9, _s7, False)
_c9.children['DeliveryReport'] = ElementDecl('DeliveryReport', 10, _s7, False)
_c9.children['Content'] = ElementDecl('Content', 11, _c17, False)
_c10.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c10.children['MessageID'] = ElementDecl('MessageID', 1, _s2, False)
_c10.children['Status'] = ElementDecl('Status', 2, _c18, True)
_c11.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c11.children['MMSRelayServerID'] = ElementDecl('MMSRelayServerID', 1, _s13, False)
_c11.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c11.children['Recipient'] = ElementDecl('Recipient', 3, _c19, True)
_c11.children['Sender'] = ElementDecl('Sender', 4, _c19, True)
_c11.children['Date'] = ElementDecl('Date', 5, _s4, True)
_c11.children['MMStatus'] = ElementDecl('MMStatus', 6, _s14, True)
_c11.children['MMStatusExtension'] = ElementDecl('MMStatusExtension', 7, _s15, False)
_c11.children['StatusText'] = ElementDecl('StatusText', 8, _s9, False)
_c11.children['ApplicID'] = ElementDecl('ApplicID', 9, _s9, False)
_c11.children['ReplyApplicID'] = ElementDecl('ReplyApplicID', 10, _s9, False)
_c11.children['AuxApplicInfo'] = ElementDecl('AuxApplicInfo', 11, _s9, False)
_c11.children['UACapabilities'] = ElementDecl('UACapabilities', 12, _c22, False)
_c12.children['MM7Version'] = ElementDecl('MM7Version', 0, _s0, True)
_c12.children['MMSRelayServerID'] = ElementDecl('MMSRelayServerID', 1, _s13, False)
_c12.children['MessageID'] = ElementDecl('MessageID', 2, _s2, True)
_c12.children['Recipient'] = ElementDecl('Recipient', 3, _c19, True)
_c12.children['Sender'] = ElementDecl('Sender', 4, _c19, True)
_c12.children['TimeStamp'] = ElementDecl('TimeStamp', 5, _s4, True)
_s18 = SimpleType('mmReadStatusType', 'string', ('Read', 'Deleted', 'Indeterminate'), False, ())
_c12.children['MMStatus'] = ElementDecl('MMStatus', 6, _s18, True)
_c12.children['StatusText'] = ElementDecl('StatusText', 7, _s9, False)
_c12.children['ApplicID'] = ElementDecl('ApplicID', 8, _s9, False)
_c12.children['ReplyApplicID'] = ElementDecl('ReplyApplicID', 9, _s9, False)
_c12.children['AuxApplicInfo'] = ElementDecl('AuxApplicInfo', 10, _s9, False)
_c13.children['VASPID'] = ElementDecl('VASPID', 0, _s13, False)
_c13.children['VASID'] = ElementDecl('VASID', 1, _s13, False)
_c13.children['SenderAddress'] = ElementDecl('SenderAddress', 2, _c19, False)
_c23 = ComplexType('multiAddressType', mixed=False, open=False, any_attribute=False)
_c14.children['To'] = ElementDecl('To', 0, _c23, False)
_c14.children['Cc'] = ElementDecl('Cc', 0, _c23, False)
_c14.children['Bcc'] = ElementDecl('Bcc', 0, _c23, False)
_c15.attributes['replyChargingSize'] = _s17
_c15.attributes['replyDeadline'] = _s6
_c16.children['DC'] = ElementDecl('DC', 0, _s17, False)
_s19 = SimpleType('xs:anyURI', 'anyURI', (), True, ())
_c17.attributes['href'] = _s19
_c17.attributes['allowAdaptations'] = _s7
_c18.children['StatusCode'] = ElementDecl('StatusCode', 0, _s16, True)
_c18.children['StatusText'] = ElementDecl('StatusText', 1, _s9, False)
_c24 = ComplexType('statusDetailsType', mixed=True, open=True, any_attribute=False)
_c18.children['Details'] = ElementDecl('Details', 2, _c24, False)
_c25 = ComplexType('addressType', mixed=False, open=False, any_attribute=False)
_c19.children['RFC2822Address'] = ElementDecl('RFC2822Address', 0, _c25, False)
_c19.children['Number'] = ElementDecl('Number', 0, _c25, False)
_c19.children['ShortCode'] = ElementDecl('ShortCode', 0, _c25, False)
_c26 = ComplexType('sequencedAddressType', mixed=False, open=False, any_attribute=False)
_c20.children['UserAgent'] = ElementDecl('UserAgent', 0, _c26, False)
_c27 = ComplexType('sequencedDateTimeType', mixed=False, open=False, any_attribute=False)
_c21.children['DateTime'] = ElementDecl('DateTime', 0, _c27, False)
_c22.attributes['UAProf'] = _s9
_c22.attributes['TimeStamp'] = _s6
_c23.children['RFC2822Address'] = ElementDecl('RFC2822Address', 0, _c25, False)
_c23.children['Number'] = ElementDecl('Number', 0, _c25, False)
_c23.children['ShortCode'] = ElementDecl('ShortCode', 0, _c25, False)
_c25.text = _s9
_c25.attributes['displayOnly'] = _s7
_s20 = SimpleType('addressCodingType', 'string', ('encrypted', 'obfuscated'), False, ())
_c25.attributes['addressCoding'] = _s20
_c25.attributes['id'] = _s9
_c26.children['RFC2822Address'] = ElementDecl('RFC2822Address', 0, _c25, False)
_c26.children['Number'] = ElementDecl('Number', 0, _c25, False)
_c26.children['ShortCode'] = ElementDecl('ShortCode', 0, _c25, False)
_c26.attributes['sequence'] = _s17
_c27.text = _s6
_c27.attributes['sequence'] = _s17

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
    'extendedCancelReq': _c8,
    'extendedCancelRsp': _c6,
    'extendedReplaceReq': _c9,
    'extendedReplaceRsp': _c10,
    'DeliveryReportReq': _c11,
    'DeliveryReportRsp': _c6,
    'ReadReplyReq': _c12,
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
    'ChargedPartyID': _s11,
    'DistributionIndicator': _s7,
    'ApplicID': _s9,
    'ReplyApplicID': _s9,
    'AuxApplicInfo': _s9,
    'ContentClass': _s12,
    'DRMContent': _s7,
    'MessageID': _s2,
    'MMSRelayServerID': _s13,
    'VASPID': _s13,
    'VASID': _s13,
    'SenderSPI': _s9,
    'RecipientSPI': _s9,
    'ReplyChargingID': _s2,
    'CancelID': _s2,
    'ReplaceID': _s2,
    'Date': _s4,
    'MMStatus': _s14,
    'MMStatusExtension': _s15,
    'StatusText': _s9,
    'StatusCode': _s16,
    'DC': _s17,
}
