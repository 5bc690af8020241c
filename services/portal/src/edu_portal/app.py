"""Composition root of the portal's pages.

Page modules (``signin``, ``mydata``, later ``wizard`` and the staff pages
under ``/skola/``) each export ``ROUTES``; this file puts them together with
the web kit (``edu_portal.web``): templates, languages, sessions, CSRF, error
pages and the API client. See SKELETON.md for how to add a page module.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from edu_runtime.http_metrics import HttpMetricsMiddleware, metrics_endpoint
from edu_runtime.metrics import ServiceMetrics
from edu_runtime.mongo import CODEC_OPTIONS, create_client
from edu_runtime.serve import CLIENT_KEEP_ALIVE_SECONDS
from edu_runtime.signing import GatewayKeys
from edu_runtime.telemetry import build_tracer_provider, instrument_pymongo
from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.response import Response
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from opentelemetry.sdk.trace.export import SpanExporter

from edu_portal import applications, mydata, signin, staff
from edu_portal.people import PeopleDirectory
from edu_portal.settings import PortalSettings, SignInMode
from edu_portal.web.api import Backend, Backends
from edu_portal.web.caching import NoStoreMiddleware
from edu_portal.web.clients import provide_clients
from edu_portal.web.context import Portal, before_request, provide_portal, provide_signed_in
from edu_portal.web.errors import handle_error
from edu_portal.web.limits import PersonLimits
from edu_portal.web.oidc import OidcClient
from edu_portal.web.session import SessionStore
from edu_portal.web.templates import template_config
from edu_portal.web.tokens import SessionTokens

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Not traced, not counted, no CSRF check: probes, scrapes and static files.
PUBLIC_PATHS = ["^/health/", "^/static/", "^/metrics$"]

# Every page module: its routes. New modules (wizard, /skola/) add theirs here.
PAGE_MODULES: Sequence[Sequence[ControllerRouterHandler]] = (
    signin.ROUTES,
    mydata.ROUTES,
    applications.ROUTES,
    staff.ROUTES,
)


def upstream_client(base_url: str, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        # Few idle connections: httpcore scans every pooled connection on each
        # request, which showed in the page's CPU profile with a pool of 50.
        limits=httpx.Limits(
            max_connections=100,
            max_keepalive_connections=16,
            keepalive_expiry=CLIENT_KEEP_ALIVE_SECONDS,
        ),
    )


def create_app(
    settings: PortalSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
    # Before anything else: no public default secret or stand-in sign-in where
    # the portal could face the internet, no signing key generated over a mount.
    settings.refuse_unsafe()
    keys = GatewayKeys(settings.data_dir, generate=settings.local)
    if not settings.local:
        keys.check()
    # httpx logs every request at INFO, address and query included: one line
    # per API call, and queries can carry personal codes.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    tracer_provider = build_tracer_provider(
        settings.service_name,
        otlp_endpoint=settings.otel_exporter_otlp_endpoint,
        traces_file=settings.otel_traces_file,
        extra_exporters=span_exporters,
    )
    instrument_pymongo(tracer_provider)
    metrics = ServiceMetrics(settings.service_name)
    mongo = create_client(settings.mongo_url, settings.service_name)
    db = mongo.get_database(settings.mongo_db, codec_options=CODEC_OPTIONS)
    sessions = SessionStore(
        db,
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        longest=dt.timedelta(hours=settings.session_max_hours),
    )
    tokens = SessionTokens(
        keys,
        sessions,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lifetime=dt.timedelta(minutes=settings.token_minutes),
    )
    clients = {
        Backend.REGISTRY: upstream_client(settings.registry_url, settings.api_timeout_seconds),
        Backend.APPLICATIONS: upstream_client(
            settings.applications_url, settings.api_timeout_seconds
        ),
        Backend.DOCUMENTS: upstream_client(settings.documents_url, settings.api_timeout_seconds),
    }
    backends = Backends(clients)
    oidc = OidcClient(settings, db) if settings.sign_in is SignInMode.OIDC else None
    limits = PersonLimits(
        db,
        key=settings.pseudonym_key.get_secret_value().encode(),
        per_minute=settings.my_data_reads_per_minute,
    )
    portal = Portal(settings, sessions, tokens, backends, limits, oidc=oidc)
    people = PeopleDirectory(settings.people_path)

    @get("/health/live", include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @get("/health/ready", include_in_schema=False)
    async def ready() -> Response[dict[str, Any]]:
        try:
            await mongo.admin.command("ping")
            ok = True
        except Exception:
            ok = False
        return Response(
            {"status": "ready" if ok else "not_ready", "checks": {"mongo": ok}},
            status_code=200 if ok else 503,
        )

    purging: list[asyncio.Task[None]] = []

    async def start() -> None:
        await sessions.ensure_indexes()
        await limits.ensure_indexes()
        purging.append(asyncio.create_task(sessions.purge_forever()))
        purging.append(asyncio.create_task(limits.purge_forever()))

    async def close() -> None:
        for task in purging:
            task.cancel()
        await backends.close()
        await mongo.close()
        tracer_provider.force_flush()
        tracer_provider.shutdown()
        metrics.shutdown()

    handlers: list[ControllerRouterHandler] = [
        live,
        ready,
        metrics_endpoint(metrics),
        create_static_files_router(
            path="/static", directories=[STATIC_DIR], cache_control=None, include_in_schema=False
        ),
    ]
    for module in PAGE_MODULES:
        handlers.extend(module)
    return Litestar(
        route_handlers=handlers,
        dependencies={
            "portal": Provide(provide_portal),
            "signed_in": Provide(provide_signed_in),
            "clients": Provide(provide_clients),
            "people": Provide(lambda: people, sync_to_thread=False),
        },
        # Outermost, so every page is counted, error pages included.
        middleware=[
            DefineMiddleware(HttpMetricsMiddleware, metrics=metrics, exclude=PUBLIC_PATHS),
            NoStoreMiddleware,
        ],
        before_request=before_request,
        template_config=template_config(),
        csrf_config=CSRFConfig(
            secret=settings.csrf_secret.get_secret_value(),
            cookie_name="edu_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=PUBLIC_PATHS,
        ),
        exception_handlers={Exception: handle_error},
        plugins=[
            OpenTelemetryPlugin(
                OpenTelemetryConfig(
                    tracer_provider=tracer_provider,
                    exclude=PUBLIC_PATHS,
                    # One span per page, not one more per ASGI message.
                    exclude_spans=["receive", "send"],
                )
            )
        ],
        on_startup=[start],
        on_shutdown=[close],
        openapi_config=None,
        debug=False,
        # Logging is ours (edu_runtime.logs: JSON lines, set up by __main__);
        # Litestar's default config would put a text handler on the root logger.
        logging_config=None,
        state=State({"portal": portal}),
    )
