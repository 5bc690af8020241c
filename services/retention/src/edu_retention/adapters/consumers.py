"""Kafka consumers of retention: they translate records into the use cases of
``edu_retention/service.py``, which apply each event at most once (inbox) in
the same unit of work as the change it causes."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_contracts.applications import ApplicationEvent, StatusChanged
from edu_contracts.documents import DocumentEvent, Rendered
from edu_contracts.retention import RetentionConfirmation
from edu_runtime.batches import Delivery
from edu_runtime.runtime import ServiceRuntime

from edu_retention.service import RetentionService


def register_consumers(runtime: ServiceRuntime, service: RetentionService) -> None:
    application_inbox = runtime.inbox("application-events")
    document_inbox = runtime.inbox("document-events")
    confirmation_inbox = runtime.inbox("purge-confirmations")
    confirmed = runtime.metrics.counter(
        "edu.retention.purges.confirmed",
        "{confirmation}",
        "Owners' purge confirmations recorded, by owner and subject kind.",
    )

    async def on_application_events(batch: Sequence[Delivery[ApplicationEvent]]) -> None:
        # Retention only cares about status changes; every change of every
        # application passes here, so they are applied in batches.
        changes = {
            d.event.event_id: d.event.payload for d in batch if isinstance(d.event, StatusChanged)
        }
        await service.track_status_changes(application_inbox, changes)

    runtime.batch_subscriber(
        topics.APPLICATION_EVENTS,
        "application-events",
        ApplicationEvent,
        on_application_events,
    )

    @runtime.subscriber(topics.DOCUMENT_EVENTS, "document-events")
    async def on_document_event(event: DocumentEvent) -> None:
        if not isinstance(event, Rendered):
            return  # a failed rendering left nothing to delete
        await service.schedule_printout(document_inbox, event.event_id, event.payload)

    @runtime.subscriber(topics.RETENTION_CONFIRMATIONS, "purge-confirmations")
    async def on_confirmation(event: RetentionConfirmation) -> None:
        payload = event.payload
        if await service.record_confirmation(confirmation_inbox, event.event_id, payload):
            confirmed.add(
                1,
                {
                    "edu.purge.owner": payload.owner.value,
                    "edu.purge.subject.kind": payload.subject.kind.value,
                },
            )
