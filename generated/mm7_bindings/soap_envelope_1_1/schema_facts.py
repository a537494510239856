"""Schema facts of soap-envelope-1.1.xsd for the tolerant reader (mm7 regenerate). Do not edit."""

from mm7.codec.schema_model import ComplexType, ElementDecl, SimpleType

NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/'

_c0 = ComplexType('envelopeType', mixed=False, open=True, any_attribute=True)
_c1 = ComplexType('headerType', mixed=False, open=True, any_attribute=True)
_c2 = ComplexType('bodyType', mixed=False, open=True, any_attribute=True)
_c3 = ComplexType('faultType', mixed=False, open=False, any_attribute=False)
_s0 = SimpleType('xs:QName', 'other', (), True, ())
_s1 = SimpleType('xs:string', 'string', (), False, ())
_s2 = SimpleType('xs:anyURI', 'anyURI', (), True, ())
_c3.children['faultcode'] = ElementDecl('faultcode', 0, _s0, True)
_c3.children['faultstring'] = ElementDecl('faultstring', 1, _s1, True)
_c3.children['faultactor'] = ElementDecl('faultactor', 2, _s2, False)
_c4 = ComplexType('detailType', mixed=False, open=True, any_attribute=True)
_c3.children['detail'] = ElementDecl('detail', 3, _c4, False)

ELEMENTS: dict[str, ComplexType | SimpleType] = {
    'Envelope': _c0,
    'Header': _c1,
    'Body': _c2,
    'Fault': _c3,
}
LEAF_TYPES: dict[str, SimpleType] = {
    'faultcode': _s0,
    'faultstring': _s1,
    'faultactor': _s2,
}
