"""Composition root of documents."""

from __future__ import annotations

from collections.abc import Sequence

from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.singletons import singletons
from litestar import Litestar
from opentelemetry.sdk.trace.export import SpanExporter

from edu_documents.adapters.consumers import register_consumers
from edu_documents.adapters.http import REFUSALS, DocumentsController
from edu_documents.adapters.previews import Previews
from edu_documents.adapters.printouts_http import RegisterPrintoutsController
from edu_documents.adapters.store import DocumentStore
from edu_documents.rendering import ensure_fonts
from edu_documents.service import DocumentService
from edu_documents.settings import DocumentsSettings


def create_app(
    settings: DocumentsSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    # Fail at start-up, not at the first render, when the font is missing.
    ensure_fonts(settings.font_dir)
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(topics.DOCUMENT_EVENTS, topics.RETENTION_CONFIRMATIONS)
    store = DocumentStore(runtime.db, number_block=settings.number_block)
    service = DocumentService(runtime, store)
    previews = Previews(service)
    register_consumers(runtime, service, settings)

    async def shutdown() -> None:
        service.close()

    return create_http_app(
        runtime,
        title="documents",
        description="Handover and return acts, 'Saglabāt kā PDF' printouts: rendering, "
        "storage, download and verification.",
        route_handlers=[DocumentsController, RegisterPrintoutsController],
        dependencies=singletons(store=store, service=service, previews=previews),
        on_startup=[store.ensure_indexes],
        on_shutdown=[shutdown],
        refusals=REFUSALS,
    )
