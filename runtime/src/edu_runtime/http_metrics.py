"""HTTP server metrics (``http.server.request.duration``, semantic conventions):
one histogram gives request rate, errors and duration per route.

The route is Litestar's path template (``/api/v1/applications/{application_id}``),
never the path itself, so no personal code or id ends up in a label. Health
checks and scrapes are left out, as they are from the traces.

An app not built with ``create_http_app`` (the portal) gets the same with
``ServiceMetrics(name)``, ``DefineMiddleware(HttpMetricsMiddleware, metrics=...,
exclude=...)`` and ``metrics_endpoint(metrics)`` among its route handlers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from litestar import get
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from edu_runtime.metrics import METRICS_CONTENT_TYPE, ServiceMetrics

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, exclude: Sequence[str]) -> None:
        self._app = app
        self._metrics = metrics
        self._exclude = re.compile("|".join(exclude)) if exclude else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or (
            self._exclude and self._exclude.search(scope["path"])
        ):
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        error: str | None = None

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, sending)
        except Exception as exc:
            error = type(exc).__name__
            raise
        finally:
            self._metrics.http_server_duration.record(
                time.perf_counter() - started, _attributes(scope, status, error)
            )


def _attributes(scope: Any, status: int, error: str | None) -> dict[str, str | int]:
    method = scope.get("method", "_OTHER")
    attributes: dict[str, str | int] = {
        "http.request.method": method if method in _METHODS else "_OTHER",
        "http.route": scope.get("path_template") or "_unrouted",
        "http.response.status_code": status,
    }
    if status >= 500:
        attributes["error.type"] = error or str(status)
    return attributes


def metrics_endpoint(metrics: ServiceMetrics) -> HTTPRouteHandler:
    """``GET /metrics`` for Prometheus. Public like the health checks; the
    gateway routes only ``/api/...`` prefixes, so it is not reachable from outside."""

    @get("/metrics", include_in_schema=False, sync_to_thread=False)
    def scrape() -> Response[bytes]:
        return Response(metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    return scrape
