"""Composition root of registry-reader."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from litestar import Litestar
from opentelemetry.sdk.trace.export import SpanExporter

from edu_registry_reader.settings import RegistryReaderSettings


def create_app(
    settings: RegistryReaderSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.REGISTRY_VERDICTS, topics.DOCUMENT_COMMANDS)
    return create_http_app(
        runtime,
        title="registry-reader",
        description="Replica of the VIIS registers: 'My data in the education registers', "
        "lookups for the application wizard, eligibility verdicts, access log.",
        route_handlers=[],
    )
