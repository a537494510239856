"""Send many SubmitReqs from asyncio: the async twin of :func:`mm7.client.bulk.send_many`.

:func:`send_many_async` drives an :class:`~mm7.client.AsyncMM7Client` with at most ``max_in_flight``
submits at once on one event loop and yields each message's :class:`~mm7.client.bulk.BulkResult` as soon
as it is known (completion order, not input order; ``result.index`` is the input position).

The journal keeps the sync sender's promises: a run killed at any moment and started again with the same
messages sends nothing twice (accepted messages are reported ``accepted`` with ``earlier=True``; messages
in flight at the kill are ``unknown`` and not resent unless ``resend_unknown=True``). One thing is
stricter: "sending" is recorded once the throttle has given the message its slot, right before the first
byte goes out, so a message that was only waiting for the throttle when the run died is simply sent by
the next run. Journal writes run in worker threads, never on the event loop.

``journal`` is a :class:`~mm7.client.journal.Journal`, a SQLite file path, or a PostgreSQL URL with a
``campaign`` name. With PostgreSQL, several processes on several hosts send one campaign together
(:mod:`mm7.client.postgres`): each takes the next unsent message from the shared journal, so every message
goes out at most once, and each yields the results of the messages *it* sent;
``PostgresJournal(url, campaign).entries()`` is the whole campaign's record. Their combined rate stays
under the account's limit when the client's throttle is a :class:`~mm7.client.postgres.PostgresThrottle`
(a client with an in-process throttle is refused: each process would allow the whole limit).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mm7.client.bulk import BulkItem, BulkResult, ProgressCallback, earlier_result, error_result, keyed_items
from mm7.client.journal import Journal
from mm7.codec.messages import new_transaction_id
from mm7.errors import ConfigError, MM7Error

if TYPE_CHECKING:
    from mm7.client._async import AsyncMM7Client
    from mm7.client.postgres import PostgresJournal
    from mm7.codec.message_types import SubmitReq

__all__ = ["send_many_async"]


class _ClaimLost(Exception):
    """The shared journal no longer gives this process the message: it is not sent."""


class _Run:
    """One call's state: the items, the journal, the results queue and the progress count."""

    def __init__(
        self,
        client: AsyncMM7Client,
        items: list[BulkItem],
        keys: list[str],
        journal: Journal | PostgresJournal | None,
        progress: ProgressCallback | None,
        resend_unknown: bool,
        deadline: float | None,
    ) -> None:
        self.client, self.items, self.keys, self.journal = client, items, keys, journal
        self.progress, self.resend_unknown, self.deadline = progress, resend_unknown, deadline
        self.index_of = {key: index for index, key in enumerate(keys)}
        self.results: asyncio.Queue[BulkResult | BaseException | None] = asyncio.Queue()
        self.done = 0

    def emit(self, result: BulkResult) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(result, self.done, len(self.items))
        self.results.put_nowait(result)

    async def record(self, method: Callable[..., object], *args: object) -> Any:
        return await asyncio.to_thread(method, *args)

    async def send(self, index: int) -> BulkResult:
        """Submit item ``index``; journal "sending" before its first byte, then its outcome."""
        key, item, journal = self.keys[index], self.items[index], self.journal
        transaction_id = new_transaction_id()
        mark: Callable[[], Awaitable[None]] | None = None
        if journal is not None:

            async def mark() -> None:
                if await self.record(journal.record_sending, key, transaction_id) is False:
                    raise _ClaimLost(key)

        try:
            result = await self.client._submit(
                item.message, item.content, transaction_id, self.deadline, mark
            )
        except MM7Error as exc:
            failure = error_result(index, key, transaction_id, exc)
            if journal is not None:
                settle = journal.record_failed if failure.acceptance == "failed" else journal.record_unknown
                await self.record(settle, key, str(exc))
            return failure
        if journal is not None:
            await self.record(journal.record_accepted, key, result.message_id)
        return BulkResult(index, key, "accepted", result.message_id, transaction_id, reason="accepted")

    async def work_through(self, indexes: Iterator[int]) -> None:
        """A worker over the local journal (or none): every item gets a result, earlier runs' included."""
        for index in indexes:  # one shared iterator: the workers take turns
            if self.journal is not None:
                entry = await self.record(self.journal.get, self.keys[index])
                earlier = earlier_result(index, self.keys[index], entry, self.resend_unknown)
                if earlier is not None:
                    self.emit(earlier)
                    continue
            self.emit(await self.send(index))

    async def work_through_claims(self, journal: PostgresJournal) -> None:
        """A worker over the shared journal: claim the next message until none is left."""
        while (key := await self.record(journal.claim, self.resend_unknown)) is not None:
            try:
                self.emit(await self.send(self.index_of[key]))
            except _ClaimLost:
                continue


