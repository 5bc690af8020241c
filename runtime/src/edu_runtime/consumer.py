"""Idempotent consumers, bounded retries and the dead-letter topic.

- ``Inbox.apply_once`` records the event id in the same unit of work as the
  change it causes, so a redelivered event changes nothing the second time.
- ``dead_letter_middleware`` retries a failing handler a bounded number of
  times, then publishes the message with the failure reason to
  ``edu.dead-letter.v1`` and lets the offset move on: nothing is dropped
  silently and one poisoned message does not stall a partition. Messages that
  cannot even be parsed are not retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from edu_contracts import topics
from edu_contracts.dead_letter import DeadLetter
from faststream import BaseMiddleware
from faststream.exceptions import IgnoredException
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from pydantic import ValidationError
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from edu_runtime.metrics import ServiceMetrics, messaging_attributes
from edu_runtime.mongo import DUPLICATE_KEY, Doc
from edu_runtime.pseudonym import redact_personal_codes
from edu_runtime.unit_of_work import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)

Work = Callable[[UnitOfWork], Awaitable[None]]


class Inbox:
    """Event ids a consumer has applied (collection ``inbox``)."""

    def __init__(self, units: UnitsOfWork, db: AsyncDatabase[Doc], consumer: str) -> None:
        self._units = units
        self.collection = db["inbox"]
        self._consumer = consumer

    def _key(self, event_id: UUID) -> str:
        return f"{self._consumer}:{event_id}"

    async def seen(self, event_id: UUID) -> bool:
        return await self.collection.find_one({"_id": self._key(event_id)}) is not None

    async def unseen(self, event_ids: Iterable[UUID]) -> list[UUID]:
        """The ids (in the order given, without repeats) not applied before."""
        wanted = list(dict.fromkeys(event_ids))
        if not wanted:
            return []
        found = await self.collection.find(
            {"_id": {"$in": [self._key(e) for e in wanted]}}, {"_id": 1}
        ).to_list()
        applied = {doc["_id"] for doc in found}
        return [e for e in wanted if self._key(e) not in applied]

    async def apply_once(self, event_id: UUID, work: Work) -> bool:
        """Run ``work`` as one unit of work together with recording ``event_id``.

        Returns False (and changes nothing) if the event was applied before.
        """
        if await self.seen(event_id):
            return False
        try:
            await self.apply_all([event_id], work)
        except ConcurrentDelivery:
            return False
        return True

    async def apply_all(self, event_ids: Sequence[UUID], work: Work) -> None:
        """Run ``work`` as one unit of work together with recording all of
        ``event_ids`` (which the caller has found ``unseen``).

        Raises ConcurrentDelivery (and changes nothing) if another delivery
        recorded one of them meanwhile: the caller's retry will skip it.
        """

        async def change(uow: UnitOfWork) -> None:
            await self.record(uow, event_ids)
            await work(uow)

        await self._units.run(change)

    async def record(self, uow: UnitOfWork, event_ids: Sequence[UUID]) -> None:
        """Record ``event_ids`` as applied within ``uow``; ConcurrentDelivery
        (and the unit of work aborted) if one was recorded meanwhile."""
        now = dt.datetime.now(dt.UTC)
        try:
            await self.collection.insert_many(
                [{"_id": self._key(e), "at": now} for e in event_ids], session=uow.session
            )
        except (DuplicateKeyError, BulkWriteError) as err:
            if not _only_duplicates(err):
                raise
            await uow.session.abort_transaction()
            raise ConcurrentDelivery from None


def _only_duplicates(err: DuplicateKeyError | BulkWriteError) -> bool:
    if isinstance(err, DuplicateKeyError):
        return True
    errors = err.details.get("writeErrors") or []
    return bool(errors) and all(e.get("code") == DUPLICATE_KEY for e in errors)


async def prune_inbox(db: AsyncDatabase[Doc], older_than: dt.datetime) -> int:
    """Forget applied event ids recorded before ``older_than``; returns how many.

    Safe once no delivery of those events can arrive any more: the cut-off must
    lie beyond the longest Kafka retention (dead letters, which operators may
    replay, are kept 30 days)."""
    result = await db["inbox"].delete_many({"at": {"$lt": older_than}})
    return result.deleted_count


async def keep_inbox_pruned(
    db: AsyncDatabase[Doc], *, keep: dt.timedelta, every_seconds: float
) -> None:
    """Background task: prune the inbox now and then, for ever."""
    while True:
        try:
            deleted = await prune_inbox(db, dt.datetime.now(dt.UTC) - keep)
            if deleted:
                log.info("inbox pruned", extra={"deleted": deleted})
        except Exception:
            log.exception("inbox pruning failed; trying again later")
        await asyncio.sleep(every_seconds)


class ConcurrentDelivery(Exception):
    """Another delivery of the same event was applied first."""


PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    ValidationError,
    json.JSONDecodeError,
    UnicodeDecodeError,
)


class PermanentError(Exception):
    """A handler's way to say: retrying will not help, dead-letter it now."""


