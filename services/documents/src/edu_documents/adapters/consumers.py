"""Kafka consumers of documents: render commands and retention's purge orders."""

from __future__ import annotations

import time

from edu_contracts import topics
from edu_contracts.documents import DocumentCommand
from edu_contracts.retention import RetentionOrder
from edu_runtime.runtime import ServiceRuntime

from edu_documents.service import PURGE_CONSUMER, RENDER_CONSUMER, DocumentService


def register_consumers(runtime: ServiceRuntime, service: DocumentService) -> None:
    render_duration = runtime.metrics.histogram(
        "edu.documents.render.duration",
        "s",
        "Time from taking a render command to the PDF stored, by document kind.",
    )

    @runtime.subscriber(topics.DOCUMENT_COMMANDS, RENDER_CONSUMER)
    async def on_render_command(command: DocumentCommand) -> None:
        started = time.perf_counter()
        if await service.render(command):
            render_duration.record(
                time.perf_counter() - started,
                {"edu.document.kind": command.payload.content.kind.value},
            )

    @runtime.subscriber(topics.RETENTION_ORDERS, PURGE_CONSUMER)
    async def on_purge_order(order: RetentionOrder) -> None:
        await service.purge(order)
