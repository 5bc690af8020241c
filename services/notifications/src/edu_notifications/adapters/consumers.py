"""Kafka consumers of notifications: they translate records into the use cases
of ``edu_notifications/service.py`` (which apply each event once, through the
inbox) and wake the sender when something was queued."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from edu_contracts import topics
from edu_contracts.applications import ApplicationEvent, IncidentReported, StatusChanged
from edu_contracts.documents import DocumentEvent, Rendered
from edu_contracts.lending import LendingEvent
from edu_contracts.retention import RetentionOrder
from edu_runtime.batches import Delivery
from edu_runtime.runtime import ServiceRuntime

from edu_notifications.digests import DigestService
from edu_notifications.service import NotificationService


def register_consumers(
    runtime: ServiceRuntime, service: NotificationService, wake_sender: Callable[[], None]
) -> None:
    application_inbox = runtime.inbox("application-events")
    document_inbox = runtime.inbox("document-events")
    purge_inbox = runtime.inbox("purge-orders")

    async def on_application_events(batch: Sequence[Delivery[ApplicationEvent]]) -> None:
        told = {
            d.event.event_id: d.event.payload
            for d in batch
            if isinstance(d.event, StatusChanged | IncidentReported)
        }
        if await service.on_application_events(application_inbox, told):
            wake_sender()

    runtime.batch_subscriber(
        topics.APPLICATION_EVENTS, "application-events", ApplicationEvent, on_application_events
    )

    @runtime.subscriber(topics.DOCUMENT_EVENTS, "document-events")
    async def on_document_event(event: DocumentEvent) -> None:
        if not isinstance(event, Rendered):
            return  # nothing to tell about a failed rendering
        if await service.on_document_rendered(document_inbox, event.event_id, event.payload):
            wake_sender()

    @runtime.subscriber(topics.RETENTION_ORDERS, "purge-orders")
    async def on_purge_order(event: RetentionOrder) -> None:
        await service.on_purge_ordered(purge_inbox, event.event_id, event.payload)


def register_digest_consumer(runtime: ServiceRuntime, digests: DigestService) -> None:
    """The schools' lending settings, for the address of their daily digest."""
    inbox = runtime.inbox("lending-settings")

    @runtime.subscriber(topics.LENDING_SETTINGS, "lending-settings")
    async def on_lending_settings(event: LendingEvent) -> None:
        await digests.on_lending_settings(inbox, event.event_id, event.payload)
