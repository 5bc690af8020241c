"""Composition root of notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from litestar import Litestar, get
from opentelemetry.sdk.trace.export import SpanExporter

from edu_notifications.adapters.channels import Channel, SmtpChannel
from edu_notifications.adapters.consumers import register_consumers, register_digest_consumer
from edu_notifications.adapters.digest_store import DigestStore
from edu_notifications.adapters.metrics import track_delivery
from edu_notifications.adapters.sender import Sender
from edu_notifications.adapters.store import NotificationStore
from edu_notifications.digests import DigestService
from edu_notifications.service import NotificationService, record_sent
from edu_notifications.settings import NotificationsSettings


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(
    settings: NotificationsSettings,
    *,
    span_exporters: Sequence[SpanExporter] = (),
    channel: Channel | None = None,
    clock: Callable[[], dt.datetime] = _now,
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.NOTIFICATION_EVENTS)
    store = NotificationStore(runtime.db)
    digest_store = DigestStore(runtime.db)
    digests = DigestService(store, digest_store, settings.portal_address, clock)
    service = NotificationService(store, settings.portal_address, clock, digests)
    sender = Sender(
        store,
        channel or SmtpChannel(settings),
        lambda: runtime.broker,
        runtime.metrics,
        clock,
        policy=settings.retry_policy,
        batch_size=settings.sender_batch_size,
        poll_seconds=settings.sender_poll_seconds,
        lease=dt.timedelta(seconds=settings.sender_lease_seconds),
        record_sent=partial(record_sent, runtime.unit_of_work, store),
    )
    register_consumers(runtime, service, sender.notify)
    register_digest_consumer(runtime, digests)
    track_delivery(runtime, store, clock)

    async def start_sender() -> None:
        if settings.sender_enabled:
            sender.start()

    # Under /health/ so it is public like the probes: counters only, no addresses.
    @get("/health/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics() -> dict[str, Any]:
        s = sender.stats
        return {
            "service": settings.service_name,
            "sender_enabled": settings.sender_enabled,
            "sent": s.sent,
            "failed": s.failed,
            "retried": s.retried,
            "last_sent_at": s.last_sent_at.isoformat() if s.last_sent_at else None,
        }

    app = create_http_app(
        runtime,
        title="notifications",
        description="Tells applicants by e-mail when their application changes. Speaks "
        "Kafka and SMTP; HTTP is health only.",
        route_handlers=[metrics],
        on_startup=[store.ensure_indexes, digest_store.ensure_indexes, start_sender],
        on_shutdown=[sender.stop],
    )
    app.state["store"] = store
    app.state["digest_store"] = digest_store
    app.state["sender"] = sender
    return app
