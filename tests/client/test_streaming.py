"""Large attachments are streamed from disk: memory stays flat while 100 MB go over the wire."""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from mm7 import Part
from mm7.client import MM7Client
from mm7.client.retry import RetryPolicy
from mm7.codec.messages import encode, new_transaction_id
from tests.client.conftest import LoopbackServer, Received, Reply, answer

Loopback = Callable[..., LoopbackServer]

SIZE = 100 * 1024 * 1024
LIMIT = 20 * 1024 * 1024


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    with path.open("wb") as fh:
        # Random bytes at both ends, a sparse middle: cheap to create, and every byte is still read.
        fh.write(os.urandom(1024 * 1024))
        fh.seek(SIZE - 1024 * 1024)
        fh.write(os.urandom(1024 * 1024))
    assert path.stat().st_size == SIZE
    return path


@pytest.mark.slow
def test_100_mb_attachment_is_streamed_with_flat_memory(loopback: Loopback, big_file: Path) -> None:
    def handler(received: Received) -> Reply:
        # The body was discarded while read (only its hash and head are kept); answer from the head.
        assert received.body is None
        return answer_from_head(received)

    server = loopback(handler, keep_body=64 * 1024)
    client = MM7Client.for_sinch(
        api_key="K", short_code="12345", endpoint=server.url, retry=RetryPolicy.no_retry()
    )
    request = client.sinch.submit_request("15553199144", subject="big")
    tid = new_transaction_id()

    gc.collect()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = client.submit(request, content=[Part.from_file(big_file, "video/mp4")], transaction_id=tid)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.message_id == "MID-0"
    print(f"peak growth {(peak - baseline) / 2**20:.1f} MiB")
    assert peak - baseline < LIMIT, f"peak grew by {(peak - baseline) / 2**20:.1f} MiB"
    (seen,) = server.requests
    assert not seen.chunked
    assert seen.size == int(seen.header("Content-Length") or -1) > SIZE
    # The same message encoded again has the same length (boundaries are fixed-length): nothing was lost.
    prepared = client.profile.prepare(
        "SubmitReq", request, [Part.from_file(big_file, "video/mp4")], warn=False
    )
    again = encode(prepared.message, transaction_id=tid, content=prepared.content)
    assert again.body.content_length == seen.size


def answer_from_head(received: Received) -> Reply:
    """Answer a SubmitReq whose body was not kept, using the TransactionID in the envelope at its head."""
    head = received.head.decode("latin-1")
    start = head.index("TransactionID")
    tid = head[head.index(">", start) + 1 : head.index("<", start)]
    from mm7.codec.builders import submit_request
    from mm7.codec.messages import response_for

    rsp = response_for(submit_request(to="1", mm7_version="6.8.0"), message_id="MID-0")
    wire = encode(rsp, transaction_id=tid)
    return 200, wire.headers, wire.to_bytes()


_ = answer
