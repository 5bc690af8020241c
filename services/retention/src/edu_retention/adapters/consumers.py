"""Kafka consumers of retention. Each applies an event at most once (inbox)
in the same unit of work as the change it causes."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_contracts.applications import ApplicationEvent, StatusChanged
from edu_contracts.documents import DocumentEvent, Rendered
from edu_contracts.retention import RetentionConfirmation
from edu_runtime.batches import Delivery
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.unit_of_work import UnitOfWork

from edu_retention.adapters.store import RetentionStore
from edu_retention.clock import Clock


def register_consumers(runtime: ServiceRuntime, store: RetentionStore, clock: Clock) -> None:
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
        changes = {d.event.event_id: d.event for d in batch if isinstance(d.event, StatusChanged)}
        fresh = await application_inbox.unseen(changes)
        if not fresh:
            return

        async def work(uow: UnitOfWork) -> None:
            for event_id in fresh:  # in the order they were published
                await store.apply_status_change(changes[event_id].payload, uow.session)

        await application_inbox.apply_all(fresh, work)

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
        await document_inbox.apply_once(
            event.event_id, lambda uow: store.record_printout(event.payload, uow.session)
        )

    @runtime.subscriber(topics.RETENTION_CONFIRMATIONS, "purge-confirmations")
    async def on_confirmation(event: RetentionConfirmation) -> None:
        recorded = False

        async def work(uow: UnitOfWork) -> None:
            nonlocal recorded
            recorded = await store.record_confirmation(event.payload, uow.session, clock.now())

        if await confirmation_inbox.apply_once(event.event_id, work) and recorded:
            confirmed.add(
                1,
                {
                    "edu.purge.owner": event.payload.owner.value,
                    "edu.purge.subject.kind": event.payload.subject.kind.value,
                },
            )
