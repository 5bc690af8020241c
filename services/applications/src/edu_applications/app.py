"""Composition root of applications."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from litestar import Litestar
from litestar.di import Provide
from opentelemetry.sdk.trace.export import SpanExporter

from edu_applications.adapters.http import ApplicationsController
from edu_applications.adapters.store import ApplicationStore
from edu_applications.settings import ApplicationsSettings


def create_app(
    settings: ApplicationsSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.APPLICATION_EVENTS, topics.DOCUMENT_COMMANDS)
    store = ApplicationStore(runtime.db)
    return create_http_app(
        runtime,
        title="applications",
        description="Applications for education resources (school laptops and tablets): "
        "the citizen's wizard and after-submission actions, and the staff workflow.",
        route_handlers=[ApplicationsController],
        dependencies={
            "store": Provide(lambda: store, sync_to_thread=False),
            "runtime": Provide(lambda: runtime, sync_to_thread=False),
        },
        on_startup=[store.ensure_indexes],
    )
