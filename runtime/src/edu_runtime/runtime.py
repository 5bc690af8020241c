"""Everything a service needs at run time, built once from its settings:
MongoDB client and database, Kafka broker, outbox and relay, units of work,
token verifier and tracer provider. Services compose their HTTP app and
consumers on top of it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from edu_contracts import topics
from edu_contracts.catalog import TOPIC_PAYLOADS
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import DefaultSubscriber
from faststream.message import StreamMessage
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from pydantic import SkipValidation, TypeAdapter
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from edu_runtime.auth import JwksKeyStore, TokenVerifier
from edu_runtime.batches import BatchConsumer, BatchHandler
from edu_runtime.consumer import Inbox, keep_inbox_pruned
from edu_runtime.kafka import create_broker, ensure_topics
from edu_runtime.metrics import ServiceMetrics
from edu_runtime.mongo import (
    CODEC_OPTIONS,
    Doc,
    SessionLedger,
    create_client,
    keep_session_ledger,
    serialize_transactions,
)
from edu_runtime.outbox import Outbox, OutboxRelay
from edu_runtime.samplers import Sampler, sample_consumer_lag, sample_inbox, sample_outbox
from edu_runtime.settings import ServiceSettings
from edu_runtime.telemetry import build_tracer_provider, instrument_pymongo
from edu_runtime.unit_of_work import Change, UnitsOfWork

log = logging.getLogger(__name__)

E = TypeVar("E")
T = TypeVar("T")


SLOW_SHUTDOWN_STEP_SECONDS = 2.0


class ShutdownIncomplete(RuntimeError):
    """Some parts of a service did not stop within their bound."""

    def __init__(self, service: str, steps: Sequence[str]) -> None:
        super().__init__(
            f"{service}: shutdown steps abandoned after their timeout: {', '.join(steps)}"
        )
        self.steps = list(steps)


async def _finished(task: asyncio.Task[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        await task


class ServiceRuntime:
    def __init__(
        self, settings: ServiceSettings, *, span_exporters: Sequence[SpanExporter] = ()
    ) -> None:
        self.settings = settings
        self.tracer_provider: TracerProvider = build_tracer_provider(
            settings.service_name,
            otlp_endpoint=settings.otel_exporter_otlp_endpoint,
            traces_file=settings.otel_traces_file,
            extra_exporters=span_exporters,
        )
        instrument_pymongo(self.tracer_provider)
        self.metrics = ServiceMetrics(settings.service_name)
        self.mongo: AsyncMongoClient[Doc] = create_client(settings.mongo_url, settings.service_name)
        self._ledger: SessionLedger | None = None
        if settings.mongo_serialize_transactions:  # the embedded server
            serialize_transactions(self.mongo)
            self._ledger = keep_session_ledger(
                self.mongo, settings.data_dir / "mongo-sessions" / f"{settings.mongo_db}.txt"
            )
        self.db: AsyncDatabase[Doc] = self.mongo.get_database(
            settings.mongo_db, codec_options=CODEC_OPTIONS
        )
        self.broker: KafkaBroker = create_broker(settings, self.tracer_provider, self.metrics)
        self.outbox = Outbox(self.db)
        self.units = UnitsOfWork(self.mongo, self.outbox)
        self.relay = OutboxRelay(
            self.outbox,
            self.broker,
            poll_seconds=settings.outbox_poll_seconds,
            metrics=self.metrics,
        )
        # Gauges sampled in the background (services add their own with ``sampler.add``).
        self.sampler = Sampler(settings.metrics_sample_seconds)
        self.sampler.add("outbox", lambda: sample_outbox(self.outbox.collection, self.metrics))
        self.sampler.add("inbox", lambda: sample_inbox(self.db, self.metrics))
        self.sampler.add("consumer-lag", lambda: sample_consumer_lag(self.broker, self.metrics))
        self.verifier = TokenVerifier(
            JwksKeyStore(settings.jwks_path),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            leeway=settings.jwt_leeway_seconds,
        )
        self._started = False
        self._pruner: asyncio.Task[None] | None = None
        self.publishes(topics.DEAD_LETTER)

    # --- messaging -------------------------------------------------------
    def subscriber(self, topic: str, name: str, **kwargs: Any) -> DefaultSubscriber:
        """A consumer of ``topic`` in its own consumer group ``<service>.<name>``,
        committing only after the handler (and its transaction) finished."""
        subscriber: DefaultSubscriber = self.broker.subscriber(
            topic,
            group_id=f"{self.settings.group_id}.{name}",
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.ACK,
            fetch_max_wait_ms=self.settings.consumer_fetch_max_wait_ms,
            title=f"{self.settings.service_name}:{name}",
            **kwargs,
        )
        return subscriber

    def batch_subscriber(
        self,
        topic: str,
        name: str,
        event_type: Any,
        handle: BatchHandler[E],
        *,
        max_records: int | None = None,
    ) -> None:
        """A consumer of ``topic`` (group ``<service>.<name>``) that applies what
        Kafka has in batches (see ``edu_runtime.batches``); each record is parsed
        as ``event_type``. ``max_records``: a smaller bound than the setting's,
        for a consumer whose records are costly (a batch is applied whole)."""
        consumer: BatchConsumer[E] = BatchConsumer(
            consumer=f"{self.settings.group_id}.{name}",
            adapter=TypeAdapter(event_type),
            handle=handle,
            tracer=self.tracer_provider.get_tracer("edu_runtime.batches"),
            broker=lambda: self.broker,
            max_attempts=self.settings.consumer_max_attempts,
            backoff_seconds=self.settings.consumer_retry_backoff_seconds,
            metrics=self.metrics,
        )

        async def raw_records(msg: StreamMessage[Any]) -> Any:
            return list(msg.raw_message)

        async def batch_message(
            records: Any, parse: Callable[[Any], Awaitable[StreamMessage[Any]]]
        ) -> StreamMessage[Any]:
            message = await parse(records)
            # A batch carries many requests: FastStream would label the batch's
            # span (in a trace of its own, linked to the records') with the
            # first record's correlation id. It gets the batch's id instead;
            # each record's span carries its record's (BatchConsumer).
            message.correlation_id = message.message_id
            return message

        subscriber = self.broker.subscriber(
            topic,
            batch=True,
            max_records=min(
                max_records or self.settings.consumer_batch_max_records,
                self.settings.consumer_batch_max_records,
            ),
            # Idle polls return after this long; a record arriving then waits
            # at most as long again.
            batch_timeout_ms=50,
            group_id=f"{self.settings.group_id}.{name}",
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.ACK,
            fetch_max_wait_ms=self.settings.consumer_fetch_max_wait_ms,
            decoder=raw_records,
            parser=batch_message,
            title=f"{self.settings.service_name}:{name}",
        )

        async def on_batch(records: list[Any]) -> None:
            await consumer.process(records)

        # What the AsyncAPI document shows is one record's schema (what each
        # Kafka message carries). FastStream must not validate the batch: the
        # BatchConsumer parses record by record, so one bad record cannot fail
        # the others. Set as an object, not a string: it is local to this call.
        on_batch.__annotations__["records"] = Annotated[event_type, SkipValidation()]  # type: ignore[type-arg]
        subscriber(on_batch)

    def publishes(self, *topic_names: str) -> None:
        """Declare what this service publishes, for the AsyncAPI document (the
        outbox relay does the actual publishing)."""
        for name in topic_names:
            self.broker.publisher(
                name,
                title=f"{self.settings.service_name}:{name}",
                schema=TOPIC_PAYLOADS[name],
                description=f"Published by {self.settings.service_name} through its outbox.",
            )

    def inbox(self, consumer: str) -> Inbox:
        return Inbox(self.units, self.db, consumer)

    async def unit_of_work(self, change: Change[T]) -> T:
        """Run ``change`` in one transaction with the events it emits (outbox),
        waking the relay after the commit (see ``edu_runtime.unit_of_work``)."""
        return await self.units.run(change)

    # --- lifecycle -------------------------------------------------------
    async def start(self) -> None:
        if self.settings.kafka_create_topics:
            await ensure_topics(
                self.settings.kafka_bootstrap,
                topics.ALL_TOPICS,
                partitions=self.settings.kafka_partitions,
                replication=self.settings.kafka_replication,
            )
        if self._ledger is not None:
            # Before any write: a predecessor killed mid-transaction left it open.
            ended = await self._ledger.end_left_over(self.mongo)
            if ended:
                log.warning("ended sessions a killed process left open", extra={"n": ended})
        await self.outbox.ensure_indexes()
        await self.db["inbox"].create_index("at")
        if self.settings.consumers_enabled:
            await self.broker.start()
            self._pruner = asyncio.create_task(
                keep_inbox_pruned(
                    self.db,
                    keep=dt.timedelta(days=self.settings.inbox_retention_days),
                    every_seconds=self.settings.inbox_prune_interval_seconds,
                ),
                name="inbox-pruner",
            )
        else:
            await self.broker.connect()
        if self.settings.outbox_relay_enabled:
            self.relay.start()
        self.sampler.start()
        self._started = True
        log.info("service started", extra={"service": self.settings.service_name})

    async def stop(self) -> None:
        """Stop every part, each within ``shutdown_step_timeout_seconds``.

        A step past its bound (an aiokafka consumer retrying its group
        coordinator forever on leaving, a producer waiting for acknowledgements
        that never come) is abandoned so the next parts still stop, and the stop
        then raises ``ShutdownIncomplete`` naming it: a process that exits
        anyway says why it was slow, and a test that tears a service down fails
        instead of waiting forever."""
        overran: list[str] = []

        async def bounded(step: str, work: Awaitable[Any]) -> None:
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.shutdown_step_timeout_seconds):
                    await work
                took = time.monotonic() - started
                if took > SLOW_SHUTDOWN_STEP_SECONDS:
                    log.warning(
                        "shutdown step slow", extra={"step": step, "seconds": round(took, 1)}
                    )
            except TimeoutError:
                overran.append(step)
                log.error(
                    "shutdown step abandoned",
                    extra={"step": step, "seconds": self.settings.shutdown_step_timeout_seconds},
                )

        await bounded("metrics sampler", self.sampler.stop())
        if self._pruner is not None:
            self._pruner.cancel()
            await bounded("inbox pruner", _finished(self._pruner))
        await bounded("outbox relay", self.relay.stop())
        await bounded("kafka broker", self.broker.stop())
        await bounded("mongodb client", self.mongo.close())
        self.tracer_provider.force_flush(timeout_millis=5_000)
        self.tracer_provider.shutdown()
        self.metrics.shutdown()
        if overran:
            raise ShutdownIncomplete(self.settings.service_name, overran)

    async def readiness(self) -> dict[str, bool]:
        async def mongo_ok() -> bool:
            try:
                await asyncio.wait_for(self.mongo.admin.command("ping"), 2.0)
                return True
            except Exception:
                return False

        async def kafka_ok() -> bool:
            try:
                return bool(await self.broker.ping(timeout=2.0))
            except Exception:
                return False

        mongo, kafka = await asyncio.gather(mongo_ok(), kafka_ok())
        return {"mongodb": mongo, "kafka": kafka and self._started}
