"""Composition root of retention."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from litestar import Litestar, get
from opentelemetry.sdk.trace.export import SpanExporter

from edu_retention.adapters.consumers import register_consumers
from edu_retention.adapters.metrics import track_purges
from edu_retention.adapters.store import RetentionStore
from edu_retention.adapters.sweeper import Sweeper
from edu_retention.clock import Clock, SystemClock
from edu_retention.service import RetentionService
from edu_retention.settings import RetentionSettings


def create_app(
    settings: RetentionSettings,
    *,
    span_exporters: Sequence[SpanExporter] = (),
    clock: Clock | None = None,
) -> Litestar:
    clock = clock or SystemClock()
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.RETENTION_ORDERS)
    store = RetentionStore(runtime.db)
    service = RetentionService(store, runtime.units, clock)
    register_consumers(runtime, service)
    track_purges(runtime, store, clock)
    sweeper = Sweeper.configured(service, clock, settings)

    async def start_sweeper() -> None:
        if settings.sweeper_enabled:
            sweeper.start()  # its first sweep runs right away

    # Under /health/ so it is public like the probes: counters only, no ids.
    @get("/health/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics() -> dict[str, Any]:
        m = sweeper.metrics
        return {
            "service": settings.service_name,
            "sweeper_enabled": settings.sweeper_enabled,
            "sweeps": m.sweeps,
            "sweep_failures": m.failures,
            "purge_orders": m.orders,
            "purge_reorders": m.reorders,
            "last_sweep_at": m.last_sweep_at.isoformat() if m.last_sweep_at else None,
            "last_sweep_seconds": m.last_sweep_seconds,
            "outbox_published": runtime.relay.published,
        }

    app = create_http_app(
        runtime,
        title="retention",
        description="Retention deadlines and purges. Speaks Kafka; HTTP is health only.",
        route_handlers=[metrics],
        on_startup=[store.ensure_indexes, start_sweeper],
        on_shutdown=[sweeper.stop],
    )
    app.state["store"] = store
    app.state["sweeper"] = sweeper
    app.state["clock"] = clock
    return app
