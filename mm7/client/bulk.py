"""Send many SubmitReqs: bounded concurrency, the client's throttle, progress, and a resumable journal.

:func:`send_many` runs :meth:`MM7Client.submit` for each :class:`BulkItem` on a thread pool. Every attempt
takes a slot from the client's throttle, so the carrier's rate limits hold whatever the concurrency.

With a :class:`~mm7.client.journal.Journal` a run can be killed at any moment and started again with the
same items: messages already accepted are not sent again (reported ``accepted`` with ``earlier=True`` and
their MessageID), and messages that were in flight when the run died are reported as ``unknown`` and
*not* resent, because a SubmitReq is not
idempotent and the relay may have accepted them (pass ``resend_unknown=True`` to accept the risk of a
duplicate MMS). Each item is recognised across runs by its key: the caller's, or one derived from its
recipients, subject and content bytes (so give explicit keys when the same content is meant to go to the
same recipient twice).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from mm7.client._client import MM7Client
from mm7.client._core import acceptance
from mm7.client.journal import Journal, JournalEntry
from mm7.codec import summary
from mm7.codec.messages import new_transaction_id
from mm7.codec.mime import Part
from mm7.errors import (
    ConfigError,
    MM7Error,
)
from mm7.outcome import Outcome

__all__ = ["Acceptance", "BulkItem", "BulkResult", "message_key", "send_many"]

#: Did the relay take the message? One vocabulary, shared by the journal and ``mm7 send``: ``accepted`` (the
#: relay took it), ``failed`` (it certainly did not: safe to send again), ``unknown`` (it may have: a resend
#: may duplicate the MMS). What to do next is the other word, ``outcome`` (:mod:`mm7.outcome`).
Acceptance = Literal["accepted", "failed", "unknown"]


@dataclass(frozen=True)
class BulkItem:
    """One message of a bulk send.

    Attributes:
        message: The SubmitReq.
        content: Its content part, or media parts for the profile to wrap.
        key: Stable identity across runs; derived from recipients, subject and content when None.
    """

    message: Any
    content: Part | Sequence[Part] | None = None
    key: str | None = None


@dataclass(frozen=True)
class BulkResult:
    """What happened to one item.

    Attributes:
        index: Position of the item in the input.
        key: The item's key.
        acceptance: ``accepted`` (the relay took it), ``failed`` (certainly not accepted: safe to send
            again), ``unknown`` (may have been accepted: not resent unless asked). What to do next is
            :attr:`outcome`.
        message_id: The relay's MessageID when accepted.
        transaction_id: TransactionID of the send (or of the earlier run's send).
        error: The error, for ``failed`` and ``unknown`` items sent in this run.
        reason: One sentence for logs and progress displays.
        earlier: The acceptance is an earlier run's, read from the journal: nothing was sent in this run.
    """

    index: int
    key: str
    acceptance: Acceptance
    message_id: str | None = None
    transaction_id: str | None = None
    error: MM7Error | None = field(default=None, compare=False)
    reason: str = ""
    earlier: bool = False

    @property
    def ok(self) -> bool:
        """True when the message is known to be accepted (now or by an earlier run)."""
        return self.acceptance == "accepted"

    @property
    def outcome(self) -> Outcome:
        """What to do next (:mod:`mm7.outcome`): ``success`` when accepted, else the error's.

        An item an earlier run left in doubt is ``give_up``: resending it may deliver it twice.
        """
        if self.acceptance == "accepted":
            return "success"
        return self.error.outcome if self.error is not None else "give_up"


ProgressCallback = Callable[[BulkResult, int, int], None]


def message_key(message: Any, content: Part | Sequence[Part] | None = None) -> str:
    """A stable key for a message: SHA-256 of its recipients, subject and content bytes.

    Args:
        message: The SubmitReq.
        content: Its content (files are hashed by streaming them).

    Returns:
        A hex digest, identical across runs for the same recipients, subject and content.
    """
    digest = hashlib.sha256()
    for address in summary.recipients(message):
        digest.update(f"{address.group}:{address.kind}:{address.value}:{address.display_only}\0".encode())
    digest.update(f"subject:{summary.subject(message)}\0".encode())
    parts: Sequence[Part] = [content] if isinstance(content, Part) else list(content or ())
    for part in parts:
        for leaf in part.walk():
            if leaf.children is not None:
                digest.update(f"multipart:{leaf.content_type}\0".encode())
                continue
            digest.update(f"part:{leaf.content_type}:{leaf.content_id}\0".encode())
            for chunk in leaf.iter_bytes():
                digest.update(chunk)
    return digest.hexdigest()


def _certainly_not_sent(error: MM7Error) -> bool:
    """Whether the failed submit certainly did not take effect, so sending it again is safe."""
    return acceptance(error) == "failed"


def send_many(
    client: MM7Client,
    messages: Iterable[BulkItem | Any],
    *,
    concurrency: int = 4,
    journal: Journal | None = None,
    progress: ProgressCallback | None = None,
    resend_unknown: bool = False,
    deadline: float | None = None,
) -> list[BulkResult]:
    """Submit many messages and report each one's outcome, in input order.

    Args:
        client: The client (its throttle, retry policy and profile apply to every message).
        messages: :class:`BulkItem` objects, or bare SubmitReq objects whose Content is already set.
        concurrency: Most requests in flight at once.
        journal: Durable record making the run resumable (see the module docstring).
        progress: Called as ``progress(result, done, total)`` after each message, from worker threads
            but never concurrently (a rich progress bar can be advanced from it directly).
        resend_unknown: Resend messages a previous run left in doubt. This can deliver duplicates.
        deadline: Seconds each message's submit may take, retries included (the client's ``deadline``
            when None). A message whose deadline passes after its request went out is ``unknown``.

    Returns:
        One :class:`BulkResult` per message. Errors are reported in the results, never raised.

    Raises:
        ConfigError: ``concurrency`` < 1, or two items share a key.
    """
    if concurrency < 1:
        raise ConfigError(f"concurrency must be >= 1, got {concurrency}")
    items, keys = keyed_items(messages)
    total = len(items)
    done = 0
    progress_lock = threading.Lock()

    def run(index: int) -> BulkResult:
        nonlocal done
        result = _send_one(client, index, keys[index], items[index], journal, resend_unknown, deadline)
        with progress_lock:
            done += 1
            if progress is not None:
                progress(result, done, total)
        return result

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="mm7-bulk") as pool:
        return list(pool.map(run, range(total)))


def keyed_items(messages: Iterable[BulkItem | Any]) -> tuple[list[BulkItem], list[str]]:
    """The messages as BulkItems, and their keys.

    Raises:
        ConfigError: Two items share a key.
    """
    items = [m if isinstance(m, BulkItem) else BulkItem(m) for m in messages]
    keys = [item.key or message_key(item.message, item.content) for item in items]
    if len(set(keys)) != len(keys):
        duplicate = Counter(keys).most_common(1)[0][0]
        raise ConfigError(f"two messages have the same key {duplicate!r}; give them distinct keys")
    return items, keys


def earlier_result(
    index: int, key: str, entry: JournalEntry | None, resend_unknown: bool
) -> BulkResult | None:
    """The result an earlier run settled for this message, when it must not be sent now."""
    if entry is not None and entry.state == "accepted":
        return BulkResult(
            index,
            key,
            "accepted",
            entry.message_id,
            entry.transaction_id,
            reason="accepted by an earlier run",
            earlier=True,
        )
    if entry is not None and entry.in_doubt and not resend_unknown:
        return BulkResult(
            index,
            key,
            "unknown",
            transaction_id=entry.transaction_id,
            reason=f"an earlier run left it {entry.state!r}: it may have been accepted; not resent",
            earlier=True,
        )
    return None


def error_result(index: int, key: str, transaction_id: str, error: MM7Error) -> BulkResult:
    """The result of a submit that raised: ``failed`` when it certainly had no effect, else ``unknown``."""
    acceptance: Acceptance = "failed" if _certainly_not_sent(error) else "unknown"
    return BulkResult(index, key, acceptance, transaction_id=transaction_id, error=error, reason=str(error))


def _send_one(
    client: MM7Client,
    index: int,
    key: str,
    item: BulkItem,
    journal: Journal | None,
    resend_unknown: bool,
    deadline: float | None,
) -> BulkResult:
    if journal is not None:
        earlier = earlier_result(index, key, journal.get(key), resend_unknown)
        if earlier is not None:
            return earlier
    transaction_id = new_transaction_id()
    if journal is not None:
        journal.record_sending(key, transaction_id)
    try:
        result = client.submit(
            item.message, content=item.content, transaction_id=transaction_id, deadline=deadline
        )
    except MM7Error as exc:
        failure = error_result(index, key, transaction_id, exc)
        if journal is not None:
            record = journal.record_failed if failure.acceptance == "failed" else journal.record_unknown
            record(key, str(exc))
        return failure
    if journal is not None:
        journal.record_accepted(key, result.message_id)
    return BulkResult(index, key, "accepted", result.message_id, transaction_id, reason="accepted")
