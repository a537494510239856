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
"""

from __future__ import annotations

from mm7.codec.mime.decoder import MultipartDecoder, decode
from mm7.codec.mime.encoder import encode_multipart, encode_related, encode_single
from mm7.codec.mime.model import DecodedBody, EncodedBody, Limits, Part

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