def _is_postgres_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("postgresql://", "postgres://"))


def _open(
    journal: Journal | PostgresJournal | str | Path | None, campaign: str | None
) -> tuple[Journal | PostgresJournal | None, bool]:
    """The journal object, and whether this call opened it (and so closes it)."""
    if _is_postgres_url(journal):
        if campaign is None:
            raise ConfigError("a PostgreSQL journal needs campaign= (the name every process of it uses)")
        from mm7.client.postgres import PostgresJournal

        return PostgresJournal(str(journal), campaign), True
    if campaign is not None:
        raise ConfigError("campaign= names a campaign in a PostgreSQL journal (journal='postgresql://…')")
    if isinstance(journal, str | Path):
        return Journal(journal), True
    return journal, False


async def send_many_async(
    client: AsyncMM7Client,
    messages: Iterable[BulkItem | SubmitReq],
    *,
    max_in_flight: int = 16,
    journal: Journal | PostgresJournal | str | Path | None = None,
    campaign: str | None = None,
    progress: ProgressCallback | None = None,
    resend_unknown: bool = False,
    deadline: float | None = None,
) -> AsyncIterator[BulkResult]:
    """Submit many messages from asyncio; yield each one's outcome as it completes.

    Args:
        client: The client (its throttle, retry policy and profile apply to every message).
        messages: :class:`~mm7.client.bulk.BulkItem` objects, or SubmitReqs whose Content is already set.
        max_in_flight: Most submits in progress at once (the client's ``pool_limit`` bounds connections).
        journal: What makes the run resumable: a :class:`~mm7.client.journal.Journal`, a SQLite file path,
            a :class:`~mm7.client.postgres.PostgresJournal`, or a PostgreSQL URL (with ``campaign``).
        campaign: The campaign's name in a PostgreSQL journal given as a URL.
        progress: Called as ``progress(result, done, total)`` on the event loop after each message.
            With a shared journal, ``done`` counts this process's messages and ``total`` the campaign's.
        resend_unknown: Resend messages a previous run left in doubt. This can deliver duplicates.
        deadline: Seconds each message's submit may take, retries included (the client's when None).

    Yields:
        One :class:`~mm7.client.bulk.BulkResult` per message (with a shared journal: per message this
        process sent), in completion order. Errors are reported in the results, never raised. Leaving
        the loop early cancels the submits in flight: those messages are then in doubt.

    Raises:
        ConfigError: ``max_in_flight`` < 1, two items share a key, a shared journal with a client whose
            throttle is in-process, or a campaign started with other messages.
    """
    if max_in_flight < 1:
        raise ConfigError(f"max_in_flight must be >= 1, got {max_in_flight}")
    items, keys = keyed_items(messages)
    opened, close = await asyncio.to_thread(_open, journal, campaign)
    run = _Run(client, items, keys, opened, progress, resend_unknown, deadline)
    workers: list[asyncio.Task[None]] = []
    try:
        if opened is not None and not isinstance(opened, Journal):  # shared through PostgreSQL
            _check_shared_throttle(client)
            await asyncio.to_thread(opened.start, keys)
            workers = [asyncio.create_task(run.work_through_claims(opened)) for _ in range(max_in_flight)]
        else:
            indexes = iter(range(len(items)))
            workers = [asyncio.create_task(run.work_through(indexes)) for _ in range(max_in_flight)]
        workers.append(asyncio.create_task(_finish(list(workers), run.results)))
        while (result := await run.results.get()) is not None:
            if isinstance(result, BaseException):
                raise result
            yield result
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if close and opened is not None:
            await asyncio.to_thread(opened.close)


async def _finish(
    workers: list[asyncio.Task[None]], results: asyncio.Queue[BulkResult | BaseException | None]
) -> None:
    """Wait for the workers; queue the first worker error, or None once all are done."""
    for done in asyncio.as_completed(workers):
        try:
            await done
        except Exception as exc:
            results.put_nowait(exc)
            return
    results.put_nowait(None)


def _check_shared_throttle(client: AsyncMM7Client) -> None:
    from mm7.client.postgres import PostgresThrottle

    throttle = client.throttle
    if throttle is not None and throttle.rates and not isinstance(throttle, PostgresThrottle):
        raise ConfigError(
            f"a campaign shared through PostgreSQL needs the account's throttle there too: {throttle!r} "
            "limits this process only; pass throttle=PostgresThrottle(url, name, rates) to the client"
        )
