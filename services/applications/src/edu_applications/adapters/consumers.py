"""Kafka consumers of applications: eligibility verdicts (in batches: one per
submission, the busiest flow), rendered documents (in batches: one per receipt
and return), purge orders, the messages
notifications sent. Each is
idempotent (inbox) and changes state only through the use cases."""

from __future__ import annotations

from edu_contracts import topics
from edu_contracts.documents import DocumentEvent
from edu_contracts.notifications import MessageSent, NotificationEvent
from edu_contracts.registry import RegistryEvent
from edu_contracts.retention import RetentionOrder
from edu_runtime.runtime import ServiceRuntime

from edu_applications.service import ApplicationService
from edu_applications.service.sent_messages import SentMessages


def register_consumers(
    runtime: ServiceRuntime, service: ApplicationService, sent_messages: SentMessages
) -> None:
    runtime.batch_subscriber(
        topics.REGISTRY_VERDICTS, "verdicts", RegistryEvent, service.apply_verdicts
    )

    runtime.batch_subscriber(
        topics.DOCUMENT_EVENTS, "documents", DocumentEvent, service.record_documents
    )

    @runtime.subscriber(topics.RETENTION_ORDERS, "purges")
    async def on_purge(event: RetentionOrder) -> None:
        await service.purge(event)

    @runtime.subscriber(topics.NOTIFICATION_EVENTS, "notifications")
    async def on_notification(event: NotificationEvent) -> None:
        if isinstance(event, MessageSent):
            await sent_messages.record(event)
