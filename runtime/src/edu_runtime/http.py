"""The Litestar application every service builds: health endpoints, gateway
authentication, error bodies, OpenAPI, tracing, and the runtime's lifecycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import uuid4

from litestar import Litestar, Request, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.response import Response
from litestar.types import ControllerRouterHandler

from edu_runtime.api_docs import openapi_router, render_plugins
from edu_runtime.auth import GatewayAuthMiddleware, Identity, identity_of
from edu_runtime.errors import Refusals, handle_exception, refusal_handlers
from edu_runtime.http_metrics import HttpMetricsMiddleware, metrics_endpoint
from edu_runtime.openapi_bodies import document_bodies
from edu_runtime.openapi_errors import document_errors
from edu_runtime.paging import paging
from edu_runtime.runtime import ServiceRuntime
from edu_runtime.strict_input import StrictInput

PUBLIC_PATHS = ["^/health/", "^/schema", "^/metrics$"]


def _health_handlers(runtime: ServiceRuntime) -> list[ControllerRouterHandler]:
    @get("/health/live", include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service_name}

    @get("/health/ready", include_in_schema=False)
    async def ready() -> Response[dict[str, Any]]:
        checks = await runtime.readiness()
        ok = all(checks.values())
        return Response(
            {"status": "ready" if ok else "not_ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    return [live, ready, metrics_endpoint(runtime.metrics)]


def correlation_id(request: Request[Any, Any, Any]) -> str:
    """The caller's correlation id (gateway header) or a new one; it travels in
    every event the request causes."""
    supplied = request.headers.get("x-correlation-id") or request.headers.get("x-request-id")
    if supplied and len(supplied) <= 128:
        return supplied
    return str(uuid4())


async def _provide_identity(request: Request[Any, Any, Any]) -> Identity:
    return identity_of(request)


def create_http_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    route_handlers: Sequence[ControllerRouterHandler],
    dependencies: dict[str, Provide] | None = None,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
    refusals: Refusals | None = None,
) -> Litestar:
    """``refusals``: the service's domain errors and the HTTP status of each
    (its HTTP adapter's table); every other failure goes to ``handle_exception``."""
    otel = OpenTelemetryConfig(tracer_provider=runtime.tracer_provider, exclude=PUBLIC_PATHS)
    handlers: dict[int | type[Exception], Any] = {Exception: handle_exception}
    for error, handler in refusal_handlers(refusals or {}).items():
        handlers[error] = handler
    deps: dict[str, Provide] = {"identity": Provide(_provide_identity), "page": paging()}
    deps.update(dependencies or {})
    app = Litestar(
        route_handlers=[*_health_handlers(runtime), *route_handlers],
        dependencies=deps,
        middleware=[
            # Outermost, so refusals by the auth middleware are counted too.
            DefineMiddleware(HttpMetricsMiddleware, metrics=runtime.metrics, exclude=PUBLIC_PATHS),
            DefineMiddleware(
                GatewayAuthMiddleware, verifier=runtime.verifier, exclude=PUBLIC_PATHS
            ),
        ],
        plugins=[OpenTelemetryPlugin(otel)],
        exception_handlers=handlers,
        on_startup=[runtime.start, *on_startup],
        on_shutdown=[*on_shutdown, runtime.stop],
        openapi_config=OpenAPIConfig(
            title=title,
            version="1.0.0",
            description=description,
            components=Components(
                security_schemes={
                    "gateway": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="JWT issued by the portal's API gateway",
                    )
                }
            ),
            security=[{"gateway": []}],
            # Swagger UI from the project's own files (edu_runtime.api_docs).
            render_plugins=render_plugins(),
            openapi_router=openapi_router(),
        ),
        cors_config=CORSConfig(allow_origins=[]),
        debug=False,
        # Logging is ours (edu_runtime.logs: JSON lines); Litestar's default
        # config would put a text handler on the root logger.
        logging_config=None,
        state=State({"runtime": runtime}),
        before_request=StrictInput(),
    )
    document_errors(app, PUBLIC_PATHS)
    document_bodies(app)
    return app
