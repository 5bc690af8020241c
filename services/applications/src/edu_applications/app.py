"""Composition root of applications."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from edu_contracts import topics
from edu_runtime.http import create_http_app
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.serve import CLIENT_KEEP_ALIVE_SECONDS
from edu_runtime.service_client import ServiceClient
from litestar import Litestar
from litestar.di import Provide
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace.export import SpanExporter

from edu_applications.adapters.consumers import register_consumers
from edu_applications.adapters.http import (
    REFUSALS,
    CitizenApplicationsController,
    StaffApplicationsController,
    TermsController,
)
from edu_applications.adapters.inbox_http import (
    StaffInboxController,
    StaffIssuedItemsController,
)
from edu_applications.adapters.inbox_store import InboxStore
from edu_applications.adapters.items_http import StaffItemRegisterController
from edu_applications.adapters.items_store import ItemStore
from edu_applications.adapters.lending_http import StaffLendingSettingsController
from edu_applications.adapters.lending_store import LendingSettingsStore
from edu_applications.adapters.sent_store import SentMessageStore
from edu_applications.adapters.stocktake_http import StaffStocktakeController
from edu_applications.adapters.stocktake_store import StocktakeStore
from edu_applications.adapters.store import ApplicationStore
from edu_applications.adapters.upstream import ReceiptDocumentsCatalog, RegistryLookups
from edu_applications.lending_settings import LendingSettingsService
from edu_applications.service import ApplicationService
from edu_applications.service.items import ItemRegister
from edu_applications.service.sent_messages import SentMessages
from edu_applications.service.stocktakes import Stocktakes
from edu_applications.settings import ApplicationsSettings


def upstream_client(base_url: str, timeout: float) -> httpx.AsyncClient:
    """A client for registry-reader or documents that lets an idle connection
    go before the server closes it (``edu_runtime.serve``)."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(keepalive_expiry=CLIENT_KEEP_ALIVE_SECONDS),
    )


def create_app(
    settings: ApplicationsSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    runtime = ServiceRuntime(settings, span_exporters=span_exporters)
    runtime.publishes(
        topics.APPLICATION_EVENTS,
        topics.DOCUMENT_COMMANDS,
        topics.RETENTION_CONFIRMATIONS,
        topics.LENDING_SETTINGS,
        topics.ITEM_EVENTS,
    )
    store = ApplicationStore(runtime.db)
    items = ItemStore(runtime.db)
    registry_http = upstream_client(settings.registry_url, settings.upstream_timeout_seconds)
    documents_http = upstream_client(settings.documents_url, settings.upstream_timeout_seconds)
    for client in (registry_http, documents_http):
        # Trace context goes along to registry-reader and documents.
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=runtime.tracer_provider)
    service = ApplicationService(
        runtime,
        store,
        RegistryLookups(ServiceClient("registry", registry_http)),
        ReceiptDocumentsCatalog(ServiceClient("documents", documents_http)),
        items,
        terms_version=settings.terms_version,
    )
    sent_store = SentMessageStore(runtime.db)
    sent_messages = SentMessages(runtime, store, sent_store)
    register_consumers(runtime, service, sent_messages)
    inbox = InboxStore(store.applications)
    lending_store = LendingSettingsStore(runtime.db)
    lending = LendingSettingsService(runtime, lending_store, service.registry)
    register = ItemRegister(runtime, items, inbox)
    stocktake_store = StocktakeStore(runtime.db)
    stocktakes = Stocktakes(runtime, stocktake_store, items)

    async def close_clients() -> None:
        await registry_http.aclose()
        await documents_http.aclose()

    return create_http_app(
        runtime,
        title="applications",
        description="Applications for education resources (school laptops and tablets): "
        "the citizen's 7-step wizard and after-submission actions, and the staff workflow.",
        route_handlers=[
            TermsController,
            CitizenApplicationsController,
            StaffApplicationsController,
            StaffLendingSettingsController,
            StaffInboxController,
            StaffIssuedItemsController,
            StaffItemRegisterController,
            StaffStocktakeController,
        ],
        dependencies={
            "service": Provide(lambda: service, sync_to_thread=False),
            "lending": Provide(lambda: lending, sync_to_thread=False),
            "inbox": Provide(lambda: inbox, sync_to_thread=False),
            "sent_messages": Provide(lambda: sent_messages, sync_to_thread=False),
            "register": Provide(lambda: register, sync_to_thread=False),
            "stocktakes": Provide(lambda: stocktakes, sync_to_thread=False),
        },
        on_startup=[
            store.ensure_indexes,
            lending_store.ensure_indexes,
            inbox.ensure_indexes,
            sent_store.ensure_indexes,
            items.ensure_indexes,
            stocktake_store.ensure_indexes,
            inbox.backfill,
        ],
        on_shutdown=[close_clients],
        refusals=REFUSALS,
    )
