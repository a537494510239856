"""The MM7 codec: SOAP envelopes, the SwA MIME layer, schema validation and the versions registry.

The public names are re-exported by :mod:`mm7`; import from there.
"""
