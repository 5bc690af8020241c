"""Composition root of documents."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from litestar import Litestar
from opentelemetry.sdk.trace.export import SpanExporter

from edu_documents.settings import DocumentsSettings


def create_app(
    settings: DocumentsSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.DOCUMENT_EVENTS, topics.RETENTION_CONFIRMATIONS)
    return create_http_app(
        runtime,
        title="documents",
        description="Handover and return acts, 'Saglabāt kā PDF' printouts: rendering, "
        "storage, download and verification.",
        route_handlers=[],
    )
