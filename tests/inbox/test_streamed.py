"""Attachments given as StreamedData: stored byte-exact on both backends, SQLite without a copy in memory."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from mm7.inbox import Attachment, Inbox, StorageError, StreamedData, open_inbox

from .conftest import make_mo


def _file_chunks(path: Path, chunk: int = 64 * 1024) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            yield block


def test_streamed_attachment_round_trips(inbox: Inbox, tmp_path: Path) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    source = tmp_path / "payload.bin"
    source.write_bytes(payload)
    n = make_mo(n_attachments=0)
    n.attachments = [
        Attachment("small", "text/plain", None, b"hello"),
        Attachment("big", "video/mp4", "clip.mp4", StreamedData(len(payload), lambda: _file_chunks(source))),
    ]
    got = inbox.get(inbox.put(n).id)
    assert got is not None
    assert [a.content_id for a in got.attachments] == ["small", "big"]
    assert got.attachments[1].data == payload


def test_stream_shorter_than_announced_stores_nothing(inbox: Inbox) -> None:
    n = make_mo(n_attachments=0)
    n.attachments = [Attachment("big", "image/png", None, StreamedData(1000, lambda: iter([b"x" * 10])))]
    with pytest.raises(StorageError):
        inbox.put(n)
    assert inbox.list() == []


def test_sqlite_streams_a_large_attachment_without_holding_it(tmp_path: Path) -> None:
    size = 48 * 1024 * 1024
    source = tmp_path / "large.bin"
    digest = hashlib.sha256()
    with source.open("wb") as out:
        for _ in range(size // (1024 * 1024)):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            out.write(block)
    with open_inbox(f"sqlite:///{tmp_path / 'inbox.db'}", max_attachment_size=size) as inbox:
        n = make_mo(n_attachments=0)
        n.attachments = [
            Attachment("big", "video/mp4", None, StreamedData(size, lambda: _file_chunks(source)))
        ]
        tracemalloc.start()
        try:
            stored = inbox.put(n)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while storing {size / 2**20:.0f} MiB"
        got = inbox.get(stored.id)
        assert got is not None
        data = got.attachments[0].data
        assert isinstance(data, bytes) and hashlib.sha256(data).digest() == digest.digest()
