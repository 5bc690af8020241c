"""Sampled gauges: outbox backlog, inbox size and consumer lag, measured by a
background task every ``EDU_METRICS_SAMPLE_SECONDS`` (15 s) instead of on each
scrape, so a scrape never waits on the database or the broker.

The queries are chosen to stay cheap: the outbox is small (records are deleted
once published) and read with a bounded count and one indexed ``find``; the
inbox, which is large, with ``estimated_document_count`` (collection metadata
on MongoDB); consumer lag with one ListOffsets request per consumer and the
consumers' local positions. None of it is traced (``suppress_instrumentation``):
a poll every few seconds would bury the request traces.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.utils import suppress_instrumentation
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from edu_runtime.metrics import Attributes, ServiceMetrics, messaging_attributes
from edu_runtime.mongo import Doc

log = logging.getLogger(__name__)

Sample = Callable[[], Awaitable[None]]

# Counting more outbox records than this says nothing more (the alert fires far
# below it) and would only make the count slower.
OUTBOX_COUNT_LIMIT = 100_000


async def sample_outbox(outbox: AsyncCollection[Doc], metrics: ServiceMetrics) -> None:
    with suppress_instrumentation():
        count = await outbox.count_documents({}, limit=OUTBOX_COUNT_LIMIT)
        oldest = await outbox.find_one({}, {"created_at": 1}, sort=[("created_at", ASCENDING)])
    metrics.outbox_records.set(count)
    age = 0.0
    if oldest is not None and isinstance(oldest.get("created_at"), dt.datetime):
        created: dt.datetime = oldest["created_at"]
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        age = max((dt.datetime.now(dt.UTC) - created).total_seconds(), 0.0)
    metrics.outbox_oldest_age.set(age)


async def sample_inbox(db: AsyncDatabase[Doc], metrics: ServiceMetrics) -> None:
    with suppress_instrumentation():
        count = await db["inbox"].estimated_document_count()
    metrics.inbox_records.set(count)


async def sample_consumer_lag(broker: KafkaBroker, metrics: ServiceMetrics) -> None:
    """Lag per consumer group and partition: the partition's end offset minus
    the position this process's consumer has reached."""
    rows: list[tuple[float, Attributes]] = []
    for subscriber in broker.subscribers:
        consumer: Any = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        assigned = list(consumer.assignment())
        if not assigned:
            continue
        group = getattr(consumer, "_group_id", None)  # aiokafka has no public accessor
        ends = await asyncio.wait_for(consumer.end_offsets(assigned), 5.0)
        for tp in assigned:
            try:
                position = await asyncio.wait_for(consumer.position(tp), 1.0)
            except (TimeoutError, KafkaError):  # no position yet (rebalancing): no row now
                continue
            attributes = messaging_attributes(tp.topic, group)
            attributes["messaging.destination.partition.id"] = str(tp.partition)
            rows.append((max(int(ends[tp]) - int(position), 0), attributes))
    metrics.consumer_lag.replace(rows)


class Sampler:
    """Runs every registered sample now and then, each failure logged and the
    others still taken."""

    def __init__(self, every_seconds: float) -> None:
        self._every = every_seconds
        self._samples: list[tuple[str, Sample]] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, name: str, sample: Sample) -> None:
        self._samples.append((name, sample))

    async def sample_all(self) -> None:
        for name, sample in self._samples:
            try:
                await sample()
            except Exception as exc:
                log.warning("metric sample failed", extra={"sample": name, "error": repr(exc)})

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="metrics-sampler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.sample_all()
            await asyncio.sleep(self._every)
