"""SOAP-with-Attachments MIME layer: ``multipart/related`` encode and decode, sans-IO.

MM7 (3GPP TS 23.140 §8.4 / Annex) carries a SOAP 1.1 envelope as the root part of a
``multipart/related`` body (RFC 2387) and the message content as further parts referenced
from the envelope by ``cid:`` URLs (RFC 2392).

One module per job:

* :mod:`~mm7.codec.mime.model`: :class:`Part`, :class:`Limits`, :class:`EncodedBody`, :class:`DecodedBody`
  and the Content-Type helpers. A part built from a file holds its path; the file is opened only when the
  part's bytes are iterated.
* :mod:`~mm7.codec.mime.encoder`: :func:`encode_related`, :func:`encode_multipart`, :func:`encode_single`,
  each giving the ``Content-Type``, an exact ``Content-Length`` and chunks in which files are read lazily,
  64 KiB at a time.
* :mod:`~mm7.codec.mime.decoder`: :class:`MultipartDecoder`, the one bounded incremental parser, and
  :func:`decode`, which feeds it a body held whole in memory.
* :mod:`~mm7.codec.mime.references`: resolving an ``href`` to a decoded part (:meth:`DecodedBody.resolve`).

The decoder is imported on first use of :class:`MultipartDecoder` or :func:`decode`: a program that only
sends does not load it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from mm7.codec.mime.encoder import encode_multipart, encode_related, encode_single
from mm7.codec.mime.model import DecodedBody, EncodedBody, Limits, Part

if TYPE_CHECKING:
    from mm7.codec.mime.decoder import MultipartDecoder, decode

_LAZY = frozenset({"MultipartDecoder", "decode"})


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module("mm7.codec.mime.decoder"), name)
    globals()[name] = value  # resolved once
    return value


__all__ = [
    "DecodedBody",
    "EncodedBody",
    "Limits",
    "MultipartDecoder",
    "Part",
    "decode",
    "encode_multipart",
    "encode_related",
    "encode_single",
]
