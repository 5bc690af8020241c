"""The API documentation every service serves under ``/schema``: the OpenAPI
document (``openapi.json``, ``openapi.yaml``) and Swagger UI at
``/schema/swagger`` (also ``/schema``).

Litestar's own Swagger page loads Swagger UI from a CDN and starts it with an
inline script: a blank page here (no network at run time) and in production
(the CSP allows neither). This page takes Swagger UI's files from the
``swagger-ui-bundle-v2`` wheel and starts it from a script file of ours, so it
works under ``script-src 'self'`` with no ``unsafe-inline``; the whole
``/schema`` router answers with that CSP, so a regression shows in the
browser test instead of in production."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, YamlRenderPlugin
from litestar.params import FromPath
from litestar.response import Response

# The wheel ships no type information (no py.typed); swagger_ui_path is a Path.
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from edu_runtime.csp import CSP

SWAGGER_UI_DIR = Path(str(swagger_ui_path))
# Only the files the page uses; the rest of the wheel (source maps, templates)
# is not served.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
INIT_JS = "init.js"

# Reads the document's address from the page (no value baked into the script,
# so it can be cached) and starts Swagger UI. Runs after the bundle (both
# ``defer``, in document order).
_INIT = b"""\
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    domNode: root,
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
"""


@cache
def _asset(name: str) -> bytes:
    return (SWAGGER_UI_DIR / name).read_bytes()


def swagger_asset(name: FromPath[str]) -> Response[bytes]:
    if name == INIT_JS:
        body, media_type = _INIT, "text/javascript; charset=utf-8"
    elif name in ASSETS:
        body, media_type = _asset(name), ASSETS[name]
    else:
        raise NotFoundException()
    # Versioned by the locked wheel; an hour keeps a page reload cheap.
    return Response(body, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})


class SwaggerPage(OpenAPIRenderPlugin):
    """Swagger UI's page: markup only, every script and style an external file."""

    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        document = self.get_openapi_json_route(request)
        assets = document.rsplit("/", 1)[0] + "/swagger"
        title = html.escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<script src="{assets}/swagger-ui-bundle.js" defer></script>
<script src="{assets}/{INIT_JS}" defer></script>
</head>
<body>
<main id="swagger-ui" data-openapi="{html.escape(document)}"></main>
<noscript>Swagger UI needs JavaScript; the document itself is at
<a href="{html.escape(document)}">{html.escape(document)}</a>.</noscript>
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        # A new handler per app: several services share one process in tests.
        router.register(
            get("/swagger/{name:str}", include_in_schema=False, sync_to_thread=False)(swagger_asset)
        )


def openapi_router() -> Router:
    """The ``/schema`` router, with the CSP on every answer (see the module)."""
    return Router(
        "/schema",
        route_handlers=[],
        include_in_schema=False,
        response_headers={"Content-Security-Policy": CSP},
    )


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI first: Litestar serves the first plugin at ``/schema`` too."""
    return [SwaggerPage(), JsonRenderPlugin(), YamlRenderPlugin()]
