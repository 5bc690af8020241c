"""Composition root of the portal's pages.

Page modules (``signin``, ``mydata``, later ``wizard`` and the staff pages
under ``/skola/``) each export ``ROUTES``; this file puts them together with
the web kit (``edu_portal.web``): templates, languages, sessions, CSRF, error
pages and the API client. See SKELETON.md for how to add a page module.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from edu_runtime.mongo import CODEC_OPTIONS, create_client
from edu_runtime.signing import GatewayKeys
from edu_runtime.telemetry import build_tracer_provider, instrument_pymongo
from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.response import Response
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from opentelemetry.sdk.trace.export import SpanExporter

from edu_portal import applications, mydata, signin, staff
from edu_portal.people import PeopleDirectory
from edu_portal.settings import PortalSettings, SignInMode
from edu_portal.web.api import Api, Backend
from edu_portal.web.context import Portal, before_request, provide_portal, provide_signed_in
from edu_portal.web.errors import handle_error
from edu_portal.web.oidc import OidcClient
from edu_portal.web.session import SessionStore
from edu_portal.web.templates import template_config
from edu_portal.web.tokens import SessionTokens

STATIC_DIR = Path(__file__).resolve().parent / "static"
PUBLIC_PATHS = ["^/health/", "^/static/"]

# Every page module: its routes. New modules (wizard, /skola/) add theirs here.
PAGE_MODULES: Sequence[Sequence[ControllerRouterHandler]] = (
    signin.ROUTES,
    mydata.ROUTES,
    applications.ROUTES,
    staff.ROUTES,
)


def _http_client(base_url: str, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
    )


def create_app(
    settings: PortalSettings, *, span_exporters: Sequence[SpanExporter] = ()
) -> Litestar:
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
    mongo = create_client(settings.mongo_url, settings.service_name)
    db = mongo.get_database(settings.mongo_db, codec_options=CODEC_OPTIONS)
    sessions = SessionStore(
        db,
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        longest=dt.timedelta(hours=settings.session_max_hours),
    )
    tokens = SessionTokens(
        GatewayKeys(settings.data_dir),
        sessions,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lifetime=dt.timedelta(minutes=settings.token_minutes),
    )
    clients = {
        Backend.REGISTRY: _http_client(settings.registry_url, settings.api_timeout_seconds),
        Backend.APPLICATIONS: _http_client(settings.applications_url, settings.api_timeout_seconds),
        Backend.DOCUMENTS: _http_client(settings.documents_url, settings.api_timeout_seconds),
    }
    _instrument_httpx(clients.values(), tracer_provider)
    api = Api(clients)
    oidc = OidcClient(settings, db) if settings.sign_in is SignInMode.OIDC else None
    portal = Portal(settings, sessions, tokens, api, oidc=oidc)
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

    async def close() -> None:
        await api.close()
        await mongo.close()
        tracer_provider.force_flush()
        tracer_provider.shutdown()

    handlers: list[ControllerRouterHandler] = [
        live,
        ready,
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
            "people": Provide(lambda: people, sync_to_thread=False),
        },
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
        on_startup=[sessions.ensure_indexes],
        on_shutdown=[close],
        openapi_config=None,
        debug=False,
        state=State({"portal": portal}),
    )


def _instrument_httpx(clients: Any, tracer_provider: Any) -> None:
    """traceparent on every back-end call: the services' spans join the page's."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    for client in clients:
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=tracer_provider)
