"""Composition root of retention."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from litestar import Litestar
from opentelemetry.sdk.trace.export import SpanExporter

from edu_retention.adapters.consumers import register_consumers
from edu_retention.adapters.store import RetentionStore
from edu_retention.settings import RetentionSettings


def create_app(
    settings: RetentionSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.RETENTION_ORDERS)
    store = RetentionStore(runtime.db)
    register_consumers(runtime, store)
    return create_http_app(
        runtime,
        title="retention",
        description="Retention deadlines and purges. Speaks Kafka; HTTP is health only.",
        route_handlers=[],
        on_startup=[store.ensure_indexes],
    )
