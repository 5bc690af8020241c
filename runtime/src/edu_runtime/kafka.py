"""Kafka broker (FastStream over aiokafka) and topic provisioning."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider

from edu_runtime.consumer import dead_letter_middleware
from edu_runtime.metrics import ServiceMetrics
from edu_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


def create_broker(
    settings: ServiceSettings,
    tracer_provider: TracerProvider,
    metrics: ServiceMetrics | None = None,
) -> KafkaBroker:
    holder: list[KafkaBroker] = []
    broker = KafkaBroker(
        settings.kafka_bootstrap,
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        # Telemetry first, so the consume span covers retries and dead-lettering.
        middlewares=[
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            dead_letter_middleware(
                lambda: holder[0],
                consumer=settings.group_id,
                max_attempts=settings.consumer_max_attempts,
                backoff_seconds=settings.consumer_retry_backoff_seconds,
                metrics=metrics,
            ),
        ],
        logger=logging.getLogger(f"faststream.{settings.service_name}"),
        graceful_timeout=10.0,
    )
    holder.append(broker)
    return broker


async def ensure_topics(
    bootstrap: str, names: Iterable[str], *, partitions: int, replication: int
) -> None:
    """Create missing topics. The embedded broker keeps topics in memory only, so
    every service makes sure the topics it uses exist when it starts."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="edu-topic-provisioner")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=partitions, replication_factor=replication)
            for name in names
            if name not in existing
        ]
        if missing:
            # Another service may have created it first.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            log.info("created topics", extra={"topics": [t.name for t in missing]})
    finally:
        await admin.close()
