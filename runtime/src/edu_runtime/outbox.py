"""Transactional outbox.

A service writes its state change and the events it causes in one MongoDB
transaction (``Outbox.add_many`` with the transaction's session). ``OutboxRelay``
publishes pending records to Kafka in creation order and deletes each one once
the broker has acknowledged it, so the outbox never keeps personal data longer
than it takes to hand it over. Delivery is at least once: a crash between the
publish and the delete publishes again, and consumers dedupe on event_id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from edu_contracts.envelope import Envelope
from faststream.kafka import KafkaBroker
from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.context import Context
from opentelemetry.instrumentation.utils import suppress_instrumentation
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from edu_runtime.metrics import ServiceMetrics, messaging_attributes
from edu_runtime.mongo import Doc, outside_transactions

log = logging.getLogger(__name__)

CONTENT_TYPE = {"content-type": "application/json"}


class Outbox:
    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.collection = db["outbox"]
        self._wake = asyncio.Event()

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("created_at", ASCENDING)])

    async def add_many(
        self,
        events: Sequence[Envelope],
        session: AsyncClientSession,
        *,
        contexts: Sequence[Context] | None = None,
    ) -> None:
        """Record several events in one round trip, inside the caller's
        transaction. Each event continues the current trace, or the trace of
        its entry in ``contexts`` (batch consumers: each record's own)."""
        if not events:
            return
        if contexts is None:
            carrier = _trace_carrier()
            records = [_record(e, carrier) for e in events]
        else:
            records = [_record(e, _trace_carrier(c)) for e, c in zip(events, contexts, strict=True)]
        if len(records) == 1:  # most units of work: PyMongo's bulk path costs more client CPU
            await self.collection.insert_one(records[0], session=session)
        else:
            await self.collection.insert_many(records, session=session)

    def notify(self) -> None:
        """Wake the relay now (after a commit) instead of at its next poll."""
        self._wake.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()


def _trace_carrier(context: Context | None = None) -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context)  # the request's trace continues at the publish
    return carrier


def _record(event: Envelope, carrier: dict[str, str]) -> dict[str, Any]:
    return {
        "_id": str(event.event_id),
        "topic": event.TOPIC,
        "key": event.partition_key(),
        "value": event.model_dump_json(),
        "correlation_id": event.correlation_id,
        "trace": carrier,
        "created_at": dt.datetime.now(dt.UTC),
    }


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        broker: KafkaBroker,
        *,
        poll_seconds: float,
        batch: int = 200,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._outbox = outbox
        self._broker = broker
        self._poll = poll_seconds
        self._batch = batch
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        self._metrics = metrics

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = self._poll
        while True:
            try:
                sent = await self.publish_pending()
                backoff = self._poll
                if sent < self._batch:
                    await self._outbox.wait(self._poll)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying in %.1fs", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    async def publish_pending(self) -> int:
        """Publish one batch in creation order; returns how many it published.

        Records are handed to the producer one after the other (so each key keeps
        its order on its partition) without waiting for each acknowledgement;
        the batch is deleted once the broker has acknowledged all of it. A crash
        in between publishes the batch again: consumers dedupe on event_id.
        """
        # The relay's own bookkeeping is not traced: a poll every half second
        # would bury the request traces operators are looking for.
        client = self._outbox.collection.database.client
        # Never while a transaction of this process is open (the embedded
        # server would show its uncommitted records and commit half of it:
        # mongo.outside_transactions); the lock is not held while publishing.
        with suppress_instrumentation():
            async with outside_transactions(client):
                records = (
                    await self._outbox.collection.find({})
                    .sort("created_at", ASCENDING)
                    .limit(self._batch)
                    .to_list()
                )
        if not records:
            return 0
        pending = [await self._publish(record) for record in records]
        await asyncio.gather(*pending)
        with suppress_instrumentation():
            async with outside_transactions(client):
                await self._outbox.collection.delete_many(
                    {"_id": {"$in": [r["_id"] for r in records]}}
                )
        self.published += len(records)
        if self._metrics is not None:
            for record in records:
                self._metrics.sent.add(1, messaging_attributes(record["topic"], None))
        return len(records)

    async def _publish(self, record: dict[str, Any]) -> asyncio.Future[Any]:
        token = otel_context.attach(propagate.extract(record.get("trace") or {}))
        try:
            return await self._broker.publish(
                record["value"].encode(),
                record["topic"],
                key=record["key"].encode(),
                headers=CONTENT_TYPE,
                correlation_id=record.get("correlation_id"),
                no_confirm=True,
            )
        finally:
            otel_context.detach(token)
