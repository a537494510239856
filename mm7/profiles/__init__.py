"""Carrier profiles: per-carrier dialect, rules, defaults and number formats.

A :class:`Profile` is one declarative record of a carrier's MM7 dialect; the shipped ones are TOML files
(``mm7/profiles/data/``) read by :func:`load`, and users write their own (:meth:`Profile.from_toml`).
"""

from mm7.profiles.base import Profile, ProfileViolation
from mm7.profiles.files import load, shipped_names

__all__ = ["Profile", "ProfileViolation", "load", "shipped_names"]
