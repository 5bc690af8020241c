"""Kafka consumers of documents: render commands and retention's purge orders."""

from __future__ import annotations

from edu_contracts import topics
from edu_contracts.documents import DocumentCommand
from edu_contracts.retention import RetentionOrder
from edu_runtime.runtime import ServiceRuntime

from edu_documents.service import PURGE_CONSUMER, RENDER_CONSUMER, DocumentService


def register_consumers(runtime: ServiceRuntime, service: DocumentService) -> None:
    @runtime.subscriber(topics.DOCUMENT_COMMANDS, RENDER_CONSUMER)
    async def on_render_command(command: DocumentCommand) -> None:
        await service.render(command)

    @runtime.subscriber(topics.RETENTION_ORDERS, PURGE_CONSUMER)
    async def on_purge_order(order: RetentionOrder) -> None:
        await service.purge(order)