def is_permanent(exc: BaseException) -> bool:
    return isinstance(exc, (*PERMANENT_ERRORS, PermanentError))


T = TypeVar("T")


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    consumer: str,
    max_attempts: int,
    backoff_seconds: float,
    records: int = 1,
) -> T:
    """``call()``, retried with exponential backoff up to ``max_attempts`` times;
    a permanent error (or FastStream's IgnoredException) is raised at once."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call()
        except IgnoredException:
            raise
        except Exception as exc:
            if is_permanent(exc) or attempt >= max_attempts:
                raise
            log.warning(
                "handler failed, retrying",
                extra={
                    "consumer": consumer,
                    "attempt": attempt,
                    "records": records,
                    "error": type(exc).__name__,
                },
            )
            await asyncio.sleep(backoff_seconds * 2 ** (attempt - 1))


def attempts_made(exc: BaseException, max_attempts: int) -> int:
    """How many attempts ``with_retries`` made before giving up with ``exc``."""
    return 1 if is_permanent(exc) else max_attempts


def dead_letter_middleware(
    broker_ref: Callable[[], KafkaBroker],
    *,
    consumer: str,
    max_attempts: int,
    backoff_seconds: float,
    metrics: ServiceMetrics | None = None,
) -> Callable[..., BaseMiddleware]:
    class DeadLetterMiddleware(BaseMiddleware):
        async def consume_scope(
            self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
        ) -> Any:
            started = time.perf_counter()
            error: str | None = None
            try:
                return await with_retries(
                    lambda: call_next(msg),
                    consumer=consumer,
                    max_attempts=max_attempts,
                    backoff_seconds=backoff_seconds,
                )
            except IgnoredException:
                raise
            except Exception as exc:
                error = type(exc).__name__
                attempts = attempts_made(exc, max_attempts)
                await _dead_letter(broker_ref(), consumer, msg, exc, attempts, metrics)
                return None
            finally:
                _observe_single(metrics, msg, time.perf_counter() - started, error)

    return DeadLetterMiddleware


def _observe_single(
    metrics: ServiceMetrics | None, msg: StreamMessage[Any], seconds: float, error: str | None
) -> None:
    """Messaging metrics of a single-record consumer (batch consumers record
    their own, per record, in ``edu_runtime.batches``)."""
    raw = msg.raw_message
    if metrics is None or isinstance(raw, (tuple, list)):
        return
    group = getattr(getattr(msg, "consumer", None), "_group_id", None)
    attributes = messaging_attributes(getattr(raw, "topic", None) or "unknown", group)
    metrics.consumed.add(1, attributes)
    if error is not None:
        attributes["error.type"] = error
    metrics.process_duration.record(seconds, attributes)


async def _dead_letter(
    broker: KafkaBroker,
    consumer: str,
    msg: StreamMessage[Any],
    exc: Exception,
    attempts: int,
    metrics: ServiceMetrics | None = None,
) -> None:
    raw = msg.raw_message
    # A batch that failed as a whole: every record is dead-lettered on its own.
    records = raw if isinstance(raw, (tuple, list)) else (raw,)
    group = getattr(getattr(msg, "consumer", None), "_group_id", None)
    for record in records:
        await dead_letter_record(
            broker, consumer, record, exc, attempts, metrics=metrics, group=group
        )


async def dead_letter_record(
    broker: KafkaBroker,
    consumer: str,
    record: Any,
    exc: BaseException,
    attempts: int,
    *,
    metrics: ServiceMetrics | None = None,
    group: str | None = None,
) -> None:
    """Publish one consumed record (an aiokafka ``ConsumerRecord``) with the
    reason it could not be processed to the dead-letter topic."""
    topic = getattr(record, "topic", None) or "unknown"
    key = getattr(record, "key", None)
    value = getattr(record, "value", None)
    headers = getattr(record, "headers", None) or ()
    letter = DeadLetter(
        original_topic=topic,
        partition=getattr(record, "partition", None),
        offset=getattr(record, "offset", None),
        key=key.decode("utf-8", "replace") if isinstance(key, bytes) else key,
        value=value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value),
        headers={
            k: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for k, v in headers
        },
        consumer=consumer,
        error_type=type(exc).__name__,
        reason=redact_personal_codes(str(exc))[:2000],
        attempts=attempts,
        failed_at=dt.datetime.now(dt.UTC),
    )
    log.error(
        "message dead-lettered",
        extra={
            "consumer": consumer,
            "topic": topic,
            "error": letter.error_type,
            "attempts": attempts,
        },
    )
    if metrics is not None:
        # The reason text stays out of the labels (free text); its type is enough.
        attributes = messaging_attributes(topic, group or consumer)
        attributes["error.type"] = letter.error_type
        metrics.dead_letters.add(1, attributes)
    await broker.publish(
        letter.model_dump_json().encode(),
        topics.DEAD_LETTER,
        key=letter.key.encode() if letter.key else None,
        headers={"content-type": "application/json"},
    )
