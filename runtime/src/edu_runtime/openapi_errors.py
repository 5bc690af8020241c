"""Make every service's OpenAPI document say how each operation refuses: the
real error body (``ErrorBody``: ``{reason, detail, extra}``) for every status it
can answer, added once here instead of by hand on ~40 handlers.

Each operation documents 422 (the shared layer refuses unknown query
parameters and bad bodies everywhere); 401 and 503 (the database or another
service unreachable) unless it is public; 403 if it has a
guard; 404 if its path has parameters; 409 if its body carries the ``version``
a change is based on (``stale_version``). A handler adds the statuses only it
can answer with ``opt={"errors": {409: "why", 503: "why"}}``. Litestar's own
default 400 body (``{status_code, detail, extra}``) is replaced by ``ErrorBody``."""

from __future__ import annotations

import re
from typing import Any

from edu_contracts.http import ErrorBody
from litestar import Litestar

# The plugin that caches the document as a dict; public API offers only the
# spec objects, and the dict is what the schema endpoints serve.
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

ERROR_SCHEMA = "ErrorBody"
DEFAULT_REASONS = {
    400: "The request could not be read (bad_request).",
    401: "No valid gateway token: missing_token, token_expired, invalid_token, … (see reason).",
    403: "The caller may not do this: citizens_only, staff_only, terms_not_accepted, "
    "not_represented, … (see reason).",
    404: "Not found, or not the caller's to see (existence does not leak).",
    409: "stale_version: the change was based on an older version; read it again "
    "(and other conflicts with the current state, see reason).",
    503: "A dependency is not reachable (database_unavailable, registry_unavailable, …); "
    "try again after Retry-After.",
    422: "The request is not valid: unknown_query_parameter, repeated_query_parameter, "
    "body_required, body_not_json, "
    "unknown_field, validation_error, bad_page, unsupported_language, personal_code_*, … "
    "(extra says which input).",
}


def _body_fields(handler: HTTPRouteHandler) -> set[str]:
    field = handler.parsed_fn_signature.parameters.get("data")
    model = getattr(field, "annotation", None)
    return set(getattr(model, "model_fields", {}))


def error_statuses(handler: HTTPRouteHandler, path: str, public: bool) -> dict[int, str]:
    statuses: dict[int, str] = {422: DEFAULT_REASONS[422]}
    if not public:
        statuses[401] = DEFAULT_REASONS[401]
        statuses[503] = DEFAULT_REASONS[503]
    if handler.resolve_guards():
        statuses[403] = DEFAULT_REASONS[403]
    if "{" in path:
        statuses[404] = DEFAULT_REASONS[404]
    if "version" in _body_fields(handler):
        statuses[409] = DEFAULT_REASONS[409]
    declared = (handler.opt or {}).get("errors", {})
    for status, why in declared.items():
        statuses[int(status)] = str(why)
    return statuses


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}
        },
    }


def document_errors(app: Litestar, public_paths: list[str]) -> None:
    """Rewrite the app's (cached) OpenAPI document in place; call once after building the app."""
    schema = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    public = [re.compile(p) for p in public_paths]
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path_item = schema.get("paths", {}).get(route.path_format)
        if not path_item:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = path_item.get(method.lower())
            if operation is None or not isinstance(handler, HTTPRouteHandler):
                continue
            responses = operation.setdefault("responses", {})
            if "400" in responses:
                responses["400"] = _error_response(DEFAULT_REASONS[400])
            is_public = any(p.search(route.path_format) for p in public)
            for status, why in error_statuses(handler, route.path_format, is_public).items():
                responses[str(status)] = _error_response(why)
