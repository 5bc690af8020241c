"""What each path supports, said the way RFC 9110 asks: an ``OPTIONS`` request
answers 204 with ``Allow`` listing every method of the path, and a 405 carries
the same ``Allow`` (``edu_runtime.errors`` passes Litestar's header on).

Litestar gives each of its routes an OPTIONS handler that lists only that
route's methods; when one path is served by more than one route (a ``GET /``
and a ``POST /`` of one controller end up as two), the path's OPTIONS answered
with one route's methods only. The table here is built once from every route
of the app, so it is whole."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from litestar import Litestar, Request, Response
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT


def allowed_methods(app: Litestar) -> dict[str, str]:
    """Per route path (as declared, e.g. ``/api/v1/x/{id:str}``): its ``Allow`` value."""
    methods: dict[str, set[str]] = defaultdict(set)
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            methods[route.path].update(route.methods)
    return {path: ", ".join(sorted(m | {"OPTIONS"})) for path, m in methods.items()}


class OptionsAnswer:
    """Answers OPTIONS from the whole table (see the module's docstring); any
    other request goes on (``None``)."""

    def __init__(self) -> None:
        self._allowed: dict[str, str] | None = None

    def __call__(self, request: Request[Any, Any, Any]) -> Response[None] | None:
        if request.method != "OPTIONS":
            return None
        if self._allowed is None:
            self._allowed = allowed_methods(request.app)
        handler = request.scope["route_handler"]
        allow = next((self._allowed[p] for p in handler.paths if p in self._allowed), None)
        if allow is None:
            return None
        return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allow})
