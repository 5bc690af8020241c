"""Kafka consumers of retention."""

from __future__ import annotations

from edu_contracts import topics
from edu_contracts.applications import ApplicationEvent, StatusChanged
from edu_runtime.runtime import ServiceRuntime

from edu_retention.adapters.store import RetentionStore


def register_consumers(runtime: ServiceRuntime, store: RetentionStore) -> None:
    inbox = runtime.inbox("application-events")

    @runtime.subscriber(topics.APPLICATION_EVENTS, "application-events")
    async def on_application_event(event: ApplicationEvent) -> None:
        if not isinstance(event, StatusChanged):
            return  # retention only cares about status changes
        await inbox.apply_once(
            event.event_id, lambda session: store.track_status(event.payload, session)
        )
