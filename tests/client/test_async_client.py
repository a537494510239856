"""AsyncMM7Client on its own: every operation, streamed files, the shared throttle, deadlines, concurrency."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import mm7
from mm7 import Part
from mm7.client import AsyncMM7Client, DeadlineExceeded, MM7Client, Rate, Throttle
from mm7.client.retry import RetryPolicy
from mm7.codec.mime.model import EncodedBody
from mm7.profiles.base import Profile
from tests.client.conftest import Drip, LoopbackServer, Received, Reply, answer

Loopback = Callable[..., LoopbackServer]


def client_for(url: str, **options: Any) -> AsyncMM7Client:
    options.setdefault("retry", RetryPolicy.no_retry())
    return AsyncMM7Client.for_sinch(
        api_key="API-KEY", vas_id="12345mms", short_code="12345", endpoint=url, **options
    )


def test_same_arguments_as_the_sync_client() -> None:
    sync = inspect.signature(MM7Client.__init__).parameters
    async_ = inspect.signature(AsyncMM7Client.__init__).parameters
    assert [name for name in async_ if name != "pool_limit"] == list(sync)
    assert list(inspect.signature(AsyncMM7Client.for_sinch).parameters) == list(
        inspect.signature(MM7Client.for_sinch).parameters
    )
    for name in ("submit", "send", "cancel", "replace", "extended_cancel", "extended_replace"):
        assert inspect.iscoroutinefunction(getattr(AsyncMM7Client, name)), name
        assert list(inspect.signature(getattr(AsyncMM7Client, name)).parameters) == list(
            inspect.signature(getattr(MM7Client, name)).parameters
        )
    assert mm7.AsyncMM7Client is AsyncMM7Client
    assert repr(client_for("http://127.0.0.1:9/")).startswith("AsyncMM7Client('http://127.0.0.1:9/'")


def test_every_operation(loopback: Loopback) -> None:
    server = loopback(answer)

    async def main() -> list[str]:
        async with client_for(server.url) as client:
            result = await client.submit(
                client.sinch.submit_request("15553199144", subject="Hi"), content=[Part.from_text("Hi")]
            )
            assert result.message_id == "MID-0" and result.status_code == 1000 and result.attempts == 1
        # Sinch takes SubmitReq only: the other operations go to a relay with the generic profile.
        async with AsyncMM7Client(server.url, profile=Profile(vasp_id="VASP", vas_id="VAS")) as client:
            text = [Part.from_text("new")]
            answers = [
                await client.cancel("MID-0"),
                await client.replace("MID-0", content=mm7.related_content(text)),
                await client.extended_cancel("MID-0"),
                await client.extended_replace("MID-0", content=mm7.related_content(text)),
            ]
            return [decoded.operation for decoded in answers]

    operations = asyncio.run(main())
    assert operations == ["CancelRsp", "ReplaceRsp", "extendedCancelRsp", "extendedReplaceRsp"]
    assert [r.decoded().operation for r in server.requests] == [
        "SubmitReq",
        "CancelReq",
        "ReplaceReq",
        "extendedCancelReq",
        "extendedReplaceReq",
    ]


def test_file_parts_are_streamed_off_the_loop(loopback: Loopback, tmp_path: Path) -> None:
    """A 3 MB file goes out whole and exact, read in worker threads, while the loop keeps ticking."""
    image = tmp_path / "big.png"
    data = b"\x89PNG" + bytes(range(256)) * (3 * 4096)
    image.write_bytes(data)
    server = loopback(answer)
    readers: set[int] = set()
    original = EncodedBody.__iter__

    def spying_iter(self: EncodedBody) -> Any:
        for chunk in original(self):
            readers.add(threading.get_ident())
            yield chunk

    async def main() -> float:
        ticks: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0.005)

        task = asyncio.create_task(ticker())
        async with client_for(server.url) as client:
            request = client.sinch.submit_request("15553199144", subject="Big")
            await client.submit(request, content=[Part.from_file(image, "image/png")])
        stop.set()
        await task
        return max(b - a for a, b in itertools.pairwise(ticks))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EncodedBody, "__iter__", spying_iter)
        largest_gap = asyncio.run(main())
    (seen,) = server.requests
    assert seen.size == int(seen.header("Content-Length") or 0) and not seen.chunked
    assert seen.body is not None and data in seen.body
    assert seen.decoded().message.sender_identification.vasp_id == "API-KEY"
    assert threading.get_ident() not in readers  # the file was read in worker threads only
    assert largest_gap < 0.25


def test_one_throttle_for_every_task_and_thread_of_an_account(loopback: Loopback) -> None:
    server = loopback(answer)
    Throttle.forget_shared("sinch:THROTTLED")
    rates = [Rate(4, 0.5)]

    async def main() -> float:
        a = AsyncMM7Client.for_sinch(
            api_key="THROTTLED", short_code="12345", endpoint=server.url, rates=rates
        )
        b = AsyncMM7Client.for_sinch(
            api_key="THROTTLED", short_code="12345", endpoint=server.url, rates=rates
        )
        assert (
            a.throttle
            is b.throttle
            is MM7Client.for_sinch(
                api_key="THROTTLED", short_code="12345", endpoint=server.url, rates=rates
            ).throttle
        )
        started = time.monotonic()
        async with a, b:
            sends = [
                client.submit(client.sinch.submit_request("15553199144"), content=[Part.from_text("x")])
                for client in (a, b) * 5
            ]
            await asyncio.gather(*sends)
        return time.monotonic() - started

    try:
        elapsed = asyncio.run(main())
    finally:
        Throttle.forget_shared("sinch:THROTTLED")
    assert server.count == 10
    assert elapsed >= 1.0  # 10 sends at 4 per 0.5 s: the third window opens 1.0 s after the first


def test_call_deadline(loopback: Loopback) -> None:
    def slow(received: Received) -> Reply:
        status, headers, body = answer(received)
        assert isinstance(body, bytes)
        return (
            status,
            headers,
            Drip(body, interval=0.2),
        )  # never too slow for a read timeout, too slow overall

    server = loopback(slow)

    async def main() -> None:
        async with client_for(server.url, deadline=0.5) as client:
            await client.submit(client.sinch.submit_request("15553199144"), content=[Part.from_text("x")])

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught:
        asyncio.run(main())
    assert time.monotonic() - started < 2.0
    assert caught.value.phase == "sent" and caught.value.request_sent is True
    assert caught.value.transaction_id is not None


def test_connection_refused_is_retried_as_unsent(closed_port: int) -> None:
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def main() -> None:
        url = f"http://127.0.0.1:{closed_port}/mm7"
        async with client_for(url, retry=RetryPolicy(total_attempts=3), sleep=sleep) as client:
            await client.submit(client.sinch.submit_request("15553199144"), content=[Part.from_text("x")])

    with pytest.raises(mm7.TransportError) as caught:
        asyncio.run(main())
    assert caught.value.request_sent is False
    assert len(delays) == 2


def test_two_hundred_in_flight_on_one_loop(loopback: Loopback) -> None:
    server = loopback(answer)

    async def main() -> list[str | None]:
        async with client_for(server.url, pool_limit=200) as client:

            async def one(index: int) -> str | None:
                request = client.sinch.submit_request("15553199144", subject=str(index))
                return (await client.submit(request, content=[Part.from_text("x")])).message_id

            return await asyncio.gather(*(one(index) for index in range(200)))

    ids = asyncio.run(main())
    assert len(set(ids)) == 200 and server.count == 200
