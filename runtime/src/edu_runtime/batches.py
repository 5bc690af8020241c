"""Batch consumers: take what Kafka has for a consumer (up to a limit) and
apply it with a handful of database round trips instead of a handful per record.

Why: a record applied on its own costs an inbox check, its reads, the inbox
insert, the outbox insert and a commit. Under load a batch pays those once;
when the topic is quiet a batch is the one record that arrived, so nobody waits
for a batch to fill.

Failures stay per record, as with single-record consumers:
- a record that cannot be parsed is dead-lettered alone, at once;
- if the handler fails for the batch, it is retried (bounded, with backoff);
  if it still fails, every record is retried alone, so only a poisoned record
  ends up on the dead-letter topic and the others are applied.

Traces: every record gets its own consumer span, a child of the span that
published it. A handler passes each record's ``Delivery.context`` with the
events it causes (``UnitOfWork.emit(..., context=...)``), so the request's
trace continues through the batch to the next service.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from faststream.kafka import KafkaBroker
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, StatusCode, Tracer
from pydantic import TypeAdapter

from edu_runtime.consumer import (
    PERMANENT_ERRORS,
    attempts_made,
    dead_letter_record,
    with_retries,
)
from edu_runtime.metrics import ServiceMetrics, messaging_attributes

log = logging.getLogger(__name__)

E = TypeVar("E")


@dataclass(frozen=True)
class Delivery(Generic[E]):
    """One parsed record of a batch."""

    event: E
    record: Any  # aiokafka ConsumerRecord
    context: Context  # carries this record's consumer span


BatchHandler = Callable[[Sequence[Delivery[E]]], Awaitable[None]]


class BatchConsumer(Generic[E]):
    def __init__(
        self,
        *,
        consumer: str,
        adapter: TypeAdapter[E],
        handle: BatchHandler[E],
        tracer: Tracer,
        broker: Callable[[], KafkaBroker],
        max_attempts: int,
        backoff_seconds: float,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._consumer = consumer
        self._adapter = adapter
        self._handle = handle
        self._tracer = tracer
        self._broker = broker
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds

    async def process(self, records: Sequence[Any]) -> None:
        """Apply a batch; never raises (what cannot be applied is dead-lettered)."""
        started = time.perf_counter()
        deliveries: list[Delivery[E]] = []
        spans: list[Span] = []
        try:
            for record in records:
                span = self._span(record)
                spans.append(span)
                try:
                    event = self._adapter.validate_json(record.value or b"")
                except PERMANENT_ERRORS as exc:
                    _failed(span, exc)
                    await dead_letter_record(
                        self._broker(), self._consumer, record, exc, 1, metrics=self._metrics
                    )
                    continue
                deliveries.append(Delivery(event, record, trace.set_span_in_context(span)))
            if deliveries:
                await self._apply(deliveries)
        finally:
            for span in spans:
                span.end()
            self._observe(records, time.perf_counter() - started)

    def _observe(self, records: Sequence[Any], seconds: float) -> None:
        if self._metrics is None or not records:
            return
        group = {"messaging.consumer.group.name": self._consumer}
        self._metrics.consumer_batch_size.record(len(records), group)
        for topic, count in Counter(r.topic for r in records).items():
            attributes = messaging_attributes(topic, self._consumer)
            self._metrics.consumed.add(count, attributes)
            self._metrics.process_duration.record(seconds, attributes)

    async def _apply(self, deliveries: list[Delivery[E]]) -> None:
        if len(deliveries) == 1:
            await self._apply_alone(deliveries[0])
            return
        try:
            await self._with_retries(deliveries)
        except Exception as exc:
            log.warning(
                "batch failed, applying its records one by one",
                extra={
                    "consumer": self._consumer,
                    "records": len(deliveries),
                    "error": type(exc).__name__,
                },
            )
            for delivery in deliveries:
                await self._apply_alone(delivery)

    async def _apply_alone(self, delivery: Delivery[E]) -> None:
        try:
            await self._with_retries([delivery])
        except Exception as exc:
            _failed(trace.get_current_span(delivery.context), exc)
            attempts = attempts_made(exc, self._max_attempts)
            await dead_letter_record(
                self._broker(),
                self._consumer,
                delivery.record,
                exc,
                attempts,
                metrics=self._metrics,
            )

    async def _with_retries(self, deliveries: list[Delivery[E]]) -> None:
        await with_retries(
            lambda: self._handle(deliveries),
            consumer=self._consumer,
            max_attempts=self._max_attempts,
            backoff_seconds=self._backoff,
            records=len(deliveries),
        )

    def _span(self, record: Any) -> Span:
        headers = {
            k: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            for k, v in record.headers or ()
        }
        return self._tracer.start_span(
            f"{record.topic} process",
            context=propagate.extract(headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation": "process",
                "messaging.destination.name": record.topic,
                "messaging.kafka.destination.partition": record.partition,
                "messaging.kafka.message.offset": record.offset,
                "messaging.consumer.group.name": self._consumer,
                # The request the record belongs to (the outbox relay sends it).
                "messaging.message.conversation_id": headers.get("correlation_id", ""),
            },
        )


def _failed(span: Span, exc: BaseException) -> None:
    span.record_exception(exc)
    span.set_status(StatusCode.ERROR, type(exc).__name__)
