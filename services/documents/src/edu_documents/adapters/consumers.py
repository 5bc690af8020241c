"""Kafka consumers of documents: render commands and retention's purge orders."""

from __future__ import annotations

import time
from collections.abc import Sequence

from edu_contracts import topics
from edu_contracts.documents import DocumentCommand, RenderRequested
from edu_contracts.retention import RetentionOrder
from edu_runtime.batches import Delivery
from edu_runtime.runtime import ServiceRuntime

from edu_documents.domain.model import DocumentStatus
from edu_documents.service import PURGE_CONSUMER, RENDER_CONSUMER, DocumentService
from edu_documents.settings import DocumentsSettings


def register_consumers(
    runtime: ServiceRuntime, service: DocumentService, settings: DocumentsSettings
) -> None:
    render_duration = runtime.metrics.histogram(
        "edu.documents.render.duration",
        "s",
        "Time from taking a batch of render commands to its PDFs stored, by document kind.",
    )

    async def on_render_commands(batch: Sequence[Delivery[RenderRequested]]) -> None:
        started = time.perf_counter()
        stored = await service.render_many([(d.event, d.context) for d in batch])
        seconds = time.perf_counter() - started
        for record in stored:
            if record.status is DocumentStatus.RENDERED:
                render_duration.record(seconds, {"edu.document.kind": record.kind.value})

    # In batches: under load, what Kafka has is rendered in turn and saved together.
    runtime.batch_subscriber(
        topics.DOCUMENT_COMMANDS,
        RENDER_CONSUMER,
        DocumentCommand,
        on_render_commands,
        max_records=settings.render_batch_max,
    )

    @runtime.subscriber(topics.RETENTION_ORDERS, PURGE_CONSUMER)
    async def on_purge_order(order: RetentionOrder) -> None:
        await service.purge(order)
