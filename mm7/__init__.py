"""mm7: MM7 (3GPP TS 23.140) for Python."""
