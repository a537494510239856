"""Carrier profiles: per-carrier rules, defaults and number formats."""
